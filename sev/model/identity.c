// SPDX-License-Identifier: MIT
/*
 * sev/model/identity.c: the firmware model's persistent identity, the
 * keys and certificates a real platform holds or gets from AMD:
 *
 *   SEV:  ARK (self-signed) -> ASK -> CEK -> PEK <- OCA (self-signed),
 *         PEK -> PDH, in AMD's formats (SEV API 55766 App. B, the AMD CA
 *         certificate; App. C, the SEV certificate)
 *   SNP:  ARK -> ASK -> VCEK as X.509 (AMD KDS interface spec 57230)
 *
 * and the two signatures the model makes with them: the SEV ATTESTATION
 * report with the PEK (55766 ATTESTATION) and the SNP attestation report
 * with the VCEK (SNP ABI 56860 ATTESTATION_REPORT).  The state directory's
 * layout is described in sev/sev.h (sev_model_identity_create).
 *
 * The model signs the way AMD's firmware and AMD's CA do:
 *  - AMD CA certificates: RSASSA-PSS, MGF1 with the message hash, salt =
 *    hash length, over the header, exponent and modulus; every integer
 *    little-endian (AMD-ASPFW amd_cert.c amd_cert_validate_sig()).  The
 *    hash follows the key size, as every certificate AMD published does:
 *    SHA-256 for the 2048-bit keys the model uses (Naples' size; the
 *    format holds 2048 or 4096 bits, and 2048 keeps `model-keys` quick in
 *    the emulated test host).
 *  - SEV certificates: ECDSA P-384 with SHA-256 over [0, 0x414), the PEK
 *    signed by the OCA (slot 1) and the CEK (slot 2), the PDH by the PEK
 *    (AMD-ASPFW sev_plat.c sev_pek_generate(), sev_pdh_generate()); the
 *    CEK by the ASK with RSASSA-PSS (slot 1, usage 0x13, RSA_SHA256).
 *  - X.509: RSASSA-PSS with SHA-384, MGF1 SHA-384, salt 48 for the ARK,
 *    the ASK and the VCEK (KDS spec 57230); the VCEK a P-384 key with
 *    AMD's extensions (OIDs 1.3.6.1.4.1.3704.1.x: struct version, product
 *    name, the TCB's SPLs, hwID as a DER OCTET STRING of the chip id).
 *
 * The names say Genoa (ARK-Genoa, SEV-Genoa), the generation of the
 * firmware the model answers as (ASPFW 1.55.25); the organisation says
 * that it is sevboot's model, not AMD.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/asn1.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "util/psp_uapi.h"
#include "sev/model/model.h"
#include "util/util.h"

/* AMD CA certificate (55766 App. B; AMD-ASPFW amd_cert.h amd_cert_t). */
#define AMD_HDR		 0x40
#define AMD_OFF_KEY_ID	 0x04
#define AMD_OFF_CERT_ID	 0x14
#define AMD_OFF_USAGE	 0x24
#define AMD_OFF_EXP_BITS 0x38
#define AMD_OFF_MOD_BITS 0x3c
#define AMD_USAGE_ARK	 0x00
#define AMD_USAGE_ASK	 0x13
#define MODEL_RSA_BITS	 2048
#define MODEL_RSA_BYTES	 (MODEL_RSA_BITS / 8)

/* SEV certificate (55766 App. C; AMD-ASPFW sev_cert.h). */
#define CERT_PUBKEY	    0x010
#define CERT_BODY_LEN	    0x414
#define CERT_SIG1_USAGE	    0x414
#define CERT_SIG1_ALGO	    0x418
#define CERT_SIG1	    0x41c
#define CERT_SIG2_USAGE	    0x61c
#define CERT_SIG2_ALGO	    0x620
#define CERT_SIG2	    0x624
#define SEV_ALGO_RSA_SHA256 0x001

/* SEV ATTESTATION report (55766 ATTESTATION; AMD-ASPFW
 * sev_mcmd_attestation_report_t). */
#define ATT_MNONCE    0x00
#define ATT_LD	      0x10
#define ATT_POLICY    0x30
#define ATT_SIG_USAGE 0x34
#define ATT_SIG_ALGO  0x38
#define ATT_SIG	      0x40

/* Validity, as AMD issues them: the CA for 25 years, a VCEK for 7. */
#define CA_DAYS	  (25 * 365)
#define VCEK_DAYS (7 * 365)

#define OID_AMD "1.3.6.1.4.1.3704.1."
#define ORG	"sevboot firmware model (NOT AMD)"

enum id_file {
	F_ARK_KEY,
	F_ASK_KEY,
	F_CEK_KEY,
	F_OCA_KEY,
	F_PEK_KEY,
	F_PDH_KEY,
	F_VCEK_KEY,
	F_ARK_CERT,
	F_ASK_CERT,
	F_CEK_CERT,
	F_OCA_CERT,
	F_PEK_CERT,
	F_PDH_CERT,
	F_SEV_CHAIN,
	F_SNP_ARK,
	F_SNP_ASK,
	F_CERT_CHAIN,
	F_VCEK_DER,
	F_VCEK_PEM,
	F_PLATFORM,
	F_COUNT,
};

static const char *const file_names[F_COUNT] = {
	[F_ARK_KEY] = "ark.key",	   [F_ASK_KEY] = "ask.key",
	[F_CEK_KEY] = "cek.key",	   [F_OCA_KEY] = "oca.key",
	[F_PEK_KEY] = "pek.key",	   [F_PDH_KEY] = "pdh.key",
	[F_VCEK_KEY] = "vcek.key",	   [F_ARK_CERT] = "ark.cert",
	[F_ASK_CERT] = "ask.cert",	   [F_CEK_CERT] = "cek.cert",
	[F_OCA_CERT] = "oca.cert",	   [F_PEK_CERT] = "pek.cert",
	[F_PDH_CERT] = "pdh.cert",	   [F_SEV_CHAIN] = "sev-chain.cert",
	[F_SNP_ARK] = "snp-ark.pem",	   [F_SNP_ASK] = "snp-ask.pem",
	[F_CERT_CHAIN] = "cert_chain.pem", [F_VCEK_DER] = "vcek.der",
	[F_VCEK_PEM] = "vcek.pem",	   [F_PLATFORM] = "platform.state",
};

/*
 * platform.state: what the platform commands set that is not a key or a
 * certificate, 16 bytes, little-endian: [0,8) SNP_CONFIG's REPORTED_TCB,
 * [8,12) SNP_CONFIG's flags (SEV_MODEL_CFG_MASK_CHIP_*), [12,16) bit 0
 * "owned": an OCA was imported (PEK_CERT_IMPORT), whose private key the
 * owner keeps, so oca.key is absent.  A directory without it (made before
 * it existed) reads as REPORTED_TCB = SEV_MODEL_TCB, no flags, self-owned.
 */
#define PLATFORM_STATE_LEN 16
#define PLATFORM_OWNED	   (1u << 0)

struct sev_model_identity {
	EVP_PKEY *ark, *ask;			/* RSA */
	EVP_PKEY *cek, *oca, *pek, *pdh; /* P-384 */
	/* vcek.key: the VCEK at the current TCB (SEV_MODEL_TCB), the chip's
	 * secret that the VCEK of a lower REPORTED_TCB is derived from
	 * (vcek_derive()).  vcek: the VCEK at reported_tcb, which signs the
	 * reports and whose certificate vcek_x509 is (vcek.der): the same
	 * key at the current TCB. */
	EVP_PKEY *vcek_chip, *vcek;
	uint8_t ark_cert[SEV_MODEL_AMD_CERT_LEN];
	uint8_t ask_cert[SEV_MODEL_AMD_CERT_LEN];
	uint8_t cek_cert[SEV_CERT_LEN], oca_cert[SEV_CERT_LEN];
	uint8_t pek_cert[SEV_CERT_LEN], pdh_cert[SEV_CERT_LEN];
	X509 *snp_ark, *snp_ask, *vcek_x509;
	uint8_t *der[3]; /* snp_ark, snp_ask, vcek as DER */
	size_t der_len[3];
	uint8_t chip_id[64];
	uint64_t reported_tcb;
	uint32_t snp_flags; /* SEV_MODEL_CFG_* */
	bool owned;	    /* PEK_CERT_IMPORT: oca holds a public key only */
};

