// SPDX-License-Identifier: MIT
/*
 * owner/cert.c: AMD's SEV certificate formats and the SEV chain, checked
 * the way AMD's firmware checks them (amd/AMD-ASPFW sev_uapp amd_cert.c
 * amd_cert_validate(), sev_cert.c sev_cert_validate_sig()):
 *
 *   ARK (self-signed) -> ASK -> CEK -> PEK <- OCA (self-signed)
 *                                      PEK -> PDH
 *
 * ARK and ASK are in the AMD certificate format (SEV API 55766), RSA
 * keys, RSASSA-PSS signatures; OCA, PEK, PDH and CEK are SEV certificates
 * (55766 App. C), P-384 keys with ECDSA signatures in one of two slots.
 * Every integer is little-endian.  OpenSSL does the cryptography.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>
#include <openssl/rsa.h>

#include "owner/owner.h"
#include "util/util.h"

/* AMD certificate format (SEV API 55766; AMD-ASPFW amd_cert.h). */
#define AMD_VERSION	  0x00
#define AMD_KEY_ID	  0x04
#define AMD_CERTIFYING_ID 0x14
#define AMD_USAGE	  0x24
#define AMD_PUBEXP_BITS	  0x38
#define AMD_MODULUS_BITS  0x3c

/* SEV certificate (55766 App. C; AMD-ASPFW sev_cert.h). */
#define SEV_VERSION	    0x000
#define SEV_USAGE	    0x008
#define SEV_ALGO	    0x00c
#define SEV_BODY_LEN	    0x414
#define SEV_SLOT1	    0x414
#define SEV_SLOT2	    0x61c
#define SLOT_USAGE	    0x0
#define SLOT_ALGO	    0x4
#define SLOT_SIG	    0x8
#define SEV_USAGE_INVALID   0x1000
#define SEV_ALGO_RSA_SHA256 0x001
#define SEV_ALGO_RSA_SHA384 0x101

/* ------------------------------------------------------- AMD CA format */

static bool key_bits_ok(uint32_t bits)
{
	return bits == 2048 || bits == 4096;
}

/* The built-in Naples ARK, when p is its first 576 bytes (virtee/sev
 * src/certs/sev/ca/cert/v1.rs does the same for AMD's first upload). */
static bool naples_bare(const uint8_t *p, size_t avail)
{
	size_t len;
	const uint8_t *ark = amd_root(AMD_NAPLES, AMD_ROOT_SEV_ARK, &len);

	return avail == AMD_CERT_NAPLES_BARE && ark &&
	       len == AMD_CERT_LEN_2048 &&
	       !memcmp(p, ark, AMD_CERT_NAPLES_BARE);
}

int amd_cert_parse(const uint8_t *p, size_t len, size_t *used,
		   struct amd_cert *c, char *err, size_t errlen)
{
	uint32_t version, eb, mb;
	size_t total;

