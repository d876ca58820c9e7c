// SPDX-License-Identifier: MIT
/* Memory layout, e820 maps and the direct-boot plan (64-bit protocol). */
#include <errno.h>
#include <stdint.h>

#include "loader/loader.h"
#include "tests/unit/testutil.h"

#define SYN_SETUP_LEN (5 * 512)
#define SYN_LEN	      (SYN_SETUP_LEN + 0x10000)
#define SYN_PREF      0x1000000ULL
#define SYN_INIT      0x2000000ULL

/* Header of a current x86-64 kernel: relocatable, 2 MiB alignment,
 * linked for 16 MiB, 32 MiB init_size. */
static uint8_t *synth(void)
{
	uint8_t *img = calloc(1, SYN_LEN);

	ck_assert_ptr_nonnull(img);
	img[0x1f1] = 4;
	put_le16(img, 0x1fe, 0xaa55);
	img[0x200] = 0xeb;
	img[0x201] = 0x6a;
	memcpy(img + 0x202, "HdrS", 4);
	put_le16(img, 0x206, 0x020f);
	img[0x211] = 0x01 | 0x40; /* KEEP_SEGMENTS must get cleared */
	put_le32(img, 0x22c, 0x7fffffff);
	put_le32(img, 0x230, 0x200000);
	img[0x234] = 1;
	put_le16(img, 0x236, 0x7f);
	put_le32(img, 0x238, 0x7ff);
	put_le64(img, 0x250, 0xdeadbeef000ULL); /* hostile setup_data */
	put_le64(img, 0x258, SYN_PREF);
	put_le32(img, 0x260, (uint32_t)SYN_INIT);
	img[0x270] = 0xaa; /* past the header's end (0x26c): not copied */
	for (size_t i = SYN_SETUP_LEN; i < SYN_LEN; i++)
		img[i] = (uint8_t)(i * 13);
	return img;
}

static struct mem_layout layout(uint64_t ram)
{
	struct mem_layout l;
	char err[256];

	ck_assert_int_eq(mem_layout_init(ram, &l, err, sizeof(err)), 0);
	return l;
}

/* ------------------------------------------------------------- layout */

START_TEST(layout_sizes)
{
	struct mem_layout l;

	l = layout(16 * SZ_1M);
	ck_assert_uint_eq(l.low_size, 16 * SZ_1M);
	ck_assert_uint_eq(l.high_size, 0);
	l = layout(2 * SZ_1G);
	ck_assert_uint_eq(l.low_size, 2 * SZ_1G);
	ck_assert_uint_eq(l.high_size, 0);
	l = layout(3 * SZ_1G);
	ck_assert_uint_eq(l.low_size, 3 * SZ_1G);
	ck_assert_uint_eq(l.high_size, 0);
	l = layout(4 * SZ_1G);
	ck_assert_uint_eq(l.ram_size, 4 * SZ_1G);
	ck_assert_uint_eq(l.low_size, 3 * SZ_1G);
	ck_assert_uint_eq(l.high_size, 1 * SZ_1G);
	l = layout(8 * SZ_1G);
	ck_assert_uint_eq(l.low_size, 3 * SZ_1G);
	ck_assert_uint_eq(l.high_size, 5 * SZ_1G);
	l = layout(1ULL << 40);
	ck_assert_uint_eq(l.low_size, 3 * SZ_1G);
	ck_assert_uint_eq(l.high_size, (1ULL << 40) - 3 * SZ_1G);
}
END_TEST

START_TEST(layout_errors)
{
	struct mem_layout l;
	char err[256];

	err[0] = 0;
	ck_assert_int_lt(mem_layout_init(0, &l, err, sizeof(err)), 0);
	ck_assert(err[0]);
	ck_assert_int_lt(
		mem_layout_init(16 * SZ_1M - 4096, &l, err, sizeof(err)), 0);
	ck_assert_ptr_nonnull(strstr(err, "MiB"));
	ck_assert_int_lt(
		mem_layout_init((1ULL << 40) + 4096, &l, err, sizeof(err)), 0);
	ck_assert_int_eq(
		mem_layout_init(64 * SZ_1M + 512, &l, err, sizeof(err)),
		-EINVAL);
	ck_assert_ptr_nonnull(strstr(err, "multiple of 4 KiB"));
	ck_assert_int_eq(mem_layout_init(UINT64_MAX, &l, err, sizeof(err)),
			 -ERANGE);
}
END_TEST

