/* SPDX-License-Identifier: MIT */
/*
 * loader: files -> what the machine needs to boot them.
 *
 * Everything here is a pure function over bytes (the file_*() functions
 * are the exception: they turn a path into bytes, and they are the only
 * way sevboot reads a file a user names).  No function prints; each one that
 * can fail returns 0 or a negative errno and writes one human sentence into
 * err[errlen] that names the problem (the caller prefixes the input's name).
 */
#ifndef SEVBOOT_LOADER_H
#define SEVBOOT_LOADER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/util.h"

#define SZ_1K 0x400ULL
#define SZ_1M 0x100000ULL
#define SZ_1G 0x40000000ULL
#define SZ_4G 0x100000000ULL

/* ---------------------------------------------------------------- files */

struct blob {
	uint8_t *data; /* malloc'ed or mapped; NULL when len == 0 */
	size_t len;
	bool mapped; /* file_load(): a private read-only mapping of a copy */
};

/*
 * Read a whole regular file of at most max bytes.  Errors (with err filled):
 * -ENOENT missing, -EISDIR/-EINVAL not a regular file, -ENODATA empty,
 * -EFBIG larger than max, other -errno from open/read.
 */
int file_read(const char *path, size_t max, struct blob *out, char *err,
	      size_t errlen);
/* file_read(), and a file that group or others may access is refused
 * (-EACCES, "chmod 600 it"): for private keys. */
int file_read_private(const char *path, size_t max, struct blob *out, char *err,
		      size_t errlen);
/* len bytes at off of a regular file of any size (-ENODATA: it is
 * shorter); the same refusals as file_read(). */
int file_peek(const char *path, uint64_t off, void *buf, size_t len, char *err,
	      size_t errlen);
/*
 * Open an input stream: a regular file, a FIFO or a character device (a
 * terminal), without waiting for a FIFO's writer; the fd is returned in
 * blocking mode, for a reader that polls.  Anything else is refused
 * (-EISDIR, -EINVAL), or -errno from open() with err filled.
 */
int file_open_stream(const char *path, char *err, size_t errlen);
void blob_free(struct blob *b);
/*
 * Write len bytes to path whole or not at all: a fresh temporary file next
 * to it (mode, less the umask), written, synced, then renamed over path.
 * On failure nothing is left behind and an existing path is untouched.
 * 0, or -errno with err filled.
 */
int file_write_atomic(const char *path, const void *data, size_t len,
		      unsigned mode, char *err, size_t errlen);
/*
 * The same checks, but the bytes go to a private copy: a sealed memfd
 * (copied in the kernel, no slower than a read; the file must not change
 * while it is copied, -EIO), mapped private and read-only.  Nothing done
 * to the file afterwards (truncated, rewritten: a `cp` over it) reaches
 * the copy, which a mapping of the file itself would (SIGBUS past a new
 * end, new bytes elsewhere).  For kernel, initrd and firmware: served to
 * the guest for its whole life.
 */
int file_load(const char *path, size_t max, struct blob *out, char *err,
	      size_t errlen);
/* Forget the pages of a file_load() blob wholly inside [p, p + len): they
 * leave this process's memory and are read again from the copy if touched
 * again.  Only for memory that file_load() returned. */
void blob_release_pages(const uint8_t *p, size_t len);

/* Parse "512M", "4G", "65536K", "1073741824" (bytes).  Suffixes K M G T,
 * case-insensitive, optional "B"/"iB".  -EINVAL on syntax, -ERANGE on
 * overflow. */
int parse_size(const char *s, uint64_t *out);
/* n as parse_size() reads it back, in the largest unit that divides it
 * ("1M", "1536K", "1000"). */
void size_format(uint64_t n, char *buf, size_t len);

/* ----------------------------------------------------- memory layout/e820 */

/* Guest RAM below 4 GiB stops at the PCI hole; the rest lives above 4 GiB. */
#define LAYOUT_PCI_HOLE_START 0xc0000000ULL /* 3 GiB */
#define LAYOUT_MIN_RAM (16 * SZ_1M)
#define LAYOUT_MAX_RAM (1ULL << 40) /* 1 TiB */

struct mem_layout {
	uint64_t ram_size;
	uint64_t low_size;  /* RAM at [0, low_size) */
	uint64_t high_size; /* RAM at [4 GiB, 4 GiB + high_size) */
};

int mem_layout_init(uint64_t ram_size, struct mem_layout *out, char *err,
		    size_t errlen);

enum e820_type {
	E820_RAM = 1,
	E820_RESERVED = 2,
	E820_ACPI = 3,
	E820_NVS = 4,
};

struct e820_entry {
	uint64_t addr;
	uint64_t size;
	uint32_t type;
} __attribute__((packed)); /* 20 bytes: the boot_params and fw_cfg format */

