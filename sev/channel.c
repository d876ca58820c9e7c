// SPDX-License-Identifier: MIT
/*
 * sev/channel.c: the SEV launch channel's cryptography, for the guest
 * owner and for the firmware model (sev/channel.h).
 *
 * Everything here is a formula of the SEV API as AMD's firmware source
 * implements it (amd/AMD-ASPFW sev_uapp): the certificate bytes (55766
 * App. C; sev_cert.h), the session blob and its key derivation (55766 §6.2
 * LAUNCH_START; sev_channel.c, nist_kdf.c), the secret packet (55766 §6.6
 * LAUNCH_SECRET; sev_channel_hmac()) and the EFI secret table (Linux
 * drivers/virt/coco/efi_secret/efi_secret.c).  OpenSSL 3's EVP interfaces
 * only; no key material is kept between calls.
 */
#include <ctype.h>
#include <stdbool.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <openssl/obj_mac.h>
#include <openssl/param_build.h>
#include <openssl/params.h>
#include <openssl/rsa.h>
#include <openssl/err.h>

#include "sev/sev.h"
#include "util/util.h"

/* SEV certificate layout (SEV API 55766 App. C; AMD-ASPFW sev_cert.h). */
#define CERT_VERSION	  0x000
#define CERT_API_MAJOR	  0x004
#define CERT_API_MINOR	  0x005
#define CERT_USAGE	  0x008
#define CERT_ALGO	  0x00c
#define CERT_PUBKEY	  0x010
#define CERT_BODY_LEN	  0x414 /* the signed bytes: VERSION..PUBKEY */
#define CERT_SIG1_USAGE	  0x414
#define CERT_SIG1_ALGO	  0x418
#define CERT_SIG1	  0x41c
#define CERT_SIG2_USAGE	  0x61c
#define CERT_SIG2_ALGO	  0x620
#define SEV_USAGE_INVALID 0x1000
#define SEV_ALGO_INVALID  0x000

/* The ECC public key inside it (and in an SNP ID key, SNP ABI 56860
 * SNP_LAUNCH_FINISH). */
#define KEY_CURVE      0x00
#define KEY_QX	       0x04
#define KEY_QY	       0x4c
#define SEV_CURVE_P384 2

/* Session blob (AMD-ASPFW sev_channel.h sev_session_t). */
#define SESS_NONCE	0x00
#define SESS_WRAP_TK	0x10
#define SESS_WRAP_IV	0x30
#define SESS_WRAP_MAC	0x40
#define SESS_POLICY_MAC 0x60

/* Packet header (AMD-ASPFW sev_channel.h sev_packet_header_t) and the
 * MAC's context byte (SEV_CHANNEL_CTX_SECRET, sev_channel_hmac()). */
#define HDR_FLAGS	    0x00
#define HDR_IV		    0x04
#define HDR_MAC		    0x14
#define HDR_FLAG_COMPRESSED 0x1
#define CHANNEL_CTX_SECRET  0x01

/* EFI secret table (Linux efi_secret.c). */
#define SECRET_TABLE_HDR 20 /* GUID + u32 length */
#define SECRET_ENTRY_HDR 20 /* GUID + u32 length */
static const uint8_t secret_table_guid[16] = {
	0x42, 0xf5, 0x74, 0x1e, 0xdd, 0x71, 0x66, 0x4d,
	0x96, 0x3e, 0xef, 0x42, 0x87, 0xff, 0x17, 0x3b,
};

void sev_tk_wipe(struct sev_tk *tk)
{
	if (tk)
		OPENSSL_cleanse(tk, sizeof(*tk));
}

/* ------------------------------------------------------- HMAC, KDF, AES */

struct chunk {
	const void *p;
	size_t len;
};

/* HMAC-SHA256 over the concatenation of n chunks. */
static int hmac_sha256(const uint8_t *key, size_t keylen, const struct chunk *c,
		       size_t n, uint8_t out[32])
{
	char md_name[] = "SHA256";
	OSSL_PARAM params[] = {
		OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, md_name,
						 0),
		OSSL_PARAM_construct_end(),
	};
	EVP_MAC_CTX *ctx = NULL;
	EVP_MAC *mac;
	size_t outlen = 0;
	int ret = -ENOMEM;

	mac = EVP_MAC_fetch(NULL, "HMAC", NULL);
	if (!mac)
		return -ENOMEM;
	ctx = EVP_MAC_CTX_new(mac);
	/* EVP_MAC_init copies the key; EVP_MAC_CTX_free cleanses it. */
	if (!ctx || !EVP_MAC_init(ctx, key, keylen, params))
		goto out;
	for (size_t k = 0; k < n; k++)
		if (c[k].len && !EVP_MAC_update(ctx, c[k].p, c[k].len))
			goto out;
	if (EVP_MAC_final(ctx, out, &outlen, 32) && outlen == 32)
		ret = 0;
