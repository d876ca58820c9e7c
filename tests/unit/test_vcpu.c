// SPDX-License-Identifier: MIT
/*
 * vmm/vcpu.c's exit handling (vcpu_handle_exit) on a machine without
 * KVM: what a guest or a broken run page can put in struct kvm_run is
 * refused without touching memory outside the run page.  The malformed
 * I/O case is the one fuzz_vcpu found: the handler formed run +
 * data_offset before checking the offset (undefined behaviour, reported
 * by the UBSan build, `make unit-asan`).
 */
#include <errno.h>
#include <signal.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>

#include "tests/unit/testutil.h"
#include "util/kvm_uapi.h"
#include "vmm/machine.h"

#define RUN_SIZE (3 * 4096)

struct rig {
	struct machine m;
	struct vm_config cfg;
	struct vcpu v;
	_Alignas(4096) uint8_t run[RUN_SIZE];
	uint8_t ram[4 * 4096];
};

static struct rig *rig_new(void)
{
	/* aligned_alloc: the run page is page aligned, as KVM maps it. */
	struct rig *r = aligned_alloc(4096, sizeof(*r));

	ck_assert_ptr_nonnull(r);
	memset(r, 0, sizeof(*r));
	signal(MACHINE_WAKE_SIGNAL, SIG_IGN);
	r->m.cfg = &r->cfg;
	r->m.kvm_fd = r->m.vm_fd = -1;
	r->m.main_thread = pthread_self();
	pthread_mutex_init(&r->m.stop_lock, NULL);
	bus_init(&r->m.io);
	bus_init(&r->m.mmio);
	r->m.slots[0] = (struct mem_slot){.gpa = 0x100000,
					  .size = sizeof(r->ram),
					  .hva = r->ram,
					  .gmem_fd = -1};
	r->m.nslots = 1;
	r->v = (struct vcpu){.m = &r->m,
			     .fd = -1,
			     .run = (struct kvm_run *)r->run,
			     .run_size = RUN_SIZE};
	return r;
}

static void rig_free(struct rig *r)
{
	pthread_mutex_destroy(&r->m.stop_lock);
	free(r);
}

START_TEST(io_exit_with_wild_data_offset_stops_the_machine)
{
	struct rig *r = rig_new();
	struct kvm_run *run = r->v.run;

	run->exit_reason = KVM_EXIT_IO;
	run->io.direction = KVM_EXIT_IO_OUT;
	run->io.size = 1;
	run->io.port = 0x3f8;
	run->io.count = 1;
	run->io.data_offset = 0xff00000000000000ULL;
	ck_assert_int_eq(vcpu_handle_exit(&r->v, 0, 0), 0);
	ck_assert_int_eq(atomic_load(&r->m.stopped), VM_STOP_ERROR);
	ck_assert_ptr_nonnull(strstr(r->m.stop_detail, "malformed I/O exit"));
	rig_free(r);
}
END_TEST

START_TEST(io_exit_count_past_the_run_page_stops_the_machine)
{
	struct rig *r = rig_new();
	struct kvm_run *run = r->v.run;

	run->exit_reason = KVM_EXIT_IO;
	run->io.size = 4;
	run->io.count = 1024; /* 4 KiB from the last page: past the end */
	run->io.data_offset = 2 * 4096 + 4;
	ck_assert_int_eq(vcpu_handle_exit(&r->v, 0, 0), 0);
	ck_assert_int_eq(atomic_load(&r->m.stopped), VM_STOP_ERROR);
	rig_free(r);
}
END_TEST

/* Data overlapping struct kvm_run itself: an IN would rewrite the exit's
 * own count and port under the loop (found by fuzz_vcpu: the handler
 * then ran past the run page). */
START_TEST(io_data_over_the_run_struct_is_refused)
{
	struct rig *r = rig_new();
	struct kvm_run *run = r->v.run;

	memset(r->ram, 0, sizeof(r->ram));
	run->exit_reason = KVM_EXIT_IO;
	run->io.direction = KVM_EXIT_IO_IN;
	run->io.size = 8;
	run->io.port = 0x1234; /* nobody decodes it: reads as 0xff */
	run->io.data_offset = offsetof(struct kvm_run, io);
	run->io.count = 2;
	ck_assert_int_eq(vcpu_handle_exit(&r->v, 0, 0), 0);
	ck_assert_int_eq(atomic_load(&r->m.stopped), VM_STOP_ERROR);
	ck_assert_ptr_nonnull(strstr(r->m.stop_detail, "malformed I/O exit"));
	/* Nothing past the run page was written. */
	for (size_t k = 0; k < sizeof(r->ram); k++)
		ck_assert_uint_eq(r->ram[k], 0);
	rig_free(r);
}
END_TEST

