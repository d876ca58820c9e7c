// SPDX-License-Identifier: MIT
/*
 * owner/idblock.c: the guest owner's SNP ID block and ID authentication
 * structure (SNP ABI 56860, SNP_LAUNCH_FINISH: tables ID_BLOCK and
 * ID_AUTH), what QEMU's sev-snp-guest takes as id-block= and id-auth= and
 * KVM hands the firmware through struct kvm_sev_snp_launch_finish (Linux
 * arch/x86/kvm/svm/sev.c snp_launch_finish()).
 *
 * The firmware checks, in this order (AMD-ASPFW sev_mcmd.c
 * snp_mcmd_launch_finish()): the block's LD against the launch's, its
 * POLICY against the launch's, the key algorithms, the ID key and the
 * block's signature, then with AUTHOR_KEY_EN the author key and its
 * signature over the ID key.  snp_id_auth_verify() makes the checks that
 * need no launch, so that `sevboot id-block` never writes a structure the
 * firmware would refuse for its own sake.
 */
#include <errno.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include "loader/loader.h"
#include "owner/owner.h"
#include "util/util.h"

/* ID block offsets (SNP ABI 56860 Table ID_BLOCK). */
#define IDB_LD	      0x00
#define IDB_FAMILY_ID 0x30
#define IDB_IMAGE_ID  0x40
#define IDB_VERSION   0x50
#define IDB_GUEST_SVN 0x54
#define IDB_POLICY    0x58

/* ID auth offsets (SNP ABI 56860 Table ID_AUTH). */
#define AUTH_ID_KEY_ALGO     0x000
#define AUTH_AUTHOR_KEY_ALGO 0x004

/* A key file is a few hundred bytes; anything much bigger is not one. */
#define KEY_FILE_MAX 16384

void snp_id_block_make(const struct snp_id_fields *f,
		       uint8_t idb[SNP_ID_BLOCK_LEN])
{
	memset(idb, 0, SNP_ID_BLOCK_LEN);
	memcpy(idb + IDB_LD, f->ld, sizeof(f->ld));
	memcpy(idb + IDB_FAMILY_ID, f->family_id, sizeof(f->family_id));
	memcpy(idb + IDB_IMAGE_ID, f->image_id, sizeof(f->image_id));
	put_le32(idb, IDB_VERSION, SNP_ID_VERSION);
	put_le32(idb, IDB_GUEST_SVN, f->guest_svn);
	put_le64(idb, IDB_POLICY, f->policy);
}

void snp_id_auth_assemble(const uint8_t id_key[SEV_ECC_PUBKEY_LEN],
			  const uint8_t id_block_sig[SEV_ECDSA_SIG_LEN],
			  const uint8_t *author_key, const uint8_t *id_key_sig,
			  uint8_t auth[SNP_ID_AUTH_LEN])
{
	memset(auth, 0, SNP_ID_AUTH_LEN);
	put_le32(auth, AUTH_ID_KEY_ALGO, SNP_ID_ALGO_P384);
	/* The signature slots are 0x200 bytes: R, S, then zeros. */
	memcpy(auth + SNP_ID_AUTH_ID_SIG, id_block_sig, SEV_ECDSA_SIG_LEN);
	memcpy(auth + SNP_ID_AUTH_ID_KEY, id_key, SEV_ECC_PUBKEY_LEN);
	if (!author_key || !id_key_sig)
		return;
	put_le32(auth, AUTH_AUTHOR_KEY_ALGO, SNP_ID_ALGO_P384);
	memcpy(auth + SNP_ID_AUTH_ID_KEY_SIG, id_key_sig, SEV_ECDSA_SIG_LEN);
	memcpy(auth + SNP_ID_AUTH_AUTHOR_KEY, author_key, SEV_ECC_PUBKEY_LEN);
}

int snp_id_auth_sign(EVP_PKEY *id_key, EVP_PKEY *author,
		     const uint8_t idb[SNP_ID_BLOCK_LEN],
		     uint8_t auth[SNP_ID_AUTH_LEN], char *err, size_t errlen)
{
	uint8_t idk[SEV_ECC_PUBKEY_LEN], ak[SEV_ECC_PUBKEY_LEN];
	uint8_t idb_sig[SEV_ECDSA_SIG_LEN], idk_sig[SEV_ECDSA_SIG_LEN];
	int ret;

	ret = sev_ecc_pubkey_put(id_key, idk);
	if (ret) {
		set_err(err, errlen, "the ID key is not a P-384 key");
		return ret == -EINVAL ? -EINVAL : -ENOMEM;
	}
	if (author) {
		ret = sev_ecc_pubkey_put(author, ak);
		if (ret) {
			set_err(err, errlen,
				"the author key is not a P-384 key");
			return ret == -EINVAL ? -EINVAL : -ENOMEM;
		}
	}
	/* ECDSA P-384 with SHA-384 over all 0x60 bytes of the block, and
	 * over all 0x404 bytes of the ID key (SNP ABI 56860 Table ID_AUTH). */
	ret = sev_ecdsa_sign(id_key, EVP_sha384(), idb, SNP_ID_BLOCK_LEN,
			     idb_sig);
	if (!ret && author)
		ret = sev_ecdsa_sign(author, EVP_sha384(), idk, sizeof(idk),
				     idk_sig);
	if (ret) {
		set_err(err, errlen, "OpenSSL failed to sign");
		return -ENOMEM;
	}
	snp_id_auth_assemble(idk, idb_sig, author ? ak : NULL,
			     author ? idk_sig : NULL, auth);
	return 0;
}

