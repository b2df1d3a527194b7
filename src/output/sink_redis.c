/* sink_redis.c: EVE records (eve.h) into Redis, in Suricata's eve-log
 * conventions: RPUSH (or LPUSH) onto a list, or PUBLISH on a channel.
 *
 * One connection, used on the writer thread (and on the caller's thread
 * by flush, when no record is in flight).  Records wait in a bounded
 * buffer and go in pipelined batches.  A lost connection is made again
 * with an exponential back-off; meanwhile records stay in the buffer, and
 * those that find it full are counted as dropped: every record is either
 * delivered (acknowledged by Redis) or counted (redis_dropped).  A record
 * whose reply was lost with the connection is sent again (at least once).
 */
#include <errno.h>
#include <hiredis/hiredis.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "output/eve.h"
#include "output/sink.h"

#define RD_BATCH 256            /* records in one pipelined round trip */
#define RD_MAX_BYTES (256u << 20) /* bytes held back, at most */
#define RD_TIMEOUT_MS 2000      /* connect and reply timeout */
#define RD_BACKOFF_MIN_MS 100   /* first retry after a loss; doubles ... */
#define RD_BACKOFF_MAX_MS 10000 /* ... up to this */
#define RD_DEFAULT_PORT 6379

struct rd_line {
	char *buf;
	size_t len;
};

struct rd_sink {
	struct eve eve;
	redisContext *c;           /* NULL while disconnected */
	char host[256];            /* or the socket path */
	int port;                  /* 0: a unix socket */
	struct rd_line *q;         /* ring of cap (--redis-buffer) */
	unsigned head, count, cap;
	size_t bytes;
	double next_try;           /* monotonic s: no connect before */
	unsigned backoff_ms;
	bool fresh;                /* connected, no reply read yet */
	bool outage_told;          /* the loss was reported on diag */
};

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* "unix:PATH", "HOST", "HOST:PORT", "[V6]:PORT".  Returns 0 or -1. */
static int rd_parse(struct rd_sink *r, const char *spec)
{
	const char *colon, *h = spec;
	size_t hl;
	char *end;
	long port = RD_DEFAULT_PORT;

	if (strncmp(spec, "unix:", 5) == 0) {
		r->port = 0;
		hl = strlen(spec + 5);
		if (hl == 0 || hl >= sizeof(r->host))
			return -1;
		memcpy(r->host, spec + 5, hl + 1);
		return 0;
	}
	if (*spec == '[') {
		const char *rb = strchr(spec, ']');

		if (rb == NULL || (rb[1] && rb[1] != ':'))
			return -1;
		h = spec + 1;
		hl = (size_t)(rb - h);
		colon = rb[1] ? rb + 1 : NULL;
	} else {
		colon = strrchr(spec, ':');
		hl = colon ? (size_t)(colon - spec) : strlen(spec);
	}
	if (colon) {
		errno = 0;
		port = strtol(colon + 1, &end, 10);
		if (errno || *end || end == colon + 1 || port < 1 || port > 65535)
			return -1;
	}
	if (hl == 0 || hl >= sizeof(r->host))
		return -1;
	memcpy(r->host, h, hl);
	r->host[hl] = '\0';
	r->port = (int)port;
	return 0;
}

/* Connects; returns 0, or -1 with the reason in err. */
static int rd_connect(struct rd_sink *r, char *err, size_t errlen)
{
	struct timeval tv = { RD_TIMEOUT_MS / 1000, (RD_TIMEOUT_MS % 1000) * 1000L };
	redisContext *c = r->port ? redisConnectWithTimeout(r->host, r->port, tv)
				  : redisConnectUnixWithTimeout(r->host, tv);

	if (c == NULL || c->err) {
		snprintf(err, errlen, "%s", c ? c->errstr : "out of memory");
		redisFree(c);
		return -1;
	}
	if (redisSetTimeout(c, tv) != REDIS_OK) {
		snprintf(err, errlen, "%s", c->errstr);
		redisFree(c);
		return -1;
	}
	r->c = c;
	return 0;
}

