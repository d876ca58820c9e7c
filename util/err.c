// SPDX-License-Identifier: MIT
/* util/err.c: the one error-sentence helper. */
#include <stdarg.h>
#include <stdio.h>

#include "util/util.h"

void vset_err(char *err, size_t errlen, const char *fmt, va_list ap)
{
	if (!err || !errlen)
		return;
	vsnprintf(err, errlen, fmt, ap);
}

void set_err(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vset_err(err, errlen, fmt, ap);
	va_end(ap);
}
