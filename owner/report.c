// SPDX-License-Identifier: MIT
/*
 * owner/report.c: attestation reports, read and checked.
 *
 *   - The SNP ATTESTATION_REPORT (SNP ABI 56860; AMD-ASPFW
 *     sev_rmp.h snp_attestation_report_t, 0x4a0 bytes), signed by the
 *     VCEK or VLEK: ECDSA P-384 with SHA-384 over [0, 0x2a0), R and S
 *     little-endian at 0x2a0 and 0x2e8.
 *   - The SEV ATTESTATION command's report (SEV API 55766; AMD-ASPFW
 *     sev_mcmd_attestation_report_t, 0xd0 bytes), signed by the PEK:
 *     ECDSA P-384 with SHA-256 over [0, 0x34).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <openssl/evp.h>
#include <openssl/x509.h>

#include "owner/owner.h"
#include "util/util.h"

#define SIG_ALGO_ECDSA_P384_SHA384 1

/* SEV report (55766 ATTESTATION command). */
#define A_MNONCE	0x00
#define A_LAUNCH_DIGEST 0x10
#define A_POLICY	0x30
#define A_SIG_USAGE	0x34
#define A_SIG_ALGO	0x38
#define A_SIGNED	0x34
#define A_SIG		0x40

/* ---------------------------------------------------------------- read */

int trust_report_read(const uint8_t *p, size_t len, uint8_t *raw, size_t cap,
		      size_t *rawlen, char *err, size_t errlen)
{
	size_t digits = 0, n;

	set_err(err, errlen, "%s", "");
	if (len == SNP_REPORT_LEN || len == SEV_ATT_REPORT_LEN) {
		if (len > cap)
			return -EINVAL;
		memcpy(raw, p, len);
		*rawlen = len;
		return 0;
	}
	/* Hex text, as virtee/sev tests/certs_data/report_milan.hex keeps
	 * it: digits and white space only. */
	for (size_t k = 0; k < len; k++) {
		if (hex_nibble((char)p[k]) >= 0)
			digits++;
		else if (p[k] != ' ' && p[k] != '\n' && p[k] != '\r' &&
			 p[k] != '\t') {
			set_err(err, errlen,
				"%zu bytes; a report is %u bytes (SNP) or "
				"%u (SEV), raw or as hex text",
				len, SNP_REPORT_LEN, SEV_ATT_REPORT_LEN);
			return -EINVAL;
		}
	}
	n = digits / 2;
	if (digits % 2 || (n != SNP_REPORT_LEN && n != SEV_ATT_REPORT_LEN) ||
	    n > cap) {
		set_err(err, errlen,
			"hex text of %zu digits; a report is %u bytes (SNP) or "
			"%u (SEV)",
			digits, SNP_REPORT_LEN, SEV_ATT_REPORT_LEN);
		return -EINVAL;
	}
	digits = 0;
	for (size_t k = 0; k < len; k++) {
		int v = hex_nibble((char)p[k]);

		if (v < 0)
			continue;
		if (digits % 2)
			raw[digits / 2] |= (uint8_t)v;
		else
			raw[digits / 2] = (uint8_t)(v << 4);
		digits++;
	}
	*rawlen = n;
	return 0;
}

/* --------------------------------------------------------------- parse */

