// SPDX-License-Identifier: MIT
/* Unit tests for fw_cfg (vmm/fwcfg.c). */
#include <errno.h>

#include "tests/unit/fake_host.h"
#include "tests/unit/testutil.h"

#define SEL	 0x510
#define DATA	 0x511
#define DMA	 0x514
#define RAM_BASE 0x10000
#define RAM_SIZE 0x10000

#define CTL_ERROR  0x01
#define CTL_READ   0x02
#define CTL_SKIP   0x04
#define CTL_SELECT 0x08
#define CTL_WRITE  0x10

struct rig {
	struct fake_host fh;
	struct bus io;
	struct fwcfg *f;
	uint8_t ram[RAM_SIZE];
};

static void rig_init(struct rig *r, bool dma)
{
	memset(r->ram, 0xcc, sizeof(r->ram));
	fake_host_init(&r->fh, r->ram, RAM_BASE, RAM_SIZE);
	bus_init(&r->io);
	r->f = fwcfg_new(&r->fh.h, dma);
	ck_assert_ptr_nonnull(r->f);
}

static void rig_attach(struct rig *r)
{
	ck_assert_int_eq(fwcfg_attach(r->f, &r->io), 0);
}

static void select_key(struct rig *r, uint16_t key)
{
	io_out(&r->io, SEL, 2, key);
}

static void read_item(struct rig *r, uint16_t key, uint8_t *buf, size_t n)
{
	select_key(r, key);
	for (size_t i = 0; i < n; i++)
		buf[i] = io_inb(&r->io, DATA);
}

static uint32_t be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | p[1] << 16 | p[2] << 8 | p[3];
}

static void put_be32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

static uint8_t *gpa(struct rig *r, uint64_t a)
{
	return r->ram + (a - RAM_BASE);
}

/* Write an FWCfgDmaAccess at desc (if in RAM) and kick it the way OVMF
 * and Linux do: two big-endian 32-bit halves, low half last. */
static void dma_kick(struct rig *r, uint64_t desc, uint32_t control,
		     uint32_t len, uint64_t addr)
{
	uint8_t hi[4], lo[4];

	if (desc >= RAM_BASE && desc - RAM_BASE <= RAM_SIZE - 16) {
		put_be32(gpa(r, desc), control);
		put_be32(gpa(r, desc) + 4, len);
		put_be32(gpa(r, desc) + 8, (uint32_t)(addr >> 32));
		put_be32(gpa(r, desc) + 12, (uint32_t)addr);
	}
	put_be32(hi, (uint32_t)(desc >> 32));
	put_be32(lo, (uint32_t)desc);
	bus_access(&r->io, DMA, hi, 4, true);
	bus_access(&r->io, DMA + 4, lo, 4, true);
}

START_TEST(test_signature)
{
	struct rig r;
	uint8_t b[8];

	rig_init(&r, false);
	rig_attach(&r);
	read_item(&r, FW_CFG_SIGNATURE, b, 6);
	ck_assert_mem_eq(b, "QEMU", 4);
	ck_assert_uint_eq(b[4], 0); /* past the end */
	ck_assert_uint_eq(b[5], 0);
	/* Reselecting rewinds. */
	read_item(&r, FW_CFG_SIGNATURE, b, 1);
	ck_assert_uint_eq(b[0], 'Q');
	/* A wide read at the data port returns successive bytes. */
	select_key(&r, FW_CFG_SIGNATURE);
	ck_assert_uint_eq(io_in(&r.io, SEL, 2), 'Q' | 'E' << 8);
	/* The DMA register is absent without DMA. */
	ck_assert(!bus_access(&r.io, DMA, b, 4, false));

	read_item(&r, FW_CFG_ID, b, 4);
	ck_assert_uint_eq(le_get(b, 4), 1);
	fwcfg_free(r.f);

	rig_init(&r, true);
	rig_attach(&r);
	read_item(&r, FW_CFG_ID, b, 4);
	ck_assert_uint_eq(le_get(b, 4), 3); /* traditional | DMA */
	ck_assert(bus_access(&r.io, DMA, b, 8, false));
	ck_assert_mem_eq(b, "QEMU CFG", 8);
	ck_assert(bus_access(&r.io, DMA + 4, b, 4, false));
	ck_assert_mem_eq(b, " CFG", 4);
	fwcfg_free(r.f);
}
END_TEST

