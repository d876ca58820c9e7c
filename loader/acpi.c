// SPDX-License-Identifier: MIT
/*
 * The smallest ACPI table set a direct-booted Linux needs (ACPI 6.x spec,
 * chapter 5): RSDP -> XSDT -> {FADT, MADT}; FADT -> {FACS, DSDT}.
 *
 * The MADT is what lets Linux find the application processors and the
 * IOAPIC; the FADT/DSDT pair gives it a PM1 control block and an _S5
 * object, so that "poweroff" turns into an I/O write the machine can catch.
 * Tables are written byte by byte at spec offsets; every table is built in
 * a zeroed buffer, so reserved fields are zero.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "loader/bootparam.h"
#include "loader/loader.h"

#define ACPI_OEM_ID	  "SEVBT "
#define ACPI_OEM_TABLE_ID "SEVBOOT "
#define ACPI_CREATOR_ID	  "SEVB"

#define SDT_HDR_LEN 36
#define RSDP_LEN    36
#define RSDP_V1_LEN 20
#define FACS_LEN    64
/*
 * FADT revision 3 (the ACPI 2.0/3.0 layout, 244 bytes): the first one with
 * the X_ (64-bit GAS) fields and RESET_REG, and the one QEMU's q35 machine
 * has used for years, so every Linux since 2.6 parses it without the
 * legacy-FADT fix-ups and without expecting the ACPI 5 sleep registers.
 */
#define FADT_REVISION 3
#define FADT_LEN      244
#define XSDT_ENTRIES  2 /* FADT, MADT */

/* FADT field offsets */
#define FADT_FIRMWARE_CTRL   36
#define FADT_DSDT	     40
#define FADT_SCI_INT	     46
#define FADT_SMI_CMD	     48
#define FADT_PM1A_EVT_BLK    56
#define FADT_PM1A_CNT_BLK    64
#define FADT_PM_TMR_BLK	     76
#define FADT_PM1_EVT_LEN     88
#define FADT_PM1_CNT_LEN     89
#define FADT_PM_TMR_LEN	     91
#define FADT_P_LVL2_LAT	     96
#define FADT_P_LVL3_LAT	     98
#define FADT_IAPC_BOOT_ARCH  109
#define FADT_FLAGS	     112
#define FADT_RESET_REG	     116
#define FADT_RESET_VALUE     128
#define FADT_X_FIRMWARE_CTRL 132
#define FADT_X_DSDT	     140
#define FADT_X_PM1A_EVT_BLK  148
#define FADT_X_PM1A_CNT_BLK  172
#define FADT_X_PM_TMR_BLK    208

/* FADT Flags */
#define FADT_F_WBINVD	     (1u << 0)
#define FADT_F_PROC_C1	     (1u << 2)
#define FADT_F_PWR_BUTTON    (1u << 4) /* set: no fixed-feature power button */
#define FADT_F_SLP_BUTTON    (1u << 5) /* set: no fixed-feature sleep button */
#define FADT_F_RESET_REG_SUP (1u << 10)

/* IAPC_BOOT_ARCH */
#define IAPC_VGA_NOT_PRESENT (1u << 2)

#define PM1_EVT_LEN    4
#define PM1_CNT_LEN    2
#define PM_TMR_LEN     4
#define PM1_CNT_OFFSET 4
#define PM_TMR_OFFSET  8

#define GAS_SYSTEM_IO 1
#define RESET_PORT    0xcf9
#define RESET_VALUE   0x06 /* hard reset: SYS_RST | RST_CPU */