int snp_report_parse(const uint8_t *raw, struct snp_report *r, char *err,
		     size_t errlen)
{
	set_err(err, errlen, "%s", "");
	memset(r, 0, sizeof(*r));
	r->version = get_le32(raw, SNP_RPT_VERSION);
	/* 2 (ASPFW 1.55.25), 3 and 4 (CPUID fields), 5 (mitigation
	 * vectors); go-sev-guest abi.go ReportToProto knows the same. */
	if (r->version < 2 || r->version > 5) {
		set_err(err, errlen,
			"report version %u; sevboot knows versions 2 to 5",
			r->version);
		return -EINVAL;
	}
	r->guest_svn = get_le32(raw, SNP_RPT_GUEST_SVN);
	r->policy = get_le64(raw, SNP_RPT_POLICY);
	memcpy(r->family_id, raw + SNP_RPT_FAMILY_ID, 16);
	memcpy(r->image_id, raw + SNP_RPT_IMAGE_ID, 16);
	r->vmpl = get_le32(raw, SNP_RPT_VMPL);
	r->sig_algo = get_le32(raw, SNP_RPT_SIG_ALGO);
	r->current_tcb = get_le64(raw, SNP_RPT_CURRENT_TCB);
	r->platform_info = get_le64(raw, SNP_RPT_PLATFORM_INFO);
	r->flags = get_le32(raw, SNP_RPT_FLAGS);
	memcpy(r->report_data, raw + SNP_RPT_REPORT_DATA, 64);
	memcpy(r->measurement, raw + SNP_RPT_MEASUREMENT, 48);
	memcpy(r->host_data, raw + SNP_RPT_HOST_DATA, 32);
	memcpy(r->id_key_digest, raw + SNP_RPT_ID_KEY_DIGEST, 48);
	memcpy(r->author_key_digest, raw + SNP_RPT_AUTHOR_KEY_DIGEST, 48);
	memcpy(r->report_id, raw + SNP_RPT_REPORT_ID, 32);
	memcpy(r->report_id_ma, raw + SNP_RPT_REPORT_ID_MA, 32);
	r->reported_tcb = get_le64(raw, SNP_RPT_REPORTED_TCB);
	if (r->version >= 3) {
		r->cpuid_fam = raw[SNP_RPT_CPUID_FAM];
		r->cpuid_mod = raw[SNP_RPT_CPUID_MOD];
		r->cpuid_step = raw[SNP_RPT_CPUID_STEP];
	}
	memcpy(r->chip_id, raw + SNP_RPT_CHIP_ID, 64);
	r->committed_tcb = get_le64(raw, SNP_RPT_COMMITTED_TCB);
	r->current_build = raw[SNP_RPT_CURRENT_BUILD];
	r->current_minor = raw[SNP_RPT_CURRENT_BUILD + 1];
	r->current_major = raw[SNP_RPT_CURRENT_BUILD + 2];
	r->committed_build = raw[SNP_RPT_COMMITTED_BUILD];
	r->committed_minor = raw[SNP_RPT_COMMITTED_BUILD + 1];
	r->committed_major = raw[SNP_RPT_COMMITTED_BUILD + 2];
	r->launch_tcb = get_le64(raw, SNP_RPT_LAUNCH_TCB);
	if (r->version >= 5) {
		r->launch_mit_vector = get_le64(raw, SNP_RPT_LAUNCH_MIT);
		r->current_mit_vector = get_le64(raw, SNP_RPT_CURRENT_MIT);
	}
	memcpy(r->sig_r, raw + SNP_RPT_SIG, 72);
	memcpy(r->sig_s, raw + SNP_RPT_SIG + 72, 72);
	return 0;
}

static bool all_zero(const uint8_t *p, size_t n)
{
	while (n--)
		if (*p++)
			return false;
	return true;
}

int snp_report_product(const struct snp_report *r)
{
	/* CPUID(1) family and model (v3+): family 19h models 00h-0Fh Milan,
	 * 10h-1Fh and A0h-AFh Genoa; family 1Ah Turin (go-sev-guest
	 * abi.go; AMD's family 19h/1Ah revision guides). */
	if (r->version >= 3 && r->cpuid_fam == 0x19)
		return r->cpuid_mod < 0x10 ? AMD_MILAN
		       : r->cpuid_mod < 0x20 || (r->cpuid_mod >= 0xa0 &&
						 r->cpuid_mod < 0xb0)
			       ? AMD_GENOA
			       : AMD_PRODUCT_UNKNOWN;
	if (r->version >= 3 && r->cpuid_fam == 0x1a)
		return AMD_TURIN;
	/* Turin's chip id is 8 bytes, the rest zero (virtee/sev
	 * chip_id_is_turin_like). */
	if (!all_zero(r->chip_id, 8) && all_zero(r->chip_id + 8, 56))
		return AMD_TURIN;
	return AMD_PRODUCT_UNKNOWN;
}

