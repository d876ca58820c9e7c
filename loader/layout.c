// SPDX-License-Identifier: MIT
/*
 * Guest RAM layout and the e820 maps derived from it.
 *
 * RAM below 4 GiB stops at the PCI hole (LAYOUT_PCI_HOLE_START), which
 * leaves room for the IOAPIC, the LAPIC and the firmware flash; whatever
 * does not fit below the hole is placed at 4 GiB, as on a PC.
 */
#include <errno.h>
#include <stdio.h>

#include "loader/loader.h"

#define PAGE_SIZE_4K 0x1000ULL

/* Real-mode memory ends where a PC's EBDA starts; the EBDA itself is
 * reserved even though we put nothing there, because Linux expects a
 * PC-shaped first megabyte. */
#define LOW_RAM_END 0x9fc00ULL
#define EBDA_END    0xa0000ULL
/* 0xa0000-0xe0000 (VGA window and option ROMs) is a hole: not listed. */
#define BIOS_AREA_START 0xe0000ULL

int mem_layout_init(uint64_t ram_size, struct mem_layout *out, char *err,
		    size_t errlen)
{
	if (ram_size < LAYOUT_MIN_RAM || ram_size > LAYOUT_MAX_RAM) {
		snprintf(err, errlen,
			 "RAM size %llu bytes is outside the supported range "
			 "of %llu MiB to %llu GiB",
			 (unsigned long long)ram_size,
			 (unsigned long long)(LAYOUT_MIN_RAM / SZ_1M),
			 (unsigned long long)(LAYOUT_MAX_RAM / SZ_1G));
		return -ERANGE;
	}
	if (ram_size % PAGE_SIZE_4K) {
		snprintf(err, errlen,
			 "RAM size %llu bytes is not a multiple of 4 KiB",
			 (unsigned long long)ram_size);
		return -EINVAL;
	}

	out->ram_size = ram_size;
	out->low_size = ram_size < LAYOUT_PCI_HOLE_START
				? ram_size
				: LAYOUT_PCI_HOLE_START;
	out->high_size = ram_size - out->low_size;
	return 0;
}

static unsigned e820_add(struct e820_entry *e, unsigned n, uint64_t addr,
			 uint64_t size, uint32_t type)
{
	e[n].addr = addr;
	e[n].size = size;
	e[n].type = type;
	return n + 1;
}

/*
 * The BIOS area 0xe0000-0xfffff holds our ACPI tables (BOOT_ACPI_ADDR) and
 * is reported as one reserved range rather than split into ACPI + reserved:
 * Linux finds the tables through boot_params.acpi_rsdp_addr and maps them
 * whatever their e820 type, it never gives the first megabyte to the page
 * allocator anyway, and "reserved" is what a real PC reports for its BIOS
 * ROM area (where the RSDP is traditionally found).  Type 3 (ACPI
 * reclaimable) would invite the kernel to reuse the range after parsing,
 * which buys nothing for 128 KiB and makes the map depend on the table
 * size.
 */
unsigned e820_direct_boot(const struct mem_layout *l, struct e820_entry *e)
{
	unsigned n = 0;

	n = e820_add(e, n, 0, LOW_RAM_END, E820_RAM);
	n = e820_add(e, n, LOW_RAM_END, EBDA_END - LOW_RAM_END, E820_RESERVED);
	n = e820_add(e, n, BIOS_AREA_START, SZ_1M - BIOS_AREA_START,
		     E820_RESERVED);
	if (l->low_size > SZ_1M)
		n = e820_add(e, n, SZ_1M, l->low_size - SZ_1M, E820_RAM);
	if (l->high_size)
		n = e820_add(e, n, SZ_4G, l->high_size, E820_RAM);
	return n;
}

/* OVMF carves out its own reservations; it only wants to know where RAM
 * is, exactly like QEMU's etc/e820. */
unsigned e820_firmware(const struct mem_layout *l, struct e820_entry *e)
{
	unsigned n = 0;

	n = e820_add(e, n, 0, l->low_size, E820_RAM);
	if (l->high_size)
		n = e820_add(e, n, SZ_4G, l->high_size, E820_RAM);
	return n;
}