out:
	EVP_MAC_CTX_free(ctx);
	EVP_MAC_free(mac);
	return ret;
}

int sev_kdf(const uint8_t *key, size_t keylen, const char *label,
	    const uint8_t *context, size_t contextlen, uint8_t *out,
	    size_t outlen)
{
	uint8_t counter[4], bits[4], zero = 0, block[32];
	size_t done = 0;
	int ret = 0;

	if (!key || !label || !out || !outlen || (contextlen && !context) ||
	    outlen > UINT32_MAX / 8)
		return -EINVAL;
	/* L in bits, i and L little-endian, label then one 0x00, the
	 * context omitted when empty (AMD-ASPFW nist_kdf.c nist_kdf_prf()). */
	put_le32(bits, 0, (uint32_t)(outlen * 8));
	for (uint32_t i = 1; done < outlen; i++) {
		const struct chunk c[] = {
			{counter, 4}, {label, strlen(label)},
			{&zero, 1},   {context, contextlen},
			{bits, 4},
		};
		size_t n = outlen - done < 32 ? outlen - done : 32;

		put_le32(counter, 0, i);
		ret = hmac_sha256(key, keylen, c, 5, block);
		if (ret)
			break;
		memcpy(out + done, block, n);
		done += n;
	}
	OPENSSL_cleanse(block, sizeof(block));
	if (ret)
		OPENSSL_cleanse(out, outlen);
	return ret;
}

int sev_aes128_ctr(const uint8_t key[16], const uint8_t iv[16],
		   const uint8_t *in, size_t len, uint8_t *out)
{
	EVP_CIPHER_CTX *ctx;
	int n1 = 0, n2 = 0, ret = -ENOMEM;

	if (!key || !iv || (len && (!in || !out)) || len > INT32_MAX)
		return -EINVAL;
	if (!len)
		return 0;
	ctx = EVP_CIPHER_CTX_new();
	if (!ctx)
		return -ENOMEM;
	/* CTR is its own inverse; in-place is fine for a stream mode. */
	if (EVP_EncryptInit_ex(ctx, EVP_aes_128_ctr(), NULL, key, iv) &&
	    EVP_EncryptUpdate(ctx, out, &n1, in, (int)len) &&
	    EVP_EncryptFinal_ex(ctx, out + n1, &n2) &&
	    (size_t)n1 + (size_t)n2 == len)
		ret = 0;
	EVP_CIPHER_CTX_free(ctx);
	return ret;
}

/* ------------------------------------------------------------ P-384 keys */

int sev_p384_generate(EVP_PKEY **out)
{
	if (!out)
		return -EINVAL;
	*out = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-384");
	return *out ? 0 : -ENOMEM;
}

static EC_GROUP *p384_group(void)
{
	return EC_GROUP_new_by_curve_name(NID_secp384r1);
}

/* An EVP_PKEY from a point (and, when priv is non-NULL, its scalar). */
static int p384_fromdata(const EC_GROUP *g, const EC_POINT *pub,
			 const BIGNUM *priv, EVP_PKEY **out)
{
	uint8_t oct[1 + 2 * 48];
	char group_name[] = "P-384";
	OSSL_PARAM_BLD *bld = NULL;
	OSSL_PARAM *params = NULL;
	EVP_PKEY_CTX *pctx = NULL;
	int ret = -ENOMEM;

	*out = NULL;
	if (EC_POINT_point2oct(g, pub, POINT_CONVERSION_UNCOMPRESSED, oct,
			       sizeof(oct), NULL) != sizeof(oct))
		return -ENOMEM;
	bld = OSSL_PARAM_BLD_new();
	if (!bld ||
	    !OSSL_PARAM_BLD_push_utf8_string(bld, OSSL_PKEY_PARAM_GROUP_NAME,
					     group_name, 0) ||
	    !OSSL_PARAM_BLD_push_octet_string(bld, OSSL_PKEY_PARAM_PUB_KEY, oct,
					      sizeof(oct)) ||
	    (priv &&
	     !OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_PRIV_KEY, priv)))
		goto out;
	params = OSSL_PARAM_BLD_to_param(bld);
	pctx = EVP_PKEY_CTX_new_from_name(NULL, "EC", NULL);
	if (!params || !pctx || EVP_PKEY_fromdata_init(pctx) <= 0 ||
	    EVP_PKEY_fromdata(pctx, out,
			      priv ? EVP_PKEY_KEYPAIR : EVP_PKEY_PUBLIC_KEY,
			      params) <= 0)
		goto out;
	ret = 0;
