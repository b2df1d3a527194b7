/* inspect.c: nDPI glue, the only file that includes nDPI (4.2).
 *
 * Per flow: one zeroed block holding a counter and nDPI's flow struct,
 * alive only while the flow is under inspection (freed blocks are kept
 * for the next flows, up to STATE_SPARE).  Per thread: one nDPI
 * detection module.  The only nDPI facts that leave this file are numbers
 * stored in struct flow (protocol ids, confidence, risk bits) and the
 * strings inspect_view() derives from them.
 */
#include <ctype.h>
#include <malloc.h>
#include <pthread.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <ndpi/ndpi_api.h>

#include "inspect/inspect.h"

/* What nDPI named in a flow's payload, kept from the end of its
 * inspection until its record is written: one block per flow that has any. */
struct inspect_meta {
	struct inspect_tls *tls;       /* server hello/certificate, or NULL */
	uint16_t tls_version;          /* 0: none */
	char ja3[33], ja3s[33];        /* "" when none */
	char host[];                   /* "" when none */
};

/* The state of one flow under inspection.  nf must stay last: the block is
 * sized for the library's flow struct, which may be larger than the one
 * these headers describe. */
struct inspect_state {
	uint16_t fed;                  /* packets given to nDPI (<= budget) */
	uint16_t after;                /* of them, after nDPI confirmed the app */
	bool extra;                    /* in the metadata phase (counted) */
	struct ndpi_flow_struct nf;    /* zeroed at allocation, as nDPI wants */
};

/* nDPI's lower-case names of one (app, master) pair: the view's app_proto
 * ("master.app") and app_master; names longer than the slots are not
 * memoized. */
#define NAME_MEMO 32               /* slots, direct-mapped; a power of 2 */
#define NAME_FULL_LEN 64
#define NAME_MASTER_LEN 32

struct name_slot {
	uint32_t key;                  /* app << 16 | master, plus 1; 0: empty */
	char full[NAME_FULL_LEN];
	char master[NAME_MASTER_LEN];  /* "" when the pair has no master */
};

struct inspector {
	struct ndpi_detection_module_struct *mod;
	size_t state_size;             /* bytes of one struct inspect_state */
	unsigned budget;               /* packets fed per flow, at most */
	unsigned extra;                /* fed after the app is confirmed, at most */
	uint64_t max_extra;            /* states in the metadata phase at most */
	uint64_t max_states;           /* live states at most; 0: no cap */
	uint64_t mem;                  /* bytes held now (see tl_in) */
	uint64_t span_peak;            /* most live states since inspect_span */
	struct inspect_stats st;
	struct name_slot names[NAME_MEMO];
	void *spare;                   /* freed states kept for reuse: a list
					* linked through their first bytes */
	unsigned nspare;               /* its length, <= STATE_SPARE */
};

/* Freed states kept for the next flows, at most: more than the deploy
 * capture's peak of live states (312); about 180 KB.  They are neither
 * states nor nDPI's: uncounted in the memory figures. */
#define STATE_SPARE 256

/* ------------------------------------------------------------ classes */

/*
 * nDPI protocol id -> class.  Looked up for the app id, then for the
 * master id; an id in neither reads SEEN_OTHER.  Apps nDPI names inside a
 * carrier (Microsoft365 by SNI inside TLS, an HTTP Host) are deliberately
 * absent, so that their master (TLS, HTTP) decides.  Not here for that
 * reason: Skype_Teams, Teams, Microsoft, Microsoft365, Azure.
 */
