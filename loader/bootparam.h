/* SPDX-License-Identifier: MIT */
/*
 * Private to loader/: byte offsets of the bzImage setup header and of
 * struct boot_params (the "zero page"), from Documentation/arch/x86/boot.rst
 * and zero-page.rst.  The setup header sits at the same offset in the file
 * and in boot_params, so one set of offsets serves both.
 *
 * Fields are read and written through these little-endian helpers rather
 * than a packed struct so that an untrusted image is only ever accessed at
 * offsets the caller has bounds-checked.
 */
#ifndef SEVBOOT_LOADER_BOOTPARAM_H
#define SEVBOOT_LOADER_BOOTPARAM_H

#include "util/util.h"
#include <stddef.h>
#include <stdint.h>

/* struct boot_params, outside the setup header */
#define BP_ACPI_RSDP_ADDR    0x070 /* u64 */
#define BP_EXT_RAMDISK_IMAGE 0x0c0 /* u32 */
#define BP_EXT_RAMDISK_SIZE  0x0c4 /* u32 */
#define BP_EXT_CMD_LINE_PTR  0x0c8 /* u32 */
#define BP_E820_ENTRIES	     0x1e8 /* u8 */
#define BP_SENTINEL	     0x1ef /* u8 */
#define BP_HDR		     0x1f1 /* struct setup_header */
#define BP_HDR_LIMIT	     0x290 /* edd_mbr_sig_buffer: header ends by here */
#define BP_E820_TABLE	     0x2d0 /* 128 x 20 bytes */
#define BP_SIZE		     4096

/* struct setup_header, at its file / boot_params offset */
#define BZ_SETUP_SECTS		 0x1f1 /* u8 */
#define BZ_BOOT_FLAG		 0x1fe /* u16, 0xAA55 */
#define BZ_JUMP			 0x200 /* u16; byte 0x201 = header end - 0x202 */
#define BZ_HEADER		 0x202 /* "HdrS" */
#define BZ_VERSION		 0x206 /* u16 */
#define BZ_TYPE_OF_LOADER	 0x210 /* u8 */
#define BZ_LOADFLAGS		 0x211 /* u8 */
#define BZ_RAMDISK_IMAGE	 0x218 /* u32 */
#define BZ_RAMDISK_SIZE		 0x21c /* u32 */
#define BZ_HEAP_END_PTR		 0x224 /* u16 */
#define BZ_EXT_LOADER_VER	 0x226 /* u8 */
#define BZ_EXT_LOADER_TYPE	 0x227 /* u8 */
#define BZ_CMD_LINE_PTR		 0x228 /* u32 */
#define BZ_INITRD_ADDR_MAX	 0x22c /* u32 */
#define BZ_KERNEL_ALIGNMENT	 0x230 /* u32 */
#define BZ_RELOCATABLE		 0x234 /* u8 */
#define BZ_XLOADFLAGS		 0x236 /* u16 */
#define BZ_CMDLINE_SIZE		 0x238 /* u32 */
#define BZ_HARDWARE_SUBARCH	 0x23c /* u32 */
#define BZ_HARDWARE_SUBARCH_DATA 0x240 /* u64 */
#define BZ_SETUP_DATA		 0x250 /* u64 */
#define BZ_PREF_ADDRESS		 0x258 /* u64 */
#define BZ_INIT_SIZE		 0x260 /* u32 */

/* Every field bzimage_parse() reads lies below this. */
#define BZ_HDR_MIN_LEN (BZ_INIT_SIZE + 4)

/* The MADT describes xAPIC IDs 0..ncpus-1 plus the IOAPIC at ID ncpus; IDs
 * are 8 bits and 0xff is the broadcast ID (x2APIC entries would lift this;
 * nothing needs them yet). */
#define ACPI_MAX_CPUS 254

/* loadflags */
#define LOADED_HIGH   0x01
#define KEEP_SEGMENTS 0x40
#define CAN_USE_HEAP  0x80

/* xloadflags */
#define XLF_KERNEL_64 0x0001

#endif