out:
	EVP_PKEY_CTX_free(pctx);
	/* The scalar is a BN_secure_new(), so the builder put its copy in
	 * the secure block, which OSSL_PARAM_free clears. */
	OSSL_PARAM_free(params);
	OSSL_PARAM_BLD_free(bld);
	return ret;
}

int sev_p384_from_private(const uint8_t d[48], EVP_PKEY **out)
{
	EC_GROUP *g = NULL;
	EC_POINT *pub = NULL;
	BIGNUM *priv = NULL;
	int ret = -ENOMEM;

	if (!d || !out)
		return -EINVAL;
	*out = NULL;
	g = p384_group();
	priv = BN_secure_new();
	if (!g || !priv || !BN_bin2bn(d, 48, priv))
		goto out;
	/* 1 <= d < n, or it is no private key. */
	if (BN_is_zero(priv) || BN_cmp(priv, EC_GROUP_get0_order(g)) >= 0) {
		ret = -EINVAL;
		goto out;
	}
	pub = EC_POINT_new(g);
	if (!pub || !EC_POINT_mul(g, pub, priv, NULL, NULL, NULL))
		goto out;
	ret = p384_fromdata(g, pub, priv, out);
out:
	EC_POINT_free(pub);
	BN_clear_free(priv);
	EC_GROUP_free(g);
	return ret;
}

int sev_p384_private(EVP_PKEY *k, uint8_t d[48])
{
	BIGNUM *priv = NULL;
	int ret = 0;

	if (!k || !d)
		return -EINVAL;
	if (!EVP_PKEY_get_bn_param(k, OSSL_PKEY_PARAM_PRIV_KEY, &priv))
		return -EINVAL;
	if (BN_bn2binpad(priv, d, 48) != 48)
		ret = -EINVAL;
	BN_clear_free(priv);
	return ret;
}

/* Is k an EC key on P-384? */
static bool is_p384(EVP_PKEY *k)
{
	char name[32];
	size_t len = 0;

	if (!k || !EVP_PKEY_is_a(k, "EC"))
		return false;
	if (!EVP_PKEY_get_utf8_string_param(k, OSSL_PKEY_PARAM_GROUP_NAME, name,
					    sizeof(name), &len))
		return false;
	return !strcmp(name, "P-384") || !strcmp(name, "secp384r1");
}

int sev_ecc_pubkey_put(EVP_PKEY *k, uint8_t key[SEV_ECC_PUBKEY_LEN])
{
	BIGNUM *x = NULL, *y = NULL;
	int ret = -ENOMEM;

	if (!k || !key || !is_p384(k))
		return -EINVAL;
	memset(key, 0, SEV_ECC_PUBKEY_LEN);
	if (!EVP_PKEY_get_bn_param(k, OSSL_PKEY_PARAM_EC_PUB_X, &x) ||
	    !EVP_PKEY_get_bn_param(k, OSSL_PKEY_PARAM_EC_PUB_Y, &y))
		goto out;
	/* Little-endian, zero-padded to the CCP's 72 bytes (SEV API 55766
	 * App. C; AMD-ASPFW ecc.h ECC_SCALAR_SIZE_BYTES). */
	put_le32(key, KEY_CURVE, SEV_CURVE_P384);
	if (BN_bn2lebinpad(x, key + KEY_QX, 72) != 72 ||
	    BN_bn2lebinpad(y, key + KEY_QY, 72) != 72)
		goto out;
	ret = 0;
out:
	BN_free(x);
	BN_free(y);
	return ret;
}

