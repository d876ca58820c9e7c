// SPDX-License-Identifier: MIT
/*
 * Direct Linux boot through the 64-bit boot protocol
 * (Documentation/arch/x86/boot.rst, "64-bit Boot Protocol"): the vCPU starts
 * in long mode at the kernel's startup_64 with RSI pointing at boot_params,
 * so no real-mode code and no firmware run.
 *
 * Guest-physical map of the first megabyte (all fixed, see loader.h):
 *
 *   0x00500  GDT (32 bytes)
 *   0x07000  boot_params ("zero page")
 *   0x08000  initial stack, growing down from 0x9000
 *   0x09000  PML4, PDPT, 4 PDs (identity map of 0..4 GiB, 2 MiB pages)
 *   0x20000  command line
 *   0xe0000  ACPI tables
 *
 * The kernel goes at 1 MiB or above, the initrd as high as it may.  The
 * header is untrusted input: every address is computed with overflow
 * checks before it is compared with the RAM layout.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "loader/bootparam.h"
#include "loader/loader.h"

#define PAGE_4K 0x1000ULL
#define PAGE_2M 0x200000ULL

#define BOOT_STACK_TOP 0x9000ULL /* just below the page tables */

#define PTE_PRESENT (1ULL << 0)
#define PTE_WRITE   (1ULL << 1)
#define PTE_PS	    (1ULL << 7) /* 2 MiB page in a PD entry */

#define CR0_PE	 (1ULL << 0)
#define CR0_ET	 (1ULL << 4)
#define CR0_PG	 (1ULL << 31)
#define CR4_PAE	 (1ULL << 5)
#define EFER_LME (1ULL << 8)
#define EFER_LMA (1ULL << 10)

#define GDT_CODE64 0x00af9b000000ffffULL /* L=1, P, DPL0, exec/read, acc. */
#define GDT_DATA   0x00cf93000000ffffULL /* 4 GiB flat, P, read/write, acc. */
#define BOOT_CS	   0x10
#define BOOT_DS	   0x18

/* The setup code's heap end, relative to the real-mode base; unused by
 * the 64-bit entry but expected with CAN_USE_HEAP (boot.rst). */
#define HEAP_END_PTR 0xfe00

/* A "type_of_loader" of 0xff means a loader with no assigned ID. */
#define LOADER_TYPE_UNDEFINED 0xff

/* Platform facts the ACPI tables describe; the machine (vmm/) provides
 * exactly these. */
#define ACPI_SCI_IRQ 9
#define IOAPIC_ADDR  0xfec00000ULL
#define LAPIC_ADDR   0xfee00000ULL

_Static_assert(sizeof(((struct boot_plan *)0)->zero_page) == BP_SIZE,
	       "boot_params is one 4 KiB page");
_Static_assert(sizeof(struct e820_entry) * E820_MAX <= BP_SIZE - BP_E820_TABLE,
	       "the e820 table fits in boot_params");

static bool is_pow2(uint64_t x)
{
	return x && !(x & (x - 1));
}

/* Round up to a power-of-two alignment; false on overflow. */
static bool align_up(uint64_t x, uint64_t a, uint64_t *out)
{
	uint64_t t;

	if (__builtin_add_overflow(x, a - 1, &t))
		return false;
	*out = t & ~(a - 1);
	return true;
}

static uint64_t mib_round_up(uint64_t x)
{
	return x / SZ_1M + (x % SZ_1M ? 1 : 0);
}

static void plan_add(struct boot_plan *p, uint64_t gpa, const uint8_t *data,
		     size_t len, const char *what)
{
	struct boot_region *r = &p->regions[p->nregions++];

	r->gpa = gpa;
	r->data = data;
	r->len = len;
	r->what = what;
}

/*
 * Pick the load address of the protected-mode kernel.  The kernel needs
 * [addr, addr + span) free, where span = max(init_size, file bytes): it
 * decompresses in place up to init_size.  pref_address is the address the
 * kernel was linked for; a relocatable kernel that cannot have it goes to
 * the first kernel_alignment boundary at or above 1 MiB.
 */
