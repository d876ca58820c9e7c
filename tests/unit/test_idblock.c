// SPDX-License-Identifier: MIT
/*
 * The guest owner's SNP ID block and ID auth (owner/idblock.c), against
 * virtee/sev's vector (tests/id-block.rs, in
 * ../shared/testdata/virtee/sev/tests/measurement): the layout assembled
 * from its keys and signatures is its test_auth_block.bin byte for byte;
 * what sevboot signs verifies with OpenSSL alone against those keys; a
 * flipped byte fails.  Also reading P-384 keys (sev_p384_key_read) and
 * writing outputs whole (loader file_write_atomic).
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <sys/stat.h>

#include <openssl/crypto.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include "loader/loader.h"
#include "owner/owner.h"
#include "sev/sev.h"
#include "util/util.h"
#include "tests/unit/testutil.h"

#define VDIR "testdata/virtee/sev/tests/measurement/"

/* virtee/sev tests/id-block.rs: the launch digest and what it expects. */
static const char v_ld[] =
	"a14d638341e5674628fe1e02fbedebe5e5ab4faf1dd72d8966068e615bb99efd"
	"13d214b35c231715b38e263dc6059745";
static const char v_idb_b64[] =
	"oU1jg0HlZ0Yo/h4C++3r5eWrT68d1y2JZgaOYVu5nv0T0hSzXCMXFbOOJj3GBZdFAAAA"
	"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAABAAAAAAAAAAAAAwAAAAAA";
static const char v_id_digest_b64[] =
	"WfssaG36T+9J84M5qndckAUcKNVzg93DuvO160sUlt87DbvcuuX+J2d6ZEggdz/i";
static const char v_author_digest_b64[] =
	"7tgRafsMteDsNHlPEo/U4MSkb2fGWhrfqB/LJLzAiMJyNpt//D6ytq9qQoShs2xf";

/* A file of ../shared, whole; false when it is not there. */
static bool read_shared(const char *rel, uint8_t **out, size_t *len)
{
	char path[1024];
	struct blob b;

	if (!shared_path(rel, path, sizeof(path)))
		return false;
	ck_assert_int_eq(file_read(path, 1 << 20, &b, NULL, 0), 0);
	*out = b.data;
	*len = b.len;
	return true;
}

/* A private copy (0600) of bytes, as a key file must be; its path. */
static void private_file(const void *data, size_t len, char path[64])
{
	int fd;

	snprintf(path, 64, "/tmp/test_idblock.XXXXXX");
	fd = mkstemp(path);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(fchmod(fd, 0600), 0);
	ck_assert_int_eq(write(fd, data, len), (ssize_t)len);
	close(fd);
}

/* The virtee test key rel through sev_p384_key_read(). */
static EVP_PKEY *virtee_key(const char *rel)
{
	char path[64], err[256] = "";
	EVP_PKEY *k = NULL;
	uint8_t *pem;
	size_t n;

	ck_assert(read_shared(rel, &pem, &n));
	private_file(pem, n, path);
	free(pem);
	ck_assert_msg(sev_p384_key_read(path, &k, err, sizeof(err)) == 0,
		      "%s: %s", rel, err);
	unlink(path);
	return k;
}

/* Verify R||S (little-endian) over data with OpenSSL alone: the DER
 * signature built here, EVP_DigestVerify with the key as PEM gave it. */
static int openssl_verify(EVP_PKEY *k, const uint8_t *sig, const void *data,
			  size_t len)
{
	uint8_t be[2][48];
	ECDSA_SIG *es = ECDSA_SIG_new();
	unsigned char *der = NULL;
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	int derlen, v;

	/* Each 72-byte half: the 48 significant bytes reversed, 24 zeros. */
	for (int h = 0; h < 2; h++) {
		for (int i = 48; i < 72; i++)
			ck_assert_uint_eq(sig[72 * h + i], 0);
		for (int i = 0; i < 48; i++)
			be[h][i] = sig[72 * h + 47 - i];
	}
	ck_assert(ECDSA_SIG_set0(es, BN_bin2bn(be[0], 48, NULL),
				 BN_bin2bn(be[1], 48, NULL)));
	derlen = i2d_ECDSA_SIG(es, &der);
	ck_assert_int_gt(derlen, 0);
	ck_assert_int_eq(EVP_DigestVerifyInit(ctx, NULL, EVP_sha384(), NULL, k),
			 1);
	v = EVP_DigestVerify(ctx, der, (size_t)derlen, data, len);
	OPENSSL_free(der);
	ECDSA_SIG_free(es);
	EVP_MD_CTX_free(ctx);
	return v;
}

