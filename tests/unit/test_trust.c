// SPDX-License-Identifier: MIT
/*
 * owner/trust.c, cert.c, x509.c, report.c: AMD's built-in roots, and
 * every real certificate chain and attestation report in
 * ../shared/testdata with the verdict its README states (what the peers'
 * own tests assert: virtee/sev tests/{naples,rome,certs}.rs, trustee
 * deps/verifier/src/snp/mod.rs, go-sev-guest tools/check/check_test.go),
 * and for each file a copy with one byte changed in the signed part and
 * one in the signature, which must fail.
 */
#include <errno.h>
#include <stdint.h>
#include <time.h>

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>

#include "loader/loader.h"
#include "owner/owner.h"
#include "tests/unit/testutil.h"

#define TD	"testdata/"
#define VIRTEE	TD "virtee/sev/"
#define TRUSTEE TD "confidential-containers/trustee/deps/verifier/"
#define GOSEV	TD "google/go-sev-guest/verify/"

/* 2026-12-01 and 2025-06-01, 00:00 UTC: the VLEK is valid only at the
 * second. */
#define T_NOW	  1796083200LL
#define T_VLEK_OK 1748736000LL

/* ------------------------------------------------------------ helpers */

static const struct trust_check *find(const struct trust_result *r,
				      const char *what)
{
	for (unsigned k = 0; k < r->n; k++)
		if (!strcmp(r->check[k].what, what))
			return &r->check[k];
	return NULL;
}

static void ck_check(const struct trust_result *r, const char *what, bool ok)
{
	const struct trust_check *c = find(r, what);

	ck_assert_msg(c, "no check \"%s\"", what);
	ck_assert_msg(c->ok == ok, "%s: %s (%s)", what, c->ok ? "ok" : "failed",
		      c->text);
}

static void dump(const struct trust_result *r)
{
	for (unsigned k = 0; k < r->n; k++)
		if (!r->check[k].ok)
			printf("  failed: %s: %s\n", r->check[k].what,
			       r->check[k].text);
}

/* ---------------------------------------------------------- the roots */

static const char *const ark_ids[AMD_NPRODUCTS] = {
	"1bb987c359494606b174945601c9ea5b", "e6002122fb58419399d15fee7b131351",
	"94c38e4177d0479292a7ae671d083fb6", "9f9d4a8fe761456599f6946c4c010f3a",
	"d05c3a8bde484904b49552422ceb3942",
};

START_TEST(builtin_sev_roots_are_amds)
{
	for (int p = 0; p < AMD_NPRODUCTS; p++) {
		struct amd_cert ark, ask;
		uint8_t id[16];
		size_t len;
		const uint8_t *a = amd_root(p, AMD_ROOT_SEV_ARK, &len);
		char why[256];

		ck_assert_ptr_nonnull(a);
		ck_assert_int_eq(amd_cert_parse(a, len, NULL, &ark, NULL, 0),
				 0);
		ck_unhex(ark_ids[p], id, 16);
		ck_assert_mem_eq(ark.key_id, id, 16);
		ck_assert_mem_eq(ark.certifying_id, id, 16);
		ck_assert_uint_eq(ark.usage, AMD_USAGE_ARK);
		ck_assert_uint_eq(ark.modulus_bits,
				  p == AMD_NAPLES ? 2048 : 4096);
		a = amd_root(p, AMD_ROOT_SEV_ASK, &len);
		ck_assert_int_eq(amd_cert_parse(a, len, NULL, &ask, NULL, 0),
				 0);
		ck_assert_mem_eq(ask.certifying_id, id, 16);
		ck_assert_int_eq(amd_cert_product(&ark), p);
		ck_assert_int_eq(amd_cert_product(&ask), p);
		ck_assert_int_eq(amd_cert_verify(&ark, &ark, why, sizeof(why)),
				 0);
		ck_assert_int_eq(amd_cert_verify(&ark, &ask, why, sizeof(why)),
				 0);
		/* The reverse direction fails (virtee tests/naples/ask.rs). */
		ck_assert_int_eq(amd_cert_verify(&ask, &ark, why, sizeof(why)),
				 -EBADMSG);
	}
}
END_TEST

/* The X.509 ARKs: the DER's SHA-256 the testdata README names, and the
 * same RSA key as the SEV-format ARK of the generation. */
START_TEST(builtin_snp_roots_are_amds)
{
	static const char *const sha[] = {"69d063b4", "4c6598d1", "1f084161"};

	for (int p = AMD_MILAN; p <= AMD_TURIN; p++) {
		size_t len, slen;
		const uint8_t *pem = amd_root(p, AMD_ROOT_SNP_ARK, &len);
		const uint8_t *sev = amd_root(p, AMD_ROOT_SEV_ARK, &slen);
		BIO *bio = BIO_new_mem_buf(pem, (int)len);
		X509 *c = PEM_read_bio_X509(bio, NULL, NULL, NULL);
		unsigned char *der = NULL, md[32], want[4];
		BIGNUM *n = NULL, *sev_n;
		int dlen;

		ck_assert_ptr_nonnull(c);
		dlen = i2d_X509(c, &der);
		ck_assert_int_gt(dlen, 0);
		EVP_Digest(der, (size_t)dlen, md, NULL, EVP_sha256(), NULL);
		ck_unhex(sha[p - AMD_MILAN], want, 4);
		ck_assert_mem_eq(md, want, 4);
		ck_assert(EVP_PKEY_get_bn_param(X509_get0_pubkey(c), "n", &n));
		sev_n = BN_lebin2bn(sev + 0x40 + 512, 512, NULL);
		ck_assert_int_eq(BN_cmp(n, sev_n), 0);
		BN_free(n);
		BN_free(sev_n);
		OPENSSL_free(der);
		X509_free(c);
		BIO_free(bio);
		ck_assert_ptr_nonnull(amd_root(p, AMD_ROOT_SNP_ASK, &len));
		ck_assert_ptr_nonnull(amd_root(p, AMD_ROOT_SNP_ASVK, &len));
	}
	{
		size_t len;

		ck_assert_ptr_null(amd_root(AMD_ROME, AMD_ROOT_SNP_ARK, &len));
		ck_assert_uint_eq(len, 0);
	}
}
END_TEST

/* The Naples ARK as AMD first published it: accepted only as the
 * built-in one's first 576 bytes, and then it carries the signature of
 * tests/naples/ark.cert.sig (virtee/sev src/certs/sev/ca/cert/v1.rs). */
START_TEST(naples_ark_without_signature)
{
	struct blob bad, sig;
	struct amd_cert c;
	size_t len;
	const uint8_t *ark = amd_root(AMD_NAPLES, AMD_ROOT_SEV_ARK, &len);
	char err[256];

	NEED_SHARED(VIRTEE "tests/naples/ark.cert.bad", &bad);
	NEED_SHARED(VIRTEE "tests/naples/ark.cert.sig", &sig);
	ck_assert_uint_eq(bad.len, AMD_CERT_NAPLES_BARE);
	ck_assert_mem_eq(ark, bad.data, bad.len);
	ck_assert_mem_eq(ark + bad.len, sig.data, sig.len);
	ck_assert_int_eq(
		amd_cert_parse(bad.data, bad.len, NULL, &c, err, sizeof(err)),
		0);
	ck_assert(c.completed);
	ck_assert_uint_eq(c.len, AMD_CERT_LEN_2048);
	ck_assert_int_eq(amd_cert_verify(&c, &c, err, sizeof(err)), 0);
	/* Any other 576 bytes are a truncated certificate. */
	bad.data[100] ^= 1;
	ck_assert_int_eq(
		amd_cert_parse(bad.data, bad.len, NULL, &c, err, sizeof(err)),
		-EINVAL);
	ck_assert_ptr_nonnull(strstr(err, "832"));
	blob_free(&bad);
	blob_free(&sig);
}
END_TEST

