// SPDX-License-Identifier: MIT
/*
 * sev/platform.c over the firmware model (sev/model/platform.c): the
 * status the model's state gives, the length protocols of GET_ID2 and
 * PDH_CERT_EXPORT, PDH_GEN kept in the identity directory, the commands
 * the model does not answer, and /dev/sev missing.  With a whole
 * identity (sevboot model-keys): the export verifies with the guest
 * owner's chain check and the identity's ARK, PEK_CSR is the PEK,
 * GET_ID the VCEK's chip id, and PDH_GEN, PEK_GEN and FACTORY_RESET
 * re-sign what depends on them and rewrite the directory whole.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/evp.h>
#include <openssl/x509.h>

#include "owner/owner.h"
#include "sev/sev.h"
#include "util/util.h"
#include "tests/unit/testutil.h"

/* A model identity directory, as `sevboot model-keys` makes it. */
static char *identity(uint8_t cert[SEV_CERT_LEN])
{
	char *dir = strdup("/tmp/sevboot-platform-XXXXXX"), path[4200];
	uint8_t d[48];
	FILE *f;

	ck_assert_ptr_nonnull(mkdtemp(dir));
	ck_assert_int_eq(sev_model_keygen(d, cert), 0);
	snprintf(path, sizeof(path), "%s/pdh.key", dir);
	f = fopen(path, "wb");
	ck_assert_ptr_nonnull(f);
	ck_assert_uint_eq(fwrite(d, 1, 48, f), 48);
	fclose(f);
	ck_assert_int_eq(chmod(path, 0600), 0);
	return dir;
}

static void remove_identity(char *dir)
{
	char cmd[4200];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	ck_assert_int_eq(system(cmd), 0);
	free(dir);
}

START_TEST(model_status)
{
	uint8_t cert[SEV_CERT_LEN];
	char *dir = identity(cert), err[256];
	struct sev_platform_status s;
	struct sev_snp_platform_status snp;
	struct sev_platform *p;
	int e = 0, fw = 99;

	p = sev_platform_open_model(dir, &e, err, sizeof(err));
	ck_assert_ptr_nonnull(p);
	ck_assert(sev_platform_is_model(p));
	memset(&s, 0xee, sizeof(s));
	ck_assert_int_eq(sev_platform_get_status(p, &s, &fw, err, sizeof(err)),
			 0);
	ck_assert_int_eq(fw, 0);
	ck_assert_uint_eq(s.api_major, SEV_MODEL_API_MAJOR);
	ck_assert_uint_eq(s.api_minor, SEV_MODEL_API_MINOR);
	ck_assert_uint_eq(s.build, SEV_MODEL_BUILD);
	ck_assert_uint_eq(s.state, 0); /* UNINIT: no VM initialised it */
	ck_assert_uint_eq(s.flags, SEV_PLATFORM_FLAG_CONFIG_ES);
	ck_assert_uint_eq(s.guest_count, 0);
	ck_assert_int_eq(
		sev_platform_snp_status(p, &snp, &fw, err, sizeof(err)), 0);
	ck_assert_uint_eq(snp.api_minor, SEV_MODEL_API_MINOR);
	ck_assert_uint_eq(snp.build_id, SEV_MODEL_BUILD);
	ck_assert(!snp.rmp_initialized);
	/* The TCB the model's SNP reports carry. */
	ck_assert_uint_eq(snp.current_tcb, SEV_MODEL_TCB);
	ck_assert_uint_eq(snp.reported_tcb, SEV_MODEL_TCB);
	sev_platform_close(p);
	remove_identity(dir);
}
END_TEST

