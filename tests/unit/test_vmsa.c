// SPDX-License-Identifier: MIT
/*
 * sev/vmsa.c and sev/cpu_models.c: the initial VMSA against sevctl's
 * VMSAs byte for byte, every field of virtee/sev-snp-measure's QEMU VMSA
 * (sevsnpmeasure/vmsa.py) at its offset, and the vCPU model names,
 * signatures and refusals.
 */
#include <errno.h>
#include <stdint.h>

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "loader/loader.h"
#include "sev/sev.h"
#include "tests/unit/testutil.h"

#define SEVCTL "testdata/virtee/sevctl/tests/data/"
#define SEVCTL_FW                                                              \
	SEVCTL "OVMF.amdsev.fd_trimmed_edk2-ovmf-20220126gitbb1bba3d77-4.el9"

/* The reset block of the RHEL 9 AmdSev OVMF sevctl's VMSAs were built for
 * (vmsa1.bin: CS.base 0x800000, RIP 0xb004). */
#define SEVCTL_AP_RESET 0x0080b004U
#define SIG_25_1_1	0x00a00f11U

/* --------------------------------------------------------------- helpers */

static bool load_shared(const char *rel, struct blob *b)
{
	char buf[512], err[256];
	const char *p = shared_path(rel, buf, sizeof(buf));

	if (!p)
		return false;
	ck_assert_msg(file_read(p, 1 << 20, b, err, sizeof(err)) == 0, "%s",
		      err);
	return true;
}

/* Equal pages, or a failure naming the first differing offset. */
static void assert_page_eq(const uint8_t *got, const uint8_t *want)
{
	for (size_t i = 0; i < VMSA_SIZE; i++)
		ck_assert_msg(
			got[i] == want[i],
			"VMSA differs at 0x%03zx: got 0x%02x, want 0x%02x", i,
			got[i], want[i]);
}

static struct vmsa_config legacy_cfg(void)
{
	return (struct vmsa_config){.vcpu_sig = SIG_25_1_1,
				    .ap_reset_addr = SEVCTL_AP_RESET,
				    .sev_features = 0,
				    .init2 = false};
}

/*
 * Bytes at which two pages differ must all lie in [lo[k], hi[k]); returns
 * how many differ.
 */
static unsigned diff_within(const uint8_t *a, const uint8_t *b,
			    const size_t *lo, const size_t *hi, unsigned n)
{
	unsigned count = 0;

	for (size_t i = 0; i < VMSA_SIZE; i++) {
		bool inside = false;

		if (a[i] == b[i])
			continue;
		count++;
		for (unsigned k = 0; k < n; k++)
			inside |= i >= lo[k] && i < hi[k];
		ck_assert_msg(inside, "unexpected difference at 0x%03zx", i);
	}
	return count;
}

/* ----------------------------------------------- sevctl known answers */

START_TEST(sevctl_bsp)
{
	struct vmsa_config c = legacy_cfg();
	uint8_t page[VMSA_SIZE];
	struct blob want;

	if (!load_shared(SEVCTL "vmsa0.bin", &want))
		SKIP_TEST("../shared/" SEVCTL "vmsa0.bin is missing");
	ck_assert_uint_eq(want.len, VMSA_SIZE);
	vmsa_build(&c, true, page);
	assert_page_eq(page, want.data);
	blob_free(&want);
}
END_TEST

START_TEST(sevctl_ap)
{
	struct vmsa_config c = legacy_cfg();
	uint8_t page[VMSA_SIZE];
	struct blob want;

	if (!load_shared(SEVCTL "vmsa1.bin", &want))
		SKIP_TEST("../shared/" SEVCTL "vmsa1.bin is missing");
	ck_assert_uint_eq(want.len, VMSA_SIZE);
	vmsa_build(&c, false, page);
	assert_page_eq(page, want.data);
	blob_free(&want);
}
END_TEST

/* The AP reset address sevctl assumed is the one the firmware's footer
 * table carries, so the plan can take it from ovmf_parse(). */