void snp_tcb_split(uint64_t tcb, int product, struct snp_tcb *t)
{
	memset(t, 0, sizeof(*t));
	/* Linux include/uapi/linux/psp-sev.h: struct
	 * sev_snp_tcb_version_genoa_milan and _turin. */
	if (product == AMD_TURIN) {
		t->fmc = (uint8_t)tcb;
		t->bl = (uint8_t)(tcb >> 8);
		t->tee = (uint8_t)(tcb >> 16);
		t->snp = (uint8_t)(tcb >> 24);
	} else {
		t->bl = (uint8_t)tcb;
		t->tee = (uint8_t)(tcb >> 8);
		t->snp = (uint8_t)(tcb >> 48);
	}
	t->ucode = (uint8_t)(tcb >> 56);
}

/* -------------------------------------------------------------- checks */

static void check_bytes(struct trust_result *r, const char *what,
			const uint8_t *want, const uint8_t *got, size_t n)
{
	char w[2 * 64 + 1], g[2 * 64 + 1];

	hex_encode(got, n, g);
	if (!memcmp(want, got, n)) {
		trust_add(r, true, what, "%s", g);
		return;
	}
	hex_encode(want, n, w);
	trust_add(r, false, what, "expected %s, found %s", w, g);
}

static void check_u64(struct trust_result *r, const char *what, uint64_t want,
		      uint64_t got)
{
	if (want == got)
		trust_add(r, true, what, "0x%llx", (unsigned long long)got);
	else
		trust_add(r, false, what, "expected 0x%llx, found 0x%llx",
			  (unsigned long long)want, (unsigned long long)got);
}

static void tcb_text(const struct snp_tcb *t, int product, char *out,
		     size_t len)
{
	if (product == AMD_TURIN)
		snprintf(out, len, "fmc %u bl %u tee %u snp %u ucode %u",
			 t->fmc, t->bl, t->tee, t->snp, t->ucode);
	else
		snprintf(out, len, "bl %u tee %u snp %u ucode %u", t->bl,
			 t->tee, t->snp, t->ucode);
}

/* reported_tcb against the VEK's TCB extensions (KDS spec 57230, VCEK
 * extensions: .3.1 blSPL, .3.2 teeSPL, .3.3 snpSPL, .3.8 ucodeSPL, .3.9
 * fmcSPL). */
static void check_tcb_ext(struct trust_result *r, const struct snp_report *rep,
			  int product, const struct snp_vek_ext *e,
			  const char *vek)
{
	struct snp_tcb t, want;
	char got_s[64], want_s[64];
	bool ok = e->has_spl[1] && e->has_spl[2] && e->has_spl[3] &&
		  e->has_spl[8] && (product != AMD_TURIN || e->has_spl[9]);

	snp_tcb_split(rep->reported_tcb, product, &t);
	tcb_text(&t, product, got_s, sizeof(got_s));
	if (!ok) {
		trust_add(r, false, "reported_tcb",
			  "expected the %s's TCB extensions, found %s "
			  "without them",
			  vek, vek);
		return;
	}
	want = (struct snp_tcb){.fmc = (uint8_t)e->spl[9],
				.bl = (uint8_t)e->spl[1],
				.tee = (uint8_t)e->spl[2],
				.snp = (uint8_t)e->spl[3],
				.ucode = (uint8_t)e->spl[8]};
	tcb_text(&want, product, want_s, sizeof(want_s));
	if (strcmp(want_s, got_s))
		trust_add(r, false, "reported_tcb",
			  "expected the %s's %s, found %s (0x%016llx)", vek,
			  want_s, got_s, (unsigned long long)rep->reported_tcb);
	else
		trust_add(r, true, "reported_tcb", "%s, as the %s's", got_s,
			  vek);
}

static void check_min_tcb(struct trust_result *r, const struct snp_report *rep,
			  int product, const struct snp_tcb *min)
{
	struct snp_tcb t;
	char got_s[64], want_s[64];

	snp_tcb_split(rep->reported_tcb, product, &t);
	tcb_text(&t, product, got_s, sizeof(got_s));
	tcb_text(min, product, want_s, sizeof(want_s));
	trust_add(r,
		  t.bl >= min->bl && t.tee >= min->tee && t.snp >= min->snp &&
			  t.ucode >= min->ucode &&
			  (product != AMD_TURIN || t.fmc >= min->fmc),
		  "minimum TCB", "expected at least %s, found %s", want_s,
		  got_s);
}

