/* diag.c: file:line diagnostics. */
#include "util/diag.h"

void diag_vreport(FILE *errs, const char *path, int line, const char *fmt,
		  va_list ap)
{
	if (errs == NULL)
		return;
	fprintf(errs, "%s:%d: ", path, line);
	vfprintf(errs, fmt, ap);
	fputc('\n', errs);
}
