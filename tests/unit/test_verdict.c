// SPDX-License-Identifier: MIT
/*
 * cli/verdict.c: `sevboot inspect` answers by building the launch plan,
 * so it refuses exactly the firmware `run` and `measure` refuse.  Each
 * case describes a firmware (struct ovmf_info, as ovmf_parse() would) and
 * checks the verdict against launch_build(), the function `run` uses.
 */
#include <errno.h>
#include <stdint.h>

#include "cli/cli.h"
#include "loader/loader.h"
#include "sev/sev.h"
#include "tests/unit/testutil.h"

#define IMG_LEN 0x2000
#define HASHES_PAGE 0x800000u

static uint8_t img[IMG_LEN];

/* An AmdSev-like firmware: reset block, SNP metadata with the hashes,
 * secrets and CPUID pages, and a hashes table at base. */
static void firmware(struct ovmf_info *i, uint32_t base, uint32_t size)
{
	static const struct ovmf_section s[] = {
		{ HASHES_PAGE, 0x1000, OVMF_SECTION_KERNEL_HASHES },
		{ HASHES_PAGE + 0x1000, 0x1000, OVMF_SECTION_SNP_SECRETS },
		{ HASHES_PAGE + 0x2000, 0x1000, OVMF_SECTION_CPUID },
	};

	memset(i, 0, sizeof(*i));
	i->size = IMG_LEN;
	i->base_gpa = SZ_4G - IMG_LEN;
	i->has_table = true;
	i->has_reset_block = true;
	i->reset_addr = 0xfffff000;
	i->has_sev_meta = true;
	i->nsections = 3;
	memcpy(i->sections, s, sizeof(s));
	i->has_hashes_entry = true;
	i->hashes_base = base;
	i->hashes_size = size;
}

/* What `run` says for mode with --kernel: 0 or the plan's -errno. */
static int run_accepts(const struct ovmf_info *i, enum sev_mode mode,
		       char *why, size_t len)
{
	static const uint8_t kernel[1];
	struct launch_opts lo;
	struct launch_inputs in = { .ovmf = img, .ovmf_len = IMG_LEN, .info = i,
				    .kernel = kernel, .kernel_len = 1 };
	struct launch_plan *p = calloc(1, sizeof(*p));
	uint8_t digest[48];
	int ret;

	ck_assert_ptr_nonnull(p);
	launch_opts_init(&lo);
	lo.mode = mode;
	ret = launch_build(&lo, &in, p, digest, why, len);
	launch_plan_free(p);
	free(p);
	return ret;
}

static void verdicts(const struct ovmf_info *i, struct verdicts *v)
{
	ck_assert_int_eq(firmware_verdicts(img, IMG_LEN, i, v), 0);
}

START_TEST(good_table_is_yes_everywhere)
{
	struct ovmf_info i;
	struct verdicts v;
	char why[256];

	firmware(&i, HASHES_PAGE + 0xc00, 0x400);
	verdicts(&i, &v);
	ck_assert_int_eq(v.sev.answer, ANSWER_YES);
	ck_assert_int_eq(v.sev_es.answer, ANSWER_YES);
	ck_assert_int_eq(v.snp.answer, ANSWER_YES);
	ck_assert_int_eq(v.hashes.answer, ANSWER_YES);
	ck_assert_ptr_null(strstr(v.hashes.reason, "not under SNP"));
	ck_assert_int_eq(run_accepts(&i, SEV_MODE_SEV, why, sizeof(why)), 0);
	ck_assert_int_eq(run_accepts(&i, SEV_MODE_SNP, why, sizeof(why)), 0);
}
END_TEST

/* The three misplacements inspect used to call "yes". */
START_TEST(table_overlapping_the_firmware_is_no)
{
	struct ovmf_info i;
	struct verdicts v;
	char why[256];

	firmware(&i, (uint32_t)(SZ_4G - IMG_LEN) - 0x50, 0x400);
	verdicts(&i, &v);
	ck_assert_int_eq(v.hashes.answer, ANSWER_NO);
	ck_assert_ptr_nonnull(strstr(v.hashes.reason, "runs into the firmware"));
	ck_assert_int_eq(run_accepts(&i, SEV_MODE_SEV, why, sizeof(why)),
			 -EINVAL);
	ck_assert_str_eq(why, v.hashes.reason);
}
END_TEST

START_TEST(misaligned_table_is_no)
{
	struct ovmf_info i;
	struct verdicts v;
	char why[256];

	firmware(&i, HASHES_PAGE + 0xc08, 0x400);
	verdicts(&i, &v);
	ck_assert_int_eq(v.hashes.answer, ANSWER_NO);
	ck_assert_ptr_nonnull(strstr(v.hashes.reason, "16-byte aligned"));
	ck_assert_int_eq(run_accepts(&i, SEV_MODE_SEV_ES, why, sizeof(why)),
			 -EINVAL);
	ck_assert_str_eq(why, v.hashes.reason);
}
END_TEST