START_TEST(test_items)
{
	struct rig r;
	static const char cmdline[] = "console=ttyS0";
	uint8_t b[16];

	rig_init(&r, false);
	ck_assert_int_eq(fwcfg_add_u16(r.f, FW_CFG_NB_CPUS, 4), 0);
	ck_assert_int_eq(fwcfg_add_u32(r.f, FW_CFG_KERNEL_SIZE, 0x12345678), 0);
	ck_assert_int_eq(
		fwcfg_add_u64(r.f, FW_CFG_RAM_SIZE, 0x1122334455667788), 0);
	ck_assert_int_eq(
		fwcfg_add(r.f, FW_CFG_CMDLINE_DATA, cmdline, sizeof(cmdline)),
		0);
	ck_assert_int_eq(fwcfg_add(r.f, FW_CFG_E820_TABLE, NULL, 0), 0);
	rig_attach(&r);

	read_item(&r, FW_CFG_NB_CPUS, b, 3);
	ck_assert_uint_eq(b[0], 4);
	ck_assert_uint_eq(b[1], 0);
	ck_assert_uint_eq(b[2], 0);
	read_item(&r, FW_CFG_KERNEL_SIZE, b, 4);
	ck_assert_uint_eq(le_get(b, 4), 0x12345678);
	read_item(&r, FW_CFG_RAM_SIZE, b, 8);
	ck_assert_uint_eq(le_get(b, 8), 0x1122334455667788);
	read_item(&r, FW_CFG_CMDLINE_DATA, b, sizeof(cmdline));
	ck_assert_str_eq((char *)b, cmdline);
	read_item(&r, FW_CFG_E820_TABLE, b, 1);
	ck_assert_uint_eq(b[0], 0);
	/* Unknown keys read as zeroes. */
	read_item(&r, 0x1234, b, 4);
	ck_assert_uint_eq(le_get(b, 4), 0);
	read_item(&r, 0xffff, b, 4);
	ck_assert_uint_eq(le_get(b, 4), 0);
	fwcfg_free(r.f);
}
END_TEST

START_TEST(test_add_errors)
{
	struct rig r;
	char name[80];

	rig_init(&r, false);
	ck_assert_int_eq(fwcfg_add_u16(r.f, FW_CFG_SIGNATURE, 1), -EEXIST);
	ck_assert_int_eq(fwcfg_add_u16(r.f, FW_CFG_ID, 1), -EEXIST);
	ck_assert_int_eq(fwcfg_add_u16(r.f, FW_CFG_FILE_DIR, 1), -EEXIST);
	ck_assert_int_eq(fwcfg_add_u16(r.f, FW_CFG_FILE_FIRST, 1), -EINVAL);
	ck_assert_int_eq(fwcfg_add_u16(r.f, 0x7fff, 1), -EINVAL);
	ck_assert_int_eq(fwcfg_add_u16(r.f, FW_CFG_NB_CPUS, 1), 0);
	ck_assert_int_eq(fwcfg_add_u32(r.f, FW_CFG_NB_CPUS, 1), -EEXIST);
	ck_assert_int_eq(fwcfg_add(r.f, FW_CFG_KERNEL_DATA, NULL, 5), -EINVAL);

	ck_assert_int_eq(fwcfg_add_file(r.f, "", "x", 1), -EINVAL);
	ck_assert_int_eq(fwcfg_add_file(r.f, NULL, "x", 1), -EINVAL);
	memset(name, 'n', sizeof(name));
	name[56] = 0;
	ck_assert_int_eq(fwcfg_add_file(r.f, name, "x", 1), -ENAMETOOLONG);
	name[55] = 0; /* 55 characters + NUL fit in 56 */
	ck_assert_int_eq(fwcfg_add_file(r.f, name, "x", 1), 0);
	ck_assert_int_eq(fwcfg_add_file(r.f, "etc/a", "x", 1), 0);
	ck_assert_int_eq(fwcfg_add_file(r.f, "etc/a", "y", 1), -EEXIST);
	fwcfg_free(r.f);
}
END_TEST

START_TEST(test_file_dir)
{
	struct rig r;
	static const uint8_t e820[40] = {1, 2, 3};
	static const char b_data[] = "bee", x_data[] = "xylophone";
	uint8_t dir[4 + 3 * 64], b[16];

	rig_init(&r, false);
	rig_attach(&r);
	/* Empty directory: just a zero count. */
	read_item(&r, FW_CFG_FILE_DIR, dir, 4);
	ck_assert_uint_eq(be32(dir), 0);

	ck_assert_int_eq(fwcfg_add_file(r.f, "opt/x", x_data, 9), 0);
	ck_assert_int_eq(fwcfg_add_file(r.f, "etc/e820", e820, 40), 0);
	ck_assert_int_eq(fwcfg_add_file(r.f, "etc/b", b_data, 3), 0);

	read_item(&r, FW_CFG_FILE_DIR, dir, sizeof(dir));
	ck_assert_uint_eq(be32(dir), 3);
	/* Name order: etc/b, etc/e820, opt/x at 0x20, 0x21, 0x22. */
	static const char *names[3] = {"etc/b", "etc/e820", "opt/x"};
	static const uint32_t sizes[3] = {3, 40, 9};

	for (int i = 0; i < 3; i++) {
		const uint8_t *e = dir + 4 + 64 * i;

		ck_assert_uint_eq(be32(e), sizes[i]);
		ck_assert_uint_eq(e[4] << 8 | e[5], 0x20 + i);
		ck_assert_uint_eq(e[6] | e[7], 0);
		ck_assert_str_eq((const char *)e + 8, names[i]);
		for (int j = 8 + (int)strlen(names[i]); j < 64; j++)
			ck_assert_uint_eq(e[j], 0);
	}
	read_item(&r, 0x20, b, 4);
	ck_assert_mem_eq(b, "bee\0", 4);
	read_item(&r, 0x21, b, 3);
	ck_assert_mem_eq(b, e820, 3);
	read_item(&r, 0x22, b, 9);
	ck_assert_mem_eq(b, x_data, 9);
	read_item(&r, 0x23, b, 2);
	ck_assert_uint_eq(b[0] | b[1], 0);
	fwcfg_free(r.f);
}
END_TEST