struct vector {
	EVP_PKEY *id, *author;
	uint8_t ld[48], idb[SNP_ID_BLOCK_LEN];
	uint8_t *auth, *id_sig, *auth_sig;
	size_t auth_len, id_sig_len, auth_sig_len;
};

/* false: the vector is not in ../shared. */
static bool vector_load(struct vector *v)
{
	uint8_t *p;
	size_t n;

	memset(v, 0, sizeof(*v));
	if (!read_shared(VDIR "test_auth_block.bin", &v->auth, &v->auth_len))
		return false;
	ck_assert_uint_eq(v->auth_len, SNP_ID_AUTH_LEN);
	ck_assert(read_shared(VDIR "test_id_sig.bin", &v->id_sig,
			      &v->id_sig_len));
	ck_assert(read_shared(VDIR "test_auth_sig.bin", &v->auth_sig,
			      &v->auth_sig_len));
	/* virtee's signature type: R[72], S[72], 368 zero bytes. */
	ck_assert_uint_eq(v->id_sig_len, 512);
	ck_assert_uint_eq(v->auth_sig_len, 512);
	v->id = virtee_key(VDIR "test_id_key.pem");
	v->author = virtee_key(VDIR "test_auth_key.pem");
	ck_unhex(v_ld, v->ld, 48);
	/* The decoded base64 of expected_auth_block.b64 is the same. */
	ck_assert(read_shared(VDIR "expected_auth_block.b64", &p, &n));
	{
		uint8_t *dec = malloc(SNP_ID_AUTH_LEN);

		ck_assert_int_eq(
			base64_decode_text(p, n, dec, SNP_ID_AUTH_LEN), 0);
		ck_assert_mem_eq(dec, v->auth, SNP_ID_AUTH_LEN);
		free(dec);
	}
	free(p);
	return true;
}

static void vector_free(struct vector *v)
{
	EVP_PKEY_free(v->id);
	EVP_PKEY_free(v->author);
	free(v->auth);
	free(v->id_sig);
	free(v->auth_sig);
}

/* The ID block of virtee's defaults (version 1, SVN 0, policy 0x30000,
 * zero family and image ids) is virtee's, byte for byte. */
START_TEST(id_block_layout)
{
	struct snp_id_fields f = { .policy = 0x30000 };
	uint8_t want[SNP_ID_BLOCK_LEN], idb[SNP_ID_BLOCK_LEN];

	ck_unhex(v_ld, f.ld, 48);
	ck_assert_uint_eq(ck_unbase64(v_idb_b64, want, sizeof(want)), 96);
	snp_id_block_make(&f, idb);
	ck_assert_mem_eq(idb, want, sizeof(idb));

	/* Each field where the table puts it. */
	memset(f.family_id, 0xf1, 16);
	memset(f.image_id, 0x1d, 16);
	f.guest_svn = 0x01020304;
	f.policy = 0x1122334455667788ULL;
	snp_id_block_make(&f, idb);
	ck_assert_mem_eq(idb, want, 48);
	for (int k = 0; k < 16; k++) {
		ck_assert_uint_eq(idb[0x30 + k], 0xf1);
		ck_assert_uint_eq(idb[0x40 + k], 0x1d);
	}
	ck_assert_uint_eq(get_le32(idb, 0x50), 1);
	ck_assert_uint_eq(get_le32(idb, 0x54), 0x01020304);
	ck_assert_uint_eq(get_le64(idb, 0x58), 0x1122334455667788ULL);
}
END_TEST

/* Assembled from virtee's keys and its two signatures: its auth block,
 * byte for byte; and the digests of the keys are virtee's. */