	set_err(err, errlen, "%s", "");
	memset(c, 0, sizeof(*c));
	if (len < AMD_CERT_HDR) {
		set_err(err, errlen,
			"%zu bytes are too few for an AMD CA certificate "
			"(at least 64)",
			len);
		return -EINVAL;
	}
	version = get_le32(p, AMD_VERSION);
	c->usage = get_le32(p, AMD_USAGE);
	eb = get_le32(p, AMD_PUBEXP_BITS);
	mb = get_le32(p, AMD_MODULUS_BITS);
	if (version != 1) {
		set_err(err, errlen,
			"AMD CA certificate version %u; only 1 is known",
			version);
		return -EINVAL;
	}
	if (!key_bits_ok(eb) || !key_bits_ok(mb) || eb != mb) {
		set_err(err, errlen,
			"AMD CA certificate with a %u-bit exponent and a "
			"%u-bit modulus; AMD's are 2048 or 4096 bits, both "
			"the same",
			eb, mb);
		return -EINVAL;
	}
	if (c->usage != AMD_USAGE_ARK && c->usage != AMD_USAGE_ASK) {
		set_err(err, errlen,
			"AMD CA certificate key usage 0x%x; an ARK has 0x0, "
			"an ASK 0x13",
			c->usage);
		return -EINVAL;
	}
	total = AMD_CERT_HDR + (eb + 2 * mb) / 8;
	if (len < total || (!used && len != total)) {
		if ((!used || len == AMD_CERT_NAPLES_BARE) &&
		    naples_bare(p, len)) {
			size_t n;
			/* n is set by amd_root(): call it before n is read
			 * (argument evaluation order is unspecified). */
			const uint8_t *ark =
				amd_root(AMD_NAPLES, AMD_ROOT_SEV_ARK, &n);

			memcpy(c->raw, ark, n);
			c->len = n;
			c->completed = true;
			goto fields;
		}
		set_err(err, errlen,
			"%zu bytes; an AMD CA certificate with %u-bit keys "
			"is %zu",
			len, mb, total);
		return -EINVAL;
	}
	memcpy(c->raw, p, total);
	c->len = total;
fields:
	if (used)
		*used = c->completed ? AMD_CERT_NAPLES_BARE : c->len;
	memcpy(c->key_id, c->raw + AMD_KEY_ID, 16);
	memcpy(c->certifying_id, c->raw + AMD_CERTIFYING_ID, 16);
	c->pubexp_bits = eb;
	c->modulus_bits = mb;
	return 0;
}

int amd_cert_product(const struct amd_cert *c)
{
	const uint8_t *id =
		c->usage == AMD_USAGE_ARK ? c->key_id : c->certifying_id;

	for (int p = 0; p < AMD_NPRODUCTS; p++) {
		size_t len;
		const uint8_t *ark = amd_root(p, AMD_ROOT_SEV_ARK, &len);

		if (ark && len > AMD_KEY_ID + 16 &&
		    !memcmp(ark + AMD_KEY_ID, id, 16))
			return p;
	}
	return AMD_PRODUCT_UNKNOWN;
}

/* The RSA public key of an AMD CA certificate. */
static int amd_cert_key(const struct amd_cert *c, EVP_PKEY **out)
{
	size_t eoff = AMD_CERT_HDR, moff = eoff + c->pubexp_bits / 8;
	BIGNUM *n = BN_lebin2bn(c->raw + moff, (int)c->modulus_bits / 8, NULL);
	BIGNUM *e = BN_lebin2bn(c->raw + eoff, (int)c->pubexp_bits / 8, NULL);
	OSSL_PARAM_BLD *bld = OSSL_PARAM_BLD_new();
	OSSL_PARAM *params = NULL;
	EVP_PKEY_CTX *pctx = NULL;
	int ret = -ENOMEM;

	*out = NULL;
	if (!n || !e || !bld ||
	    !OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_N, n) ||
	    !OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_E, e))
		goto out;
	params = OSSL_PARAM_BLD_to_param(bld);
	pctx = EVP_PKEY_CTX_new_from_name(NULL, "RSA", NULL);
	if (params && pctx && EVP_PKEY_fromdata_init(pctx) > 0 &&
	    EVP_PKEY_fromdata(pctx, out, EVP_PKEY_PUBLIC_KEY, params) > 0)
		ret = 0;
out:
	EVP_PKEY_CTX_free(pctx);
	OSSL_PARAM_free(params);
	OSSL_PARAM_BLD_free(bld);
	BN_free(n);
	BN_free(e);
	return ret;
}

/* The hash of a signature by an AMD key: by its size (SHA-256 for 2048
 * bits, Naples; SHA-384 for 4096), which reproduces every AMD cert. */
static const EVP_MD *amd_md(const struct amd_cert *signer)
{
	return signer->modulus_bits == 2048 ? EVP_sha256() : EVP_sha384();
}