static const struct seen_entry {
	uint16_t id;
	uint8_t seen;                  /* enum seen_app */
} seen_table[] = {
	{ NDPI_PROTOCOL_TLS, SEEN_TLS },
	{ NDPI_PROTOCOL_HTTP, SEEN_HTTP },
	{ NDPI_PROTOCOL_HTTP_CONNECT, SEEN_HTTP },
	{ NDPI_PROTOCOL_HTTP_PROXY, SEEN_HTTP },
	{ NDPI_PROTOCOL_SIP, SEEN_SIP },
	{ NDPI_PROTOCOL_STUN, SEEN_STUN },
	{ NDPI_PROTOCOL_RTP, SEEN_MEDIA },
	{ NDPI_PROTOCOL_RTCP, SEEN_MEDIA },
	{ NDPI_PROTOCOL_DTLS, SEEN_MEDIA },
	{ NDPI_PROTOCOL_SKYPE_CALL, SEEN_MEDIA },   /* "SkypeCall", master STUN */
	{ NDPI_PROTOCOL_DCERPC, SEEN_DCERPC },
	{ NDPI_PROTOCOL_SMBV1, SEEN_SMB },
	{ NDPI_PROTOCOL_SMBV23, SEEN_SMB },
	{ NDPI_PROTOCOL_DHCP, SEEN_DHCP },
	{ NDPI_PROTOCOL_DHCPV6, SEEN_DHCP },
	{ NDPI_PROTOCOL_MSSQL_TDS, SEEN_SQL },
	/* readable on the wire: a "cleartext where TLS is required" finding */
	{ NDPI_PROTOCOL_DNS, SEEN_OTHER_CLEAR },
	{ NDPI_PROTOCOL_MDNS, SEEN_OTHER_CLEAR },
	{ NDPI_PROTOCOL_FTP_CONTROL, SEEN_OTHER_CLEAR },
	{ NDPI_PROTOCOL_FTP_DATA, SEEN_OTHER_CLEAR },
	{ NDPI_PROTOCOL_TFTP, SEEN_OTHER_CLEAR },
	{ NDPI_PROTOCOL_TELNET, SEEN_OTHER_CLEAR },
	{ NDPI_PROTOCOL_MAIL_SMTP, SEEN_OTHER_CLEAR },
	{ NDPI_PROTOCOL_MAIL_POP, SEEN_OTHER_CLEAR },
	{ NDPI_PROTOCOL_MAIL_IMAP, SEEN_OTHER_CLEAR },
	{ NDPI_PROTOCOL_LDAP, SEEN_OTHER_CLEAR },
	{ NDPI_PROTOCOL_SNMP, SEEN_OTHER_CLEAR },
	{ NDPI_PROTOCOL_SYSLOG, SEEN_OTHER_CLEAR },
	{ NDPI_PROTOCOL_NETBIOS, SEEN_OTHER_CLEAR },
	{ NDPI_PROTOCOL_NTP, SEEN_OTHER_CLEAR },
	{ NDPI_PROTOCOL_MGCP, SEEN_OTHER_CLEAR },
	{ NDPI_PROTOCOL_H323, SEEN_OTHER_CLEAR },
};

/* Class of one id; SEEN_NONE when the table does not list it. */
static enum seen_app seen_of_id(uint16_t id)
{
	for (size_t i = 0; i < sizeof(seen_table) / sizeof(seen_table[0]); i++)
		if (seen_table[i].id == id)
			return (enum seen_app)seen_table[i].seen;
	return SEEN_NONE;
}

/* Class of a DPI-confirmed (app, master) pair: app first, then master. */
static enum seen_app seen_of(uint16_t app, uint16_t master)
{
	enum seen_app s = seen_of_id(app);

	if (s == SEEN_NONE && master != NDPI_PROTOCOL_UNKNOWN)
		s = seen_of_id(master);
	return s == SEEN_NONE ? SEEN_OTHER : s;
}

const char *inspect_seen_name(enum seen_app s)
{
	static const char *const names[] = {
		[SEEN_NONE] = "none", [SEEN_UNKNOWN] = "unknown",
		[SEEN_TLS] = "tls", [SEEN_HTTP] = "http", [SEEN_SIP] = "sip",
		[SEEN_STUN] = "stun", [SEEN_MEDIA] = "media",
		[SEEN_DCERPC] = "dcerpc", [SEEN_SMB] = "smb",
		[SEEN_DHCP] = "dhcp", [SEEN_SQL] = "sql",
		[SEEN_OTHER_CLEAR] = "other-clear", [SEEN_OTHER] = "other",
	};

	if ((unsigned)s >= sizeof(names) / sizeof(names[0]))
		return "?";
	return names[s];
}

/* ------------------------------------------------------------ memory */

