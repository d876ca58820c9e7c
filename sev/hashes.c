// SPDX-License-Identifier: MIT
/*
 * sev/hashes.c: the kernel hashes table of measured direct boot.
 *
 * The kernel, initrd and command line come through fw_cfg, outside the
 * measured firmware.  QEMU therefore measures a table of their SHA-256
 * hashes into the area the AmdSev OVMF names in its footer, and that
 * firmware refuses blobs whose hash differs.  The layout must be QEMU's to
 * the byte (PaddedSevHashTable, QEMU target/i386/sev.c
 * build_kernel_loader_hashes()), or the launch digest differs from what a
 * QEMU-launched guest reports.
 */
#include <errno.h>
#include <string.h>

#include <openssl/evp.h>

#include "sev/sev.h"

#define HASH_LEN  32
#define ENTRY_LEN (16 + 2 + HASH_LEN) /* GUID, u16 length, SHA-256 */

/* GUIDs as stored (EFI byte order: the first three fields little-endian). */
static const uint8_t guid_table[16] = {
	/* 9438d606-4f22-4cc9-b479-a793d411fd21 */
	0x06, 0xd6, 0x38, 0x94, 0x22, 0x4f, 0xc9, 0x4c,
	0xb4, 0x79, 0xa7, 0x93, 0xd4, 0x11, 0xfd, 0x21,
};
static const uint8_t guid_cmdline[16] = {
	/* 97d02dd8-bd20-4c94-aa78-e7714d36ab2a */
	0xd8, 0x2d, 0xd0, 0x97, 0x20, 0xbd, 0x94, 0x4c,
	0xaa, 0x78, 0xe7, 0x71, 0x4d, 0x36, 0xab, 0x2a,
};
static const uint8_t guid_initrd[16] = {
	/* 44baf731-3a2f-4bd7-9af1-41e29169781d */
	0x31, 0xf7, 0xba, 0x44, 0x2f, 0x3a, 0xd7, 0x4b,
	0x9a, 0xf1, 0x41, 0xe2, 0x91, 0x69, 0x78, 0x1d,
};
static const uint8_t guid_kernel[16] = {
	/* 4de79437-abd2-427f-b835-d5b172d2045b */
	0x37, 0x94, 0xe7, 0x4d, 0xd2, 0xab, 0x7f, 0x42,
	0xb8, 0x35, 0xd5, 0xb1, 0x72, 0xd2, 0x04, 0x5b,
};

_Static_assert(18 + 3 * ENTRY_LEN == SEV_HASHES_TABLE_LEN,
	       "SevHashTable is a header and three entries");
_Static_assert(SEV_HASHES_PADDED_LEN % 16 == 0 &&
		       SEV_HASHES_PADDED_LEN - SEV_HASHES_TABLE_LEN < 16,
	       "LAUNCH_UPDATE_DATA wants a multiple of 16 bytes");

static void put_u16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
}

/* One entry at p: GUID, length 50, SHA-256 of data.  0 or -ENOMEM. */
static int hash_entry(uint8_t *p, const uint8_t guid[16], const void *data,
		      size_t len)
{
	static const uint8_t nothing;

	memcpy(p, guid, 16);
	put_u16(p + 16, ENTRY_LEN);
	/* A NULL buffer is the empty file (no initrd); OpenSSL is given a
	 * valid pointer either way. */
	if (!EVP_Digest(data ? data : &nothing, data ? len : 0, p + 18, NULL,
			EVP_sha256(), NULL))
		return -ENOMEM;
	return 0;
}

int sev_hashes_table(const uint8_t *kernel, size_t kernel_len,
		     const uint8_t *initrd, size_t initrd_len,
		     const char *cmdline, uint8_t out[SEV_HASHES_PADDED_LEN])
{
	/* No --append: QEMU still passes (and hashes) an empty C string. */
	const char *cl = cmdline ? cmdline : "";
	uint8_t *p = out;
	int rc;

	memset(out, 0, SEV_HASHES_PADDED_LEN);
	memcpy(p, guid_table, 16);
	put_u16(p + 16, SEV_HASHES_TABLE_LEN);
	p += 18;
	/* The terminating NUL is part of what QEMU hashes. */
	rc = hash_entry(p, guid_cmdline, cl, strlen(cl) + 1);
	if (!rc)
		rc = hash_entry(p + ENTRY_LEN, guid_initrd, initrd, initrd_len);
	if (!rc)
		rc = hash_entry(p + 2 * ENTRY_LEN, guid_kernel, kernel,
				kernel_len);
	if (rc)
		memset(out, 0, SEV_HASHES_PADDED_LEN);
	return rc;
}