void sev_model_identity_free(struct sev_model_identity *id)
{
	if (!id)
		return;
	/* EVP_PKEY_free clears the private parts. */
	EVP_PKEY_free(id->ark);
	EVP_PKEY_free(id->ask);
	EVP_PKEY_free(id->cek);
	EVP_PKEY_free(id->oca);
	EVP_PKEY_free(id->pek);
	EVP_PKEY_free(id->pdh);
	EVP_PKEY_free(id->vcek_chip);
	EVP_PKEY_free(id->vcek);
	X509_free(id->snp_ark);
	X509_free(id->snp_ask);
	X509_free(id->vcek_x509);
	for (unsigned k = 0; k < 3; k++)
		OPENSSL_free(id->der[k]);
	OPENSSL_clear_free(id, sizeof(*id));
}

/* -------------------------------------------------------------- RSA-PSS */

/* The big-endian n bytes of bn, as little-endian into out. */
static int bn_le(const BIGNUM *bn, uint8_t *out, size_t n)
{
	return BN_bn2lebinpad(bn, out, (int)n) == (int)n ? 0 : -EINVAL;
}

/* ------------------------------------------------------ AMD CA format */

/* An AMD CA certificate for RSA key k (its exponent and modulus, LE),
 * signed by signer (k itself for the ARK). */
static int amd_cert_make(EVP_PKEY *k, const uint8_t key_id[16],
			 const uint8_t certifying_id[16], uint32_t usage,
			 EVP_PKEY *signer, uint8_t cert[SEV_MODEL_AMD_CERT_LEN])
{
	BIGNUM *n = NULL, *e = NULL;
	int ret = -ENOMEM;

	memset(cert, 0, SEV_MODEL_AMD_CERT_LEN);
	put_le32(cert, 0, 1);
	memcpy(cert + AMD_OFF_KEY_ID, key_id, 16);
	memcpy(cert + AMD_OFF_CERT_ID, certifying_id, 16);
	put_le32(cert, AMD_OFF_USAGE, usage);
	put_le32(cert, AMD_OFF_EXP_BITS, MODEL_RSA_BITS);
	put_le32(cert, AMD_OFF_MOD_BITS, MODEL_RSA_BITS);
	if (EVP_PKEY_get_bn_param(k, OSSL_PKEY_PARAM_RSA_N, &n) != 1 ||
	    EVP_PKEY_get_bn_param(k, OSSL_PKEY_PARAM_RSA_E, &e) != 1 ||
	    bn_le(e, cert + AMD_HDR, MODEL_RSA_BYTES) ||
	    bn_le(n, cert + AMD_HDR + MODEL_RSA_BYTES, MODEL_RSA_BYTES))
		goto out;
	ret = sev_rsa_pss_sign(
		signer, EVP_sha256(), cert, AMD_HDR + 2 * MODEL_RSA_BYTES,
		cert + AMD_HDR + 2 * MODEL_RSA_BYTES, MODEL_RSA_BYTES);
out:
	BN_free(n);
	BN_free(e);
	return ret;
}

/* Does cert hold k's modulus? */
static bool amd_cert_holds(const uint8_t *cert, EVP_PKEY *k)
{
	uint8_t mod[MODEL_RSA_BYTES];
	BIGNUM *n = NULL;
	bool ok = EVP_PKEY_get_bn_param(k, OSSL_PKEY_PARAM_RSA_N, &n) == 1 &&
		  !bn_le(n, mod, sizeof(mod)) &&
		  !memcmp(mod, cert + AMD_HDR + MODEL_RSA_BYTES, sizeof(mod));

	BN_free(n);
	return ok;
}

/* ---------------------------------------------------- SEV certificates */

/* Slot 2 of cert: an ECDSA P-384 SHA-256 signature by signer (usage). */
static int sev_cert_sign_slot2(uint8_t *cert, EVP_PKEY *signer, uint32_t usage)
{
	put_le32(cert, CERT_SIG2_USAGE, usage);
	put_le32(cert, CERT_SIG2_ALGO, SEV_ALGO_ECDSA_SHA256);
	return sev_ecdsa_sign(signer, EVP_sha256(), cert, CERT_BODY_LEN,
			      cert + CERT_SIG2);
}

/* The CEK: signed in slot 1 by the ASK (RSASSA-PSS over the body). */
static int cek_cert_make(struct sev_model_identity *id)
{
	int ret = sev_cert_build(id->cek, SEV_USAGE_CEK, SEV_ALGO_ECDSA_SHA256,
				 SEV_MODEL_API_MAJOR, SEV_MODEL_API_MINOR, NULL,
				 0, id->cek_cert);

	if (ret)
		return ret;
	put_le32(id->cek_cert, CERT_SIG1_USAGE, AMD_USAGE_ASK);
	put_le32(id->cek_cert, CERT_SIG1_ALGO, SEV_ALGO_RSA_SHA256);
	return sev_rsa_pss_sign(id->ask, EVP_sha256(), id->cek_cert,
				CERT_BODY_LEN, id->cek_cert + CERT_SIG1,
				MODEL_RSA_BYTES);
}

static int sev_certs_make(struct sev_model_identity *id)
{
	uint8_t ark_id[16], ask_id[16];
	int ret;

	if (RAND_bytes(ark_id, 16) != 1 || RAND_bytes(ask_id, 16) != 1)
		return -ENOMEM;
	ret = amd_cert_make(id->ark, ark_id, ark_id, AMD_USAGE_ARK, id->ark,
			    id->ark_cert);
	if (!ret)
		ret = amd_cert_make(id->ask, ask_id, ark_id, AMD_USAGE_ASK,
				    id->ark, id->ask_cert);
	if (!ret)
		ret = cek_cert_make(id);
	if (!ret)
		ret = sev_cert_build(id->oca, SEV_USAGE_OCA,
				     SEV_ALGO_ECDSA_SHA256, SEV_MODEL_API_MAJOR,
				     SEV_MODEL_API_MINOR, id->oca,
				     SEV_USAGE_OCA, id->oca_cert);
	if (!ret)
		ret = sev_cert_build(id->pek, SEV_USAGE_PEK,
				     SEV_ALGO_ECDSA_SHA256, SEV_MODEL_API_MAJOR,
				     SEV_MODEL_API_MINOR, id->oca,
				     SEV_USAGE_OCA, id->pek_cert);
	if (!ret)
		ret = sev_cert_sign_slot2(id->pek_cert, id->cek, SEV_USAGE_CEK);
	if (!ret)
		ret = sev_cert_build(id->pdh, SEV_USAGE_PDH,
				     SEV_ALGO_ECDH_SHA256, SEV_MODEL_API_MAJOR,
				     SEV_MODEL_API_MINOR, id->pek,
				     SEV_USAGE_PEK, id->pdh_cert);
	return ret;
}

/* ----------------------------------------------------------------- X.509 */

static X509_NAME *amd_name(const char *cn)
{
	X509_NAME *n = X509_NAME_new();

	if (n &&
	    X509_NAME_add_entry_by_txt(n, "OU", MBSTRING_ASC,
				       (const unsigned char *)"Engineering", -1,
				       -1, 0) &&
	    X509_NAME_add_entry_by_txt(n, "C", MBSTRING_ASC,
				       (const unsigned char *)"US", -1, -1,
				       0) &&
	    X509_NAME_add_entry_by_txt(n, "O", MBSTRING_ASC,
				       (const unsigned char *)ORG, -1, -1, 0) &&
	    X509_NAME_add_entry_by_txt(n, "CN", MBSTRING_ASC,
				       (const unsigned char *)cn, -1, -1, 0))
		return n;
	X509_NAME_free(n);
	return NULL;
}

/* An extension whose value is the DER of an ASN.1 object. */
static int add_ext_der(X509 *c, const char *oid, const uint8_t *der, int len)
{
	ASN1_OBJECT *obj = OBJ_txt2obj(oid, 1);
	ASN1_OCTET_STRING *v = ASN1_OCTET_STRING_new();
	X509_EXTENSION *x = NULL;
	int ret = -ENOMEM;

	if (obj && v && ASN1_OCTET_STRING_set(v, der, len) &&
	    (x = X509_EXTENSION_create_by_OBJ(NULL, obj, 0, v)) &&
	    X509_add_ext(c, x, -1))
		ret = 0;
	X509_EXTENSION_free(x);
	ASN1_OCTET_STRING_free(v);
	ASN1_OBJECT_free(obj);
	return ret;
}

static int add_ext_int(X509 *c, const char *oid, long val)
{
	ASN1_INTEGER *i = ASN1_INTEGER_new();
	uint8_t *der = NULL;
	int len =
		i && ASN1_INTEGER_set(i, val) ? i2d_ASN1_INTEGER(i, &der) : -1;
	int ret = len > 0 ? add_ext_der(c, oid, der, len) : -ENOMEM;

	OPENSSL_free(der);
	ASN1_INTEGER_free(i);
	return ret;
}