static void check_e820(const struct e820_entry *e, uint64_t addr, uint64_t size,
		       uint32_t type)
{
	ck_assert_uint_eq(e->addr, addr);
	ck_assert_uint_eq(e->size, size);
	ck_assert_uint_eq(e->type, type);
}

START_TEST(e820_maps)
{
	struct e820_entry e[E820_MAX];
	struct mem_layout l;

	ck_assert_uint_eq(sizeof(struct e820_entry), 20);

	l = layout(256 * SZ_1M);
	ck_assert_uint_eq(e820_direct_boot(&l, e), 4);
	check_e820(&e[0], 0, 0x9fc00, E820_RAM);
	check_e820(&e[1], 0x9fc00, 0x400, E820_RESERVED);
	check_e820(&e[2], 0xe0000, 0x20000, E820_RESERVED);
	check_e820(&e[3], SZ_1M, 255 * SZ_1M, E820_RAM);
	ck_assert_uint_eq(e820_firmware(&l, e), 1);
	check_e820(&e[0], 0, 256 * SZ_1M, E820_RAM);

	l = layout(8 * SZ_1G);
	ck_assert_uint_eq(e820_direct_boot(&l, e), 5);
	check_e820(&e[3], SZ_1M, 3 * SZ_1G - SZ_1M, E820_RAM);
	check_e820(&e[4], SZ_4G, 5 * SZ_1G, E820_RAM);
	ck_assert_uint_eq(e820_firmware(&l, e), 2);
	check_e820(&e[0], 0, 3 * SZ_1G, E820_RAM);
	check_e820(&e[1], SZ_4G, 5 * SZ_1G, E820_RAM);

	/* Sorted and non-overlapping, the BIOS area covering the ACPI
	 * tables. */
	l = layout(4 * SZ_1G);
	unsigned n = e820_direct_boot(&l, e);
	for (unsigned i = 1; i < n; i++)
		ck_assert_uint_ge(e[i].addr, e[i - 1].addr + e[i - 1].size);
	ck_assert_uint_le(e[2].addr, BOOT_ACPI_ADDR);
	ck_assert_uint_ge(e[2].addr + e[2].size,
			  BOOT_ACPI_ADDR + BOOT_ACPI_SIZE);
}
END_TEST

/* ---------------------------------------------------------- boot plan */

struct fixture {
	struct mem_layout l;
	struct boot_config c;
	struct boot_plan *plan;
	uint8_t *img;
	uint8_t *initrd;
	char err[256];
};

static void fx_init(struct fixture *f, uint64_t ram, size_t initrd_len)
{
	memset(f, 0, sizeof(*f));
	f->l = layout(ram);
	f->img = synth();
	f->plan = malloc(sizeof(*f->plan));
	ck_assert_ptr_nonnull(f->plan);
	if (initrd_len) {
		f->initrd = malloc(initrd_len);
		ck_assert_ptr_nonnull(f->initrd);
		memset(f->initrd, 0x5a, initrd_len);
	}
	f->c = (struct boot_config){
		.layout = &f->l,
		.ncpus = 2,
		.pm_base = 0x600,
		.kernel = f->img,
		.kernel_len = SYN_LEN,
		.initrd = f->initrd,
		.initrd_len = initrd_len,
		.cmdline = "console=ttyS0 panic=-1",
	};
}

static int fx_build(struct fixture *f)
{
	f->err[0] = 0;
	return boot_plan_build(&f->c, f->plan, f->err, sizeof(f->err));
}

static void fx_free(struct fixture *f)
{
	boot_plan_free(f->plan);
	free(f->plan);
	free(f->img);
	free(f->initrd);
}

static const struct boot_region *region(const struct boot_plan *p,
					const char *what)
{
	for (unsigned i = 0; i < p->nregions; i++)
		if (!strcmp(p->regions[i].what, what))
			return &p->regions[i];
	ck_abort_msg("no region %s", what);
	return NULL;
}