START_TEST(test_dma_read)
{
	struct rig r;
	static const char data[] = "0123456789abcdef";
	uint64_t desc = RAM_BASE + 0x100, buf = RAM_BASE + 0x1000;

	rig_init(&r, true);
	ck_assert_int_eq(fwcfg_add_file(r.f, "etc/data", data, 16), 0);
	rig_attach(&r);

	/* Signature into RAM. */
	dma_kick(&r, desc, FW_CFG_SIGNATURE << 16 | CTL_SELECT | CTL_READ, 4,
		 buf);
	ck_assert_uint_eq(be32(gpa(&r, desc)), 0);
	ck_assert_mem_eq(gpa(&r, buf), "QEMU", 4);
	ck_assert_uint_eq(*gpa(&r, buf + 4), 0xcc); /* nothing more */

	/* Read in pieces, continuing from the current offset. */
	dma_kick(&r, desc, 0x20 << 16 | CTL_SELECT | CTL_READ, 5, buf);
	dma_kick(&r, desc, CTL_READ, 5, buf + 5);
	ck_assert_mem_eq(gpa(&r, buf), "0123456789", 10);
	/* The port interface shares the offset. */
	ck_assert_uint_eq(io_inb(&r.io, DATA), 'a');

	/* Skip, then read; past the end is zero-filled, not an error. */
	dma_kick(&r, desc, 0x20 << 16 | CTL_SELECT | CTL_SKIP, 12, 0);
	dma_kick(&r, desc, CTL_READ, 10, buf);
	ck_assert_uint_eq(be32(gpa(&r, desc)), 0);
	ck_assert_mem_eq(gpa(&r, buf), "cdef\0\0\0\0\0\0", 10);
	ck_assert_uint_eq(*gpa(&r, buf + 10), 0xcc); /* untouched */

	/* Select only. */
	dma_kick(&r, desc, FW_CFG_ID << 16 | CTL_SELECT, 0, 0);
	ck_assert_uint_eq(be32(gpa(&r, desc)), 0);
	ck_assert_uint_eq(io_inb(&r.io, DATA), 3);

	/* One 8-byte write at 0x514 works too. */
	uint8_t a8[8];

	put_be32(gpa(&r, desc), FW_CFG_SIGNATURE << 16 | CTL_SELECT | CTL_READ);
	put_be32(gpa(&r, desc) + 4, 2);
	put_be32(gpa(&r, desc) + 8, 0);
	put_be32(gpa(&r, desc) + 12, (uint32_t)buf + 0x100);
	put_be32(a8, 0);
	put_be32(a8 + 4, (uint32_t)desc);
	bus_access(&r.io, DMA, a8, 8, true);
	ck_assert_uint_eq(be32(gpa(&r, desc)), 0);
	ck_assert_mem_eq(gpa(&r, buf + 0x100), "QE", 2);
	fwcfg_free(r.f);
}
END_TEST