static void rd_pop(struct rd_sink *r)
{
	struct rd_line *l = &r->q[r->head];

	r->bytes -= l->len;
	free(l->buf);
	l->buf = NULL;
	r->head = (r->head + 1) % r->cap;
	r->count--;
}

/* The connection broke (or could not be made): drop it.  A connection
 * that had worked is tried again at once; a failed or fresh one after the
 * back-off, which doubles each time. */
static void rd_lost(struct sink *s, const char *why)
{
	struct rd_sink *r = s->priv;
	bool worked = r->c != NULL && !r->fresh;
	char reason[128];

	snprintf(reason, sizeof(reason), "%s",
		 why && *why ? why : "connection lost");  /* why may be in r->c */
	redisFree(r->c);
	r->c = NULL;
	if (worked) {
		r->backoff_ms = 0;
	} else {
		r->backoff_ms = r->backoff_ms ? r->backoff_ms * 2 : RD_BACKOFF_MIN_MS;
		if (r->backoff_ms > RD_BACKOFF_MAX_MS)
			r->backoff_ms = RD_BACKOFF_MAX_MS;
	}
	r->next_try = now_s() + r->backoff_ms / 1000.0;
	if (!r->outage_told)
		fprintf(s->cfg->diag, "lyncwatch: redis: %s; keeping up to %u "
			"records, retrying\n", reason, r->cap);
	r->outage_told = true;
}

/* Connects again once the back-off has passed (or now, when forced). */
static int rd_reconnect(struct sink *s, bool force)
{
	struct rd_sink *r = s->priv;
	char err[256];

	if (!force && now_s() < r->next_try)
		return -1;
	if (rd_connect(r, err, sizeof(err)) != 0) {
		rd_lost(s, err);
		return -1;
	}
	s->counters->redis_reconnects++;
	r->fresh = true;
	r->outage_told = false;
	fprintf(s->cfg->diag, "lyncwatch: redis: connected again\n");
	return 0;
}

/* One pipelined batch: the n records at the head of the buffer.  Returns
 * 0, or -1 when the connection broke (the records not acknowledged stay). */
static int rd_batch(struct sink *s, unsigned n)
{
	static const char *const cmd[] = {
		[REDIS_RPUSH] = "RPUSH %s %b", [REDIS_LPUSH] = "LPUSH %s %b",
		[REDIS_PUBLISH] = "PUBLISH %s %b",
	};
	struct rd_sink *r = s->priv;

	for (unsigned i = 0; i < n; i++) {
		const struct rd_line *l = &r->q[(r->head + i) % r->cap];

		if (redisAppendCommand(r->c, cmd[s->cfg->redis_mode],
				       s->cfg->redis_key, l->buf, l->len) != REDIS_OK) {
			rd_lost(s, r->c->errstr);
			return -1;
		}
	}
	for (unsigned i = 0; i < n; i++) {
		redisReply *reply = NULL;

		if (redisGetReply(r->c, (void **)&reply) != REDIS_OK) {
			rd_lost(s, r->c->errstr);
			return -1;
		}
		r->fresh = false;
		r->backoff_ms = 0;
		if (reply->type == REDIS_REPLY_ERROR) {
			fprintf(s->cfg->diag, "lyncwatch: redis: %s: %s\n",
				s->cfg->redis_key, reply->str);
			s->counters->redis_dropped++;
		} else {
			s->counters->redis_delivered++;
		}
		freeReplyObject(reply);
		rd_pop(r);
	}
	return 0;
}

/* Sends what waits, in batches, while the connection holds; force: one
 * connection attempt even within the back-off.  SIGPIPE (a write to a
 * connection Redis closed) is held back on this thread and discarded: the
 * write fails with EPIPE instead of ending the program. */
static void rd_send(struct sink *s, bool force)
{
	struct rd_sink *r = s->priv;
	const struct timespec zero = { 0, 0 };
	sigset_t pipe, old;
	int tries = 0;

	sigemptyset(&pipe);
	sigaddset(&pipe, SIGPIPE);
	pthread_sigmask(SIG_BLOCK, &pipe, &old);
	while (r->count > 0 && tries < 4) {
		if (r->c == NULL && rd_reconnect(s, force) != 0)
			break;
		force = false;
		if (rd_batch(s, r->count < RD_BATCH ? r->count : RD_BATCH) != 0)
			tries++;          /* lost: at once again if it had worked */
	}
	while (sigtimedwait(&pipe, NULL, &zero) > 0)
		;
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	s->counters->redis_pending = r->count;
}

