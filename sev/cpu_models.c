// SPDX-License-Identifier: MIT
/*
 * sev/cpu_models.c: the CPUID(1).EAX signature a vCPU starts with.
 *
 * With the QEMU VMM type the reset value of RDX is the vCPU's signature,
 * and RDX is part of every measured VMSA.  So the guest owner has to name
 * the vCPU model the host runs; a wrong one changes the launch digest.
 */
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "sev/sev.h"
#include "util/util.h"

/*
 * QEMU's built-in AMD EPYC models as sev-snp-measure's vcpu_types.py lists
 * them.  All versions of a model share one family/model/stepping (versions
 * only change features), so a name maps straight to F/M/S.
 */
static const struct cpu_model {
	const char *name;
	unsigned family, model, stepping;
} cpu_models[] = {
	{"EPYC", 23, 1, 2},	      {"EPYC-v1", 23, 1, 2},
	{"EPYC-v2", 23, 1, 2},	      {"EPYC-IBPB", 23, 1, 2},
	{"EPYC-v3", 23, 1, 2},	      {"EPYC-v4", 23, 1, 2},
	{"EPYC-Rome", 23, 49, 0},     {"EPYC-Rome-v1", 23, 49, 0},
	{"EPYC-Rome-v2", 23, 49, 0},  {"EPYC-Rome-v3", 23, 49, 0},
	{"EPYC-Milan", 25, 1, 1},     {"EPYC-Milan-v1", 25, 1, 1},
	{"EPYC-Milan-v2", 25, 1, 1},  {"EPYC-Genoa", 25, 17, 0},
	{"EPYC-Genoa-v1", 25, 17, 0}, {"EPYC-Turin", 26, 0, 0},
};

#define N_CPU_MODELS (sizeof(cpu_models) / sizeof(cpu_models[0]))

/* The largest family the encoding can carry: 0xf + an 8-bit extension. */
#define FMS_FAMILY_MAX (0xfU + 0xffU)

const char *sev_mode_name(enum sev_mode m)
{
	switch (m) {
	case SEV_MODE_SEV:
		return "sev";
	case SEV_MODE_SEV_ES:
		return "seves";
	case SEV_MODE_SNP:
		return "snp";
	}
	return "unknown";
}

uint32_t cpu_signature_fms(unsigned family, unsigned model, unsigned stepping)
{
	unsigned base_family = family, ext_family = 0;

	/* Families above 0xf saturate the 4-bit base family field; the rest
	 * goes to the extended family (AMD CPUID spec #25481, Fn0000_0001). */
	if (family > 0xf) {
		base_family = 0xf;
		ext_family = (family - 0xf) & 0xff;
	}
	return (uint32_t)ext_family << 20 |
	       (uint32_t)((model >> 4) & 0xf) << 16 |
	       (uint32_t)(base_family & 0xf) << 8 |
	       (uint32_t)(model & 0xf) << 4 | (uint32_t)(stepping & 0xf);
}

static void __attribute__((format(printf, 3, 4)))
cpu_err(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;
	size_t n;

	if (!err || !errlen)
		return;
	va_start(ap, fmt);
	vset_err(err, errlen, fmt, ap);
	va_end(ap);

	/* Every refusal lists what would have been accepted. */
	n = strlen(err);
	n += (size_t)snprintf(err + n, errlen - n, "; known models:");
	for (size_t i = 0; i < N_CPU_MODELS && n < errlen; i++)
		n += (size_t)snprintf(err + n, errlen - n, " %s",
				      cpu_models[i].name);
	if (n < errlen)
		snprintf(err + n, errlen - n,
			 ", or a signature \"0x800f12\" or "
			 "\"family/model/stepping\" \"25/1/1\"");
}

/* A decimal number made of digits only (no sign, no spaces), at most max. */
static int parse_dec(const char *s, size_t len, unsigned max, unsigned *out)
{
	unsigned long v = 0;

	if (!len || len > 10)
		return -EINVAL;
	for (size_t i = 0; i < len; i++) {
		if (!isdigit((unsigned char)s[i]))
			return -EINVAL;
		v = v * 10 + (unsigned long)(s[i] - '0');
	}
	if (v > max)
		return -EINVAL;
	*out = (unsigned)v;
	return 0;
}

static int parse_hex_sig(const char *name, uint32_t *sig)
{
	const char *p = name + 2;
	size_t n = strlen(p);

	/* Checked by hand first: strtoul would take spaces, signs and a
	 * second "0x". */
	if (!n || n > 8)
		return -EINVAL;
	for (size_t i = 0; i < n; i++)
		if (!isxdigit((unsigned char)p[i]))
			return -EINVAL;
	*sig = (uint32_t)strtoul(p, NULL, 16);
	return 0;
}

static int parse_fms(const char *name, uint32_t *sig)
{
	const char *s1 = strchr(name, '/'), *s2;
	unsigned f, m, s;

	if (!s1)
		return -EINVAL;
	s2 = strchr(s1 + 1, '/');
	if (!s2 || strchr(s2 + 1, '/'))
		return -EINVAL;
	if (parse_dec(name, (size_t)(s1 - name), FMS_FAMILY_MAX, &f) ||
	    parse_dec(s1 + 1, (size_t)(s2 - s1 - 1), 0xff, &m) ||
	    parse_dec(s2 + 1, strlen(s2 + 1), 0xf, &s))
		return -EINVAL;
	*sig = cpu_signature_fms(f, m, s);
	return 0;
}

int cpu_model_signature(const char *name, uint32_t *sig, char *err,
			size_t errlen)
{
	char q[200];

	if (!name || !*name) {
		cpu_err(err, errlen, "empty vCPU model");
		return -EINVAL;
	}
	for (size_t i = 0; i < N_CPU_MODELS; i++) {
		const struct cpu_model *c = &cpu_models[i];

		if (!strcasecmp(name, c->name)) {
			*sig = cpu_signature_fms(c->family, c->model,
						 c->stepping);
			return 0;
		}
	}
	/* The name as typed, quoted and with control bytes escaped, so
	 * the refusal stays one line. */
	json_quote(name, strlen(name), q, sizeof(q));
	if (name[0] == '0' && (name[1] == 'x' || name[1] == 'X')) {
		if (parse_hex_sig(name, sig) == 0)
			return 0;
		cpu_err(err, errlen,
			"vCPU signature %s is not 1 to 8 hex digits after 0x",
			q);
		return -EINVAL;
	}
	if (strchr(name, '/')) {
		if (parse_fms(name, sig) == 0)
			return 0;
		cpu_err(err, errlen,
			"vCPU %s is not family/model/stepping in decimal "
			"(family <= %u, model <= 255, stepping <= 15)",
			q, FMS_FAMILY_MAX);
		return -EINVAL;
	}
	cpu_err(err, errlen, "unknown vCPU model %s", q);
	return -EINVAL;
}