static int place_kernel(const struct bzimage_info *bi,
			const struct mem_layout *l, uint64_t *addr,
			uint64_t *end, char *err, size_t errlen)
{
	uint64_t span =
		bi->init_size > bi->kernel_len ? bi->init_size : bi->kernel_len;
	uint64_t a, e;
	bool aligned_ok = true;

	if (bi->relocatable && !is_pow2(bi->kernel_alignment)) {
		snprintf(err, errlen,
			 "bad bzImage: kernel_alignment 0x%x is not a power "
			 "of two",
			 bi->kernel_alignment);
		return -EINVAL;
	}
	if (bi->relocatable)
		aligned_ok = !(bi->pref_address & (bi->kernel_alignment - 1));

	/* pref_address, when it lies in free low RAM (nothing below 1 MiB:
	 * that is where the boot structures and the BIOS area live). */
	a = bi->pref_address;
	if (aligned_ok && a >= BOOT_KERNEL_ADDR &&
	    !__builtin_add_overflow(a, span, &e) && e <= l->low_size) {
		*addr = a;
		*end = e;
		return 0;
	}
	if (!bi->relocatable) {
		if (__builtin_add_overflow(a, span, &e) ||
		    a < BOOT_KERNEL_ADDR || e > LAYOUT_PCI_HOLE_START) {
			snprintf(err, errlen,
				 "kernel is not relocatable and its preferred "
				 "range 0x%llx + 0x%llx (init_size) is not in "
				 "low RAM between 1 MiB and 3 GiB",
				 (unsigned long long)a,
				 (unsigned long long)span);
			return -EINVAL;
		}
		snprintf(err, errlen,
			 "kernel is not relocatable and needs RAM up to "
			 "0x%llx: the guest needs at least %llu MiB of RAM",
			 (unsigned long long)e,
			 (unsigned long long)mib_round_up(e));
		return -ENOMEM;
	}

	if (!align_up(BOOT_KERNEL_ADDR, bi->kernel_alignment, &a) ||
	    __builtin_add_overflow(a, span, &e) || e > LAYOUT_PCI_HOLE_START) {
		snprintf(err, errlen,
			 "kernel does not fit in low RAM: init_size 0x%x at "
			 "alignment 0x%x goes beyond the 3 GiB PCI hole",
			 bi->init_size, bi->kernel_alignment);
		return -EINVAL;
	}
	if (e > l->low_size) {
		snprintf(err, errlen,
			 "kernel needs 0x%llx bytes (init_size) at 0x%llx: the "
			 "guest needs at least %llu MiB of RAM",
			 (unsigned long long)span, (unsigned long long)a,
			 (unsigned long long)mib_round_up(e));
		return -ENOMEM;
	}
	*addr = a;
	*end = e;
	return 0;
}

/*
 * The initrd goes as high as both the kernel's initrd_addr_max and low RAM
 * allow (where it is least in the way of the decompressor and of KASLR),
 * page-aligned, and entirely above the kernel's init_size range.
 */
static int place_initrd(const struct bzimage_info *bi,
			const struct mem_layout *l, uint64_t kernel_end,
			size_t len, uint64_t *addr, char *err, size_t errlen)
{
	uint64_t limit = (uint64_t)bi->initrd_addr_max + 1;
	uint64_t top = limit < l->low_size ? limit : l->low_size;
	uint64_t floor, need, size;

	if (!align_up(kernel_end, PAGE_4K, &floor) ||
	    !align_up(len, PAGE_4K, &size) ||
	    __builtin_add_overflow(floor, size, &need)) {
		snprintf(err, errlen, "initrd of %zu bytes is too large", len);
		return -EINVAL;
	}
	if (need <= top) {
		*addr = (top - len) & ~(PAGE_4K - 1);
		return 0;
	}
	if (need > limit) {
		snprintf(err, errlen,
			 "initrd of %llu KiB does not fit between the kernel "
			 "(ending at 0x%llx) and the kernel's initrd_addr_max "
			 "0x%x",
			 (unsigned long long)(size / SZ_1K),
			 (unsigned long long)kernel_end, bi->initrd_addr_max);
		return -E2BIG;
	}
	if (need > LAYOUT_PCI_HOLE_START) {
		snprintf(err, errlen,
			 "initrd of %llu KiB does not fit between the kernel "
			 "(ending at 0x%llx) and the 3 GiB PCI hole",
			 (unsigned long long)(size / SZ_1K),
			 (unsigned long long)kernel_end);
		return -E2BIG;
	}
	snprintf(err, errlen,
		 "initrd of %llu KiB does not fit above the kernel (ending at "
		 "0x%llx) in %llu MiB of RAM: the guest needs at least %llu "
		 "MiB",
		 (unsigned long long)(size / SZ_1K),
		 (unsigned long long)kernel_end,
		 (unsigned long long)(l->ram_size / SZ_1M),
		 (unsigned long long)mib_round_up(need));
	return -ENOMEM;
}