START_TEST(plan_zero_page)
{
	struct fixture f;
	const size_t initrd_len = SZ_1M + 123;

	fx_init(&f, 256 * SZ_1M, initrd_len);
	ck_assert_int_eq(fx_build(&f), 0);
	const uint8_t *zp = f.plan->zero_page;

	/* Header copied from the image... */
	ck_assert_uint_eq(zp[0x1f1], 4);
	ck_assert_uint_eq(get_le16(zp, 0x1fe), 0xaa55);
	ck_assert_int_eq(memcmp(zp + 0x202, "HdrS", 4), 0);
	ck_assert_uint_eq(get_le16(zp, 0x206), 0x020f);
	ck_assert_uint_eq(get_le32(zp, 0x230), 0x200000);
	ck_assert_uint_eq(get_le16(zp, 0x236), 0x7f);
	ck_assert_uint_eq(get_le64(zp, 0x258), SYN_PREF);
	ck_assert_uint_eq(get_le32(zp, 0x260), SYN_INIT);
	/* ...but no further than its end, and not the sentinel. */
	ck_assert_uint_eq(zp[0x270], 0);
	ck_assert_uint_eq(zp[0x1ef], 0);

	/* Loader fields. */
	ck_assert_uint_eq(zp[0x210], 0xff);
	ck_assert_uint_eq(zp[0x211] & 0x81, 0x81);
	ck_assert_uint_eq(zp[0x211] & 0x40, 0);
	ck_assert_uint_eq(get_le16(zp, 0x224), 0xfe00);
	ck_assert_uint_eq(get_le32(zp, 0x228), BOOT_CMDLINE_ADDR);
	ck_assert_uint_eq(get_le32(zp, 0x0c8), 0);
	ck_assert_uint_eq(get_le64(zp, 0x250), 0); /* setup_data dropped */
	ck_assert_uint_eq(get_le32(zp, 0x218), f.plan->initrd_addr);
	ck_assert_uint_eq(get_le32(zp, 0x21c), initrd_len);
	ck_assert_uint_eq(get_le32(zp, 0x0c0), 0);
	ck_assert_uint_eq(get_le32(zp, 0x0c4), 0);
	ck_assert_uint_eq(get_le64(zp, 0x070), BOOT_ACPI_ADDR);

	/* e820 table. */
	ck_assert_uint_eq(zp[0x1e8], 4);
	struct {
		uint64_t a, s;
		uint32_t t;
	} want[4] = {
		{0, 0x9fc00, 1},
		{0x9fc00, 0x400, 2},
		{0xe0000, 0x20000, 2},
		{SZ_1M, 255 * SZ_1M, 1},
	};
	for (unsigned i = 0; i < 4; i++) {
		ck_assert_uint_eq(get_le64(zp, 0x2d0 + 20 * i), want[i].a);
		ck_assert_uint_eq(get_le64(zp, 0x2d0 + 20 * i + 8), want[i].s);
		ck_assert_uint_eq(get_le32(zp, 0x2d0 + 20 * i + 16), want[i].t);
	}
	ck_assert_uint_eq(get_le64(zp, 0x2d0 + 20 * 4), 0);
	fx_free(&f);
}
END_TEST

