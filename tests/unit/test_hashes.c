// SPDX-License-Identifier: MIT
/*
 * sev/hashes.c: the kernel hashes table, byte by byte against QEMU's
 * layout, and end to end against sevctl's measured-direct-boot KAT.
 */
#include <errno.h>
#include <stdint.h>

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "loader/loader.h"
#include "sev/sev.h"
#include "tests/unit/testutil.h"

#define GUID_TABLE   "9438d606-4f22-4cc9-b479-a793d411fd21"
#define GUID_CMDLINE "97d02dd8-bd20-4c94-aa78-e7714d36ab2a"
#define GUID_INITRD  "44baf731-3a2f-4bd7-9af1-41e29169781d"
#define GUID_KERNEL  "4de79437-abd2-427f-b835-d5b172d2045b"

#define OFF_CMDLINE 18
#define OFF_INITRD  68
#define OFF_KERNEL  118
#define HASH_AT	    18 /* inside an entry: GUID(16) + u16 length */

#define SHA256_EMPTY                                                           \
	"e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
#define SHA256_NUL                                                             \
	"6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d"
/* vectors/measurements.tsv header: the Debian 6.12 kernel file. */
#define SHA256_VMLINUZ_6_12                                                    \
	"90846a1289d0f21edd8f1226f6f0f6e8e5e72c8bf1ded444e1e38eeb7dc09f4a"

#define SEVCTL "testdata/virtee/sevctl/tests/data/"

static void assert_hash(const uint8_t *t, size_t entry, const char *want)
{
	char got[65];

	hex_encode(t + entry + HASH_AT, 32, got);
	ck_assert_str_eq(got, want);
}

static void assert_guid_at(const uint8_t *t, size_t off, const char *s)
{
	struct guid g;

	ck_assert_int_eq(guid_parse(s, &g), 0);
	ck_assert_msg(memcmp(t + off, g.b, 16) == 0, "GUID %s not at %zu", s,
		      off);
}

static void sha256(const void *d, size_t n, uint8_t out[32])
{
	ck_assert(EVP_Digest(d, n, out, NULL, EVP_sha256(), NULL));
}

static void read_shared(const char *rel, struct blob *b)
{
	char buf[512], err[256];
	const char *p = shared_path(rel, buf, sizeof(buf));

	ck_assert_ptr_nonnull(p);
	ck_assert_msg(file_read(p, 64 << 20, b, err, sizeof(err)) == 0, "%s",
		      err);
}

/* ------------------------------------------------------------- layout */

START_TEST(layout)
{
	static const uint8_t k[] = "kernel", i[] = "initrd";
	uint8_t t[SEV_HASHES_PADDED_LEN];

	memset(t, 0xa5, sizeof(t));
	ck_assert_int_eq(sev_hashes_table(k, 6, i, 6, "console=ttyS0", t), 0);

	assert_guid_at(t, 0, GUID_TABLE);
	ck_assert_uint_eq(get_le16(t, 16), 168);
	ck_assert_uint_eq(SEV_HASHES_TABLE_LEN, 168);
	ck_assert_uint_eq(SEV_HASHES_PADDED_LEN, 176);

	assert_guid_at(t, OFF_CMDLINE, GUID_CMDLINE);
	assert_guid_at(t, OFF_INITRD, GUID_INITRD);
	assert_guid_at(t, OFF_KERNEL, GUID_KERNEL);
	ck_assert_uint_eq(get_le16(t, OFF_CMDLINE + 16), 50);
	ck_assert_uint_eq(get_le16(t, OFF_INITRD + 16), 50);
	ck_assert_uint_eq(get_le16(t, OFF_KERNEL + 16), 50);
	ck_assert_uint_eq(OFF_KERNEL + 50, SEV_HASHES_TABLE_LEN);

	/* The 8 bytes that round the table up to 16 are zero, whatever
	 * the buffer held before. */
	for (size_t n = SEV_HASHES_TABLE_LEN; n < SEV_HASHES_PADDED_LEN; n++)
		ck_assert_uint_eq(t[n], 0);

	uint8_t h[32];

	sha256("console=ttyS0", 14, h); /* with the NUL */
	ck_assert_mem_eq(t + OFF_CMDLINE + HASH_AT, h, 32);
	sha256(i, 6, h);
	ck_assert_mem_eq(t + OFF_INITRD + HASH_AT, h, 32);
	sha256(k, 6, h);
	ck_assert_mem_eq(t + OFF_KERNEL + HASH_AT, h, 32);
}
END_TEST

/* No --append: QEMU hashes the one-byte string "\0", and "" is the same. */
START_TEST(cmdline_absent_is_one_nul)
{
	uint8_t a[SEV_HASHES_PADDED_LEN], b[SEV_HASHES_PADDED_LEN];

	ck_assert_int_eq(sev_hashes_table(NULL, 0, NULL, 0, NULL, a), 0);
	assert_hash(a, OFF_CMDLINE, SHA256_NUL);
	ck_assert_int_eq(sev_hashes_table(NULL, 0, NULL, 0, "", b), 0);
	ck_assert_mem_eq(a, b, sizeof(a));
}
END_TEST

/* No initrd hashes as the empty buffer, given as NULL or as 0 bytes. */
START_TEST(initrd_absent_is_empty)
{
	static const uint8_t some[1] = {0x55};
	uint8_t a[SEV_HASHES_PADDED_LEN], b[SEV_HASHES_PADDED_LEN];

	ck_assert_int_eq(sev_hashes_table(NULL, 0, NULL, 0, NULL, a), 0);
	assert_hash(a, OFF_INITRD, SHA256_EMPTY);
	ck_assert_int_eq(sev_hashes_table(NULL, 0, some, 0, NULL, b), 0);
	ck_assert_mem_eq(a, b, sizeof(a));
}
END_TEST