/* The VEK's hwID is the report's chip id (Turin: its first 8 bytes). */
static void check_chip_id(struct trust_result *r, const struct snp_report *rep,
			  const struct snp_vek_ext *e)
{
	uint8_t want[64] = {0};

	if (!e->hwid_len) {
		trust_add(r, false, "chip_id",
			  "expected the VCEK's hwID extension, found none");
		return;
	}
	memcpy(want, e->hwid, e->hwid_len);
	check_bytes(r, "chip_id", want, rep->chip_id, 64);
}

static void check_expect(struct trust_result *r, const struct snp_report *rep,
			 int product, const struct snp_expect *x)
{
	if (x->have_measurement)
		check_bytes(r, "measurement", x->measurement, rep->measurement,
			    48);
	if (x->have_report_data)
		check_bytes(r, "report_data", x->report_data, rep->report_data,
			    64);
	if (x->have_host_data)
		check_bytes(r, "host_data", x->host_data, rep->host_data, 32);
	if (x->have_policy)
		check_u64(r, "policy", x->policy, rep->policy);
	if (x->have_vmpl)
		check_u64(r, "vmpl", x->vmpl, rep->vmpl);
	if (x->have_family_id)
		check_bytes(r, "family_id", x->family_id, rep->family_id, 16);
	if (x->have_image_id)
		check_bytes(r, "image_id", x->image_id, rep->image_id, 16);
	if (x->have_id_key_digest)
		check_bytes(r, "id_key_digest", x->id_key_digest,
			    rep->id_key_digest, 48);
	if (x->have_author_key_digest)
		check_bytes(r, "author_key_digest", x->author_key_digest,
			    rep->author_key_digest, 48);
	if (x->have_min_tcb)
		check_min_tcb(r, rep, product, &x->min_tcb);
}

/* The report's signature by the VEK (and the key is the kind it says). */
static void check_snp_signature(struct trust_result *r, const uint8_t *raw,
				const struct snp_report *rep,
				const struct snp_chain *ch)
{
	const char *vek = ch->vek_is_vlek ? "VLEK" : "VCEK";
	unsigned key = SNP_SIGNING_KEY(rep->flags);
	EVP_PKEY *k = X509_get0_pubkey(ch->vek);

	if (key != (ch->vek_is_vlek ? 1u : 0u)) {
		trust_add(r, false, "signing key",
			  "expected %s (the certificate given), found "
			  "signing key %u in the report's flags (0 VCEK, "
			  "1 VLEK, 7 none)",
			  vek, key);
		return;
	}
	if (rep->sig_algo != SIG_ALGO_ECDSA_P384_SHA384) {
		trust_add(r, false, "signature_algo",
			  "expected 1 (ECDSA P-384 with SHA-384), found %u",
			  rep->sig_algo);
		return;
	}
	if (!k || !EVP_PKEY_is_a(k, "EC") || EVP_PKEY_get_bits(k) != 384) {
		trust_add(r, false, "signature",
			  "expected the %s to hold a P-384 key, found "
			  "another",
			  vek);
		return;
	}
	if (!sev_ecdsa_verify(k, EVP_sha384(), raw, SNP_REPORT_SIGNED,
			      raw + SNP_RPT_SIG))
		trust_add(r, true, "signature", "ECDSA P-384 SHA-384 by the %s",
			  vek);
	else
		trust_add(r, false, "signature",
			  "expected a valid ECDSA P-384 SHA-384 signature by "
			  "the %s, found one that does not verify",
			  vek);
}