START_TEST(sevctl_reset_addr_from_firmware)
{
	struct ovmf_info info;
	struct blob fw;
	char err[256];

	if (!load_shared(SEVCTL_FW, &fw))
		SKIP_TEST("../shared/" SEVCTL_FW " is missing");
	ck_assert_msg(ovmf_parse(fw.data, fw.len, &info, err, sizeof(err)) == 0,
		      "%s", err);
	ck_assert(info.has_reset_block);
	ck_assert_uint_eq(info.reset_addr, SEVCTL_AP_RESET);
	blob_free(&fw);
}
END_TEST

/*
 * sevctl's SEV-ES KAT (virtee/sevctl tests/measurementbuild.rs with
 * tests/data/vmsa0.bin, vmsa1.bin): LD = SHA-256(firmware || BSP VMSA || 3
 * AP VMSAs), LAUNCH_MEASURE with tik1.bin, API 1.49 build 6, policy 5.
 * Built from our VMSAs, it must give the blob libvirt accepted.
 */
START_TEST(sevctl_seves_launch_measure)
{
	/* base64 /o0nzDKE...hQny: measurement, then mnonce */
	static const uint8_t want[32] = {
		0xfe, 0x8d, 0x27, 0xcc, 0x32, 0x84, 0xe5, 0x78,
		0x2d, 0x56, 0x75, 0x19, 0x58, 0xf8, 0x54, 0x79,
		0xaf, 0xd6, 0x65, 0x8a, 0xd3, 0x28, 0xb1, 0x31,
		0x47, 0xb2, 0x82, 0xc2, 0xe3, 0x1d, 0x6c, 0x07,
	};
	static const uint8_t mnonce[16] = {
		0x2d, 0xbe, 0x95, 0x9f, 0x5d, 0x31, 0x64, 0xdb,
		0x52, 0x8c, 0x64, 0x80, 0x00, 0x85, 0x09, 0xf2,
	};
	struct vmsa_config c = legacy_cfg();
	uint8_t bsp[VMSA_SIZE], ap[VMSA_SIZE], ld[32], mac[32];
	uint8_t msg[1 + 3 + 4 + 32 + 16];
	unsigned maclen = 0;
	struct blob fw, tik;
	EVP_MD_CTX *ctx;

	if (!load_shared(SEVCTL_FW, &fw))
		SKIP_TEST("../shared/" SEVCTL_FW " is missing");
	ck_assert(load_shared(SEVCTL "measurement/tik1.bin", &tik));
	ck_assert_uint_eq(tik.len, 16);
	vmsa_build(&c, true, bsp);
	vmsa_build(&c, false, ap);

	ctx = EVP_MD_CTX_new();
	ck_assert_ptr_nonnull(ctx);
	ck_assert(EVP_DigestInit_ex(ctx, EVP_sha256(), NULL));
	ck_assert(EVP_DigestUpdate(ctx, fw.data, fw.len));
	ck_assert(EVP_DigestUpdate(ctx, bsp, VMSA_SIZE));
	for (int i = 0; i < 3; i++)
		ck_assert(EVP_DigestUpdate(ctx, ap, VMSA_SIZE));
	ck_assert(EVP_DigestFinal_ex(ctx, ld, NULL));
	EVP_MD_CTX_free(ctx);

	msg[0] = 0x04;
	msg[1] = 1;  /* api major */
	msg[2] = 49; /* api minor */
	msg[3] = 6;  /* build */
	put_le32(msg, 4, 0x05);
	memcpy(msg + 8, ld, 32);
	memcpy(msg + 40, mnonce, 16);
	ck_assert_ptr_nonnull(HMAC(EVP_sha256(), tik.data, (int)tik.len, msg,
				   sizeof(msg), mac, &maclen));
	ck_assert_uint_eq(maclen, 32);
	ck_assert_mem_eq(mac, want, 32);
	blob_free(&fw);
	blob_free(&tik);
}
END_TEST

/* ------------------------------------------------------ init2, features */

