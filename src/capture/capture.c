/* capture.c: offline and live captures through libpcap (classic pcap
 * files' records read past it: savefile.h). */
#include <errno.h>
#include <poll.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdio_ext.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <linux/if_packet.h>

#include "capture/capture.h"
#include "capture/decode.h"
#include "capture/savefile.h"

/* Compiles and sets filter (NULL: none), keeping the program in c->prog
 * for the records read past libpcap; closes c on failure. */
static int set_filter(struct capture *c, const char *filter)
{
	if (filter == NULL)
		return 0;
	if (pcap_compile(c->p, &c->prog, filter, 1, PCAP_NETMASK_UNKNOWN) != 0 ||
	    pcap_setfilter(c->p, &c->prog) != 0) {
		snprintf(c->err, sizeof(c->err), "%s: filter '%s': %s", c->name,
			 filter, pcap_geterr(c->p));
		capture_close(c);
		return -1;
	}
	return 0;
}

/* The stdio buffer of a capture file: libpcap reads a savefile with two
 * fread calls a packet, and stdio's default buffer (one file-system block)
 * makes that a read(2) every few packets; a large one makes it one every
 * few thousand. */
#define FILE_BUF_BYTES (1u << 18)

/* The stream of file name ("-": stdin) with a large buffer; NULL with
 * c->err set. */
static FILE *open_stream(struct capture *c, const char *name)
{
	FILE *fp = strcmp(name, "-") == 0 ? stdin : fopen(name, "rbe");

	if (fp == NULL) {
		snprintf(c->err, sizeof(c->err), "%s: %s", name, strerror(errno));
		return NULL;
	}
	c->iobuf = malloc(FILE_BUF_BYTES);
	if (c->iobuf && setvbuf(fp, c->iobuf, _IOFBF, FILE_BUF_BYTES) != 0) {
		free(c->iobuf);
		c->iobuf = NULL;
	}
	/* One thread reads it: no lock around each of libpcap's freads. */
	(void)__fsetlocking(fp, FSETLOCKING_BYCALLER);
	return fp;
}

/* LYNCWATCH_PCAP_READER=libpcap: libpcap reads every record (to compare,
 * and for the bench's per-packet slices, which watch pcap_next_ex). */
static bool own_reader_wanted(void)
{
	const char *v = getenv("LYNCWATCH_PCAP_READER");

	return v == NULL || strcmp(v, "libpcap") != 0;
}

int capture_open_file(struct capture *c, const char *name, const char *filter)
{
	char errbuf[PCAP_ERRBUF_SIZE] = "";
	struct stat st;
	FILE *fp;

	memset(c, 0, sizeof(*c));
	c->name = name;
	c->size = -1;
	if ((fp = open_stream(c, name)) == NULL)
		return -1;
	c->p = pcap_fopen_offline_with_tstamp_precision(fp,
			PCAP_TSTAMP_PRECISION_MICRO, errbuf);
	if (c->p == NULL) {
		/* libpcap names the file itself in some of its messages. */
		size_t n = strlen(name);

		if (strncmp(errbuf, name, n) == 0 && errbuf[n] == ':')
			snprintf(c->err, sizeof(c->err), "%s", errbuf);
		else
			snprintf(c->err, sizeof(c->err), "%s: %s", name, errbuf);
		if (fp != stdin)
			fclose(fp);
		free(c->iobuf);
		c->iobuf = NULL;
		return -1;
	}
	c->dlt = pcap_datalink(c->p);
	if (strcmp(name, "-") != 0 && fstat(fileno(fp), &st) == 0 &&
	    S_ISREG(st.st_mode))
		c->size = (int64_t)st.st_size;
	if (set_filter(c, filter))
		return -1;
	c->sf = own_reader_wanted() ? savefile_open(c->p, fp) : NULL;
	return 0;
}

/* Why pcap_activate failed, in words an operator can act on. */
static void activate_error(struct capture *c, int rc)
{
	const char *why = pcap_geterr(c->p);

	switch (rc) {
	case PCAP_ERROR_NO_SUCH_DEVICE:
		snprintf(c->err, sizeof(c->err), "%s: no such interface", c->name);
		break;
	case PCAP_ERROR_PERM_DENIED:
		snprintf(c->err, sizeof(c->err), "%s: permission denied (%s): run "
			 "as root, or give lyncwatch CAP_NET_RAW and CAP_NET_ADMIN",
			 c->name, why);
		break;
	case PCAP_ERROR_IFACE_NOT_UP:
		snprintf(c->err, sizeof(c->err), "%s: interface is down", c->name);
		break;
	default:
		snprintf(c->err, sizeof(c->err), "%s: %s", c->name,
			 *why ? why : pcap_statustostr(rc));
	}
}

