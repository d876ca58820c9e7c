// SPDX-License-Identifier: MIT
/*
 * bzImage header parsing (Documentation/arch/x86/boot.rst).
 *
 * The image is untrusted: every field is read through a bounds-checked
 * helper after the length checks, and nothing here trusts a size from the
 * header without comparing it against the file length.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "loader/bootparam.h"
#include "loader/loader.h"

/*
 * What both the direct boot and the fw_cfg split need: a real-mode boot
 * sector with a setup header, and a setup size that lies within the file
 * with something after it.
 */
static int bz_check_split(const uint8_t *img, size_t len, uint8_t *sects,
			  size_t *setup_len, char *err, size_t errlen)
{
	if (!img || len == 0) {
		snprintf(err, errlen, "not a bzImage: the file is empty");
		return -EINVAL;
	}
	if (len < BZ_BOOT_FLAG + 2) {
		snprintf(err, errlen,
			 "not a bzImage: the %zu-byte file is too short to "
			 "hold a boot sector",
			 len);
		return -EINVAL;
	}
	if (get_le16(img, BZ_BOOT_FLAG) != 0xaa55) {
		snprintf(err, errlen,
			 "not a bzImage: no 0xAA55 boot flag at 0x1fe");
		return -EINVAL;
	}
	if (len < BZ_HEADER + 4 || memcmp(img + BZ_HEADER, "HdrS", 4) != 0) {
		snprintf(err, errlen,
			 "not a bzImage: no HdrS signature at 0x202");
		return -EINVAL;
	}
	if (len < BZ_HDR_MIN_LEN) {
		snprintf(err, errlen,
			 "bad bzImage: %zu bytes is too short for the setup "
			 "header (need at least %u)",
			 len, (unsigned)BZ_HDR_MIN_LEN);
		return -EINVAL;
	}

	/* boot.rst: "If this field is 0, the real value is 4." */
	uint8_t s = img[BZ_SETUP_SECTS] ? img[BZ_SETUP_SECTS] : 4;
	size_t slen = ((size_t)s + 1) * 512; /* at most 128 KiB: no overflow */

	if (slen > len) {
		snprintf(err, errlen,
			 "bad bzImage: setup code of %u sectors (%zu bytes) "
			 "extends past the end of the %zu-byte file",
			 s, slen, len);
		return -EINVAL;
	}
	if (slen == len) {
		snprintf(err, errlen,
			 "bad bzImage: no protected-mode kernel after the "
			 "%zu bytes of setup code",
			 slen);
		return -EINVAL;
	}
	*sects = s;
	*setup_len = slen;
	return 0;
}

int bzimage_parse(const uint8_t *img, size_t len, struct bzimage_info *out,
		  char *err, size_t errlen)
{
	struct bzimage_info bi;
	uint8_t sects;
	size_t setup_len;
	int ret;

	memset(out, 0, sizeof(*out));
	ret = bz_check_split(img, len, &sects, &setup_len, err, errlen);
	if (ret)
		return ret;

	memset(&bi, 0, sizeof(bi));
	bi.version = get_le16(img, BZ_VERSION);
	if (bi.version < 0x0206) {
		snprintf(err, errlen,
			 "unsupported bzImage: boot protocol %u.%02u is too "
			 "old (need 2.06 or newer)",
			 bi.version >> 8, bi.version & 0xff);
		return -EINVAL;
	}
	/* xloadflags only exists from 2.12 on; an older kernel cannot
	 * tell us it has a 64-bit entry point. */
	if (bi.version >= 0x020c)
		bi.xloadflags = get_le16(img, BZ_XLOADFLAGS);
	if (!(bi.xloadflags & XLF_KERNEL_64)) {
		snprintf(err, errlen,
			 "unsupported bzImage: no 64-bit entry point "
			 "(XLF_KERNEL_64 not set; boot protocol %u.%02u)",
			 bi.version >> 8, bi.version & 0xff);
		return -EINVAL;
	}

	bi.setup_sects = sects;
	bi.loadflags = img[BZ_LOADFLAGS];
	bi.initrd_addr_max = get_le32(img, BZ_INITRD_ADDR_MAX);
	bi.kernel_alignment = get_le32(img, BZ_KERNEL_ALIGNMENT);
	bi.relocatable = img[BZ_RELOCATABLE] != 0;
	bi.cmdline_size = get_le32(img, BZ_CMDLINE_SIZE);
	/* pref_address and init_size are 2.10 fields, always present
	 * here since 64-bit entry implies 2.12. */
	bi.pref_address = get_le64(img, BZ_PREF_ADDRESS);
	bi.init_size = get_le32(img, BZ_INIT_SIZE);
	bi.setup_len = setup_len;
	bi.kernel_offset = setup_len;
	bi.kernel_len = len - setup_len;

	*out = bi;
	return 0;
}

/*
 * QEMU hands OVMF the setup and the kernel as two fw_cfg items, split at
 * setup_len and otherwise byte-for-byte the file, so that the SEV kernel
 * hashes OVMF checks equal hashes of the file's two halves.  Only the
 * split has to be sound here; whether the kernel has a 64-bit entry is
 * for OVMF and the EFI stub to decide.
 */
int fwcfg_kernel_split(const uint8_t *img, size_t len, struct fwcfg_kernel *k,
		       char *err, size_t errlen)
{
	uint8_t sects;
	size_t setup_len;
	int ret;

	memset(k, 0, sizeof(*k));
	ret = bz_check_split(img, len, &sects, &setup_len, err, errlen);
	if (ret)
		return ret;
	k->setup = img;
	k->setup_len = setup_len;
	k->kernel = img + setup_len;
	k->kernel_len = len - setup_len;
	return 0;
}