/* KVM_SEV_INIT2 adds exactly MXCSR and FCW; nothing else moves. */
START_TEST(init2_adds_only_fpu_reset)
{
	static const size_t lo[] = {0x408, 0x410}, hi[] = {0x40c, 0x412};
	struct vmsa_config c = legacy_cfg();
	uint8_t a[VMSA_SIZE], b[VMSA_SIZE];

	for (int bsp = 0; bsp < 2; bsp++) {
		c.init2 = false;
		vmsa_build(&c, bsp, a);
		ck_assert_uint_eq(get_le32(a, 0x408), 0);
		ck_assert_uint_eq(get_le16(a, 0x410), 0);
		c.init2 = true;
		vmsa_build(&c, bsp, b);
		ck_assert_uint_eq(get_le32(b, 0x408), 0x1f80);
		ck_assert_uint_eq(get_le16(b, 0x410), 0x37f);
		/* 0x1f80 and 0x037f: two bytes each differ from zero. */
		ck_assert_uint_eq(diff_within(a, b, lo, hi, 2), 4);
	}
}
END_TEST

START_TEST(snp_features_at_0x3b0)
{
	static const size_t lo[] = {0x3b0}, hi[] = {0x3b8};
	static const uint64_t feats[] = {0x1, 0x21, 0x8000000000000001ULL};
	struct vmsa_config c = legacy_cfg();
	uint8_t a[VMSA_SIZE], b[VMSA_SIZE];

	vmsa_build(&c, true, a);
	ck_assert_uint_eq(get_le64(a, 0x3b0), 0);
	for (size_t i = 0; i < sizeof(feats) / sizeof(feats[0]); i++) {
		c.sev_features = feats[i];
		vmsa_build(&c, true, b);
		ck_assert_uint_eq(get_le64(b, 0x3b0), feats[i]);
		ck_assert_uint_ge(diff_within(a, b, lo, hi, 1), 1);
	}
}
END_TEST

/* --------------------------------------- the sev-snp-measure field table */

struct field {
	size_t off, size;
	uint64_t bsp, ap; /* values with the config of field_table below */
};

static void check_fields(const struct field *f, size_t n, bool bsp,
			 const uint8_t *page)
{
	uint8_t covered[VMSA_SIZE] = {0};

	for (size_t i = 0; i < n; i++) {
		uint64_t want = bsp ? f[i].bsp : f[i].ap, got = 0;

		for (size_t k = 0; k < f[i].size; k++) {
			got |= (uint64_t)page[f[i].off + k] << (8 * k);
			covered[f[i].off + k] = 1;
		}
		ck_assert_msg(got == want,
			      "%s field at 0x%03zx: got 0x%llx, want 0x%llx",
			      bsp ? "BSP" : "AP", f[i].off,
			      (unsigned long long)got,
			      (unsigned long long)want);
	}
	/* "All other bytes are 0." */
	for (size_t i = 0; i < VMSA_SIZE; i++)
		ck_assert_msg(covered[i] || !page[i],
			      "byte 0x%03zx outside the table is 0x%02x", i,
			      page[i]);
}

/* One segment is four fields: selector, attrib, limit (always 0xffff at
 * reset), base. */
/* clang-format off */
#define SEG(off, sel, attr, base_bsp, base_ap)				\
	{ (off), 2, (sel), (sel) },					\
	{ (off) + 2, 2, (attr), (attr) },				\
	{ (off) + 4, 4, 0xffff, 0xffff },				\
	{ (off) + 8, 8, (base_bsp), (base_ap) }
/* clang-format on */