/* MADT */
#define MADT_REVISION	       3
#define MADT_FIXED_LEN	       44 /* header + Local APIC address + flags */
#define MADT_PCAT_COMPAT       1u /* the in-kernel irqchip includes the 8259s */
#define MADT_LAPIC	       0
#define MADT_LAPIC_LEN	       8
#define MADT_IOAPIC	       1
#define MADT_IOAPIC_LEN	       12
#define MADT_ISO	       2
#define MADT_ISO_LEN	       10
#define MADT_LAPIC_ENABLED     1u
#define MPS_INTI_FLAGS_DEFAULT 0x0 /* conforms to the ISA bus: edge, high */
#define MPS_INTI_HIGH_LEVEL    0xd /* active high (01), level (11 << 2) */
/* The PIT's IRQ0 is wired to IOAPIC pin 2, as on a PC. */
#define ISA_IRQ_TIMER 0
#define GSI_TIMER     2

/*
 * DSDT body: Name (_S5, Package () { Zero, Zero })
 *   08 NameOp, "_S5_", 12 PackageOp, 04 PkgLength (itself + count + two
 *   elements), 02 NumElements, 00 ZeroOp, 00 ZeroOp.
 * SLP_TYPa = SLP_TYPb = 0, so Linux's poweroff writes SLP_EN (bit 13) with
 * SLP_TYP 0 to PM1a_CNT.
 */
static const uint8_t dsdt_aml[] = {
	0x08, '_', 'S', '5', '_', 0x12, 0x04, 0x02, 0x00, 0x00,
};

static uint8_t acpi_checksum(const uint8_t *p, size_t len)
{
	uint8_t sum = 0;

	for (size_t i = 0; i < len; i++)
		sum = (uint8_t)(sum + p[i]);
	return (uint8_t)(0 - sum);
}

static void sdt_header(uint8_t *t, const char sig[4], uint32_t len, uint8_t rev)
{
	memcpy(t, sig, 4);
	put_le32(t, 4, len);
	t[8] = rev;
	memcpy(t + 10, ACPI_OEM_ID, 6);
	memcpy(t + 16, ACPI_OEM_TABLE_ID, 8);
	put_le32(t, 24, 1); /* OEM revision */
	memcpy(t + 28, ACPI_CREATOR_ID, 4);
	put_le32(t, 32, 1); /* creator revision */
}

/* Call last, once every field of the table is written. */
static void sdt_finish(uint8_t *t)
{
	t[9] = 0;
	t[9] = acpi_checksum(t, get_le32(t, 4));
}

/* Generic Address Structure, I/O space.  Access size 0 ("undefined/legacy")
 * lets ACPICA derive the access width from bit_width, which is what it does
 * for the 32-bit fields anyway, so the two descriptions cannot disagree. */
static void gas_io(uint8_t *p, uint8_t bit_width, uint64_t port)
{
	p[0] = GAS_SYSTEM_IO;
	p[1] = bit_width;
	p[2] = 0;
	p[3] = 0;
	put_le64(p, 4, port);
}

/* Pad so that the next table starts at a guest address aligned to a. */
static size_t acpi_align(uint64_t gpa, size_t off, size_t a)
{
	return off + (size_t)((0 - (gpa + off)) & (a - 1));
}

