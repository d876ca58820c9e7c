// SPDX-License-Identifier: MIT
/*
 * libFuzzer harness for ovmf_parse().  It must never crash, never read
 * outside the input (ASan), and when it accepts an image its counts must
 * be within the limits the rest of sevboot relies on.
 *
 * Most random inputs are not a multiple of 4 KiB and stop at the size
 * check, so each input is also parsed a second time padded at the front to
 * whole pages: the end of the input, where the footer lives, stays the end
 * of the image, and the fuzzer spends its time in the table and ASEV code.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "loader/loader.h"

/* Abort with a message: libFuzzer reports it as a crash with the input. */
#define CHECK(cond)                                                            \
	do {                                                                   \
		if (!(cond)) {                                                 \
			fprintf(stderr, "fuzz_ovmf: check failed: %s\n",       \
				#cond);                                        \
			abort();                                               \
		}                                                              \
	} while (0)

static void check_result(const uint8_t *img, size_t len, int ret,
			 const struct ovmf_info *info, const char *err,
			 size_t errlen)
{
	char g[37];

	/* err is always a terminated string; non-empty exactly on error. */
	CHECK(memchr(err, '\0', errlen) != NULL);
	if (ret) {
		CHECK(ret < 0);
		CHECK(err[0] != '\0');
		CHECK(!info->has_table && info->nentries == 0 &&
		      info->nsections == 0);
		return;
	}
	CHECK(err[0] == '\0');
	CHECK(info->size == len);
	CHECK(len && len % 4096 == 0 && len <= OVMF_MAX_SIZE);
	CHECK(info->base_gpa + info->size == SZ_4G);
	CHECK(info->nentries <= OVMF_MAX_ENTRIES);
	CHECK(info->nsections <= OVMF_MAX_SECTIONS);
	CHECK(info->has_table || info->nentries == 0);
	CHECK(!info->reset_block_legacy || !info->has_table);
	CHECK(info->has_sev_meta || info->nsections == 0);
	if (info->has_sev_meta) {
		CHECK(info->sev_meta_version == 1);
		CHECK(info->sev_meta_offset >= 16 &&
		      info->sev_meta_offset <= len);
		CHECK(memcmp(img + len - info->sev_meta_offset, "ASEV", 4) ==
		      0);
	}
	for (unsigned k = 0; k < info->nentries; k++) {
		const struct ovmf_entry *e = &info->entries[k];

		/* The entry's data lies inside the table, inside the image. */
		CHECK((size_t)e->data_offset + e->data_len + 18 <= len - 0x32);
		guid_format(&e->guid, g);
		CHECK(strlen(g) == 36);
		(void)ovmf_entry_name(&e->guid);
	}
	for (unsigned k = 0; k < info->nsections; k++)
		CHECK(ovmf_section_type_name(info->sections[k].type) != NULL);
}

static void parse_one(const uint8_t *img, size_t len)
{
	struct ovmf_info info;
	char err[256];
	int ret;

	memset(err, 'x', sizeof(err));
	ret = ovmf_parse(img, len, &info, err, sizeof(err));
	check_result(img, len, ret, &info, err, sizeof(err));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	size_t padded;
	uint8_t *img;

	/* Exactly the input: exercises the size checks. */
	parse_one(size ? data : NULL, size);

	/* The input as the tail of an image of whole pages. */
	if (size == 0 || size > 64 * 1024)
		return 0;
	padded = (size + 4095) & ~(size_t)4095;
	img = malloc(padded);
	if (!img)
		return 0;
	memset(img, 0, padded - size);
	memcpy(img + padded - size, data, size);
	parse_one(img, padded);
	free(img);
	return 0;
}