START_TEST(model_export_and_id)
{
	uint8_t cert[SEV_CERT_LEN], pdh[SEV_CERT_LEN], chain[3 * SEV_CERT_LEN];
	uint8_t id[128], id2[128];
	char *dir = identity(cert), err[256];
	struct sev_platform *p;
	size_t n = 0;
	int e = 0, fw = 0;

	p = sev_platform_open_model(dir, &e, err, sizeof(err));
	ck_assert_ptr_nonnull(p);
	ck_assert_int_eq(
		sev_platform_pdh_export(p, pdh, chain, &fw, err, sizeof(err)),
		0);
	ck_assert_mem_eq(pdh, cert, SEV_CERT_LEN); /* DIR's PDH */
	ck_assert_int_eq(sev_platform_get_id(p, id, sizeof(id), &n, &fw, err,
					     sizeof(err)),
			 0);
	ck_assert_uint_eq(n, 64);
	/* Too small a buffer: the firmware's length is refused. */
	ck_assert_int_eq(
		sev_platform_get_id(p, id2, 32, &n, &fw, err, sizeof(err)),
		-EPROTO);
	ck_assert_int_eq(fw, 0x04); /* SEV_RET_INVALID_LEN */
	/* PDH_GEN: a new PDH, kept in DIR, and a new export. */
	ck_assert_int_eq(sev_platform_pdh_gen(p, &fw, err, sizeof(err)), 0);
	sev_platform_close(p);
	p = sev_platform_open_model(dir, &e, err, sizeof(err));
	ck_assert_ptr_nonnull(p);
	ck_assert_int_eq(
		sev_platform_pdh_export(p, pdh, chain, &fw, err, sizeof(err)),
		0);
	ck_assert_int_ne(memcmp(pdh, cert, SEV_CERT_LEN), 0);
	sev_platform_close(p);
	remove_identity(dir);
}
END_TEST

START_TEST(model_refuses)
{
	uint8_t cert[SEV_CERT_LEN], *csr = NULL;
	char *dir = identity(cert), err[256];
	struct sev_platform *p;
	size_t n;
	int e = 0, fw = 0;

	p = sev_platform_open_model(dir, &e, err, sizeof(err));
	ck_assert_ptr_nonnull(p);
	ck_assert_int_eq(sev_platform_pek_gen(p, &fw, err, sizeof(err)),
			 -EOPNOTSUPP);
	ck_assert_int_eq(fw, -1); /* never reached a firmware */
	ck_assert_ptr_nonnull(strstr(err, "SEV_PEK_GEN: the firmware model"));
	ck_assert_int_eq(
		sev_platform_pek_csr(p, &csr, &n, &fw, err, sizeof(err)),
		-EOPNOTSUPP);
	ck_assert_ptr_null(csr);
	ck_assert_int_eq(sev_platform_factory_reset(p, &fw, err, sizeof(err)),
			 -EOPNOTSUPP);
	sev_platform_close(p);
	remove_identity(dir);
}
END_TEST

START_TEST(missing)
{
	char err[256];
	int e = 0;

	ck_assert_ptr_null(sev_platform_open("/nonexistent/sev", false, &e, err,
					     sizeof(err)));
	ck_assert_int_eq(e, ENOENT);
	ck_assert_ptr_nonnull(strstr(err, "does not exist"));
	ck_assert_ptr_null(sev_platform_open_model("/nonexistent/dir", &e, err,
						   sizeof(err)));
	ck_assert_int_eq(e, ENOENT);
	ck_assert_ptr_nonnull(strstr(err, "sevboot model-keys"));
}
END_TEST

/* ------------------------------------------------ a whole identity */

/* One identity for the run (RSA key generation is slow); each test that
 * changes it works on its own copy. */
static char whole[256];