START_TEST(plan_regions)
{
	struct fixture f;
	const size_t initrd_len = 3 * SZ_1M + 5;
	const struct boot_region *r;

	fx_init(&f, 256 * SZ_1M, initrd_len);
	ck_assert_int_eq(fx_build(&f), 0);
	ck_assert_uint_eq(f.plan->nregions, 7);
	const char *order[] = {"gdt",  "page_tables", "boot_params", "cmdline",
			       "acpi", "kernel",      "initrd"};
	for (unsigned i = 0; i < 7; i++)
		ck_assert_str_eq(f.plan->regions[i].what, order[i]);

	r = region(f.plan, "gdt");
	ck_assert_uint_eq(r->gpa, BOOT_GDT_ADDR);
	ck_assert_uint_eq(r->len, 32);
	r = region(f.plan, "page_tables");
	ck_assert_uint_eq(r->gpa, BOOT_PML4_ADDR);
	ck_assert_uint_eq(r->len, 6 * 4096);
	r = region(f.plan, "boot_params");
	ck_assert_uint_eq(r->gpa, BOOT_ZERO_PAGE_ADDR);
	ck_assert_uint_eq(r->len, 4096);
	ck_assert_ptr_eq(r->data, f.plan->zero_page);
	r = region(f.plan, "cmdline");
	ck_assert_uint_eq(r->gpa, BOOT_CMDLINE_ADDR);
	ck_assert_uint_eq(r->len, strlen(f.c.cmdline) + 1);
	ck_assert_str_eq((const char *)r->data, f.c.cmdline);
	r = region(f.plan, "acpi");
	ck_assert_uint_eq(r->gpa, BOOT_ACPI_ADDR);
	ck_assert_uint_eq(r->len, f.plan->acpi_len);
	ck_assert_uint_le(r->len, BOOT_ACPI_SIZE);
	ck_assert_int_eq(memcmp(r->data, "RSD PTR ", 8), 0);

	/* Kernel: the protected-mode part, at pref_address. */
	r = region(f.plan, "kernel");
	ck_assert_uint_eq(f.plan->kernel_addr, SYN_PREF);
	ck_assert_uint_eq(r->gpa, SYN_PREF);
	ck_assert_ptr_eq(r->data, f.img + SYN_SETUP_LEN);
	ck_assert_uint_eq(r->len, SYN_LEN - SYN_SETUP_LEN);

	/* Initrd: page-aligned, as high as RAM allows, above init_size. */
	r = region(f.plan, "initrd");
	ck_assert_ptr_eq(r->data, f.initrd);
	ck_assert_uint_eq(r->len, initrd_len);
	ck_assert_uint_eq(r->gpa, f.plan->initrd_addr);
	ck_assert_uint_eq(r->gpa % 4096, 0);
	ck_assert_uint_le(r->gpa + r->len, 256 * SZ_1M);
	ck_assert_uint_gt(r->gpa + 4096 + r->len, 256 * SZ_1M);
	ck_assert_uint_ge(r->gpa, SYN_PREF + SYN_INIT);

	/* No two regions overlap. */
	for (unsigned i = 0; i < f.plan->nregions; i++)
		for (unsigned j = i + 1; j < f.plan->nregions; j++) {
			const struct boot_region *a = &f.plan->regions[i];
			const struct boot_region *b = &f.plan->regions[j];

			ck_assert(a->gpa + a->len <= b->gpa ||
				  b->gpa + b->len <= a->gpa);
		}
	fx_free(&f);
}
END_TEST

START_TEST(plan_initrd_addr_max)
{
	struct fixture f;
	const size_t initrd_len = 8 * SZ_1M + 1;

	/* 2 GiB of RAM, but the kernel takes initrds only below 896 MiB. */
	fx_init(&f, 2 * SZ_1G, initrd_len);
	put_le32(f.img, 0x22c, 0x37ffffff);
	ck_assert_int_eq(fx_build(&f), 0);
	ck_assert_uint_eq(f.plan->initrd_addr % 4096, 0);
	ck_assert_uint_le(f.plan->initrd_addr + initrd_len, 0x38000000);
	ck_assert_uint_gt(f.plan->initrd_addr + 4096 + initrd_len, 0x38000000);
	fx_free(&f);
}
END_TEST