static void build_fadt(uint8_t *t, const struct acpi_config *c, uint64_t facs,
		       uint64_t dsdt)
{
	uint32_t flags;

	sdt_header(t, "FACP", FADT_LEN, FADT_REVISION);
	/* The 32-bit pointers are filled only when they can hold the
	 * address; when both forms are present ACPICA wants them equal. */
	if (facs < SZ_4G && dsdt < SZ_4G) {
		put_le32(t, FADT_FIRMWARE_CTRL, (uint32_t)facs);
		put_le32(t, FADT_DSDT, (uint32_t)dsdt);
	}
	put_le16(t, FADT_SCI_INT, c->sci_irq);
	/* SMI_CMD = 0: there is no SMM to hand over from; ACPI says the
	 * platform is then always in ACPI mode, so Linux never tries an
	 * ACPI_ENABLE handshake. */
	put_le32(t, FADT_SMI_CMD, 0);

	put_le32(t, FADT_PM1A_EVT_BLK, c->pm_base);
	put_le32(t, FADT_PM1A_CNT_BLK, c->pm_base + PM1_CNT_OFFSET);
	put_le32(t, FADT_PM_TMR_BLK, c->pm_base + PM_TMR_OFFSET);
	t[FADT_PM1_EVT_LEN] = PM1_EVT_LEN;
	t[FADT_PM1_CNT_LEN] = PM1_CNT_LEN;
	t[FADT_PM_TMR_LEN] = PM_TMR_LEN;
	/* No GPE blocks: nothing raises general-purpose events. */

	/* Latencies above 100 / 1000 us mean "C2 / C3 not supported":
	 * there is no P_BLK, and a vCPU's idle is HLT (C1). */
	put_le16(t, FADT_P_LVL2_LAT, 0x0fff);
	put_le16(t, FADT_P_LVL3_LAT, 0x0fff);

	/* No VGA.  The 8042 bit stays clear: the machine decodes only the
	 * reset command on port 0x64, so Linux should not probe for a
	 * keyboard controller (reboot=k still writes 0xfe to 0x64).  The
	 * CMOS RTC is present, so "RTC not present" stays clear too. */
	put_le16(t, FADT_IAPC_BOOT_ARCH, IAPC_VGA_NOT_PRESENT);

	/* PWR_BUTTON/SLP_BUTTON set mean "no fixed-feature button": the PM
	 * device has no button status bits to report.  TMR_VAL_EXT stays
	 * clear: the PM timer is the classic 24-bit one. */
	flags = FADT_F_WBINVD | FADT_F_PROC_C1 | FADT_F_PWR_BUTTON |
		FADT_F_SLP_BUTTON | FADT_F_RESET_REG_SUP;
	put_le32(t, FADT_FLAGS, flags);
	/* Port 0xcf9 reset: Linux tries the ACPI reset register first on
	 * reboot and falls back to the keyboard controller if it is
	 * ignored, so it is harmless where the machine does not decode it. */
	gas_io(t + FADT_RESET_REG, 8, RESET_PORT);
	t[FADT_RESET_VALUE] = RESET_VALUE;

	put_le64(t, FADT_X_FIRMWARE_CTRL, facs);
	put_le64(t, FADT_X_DSDT, dsdt);
	gas_io(t + FADT_X_PM1A_EVT_BLK, PM1_EVT_LEN * 8, c->pm_base);
	gas_io(t + FADT_X_PM1A_CNT_BLK, PM1_CNT_LEN * 8,
	       c->pm_base + PM1_CNT_OFFSET);
	gas_io(t + FADT_X_PM_TMR_BLK, PM_TMR_LEN * 8,
	       c->pm_base + PM_TMR_OFFSET);
	sdt_finish(t);
}

static void build_facs(uint8_t *t)
{
	/* No checksum; waking vectors stay 0 (no S3). */
	memcpy(t, "FACS", 4);
	put_le32(t, 4, FACS_LEN);
	t[32] = 2; /* version: ACPI 4.0+ layout, 64-bit waking vector */
}

static void build_dsdt(uint8_t *t)
{
	uint32_t len = SDT_HDR_LEN + sizeof(dsdt_aml);

	/* Revision 2: AML integers are 64 bits wide. */
	sdt_header(t, "DSDT", len, 2);
	memcpy(t + SDT_HDR_LEN, dsdt_aml, sizeof(dsdt_aml));
	sdt_finish(t);
}

static size_t madt_len(unsigned ncpus)
{
	return MADT_FIXED_LEN + (size_t)ncpus * MADT_LAPIC_LEN +
	       MADT_IOAPIC_LEN + 2 * MADT_ISO_LEN;
}

static void madt_iso(uint8_t *p, uint8_t irq, uint32_t gsi, uint16_t flags)
{
	p[0] = MADT_ISO;
	p[1] = MADT_ISO_LEN;
	p[2] = 0; /* bus: ISA */
	p[3] = irq;
	put_le32(p, 4, gsi);
	put_le16(p, 8, flags);
}