/* The kernel entry is the SHA-256 of the bzImage file as given (QEMU does
 * not patch the setup header for SEV). */
START_TEST(kernel_is_file_hash)
{
	struct blob k;
	char buf[512];
	uint8_t t[SEV_HASHES_PADDED_LEN];

	if (!shared_path("inputs/vmlinuz-6.12.117+deb12-amd64", buf,
			 sizeof(buf)))
		SKIP_TEST("../shared/inputs/vmlinuz-6.12.117+deb12-amd64 is "
			  "missing");
	read_shared("inputs/vmlinuz-6.12.117+deb12-amd64", &k);
	ck_assert_uint_eq(k.len, 12085184);
	ck_assert_int_eq(sev_hashes_table(k.data, k.len, NULL, 0, NULL, t), 0);
	assert_hash(t, OFF_KERNEL, SHA256_VMLINUZ_6_12);
	assert_hash(t, OFF_INITRD, SHA256_EMPTY);
	assert_hash(t, OFF_CMDLINE, SHA256_NUL);
	blob_free(&k);
}
END_TEST

/*
 * sevctl's measured-direct-boot KAT (virtee/sevctl
 * tests/measurementbuild.rs, data in tests/data/): SEV, LD =
 * SHA-256(firmware || the 176-byte table), then LAUNCH_MEASURE's HMAC with
 * tik1.bin, API 1.40 build 40, policy 3.  An independent tool and
 * libvirt agree on the result, so this pins the whole layout.
 */
START_TEST(sevctl_measured_direct_boot)
{
	static const char fw_name[] = SEVCTL
		"OVMF.amdsev.fd_trimmed_edk2-ovmf-20220126gitbb1bba3d77-4.el9";
	/* base64 h3auYbWQ...PwvDE/q1EcIWsVBbGy6pkDxA, decoded */
	static const uint8_t want[32] = {
		0x87, 0x76, 0xae, 0x61, 0xb5, 0x90, 0x9d, 0x55,
		0xbb, 0x10, 0x62, 0xd6, 0x37, 0x81, 0xdf, 0xf5,
		0x23, 0x74, 0xa0, 0x46, 0x0c, 0x3d, 0x4d, 0xac,
		0x2b, 0x86, 0xcb, 0x9d, 0xe7, 0xd6, 0x3f, 0x0b,
	};
	static const uint8_t mnonce[16] = {
		0xc3, 0x13, 0xfa, 0xb5, 0x11, 0xc2, 0x16, 0xb1,
		0x50, 0x5b, 0x1b, 0x2e, 0xa9, 0x90, 0x3c, 0x40,
	};
	struct blob fw, tik, k, i;
	char buf[512];
	uint8_t t[SEV_HASHES_PADDED_LEN], ld[32], msg[1 + 3 + 4 + 32 + 16];
	uint8_t mac[32];
	unsigned maclen = 0;
	EVP_MD_CTX *ctx;

	if (!shared_path(fw_name, buf, sizeof(buf)))
		SKIP_TEST("../shared/%s is missing", fw_name);
	read_shared(fw_name, &fw);
	read_shared(SEVCTL "measurement/tik1.bin", &tik);
	read_shared(SEVCTL "measurement/vmlinuz-fake", &k);
	read_shared(SEVCTL "measurement/initrd-fake", &i);
	ck_assert_uint_eq(tik.len, 16);

	ck_assert_int_eq(sev_hashes_table(k.data, k.len, i.data, i.len,
					  "foo bar baz fake kernel=cmdline", t),
			 0);
	ctx = EVP_MD_CTX_new();
	ck_assert_ptr_nonnull(ctx);
	ck_assert(EVP_DigestInit_ex(ctx, EVP_sha256(), NULL));
	ck_assert(EVP_DigestUpdate(ctx, fw.data, fw.len));
	ck_assert(EVP_DigestUpdate(ctx, t, sizeof(t)));
	ck_assert(EVP_DigestFinal_ex(ctx, ld, NULL));
	EVP_MD_CTX_free(ctx);

	msg[0] = 0x04;
	msg[1] = 1;  /* api major */
	msg[2] = 40; /* api minor */
	msg[3] = 40; /* build */
	put_le32(msg, 4, 0x03);
	memcpy(msg + 8, ld, 32);
	memcpy(msg + 40, mnonce, 16);
	ck_assert_ptr_nonnull(HMAC(EVP_sha256(), tik.data, (int)tik.len, msg,
				   sizeof(msg), mac, &maclen));
	ck_assert_uint_eq(maclen, 32);
	ck_assert_mem_eq(mac, want, 32);

	blob_free(&fw);
	blob_free(&tik);
	blob_free(&k);
	blob_free(&i);
}
END_TEST

static Suite *hashes_suite(void)
{
	Suite *s = suite_create("hashes");
	TCase *tc = tcase_create("core");

	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, layout);
	tcase_add_test(tc, cmdline_absent_is_one_nul);
	tcase_add_test(tc, initrd_absent_is_empty);
	tcase_add_test(tc, kernel_is_file_hash);
	tcase_add_test(tc, sevctl_measured_direct_boot);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return run_suite(hashes_suite());
}