static int add_ext_string(X509 *c, int type, const char *oid, const uint8_t *p,
			  int n)
{
	ASN1_STRING *s = ASN1_STRING_type_new(type);
	uint8_t *der = NULL;
	int len = -1, ret;

	if (s && ASN1_STRING_set(s, p, n))
		len = type == V_ASN1_IA5STRING ? i2d_ASN1_IA5STRING(s, &der)
					       : i2d_ASN1_OCTET_STRING(s, &der);
	ret = len > 0 ? add_ext_der(c, oid, der, len) : -ENOMEM;
	OPENSSL_free(der);
	ASN1_STRING_free(s);
	return ret;
}

/* The VCEK's extensions (KDS spec 57230, "VCEK certificate extensions"):
 * struct version, product name, the SPLs of tcb, hwID. */
static int vcek_extensions(X509 *c, const uint8_t chip_id[64], uint64_t tcb)
{
	static const struct {
		const char *oid;
		unsigned shift; /* of the SPL in the Milan/Genoa TCB */
	} spl[] = {{OID_AMD "3.1", 0},	{OID_AMD "3.2", 8},
		   {OID_AMD "3.3", 48}, {OID_AMD "3.4", 16},
		   {OID_AMD "3.5", 24}, {OID_AMD "3.6", 32},
		   {OID_AMD "3.7", 40}, {OID_AMD "3.8", 56}};
	int ret = add_ext_int(c, OID_AMD "1", 1);

	if (!ret)
		ret = add_ext_string(c, V_ASN1_IA5STRING, OID_AMD "2",
				     (const uint8_t *)SEV_MODEL_PRODUCT_NAME,
				     (int)strlen(SEV_MODEL_PRODUCT_NAME));
	for (size_t k = 0; !ret && k < sizeof(spl) / sizeof(spl[0]); k++)
		ret = add_ext_int(
			c, spl[k].oid,
			(long)((tcb >> spl[k].shift) & 0xff));
	if (!ret)
		ret = add_ext_string(c, V_ASN1_OCTET_STRING, OID_AMD "4",
				     chip_id, 64);
	return ret;
}

static int add_ext_nid(X509 *c, X509 *issuer, int nid, const char *value)
{
	X509V3_CTX ctx;
	X509_EXTENSION *x;
	int ret = -ENOMEM;

	X509V3_set_ctx(&ctx, issuer, c, NULL, NULL, 0);
	x = X509V3_EXT_conf_nid(NULL, &ctx, nid, value);
	if (x && X509_add_ext(c, x, -1))
		ret = 0;
	X509_EXTENSION_free(x);
	return ret;
}

/* A certificate for key k named cn, issued by issuer_cn and signed with
 * signer (RSASSA-PSS SHA-384, salt 48).  chip_id set: a VCEK's, with the
 * extensions of that chip at tcb; else a CA's. */
static X509 *x509_make(EVP_PKEY *k, const char *cn, X509 *issuer,
		       EVP_PKEY *signer, const uint8_t *chip_id, uint64_t tcb)
{
	X509 *c = X509_new();
	X509_NAME *subj = amd_name(cn);
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	ASN1_INTEGER *serial = NULL;
	BIGNUM *bn = BN_new();
	bool ok;

	ok = c && subj && ctx && bn && BN_rand(bn, 64, 0, 0) &&
	     (serial = BN_to_ASN1_INTEGER(bn, NULL)) &&
	     X509_set_version(c, 2) && X509_set_serialNumber(c, serial) &&
	     X509_set_subject_name(c, subj) &&
	     X509_set_issuer_name(c, issuer ? X509_get_subject_name(issuer)
					    : subj) &&
	     X509_gmtime_adj(X509_getm_notBefore(c), 0) &&
	     X509_gmtime_adj(X509_getm_notAfter(c),
			     (long)(chip_id ? VCEK_DAYS : CA_DAYS) * 86400) &&
	     X509_set_pubkey(c, k);
	if (ok && chip_id)
		ok = !vcek_extensions(c, chip_id, tcb);
	else if (ok)
		ok = !add_ext_nid(c, issuer ? issuer : c, NID_basic_constraints,
				  "critical,CA:TRUE") &&
		     !add_ext_nid(c, issuer ? issuer : c, NID_key_usage,
				  "critical,keyCertSign,cRLSign");
	ok = ok && !sev_rsa_pss_ctx(ctx, signer, EVP_sha384(), true) &&
	     X509_sign_ctx(c, ctx) > 0;
	ASN1_INTEGER_free(serial);
	BN_free(bn);
	EVP_MD_CTX_free(ctx);
	X509_NAME_free(subj);
	if (!ok) {
		X509_free(c);
		return NULL;
	}
	return c;
}

static int x509_der(struct sev_model_identity *id)
{
	X509 *c[3] = {id->snp_ark, id->snp_ask, id->vcek_x509};

	for (unsigned k = 0; k < 3; k++) {
		int n = i2d_X509(c[k], &id->der[k]);

		if (n <= 0)
			return -ENOMEM;
		id->der_len[k] = (size_t)n;
	}
	return 0;
}

static int snp_certs_make(struct sev_model_identity *id)
{
	if (RAND_bytes(id->chip_id, sizeof(id->chip_id)) != 1)
		return -ENOMEM;
	id->snp_ark = x509_make(id->ark, "ARK-" SEV_MODEL_PRODUCT, NULL,
				id->ark, NULL, 0);
	if (id->snp_ark)
		id->snp_ask = x509_make(id->ask, "SEV-" SEV_MODEL_PRODUCT,
					id->snp_ark, id->ark, NULL, 0);
	if (id->snp_ask)
		id->vcek_x509 = x509_make(id->vcek, "SEV-VCEK", id->snp_ask,
					  id->ask, id->chip_id,
					  id->reported_tcb);
	if (!id->vcek_x509)
		return -ENOMEM;
	return x509_der(id);
}

/*
 * The VCEK at tcb, from the chip's VCEK at its current TCB (chip).  A VCEK
 * is unique to its chip and TCB: the firmware derives it from the chip's
 * secret and the TCB, and signs a report with the VCEK of the report's
 * REPORTED_TCB, the TCB whose VCEK certificate KDS serves for it (SNP ABI
 * 56860 ATTESTATION_REPORT REPORTED_TCB; KDS spec 57230 "VCEK").  The
 * model keeps the current TCB's as vcek.key and derives a lower TCB's
 * from that scalar with the firmware's KDF (sev_kdf), so one TCB gives
 * the same VCEK every time; a 48-byte output that is no P-384 scalar
 * (probability about 2^-190) takes the next counter.
 */
static int vcek_derive(EVP_PKEY *chip, uint64_t tcb, EVP_PKEY **out)
{
	uint8_t d0[48], d[48], ctx[9];
	int ret = -EINVAL;

	*out = NULL;
	if (tcb == SEV_MODEL_TCB) {
		if (!EVP_PKEY_up_ref(chip))
			return -ENOMEM;
		*out = chip;
		return 0;
	}
	if (sev_p384_private(chip, d0))
		return -EINVAL;
	put_le64(ctx, 0, tcb);
	for (unsigned i = 0; ret == -EINVAL && i < 256; i++) {
		ctx[8] = (uint8_t)i;
		ret = sev_kdf(d0, sizeof(d0), "sevboot-model-vcek", ctx,
			      sizeof(ctx), d, sizeof(d));
		ret = ret ?: sev_p384_from_private(d, out);
	}
	OPENSSL_cleanse(d0, sizeof(d0));
	OPENSSL_cleanse(d, sizeof(d));
	return ret;
}

/* The VCEK and its certificate (and DER) for tcb, swapped in only when
 * all are made: on failure id is as it was. */
static int vcek_remake(struct sev_model_identity *id, uint64_t tcb)
{
	EVP_PKEY *k = NULL;
	X509 *c = NULL;
	uint8_t *der = NULL;
	int n = 0, ret = vcek_derive(id->vcek_chip, tcb, &k);

	if (!ret) {
		c = x509_make(k, "SEV-VCEK", id->snp_ask, id->ask, id->chip_id,
			      tcb);
		n = c ? i2d_X509(c, &der) : 0;
		ret = n > 0 ? 0 : -ENOMEM;
	}
	if (ret) {
		EVP_PKEY_free(k);
		X509_free(c);
		return ret;
	}
	EVP_PKEY_free(id->vcek);
	X509_free(id->vcek_x509);
	OPENSSL_free(id->der[2]);
	id->vcek = k;
	id->vcek_x509 = c;
	id->der[2] = der;
	id->der_len[2] = (size_t)n;
	return 0;
}

