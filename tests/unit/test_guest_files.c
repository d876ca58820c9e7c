// SPDX-License-Identifier: MIT
/*
 * cli/guest.c's files: the certificate table of an extended report split
 * into one file per certificate and chain.pem, which `sevboot
 * verify-report` then reads.  The certificates are AMD's real Milan VCEK,
 * ASK and ARK, and the report the real one they sign (virtee/sev's test
 * data in ../shared); without them the test says skipped.
 */
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <sys/wait.h>

#include "tests/unit/testutil.h"

#include "cli/files.c"
#include "cli/guest.c"
#include "cli/options.c"
#include "cli/opts.c"

/* A PEM certificate file as DER (malloc'ed). */
static uint8_t *pem_der(const char *path, size_t *n)
{
	FILE *f = fopen(path, "r");
	X509 *x;
	uint8_t *der = NULL;
	int len;

	ck_assert_ptr_nonnull(f);
	x = PEM_read_X509(f, NULL, NULL, NULL);
	fclose(f);
	ck_assert_ptr_nonnull(x);
	len = i2d_X509(x, &der);
	X509_free(x);
	ck_assert_int_gt(len, 0);
	*n = (size_t)len;
	return der;
}

static uint8_t *file_bytes(const char *path, size_t *n)
{
	struct blob b;
	char err[256];

	ck_assert_int_eq(file_read(path, 1 << 20, &b, err, sizeof(err)), 0);
	*n = b.len;
	return b.data;
}

/* The GHCB table: entries, the zero entry, then the certificates. */
static size_t table(uint8_t *t, size_t cap, const char *const *guids,
		    uint8_t *const *certs, const size_t *lens, unsigned n)
{
	size_t off = 24 * (n + 1);
	struct guid g;

	memset(t, 0, cap);
	for (unsigned i = 0; i < n; i++) {
		ck_assert_int_eq(guid_parse(guids[i], &g), 0);
		memcpy(t + 24 * i, g.b, 16);
		put_le32(t, 24 * i + 16, (uint32_t)off);
		put_le32(t, 24 * i + 20, (uint32_t)lens[i]);
		ck_assert_uint_le(off + lens[i], cap);
		memcpy(t + off, certs[i], lens[i]);
		off += lens[i];
	}
	return off;
}

START_TEST(pem_round_trip)
{
	char buf[4096], p[512];
	const char *ark = shared_path(
		"testdata/virtee/sev/src/certs/snp/builtin/milan/ark.pem", p,
		sizeof(p));
	uint8_t *der, *back = NULL;
	size_t n, len;
	BIO *bio;
	X509 *x;

	if (!ark)
		SKIP_TEST("../shared testdata (virtee milan ark.pem) absent");
	der = pem_der(ark, &n);
	len = der_to_pem(der, n, buf, sizeof(buf));
	ck_assert_uint_gt(len, 0);
	bio = BIO_new_mem_buf(buf, (int)len);
	x = PEM_read_bio_X509(bio, NULL, NULL, NULL);
	ck_assert_ptr_nonnull(x);
	ck_assert_int_eq(i2d_X509(x, &back), (int)n);
	ck_assert_mem_eq(back, der, n);
	ck_assert_uint_eq(der_to_pem(der, n, buf, 100), 0); /* too small */
	OPENSSL_free(back);
	OPENSSL_free(der);
	X509_free(x);
	BIO_free(bio);
}
END_TEST

START_TEST(certs_for_verify_report)
{
	static const char *const guids[] = {
		"63da758d-e664-4564-adc5-f4b93be8accd", /* VCEK */
		"4ab7b379-bbac-4fe4-a02f-05aef327c782", /* ASK */
		"c0b406a4-a803-4952-9743-3fb6014cd0ae", /* ARK */
	};
	char p1[512], p2[512], p3[512], p4[512], cmd[4096];
	const char *vcek = shared_path(
		"testdata/virtee/sev/tests/certs_data/vcek_milan.der", p1,
		sizeof(p1));
	const char *ask = shared_path(
		"testdata/virtee/sev/src/certs/snp/builtin/milan/ask.pem", p2,
		sizeof(p2));
	const char *ark = shared_path(
		"testdata/virtee/sev/src/certs/snp/builtin/milan/ark.pem", p3,
		sizeof(p3));
	const char *rep = shared_path(
		"testdata/virtee/sev/tests/certs_data/report_milan.hex", p4,
		sizeof(p4));
	const char *sb = getenv("SEVBOOT_BIN");
	char dir[] = "/tmp/sevboot-ext-XXXXXX", names[MAX_CERTS + 1][64];
	uint8_t *certs[3], t[16384];
	size_t lens[3], n = 0, tlen;
	struct cli_written w = {.n = 0};
	int st;

	if (!vcek || !ask || !ark || !rep)
		SKIP_TEST("../shared testdata (virtee milan VCEK, ASK, ARK, "
			  "report) absent");
	if (!sb || !*sb)
		sb = "bin/sevboot";
	if (access(sb, X_OK))
		SKIP_TEST("%s is not built", sb);
	certs[0] = file_bytes(vcek, &lens[0]);
	certs[1] = pem_der(ask, &lens[1]);
	certs[2] = pem_der(ark, &lens[2]);
	tlen = table(t, sizeof(t), guids, certs, lens, 3);
	ck_assert_ptr_nonnull(mkdtemp(dir));
	ck_assert_int_eq(
		write_certs("guest ext-report", dir, t, tlen, &w, names, &n),
		0);
	ck_assert_uint_eq(n, 4);
	ck_assert_str_eq(names[0], "vcek.der");
	ck_assert_str_eq(names[1], "ask.der");
	ck_assert_str_eq(names[2], "ark.der");
	ck_assert_str_eq(names[3], "chain.pem");
	snprintf(cmd, sizeof(cmd),
		 "cmp -s %s %s/vcek.der && %s verify-report --report "
		 "%s --vcek %s/vcek.der --chain %s/chain.pem > /dev/null",
		 vcek, dir, sb, rep, dir, dir);
	st = system(cmd);
	ck_assert_msg(st != -1 && WIFEXITED(st) && WEXITSTATUS(st) == 0,
		      "'%s' failed (%d)", cmd, st);
	/* A second split into the same directory never replaces a file. */
	ck_assert_int_eq(
		write_certs("guest ext-report", dir, t, tlen, &w, names, &n),
		EXIT_USAGE);
	cli_written_undo(&w);
	ck_assert_int_eq(rmdir(dir), 0); /* everything written was undone */
	free(certs[0]);
	OPENSSL_free(certs[1]);
	OPENSSL_free(certs[2]);
}
END_TEST

static Suite *guest_files_suite(void)
{
	Suite *s = suite_create("guest_files");
	TCase *t = tcase_create("certificates");

	tcase_add_test(t, pem_round_trip);
	tcase_add_test(t, certs_for_verify_report);
	suite_add_tcase(s, t);
	return s;
}

int main(void)
{
	return run_suite(guest_files_suite());
}