static int copy_cmdline(const struct bzimage_info *bi, const char *s,
			char **out, char *err, size_t errlen)
{
	size_t len = strlen(s);

	/* boot.rst: cmdline_size is the maximum length without the
	 * terminating NUL. */
	if (len > bi->cmdline_size) {
		snprintf(err, errlen,
			 "command line of %zu bytes is longer than the "
			 "kernel's limit of %u",
			 len, bi->cmdline_size);
		return -E2BIG;
	}
	if (len + 1 > BOOT_CMDLINE_MAX) {
		snprintf(err, errlen,
			 "command line of %zu bytes does not fit in the "
			 "%llu-byte command line area",
			 len, (unsigned long long)BOOT_CMDLINE_MAX);
		return -E2BIG;
	}
	*out = malloc(len + 1);
	if (!*out) {
		snprintf(err, errlen, "out of memory for the command line");
		return -ENOMEM;
	}
	memcpy(*out, s, len + 1);
	return 0;
}

/* Identity map of 0..4 GiB with 2 MiB pages: it covers everything the
 * kernel touches before it builds its own tables, since all of it lies in
 * low RAM. */
static void build_page_tables(uint8_t *pt)
{
	const uint64_t pdpt = BOOT_PML4_ADDR + PAGE_4K;
	const uint64_t pd = BOOT_PML4_ADDR + 2 * PAGE_4K;

	put_le64(pt, 0, pdpt | PTE_PRESENT | PTE_WRITE);
	for (unsigned i = 0; i < 4; i++)
		put_le64(pt, PAGE_4K + i * 8,
			 (pd + i * PAGE_4K) | PTE_PRESENT | PTE_WRITE);
	for (unsigned i = 0; i < 4 * 512; i++)
		put_le64(pt, 2 * PAGE_4K + i * 8,
			 ((uint64_t)i * PAGE_2M) | PTE_PRESENT | PTE_WRITE |
				 PTE_PS);
}

static void build_gdt(uint8_t *gdt)
{
	memset(gdt, 0, 16); /* 0x00 null, 0x08 unused */
	put_le64(gdt, BOOT_CS, GDT_CODE64);
	put_le64(gdt, BOOT_DS, GDT_DATA);
}

static void build_zero_page(struct boot_plan *p, const struct boot_config *c,
			    const struct bzimage_info *bi, size_t initrd_len)
{
	uint8_t *zp = p->zero_page;
	struct e820_entry e820[E820_MAX];
	size_t hdr_end;
	unsigned n;

	memset(zp, 0, sizeof(p->zero_page));

	/* boot.rst: the header ends at 0x202 + the byte at 0x201 (the jump
	 * offset).  Copy no further than the header's room in boot_params
	 * and than the setup code the file actually has. */
	hdr_end = BZ_HEADER + (size_t)c->kernel[BZ_JUMP + 1];
	if (hdr_end > BP_HDR_LIMIT)
		hdr_end = BP_HDR_LIMIT;
	if (hdr_end > bi->setup_len)
		hdr_end = bi->setup_len;
	memcpy(zp + BP_HDR, c->kernel + BP_HDR, hdr_end - BP_HDR);

	zp[BZ_TYPE_OF_LOADER] = LOADER_TYPE_UNDEFINED;
	zp[BZ_EXT_LOADER_VER] = 0;
	zp[BZ_EXT_LOADER_TYPE] = 0;
	/* KEEP_SEGMENTS clear: the kernel loads its own segments. */
	zp[BZ_LOADFLAGS] =
		(uint8_t)((zp[BZ_LOADFLAGS] | LOADED_HIGH | CAN_USE_HEAP) &
			  ~KEEP_SEGMENTS);
	put_le16(zp, BZ_HEAP_END_PTR, HEAP_END_PTR);
	put_le32(zp, BZ_CMD_LINE_PTR, (uint32_t)BOOT_CMDLINE_ADDR);
	put_le32(zp, BP_EXT_CMD_LINE_PTR, (uint32_t)(BOOT_CMDLINE_ADDR >> 32));

	/* Fields a hostile header could use to send the kernel elsewhere:
	 * a setup_data chain pointer and a non-PC subarchitecture. */
	put_le64(zp, BZ_SETUP_DATA, 0);
	put_le32(zp, BZ_HARDWARE_SUBARCH, 0);
	put_le64(zp, BZ_HARDWARE_SUBARCH_DATA, 0);

	if (initrd_len) {
		put_le32(zp, BZ_RAMDISK_IMAGE, (uint32_t)p->initrd_addr);
		put_le32(zp, BP_EXT_RAMDISK_IMAGE,
			 (uint32_t)(p->initrd_addr >> 32));
		put_le32(zp, BZ_RAMDISK_SIZE, (uint32_t)initrd_len);
		put_le32(zp, BP_EXT_RAMDISK_SIZE,
			 (uint32_t)((uint64_t)initrd_len >> 32));
	}

	n = e820_direct_boot(c->layout, e820);
	zp[BP_E820_ENTRIES] = (uint8_t)n;
	memcpy(zp + BP_E820_TABLE, e820, n * sizeof(e820[0]));

	put_le64(zp, BP_ACPI_RSDP_ADDR, BOOT_ACPI_ADDR);
}