/* What the AMD certificate parser refuses, each with its reason. */
START_TEST(amd_cert_refusals)
{
	static const struct {
		size_t off;
		uint32_t value;
		const char *why;
	} bad[] = {
		{0x00, 2, "version 2"},
		{0x24, 0x5, "key usage 0x5"},
		{0x38, 2048, "2048-bit exponent and a 4096-bit modulus"},
		{0x3c, 3072, "4096-bit exponent and a 3072-bit modulus"},
	};
	size_t len;
	const uint8_t *a = amd_root(AMD_ROME, AMD_ROOT_SEV_ARK, &len);
	uint8_t copy[AMD_CERT_LEN_4096];
	struct amd_cert c;
	char err[256];
	size_t used;

	for (size_t k = 0; k < sizeof(bad) / sizeof(bad[0]); k++) {
		memcpy(copy, a, len);
		put_le32(copy, bad[k].off, bad[k].value);
		ck_assert_int_eq(
			amd_cert_parse(copy, len, NULL, &c, err, sizeof(err)),
			-EINVAL);
		ck_assert_msg(strstr(err, bad[k].why), "%s", err);
	}
	ck_assert_int_eq(amd_cert_parse(a, len - 1, NULL, &c, err, sizeof(err)),
			 -EINVAL);
	ck_assert_ptr_nonnull(strstr(err, "1599 bytes"));
	ck_assert_int_eq(amd_cert_parse(a, 63, NULL, &c, err, sizeof(err)),
			 -EINVAL);
	/* With room to spare (a concatenation): its own length. */
	memcpy(copy, a, len);
	ck_assert_int_eq(amd_cert_parse(copy, len, &used, &c, err, sizeof(err)),
			 0);
	ck_assert_uint_eq(used, len);
	ck_assert_str_eq(err, "");
}
END_TEST

/* ----------------------------------------------------------- SEV chains */

struct sev_files {
	struct blob b[4]; /* cek oca pek pdh */
	struct sev_chain ch;
	struct amd_cert amd[2];
};

static bool load_sev(const char *gen, struct sev_files *f)
{
	static const char *const names[] = {"cek", "oca", "pek", "pdh"};
	char rel[256];

	memset(f, 0, sizeof(*f));
	for (int k = 0; k < 4; k++) {
		snprintf(rel, sizeof(rel), VIRTEE "tests/%s/%s.cert", gen,
			 names[k]);
		if (!shared_read(rel, &f->b[k]))
			return false;
		ck_assert_int_eq(sev_chain_add(&f->ch, f->amd, f->b[k].data,
					       f->b[k].len, NULL, 0),
				 0);
	}
	return true;
}

static void free_sev(struct sev_files *f)
{
	for (int k = 0; k < 4; k++)
		blob_free(&f->b[k]);
}

static void sev_chain_real(const char *gen, int product)
{
	struct sev_files f;
	struct trust_result r;
	int p;

	if (!load_sev(gen, &f))
		SKIP_TEST("no ../shared/" VIRTEE "tests/%s (SEVBOOT_SHARED)",
			  gen);
	trust_result_init(&r);
	ck_assert_int_eq(sev_chain_verify(&f.ch, NULL, &r, &p), 0);
	dump(&r);
	ck_assert_uint_eq(r.failed, 0);
	ck_assert_int_eq(p, product);
	ck_check(&r, "ARK self-signed", true);
	ck_check(&r, "ASK signed by ARK", true);
	ck_check(&r, "CEK signed by ASK", true);
	ck_check(&r, "OCA self-signed", true);
	ck_check(&r, "PEK signed by OCA", true);
	ck_check(&r, "PEK signed by CEK", true);
	ck_check(&r, "PDH signed by PEK", true);
	free_sev(&f);
}

START_TEST(sev_chain_naples)
{
	sev_chain_real("naples", AMD_NAPLES);
}
END_TEST

START_TEST(sev_chain_rome)
{
	sev_chain_real("rome", AMD_ROME);
}
END_TEST

/* virtee tests/certs.rs test_for_verify_false_positive: Rome's ASK must
 * not verify Naples' CEK (nor Naples' ASK Rome's); and the reverse links
 * of virtee tests/naples and tests/rome fail. */
START_TEST(sev_chain_wrong_signers)
{
	struct sev_files n, r;
	struct amd_cert ask;
	struct sev_signer s;
	size_t len;
	const uint8_t *a;

	if (!load_sev("naples", &n) || !load_sev("rome", &r))
		SKIP_TEST("no ../shared/" VIRTEE "tests (SEVBOOT_SHARED)");
	a = amd_root(AMD_ROME, AMD_ROOT_SEV_ASK, &len);
	ck_assert_int_eq(amd_cert_parse(a, len, NULL, &ask, NULL, 0), 0);
	s = (struct sev_signer){.amd = &ask};
	ck_assert_int_eq(sev_cert_verify(n.ch.cek, &s, NULL, 0), -EBADMSG);
	ck_assert_int_eq(sev_cert_verify(r.ch.cek, &s, NULL, 0), 0);
	a = amd_root(AMD_NAPLES, AMD_ROOT_SEV_ASK, &len);
	ck_assert_int_eq(amd_cert_parse(a, len, NULL, &ask, NULL, 0), 0);
	ck_assert_int_eq(sev_cert_verify(r.ch.cek, &s, NULL, 0), -EBADMSG);
	ck_assert_int_eq(sev_cert_verify(n.ch.cek, &s, NULL, 0), 0);
	/* PDH does not sign the PEK, PEK does not sign the OCA. */
	s = (struct sev_signer){.sev = n.ch.pdh};
	ck_assert_int_eq(sev_cert_verify(n.ch.pek, &s, NULL, 0), -EBADMSG);
	s = (struct sev_signer){.sev = n.ch.pek};
	ck_assert_int_eq(sev_cert_verify(n.ch.oca, &s, NULL, 0), -EBADMSG);
	/* Naples' PEK is not signed by Rome's OCA. */
	s = (struct sev_signer){.sev = r.ch.oca};
	ck_assert_int_eq(sev_cert_verify(n.ch.pek, &s, NULL, 0), -EBADMSG);
	free_sev(&n);
	free_sev(&r);
}
END_TEST

/* One byte changed in the signed body, and one in a signature, of every
 * certificate of both chains: the chain fails, at that certificate. */
static void sev_flip(const char *gen)
{
	static const char *const names[] = {"CEK", "OCA", "PEK", "PDH"};
	/* A byte of QX (signed) and of slot 1's signature (R). */
	static const size_t where[] = {0x20, 0x41c + 8};

	for (int k = 0; k < 4; k++) {
		for (int w = 0; w < 2; w++) {
			struct sev_files f;
			struct trust_result r;
			int p;

			if (!load_sev(gen, &f))
				SKIP_TEST("no ../shared/" VIRTEE "tests/%s",
					  gen);
			f.b[k].data[where[w]] ^= 0x01;
			trust_result_init(&r);
			ERR_clear_error();
			ck_assert_int_eq(sev_chain_verify(&f.ch, NULL, &r, &p),
					 0);
			ck_assert_msg(r.failed > 0, "%s %s byte 0x%zx", gen,
				      names[k], where[w]);
			/* A refusal leaves nothing on OpenSSL's queue. */
			ck_assert_uint_eq(ERR_peek_error(), 0);
			free_sev(&f);
		}
	}
}

START_TEST(sev_chain_flipped_bytes_fail)
{
	sev_flip("naples");
	sev_flip("rome");
}
END_TEST

/* The built-in ARK and ASK of every generation, a byte changed in the
 * body (the modulus) or the signature: the self-signature / ASK link
 * fails. */
START_TEST(amd_cert_flipped_bytes_fail)
{
	for (int p = 0; p < AMD_NPRODUCTS; p++) {
		for (int which = 0; which < 2; which++) {
			size_t len;
			const uint8_t *a = amd_root(
				p, which ? AMD_ROOT_SEV_ASK : AMD_ROOT_SEV_ARK,
				&len);
			size_t at[] = {0x40 + len / 4, len - 7};

			for (int w = 0; w < 2; w++) {
				uint8_t copy[AMD_CERT_LEN_4096];
				struct amd_cert ark, c;
				size_t alen;
				const uint8_t *ap =
					amd_root(p, AMD_ROOT_SEV_ARK, &alen);

				memcpy(copy, a, len);
				copy[at[w]] ^= 0x10;
				ck_assert_int_eq(amd_cert_parse(ap, alen, NULL,
								&ark, NULL, 0),
						 0);
				ck_assert_int_eq(amd_cert_parse(copy, len, NULL,
								&c, NULL, 0),
						 0);
				ERR_clear_error();
				ck_assert_int_eq(
					amd_cert_verify(which ? &ark : &c, &c,
							NULL, 0),
					-EBADMSG);
				ck_assert_uint_eq(ERR_peek_error(), 0);
			}
		}
	}
}
END_TEST

/* A full chain as one file (sevctl export --full: PDH, PEK, OCA, CEK,
 * ASK, ARK), and the refusals of sev_chain_add. */
