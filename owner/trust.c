// SPDX-License-Identifier: MIT
/*
 * owner/trust.c: what the certificate and report checks share: the list
 * of checks a verification records, AMD's product names, and AMD's
 * published roots, embedded at build time from owner/roots/ (see its
 * README.md for where each file comes from).
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "owner/owner.h"

/* ------------------------------------------------------------ results */

void trust_result_init(struct trust_result *r)
{
	memset(r, 0, sizeof(*r));
}

void trust_add(struct trust_result *r, bool ok, const char *what,
	       const char *fmt, ...)
{
	struct trust_check *c;
	va_list ap;

	if (!ok)
		r->failed++;
	if (r->n == TRUST_MAX_CHECKS) {
		/* Never lose a failure: the last slot says there were more. */
		if (!ok) {
			c = &r->check[TRUST_MAX_CHECKS - 1];
			c->ok = false;
			snprintf(c->what, sizeof(c->what), "more checks");
			snprintf(c->text, sizeof(c->text),
				 "%u checks failed in all", r->failed);
		}
		return;
	}
	c = &r->check[r->n++];
	c->ok = ok;
	snprintf(c->what, sizeof(c->what), "%s", what);
	c->text[0] = '\0';
	if (fmt) {
		va_start(ap, fmt);
		vsnprintf(c->text, sizeof(c->text), fmt, ap);
		va_end(ap);
	}
}

/* ----------------------------------------------------------- products */

static const char *const product_names[AMD_NPRODUCTS] = {
	"Naples", "Rome", "Milan", "Genoa", "Turin",
};

const char *amd_product_name(int p)
{
	return p >= 0 && p < AMD_NPRODUCTS ? product_names[p] : "unknown";
}

int amd_product_parse(const char *s, size_t len)
{
	for (int p = 0; p < AMD_NPRODUCTS; p++)
		if (strlen(product_names[p]) == len &&
		    !strncasecmp(product_names[p], s, len))
			return p;
	return AMD_PRODUCT_UNKNOWN;
}

/* -------------------------------------------------------------- roots */

/*
 * The files themselves, in .rodata: the assembler includes them (paths
 * from the top of the source tree, where make runs; the Makefile makes
 * this object depend on them).  Each gets a start symbol and its length.
 */
#define EMBED(sym, file)                                                       \
	__asm__(".section .rodata\n"                                           \
		".global " #sym "\n"                                           \
		".hidden " #sym "\n"                                           \
		".balign 16\n" #sym ":\n"                                      \
		".incbin \"" file "\"\n"                                       \
		".global " #sym "_len\n"                                       \
		".hidden " #sym "_len\n"                                       \
		".balign 8\n" #sym "_len:\n"                                   \
		".quad . - " #sym "\n"                                         \
		".previous\n");                                                \
	extern const uint8_t sym[];                                            \
	extern const uint64_t sym##_len

EMBED(naples_sev_ark, "owner/roots/sev/naples/ark.cert");
EMBED(naples_sev_ask, "owner/roots/sev/naples/ask.cert");
EMBED(rome_sev_ark, "owner/roots/sev/rome/ark.cert");
EMBED(rome_sev_ask, "owner/roots/sev/rome/ask.cert");
EMBED(milan_sev_ark, "owner/roots/sev/milan/ark.cert");
EMBED(milan_sev_ask, "owner/roots/sev/milan/ask.cert");
EMBED(genoa_sev_ark, "owner/roots/sev/genoa/ark.cert");
EMBED(genoa_sev_ask, "owner/roots/sev/genoa/ask.cert");
EMBED(turin_sev_ark, "owner/roots/sev/turin/ark.cert");
EMBED(turin_sev_ask, "owner/roots/sev/turin/ask.cert");
EMBED(milan_snp_ark, "owner/roots/snp/milan/ark.pem");
EMBED(milan_snp_ask, "owner/roots/snp/milan/ask.pem");
EMBED(milan_snp_asvk, "owner/roots/snp/milan/asvk.pem");
EMBED(genoa_snp_ark, "owner/roots/snp/genoa/ark.pem");
EMBED(genoa_snp_ask, "owner/roots/snp/genoa/ask.pem");
EMBED(genoa_snp_asvk, "owner/roots/snp/genoa/asvk.pem");
EMBED(turin_snp_ark, "owner/roots/snp/turin/ark.pem");
EMBED(turin_snp_ask, "owner/roots/snp/turin/ask.pem");
EMBED(turin_snp_asvk, "owner/roots/snp/turin/asvk.pem");

struct root_files {
	const uint8_t *p[5];
	const uint64_t *len[5];
};

#define SEV_ONLY(g)                                                            \
	{                                                                      \
		{g##_sev_ark, g##_sev_ask},                                    \
		{                                                              \
			&g##_sev_ark_len, &g##_sev_ask_len                     \
		}                                                              \
	}
#define SEV_SNP(g)                                                             \
	{                                                                      \
		{g##_sev_ark, g##_sev_ask, g##_snp_ark, g##_snp_ask,           \
		 g##_snp_asvk},                                                \
		{                                                              \
			&g##_sev_ark_len, &g##_sev_ask_len, &g##_snp_ark_len,  \
				&g##_snp_ask_len, &g##_snp_asvk_len            \
		}                                                              \
	}

static const struct root_files roots[AMD_NPRODUCTS] = {
	[AMD_NAPLES] = SEV_ONLY(naples), [AMD_ROME] = SEV_ONLY(rome),
	[AMD_MILAN] = SEV_SNP(milan),	 [AMD_GENOA] = SEV_SNP(genoa),
	[AMD_TURIN] = SEV_SNP(turin),
};

const uint8_t *amd_root(int product, enum amd_root which, size_t *len)
{
	const struct root_files *f;

	*len = 0;
	if (product < 0 || product >= AMD_NPRODUCTS || which < 0 ||
	    which > AMD_ROOT_SNP_ASVK)
		return NULL;
	f = &roots[product];
	if (!f->p[which])
		return NULL;
	*len = (size_t)*f->len[which];
	return f->p[which];
}
