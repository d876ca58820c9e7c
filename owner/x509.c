// SPDX-License-Identifier: MIT
/*
 * owner/x509.c: SEV-SNP's X.509 certificates (AMD's KDS interface spec
 * 57230): ARK -> ASK -> VCEK and ARK -> ASVK ->
 * VLEK, each CA signature RSASSA-PSS with SHA-384 (MGF1 SHA-384, salt
 * 48), the VCEK/VLEK an ECDSA P-384 key whose extensions name the chip
 * (hwID) and the TCB it was issued for.  OpenSSL parses and verifies.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <openssl/asn1.h>
#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/objects.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "owner/owner.h"
#include "util/util.h"

/* AMD's arc (KDS spec 57230, "VCEK certificate extensions"). */
#define OID_AMD		  "1.3.6.1.4.1.3704.1."
#define OID_PRODUCT_NAME  OID_AMD "2"
#define OID_SPL		  OID_AMD "3."
#define OID_HWID	  OID_AMD "4"
#define SNP_CHAIN_MAX_PEM 8 /* certificates in one PEM file */

void snp_chain_free(struct snp_chain *ch)
{
	X509_free(ch->ark);
	X509_free(ch->ask);
	X509_free(ch->asvk);
	X509_free(ch->vek);
	memset(ch, 0, sizeof(*ch));
	ch->product = AMD_PRODUCT_UNKNOWN;
}

bool snp_cert_looks_x509(const uint8_t *p, size_t len)
{
	size_t k = 0;

	while (k < len &&
	       (p[k] == ' ' || p[k] == '\n' || p[k] == '\r' || p[k] == '\t'))
		k++;
	if (len - k >= 10 && !memcmp(p + k, "-----BEGIN", 10))
		return true;
	return len >= 2 && p[0] == 0x30 && p[1] >= 0x80;
}

/* The CN of a name, or "". */
static void common_name(const X509_NAME *n, char *out, size_t len)
{
	out[0] = '\0';
	if (X509_NAME_get_text_by_NID((X509_NAME *)n, NID_commonName, out,
				      (int)len) < 0)
		out[0] = '\0';
}

/* The CN of a name for an error line: quoted, a control or non-ASCII byte
 * (a certificate's name is anyone's bytes) as \xNN, cut after 40. */
static void shown_name(const X509_NAME *n, char *out, size_t len)
{
	char cn[128];
	int got = X509_NAME_get_text_by_NID((X509_NAME *)n, NID_commonName,
					    cn, (int)sizeof(cn));

	json_quote(cn, got > 0 ? (size_t)got : 0, out, len);
}

/* The kind and product of c by its subject (and, for a VCEK/VLEK, its
 * issuer): CN=ARK-Milan, SEV-Milan, SEV-VLEK-Milan, SEV-VCEK, SEV-VLEK. */
static enum snp_cert_kind cert_kind(X509 *c, int *product)
{
	char cn[64], issuer[64];
	const char *gen = NULL;
	enum snp_cert_kind k = SNP_CERT_OTHER;

	common_name(X509_get_subject_name(c), cn, sizeof(cn));
	common_name(X509_get_issuer_name(c), issuer, sizeof(issuer));
	if (!strcmp(cn, "SEV-VCEK") || !strcmp(cn, "SEV-VLEK")) {
		k = cn[5] == 'C' ? SNP_CERT_VCEK : SNP_CERT_VLEK;
		if (!strncmp(issuer, "SEV-VLEK-", 9))
			gen = issuer + 9;
		else if (!strncmp(issuer, "SEV-", 4))
			gen = issuer + 4;
	} else if (!strncmp(cn, "ARK-", 4)) {
		k = SNP_CERT_ARK;
		gen = cn + 4;
	} else if (!strncmp(cn, "SEV-VLEK-", 9)) {
		k = SNP_CERT_ASVK;
		gen = cn + 9;
	} else if (!strncmp(cn, "SEV-", 4)) {
		k = SNP_CERT_ASK;
		gen = cn + 4;
	}
	*product =
		gen ? amd_product_parse(gen, strlen(gen)) : AMD_PRODUCT_UNKNOWN;
	return k;
}

static const char *kind_name(enum snp_cert_kind k)
{
	static const char *const names[] = {"ARK",  "ASK",  "ASVK",
					    "VCEK", "VLEK", "other"};
	return names[k];
}

