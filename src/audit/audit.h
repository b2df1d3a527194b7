/* audit.h: a flow's verdict, flags and evidence, from its labels, the
 * inventory, lyncwatch's own wire checks and nDPI.  Verdicts and flags are
 * those of docs/product.md:
 *
 *   undocumented-port  violation  a flow to an inventory Lync server (or,
 *                                 with --audit-all, any flow) whose server
 *                                 port is in no rule
 *   wrong-transport    violation  the port is documented only for the
 *                                 other L4 protocol
 *   app-mismatch       violation  the bytes show an application that no
 *                                 label accepts: lyncwatch's own check
 *                                 found another protocol, or every own
 *                                 check of the documented one failed and
 *                                 nDPI confirmed a contradicting one
 *   role-mismatch      violation  the server's inventory roles have no row
 *                                 for the port, though other roles do
 *   optional-port      notice     every label is an optional or legacy row
 *   unverified         notice     documented, payload seen, and neither the
 *                                 own checks nor nDPI could decide
 *   unexpected-app     notice     only a client catch-all row (1024-65535)
 *                                 labels the flow, and the bytes show
 *                                 something those rows do not describe
 *                                 (RDP, TDS, HTTP, ...) (in audit scope:
 *                                 app-mismatch instead)
 *   poor-media         notice     an RTP stream of the flow crossed a
 *                                 --media-loss, --media-jitter or
 *                                 --media-rtt threshold (inspect/media.h);
 *                                 set on any flow, judged or not
 *
 * The application is decided from evidence, strongest first: the own wire
 * checks (inspect/wire) when they named a protocol; then nDPI, when it
 * confirmed one by DPI.  nDPI alone never makes a violation while the own
 * checks are undecided: nDPI 4.2 reads cleartext SIP over TCP as HTTP and
 * TLS captured mid-stream as other protocols.
 *
 * Judged flows: with --audit-all every flow; otherwise a flow whose server
 * or client the inventory knows, whose server was seen serving a
 * Lync-specific port (support "host"), or whose server port a non-shared
 * row documents exactly.  A flow that only the port ties to a shared row
 * (443, 80, ...), or only a catch-all client row without fitting evidence,
 * is not judged: verdict unclassified, labels kept.
 *
 * The decision (audit_decide) and its wording (audit_reason) are apart:
 * live alerts decide for every new flow and word only the violations.
 */
#ifndef LW_AUDIT_H
#define LW_AUDIT_H

#include <stdbool.h>
#include <stdint.h>

#include "classify/classify.h"
#include "classify/inventory.h"
#include "classify/rules.h"
#include "flow/flow.h"
#include "inspect/inspect.h"
#include "inspect/media.h"
#include "inspect/wire/wire.h"

/* Ordered: a higher verdict is worse (--fail-on compares them). */
enum verdict {
	VERDICT_UNCLASSIFIED,
	VERDICT_OK,
	VERDICT_NOTICE,
	VERDICT_VIOLATION,
	VERDICT_N
};

/* Flags, as bit numbers of audit_result.flags. */
enum audit_flag {
	FLAG_UNDOCUMENTED_PORT,
	FLAG_WRONG_TRANSPORT,
	FLAG_APP_MISMATCH,
	FLAG_ROLE_MISMATCH,
	FLAG_OPTIONAL_PORT,
	FLAG_UNVERIFIED,
	FLAG_UNEXPECTED_APP,
	FLAG_POOR_MEDIA,
	FLAG_N
};

/* What the bytes said of the application the labels imply. */
enum app_outcome {
	APP_NOT_CHECKED,   /* no label, or a label that accepts anything */
	APP_NO_PAYLOAD,    /* nothing to check (a handshake, a health check) */
	APP_CONFIRMED,
	APP_CONTRADICTED,
	APP_UNVERIFIED,
};

/* Which evidence decided (JSON lync.evidence.by). */
enum ev_by { EV_NONE, EV_WIRE, EV_NDPI, EV_BOTH, EV_N };

#define AUDIT_REASON_MAX 512

struct audit_result {
	enum verdict verdict;
	uint32_t flags;                 /* 1 << FLAG_* */
	uint8_t outcome;                /* enum app_outcome */
	uint8_t by;                     /* enum ev_by */
	bool judged;                    /* false: not judged (see above) */
	uint8_t support;                /* the labels' (enum support) */
	uint8_t seen;                   /* nDPI's class (enum seen_app) when it
					 * confirmed one by DPI, else SEEN_NONE */
	struct wire_result wire;        /* the own checks' answer */
	bool reason_plain;              /* no byte of reason needs a JSON
					 * escape (jw_plain); false: unknown */
	uint16_t reason_len;            /* strlen(reason) */
	char reason[AUDIT_REASON_MAX];  /* one sentence, in the output
					 * language; "" until audit_reason */
};