int amd_cert_verify(const struct amd_cert *signer, const struct amd_cert *c,
		    char *why, size_t whylen)
{
	size_t body = AMD_CERT_HDR + (c->pubexp_bits + c->modulus_bits) / 8;
	char want[33], got[33];
	EVP_PKEY *k = NULL;
	int ret;

	if (memcmp(c->certifying_id, signer->key_id, 16)) {
		hex_encode(signer->key_id, 16, want);
		hex_encode(c->certifying_id, 16, got);
		set_err(why, whylen, "expected certifying id %s, found %s",
			want, got);
		return -EBADMSG;
	}
	if (c->modulus_bits != signer->modulus_bits) {
		set_err(why, whylen,
			"expected a %u-bit signature, found %u bits",
			signer->modulus_bits, c->modulus_bits);
		return -EBADMSG;
	}
	ret = amd_cert_key(signer, &k);
	if (!ret)
		ret = sev_rsa_pss_verify(k, amd_md(signer), c->raw, body,
					 c->raw + body, c->modulus_bits / 8);
	EVP_PKEY_free(k);
	ERR_clear_error(); /* as in sev_cert_verify */
	if (!ret)
		set_err(why, whylen, "RSASSA-PSS %s",
			signer->modulus_bits == 2048 ? "SHA-256" : "SHA-384");
	else if (ret == -EBADMSG)
		set_err(why, whylen,
			"expected a valid RSASSA-PSS %s signature, found "
			"one that does not verify",
			signer->modulus_bits == 2048 ? "SHA-256" : "SHA-384");
	else
		set_err(why, whylen, "OpenSSL failed");
	return ret;
}

/* --------------------------------------------------- SEV certificates */

static const char *sev_usage_name(uint32_t usage)
{
	switch (usage) {
	case SEV_USAGE_OCA:
		return "OCA";
	case SEV_USAGE_PEK:
		return "PEK";
	case SEV_USAGE_PDH:
		return "PDH";
	case SEV_USAGE_CEK:
		return "CEK";
	case AMD_USAGE_ASK:
		return "ASK";
	}
	return "unknown";
}

/* A slot's ECDSA signature by the SEV certificate signer. */
static int slot_verify_sev(const uint8_t *cert, const uint8_t *slot,
			   const uint8_t *signer, char *why, size_t whylen)
{
	uint32_t algo = get_le32(slot, SLOT_ALGO);
	EVP_PKEY *k = NULL;
	char e[160] = "";
	int ret;

	ret = sev_cert_public_key(signer, (uint16_t)get_le32(signer, SEV_USAGE),
				  &k, e, sizeof(e));
	if (ret) {
		set_err(why, whylen, "the signer's key is unusable: %s", e);
		return ret == -EINVAL ? -EBADMSG : ret;
	}
	/* The algorithm's hash: 0x00x SHA-256, 0x10x SHA-384 (AMD-ASPFW
	 * sev_cert.h enum sev_cert_algo). */
	ret = sev_ecdsa_verify(k, algo & 0x100 ? EVP_sha384() : EVP_sha256(),
			       cert, SEV_BODY_LEN, slot + SLOT_SIG);
	EVP_PKEY_free(k);
	return ret;
}

static int slot_verify_amd(const uint8_t *cert, const uint8_t *slot,
			   const struct amd_cert *ask)
{
	uint32_t algo = get_le32(slot, SLOT_ALGO);
	EVP_PKEY *k = NULL;
	int ret;

	ret = amd_cert_key(ask, &k);
	if (!ret)
		ret = sev_rsa_pss_verify(k,
					 algo == SEV_ALGO_RSA_SHA384
						 ? EVP_sha384()
						 : EVP_sha256(),
					 cert, SEV_BODY_LEN, slot + SLOT_SIG,
					 ask->modulus_bits / 8);
	EVP_PKEY_free(k);
	return ret;
}

