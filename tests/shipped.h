/* shipped.h: the unit tests' way to the shipped rule file,
 * classifiers/lync2013.rules under `top` (NULL: $top_srcdir, which make
 * check sets, else the current directory). */
#ifndef LW_TEST_SHIPPED_H
#define LW_TEST_SHIPPED_H

#include <stdio.h>
#include <stdlib.h>

#include "classify/rules.h"

/* Loads the shipped rules into rs (initialised here); returns the number of
 * problems, 0 when all is well. */
static inline int load_shipped_rules(struct ruleset *rs, const char *top)
{
	char path[4096];

	if (top == NULL)
		top = getenv("top_srcdir");
	snprintf(path, sizeof(path), "%s/classifiers/lync2013.rules",
		 top ? top : ".");
	ruleset_init(rs);
	return rules_load_file(rs, path, stderr);
}

#endif
