// SPDX-License-Identifier: MIT
/* acpi_build: walk the tables the way an OS does, from the RSDP. */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "loader/loader.h"
#include "tests/unit/testutil.h"

#define BUF_LEN 0x20000

static uint8_t sum(const uint8_t *p, size_t len)
{
	uint8_t s = 0;

	for (size_t i = 0; i < len; i++)
		s = (uint8_t)(s + p[i]);
	return s;
}

struct tables {
	uint8_t *buf;
	uint64_t gpa;
	long len;
	const uint8_t *rsdp, *xsdt, *fadt, *facs, *dsdt, *madt;
};

static const struct acpi_config default_cfg = {
	.ncpus = 1,
	.pm_base = 0x600,
	.sci_irq = 9,
	.ioapic_addr = 0xfec00000,
	.lapic_addr = 0xfee00000,
};

/* Translate a guest address from a table into the buffer, checking that
 * [addr, addr + len) lies within the bytes acpi_build reported. */
static const uint8_t *at(const struct tables *t, uint64_t addr, size_t len)
{
	ck_assert_uint_ge(addr, t->gpa);
	ck_assert_uint_le(addr - t->gpa + len, (uint64_t)t->len);
	return t->buf + (addr - t->gpa);
}

/* A system description table: signature, length in bounds, checksum. */
static const uint8_t *sdt(const struct tables *t, uint64_t addr,
			  const char *sig)
{
	const uint8_t *p = at(t, addr, 36);
	uint32_t len = get_le32(p, 4);

	ck_assert_msg(!memcmp(p, sig, 4), "expected %s at 0x%llx", sig,
		      (unsigned long long)addr);
	ck_assert_uint_ge(len, 36);
	at(t, addr, len);
	ck_assert_msg(sum(p, len) == 0, "%s checksum", sig);
	return p;
}

static void walk(struct tables *t, const struct acpi_config *c, uint64_t gpa)
{
	memset(t, 0, sizeof(*t));
	t->buf = malloc(BUF_LEN);
	ck_assert_ptr_nonnull(t->buf);
	memset(t->buf, 0xcc, BUF_LEN); /* acpi_build must zero it */
	t->gpa = gpa;
	t->len = acpi_build(c, gpa, t->buf, BUF_LEN);
	ck_assert_int_gt(t->len, 0);
	ck_assert_int_le(t->len, BUF_LEN);

	t->rsdp = t->buf;
	ck_assert_int_eq(memcmp(t->rsdp, "RSD PTR ", 8), 0);
	ck_assert_uint_eq(sum(t->rsdp, 20), 0);
	ck_assert_uint_eq(t->rsdp[15], 2);
	ck_assert_uint_eq(get_le32(t->rsdp, 20), 36);
	ck_assert_uint_eq(sum(t->rsdp, 36), 0);

	t->xsdt = sdt(t, get_le64(t->rsdp, 24), "XSDT");
	ck_assert_uint_eq(get_le32(t->xsdt, 4), 36 + 2 * 8);
	t->fadt = sdt(t, get_le64(t->xsdt, 36), "FACP");
	t->madt = sdt(t, get_le64(t->xsdt, 44), "APIC");
	t->dsdt = sdt(t, get_le64(t->fadt, 140), "DSDT");

	uint64_t facs = get_le64(t->fadt, 132);
	t->facs = at(t, facs, 64);
	ck_assert_int_eq(memcmp(t->facs, "FACS", 4), 0);
	ck_assert_uint_eq(get_le32(t->facs, 4), 64);
	ck_assert_uint_eq(facs % 64, 0);
}

static void unwalk(struct tables *t)
{
	free(t->buf);
}