#define E820_MAX 128

/* The map a firmware-less Linux sees (low memory holes, BIOS area reserved
 * for our ACPI tables).  Returns the entry count. */
unsigned e820_direct_boot(const struct mem_layout *l, struct e820_entry *e);
/* The map OVMF gets through fw_cfg "etc/e820" (RAM only, as QEMU does). */
unsigned e820_firmware(const struct mem_layout *l, struct e820_entry *e);

/* ------------------------------------------------------------------ OVMF */


enum ovmf_section_type {
	OVMF_SECTION_SNP_SEC_MEM = 1,
	OVMF_SECTION_SNP_SECRETS = 2,
	OVMF_SECTION_CPUID = 3,
	OVMF_SECTION_SVSM_CAA = 4,
	OVMF_SECTION_KERNEL_HASHES = 0x10,
};

struct ovmf_section {
	uint32_t gpa;
	uint32_t size;
	uint32_t type;
};

struct ovmf_entry {
	struct guid guid;
	uint32_t data_offset; /* file offset of the entry's data */
	uint16_t data_len;
};

#define OVMF_MAX_ENTRIES 32
#define OVMF_MAX_SECTIONS 32
#define OVMF_MAX_SIZE (16 * SZ_1M) /* flash window 0xff000000..4 GiB */

struct ovmf_info {
	uint64_t size;	   /* image size */
	uint64_t base_gpa; /* 4 GiB - size */

	bool has_table; /* footer GUID table found */
	uint16_t table_len; /* total table length, footer's 18 bytes included */
	unsigned nentries;
	/* In the order found: walking backwards from the footer. */
	struct ovmf_entry entries[OVMF_MAX_ENTRIES];

	bool has_reset_block; /* SEV-ES AP reset block */
	bool reset_block_legacy; /* found at the pre-table spot, no table */
	uint32_t reset_addr;
	bool has_hashes_entry; /* entry present (base/size may be 0) */
	uint32_t hashes_base, hashes_size;
	bool has_secret_entry;
	uint32_t secret_base, secret_size;
	bool has_sev_meta; /* ASEV metadata */
	uint32_t sev_meta_offset; /* distance from 4 GiB to the header */
	uint32_t sev_meta_version;
	unsigned nsections;
	struct ovmf_section sections[OVMF_MAX_SECTIONS];
	bool has_tdx_meta;
	uint32_t tdx_meta_offset;
};

/*
 * Parse an OVMF image: size rules (non-zero, multiple of 4 KiB, at most
 * OVMF_MAX_SIZE), the footer GUID table and the entries above, and the ASEV
 * metadata.  Every length and offset is bounds-checked.  A missing table is
 * not an error (has_table = false); a malformed one is (-EINVAL).
 */
int ovmf_parse(const uint8_t *img, size_t len, struct ovmf_info *out,
	       char *err, size_t errlen);
const char *ovmf_section_type_name(uint32_t type);
/* Human name of a footer-table GUID, or NULL if unknown. */
const char *ovmf_entry_name(const struct guid *g);

/* ------------------------------------------------------------- bzImage */

struct bzimage_info {
	uint8_t setup_sects;	/* 0 means 4 */
	uint16_t version;	/* boot protocol, e.g. 0x020f */
	uint8_t loadflags;
	uint16_t xloadflags;
	uint32_t initrd_addr_max;
	uint32_t kernel_alignment;
	bool relocatable;
	uint32_t cmdline_size;
	uint64_t pref_address;
	uint32_t init_size;
	size_t setup_len;	/* (setup_sects + 1) * 512 */
	size_t kernel_offset;	/* == setup_len: start of protected-mode code */
	size_t kernel_len;	/* len - setup_len */
};

/* Check magic (0xAA55 at 0x1fe, "HdrS" at 0x202), protocol >= 2.06, 64-bit
 * entry (XLF_KERNEL_64), setup size within the file. */
int bzimage_parse(const uint8_t *img, size_t len, struct bzimage_info *out,
		  char *err, size_t errlen);

/* ------------------------------------------------ direct boot (no firmware) */

/* Fixed low-memory addresses of the direct boot. */
#define BOOT_GDT_ADDR 0x500ULL
#define BOOT_ZERO_PAGE_ADDR 0x7000ULL
#define BOOT_PML4_ADDR 0x9000ULL /* PML4, PDPT, 4 PDs: 0x9000..0xefff */
#define BOOT_CMDLINE_ADDR 0x20000ULL
#define BOOT_CMDLINE_MAX 0x10000ULL
#define BOOT_ACPI_ADDR 0xe0000ULL /* RSDP + tables, reserved in e820 */
#define BOOT_ACPI_SIZE 0x20000ULL
#define BOOT_KERNEL_ADDR 0x100000ULL /* used when pref_address won't do */

