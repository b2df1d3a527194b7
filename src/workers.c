/* workers.c: N capture threads, one engine each, one fanout group. */
#include <signal.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "capture/decode.h"
#include "workers.h"

struct worker {
	struct workers *pool;
	pthread_t th;
	int started;
	struct capture cap;
	struct engine *eng;
	unsigned gen;                /* rules generation in use */
	struct workers_snap snap;    /* published under pool->lock */
	int done;                    /* stopped by itself; under pool->lock */
};

struct workers {
	struct workers_cfg cfg;
	pthread_mutex_t lock;
	struct worker *w;
	unsigned n;
	atomic_int stop;             /* read by the workers without the lock */
	atomic_uint gen;             /* bumped by workers_set_rules (under the
				      * lock); peeked at without it */
	const struct ruleset *rs;    /* the rules of generation gen */
	const struct portmatch *pm;
	const struct inventory *inv;
	uint64_t left;               /* packets left with -c; under lock */
	_Atomic uint64_t flow_ids;   /* the next flow id of every worker */
};

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int open_one(struct workers *p, struct worker *w, uint16_t group,
		    char *err, size_t errlen)
{
	w->pool = p;
	if (capture_open_live(&w->cap, &p->cfg.live) ||
	    (p->n > 1 && capture_join_fanout(&w->cap, group))) {
		snprintf(err, errlen, "%s", w->cap.err);
		return -1;
	}
	w->eng = engine_new(&p->cfg.ec, p->rs, p->pm, p->inv, p->cfg.out,
			    p->cfg.learner);
	if (w->eng == NULL) {
		snprintf(err, errlen, "cannot set up worker: out of memory");
		return -1;
	}
	engine_stats(w->eng)->files = 1;
	return 0;
}

struct workers *workers_open(const struct workers_cfg *cfg, char *err,
			     size_t errlen)
{
	struct workers *p = calloc(1, sizeof(*p));
	uint16_t group = (uint16_t)(getpid() & 0xffff);

	if (p == NULL || (p->w = calloc(cfg->n, sizeof(*p->w))) == NULL) {
		free(p);
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	p->cfg = *cfg;
	p->n = cfg->n;
	pthread_mutex_init(&p->lock, NULL);
	p->cfg.ec.lock = &p->lock;
	atomic_init(&p->flow_ids, 1);
	p->cfg.ec.ft.ids = &p->flow_ids;
	p->rs = cfg->rs;
	p->pm = cfg->pm;
	p->inv = cfg->inv;
	p->left = cfg->count ? cfg->count : UINT64_MAX;
	for (unsigned i = 0; i < p->n; i++)
		if (open_one(p, &p->w[i], group, err, errlen)) {
			workers_free(p);
			return NULL;
		}
	return p;
}

/* Takes one packet off the -c budget; false when it is spent. */
static int take_packet(struct workers *p)
{
	int ok;

	if (p->cfg.count == 0)
		return 1;
	pthread_mutex_lock(&p->lock);
	ok = p->left > 0;
	if (ok)
		p->left--;
	pthread_mutex_unlock(&p->lock);
	return ok;
}

/* After a packet: true when -c's budget is spent; then every worker stops
 * (not only when its own next packet comes). */
static int budget_spent(struct workers *p)
{
	int spent;

	if (p->cfg.count == 0)
		return 0;
	pthread_mutex_lock(&p->lock);
	spent = p->left == 0;
	pthread_mutex_unlock(&p->lock);
	if (spent)
		p->stop = 1;
	return spent;
}

/* Adopts the pool's rules when they changed (SIGHUP). */
static void adopt_rules(struct worker *w)
{
	struct workers *p = w->pool;

	if (w->gen == p->gen)
		return;
	pthread_mutex_lock(&p->lock);
	if (engine_set_rules(w->eng, p->rs, p->pm, p->inv) == 0)
		w->gen = p->gen;
	pthread_mutex_unlock(&p->lock);
}

/* Once a second: idle flows, and the counters for the supervisor. */
static void tick(struct worker *w)
{
	struct stats *s = engine_stats(w->eng);
	struct flow_table_stats fs;
	struct capture_counters cc = { 0 };
	struct workers_snap snap = { 0 };

	engine_expire(w->eng, (uint64_t)(now_s() * 1e6));
	engine_flow_stats(w->eng, &fs);
	capture_counters(&w->cap, &cc);
	snap.received = cc.received;
	snap.kernel_drops = cc.dropped;
	snap.iface_drops = cc.ifdropped;
	snap.pkts = s->pkts;
	snap.bytes = s->bytes;
	snap.flows = s->flows;
	snap.decode_errors = s->decode[DECODE_TRUNCATED] + s->decode[DECODE_INVALID] +
			     s->decode[DECODE_UNSUPPORTED];
	snap.violations = s->verdict[VERDICT_VIOLATION];
	snap.active_flows = fs.active;
	snap.evicted = fs.evicted;
	pthread_mutex_lock(&w->pool->lock);
	w->snap = snap;
	pthread_mutex_unlock(&w->pool->lock);
}

static void *run(void *arg)
{
	struct worker *w = arg;
	struct workers *p = w->pool;
	struct raw_packet rp;
	double next = 0, t;
	int rc = CAPTURE_NONE;

	while (!p->stop) {
		adopt_rules(w);
		rc = capture_next(&w->cap, &rp);
		if (rc == CAPTURE_PACKET) {
			if (!take_packet(p))
				break;
			if (engine_packet(w->eng, w->cap.dlt, &rp))
				engine_stats(w->eng)->nomem++;
			if (budget_spent(p))
				break;
			/* The kernel's time stamp (wall clock, at most the
			 * ring's timeout old): no clock read per packet. */
			t = (double)rp.ts_us / 1e6;
		} else if (rc != CAPTURE_NONE) {
			break;
		} else {
			t = now_s();
		}
		if (t >= next || t < next - 2.0) {   /* or the clock stepped back */
			tick(w);
			next = now_s() + 1.0;
		}
	}
	if (rc == CAPTURE_ERROR)
		engine_stats(w->eng)->input_errors++;
	tick(w);
	pthread_mutex_lock(&p->lock);
	w->done = rc == CAPTURE_ERROR ? 2 : 1;
	pthread_mutex_unlock(&p->lock);
	return NULL;
}

int workers_start(struct workers *p, char *err, size_t errlen)
{
	sigset_t all, old;
	int rc = 0;

	/* Signals go to the supervising thread, not to the workers. */
	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, &old);
	for (unsigned i = 0; i < p->n && rc == 0; i++) {
		rc = pthread_create(&p->w[i].th, NULL, run, &p->w[i]);
		p->w[i].started = rc == 0;
	}
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (rc) {
		snprintf(err, errlen, "cannot start worker threads: %s", strerror(rc));
		return -1;
	}
	return 0;
}