/*
 * Every byte nDPI allocates (set_ndpi_malloc and set_ndpi_free, which are
 * process-wide) and every state block is counted on the inspector whose
 * call runs on this thread, tl_in: each public function that calls nDPI
 * sets it.  An inspector belongs to one thread, so its counters need no
 * lock.  Sizes are malloc_usable_size(), read again at the free: no header
 * is added, and a block nDPI frees with libc's free() is merely uncounted.
 */
static __thread struct inspector *tl_in;

static void mem_add(struct inspector *in, void *p)
{
	in->mem += malloc_usable_size(p);
	if (in->mem > in->st.mem_peak)
		in->st.mem_peak = in->mem;
}

static void mem_sub(struct inspector *in, void *p)
{
	size_t n = malloc_usable_size(p);

	in->mem -= n < in->mem ? n : in->mem;
}

static void *count_malloc(size_t n)
{
	void *p = malloc(n);

	if (p != NULL && tl_in != NULL)
		mem_add(tl_in, p);
	return p;
}

static void count_free(void *p)
{
	if (p != NULL && tl_in != NULL)
		mem_sub(tl_in, p);
	free(p);
}

static void set_allocator(void)
{
	set_ndpi_malloc(count_malloc);
	set_ndpi_free(count_free);
}

/* ------------------------------------------------------------ module */

struct inspector *inspect_new(unsigned budget_pkts)
{
	struct inspector *in;
	NDPI_PROTOCOL_BITMASK all;
	size_t nf_size = ndpi_detection_get_sizeof_ndpi_flow_struct();

	static pthread_once_t once = PTHREAD_ONCE_INIT;

	if (budget_pkts == 0 || budget_pkts > INSPECT_MAX_BUDGET)
		return NULL;
	in = calloc(1, sizeof(*in));
	if (in == NULL)
		return NULL;
	pthread_once(&once, set_allocator);
	tl_in = in;
	in->mod = ndpi_init_detection_module(ndpi_no_prefs);
	if (in->mod == NULL) {
		tl_in = NULL;
		free(in);
		return NULL;
	}
	NDPI_BITMASK_SET_ALL(all);
	ndpi_set_protocol_detection_bitmask2(in->mod, &all);
	ndpi_finalize_initialization(in->mod);
	if (nf_size < sizeof(struct ndpi_flow_struct))
		nf_size = sizeof(struct ndpi_flow_struct);
	in->state_size = offsetof(struct inspect_state, nf) + nf_size;
	in->budget = budget_pkts;
	in->extra = INSPECT_DEFAULT_EXTRA;
	in->max_extra = INSPECT_DEFAULT_MAX_EXTRA;
	in->st.state_bytes = in->state_size;
	in->st.mem_module = in->mem;
	in->max_states = INSPECT_DEFAULT_MAX_STATES;
	return in;
}

void inspect_set_extra(struct inspector *in, unsigned extra_pkts,
		       uint64_t max_flows)
{
	if (in != NULL) {
		in->extra = extra_pkts;
		in->max_extra = max_flows;
	}
}

void inspect_set_max_states(struct inspector *in, uint64_t max_states)
{
	if (in != NULL)
		in->max_states = max_states;
}

void inspect_free(struct inspector *in)
{
	if (in == NULL)
		return;
	tl_in = in;
	ndpi_exit_detection_module(in->mod);
	tl_in = NULL;
	while (in->spare != NULL) {
		void *next;

		memcpy(&next, in->spare, sizeof(next));
		free(in->spare);
		in->spare = next;
	}
	free(in);
}

void inspect_span(struct inspector *in, uint64_t *live, uint64_t *top)
{
	if (in == NULL) {
		*live = *top = 0;
		return;
	}
	*live = in->st.live_states;
	*top = in->span_peak > *live ? in->span_peak : *live;
	in->span_peak = *live;
}

void inspect_get_stats(const struct inspector *in, struct inspect_stats *out)
{
	if (in == NULL) {
		memset(out, 0, sizeof(*out));
	} else {
		*out = in->st;
		out->mem_bytes = in->mem;
	}
}

/* ------------------------------------------------------------ per flow */

static struct inspect_state *state_new(struct inspector *in)
{
	struct inspect_state *s;