/* What a reason sentence depends on besides the parts that vary flow by
 * flow (the server's host phrase, its port, the own checks' detail: the
 * memo leaves them out and puts them back), when nDPI said nothing of its
 * own (audit/reason.c).  `unlabelled`: the sentence of a flow without
 * labels (or on the wrong transport), where `rule` is the other
 * transport's row (UINT32_MAX: none) and only the wrong-transport flag
 * counts. */
struct reason_key {
	const struct ruleset *rs;
	const char *ndpi;               /* the nDPI phrase: a literal */
	uint32_t rule, flags;           /* labels' first rule; ar's flags */
	uint8_t lang, l4, primary, judged, outcome, by, proto, unlabelled;
};

#define REASON_MEMO_SLOTS 256
#define REASON_MEMO_LEN 256
#define REASON_VARS 3
#define REASON_DETAIL_SLOTS 256

/* A direct-mapped memo of such sentences for one thread (an engine's
 * auditor): zeroed is empty.  text is the sentence without its parts;
 * part var[j].which (0 host, 1 port, 2 detail) goes at byte var[j].at,
 * in order. */
struct reason_slot {
	struct reason_key k;
	bool used, plain;               /* plain: text's jw_plain */
	uint8_t nvar;
	uint16_t len;
	struct {
		uint16_t at;
		uint8_t which;
	} var[REASON_VARS];
	char text[REASON_MEMO_LEN];
};

struct reason_detail {                  /* wire_detail's text of (code, arg) */
	uint32_t arg;
	uint8_t code;
	bool used;
	uint8_t len;                    /* strlen(text) */
	char text[96];
};

struct reason_memo {
	struct reason_slot slot[REASON_MEMO_SLOTS];
	struct reason_detail detail[REASON_DETAIL_SLOTS]; /* by a hash */
};

struct auditor {
	const struct ruleset *rs;
	const struct inventory *inv;    /* NULL without --inventory */
	enum lang lang;
	bool audit_all;                 /* --audit-all */
	struct reason_memo *memo;       /* the caller's, zeroed for each rule
					 * set; NULL: none */
};

/* Decides the verdict of flow f: flags, outcome, evidence; reason "".  iv
 * is what nDPI said (NULL with --no-dpi or while nDPI is still fed). */
void audit_decide(const struct auditor *a, const struct flow *f,
		  const struct label_set *ls, const struct inspect_view *iv,
		  struct audit_result *out);

/* Writes the reason sentence of a decided result (audit/reason.c). */
void audit_reason(const struct auditor *a, const struct flow *f,
		  const struct label_set *ls, const struct inspect_view *iv,
		  struct audit_result *ar);

/* audit_decide, then audit_reason. */
void audit_flow(const struct auditor *a, const struct flow *f,
		const struct label_set *ls, const struct inspect_view *iv,
		struct audit_result *out);

/* Adds poor-media to a worded result when a stream of ms is poor: the
 * flag, at least a notice, and a sentence after the reason naming the
 * first poor stream and what it crossed (audit/reason.c). */
void audit_media(const struct auditor *a, const struct media_summary *ms,
		 struct audit_result *ar);

/* Whether nDPI's answer can change the audit of a flow labelled ls: false
 * when no application check applies, or when a label accepts any
 * application.  (--dpi-scope audit inspects only the flows where it can.) */
bool audit_needs_app(const struct auditor *a, const struct label_set *ls);

/* The verdict a set of flags gives (labelled: whether rules label it and
 * the flow is judged). */
enum verdict audit_verdict(uint32_t flags, bool labelled);

const char *verdict_name(enum verdict v);

/* "undocumented-port", ...; "?" for a bit that names no flag. */
const char *audit_flag_name(int bit);

/* "none", "wire", "ndpi", "both". */
const char *audit_by_name(enum ev_by by);

/* "port", "host", "inventory". */
const char *audit_support_name(enum support s);

/* The application the evidence names: the own checks' protocol ("tls",
 * "sip", ...), else nDPI's confirmed class, else "none". */
const char *audit_evidence_app(const struct audit_result *ar);

#endif