START_TEST(id_auth_assembled_is_virtee)
{
	uint8_t idk[SEV_ECC_PUBKEY_LEN], ak[SEV_ECC_PUBKEY_LEN];
	uint8_t auth[SNP_ID_AUTH_LEN], d[48], want[48];
	struct vector v;

	if (!vector_load(&v))
		SKIP_TEST("virtee's ID block vector is not in ../shared");
	ck_assert_int_eq(sev_ecc_pubkey_put(v.id, idk), 0);
	ck_assert_int_eq(sev_ecc_pubkey_put(v.author, ak), 0);
	for (size_t k = SEV_ECDSA_SIG_LEN; k < 512; k++)
		ck_assert_uint_eq(v.id_sig[k] | v.auth_sig[k], 0);
	snp_id_auth_assemble(idk, v.id_sig, ak, v.auth_sig, auth);
	ck_assert_mem_eq(auth, v.auth, SNP_ID_AUTH_LEN);

	ck_assert_int_eq(snp_id_key_digest(auth + 0x240, d), 0);
	ck_assert_uint_eq(ck_unbase64(v_id_digest_b64, want, 48), 48);
	ck_assert_mem_eq(d, want, 48);
	ck_assert_int_eq(snp_id_key_digest(auth + 0x880, d), 0);
	ck_assert_uint_eq(ck_unbase64(v_author_digest_b64, want, 48), 48);
	ck_assert_mem_eq(d, want, 48);

	/* Without an author key, that half and its algorithm stay zero. */
	snp_id_auth_assemble(idk, v.id_sig, NULL, NULL, auth);
	ck_assert_mem_eq(auth, v.auth, 4);
	ck_assert_uint_eq(get_le32(auth, 4), 0);
	ck_assert_mem_eq(auth + 0x40, v.auth + 0x40, 0x680 - 0x40);
	for (size_t k = 0x680; k < SNP_ID_AUTH_LEN; k++)
		ck_assert_uint_eq(auth[k], 0);
	vector_free(&v);
}
END_TEST

/* virtee's signatures verify, with OpenSSL alone and with
 * snp_id_auth_verify; one flipped byte anywhere signed fails both. */
START_TEST(id_auth_vector_verifies)
{
	uint8_t idb[SNP_ID_BLOCK_LEN], auth[SNP_ID_AUTH_LEN];
	char err[256] = "";
	struct vector v;

	if (!vector_load(&v))
		SKIP_TEST("virtee's ID block vector is not in ../shared");
	ck_assert_uint_eq(ck_unbase64(v_idb_b64, idb, sizeof(idb)), 96);
	memcpy(auth, v.auth, sizeof(auth));
	ck_assert_int_eq(openssl_verify(v.id, auth + 0x40, idb, 96), 1);
	ck_assert_int_eq(openssl_verify(v.author, auth + 0x680, auth + 0x240,
					0x404),
			 1);
	ck_assert_msg(snp_id_auth_verify(idb, auth, true, err, sizeof(err)) ==
			      0,
		      "%s", err);

	/* A byte of the block: in LD, in POLICY. */
	for (size_t off = 0; off < 96; off += 0x58) {
		idb[off] ^= 0x01;
		ck_assert_int_eq(openssl_verify(v.id, auth + 0x40, idb, 96), 0);
		ck_assert_int_eq(snp_id_auth_verify(idb, auth, false, err,
						    sizeof(err)),
				 -EBADMSG);
		ck_assert_str_eq(err,
				 "ID_BLOCK_SIG by ID_KEY: the signature does "
				 "not verify");
		idb[off] ^= 0x01;
	}
	/* A byte of the ID key's signature, of the author's. */
	auth[0x40 + 5] ^= 0x80;
	ck_assert_int_eq(snp_id_auth_verify(idb, auth, false, err, sizeof(err)),
			 -EBADMSG);
	auth[0x40 + 5] ^= 0x80;
	auth[0x680 + 100] ^= 0x01;
	ck_assert_int_eq(snp_id_auth_verify(idb, auth, false, err, sizeof(err)),
			 0); /* no author key: its signature is not looked at */
	ck_assert_int_eq(snp_id_auth_verify(idb, auth, true, err, sizeof(err)),
			 -EBADMSG);
	ck_assert_str_eq(err, "ID_KEY_SIG by AUTHOR_KEY: the signature does "
			      "not verify");
	auth[0x680 + 100] ^= 0x01;
	/* The ID key itself: off the curve, or a different point. */
	auth[0x240 + 4] ^= 0x01;
	ck_assert_int_eq(snp_id_auth_verify(idb, auth, false, err, sizeof(err)),
			 -EBADMSG);
	ck_assert_str_eq(err, "ID_BLOCK_SIG by ID_KEY: the key's point is not "
			      "on P-384");
	auth[0x240 + 4] ^= 0x01;
	/* The algorithms. */
	put_le32(auth, 0, 2);
	ck_assert_int_eq(snp_id_auth_verify(idb, auth, false, err, sizeof(err)),
			 -EBADMSG);
	put_le32(auth, 0, 1);
	put_le32(auth, 4, 0);
	ck_assert_int_eq(snp_id_auth_verify(idb, auth, false, err, sizeof(err)),
			 0);
	ck_assert_int_eq(snp_id_auth_verify(idb, auth, true, err, sizeof(err)),
			 -EBADMSG);
	vector_free(&v);
}
END_TEST

