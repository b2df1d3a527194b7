/* capture.c: offline captures through libpcap. */
#include <string.h>
#include <sys/stat.h>

#include "capture.h"

int capture_open_file(struct capture *c, const char *name, const char *filter)
{
	char errbuf[PCAP_ERRBUF_SIZE] = "";
	struct bpf_program prog = { 0, NULL };
	struct stat st;

	memset(c, 0, sizeof(*c));
	c->name = name;
	c->size = -1;
	c->p = pcap_open_offline_with_tstamp_precision(name,
			PCAP_TSTAMP_PRECISION_MICRO, errbuf);
	if (c->p == NULL) {
		snprintf(c->err, sizeof(c->err), "%s: %s", name, errbuf);
		return -1;
	}
	c->dlt = pcap_datalink(c->p);
	if (strcmp(name, "-") != 0 && stat(name, &st) == 0 && S_ISREG(st.st_mode))
		c->size = (int64_t)st.st_size;
	if (filter == NULL)
		return 0;
	if (pcap_compile(c->p, &prog, filter, 1, PCAP_NETMASK_UNKNOWN) != 0 ||
	    pcap_setfilter(c->p, &prog) != 0) {
		snprintf(c->err, sizeof(c->err), "%s: filter '%s': %s", name,
			 filter, pcap_geterr(c->p));
		if (prog.bf_insns)
			pcap_freecode(&prog);
		capture_close(c);
		return -1;
	}
	pcap_freecode(&prog);
	return 0;
}

int capture_next(struct capture *c, struct raw_packet *out)
{
	struct pcap_pkthdr *h;
	const u_char *data;
	int rc = pcap_next_ex(c->p, &h, &data);

	if (rc == PCAP_ERROR_BREAK)
		return 0;
	if (rc < 0) {
		snprintf(c->err, sizeof(c->err), "%s: packet %llu: %s", c->name,
			 (unsigned long long)c->pktno + 1, pcap_geterr(c->p));
		return -1;
	}
	c->pktno++;
	out->ts_us = (uint64_t)h->ts.tv_sec * 1000000u + (uint64_t)h->ts.tv_usec;
	out->caplen = h->caplen;
	out->len = h->len;
	out->data = data;
	return 1;
}

int64_t capture_offset(const struct capture *c)
{
	FILE *f = c->size >= 0 ? pcap_file(c->p) : NULL;
	long off = f ? ftell(f) : -1;

	return off < 0 ? -1 : (int64_t)off;
}

void capture_close(struct capture *c)
{
	if (c->p)
		pcap_close(c->p);
	c->p = NULL;
}