	if (in->max_states && in->st.live_states >= in->max_states) {
		in->st.limited++;
		return NULL;
	}
	if (in->spare != NULL) {           /* a freed one, zeroed again */
		s = in->spare;
		memcpy(&in->spare, s, sizeof(in->spare));
		in->nspare--;
		memset(s, 0, in->state_size);
	} else if ((s = calloc(1, in->state_size)) == NULL) {
		in->st.nomem++;
		return NULL;
	}
	mem_add(in, s);
	in->st.flows_inspected++;
	if (++in->st.live_states > in->st.peak_states)
		in->st.peak_states = in->st.live_states;
	if (in->st.live_states > in->span_peak)
		in->span_peak = in->st.live_states;
	return s;
}

static void state_free(struct inspector *in, struct inspect_state *s)
{
	ndpi_free_flow_data(&s->nf);   /* what dissectors allocated inside */
	if (s->extra)
		in->st.extra_live--;
	mem_sub(in, s);
	in->st.live_states--;
	if (in->nspare < STATE_SPARE) {
		memcpy(s, &in->spare, sizeof(in->spare));
		in->spare = s;
		in->nspare++;
	} else {
		free(s);
	}
}

/* Stores nDPI's answer for the flow in f's fields.  An answer with only a
 * master is stored as the app (no master). */
static void store(struct flow *f, const struct inspect_state *s,
		  ndpi_protocol pr)
{
	if (pr.app_protocol == NDPI_PROTOCOL_UNKNOWN) {
		pr.app_protocol = pr.master_protocol;
		pr.master_protocol = NDPI_PROTOCOL_UNKNOWN;
	}
	if (pr.master_protocol == pr.app_protocol)
		pr.master_protocol = NDPI_PROTOCOL_UNKNOWN;
	f->app = pr.app_protocol;
	f->app_master = pr.master_protocol;
	f->app_confidence = pr.app_protocol == NDPI_PROTOCOL_UNKNOWN ?
		NDPI_CONFIDENCE_UNKNOWN : (uint8_t)s->nf.confidence;
	/* nDPI 4.2 risks use bits 1..41: all kept once app_risk is 64-bit */
	f->app_risk = (__typeof__(f->app_risk))s->nf.risk;
}

/* Whether nDPI's per-protocol union holds TLS facts for f (stored answer). */
static bool tls_family(const struct flow *f)
{
	static const uint16_t ids[] = { NDPI_PROTOCOL_TLS, NDPI_PROTOCOL_DTLS,
					NDPI_PROTOCOL_QUIC };

	for (size_t i = 0; i < sizeof(ids) / sizeof(ids[0]); i++)
		if (f->app == ids[i] || f->app_master == ids[i])
			return true;
	return false;
}

/* Copies the NUL-terminated s (NULL: none) into d[len], cut at the last
 * `sep` that fits when it does not (sep 0: cut anywhere). */
static void copy_cut(char *d, size_t len, const char *s, char sep)
{
	size_t n = s ? strlen(s) : 0;

	if (n >= len) {
		n = len - 1;
		while (sep && n > 0 && s[n] != sep)
			n--;
	}
	if (n)
		memcpy(d, s, n);
	d[n] = '\0';
}

/* What nDPI read of the server's hello and certificate, or NULL when it
 * read neither (or out of memory). */
static struct inspect_tls *tls_facts(const struct ndpi_flow_struct *nf)
{
	static const uint8_t zero[20];
	struct inspect_tls *t;
	bool cert = memcmp(nf->protos.tls_quic.sha1_certificate_fingerprint,
			   zero, sizeof(zero)) != 0;

	if (!cert && nf->protos.tls_quic.server_cipher == 0)
		return NULL;
	if ((t = calloc(1, sizeof(*t))) == NULL)
		return NULL;
	t->version = nf->protos.tls_quic.ssl_version;
	t->cipher = nf->protos.tls_quic.server_cipher;
	t->weak_cipher = (uint8_t)nf->protos.tls_quic.server_unsafe_cipher;
	copy_cut(t->alpn, sizeof(t->alpn), nf->protos.tls_quic.alpn, ',');
	if (!cert)
		return t;
	t->cert = true;
	memcpy(t->sha1, nf->protos.tls_quic.sha1_certificate_fingerprint, 20);
	t->not_before = nf->protos.tls_quic.notBefore;
	t->not_after = nf->protos.tls_quic.notAfter;
	copy_cut(t->subject, sizeof(t->subject), nf->protos.tls_quic.subjectDN, 0);
	copy_cut(t->issuer, sizeof(t->issuer), nf->protos.tls_quic.issuerDN, 0);
	copy_cut(t->names, sizeof(t->names), nf->protos.tls_quic.server_names,
		 ',');
	return t;
}

