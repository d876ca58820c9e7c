// SPDX-License-Identifier: MIT
/*
 * sev/measure.c: fold a launch plan into the digest the AMD Secure
 * Processor will compute, and the LAUNCH_MEASURE value derived from it.
 *
 * The formulas are the firmware's (SEV API 55766 §6.3 and §6.5, SNP ABI
 * 56860 SNP_LAUNCH_UPDATE; AMD-ASPFW launch_update_common(),
 * sev_guest_measure(), snp_mcmd_launch_update()); the plan decides what
 * goes in, so this file has no knowledge of OVMF or QEMU.
 */
#include <errno.h>
#include <string.h>

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/params.h>

#include "sev/sev.h"

#define PAGE_SIZE 4096

/* SNP PAGE_INFO (SNP ABI 56860 SNP_LAUNCH_UPDATE; AMD-ASPFW sev_mcmd.h):
 * the 0x70 bytes hashed per page. */
#define PAGE_INFO_LEN 0x70
#define PI_DIGEST_CUR 0x00
#define PI_CONTENTS   0x30
#define PI_LENGTH     0x60
#define PI_PAGE_TYPE  0x62
#define PI_IMI_PAGE   0x63
#define PI_VMPL_PERMS 0x64 /* rsvd, VMPL1, VMPL2, VMPL3: all 0 under KVM */
#define PI_GPA	      0x68

/* The firmware hashes a VMSA with GUEST_TSC_SCALE and GUEST_TSC_OFFSET
 * treated as zero, so that SecureTSC does not change the digest. */
#define VMSA_TSC_FIELDS	    0x2f0
#define VMSA_TSC_FIELDS_LEN 16

/* LAUNCH_MEASURE's HMAC input: 0x04 (SEV_CHANNEL_CTX_MEASURE), API major,
 * minor, build, policy (le32), LD (32), MNONCE (16). */
#define MEASURE_CTX	0x04
#define MEASURE_MSG_LEN (4 + 4 + 32 + 16)

static int digest(EVP_MD_CTX *ctx, const EVP_MD *md, const void *data,
		  size_t len, uint8_t *out)
{
	if (!EVP_DigestInit_ex(ctx, md, NULL) ||
	    !EVP_DigestUpdate(ctx, data, len) ||
	    !EVP_DigestFinal_ex(ctx, out, NULL))
		return -EIO;
	return 0;
}

int measure_sev_digest(const struct launch_plan *p, uint8_t out[32])
{
	EVP_MD_CTX *ctx;
	int ret = 0;

	if (!p || p->mode == SEV_MODE_SNP)
		return -EINVAL;
	for (unsigned k = 0; k < p->nsteps; k++) {
		const struct launch_step *s = &p->steps[k];

		if ((s->kind != STEP_UPDATE_DATA &&
		     s->kind != STEP_UPDATE_VMSA) ||
		    !s->bytes || !s->len || s->len % 16)
			return -EINVAL;
	}

	ctx = EVP_MD_CTX_new();
	if (!ctx)
		return -ENOMEM;
	/* GCTX.LD is one running SHA-256 over every byte handed to
	 * LAUNCH_UPDATE_DATA/VMSA, in command order; how the bytes are split
	 * into commands does not matter. */
	if (!EVP_DigestInit_ex(ctx, EVP_sha256(), NULL))
		ret = -EIO;
	for (unsigned k = 0; !ret && k < p->nsteps; k++)
		if (!EVP_DigestUpdate(ctx, p->steps[k].bytes, p->steps[k].len))
			ret = -EIO;
	if (!ret && !EVP_DigestFinal_ex(ctx, out, NULL))
		ret = -EIO;
	EVP_MD_CTX_free(ctx);
	return ret;
}

static bool page_type_hashes_contents(uint8_t type)
{
	return type == SNP_PAGE_NORMAL || type == SNP_PAGE_VMSA;
}

static int check_snp_step(const struct launch_step *s)
{
	if (s->kind != STEP_SNP_UPDATE && s->kind != STEP_SNP_VMSA)
		return -EINVAL;
	if (!s->len || s->len % PAGE_SIZE || s->gpa % PAGE_SIZE)
		return -EINVAL;
	if (s->page_type < SNP_PAGE_NORMAL || s->page_type > SNP_PAGE_CPUID)
		return -EINVAL;
	if ((s->kind == STEP_SNP_VMSA) != (s->page_type == SNP_PAGE_VMSA))
		return -EINVAL;
	if (page_type_hashes_contents(s->page_type) && !s->bytes)
		return -EINVAL;
	return 0;
}

/* One PAGE_INFO: LD <- SHA-384(LD || CONTENTS || 0x70 || type || 0... ||
 * gpa). */