/* c into ch (taking it), by its kind.  -EINVAL with err. */
static int chain_take(struct snp_chain *ch, X509 *c, char *err, size_t errlen)
{
	int product;
	enum snp_cert_kind k = cert_kind(c, &product);
	X509 **slot = k == SNP_CERT_ARK	    ? &ch->ark
		      : k == SNP_CERT_ASK   ? &ch->ask
		      : k == SNP_CERT_ASVK  ? &ch->asvk
		      : k == SNP_CERT_OTHER ? NULL
					    : &ch->vek;
	char cn[200];

	if (!slot) {
		shown_name(X509_get_subject_name(c), cn, sizeof(cn));
		set_err(err, errlen,
			"a certificate for %s: not one of AMD's (ARK-*, "
			"SEV-*, SEV-VLEK-*, SEV-VCEK, SEV-VLEK)",
			cn);
		return -EINVAL;
	}
	if (*slot) {
		set_err(err, errlen, "a second %s certificate", kind_name(k));
		return -EINVAL;
	}
	if (product == AMD_PRODUCT_UNKNOWN || product < AMD_MILAN) {
		shown_name(X509_get_issuer_name(c), cn, sizeof(cn));
		set_err(err, errlen,
			"a %s certificate of an unknown product (issuer "
			"%s; Milan, Genoa and Turin are known)",
			kind_name(k), cn);
		return -EINVAL;
	}
	if (ch->product != AMD_PRODUCT_UNKNOWN && ch->product != product) {
		set_err(err, errlen, "certificates of %s and of %s",
			amd_product_name(ch->product),
			amd_product_name(product));
		return -EINVAL;
	}
	ch->product = product;
	if (k == SNP_CERT_VLEK)
		ch->vek_is_vlek = true;
	*slot = c;
	return 0;
}

static int add_pem(struct snp_chain *ch, const uint8_t *p, size_t len,
		   char *err, size_t errlen)
{
	BIO *bio = BIO_new_mem_buf(p, (int)len);
	unsigned n = 0;
	int ret = 0;
	X509 *c;

	if (!bio)
		return -ENOMEM;
	while (n < SNP_CHAIN_MAX_PEM &&
	       (c = PEM_read_bio_X509(bio, NULL, NULL, NULL))) {
		n++;
		ret = chain_take(ch, c, err, errlen);
		if (ret) {
			X509_free(c);
			break;
		}
	}
	ERR_clear_error();
	BIO_free(bio);
	if (!ret && !n) {
		set_err(err, errlen, "no PEM certificate in it");
		ret = -EINVAL;
	}
	return ret;
}

int snp_chain_add(struct snp_chain *ch, const uint8_t *p, size_t len, char *err,
		  size_t errlen)
{
	const unsigned char *q = p;
	X509 *c;
	int ret;

	set_err(err, errlen, "%s", "");
	if (len > INT32_MAX || !snp_cert_looks_x509(p, len)) {
		set_err(err, errlen, "not an X.509 certificate (PEM or DER)");
		return -EINVAL;
	}
	if (p[0] != 0x30)
		return add_pem(ch, p, len, err, errlen);
	c = d2i_X509(NULL, &q, (long)len);
	ERR_clear_error();
	if (!c || q != p + len) {
		X509_free(c);
		set_err(err, errlen, "not one DER X.509 certificate (%s)",
			c ? "bytes follow it" : "it does not parse");
		return -EINVAL;
	}
	ret = chain_take(ch, c, err, errlen);
	if (ret)
		X509_free(c);
	return ret;
}

/* ---------------------------------------------------------- extensions */

/* An SPL: a DER INTEGER of 0..255. */
static int ext_spl(const uint8_t *d, size_t n, uint32_t *out)
{
	const unsigned char *q = d;
	ASN1_INTEGER *i = d2i_ASN1_INTEGER(NULL, &q, (long)n);
	uint64_t v = 0;
	int ok = i && q == d + n && ASN1_INTEGER_get_uint64(&v, i) && v < 256;

	ASN1_INTEGER_free(i);
	*out = (uint32_t)v;
	return ok ? 0 : -EINVAL;
}

/* The hwID: the raw 64 (Turin: 8) bytes, or a DER OCTET STRING of them
 * (both are in use; trustee deps/verifier check_vcek_parsing tests). */
static int ext_hwid(const uint8_t *d, size_t n, struct snp_vek_ext *e)
{
	if (n == 64 || n == 8) {
		memcpy(e->hwid, d, n);
		e->hwid_len = n;
		return 0;
	}
	if (n >= 2 && d[0] == 0x04) {
		const unsigned char *q = d;
		ASN1_OCTET_STRING *o = d2i_ASN1_OCTET_STRING(NULL, &q, (long)n);
		int len = o ? ASN1_STRING_length(o) : 0;
		int ret = -EINVAL;

		if (o && q == d + n && (len == 64 || len == 8)) {
			memcpy(e->hwid, ASN1_STRING_get0_data(o), (size_t)len);
			e->hwid_len = (size_t)len;
			ret = 0;
		}
		ASN1_OCTET_STRING_free(o);
		return ret;
	}
	return -EINVAL;
}