START_TEST(field_table)
{
	/* An unusual reset address and signature, so that a field taking
	 * the wrong source shows up. */
	const struct vmsa_config c = {.vcpu_sig = 0x00b00f00,
				      .ap_reset_addr = 0x1234abcd,
				      .sev_features = 0x1,
				      .init2 = true};
	const struct field f[] = {
		SEG(0x00, 0, 0x93, 0, 0),			 /* ES */
		SEG(0x10, 0xf000, 0x9b, 0xffff0000, 0x12340000), /* CS */
		SEG(0x20, 0, 0x93, 0, 0),			 /* SS */
		SEG(0x30, 0, 0x93, 0, 0),			 /* DS */
		SEG(0x40, 0, 0x93, 0, 0),			 /* FS */
		SEG(0x50, 0, 0x93, 0, 0),			 /* GS */
		SEG(0x60, 0, 0, 0, 0),				 /* GDTR */
		SEG(0x70, 0, 0x82, 0, 0),			 /* LDTR */
		SEG(0x80, 0, 0, 0, 0),				 /* IDTR */
		SEG(0x90, 0, 0x8b, 0, 0),			 /* TR */
		{0x0d0, 8, 0x1000, 0x1000},			 /* EFER */
		{0x148, 8, 0x40, 0x40},				 /* CR4 */
		{0x150, 8, 0, 0},				 /* CR3 */
		{0x158, 8, 0x10, 0x10},				 /* CR0 */
		{0x160, 8, 0x400, 0x400},			 /* DR7 */
		{0x168, 8, 0xffff0ff0, 0xffff0ff0},		 /* DR6 */
		{0x170, 8, 0x2, 0x2},				 /* RFLAGS */
		{0x178, 8, 0xfff0, 0xabcd},			 /* RIP */
		/* G_PAT */
		{0x268, 8, 0x0007040600070406ULL, 0x0007040600070406ULL},
		{0x310, 8, 0xb00f00, 0xb00f00}, /* RDX */
		{0x3b0, 8, 0x1, 0x1},		/* SEV_FEATURES */
		{0x3e8, 8, 0x1, 0x1},		/* XCR0 */
		{0x408, 4, 0x1f80, 0x1f80},	/* MXCSR */
		{0x410, 2, 0x37f, 0x37f},	/* X87_FCW */
	};
	uint8_t page[VMSA_SIZE];

	memset(page, 0xcc, sizeof(page));
	vmsa_build(&c, true, page);
	check_fields(f, sizeof(f) / sizeof(f[0]), true, page);
	memset(page, 0xcc, sizeof(page));
	vmsa_build(&c, false, page);
	check_fields(f, sizeof(f) / sizeof(f[0]), false, page);
}
END_TEST

/* The registers the launcher loads are the ones in the page. */
START_TEST(regs_match_page)
{
	const struct vmsa_config c = {.vcpu_sig = SIG_25_1_1,
				      .ap_reset_addr = SEVCTL_AP_RESET,
				      .sev_features = 0x1,
				      .init2 = true};

	for (int bsp = 0; bsp < 2; bsp++) {
		struct vmsa_regs r;
		uint8_t page[VMSA_SIZE];
		const struct vmsa_seg *segs[] = {
			&r.es, &r.cs,	&r.ss,	 &r.ds,	  &r.fs,
			&r.gs, &r.gdtr, &r.ldtr, &r.idtr, &r.tr};

		memset(&r, 0xcc, sizeof(r));
		vmsa_regs(&c, bsp, &r);
		vmsa_build(&c, bsp, page);
		for (size_t i = 0; i < 10; i++) {
			ck_assert_uint_eq(get_le16(page, 16 * i),
					  segs[i]->selector);
			ck_assert_uint_eq(get_le16(page, 16 * i + 2),
					  segs[i]->attrib);
			ck_assert_uint_eq(get_le32(page, 16 * i + 4),
					  segs[i]->limit);
			ck_assert_uint_eq(get_le64(page, 16 * i + 8),
					  segs[i]->base);
		}
		ck_assert_uint_eq(get_le64(page, 0xd0), r.efer);
		ck_assert_uint_eq(get_le64(page, 0x148), r.cr4);
		ck_assert_uint_eq(get_le64(page, 0x150), r.cr3);
		ck_assert_uint_eq(get_le64(page, 0x158), r.cr0);
		ck_assert_uint_eq(get_le64(page, 0x160), r.dr7);
		ck_assert_uint_eq(get_le64(page, 0x168), r.dr6);
		ck_assert_uint_eq(get_le64(page, 0x170), r.rflags);
		ck_assert_uint_eq(get_le64(page, 0x178), r.rip);
		ck_assert_uint_eq(get_le64(page, 0x268), r.g_pat);
		ck_assert_uint_eq(get_le64(page, 0x310), r.rdx);
		ck_assert_uint_eq(get_le64(page, 0x3b0), r.sev_features);
		ck_assert_uint_eq(get_le64(page, 0x3e8), r.xcr0);
		ck_assert_uint_eq(get_le32(page, 0x408), r.mxcsr);
		ck_assert_uint_eq(get_le16(page, 0x410), r.x87_fcw);
		ck_assert_uint_eq(r.rip, bsp ? 0xfff0 : 0xb004);
		ck_assert_uint_eq(r.cs.base, bsp ? 0xffff0000 : 0x800000);
	}
}
END_TEST

