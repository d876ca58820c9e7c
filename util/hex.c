// SPDX-License-Identifier: MIT
/* util/hex.c: hex digits in both directions. */
#include <errno.h>

#include "util/util.h"

int hex_nibble(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

void hex_encode(const uint8_t *in, size_t n, char *out)
{
	static const char digits[] = "0123456789abcdef";

	for (size_t k = 0; k < n; k++) {
		out[2 * k] = digits[in[k] >> 4];
		out[2 * k + 1] = digits[in[k] & 15];
	}
	out[2 * n] = '\0';
}

int hex_decode(const char *in, size_t n, uint8_t *out, size_t outlen)
{
	if (n != 2 * outlen)
		return -EINVAL;
	for (size_t k = 0; k < outlen; k++) {
		int hi = hex_nibble(in[2 * k]), lo = hex_nibble(in[2 * k + 1]);

		if (hi < 0 || lo < 0)
			return -EINVAL;
		out[k] = (uint8_t)(hi << 4 | lo);
	}
	return 0;
}