int sev_ecc_pubkey_parse(const uint8_t key[SEV_ECC_PUBKEY_LEN], EVP_PKEY **out,
			 char *err, size_t errlen)
{
	BIGNUM *x = NULL, *y = NULL;
	EC_POINT *pt = NULL;
	EC_GROUP *g = NULL;
	uint32_t curve;
	int ret = -ENOMEM;

	if (!key || !out)
		return -EINVAL;
	*out = NULL;
	curve = get_le32(key, KEY_CURVE);
	if (curve != SEV_CURVE_P384) {
		set_err(err, errlen,
			"the key's curve is %u; only 2 (P-384) is supported",
			curve);
		return -EINVAL;
	}
	g = p384_group();
	x = BN_lebin2bn(key + KEY_QX, 72, NULL);
	y = BN_lebin2bn(key + KEY_QY, 72, NULL);
	pt = g ? EC_POINT_new(g) : NULL;
	if (!g || !x || !y || !pt)
		goto out;
	/* set_affine_coordinates refuses points off the curve; a coordinate
	 * of 2^384 or more is not one of P-384's field elements. */
	if (BN_num_bits(x) > 384 || BN_num_bits(y) > 384 ||
	    !EC_POINT_set_affine_coordinates(g, pt, x, y, NULL) ||
	    EC_POINT_is_at_infinity(g, pt) ||
	    EC_POINT_is_on_curve(g, pt, NULL) != 1) {
		set_err(err, errlen, "the key's point is not on P-384");
		ret = -EINVAL;
		goto out;
	}
	ret = p384_fromdata(g, pt, NULL, out);
	if (ret)
		set_err(err, errlen, "OpenSSL cannot import the P-384 key");
out:
	EC_POINT_free(pt);
	BN_free(x);
	BN_free(y);
	EC_GROUP_free(g);
	return ret;
}

int sev_ecdsa_sign(EVP_PKEY *k, const EVP_MD *md, const void *data, size_t len,
		   uint8_t sig[SEV_ECDSA_SIG_LEN])
{
	EVP_MD_CTX *ctx = NULL;
	ECDSA_SIG *es = NULL;
	uint8_t der[128];
	const unsigned char *p = der;
	size_t derlen = sizeof(der);
	int ret = -ENOMEM;

	if (!k || !md || (len && !data) || !sig || !is_p384(k))
		return -EINVAL;
	ctx = EVP_MD_CTX_new();
	if (!ctx || EVP_DigestSignInit(ctx, NULL, md, NULL, k) <= 0 ||
	    EVP_DigestSign(ctx, der, &derlen, data, len) <= 0)
		goto out;
	es = d2i_ECDSA_SIG(NULL, &p, (long)derlen);
	if (!es)
		goto out;
	/* R[72] || S[72], little-endian (AMD-ASPFW ecdsa.h ecdsa_sig_t). */
	memset(sig, 0, SEV_ECDSA_SIG_LEN);
	if (BN_bn2lebinpad(ECDSA_SIG_get0_r(es), sig, 72) != 72 ||
	    BN_bn2lebinpad(ECDSA_SIG_get0_s(es), sig + 72, 72) != 72)
		goto out;
	ret = 0;
out:
	ECDSA_SIG_free(es);
	EVP_MD_CTX_free(ctx);
	return ret;
}

int sev_ecdsa_verify(EVP_PKEY *k, const EVP_MD *md, const void *data,
		     size_t len, const uint8_t sig[SEV_ECDSA_SIG_LEN])
{
	EVP_MD_CTX *ctx = NULL;
	ECDSA_SIG *es = NULL;
	BIGNUM *r = NULL, *s = NULL;
	unsigned char *der = NULL;
	int derlen, v, ret = -ENOMEM;

	if (!k || !md || (len && !data) || !sig)
		return -EINVAL;
	es = ECDSA_SIG_new();
	r = BN_lebin2bn(sig, 72, NULL);
	s = BN_lebin2bn(sig + 72, 72, NULL);
	if (!es || !r || !s || !ECDSA_SIG_set0(es, r, s)) {
		BN_free(r);
		BN_free(s);
		goto out;
	}
	derlen = i2d_ECDSA_SIG(es, &der);
	ctx = EVP_MD_CTX_new();
	if (derlen <= 0 || !ctx ||
	    EVP_DigestVerifyInit(ctx, NULL, md, NULL, k) <= 0)
		goto out;
	v = EVP_DigestVerify(ctx, der, (size_t)derlen, data, len);
	ret = v == 1 ? 0 : -EBADMSG;
out:
	OPENSSL_free(der);
	ECDSA_SIG_free(es);
	EVP_MD_CTX_free(ctx);
	return ret;
}

int sev_rsa_pss_ctx(EVP_MD_CTX *ctx, EVP_PKEY *k, const EVP_MD *md, bool sign)
{
	EVP_PKEY_CTX *pctx = NULL;
	int ok = sign ? EVP_DigestSignInit(ctx, &pctx, md, NULL, k)
		      : EVP_DigestVerifyInit(ctx, &pctx, md, NULL, k);

	if (ok <= 0 ||
	    EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PSS_PADDING) <= 0 ||
	    EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx, EVP_MD_get_size(md)) <= 0 ||
	    EVP_PKEY_CTX_set_rsa_mgf1_md(pctx, md) <= 0)
		return -ENOMEM;
	return 0;
}