/* Does slot hold a signature by s (usage and algorithm)? */
static bool slot_is_signer(const uint8_t *slot, const struct sev_signer *s)
{
	uint32_t usage = get_le32(slot, SLOT_USAGE);
	uint32_t algo = get_le32(slot, SLOT_ALGO);

	if (s->sev)
		return usage == get_le32(s->sev, SEV_USAGE) &&
		       algo == get_le32(s->sev, SEV_ALGO);
	return usage == AMD_USAGE_ASK &&
	       (algo == SEV_ALGO_RSA_SHA256 || algo == SEV_ALGO_RSA_SHA384);
}

int sev_cert_verify(const uint8_t *cert, const struct sev_signer *s, char *why,
		    size_t whylen)
{
	static const size_t slots[] = {SEV_SLOT1, SEV_SLOT2};
	const char *who =
		s->sev ? sev_usage_name(get_le32(s->sev, SEV_USAGE)) : "ASK";
	char e[200] = "";
	int ret = 1;

	for (unsigned k = 0; k < 2; k++) {
		const uint8_t *slot = cert + slots[k];
		bool no_usage = get_le32(slot, SLOT_USAGE) == SEV_USAGE_INVALID;
		bool no_algo = get_le32(slot, SLOT_ALGO) == 0;

		/* Half a slot is a malformed one (AMD-ASPFW sev_cert.c
		 * sev_cert_validate_sig(): BAD_SIGNATURE). */
		if (no_usage != no_algo) {
			set_err(why, whylen,
				"expected signature slot %u to be used or "
				"empty, found usage 0x%x with algorithm 0x%x",
				k + 1, get_le32(slot, SLOT_USAGE),
				get_le32(slot, SLOT_ALGO));
			return -EBADMSG;
		}
		if (!slot_is_signer(slot, s))
			continue;
		ret = s->sev ? slot_verify_sev(cert, slot, s->sev, e, sizeof(e))
			     : slot_verify_amd(cert, slot, s->amd);
		if (ret == -EBADMSG && !e[0])
			snprintf(e, sizeof(e),
				 "expected a valid signature by the %s in "
				 "slot %u, found one that does not verify",
				 who, k + 1);
		if (!ret) {
			uint32_t algo = get_le32(slot, SLOT_ALGO);

			snprintf(e, sizeof(e), "%s %s, slot %u",
				 s->sev ? "ECDSA P-384" : "RSASSA-PSS",
				 algo & 0x100 ? "SHA-384" : "SHA-256", k + 1);
		}
		if (!ret || ret == -ENOMEM)
			break;
	}
	/* A refused key or signature is said in why; OpenSSL's reason
	 * stays off the caller's thread queue. */
	ERR_clear_error();
	if (ret == 1) {
		set_err(why, whylen,
			"expected a signature by the %s, found no slot that "
			"holds one",
			who);
		return -EBADMSG;
	}
	set_err(why, whylen, "%s", ret == -ENOMEM ? "OpenSSL failed" : e);
	return ret;
}

/* ---------------------------------------------------------- the chain */

static bool looks_sev_cert(const uint8_t *p, size_t avail)
{
	uint32_t usage;

	if (avail < SEV_CERT_LEN || get_le32(p, SEV_VERSION) != 1)
		return false;
	usage = get_le32(p, SEV_USAGE);
	return usage >= SEV_USAGE_OCA && usage <= SEV_USAGE_CEK;
}

static int add_sev_cert(struct sev_chain *ch, const uint8_t *p, char *err,
			size_t errlen)
{
	uint32_t usage = get_le32(p, SEV_USAGE);
	const uint8_t **slot = usage == SEV_USAGE_OCA	? &ch->oca
			       : usage == SEV_USAGE_PEK ? &ch->pek
			       : usage == SEV_USAGE_PDH ? &ch->pdh
							: &ch->cek;

	if (*slot) {
		set_err(err, errlen, "a second %s certificate",
			sev_usage_name(usage));
		return -EINVAL;
	}
	*slot = p;
	return 0;
}

