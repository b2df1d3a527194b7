/* audit.h: a flow's verdict, flags and reason, from its labels and what
 * inspection saw.  Verdicts and flags are those of docs/product.md. */
#ifndef LW_AUDIT_H
#define LW_AUDIT_H

#include <stdint.h>

#include "flow.h"
#include "rules.h"

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
	uint32_t flags;                 /* AUDIT_F_* bits */
	char reason[AUDIT_REASON_MAX];  /* one sentence, in the output language */
};

struct auditor {
	const struct ruleset *rs;
	enum lang lang;
};

/* Decides the verdict of flow f labelled by rules labels[0..n). */
void audit_flow(const struct auditor *a, const struct flow *f,
		const uint32_t *labels, int n, struct audit_result *out);

const char *verdict_name(enum verdict v);

/* "undocumented-port", ...; "?" for a bit that names no flag. */
const char *audit_flag_name(int bit);

#endif
