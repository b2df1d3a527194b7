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

#include "fuzz.h"
#include "readall.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const filters[] = { NULL, "udp", "ip[9] = 6 and len > 100" };
	char path[64];
	struct readall a, b;
	int fd = memfd_create("fuzz.pcap", 0);

	FUZZ_CHECK(fd >= 0);
	FUZZ_CHECK(write(fd, data, size) == (ssize_t)size);
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	readall(path, filters[size % 3], true, &a);
	readall(path, filters[size % 3], false, &b);
	close(fd);
	FUZZ_CHECK(!b.own);
	FUZZ_CHECK(readall_same(&a, &b));
	free(a.pk.b);
	free(b.pk.b);
	return 0;
}