START_TEST(sev_chain_one_file)
{
	struct sev_files f;
	uint8_t all[4 * SEV_CERT_LEN + 2 * AMD_CERT_LEN_2048];
	struct sev_chain ch = {0};
	struct amd_cert amd[2];
	struct trust_result r;
	size_t len, off = 0;
	const uint8_t *a;
	char err[256];
	int p;

	if (!load_sev("naples", &f))
		SKIP_TEST("no ../shared/" VIRTEE "tests/naples");
	memcpy(all + off, f.ch.pdh, SEV_CERT_LEN), off += SEV_CERT_LEN;
	memcpy(all + off, f.ch.pek, SEV_CERT_LEN), off += SEV_CERT_LEN;
	memcpy(all + off, f.ch.oca, SEV_CERT_LEN), off += SEV_CERT_LEN;
	memcpy(all + off, f.ch.cek, SEV_CERT_LEN), off += SEV_CERT_LEN;
	a = amd_root(AMD_NAPLES, AMD_ROOT_SEV_ASK, &len);
	memcpy(all + off, a, len), off += len;
	a = amd_root(AMD_NAPLES, AMD_ROOT_SEV_ARK, &len);
	memcpy(all + off, a, len), off += len;
	ck_assert_uint_eq(off, 10000);
	ck_assert_int_eq(sev_chain_add(&ch, amd, all, off, err, sizeof(err)),
			 0);
	ck_assert_ptr_nonnull(ch.ark);
	ck_assert_ptr_nonnull(ch.ask);
	trust_result_init(&r);
	ck_assert_int_eq(sev_chain_verify(&ch, NULL, &r, &p), 0);
	ck_assert_uint_eq(r.failed, 0);
	ck_assert_uint_eq(r.n, 7);
	/* Twice the same certificate; a stray byte. */
	ck_assert_int_eq(
		sev_chain_add(&ch, amd, all, SEV_CERT_LEN, err, sizeof(err)),
		-EINVAL);
	ck_assert_ptr_nonnull(strstr(err, "second PDH"));
	memset(&ch, 0, sizeof(ch));
	ck_assert_int_eq(sev_chain_add(&ch, amd, all, SEV_CERT_LEN + 1, err,
				       sizeof(err)),
			 -EINVAL);
	ck_assert_ptr_nonnull(strstr(err, "at byte 2084"));
	free_sev(&f);
}
END_TEST

/* A chain that stops short of the root: the missing links fail. */
START_TEST(sev_chain_missing_links)
{
	struct sev_files f;
	struct sev_chain ch = {0};
	struct trust_result r;
	int p;

	if (!load_sev("rome", &f))
		SKIP_TEST("no ../shared/" VIRTEE "tests/rome");
	ch.pdh = f.ch.pdh;
	ch.pek = f.ch.pek;
	trust_result_init(&r);
	ck_assert_int_eq(sev_chain_verify(&ch, NULL, &r, &p), 0);
	ck_check(&r, "PDH signed by PEK", true);
	ck_check(&r, "PEK signed by OCA", false);
	ck_check(&r, "PEK signed by CEK", false);
	ck_assert_int_eq(p, AMD_PRODUCT_UNKNOWN);
	/* --ark of another generation: the CEK is Rome's. */
	{
		struct amd_cert root;
		size_t len;
		const uint8_t *a = amd_root(AMD_MILAN, AMD_ROOT_SEV_ARK, &len);

		ck_assert_int_eq(amd_cert_parse(a, len, NULL, &root, NULL, 0),
				 0);
		trust_result_init(&r);
		ck_assert_int_eq(sev_chain_verify(&f.ch, &root, &r, &p), 0);
		ck_assert_uint_gt(r.failed, 0);
		ck_check(&r, "CEK signed by ASK", false);
	}
	free_sev(&f);
}
END_TEST

/* ----------------------------------------------------------- SNP chains */

static bool load_snp(const char *rel, struct snp_chain *ch)
{
	struct blob b;
	char err[256] = "";

	if (!shared_read(rel, &b))
		return false;
	ck_assert_msg(snp_chain_add(ch, b.data, b.len, err, sizeof(err)) == 0,
		      "%s: %s", rel, err);
	blob_free(&b);
	return true;
}

static void snp_chain_init(struct snp_chain *ch)
{
	memset(ch, 0, sizeof(*ch));
	ch->product = AMD_PRODUCT_UNKNOWN;
}

/* Every CA bundle verifies up to AMD's built-in ARK (testdata README 2a:
 * each is ARK-signed and self-signed). */
START_TEST(snp_ca_bundles)
{
	static const struct {
		const char *rel;
		int product;
		bool ask, asvk;
	} files[] = {
		{VIRTEE "tests/certs_data/cert_chain_milan", AMD_MILAN, 1, 0},
		{VIRTEE "tests/certs_data/cert_chain_turin", AMD_TURIN, 1, 0},
		{GOSEV "trust/ask_ark_milan.pem", AMD_MILAN, 1, 0},
		{GOSEV "trust/ask_ark_genoa.pem", AMD_GENOA, 1, 0},
		{GOSEV "trust/ask_ark_turin_vcek.pem", AMD_TURIN, 1, 0},
		{GOSEV "trust/ask_ark_milan_vlek.pem", AMD_MILAN, 0, 1},
		{GOSEV "trust/ask_ark_genoa_vlek.pem", AMD_GENOA, 0, 1},
		{GOSEV "trust/ask_ark_turin_vlek.pem", AMD_TURIN, 0, 1},
		{GOSEV "testdata/milan.testcer", AMD_MILAN, 1, 0},
		{GOSEV "testdata/milanvlek.testcer", AMD_MILAN, 0, 1},
		{TRUSTEE "src/snp/milan_ask_ark_asvk.pem", AMD_MILAN, 1, 1},
		{TRUSTEE "src/snp/genoa_ask_ark_asvk.pem", AMD_GENOA, 1, 1},
		{TRUSTEE "src/snp/turin_ask_ark_asvk.pem", AMD_TURIN, 1, 1},
		{VIRTEE "src/certs/snp/builtin/genoa/ark.pem", AMD_GENOA, 0, 0},
	};

	for (size_t k = 0; k < sizeof(files) / sizeof(files[0]); k++) {
		struct snp_chain ch;
		struct trust_result r;

		snp_chain_init(&ch);
		if (!load_snp(files[k].rel, &ch))
			SKIP_TEST("no ../shared/%s", files[k].rel);
		ck_assert_int_eq(ch.product, files[k].product);
		ck_assert_ptr_nonnull(ch.ark);
		ck_assert(!!ch.ask == files[k].ask);
		ck_assert(!!ch.asvk == files[k].asvk);
		trust_result_init(&r);
		ck_assert_int_eq(snp_chain_verify(&ch, NULL, T_NOW, &r), 0);
		dump(&r);
		ck_assert_msg(r.failed == 0, "%s", files[k].rel);
		ck_check(&r, "ARK self-signed", true);
		if (files[k].ask)
			ck_check(&r, "ASK signed by ARK", true);
		if (files[k].asvk)
			ck_check(&r, "ASVK signed by ARK", true);
		snp_chain_free(&ch);
	}
}
END_TEST

/* A VCEK alone verifies up to the built-in ASK and ARK of the product
 * its issuer names (virtee tests/certs.rs milan_chain, turin_ca_stack;
 * trustee; go-sev-guest; the Azure Genoa VCEK). */
/* A certificate's name is anyone's bytes: a CN holding a newline and an
 * escape is said on one line, as \xNN (fuzz_trust found the newline
 * going into the error as it was). */
START_TEST(snp_name_shown_on_one_line)
{
	static const char cn[] = "SEV-\n\033[2Jlan";
	struct snp_chain ch = {.product = AMD_PRODUCT_UNKNOWN};
	EVP_PKEY *k = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
	X509 *c = X509_new();
	uint8_t *der = NULL;
	char err[300];
	int len;

	ck_assert_ptr_nonnull(k);
	ck_assert_ptr_nonnull(c);
	ck_assert_int_eq(X509_NAME_add_entry_by_txt(
				 X509_get_subject_name(c), "CN", MBSTRING_ASC,
				 (const unsigned char *)cn, -1, -1, 0),
			 1);
	ck_assert_int_eq(X509_set_version(c, X509_VERSION_3), 1);
	ck_assert_int_eq(ASN1_INTEGER_set(X509_get_serialNumber(c), 1), 1);
	ck_assert_ptr_nonnull(X509_gmtime_adj(X509_getm_notBefore(c), 0));
	ck_assert_ptr_nonnull(X509_gmtime_adj(X509_getm_notAfter(c), 86400));
	ck_assert_int_eq(X509_set_issuer_name(c, X509_get_subject_name(c)), 1);
	ck_assert_int_eq(X509_set_pubkey(c, k), 1);
	ck_assert_int_gt(X509_sign(c, k, EVP_sha256()), 0);
	len = i2d_X509(c, &der);
	ck_assert_int_gt(len, 0);
	/* CN=SEV-... is an ASK by its name, of an unknown product. */
	ck_assert_int_eq(snp_chain_add(&ch, der, (size_t)len, err, sizeof(err)),
			 -EINVAL);
	ck_assert_ptr_null(strchr(err, '\n'));
	ck_assert_ptr_null(strchr(err, '\033'));
	ck_assert_msg(strstr(err, "\"SEV-\\x0a\\x1b[2Jlan\""), "%s", err);
	OPENSSL_free(der);
	X509_free(c);
	EVP_PKEY_free(k);
	snp_chain_free(&ch);
}
END_TEST