START_TEST(rsdp_xsdt_and_checksums)
{
	struct tables t;

	walk(&t, &default_cfg, BOOT_ACPI_ADDR);
	/* 32-bit and 64-bit FADT pointers agree. */
	ck_assert_uint_eq(get_le32(t.fadt, 36), get_le64(t.fadt, 132));
	ck_assert_uint_eq(get_le32(t.fadt, 40), get_le64(t.fadt, 140));
	/* Every byte after the last table is zero. */
	for (size_t i = (size_t)t.len; i < BUF_LEN; i++)
		ck_assert_uint_eq(t.buf[i], 0);
	unwalk(&t);
}
END_TEST

START_TEST(fadt_fields)
{
	struct tables t;
	const uint8_t *f;

	walk(&t, &default_cfg, BOOT_ACPI_ADDR);
	f = t.fadt;
	ck_assert_uint_eq(get_le32(f, 4), 244);
	ck_assert_uint_ge(f[8], 3);
	ck_assert_uint_eq(get_le16(f, 46), 9);	/* SCI_INT */
	ck_assert_uint_eq(get_le32(f, 48), 0);	/* SMI_CMD */
	ck_assert_uint_eq(get_le32(f, 56), 0x600); /* PM1a_EVT_BLK */
	ck_assert_uint_eq(get_le32(f, 60), 0);	/* PM1b_EVT_BLK */
	ck_assert_uint_eq(get_le32(f, 64), 0x604); /* PM1a_CNT_BLK */
	ck_assert_uint_eq(get_le32(f, 76), 0x608); /* PM_TMR_BLK */
	ck_assert_uint_eq(get_le32(f, 80), 0);	/* GPE0_BLK */
	ck_assert_uint_eq(f[88], 4);
	ck_assert_uint_eq(f[89], 2);
	ck_assert_uint_eq(f[91], 4);
	ck_assert_uint_eq(f[92], 0);
	uint32_t flags = get_le32(f, 112);
	ck_assert(flags & (1u << 0));	  /* WBINVD */
	ck_assert(flags & (1u << 2));	  /* PROC_C1 */
	ck_assert(!(flags & (1u << 20))); /* not HW_REDUCED */
	if (flags & (1u << 10)) {	  /* RESET_REG_SUP */
		ck_assert_uint_eq(f[116], 1);
		ck_assert_uint_eq(f[117], 8);
		ck_assert_uint_eq(get_le64(f, 120), 0xcf9);
		ck_assert_uint_eq(f[128], 0x06);
	}
	/* X_ GAS blocks: I/O space, same addresses and widths. */
	struct {
		size_t off;
		uint8_t bits;
		uint64_t addr;
	} gas[] = {{148, 32, 0x600}, {172, 16, 0x604}, {208, 32, 0x608}};
	for (unsigned i = 0; i < 3; i++) {
		ck_assert_uint_eq(f[gas[i].off], 1);
		ck_assert_uint_eq(f[gas[i].off + 1], gas[i].bits);
		ck_assert_uint_eq(f[gas[i].off + 2], 0);
		ck_assert_uint_eq(get_le64(f, gas[i].off + 4), gas[i].addr);
	}
	/* PM1b and GPE blocks absent in their X_ forms too. */
	ck_assert_uint_eq(get_le64(f, 164), 0);
	ck_assert_uint_eq(get_le64(f, 224), 0);
	unwalk(&t);

	struct acpi_config c = default_cfg;
	c.pm_base = 0xb000;
	c.sci_irq = 10;
	walk(&t, &c, BOOT_ACPI_ADDR);
	ck_assert_uint_eq(get_le32(t.fadt, 64), 0xb004);
	ck_assert_uint_eq(get_le64(t.fadt, 208 + 4), 0xb008);
	ck_assert_uint_eq(get_le16(t.fadt, 46), 10);
	unwalk(&t);
}
END_TEST

START_TEST(dsdt_s5)
{
	static const uint8_t s5[] = {0x08, 0x5f, 0x53, 0x35, 0x5f,
				     0x12, 0x04, 0x02, 0x00, 0x00};
	struct tables t;

	walk(&t, &default_cfg, BOOT_ACPI_ADDR);
	uint32_t len = get_le32(t.dsdt, 4);
	ck_assert_ptr_nonnull(memmem(t.dsdt + 36, len - 36, s5, sizeof(s5)));
	unwalk(&t);
}
END_TEST