START_TEST(table_crossing_a_page_is_refused_under_snp)
{
	struct ovmf_info i;
	struct verdicts v;
	char why[256];

	/* 16-byte aligned, so SEV takes it; SNP copies the table into one
	 * page, and this one would cross into the next. */
	firmware(&i, HASHES_PAGE + 0xf80, 0x400);
	verdicts(&i, &v);
	ck_assert_int_eq(v.snp.answer, ANSWER_YES); /* without a kernel */
	ck_assert_int_eq(v.hashes.answer, ANSWER_YES);
	ck_assert_ptr_nonnull(strstr(v.hashes.reason,
				     "not under SNP: the kernel hashes table "
				     "at 0x800f80 crosses a page boundary"));
	ck_assert_int_eq(run_accepts(&i, SEV_MODE_SEV, why, sizeof(why)), 0);
	ck_assert_int_eq(run_accepts(&i, SEV_MODE_SNP, why, sizeof(why)),
			 -EINVAL);
	ck_assert_ptr_nonnull(strstr(why, "crosses a page boundary"));
}
END_TEST

START_TEST(small_or_empty_area_is_no)
{
	struct ovmf_info i;
	struct verdicts v;
	char why[256];

	firmware(&i, HASHES_PAGE + 0xc00, 0x80);
	verdicts(&i, &v);
	ck_assert_int_eq(v.hashes.answer, ANSWER_NO);
	ck_assert_int_eq(run_accepts(&i, SEV_MODE_SEV, why, sizeof(why)),
			 -EINVAL);
	ck_assert_str_eq(why, v.hashes.reason);

	firmware(&i, 0, 0);
	verdicts(&i, &v);
	ck_assert_int_eq(v.hashes.answer, ANSWER_NO);
	ck_assert_ptr_nonnull(strstr(v.hashes.reason, "no kernel hashes table"));
}
END_TEST

/* The plan launches what QEMU launches; what it cannot judge turns
 * "yes" into "uncertain", never into "no". */
START_TEST(snp_advice_never_refuses)
{
	struct ovmf_info i;
	struct verdicts v;
	char why[256];

	firmware(&i, HASHES_PAGE + 0xc00, 0x400);
	i.nsections = 1; /* no secrets, no CPUID page */
	verdicts(&i, &v);
	ck_assert_int_eq(v.snp.answer, ANSWER_UNCERTAIN);
	ck_assert_ptr_nonnull(strstr(v.snp.reason, "SNP_SECRETS"));
	ck_assert_int_eq(run_accepts(&i, SEV_MODE_SNP, why, sizeof(why)), 0);

	firmware(&i, HASHES_PAGE + 0xc00, 0x400);
	i.sections[1].type = 0x77;
	i.sections[2].type = OVMF_SECTION_SNP_SECRETS;
	i.nsections = 4;
	i.sections[3] = (struct ovmf_section){ HASHES_PAGE + 0x3000, 0x1000,
					       OVMF_SECTION_CPUID };
	verdicts(&i, &v);
	ck_assert_int_eq(v.snp.answer, ANSWER_UNCERTAIN);
	ck_assert_ptr_nonnull(strstr(v.snp.reason, "type 0x77"));
	ck_assert_int_eq(run_accepts(&i, SEV_MODE_SNP, why, sizeof(why)), 0);

	firmware(&i, HASHES_PAGE + 0xc00, 0x400);
	i.has_sev_meta = false;
	verdicts(&i, &v);
	ck_assert_int_eq(v.snp.answer, ANSWER_NO);
	ck_assert_ptr_nonnull(strstr(v.snp.reason, "no SNP metadata"));
	ck_assert_int_eq(run_accepts(&i, SEV_MODE_SNP, why, sizeof(why)),
			 -EINVAL);
	ck_assert_str_eq(why, v.snp.reason);
}
END_TEST

START_TEST(sev_es_needs_the_reset_block)
{
	struct ovmf_info i;
	struct verdicts v;

	firmware(&i, HASHES_PAGE + 0xc00, 0x400);
	i.has_reset_block = false;
	verdicts(&i, &v);
	ck_assert_int_eq(v.sev.answer, ANSWER_YES);
	ck_assert_int_eq(v.sev_es.answer, ANSWER_NO);
	ck_assert_ptr_nonnull(strstr(v.sev_es.reason, "reset block"));
	ck_assert_int_eq(v.snp.answer, ANSWER_NO);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("verdict");
	TCase *tc = tcase_create("verdict");

	tcase_add_test(tc, good_table_is_yes_everywhere);
	tcase_add_test(tc, table_overlapping_the_firmware_is_no);
	tcase_add_test(tc, misaligned_table_is_no);
	tcase_add_test(tc, table_crossing_a_page_is_refused_under_snp);
	tcase_add_test(tc, small_or_empty_area_is_no);
	tcase_add_test(tc, snp_advice_never_refuses);
	tcase_add_test(tc, sev_es_needs_the_reset_block);
	suite_add_tcase(s, tc);
	return run_suite(s);
}