int sev_rsa_pss_sign(EVP_PKEY *k, const EVP_MD *md, const void *data,
		     size_t len, uint8_t *sig_le, size_t siglen)
{
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	uint8_t be[SEV_RSA_SIG_MAX];
	size_t n = sizeof(be);
	int ret = -ENOMEM;

	if (siglen > sizeof(be) || EVP_PKEY_get_size(k) != (int)siglen) {
		EVP_MD_CTX_free(ctx);
		return -EINVAL;
	}
	if (ctx && !sev_rsa_pss_ctx(ctx, k, md, true) &&
	    EVP_DigestSign(ctx, be, &n, data, len) == 1 && n == siglen) {
		for (size_t i = 0; i < n; i++)
			sig_le[i] = be[n - 1 - i];
		ret = 0;
	}
	OPENSSL_cleanse(be, sizeof(be));
	EVP_MD_CTX_free(ctx);
	return ret;
}

int sev_rsa_pss_verify(EVP_PKEY *k, const EVP_MD *md, const void *data,
		       size_t len, const uint8_t *sig_le, size_t siglen)
{
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	uint8_t be[SEV_RSA_SIG_MAX];
	int ret = -ENOMEM;

	if (ctx && siglen <= sizeof(be)) {
		for (size_t i = 0; i < siglen; i++)
			be[i] = sig_le[siglen - 1 - i];
		if (!sev_rsa_pss_ctx(ctx, k, md, false))
			ret = EVP_DigestVerify(ctx, be, siglen, data, len) == 1
				      ? 0
				      : -EBADMSG;
	}
	EVP_MD_CTX_free(ctx);
	ERR_clear_error();
	return ret;
}

/* --------------------------------------------------------- certificates */

int sev_cert_build(EVP_PKEY *k, uint16_t usage, uint16_t algo,
		   uint8_t api_major, uint8_t api_minor, EVP_PKEY *signer,
		   uint16_t sig_usage, uint8_t cert[SEV_CERT_LEN])
{
	int ret;

	if (!k || !cert)
		return -EINVAL;
	memset(cert, 0, SEV_CERT_LEN);
	put_le32(cert, CERT_VERSION, 1);
	cert[CERT_API_MAJOR] = api_major;
	cert[CERT_API_MINOR] = api_minor;
	put_le32(cert, CERT_USAGE, usage);
	put_le32(cert, CERT_ALGO, algo);
	ret = sev_ecc_pubkey_put(k, cert + CERT_PUBKEY);
	if (ret)
		goto fail;

	put_le32(cert, CERT_SIG1_USAGE, SEV_USAGE_INVALID);
	put_le32(cert, CERT_SIG1_ALGO, SEV_ALGO_INVALID);
	put_le32(cert, CERT_SIG2_USAGE, SEV_USAGE_INVALID);
	put_le32(cert, CERT_SIG2_ALGO, SEV_ALGO_INVALID);
	if (signer) {
		/* What the firmware makes: ECDSA P-384 with SHA-256 over the
		 * body (AMD-ASPFW sev_plat.c sev_pek_generate()). */
		put_le32(cert, CERT_SIG1_USAGE, sig_usage);
		put_le32(cert, CERT_SIG1_ALGO, SEV_ALGO_ECDSA_SHA256);
		ret = sev_ecdsa_sign(signer, EVP_sha256(), cert, CERT_BODY_LEN,
				     cert + CERT_SIG1);
		if (ret)
			goto fail;
	}
	return 0;
fail:
	memset(cert, 0, SEV_CERT_LEN);
	return ret;
}

static bool algo_fits_usage(uint16_t usage, uint32_t algo)
{
	if (usage == SEV_USAGE_PDH)
		return algo == SEV_ALGO_ECDH_SHA256 ||
		       algo == SEV_ALGO_ECDH_SHA384;
	return algo == SEV_ALGO_ECDSA_SHA256 || algo == SEV_ALGO_ECDSA_SHA384;
}