static void check_madt(unsigned ncpus)
{
	struct acpi_config c = default_cfg;
	struct tables t;
	unsigned nlapic = 0, nioapic = 0, niso = 0;
	bool irq0 = false, sci = false;

	c.ncpus = ncpus;
	walk(&t, &c, BOOT_ACPI_ADDR);
	const uint8_t *m = t.madt;
	uint32_t len = get_le32(m, 4);

	ck_assert_uint_eq(len, 44 + 8 * ncpus + 12 + 2 * 10);
	ck_assert_uint_eq(get_le32(m, 36), 0xfee00000);
	ck_assert_uint_eq(get_le32(m, 40) & 1, 1);
	for (uint32_t off = 44; off < len;) {
		const uint8_t *e = m + off;

		ck_assert_uint_ge(e[1], 2);
		ck_assert_uint_le(off + e[1], len);
		switch (e[0]) {
		case 0:
			ck_assert_uint_eq(e[1], 8);
			ck_assert_uint_eq(e[2], nlapic);
			ck_assert_uint_eq(e[3], nlapic);
			ck_assert_uint_eq(get_le32(e, 4) & 1, 1);
			nlapic++;
			break;
		case 1:
			ck_assert_uint_eq(e[1], 12);
			ck_assert_uint_eq(e[2], ncpus);
			ck_assert_uint_eq(get_le32(e, 4), 0xfec00000);
			ck_assert_uint_eq(get_le32(e, 8), 0);
			nioapic++;
			break;
		case 2:
			ck_assert_uint_eq(e[1], 10);
			ck_assert_uint_eq(e[2], 0);
			if (e[3] == 0) {
				ck_assert_uint_eq(get_le32(e, 4), 2);
				irq0 = true;
			} else if (e[3] == 9) {
				ck_assert_uint_eq(get_le32(e, 4), 9);
				/* level (11b << 2), active high (01b) */
				ck_assert_uint_eq(get_le16(e, 8), 0xd);
				sci = true;
			}
			niso++;
			break;
		default:
			ck_abort_msg("unexpected MADT entry type %u", e[0]);
		}
		off += e[1];
	}
	ck_assert_uint_eq(nlapic, ncpus);
	ck_assert_uint_eq(nioapic, 1);
	ck_assert_uint_eq(niso, 2);
	ck_assert(irq0 && sci);
	unwalk(&t);
}

START_TEST(madt_1_cpu)
{
	check_madt(1);
}
END_TEST

START_TEST(madt_4_cpus)
{
	check_madt(4);
}
END_TEST

START_TEST(madt_254_cpus)
{
	check_madt(254);
}
END_TEST

START_TEST(other_gpas)
{
	struct tables t;

	/* Unaligned base: the FACS is still 64-byte aligned in the guest. */
	walk(&t, &default_cfg, BOOT_ACPI_ADDR + 8);
	unwalk(&t);

	/* Above 4 GiB: only the 64-bit pointers can be used. */
	walk(&t, &default_cfg, 0x100000000ULL + 0x1230);
	ck_assert_uint_eq(get_le32(t.fadt, 36), 0);
	ck_assert_uint_eq(get_le32(t.fadt, 40), 0);
	ck_assert_uint_eq(get_le32(t.rsdp, 16), 0);
	unwalk(&t);
}
END_TEST

