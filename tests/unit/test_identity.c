// SPDX-License-Identifier: MIT
/*
 * sev/model/identity.c: the firmware model's persistent identity.  Made
 * in a fresh directory, it must hold every file of its layout with the
 * modes it promises, load back to the same keys and certificates, refuse
 * a file that was changed, and verify with the guest owner's own checks
 * (owner/cert.c, x509.c, report.c) with its ARK as the root: the SEV chain
 * ARK -> ASK -> CEK -> PEK <- OCA, PEK -> PDH, the SNP chain ARK -> ASK ->
 * VCEK, and the reports it signs (SEV with the PEK, SNP with the VCEK).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/stat.h>

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include "loader/loader.h"
#include "owner/owner.h"
#include "sev/sev.h"
#include "tests/unit/testutil.h"

static const char *const all_files[] = {
	"ark.key",	  "ask.key",	    "cek.key",	   "oca.key",
	"pek.key",	  "pdh.key",	    "vcek.key",	   "ark.cert",
	"ask.cert",	  "cek.cert",	    "oca.cert",	   "pek.cert",
	"pdh.cert",	  "sev-chain.cert", "snp-ark.pem", "snp-ask.pem",
	"cert_chain.pem", "vcek.der",	    "vcek.pem",	   NULL,
};

/* One identity for the whole run (RSA key generation is slow). */
static char base[256], dir[300];