/* The settings made before pcap_activate; returns 0 or -1 with c->err.
 * Not immediate mode: libpcap then takes the TPACKET_V3 ring, whose
 * blocks hold packets back to back (many more per MiB of -B than V2's
 * fixed frames) and wake the reader once per block, when the block is
 * full or timeout_ms after its first packet; immediate mode (V2) wakes it
 * for every packet, which on a busy link costs more than the packet. */
static int live_settings(struct capture *c, const struct capture_live_cfg *cfg)
{
	if (pcap_set_snaplen(c->p, cfg->snaplen) != 0 ||
	    pcap_set_promisc(c->p, cfg->promisc) != 0 ||
	    pcap_set_timeout(c->p, cfg->timeout_ms) != 0 ||
	    pcap_set_tstamp_precision(c->p, PCAP_TSTAMP_PRECISION_MICRO) != 0 ||
	    (cfg->buffer_kib > 0 &&
	     pcap_set_buffer_size(c->p, cfg->buffer_kib * 1024) != 0)) {
		snprintf(c->err, sizeof(c->err), "%s: %s", c->name, pcap_geterr(c->p));
		return -1;
	}
	return 0;
}

int capture_open_live(struct capture *c, const struct capture_live_cfg *cfg)
{
	char errbuf[PCAP_ERRBUF_SIZE] = "";
	int rc;

	memset(c, 0, sizeof(*c));
	c->name = cfg->iface;
	c->live = 1;
	c->size = -1;
	c->p = pcap_create(cfg->iface, errbuf);
	if (c->p == NULL) {
		snprintf(c->err, sizeof(c->err), "%s: %s", cfg->iface, errbuf);
		return -1;
	}
	if (live_settings(c, cfg)) {
		capture_close(c);
		return -1;
	}
	rc = pcap_activate(c->p);
	if (rc < 0) {
		activate_error(c, rc);
		capture_close(c);
		return -1;
	}
	if (rc > 0)
		fprintf(stderr, "lyncwatch: %s: warning: %s\n", c->name,
			pcap_geterr(c->p));
	c->dlt = pcap_datalink(c->p);
	/* A blocking read of the ring may wait for a packet forever on a
	 * quiet link.  Non-blocking reads and poll() return after timeout_ms,
	 * so idle flows, stats and signals are served whether packets come
	 * or not. */
	c->timeout_ms = cfg->timeout_ms;
	if (pcap_setnonblock(c->p, 1, errbuf) != 0) {
		snprintf(c->err, sizeof(c->err), "%s: %s", c->name, errbuf);
		capture_close(c);
		return -1;
	}
	if (!decode_link_supported(c->dlt)) {
		snprintf(c->err, sizeof(c->err), "%s: link type %s (%d) is not "
			 "supported", c->name, pcap_datalink_val_to_name(c->dlt) ?
			 pcap_datalink_val_to_name(c->dlt) : "?", c->dlt);
		capture_close(c);
		return -1;
	}
	return set_filter(c, cfg->filter);
}

/* Hands the file back to libpcap at the first record the own reader left
 * (savefile.h); false with c->err set when the stream cannot seek there. */
static bool hand_back(struct capture *c)
{
	int64_t off = savefile_offset(c->sf);

	savefile_free(c->sf);
	c->sf = NULL;
	if (fseeko(pcap_file(c->p), (off_t)off, SEEK_SET) != 0) {
		snprintf(c->err, sizeof(c->err), "%s: packet %llu: cannot seek "
			 "to offset %lld: %s", c->name,
			 (unsigned long long)c->pktno + 1, (long long)off,
			 strerror(errno));
		return false;
	}
	return true;
}

/* The next record that passes the filter from the own reader: 1, or 0
 * once it has stopped (the stream is then libpcap's again), or -1. */
