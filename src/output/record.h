/* record.h: the flow record, as sinks receive it.
 *
 * A record is a self-contained value: everything a sink writes about one
 * flow (endpoints, counters, times, labels, verdict, flags, reason, what
 * nDPI saw) is copied in when the flow ends, so that memcpy() moves it and
 * the engine may free or reuse the flow, its nDPI state and its metadata
 * the moment record_fill() returns.  It holds no pointer into engine state.
 *
 * The one pointer it keeps is `rs`, the ruleset that `labels` index: rule
 * sets are immutable once loaded and outlive every record written with
 * them (main keeps the ones a SIGHUP replaced; see engine_set_rules).
 */
#ifndef LW_RECORD_H
#define LW_RECORD_H

#include <stdbool.h>
#include <stdint.h>

#include "audit/audit.h"
#include "classify/classify.h"
#include "classify/inventory.h"
#include "classify/rules.h"
#include "flow/flow.h"
#include "inspect/inspect.h"
#include "inspect/media.h"

/* The names nDPI gave a flow (inspect_view's strings), by index. */
enum rec_name {
	REC_APP_PROTO, REC_APP_MASTER, REC_GUESS, REC_CONFIDENCE,
	REC_HOST, REC_TLS_VERSION, REC_JA3, REC_JA3S, REC_NNAMES
};

/* Room for the names: inspect_view's buffer plus nDPI's static strings
 * (confidence, "failed") that do not live in it. */
#define RECORD_NAMES_LEN (INSPECT_VIEW_BUFLEN + 64)

#define RECORD_SERVER_NAME_LEN 64

struct flow_record {
	uint64_t id;                   /* flow id */
	struct flow_key key;           /* canonical key (for the Community ID) */
	uint8_t client_addr[16], server_addr[16]; /* network order */
	uint16_t client_port, server_port;        /* host order */
	uint16_t vlan[2];              /* outer, inner */
	uint8_t nvlan, ipver, l4;
	uint8_t state;                 /* enum flow_state */
	uint8_t side_by;               /* enum side_by */
	uint8_t why;                   /* enum flow_end: why it is written */
	uint64_t first_us, last_us;    /* packet times, µs since the epoch */
	uint64_t pkts_toserver, pkts_toclient;
	uint64_t bytes_toserver, bytes_toclient; /* wire bytes */
	const struct ruleset *rs;      /* what labels index (see above) */
	int nlabels;                   /* labels (the last field) in use */
	struct audit_result audit;     /* verdict, flags, reason sentence */
	bool dpi;                      /* nDPI ran: the fields below are set */
	uint64_t risks;                /* nDPI risk bits (bit n = risk n) */
	uint8_t tls_client_cert;       /* enum wire_client_cert: what the
					* client showed of its certificate */
	char server_name[RECORD_SERVER_NAME_LEN]; /* the inventory's name of
					* the server's host entry, or "" */
	bool tls;                      /* nDPI read a server hello: tls_facts */
	struct inspect_tls tls_facts;
	uint16_t name_at[REC_NNAMES];  /* offset + 1 into names; 0: none */
	uint16_t names_used;           /* bytes of names in use */
	char names[RECORD_NAMES_LEN];
	uint8_t toserver_dir;          /* the DIR_* that media.s[].dir calls
					* toserver */
	struct media_summary media;    /* RTP streams (n = 0: none) */
	uint32_t labels[CLASSIFY_MAX_LABELS]; /* rule indexes, label order */
};

/* Fills *r from a flow as it is written.  labels/n, ar and iv (NULL with
 * --no-dpi) are copied, strings included; a name that does not fit in
 * RECORD_NAMES_LEN reads as none.  Nothing of f, iv or ar is referenced
 * afterwards. */
void record_fill(struct flow_record *r, const struct flow *f,
		 enum flow_end why, const struct ruleset *rs,
		 const uint32_t *labels, int n, const struct audit_result *ar,
		 const struct inspect_view *iv);

/* Copies what a sink may read of src into dst: the fields, the strings up
 * to their NULs, tls_facts only when tls, names only as far as used, the
 * media streams only up to n, the labels up to nlabels.  (The fields declared before `audit` are
 * copied at once: a new field goes there, or is named in record_copy.) */
void record_copy(struct flow_record *dst, const struct flow_record *src);

/* Notes the inventory's name of the server, when h (NULL: none) is a host
 * entry (a full-length prefix) with a name that fits. */
void record_server_name(struct flow_record *r, const struct inv_host *h);

/* Copies f's media streams (ms, from media_summarize) into *r. */
void record_media(struct flow_record *r, const struct flow *f,
		  const struct media_summary *ms);

/* Name `n` of the record, or NULL when nDPI gave none (or did not run). */
static inline const char *record_name(const struct flow_record *r,
				      enum rec_name n)
{
	return r->name_at[n] ? r->names + r->name_at[n] - 1 : NULL;
}

#endif