START_TEST(plan_page_tables_gdt_cpu)
{
	struct fixture f;

	fx_init(&f, 256 * SZ_1M, 0);
	ck_assert_int_eq(fx_build(&f), 0);
	const uint8_t *pt = f.plan->page_tables;

	ck_assert_uint_eq(get_le64(pt, 0), 0xa003);
	for (unsigned i = 1; i < 512; i++)
		ck_assert_uint_eq(get_le64(pt, i * 8), 0);
	for (unsigned i = 0; i < 4; i++)
		ck_assert_uint_eq(get_le64(pt, 4096 + i * 8),
				  0xb003 + i * 0x1000ULL);
	ck_assert_uint_eq(get_le64(pt, 4096 + 4 * 8), 0);
	ck_assert_uint_eq(get_le64(pt, 2 * 4096), 0x83);
	ck_assert_uint_eq(get_le64(pt, 2 * 4096 + 8), 0x200083);
	ck_assert_uint_eq(get_le64(pt, 3 * 4096), SZ_1G | 0x83);
	ck_assert_uint_eq(get_le64(pt, 6 * 4096 - 8), (SZ_4G - 0x200000) | 0x83);

	ck_assert_uint_eq(get_le64(f.plan->gdt, 0), 0);
	ck_assert_uint_eq(get_le64(f.plan->gdt, 8), 0);
	ck_assert_uint_eq(get_le64(f.plan->gdt, 0x10), 0x00af9b000000ffffULL);
	ck_assert_uint_eq(get_le64(f.plan->gdt, 0x18), 0x00cf93000000ffffULL);

	const struct boot_cpu_state *s = &f.plan->cpu;
	ck_assert_uint_eq(s->rip, SYN_PREF + 0x200);
	ck_assert_uint_eq(s->rsi, BOOT_ZERO_PAGE_ADDR);
	ck_assert_uint_eq(s->rflags, 0x2);
	ck_assert_uint_eq(s->cr0, 0x80000011);
	ck_assert_uint_eq(s->cr3, BOOT_PML4_ADDR);
	ck_assert_uint_eq(s->cr4, 0x20);
	ck_assert_uint_eq(s->efer, 0x500);
	ck_assert_uint_eq(s->gdt_base, BOOT_GDT_ADDR);
	ck_assert_uint_eq(s->gdt_limit, 31);
	ck_assert_uint_eq(s->cs_sel, 0x10);
	ck_assert_uint_eq(s->ds_sel, 0x18);
	/* The stack lies in free low RAM, clear of every region. */
	ck_assert_uint_gt(s->rsp, BOOT_ZERO_PAGE_ADDR + 4096);
	ck_assert_uint_le(s->rsp, BOOT_PML4_ADDR);

	/* No initrd: no region, zero ramdisk fields. */
	ck_assert_uint_eq(f.plan->nregions, 6);
	ck_assert_uint_eq(get_le32(f.plan->zero_page, 0x218), 0);
	ck_assert_uint_eq(get_le32(f.plan->zero_page, 0x21c), 0);
	fx_free(&f);
}
END_TEST

START_TEST(plan_kernel_placement)
{
	struct fixture f;

	/* 32 MiB: 16 MiB + 24 MiB init_size does not fit, so the
	 * relocatable kernel goes to 1 MiB rounded up to 2 MiB. */
	fx_init(&f, 32 * SZ_1M, 0);
	put_le32(f.img, 0x260, 24 * SZ_1M);
	ck_assert_int_eq(fx_build(&f), 0);
	ck_assert_uint_eq(f.plan->kernel_addr, 2 * SZ_1M);
	ck_assert_uint_eq(f.plan->cpu.rip, 2 * SZ_1M + 0x200);
	boot_plan_free(f.plan);

	/* Not relocatable: pref_address or nothing. */
	f.img[0x234] = 0;
	ck_assert_int_eq(fx_build(&f), -ENOMEM);
	ck_assert_ptr_nonnull(strstr(f.err, "at least 40 MiB"));
	put_le32(f.img, 0x260, 8 * SZ_1M);
	ck_assert_int_eq(fx_build(&f), 0);
	ck_assert_uint_eq(f.plan->kernel_addr, SYN_PREF);
	boot_plan_free(f.plan);

	/* Not relocatable and linked below 1 MiB: refused. */
	put_le64(f.img, 0x258, 0x80000);
	ck_assert_int_eq(fx_build(&f), -EINVAL);
	ck_assert_ptr_nonnull(strstr(f.err, "not relocatable"));
	fx_free(&f);
}
END_TEST