static void ext_product_name(const uint8_t *d, size_t n, struct snp_vek_ext *e)
{
	const unsigned char *q = d;
	ASN1_IA5STRING *s = d2i_ASN1_IA5STRING(NULL, &q, (long)n);
	int len = s ? ASN1_STRING_length(s) : 0;

	if (s && len > 0 && (size_t)len < sizeof(e->product_name)) {
		memcpy(e->product_name, ASN1_STRING_get0_data(s), (size_t)len);
		e->product_name[len] = '\0';
		for (int k = 0; k < len; k++)
			if (e->product_name[k] < 0x20 ||
			    e->product_name[k] > 0x7e)
				e->product_name[k] = '?';
	}
	ASN1_IA5STRING_free(s);
}

int snp_vek_extensions(X509 *vek, struct snp_vek_ext *e, char *err,
		       size_t errlen)
{
	int n = X509_get_ext_count(vek);
	char oid[80];

	set_err(err, errlen, "%s", "");
	memset(e, 0, sizeof(*e));
	for (int k = 0; k < n; k++) {
		X509_EXTENSION *x = X509_get_ext(vek, k);
		ASN1_OCTET_STRING *v = X509_EXTENSION_get_data(x);
		const uint8_t *d = ASN1_STRING_get0_data(v);
		size_t len = (size_t)ASN1_STRING_length(v);
		unsigned idx;

		if (OBJ_obj2txt(oid, sizeof(oid), X509_EXTENSION_get_object(x),
				1) <= 0)
			continue;
		if (!strcmp(oid, OID_PRODUCT_NAME)) {
			ext_product_name(d, len, e);
		} else if (!strcmp(oid, OID_HWID)) {
			if (ext_hwid(d, len, e)) {
				set_err(err, errlen,
					"the hwID extension (%s) is neither "
					"64 nor 8 bytes, raw or as an OCTET "
					"STRING",
					oid);
				return -EINVAL;
			}
		} else if (!strncmp(oid, OID_SPL, strlen(OID_SPL)) &&
			   sscanf(oid + strlen(OID_SPL), "%u", &idx) == 1 &&
			   idx >= 1 && idx <= SNP_SPL_FMC) {
			if (ext_spl(d, len, &e->spl[idx])) {
				set_err(err, errlen,
					"the TCB extension %s is not an "
					"INTEGER from 0 to 255",
					oid);
				return -EINVAL;
			}
			e->has_spl[idx] = true;
		}
	}
	ERR_clear_error();
	return 0;
}

/* ---------------------------------------------------------- the chain */

/* A built-in X.509 root of product (owner/roots/), or NULL. */
static X509 *builtin_x509(int product, enum amd_root which)
{
	size_t len;
	const uint8_t *p = amd_root(product, which, &len);
	BIO *bio = p ? BIO_new_mem_buf(p, (int)len) : NULL;
	X509 *c = bio ? PEM_read_bio_X509(bio, NULL, NULL, NULL) : NULL;

	BIO_free(bio);
	ERR_clear_error();
	return c;
}

static void format_time(const ASN1_TIME *t, char *out, size_t len)
{
	struct tm tm;

	if (!ASN1_TIME_to_tm(t, &tm) ||
	    !strftime(out, len, "%Y-%m-%d %H:%M:%S UTC", &tm))
		snprintf(out, len, "(unreadable)");
}

/* c's notBefore <= at <= notAfter. */
static void check_validity(struct trust_result *r, const char *name, X509 *c,
			   int64_t at)
{
	const ASN1_TIME *nb = X509_get0_notBefore(c),
			*na = X509_get0_notAfter(c);
	char what[64], from[40], to[40], when[40];
	time_t t = (time_t)at;
	struct tm tm;
	int cmp_nb = ASN1_TIME_cmp_time_t(nb, t);
	int cmp_na = ASN1_TIME_cmp_time_t(na, t);
	/* Both ends are inside the validity (RFC 5280 §4.1.2.5). */
	bool before = cmp_nb > 0, after = cmp_na == -1;

	snprintf(what, sizeof(what), "%s validity", name);
	format_time(nb, from, sizeof(from));
	format_time(na, to, sizeof(to));
	if (!gmtime_r(&t, &tm) ||
	    !strftime(when, sizeof(when), "%Y-%m-%d %H:%M:%S UTC", &tm))
		snprintf(when, sizeof(when), "%lld", (long long)at);
	ERR_clear_error();
	if (cmp_nb == -2 || cmp_na == -2) {
		trust_add(r, false, what,
			  "expected readable validity dates, found %s to %s",
			  from, to);
		return;
	}
	if (!before && !after) {
		trust_add(r, true, what, "%s to %s", from, to);
		return;
	}
	if (after)
		r->expired = true;
	trust_add(r, false, what, "expected %s within %s to %s, found it %s",
		  when, from, to, after ? "expired" : "not yet valid");
}

