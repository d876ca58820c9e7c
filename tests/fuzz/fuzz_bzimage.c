// SPDX-License-Identifier: MIT
/*
 * libFuzzer harness for the bzImage header parser and the direct-boot
 * planner: whatever the header says, parsing and planning must fail
 * cleanly or produce regions that lie inside the buffers they point into.
 *
 * Each input is tried twice:
 *  1. as the whole kernel file, byte for byte;
 *  2. as a patch over a valid header.  A random file almost never has
 *     0xAA55 at 0x1fe and "HdrS" at 0x202, so without a corpus pass 1
 *     alone stays in the first few checks; pass 2 starts every input
 *     past them.  There the first two bytes give the image length (so
 *     truncated headers are covered too) and the rest overwrite the
 *     setup header from 0x1f1 on.
 * Both images are heap blocks of exactly their length, so ASan reports any
 * read past the end.
 *
 * Speed: struct boot_plan is 160 KiB (the ACPI buffer), so a malloc per
 * input was an mmap, page faults and a munmap per input (3 k exec/s).  One
 * plan, a heap block of exactly its size, serves every input:
 * boot_plan_build() clears it first, and touch_plan() still reads every
 * byte of every region, so what ASan checks is unchanged.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "loader/loader.h"
#include "util/util.h"

#define TEMPLATE_LEN 0x3000 /* 5 setup sectors + 9.5 KiB of "kernel" */
#define HDR_OFF	     0x1f1
#define HDR_END	     0x290

/* A header like a current x86-64 kernel's. */
static void make_template(uint8_t *t)
{
	memset(t, 0, TEMPLATE_LEN);
	t[0x1f1] = 4;
	put_le16(t, 0x1fe, 0xaa55);
	t[0x200] = 0xeb;
	t[0x201] = 0x6a;
	memcpy(t + 0x202, "HdrS", 4);
	put_le16(t, 0x206, 0x020f);
	t[0x211] = 0x01;
	put_le32(t, 0x22c, 0x7fffffff);
	put_le32(t, 0x230, 0x200000);
	t[0x234] = 1;
	put_le16(t, 0x236, 0x7f);
	put_le32(t, 0x238, 0x7ff);
	put_le32(t, 0x258, 0x1000000);
	put_le32(t, 0x260, 0x2000000);
}

/* Read every byte of every region, so ASan sees any region that points
 * past its buffer, and check the plan's own invariants.  The bytes are
 * read by memcpy() into a scratch buffer: ASan's memcpy checks the whole
 * source range and then reads every byte, as a byte loop did, without the
 * coverage callback the loop's comparison made per byte (which was half
 * the harness's time). */
static void touch_plan(const struct boot_plan *p, const struct mem_layout *l)
{
	static uint8_t scratch[64 * 1024];

	if (p->nregions > BOOT_MAX_REGIONS)
		abort();
	for (unsigned i = 0; i < p->nregions; i++) {
		const struct boot_region *r = &p->regions[i];
		uint64_t end = r->gpa + r->len;

		for (size_t j = 0; j < r->len; j += sizeof(scratch)) {
			size_t n = r->len - j;

			memcpy(scratch, r->data + j,
			       n < sizeof(scratch) ? n : sizeof(scratch));
		}
		if (end < r->gpa || end > l->low_size)
			abort();
		/* Nothing the plan writes may overlap anything else. */
		for (unsigned k = i + 1; k < p->nregions; k++) {
			const struct boot_region *o = &p->regions[k];

			if (r->gpa < o->gpa + o->len && o->gpa < end)
				abort();
		}
	}
	if (p->initrd_addr % 4096)
		abort();
}

static struct boot_plan *plan;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	plan = malloc(sizeof(*plan));
	if (!plan)
		abort();
	return 0;
}

static void run_one(const uint8_t *img, size_t len)
{
	struct bzimage_info bi;
	struct fwcfg_kernel k;
	struct mem_layout l;
	char err[256];

	if (fwcfg_kernel_split(img, len, &k, err, sizeof(err)) == 0 &&
	    (k.setup != img || k.setup_len + k.kernel_len != len))
		abort();
	if (bzimage_parse(img, len, &bi, err, sizeof(err)))
		return;
	if (bi.setup_len + bi.kernel_len != len)
		abort();
	if (mem_layout_init(256 * SZ_1M, &l, err, sizeof(err)))
		abort();

	/* The image doubles as the initrd, so its length also drives the
	 * initrd placement. */
	struct boot_config c = {
		.layout = &l,
		.ncpus = 2,
		.pm_base = 0x600,
		.kernel = img,
		.kernel_len = len,
		.initrd = img,
		.initrd_len = len,
		.cmdline = "console=ttyS0 earlyprintk=serial panic=-1",
	};
	if (boot_plan_build(&c, plan, err, sizeof(err)) == 0)
		touch_plan(plan, &l);
	boot_plan_free(plan);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t *copy, *img;
	size_t len, n;

	/* Pass 1: the input is the file.  Copied so that a zero-length
	 * input is a valid non-NULL pointer, as from file_read(). */
	copy = malloc(size ? size : 1);
	if (!copy)
		return 0;
	memcpy(copy, data, size);
	run_one(copy, size);
	free(copy);

	/* Pass 2: the input patches a valid header. */
	if (size < 2)
		return 0;
	len = (size_t)(data[0] | data[1] << 8) % (TEMPLATE_LEN + 1);
	img = malloc(TEMPLATE_LEN);
	if (!img)
		return 0;
	make_template(img);
	n = size - 2;
	if (n > HDR_END - HDR_OFF)
		n = HDR_END - HDR_OFF;
	memcpy(img + HDR_OFF, data + 2, n);
	copy = malloc(len ? len : 1);
	if (copy) {
		memcpy(copy, img, len);
		run_one(copy, len);
		free(copy);
	}
	free(img);
	return 0;
}