START_TEST(errors)
{
	uint8_t *buf = malloc(BUF_LEN);
	struct acpi_config c = default_cfg;
	long need;

	ck_assert_ptr_nonnull(buf);
	need = acpi_build(&c, BOOT_ACPI_ADDR, buf, BUF_LEN);
	ck_assert_int_gt(need, 0);
	ck_assert_int_eq(acpi_build(&c, BOOT_ACPI_ADDR, buf, (size_t)need),
			 need);
	ck_assert_int_eq(acpi_build(&c, BOOT_ACPI_ADDR, buf, (size_t)need - 1),
			 -ENOSPC);
	ck_assert_int_eq(acpi_build(&c, BOOT_ACPI_ADDR, buf, 10), -ENOSPC);
	ck_assert_int_eq(acpi_build(&c, BOOT_ACPI_ADDR, buf, 0), -ENOSPC);

	c.ncpus = 0;
	ck_assert_int_eq(acpi_build(&c, BOOT_ACPI_ADDR, buf, BUF_LEN), -EINVAL);
	c.ncpus = 255;
	ck_assert_int_eq(acpi_build(&c, BOOT_ACPI_ADDR, buf, BUF_LEN), -EINVAL);
	c = default_cfg;
	c.pm_base = 0xfff8;
	ck_assert_int_eq(acpi_build(&c, BOOT_ACPI_ADDR, buf, BUF_LEN), -EINVAL);
	c = default_cfg;
	c.ioapic_addr = 0x100000000ULL;
	ck_assert_int_eq(acpi_build(&c, BOOT_ACPI_ADDR, buf, BUF_LEN), -EINVAL);
	c = default_cfg;
	ck_assert_int_eq(acpi_build(&c, UINT64_MAX - 100, buf, BUF_LEN),
			 -EOVERFLOW);
	free(buf);
}
END_TEST


/*
 * acpi_fwcfg_build: play the firmware's part of QEMU's linker/loader
 * (allocate each file at an address, patch pointers, fix checksums) and
 * check that the result is exactly what acpi_build() lays out at those
 * addresses.
 */
#define FW_TABLES_BASE 0x7f000000ULL
#define FW_RSDP_BASE 0xf0000ULL

struct fw_file {
	const char *name;
	uint8_t *data;
	size_t len;
	uint64_t base;
	bool allocated;
};

static struct fw_file *fw_find(struct fw_file *f, unsigned n, const char *name)
{
	for (unsigned i = 0; i < n; i++)
		if (strncmp(f[i].name, name, 56) == 0)
			return &f[i];
	return NULL;
}

static void fw_run_loader(const struct acpi_fwcfg *a, struct fw_file *files,
			  unsigned nfiles)
{
	ck_assert_uint_eq(a->loader_len % 128, 0);
	ck_assert_uint_gt(a->loader_len, 0);
	for (size_t off = 0; off < a->loader_len; off += 128) {
		const uint8_t *e = a->loader + off;
		uint32_t cmd = get_le32(e, 0);
		const char *f1 = (const char *)e + 4;

		ck_assert_msg(memchr(f1, 0, 56) != NULL, "name not terminated");
		if (cmd == 1) { /* ALLOCATE */
			struct fw_file *f = fw_find(files, nfiles, f1);

			ck_assert_ptr_nonnull(f);
			ck_assert(!f->allocated);
			f->allocated = true;
			ck_assert_uint_eq(f->base % get_le32(e, 4 + 56), 0);
		} else if (cmd == 2) { /* ADD_POINTER */
			struct fw_file *from = fw_find(files, nfiles, f1);
			struct fw_file *to = fw_find(files, nfiles, f1 + 56);
			uint32_t po = get_le32(e, 4 + 112);
			uint8_t size = e[4 + 116];
			uint64_t v = 0;

			ck_assert_ptr_nonnull(from);
			ck_assert_ptr_nonnull(to);
			ck_assert(from->allocated && to->allocated);
			ck_assert(size == 4 || size == 8);
			ck_assert_uint_le(po + size, from->len);
			for (unsigned i = 0; i < size; i++)
				v |= (uint64_t)from->data[po + i] << (8 * i);
			ck_assert_uint_lt(v, to->len); /* an offset into it */
			v += to->base;
			for (unsigned i = 0; i < size; i++)
				from->data[po + i] = (uint8_t)(v >> (8 * i));
		} else if (cmd == 3) { /* ADD_CHECKSUM */
			struct fw_file *f = fw_find(files, nfiles, f1);
			uint32_t res = get_le32(e, 4 + 56), start = get_le32(e, 64),
				 len = get_le32(e, 68);

			ck_assert_ptr_nonnull(f);
			ck_assert_uint_le((uint64_t)start + len, f->len);
			ck_assert_uint_lt(res, f->len);
			f->data[res] = (uint8_t)(0 - sum(f->data + start, len));
		} else {
			ck_abort_msg("unknown loader command %u", cmd);
		}
	}
}

