/* rules_lang.h: the words of the rule-file language (classifiers/FORMAT),
 * shared by the reader that parses them and the functions that print them.
 *
 * Every table is indexed by its enum of rules.h; the reader looks a word up
 * with rules_word_index().
 */
#ifndef LW_RULES_LANG_H
#define LW_RULES_LANG_H

#include "classify/rules.h"

extern const char *const rules_text_key[TEXT_N];      /* "role", "service", ... */
extern const char *const rules_lang_suffix[LANG_N];   /* "en", "ja" */
extern const char *const rules_table_names[TABLE_N];  /* "server", ... */
extern const char *const rules_app_names[APP_N];      /* "tls", ... */
extern const char *const rules_status_names[STATUS_N]; /* "required", ... */

/* Index of v in names[0..n), or -1. */
int rules_word_index(const char *const *names, int n, const char *v);

#endif