int sev_chain_add(struct sev_chain *ch, struct amd_cert amd[2],
		  const uint8_t *p, size_t len, char *err, size_t errlen)
{
	size_t off = 0, used;
	char e[200];
	int ret;

	set_err(err, errlen, "%s", "");
	if (!len) {
		set_err(err, errlen, "no certificate in it");
		return -EINVAL;
	}
	while (off < len) {
		if (looks_sev_cert(p + off, len - off)) {
			ret = add_sev_cert(ch, p + off, err, errlen);
			if (ret)
				return ret;
			off += SEV_CERT_LEN;
			continue;
		}
		struct amd_cert *c = !ch->ask && !ch->ark ? &amd[0] : &amd[1];

		if ((ch->ask && ch->ark) ||
		    amd_cert_parse(p + off, len - off, &used, c, e,
				   sizeof(e))) {
			if (ch->ask && ch->ark)
				set_err(err, errlen,
					"at byte %zu: more than "
					"an ASK and an ARK",
					off);
			else
				set_err(err, errlen,
					"at byte %zu: neither a SEV "
					"certificate (0x824 bytes, version 1, "
					"usage 0x1001-0x1004) nor an AMD CA "
					"certificate: %s",
					off, e);
			return -EINVAL;
		}
		if (c->usage == AMD_USAGE_ARK ? ch->ark != NULL
					      : ch->ask != NULL) {
			set_err(err, errlen, "a second %s certificate",
				c->usage == AMD_USAGE_ARK ? "ARK" : "ASK");
			return -EINVAL;
		}
		if (c->usage == AMD_USAGE_ARK)
			ch->ark = c;
		else
			ch->ask = c;
		off += used;
	}
	return 0;
}

/* The built-in certificate of a generation, parsed into c. */
static bool builtin_amd(int product, enum amd_root which, struct amd_cert *c)
{
	size_t len;
	const uint8_t *p = amd_root(product, which, &len);

	return p && !amd_cert_parse(p, len, NULL, c, NULL, 0);
}

/* The generation whose built-in ASK signs the CEK (55766 App. C: the CEK
 * carries the ASK's signature, not its id). */
static int cek_product(const uint8_t *cek, struct amd_cert *ask)
{
	for (int p = 0; p < AMD_NPRODUCTS; p++) {
		struct sev_signer s = {.amd = ask};

		if (builtin_amd(p, AMD_ROOT_SEV_ASK, ask) &&
		    !sev_cert_verify(cek, &s, NULL, 0))
			return p;
	}
	return AMD_PRODUCT_UNKNOWN;
}

/* One link: cert (a SEV certificate) signed by s. */
static void check_sev_link(struct trust_result *r, const char *what,
			   const uint8_t *cert, const struct sev_signer *s)
{
	char why[TRUST_TEXT] = "";

	trust_add(r, !sev_cert_verify(cert, s, why, sizeof(why)), what, "%s",
		  why);
}

static void check_amd_link(struct trust_result *r, const char *what,
			   const struct amd_cert *signer,
			   const struct amd_cert *c, uint32_t usage)
{
	char why[TRUST_TEXT] = "";
	bool ok;

	if (c->usage != usage) {
		trust_add(r, false, what, "expected key usage 0x%x, found 0x%x",
			  usage, c->usage);
		return;
	}
	ok = !amd_cert_verify(signer, c, why, sizeof(why));
	trust_add(r, ok, what, "%s", why);
}

/* ARK and ASK: the anchor and the given ones.  ark/ask get what the rest
 * of the chain is checked with (NULL: none). */