int sev_cert_public_key(const uint8_t cert[SEV_CERT_LEN], uint16_t want_usage,
			EVP_PKEY **out, char *err, size_t errlen)
{
	uint32_t version, usage, algo;
	char why[96];
	int ret;

	if (!cert || !out)
		return -EINVAL;
	*out = NULL;
	version = get_le32(cert, CERT_VERSION);
	usage = get_le32(cert, CERT_USAGE);
	algo = get_le32(cert, CERT_ALGO);
	if (version != 1) {
		set_err(err, errlen,
			"the certificate has version %u; SEV certificates are "
			"version 1",
			version);
		return -EINVAL;
	}
	if (usage != want_usage) {
		set_err(err, errlen,
			"the certificate's key usage is 0x%x, not 0x%x", usage,
			want_usage);
		return -EINVAL;
	}
	if (!algo_fits_usage(want_usage, algo)) {
		set_err(err, errlen,
			"the certificate's key algorithm 0x%x is not %s", algo,
			want_usage == SEV_USAGE_PDH
				? "ECDH_SHA256 (0x3) or ECDH_SHA384 (0x103)"
				: "ECDSA_SHA256 (0x2) or ECDSA_SHA384 (0x102)");
		return -EINVAL;
	}
	why[0] = 0;
	ret = sev_ecc_pubkey_parse(cert + CERT_PUBKEY, out, why, sizeof(why));
	if (ret)
		set_err(err, errlen, "certificate: %s",
			why[0] ? why : "cannot read the public key");
	return ret;
}

int sev_ecdh(EVP_PKEY *our_private, EVP_PKEY *their_public, uint8_t z[48])
{
	EVP_PKEY_CTX *ctx;
	size_t len = 48;
	int ret = -ENOMEM;

	if (!our_private || !their_public || !z || !is_p384(our_private) ||
	    !is_p384(their_public))
		return -EINVAL;
	ctx = EVP_PKEY_CTX_new_from_pkey(NULL, our_private, NULL);
	/* The raw x-coordinate, big-endian: OpenSSL's output, and what
	 * AMD-ASPFW ecdh.c ecdh_key_agreement() hands the KDF. */
	if (ctx && EVP_PKEY_derive_init(ctx) > 0 &&
	    EVP_PKEY_derive_set_peer(ctx, their_public) > 0 &&
	    EVP_PKEY_derive(ctx, z, &len) > 0 && len == 48)
		ret = 0;
	EVP_PKEY_CTX_free(ctx);
	if (ret)
		OPENSSL_cleanse(z, 48);
	return ret;
}

/* ---------------------------------------------------------------- session */

/* KEK and KIK from Z and the session nonce (AMD-ASPFW sev_channel.c
 * derive_master_secret(), establish_channel()). */
static int session_keys(const uint8_t z[48], const uint8_t nonce[16],
			uint8_t kek[16], uint8_t kik[16])
{
	uint8_t master[16];
	int ret;

	ret = sev_kdf(z, 48, "sev-master-secret", nonce, 16, master,
		      sizeof(master));
	if (!ret)
		ret = sev_kdf(master, sizeof(master), "sev-kek", NULL, 0, kek,
			      16);
	if (!ret)
		ret = sev_kdf(master, sizeof(master), "sev-kik", NULL, 0, kik,
			      16);
	OPENSSL_cleanse(master, sizeof(master));
	return ret;
}

static int policy_mac(const uint8_t tik[16], uint32_t policy, uint8_t out[32])
{
	uint8_t le[4];
	const struct chunk c = {le, 4};

	put_le32(le, 0, policy);
	return hmac_sha256(tik, 16, &c, 1, out);
}

int sev_session_wrap(const uint8_t z[48], const uint8_t nonce[16],
		     const uint8_t wrap_iv[16], const struct sev_tk *tk,
		     uint32_t policy, uint8_t session[SEV_SESSION_LEN])
{
	uint8_t kek[16], kik[16], keys[32];
	struct chunk c;
	int ret;

	if (!z || !nonce || !wrap_iv || !tk || !session)
		return -EINVAL;
	memset(session, 0, SEV_SESSION_LEN);
	ret = session_keys(z, nonce, kek, kik);
	if (ret)
		goto out;
	memcpy(keys, tk->tek, 16);
	memcpy(keys + 16, tk->tik, 16);
	memcpy(session + SESS_NONCE, nonce, 16);
	memcpy(session + SESS_WRAP_IV, wrap_iv, 16);
	ret = sev_aes128_ctr(kek, wrap_iv, keys, 32, session + SESS_WRAP_TK);
	if (ret)
		goto out;
	c = (struct chunk){session + SESS_WRAP_TK, 32};
	ret = hmac_sha256(kik, 16, &c, 1, session + SESS_WRAP_MAC);
	if (!ret)
		ret = policy_mac(tk->tik, policy, session + SESS_POLICY_MAC);
out:
	OPENSSL_cleanse(kek, sizeof(kek));
	OPENSSL_cleanse(kik, sizeof(kik));
	OPENSSL_cleanse(keys, sizeof(keys));
	if (ret)
		memset(session, 0, SEV_SESSION_LEN);
	return ret;
}

