/* fuzz.h: what the fuzz harnesses share.
 *
 * Each harness defines LLVMFuzzerTestOneInput().  Built with clang and
 * -fsanitize=fuzzer it is a libFuzzer target (tests/fuzz/run.sh); linked
 * with replay.c it is a plain program that feeds it the files named on its
 * command line (make check: tests/e2e_fuzz_replay.sh).
 *
 * The rule file and the inventory come from the source tree: $top_srcdir
 * (set by the test driver and by run.sh), else LW_SRCDIR (the build's
 * -DLW_SRCDIR).  A harness that cannot load them aborts: a fuzzer must not
 * silently run against nothing.
 */
#ifndef LW_FUZZ_H
#define LW_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "classify/rules.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Aborts with a message: a broken invariant is a crash the fuzzer keeps. */
#define FUZZ_CHECK(cond)                                                  \
	do {                                                              \
		if (!(cond)) {                                            \
			fprintf(stderr, "%s:%d: invariant broken: %s\n",  \
				__FILE__, __LINE__, #cond);               \
			abort();                                          \
		}                                                         \
	} while (0)

/* The source tree's root. */
static inline const char *fuzz_top(void)
{
	const char *top = getenv("top_srcdir");

#ifdef LW_SRCDIR
	if (top == NULL || *top == '\0')
		top = LW_SRCDIR;
#endif
	if (top == NULL || *top == '\0')
		top = ".";
	return top;
}

/* A stream that discards what is written: output code still formats. */
static inline FILE *fuzz_devnull(void)
{
	static FILE *f;

	if (f == NULL && (f = fopen("/dev/null", "w")) == NULL) {
		perror("fuzz: /dev/null");
		abort();
	}
	return f;
}

/* Loads classifiers/lync2013.rules into rs, or aborts. */
static inline void fuzz_load_rules(struct ruleset *rs)
{
	char path[4096];

	snprintf(path, sizeof(path), "%s/classifiers/lync2013.rules", fuzz_top());
	ruleset_init(rs);
	if (rules_load_file(rs, path, stderr) != 0 || rules_finish(rs, stderr) != 0) {
		fprintf(stderr, "fuzz: cannot load %s (set top_srcdir)\n", path);
		abort();
	}
}

#endif