/* ------------------------------------------------------------ CPU models */

START_TEST(fms_encoding)
{
	ck_assert_uint_eq(cpu_signature_fms(23, 1, 2), 0x800f12);
	ck_assert_uint_eq(cpu_signature_fms(23, 49, 0), 0x830f10);
	ck_assert_uint_eq(cpu_signature_fms(25, 1, 1), 0xa00f11);
	ck_assert_uint_eq(cpu_signature_fms(25, 17, 0), 0xa10f10);
	ck_assert_uint_eq(cpu_signature_fms(26, 0, 0), 0xb00f00);
	/* Family 0xf itself has no extension. */
	ck_assert_uint_eq(cpu_signature_fms(15, 0x6b, 2), 0x060fb2);
	/* Below 0xf the family is the base family alone. */
	ck_assert_uint_eq(cpu_signature_fms(6, 0x55, 4), 0x050654);
	ck_assert_uint_eq(cpu_signature_fms(0xf + 0xff, 0xff, 0xf), 0x0fff0fff);
}
END_TEST

static const struct {
	const char *name;
	uint32_t sig;
} known_models[] = {
	{"EPYC", 0x800f12},
	{"EPYC-v1", 0x800f12},
	{"EPYC-v2", 0x800f12},
	{"EPYC-IBPB", 0x800f12},
	{"EPYC-v3", 0x800f12},
	{"EPYC-v4", 0x800f12},
	{"EPYC-Rome", 0x830f10},
	{"EPYC-Rome-v1", 0x830f10},
	{"EPYC-Rome-v2", 0x830f10},
	{"EPYC-Rome-v3", 0x830f10},
	{"EPYC-Milan", 0xa00f11},
	{"EPYC-Milan-v1", 0xa00f11},
	{"EPYC-Milan-v2", 0xa00f11},
	{"EPYC-Genoa", 0xa10f10},
	{"EPYC-Genoa-v1", 0xa10f10},
	{"EPYC-Turin", 0xb00f00},
	/* Names are case-insensitive. */
	{"epyc-milan", 0xa00f11},
	{"EPYC-GENOA-V1", 0xa10f10},
	{"Epyc-V4", 0x800f12},
	/* Signatures in hex. */
	{"0x800f12", 0x800f12},
	{"0XA00F11", 0xa00f11},
	{"0x0", 0},
	{"0xffffffff", 0xffffffff},
	/* Family/model/stepping in decimal. */
	{"25/1/1", 0xa00f11},
	{"23/49/0", 0x830f10},
	{"26/0/0", 0xb00f00},
	{"25/17/0", 0xa10f10},
	{"270/255/15", 0x0fff0fff},
};

START_TEST(model_names)
{
	for (size_t i = 0; i < sizeof(known_models) / sizeof(known_models[0]);
	     i++) {
		uint32_t sig = 0xdeadbeef;
		char err[512] = "";

		ck_assert_msg(cpu_model_signature(known_models[i].name, &sig,
						  err, sizeof(err)) == 0,
			      "%s: %s", known_models[i].name, err);
		ck_assert_msg(sig == known_models[i].sig,
			      "%s: got 0x%x, want 0x%x", known_models[i].name,
			      sig, known_models[i].sig);
	}
}
END_TEST