unsigned workers_oldest_gen(struct workers *p)
{
	unsigned oldest;

	pthread_mutex_lock(&p->lock);
	oldest = p->gen;
	for (unsigned i = 0; i < p->n; i++)
		if (!p->w[i].done && p->w[i].gen < oldest)
			oldest = p->w[i].gen;
	pthread_mutex_unlock(&p->lock);
	return oldest;
}

int workers_done(struct workers *p)
{
	unsigned done = 0;

	pthread_mutex_lock(&p->lock);
	for (unsigned i = 0; i < p->n; i++)
		done += p->w[i].done != 0;
	pthread_mutex_unlock(&p->lock);
	return done == p->n;
}

unsigned workers_set_rules(struct workers *p, const struct ruleset *rs,
			   const struct portmatch *pm, const struct inventory *inv)
{
	unsigned gen;

	pthread_mutex_lock(&p->lock);
	p->rs = rs;
	p->pm = pm;
	p->inv = inv;
	gen = ++p->gen;
	pthread_mutex_unlock(&p->lock);
	return gen;
}

void workers_snapshot(struct workers *p, struct workers_snap *out)
{
	memset(out, 0, sizeof(*out));
	pthread_mutex_lock(&p->lock);
	for (unsigned i = 0; i < p->n; i++) {
		const struct workers_snap *s = &p->w[i].snap;

#define SNAP_ADD(name) out->name += s->name;
		WORKERS_SNAP_SUMS(SNAP_ADD)
#undef SNAP_ADD
	}
	pthread_mutex_unlock(&p->lock);
}

const char *workers_stop(struct workers *p)
{
	const char *err = NULL;

	p->stop = 1;
	for (unsigned i = 0; i < p->n; i++)
		capture_break(&p->w[i].cap);
	for (unsigned i = 0; i < p->n; i++) {
		struct worker *w = &p->w[i];

		if (w->started)
			pthread_join(w->th, NULL);
		w->started = 0;
		adopt_rules(w);
		engine_flush(w->eng, END_SHUTDOWN);
		tick(w);           /* publish the counters of the flushed flows */
		if (w->done == 2 && err == NULL)
			err = w->cap.err;
	}
	return err;
}

struct engine *workers_merged(struct workers *p)
{
	for (unsigned i = 1; i < p->n; i++)
		engine_merge_stats(p->w[0].eng, p->w[i].eng);
	return p->w[0].eng;
}

void workers_run_info(struct workers *p, struct run_info *ri,
		      struct inspect_stats *is)
{
	struct inspect_stats one;
	struct run_info r1;

	engine_run_info(p->w[0].eng, ri, is);
	for (unsigned i = 1; i < p->n; i++) {
		engine_run_info(p->w[i].eng, &r1, &one);
		ri->flows_active_peak += r1.flows_active_peak;
		ri->max_flows += r1.max_flows;
		if (ri->insp && r1.insp) {
#define INSP_ADD(name) is->name += one.name;
			INSPECT_STATS_SUMS(INSP_ADD)
#undef INSP_ADD
		}
	}
}

pthread_mutex_t *workers_lock(struct workers *p)
{
	return &p->lock;
}

void workers_free(struct workers *p)
{
	if (p == NULL)
		return;
	for (unsigned i = 0; i < p->n; i++) {
		if (p->w[i].started) {
			p->stop = 1;
			capture_break(&p->w[i].cap);
			pthread_join(p->w[i].th, NULL);
		}
		engine_free(p->w[i].eng);
		capture_close(&p->w[i].cap);
	}
	pthread_mutex_destroy(&p->lock);
	free(p->w);
	free(p);
}