/* ------------------------------------------------------------- accessors */

const uint8_t *sev_model_identity_cert(const struct sev_model_identity *id,
				       enum sev_model_cert which, size_t *len)
{
	const uint8_t *p = NULL;
	size_t n = SEV_CERT_LEN;

	switch (which) {
	case SEV_MODEL_ARK:
		p = id->ark_cert;
		n = SEV_MODEL_AMD_CERT_LEN;
		break;
	case SEV_MODEL_ASK:
		p = id->ask_cert;
		n = SEV_MODEL_AMD_CERT_LEN;
		break;
	case SEV_MODEL_CEK:
		p = id->cek_cert;
		break;
	case SEV_MODEL_OCA:
		p = id->oca_cert;
		break;
	case SEV_MODEL_PEK:
		p = id->pek_cert;
		break;
	case SEV_MODEL_PDH:
		p = id->pdh_cert;
		break;
	case SEV_MODEL_SNP_ARK:
	case SEV_MODEL_SNP_ASK:
	case SEV_MODEL_VCEK:
		p = id->der[which - SEV_MODEL_SNP_ARK];
		n = id->der_len[which - SEV_MODEL_SNP_ARK];
		break;
	default:
		n = 0;
	}
	if (len)
		*len = p ? n : 0;
	return p;
}

void sev_model_identity_chip_id(const struct sev_model_identity *id,
				uint8_t chip_id[64])
{
	memcpy(chip_id, id->chip_id, 64);
}

int sev_model_identity_pdh_private(const struct sev_model_identity *id,
				   uint8_t d[48])
{
	return sev_p384_private(id->pdh, d);
}

int sev_model_identity_sign_sev(const struct sev_model_identity *id,
				const uint8_t mnonce[16], const uint8_t ld[32],
				uint32_t policy,
				uint8_t report[SEV_MODEL_SEV_REPORT_LEN])
{
	memset(report, 0, SEV_MODEL_SEV_REPORT_LEN);
	memcpy(report + ATT_MNONCE, mnonce, 16);
	memcpy(report + ATT_LD, ld, 32);
	put_le32(report, ATT_POLICY, policy);
	put_le32(report, ATT_SIG_USAGE, SEV_USAGE_PEK);
	put_le32(report, ATT_SIG_ALGO, SEV_ALGO_ECDSA_SHA256);
	/* ECDSA P-384 SHA-256 over MNONCE || LD || POLICY (AMD-ASPFW
	 * sev_mcmd.c sev_mcmd_attestation()). */
	return sev_ecdsa_sign(id->pek, EVP_sha256(), report, ATT_SIG_USAGE,
			      report + ATT_SIG);
}

int sev_model_identity_sign_snp(const struct sev_model_identity *id,
				uint8_t report[SEV_MODEL_SNP_REPORT_LEN])
{
	/* ECDSA P-384 SHA-384 over [0, 0x2a0), R at 0x2a0 and S at 0x2e8
	 * (SNP ABI 56860 ATTESTATION_REPORT, Signature). */
	memset(report + 0x2a0, 0, SEV_MODEL_SNP_REPORT_LEN - 0x2a0);
	return sev_ecdsa_sign(id->vcek, EVP_sha384(), report, 0x2a0,
			      report + 0x2a0);
}

/* ------------------------------------------------------------ the files */

/* One file's bytes: a pointer into id, or a PEM/concatenation made for
 * it (*own set: the caller frees it). */
static int file_bytes(const struct sev_model_identity *id, enum id_file f,
		      uint8_t **own, const uint8_t **p, size_t *len)
{
	static const enum sev_model_cert chain[] = {
		SEV_MODEL_PDH, SEV_MODEL_PEK, SEV_MODEL_OCA,
		SEV_MODEL_CEK, SEV_MODEL_ASK, SEV_MODEL_ARK};
	X509 *pem[2] = {NULL, NULL};
	BIO *bio;
	BUF_MEM *mem;

	*own = NULL;
	switch (f) {
	case F_ARK_CERT:
	case F_ASK_CERT:
	case F_CEK_CERT:
	case F_OCA_CERT:
	case F_PEK_CERT:
	case F_PDH_CERT:
	case F_VCEK_DER:
		*p = sev_model_identity_cert(
			id,
			f == F_VCEK_DER ? SEV_MODEL_VCEK
					: (enum sev_model_cert)(f - F_ARK_CERT),
			len);
		return 0;
	case F_PLATFORM:
		*own = OPENSSL_zalloc(PLATFORM_STATE_LEN);
		if (!*own)
			return -ENOMEM;
		put_le64(*own, 0, id->reported_tcb);
		put_le32(*own, 8, id->snp_flags);
		put_le32(*own, 12, id->owned ? PLATFORM_OWNED : 0);
		*p = *own;
		*len = PLATFORM_STATE_LEN;
		return 0;
	case F_SEV_CHAIN:
		/* sevctl export --full: PDH, PEK, OCA, CEK, ASK, ARK. */
		*len = 4 * SEV_CERT_LEN + 2 * SEV_MODEL_AMD_CERT_LEN;
		*own = OPENSSL_malloc(*len);
		if (!*own)
			return -ENOMEM;
		for (size_t k = 0, off = 0; k < 6; k++) {
			size_t n;
			const uint8_t *c =
				sev_model_identity_cert(id, chain[k], &n);

			memcpy(*own + off, c, n);
			off += n;
		}
		*p = *own;
		return 0;
	case F_SNP_ARK:
		pem[0] = id->snp_ark;
		break;
	case F_SNP_ASK:
		pem[0] = id->snp_ask;
		break;
	case F_CERT_CHAIN:
		/* The KDS cert_chain: the ASK, then the ARK. */
		pem[0] = id->snp_ask;
		pem[1] = id->snp_ark;
		break;
	case F_VCEK_PEM:
		pem[0] = id->vcek_x509;
		break;
	default:
		return -EINVAL;
	}
	bio = BIO_new(BIO_s_mem());
	if (!bio || !PEM_write_bio_X509(bio, pem[0]) ||
	    (pem[1] && !PEM_write_bio_X509(bio, pem[1])) ||
	    BIO_get_mem_ptr(bio, &mem) != 1 ||
	    !(*own = OPENSSL_memdup(mem->data, mem->length))) {
		BIO_free(bio);
		return -ENOMEM;
	}
	*len = mem->length;
	*p = *own;
	BIO_free(bio);
	return 0;
}

/* A private key's bytes: P-384 keys as their 48-byte big-endian scalar
 * (as `sevboot model-keys` always kept pdh.key), RSA keys as PKCS#8 PEM.
 * *out is secret: the caller wipes and frees it. */
static int key_bytes(const struct sev_model_identity *id, enum id_file f,
		     uint8_t **out, size_t *len)
{
	EVP_PKEY *ec[] = {[F_CEK_KEY] = id->cek,
			  [F_OCA_KEY] = id->oca,
			  [F_PEK_KEY] = id->pek,
			  [F_PDH_KEY] = id->pdh,
			  [F_VCEK_KEY] = id->vcek_chip};
	BIO *bio;
	BUF_MEM *mem;
	int ret = -ENOMEM;

	if (f >= F_CEK_KEY && f <= F_VCEK_KEY) {
		*len = 48;
		*out = OPENSSL_secure_malloc(48);
		if (!*out)
			return -ENOMEM;
		ret = sev_p384_private(ec[f], *out);
		if (ret) {
			OPENSSL_secure_clear_free(*out, 48);
			*out = NULL;
		}
		return ret;
	}
	bio = BIO_new(BIO_s_secmem());
	if (bio &&
	    PEM_write_bio_PrivateKey(bio, f == F_ARK_KEY ? id->ark : id->ask,
				     NULL, NULL, 0, NULL, NULL) &&
	    BIO_get_mem_ptr(bio, &mem) == 1 &&
	    (*out = OPENSSL_secure_malloc(mem->length))) {
		memcpy(*out, mem->data, mem->length);
		*len = mem->length;
		ret = 0;
	}
	BIO_free(bio); /* a secure-memory BIO wipes its buffer */
	return ret;
}

/* Write len bytes to dir/name (created, mode), synced. */
static int write_one(int dfd, const char *name, const uint8_t *p, size_t len,
		     mode_t mode)
{
	int fd = openat(dfd, name,
			O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
			mode);
	size_t off = 0;

	if (fd < 0)
		return -errno;
	while (off < len) {
		ssize_t n = write(fd, p + off, len - off);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			int e = -errno;

			close(fd);
			return e;
		}
		off += (size_t)n;
	}
	if (fchmod(fd, mode) < 0 || fsync(fd) < 0) {
		int e = -errno;

		close(fd);
		return e;
	}
	return close(fd) < 0 ? -errno : 0;
}

