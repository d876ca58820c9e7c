// SPDX-License-Identifier: MIT
/*
 * vmm/cvm.c and vmm/memory.c: what an SNP guest asks of the machine is
 * checked before use (MAP_GPA_RANGE's size and range, memory-fault
 * exits, SEV_TERM's data), and a conversion frees the half that no longer
 * backs the range.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/stat.h>

#include "tests/unit/testutil.h"
#include "util/kvm_uapi.h"
#include "vmm/machine.h"

#define PSC_2M KVM_MAP_GPA_RANGE_PAGE_SZ_2M
#define TO_PRIVATE KVM_MAP_GPA_RANGE_ENCRYPTED

/* args[1] counts 4 KiB pages: a 2 MiB page-state change of one entry is
 * 512 pages, not 512 * 2 MiB (the kernel's snp_begin_psc()). */
START_TEST(map_gpa_counts_4k_pages)
{
	const uint64_t one_2m[3] = { 0x200000, 512, PSC_2M | TO_PRIVATE };
	const uint64_t swiotlb[3] = { 0x4000000, 16384, PSC_2M };
	uint64_t gpa, size;
	bool priv;

	ck_assert_int_eq(cvm_map_gpa_args(one_2m, &gpa, &size, &priv), 0);
	ck_assert_uint_eq(gpa, 0x200000);
	ck_assert_uint_eq(size, 2 << 20);
	ck_assert(priv);
	/* A 64 MiB SWIOTLB shared with 2 MiB entries is 64 MiB. */
	ck_assert_int_eq(cvm_map_gpa_args(swiotlb, &gpa, &size, &priv), 0);
	ck_assert_uint_eq(size, 64ULL << 20);
	ck_assert(!priv);
}
END_TEST

START_TEST(map_gpa_refuses_bad_ranges)
{
	static const uint64_t bad[][3] = {
		{ 0x1001, 1, 0 },		    /* misaligned */
		{ 0x1000, 0, 0 },		    /* empty */
		{ 0x1000, CVM_MAP_GPA_MAX_PAGES + 1, 0 }, /* > 1 TiB */
		{ 0xfffffffffffff000ULL, 2, 0 },    /* wraps */
		{ 0, UINT64_MAX, 0 },
	};
	uint64_t gpa, size;
	bool priv;

	for (size_t k = 0; k < sizeof(bad) / sizeof(bad[0]); k++)
		ck_assert_msg(cvm_map_gpa_args(bad[k], &gpa, &size, &priv) ==
				      -EINVAL,
			      "case %zu", k);
}
END_TEST

/* A range the guest names must lie in guest RAM before KVM hears of it. */
START_TEST(map_gpa_range_must_be_ram)
{
	struct machine m = { 0 };
	uint8_t ram[4 * 4096];
	const uint64_t in[3] = { 0x100000, 4, 0 };
	const uint64_t past[3] = { 0x100000, 5, 0 };
	const uint64_t far[3] = { 0x10000000000ULL, 1, 0 };
	uint64_t gpa, size;
	bool priv;

	m.slots[0] = (struct mem_slot){ .gpa = 0x100000, .size = sizeof(ram),
					.hva = ram, .gmem_fd = -1 };
	m.nslots = 1;
	ck_assert_int_eq(cvm_map_gpa_args(in, &gpa, &size, &priv), 0);
	ck_assert_ptr_nonnull(machine_gpa_ptr(&m, gpa, size));
	ck_assert_int_eq(cvm_map_gpa_args(past, &gpa, &size, &priv), 0);
	ck_assert_ptr_null(machine_gpa_ptr(&m, gpa, size));
	ck_assert_int_eq(cvm_map_gpa_args(far, &gpa, &size, &priv), 0);
	ck_assert_ptr_null(machine_gpa_ptr(&m, gpa, size));
}
END_TEST

START_TEST(memory_fault_only_efault_with_known_flags_converts)
{
	char why[160];

	ck_assert_int_eq(cvm_memory_fault_check(EFAULT, 0, why, sizeof(why)),
			 0);
	ck_assert_int_eq(cvm_memory_fault_check(EFAULT,
						KVM_MEMORY_EXIT_FLAG_PRIVATE,
						why, sizeof(why)),
			 0);
	ck_assert_int_eq(cvm_memory_fault_check(EHWPOISON,
						KVM_MEMORY_EXIT_FLAG_PRIVATE,
						why, sizeof(why)),
			 -EHWPOISON);
	ck_assert_ptr_nonnull(strstr(why, "poisoned"));
	ck_assert_int_eq(cvm_memory_fault_check(EFAULT, 1ULL << 5, why,
						sizeof(why)),
			 -EPROTO);
	ck_assert_ptr_nonnull(strstr(why, "0x20"));
}
END_TEST

START_TEST(sev_term_msr_and_ghcb)
{
	char buf[120];

	/* MSR protocol: 0x100 | set 1 << 12 | code 3 << 16. */
	cvm_sev_term_describe(0x31100, buf, sizeof(buf));
	ck_assert_str_eq(buf, "GHCB reason set 1, code 3");
	/* GHCB protocol: data[0] is the GHCB's address, not a reason. */
	cvm_sev_term_describe(0x7ffe1000, buf, sizeof(buf));
	ck_assert_ptr_nonnull(strstr(buf, "GHCB at 0x7ffe1000"));
	ck_assert_ptr_null(strstr(buf, "reason set"));
}
END_TEST

/* REG_REGION pins all guest RAM against RLIMIT_MEMLOCK: raise the soft
 * limit when the hard one is enough, refuse with the number otherwise. */