START_TEST(snp_vcek_alone)
{
	static const struct {
		const char *rel;
		int product;
		size_t hwid_len;
	} files[] = {
		{VIRTEE "tests/certs_data/vcek_milan.der", AMD_MILAN, 64},
		{VIRTEE "tests/certs_data/vcek_turin.der", AMD_TURIN, 8},
		{GOSEV "testdata/vcek.testcer", AMD_MILAN, 64},
		{TRUSTEE "test_data/snp/test-vcek.der", AMD_MILAN, 64},
		{TRUSTEE "test_data/az-snp-vtpm/vcek-genoa.pem", AMD_GENOA, 64},
	};

	for (size_t k = 0; k < sizeof(files) / sizeof(files[0]); k++) {
		struct snp_chain ch;
		struct trust_result r;
		struct snp_vek_ext e;

		snp_chain_init(&ch);
		if (!load_snp(files[k].rel, &ch))
			SKIP_TEST("no ../shared/%s", files[k].rel);
		ck_assert_int_eq(ch.product, files[k].product);
		ck_assert(!ch.vek_is_vlek);
		trust_result_init(&r);
		ck_assert_int_eq(snp_chain_verify(&ch, NULL, T_NOW, &r), 0);
		dump(&r);
		ck_assert_msg(r.failed == 0, "%s", files[k].rel);
		ck_check(&r, "VCEK signed by ASK", true);
		ck_check(&r, "VCEK validity", true);
		ck_assert_int_eq(snp_vek_extensions(ch.vek, &e, NULL, 0), 0);
		ck_assert_uint_eq(e.hwid_len, files[k].hwid_len);
		ck_assert(e.has_spl[1] && e.has_spl[2] && e.has_spl[3] &&
			  e.has_spl[8]);
		snp_chain_free(&ch);
	}
}
END_TEST

/* The extensions of the real Milan and Turin VCEKs (testdata README 2b). */
START_TEST(snp_vcek_extensions)
{
	struct snp_chain ch;
	struct snp_vek_ext e;
	uint8_t hw[8];

	snp_chain_init(&ch);
	if (!load_snp(VIRTEE "tests/certs_data/vcek_milan.der", &ch))
		SKIP_TEST("no ../shared/" VIRTEE "tests/certs_data");
	ck_assert_int_eq(snp_vek_extensions(ch.vek, &e, NULL, 0), 0);
	ck_assert_str_eq(e.product_name, "Milan-B0");
	ck_assert_uint_eq(e.spl[1], 3);
	ck_assert_uint_eq(e.spl[2], 0);
	ck_assert_uint_eq(e.spl[3], 8);
	ck_assert_uint_eq(e.spl[8], 115);
	ck_unhex("d49554ec717f4e5b", hw, 8);
	ck_assert_mem_eq(e.hwid, hw, 8);
	snp_chain_free(&ch);
	snp_chain_init(&ch);
	ck_assert(load_snp(VIRTEE "tests/certs_data/vcek_turin.der", &ch));
	ck_assert_int_eq(snp_vek_extensions(ch.vek, &e, NULL, 0), 0);
	ck_assert_str_eq(e.product_name, "Turin");
	ck_assert_uint_eq(e.hwid_len, 8);
	ck_unhex("1e550a8ee5cf9f4d", hw, 8);
	ck_assert_mem_eq(e.hwid, hw, 8);
	ck_assert(e.has_spl[SNP_SPL_FMC]);
	snp_chain_free(&ch);
}
END_TEST

/* trustee check_vcek_parsing_legacy/new: both hwID encodings are read
 * (the synthetic 00 01 .. 3f), and the altered certificates' signatures
 * fail. */
START_TEST(snp_vcek_altered_hwid)
{
	static const char *const files[] = {
		TRUSTEE "test_data/snp/test-vcek-invalid-legacy.der",
		TRUSTEE "test_data/snp/test-vcek-invalid-new.der",
	};

	for (int k = 0; k < 2; k++) {
		struct snp_chain ch;
		struct snp_vek_ext e;
		struct trust_result r;

		snp_chain_init(&ch);
		if (!load_snp(files[k], &ch))
			SKIP_TEST("no ../shared/%s", files[k]);
		ck_assert_int_eq(snp_vek_extensions(ch.vek, &e, NULL, 0), 0);
		ck_assert_uint_eq(e.hwid_len, 64);
		for (int i = 0; i < 64; i++)
			ck_assert_uint_eq(e.hwid[i], i);
		trust_result_init(&r);
		ck_assert_int_eq(snp_chain_verify(&ch, NULL, T_NOW, &r), 0);
		ck_check(&r, "VCEK signed by ASK", false);
		snp_chain_free(&ch);
	}
}
END_TEST

/* The VLEK expired on 2025-12-10: reported as expired now, valid with
 * --at inside its validity. */
START_TEST(snp_vlek_expired)
{
	struct snp_chain ch;
	struct trust_result r;

	snp_chain_init(&ch);
	if (!load_snp(TRUSTEE "test_data/snp/test-vlek.der", &ch))
		SKIP_TEST("no ../shared/" TRUSTEE "test_data/snp");
	ck_assert(ch.vek_is_vlek);
	trust_result_init(&r);
	ck_assert_int_eq(snp_chain_verify(&ch, NULL, T_NOW, &r), 0);
	ck_assert_uint_eq(r.failed, 1);
	ck_assert(r.expired);
	ck_check(&r, "VLEK validity", false);
	ck_check(&r, "VLEK signed by ASVK", true);
	ck_assert_ptr_nonnull(
		strstr(find(&r, "VLEK validity")->text, "expired"));
	trust_result_init(&r);
	ck_assert_int_eq(snp_chain_verify(&ch, NULL, T_VLEK_OK, &r), 0);
	dump(&r);
	ck_assert_uint_eq(r.failed, 0);
	snp_chain_free(&ch);
}
END_TEST

/* The DER of certificate idx (ARK, ASK, ASVK, VCEK/VLEK order, those
 * present) of a file; 0 when it has fewer, -1 when the file is absent. */
static int file_der(const char *rel, unsigned idx, uint8_t **der)
{
	struct blob b;
	struct snp_chain ch;
	X509 *certs[4];
	unsigned n = 0;
	int len = 0;

	*der = NULL;
	if (!shared_read(rel, &b))
		return -1;
	snp_chain_init(&ch);
	ck_assert_int_eq(snp_chain_add(&ch, b.data, b.len, NULL, 0), 0);
	if (ch.ark)
		certs[n++] = ch.ark;
	if (ch.ask)
		certs[n++] = ch.ask;
	if (ch.asvk)
		certs[n++] = ch.asvk;
	if (ch.vek)
		certs[n++] = ch.vek;
	if (idx < n) {
		len = i2d_X509(certs[idx], der);
		ck_assert_int_gt(len, 0);
	}
	snp_chain_free(&ch);
	blob_free(&b);
	return len;
}

/* Every real SNP certificate file, each certificate in it. */
static const char *const snp_files[] = {
	VIRTEE "tests/certs_data/vcek_milan.der",
	VIRTEE "tests/certs_data/vcek_turin.der",
	VIRTEE "tests/certs_data/cert_chain_milan",
	VIRTEE "tests/certs_data/cert_chain_turin",
	VIRTEE "src/certs/snp/builtin/milan/ark.pem",
	VIRTEE "src/certs/snp/builtin/milan/ask.pem",
	VIRTEE "src/certs/snp/builtin/genoa/ark.pem",
	VIRTEE "src/certs/snp/builtin/genoa/ask.pem",
	VIRTEE "src/certs/snp/builtin/turin/ark.pem",
	VIRTEE "src/certs/snp/builtin/turin/ask.pem",
	GOSEV "testdata/vcek.testcer",
	GOSEV "testdata/milan.testcer",
	GOSEV "testdata/milanvlek.testcer",
	GOSEV "trust/ask_ark_milan.pem",
	GOSEV "trust/ask_ark_genoa.pem",
	GOSEV "trust/ask_ark_turin_vcek.pem",
	GOSEV "trust/ask_ark_milan_vlek.pem",
	GOSEV "trust/ask_ark_genoa_vlek.pem",
	GOSEV "trust/ask_ark_turin_vlek.pem",
	TRUSTEE "test_data/snp/test-vcek.der",
	TRUSTEE "test_data/snp/test-vlek.der",
	TRUSTEE "test_data/az-snp-vtpm/vcek-genoa.pem",
	TRUSTEE "src/snp/milan_ask_ark_asvk.pem",
	TRUSTEE "src/snp/genoa_ask_ark_asvk.pem",
	TRUSTEE "src/snp/turin_ask_ark_asvk.pem",
};