/* One span of guest memory to fill.  data points into the input blobs or
 * into the boot_plan's own buffers; len bytes are copied to gpa. */
struct boot_region {
	uint64_t gpa;
	const uint8_t *data;
	size_t len;
	const char *what; /* "kernel", "initrd", "boot_params", ... */
};

/* Register state of the boot vCPU at the 64-bit entry, in plain terms;
 * vmm/ turns it into kvm_regs / kvm_sregs. */
struct boot_cpu_state {
	uint64_t rip, rsi, rsp, rflags;
	uint64_t cr0, cr3, cr4, efer;
	uint64_t gdt_base;
	uint16_t gdt_limit;
	uint16_t cs_sel, ds_sel; /* 0x10, 0x18 */
};

#define BOOT_MAX_REGIONS 16

struct boot_plan {
	unsigned nregions;
	struct boot_region regions[BOOT_MAX_REGIONS];
	struct boot_cpu_state cpu;
	uint64_t kernel_addr, initrd_addr;
	/* Buffers the regions point into. */
	uint8_t zero_page[4096];
	uint8_t page_tables[6 * 4096];
	uint8_t gdt[32];
	uint8_t acpi[BOOT_ACPI_SIZE];
	size_t acpi_len;
	char *cmdline; /* malloc'ed, NUL-terminated */
};

struct boot_config {
	const struct mem_layout *layout;
	unsigned ncpus;
	uint16_t pm_base; /* ACPI PM I/O base the machine decodes (0x600) */
	const uint8_t *kernel;
	size_t kernel_len;
	const uint8_t *initrd; /* may be NULL */
	size_t initrd_len;
	const char *cmdline; /* may be NULL: "" */
};

/*
 * Build the 64-bit boot protocol plan: kernel at pref_address (or
 * BOOT_KERNEL_ADDR when relocatable placement requires), initrd as high as
 * initrd_addr_max and low RAM allow, boot_params with e820 and cmdline,
 * identity page tables for the first 4 GiB (2 MiB pages), a flat GDT
 * (0x10 code64, 0x18 data) and ACPI tables (RSDP, XSDT, FADT, FACS, DSDT with
 * _S5, MADT with ncpus local APICs and the IOAPIC).  Checks everything fits.
 * On success the caller owns plan->cmdline (boot_plan_free()).
 */
int boot_plan_build(const struct boot_config *c, struct boot_plan *plan,
		    char *err, size_t errlen);
void boot_plan_free(struct boot_plan *plan);

/* ------------------------------------------------------------- ACPI */

struct acpi_config {
	unsigned ncpus;
	uint16_t pm_base;	/* PM1a_EVT at +0, PM1a_CNT at +4, PM_TMR +8 */
	uint8_t sci_irq;	/* 9 */
	uint64_t ioapic_addr;	/* 0xfec00000 */
	uint64_t lapic_addr;	/* 0xfee00000 */
};

/* Lay out RSDP, XSDT, FADT, FACS, DSDT, MADT in buf (zeroed first) as if buf
 * sits at guest address gpa; all pointers and checksums filled.  Returns the
 * bytes used, or a negative errno when buflen is too small. The RSDP is at
 * offset 0. */
long acpi_build(const struct acpi_config *c, uint64_t gpa, uint8_t *buf,
		size_t buflen);

/*
 * The same tables for firmware: QEMU's fw_cfg linker/loader form, which is
 * the only way OVMF's QEMU build takes ACPI tables.  Serve tables as
 * "etc/acpi/tables", rsdp as "etc/acpi/rsdp" and loader as
 * "etc/table-loader".
 */
struct acpi_fwcfg {
	uint8_t rsdp[36];
	uint8_t *tables; /* malloc'ed */
	size_t tables_len;
	uint8_t *loader; /* malloc'ed, 128-byte commands */
	size_t loader_len;
};
int acpi_fwcfg_build(const struct acpi_config *c, struct acpi_fwcfg *f,
		     char *err, size_t errlen);
void acpi_fwcfg_free(struct acpi_fwcfg *f);

/* ----------------------------------------------------------- fw_cfg data */

/* The pieces QEMU hands OVMF for a direct kernel boot (unpatched setup, as
 * QEMU does for SEV so the kernel hash equals the file's hash). */
struct fwcfg_kernel {
	const uint8_t *setup;
	size_t setup_len;
	const uint8_t *kernel;
	size_t kernel_len;
};
int fwcfg_kernel_split(const uint8_t *img, size_t len, struct fwcfg_kernel *k,
		       char *err, size_t errlen);

#endif