START_TEST(memlock_raised_or_refused_with_the_number)
{
	const uint64_t need = 600ULL << 20, inf = RLIM_INFINITY;
	uint64_t soft;
	char why[400] = "";

	/* Debian's default 8 MiB soft, unlimited hard: raise. */
	ck_assert_int_eq(cvm_memlock_plan(need, 8 << 20, inf, false, &soft,
					  why, sizeof(why)),
			 0);
	ck_assert_uint_eq(soft, inf);
	/* Enough already, or CAP_IPC_LOCK: leave it. */
	ck_assert_int_eq(cvm_memlock_plan(need, 1ULL << 30, 1ULL << 30, false,
					  &soft, why, sizeof(why)),
			 0);
	ck_assert_uint_eq(soft, 1ULL << 30);
	ck_assert_int_eq(cvm_memlock_plan(need, 8 << 20, 8 << 20, true, &soft,
					  why, sizeof(why)),
			 0);
	ck_assert_uint_eq(soft, 8 << 20);
	/* Hard limit too low: refused before the launch, with the number. */
	ck_assert_int_eq(cvm_memlock_plan(need, 8 << 20, 64 << 20, false,
					  &soft, why, sizeof(why)),
			 -ENOMEM);
	ck_assert_ptr_nonnull(strstr(why, "needs 600 MiB"));
	ck_assert_ptr_nonnull(strstr(why, "hard limit 64 MiB"));
	ck_assert_ptr_nonnull(strstr(why, "ulimit -l 614400"));
	ck_assert_ptr_nonnull(strstr(why, "CAP_IPC_LOCK"));
}
END_TEST

/* Guest RAM never reaches a core file: its mapping carries VM_DONTDUMP
 * ("dd" in /proc/self/smaps). */
START_TEST(guest_ram_is_not_dumped)
{
	uint8_t *p = mem_map_ram(64 << 20);
	char line[512], want[32];
	bool in = false, dd = false;
	FILE *f;

	ck_assert_ptr_nonnull(p);
	snprintf(want, sizeof(want), "%lx-", (unsigned long)(uintptr_t)p);
	f = fopen("/proc/self/smaps", "r");
	ck_assert_ptr_nonnull(f);
	while (fgets(line, sizeof(line), f)) {
		if (strchr(line, '-') && strchr(line, '-') < strchr(line, ' '))
			in = !strncmp(line, want, strlen(want));
		if (in && !strncmp(line, "VmFlags:", 8))
			dd = strstr(line, " dd") != NULL;
	}
	fclose(f);
	ck_assert_msg(dd, "guest RAM at %p is not marked VM_DONTDUMP", p);
	munmap(p, 64 << 20);
}
END_TEST

static unsigned resident_pages(const uint8_t *p, size_t len)
{
	unsigned char vec[64];
	unsigned n = 0;

	ck_assert_uint_le(len / 4096, sizeof(vec));
	ck_assert_int_eq(mincore((void *)p, len, vec), 0);
	for (size_t k = 0; k < len / 4096; k++)
		n += vec[k] & 1;
	return n;
}

/* Going private drops the shared pages; going shared punches the
 * guest_memfd (a memfd stands in for it: both are shmem-backed files). */
START_TEST(conversion_releases_the_other_half)
{
	enum { PAGES = 16, LEN = PAGES * 4096 };
	struct machine m = { 0 };
	struct stat st;
	uint8_t *hva = mmap(NULL, LEN, PROT_READ | PROT_WRITE,
			    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	int fd = memfd_create("gmem", 0);

	ck_assert_ptr_ne(hva, MAP_FAILED);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(ftruncate(fd, LEN), 0);
	ck_assert_int_eq(fallocate(fd, 0, 0, LEN), 0);
	memset(hva, 0xaa, LEN);
	m.slots[0] = (struct mem_slot){ .gpa = 0x800000, .size = LEN,
					.hva = hva, .gmem_fd = fd };
	m.nslots = 1;

	ck_assert_uint_eq(resident_pages(hva, LEN), PAGES);
	/* Pages 4..7 go private: their shared copies are dropped. */
	ck_assert_int_eq(mem_release(&m, 0x800000 + 4 * 4096, 4 * 4096, true),
			 0);
	ck_assert_uint_eq(resident_pages(hva, LEN), PAGES - 4);

	ck_assert_int_eq(fstat(fd, &st), 0);
	ck_assert_int_eq(st.st_blocks * 512, LEN);
	/* Pages 8..15 go shared: punched out of the guest_memfd. */
	ck_assert_int_eq(mem_release(&m, 0x800000 + 8 * 4096, 8 * 4096, false),
			 0);
	ck_assert_int_eq(fstat(fd, &st), 0);
	ck_assert_int_eq(st.st_blocks * 512, LEN - 8 * 4096);
	ck_assert_int_eq(st.st_size, LEN); /* KEEP_SIZE */
	close(fd);
	munmap(hva, LEN);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("cvm");
	TCase *tc = tcase_create("cvm");

	tcase_add_test(tc, map_gpa_counts_4k_pages);
	tcase_add_test(tc, map_gpa_refuses_bad_ranges);
	tcase_add_test(tc, map_gpa_range_must_be_ram);
	tcase_add_test(tc, memory_fault_only_efault_with_known_flags_converts);
	tcase_add_test(tc, sev_term_msr_and_ghcb);
	tcase_add_test(tc, conversion_releases_the_other_half);
	tcase_add_test(tc, memlock_raised_or_refused_with_the_number);
	tcase_add_test(tc, guest_ram_is_not_dumped);
	suite_add_tcase(s, tc);
	return run_suite(s);
}