int snp_report_verify(const uint8_t raw[SNP_REPORT_LEN],
		      const struct snp_chain *ch, X509 *root, int64_t at,
		      const struct snp_expect *x, struct trust_result *r,
		      char *err, size_t errlen)
{
	struct snp_report rep;
	struct snp_vek_ext e;
	int ret, product;

	set_err(err, errlen, "%s", "");
	ret = snp_report_parse(raw, &rep, err, errlen);
	if (ret)
		return ret;
	if (!ch->vek) {
		set_err(err, errlen,
			"no VCEK or VLEK certificate to check "
			"the report with");
		return -EINVAL;
	}
	ret = snp_vek_extensions(ch->vek, &e, err, errlen);
	if (ret)
		return ret;
	snp_chain_verify(ch, root, at, r);
	check_snp_signature(r, raw, &rep, ch);
	product = snp_report_product(&rep);
	if (product != AMD_PRODUCT_UNKNOWN && product != ch->product)
		trust_add(r, false, "product",
			  "expected %s (the %s's issuer), found a %s report "
			  "(CPUID family 0x%x model 0x%x)",
			  amd_product_name(ch->product),
			  ch->vek_is_vlek ? "VLEK" : "VCEK",
			  amd_product_name(product), rep.cpuid_fam,
			  rep.cpuid_mod);
	if (!ch->vek_is_vlek)
		check_chip_id(r, &rep, &e);
	check_tcb_ext(r, &rep, ch->product, &e,
		      ch->vek_is_vlek ? "VLEK" : "VCEK");
	check_expect(r, &rep, ch->product, x);
	return 0;
}

/* ------------------------------------------------------ the SEV report */

int sev_att_report_parse(const uint8_t raw[SEV_ATT_REPORT_LEN],
			 struct sev_att_report *rep, char *err, size_t errlen)
{
	set_err(err, errlen, "%s", "");
	memset(rep, 0, sizeof(*rep));
	memcpy(rep->mnonce, raw + A_MNONCE, 16);
	memcpy(rep->launch_digest, raw + A_LAUNCH_DIGEST, 32);
	rep->policy = get_le32(raw, A_POLICY);
	rep->sig_usage = get_le32(raw, A_SIG_USAGE);
	rep->sig_algo = get_le32(raw, A_SIG_ALGO);
	memcpy(rep->sig, raw + A_SIG, SEV_ECDSA_SIG_LEN);
	if (rep->sig_usage != SEV_USAGE_PEK) {
		set_err(err, errlen,
			"SEV report signed by usage 0x%x; the firmware signs "
			"with the PEK (0x1002)",
			rep->sig_usage);
		return -EINVAL;
	}
	if (rep->sig_algo != SEV_ALGO_ECDSA_SHA256 &&
	    rep->sig_algo != SEV_ALGO_ECDSA_SHA384) {
		set_err(err, errlen,
			"SEV report signature algorithm 0x%x; ECDSA is 0x2 "
			"(SHA-256) or 0x102 (SHA-384)",
			rep->sig_algo);
		return -EINVAL;
	}
	return 0;
}

int sev_att_report_verify(const uint8_t raw[SEV_ATT_REPORT_LEN],
			  const struct sev_chain *ch,
			  const struct amd_cert *root,
			  const struct snp_expect *x, struct trust_result *r,
			  char *err, size_t errlen)
{
	struct sev_att_report rep;
	EVP_PKEY *pek = NULL;
	char why[200] = "";
	int ret, product;

	set_err(err, errlen, "%s", "");
	ret = sev_att_report_parse(raw, &rep, err, errlen);
	if (ret)
		return ret;
	if (!ch->pek) {
		set_err(err, errlen,
			"no PEK certificate to check the SEV "
			"report with");
		return -EINVAL;
	}
	ret = sev_chain_verify(ch, root, r, &product);
	if (ret)
		return ret;
	ret = sev_cert_public_key(ch->pek, SEV_USAGE_PEK, &pek, why,
				  sizeof(why));
	if (ret) {
		trust_add(r, false, "signature",
			  "expected a usable PEK, "
			  "found: %s",
			  why);
	} else {
		ret = sev_ecdsa_verify(
			pek, rep.sig_algo & 0x100 ? EVP_sha384() : EVP_sha256(),
			raw, A_SIGNED, raw + A_SIG);
		trust_add(r, !ret, "signature", "%s",
			  ret ? "expected a valid ECDSA P-384 signature by "
				"the PEK, found one that does not verify"
			      : "ECDSA P-384 by the PEK");
	}
	EVP_PKEY_free(pek);
	if (x->have_measurement)
		check_bytes(r, "launch digest", x->measurement,
			    rep.launch_digest, 32);
	if (x->have_policy)
		check_u64(r, "policy", x->policy, rep.policy);
	if (x->have_mnonce)
		check_bytes(r, "mnonce", x->mnonce, rep.mnonce, 16);
	return 0;
}