static int write_all(const struct sev_model_identity *id, int dfd,
		     const char *tmp, char *err, size_t errlen)
{
	for (unsigned f = 0; f < F_COUNT; f++) {
		bool key = f <= F_VCEK_KEY;
		const uint8_t *p = NULL;
		uint8_t *own = NULL;
		size_t len = 0;
		int ret;

		if (f == F_OCA_KEY && id->owned)
			continue; /* the owner keeps the imported OCA's key */
		ret = key ? key_bytes(id, f, &own, &len)
			  : file_bytes(id, f, &own, &p, &len);

		if (key)
			p = own;
		if (!ret)
			ret = write_one(dfd, file_names[f], p, len,
					key ? 0600 : 0644);
		if (key && own)
			OPENSSL_secure_clear_free(own, len);
		else
			OPENSSL_free(own);
		if (ret) {
			set_err(err, errlen, "%s/%s: cannot write: %s", tmp,
				file_names[f],
				ret == -ENOMEM ? "out of memory"
					       : strerror(-ret));
			return ret;
		}
	}
	return fsync(dfd) < 0 ? -errno : 0;
}

/* Remove the temporary directory and what is in it. */
static void tmp_remove(int dfd, const char *tmp)
{
	for (unsigned f = 0; f < F_COUNT; f++)
		unlinkat(dfd, file_names[f], 0);
	rmdir(tmp);
}

static int keys_make(struct sev_model_identity *id)
{
	EVP_PKEY **ec[] = {&id->cek, &id->oca, &id->pek, &id->pdh,
			   &id->vcek_chip};

	id->ark = EVP_RSA_gen(MODEL_RSA_BITS);
	id->ask = EVP_RSA_gen(MODEL_RSA_BITS);
	if (!id->ark || !id->ask)
		return -ENOMEM;
	for (size_t k = 0; k < sizeof(ec) / sizeof(ec[0]); k++)
		if (sev_p384_generate(ec[k]))
			return -ENOMEM;
	/* A new chip reports its current TCB: the VCEK is vcek.key's. */
	return vcek_derive(id->vcek_chip, id->reported_tcb, &id->vcek);
}

/* Does dir/name exist? */
static bool has_file(const char *dir, const char *name)
{
	char path[PATH_MAX];

	return (size_t)snprintf(path, sizeof(path), "%s/%s", dir, name) <
		       sizeof(path) &&
	       access(path, F_OK) == 0;
}

static bool dir_empty(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	bool empty = d != NULL;

	while (d && (e = readdir(d)))
		if (strcmp(e->d_name, ".") && strcmp(e->d_name, ".."))
			empty = false;
	if (d)
		closedir(d);
	return empty;
}

/*
 * Is dir usable for a new identity?  0 when it does not exist or is an
 * empty directory (rename() replaces an empty directory); -EEXIST with a
 * sentence otherwise.
 */
static int dir_fresh(const char *dir, char *err, size_t errlen)
{
	struct stat st;

	if (lstat(dir, &st) < 0) {
		int e = errno;

		if (e == ENOENT)
			return 0;
		set_err(err, errlen, "%s: %s", dir, strerror(e));
		return -e;
	}
	if (!S_ISDIR(st.st_mode)) {
		set_err(err, errlen, "%s exists and is not a directory", dir);
		return -EEXIST;
	}
	if (dir_empty(dir))
		return 0; /* rename() replaces an empty directory */
	if (!has_file(dir, "ark.key") && has_file(dir, "pdh.key"))
		set_err(err, errlen,
			"%s holds only a PDH key (pdh.key, pdh.cert: the "
			"layout of an older sevboot, still usable with "
			"--sev-model-keys); an identity needs a new or empty "
			"directory, whose PDH the PEK signs",
			dir);
	else
		set_err(err, errlen,
			"%s is not empty; sevboot makes an identity only in a "
			"new or empty directory and never replaces one",
			dir);
	return -EEXIST;
}

int sev_model_identity_create(const char *dir_in, char *err, size_t errlen)
{
	struct sev_model_identity *id = OPENSSL_zalloc(sizeof(*id));
	char tmp[PATH_MAX], dir[PATH_MAX];
	size_t n = strlen(dir_in);
	int dfd = -1, ret;

	set_err(err, errlen, "%s", "");
	if (!id) {
		set_err(err, errlen, "out of memory");
		return -ENOMEM;
	}
	/* "keys/" names keys: the temporary goes next to it, not in it. */
	while (n > 1 && dir_in[n - 1] == '/')
		n--;
	if (!n || n >= sizeof(dir) ||
	    (size_t)snprintf(dir, sizeof(dir), "%.*s", (int)n, dir_in) >=
		    sizeof(dir) ||
	    (size_t)snprintf(tmp, sizeof(tmp), "%s.tmp-XXXXXX", dir) >=
		    sizeof(tmp)) {
		set_err(err, errlen, "%s: the path is too long", dir);
		ret = -ENAMETOOLONG;
		goto out;
	}
	ret = dir_fresh(dir, err, errlen);
	if (ret)
		goto out;
	/* Everything goes to a fresh directory (0700) next to dir, which is
	 * renamed to dir once whole: the identity appears all at once or
	 * not at all. */
	if (!mkdtemp(tmp)) {
		ret = -errno;
		set_err(err, errlen,
			"%s: cannot create the directory (nor one next to it): "
			"%s",
			dir, strerror(errno));
		goto out;
	}
	dfd = open(tmp, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0) {
		ret = -errno;
		set_err(err, errlen, "%s: %s", tmp, strerror(errno));
		rmdir(tmp);
		goto out;
	}
	id->reported_tcb = SEV_MODEL_TCB;
	ret = keys_make(id);
	if (!ret)
		ret = sev_certs_make(id);
	if (!ret)
		ret = snp_certs_make(id);
	if (ret)
		set_err(err, errlen,
			"OpenSSL cannot make the identity's keys "
			"and certificates");
	else
		ret = write_all(id, dfd, tmp, err, errlen);
	if (!ret && rename(tmp, dir) < 0) {
		ret = -errno;
		set_err(err, errlen, "%s: %s", dir, strerror(errno));
	}
	if (ret)
		tmp_remove(dfd, tmp);
	close(dfd);
out:
	sev_model_identity_free(id);
	return ret;
}

/* ------------------------------------------------------------- loading */

struct loader {
	const char *dir;
	char *err;
	size_t errlen;
};

static int load_file(struct loader *l, enum id_file f, size_t max,
		     struct blob *b)
{
	char path[PATH_MAX], why[200] = "";
	bool key = f <= F_VCEK_KEY;
	int ret;

	if ((size_t)snprintf(path, sizeof(path), "%s/%s", l->dir,
			     file_names[f]) >= sizeof(path)) {
		set_err(l->err, l->errlen, "%s: the path is too long", l->dir);
		return -ENAMETOOLONG;
	}
	ret = key ? file_read_private(path, max, b, why, sizeof(why))
		  : file_read(path, max, b, why, sizeof(why));
	if (ret)
		set_err(l->err, l->errlen, "%s: %s", path,
			why[0] ? why : strerror(-ret));
	return ret;
}

static void blob_wipe_free(struct blob *b)
{
	if (b->data && b->len)
		OPENSSL_cleanse(b->data, b->len);
	blob_free(b);
}

static int load_ec_key(struct loader *l, enum id_file f, EVP_PKEY **out)
{
	struct blob b = {0};
	int ret = load_file(l, f, 4096, &b);

	if (ret)
		return ret;
	ret = b.len == 48 ? sev_p384_from_private(b.data, out) : -EINVAL;
	blob_wipe_free(&b);
	if (ret)
		set_err(l->err, l->errlen,
			"%s/%s: expected a 48-byte P-384 private scalar "
			"(1 <= d < n)",
			l->dir, file_names[f]);
	return ret ? -EINVAL : 0;
}

static int load_rsa_key(struct loader *l, enum id_file f, EVP_PKEY **out)
{
	struct blob b = {0};
	BIO *bio;
	int ret = load_file(l, f, 16384, &b);

	if (ret)
		return ret;
	bio = BIO_new_mem_buf(b.data, (int)b.len);
	*out = bio ? PEM_read_bio_PrivateKey(bio, NULL, NULL, NULL) : NULL;
	BIO_free(bio);
	blob_wipe_free(&b);
	ERR_clear_error();
	if (!*out || !EVP_PKEY_is_a(*out, "RSA") ||
	    EVP_PKEY_get_bits(*out) != MODEL_RSA_BITS) {
		set_err(l->err, l->errlen,
			"%s/%s: expected a %d-bit RSA private key in PEM",
			l->dir, file_names[f], MODEL_RSA_BITS);
		return -EINVAL;
	}
	return 0;
}