static void build_madt(uint8_t *t, const struct acpi_config *c)
{
	size_t len = madt_len(c->ncpus);
	uint8_t *p = t + MADT_FIXED_LEN;

	/* Revision 3 (ACPI 5.0): older than the "online capable" flag of
	 * revision 5, so Linux counts exactly the enabled CPUs. */
	sdt_header(t, "APIC", (uint32_t)len, MADT_REVISION);
	put_le32(t, 36, (uint32_t)c->lapic_addr);
	put_le32(t, 40, MADT_PCAT_COMPAT);

	for (unsigned i = 0; i < c->ncpus; i++, p += MADT_LAPIC_LEN) {
		p[0] = MADT_LAPIC;
		p[1] = MADT_LAPIC_LEN;
		p[2] = (uint8_t)i; /* ACPI processor UID */
		p[3] = (uint8_t)i; /* APIC ID, as KVM numbers vCPUs */
		put_le32(p, 4, MADT_LAPIC_ENABLED);
	}

	p[0] = MADT_IOAPIC;
	p[1] = MADT_IOAPIC_LEN;
	p[2] = (uint8_t)c->ncpus; /* first ID no CPU uses */
	put_le32(p, 4, (uint32_t)c->ioapic_addr);
	put_le32(p, 8, 0); /* GSI base */
	p += MADT_IOAPIC_LEN;

	madt_iso(p, ISA_IRQ_TIMER, GSI_TIMER, MPS_INTI_FLAGS_DEFAULT);
	p += MADT_ISO_LEN;
	/* The SCI is level-triggered and active high: the machine asserts
	 * it by raising the IOAPIC input, as QEMU's PIIX4 PM does.  With no
	 * override Linux would use the ACPI default, level/active-low, and
	 * take the idle line for an asserted one. */
	madt_iso(p, c->sci_irq, c->sci_irq, MPS_INTI_HIGH_LEVEL);
	sdt_finish(t);
}

long acpi_build(const struct acpi_config *c, uint64_t gpa, uint8_t *buf,
		size_t buflen)
{
	size_t off_facs, off_xsdt, off_fadt, off_dsdt, off_madt, end;
	size_t xsdt_len = SDT_HDR_LEN + 8 * XSDT_ENTRIES;
	uint64_t last;

	if (!c || !buf || c->ncpus == 0 || c->ncpus > ACPI_MAX_CPUS)
		return -EINVAL;
	/* MADT address fields are 32 bits; PM blocks must fit in I/O space. */
	if (c->lapic_addr >= SZ_4G || c->ioapic_addr >= SZ_4G)
		return -EINVAL;
	if (c->pm_base == 0 ||
	    c->pm_base > 0xffff - PM_TMR_OFFSET - PM_TMR_LEN + 1)
		return -EINVAL;

	off_facs = acpi_align(gpa, RSDP_LEN, 64); /* FACS: 64-byte aligned */
	off_xsdt = acpi_align(gpa, off_facs + FACS_LEN, 16);
	off_fadt = acpi_align(gpa, off_xsdt + xsdt_len, 16);
	off_dsdt = acpi_align(gpa, off_fadt + FADT_LEN, 16);
	off_madt =
		acpi_align(gpa, off_dsdt + SDT_HDR_LEN + sizeof(dsdt_aml), 16);
	end = off_madt + madt_len(c->ncpus);

	if (end > buflen)
		return -ENOSPC;
	if (__builtin_add_overflow(gpa, end, &last))
		return -EOVERFLOW;

	memset(buf, 0, buflen);

	build_facs(buf + off_facs);
	build_dsdt(buf + off_dsdt);
	build_fadt(buf + off_fadt, c, gpa + off_facs, gpa + off_dsdt);
	build_madt(buf + off_madt, c);

	uint8_t *x = buf + off_xsdt;
	sdt_header(x, "XSDT", (uint32_t)xsdt_len, 1);
	put_le64(x, SDT_HDR_LEN, gpa + off_fadt);
	put_le64(x, SDT_HDR_LEN + 8, gpa + off_madt);
	sdt_finish(x);

	/* RSDP revision 2 with only an XSDT (RsdtAddress 0), as QEMU's
	 * microvm does: Linux uses the XSDT whenever the RSDP is 2.0+. */
	memcpy(buf, "RSD PTR ", 8);
	memcpy(buf + 9, ACPI_OEM_ID, 6);
	buf[15] = 2;
	put_le32(buf, 20, RSDP_LEN);
	put_le64(buf, 24, gpa + off_xsdt);
	buf[8] = acpi_checksum(buf, RSDP_V1_LEN);
	buf[32] = acpi_checksum(buf, RSDP_LEN);

	return (long)end;
}