/* Certificate der (len bytes) alone, checked up to the built-in roots
 * at a time every real certificate is valid: 1 when it read and every
 * check held, 0 when it read and one failed, -1 when it did not read. */
static int lone_verdict(const uint8_t *der, int len)
{
	struct snp_chain ch;
	struct trust_result r;
	int v = -1;

	snp_chain_init(&ch);
	if (!snp_chain_add(&ch, der, (size_t)len, NULL, 0)) {
		trust_result_init(&r);
		ck_assert_int_eq(snp_chain_verify(&ch, NULL, T_VLEK_OK, &r), 0);
		v = r.failed == 0;
	}
	snp_chain_free(&ch);
	return v;
}

/* Every certificate of every file: as it is, its checks hold; one byte
 * changed in the signed part (DER byte 40, as virtee's
 * milan_chain_invalid; trustee's byte 42) or in the signature (the last
 * byte): a check fails, or it no longer reads as AMD's. */
START_TEST(snp_flipped_bytes_fail)
{
	unsigned certs = 0, read_and_failed = 0;

	for (size_t k = 0; k < sizeof(snp_files) / sizeof(snp_files[0]); k++) {
		for (unsigned idx = 0;; idx++) {
			uint8_t *der;
			int len = file_der(snp_files[k], idx, &der);
			int at[] = {40, 42, len - 1};

			if (len < 0)
				SKIP_TEST("no ../shared/%s", snp_files[k]);
			if (!len)
				break;
			certs++;
			ck_assert_msg(lone_verdict(der, len) == 1, "%s #%u",
				      snp_files[k], idx);
			for (int w = 0; w < 3; w++) {
				int v;

				der[at[w]] ^= 0x01;
				v = lone_verdict(der, len);
				ck_assert_msg(v != 1, "%s #%u byte %d",
					      snp_files[k], idx, at[w]);
				read_and_failed += v == 0;
				der[at[w]] ^= 0x01;
			}
			OPENSSL_free(der);
		}
	}
	printf("snp_flipped_bytes_fail: %u certificates, %u of %u changed "
	       "ones read and failed a check\n",
	       certs, read_and_failed, 3 * certs);
	ck_assert_uint_eq(certs, 41);
	ck_assert_uint_ge(read_and_failed, 2 * certs);
}
END_TEST

/* ------------------------------------------------------------- reports */

struct report_case {
	const char *report, *vek;
	size_t offset; /* of the SNP report inside the file */
};

/* A report file into raw[SNP_REPORT_LEN] (hex text or raw; the Azure
 * evidence's "report" is a JSON list of bytes). */
static bool load_report(const struct report_case *c, uint8_t *raw)
{
	struct blob b;
	uint8_t buf[4096];
	size_t n;

	if (!shared_read(c->report, &b))
		return false;
	if (b.data[0] == '{') {
		struct json *j;
		const struct json *list;

		ck_assert_int_eq(json_parse((char *)b.data, b.len, &j, NULL, 0),
				 0);
		list = json_get(j, "report");
		ck_assert_ptr_nonnull(list);
		ck_assert_uint_ge(list->arr.n, c->offset + SNP_REPORT_LEN);
		for (size_t k = 0; k < SNP_REPORT_LEN; k++)
			raw[k] = (uint8_t)list->arr.items[c->offset + k].i.u;
		json_free(j);
	} else {
		ck_assert_int_eq(trust_report_read(b.data, b.len, buf,
						   sizeof(buf), &n, NULL, 0),
				 0);
		ck_assert_uint_eq(n, SNP_REPORT_LEN);
		memcpy(raw, buf, n);
	}
	blob_free(&b);
	return true;
}

static const struct report_case milan_virtee = {
	VIRTEE "tests/certs_data/report_milan.hex",
	VIRTEE "tests/certs_data/vcek_milan.der", 0};
static const struct report_case milan_gosev = {
	GOSEV "testdata/attestation.bin", GOSEV "testdata/vcek.testcer", 0};
static const struct report_case milan_trustee = {
	TRUSTEE "test_data/snp/test-report.bin",
	TRUSTEE "test_data/snp/test-vcek.der", 0};
static const struct report_case milan_vlek = {
	TRUSTEE "test_data/snp/test-vlek-report.bin",
	TRUSTEE "test_data/snp/test-vlek.der", 0};
static const struct report_case genoa_azure = {
	TRUSTEE "test_data/az-snp-vtpm/evidence-genoa.json",
	TRUSTEE "test_data/az-snp-vtpm/vcek-genoa.pem", 0x20};

/* The verdict on c's report (changed by flip when flip_at is not -1). */
static bool verify_case(const struct report_case *c, long flip_at, uint8_t flip,
			int64_t at, const struct snp_expect *x,
			struct trust_result *r)
{
	uint8_t raw[SNP_REPORT_LEN];
	struct snp_chain ch;
	struct snp_expect none = {0};
	char err[256] = "";

	snp_chain_init(&ch);
	if (!load_report(c, raw) || !load_snp(c->vek, &ch))
		return false;
	if (flip_at >= 0)
		raw[flip_at] = (uint8_t)(raw[flip_at] + flip);
	trust_result_init(r);
	ck_assert_msg(snp_report_verify(raw, &ch, NULL, at, x ? x : &none, r,
					err, sizeof(err)) == 0,
		      "%s: %s", c->report, err);
	snp_chain_free(&ch);
	return true;
}

START_TEST(report_milan_virtee)
{
	struct trust_result r;
	struct snp_expect x = {.have_measurement = true,
			       .have_policy = true,
			       .policy = 0x30000,
			       .have_vmpl = true,
			       .vmpl = 0};
	uint8_t raw[SNP_REPORT_LEN];
	struct snp_report rep;

	ck_unhex("7a1e5c266c0108dbc9bb94fa926951320940915d0aafb42464bd88b579ea"
		 "158d3e1a0dc39b2c60bd95b9c480cd81841f",
		 x.measurement, 48);
	if (!verify_case(&milan_virtee, -1, 0, T_NOW, &x, &r))
		SKIP_TEST("no ../shared/%s", milan_virtee.report);
	dump(&r);
	ck_assert_uint_eq(r.failed, 0);
	ck_check(&r, "signature", true);
	ck_check(&r, "chip_id", true);
	ck_check(&r, "reported_tcb", true);
	ck_check(&r, "measurement", true);
	ck_assert(load_report(&milan_virtee, raw));
	ck_assert_int_eq(snp_report_parse(raw, &rep, NULL, 0), 0);
	ck_assert_uint_eq(rep.version, 2);
	ck_assert_uint_eq(rep.reported_tcb, 0x7308000000000003ULL);
	ck_assert_uint_eq(rep.current_major, 1);
	ck_assert_uint_eq(rep.current_minor, 52);
	ck_assert_uint_eq(rep.current_build, 4);
	/* virtee milan_report_invalid: the top bit of byte 21. */
	ck_assert(verify_case(&milan_virtee, 21, 0x80, T_NOW, NULL, &r));
	ck_check(&r, "signature", false);
}
END_TEST

