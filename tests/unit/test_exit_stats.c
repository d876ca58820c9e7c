// SPDX-License-Identifier: MIT
/*
 * vmm/machine.c: -v's exit statistics.  Every KVM exit reason lands in one
 * kind (the reasons of include/uapi/linux/kvm.h), and the line lists the
 * kinds that occurred, in a fixed order, within the buffer it is given.
 */
#include <linux/kvm.h>

#include "tests/unit/testutil.h"
#include "util/kvm_uapi.h"
#include "vmm/vmm.h"

START_TEST(reasons_map_to_kinds)
{
	ck_assert_int_eq(vm_exit_kind_of(KVM_EXIT_IO), VM_EXIT_IO);
	ck_assert_int_eq(vm_exit_kind_of(KVM_EXIT_MMIO), VM_EXIT_MMIO);
	ck_assert_int_eq(vm_exit_kind_of(KVM_EXIT_HYPERCALL),
			 VM_EXIT_HYPERCALL);
	ck_assert_int_eq(vm_exit_kind_of(KVM_EXIT_MEMORY_FAULT),
			 VM_EXIT_MEMORY_FAULT);
	ck_assert_int_eq(vm_exit_kind_of(KVM_EXIT_INTR), VM_EXIT_INTR);
	ck_assert_int_eq(vm_exit_kind_of(KVM_EXIT_HLT), VM_EXIT_HLT);
	ck_assert_int_eq(vm_exit_kind_of(KVM_EXIT_SHUTDOWN), VM_EXIT_SHUTDOWN);
	ck_assert_int_eq(vm_exit_kind_of(KVM_EXIT_SYSTEM_EVENT),
			 VM_EXIT_SYSTEM_EVENT);
	/* What the loop reports as an error, and anything unknown. */
	ck_assert_int_eq(vm_exit_kind_of(KVM_EXIT_FAIL_ENTRY), VM_EXIT_OTHER);
	ck_assert_int_eq(vm_exit_kind_of(KVM_EXIT_INTERNAL_ERROR),
			 VM_EXIT_OTHER);
	ck_assert_int_eq(vm_exit_kind_of(0xffffffffu), VM_EXIT_OTHER);
	for (unsigned k = 0; k < VM_EXIT_KINDS; k++)
		ck_assert_str_ne(vm_exit_kind_name(k), "?");
	ck_assert_str_eq(vm_exit_kind_name(VM_EXIT_KINDS), "?");
}
END_TEST

START_TEST(format_lists_what_occurred)
{
	uint64_t k[VM_EXIT_KINDS] = {0};
	char buf[256];

	vm_exit_kinds_format(k, buf, sizeof(buf));
	ck_assert_str_eq(buf, "none");
	k[VM_EXIT_INTR] = 40;
	k[VM_EXIT_IO] = 12;
	k[VM_EXIT_MMIO] = 3;
	k[VM_EXIT_OTHER] = 18446744073709551615ULL;
	vm_exit_kinds_format(k, buf, sizeof(buf));
	ck_assert_str_eq(buf,
			 "io 12, mmio 3, intr 40, other 18446744073709551615");
}
END_TEST

START_TEST(format_stays_in_its_buffer)
{
	uint64_t k[VM_EXIT_KINDS] = {[VM_EXIT_IO] = 12, [VM_EXIT_MMIO] = 3};
	char buf[16];

	memset(buf, 'x', sizeof(buf));
	vm_exit_kinds_format(k, buf, 9);
	ck_assert_str_eq(buf, "io 12, m");
	ck_assert_int_eq(buf[9], 'x');
	vm_exit_kinds_format(k, buf, 1);
	ck_assert_str_eq(buf, "");
}
END_TEST

int main(void)
{
	Suite *s = suite_create("exit_stats");
	TCase *tc = tcase_create("core");
	SRunner *sr;
	int failed;

	tcase_add_test(tc, reasons_map_to_kinds);
	tcase_add_test(tc, format_lists_what_occurred);
	tcase_add_test(tc, format_stays_in_its_buffer);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