int sev_session_unwrap(const uint8_t z[48],
		       const uint8_t session[SEV_SESSION_LEN], uint32_t policy,
		       struct sev_tk *tk)
{
	uint8_t kek[16], kik[16], keys[32], mac[32];
	struct chunk c;
	int ret;

	if (!z || !session || !tk)
		return -EINVAL;
	memset(tk, 0, sizeof(*tk));
	ret = session_keys(z, session + SESS_NONCE, kek, kik);
	if (ret)
		goto out;
	/* The firmware's order (AMD-ASPFW sev_channel.c establish_channel(),
	 * then sev_guest_verify_policy()): WRAP_MAC, unwrap, POLICY_MAC. */
	c = (struct chunk){session + SESS_WRAP_TK, 32};
	ret = hmac_sha256(kik, 16, &c, 1, mac);
	if (ret)
		goto out;
	if (CRYPTO_memcmp(mac, session + SESS_WRAP_MAC, 32)) {
		ret = -EBADMSG;
		goto out;
	}
	ret = sev_aes128_ctr(kek, session + SESS_WRAP_IV,
			     session + SESS_WRAP_TK, 32, keys);
	if (ret)
		goto out;
	ret = policy_mac(keys + 16, policy, mac);
	if (ret)
		goto out;
	if (CRYPTO_memcmp(mac, session + SESS_POLICY_MAC, 32)) {
		ret = -EBADMSG;
		goto out;
	}
	memcpy(tk->tek, keys, 16);
	memcpy(tk->tik, keys + 16, 16);
out:
	OPENSSL_cleanse(kek, sizeof(kek));
	OPENSSL_cleanse(kik, sizeof(kik));
	OPENSSL_cleanse(keys, sizeof(keys));
	OPENSSL_cleanse(mac, sizeof(mac));
	if (ret)
		sev_tk_wipe(tk);
	return ret;
}

/* ----------------------------------------------------------- the secret */

/* The packet MAC (AMD-ASPFW sev_channel.c sev_channel_hmac()) with
 * guest_len == trans_len == len. */
static int secret_mac(const uint8_t tik[16],
		      const uint8_t hdr[SEV_PACKET_HDR_LEN],
		      const uint8_t *trans, size_t len,
		      const uint8_t measure[32], uint8_t out[32])
{
	uint8_t ctx = CHANNEL_CTX_SECRET, lens[8];
	const struct chunk c[] = {
		{&ctx, 1}, {hdr + HDR_FLAGS, 4}, {hdr + HDR_IV, 16},
		{lens, 8}, {trans, len},	 {measure, 32},
	};

	put_le32(lens, 0, (uint32_t)len);	   /* GUEST_LENGTH */
	put_le32(lens, 4, (uint32_t)len); /* TRANS_LENGTH */
	return hmac_sha256(tik, 16, c, 6, out);
}

static bool secret_len_ok(size_t len)
{
	return len && len % 16 == 0 && len <= SEV_SECRET_MAX;
}

int sev_secret_seal(const struct sev_tk *tk, const uint8_t measure[32],
		    const uint8_t iv[16], const uint8_t *plain, size_t len,
		    uint8_t hdr[SEV_PACKET_HDR_LEN], uint8_t *trans)
{
	int ret;

	if (!tk || !measure || !iv || !plain || !hdr || !trans ||
	    !secret_len_ok(len))
		return -EINVAL;
	memset(hdr, 0, SEV_PACKET_HDR_LEN);
	memcpy(hdr + HDR_IV, iv, 16);
	ret = sev_aes128_ctr(tk->tek, iv, plain, len, trans);
	if (!ret)
		ret = secret_mac(tk->tik, hdr, trans, len, measure,
				 hdr + HDR_MAC);
	if (ret) {
		memset(hdr, 0, SEV_PACKET_HDR_LEN);
		OPENSSL_cleanse(trans, len);
	}
	return ret;
}

