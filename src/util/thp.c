/* thp.c: the malloc heap in transparent huge pages (see thp.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#if defined(__GLIBC__) && defined(__linux__)
#include <sys/auxv.h>
#endif

#include "util/thp.h"

#define TUNABLE "glibc.malloc.hugetlb"
#define AGAIN "again"                /* LYNCWATCH_THP in the new image */

#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
#define LW_SANITIZED 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer) || \
	__has_feature(memory_sanitizer)
#define LW_SANITIZED 1
#endif
#endif

void thp_heap(char **argv)
{
#if defined(__GLIBC__) && defined(__linux__) && !defined(LW_SANITIZED)
	const char *was = getenv("GLIBC_TUNABLES");
	const char *opt = getenv("LYNCWATCH_THP");
	const char *pre = getenv("LD_PRELOAD");
	char set[4096];
	int n;

	/* A program with file capabilities or set-uid runs in glibc's secure
	 * mode, which drops the tunable: not again and again.  LYNCWATCH_THP
	 * set to AGAIN for the new image is the guard whatever glibc does. */
	if (argv == NULL || argv[0] == NULL ||
	    (opt && (strcmp(opt, "0") == 0 || strcmp(opt, AGAIN) == 0)) ||
	    (pre && *pre) || (was && strstr(was, TUNABLE "=")) ||
	    getauxval(AT_SECURE))
		return;
	n = was && *was ? snprintf(set, sizeof(set), "%s:" TUNABLE "=1", was)
			: snprintf(set, sizeof(set), TUNABLE "=1");
	if (n < 0 || (size_t)n >= sizeof(set) ||
	    setenv("GLIBC_TUNABLES", set, 1) != 0)
		return;
	if (setenv("LYNCWATCH_THP", AGAIN, 1) == 0)
		execv("/proc/self/exe", argv);
	/* Not run again (no /proc, say): go on as started. */
	if (was)
		setenv("GLIBC_TUNABLES", was, 1);
	else
		unsetenv("GLIBC_TUNABLES");
	if (opt)
		setenv("LYNCWATCH_THP", opt, 1);
	else
		unsetenv("LYNCWATCH_THP");
#else
	(void)argv;
#endif
}