START_TEST(plan_cmdline)
{
	struct fixture f;
	char *s = malloc(0x20000);

	fx_init(&f, 256 * SZ_1M, 0);
	ck_assert_ptr_nonnull(s);

	/* cmdline_size 0x7ff: 2047 characters fit, 2048 do not. */
	memset(s, 'a', 2047);
	s[2047] = 0;
	f.c.cmdline = s;
	ck_assert_int_eq(fx_build(&f), 0);
	ck_assert_uint_eq(region(f.plan, "cmdline")->len, 2048);
	boot_plan_free(f.plan);
	memset(s, 'a', 2048);
	s[2048] = 0;
	ck_assert_int_eq(fx_build(&f), -E2BIG);
	ck_assert_ptr_nonnull(strstr(f.err, "command line"));
	ck_assert_ptr_null(f.plan->cmdline);

	/* A kernel that claims a huge limit is held to our 64 KiB area. */
	put_le32(f.img, 0x238, 0xffffffff);
	memset(s, 'b', 0x10000);
	s[0x10000] = 0;
	ck_assert_int_eq(fx_build(&f), -E2BIG);
	s[0xffff] = 0;
	ck_assert_int_eq(fx_build(&f), 0);
	boot_plan_free(f.plan);

	/* NULL means empty. */
	f.c.cmdline = NULL;
	ck_assert_int_eq(fx_build(&f), 0);
	ck_assert_str_eq(f.plan->cmdline, "");
	ck_assert_uint_eq(region(f.plan, "cmdline")->len, 1);
	boot_plan_free(f.plan);
	boot_plan_free(f.plan); /* idempotent */
	free(s);
	fx_free(&f);
}
END_TEST

START_TEST(plan_initrd_too_big)
{
	struct fixture f;

	/* 64 MiB: kernel at 16 MiB + 32 MiB init_size ends at 48 MiB;
	 * 20 MiB of initrd needs 68 MiB. */
	fx_init(&f, 64 * SZ_1M, 20 * SZ_1M);
	ck_assert_int_eq(fx_build(&f), -ENOMEM);
	ck_assert_ptr_nonnull(strstr(f.err, "initrd"));
	ck_assert_ptr_nonnull(strstr(f.err, "at least 68 MiB"));
	ck_assert_ptr_null(f.plan->cmdline);

	/* Exactly fitting: 16 MiB of initrd in [48, 64) MiB. */
	f.c.initrd_len = 16 * SZ_1M;
	ck_assert_int_eq(fx_build(&f), 0);
	ck_assert_uint_eq(f.plan->initrd_addr, 48 * SZ_1M);
	boot_plan_free(f.plan);

	/* Limited by initrd_addr_max, not by RAM. */
	fx_free(&f);
	fx_init(&f, 2 * SZ_1G, 20 * SZ_1M);
	put_le32(f.img, 0x22c, 0x03ffffff);
	ck_assert_int_eq(fx_build(&f), -E2BIG);
	ck_assert_ptr_nonnull(strstr(f.err, "initrd_addr_max"));
	fx_free(&f);
}
END_TEST

START_TEST(plan_bad_config)
{
	struct fixture f;

	fx_init(&f, 256 * SZ_1M, 0);
	f.c.ncpus = 0;
	ck_assert_int_eq(fx_build(&f), -EINVAL);
	ck_assert(f.err[0]);
	f.c.ncpus = 255;
	ck_assert_int_eq(fx_build(&f), -EINVAL);
	ck_assert_ptr_nonnull(strstr(f.err, "vCPUs"));
	f.c.ncpus = 254;
	ck_assert_int_eq(fx_build(&f), 0);
	boot_plan_free(f.plan);
	f.c.ncpus = 1;
	f.c.pm_base = 0;
	ck_assert_int_lt(fx_build(&f), 0);
	ck_assert_ptr_nonnull(strstr(f.err, "ACPI"));
	ck_assert_ptr_null(f.plan->cmdline);
	f.c.pm_base = 0x600;
	f.c.kernel_len = 100;
	ck_assert_int_eq(fx_build(&f), -EINVAL);
	fx_free(&f);
}
END_TEST

