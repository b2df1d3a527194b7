/* pktslice.c: an LD_PRELOAD library that measures slices of the packets a
 * program reads with pcap_next_ex(): with callgrind, the instructions spent
 * on them; without, their wall time and the peak RSS at their ends.
 *
 *   LWB_SLICES=S:N[,S:N...]  slices: packets S+1 .. S+N (N = 0: from
 *                            packet S+1 to the end of the program), in
 *                            increasing order, not overlapping
 *   LWB_EVERY=K              also a checkpoint line every K packets
 *   LWB_EXIT=slices|eof      _exit(0) once the last slice has ended, or at
 *                            the end of the input: what the program would
 *                            do next (flush, final records) is skipped
 *
 * Under `valgrind --tool=callgrind --instr-atstart=no` the packets outside
 * the slices run uninstrumented (several times faster than callgrind).
 * Just before the read of packet S+1 the counters are zeroed and
 * instrumentation starts; just before the read that follows packet S+N
 * (or at the end of the input) the counters are dumped as a part named
 * "slice" and instrumentation stops.  Such a part holds the cost of
 * reading and processing exactly those N packets: nothing of start-up,
 * nothing of the end-of-input flush.  A slice with N = 0 ends at program
 * termination: it includes the flush, and callgrind writes it then.
 *
 * Lines on stderr, one per event (seconds from the first packet read,
 * rss_kb the peak resident set so far, from getrusage):
 *   pktslice: slice K from S packets N seconds T rss_kb R
 *   pktslice: at P packets seconds T rss_kb R
 *   pktslice: eof at P packets seconds T rss_kb R
 * Outside valgrind the client requests are no-ops; the wrapper costs a few
 * instructions per packet.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include <pcap/pcap.h>
#include <valgrind/callgrind.h>

#define MAX_SLICES 16

typedef int (*next_ex_fn)(pcap_t *, struct pcap_pkthdr **, const u_char **);

static next_ex_fn real_next_ex;
static struct {
	unsigned long long from, count;
	double t0;
} slices[MAX_SLICES];
static int nslices, cur;            /* cur: the slice pending or running */
static int measuring;
static enum { EXIT_NEVER, EXIT_SLICES, EXIT_EOF } exit_mode;
static unsigned long long seen, every; /* packets returned so far */
static double start;                /* time of the first read */

static void die(const char *msg)
{
	fprintf(stderr, "pktslice: %s\n", msg);
	abort();
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static long rss_kb(void)
{
	struct rusage ru;

	return getrusage(RUSAGE_SELF, &ru) == 0 ? ru.ru_maxrss : -1;
}

static void parse_slices(const char *s)
{
	char *end;

	while (s != NULL && *s != '\0') {
		if (nslices == MAX_SLICES)
			die("too many slices in LWB_SLICES");
		slices[nslices].from = strtoull(s, &end, 10);
		if (*end != ':')
			die("LWB_SLICES: want S:N[,S:N...]");
		slices[nslices].count = strtoull(end + 1, &end, 10);
		if (*end != ',' && *end != '\0')
			die("LWB_SLICES: want S:N[,S:N...]");
		if (nslices > 0 && (slices[nslices - 1].count == 0 ||
		    slices[nslices].from < slices[nslices - 1].from +
					   slices[nslices - 1].count))
			die("LWB_SLICES: slices overlap or are out of order");
		nslices++;
		s = *end == ',' ? end + 1 : end;
	}
}

static void setup(void)
{
	const char *e = getenv("LWB_EXIT"), *k = getenv("LWB_EVERY");

	real_next_ex = (next_ex_fn)dlsym(RTLD_NEXT, "pcap_next_ex");
	if (real_next_ex == NULL)
		die("pcap_next_ex not found");
	parse_slices(getenv("LWB_SLICES"));
	every = k ? strtoull(k, NULL, 10) : 0;
	if (e != NULL && strcmp(e, "slices") == 0)
		exit_mode = EXIT_SLICES;
	else if (e != NULL && strcmp(e, "eof") == 0)
		exit_mode = EXIT_EOF;
	start = now_s();
}

static void quit(void)
{
	fflush(NULL);
	_exit(0);
}

static void slice_start(void)
{
	CALLGRIND_START_INSTRUMENTATION;
	CALLGRIND_ZERO_STATS;
	measuring = 1;
	slices[cur].t0 = now_s();
}

static void slice_end(void)
{
	double t = now_s() - slices[cur].t0;

	CALLGRIND_DUMP_STATS_AT("slice");
	CALLGRIND_STOP_INSTRUMENTATION;
	measuring = 0;
	fprintf(stderr, "pktslice: slice %d from %llu packets %llu seconds "
		"%.6f rss_kb %ld\n", cur + 1, slices[cur].from,
		seen - slices[cur].from, t, rss_kb());
	if (++cur == nslices && exit_mode == EXIT_SLICES)
		quit();
}

int pcap_next_ex(pcap_t *p, struct pcap_pkthdr **h, const u_char **d)
{
	int rc;

	if (real_next_ex == NULL)
		setup();
	if (measuring && slices[cur].count != 0 &&
	    seen == slices[cur].from + slices[cur].count)
		slice_end();
	if (!measuring && cur < nslices && seen == slices[cur].from)
		slice_start();
	rc = real_next_ex(p, h, d);
	if (rc == 1) {
		seen++;
		if (every != 0 && seen % every == 0)
			fprintf(stderr, "pktslice: at %llu packets seconds %.6f "
				"rss_kb %ld\n", seen, now_s() - start, rss_kb());
		return rc;
	}
	if (rc < 0 && measuring && slices[cur].count != 0)
		slice_end();
	if (rc < 0 && exit_mode == EXIT_EOF) {
		fprintf(stderr, "pktslice: eof at %llu packets seconds %.6f "
			"rss_kb %ld\n", seen, now_s() - start, rss_kb());
		quit();
	}
	return rc;
}
