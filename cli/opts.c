// SPDX-License-Identifier: MIT
/* Option values shared by the sub-commands. */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>

#include "cli/cli.h"

/*
 * Numbers: "0x..." is hex, anything else decimal, except where the option
 * is documented as HEX, where the 0x is optional.  Digits only: strtoull
 * alone would take signs, spaces and empty strings.
 */
int cli_parse_num(const char *s, bool hex, uint64_t max, uint64_t *out)
{
	const char *p = s;
	uint64_t v = 0;
	unsigned base = hex ? 16 : 10;

	if (p[0] == '0' && (p[1] == 'x' || p[1] == 'X')) {
		base = 16;
		p += 2;
	}
	if (!*p)
		return -EINVAL;
	for (; *p; p++) {
		unsigned d;

		if (*p >= '0' && *p <= '9')
			d = (unsigned)(*p - '0');
		else if (base == 16 && *p >= 'a' && *p <= 'f')
			d = (unsigned)(*p - 'a' + 10);
		else if (base == 16 && *p >= 'A' && *p <= 'F')
			d = (unsigned)(*p - 'A' + 10);
		else
			return -EINVAL;
		if (v > (max - d) / base)
			return -ERANGE;
		v = v * base + d;
	}
	*out = v;
	return 0;
}