static uint8_t *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	uint8_t *buf;
	long n;

	ck_assert_ptr_nonnull(f);
	ck_assert_int_eq(fseek(f, 0, SEEK_END), 0);
	n = ftell(f);
	rewind(f);
	buf = malloc((size_t)n);
	ck_assert_ptr_nonnull(buf);
	ck_assert_uint_eq(fread(buf, 1, (size_t)n, f), (size_t)n);
	fclose(f);
	*len = (size_t)n;
	return buf;
}

START_TEST(plan_real_kernels)
{
	const char *names[] = {"inputs/vmlinuz-6.12.117+deb12-amd64",
			       "inputs/vmlinuz-6.1.0-56-amd64"};
	char path[512], ipath[512], err[256];
	struct boot_plan *plan = malloc(sizeof(*plan));
	struct mem_layout l = layout(256 * SZ_1M);
	uint8_t *initrd;
	size_t initrd_len;

	ck_assert_ptr_nonnull(plan);
	if (!shared_path("inputs/test-initrd.cpio.gz", ipath, sizeof(ipath))) {
		free(plan);
		SKIP_TEST("inputs/test-initrd.cpio.gz not found");
	}
	initrd = slurp(ipath, &initrd_len);

	for (unsigned i = 0; i < 2; i++) {
		uint8_t *img;
		size_t len;

		if (!shared_path(names[i], path, sizeof(path))) {
			printf("SKIPPED %s: %s not found\n", __func__,
			       names[i]);
			continue;
		}
		img = slurp(path, &len);
		struct boot_config c = {
			.layout = &l,
			.ncpus = 4,
			.pm_base = 0x600,
			.kernel = img,
			.kernel_len = len,
			.initrd = initrd,
			.initrd_len = initrd_len,
			.cmdline = "console=ttyS0 earlyprintk=serial",
		};
		ck_assert_msg(boot_plan_build(&c, plan, err, sizeof(err)) == 0,
			      "%s: %s", names[i], err);
		ck_assert_uint_eq(plan->kernel_addr, 0x1000000);
		ck_assert_uint_eq(plan->cpu.rip, 0x1000200);
		ck_assert_uint_eq(region(plan, "kernel")->len, len - 40 * 512);
		uint32_t init = get_le32(img, 0x260);
		ck_assert_uint_ge(plan->initrd_addr, 0x1000000ULL + init);
		ck_assert_uint_eq(plan->initrd_addr % 4096, 0);
		ck_assert_uint_le(plan->initrd_addr + initrd_len, l.low_size);
		/* The real header was copied through its end at 0x26c. */
		ck_assert_int_eq(memcmp(plan->zero_page + 0x1f1, img + 0x1f1,
					0x210 - 0x1f1),
				 0);
		ck_assert_uint_eq(get_le32(plan->zero_page, 0x268),
				  get_le32(img, 0x268));
		boot_plan_free(plan);

		/* In 64 MiB the 6.1 kernel (init_size ~64 MiB) cannot be
		 * placed at all; the error says how much RAM it wants. */
		struct mem_layout small = layout(64 * SZ_1M);
		c.layout = &small;
		int ret = boot_plan_build(&c, plan, err, sizeof(err));
		if (init + 2 * SZ_1M > 64 * SZ_1M) {
			ck_assert_int_eq(ret, -ENOMEM);
			ck_assert_ptr_nonnull(strstr(err, "at least"));
		}
		boot_plan_free(plan);
		free(img);
	}
	free(initrd);
	free(plan);
}
END_TEST

static Suite *boot_suite(void)
{
	Suite *s = suite_create("boot");
	TCase *tc = tcase_create("core");

	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, layout_sizes);
	tcase_add_test(tc, layout_errors);
	tcase_add_test(tc, e820_maps);
	tcase_add_test(tc, plan_zero_page);
	tcase_add_test(tc, plan_regions);
	tcase_add_test(tc, plan_initrd_addr_max);
	tcase_add_test(tc, plan_page_tables_gdt_cpu);
	tcase_add_test(tc, plan_kernel_placement);
	tcase_add_test(tc, plan_cmdline);
	tcase_add_test(tc, plan_initrd_too_big);
	tcase_add_test(tc, plan_bad_config);
	tcase_add_test(tc, plan_real_kernels);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return run_suite(boot_suite());
}