static int next_own(struct capture *c, struct raw_packet *out)
{
	struct pcap_pkthdr h;
	const uint8_t *data;

	do {
		if (c->brk)
			return CAPTURE_END;
		if (savefile_next(c->sf, &h, &data) == 0)
			return hand_back(c) ? 0 : CAPTURE_ERROR;
	} while (c->prog.bf_insns && !pcap_offline_filter(&c->prog, &h, data));
	c->pktno++;
	out->ts_us = (uint64_t)h.ts.tv_sec * 1000000u + (uint64_t)h.ts.tv_usec;
	out->caplen = h.caplen;
	out->len = h.len;
	out->data = data;
	out->buf = savefile_buffer(c->sf);
	out->off = savefile_offset(c->sf) - (int64_t)h.caplen;
	return CAPTURE_PACKET;
}

void capture_set_release(struct capture *c, void (*release)(void *ctx, uint32_t n),
			 void *ctx)
{
	if (c->sf)
		savefile_set_release(c->sf, release, ctx);
}

int capture_next(struct capture *c, struct raw_packet *out)
{
	struct pcap_pkthdr *h;
	const u_char *data;
	int rc;

	if (c->sf && (rc = next_own(c, out)) != 0)
		return rc;
	rc = pcap_next_ex(c->p, &h, &data);

	if (rc == 0 && c->live) {
		struct pollfd pfd = { .fd = pcap_get_selectable_fd(c->p),
				      .events = POLLIN };

		if (pfd.fd >= 0 && poll(&pfd, 1, c->timeout_ms) > 0)
			rc = pcap_next_ex(c->p, &h, &data);
	}
	if (rc == PCAP_ERROR_BREAK)
		return CAPTURE_END;
	if (rc == 0)
		return CAPTURE_NONE;
	if (rc < 0) {
		if (c->live)
			snprintf(c->err, sizeof(c->err), "%s: %s", c->name,
				 pcap_geterr(c->p));
		else
			snprintf(c->err, sizeof(c->err), "%s: packet %llu: %s",
				 c->name, (unsigned long long)c->pktno + 1,
				 pcap_geterr(c->p));
		return CAPTURE_ERROR;
	}
	c->pktno++;
	out->ts_us = (uint64_t)h->ts.tv_sec * 1000000u + (uint64_t)h->ts.tv_usec;
	out->caplen = h->caplen;
	out->len = h->len;
	out->data = data;
	out->buf = 0;
	out->off = -1;
	return CAPTURE_PACKET;
}

void capture_break(struct capture *c)
{
	c->brk = 1;
	if (c->p)
		pcap_breakloop(c->p);
}

int capture_join_fanout(struct capture *c, uint16_t group)
{
	int fd = pcap_fileno(c->p);
	uint32_t arg = group | ((uint32_t)(PACKET_FANOUT_HASH |
					   PACKET_FANOUT_FLAG_DEFRAG) << 16);

	if (fd < 0 || setsockopt(fd, SOL_PACKET, PACKET_FANOUT, &arg,
				 sizeof(arg)) != 0) {
		snprintf(c->err, sizeof(c->err), "%s: cannot join fanout group "
			 "%u: %s", c->name, group, fd < 0 ? "no socket" :
			 strerror(errno));
		return -1;
	}
	return 0;
}

int capture_counters(struct capture *c, struct capture_counters *out)
{
	struct pcap_stat ps;

	memset(out, 0, sizeof(*out));
	if (!c->live || c->p == NULL || pcap_stats(c->p, &ps) != 0)
		return -1;
	out->received = ps.ps_recv;
	out->dropped = ps.ps_drop;
	out->ifdropped = ps.ps_ifdrop;
	return 0;
}

bool capture_records(const struct capture *c, struct capture_records *out)
{
	if (c->sf == NULL)
		return false;
	out->fd = savefile_fd(c->sf);
	out->dlt = c->dlt;
	out->fmt = *savefile_format(c->sf);
	out->filter = c->prog.bf_insns ? &c->prog : NULL;
	return true;
}

int64_t capture_offset(const struct capture *c)
{
	FILE *f = c->size >= 0 ? pcap_file(c->p) : NULL;
	long off;

	if (c->sf)
		return savefile_offset(c->sf);
	off = f ? ftell(f) : -1;

	return off < 0 ? -1 : (int64_t)off;
}

void capture_close(struct capture *c)
{
	savefile_free(c->sf);
	c->sf = NULL;
	if (c->prog.bf_insns)
		pcap_freecode(&c->prog);
	c->prog.bf_insns = NULL;
	if (c->p)
		pcap_close(c->p);       /* closes the stream before its buffer goes */
	c->p = NULL;
	free(c->iobuf);
	c->iobuf = NULL;
}