/* A fixed-size certificate file into out. */
static int load_fixed(struct loader *l, enum id_file f, uint8_t *out,
		      size_t len)
{
	struct blob b = {0};
	int ret = load_file(l, f, 65536, &b);

	if (ret)
		return ret;
	if (b.len != len) {
		set_err(l->err, l->errlen, "%s/%s: %zu bytes; expected %zu",
			l->dir, file_names[f], b.len, len);
		ret = -EINVAL;
	} else {
		memcpy(out, b.data, len);
	}
	blob_free(&b);
	return ret;
}

static int load_x509(struct loader *l, enum id_file f, X509 **out)
{
	struct blob b = {0};
	const unsigned char *q;
	BIO *bio;
	int ret = load_file(l, f, 65536, &b);

	if (ret)
		return ret;
	q = b.data;
	if (f == F_VCEK_DER) {
		*out = d2i_X509(NULL, &q, (long)b.len);
		if (*out && q != b.data + b.len) {
			X509_free(*out);
			*out = NULL;
		}
	} else {
		bio = BIO_new_mem_buf(b.data, (int)b.len);
		*out = bio ? PEM_read_bio_X509(bio, NULL, NULL, NULL) : NULL;
		BIO_free(bio);
	}
	blob_free(&b);
	ERR_clear_error();
	if (!*out) {
		set_err(l->err, l->errlen, "%s/%s: not an X.509 certificate",
			l->dir, file_names[f]);
		return -EINVAL;
	}
	return 0;
}

/* platform.state (see PLATFORM_STATE_LEN); absent: the defaults. */
static int load_platform(struct loader *l, struct sev_model_identity *id)
{
	uint8_t b[PLATFORM_STATE_LEN];
	uint32_t owner;
	int ret;

	id->reported_tcb = SEV_MODEL_TCB;
	if (!has_file(l->dir, file_names[F_PLATFORM]))
		return 0;
	ret = load_fixed(l, F_PLATFORM, b, sizeof(b));
	if (ret)
		return ret;
	id->reported_tcb = get_le64(b, 0);
	id->snp_flags = get_le32(b, 8);
	owner = get_le32(b, 12);
	if ((id->snp_flags &
	     ~(SEV_MODEL_CFG_MASK_CHIP_ID | SEV_MODEL_CFG_MASK_CHIP_KEY)) ||
	    (owner & ~PLATFORM_OWNED)) {
		set_err(l->err, l->errlen,
			"%s/%s: unknown flag bits (flags %#x, owner %#x)",
			l->dir, file_names[F_PLATFORM], id->snp_flags, owner);
		return -EINVAL;
	}
	id->owned = owner & PLATFORM_OWNED;
	return 0;
}

/* The OCA: its key pair (self-owned), or an imported OCA's public key,
 * from its certificate (owned: the owner keeps the private key). */
static int load_oca(struct loader *l, struct sev_model_identity *id)
{
	if (!id->owned)
		return load_ec_key(l, F_OCA_KEY, &id->oca);
	if (has_file(l->dir, file_names[F_OCA_KEY])) {
		set_err(l->err, l->errlen,
			"%s/%s: platform.state says an OCA was imported, whose "
			"private key the owner keeps, yet the file is there",
			l->dir, file_names[F_OCA_KEY]);
		return -EINVAL;
	}
	return load_fixed(l, F_OCA_CERT, id->oca_cert, SEV_CERT_LEN)
		       ?: sev_cert_public_key(id->oca_cert, SEV_USAGE_OCA,
					      &id->oca, l->err, l->errlen);
}

static int load_all(struct loader *l, struct sev_model_identity *id)
{
	int ret = load_platform(l, id);

	ret = ret ?: load_rsa_key(l, F_ARK_KEY, &id->ark);
	ret = ret ?: load_rsa_key(l, F_ASK_KEY, &id->ask);
	ret = ret ?: load_ec_key(l, F_CEK_KEY, &id->cek);
	ret = ret ?: load_oca(l, id);
	ret = ret ?: load_ec_key(l, F_PEK_KEY, &id->pek);
	ret = ret ?: load_ec_key(l, F_PDH_KEY, &id->pdh);
	ret = ret ?: load_ec_key(l, F_VCEK_KEY, &id->vcek_chip);
	if (!ret &&
	    vcek_derive(id->vcek_chip, id->reported_tcb, &id->vcek)) {
		set_err(l->err, l->errlen,
			"%s/%s: cannot derive the VCEK of REPORTED_TCB %#llx",
			l->dir, file_names[F_VCEK_KEY],
			(unsigned long long)id->reported_tcb);
		ret = -ENOMEM;
	}
	ret = ret
		      ?: load_fixed(l, F_ARK_CERT, id->ark_cert,
				    SEV_MODEL_AMD_CERT_LEN);
	ret = ret
		      ?: load_fixed(l, F_ASK_CERT, id->ask_cert,
				    SEV_MODEL_AMD_CERT_LEN);
	ret = ret ?: load_fixed(l, F_CEK_CERT, id->cek_cert, SEV_CERT_LEN);
	ret = ret ?: load_fixed(l, F_OCA_CERT, id->oca_cert, SEV_CERT_LEN);
	ret = ret ?: load_fixed(l, F_PEK_CERT, id->pek_cert, SEV_CERT_LEN);
	ret = ret ?: load_fixed(l, F_PDH_CERT, id->pdh_cert, SEV_CERT_LEN);
	ret = ret ?: load_x509(l, F_SNP_ARK, &id->snp_ark);
	ret = ret ?: load_x509(l, F_SNP_ASK, &id->snp_ask);
	ret = ret ?: load_x509(l, F_VCEK_DER, &id->vcek_x509);
	return ret;
}

/* The hwID extension of the VCEK (a DER OCTET STRING of 64 bytes). */
static int vcek_chip_id(X509 *vcek, uint8_t chip_id[64])
{
	ASN1_OBJECT *obj = OBJ_txt2obj(OID_AMD "4", 1);
	int i = obj ? X509_get_ext_by_OBJ(vcek, obj, -1) : -1;
	X509_EXTENSION *x = i >= 0 ? X509_get_ext(vcek, i) : NULL;
	ASN1_OCTET_STRING *v = x ? X509_EXTENSION_get_data(x) : NULL;
	const unsigned char *q = v ? ASN1_STRING_get0_data(v) : NULL;
	ASN1_OCTET_STRING *o =
		q ? d2i_ASN1_OCTET_STRING(NULL, &q, ASN1_STRING_length(v))
		  : NULL;
	int ret = -EINVAL;

	if (o && ASN1_STRING_length(o) == 64) {
		memcpy(chip_id, ASN1_STRING_get0_data(o), 64);
		ret = 0;
	}
	ASN1_OCTET_STRING_free(o);
	ASN1_OBJECT_free(obj);
	ERR_clear_error();
	return ret;
}

/*
 * Which signature slot of cert (SEV API 55766 Appendix C.1: two slots of
 * usage, algorithm, signature) signer made, as AMD-ASPFW sev_cert.c
 * sev_cert_validate_sig() looks for it: a slot with an algorithm but no
 * usage (or the reverse) is malformed, BAD_SIGNATURE; the slot whose usage
 * and algorithm are the signer's is checked (BAD_SIGNATURE when it does
 * not verify); no such slot is INVALID_CERTIFICATE.  0 when it verifies.
 */
static uint32_t slot_verify(const uint8_t cert[SEV_CERT_LEN], EVP_PKEY *signer,
			    uint32_t usage, uint32_t algo)
{
	static const size_t slot[] = {CERT_SIG1_USAGE, CERT_SIG2_USAGE};

	for (unsigned k = 0; k < 2; k++) {
		uint32_t u = get_le32(cert, slot[k]);
		uint32_t a = get_le32(cert, slot[k] + 4);

		if ((a == 0) != (u == SEV_USAGE_INVALID))
			return SEV_RET_BAD_SIGNATURE;
		if (u != usage || a != algo)
			continue;
		return sev_ecdsa_verify(signer,
					algo == SEV_ALGO_ECDSA_SHA384
						? EVP_sha384()
						: EVP_sha256(),
					cert, CERT_BODY_LEN, cert + slot[k] + 8)
			       ? SEV_RET_BAD_SIGNATURE
			       : SEV_RET_SUCCESS;
	}
	return SEV_RET_INVALID_CERTIFICATE;
}

