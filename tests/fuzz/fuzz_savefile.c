/* fuzz_savefile.c: the own reader of classic pcap files (savefile.h)
 * against libpcap's, on any file.
 *
 * The input is written to a memory file (memfd: a regular file, which the
 * own reader takes) and read twice with capture_next: as lyncwatch reads
 * it, and with LYNCWATCH_PCAP_READER=libpcap, libpcap alone.  Both must
 * open it or refuse it alike, give the same packets (time, lengths,
 * bytes), end the same way, with the same message and packet count.
 * Every other input byte also picks a BPF filter, applied both ways.
 */
#define _GNU_SOURCE
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "capture/capture.h"
#include "fuzz.h"

struct run {
	uint8_t *bytes;             /* time, lengths and data of every packet */
	size_t n, cap;
	int open_rc, end;
	uint64_t pktno;
	char err[CAPTURE_ERRLEN];
};

static void note(struct run *r, const void *p, size_t n)
{
	if (r->n + n > r->cap) {
		r->cap = (r->n + n) * 2 + 4096;
		r->bytes = realloc(r->bytes, r->cap);
		FUZZ_CHECK(r->bytes != NULL);
	}
	memcpy(r->bytes + r->n, p, n);
	r->n += n;
}

static void read_all(const char *path, const char *filter, bool own,
		     struct run *r)
{
	struct capture c;
	struct raw_packet rp;

	memset(r, 0, sizeof(*r));
	if (own)
		unsetenv("LYNCWATCH_PCAP_READER");
	else
		setenv("LYNCWATCH_PCAP_READER", "libpcap", 1);
	r->open_rc = capture_open_file(&c, path, filter);
	if (r->open_rc != 0) {
		snprintf(r->err, sizeof(r->err), "%s", c.err);
		return;
	}
	while ((r->end = capture_next(&c, &rp)) == CAPTURE_PACKET) {
		note(r, &rp.ts_us, sizeof(rp.ts_us));
		note(r, &rp.caplen, sizeof(rp.caplen));
		note(r, &rp.len, sizeof(rp.len));
		note(r, rp.data, rp.caplen);
	}
	r->pktno = c.pktno;
	if (r->end == CAPTURE_ERROR)
		snprintf(r->err, sizeof(r->err), "%s", c.err);
	capture_close(&c);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const filters[] = { NULL, "udp", "ip[9] = 6 and len > 100" };
	char path[64];
	struct run a, b;
	int fd = memfd_create("fuzz.pcap", 0);

	FUZZ_CHECK(fd >= 0);
	FUZZ_CHECK(write(fd, data, size) == (ssize_t)size);
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	read_all(path, filters[size % 3], true, &a);
	read_all(path, filters[size % 3], false, &b);
	unsetenv("LYNCWATCH_PCAP_READER");
	close(fd);
	FUZZ_CHECK(a.open_rc == b.open_rc);
	FUZZ_CHECK(a.end == b.end);
	FUZZ_CHECK(a.pktno == b.pktno);
	FUZZ_CHECK(strcmp(a.err, b.err) == 0);
	FUZZ_CHECK(a.n == b.n);
	FUZZ_CHECK(a.n == 0 || memcmp(a.bytes, b.bytes, a.n) == 0);
	free(a.bytes);
	free(b.bytes);
	return 0;
}
