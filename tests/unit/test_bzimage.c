// SPDX-License-Identifier: MIT
/* bzimage_parse / fwcfg_kernel_split on real Debian kernels and on
 * synthetic headers, including hostile ones. */
#include <errno.h>
#include <stdint.h>

#include "loader/loader.h"
#include "tests/unit/testutil.h"

#define SYN_SETUP_SECTS 4
#define SYN_SETUP_LEN	((SYN_SETUP_SECTS + 1) * 512)
#define SYN_LEN		(SYN_SETUP_LEN + 0x10000)

/* A minimal image that looks like a current x86-64 kernel's header. */
static uint8_t *synth(size_t len)
{
	uint8_t *img = calloc(1, len);

	ck_assert_ptr_nonnull(img);
	img[0x1f1] = SYN_SETUP_SECTS;
	put_le16(img, 0x1fe, 0xaa55);
	img[0x200] = 0xeb;
	img[0x201] = 0x6a;
	memcpy(img + 0x202, "HdrS", 4);
	put_le16(img, 0x206, 0x020f);
	img[0x211] = 0x01;
	put_le32(img, 0x22c, 0x7fffffff);
	put_le32(img, 0x230, 0x200000);
	img[0x234] = 1;
	put_le16(img, 0x236, 0x7f);
	put_le32(img, 0x238, 0x7ff);
	put_le64(img, 0x258, 0x1000000);
	put_le32(img, 0x260, 0x2000000);
	for (size_t i = SYN_SETUP_LEN; i < len; i++)
		img[i] = (uint8_t)(i * 7);
	return img;
}

static int parse(const uint8_t *img, size_t len, struct bzimage_info *bi,
		 char *err)
{
	err[0] = 0;
	return bzimage_parse(img, len, bi, err, 256);
}

static uint8_t *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	uint8_t *buf;
	long n;

	ck_assert_ptr_nonnull(f);
	ck_assert_int_eq(fseek(f, 0, SEEK_END), 0);
	n = ftell(f);
	ck_assert_int_gt(n, 0);
	rewind(f);
	buf = malloc((size_t)n);
	ck_assert_ptr_nonnull(buf);
	ck_assert_uint_eq(fread(buf, 1, (size_t)n, f), (size_t)n);
	fclose(f);
	*len = (size_t)n;
	return buf;
}

static void check_real(const char *path, uint32_t init_size)
{
	char err[256];
	struct bzimage_info bi;
	struct fwcfg_kernel k;
	uint8_t *img;
	size_t len;

	img = slurp(path, &len);
	ck_assert_int_eq(parse(img, len, &bi, err), 0);
	ck_assert_uint_eq(bi.version, 0x020f);
	ck_assert_uint_eq(bi.setup_sects, 39);
	ck_assert_uint_eq(bi.setup_len, 40 * 512);
	ck_assert_uint_eq(bi.kernel_offset, bi.setup_len);
	ck_assert_uint_eq(bi.kernel_len, len - bi.setup_len);
	ck_assert(bi.relocatable);
	ck_assert(bi.xloadflags & 1);
	ck_assert_uint_eq(bi.kernel_alignment, 0x200000);
	ck_assert_uint_eq(bi.pref_address, 0x1000000);
	ck_assert_uint_eq(bi.init_size, init_size);
	ck_assert_uint_eq(bi.cmdline_size, 0x7ff);
	ck_assert_uint_eq(bi.initrd_addr_max, 0x7fffffff);
	ck_assert(bi.loadflags & 1);

	ck_assert_int_eq(fwcfg_kernel_split(img, len, &k, err, sizeof(err)), 0);
	ck_assert_ptr_eq(k.setup, img);
	ck_assert_uint_eq(k.setup_len, 40 * 512);
	ck_assert_ptr_eq(k.kernel, img + 40 * 512);
	ck_assert_uint_eq(k.setup_len + k.kernel_len, len);
	free(img);
}

#define KERNEL_6_12 "inputs/vmlinuz-6.12.117+deb12-amd64"
#define KERNEL_6_1  "inputs/vmlinuz-6.1.0-56-amd64"

START_TEST(real_6_12)
{
	char path[512];

	if (!shared_path(KERNEL_6_12, path, sizeof(path)))
		SKIP_TEST("%s not found under SEVBOOT_SHARED or ../shared",
			  KERNEL_6_12);
	check_real(path, 0x37ee000);
}
END_TEST

START_TEST(real_6_1)
{
	char path[512];

	if (!shared_path(KERNEL_6_1, path, sizeof(path)))
		SKIP_TEST("%s not found under SEVBOOT_SHARED or ../shared",
			  KERNEL_6_1);
	check_real(path, 0x3f98000);
}
END_TEST