static int snp_extend(EVP_MD_CTX *ctx, uint8_t ld[48], const uint8_t *page,
		      uint8_t type, uint64_t gpa)
{
	uint8_t info[PAGE_INFO_LEN] = {0};
	int ret;

	memcpy(info + PI_DIGEST_CUR, ld, 48);
	if (type == SNP_PAGE_VMSA) {
		uint8_t vmsa[PAGE_SIZE];

		memcpy(vmsa, page, sizeof(vmsa));
		memset(vmsa + VMSA_TSC_FIELDS, 0, VMSA_TSC_FIELDS_LEN);
		ret = digest(ctx, EVP_sha384(), vmsa, sizeof(vmsa),
			     info + PI_CONTENTS);
		/* The initial VMSA holds no secret, but it is a guest's
		 * register state: do not leave copies on the stack. */
		OPENSSL_cleanse(vmsa, sizeof(vmsa));
		if (ret)
			return ret;
	} else if (page_type_hashes_contents(type)) {
		ret = digest(ctx, EVP_sha384(), page, PAGE_SIZE,
			     info + PI_CONTENTS);
		if (ret)
			return ret;
	}
	/* ZERO, UNMEASURED, SECRETS, CPUID: CONTENTS stays zero, but the
	 * page is still chained, type and address included. */
	info[PI_LENGTH] = PAGE_INFO_LEN & 0xff;
	info[PI_LENGTH + 1] = PAGE_INFO_LEN >> 8;
	info[PI_PAGE_TYPE] = type;
	info[PI_IMI_PAGE] = 0;
	for (int b = 0; b < 8; b++)
		info[PI_GPA + b] = (uint8_t)(gpa >> (8 * b));
	return digest(ctx, EVP_sha384(), info, sizeof(info), ld);
}

int measure_snp_digest(const struct launch_plan *p, uint8_t out[48])
{
	uint8_t ld[48] = {0};
	EVP_MD_CTX *ctx;
	int ret = 0;

	if (!p || p->mode != SEV_MODE_SNP)
		return -EINVAL;
	for (unsigned k = 0; k < p->nsteps; k++)
		if (check_snp_step(&p->steps[k]))
			return -EINVAL;

	/* A digest given for the firmware's pages continues the chain
	 * (sev-snp-measure's --snp-ovmf-hash). */
	if (p->seeded)
		memcpy(ld, p->seed, sizeof(ld));
	ctx = EVP_MD_CTX_new();
	if (!ctx)
		return -ENOMEM;
	/* Every 4 KiB page is one PAGE_INFO, even inside a 2 MiB run. */
	for (unsigned k = 0; !ret && k < p->nsteps; k++) {
		const struct launch_step *s = &p->steps[k];

		for (size_t off = 0; !ret && off < s->len; off += PAGE_SIZE)
			ret = snp_extend(ctx, ld,
					 s->bytes ? s->bytes + off : NULL,
					 s->page_type, s->gpa + off);
	}
	EVP_MD_CTX_free(ctx);
	if (!ret)
		memcpy(out, ld, sizeof(ld));
	return ret;
}

int measure_launch_hmac(const uint8_t tik[16], uint8_t api_major,
			uint8_t api_minor, uint8_t build, uint32_t policy,
			const uint8_t digest_in[32], const uint8_t mnonce[16],
			uint8_t out[32])
{
	uint8_t msg[MEASURE_MSG_LEN];
	char md_name[] = "SHA256";
	OSSL_PARAM params[] = {
		OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, md_name,
						 0),
		OSSL_PARAM_construct_end(),
	};
	EVP_MAC *mac;
	EVP_MAC_CTX *ctx = NULL;
	size_t outlen = 0;
	int ret = -EIO;

	msg[0] = MEASURE_CTX;
	msg[1] = api_major;
	msg[2] = api_minor;
	msg[3] = build;
	for (int b = 0; b < 4; b++)
		msg[4 + b] = (uint8_t)(policy >> (8 * b));
	memcpy(msg + 8, digest_in, 32);
	memcpy(msg + 40, mnonce, 16);

	mac = EVP_MAC_fetch(NULL, "HMAC", NULL);
	if (!mac)
		return -EIO;
	ctx = EVP_MAC_CTX_new(mac);
	/* EVP_MAC_init copies the key into the context, and
	 * EVP_MAC_CTX_free cleanses that copy. */
	if (ctx && EVP_MAC_init(ctx, tik, 16, params) &&
	    EVP_MAC_update(ctx, msg, sizeof(msg)) &&
	    EVP_MAC_final(ctx, out, &outlen, 32) && outlen == 32)
		ret = 0;
	else if (!ctx)
		ret = -ENOMEM;
	EVP_MAC_CTX_free(ctx);
	EVP_MAC_free(mac);
	return ret;
}