/* What sevboot signs with virtee's keys: virtee's layout apart from the
 * (randomized) signatures, which verify with OpenSSL alone. */
START_TEST(id_auth_signed_verifies)
{
	struct snp_id_fields f = { .policy = 0x30000 };
	uint8_t idb[SNP_ID_BLOCK_LEN], auth[SNP_ID_AUTH_LEN];
	char err[256] = "";
	struct vector v;

	if (!vector_load(&v))
		SKIP_TEST("virtee's ID block vector is not in ../shared");
	memcpy(f.ld, v.ld, 48);
	snp_id_block_make(&f, idb);
	ck_assert_int_eq(
		snp_id_auth_sign(v.id, v.author, idb, auth, err, sizeof(err)),
		0);
	/* Everything but the two signatures' R and S is virtee's. */
	ck_assert_mem_eq(auth, v.auth, 0x40);
	ck_assert_mem_eq(auth + 0x40 + 144, v.auth + 0x40 + 144,
			 0x680 - 0x40 - 144);
	ck_assert_mem_eq(auth + 0x680 + 144, v.auth + 0x680 + 144,
			 SNP_ID_AUTH_LEN - 0x680 - 144);
	ck_assert_int_eq(openssl_verify(v.id, auth + 0x40, idb, 96), 1);
	ck_assert_int_eq(openssl_verify(v.author, auth + 0x680, auth + 0x240,
					0x404),
			 1);
	/* Signed by the other key: it does not verify as the ID key's. */
	ck_assert_int_eq(openssl_verify(v.author, auth + 0x40, idb, 96), 0);
	idb[0x30] ^= 0x01; /* FAMILY_ID */
	ck_assert_int_eq(openssl_verify(v.id, auth + 0x40, idb, 96), 0);
	idb[0x30] ^= 0x01;

	/* The ID block signed by another key than the one in ID_KEY: what
	 * "an ID auth signed by another key" looks like. */
	{
		uint8_t other[SNP_ID_AUTH_LEN];

		ck_assert_int_eq(snp_id_auth_sign(v.author, NULL, idb, other,
						  err, sizeof(err)),
				 0);
		memcpy(auth + 0x40, other + 0x40, 0x200);
		ck_assert_int_eq(snp_id_auth_verify(idb, auth, true, err,
						    sizeof(err)),
				 -EBADMSG);
	}
	vector_free(&v);
}
END_TEST

/* A key that is not P-384 is refused, by name. */
START_TEST(id_auth_sign_refuses_p256)
{
	EVP_PKEY *k = EVP_EC_gen("P-256");
	uint8_t idb[SNP_ID_BLOCK_LEN] = {0}, auth[SNP_ID_AUTH_LEN];
	char err[256] = "";

	ck_assert_ptr_nonnull(k);
	ck_assert_int_eq(snp_id_auth_sign(k, NULL, idb, auth, err, sizeof(err)),
			 -EINVAL);
	ck_assert_str_eq(err, "the ID key is not a P-384 key");
	EVP_PKEY_free(k);
}
END_TEST

/* Write k's private key as PEM (or DER) to a fresh file of mode m. */
static void key_file(EVP_PKEY *k, bool der, const char *pass, mode_t m,
		     char path[64])
{
	BIO *bio = BIO_new(BIO_s_mem());
	char *p;
	long n;

	if (der)
		ck_assert_int_eq(i2d_PrivateKey_bio(bio, k), 1);
	else if (pass)
		ck_assert_int_eq(PEM_write_bio_PKCS8PrivateKey(
					 bio, k, EVP_aes_128_cbc(), pass,
					 (int)strlen(pass), NULL, NULL),
				 1);
	else
		ck_assert_int_eq(PEM_write_bio_PrivateKey(bio, k, NULL, NULL, 0,
							  NULL, NULL),
				 1);
	n = BIO_get_mem_data(bio, &p);
	private_file(p, (size_t)n, path);
	ck_assert_int_eq(chmod(path, m), 0);
	BIO_free(bio);
}

