/* eve.h: one record as a line of JSON in the shape of Suricata's EVE: a
 * "flow" event per flow record, a "stats" event for the summary and for
 * each interim stats record.  Every sink that ships EVE lines (the JSON
 * file, Redis) builds them here, so they cannot differ.
 */
#ifndef LW_EVE_H
#define LW_EVE_H

#include <stdbool.h>
#include <stdint.h>

#include "classify/rules.h"
#include "inspect/wire/wire.h"
#include "output/communityid.h"
#include "output/record.h"
#include "output/summary.h"
#include "util/jsonw.h"
#include "util/textfmt.h"

/* Each rule's label object, serialised once per ruleset (its fields never
 * change) and copied into every record that names the rule. */
struct label_cache {
	uint64_t serial;           /* the ruleset's (0: slot free); never a
				    * pointer: a ruleset is freed after a
				    * SIGHUP once no record names it */
	int nrules;
	char **json;               /* by rule index; NULL until first used */
	uint32_t *len;
};

/* The wire checks' detail (wire_detail's text, a function of the
 * detail code and its argument), kept by both. */
#define EVE_DETAIL_SLOTS 64
struct eve_detail {
	uint32_t arg;
	uint8_t detail;
	uint8_t len;
	bool used;
	char text[128];
};

/* A flow's Community ID, kept so that its later records (--active-timeout
 * reports) reuse it; found by flow id, valid for exactly `key`. */
#define EVE_CID_SLOTS 256
#define EVE_CID_BATCH 8            /* computed at once, at most */
struct eve_cid {
	uint64_t id;
	struct flow_key key;
	bool used;
	char cid[COMMUNITY_ID_LEN];
};

/* A run of a flow event that depends only on names of the program's
 * tables (a key, its quoted name, the punctuation around): filled on
 * first use: len 0 until then, EVE_NAME_LONG when it does not fit (then
 * written from its parts each time).  Copied whole: a record's room has
 * the spare bytes. */
#define EVE_NAME_LONG 0xff
struct eve_name {                  /* 48 bytes */
	char s[47];
	uint8_t len;
};

/* The runs a flow event writes, by the enum values they name. */
struct eve_names {
	struct eve_name end[4][8];          /* state, reason (why) */
	struct eve_name verdict[8], support[4], by[8], side_by[8], flag[16];
	struct eve_name app[WIRE_N][16];    /* by wire proto, nDPI's class */
};

/* An IPv6 address's text, kept for the next records that name it
 * (servers and clients recur): by a hash of its bytes, valid for the
 * address whose bytes read x, y. */
#define EVE_ADDR_BITS 8
#define EVE_ADDR_SLOTS (1u << EVE_ADDR_BITS)
struct eve_addr {
	uint64_t x, y;
	bool used;
	uint8_t len;
	char text[48];                 /* copied whole */
};

struct eve {
	struct jsonw jw;           /* the last record built (no newline) */
	struct textfmt_tcache tc;  /* the times' text up to the second */
	struct eve_detail details[EVE_DETAIL_SLOTS]; /* by a hash */
	struct eve_cid cids[EVE_CID_SLOTS]; /* by flow id % EVE_CID_SLOTS */
	struct eve_names names;
	struct eve_addr addrs[EVE_ADDR_SLOTS];
	struct label_cache labels[2]; /* the rules in use and the ones before */
	int next_cache;            /* the slot a new ruleset replaces */
	uint8_t ts_len;            /* eve_flow: the record's timestamp's text,
				    * quotes included, at its 14th byte */
	enum lang lang;
	bool notes;                /* labels carry the vendor's note */
	/* eve_flow appends each record and its newline to jw instead of
	 * emptying it first (the caller writes and empties it); a record
	 * that could not be built (out of memory) is left out and counted
	 * in `lost`. */
	bool append;
	uint32_t lost;
	/* The records queued after the one being written (struct sink's
	 * ahead, set by the sink before eve_flow; NULL: none). */
	unsigned (*ahead)(void *ctx, const struct flow_record **out,
			  unsigned max);
	void *ahead_ctx;
};

#define EVE_TR(e, en, ja) ((e)->lang == LANG_JA ? (ja) : (en))

void eve_init(struct eve *e, enum lang lang, bool notes);
void eve_free(struct eve *e);

/* Each builds one record into e->jw (emptied first): e->jw.buf holds
 * e->jw.len bytes of JSON, no newline; e->jw.oom when it could not.
 * (eve_flow with e->append: see there.) */
void eve_flow(struct eve *e, const struct flow_record *r);
void eve_summary(struct eve *e, const struct summary *sm);
void eve_interim(struct eve *e, const struct interim *in);

/* A `tls_server` record: one certificate a server presented on a port,
 * with its findings (certs.h); end_us, the capture's last packet time. */
struct cert_entry;
void eve_tls_server(struct eve *eve, const struct cert_entry *ce,
		    uint64_t end_us);

/* The parts eve.c and eve_flow.c share: the "tls" member of a flow
 * record (inside the open "lync" object, through jsonw's calls); the
 * label caches' memory. */
void eve_json_tls(struct jsonw *w, const struct flow_record *r);
void eve_label_caches_free(struct eve *e);

#endif