/* Queues the record just built in r->eve (or counts it as dropped). */
static void rd_queue(struct sink *s)
{
	struct rd_sink *r = s->priv;
	const struct jsonw *w = &r->eve.jw;
	struct rd_line *l;

	if (w->oom || r->count == r->cap ||
	    r->bytes + w->len > RD_MAX_BYTES ||
	    (l = &r->q[(r->head + r->count) % r->cap],
	     (l->buf = malloc(w->len ? w->len : 1)) == NULL)) {
		s->counters->redis_dropped++;
		return;
	}
	memcpy(l->buf, w->buf, w->len);
	l->len = w->len;
	r->bytes += w->len;
	r->count++;
	s->counters->redis_pending = r->count;
}

static void rd_flow(struct sink *s, const struct flow_record *r)
{
	struct rd_sink *rd = s->priv;

	rd->eve.ahead = s->ahead;
	rd->eve.ahead_ctx = s->ahead_ctx;
	eve_flow(&rd->eve, r);
	rd_queue(s);
	/* A batch, or half the buffer (a small --redis-buffer), or live. */
	if (rd->count >= RD_BATCH || rd->count * 2 >= rd->cap ||
	    s->cfg->flush_each)
		rd_send(s, false);
}

static void rd_summary(struct sink *s, const struct summary *sm)
{
	eve_summary(&((struct rd_sink *)s->priv)->eve, sm);
	rd_queue(s);
	rd_send(s, true);
}

static void rd_interim(struct sink *s, const struct interim *in)
{
	eve_interim(&((struct rd_sink *)s->priv)->eve, in);
	rd_queue(s);
	rd_send(s, false);
}

/* final: one last attempt, then what remains is counted as dropped. */
static void rd_flush(struct sink *s, bool final)
{
	struct rd_sink *r = s->priv;

	rd_send(s, final);
	if (!final)
		return;
	if (r->count)
		fprintf(s->cfg->diag, "lyncwatch: redis: %u records not "
			"delivered\n", r->count);
	while (r->count) {
		rd_pop(r);
		s->counters->redis_dropped++;
	}
	s->counters->redis_pending = 0;
}

static int rd_open(struct sink *s)
{
	struct rd_sink *r;
	char err[256];

	if (s->cfg->redis == NULL)
		return 0;
	if ((r = calloc(1, sizeof(*r))) == NULL ||
	    (r->q = calloc(s->cfg->redis_buffer, sizeof(*r->q))) == NULL) {
		free(r);
		return -1;
	}
	r->cap = s->cfg->redis_buffer;
	s->priv = r;
	eve_init(&r->eve, s->cfg->lang, s->cfg->json_notes);
	s->counters->redis = true;
	if (rd_parse(r, s->cfg->redis) != 0) {
		fprintf(stderr, "lyncwatch: --redis %s: want HOST[:PORT] or "
			"unix:PATH\n", s->cfg->redis);
	} else if (rd_connect(r, err, sizeof(err)) != 0) {
		fprintf(stderr, "lyncwatch: --redis %s: cannot connect: %s\n",
			s->cfg->redis, err);
	} else {
		return 1;
	}
	eve_free(&r->eve);
	free(r->q);
	free(r);
	s->priv = NULL;
	return -1;
}

static void rd_close(struct sink *s)
{
	struct rd_sink *r = s->priv;

	if (r == NULL)
		return;
	rd_flush(s, true);
	redisFree(r->c);
	eve_free(&r->eve);
	free(r->q);
	free(r);
	s->priv = NULL;
}

const struct sink_ops sink_redis_ops = {
	.name = "redis",
	.open = rd_open,
	.flow = rd_flow,
	.interim = rd_interim,
	.summary = rd_summary,
	.flush = rd_flush,
	.close = rd_close,
};