/* Does a SEV certificate hold k and carry a valid ECDSA signature by
 * signer in slot (offset of its usage)? */
static bool sev_cert_holds(const uint8_t *cert, EVP_PKEY *k)
{
	uint8_t pub[SEV_ECC_PUBKEY_LEN];

	return !sev_ecc_pubkey_put(k, pub) &&
	       !memcmp(pub, cert + CERT_PUBKEY, sizeof(pub));
}

static bool sev_cert_ok(const uint8_t *cert, EVP_PKEY *k, EVP_PKEY *signer,
			size_t slot)
{
	return sev_cert_holds(cert, k) &&
	       !sev_ecdsa_verify(signer, EVP_sha256(), cert, CERT_BODY_LEN,
				 cert + slot + 8);
}

/* Every certificate holds its key and is signed by its issuer: a file
 * that was changed or swapped is refused by name. */
static int check_all(struct loader *l, struct sev_model_identity *id)
{
	const size_t amd_body = AMD_HDR + 2 * MODEL_RSA_BYTES;
	enum id_file bad = F_COUNT;

	if (!amd_cert_holds(id->ark_cert, id->ark) ||
	    sev_rsa_pss_verify(id->ark, EVP_sha256(), id->ark_cert, amd_body,
			       id->ark_cert + amd_body, MODEL_RSA_BYTES))
		bad = F_ARK_CERT;
	else if (!amd_cert_holds(id->ask_cert, id->ask) ||
		 memcmp(id->ask_cert + AMD_OFF_CERT_ID,
			id->ark_cert + AMD_OFF_KEY_ID, 16) ||
		 sev_rsa_pss_verify(id->ark, EVP_sha256(), id->ask_cert,
				    amd_body, id->ask_cert + amd_body,
				    MODEL_RSA_BYTES))
		bad = F_ASK_CERT;
	else if (!sev_cert_holds(id->cek_cert, id->cek) ||
		 sev_rsa_pss_verify(id->ask, EVP_sha256(), id->cek_cert,
				    CERT_BODY_LEN, id->cek_cert + CERT_SIG1,
				    MODEL_RSA_BYTES))
		bad = F_CEK_CERT;
	else if (!sev_cert_holds(id->oca_cert, id->oca) ||
		 slot_verify(id->oca_cert, id->oca, SEV_USAGE_OCA,
			     get_le32(id->oca_cert, CERT_PUBKEY - 4)))
		bad = F_OCA_CERT;
	else if (!sev_cert_holds(id->pek_cert, id->pek) ||
		 slot_verify(id->pek_cert, id->oca, SEV_USAGE_OCA,
			     get_le32(id->oca_cert, CERT_PUBKEY - 4)) ||
		 slot_verify(id->pek_cert, id->cek, SEV_USAGE_CEK,
			     get_le32(id->cek_cert, CERT_PUBKEY - 4)))
		bad = F_PEK_CERT;
	else if (!sev_cert_ok(id->pdh_cert, id->pdh, id->pek, CERT_SIG1_USAGE))
		bad = F_PDH_CERT;
	else if (EVP_PKEY_eq(X509_get0_pubkey(id->snp_ark), id->ark) != 1 ||
		 X509_verify(id->snp_ark, id->ark) != 1)
		bad = F_SNP_ARK;
	else if (EVP_PKEY_eq(X509_get0_pubkey(id->snp_ask), id->ask) != 1 ||
		 X509_verify(id->snp_ask, id->ark) != 1)
		bad = F_SNP_ASK;
	else if ((EVP_PKEY_eq(X509_get0_pubkey(id->vcek_x509), id->vcek) != 1 &&
		  EVP_PKEY_eq(X509_get0_pubkey(id->vcek_x509),
			      id->vcek_chip) != 1) ||
		 X509_verify(id->vcek_x509, id->ask) != 1 ||
		 vcek_chip_id(id->vcek_x509, id->chip_id))
		bad = F_VCEK_DER;
	ERR_clear_error();
	if (bad == F_COUNT)
		return 0;
	set_err(l->err, l->errlen,
		"%s/%s does not belong to this identity: it does not hold "
		"its key, or its signature does not verify (was it changed?)",
		l->dir, file_names[bad]);
	return -EBADMSG;
}

int sev_model_identity_load(const char *dir, struct sev_model_identity **out,
			    char *err, size_t errlen)
{
	struct sev_model_identity *id;
	struct loader l = {.dir = dir, .err = err, .errlen = errlen};
	int ret;

	*out = NULL;
	set_err(err, errlen, "%s", "");
	if (!has_file(dir, "ark.key")) {
		if (has_file(dir, "pdh.key")) {
			set_err(err, errlen,
				"%s holds only a PDH key (the layout of an "
				"older sevboot): no certificate chain, so no "
				"attestation report; `sevboot model-keys "
				"NEWDIR` makes a whole identity",
				dir);
			return -ENODATA;
		}
		set_err(err, errlen,
			"%s is not a model identity (no ark.key; make one with "
			"`sevboot model-keys %s`)",
			dir, dir);
		return -ENOENT;
	}
	id = OPENSSL_zalloc(sizeof(*id));
	if (!id) {
		set_err(err, errlen, "out of memory");
		return -ENOMEM;
	}
	ret = load_all(&l, id);
	if (!ret)
		ret = check_all(&l, id);
	if (!ret && x509_der(id)) {
		set_err(err, errlen, "out of memory");
		ret = -ENOMEM;
	}
	/* An older sevboot kept the current TCB's VCEK after SNP_CONFIG
	 * lowered REPORTED_TCB: the certificate for the reported TCB is
	 * made now (and written by the next sev_model_identity_store). */
	if (!ret &&
	    EVP_PKEY_eq(X509_get0_pubkey(id->vcek_x509), id->vcek) != 1 &&
	    vcek_remake(id, id->reported_tcb)) {
		set_err(err, errlen, "out of memory");
		ret = -ENOMEM;
	}
	if (ret) {
		sev_model_identity_free(id);
		return ret;
	}
	*out = id;
	return 0;
}

/* ------------------------------------------- the platform's commands */

/*
 * PDH_GEN, PEK_GEN and FACTORY_RESET, as the firmware does them (SEV API
 * 55766 PDH_GEN, PEK_GEN, FACTORY_RESET; AMD-ASPFW sev_plat.c
 * sev_pek_generate(), sev_pdh_generate()): PDH_GEN a new PDH signed by the
 * PEK; PEK_GEN a new PEK (signed by the OCA and the CEK) and a new PDH;
 * FACTORY_RESET also a new self-signed OCA (the platform is self-owned
 * again).  The CEK, the AMD keys, the VCEK and the chip id stay: they
 * belong to the chip, not to its owner.  Everything is made first and
 * swapped in only when whole, so a failure leaves id as it was.
 */
int sev_model_identity_regen(struct sev_model_identity *id,
			     enum sev_model_regen what)
{
	EVP_PKEY *oca = NULL, *pek = NULL, *pdh = NULL;
	uint8_t oca_cert[SEV_CERT_LEN], pek_cert[SEV_CERT_LEN];
	uint8_t pdh_cert[SEV_CERT_LEN];
	int ret = 0;

	/* An imported OCA's key is the owner's: PEK_GEN then makes a new
	 * self-signed OCA too, and the platform is self-owned again, as
	 * AMD-ASPFW sev_mcmd_pek_gen() does (sev_oca_generate()). */
	if (what == SEV_MODEL_REGEN_RESET ||
	    (what == SEV_MODEL_REGEN_PEK && id->owned))
		ret = sev_p384_generate(&oca)
			      ?: sev_cert_build(oca, SEV_USAGE_OCA,
						SEV_ALGO_ECDSA_SHA256,
						SEV_MODEL_API_MAJOR,
						SEV_MODEL_API_MINOR, oca,
						SEV_USAGE_OCA, oca_cert);
	if (!ret && what != SEV_MODEL_REGEN_PDH)
		ret = sev_p384_generate(&pek)
			      ?: sev_cert_build(pek, SEV_USAGE_PEK,
						SEV_ALGO_ECDSA_SHA256,
						SEV_MODEL_API_MAJOR,
						SEV_MODEL_API_MINOR,
						oca ? oca : id->oca,
						SEV_USAGE_OCA, pek_cert)
			      ?: sev_cert_sign_slot2(pek_cert, id->cek,
						     SEV_USAGE_CEK);
	if (!ret)
		ret = sev_p384_generate(&pdh)
			      ?: sev_cert_build(pdh, SEV_USAGE_PDH,
						SEV_ALGO_ECDH_SHA256,
						SEV_MODEL_API_MAJOR,
						SEV_MODEL_API_MINOR,
						pek ? pek : id->pek,
						SEV_USAGE_PEK, pdh_cert);
	if (ret) {
		EVP_PKEY_free(oca);
		EVP_PKEY_free(pek);
		EVP_PKEY_free(pdh);
		return -ENOMEM;
	}
	if (oca) {
		EVP_PKEY_free(id->oca);
		id->oca = oca;
		memcpy(id->oca_cert, oca_cert, SEV_CERT_LEN);
		id->owned = false;
	}
	if (pek) {
		EVP_PKEY_free(id->pek);
		id->pek = pek;
		memcpy(id->pek_cert, pek_cert, SEV_CERT_LEN);
	}
	EVP_PKEY_free(id->pdh);
	id->pdh = pdh;
	memcpy(id->pdh_cert, pdh_cert, SEV_CERT_LEN);
	return 0;
}