static void make_identity(void)
{
	char err[512] = "";

	if (dir[0])
		return;
	snprintf(base, sizeof(base), "/tmp/sevboot-identity-XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(base));
	snprintf(dir, sizeof(dir), "%s/id", base);
	ck_assert_msg(!sev_model_identity_create(dir, err, sizeof(err)), "%s",
		      err);
}

static void path_of(char *out, size_t len, const char *name)
{
	snprintf(out, len, "%s/%s", dir, name);
}

static struct blob read_all(const char *name)
{
	char path[400], err[256] = "";
	struct blob b = {0};

	path_of(path, sizeof(path), name);
	ck_assert_msg(!file_read(path, 1 << 20, &b, err, sizeof(err)), "%s",
		      err);
	return b;
}

START_TEST(files_and_modes)
{
	struct stat st;
	char path[400];

	make_identity();
	ck_assert_int_eq(stat(dir, &st), 0);
	ck_assert(S_ISDIR(st.st_mode));
	ck_assert_int_eq(st.st_mode & 0777, 0700);
	for (const char *const *n = all_files; *n; n++) {
		bool key = strstr(*n, ".key") != NULL;

		path_of(path, sizeof(path), *n);
		ck_assert_msg(stat(path, &st) == 0, "%s missing", *n);
		ck_assert_msg((st.st_mode & 0777) == (key ? 0600u : 0644u),
			      "%s has mode %o", *n, st.st_mode & 0777);
	}
	/* Nothing else: no temporary left behind next to it either. */
	path_of(path, sizeof(path), "../id.tmp");
	{
		struct blob b = read_all("sev-chain.cert");

		ck_assert_uint_eq(b.len, 4 * SEV_CERT_LEN + 2 * 832);
		blob_free(&b);
	}
}
END_TEST

START_TEST(reload_gives_the_same_identity)
{
	struct sev_model_identity *a = NULL, *b = NULL;
	uint8_t da[48], db[48], ca[64], cb[64];
	char err[512] = "";

	make_identity();
	ck_assert_msg(!sev_model_identity_load(dir, &a, err, sizeof(err)), "%s",
		      err);
	ck_assert_msg(!sev_model_identity_load(dir, &b, err, sizeof(err)), "%s",
		      err);
	for (int k = SEV_MODEL_ARK; k <= SEV_MODEL_VCEK; k++) {
		size_t la, lb;
		const uint8_t *pa = sev_model_identity_cert(a, k, &la);
		const uint8_t *pb = sev_model_identity_cert(b, k, &lb);

		ck_assert_ptr_nonnull(pa);
		ck_assert_uint_eq(la, lb);
		ck_assert_int_eq(memcmp(pa, pb, la), 0);
	}
	ck_assert_int_eq(sev_model_identity_pdh_private(a, da), 0);
	ck_assert_int_eq(sev_model_identity_pdh_private(b, db), 0);
	ck_assert_int_eq(memcmp(da, db, 48), 0);
	sev_model_identity_chip_id(a, ca);
	sev_model_identity_chip_id(b, cb);
	ck_assert_int_eq(memcmp(ca, cb, 64), 0);
	/* The certificate files are the ones loaded. */
	{
		struct blob f = read_all("pek.cert");
		size_t n;
		const uint8_t *p =
			sev_model_identity_cert(a, SEV_MODEL_PEK, &n);

		ck_assert_uint_eq(f.len, n);
		ck_assert_int_eq(memcmp(f.data, p, n), 0);
		blob_free(&f);
	}
	sev_model_identity_free(a);
	sev_model_identity_free(b);
}
END_TEST

/* The SEV chain, with the model's ARK as the root (never AMD's). */
static void sev_chain_of(struct sev_chain *ch, struct amd_cert amd[2],
			 struct blob *chain, struct amd_cert *root)
{
	struct blob ark = read_all("ark.cert");
	char err[300] = "";

	*chain = read_all("sev-chain.cert");
	memset(ch, 0, sizeof(*ch));
	ck_assert_msg(!sev_chain_add(ch, amd, chain->data, chain->len, err,
				     sizeof(err)),
		      "%s", err);
	ck_assert_msg(!amd_cert_parse(ark.data, ark.len, NULL, root, err,
				      sizeof(err)),
		      "%s", err);
	blob_free(&ark);
}

START_TEST(sev_chain_verifies_with_its_ark)
{
	struct sev_chain ch;
	struct amd_cert amd[2], root;
	struct trust_result r;
	struct blob chain;
	int product;

	make_identity();
	sev_chain_of(&ch, amd, &chain, &root);
	ck_assert_ptr_nonnull(ch.pdh);
	ck_assert_ptr_nonnull(ch.ark);
	trust_result_init(&r);
	ck_assert_int_eq(sev_chain_verify(&ch, &root, &r, &product), 0);
	for (unsigned k = 0; k < r.n; k++)
		ck_assert_msg(r.check[k].ok, "%s: %s", r.check[k].what,
			      r.check[k].text);
	/* ARK self, ARK->ASK, ASK->CEK, OCA self, OCA->PEK, CEK->PEK,
	 * PEK->PDH. */
	ck_assert_uint_eq(r.n, 7);
	ck_assert_uint_eq(r.failed, 0);
	/* Without --ark, AMD's roots do not vouch for the model. */
	trust_result_init(&r);
	ck_assert_int_eq(sev_chain_verify(&ch, NULL, &r, &product), 0);
	ck_assert_uint_gt(r.failed, 0);
	blob_free(&chain);
}
END_TEST

static X509 *pem_one(const char *name)
{
	struct blob b = read_all(name);
	BIO *bio = BIO_new_mem_buf(b.data, (int)b.len);
	X509 *c = PEM_read_bio_X509(bio, NULL, NULL, NULL);

	BIO_free(bio);
	blob_free(&b);
	ck_assert_ptr_nonnull(c);
	return c;
}

static void snp_chain_of(struct snp_chain *ch)
{
	struct blob cc = read_all("cert_chain.pem"),
		    vcek = read_all("vcek.der");
	char err[300] = "";

	memset(ch, 0, sizeof(*ch));
	ch->product = AMD_PRODUCT_UNKNOWN;
	ck_assert_msg(!snp_chain_add(ch, cc.data, cc.len, err, sizeof(err)),
		      "%s", err);
	ck_assert_msg(!snp_chain_add(ch, vcek.data, vcek.len, err, sizeof(err)),
		      "%s", err);
	blob_free(&cc);
	blob_free(&vcek);
}

START_TEST(snp_chain_verifies_with_its_ark)
{
	struct snp_chain ch;
	struct snp_vek_ext e;
	struct trust_result r;
	uint8_t chip[64];
	struct sev_model_identity *id = NULL;
	char err[300] = "";
	X509 *root;

	make_identity();
	snp_chain_of(&ch);
	ck_assert_int_eq(ch.product, AMD_GENOA);
	root = pem_one("snp-ark.pem");
	trust_result_init(&r);
	ck_assert_int_eq(snp_chain_verify(&ch, root, time(NULL), &r), 0);
	for (unsigned k = 0; k < r.n; k++)
		ck_assert_msg(r.check[k].ok, "%s: %s", r.check[k].what,
			      r.check[k].text);
	ck_assert_uint_ge(r.n, 6);
	/* AMD's Genoa ARK is not the model's. */
	trust_result_init(&r);
	ck_assert_int_eq(snp_chain_verify(&ch, NULL, time(NULL), &r), 0);
	ck_assert_uint_gt(r.failed, 0);
	/* The VCEK's extensions: the model's TCB, its chip id. */
	ck_assert_int_eq(snp_vek_extensions(ch.vek, &e, err, sizeof(err)), 0);
	ck_assert_uint_eq(e.hwid_len, 64);
	ck_assert_str_eq(e.product_name, SEV_MODEL_PRODUCT_NAME);
	ck_assert_uint_eq(e.spl[1], SEV_MODEL_TCB & 0xff);
	ck_assert_uint_eq(e.spl[3], (SEV_MODEL_TCB >> 48) & 0xff);
	ck_assert_uint_eq(e.spl[8], SEV_MODEL_TCB >> 56);
	ck_assert_int_eq(sev_model_identity_load(dir, &id, err, sizeof(err)),
			 0);
	sev_model_identity_chip_id(id, chip);
	ck_assert_int_eq(memcmp(chip, e.hwid, 64), 0);
	sev_model_identity_free(id);
	X509_free(root);
	snp_chain_free(&ch);
}
END_TEST

/* Copy the identity to a scratch directory. */
static void copy_identity(char *out, size_t len)
{
	char path[600];

	snprintf(out, len, "%s/copy-XXXXXX", base);
	ck_assert_ptr_nonnull(mkdtemp(out));
	for (const char *const *n = all_files; *n; n++) {
		struct blob b = read_all(*n);
		int fd;

		snprintf(path, sizeof(path), "%s/%s", out, *n);
		fd = open(path, O_WRONLY | O_CREAT | O_EXCL,
			  strstr(*n, ".key") ? 0600 : 0644);
		ck_assert_int_ge(fd, 0);
		ck_assert_int_eq(write(fd, b.data, b.len), (ssize_t)b.len);
		close(fd);
		blob_free(&b);
	}
}

static void flip(const char *d, const char *name, long off)
{
	char path[600];
	uint8_t c;
	int fd;

	snprintf(path, sizeof(path), "%s/%s", d, name);
	fd = open(path, O_RDWR);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(pread(fd, &c, 1, off), 1);
	c ^= 0x01;
	ck_assert_int_eq(pwrite(fd, &c, 1, off), 1);
	close(fd);
}

START_TEST(tampered_files_are_refused)
{
	static const struct {
		const char *name;
		long off;
	} cases[] = {
		{"pek.cert", 0x20},  /* the PEK's public key */
		{"pdh.cert", 0x430}, /* the PEK's signature */
		{"cek.cert", 0x500}, /* the ASK's signature */
		{"ask.cert", 0x50},  /* the exponent/modulus */
		{"ark.cert", 0x300}, /* the ARK's own signature */
		{"oca.cert", 0x30},  {"vcek.der", 200},
	};
	struct sev_model_identity *id = NULL;
	char copy[400], err[512], path[500];

	make_identity();
	for (size_t k = 0; k < sizeof(cases) / sizeof(cases[0]); k++) {
		copy_identity(copy, sizeof(copy));
		flip(copy, cases[k].name, cases[k].off);
		err[0] = '\0';
		ck_assert_int_ne(
			sev_model_identity_load(copy, &id, err, sizeof(err)),
			0);
		ck_assert_ptr_null(id);
		ck_assert_msg(strstr(err, cases[k].name), "%s: %s",
			      cases[k].name, err);
	}
	/* A key another key's file: the certificates no longer hold it. */
	copy_identity(copy, sizeof(copy));
	snprintf(path, sizeof(path), "%s/pek.key", copy);
	unlink(path);
	snprintf(err, sizeof(err), "%s/oca.key", copy);
	ck_assert_int_eq(link(err, path), 0);
	ck_assert_int_eq(sev_model_identity_load(copy, &id, err, sizeof(err)),
			 -EBADMSG);
	ck_assert_msg(strstr(err, "pek.cert"), "%s", err);
	/* A key others may read is refused. */
	copy_identity(copy, sizeof(copy));
	snprintf(path, sizeof(path), "%s/vcek.key", copy);
	ck_assert_int_eq(chmod(path, 0644), 0);
	ck_assert_int_eq(sev_model_identity_load(copy, &id, err, sizeof(err)),
			 -EACCES);
	ck_assert_msg(strstr(err, "vcek.key"), "%s", err);
	/* A truncated key. */
	copy_identity(copy, sizeof(copy));
	snprintf(path, sizeof(path), "%s/pdh.key", copy);
	ck_assert_int_eq(truncate(path, 47), 0);
	ck_assert_int_eq(sev_model_identity_load(copy, &id, err, sizeof(err)),
			 -EINVAL);
	ck_assert_msg(strstr(err, "pdh.key"), "%s", err);
}
END_TEST

START_TEST(create_refusals)
{
	char d[400], err[512] = "", path[500];
	struct sev_model_identity *id = NULL;
	int fd;

	make_identity();
	/* Not over an identity. */
	ck_assert_int_eq(sev_model_identity_create(dir, err, sizeof(err)),
			 -EEXIST);
	ck_assert_msg(strstr(err, "not empty"), "%s", err);
	/* The older layout: said, and still loadable by its PDH only. */
	snprintf(d, sizeof(d), "%s/old-XXXXXX", base);
	ck_assert_ptr_nonnull(mkdtemp(d));
	snprintf(path, sizeof(path), "%s/pdh.key", d);
	fd = open(path, O_WRONLY | O_CREAT, 0600);
	ck_assert_int_ge(fd, 0);
	close(fd);
	ck_assert_int_eq(sev_model_identity_create(d, err, sizeof(err)),
			 -EEXIST);
	ck_assert_msg(strstr(err, "older sevboot"), "%s", err);
	ck_assert_int_eq(sev_model_identity_load(d, &id, err, sizeof(err)),
			 -ENODATA);
	ck_assert_msg(strstr(err, "only a PDH key"), "%s", err);
	/* Nothing there at all. */
	snprintf(path, sizeof(path), "%s/none", base);
	ck_assert_int_eq(sev_model_identity_load(path, &id, err, sizeof(err)),
			 -ENOENT);
	/* A directory that does not exist yet is made. */
	ck_assert_int_eq(sev_model_identity_create(path, err, sizeof(err)), 0);
	ck_assert_int_eq(sev_model_identity_load(path, &id, err, sizeof(err)),
			 0);
	sev_model_identity_free(id);
	snprintf(path, sizeof(path), "%s/old-file", base);
	fd = open(path, O_WRONLY | O_CREAT, 0600);
	close(fd);
	ck_assert_int_eq(sev_model_identity_create(path, err, sizeof(err)),
			 -EEXIST);
	ck_assert_msg(strstr(err, "not a directory"), "%s", err);
	/* Refused before anything was made: no temporary left. */
	snprintf(path, sizeof(path), "%s/old-file.tmp-", base);
	{
		char cmd[700];

		snprintf(cmd, sizeof(cmd), "ls -d %s* 2>/dev/null | grep -q .",
			 path);
		ck_assert_int_ne(system(cmd), 0);
	}
}
END_TEST

START_TEST(sev_report_verifies)
{
	struct sev_model_identity *id = NULL;
	uint8_t report[SEV_MODEL_SEV_REPORT_LEN], mnonce[16], ld[32];
	struct sev_chain ch;
	struct amd_cert amd[2], root;
	struct snp_expect x = {.have_measurement = true, .have_policy = true};
	struct trust_result r;
	struct blob chain;
	char err[300] = "";

	make_identity();
	ck_assert_int_eq(sev_model_identity_load(dir, &id, err, sizeof(err)),
			 0);
	for (int k = 0; k < 16; k++)
		mnonce[k] = (uint8_t)(k + 1);
	for (int k = 0; k < 32; k++)
		ld[k] = (uint8_t)(0xa0 + k);
	ck_assert_int_eq(
		sev_model_identity_sign_sev(id, mnonce, ld, 0x5, report), 0);
	ck_assert_int_eq(memcmp(report, mnonce, 16), 0);
	ck_assert_int_eq(memcmp(report + 0x10, ld, 32), 0);
	ck_assert_uint_eq(get_le32(report, 0x30), 5);
	ck_assert_uint_eq(get_le32(report, 0x34), 0x1002);
	ck_assert_uint_eq(get_le32(report, 0x38), 0x2);
	sev_chain_of(&ch, amd, &chain, &root);
	memcpy(x.measurement, ld, 32);
	x.policy = 5;
	trust_result_init(&r);
	ck_assert_int_eq(sev_att_report_verify(report, &ch, &root, &x, &r, err,
					       sizeof(err)),
			 0);
	for (unsigned k = 0; k < r.n; k++)
		ck_assert_msg(r.check[k].ok, "%s: %s", r.check[k].what,
			      r.check[k].text);
	/* The mnonce it was asked for: the same holds, another fails. */
	x.have_mnonce = true;
	memcpy(x.mnonce, mnonce, 16);
	trust_result_init(&r);
	ck_assert_int_eq(sev_att_report_verify(report, &ch, &root, &x, &r, err,
					       sizeof(err)),
			 0);
	ck_assert_uint_eq(r.failed, 0);
	x.mnonce[15] ^= 1;
	trust_result_init(&r);
	ck_assert_int_eq(sev_att_report_verify(report, &ch, &root, &x, &r, err,
					       sizeof(err)),
			 0);
	ck_assert_uint_eq(r.failed, 1);
	ck_assert_str_eq(r.check[r.n - 1].what, "mnonce");
	x.have_mnonce = false;
	/* A flipped bit in the signed part fails the signature. */
	report[0x20] ^= 1;
	trust_result_init(&r);
	ck_assert_int_eq(sev_att_report_verify(report, &ch, &root, &x, &r, err,
					       sizeof(err)),
			 0);
	ck_assert_uint_ge(r.failed, 1);
	blob_free(&chain);
	sev_model_identity_free(id);
}
END_TEST

START_TEST(snp_report_verifies)
{
	struct sev_model_identity *id = NULL;
	uint8_t report[SEV_MODEL_SNP_REPORT_LEN] = {0}, chip[64];
	struct snp_chain ch;
	struct snp_expect x = {.have_measurement = true};
	struct trust_result r;
	char err[300] = "";
	X509 *root;

	make_identity();
	ck_assert_int_eq(sev_model_identity_load(dir, &id, err, sizeof(err)),
			 0);
	sev_model_identity_chip_id(id, chip);
	put_le32(report, 0, 2);
	put_le64(report, 0x8, 0x30000);
	put_le32(report, 0x34, 1);
	put_le64(report, 0x38, SEV_MODEL_TCB);
	memset(report + 0x90, 0x5a, 48);
	put_le64(report, 0x180, SEV_MODEL_TCB);
	memcpy(report + 0x1a0, chip, 64);
	ck_assert_int_eq(sev_model_identity_sign_snp(id, report), 0);
	snp_chain_of(&ch);
	root = pem_one("snp-ark.pem");
	memset(x.measurement, 0x5a, 48);
	trust_result_init(&r);
	ck_assert_int_eq(snp_report_verify(report, &ch, root, time(NULL), &x,
					   &r, err, sizeof(err)),
			 0);
	for (unsigned k = 0; k < r.n; k++)
		ck_assert_msg(r.check[k].ok, "%s: %s", r.check[k].what,
			      r.check[k].text);
	report[0x95] ^= 0x80;
	trust_result_init(&r);
	ck_assert_int_eq(snp_report_verify(report, &ch, root, time(NULL), &x,
					   &r, err, sizeof(err)),
			 0);
	ck_assert_uint_ge(r.failed, 2); /* the signature, the measurement */
	X509_free(root);
	snp_chain_free(&ch);
	sev_model_identity_free(id);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("identity");
	TCase *tc = tcase_create("identity");
	int rc;

	tcase_set_timeout(tc, 300);
	tcase_add_test(tc, files_and_modes);
	tcase_add_test(tc, reload_gives_the_same_identity);
	tcase_add_test(tc, sev_chain_verifies_with_its_ark);
	tcase_add_test(tc, snp_chain_verifies_with_its_ark);
	tcase_add_test(tc, tampered_files_are_refused);
	tcase_add_test(tc, create_refusals);
	tcase_add_test(tc, sev_report_verifies);
	tcase_add_test(tc, snp_report_verifies);
	suite_add_tcase(s, tc);
	/* One process: the identity is made once. */
	setenv("CK_FORK", "no", 1);
	rc = run_suite(s);
	if (base[0]) {
		char cmd[300];

		snprintf(cmd, sizeof(cmd), "rm -rf '%s'", base);
		if (system(cmd))
			printf("could not remove %s\n", base);
	}
	return rc;
}