START_TEST(key_read)
{
	EVP_PKEY *p384 = EVP_EC_gen("P-384"), *p256 = EVP_EC_gen("P-256");
	EVP_PKEY *k = NULL;
	char path[64], err[256];

	/* PEM and DER of a P-384 key: the same key back. */
	for (int der = 0; der < 2; der++) {
		key_file(p384, der, NULL, 0600, path);
		ck_assert_int_eq(sev_p384_key_read(path, &k, err, sizeof(err)),
				 0);
		ck_assert_int_eq(EVP_PKEY_eq(k, p384), 1);
		EVP_PKEY_free(k);
		unlink(path);
	}
	/* Readable by others: refused before it is parsed. */
	key_file(p384, false, NULL, 0644, path);
	ck_assert_int_eq(sev_p384_key_read(path, &k, err, sizeof(err)),
			 -EACCES);
	ck_assert_ptr_null(k);
	unlink(path);
	/* Another curve. */
	key_file(p256, false, NULL, 0600, path);
	ck_assert_int_eq(sev_p384_key_read(path, &k, err, sizeof(err)),
			 -EINVAL);
	ck_assert_str_eq(err, "not a P-384 (secp384r1) EC key");
	unlink(path);
	/* Encrypted: no passphrase is asked for. */
	key_file(p384, false, "secret", 0600, path);
	ck_assert_int_eq(sev_p384_key_read(path, &k, err, sizeof(err)),
			 -EINVAL);
	ck_assert_ptr_nonnull(strstr(err, "encrypted"));
	unlink(path);
	/* Not a key. */
	private_file("-----BEGIN PRIVATE KEY-----\nAAAA\n", 33, path);
	ck_assert_int_eq(sev_p384_key_read(path, &k, err, sizeof(err)),
			 -EINVAL);
	ck_assert_str_eq(err, "not a private key in PEM or DER");
	unlink(path);
	EVP_PKEY_free(p384);
	EVP_PKEY_free(p256);
}
END_TEST

/* file_write_atomic: written whole, replaces, and a failure leaves the
 * old file and no temporary behind. */
START_TEST(write_atomic)
{
	char dir[] = "/tmp/test_idblock_dir.XXXXXX", path[128], err[256];
	struct blob b;
	struct stat st;
	DIR *d;
	struct dirent *e;
	unsigned n = 0;

	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/out.bin", dir);
	ck_assert_int_eq(file_write_atomic(path, "abc", 3, 0644, true, err,
					   sizeof(err)),
			 0);
	ck_assert_int_eq(file_write_atomic(path, "defg", 4, 0644, true, err,
					   sizeof(err)),
			 0);
	ck_assert_int_eq(file_read(path, 100, &b, NULL, 0), 0);
	ck_assert_uint_eq(b.len, 4);
	ck_assert_mem_eq(b.data, "defg", 4);
	blob_free(&b);
	ck_assert_int_eq(stat(path, &st), 0);
	ck_assert_uint_eq(st.st_mode & 0022, 0); /* umask applies */

	/* The path is a directory: rename fails, the temporary goes. */
	snprintf(path, sizeof(path), "%s/sub", dir);
	ck_assert_int_eq(mkdir(path, 0700), 0);
	ck_assert_int_lt(file_write_atomic(path, "x", 1, 0644, true, err,
					   sizeof(err)),
			 0);
	ck_assert_str_ne(err, "");
	d = opendir(dir);
	while ((e = readdir(d)))
		n += strcmp(e->d_name, ".") && strcmp(e->d_name, "..");
	closedir(d);
	ck_assert_uint_eq(n, 2); /* out.bin and sub, nothing else */
	rmdir(path);
	snprintf(path, sizeof(path), "%s/out.bin", dir);
	unlink(path);
	/* No such directory. */
	snprintf(path, sizeof(path), "%s/none/out.bin", dir);
	ck_assert_int_eq(file_write_atomic(path, "x", 1, 0644, true, err,
					   sizeof(err)),
			 -ENOENT);
	ck_assert_int_eq(rmdir(dir), 0);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("idblock");
	TCase *tc = tcase_create("idblock");

	tcase_add_test(tc, id_block_layout);
	tcase_add_test(tc, id_auth_assembled_is_virtee);
	tcase_add_test(tc, id_auth_vector_verifies);
	tcase_add_test(tc, id_auth_signed_verifies);
	tcase_add_test(tc, id_auth_sign_refuses_p256);
	tcase_add_test(tc, key_read);
	tcase_add_test(tc, write_atomic);
	tcase_set_timeout(tc, 60);
	suite_add_tcase(s, tc);
	return run_suite(s);
}