/* c signed by signer: names, algorithm (RSASSA-PSS SHA-384, KDS spec
 * 57230), signature. */
static void check_x509_link(struct trust_result *r, const char *what,
			    X509 *signer, X509 *c)
{
	int mdnid = 0, pknid = 0;
	int v;

	if (X509_NAME_cmp(X509_get_issuer_name(c),
			  X509_get_subject_name(signer))) {
		char want[200], got[200];

		shown_name(X509_get_subject_name(signer), want, sizeof(want));
		shown_name(X509_get_issuer_name(c), got, sizeof(got));
		trust_add(r, false, what, "expected issuer %s, found %s", want,
			  got);
		return;
	}
	if (!X509_get_signature_info(c, &mdnid, &pknid, NULL, NULL) ||
	    pknid != EVP_PKEY_RSA_PSS || mdnid != NID_sha384) {
		ERR_clear_error();
		trust_add(r, false, what,
			  "expected an RSASSA-PSS SHA-384 signature, found %s "
			  "with %s",
			  pknid ? OBJ_nid2sn(pknid) : "an unknown algorithm",
			  mdnid ? OBJ_nid2sn(mdnid) : "an unknown hash");
		return;
	}
	v = X509_verify(c, X509_get0_pubkey(signer));
	ERR_clear_error();
	trust_add(r, v == 1, what, "%s",
		  v == 1 ? "RSASSA-PSS SHA-384"
			 : "expected a valid RSASSA-PSS SHA-384 signature, "
			   "found one that does not verify");
}

/* The ARK to check with: root, or the built-in one; ch's ARK must be it. */
static X509 *anchor(const struct snp_chain *ch, X509 *root,
		    struct trust_result *r)
{
	X509 *ark = root ? X509_dup(root)
			 : builtin_x509(ch->product, AMD_ROOT_SNP_ARK);

	if (!ark) {
		trust_add(r, false, "ARK",
			  "expected AMD's ARK of %s (or --ark), found none",
			  amd_product_name(ch->product));
		return NULL;
	}
	if (ch->ark && X509_cmp(ch->ark, ark)) {
		trust_add(r, false, "ARK", "expected %s, found another ARK",
			  root ? "the --ark certificate"
			       : "AMD's built-in ARK");
		X509_free(ark);
		return NULL;
	}
	return ark;
}

/* One CA (ASK or ASVK) under ark; the built-in one when ch has none. */
static X509 *check_ca(const struct snp_chain *ch, X509 *ark, bool asvk,
		      int64_t at, struct trust_result *r)
{
	X509 *ca = asvk ? ch->asvk : ch->ask;
	const char *name = asvk ? "ASVK" : "ASK";
	char what[64];

	ca = ca ? X509_dup(ca)
		: builtin_x509(ch->product,
			       asvk ? AMD_ROOT_SNP_ASVK : AMD_ROOT_SNP_ASK);
	if (!ca) {
		trust_add(r, false, name,
			  "expected the %s's certificate, "
			  "found none",
			  name);
		return NULL;
	}
	snprintf(what, sizeof(what), "%s signed by ARK", name);
	check_x509_link(r, what, ark, ca);
	check_validity(r, name, ca, at);
	return ca;
}

int snp_chain_verify(const struct snp_chain *ch, X509 *root, int64_t at,
		     struct trust_result *r)
{
	X509 *ark, *ask = NULL, *asvk = NULL;
	const char *vek = ch->vek_is_vlek ? "VLEK" : "VCEK";
	char what[64];

	ark = anchor(ch, root, r);
	if (!ark)
		return 0;
	check_x509_link(r, "ARK self-signed", ark, ark);
	check_validity(r, "ARK", ark, at);
	if (ch->ask || (ch->vek && !ch->vek_is_vlek))
		ask = check_ca(ch, ark, false, at, r);
	if (ch->asvk || (ch->vek && ch->vek_is_vlek))
		asvk = check_ca(ch, ark, true, at, r);
	if (ch->vek && (ch->vek_is_vlek ? asvk : ask)) {
		snprintf(what, sizeof(what), "%s signed by %s", vek,
			 ch->vek_is_vlek ? "ASVK" : "ASK");
		check_x509_link(r, what, ch->vek_is_vlek ? asvk : ask, ch->vek);
		check_validity(r, vek, ch->vek, at);
	}
	X509_free(ark);
	X509_free(ask);
	X509_free(asvk);
	return 0;
}
