// SPDX-License-Identifier: MIT
/*
 * util/guid.c: GUIDs as text and in their stored byte order (UEFI
 * specification 2.10, Appendix A, "EFI_GUID": the first three fields are
 * little-endian, the last eight bytes as written).
 */
#include <errno.h>
#include <stdio.h>

#include "util/util.h"

int guid_parse(const char *s, struct guid *g)
{
	/*
	 * Text order of the 16 bytes -> their place in the file.  The first
	 * three fields (4, 2, 2 bytes) are stored little-endian, the last
	 * eight bytes as written.
	 */
	static const uint8_t file_pos[16] = {3, 2, 1,  0,  5,  4,  7,  6,
					     8, 9, 10, 11, 12, 13, 14, 15};
	struct guid tmp;
	unsigned byte = 0;

	if (!s || !g)
		return -EINVAL;
	for (unsigned i = 0; i < 36; i++) {
		int hi, lo;

		if (i == 8 || i == 13 || i == 18 || i == 23) {
			if (s[i] != '-')
				return -EINVAL;
			continue;
		}
		hi = hex_nibble(s[i]);
		if (hi < 0)
			return -EINVAL;
		/* Pairs never straddle a hyphen: fields have even widths. */
		lo = hex_nibble(s[i + 1]);
		if (lo < 0)
			return -EINVAL;
		tmp.b[file_pos[byte++]] = (uint8_t)(hi << 4 | lo);
		i++;
	}
	if (s[36])
		return -EINVAL;
	*g = tmp;
	return 0;
}

void guid_format(const struct guid *g, char out[37])
{
	const uint8_t *b = g->b;

	snprintf(out, 37,
		 "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-"
		 "%02x%02x%02x%02x%02x%02x",
		 b[3], b[2], b[1], b[0], b[5], b[4], b[7], b[6], b[8], b[9],
		 b[10], b[11], b[12], b[13], b[14], b[15]);
}
