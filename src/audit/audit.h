/* audit.h: a flow's verdict, flags and reason, from its labels, the
 * inventory and what nDPI confirmed.  Verdicts and flags are those of
 * docs/product.md:
 *
 *   undocumented-port  violation  a flow to an inventory Lync server (or,
 *                                 with --audit-all, any flow) whose server
 *                                 port is in no rule
 *   wrong-transport    violation  the port is documented only for the
 *                                 other L4 protocol (in audit scope)
 *   app-mismatch       violation  nDPI confirmed an application that no
 *                                 label's expectation class accepts
 *   role-mismatch      violation  the server's inventory roles have no row
 *                                 for the port, though other roles do
 *   optional-port      notice     every label is an optional or legacy row
 *   unverified         notice     documented, and nDPI confirmed nothing
 *
 * Audit scope: with --audit-all every flow; otherwise flows that touch an
 * inventory host, and (for the application checks) flows on a port that a
 * non-fallback row documents exactly (not by a range).  A flow out of
 * scope that no rule labels is "unclassified" and raises nothing.
 */
#ifndef LW_AUDIT_H
#define LW_AUDIT_H

#include <stdbool.h>
#include <stdint.h>

#include "classify/classify.h"
#include "flow/flow.h"
#include "inspect/inspect.h"
#include "classify/inventory.h"
#include "classify/rules.h"

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
	FLAG_N
};

#define AUDIT_REASON_MAX 512

struct audit_result {
	enum verdict verdict;
	uint32_t flags;                 /* 1 << FLAG_* */
	char reason[AUDIT_REASON_MAX];  /* one sentence, in the output language */
};

struct auditor {
	const struct ruleset *rs;
	const struct inventory *inv;    /* NULL without --inventory */
	enum lang lang;
	bool audit_all;                 /* --audit-all */
	bool dpi;                       /* false with --no-dpi */
};

/* Decides the verdict of flow f.  iv is what inspection saw (ignored when
 * a->dpi is false). */
/* Whether nDPI's answer can change the audit of a flow labelled ls: false
 * when no application check applies, or when a label accepts any
 * application.  (--dpi-scope audit inspects only the flows where it can.) */
bool audit_needs_app(const struct auditor *a, const struct label_set *ls);

void audit_flow(const struct auditor *a, const struct flow *f,
		const struct label_set *ls, const struct inspect_view *iv,
		struct audit_result *out);

/* The verdict a set of flags gives (labelled: whether rules label it). */
enum verdict audit_verdict(uint32_t flags, bool labelled);

const char *verdict_name(enum verdict v);

/* "undocumented-port", ...; "?" for a bit that names no flag. */
const char *audit_flag_name(int bit);

#endif