/* Keeps the names nDPI found in s (host; TLS version and JA3s, read from
 * nDPI's per-protocol union only for TLS-family answers) in f. */
static void keep_meta(struct flow *f, const struct inspect_state *s)
{
	const struct ndpi_flow_struct *nf = &s->nf;
	size_t hlen = strnlen(nf->host_server_name, sizeof(nf->host_server_name));
	bool tls = tls_family(f);
	struct inspect_meta *m;

	if (hlen == 0 && !tls)
		return;
	m = calloc(1, sizeof(*m) + hlen + 1);
	if (m == NULL)
		return;                  /* the names are lost, nothing else */
	memcpy(m->host, nf->host_server_name, hlen);
	if (tls) {
		m->tls_version = nf->protos.tls_quic.ssl_version;
		memcpy(m->ja3, nf->protos.tls_quic.ja3_client, sizeof(m->ja3) - 1);
		memcpy(m->ja3s, nf->protos.tls_quic.ja3_server, sizeof(m->ja3s) - 1);
		m->tls = tls_facts(nf);
	}
	inspect_release(f);
	f->meta = m;
}

void inspect_release(struct flow *f)
{
	if (f->meta != NULL)
		free(f->meta->tls);
	free(f->meta);
	f->meta = NULL;
}

/* Ends the inspection of f: with giveup, asks nDPI for its final answer
 * (guessing by port when it knows nothing); otherwise stores `pr`, the
 * answer of the last packet. */
static void finish(struct inspector *in, struct flow *f, bool giveup,
		   ndpi_protocol pr)
{
	struct inspect_state *s = f->insp;
	uint8_t guessed = 0;

	if (giveup) {
		pr = ndpi_detection_giveup(in->mod, &s->nf, 1, &guessed);
		in->st.gave_up++;
	} else {
		in->st.decided++;
	}
	store(f, s, pr);
	keep_meta(f, s);
	if (f->app != NDPI_PROTOCOL_UNKNOWN &&
	    f->app_confidence == NDPI_CONFIDENCE_DPI)
		in->st.confirmed++;
	else
		in->st.failed++;
	state_free(in, s);
	f->insp = NULL;
	f->insp_done = 1;
}

/* nDPI has decided: an app confirmed by DPI, and either nothing more to
 * dissect or the metadata phase is over.  That phase (TLS: the server's
 * hello and certificate follow the client's hello, which confirms the app)
 * lasts `extra` packets and admits `max_extra` flows at once: its states
 * are the large ones (reassembly buffers), so a storm of new handshakes
 * loses metadata, counted in extra_cut, rather than memory.  A by-IP label
 * (set from the first packet) does not stop the feeding. */
static bool decided(struct inspector *in, struct inspect_state *s,
		    ndpi_protocol pr)
{
	if (pr.app_protocol == NDPI_PROTOCOL_UNKNOWN ||
	    s->nf.confidence != NDPI_CONFIDENCE_DPI)
		return false;
	if (!ndpi_extra_dissection_possible(in->mod, &s->nf))
		return true;
	if (!s->extra) {
		if (in->extra == 0)
			return true;
		if (in->st.extra_live >= in->max_extra) {
			in->st.extra_cut++;
			return true;
		}
		s->extra = true;
		in->st.extra_live++;
		return false;
	}
	return ++s->after >= in->extra;
}

/* Whether p is worth feeding: a payload, and the whole datagram captured
 * within nDPI's 16-bit length. */
static bool feedable(struct inspector *in, const struct pkt *p)
{
	if (p->payload_len == 0 || p->l3 == NULL)
		return false;
	if (p->l3_len < p->ip_len || p->ip_len > 65535) {
		in->st.short_skipped++;
		return false;
	}
	return true;
}