/* go-sev-guest tools/check/check_test.go's "good" values. */
START_TEST(report_milan_gosev)
{
	struct trust_result r;
	struct snp_expect x = {
		.have_measurement = true,
		.have_report_data = true,
		.have_policy = true,
		.policy = 0xb0000,
		.have_host_data = true,
		.have_family_id = true,
		.have_image_id = true,
		.have_vmpl = true,
		.have_min_tcb = true,
		.min_tcb = {.bl = 2, .tee = 0, .snp = 5, .ucode = 68},
	};
	uint8_t raw[SNP_REPORT_LEN];
	struct snp_report rep;
	uint8_t id[32];

	ck_unhex("b07af9620f3b839b47996422ddec6058338951d984e312115131ea82705e"
		 "af5b6bdf8a9ece31a5a608eb0cf2e4872b01",
		 x.measurement, 48);
	ck_unhex("0102030405", x.report_data, 5);
	if (!verify_case(&milan_gosev, -1, 0, T_NOW, &x, &r))
		SKIP_TEST("no ../shared/%s", milan_gosev.report);
	dump(&r);
	ck_assert_uint_eq(r.failed, 0);
	ck_assert(load_report(&milan_gosev, raw));
	ck_assert_int_eq(snp_report_parse(raw, &rep, NULL, 0), 0);
	ck_assert_uint_eq(rep.reported_tcb, 4901323769462652930ULL);
	ck_assert_uint_eq(rep.platform_info, 1);
	ck_assert_uint_eq(rep.current_major, 1);
	ck_assert_uint_eq(rep.current_minor, 49);
	ck_unhex("8edc638e1857c555d21f6b11bda3c8b1b5a09dba4852b4c8ee7aa2f16f22"
		 "cc0a",
		 id, 32);
	ck_assert_mem_eq(rep.report_id, id, 32);
	/* A minimum TCB above the report's, and another measurement. */
	x.min_tcb.snp = 6;
	x.measurement[0] ^= 1;
	ck_assert(verify_case(&milan_gosev, -1, 0, T_NOW, &x, &r));
	ck_assert_uint_eq(r.failed, 2);
	ck_check(&r, "minimum TCB", false);
	ck_check(&r, "measurement", false);
	ck_assert_ptr_nonnull(
		strstr(find(&r, "measurement")->text, "expected b17af962"));
}
END_TEST

/* trustee deps/verifier/src/snp/mod.rs: byte 42 (image_id) + 1 breaks
 * the signature, byte 384 (reported_tcb) + 1 the TCB check too. */
static bool report_trustee(const struct report_case *c, int64_t at)
{
	struct trust_result r;
	struct snp_expect x = {.have_family_id = true, .have_image_id = true};

	x.family_id[0] = 1;
	x.image_id[0] = 2;
	if (!verify_case(c, -1, 0, at, c == &milan_trustee ? &x : NULL, &r))
		return false;
	dump(&r);
	ck_assert_uint_eq(r.failed, 0);
	ck_check(&r, "reported_tcb", true);
	ck_assert(verify_case(c, 42, 1, at, NULL, &r));
	ck_check(&r, "signature", false);
	ck_check(&r, "reported_tcb", true);
	ck_assert(verify_case(c, 384, 1, at, NULL, &r));
	ck_check(&r, "signature", false);
	ck_check(&r, "reported_tcb", false);
	/* A byte of the signature (R). */
	ck_assert(verify_case(c, 0x2a0 + 3, 1, at, NULL, &r));
	ck_check(&r, "signature", false);
	ck_assert_uint_eq(r.failed, 1);
	return true;
}

START_TEST(report_milan_trustee)
{
	if (!report_trustee(&milan_trustee, T_NOW))
		SKIP_TEST("no ../shared/%s", milan_trustee.report);
}
END_TEST

START_TEST(report_milan_vlek)
{
	struct trust_result r;

	if (!report_trustee(&milan_vlek, T_VLEK_OK))
		SKIP_TEST("no ../shared/%s", milan_vlek.report);
	/* Today the VLEK has expired: only that fails. */
	ck_assert(verify_case(&milan_vlek, -1, 0, T_NOW, NULL, &r));
	ck_assert_uint_eq(r.failed, 1);
	ck_assert(r.expired);
	ck_check(&r, "signature", true);
	ck_check(&r, "VLEK validity", false);
}
END_TEST

START_TEST(report_genoa_azure)
{
	struct trust_result r;
	uint8_t raw[SNP_REPORT_LEN];
	struct snp_report rep;

	if (!verify_case(&genoa_azure, -1, 0, T_NOW, NULL, &r))
		SKIP_TEST("no ../shared/%s", genoa_azure.report);
	dump(&r);
	ck_assert_uint_eq(r.failed, 0);
	ck_check(&r, "chip_id", true);
	ck_assert(load_report(&genoa_azure, raw));
	ck_assert_int_eq(snp_report_parse(raw, &rep, NULL, 0), 0);
	ck_assert_uint_eq(rep.version, 3);
	ck_assert_int_eq(snp_report_product(&rep), AMD_GENOA);
	ck_assert(verify_case(&genoa_azure, 0x90, 1, T_NOW, NULL, &r));
	ck_check(&r, "signature", false);
	ck_assert(verify_case(&genoa_azure, 0x2e8 + 5, 1, T_NOW, NULL, &r));
	ck_check(&r, "signature", false);
}
END_TEST

/* Every real report: as it is, its signature holds; a byte changed in
 * the signed part (the measurement) or in the signature (R, S) breaks it. */
START_TEST(report_flipped_bytes_fail)
{
	const struct report_case *cases[] = {&milan_virtee, &milan_gosev,
					     &milan_trustee, &milan_vlek,
					     &genoa_azure};
	static const long at[] = {0x90, 0x2a0 + 1, 0x2e8 + 40};

	for (size_t k = 0; k < sizeof(cases) / sizeof(cases[0]); k++) {
		struct trust_result r;

		if (!verify_case(cases[k], -1, 0, T_VLEK_OK, NULL, &r))
			SKIP_TEST("no ../shared/%s", cases[k]->report);
		ck_assert_msg(r.failed == 0, "%s", cases[k]->report);
		for (int w = 0; w < 3; w++) {
			ck_assert(verify_case(cases[k], at[w], 1, T_VLEK_OK,
					      NULL, &r));
			ck_check(&r, "signature", false);
		}
	}
}
END_TEST

/* A report checked with the wrong VCEK: signature, chip_id fail. */
START_TEST(report_wrong_vcek)
{
	struct report_case c = milan_virtee;
	struct trust_result r;

	c.vek = milan_trustee.vek;
	if (!verify_case(&c, -1, 0, T_NOW, NULL, &r))
		SKIP_TEST("no ../shared/%s", c.report);
	ck_check(&r, "signature", false);
	ck_check(&r, "chip_id", false);
}
END_TEST

START_TEST(report_read_refusals)
{
	uint8_t raw[SNP_REPORT_LEN], text[2 * SNP_REPORT_LEN + 1];
	char err[256];
	size_t n;

	memset(raw, 0, sizeof(raw));
	ck_assert_int_eq(trust_report_read(raw, 100, raw, sizeof(raw), &n, err,
					   sizeof(err)),
			 -EINVAL);
	ck_assert_ptr_nonnull(strstr(err, "1184"));
	memset(text, 'a', sizeof(text));
	ck_assert_int_eq(trust_report_read(text, 2 * SNP_REPORT_LEN - 2, raw,
					   sizeof(raw), &n, err, sizeof(err)),
			 -EINVAL);
	ck_assert_ptr_nonnull(strstr(err, "2366 digits"));
	ck_assert_int_eq(trust_report_read(text, 2 * SNP_REPORT_LEN, raw,
					   sizeof(raw), &n, err, sizeof(err)),
			 0);
	ck_assert_uint_eq(n, SNP_REPORT_LEN);
	ck_assert_uint_eq(raw[7], 0xaa);
	/* Version 1 is refused by the parser. */
	put_le32(raw, 0, 1);
	ck_assert_int_eq(snp_report_parse(raw, &(struct snp_report){0}, err,
					  sizeof(err)),
			 -EINVAL);
	ck_assert_ptr_nonnull(strstr(err, "version 1"));
}
END_TEST

/* Versions 3 and 5 (SNP ABI 56860 ATTESTATION_REPORT): the CPUID fields name
 * the product, v5 adds the mitigation vectors; v2 leaves both unread. */