static void check_fwcfg(unsigned ncpus)
{
	struct acpi_config c = { .ncpus = ncpus,
				 .pm_base = 0xb000,
				 .sci_irq = 9,
				 .ioapic_addr = 0xfec00000,
				 .lapic_addr = 0xfee00000 };
	struct acpi_fwcfg a;
	char err[256];
	uint8_t *want = calloc(1, BUF_LEN);
	uint8_t rsdp[36];
	long wlen;

	ck_assert_int_eq(acpi_fwcfg_build(&c, &a, err, sizeof(err)), 0);
	memcpy(rsdp, a.rsdp, sizeof(rsdp));
	struct fw_file files[] = {
		{ "etc/acpi/tables", a.tables, a.tables_len, FW_TABLES_BASE,
		  false },
		{ "etc/acpi/rsdp", rsdp, sizeof(rsdp), FW_RSDP_BASE, false },
	};
	fw_run_loader(&a, files, 2);

	wlen = acpi_build(&c, FW_TABLES_BASE, want, BUF_LEN);
	ck_assert_int_eq(wlen, (long)a.tables_len);
	/* Everything after the RSDP (which travels in its own file). */
	ck_assert_mem_eq(a.tables + 36, want + 36, a.tables_len - 36);
	ck_assert_uint_eq(get_le64(rsdp, 24), get_le64(want, 24));
	ck_assert_uint_eq(sum(rsdp, 20), 0);
	ck_assert_uint_eq(sum(rsdp, 36), 0);
	ck_assert_mem_eq(rsdp, "RSD PTR ", 8);
	acpi_fwcfg_free(&a);
	ck_assert_ptr_null(a.tables);
	free(want);
}

START_TEST(fwcfg_loader_1_cpu)
{
	check_fwcfg(1);
}
END_TEST

START_TEST(fwcfg_loader_8_cpus)
{
	check_fwcfg(8);
}
END_TEST

START_TEST(fwcfg_loader_errors)
{
	struct acpi_config c = { .ncpus = 0, .pm_base = 0xb000, .sci_irq = 9,
				 .ioapic_addr = 0xfec00000,
				 .lapic_addr = 0xfee00000 };
	struct acpi_fwcfg a;
	char err[256] = "";

	ck_assert_int_lt(acpi_fwcfg_build(&c, &a, err, sizeof(err)), 0);
	ck_assert(err[0] != '\0');
	ck_assert_ptr_null(a.tables);
	ck_assert_ptr_null(a.loader);
}
END_TEST
static Suite *acpi_suite(void)
{
	Suite *s = suite_create("acpi");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, rsdp_xsdt_and_checksums);
	tcase_add_test(tc, fadt_fields);
	tcase_add_test(tc, dsdt_s5);
	tcase_add_test(tc, madt_1_cpu);
	tcase_add_test(tc, madt_4_cpus);
	tcase_add_test(tc, madt_254_cpus);
	tcase_add_test(tc, other_gpas);
	tcase_add_test(tc, errors);
	tcase_add_test(tc, fwcfg_loader_1_cpu);
	tcase_add_test(tc, fwcfg_loader_8_cpus);
	tcase_add_test(tc, fwcfg_loader_errors);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return run_suite(acpi_suite());
}