void inspect_packet(struct inspector *in, struct flow *f, const struct pkt *p,
		    int dir)
{
	struct inspect_state *s;
	ndpi_protocol pr;

	(void)dir;
	if (in == NULL || f->insp_done || (f->flags & FLOW_F_NO_DPI) ||
	    !feedable(in, p))
		return;
	tl_in = in;
	if (f->insp == NULL && (f->insp = state_new(in)) == NULL)
		return;
	s = f->insp;
	pr = ndpi_detection_process_packet(in->mod, &s->nf, p->l3,
					   (unsigned short)p->ip_len,
					   p->ts_us / 1000);
	s->fed++;
	in->st.pkts_fed++;
	if (decided(in, s, pr))
		finish(in, f, false, pr);
	else if (s->fed >= in->budget)
		finish(in, f, true, pr);
}

void inspect_skip(struct inspector *in, struct flow *f)
{
	if (in == NULL || f->insp != NULL || f->insp_done ||
	    (f->flags & FLOW_F_NO_DPI))
		return;
	f->flags |= FLOW_F_NO_DPI;
	in->st.skipped++;
}

void inspect_enough(struct inspector *in, struct flow *f, bool metadata)
{
	ndpi_protocol none = NDPI_PROTOCOL_NULL;

	if (in == NULL || metadata || f->insp_done ||
	    (f->flags & FLOW_F_NO_DPI))
		return;
	in->st.wire_done++;
	if (f->insp == NULL)            /* never fed: it will not be */
		f->flags |= FLOW_F_NO_DPI;
	else
		finish(in, f, true, none);
}

void inspect_flow_end(struct inspector *in, struct flow *f)
{
	ndpi_protocol none = NDPI_PROTOCOL_NULL;

	if (in != NULL && f->insp != NULL) {
		tl_in = in;
		finish(in, f, true, none);
	}
}

/* ------------------------------------------------------------ view */

/* Appends the NUL-terminated s to buf at *used, lower-cased when `lower`;
 * returns it, or NULL when it does not fit. */
static const char *put_text(const char *s, bool lower, char *buf,
			    size_t buflen, size_t *used)
{
	size_t n = strlen(s);
	char *d;

	if (buf == NULL || *used > buflen || n + 1 > buflen - *used)
		return NULL;
	d = buf + *used;
	if (lower)
		for (size_t i = 0; i <= n; i++)
			d[i] = (char)tolower((unsigned char)s[i]);
	else
		memcpy(d, s, n + 1);
	*used += n + 1;
	return d;
}

/* Lower-cases the NUL-terminated src into d[len]; false when it does not
 * fit. */
static bool lower_into(char *d, size_t len, const char *src)
{
	size_t n = strlen(src);

	if (n >= len)
		return false;
	for (size_t i = 0; i <= n; i++)
		d[i] = (char)tolower((unsigned char)src[i]);
	return true;
}

/* The slot holding f's (app, master) names, filled on a miss; NULL when a
 * name is too long for a slot (the caller asks nDPI itself). */
static const struct name_slot *names_of(struct inspector *in,
					const struct flow *f)
{
	uint32_t key = ((uint32_t)f->app << 16 | f->app_master) + 1;
	struct name_slot *sl = &in->names[(f->app * 31u + f->app_master) &
					  (NAME_MEMO - 1)];
	ndpi_protocol pr = NDPI_PROTOCOL_NULL;
	char tmp[INSPECT_VIEW_BUFLEN];

	if (sl->key == key)
		return sl;
	sl->key = 0;
	pr.app_protocol = f->app;
	pr.master_protocol = f->app_master;
	ndpi_protocol2name(in->mod, pr, tmp, sizeof(tmp));
	if (!lower_into(sl->full, sizeof(sl->full), tmp))
		return NULL;
	sl->master[0] = '\0';
	if (f->app_master != NDPI_PROTOCOL_UNKNOWN &&
	    !lower_into(sl->master, sizeof(sl->master),
			ndpi_get_proto_name(in->mod, f->app_master)))
		return NULL;
	sl->key = key;
	return sl;
}