int boot_plan_build(const struct boot_config *c, struct boot_plan *plan,
		    char *err, size_t errlen)
{
	const struct mem_layout *l = c->layout;
	struct bzimage_info bi;
	uint64_t kernel_end = 0;
	size_t initrd_len = c->initrd ? c->initrd_len : 0;
	long acpi_len;
	int ret;

	memset(plan, 0, sizeof(*plan));

	if (!l || l->low_size < LAYOUT_MIN_RAM ||
	    l->low_size > LAYOUT_PCI_HOLE_START) {
		snprintf(err, errlen, "invalid memory layout for direct boot");
		return -EINVAL;
	}
	if (c->ncpus == 0 || c->ncpus > ACPI_MAX_CPUS) {
		snprintf(err, errlen,
			 "direct boot supports 1 to %u vCPUs, not %u",
			 ACPI_MAX_CPUS, c->ncpus);
		return -EINVAL;
	}

	ret = bzimage_parse(c->kernel, c->kernel_len, &bi, err, errlen);
	if (ret)
		return ret;
	ret = place_kernel(&bi, l, &plan->kernel_addr, &kernel_end, err,
			   errlen);
	if (ret)
		return ret;
	if (initrd_len) {
		ret = place_initrd(&bi, l, kernel_end, initrd_len,
				   &plan->initrd_addr, err, errlen);
		if (ret)
			return ret;
	}
	ret = copy_cmdline(&bi, c->cmdline ? c->cmdline : "", &plan->cmdline,
			   err, errlen);
	if (ret)
		return ret;

	struct acpi_config ac = {
		.ncpus = c->ncpus,
		.pm_base = c->pm_base,
		.sci_irq = ACPI_SCI_IRQ,
		.ioapic_addr = IOAPIC_ADDR,
		.lapic_addr = LAPIC_ADDR,
	};
	acpi_len =
		acpi_build(&ac, BOOT_ACPI_ADDR, plan->acpi, sizeof(plan->acpi));
	if (acpi_len < 0) {
		snprintf(err, errlen,
			 "cannot build ACPI tables for %u vCPUs with PM base "
			 "0x%x: %s",
			 c->ncpus, c->pm_base, strerror((int)-acpi_len));
		boot_plan_free(plan);
		return (int)acpi_len;
	}
	plan->acpi_len = (size_t)acpi_len;

	build_gdt(plan->gdt);
	build_page_tables(plan->page_tables);
	build_zero_page(plan, c, &bi, initrd_len);

	plan_add(plan, BOOT_GDT_ADDR, plan->gdt, sizeof(plan->gdt), "gdt");
	plan_add(plan, BOOT_PML4_ADDR, plan->page_tables,
		 sizeof(plan->page_tables), "page_tables");
	plan_add(plan, BOOT_ZERO_PAGE_ADDR, plan->zero_page,
		 sizeof(plan->zero_page), "boot_params");
	plan_add(plan, BOOT_CMDLINE_ADDR, (const uint8_t *)plan->cmdline,
		 strlen(plan->cmdline) + 1, "cmdline");
	plan_add(plan, BOOT_ACPI_ADDR, plan->acpi, plan->acpi_len, "acpi");
	plan_add(plan, plan->kernel_addr, c->kernel + bi.kernel_offset,
		 bi.kernel_len, "kernel");
	if (initrd_len)
		plan_add(plan, plan->initrd_addr, c->initrd, initrd_len,
			 "initrd");

	plan->cpu = (struct boot_cpu_state){
		/* startup_64 is 0x200 past the 32-bit entry at the start of
		 * the protected-mode code. */
		.rip = plan->kernel_addr + 0x200,
		.rsi = BOOT_ZERO_PAGE_ADDR,
		.rsp = BOOT_STACK_TOP,
		.rflags = 0x2, /* reserved bit 1; IF clear as boot.rst asks */
		.cr0 = CR0_PE | CR0_ET | CR0_PG,
		.cr3 = BOOT_PML4_ADDR,
		.cr4 = CR4_PAE,
		.efer = EFER_LME | EFER_LMA,
		.gdt_base = BOOT_GDT_ADDR,
		.gdt_limit = sizeof(plan->gdt) - 1,
		.cs_sel = BOOT_CS,
		.ds_sel = BOOT_DS,
	};
	return 0;
}

void boot_plan_free(struct boot_plan *plan)
{
	if (!plan)
		return;
	free(plan->cmdline);
	plan->cmdline = NULL;
}