/* ------------------------------------------------ QEMU fw_cfg table loader */

/*
 * OVMF's QEMU flavour installs ACPI tables only through fw_cfg's linker/
 * loader: "etc/table-loader" is a list of 128-byte commands that make the
 * firmware allocate the blobs ("etc/acpi/tables", "etc/acpi/rsdp"), patch
 * the pointers between them by the addresses it chose, and fix checksums.
 * The tables are the ones acpi_build() lays out at address 0, so every
 * pointer field holds its target's offset in the blob.
 */
#define LOADER_ENTRY_LEN 128
#define LOADER_FILE_LEN 56
#define LOADER_ALLOCATE 1
#define LOADER_ADD_POINTER 2
#define LOADER_ADD_CHECKSUM 3
#define LOADER_ZONE_HIGH 1
#define LOADER_ZONE_FSEG 2
#define LOADER_MAX_ENTRIES 32
#define ACPI_FWCFG_TABLES_MAX 0x10000

static uint8_t *loader_entry(struct acpi_fwcfg *f, uint32_t cmd)
{
	uint8_t *e = f->loader + f->loader_len;

	f->loader_len += LOADER_ENTRY_LEN;
	memset(e, 0, LOADER_ENTRY_LEN);
	put_le32(e, 0, cmd);
	return e + 4;
}

static void loader_allocate(struct acpi_fwcfg *f, const char *file,
			    uint32_t align, uint8_t zone)
{
	uint8_t *e = loader_entry(f, LOADER_ALLOCATE);

	strncpy((char *)e, file, LOADER_FILE_LEN - 1);
	put_le32(e, LOADER_FILE_LEN, align);
	e[LOADER_FILE_LEN + 4] = zone;
}

static void loader_pointer(struct acpi_fwcfg *f, const char *from,
			   const char *to, uint32_t off, uint8_t size)
{
	uint8_t *e = loader_entry(f, LOADER_ADD_POINTER);

	strncpy((char *)e, from, LOADER_FILE_LEN - 1);
	strncpy((char *)e + LOADER_FILE_LEN, to, LOADER_FILE_LEN - 1);
	put_le32(e, 2 * LOADER_FILE_LEN, off);
	e[2 * LOADER_FILE_LEN + 4] = size;
}

/* The firmware computes the checksum over a range that includes the
 * checksum byte, so that byte must be zero in the blob. */
static void loader_checksum(struct acpi_fwcfg *f, const char *file,
			    uint8_t *blob, uint32_t result, uint32_t start,
			    uint32_t len)
{
	uint8_t *e = loader_entry(f, LOADER_ADD_CHECKSUM);

	blob[result] = 0;
	strncpy((char *)e, file, LOADER_FILE_LEN - 1);
	put_le32(e, LOADER_FILE_LEN, result);
	put_le32(e, LOADER_FILE_LEN + 4, start);
	put_le32(e, LOADER_FILE_LEN + 8, len);
}