/* nDPI's "master.app" (or "app") name of f's stored answer. */
static const char *full_name(struct inspector *in, const struct flow *f,
			     char *buf, size_t buflen, size_t *used)
{
	const struct name_slot *sl = names_of(in, f);
	ndpi_protocol pr = NDPI_PROTOCOL_NULL;
	char tmp[INSPECT_VIEW_BUFLEN];

	if (sl != NULL)
		return put_text(sl->full, false, buf, buflen, used);
	pr.app_protocol = f->app;
	pr.master_protocol = f->app_master;
	ndpi_protocol2name(in->mod, pr, tmp, sizeof(tmp));
	return put_text(tmp, true, buf, buflen, used);
}

/* nDPI's name of f's master (f->app_master is set), lower case. */
static const char *master_name(struct inspector *in, const struct flow *f,
			       char *buf, size_t buflen, size_t *used)
{
	const struct name_slot *sl = names_of(in, f);

	if (sl != NULL)
		return put_text(sl->master, false, buf, buflen, used);
	return put_text(ndpi_get_proto_name(in->mod, f->app_master), true, buf,
			buflen, used);
}

/* Copies s into buf at *used; returns the copy, or NULL when it does not
 * fit (the view names nothing the flow owns: it outlives inspect_release). */
static const char *put_copy(const char *s, char *buf, size_t buflen,
			    size_t *used)
{
	size_t n = strlen(s);
	char *d;

	if (n == 0 || buf == NULL || *used > buflen || n + 1 > buflen - *used)
		return NULL;
	d = buf + *used;
	memcpy(d, s, n + 1);
	*used += n + 1;
	return d;
}

/* The names of m in out, copied into buf. */
static void view_meta(const struct inspect_meta *m, struct inspect_view *out,
		      char *buf, size_t buflen, size_t *used)
{
	char ver[32];
	uint8_t unknown = 0;

	if (m == NULL)
		return;
	out->host = put_copy(m->host, buf, buflen, used);
	out->ja3 = put_copy(m->ja3, buf, buflen, used);
	out->ja3s = put_copy(m->ja3s, buf, buflen, used);
	if (m->tls_version &&
	    ndpi_ssl_version2str(ver, (int)sizeof(ver), m->tls_version, &unknown))
		out->tls_version = put_copy(ver, buf, buflen, used);
	if (m->tls != NULL) {
		out->tls = true;
		out->tls_facts = *m->tls;
	}
}

const char *inspect_tls_version_name(uint16_t version, char *buf, size_t len)
{
	uint8_t unknown = 0;

	if (version == 0 || len == 0 || len > 1024)
		return NULL;
	return ndpi_ssl_version2str(buf, (int)len, version, &unknown);
}

const char *inspect_tls_cipher_name(uint16_t cipher)
{
	const char *n = cipher ? ndpi_cipher2str(cipher) : NULL;

	return n != NULL && n[0] != '\0' ? n : NULL;
}

void inspect_view(struct inspector *in, const struct flow *f,
		  struct inspect_view *out, char *buf, size_t buflen)
{
	size_t used = 0;

	memset(out, 0, sizeof(*out));
	if (in == NULL || !f->insp_done) {
		out->not_fed = in != NULL && (f->flags & FLOW_F_NO_DPI);
		return;                          /* SEEN_NONE */
	}
	out->risks = f->app_risk;
	out->confidence = ndpi_confidence_get_name(f->app_confidence);
	out->confirmed = f->app != NDPI_PROTOCOL_UNKNOWN &&
			 f->app_confidence == NDPI_CONFIDENCE_DPI;
	if (!out->confirmed) {
		out->app_proto = "failed";
		out->seen = SEEN_UNKNOWN;
		if (f->app != NDPI_PROTOCOL_UNKNOWN)
			out->guess = full_name(in, f, buf, buflen, &used);
		view_meta(f->meta, out, buf, buflen, &used);
		return;
	}
	out->seen = seen_of(f->app, f->app_master);
	out->app_proto = full_name(in, f, buf, buflen, &used);
	view_meta(f->meta, out, buf, buflen, &used);
	if (f->app_master != NDPI_PROTOCOL_UNKNOWN)
		out->app_master = master_name(in, f, buf, buflen, &used);
}

const char *inspect_risk_name(unsigned bit)
{
	if (bit == NDPI_NO_RISK || bit >= NDPI_MAX_RISK)
		return NULL;
	return ndpi_risk2str((ndpi_risk_enum)bit);
}
