/* diag.h: "file:line: message" diagnostics of the file parsers (rules,
 * inventory), one format for all of them. */
#ifndef LW_DIAG_H
#define LW_DIAG_H

#include <stdarg.h>
#include <stdio.h>

/* Writes "path:line: " fmt "\n" to errs (nothing when errs is NULL). */
void diag_vreport(FILE *errs, const char *path, int line, const char *fmt,
		  va_list ap) __attribute__((format(printf, 4, 0)));

#endif