int acpi_fwcfg_build(const struct acpi_config *c, struct acpi_fwcfg *f,
		     char *err, size_t errlen)
{
	static const char tables[] = "etc/acpi/tables", rsdp[] = "etc/acpi/rsdp";
	uint32_t xsdt, xsdt_len, fadt = 0, n;
	long len;

	memset(f, 0, sizeof(*f));
	f->tables = calloc(1, ACPI_FWCFG_TABLES_MAX);
	f->loader = calloc(LOADER_MAX_ENTRIES, LOADER_ENTRY_LEN);
	if (!f->tables || !f->loader) {
		acpi_fwcfg_free(f);
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	len = acpi_build(c, 0, f->tables, ACPI_FWCFG_TABLES_MAX);
	if (len < 0) {
		acpi_fwcfg_free(f);
		snprintf(err, errlen, "cannot build ACPI tables for %u CPUs",
			 c->ncpus);
		return (int)len;
	}
	f->tables_len = (size_t)len;
	memcpy(f->rsdp, f->tables, RSDP_LEN);
	put_le32(f->rsdp, 16, 0); /* RsdtAddress: XSDT only */

	/* The walk trusts acpi_build(): it made every offset below. */
	xsdt = (uint32_t)get_le64(f->rsdp, 24);
	xsdt_len = get_le32(f->tables, xsdt + 4);
	n = (xsdt_len - SDT_HDR_LEN) / 8;
	if (n + 10 > LOADER_MAX_ENTRIES) {
		acpi_fwcfg_free(f);
		snprintf(err, errlen, "too many ACPI tables");
		return -E2BIG;
	}

	loader_allocate(f, tables, 64, LOADER_ZONE_HIGH);
	loader_allocate(f, rsdp, 16, LOADER_ZONE_FSEG);
	for (uint32_t i = 0; i < n; i++) {
		uint32_t t = (uint32_t)get_le64(f->tables,
						xsdt + SDT_HDR_LEN + 8 * i);

		loader_pointer(f, tables, tables, xsdt + SDT_HDR_LEN + 8 * i,
			       8);
		if (memcmp(f->tables + t, "FACP", 4) == 0)
			fadt = t;
	}
	if (fadt) {
		static const struct {
			uint32_t off;
			uint8_t size;
		} ptrs[] = { { FADT_FIRMWARE_CTRL, 4 },
			     { FADT_DSDT, 4 },
			     { FADT_X_FIRMWARE_CTRL, 8 },
			     { FADT_X_DSDT, 8 } };

		for (size_t i = 0; i < sizeof(ptrs) / sizeof(ptrs[0]); i++)
			if (get_le32(f->tables, fadt + ptrs[i].off))
				loader_pointer(f, tables, tables,
					       fadt + ptrs[i].off,
					       ptrs[i].size);
		/* The DSDT has a checksum too (the FACS has none). */
		uint32_t dsdt = get_le32(f->tables, fadt + FADT_DSDT);

		loader_checksum(f, tables, f->tables, dsdt + 9, dsdt,
				get_le32(f->tables, dsdt + 4));
	}
	for (uint32_t i = 0; i < n; i++) {
		uint32_t t = (uint32_t)get_le64(f->tables,
						xsdt + SDT_HDR_LEN + 8 * i);

		loader_checksum(f, tables, f->tables, t + 9, t,
				get_le32(f->tables, t + 4));
	}
	loader_checksum(f, tables, f->tables, xsdt + 9, xsdt, xsdt_len);
	loader_pointer(f, rsdp, tables, 24, 8);
	loader_checksum(f, rsdp, f->rsdp, 8, 0, RSDP_V1_LEN);
	loader_checksum(f, rsdp, f->rsdp, 32, 0, RSDP_LEN);
	return 0;
}

void acpi_fwcfg_free(struct acpi_fwcfg *f)
{
	free(f->tables);
	free(f->loader);
	f->tables = f->loader = NULL;
	f->tables_len = f->loader_len = 0;
}
