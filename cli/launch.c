// SPDX-License-Identifier: MIT
/*
 * cli/launch.c: the launch options `run` and `measure` share, turned into
 * the one launch configuration (struct launch_config) with one set of
 * defaults, and from it the plan and the digest.  `run` launches what
 * this builds; `measure` prints its digest; so the digest a user computes
 * ahead is the one `run` checks the firmware against.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "sev/sev.h"
#include "util/util.h"

int launch_cpu_signature(const char *cpu, uint32_t *sig, char *err,
			 size_t errlen)
{
	return cpu_model_signature(cpu ? cpu : LAUNCH_DEFAULT_CPU, sig, err,
				   errlen);
}

void launch_opts_init(struct launch_opts *o)
{
	*o = (struct launch_opts){
		.ncpus = 1,
		.snp_features = LAUNCH_DEFAULT_SNP_FEATURES,
	};
}

int launch_build(const struct launch_opts *o, const struct launch_inputs *in,
		 struct launch_plan *plan, uint8_t digest[48], char *err,
		 size_t errlen)
{
	struct launch_config c = {
		.mode = o->mode,
		.ncpus = o->ncpus,
		.vcpu_sig = o->vcpu_sig,
		.snp_features = o->snp_features,
		.legacy_init = o->legacy_init,
		.debug_swap = o->debug_swap,
		.snp_ovmf_only = o->snp_ovmf_only,
		.ovmf = in->ovmf,
		.ovmf_len = in->ovmf_len,
		.ovmf_info = in->info,
		.kernel = in->kernel,
		.kernel_len = in->kernel_len,
		.initrd = in->initrd,
		.initrd_len = in->initrd_len,
		.cmdline = in->cmdline,
		.vmm = o->vmm,
		.snp_ovmf_digest = o->snp_ovmf_digest,
		.svsm = in->svsm,
		.svsm_len = in->svsm_len,
		.svsm_info = in->svsm_info,
		.vars_size = in->vars_size,
	};
	int ret = launch_plan_build(&c, plan, err, errlen);

	if (ret || !digest)
		return ret;
	ret = o->mode == SEV_MODE_SNP ? measure_snp_digest(plan, digest)
				      : measure_sev_digest(plan, digest);
	if (ret)
		set_err(err, errlen, "computing the launch digest failed: %s",
			strerror(-ret));
	return ret;
}

const char *launch_run_vmm_type(void *opts, const char *v)
{
	enum vmm_type t;

	(void)opts;
	if (vmm_type_parse(v, &t))
		return "must be QEMU, ec2 or gce";
	/* run builds the vCPUs' reset state on this host's KVM the way QEMU
	 * does; the VMSAs EC2's or GCE's hypervisor makes are something only
	 * `sevboot measure` predicts. */
	if (t != VMM_QEMU)
		return "run starts its vCPUs as QEMU on KVM does, so only "
		       "QEMU; predict an ec2 or gce launch with sevboot "
		       "measure --vmm-type";
	return NULL;
}

const char *launch_run_svsm(void *opts, const char *v)
{
	(void)opts;
	(void)v;
	return "run cannot launch an SVSM (it loads neither an SVSM nor "
	       "IGVM); predict its digest with sevboot measure --mode "
	       "snp:svsm";
}
