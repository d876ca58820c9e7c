// SPDX-License-Identifier: MIT
/* snp_cpuid_page_build (the SNP CPUID page) and vmsa_page. */
#include <errno.h>

#include "sev/sev.h"
#include "tests/unit/testutil.h"

#define ENTRY(i) (16 + 48 * (i))

START_TEST(layout_and_masking)
{
	const struct snp_cpuid_leaf l[] = {
		{ .function = 0, .eax = 0x10, .ebx = 0x68747541 },
		{ .function = 1, .eax = 0x800f12, .ecx = 0xffffffff },
		{ .function = 7, .index = 0, .ebx = 0xffffffff,
		  .edx = 0xffffffff },
		{ .function = 0xd, .index = 1, .ebx = 0x988, .eax = 0xf },
		{ .function = 0x80000008, .ebx = 0xffffffff },
		/* A leaf without sub-leaves: its index must not leak in. */
		{ .function = 0x80000001, .index = 7, .ecx = 0x1234 },
	};
	uint8_t page[4096];

	memset(page, 0xee, sizeof(page));
	ck_assert_int_eq(snp_cpuid_page_build(l, 6, page), 0);
	ck_assert_uint_eq(get_le32(page, 0), 6);
	ck_assert_uint_eq(get_le32(page, 4), 0);
	ck_assert_uint_eq(get_le64(page, 8), 0);
	/* leaf 0 as given */
	ck_assert_uint_eq(get_le32(page, ENTRY(0) + 0x18), 0x10);
	ck_assert_uint_eq(get_le32(page, ENTRY(0) + 0x1c), 0x68747541);
	/* leaf 1: TSC-deadline (ECX bit 24) cleared */
	ck_assert_uint_eq(get_le32(page, ENTRY(1) + 0x20), 0xfeffffff);
	ck_assert_uint_eq(get_le32(page, ENTRY(1) + 0x18), 0x800f12);
	/* leaf 7.0: TSC_ADJUST (EBX bit 1) and EDX bits 26-31 cleared */
	ck_assert_uint_eq(get_le32(page, ENTRY(2) + 0x1c), 0xfffffffd);
	ck_assert_uint_eq(get_le32(page, ENTRY(2) + 0x24), 0x03ffffff);
	/* leaf 0xd.1: xcr0_in 1, EBX 0x240, sub-leaf kept */
	ck_assert_uint_eq(get_le32(page, ENTRY(3) + 0x00), 0xd);
	ck_assert_uint_eq(get_le32(page, ENTRY(3) + 0x04), 1);
	ck_assert_uint_eq(get_le64(page, ENTRY(3) + 0x08), 1);
	ck_assert_uint_eq(get_le32(page, ENTRY(3) + 0x1c), 0x240);
	ck_assert_uint_eq(get_le32(page, ENTRY(3) + 0x18), 0xf);
	/* 0x80000008: VIRT_SSBD (EBX bit 25) cleared */
	ck_assert_uint_eq(get_le32(page, ENTRY(4) + 0x1c), 0xfdffffff);
	ck_assert_uint_eq(get_le32(page, ENTRY(5) + 0x04), 0);
	ck_assert_uint_eq(get_le32(page, ENTRY(5) + 0x20), 0x1234);
	/* reserved fields and everything after the last entry are zero */
	for (unsigned i = 0; i < 6; i++) {
		ck_assert_uint_eq(get_le64(page, ENTRY(i) + 0x10), 0);
		ck_assert_uint_eq(get_le64(page, ENTRY(i) + 0x28), 0);
	}
	for (size_t o = ENTRY(6); o < sizeof(page); o++)
		ck_assert_uint_eq(page[o], 0);
}
END_TEST

START_TEST(too_many_leaves)
{
	struct snp_cpuid_leaf l[70];
	uint8_t page[4096];

	memset(l, 0, sizeof(l));
	for (unsigned i = 0; i < 70; i++)
		l[i].function = 0x40000000 + i;
	ck_assert_int_eq(snp_cpuid_page_build(l, 70, page), -E2BIG);
	ck_assert_uint_eq(get_le32(page, 0), SNP_CPUID_MAX);
	ck_assert_uint_eq(get_le32(page, ENTRY(63)), 0x40000000 + 63);
	ck_assert_int_eq(snp_cpuid_page_build(l, 64, page), 0);
	ck_assert_uint_eq(get_le32(page, 0), 64);
}
END_TEST

/* vmsa_page lays out exactly what vmsa_build does from the same regs. */
START_TEST(vmsa_page_matches_build)
{
	struct vmsa_config c = { .vcpu_sig = 0x800f12,
				 .ap_reset_addr = 0x80b004,
				 .sev_features = 1,
				 .init2 = true };
	uint8_t a[VMSA_SIZE], b[VMSA_SIZE];
	struct vmsa_regs r;

	for (int bsp = 0; bsp < 2; bsp++) {
		vmsa_build(&c, bsp, a);
		vmsa_regs(&c, bsp, &r);
		vmsa_page(&r, b);
		ck_assert_mem_eq(a, b, VMSA_SIZE);
	}
	r.rip ^= 1;
	vmsa_page(&r, b);
	ck_assert_int_ne(memcmp(a, b, VMSA_SIZE), 0);
}
END_TEST

static Suite *cpuid_page_suite(void)
{
	Suite *s = suite_create("cpuid_page");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, layout_and_masking);
	tcase_add_test(tc, too_many_leaves);
	tcase_add_test(tc, vmsa_page_matches_build);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return run_suite(cpuid_page_suite());
}