START_TEST(synthetic_ok)
{
	uint8_t *img = synth(SYN_LEN);
	struct bzimage_info bi;
	char err[256];

	ck_assert_int_eq(parse(img, SYN_LEN, &bi, err), 0);
	ck_assert_uint_eq(bi.setup_sects, 4);
	ck_assert_uint_eq(bi.setup_len, SYN_SETUP_LEN);
	ck_assert_uint_eq(bi.kernel_len, SYN_LEN - SYN_SETUP_LEN);
	ck_assert_uint_eq(bi.init_size, 0x2000000);
	free(img);
}
END_TEST

START_TEST(setup_sects_zero_means_4)
{
	uint8_t *img = synth(SYN_LEN);
	struct bzimage_info bi;
	char err[256];

	img[0x1f1] = 0;
	ck_assert_int_eq(parse(img, SYN_LEN, &bi, err), 0);
	ck_assert_uint_eq(bi.setup_sects, 4);
	ck_assert_uint_eq(bi.setup_len, 5 * 512);
	free(img);
}
END_TEST

START_TEST(empty)
{
	struct bzimage_info bi;
	struct fwcfg_kernel k;
	uint8_t b = 0;
	char err[256];

	ck_assert_int_eq(parse(NULL, 0, &bi, err), -EINVAL);
	ck_assert_ptr_nonnull(strstr(err, "empty"));
	ck_assert_int_eq(parse(&b, 0, &bi, err), -EINVAL);
	ck_assert_int_eq(fwcfg_kernel_split(&b, 0, &k, err, sizeof(err)),
			 -EINVAL);
}
END_TEST

START_TEST(short_files)
{
	uint8_t *img = synth(SYN_LEN);
	struct bzimage_info bi;
	char err[256];

	/* Every truncation of a valid image must fail cleanly. */
	for (size_t len = 1; len <= SYN_SETUP_LEN; len++) {
		uint8_t *copy = malloc(len); /* exact size, for ASan */

		memcpy(copy, img, len);
		ck_assert_int_eq(parse(copy, len, &bi, err), -EINVAL);
		ck_assert(err[0] != 0);
		free(copy);
	}
	ck_assert_int_eq(parse(img, 100, &bi, err), -EINVAL);
	ck_assert_ptr_nonnull(strstr(err, "too short"));
	free(img);
}
END_TEST

START_TEST(no_boot_flag)
{
	uint8_t *img = synth(SYN_LEN);
	struct bzimage_info bi;
	char err[256];

	put_le16(img, 0x1fe, 0x55aa);
	ck_assert_int_eq(parse(img, SYN_LEN, &bi, err), -EINVAL);
	ck_assert_str_eq(err, "not a bzImage: no 0xAA55 boot flag at 0x1fe");
	free(img);
}
END_TEST

START_TEST(no_hdrs)
{
	uint8_t *img = synth(SYN_LEN);
	struct bzimage_info bi;
	struct fwcfg_kernel k;
	char err[256];

	memcpy(img + 0x202, "HdrZ", 4);
	ck_assert_int_eq(parse(img, SYN_LEN, &bi, err), -EINVAL);
	ck_assert_str_eq(err, "not a bzImage: no HdrS signature at 0x202");
	ck_assert_int_eq(fwcfg_kernel_split(img, SYN_LEN, &k, err, sizeof(err)),
			 -EINVAL);
	free(img);
}
END_TEST

START_TEST(old_protocol)
{
	uint8_t *img = synth(SYN_LEN);
	struct bzimage_info bi;
	char err[256];

	put_le16(img, 0x206, 0x0205);
	ck_assert_int_eq(parse(img, SYN_LEN, &bi, err), -EINVAL);
	ck_assert_ptr_nonnull(strstr(err, "2.05 is too old"));

	/* 2.06..2.11 have no xloadflags, hence no 64-bit entry to use,
	 * even if the bytes at 0x236 happen to be set. */
	put_le16(img, 0x206, 0x020b);
	ck_assert_int_eq(parse(img, SYN_LEN, &bi, err), -EINVAL);
	ck_assert_ptr_nonnull(strstr(err, "64-bit"));
	free(img);
}
END_TEST

START_TEST(no_kernel_64)
{
	uint8_t *img = synth(SYN_LEN);
	struct bzimage_info bi;
	struct fwcfg_kernel k;
	char err[256];

	put_le16(img, 0x236, 0x7e);
	ck_assert_int_eq(parse(img, SYN_LEN, &bi, err), -EINVAL);
	ck_assert_ptr_nonnull(strstr(err, "XLF_KERNEL_64"));
	/* The split for OVMF does not care how the kernel is entered. */
	ck_assert_int_eq(fwcfg_kernel_split(img, SYN_LEN, &k, err, sizeof(err)),
			 0);
	free(img);
}
END_TEST