static const char *whole_identity(void)
{
	char err[512] = "", base[200];

	if (whole[0])
		return whole;
	snprintf(base, sizeof(base), "/tmp/sevboot-platform-id-XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(base));
	snprintf(whole, sizeof(whole), "%s/id", base);
	ck_assert_msg(!sev_model_identity_create(whole, err, sizeof(err)), "%s",
		      err);
	return whole;
}

/* Made once in the parent (an unchecked fixture), removed at the end. */
static void whole_setup(void)
{
	whole_identity();
}

static void whole_teardown(void)
{
	char cmd[600];

	snprintf(cmd, sizeof(cmd), "rm -rf '%.*s'", (int)(strlen(whole) - 3),
		 whole);
	if (whole[0] && system(cmd) != 0)
		fprintf(stderr, "cannot remove %s\n", whole);
	whole[0] = '\0';
}

static char *copy_of_whole(void)
{
	char *dir = strdup("/tmp/sevboot-platform-cp-XXXXXX"), cmd[1024];

	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(cmd, sizeof(cmd), "cp -a '%s/.' '%s/'", whole_identity(), dir);
	ck_assert_int_eq(system(cmd), 0);
	ck_assert_int_eq(chmod(dir, 0700), 0);
	return dir;
}

static struct blob file_of(const char *dir, const char *name)
{
	char path[600], err[256] = "";
	struct blob b = {0};

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	ck_assert_msg(!file_read(path, 1 << 20, &b, err, sizeof(err)), "%s",
		      err);
	return b;
}

/* dir's vcek.der: the TCB its SPL extensions name (Milan/Genoa layout:
 * bl, tee, snp, ucode) and, in *pub, its public key. */
static uint64_t vcek_tcb(const char *dir, EVP_PKEY **pub)
{
	struct blob b = file_of(dir, "vcek.der");
	const unsigned char *q = b.data;
	X509 *c = d2i_X509(NULL, &q, (long)b.len);
	struct snp_vek_ext e;
	char err[256] = "";

	ck_assert_ptr_nonnull(c);
	ck_assert_msg(!snp_vek_extensions(c, &e, err, sizeof(err)), "%s", err);
	ck_assert(e.has_spl[1] && e.has_spl[2] && e.has_spl[3] && e.has_spl[8]);
	*pub = X509_get_pubkey(c);
	ck_assert_ptr_nonnull(*pub);
	X509_free(c);
	blob_free(&b);
	return (uint64_t)e.spl[1] | (uint64_t)e.spl[2] << 8 |
	       (uint64_t)e.spl[3] << 48 | (uint64_t)e.spl[8] << 56;
}

/* The export of dir's model (full or not), checked with the owner's
 * sev_chain_verify and dir's ARK: how many checks failed (-1: the
 * export itself failed). */
static int export_failures(const char *dir, bool full, size_t *len,
			   uint8_t pdh[SEV_CERT_LEN])
{
	struct blob ark = file_of(dir, "ark.cert");
	struct sev_chain ch = {0};
	struct amd_cert amd[2], root;
	struct trust_result r;
	struct sev_platform *p;
	uint8_t *out = NULL;
	char err[512] = "";
	int e = 0, fw = 0, product, failed;

	p = sev_platform_open_model(dir, &e, err, sizeof(err));
	ck_assert_msg(p != NULL, "%s", err);
	if (sev_platform_sev_chain(p, full, &out, len, &fw, err, sizeof(err))) {
		sev_platform_close(p);
		blob_free(&ark);
		return -1;
	}
	sev_platform_close(p);
	ck_assert_int_eq(fw, 0);
	memcpy(pdh, out, SEV_CERT_LEN);
	ck_assert_msg(!sev_chain_add(&ch, amd, out, *len, err, sizeof(err)),
		      "%s", err);
	ck_assert_msg(!amd_cert_parse(ark.data, ark.len, NULL, &root, err,
				      sizeof(err)),
		      "%s", err);
	trust_result_init(&r);
	ck_assert_int_eq(sev_chain_verify(&ch, &root, &r, &product), 0);
	failed = (int)r.failed;
	free(out);
	blob_free(&ark);
	return failed;
}

START_TEST(identity_export_verifies)
{
	const char *dir = whole_identity();
	uint8_t pdh[SEV_CERT_LEN];
	struct blob cert = file_of(dir, "pdh.cert"),
		    chain = file_of(dir, "sev-chain.cert");
	size_t len = 0;

	/* --full: PDH PEK OCA CEK ASK ARK, the 7 links hold; the bytes are
	 * the identity's own sev-chain.cert. */
	ck_assert_int_eq(export_failures(dir, true, &len, pdh), 0);
	ck_assert_uint_eq(len, 4 * SEV_CERT_LEN + 2 * SEV_MODEL_AMD_CERT_LEN);
	ck_assert_mem_eq(pdh, cert.data, SEV_CERT_LEN);
	/* Without: 8336 bytes; the CEK is the ASK-signed one (as sevctl
	 * fetches it), but without the ASK its link cannot be checked. */
	ck_assert_int_eq(export_failures(dir, false, &len, pdh), 1);
	ck_assert_uint_eq(len, 4 * SEV_CERT_LEN);
	{
		struct sev_platform *p;
		uint8_t *out = NULL;
		char err[512];
		int e = 0, fw = 0;

		p = sev_platform_open_model(dir, &e, err, sizeof(err));
		ck_assert_ptr_nonnull(p);
		ck_assert_int_eq(sev_platform_sev_chain(p, true, &out, &len,
							&fw, err, sizeof(err)),
				 0);
		ck_assert_uint_eq(len, chain.len);
		ck_assert_mem_eq(out, chain.data, len);
		free(out);
		sev_platform_close(p);
	}
	blob_free(&cert);
	blob_free(&chain);
}
END_TEST

START_TEST(identity_csr_and_id)
{
	const char *dir = whole_identity();
	struct blob pek = file_of(dir, "pek.cert");
	struct sev_model_identity *id = NULL;
	struct sev_platform *p;
	uint8_t *csr = NULL, chip[64], got[128];
	char err[512];
	size_t n = 0;
	int e = 0, fw = 0;

	p = sev_platform_open_model(dir, &e, err, sizeof(err));
	ck_assert_ptr_nonnull(p);
	ck_assert_int_eq(
		sev_platform_pek_csr(p, &csr, &n, &fw, err, sizeof(err)), 0);
	ck_assert_uint_eq(n, SEV_CERT_LEN);
	/* The PEK's body, both signature slots empty. */
	ck_assert_mem_eq(csr, pek.data, 0x414);
	ck_assert_uint_eq(get_le32(csr, 0x414), SEV_USAGE_INVALID);
	ck_assert_uint_eq(get_le32(csr, 0x61c), SEV_USAGE_INVALID);
	ck_assert_uint_eq(get_le32(csr, 0x418), 0);
	for (size_t k = 0x41c; k < 0x61c; k++)
		ck_assert_uint_eq(csr[k], 0);
	free(csr);
	/* GET_ID2: the chip id the VCEK's hwID carries. */
	ck_assert_int_eq(sev_platform_get_id(p, got, sizeof(got), &n, &fw, err,
					     sizeof(err)),
			 0);
	ck_assert_uint_eq(n, 64);
	ck_assert_int_eq(sev_model_identity_load(dir, &id, err, sizeof(err)),
			 0);
	sev_model_identity_chip_id(id, chip);
	ck_assert_mem_eq(got, chip, 64);
	sev_model_identity_free(id);
	sev_platform_close(p);
	blob_free(&pek);
}
END_TEST

/* Which of OCA, PEK, PDH a command replaced; the CEK and the chip never. */
static void regen_case(int (*cmd)(struct sev_platform *, int *, char *, size_t),
		       bool oca, bool pek)
{
	static const char *const names[] = {"oca.cert", "pek.cert", "pdh.cert",
					    "cek.cert", "vcek.der"};
	bool changes[] = {oca, pek, true, false, false};
	struct blob before[5], after;
	char *dir = copy_of_whole(), err[512] = "";
	struct sev_platform *p;
	uint8_t pdh[SEV_CERT_LEN];
	size_t len;
	int e = 0, fw = 99;

	for (unsigned k = 0; k < 5; k++)
		before[k] = file_of(dir, names[k]);
	p = sev_platform_open_model(dir, &e, err, sizeof(err));
	ck_assert_ptr_nonnull(p);
	ck_assert_msg(!cmd(p, &fw, err, sizeof(err)), "%s", err);
	ck_assert_int_eq(fw, 0);
	sev_platform_close(p);
	for (unsigned k = 0; k < 5; k++) {
		after = file_of(dir, names[k]);
		ck_assert_msg((after.len != before[k].len ||
			       memcmp(after.data, before[k].data, after.len)) ==
				      changes[k],
			      "%s", names[k]);
		blob_free(&after);
		blob_free(&before[k]);
	}
	/* The directory loads (every signature checked) and exports a chain
	 * that verifies; nothing else is left next to it. */
	ck_assert_int_eq(export_failures(dir, true, &len, pdh), 0);
	{
		char cmd_line[600];

		snprintf(cmd_line, sizeof(cmd_line),
			 "test -z \"$(ls -d '%s'.tmp-* 2>/dev/null)\"", dir);
		ck_assert_int_eq(system(cmd_line), 0);
	}
	remove_identity(dir);
}

START_TEST(identity_pdh_gen)
{
	regen_case(sev_platform_pdh_gen, false, false);
}
END_TEST

START_TEST(identity_pek_gen)
{
	regen_case(sev_platform_pek_gen, false, true);
}
END_TEST

START_TEST(identity_factory_reset)
{
	regen_case(sev_platform_factory_reset, true, true);
}
END_TEST

/* A file that is not the identity's: the directory is not rewritten. */
START_TEST(identity_store_refuses_foreign_file)
{
	char *dir = copy_of_whole(), err[512] = "", path[600];
	struct blob before = file_of(dir, "pdh.cert"), after;
	struct sev_platform *p;
	int e = 0, fw = 0;
	FILE *f;

	snprintf(path, sizeof(path), "%s/notes.txt", dir);
	f = fopen(path, "w");
	ck_assert_ptr_nonnull(f);
	fclose(f);
	p = sev_platform_open_model(dir, &e, err, sizeof(err));
	ck_assert_ptr_nonnull(p);
	ck_assert_int_eq(sev_platform_pdh_gen(p, &fw, err, sizeof(err)),
			 -ENOTEMPTY);
	ck_assert_ptr_nonnull(strstr(err, "notes.txt"));
	sev_platform_close(p);
	after = file_of(dir, "pdh.cert");
	ck_assert_mem_eq(after.data, before.data, SEV_CERT_LEN);
	blob_free(&before);
	blob_free(&after);
	remove_identity(dir);
}
END_TEST

/* The PEK (csr) signed by oca in slot 1, as an owner's tool does. */
static void owner_sign(uint8_t pek[SEV_CERT_LEN], EVP_PKEY *oca)
{
	put_le32(pek, 0x414, SEV_USAGE_OCA);
	put_le32(pek, 0x418, SEV_ALGO_ECDSA_SHA256);
	ck_assert_int_eq(
		sev_ecdsa_sign(oca, EVP_sha256(), pek, 0x414, pek + 0x41c), 0);
}

static uint32_t status_flags(struct sev_platform *p)
{
	struct sev_platform_status st;
	char err[256] = "";
	int fw = 0;

	ck_assert_msg(!sev_platform_get_status(p, &st, &fw, err, sizeof(err)),
		      "%s", err);
	return st.flags;
}

/*
 * PEK_CERT_IMPORT with an OCA made here with OpenSSL: each refusal with
 * the firmware's status and DIR unchanged; then the platform is owned,
 * export hands out that OCA, and so after a reload; a second import is
 * ALREADY_OWNED; PEK_GEN makes the platform self-owned again.
 */
START_TEST(identity_pek_cert_import)
{
	char *dir = copy_of_whole(), err[512] = "", path[600];
	uint8_t oca_cert[SEV_CERT_LEN], pek[SEV_CERT_LEN], bad[SEV_CERT_LEN];
	uint8_t pdh[SEV_CERT_LEN], chain[3 * SEV_CERT_LEN], *csr = NULL;
	struct blob before = file_of(dir, "pek.cert"), after;
	struct sev_platform *p;
	EVP_PKEY *oca = NULL;
	size_t n = 0;
	int e = 0, fw = 0;

	ck_assert_int_eq(sev_p384_generate(&oca), 0);
	ck_assert_int_eq(sev_cert_build(oca, SEV_USAGE_OCA,
					SEV_ALGO_ECDSA_SHA256, 1, 55, oca,
					SEV_USAGE_OCA, oca_cert),
			 0);
	p = sev_platform_open_model(dir, &e, err, sizeof(err));
	ck_assert_ptr_nonnull(p);
	ck_assert_uint_eq(status_flags(p) & SEV_PLATFORM_FLAG_OWNER, 0);
	ck_assert_int_eq(
		sev_platform_pek_csr(p, &csr, &n, &fw, err, sizeof(err)), 0);
	memcpy(pek, csr, SEV_CERT_LEN);
	free(csr);
	owner_sign(pek, oca);
	/* A signature that does not verify: BAD_SIGNATURE. */
	memcpy(bad, pek, SEV_CERT_LEN);
	bad[0x41c] ^= 1;
	ck_assert_int_eq(sev_platform_pek_cert_import(p, bad, oca_cert, &fw,
						      err, sizeof(err)),
			 -EIO);
	ck_assert_int_eq(fw, 0x0a);
	ck_assert_ptr_nonnull(strstr(err, "BAD_SIGNATURE"));
	/* Not this platform's PEK (its body changed, then signed):
	 * INVALID_CERTIFICATE. */
	memcpy(bad, pek, SEV_CERT_LEN);
	bad[0x20] ^= 1;
	owner_sign(bad, oca);
	ck_assert_int_eq(sev_platform_pek_cert_import(p, bad, oca_cert, &fw,
						      err, sizeof(err)),
			 -EIO);
	ck_assert_int_eq(fw, 0x06);
	after = file_of(dir, "pek.cert");
	ck_assert_mem_eq(after.data, before.data, SEV_CERT_LEN);
	blob_free(&after);
	/* The right one. */
	ck_assert_msg(!sev_platform_pek_cert_import(p, pek, oca_cert, &fw, err,
						    sizeof(err)),
		      "%s", err);
	ck_assert_int_eq(fw, 0);
	ck_assert_uint_eq(status_flags(p) & SEV_PLATFORM_FLAG_OWNER, 1);
	sev_platform_close(p);
	snprintf(path, sizeof(path), "%s/oca.key", dir);
	ck_assert_int_ne(access(path, F_OK), 0); /* the owner keeps it */
	/* Reloaded: owned, the export carries that OCA, the chain holds. */
	p = sev_platform_open_model(dir, &e, err, sizeof(err));
	ck_assert_msg(p != NULL, "%s", err);
	ck_assert_uint_eq(status_flags(p) & SEV_PLATFORM_FLAG_OWNER, 1);
	ck_assert_msg(
		!sev_platform_pdh_export(p, pdh, chain, &fw, err, sizeof(err)),
		"%s", err);
	ck_assert_mem_eq(chain + SEV_CERT_LEN, oca_cert, SEV_CERT_LEN);
	ck_assert_mem_eq(chain, pek, 0x414); /* the PEK's body */
	ck_assert_int_eq(sev_platform_pek_cert_import(p, pek, oca_cert, &fw,
						      err, sizeof(err)),
			 -EIO);
	ck_assert_int_eq(fw, 0x05); /* ALREADY_OWNED */
	sev_platform_close(p);
	ck_assert_int_eq(export_failures(dir, true, &n, pdh), 0);
	/* PEK_GEN: a new OCA of the platform's own, self-owned again. */
	p = sev_platform_open_model(dir, &e, err, sizeof(err));
	ck_assert_msg(!sev_platform_pek_gen(p, &fw, err, sizeof(err)), "%s",
		      err);
	ck_assert_uint_eq(status_flags(p) & SEV_PLATFORM_FLAG_OWNER, 0);
	sev_platform_close(p);
	ck_assert_int_eq(access(path, F_OK), 0);
	ck_assert_int_eq(export_failures(dir, true, &n, pdh), 0);
	EVP_PKEY_free(oca);
	blob_free(&before);
	remove_identity(dir);
}
END_TEST

/* SNP_SET_CONFIG: refused above the current TCB (INVALID_PARAM, DIR
 * unchanged); kept across a reload; SNP_COMMIT answered; SNP_VLEK_LOAD
 * refused in one sentence that says the model holds no VLEK. */
START_TEST(identity_snp_config_commit_vlek)
{
	char *dir = copy_of_whole(), err[512] = "";
	uint8_t stick[SEV_VLEK_HASHSTICK_LEN] = {0};
	struct sev_snp_platform_status st;
	struct sev_platform *p;
	int e = 0, fw = 0;

	p = sev_platform_open_model(dir, &e, err, sizeof(err));
	ck_assert_ptr_nonnull(p);
	ck_assert_int_eq(sev_platform_snp_set_config(p, SEV_MODEL_TCB + 1,
						     false, false, &fw, err,
						     sizeof(err)),
			 -EIO);
	ck_assert_int_eq(fw, 0x16);
	ck_assert_ptr_nonnull(strstr(err, "INVALID_PARAM"));
	ck_assert_msg(!sev_platform_snp_set_config(p, 0x0300000000000003ULL,
						   true, true, &fw, err,
						   sizeof(err)),
		      "%s", err);
	ck_assert_msg(!sev_platform_snp_commit(p, &fw, err, sizeof(err)), "%s",
		      err);
	ck_assert_int_eq(fw, 0);
	ck_assert_int_eq(
		sev_platform_vlek_load(p, stick, &fw, err, sizeof(err)), -EIO);
	ck_assert_int_eq(fw, 0x21); /* BAD_SVN: not the REPORTED_TCB's */
	put_le64(stick, 0x190, 0x0300000000000003ULL);
	ck_assert_int_eq(
		sev_platform_vlek_load(p, stick, &fw, err, sizeof(err)), -EIO);
	ck_assert_int_eq(fw, 0x0b); /* BAD_MEASUREMENT: no unwrap */
	ck_assert_ptr_nonnull(strstr(err, "holds no VLEK"));
	ck_assert_ptr_null(strchr(err, '\n'));
	sev_platform_close(p);
	p = sev_platform_open_model(dir, &e, err, sizeof(err));
	ck_assert_msg(p != NULL, "%s", err);
	ck_assert_msg(!sev_platform_snp_status(p, &st, &fw, err, sizeof(err)),
		      "%s", err);
	ck_assert_uint_eq(st.reported_tcb, 0x0300000000000003ULL);
	ck_assert_uint_eq(st.current_tcb, SEV_MODEL_TCB);
	ck_assert_uint_eq(st.flags & 3, 3); /* MASK_CHIP_ID, MASK_CHIP_KEY */
	sev_platform_close(p);
	remove_identity(dir);
}
END_TEST

/* One VCEK per TCB (SNP ABI 56860 ATTESTATION_REPORT REPORTED_TCB; KDS
 * spec 57230): SNP_SET_CONFIG's lower REPORTED_TCB puts that TCB's VCEK
 * in vcek.der, with its SPLs and a key of its own; the same TCB gives the
 * same key again, and the current TCB gives back vcek.key's. */
static void set_tcb(const char *dir, uint64_t tcb)
{
	char err[512] = "";
	struct sev_platform *p;
	int e = 0, fw = 0;

	p = sev_platform_open_model(dir, &e, err, sizeof(err));
	ck_assert_msg(p != NULL, "%s", err);
	ck_assert_msg(!sev_platform_snp_set_config(p, tcb, false, false, &fw,
						   err, sizeof(err)),
		      "%s", err);
	sev_platform_close(p);
}

START_TEST(identity_snp_config_vcek_per_tcb)
{
	const uint64_t low = 0x0300000000000003ULL;
	char *dir = copy_of_whole();
	EVP_PKEY *cur, *lo, *k;

	ck_assert_uint_eq(vcek_tcb(dir, &cur), SEV_MODEL_TCB);
	set_tcb(dir, low);
	ck_assert_uint_eq(vcek_tcb(dir, &lo), low);
	ck_assert_int_ne(EVP_PKEY_eq(lo, cur), 1);
	set_tcb(dir, 0); /* 0: the current TCB */
	ck_assert_uint_eq(vcek_tcb(dir, &k), SEV_MODEL_TCB);
	ck_assert_int_eq(EVP_PKEY_eq(k, cur), 1);
	EVP_PKEY_free(k);
	set_tcb(dir, low);
	ck_assert_uint_eq(vcek_tcb(dir, &k), low);
	ck_assert_int_eq(EVP_PKEY_eq(k, lo), 1);
	EVP_PKEY_free(k);
	EVP_PKEY_free(lo);
	EVP_PKEY_free(cur);
	remove_identity(dir);
}
END_TEST

/* An older sevboot kept the current TCB's VCEK after SNP_SET_CONFIG: its
 * DIR (platform.state with a lower TCB, vcek.der at the current one)
 * still loads, and the identity then holds the reported TCB's VCEK. */
START_TEST(identity_older_vcek_after_config)
{
	char *dir = copy_of_whole(), path[600], err[512] = "";
	uint8_t state[16] = {0};
	struct sev_model_identity *id = NULL;
	const uint8_t *der;
	const unsigned char *q;
	struct snp_vek_ext e;
	EVP_PKEY *cur;
	X509 *c;
	size_t n;

	ck_assert_uint_eq(vcek_tcb(dir, &cur), SEV_MODEL_TCB);
	put_le64(state, 0, 0x0300000000000003ULL);
	snprintf(path, sizeof(path), "%s/platform.state", dir);
	ck_assert_msg(!file_write_atomic(path, state, sizeof(state), 0600, true,
					 err, sizeof(err)),
		      "%s", err);
	ck_assert_msg(!sev_model_identity_load(dir, &id, err, sizeof(err)),
		      "%s", err);
	der = sev_model_identity_cert(id, SEV_MODEL_VCEK, &n);
	q = der;
	c = d2i_X509(NULL, &q, (long)n);
	ck_assert_ptr_nonnull(c);
	ck_assert_int_eq(snp_vek_extensions(c, &e, err, sizeof(err)), 0);
	ck_assert_uint_eq(e.spl[1], 3);
	ck_assert_uint_eq(e.spl[8], 3);
	ck_assert_int_ne(EVP_PKEY_eq(X509_get0_pubkey(c), cur), 1);
	X509_free(c);
	EVP_PKEY_free(cur);
	sev_model_identity_free(id);
	remove_identity(dir);
}
END_TEST

/* An older DIR (pdh.key only): no chain to export, said plainly. */
START_TEST(legacy_export_refused)
{
	uint8_t cert[SEV_CERT_LEN], *out = NULL;
	char *dir = identity(cert), err[512] = "";
	struct sev_platform *p;
	size_t len = 0;
	int e = 0, fw = 0;

	p = sev_platform_open_model(dir, &e, err, sizeof(err));
	ck_assert_ptr_nonnull(p);
	ck_assert_int_eq(sev_platform_sev_chain(p, false, &out, &len, &fw, err,
						sizeof(err)),
			 -EOPNOTSUPP);
	ck_assert_ptr_null(out);
	ck_assert_ptr_nonnull(strstr(err, "holds only a PDH key"));
	ck_assert_ptr_nonnull(strstr(err, "sevboot model-keys"));
	sev_platform_close(p);
	remove_identity(dir);
}
END_TEST

static Suite *platform_suite(void)
{
	Suite *s = suite_create("platform");
	TCase *t = tcase_create("model");

	tcase_add_test(t, model_status);
	tcase_add_test(t, model_export_and_id);
	tcase_add_test(t, model_refuses);
	tcase_add_test(t, missing);
	suite_add_tcase(s, t);
	t = tcase_create("identity");
	tcase_set_timeout(t, 120);
	tcase_add_unchecked_fixture(t, whole_setup, whole_teardown);
	tcase_add_test(t, identity_export_verifies);
	tcase_add_test(t, identity_csr_and_id);
	tcase_add_test(t, identity_pdh_gen);
	tcase_add_test(t, identity_pek_gen);
	tcase_add_test(t, identity_factory_reset);
	tcase_add_test(t, identity_store_refuses_foreign_file);
	tcase_add_test(t, identity_pek_cert_import);
	tcase_add_test(t, identity_snp_config_commit_vlek);
	tcase_add_test(t, identity_snp_config_vcek_per_tcb);
	tcase_add_test(t, identity_older_vcek_after_config);
	tcase_add_test(t, legacy_export_refused);
	suite_add_tcase(s, t);
	return s;
}

int main(void)
{
	return run_suite(platform_suite());
}