int sev_secret_open(const struct sev_tk *tk, const uint8_t measure[32],
		    const uint8_t hdr[SEV_PACKET_HDR_LEN], const uint8_t *trans,
		    size_t len, uint8_t *plain)
{
	uint8_t mac[32];
	int ret;

	if (!tk || !measure || !hdr || !trans || !plain || !secret_len_ok(len))
		return -EINVAL;
	ret = secret_mac(tk->tik, hdr, trans, len, measure, mac);
	if (ret)
		return ret;
	if (CRYPTO_memcmp(mac, hdr + HDR_MAC, 32))
		return -EBADMSG;
	/* The firmware checks COMPRESSED after the MAC (AMD-ASPFW sev_mcmd.c
	 * sev_mcmd_launch_secret()). */
	if (get_le32(hdr, HDR_FLAGS) & HDR_FLAG_COMPRESSED)
		return -EOPNOTSUPP;
	return sev_aes128_ctr(tk->tek, hdr + HDR_IV, trans, len, plain);
}

/* ------------------------------------------------------ the secret table */

int sev_secret_table(const struct sev_secret_entry *e, size_t n, uint8_t *out,
		     size_t cap, size_t *outlen)
{
	size_t total = SECRET_TABLE_HDR, padded, off;

	if ((n && !e) || !out || !outlen)
		return -EINVAL;
	for (size_t k = 0; k < n; k++) {
		if (e[k].len && !e[k].data)
			return -EINVAL;
		if (e[k].len > UINT32_MAX - SECRET_ENTRY_HDR ||
		    total > UINT32_MAX - SECRET_ENTRY_HDR - e[k].len)
			return -ENOSPC;
		total += SECRET_ENTRY_HDR + e[k].len;
	}
	padded = (total + 15) & ~(size_t)15;
	if (padded > cap)
		return -ENOSPC;

	/* The header carries the unpadded length, as sevctl src/secret.rs
	 * does. */
	memcpy(out, secret_table_guid, 16);
	put_le32(out, 16, (uint32_t)total);
	off = SECRET_TABLE_HDR;
	for (size_t k = 0; k < n; k++) {
		memcpy(out + off, e[k].guid.b, GUID_LEN);
		put_le32(out + off + 16, 0, (uint32_t)(SECRET_ENTRY_HDR + e[k].len));
		if (e[k].len)
			memcpy(out + off + SECRET_ENTRY_HDR, e[k].data,
			       e[k].len);
		off += SECRET_ENTRY_HDR + e[k].len;
	}
	memset(out + off, 0, padded - off);
	*outlen = padded;
	return 0;
}

int sev_session_new(const uint8_t pdh[SEV_CERT_LEN], uint32_t policy,
		    uint8_t godh_cert[SEV_CERT_LEN],
		    uint8_t session[SEV_SESSION_LEN], struct sev_tk *tk,
		    char *err, size_t errlen)
{
	EVP_PKEY *pdh_key = NULL, *godh = NULL;
	uint8_t z[48], nonce[16], wrap_iv[16];
	char why[160] = "";
	int ret;

	memset(tk, 0, sizeof(*tk));
	ret = sev_cert_public_key(pdh, SEV_USAGE_PDH, &pdh_key, why,
				  sizeof(why));
	if (ret) {
		if (ret == -EINVAL)
			set_err(err, errlen,
				"the PDH certificate is not usable: %s",
				why[0] ? why : "its public key is invalid");
		else
			set_err(err, errlen,
				"cannot read the PDH certificate's key (OpenSSL "
				"failed)");
		goto out;
	}
	ret = sev_p384_generate(&godh);
	if (!ret)
		ret = sev_ecdh(godh, pdh_key, z);
	if (!ret)
		ret = sev_cert_build(godh, SEV_USAGE_PDH, SEV_ALGO_ECDH_SHA256,
				     pdh[4], pdh[5], NULL, 0, godh_cert);
	if (ret) {
		set_err(err, errlen,
			"cannot make the GODH key and its certificate (OpenSSL "
			"failed)");
		goto out;
	}
	if (RAND_bytes(nonce, sizeof(nonce)) != 1 ||
	    RAND_bytes(wrap_iv, sizeof(wrap_iv)) != 1 ||
	    RAND_priv_bytes(tk->tek, sizeof(tk->tek)) != 1 ||
	    RAND_priv_bytes(tk->tik, sizeof(tk->tik)) != 1) {
		set_err(err, errlen, "the random number generator failed");
		ret = -EIO;
		goto out;
	}
	ret = sev_session_wrap(z, nonce, wrap_iv, tk, policy, session);
	if (ret)
		set_err(err, errlen,
			"cannot wrap the session keys (OpenSSL failed)");
out:
	OPENSSL_cleanse(z, sizeof(z));
	EVP_PKEY_free(godh);
	EVP_PKEY_free(pdh_key);
	if (ret) {
		sev_tk_wipe(tk);
		if (ret > 0)
			ret = -EIO;
	}
	return ret;
}
