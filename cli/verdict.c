// SPDX-License-Identifier: MIT
/*
 * cli/verdict.c: `sevboot inspect`'s answer per launch mode.  Each answer
 * is a dry run: the launch plan is built for the mode, with the same
 * function `run` and `measure` use (cli/launch.c), so inspect says "yes"
 * exactly where they accept the firmware, and its reason for "no" is
 * theirs.  What the plan cannot know (whether the code behind an entry
 * works) only ever turns a "yes" into "uncertain", with the reason.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "loader/loader.h"
#include "sev/sev.h"

const char *answer_word(enum answer a)
{
	switch (a) {
	case ANSWER_YES:
		return "yes";
	case ANSWER_NO:
		return "no";
	default:
		return "uncertain";
	}
}

static void __attribute__((format(printf, 3, 4)))
say(struct verdict *v, enum answer a, const char *fmt, ...)
{
	va_list ap;

	v->answer = a;
	va_start(ap, fmt);
	vset_err(v->reason, sizeof(v->reason), fmt, ap);
	va_end(ap);
}

/*
 * Build the plan for mode with ncpus vCPUs (more than one needs the APs'
 * reset block) and, with kernel, a measured direct boot.  0 when `run`
 * would launch it; -EINVAL with the plan's reason in v; -ENOMEM.
 */
static int dry_run(const uint8_t *img, size_t len, const struct ovmf_info *i,
		   enum sev_mode mode, unsigned ncpus, bool kernel,
		   struct verdict *v)
{
	static const uint8_t a_kernel[1];
	struct launch_opts lo;
	struct launch_inputs in = { .ovmf = img, .ovmf_len = len, .info = i };
	struct launch_plan *plan = calloc(1, sizeof(*plan));
	int ret;

	if (!plan)
		return -ENOMEM;
	launch_opts_init(&lo);
	lo.mode = mode;
	lo.ncpus = ncpus;
	if (kernel) {
		in.kernel = a_kernel;
		in.kernel_len = sizeof(a_kernel);
	}
	/* A dry run: the plan's verdict, no digest to hash. */
	ret = launch_build(&lo, &in, plan, NULL, v->reason,
			   sizeof(v->reason));
	launch_plan_free(plan);
	free(plan);
	if (ret == -EINVAL)
		v->answer = ANSWER_NO;
	return ret;
}

/* Plain SEV only encrypts the image; it needs nothing from it. */
static int judge_sev(const uint8_t *img, size_t len,
		     const struct ovmf_info *i, struct verdict *v)
{
	int ret = dry_run(img, len, i, SEV_MODE_SEV, 1, false, v);

	if (ret)
		return ret == -EINVAL ? 0 : ret;
	if (i->has_table || i->has_reset_block)
		say(v, ANSWER_YES, "%s", "");
	else
		say(v, ANSWER_UNCERTAIN,
		    "no footer GUID table: plain SEV needs none, but this may "
		    "not be an OVMF image at all");
	return 0;
}

static int judge_sev_es(const uint8_t *img, size_t len,
			const struct ovmf_info *i, struct verdict *v)
{
	int ret = dry_run(img, len, i, SEV_MODE_SEV_ES, 2, false, v);

	if (ret)
		return ret == -EINVAL ? 0 : ret;
	if (i->has_table && !i->has_sev_meta && !i->has_tdx_meta)
		/*
		 * The ASEV and TDX entries are only assembled into X64 reset
		 * vectors (OvmfPkg/ResetVector/ResetVector.nasmb); without
		 * them this is either a 32-bit PEI build (whose SEC lacks
		 * the GHCB setup SEV-ES needs) or an X64 build from before
		 * those entries existed.
		 */
		say(v, ANSWER_UNCERTAIN,
		    "reset block present, but no X64-only entry (ASEV, TDX): "
		    "a 32-bit PEI build like Debian's OVMF_CODE_4M cannot run "
		    "SEV-ES; an X64 build older than edk2-stable202202 can");
	else
		say(v, ANSWER_YES, "%s", "");
	return 0;
}

static const struct ovmf_section *find_section(const struct ovmf_info *i,
					       uint32_t type)
{
	for (unsigned k = 0; k < i->nsections; k++)
		if (i->sections[k].type == type)
			return &i->sections[k];
	return NULL;
}

/*
 * The plan launches any ASEV metadata the way QEMU does (unknown section
 * types as ZERO pages, target/i386/sev.c), so `measure` predicts what QEMU
 * launches.  Whether the guest can then boot is another question: it
 * reads its CPUID values and its VM communication keys from the CPUID and
 * secrets pages (SNP ABI 56860, SNP_LAUNCH_UPDATE page types).
 */
static int judge_snp(const uint8_t *img, size_t len,
		     const struct ovmf_info *i, struct verdict *v)
{
	int ret = dry_run(img, len, i, SEV_MODE_SNP, 2, false, v);

	if (ret)
		return ret == -EINVAL ? 0 : ret;
	say(v, ANSWER_YES, "%s", "");
	if (!find_section(i, OVMF_SECTION_SNP_SECRETS))
		say(v, ANSWER_UNCERTAIN,
		    "the ASEV metadata has no SNP_SECRETS section: the guest "
		    "gets no secrets page");
	else if (!find_section(i, OVMF_SECTION_CPUID))
		say(v, ANSWER_UNCERTAIN,
		    "the ASEV metadata has no CPUID section: the guest gets no "
		    "CPUID page");
	for (unsigned k = 0; v->answer == ANSWER_YES && k < i->nsections; k++)
		if (!strcmp(ovmf_section_type_name(i->sections[k].type),
			    "unknown"))
			say(v, ANSWER_UNCERTAIN,
			    "ASEV section %u has type 0x%x, unknown to sevboot; "
			    "it is launched as zero pages, as QEMU does",
			    k, i->sections[k].type);
	return 0;
}

/* Measured direct boot: the SEV/SEV-ES plan with a kernel; under SNP the
 * table has its own rules, said when only they fail. */
static int judge_hashes(const uint8_t *img, size_t len,
			const struct ovmf_info *i, bool snp, struct verdict *v)
{
	struct verdict under_snp = { 0 };
	int ret = dry_run(img, len, i, SEV_MODE_SEV, 1, true, v);

	if (ret)
		return ret == -EINVAL ? 0 : ret;
	if (snp) {
		ret = dry_run(img, len, i, SEV_MODE_SNP, 1, true, &under_snp);
		if (ret && ret != -EINVAL)
			return ret;
	}
	if (snp && ret)
		say(v, ANSWER_YES,
		    "table area at 0x%08x, 0x%x bytes; not under SNP: %.150s",
		    i->hashes_base, i->hashes_size, under_snp.reason);
	else
		say(v, ANSWER_YES, "table area at 0x%08x, 0x%x bytes",
		    i->hashes_base, i->hashes_size);
	return 0;
}

int firmware_verdicts(const uint8_t *img, size_t len,
		      const struct ovmf_info *i, struct verdicts *v)
{
	int ret;

	memset(v, 0, sizeof(*v));
	ret = judge_sev(img, len, i, &v->sev);
	ret = ret ?: judge_sev_es(img, len, i, &v->sev_es);
	ret = ret ?: judge_snp(img, len, i, &v->snp);
	ret = ret ?: judge_hashes(img, len, i, v->snp.answer == ANSWER_YES,
				  &v->hashes);
	return ret;
}