static void check_amd_part(const struct sev_chain *ch,
			   const struct amd_cert *root, int product,
			   struct amd_cert *tmp, const struct amd_cert **ark,
			   const struct amd_cert **ask, struct trust_result *r)
{
	char id[33];

	*ark = root;
	if (!root && builtin_amd(product, AMD_ROOT_SEV_ARK, &tmp[0]))
		*ark = &tmp[0];
	if (!*ark && !ch->ark && !ch->ask) {
		trust_add(r, false, "ASK",
			  "expected a CEK signed by one of AMD's ASKs (or "
			  "--ark and the ASK), found none that verifies");
		return;
	}
	if (!*ark) {
		hex_encode(ch->ark ? ch->ark->key_id : ch->ask->certifying_id,
			   16, id);
		trust_add(r, false, "ARK",
			  "expected one of AMD's ARKs (or --ark), found key "
			  "id %s",
			  id);
		return;
	}
	if (ch->ark && (ch->ark->len != (*ark)->len ||
			memcmp(ch->ark->raw, (*ark)->raw, (*ark)->len))) {
		hex_encode(ch->ark->key_id, 16, id);
		trust_add(r, false, "ARK",
			  "expected %s, found another ARK (key id %s)",
			  root ? "the --ark certificate" : "AMD's built-in ARK",
			  id);
		*ark = NULL;
		return;
	}
	check_amd_link(r, "ARK self-signed", *ark, *ark, AMD_USAGE_ARK);
	*ask = ch->ask;
	if (!*ask && builtin_amd(product, AMD_ROOT_SEV_ASK, &tmp[1]))
		*ask = &tmp[1];
	if (*ask)
		check_amd_link(r, "ASK signed by ARK", *ark, *ask,
			       AMD_USAGE_ASK);
	else if (ch->cek)
		trust_add(r, false, "ASK",
			  "expected an ASK to check the CEK with, found none "
			  "(give the ASK's file)");
}

int sev_chain_verify(const struct sev_chain *ch, const struct amd_cert *root,
		     struct trust_result *r, int *product)
{
	const struct amd_cert *ark = NULL, *ask = NULL;
	struct amd_cert *tmp = OPENSSL_zalloc(3 * sizeof(*tmp));
	struct sev_signer s;
	int p = AMD_PRODUCT_UNKNOWN;

	if (!tmp)
		return -ENOMEM;
	if (root)
		p = amd_cert_product(root);
	else if (ch->ark)
		p = amd_cert_product(ch->ark);
	else if (ch->ask)
		p = amd_cert_product(ch->ask);
	else if (ch->cek)
		p = cek_product(ch->cek, &tmp[2]);
	*product = p;
	if (ch->ark || ch->ask || ch->cek || root)
		check_amd_part(ch, root, p, tmp, &ark, &ask, r);
	if (ch->cek && ask) {
		s = (struct sev_signer){.amd = ask};
		check_sev_link(r, "CEK signed by ASK", ch->cek, &s);
	}
	if (ch->oca) {
		s = (struct sev_signer){.sev = ch->oca};
		check_sev_link(r, "OCA self-signed", ch->oca, &s);
	}
	if (ch->pek) {
		if (!ch->oca)
			trust_add(r, false, "PEK signed by OCA",
				  "expected the OCA certificate, found none");
		else
			check_sev_link(r, "PEK signed by OCA", ch->pek, &s);
		if (!ch->cek) {
			trust_add(r, false, "PEK signed by CEK",
				  "expected the CEK certificate, found none");
		} else {
			s = (struct sev_signer){.sev = ch->cek};
			check_sev_link(r, "PEK signed by CEK", ch->pek, &s);
		}
	}
	if (ch->pdh) {
		s = (struct sev_signer){.sev = ch->pek};
		if (!ch->pek)
			trust_add(r, false, "PDH signed by PEK",
				  "expected the PEK certificate, found none");
		else
			check_sev_link(r, "PDH signed by PEK", ch->pdh, &s);
	}
	OPENSSL_clear_free(tmp, 3 * sizeof(*tmp));
	return 0;
}