/*
 * PEK_CSR (SEV API 55766 PEK_CSR): the PEK's certificate with both
 * signature slots empty (usage 0x1000, the firmware's "invalid", and
 * algorithm 0), for an OCA to sign.
 */
void sev_model_identity_pek_csr(const struct sev_model_identity *id,
				uint8_t csr[SEV_CERT_LEN])
{
	memcpy(csr, id->pek_cert, SEV_CERT_LEN);
	memset(csr + CERT_SIG1_USAGE, 0, SEV_CERT_LEN - CERT_SIG1_USAGE);
	put_le32(csr, CERT_SIG1_USAGE, SEV_USAGE_INVALID);
	put_le32(csr, CERT_SIG2_USAGE, SEV_USAGE_INVALID);
}

/*
 * PEK_CERT_IMPORT (SEV API 55766; AMD-ASPFW sev_mcmd.c
 * sev_mcmd_pek_cert_import()), past the state and length checks: the OCA
 * is signed by itself, the PEK by the OCA, the PEK's body is the
 * platform's PEK's; the CEK's signature moves into the imported PEK's
 * other slot, the OCA replaces the platform's, the platform is owned, and
 * a new PDH is signed by the PEK.  0 with *status the firmware's.
 */
int sev_model_identity_pek_import(struct sev_model_identity *id,
				  const uint8_t pek[SEV_CERT_LEN],
				  const uint8_t oca[SEV_CERT_LEN],
				  uint32_t *status)
{
	uint8_t new_pek[SEV_CERT_LEN], old_pek[SEV_CERT_LEN];
	uint8_t old_oca[SEV_CERT_LEN];
	size_t cek_slot, empty, sig = CERT_SIG2_USAGE - CERT_SIG1_USAGE;
	EVP_PKEY *k = NULL;
	uint32_t algo;

	*status = SEV_RET_ALREADY_OWNED;
	if (id->owned)
		return 0;
	*status = SEV_RET_INVALID_CERTIFICATE;
	if (sev_cert_public_key(oca, SEV_USAGE_OCA, &k, NULL, 0))
		return 0;
	algo = get_le32(oca, CERT_PUBKEY - 4);
	*status = slot_verify(oca, k, SEV_USAGE_OCA, algo);
	if (*status == SEV_RET_SUCCESS)
		*status = slot_verify(pek, k, SEV_USAGE_OCA, algo);
	if (*status == SEV_RET_SUCCESS &&
	    memcmp(pek, id->pek_cert, CERT_BODY_LEN))
		*status = SEV_RET_INVALID_CERTIFICATE;
	/* The CEK's signature (slot 2 in the model's PEK) into the imported
	 * PEK's empty slot (AMD-ASPFW sev_cert_set_sig()). */
	cek_slot = get_le32(id->pek_cert, CERT_SIG1_USAGE) == SEV_USAGE_CEK
			   ? CERT_SIG1_USAGE
			   : CERT_SIG2_USAGE;
	empty = get_le32(pek, CERT_SIG1_USAGE) == SEV_USAGE_INVALID
			? CERT_SIG1_USAGE
			: CERT_SIG2_USAGE;
	if (*status == SEV_RET_SUCCESS &&
	    get_le32(pek, empty) != SEV_USAGE_INVALID)
		*status = SEV_RET_INVALID_CERTIFICATE;
	if (*status != SEV_RET_SUCCESS) {
		EVP_PKEY_free(k);
		return 0;
	}
	memcpy(new_pek, pek, SEV_CERT_LEN);
	memcpy(new_pek + empty, id->pek_cert + cek_slot, sig);
	memcpy(old_pek, id->pek_cert, SEV_CERT_LEN);
	memcpy(old_oca, id->oca_cert, SEV_CERT_LEN);
	memcpy(id->pek_cert, new_pek, SEV_CERT_LEN);
	memcpy(id->oca_cert, oca, SEV_CERT_LEN);
	if (sev_model_identity_regen(id, SEV_MODEL_REGEN_PDH)) {
		memcpy(id->pek_cert, old_pek, SEV_CERT_LEN);
		memcpy(id->oca_cert, old_oca, SEV_CERT_LEN);
		EVP_PKEY_free(k);
		return -ENOMEM;
	}
	EVP_PKEY_free(id->oca); /* wipes the self-signed OCA's key */
	id->oca = k;
	id->owned = true;
	return 0;
}

bool sev_model_identity_owned(const struct sev_model_identity *id)
{
	return id->owned;
}

void sev_model_identity_snp_config(const struct sev_model_identity *id,
				   uint64_t *reported_tcb, uint32_t *flags)
{
	*reported_tcb = id->reported_tcb;
	*flags = id->snp_flags;
}

int sev_model_identity_set_snp_config(struct sev_model_identity *id,
				      uint64_t reported_tcb, uint32_t flags)
{
	if (reported_tcb != id->reported_tcb) {
		int ret = vcek_remake(id, reported_tcb);

		if (ret)
			return ret;
	}
	id->reported_tcb = reported_tcb;
	id->snp_flags = flags;
	return 0;
}

/* Does dir hold only the identity's files?  -ENOTEMPTY names another. */
static int only_identity_files(const char *dir, char *err, size_t errlen)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	int ret = 0;

	if (!d) {
		ret = -errno;
		set_err(err, errlen, "%s: %s", dir, strerror(errno));
		return ret;
	}
	while (!ret && (e = readdir(d))) {
		bool known =
			!strcmp(e->d_name, ".") || !strcmp(e->d_name, "..");

		for (unsigned f = 0; !known && f < F_COUNT; f++)
			known = !strcmp(e->d_name, file_names[f]);
		if (!known) {
			set_err(err, errlen,
				"%s holds %s, which is not the identity's: "
				"sevboot rewrites the directory as a whole and "
				"keeps nothing else in it",
				dir, e->d_name);
			ret = -ENOTEMPTY;
		}
	}
	closedir(d);
	return ret;
}

/*
 * Write id over the identity in dir at once: every file into a new
 * directory next to dir, which then changes places with dir
 * (renameat2 RENAME_EXCHANGE, Linux 3.15), and the old one is removed.
 * A reader sees the old identity or the new one, never a mix.
 */
int sev_model_identity_store(const struct sev_model_identity *id,
			     const char *dir_in, char *err, size_t errlen)
{
	char dir[PATH_MAX], tmp[PATH_MAX + 16];
	int dfd, ret;

	if (!realpath(dir_in, dir)) {
		ret = -errno;
		set_err(err, errlen, "%s: %s", dir_in, strerror(errno));
		return ret;
	}
	ret = only_identity_files(dir, err, errlen);
	if (ret)
		return ret;
	snprintf(tmp, sizeof(tmp), "%s.tmp-XXXXXX", dir);
	if (!mkdtemp(tmp)) {
		ret = -errno;
		set_err(err, errlen,
			"%s: cannot create a directory next to "
			"it: %s",
			dir, strerror(errno));
		return ret;
	}
	dfd = open(tmp, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0) {
		ret = -errno;
		set_err(err, errlen, "%s: %s", tmp, strerror(errno));
		rmdir(tmp);
		return ret;
	}
	ret = write_all(id, dfd, tmp, err, errlen);
	if (!ret && renameat2(AT_FDCWD, tmp, AT_FDCWD, dir, RENAME_EXCHANGE)) {
		ret = -errno;
		set_err(err, errlen, "%s: cannot replace it: %s", dir,
			strerror(errno));
	}
	close(dfd);
	/* tmp now holds the old identity (or, on failure, the new one). */
	dfd = open(tmp, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd >= 0) {
		tmp_remove(dfd, tmp);
		close(dfd);
	}
	return ret;
}