START_TEST(setup_past_end)
{
	uint8_t *img = synth(SYN_LEN);
	struct bzimage_info bi;
	struct fwcfg_kernel k;
	char err[256];

	img[0x1f1] = 200; /* 201 * 512 = 102912 > SYN_LEN */
	ck_assert_int_eq(parse(img, SYN_LEN, &bi, err), -EINVAL);
	ck_assert_ptr_nonnull(strstr(err, "extends past the end"));
	ck_assert_int_eq(fwcfg_kernel_split(img, SYN_LEN, &k, err, sizeof(err)),
			 -EINVAL);

	/* Setup exactly filling the file: no kernel at all. */
	img[0x1f1] = SYN_SETUP_SECTS;
	ck_assert_int_eq(parse(img, SYN_SETUP_LEN, &bi, err), -EINVAL);
	ck_assert_ptr_nonnull(strstr(err, "no protected-mode kernel"));
	free(img);
}
END_TEST

START_TEST(fwcfg_split_synthetic)
{
	uint8_t *img = synth(SYN_LEN);
	struct fwcfg_kernel k;
	char err[256];

	ck_assert_int_eq(fwcfg_kernel_split(img, SYN_LEN, &k, err, sizeof(err)),
			 0);
	ck_assert_ptr_eq(k.setup, img);
	ck_assert_uint_eq(k.setup_len, SYN_SETUP_LEN);
	ck_assert_ptr_eq(k.kernel, img + SYN_SETUP_LEN);
	ck_assert_uint_eq(k.kernel_len, SYN_LEN - SYN_SETUP_LEN);
	free(img);
}
END_TEST

/* A header that parses but whose numbers would wrap a naive placement. */
static int plan_for(uint8_t *img, size_t len, char *err)
{
	struct mem_layout l;
	struct boot_plan *plan = malloc(sizeof(*plan));
	struct boot_config c = {
		.layout = &l,
		.ncpus = 1,
		.pm_base = 0x600,
		.kernel = img,
		.kernel_len = len,
		.cmdline = "console=ttyS0",
	};
	int ret;

	ck_assert_ptr_nonnull(plan);
	ck_assert_int_eq(mem_layout_init(256 * SZ_1M, &l, err, 256), 0);
	err[0] = 0;
	ret = boot_plan_build(&c, plan, err, 256);
	boot_plan_free(plan);
	free(plan);
	return ret;
}

START_TEST(huge_init_size)
{
	uint8_t *img = synth(SYN_LEN);
	struct bzimage_info bi;
	char err[256];

	/* Parses fine: the header is well-formed, only its numbers are
	 * absurd. */
	put_le32(img, 0x260, 0xffffffff);
	ck_assert_int_eq(parse(img, SYN_LEN, &bi, err), 0);
	ck_assert_int_lt(plan_for(img, SYN_LEN, err), 0);
	ck_assert(err[0] != 0);

	/* Non-relocatable at the top of the address space: pref + init_size
	 * wraps. */
	img[0x234] = 0;
	put_le64(img, 0x258, 0xfffffffffff00000ULL);
	ck_assert_int_lt(plan_for(img, SYN_LEN, err), 0);
	ck_assert_ptr_nonnull(strstr(err, "not relocatable"));

	/* Relocatable with a 2 GiB alignment and 4 GiB init_size: neither
	 * pref_address nor the aligned fallback can hold it. */
	img[0x234] = 1;
	put_le32(img, 0x230, 0x80000000);
	put_le64(img, 0x258, 0xfffffffffff00000ULL);
	ck_assert_int_lt(plan_for(img, SYN_LEN, err), 0);

	/* An alignment that is not a power of two. */
	put_le32(img, 0x230, 0x300000);
	put_le32(img, 0x260, 0x100000);
	ck_assert_int_eq(plan_for(img, SYN_LEN, err), -EINVAL);
	ck_assert_ptr_nonnull(strstr(err, "power of two"));

	/* Sanity: the same image with sane numbers boots. */
	put_le32(img, 0x230, 0x200000);
	put_le64(img, 0x258, 0x1000000);
	ck_assert_int_eq(plan_for(img, SYN_LEN, err), 0);
	free(img);
}
END_TEST

static Suite *bzimage_suite(void)
{
	Suite *s = suite_create("bzimage");
	TCase *tc = tcase_create("core");

	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, real_6_12);
	tcase_add_test(tc, real_6_1);
	tcase_add_test(tc, synthetic_ok);
	tcase_add_test(tc, setup_sects_zero_means_4);
	tcase_add_test(tc, empty);
	tcase_add_test(tc, short_files);
	tcase_add_test(tc, no_boot_flag);
	tcase_add_test(tc, no_hdrs);
	tcase_add_test(tc, old_protocol);
	tcase_add_test(tc, no_kernel_64);
	tcase_add_test(tc, setup_past_end);
	tcase_add_test(tc, fwcfg_split_synthetic);
	tcase_add_test(tc, huge_init_size);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return run_suite(bzimage_suite());
}