START_TEST(test_dma_errors)
{
	struct rig r;
	uint64_t desc = RAM_BASE + 0x100, buf = RAM_BASE + 0x1000;
	uint8_t before[RAM_SIZE];

	rig_init(&r, true);
	rig_attach(&r);

	/* Target outside RAM. */
	dma_kick(&r, desc, CTL_SELECT | CTL_READ, 4, 0x1000);
	ck_assert_uint_eq(be32(gpa(&r, desc)), CTL_ERROR);
	/* Target running off the end of RAM. */
	dma_kick(&r, desc, CTL_SELECT | CTL_READ, 8, RAM_BASE + RAM_SIZE - 4);
	ck_assert_uint_eq(be32(gpa(&r, desc)), CTL_ERROR);
	/* Huge length: zero-fill past the item runs out of RAM. */
	dma_kick(&r, desc, CTL_SELECT | CTL_READ, 0xffffffff, buf);
	ck_assert_uint_eq(be32(gpa(&r, desc)), CTL_ERROR);
	ck_assert_mem_eq(gpa(&r, buf), "QEMU", 4);
	/* Address wrapping around 2^64. */
	dma_kick(&r, desc, CTL_SELECT | CTL_READ, 0x100, UINT64_MAX - 8);
	ck_assert_uint_eq(be32(gpa(&r, desc)), CTL_ERROR);
	/* Writes are refused. */
	dma_kick(&r, desc, CTL_SELECT | CTL_WRITE, 4, buf);
	ck_assert_uint_eq(be32(gpa(&r, desc)), CTL_ERROR);
	/* A huge skip is fine (it moves nothing past the end). */
	dma_kick(&r, desc, CTL_SELECT | CTL_SKIP, 0xffffffff, 0);
	ck_assert_uint_eq(be32(gpa(&r, desc)), 0);
	/* Unknown selector: zero-filled read. */
	dma_kick(&r, desc, 0x4242u << 16 | CTL_SELECT | CTL_READ, 4, buf);
	ck_assert_uint_eq(be32(gpa(&r, desc)), 0);
	ck_assert_uint_eq(be32(gpa(&r, buf)), 0);

	/* Descriptor outside RAM, or straddling its end: nothing happens. */
	memcpy(before, r.ram, RAM_SIZE);
	dma_kick(&r, 0x100, CTL_SELECT | CTL_READ, 4, buf);
	dma_kick(&r, RAM_BASE + RAM_SIZE - 8, CTL_SELECT | CTL_READ, 4, buf);
	dma_kick(&r, UINT64_MAX - 7, CTL_SELECT | CTL_READ, 4, buf);
	ck_assert_mem_eq(before, r.ram, RAM_SIZE);

	/* Odd-shaped writes to the DMA register are ignored. */
	io_out(&r.io, DMA + 1, 2, 0xffff);
	io_out(&r.io, DMA + 4, 1, 0xff);
	ck_assert_mem_eq(before, r.ram, RAM_SIZE);
	fwcfg_free(r.f);
}
END_TEST

/* The descriptor's own memory may be the target. */
START_TEST(test_dma_onto_descriptor)
{
	struct rig r;
	uint64_t desc = RAM_BASE + 0x100;

	rig_init(&r, true);
	rig_attach(&r);
	dma_kick(&r, desc, CTL_SELECT | CTL_READ, 16, desc);
	/* The status write-back comes last. */
	ck_assert_uint_eq(be32(gpa(&r, desc)), 0);
	ck_assert_mem_eq(gpa(&r, desc + 4), "\0\0\0\0", 4);
	fwcfg_free(r.f);
}
END_TEST

START_TEST(test_hostile)
{
	struct rig r;
	static const uint8_t blob[300] = {7};
	uint64_t seed = 0xabcdef;
	uint8_t d[8];

	rig_init(&r, true);
	fwcfg_add(r.f, FW_CFG_KERNEL_DATA, blob, sizeof(blob));
	fwcfg_add_file(r.f, "etc/x", blob, 100);
	rig_attach(&r);
	for (int i = 0; i < 100000; i++) {
		uint64_t x = test_rand(&seed);
		unsigned len = 1 + (x & 7);
		uint16_t port = (uint16_t)(0x50e + ((x >> 3) & 15));

		if ((x >> 7 & 7) == 0) {
			/* A random descriptor somewhere in (or near) RAM. */
			uint64_t at =
				RAM_BASE - 64 + (x >> 12) % (RAM_SIZE + 128);
			uint64_t ctl = test_rand(&seed);

			dma_kick(&r, at, (uint32_t)ctl,
				 (uint32_t)(ctl >> 32) & 0x1ffff,
				 RAM_BASE - 4096 +
					 test_rand(&seed) % (RAM_SIZE + 8192));
			continue;
		}
		le_put(d, 8, test_rand(&seed));
		bus_access(&r.io, port, d, len, (x >> 10) & 1);
	}
	fwcfg_free(r.f);
}
END_TEST

static Suite *fwcfg_suite(void)
{
	Suite *s = suite_create("fwcfg");
	TCase *tc = tcase_create("core");

	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, test_signature);
	tcase_add_test(tc, test_items);
	tcase_add_test(tc, test_add_errors);
	tcase_add_test(tc, test_file_dir);
	tcase_add_test(tc, test_dma_read);
	tcase_add_test(tc, test_dma_errors);
	tcase_add_test(tc, test_dma_onto_descriptor);
	tcase_add_test(tc, test_hostile);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return run_suite(fwcfg_suite());
}