START_TEST(report_versions)
{
	uint8_t raw[SNP_REPORT_LEN] = {0};
	struct snp_report rep;

	put_le32(raw, 0x0, 5);
	raw[0x188] = 0x1a; /* Turin */
	raw[0x189] = 0x02;
	raw[0x18a] = 0x01;
	put_le64(raw, 0x1f8, 0x1122334455667788ULL);
	put_le64(raw, 0x200, 0x99aabbccddeeff00ULL);
	put_le64(raw, 0x180, 0x0900000004030201ULL);
	ck_assert_int_eq(snp_report_parse(raw, &rep, NULL, 0), 0);
	ck_assert_uint_eq(rep.launch_mit_vector, 0x1122334455667788ULL);
	ck_assert_uint_eq(rep.current_mit_vector, 0x99aabbccddeeff00ULL);
	ck_assert_uint_eq(rep.cpuid_fam, 0x1a);
	ck_assert_uint_eq(rep.cpuid_step, 1);
	ck_assert_int_eq(snp_report_product(&rep), AMD_TURIN);
	raw[0x188] = 0x19;
	raw[0x189] = 0x11;
	ck_assert_int_eq(snp_report_parse(raw, &rep, NULL, 0), 0);
	ck_assert_int_eq(snp_report_product(&rep), AMD_GENOA);
	raw[0x189] = 0x01;
	ck_assert_int_eq(snp_report_parse(raw, &rep, NULL, 0), 0);
	ck_assert_int_eq(snp_report_product(&rep), AMD_MILAN);
	put_le32(raw, 0x0, 2);
	ck_assert_int_eq(snp_report_parse(raw, &rep, NULL, 0), 0);
	ck_assert_uint_eq(rep.cpuid_fam, 0);
	ck_assert_uint_eq(rep.launch_mit_vector, 0);
	ck_assert_int_eq(snp_report_product(&rep), AMD_PRODUCT_UNKNOWN);
	/* v2 with a Turin-shaped chip id (8 bytes, the rest zero). */
	raw[0x1a0] = 0x1e;
	ck_assert_int_eq(snp_report_parse(raw, &rep, NULL, 0), 0);
	ck_assert_int_eq(snp_report_product(&rep), AMD_TURIN);
	put_le32(raw, 0x0, 6);
	ck_assert_int_eq(snp_report_parse(raw, &rep, NULL, 0), -EINVAL);
}
END_TEST

/* The TCB layouts (Linux psp-sev.h sev_snp_tcb_version_genoa_milan,
 * _turin). */
START_TEST(tcb_split_layouts)
{
	struct snp_tcb t;

	snp_tcb_split(0x7308000000000003ULL, AMD_MILAN, &t);
	ck_assert_uint_eq(t.bl, 3);
	ck_assert_uint_eq(t.snp, 8);
	ck_assert_uint_eq(t.ucode, 0x73);
	snp_tcb_split(0x0900000004030201ULL, AMD_TURIN, &t);
	ck_assert_uint_eq(t.fmc, 1);
	ck_assert_uint_eq(t.bl, 2);
	ck_assert_uint_eq(t.tee, 3);
	ck_assert_uint_eq(t.snp, 4);
	ck_assert_uint_eq(t.ucode, 9);
}
END_TEST

/* ------------------------------------------------------ the SEV report */

/* No real SEV ATTESTATION report exists in public data (testdata README
 * 4): one signed here with a PEK of our own, in the layout of SEV API
 * 55766 ATTESTATION command, verifies; a byte changed in the signed part or the
 * signature does not. */
START_TEST(sev_report_signed_by_pek)
{
	uint8_t raw[SEV_ATT_REPORT_LEN] = {0}, pek_cert[SEV_CERT_LEN];
	struct sev_chain ch = {0};
	struct snp_expect x = {
		.have_measurement = true, .have_policy = true, .policy = 0x5};
	struct trust_result r;
	struct sev_att_report rep;
	EVP_PKEY *pek;
	char err[256];

	ck_assert_int_eq(sev_p384_generate(&pek), 0);
	ck_assert_int_eq(sev_cert_build(pek, SEV_USAGE_PEK,
					SEV_ALGO_ECDSA_SHA256, 1, 55, NULL, 0,
					pek_cert),
			 0);
	for (int k = 0; k < 48; k++)
		raw[k] = (uint8_t)k; /* mnonce, launch digest */
	memcpy(x.measurement, raw + 16, 32);
	put_le32(raw, 0x30, 0x5);
	put_le32(raw, 0x34, SEV_USAGE_PEK);
	put_le32(raw, 0x38, SEV_ALGO_ECDSA_SHA256);
	ck_assert_int_eq(
		sev_ecdsa_sign(pek, EVP_sha256(), raw, 0x34, raw + 0x40), 0);
	ck_assert_int_eq(sev_att_report_parse(raw, &rep, err, sizeof(err)), 0);
	ck_assert_uint_eq(rep.policy, 5);
	ch.pek = pek_cert;
	trust_result_init(&r);
	ck_assert_int_eq(
		sev_att_report_verify(raw, &ch, NULL, &x, &r, err, sizeof(err)),
		0);
	ck_check(&r, "signature", true);
	ck_check(&r, "launch digest", true);
	ck_check(&r, "policy", true);
	/* No OCA, no CEK: the chain does not reach AMD. */
	ck_check(&r, "PEK signed by CEK", false);
	raw[0x20] ^= 1;
	trust_result_init(&r);
	ck_assert_int_eq(
		sev_att_report_verify(raw, &ch, NULL, &x, &r, err, sizeof(err)),
		0);
	ck_check(&r, "signature", false);
	ck_check(&r, "launch digest", false);
	raw[0x20] ^= 1;
	raw[0x40 + 7] ^= 1;
	trust_result_init(&r);
	ck_assert_int_eq(
		sev_att_report_verify(raw, &ch, NULL, &x, &r, err, sizeof(err)),
		0);
	ck_check(&r, "signature", false);
	ck_check(&r, "launch digest", true);
	/* Another signer usage is no SEV report. */
	put_le32(raw, 0x34, SEV_USAGE_PDH);
	ck_assert_int_eq(sev_att_report_parse(raw, &rep, err, sizeof(err)),
			 -EINVAL);
	EVP_PKEY_free(pek);
}
END_TEST

/* ------------------------------------------- a SEV chain of our own */

/*
 * A whole SEV chain made here with OpenSSL, in AMD's formats (SEV API
 * 55766, AMD-ASPFW amd_cert.h and sev_cert.h): RSA-2048 ARK and ASK (RSASSA-PSS
 * SHA-256, salt 32, little-endian), a CEK signed by the ASK, OCA, PEK (signed
 * by OCA and CEK), PDH.  It stands for a platform whose ARK is not AMD's:
 * trusted only with --ark.
 */
struct own_chain {
	uint8_t ark[AMD_CERT_LEN_2048], ask[AMD_CERT_LEN_2048];
	uint8_t cek[SEV_CERT_LEN], oca[SEV_CERT_LEN], pek[SEV_CERT_LEN];
	uint8_t pdh[SEV_CERT_LEN];
	EVP_PKEY *pek_key;
};

static void rsa_pss_sign_le(EVP_PKEY *k, const uint8_t *data, size_t len,
			    uint8_t out_le[256])
{
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	EVP_PKEY_CTX *pctx = NULL;
	uint8_t be[256];
	size_t n = sizeof(be);

	ck_assert(ctx);
	ck_assert_int_gt(EVP_DigestSignInit(ctx, &pctx, EVP_sha256(), NULL, k),
			 0);
	ck_assert_int_gt(
		EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PSS_PADDING), 0);
	ck_assert_int_gt(EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx, 32), 0);
	ck_assert_int_gt(EVP_DigestSign(ctx, be, &n, data, len), 0);
	ck_assert_uint_eq(n, 256);
	for (size_t i = 0; i < 256; i++)
		out_le[i] = be[255 - i];
	EVP_MD_CTX_free(ctx);
}

/* An AMD CA certificate of k, signed by signer. */
static void amd_cert_make(EVP_PKEY *k, EVP_PKEY *signer, uint8_t id,
			  uint8_t signer_id, uint32_t usage,
			  uint8_t out[AMD_CERT_LEN_2048])
{
	BIGNUM *n = NULL, *e = NULL;

	memset(out, 0, AMD_CERT_LEN_2048);
	put_le32(out, 0, 1);
	memset(out + 0x04, id, 16);
	memset(out + 0x14, signer_id, 16);
	put_le32(out, 0x24, usage);
	put_le32(out, 0x38, 2048);
	put_le32(out, 0x3c, 2048);
	ck_assert(EVP_PKEY_get_bn_param(k, "n", &n));
	ck_assert(EVP_PKEY_get_bn_param(k, "e", &e));
	ck_assert_int_eq(BN_bn2lebinpad(e, out + 0x40, 256), 256);
	ck_assert_int_eq(BN_bn2lebinpad(n, out + 0x140, 256), 256);
	rsa_pss_sign_le(signer, out, 0x240, out + 0x240);
	BN_free(n);
	BN_free(e);
}