START_TEST(model_refusals)
{
	static const char *bad[] = {
		"EPYC-Foo", "",
		"0xzz",	    "25/1",
		"0x",	    "0x123456789",
		"0x 12",    "0x-1",
		"25/1/16",  "25/256/1",
		"271/0/0",  "25/1/1/1",
		"-1/1/1",   " 25/1/1",
		"25/1/",    "//",
		"25/x/1",   "EPYC-v5",
		"EPYC ",    "EPYC-Turin-v9",
	};

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		uint32_t sig = 0x5a5a5a5a;
		char err[1024] = "";

		ck_assert_msg(cpu_model_signature(bad[i], &sig, err,
						  sizeof(err)) == -EINVAL,
			      "\"%s\" accepted", bad[i]);
		ck_assert_msg(sig == 0x5a5a5a5a, "\"%s\" wrote sig", bad[i]);
		/* The message names the input (when there is one) and what
		 * would have been accepted. */
		if (*bad[i])
			ck_assert_msg(strstr(err, bad[i]), "\"%s\": %s", bad[i],
				      err);
		else
			ck_assert_ptr_nonnull(strstr(err, "empty"));
		ck_assert_ptr_nonnull(strstr(err, "EPYC-Milan"));
		ck_assert_ptr_nonnull(strstr(err, "25/1/1"));
	}
}
END_TEST

START_TEST(model_refusal_small_err)
{
	uint32_t sig;
	char err[16];

	/* A short buffer is truncated, never overrun; NULL is allowed. */
	memset(err, 'x', sizeof(err));
	ck_assert_int_eq(cpu_model_signature("nope", &sig, err, sizeof(err)),
			 -EINVAL);
	ck_assert_uint_eq(strlen(err), sizeof(err) - 1);
	ck_assert_int_eq(cpu_model_signature("nope", &sig, NULL, 0), -EINVAL);
	ck_assert_int_eq(cpu_model_signature(NULL, &sig, NULL, 0), -EINVAL);
}
END_TEST

/* A refusal stays one line whatever was typed (found by fuzz_numbers:
 * a newline in --cpu's value went into the message as is). */
START_TEST(model_refusal_is_one_line)
{
	static const char *bad[] = { ",\n", "0x\n1", "25/\r\n/1",
				     "EPYC\x1b[2J" };

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		uint32_t sig;
		char err[1024] = "";

		ck_assert_int_eq(cpu_model_signature(bad[i], &sig, err,
						     sizeof(err)),
				 -EINVAL);
		ck_assert_msg(!strpbrk(err, "\n\r\x1b"), "case %zu: %s", i,
			      err);
	}
}
END_TEST

START_TEST(mode_names)
{
	ck_assert_str_eq(sev_mode_name(SEV_MODE_SEV), "sev");
	ck_assert_str_eq(sev_mode_name(SEV_MODE_SEV_ES), "seves");
	ck_assert_str_eq(sev_mode_name(SEV_MODE_SNP), "snp");
	ck_assert_str_eq(sev_mode_name((enum sev_mode)42), "unknown");
}
END_TEST

static Suite *vmsa_suite(void)
{
	Suite *s = suite_create("vmsa");
	TCase *tc = tcase_create("core");

	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, sevctl_bsp);
	tcase_add_test(tc, sevctl_ap);
	tcase_add_test(tc, sevctl_reset_addr_from_firmware);
	tcase_add_test(tc, sevctl_seves_launch_measure);
	tcase_add_test(tc, init2_adds_only_fpu_reset);
	tcase_add_test(tc, snp_features_at_0x3b0);
	tcase_add_test(tc, field_table);
	tcase_add_test(tc, regs_match_page);
	tcase_add_test(tc, fms_encoding);
	tcase_add_test(tc, model_names);
	tcase_add_test(tc, model_refusals);
	tcase_add_test(tc, model_refusal_small_err);
	tcase_add_test(tc, model_refusal_is_one_line);
	tcase_add_test(tc, mode_names);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return run_suite(vmsa_suite());
}
