// SPDX-License-Identifier: MIT
/*
 * sev/cpuid_page.c: the SNP CPUID page.  An SNP guest cannot trust the
 * hypervisor's CPUID answers, so the firmware checks a table of them at
 * launch (SNP_LAUNCH_UPDATE, page type CPUID) and the guest reads its
 * CPUID from that page.  The firmware refuses values the CPU cannot
 * honour; the masking below is what QEMU found it needs
 * (target/i386/sev.c sev_snp_mask_cpuid_features()).
 */
#include <errno.h>
#include <string.h>

#include "sev/sev.h"
#include "util/util.h"

enum {
	CPUID_HDR = 0x10,  /* count u32, reserved u32, reserved u64 */
	CPUID_ENTRY = 48,  /* eax_in ecx_in xcr0_in xss_in eax ebx ecx edx rsvd */
};

#define LEAF1_ECX_TSC_DEADLINE (1u << 24)
#define LEAF7_EBX_TSC_ADJUST   (1u << 1)
/* SPEC_CTRL(26) STIBP(27) FLUSH_L1D(28) ARCH_CAPABILITIES(29)
 * CORE_CAPABILITY(30) SSBD(31). */
#define LEAF7_EDX_SPEC	       0xfc000000u
#define EXT8_EBX_VIRT_SSBD     (1u << 25)
#define XSAVE_LEGACY_SIZE      0x240 /* legacy area + header: x87 only */

/* Leaves whose sub-leaf (ECX) selects the answer. */
static bool leaf_indexed(uint32_t fn)
{
	return fn == 0x4 || fn == 0x7 || fn == 0xb || fn == 0xd ||
	       fn == 0xf || fn == 0x10 || fn == 0x12 || fn == 0x14 ||
	       fn == 0x17 || fn == 0x18 || fn == 0x1d || fn == 0x1e ||
	       fn == 0x1f || fn == 0x20 || fn == 0x24 ||
	       fn == 0x8000001d || fn == 0x80000020 || fn == 0x80000026;
}

int snp_cpuid_page_build(const struct snp_cpuid_leaf *l, unsigned n,
			 uint8_t page[4096])
{
	unsigned count = 0;
	int ret = 0;

	memset(page, 0, 4096);
	for (unsigned i = 0; i < n; i++) {
		uint8_t *e = page + CPUID_HDR + count * CPUID_ENTRY;
		uint32_t eax = l[i].eax, ebx = l[i].ebx, ecx = l[i].ecx,
			 edx = l[i].edx;
		uint64_t xcr0_in = 0;

		if (count == SNP_CPUID_MAX) {
			ret = -E2BIG;
			break;
		}
		switch (l[i].function) {
		case 0x1:
			ecx &= ~LEAF1_ECX_TSC_DEADLINE;
			break;
		case 0x7:
			if (l[i].index == 0) {
				ebx &= ~LEAF7_EBX_TSC_ADJUST;
				edx &= ~LEAF7_EDX_SPEC;
			}
			break;
		case 0xd:
			/* The guest's XSAVE size for xcr0_in = x87 only. */
			if (l[i].index == 0 || l[i].index == 1) {
				xcr0_in = 1;
				ebx = XSAVE_LEGACY_SIZE;
			}
			break;
		case 0x80000008:
			ebx &= ~EXT8_EBX_VIRT_SSBD;
			break;
		}
		put_le32(e, 0x00, l[i].function);
		put_le32(e, 0x04,
			 leaf_indexed(l[i].function) ? l[i].index : 0);
		put_le64(e, 0x08, xcr0_in);
		put_le64(e, 0x10, 0);
		put_le32(e, 0x18, eax);
		put_le32(e, 0x1c, ebx);
		put_le32(e, 0x20, ecx);
		put_le32(e, 0x24, edx);
		count++;
	}
	put_le32(page, 0, count);
	return ret;
}