static void own_chain_make(struct own_chain *c, uint8_t ark_id)
{
	EVP_PKEY *ark = EVP_RSA_gen(2048), *ask = EVP_RSA_gen(2048);
	EVP_PKEY *cek, *oca, *pdh;

	ck_assert(ark && ask);
	amd_cert_make(ark, ark, ark_id, ark_id, AMD_USAGE_ARK, c->ark);
	amd_cert_make(ask, ark, ark_id + 1, ark_id, AMD_USAGE_ASK, c->ask);
	ck_assert_int_eq(sev_p384_generate(&cek), 0);
	ck_assert_int_eq(sev_p384_generate(&oca), 0);
	ck_assert_int_eq(sev_p384_generate(&c->pek_key), 0);
	ck_assert_int_eq(sev_p384_generate(&pdh), 0);
	/* CEK: slot 1 by the ASK, RSA_SHA256 (0x1). */
	ck_assert_int_eq(sev_cert_build(cek, SEV_USAGE_CEK,
					SEV_ALGO_ECDSA_SHA256, 0, 14, NULL, 0,
					c->cek),
			 0);
	put_le32(c->cek, 0x414, AMD_USAGE_ASK);
	put_le32(c->cek, 0x418, 0x1);
	rsa_pss_sign_le(ask, c->cek, 0x414, c->cek + 0x41c);
	ck_assert_int_eq(sev_cert_build(oca, SEV_USAGE_OCA,
					SEV_ALGO_ECDSA_SHA256, 1, 55, oca,
					SEV_USAGE_OCA, c->oca),
			 0);
	/* PEK: slot 1 by the OCA, slot 2 by the CEK (AMD-ASPFW sev_plat.c
	 * sev_pek_generate()). */
	ck_assert_int_eq(sev_cert_build(c->pek_key, SEV_USAGE_PEK,
					SEV_ALGO_ECDSA_SHA256, 1, 55, oca,
					SEV_USAGE_OCA, c->pek),
			 0);
	put_le32(c->pek, 0x61c, SEV_USAGE_CEK);
	put_le32(c->pek, 0x620, SEV_ALGO_ECDSA_SHA256);
	ck_assert_int_eq(sev_ecdsa_sign(cek, EVP_sha256(), c->pek, 0x414,
					c->pek + 0x624),
			 0);
	ck_assert_int_eq(sev_cert_build(pdh, SEV_USAGE_PDH,
					SEV_ALGO_ECDH_SHA256, 1, 55, c->pek_key,
					SEV_USAGE_PEK, c->pdh),
			 0);
	EVP_PKEY_free(ark);
	EVP_PKEY_free(ask);
	EVP_PKEY_free(cek);
	EVP_PKEY_free(oca);
	EVP_PKEY_free(pdh);
}

/* Our own chain verifies with --ark, not without; another --ark is
 * refused; a SEV report signed by its PEK verifies end to end. */
START_TEST(own_sev_chain_and_report)
{
	struct own_chain *c = malloc(sizeof(*c)), *other = malloc(sizeof(*c));
	struct amd_cert *amd = malloc(2 * sizeof(*amd)), root, root2;
	struct sev_chain ch = {0};
	struct trust_result r;
	struct snp_expect x = {
		.have_measurement = true, .have_policy = true, .policy = 0x1};
	uint8_t rep[SEV_ATT_REPORT_LEN] = {0};
	char err[256];
	int p;

	ck_assert(c && other && amd);
	own_chain_make(c, 0xa0);
	own_chain_make(other, 0xb0);
	ck_assert_int_eq(amd_cert_parse(c->ark, sizeof(c->ark), NULL, &root,
					err, sizeof(err)),
			 0);
	ck_assert_int_eq(amd_cert_parse(other->ark, sizeof(other->ark), NULL,
					&root2, err, sizeof(err)),
			 0);
	ck_assert_int_eq(sev_chain_add(&ch, amd, c->ask, sizeof(c->ask), err,
				       sizeof(err)),
			 0);
	ch.cek = c->cek, ch.oca = c->oca, ch.pek = c->pek, ch.pdh = c->pdh;
	trust_result_init(&r);
	ck_assert_int_eq(sev_chain_verify(&ch, &root, &r, &p), 0);
	dump(&r);
	ck_assert_uint_eq(r.failed, 0);
	ck_assert_uint_eq(r.n, 7);
	ck_assert_int_eq(p, AMD_PRODUCT_UNKNOWN);
	/* Without --ark: none of AMD's ARKs has its key id. */
	trust_result_init(&r);
	ck_assert_int_eq(sev_chain_verify(&ch, NULL, &r, &p), 0);
	ck_check(&r, "ARK", false);
	ck_assert_ptr_nonnull(strstr(find(&r, "ARK")->text,
				     "a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0"));
	/* The chain's own ARK must be the --ark one. */
	ck_assert_int_eq(sev_chain_add(&ch, amd, c->ark, sizeof(c->ark), err,
				       sizeof(err)),
			 0);
	trust_result_init(&r);
	ck_assert_int_eq(sev_chain_verify(&ch, &root2, &r, &p), 0);
	ck_check(&r, "ARK", false);
	/* The other chain's ASK under our ARK. */
	memset(&ch, 0, sizeof(ch));
	ck_assert_int_eq(sev_chain_add(&ch, amd, other->ask, sizeof(other->ask),
				       err, sizeof(err)),
			 0);
	trust_result_init(&r);
	ck_assert_int_eq(sev_chain_verify(&ch, &root, &r, &p), 0);
	ck_check(&r, "ASK signed by ARK", false);
	/* A SEV report signed by the PEK, checked up to --ark. */
	memset(&ch, 0, sizeof(ch));
	ck_assert_int_eq(sev_chain_add(&ch, amd, c->ask, sizeof(c->ask), err,
				       sizeof(err)),
			 0);
	ch.cek = c->cek, ch.oca = c->oca, ch.pek = c->pek, ch.pdh = c->pdh;
	memset(rep + 0x10, 0x5a, 32);
	memcpy(x.measurement, rep + 0x10, 32);
	put_le32(rep, 0x30, 0x1);
	put_le32(rep, 0x34, SEV_USAGE_PEK);
	put_le32(rep, 0x38, SEV_ALGO_ECDSA_SHA256);
	ck_assert_int_eq(
		sev_ecdsa_sign(c->pek_key, EVP_sha256(), rep, 0x34, rep + 0x40),
		0);
	trust_result_init(&r);
	ck_assert_int_eq(sev_att_report_verify(rep, &ch, &root, &x, &r, err,
					       sizeof(err)),
			 0);
	dump(&r);
	ck_assert_uint_eq(r.failed, 0);
	ck_assert_uint_eq(r.n, 10);
	/* The same report with the other platform's chain. */
	ch.cek = other->cek, ch.oca = other->oca, ch.pek = other->pek;
	trust_result_init(&r);
	ck_assert_int_eq(sev_att_report_verify(rep, &ch, &root, &x, &r, err,
					       sizeof(err)),
			 0);
	ck_check(&r, "signature", false);
	ck_check(&r, "CEK signed by ASK", false);
	EVP_PKEY_free(c->pek_key);
	EVP_PKEY_free(other->pek_key);
	free(c);
	free(other);
	free(amd);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("trust");
	TCase *tc = tcase_create("trust");

	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, builtin_sev_roots_are_amds);
	tcase_add_test(tc, builtin_snp_roots_are_amds);
	tcase_add_test(tc, naples_ark_without_signature);
	tcase_add_test(tc, amd_cert_refusals);
	tcase_add_test(tc, sev_chain_naples);
	tcase_add_test(tc, sev_chain_rome);
	tcase_add_test(tc, sev_chain_wrong_signers);
	tcase_add_test(tc, sev_chain_flipped_bytes_fail);
	tcase_add_test(tc, amd_cert_flipped_bytes_fail);
	tcase_add_test(tc, sev_chain_one_file);
	tcase_add_test(tc, sev_chain_missing_links);
	tcase_add_test(tc, snp_ca_bundles);
	tcase_add_test(tc, snp_name_shown_on_one_line);
	tcase_add_test(tc, snp_vcek_alone);
	tcase_add_test(tc, snp_vcek_extensions);
	tcase_add_test(tc, snp_vcek_altered_hwid);
	tcase_add_test(tc, snp_vlek_expired);
	tcase_add_test(tc, snp_flipped_bytes_fail);
	tcase_add_test(tc, report_milan_virtee);
	tcase_add_test(tc, report_milan_gosev);
	tcase_add_test(tc, report_milan_trustee);
	tcase_add_test(tc, report_milan_vlek);
	tcase_add_test(tc, report_genoa_azure);
	tcase_add_test(tc, report_flipped_bytes_fail);
	tcase_add_test(tc, report_wrong_vcek);
	tcase_add_test(tc, report_read_refusals);
	tcase_add_test(tc, report_versions);
	tcase_add_test(tc, tcb_split_layouts);
	tcase_add_test(tc, sev_report_signed_by_pek);
	tcase_add_test(tc, own_sev_chain_and_report);
	suite_add_tcase(s, tc);
	return run_suite(s);
}