/* A guest probing every port gets at most MACHINE_PORTS_NAMED lines from
 * -v, then one saying the rest are not named (the hostile guest's storm
 * made thousands). */
START_TEST(unhandled_ports_named_a_bounded_number_of_times)
{
	struct rig *r = rig_new();
	struct kvm_run *run = r->v.run;
	FILE *log = tmpfile();
	char line[256];
	int saved = dup(STDERR_FILENO), named = 0, more = 0;

	ck_assert_ptr_nonnull(log);
	r->cfg.verbose = true;
	fflush(stderr);
	ck_assert_int_ge(dup2(fileno(log), STDERR_FILENO), 0);
	for (unsigned p = 0; p < 500; p++) {
		run->exit_reason = KVM_EXIT_IO;
		run->io.direction = KVM_EXIT_IO_OUT;
		run->io.size = 1;
		run->io.port = 0x4000 + (p % 250); /* each twice */
		run->io.count = 1;
		run->io.data_offset = 4096;
		ck_assert_int_eq(vcpu_handle_exit(&r->v, 0, 0), 0);
	}
	fflush(stderr);
	dup2(saved, STDERR_FILENO);
	close(saved);
	rewind(log);
	while (fgets(line, sizeof(line), log)) {
		named += strstr(line, "unhandled port 0x") != NULL;
		more += strstr(line, "more unhandled ports") != NULL;
	}
	fclose(log);
	ck_assert_int_eq(named, MACHINE_PORTS_NAMED);
	ck_assert_int_eq(more, 1);
	ck_assert_int_eq(atomic_load(&r->m.stopped), VM_RUNNING);
	rig_free(r);
}
END_TEST

START_TEST(hypercall_outside_ram_is_refused_to_the_guest)
{
	struct rig *r = rig_new();
	struct kvm_run *run = r->v.run;

	run->exit_reason = KVM_EXIT_HYPERCALL;
	run->hypercall.nr = KVM_HC_MAP_GPA_RANGE;
	run->hypercall.args[0] = 0x100000;
	run->hypercall.args[1] = 4; /* pages: all of RAM */
	ck_assert_int_eq(vcpu_handle_exit(&r->v, 0, 0), 0);
	ck_assert_uint_eq(run->hypercall.ret, 0);

	run->hypercall.args[1] = 5; /* one page past RAM */
	ck_assert_int_eq(vcpu_handle_exit(&r->v, 0, 0), 0);
	ck_assert_uint_eq(run->hypercall.ret, (uint64_t)-KVM_EINVAL);

	run->hypercall.nr = 1; /* not one sevboot serves */
	ck_assert_int_eq(vcpu_handle_exit(&r->v, 0, 0), 0);
	ck_assert_uint_eq(run->hypercall.ret, (uint64_t)-KVM_ENOSYS);
	ck_assert_int_eq(atomic_load(&r->m.stopped), VM_RUNNING);
	rig_free(r);
}
END_TEST

START_TEST(failed_kvm_run_ends_the_thread_and_says_why)
{
	struct rig *r = rig_new();

	ck_assert_int_eq(vcpu_handle_exit(&r->v, -1, EINTR), 0);
	ck_assert_int_eq(atomic_load(&r->m.stopped), VM_RUNNING);
	ck_assert_int_eq(vcpu_handle_exit(&r->v, -1, EIO), -EIO);
	ck_assert_int_eq(atomic_load(&r->m.stopped), VM_STOP_ERROR);
	ck_assert_ptr_nonnull(strstr(r->m.stop_detail, "KVM_RUN on vCPU 0"));
	rig_free(r);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("vcpu");
	TCase *tc = tcase_create("vcpu");

	tcase_add_test(tc, io_exit_with_wild_data_offset_stops_the_machine);
	tcase_add_test(tc, io_exit_count_past_the_run_page_stops_the_machine);
	tcase_add_test(tc, io_data_over_the_run_struct_is_refused);
	tcase_add_test(tc, unhandled_ports_named_a_bounded_number_of_times);
	tcase_add_test(tc, hypercall_outside_ram_is_refused_to_the_guest);
	tcase_add_test(tc, failed_kvm_run_ends_the_thread_and_says_why);
	suite_add_tcase(s, tc);
	return run_suite(s);
}