/* sig over data with the 0x404-byte key at auth + key_off; what names
 * them in err. */
static int verify_one(const uint8_t *auth, size_t key_off, size_t sig_off,
		      const void *data, size_t len, const char *what, char *err,
		      size_t errlen)
{
	char why[160] = "";
	EVP_PKEY *k = NULL;
	int ret;

	ret = sev_ecc_pubkey_parse(auth + key_off, &k, why, sizeof(why));
	if (ret == -EINVAL) {
		set_err(err, errlen, "%s: %s", what, why);
		return -EBADMSG;
	}
	if (ret)
		return -ENOMEM;
	ret = sev_ecdsa_verify(k, EVP_sha384(), data, len, auth + sig_off);
	EVP_PKEY_free(k);
	if (ret == -EBADMSG)
		set_err(err, errlen, "%s: the signature does not verify", what);
	return ret == -EBADMSG ? ret : ret ? -ENOMEM : 0;
}

int snp_id_auth_verify(const uint8_t idb[SNP_ID_BLOCK_LEN],
		       const uint8_t auth[SNP_ID_AUTH_LEN], bool author,
		       char *err, size_t errlen)
{
	uint32_t a;
	int ret;

	a = get_le32(auth, AUTH_ID_KEY_ALGO);
	if (a != SNP_ID_ALGO_P384) {
		set_err(err, errlen,
			"ID_KEY_ALGO is %u, not 1 (ECDSA P-384 "
			"with SHA-384)",
			a);
		return -EBADMSG;
	}
	a = get_le32(auth, AUTH_AUTHOR_KEY_ALGO);
	if (author && a != SNP_ID_ALGO_P384) {
		set_err(err, errlen,
			"AUTHOR_KEY_ALGO is %u, not 1 (ECDSA "
			"P-384 with SHA-384)",
			a);
		return -EBADMSG;
	}
	ret = verify_one(auth, SNP_ID_AUTH_ID_KEY, SNP_ID_AUTH_ID_SIG, idb,
			 SNP_ID_BLOCK_LEN, "ID_BLOCK_SIG by ID_KEY", err,
			 errlen);
	if (ret || !author)
		return ret;
	return verify_one(auth, SNP_ID_AUTH_AUTHOR_KEY, SNP_ID_AUTH_ID_KEY_SIG,
			  auth + SNP_ID_AUTH_ID_KEY, SEV_ECC_PUBKEY_LEN,
			  "ID_KEY_SIG by AUTHOR_KEY", err, errlen);
}

int snp_id_key_digest(const uint8_t key[SEV_ECC_PUBKEY_LEN], uint8_t digest[48])
{
	unsigned int n = 0;

	if (!EVP_Digest(key, SEV_ECC_PUBKEY_LEN, digest, &n, EVP_sha384(),
			NULL) ||
	    n != 48)
		return -ENOMEM;
	return 0;
}

/* A passphrase is never asked for: an encrypted key fails to load. */
static int no_passphrase(char *buf, int size, int rwflag, void *u)
{
	(void)buf;
	(void)size;
	(void)rwflag;
	*(bool *)u = true;
	return -1;
}

static EVP_PKEY *decode_key(const uint8_t *p, size_t len, bool *encrypted)
{
	const unsigned char *q = p;
	EVP_PKEY *k = NULL;
	BIO *bio;

	if (len > 10 && !memcmp(p, "-----BEGIN", 10)) {
		bio = BIO_new_mem_buf(p, (int)len);
		if (bio)
			k = PEM_read_bio_PrivateKey(bio, NULL, no_passphrase,
						    encrypted);
		BIO_free(bio);
		return k;
	}
	return d2i_AutoPrivateKey(NULL, &q, (long)len);
}

int sev_p384_key_read(const char *path, EVP_PKEY **out, char *err,
		      size_t errlen)
{
	uint8_t probe[SEV_ECC_PUBKEY_LEN];
	bool encrypted = false;
	struct blob b;
	EVP_PKEY *k;
	int ret;

	*out = NULL;
	ret = file_read_private(path, KEY_FILE_MAX, &b, err, errlen);
	if (ret)
		return ret;
	k = decode_key(b.data, b.len, &encrypted);
	OPENSSL_cleanse(b.data, b.len);
	blob_free(&b);
	ERR_clear_error();
	if (!k) {
		set_err(err, errlen,
			encrypted ? "the key is encrypted; give it unencrypted "
				    "(openssl pkey -in KEY -out PLAIN)"
				  : "not a private key in PEM or DER");
		return -EINVAL;
	}
	ret = sev_ecc_pubkey_put(k, probe);
	if (ret) {
		EVP_PKEY_free(k);
		set_err(err, errlen, "%s",
			ret == -EINVAL ? "not a P-384 (secp384r1) EC key"
				       : "OpenSSL cannot read the key");
		return ret == -EINVAL ? -EINVAL : -ENOMEM;
	}
	*out = k;
	return 0;
}
