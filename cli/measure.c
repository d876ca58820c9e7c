// SPDX-License-Identifier: MIT
/*
 * `sevboot measure`: the launch digest of a configuration, computed from
 * the very launch plan `sevboot run` executes, without KVM or SEV hardware.
 *
 * Guest owners run it before they release a secret, and scripts compare
 * its output with what a host reports; so stdout holds only results, in a
 * fixed form, and everything else goes to stderr.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include "cli/cli.h"
#include "cli/measure.h"
#include "loader/loader.h"
#include "owner/owner.h"
#include "sev/sev.h"
#include "util/util.h"

#define MAX_KERNEL (256 * SZ_1M)
#define MAX_INITRD (2 * SZ_1G)
#define TIK_LEN	   16
#define MNONCE_LEN 16

static void __attribute__((format(printf, 1, 2)))
measure_error(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "sevboot: measure: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

#define usage_error(...) (measure_error(__VA_ARGS__), EXIT_USAGE)

struct measure_opts {
	enum sev_mode mode;
	enum vmm_type vmm;
	bool have_mode, ovmf_only, svsm_mode, have_vmm;
	const char *ovmf, *kernel, *initrd, *append;
	unsigned vcpus;
	const char *cpu;    /* --cpu / --vcpu-type */
	const char *sig;    /* --vcpu-sig */
	const char *fms[3]; /* --vcpu-family/-model/-stepping */
	uint64_t features;
	bool have_features, legacy_init, debug_swap, base64, verbose;
	const char *tik, *mnonce;
	const char *api_major, *api_minor, *build, *policy;
	const char *blob;      /* --launch-measure-blob */
	const char *ovmf_hash; /* --snp-ovmf-hash */
	const char *svsm, *vars_file, *dump_dir;
	uint64_t vars_size;
	bool have_vars_size, json;
	uint8_t *digest_out; /* measure_snp_argv(): the digest, not printed */
};

static int parse_mode(const char *s, struct measure_opts *o)
{
	o->have_mode = true;
	o->ovmf_only = false;
	o->svsm_mode = false;
	if (!strcmp(s, "sev"))
		o->mode = SEV_MODE_SEV;
	else if (!strcmp(s, "seves"))
		o->mode = SEV_MODE_SEV_ES;
	else if (!strcmp(s, "snp"))
		o->mode = SEV_MODE_SNP;
	else if (!strcmp(s, "snp:ovmf-hash")) {
		o->mode = SEV_MODE_SNP;
		o->ovmf_only = true;
	} else if (!strcmp(s, "snp:svsm")) {
		o->mode = SEV_MODE_SNP;
		o->svsm_mode = true;
	} else
		return -EINVAL;
	return 0;
}

static const char *mode_opt(void *opts, const char *v)
{
	return parse_mode(v, opts) ? "must be sev, seves, snp, snp:ovmf-hash "
				     "or snp:svsm"
				   : NULL;
}

/* The mode as the user named it. */
static const char *mode_name(const struct measure_opts *o)
{
	if (o->ovmf_only)
		return "snp:ovmf-hash";
	if (o->svsm_mode)
		return "snp:svsm";
	return sev_mode_name(o->mode);
}

static const char *vmm_opt(void *opts, const char *v)
{
	struct measure_opts *o = opts;

	o->have_vmm = true;
	return vmm_type_parse(v, &o->vmm) ? "must be QEMU, ec2 or gce" : NULL;
}

static const char *output_format_opt(void *opts, const char *v)
{
	struct measure_opts *o = opts;

	if (!strcmp(v, "hex"))
		o->base64 = false;
	else if (!strcmp(v, "base64"))
		o->base64 = true;
	else
		return "must be hex or base64";
	return NULL;
}

#define M(field) CLI_FIELD(struct measure_opts, field)

/* clang-format off */
static const struct cli_opt measure_options[] = {
	{ "mode", .arg = CLI_CUSTOM, .parse = mode_opt, .meta = "MODE",
	  .help = "sev, seves, snp, snp:ovmf-hash (the SNP digest after "
		  "the firmware pages only) or snp:svsm (SNP with "
		  "COCONUT-SVSM, see below)" },
	{ "vmm-type", .arg = CLI_CUSTOM, .parse = vmm_opt, .meta = "TYPE",
	  .help = "whose hypervisor sets up the VMSAs: QEMU (default; QEMU "
		  "on KVM, as sevboot run), ec2 (Amazon EC2) or gce (Google "
		  "Compute Engine); ec2 and gce ignore the vCPU type" },
	{ "ovmf", .arg = CLI_STRING, M(ovmf), .meta = "FILE", .qemu = "bios",
	  .help = "firmware image, as given to QEMU (-bios or pflash 0)" },
	{ "vcpus", .arg = CLI_UINT, M(vcpus), .min = 1,
	  .max = LAUNCH_MAX_VCPUS, .meta = "N", .qemu = "smp",
	  .help = "number of vCPUs (default 1; SEV-ES/SNP)" },
	{ "cpu", .arg = CLI_STRING, M(cpu), .meta = "MODEL",
	  .help = "QEMU vCPU model (default " LAUNCH_DEFAULT_CPU "), alias "
		  "--vcpu-type; or instead --vcpu-sig, or --vcpu-family, "
		  "--vcpu-model and --vcpu-stepping" },
	{ "vcpu-type", .arg = CLI_STRING, M(cpu), .meta = "MODEL" },
	{ "vcpu-sig", .arg = CLI_STRING, M(sig), .meta = "SIG",
	  .help = "CPUID(1).EAX signature, e.g. 0x800f12" },
	{ "vcpu-family", .arg = CLI_STRING, M(fms[0]), .meta = "F",
	  .help = "the signature's family (decimal)" },
	{ "vcpu-model", .arg = CLI_STRING, M(fms[1]), .meta = "M",
	  .help = "its model (decimal)" },
	{ "vcpu-stepping", .arg = CLI_STRING, M(fms[2]), .meta = "S",
	  .help = "its stepping (decimal)" },
	{ "kernel", .arg = CLI_STRING, M(kernel), .meta = "FILE",
	  .help = "measured direct boot: the bzImage given to QEMU" },
	{ "initrd", .arg = CLI_STRING, M(initrd), .meta = "FILE",
	  .help = "its initrd (needs --kernel)" },
	{ "append", .arg = CLI_STRING, M(append), .meta = "STRING",
	  .help = "its command line (needs --kernel; without it the empty "
		  "command line is measured)" },
	{ "guest-features", .arg = CLI_HEX, M(features), .max = UINT64_MAX,
	  CLI_ALSO(struct measure_opts, have_features), .meta = "HEX",
	  .bad = "give a hex number such as 0x1",
	  .help = "SNP SEV_FEATURES of the VMSAs (default 0x1)" },
	{ "legacy-init", .arg = CLI_FLAG, M(legacy_init),
	  .help = "the host uses KVM_SEV_INIT/KVM_SEV_ES_INIT, not "
		  "KVM_SEV_INIT2 (see below)" },
	{ "debug-swap", .arg = CLI_FLAG, M(debug_swap),
	  .help = "with --legacy-init, SEV-ES: the host's kvm_amd has "
		  "debug_swap=Y (Linux 6.5 to 6.9), which puts DebugSwap "
		  "(SEV_FEATURES bit 5) in every VMSA" },
	{ "snp-ovmf-hash", .arg = CLI_STRING, M(ovmf_hash), .meta = "HEX",
	  .help = "--mode snp: start from this firmware digest (96 hex "
		  "digits, what --mode snp:ovmf-hash printed) instead of "
		  "hashing the firmware; --ovmf (even its last pages) still "
		  "gives the metadata and reset block" },
	{ "dump-vmsa", .arg = CLI_STRING, M(dump_dir), .meta = "DIR",
	  .help = "write the measured VMSA pages to DIR/vmsa0.bin, "
		  "vmsa1.bin, ... (seves, snp, snp:svsm)" },
	{ "output-format", .arg = CLI_CUSTOM, .parse = output_format_opt,
	  .meta = "FMT", .help = "hex (default) or base64, for the digest" },
	{ "json", .arg = CLI_FLAG, M(json),
	  .help = "print one JSON object instead (doc/measure-json.md)" },
	{ "verbose", 'v', CLI_FLAG, M(verbose),
	  .help = "say on stderr what is measured, step by step" },

	{ .arg = CLI_SECTION,
	  .help = "--mode snp:svsm (the SVSM's own VMSAs, QEMU only) needs "
		  "--svsm and one of --vars-size and --vars-file:" },
	{ "svsm", .arg = CLI_STRING, M(svsm), .meta = "FILE",
	  .help = "the COCONUT-SVSM image (svsm.bin)" },
	{ "vars-size", .arg = CLI_SIZE, M(vars_size), .max = SZ_1G,
	  CLI_ALSO(struct measure_opts, have_vars_size), .meta = "SIZE",
	  .help = "the size of the OVMF variable store (OVMF_VARS) in bytes, "
		  "or instead" },
	{ "vars-file", .arg = CLI_STRING, M(vars_file), .meta = "FILE",
	  .help = "the variable store itself (only its size is used)" },

	{ .arg = CLI_SECTION,
	  .help = "The LAUNCH_MEASURE value (SEV and SEV-ES), as "
		  "query-sev-launch-measure prints it, needs all of:" },
	{ "tik", .arg = CLI_STRING, M(tik), .meta = "FILE",
	  .help = "the 16-byte transport integrity key (binary)" },
	{ "mnonce", .arg = CLI_STRING, M(mnonce), .meta = "NONCE",
	  .help = "16 bytes, as 32 hex digits or base64 (alias --nonce, "
		  "sevctl's spelling)" },
	{ "api-major", .arg = CLI_STRING, M(api_major), .meta = "N",
	  .help = "the SEV firmware's API major version (query-sev)" },
	{ "api-minor", .arg = CLI_STRING, M(api_minor), .meta = "N",
	  .help = "its API minor version" },
	{ "build", .arg = CLI_STRING, M(build), .meta = "N",
	  .help = "its build (alias --build-id, sevctl's spelling)" },
	{ "build-id", .arg = CLI_STRING, M(build), .meta = "N" },
	{ "policy", .arg = CLI_STRING, M(policy), .meta = "HEX",
	  .help = "the guest policy" },
	{ "nonce", .arg = CLI_STRING, M(mnonce), .meta = "NONCE" },
	{ "launch-measure-blob", .arg = CLI_STRING, M(blob), .meta = "B64",
	  .help = "instead of --mnonce: check this "
		  "query-sev-launch-measure value (base64 of MEASURE and "
		  "MNONCE) against the digest; exit 5 if it does not match, "
		  "as sevctl's measurement verify" },
	{ .arg = CLI_END },
};
/* clang-format on */

const struct cli_spec measure_spec = {
	.name = "measure",
	.prefix = "sevboot: measure: ",
	.synopsis = "measure --mode MODE --ovmf FILE [OPTIONS]",
	.about =
		"Print the launch digest the AMD Secure Processor will compute "
		"for this\n"
		"configuration (what QEMU would launch with the same "
		"inputs).\n",
	.opts = measure_options,
	.notes = "SEV-ES and SNP digests cover the initial VMSAs.  By default "
		 "they assume\n"
		 "the host's KVM sets them up through KVM_SEV_INIT2 (Linux "
		 "6.10 and later,\n"
		 "QEMU with legacy-vm-type=off, and every SNP launch), which "
		 "sets MXCSR and\n"
		 "the x87 control word; QEMU's default for SEV-ES "
		 "(legacy-vm-type=auto)\n"
		 "still uses the legacy init, for which you need "
		 "--legacy-init.\n"
		 "\n"
		 "A QEMU -kernel boot matches only with kernel-hashes=on (in "
		 "-object\n"
		 "sev-guest or sev-snp-guest): without it QEMU measures no "
		 "kernel hashes,\n"
		 "so measure it without --kernel.\n"
		 "\n"
		 "Exit codes: 0 ok, 1 runtime failure, 2 usage, 3 bad input "
		 "file,\n"
		 "5 the --launch-measure-blob does not match.\n",
};

/* Returns -1 to go on, or an exit code. */
static int parse_measure_opts(int argc, char **argv, struct measure_opts *o)
{
	int rc;

	*o = (struct measure_opts){.vcpus = 1};
	rc = cli_parse(&measure_spec, argc, argv, o, NULL);
	if (rc >= 0)
		return rc;
	if (!o->have_mode)
		return usage_error("missing --mode "
				   "sev|seves|snp|snp:ovmf-hash|snp:svsm");
	if (!o->ovmf)
		return usage_error("missing --ovmf FILE");
	return -1;
}

/* The vCPU and VMSA options.  -1 to go on, or an exit code. */
static int check_vcpu_opts(const struct measure_opts *o)
{
	unsigned nfms = !!o->fms[0] + !!o->fms[1] + !!o->fms[2];
	bool vmsas = o->mode != SEV_MODE_SEV && !o->ovmf_only;

	if (!!o->cpu + !!o->sig + !!nfms > 1)
		return usage_error("give the vCPU as one of --cpu, --vcpu-sig "
				   "or --vcpu-family/--vcpu-model/"
				   "--vcpu-stepping");
	if (nfms && nfms != 3)
		return usage_error("--vcpu-family, --vcpu-model and "
				   "--vcpu-stepping go together");
	if (o->have_features && (o->mode != SEV_MODE_SNP || o->ovmf_only))
		return usage_error("--guest-features applies to --mode snp "
				   "only (SEV-ES VMSAs have SEV_FEATURES 0)");
	if (o->debug_swap && (o->mode != SEV_MODE_SEV_ES || !o->legacy_init))
		return usage_error("--debug-swap describes the legacy SEV-ES "
				   "init: it needs --mode seves and "
				   "--legacy-init");
	if (o->vmm != VMM_QEMU && (o->legacy_init || o->debug_swap))
		return usage_error("--legacy-init and --debug-swap describe "
				   "QEMU on KVM, not --vmm-type %s",
				   vmm_type_name(o->vmm));
	if (o->dump_dir && !vmsas)
		return usage_error("--dump-vmsa: --mode %s measures no VMSA",
				   mode_name(o));
	/* sev-snp-measure accepts these and ignores them: so do we, but
	 * not silently. */
	if (o->vmm != VMM_QEMU && vmsas && (o->cpu || o->sig || nfms))
		fprintf(stderr,
			"sevboot: measure: warning: the vCPU type has no "
			"effect with --vmm-type %s: its VMSAs have RDX 0x600\n",
			vmm_type_name(o->vmm));
	if (o->svsm_mode && o->have_features)
		fprintf(stderr,
			"sevboot: measure: warning: --guest-features has no "
			"effect in --mode snp:svsm: the SVSM's VMSAs have "
			"SEV_FEATURES 0x1\n");
	return -1;
}

/* The firmware-side options: kernel, SVSM, a given firmware digest. */
static int check_image_opts(const struct measure_opts *o)
{
	if (!o->kernel && (o->initrd || o->append))
		return usage_error("--initrd and --append need --kernel");
	if (o->ovmf_only && o->kernel)
		return usage_error("--mode snp:ovmf-hash measures the firmware "
				   "only; drop --kernel or use --mode snp");
	if (o->ovmf_hash &&
	    (o->mode != SEV_MODE_SNP || o->ovmf_only || o->svsm_mode))
		return usage_error("--snp-ovmf-hash replaces the firmware "
				   "pages of --mode snp only");
	if (!o->svsm_mode) {
		if (o->svsm || o->vars_file || o->have_vars_size)
			return usage_error(
				"--svsm, --vars-size and --vars-file "
				"are for --mode snp:svsm");
		return -1;
	}
	if (!o->svsm)
		return usage_error("--mode snp:svsm needs --svsm FILE");
	if (!!o->vars_file + !!o->have_vars_size != 1)
		return usage_error("--mode snp:svsm needs one of --vars-size "
				   "SIZE or --vars-file FILE");
	if (o->vars_size % SEV_PAGE_SIZE)
		return usage_error("--vars-size %llu: the variable store is "
				   "whole 4 KiB pages",
				   (unsigned long long)o->vars_size);
	if (o->kernel)
		return usage_error("--mode snp:svsm: the SVSM measures no "
				   "kernel; drop --kernel");
	if (o->vmm != VMM_QEMU)
		return usage_error("--mode snp:svsm is measured for "
				   "--vmm-type QEMU only");
	return -1;
}

/* The LAUNCH_MEASURE options. */
static int check_session_opts(const struct measure_opts *o)
{
	bool session = o->mnonce || o->api_major || o->api_minor || o->build ||
		       o->policy || o->blob;

	if (session && !o->tik)
		return usage_error("--mnonce, --launch-measure-blob, "
				   "--api-major, --api-minor, --build and "
				   "--policy are for --tik");
	if (!o->tik)
		return -1;
	if (o->mode == SEV_MODE_SNP)
		return usage_error("--tik: SNP has no LAUNCH_MEASURE; the "
				   "guest's attestation report carries the "
				   "digest");
	if (o->mnonce && o->blob)
		return usage_error("--launch-measure-blob carries the mnonce: "
				   "drop --mnonce");
	if ((!o->mnonce && !o->blob) || !o->api_major || !o->api_minor ||
	    !o->build || !o->policy)
		return usage_error("--tik needs --mnonce (or "
				   "--launch-measure-blob), --api-major, "
				   "--api-minor, --build and --policy");
	return -1;
}

/* The checks that need several options at once. */
static int check_combinations(const struct measure_opts *o)
{
	int rc = check_image_opts(o);

	if (rc < 0)
		rc = check_session_opts(o);
	if (rc < 0)
		rc = check_vcpu_opts(o);
	return rc;
}

static int vcpu_signature(const struct measure_opts *o, uint32_t *sig,
			  const char **label)
{
	char err[512];
	uint64_t f, m, s;

	if (o->sig) {
		uint64_t v;

		if (cli_parse_num(o->sig, false, UINT32_MAX, &v) || !v)
			return usage_error("--vcpu-sig %s: give a non-zero "
					   "signature such as 0x800f12",
					   o->sig);
		*sig = (uint32_t)v;
		*label = "--vcpu-sig";
		return -1;
	}
	if (o->fms[0]) {
		/* The encoding's limits: family 0xf + 8 extended bits. */
		if (cli_parse_num(o->fms[0], false, 0xf + 0xff, &f) ||
		    cli_parse_num(o->fms[1], false, 0xff, &m) ||
		    cli_parse_num(o->fms[2], false, 0xf, &s))
			return usage_error("--vcpu-family %s --vcpu-model %s "
					   "--vcpu-stepping %s: must be "
					   "decimal, at most 270, 255 and 15",
					   o->fms[0], o->fms[1], o->fms[2]);
		*sig = cpu_signature_fms((unsigned)f, (unsigned)m, (unsigned)s);
		*label = "family/model/stepping";
		return -1;
	}
	*label = o->cpu ? o->cpu : LAUNCH_DEFAULT_CPU;
	if (launch_cpu_signature(o->cpu, sig, err, sizeof(err)))
		return usage_error("--cpu %s: %s", *label, err);
	return -1;
}

/* /dev/null is how sev-snp-measure users spell "an empty file". */
static bool is_dev_null(const char *path)
{
	struct stat st;

	return !stat(path, &st) && S_ISCHR(st.st_mode) &&
	       major(st.st_rdev) == 1 && minor(st.st_rdev) == 3;
}

/* Returns -1 to go on, or an exit code.  An empty file is allowed where it
 * is meaningful (an initrd of 0 bytes hashes like none). */
static int load(const char *opt, const char *path, size_t max, bool empty_ok,
		struct blob *b)
{
	char err[256];
	int ret;

	if (empty_ok && is_dev_null(path)) {
		*b = (struct blob){0};
		return -1;
	}
	/* A private copy (made in the kernel): a file truncated while it is
	 * hashed is an error line, not a SIGBUS. */
	ret = file_load(path, max, b, err, sizeof(err));

	if (ret == -ENODATA && empty_ok) {
		*b = (struct blob){0};
		return -1;
	}
	if (ret) {
		measure_error("%s %s: %s", opt, path, err);
		return ret == -ENOMEM ? EXIT_RUNTIME : EXIT_BAD_INPUT;
	}
	return -1;
}

/* 32 hex digits, or the 24-character base64 QEMU and sevctl use. */
static int parse_mnonce(const char *s, uint8_t out[MNONCE_LEN])
{
	return hex_or_base64_decode(s, out, MNONCE_LEN);
}

static void print_hex(FILE *f, const uint8_t *p, size_t n)
{
	for (size_t k = 0; k < n; k++)
		fprintf(f, "%02x", p[k]);
}

static void print_base64(FILE *f, const uint8_t *p, size_t n)
{
	unsigned char out[4 * ((64 + 2) / 3) + 1];

	/* Only digests and measure blobs (at most 48 bytes) come here. */
	if (n > 64)
		return;
	EVP_EncodeBlock(out, p, (int)n);
	fputs((const char *)out, f);
}

static const char *step_kind_name(const struct launch_step *s)
{
	switch (s->kind) {
	case STEP_UPDATE_DATA:
		return "LAUNCH_UPDATE_DATA";
	case STEP_UPDATE_VMSA:
		return "LAUNCH_UPDATE_VMSA";
	case STEP_SNP_UPDATE:
		return "SNP_LAUNCH_UPDATE";
	case STEP_SNP_VMSA:
		return "SNP_LAUNCH_FINISH";
	}
	return "?";
}

static const char *page_type_name(uint8_t t)
{
	static const char *const names[] = {
		[SNP_PAGE_NORMAL] = "NORMAL",
		[SNP_PAGE_VMSA] = "VMSA",
		[SNP_PAGE_ZERO] = "ZERO",
		[SNP_PAGE_UNMEASURED] = "UNMEASURED",
		[SNP_PAGE_SECRETS] = "SECRETS",
		[SNP_PAGE_CPUID] = "CPUID",
	};

	if (t < sizeof(names) / sizeof(names[0]) && names[t])
		return names[t];
	return "?";
}

/* -v: what the VMSAs assume. */
static void explain_vmsas(const struct measure_opts *o,
			  const struct launch_plan *p)
{
	const char *pfx = "sevboot: measure:";

	if (o->svsm_mode)
		fprintf(stderr,
			"%s VMSAs: the SVSM's entry state (32-bit flat "
			"protected mode at 0x%x, SEV_FEATURES 0x1, MXCSR "
			"0x1f80, x87 FCW 0, as sev-snp-measure 0.0.13 has "
			"it)\n",
			pfx, p->vmsa.ap_reset_addr);
	else if (o->vmm != VMM_QEMU)
		fprintf(stderr,
			"%s VMSAs as %s sets them up: RDX 0x600 whatever the "
			"vCPU, MXCSR and x87 FCW 0%s\n",
			pfx, vmm_type_name(o->vmm),
			o->vmm == VMM_GCE ? ", PAT 0x70106"
					  : ", BSP CS 0x9a, SS 0x92, TR 0x83");
	else if (o->legacy_init)
		fprintf(stderr,
			"%s VMSAs assume the legacy KVM_SEV_INIT/"
			"KVM_SEV_ES_INIT (MXCSR and x87 FCW 0)%s\n",
			pfx,
			o->debug_swap ? ", with DebugSwap (SEV_FEATURES "
					"bit 5) as kvm_amd.debug_swap=Y "
					"sets it"
				      : "");
	else
		fprintf(stderr,
			"%s VMSAs assume KVM_SEV_INIT2 (Linux 6.10+: "
			"MXCSR 0x1f80, x87 FCW 0x37f); pass "
			"--legacy-init for the legacy init\n",
			pfx);
}

static void explain(const struct measure_opts *o, const struct launch_plan *p,
		    uint32_t sig, const char *sig_label, uint64_t features)
{
	const char *pfx = "sevboot: measure:";

	if (o->mode != SEV_MODE_SEV && !o->ovmf_only) {
		fprintf(stderr,
			"%s %u vCPU%s, VMM type %s, signature 0x%x (%s)", pfx,
			o->vcpus, o->vcpus == 1 ? "" : "s",
			vmm_type_name(o->vmm), sig, sig_label);
		if (o->mode == SEV_MODE_SNP)
			fprintf(stderr, ", guest features 0x%llx",
				(unsigned long long)features);
		fputc('\n', stderr);
		explain_vmsas(o, p);
	}
	if (p->seeded)
		fprintf(stderr,
			"%s step 0: the firmware pages, as the "
			"--snp-ovmf-hash digest (not hashed here)\n",
			pfx);
	for (unsigned k = 0; k < p->nsteps; k++) {
		const struct launch_step *s = &p->steps[k];

		fprintf(stderr, "%s step %u: %s", pfx, k + 1,
			step_kind_name(s));
		if (s->kind == STEP_SNP_UPDATE || s->kind == STEP_SNP_VMSA)
			fprintf(stderr, " %s", page_type_name(s->page_type));
		if (s->kind != STEP_UPDATE_VMSA)
			fprintf(stderr, " gpa 0x%llx",
				(unsigned long long)s->gpa);
		fprintf(stderr, " len 0x%zx %s", s->len, s->what);
		if (s->vcpu >= 0)
			fprintf(stderr, " vCPU %d", s->vcpu);
		fputc('\n', stderr);
	}
}

/* The session numbers: already known to be present (check_combinations). */
struct session {
	uint8_t mnonce[MNONCE_LEN];
	uint8_t api_major, api_minor, build;
	uint32_t policy;
	bool have_blob, verified; /* --launch-measure-blob and its check */
	uint8_t blob[32 + MNONCE_LEN];
};

static int parse_session(const struct measure_opts *o, struct session *s)
{
	const struct {
		const char *opt, *val;
		uint8_t *out;
	} bytes[] = {
		{"--api-major", o->api_major, &s->api_major},
		{"--api-minor", o->api_minor, &s->api_minor},
		{"--build", o->build, &s->build},
	};
	uint64_t v;

	for (size_t k = 0; k < sizeof(bytes) / sizeof(bytes[0]); k++) {
		if (cli_parse_num(bytes[k].val, false, 0xff, &v))
			return usage_error("%s %s: must be a number from 0 "
					   "to 255",
					   bytes[k].opt, bytes[k].val);
		*bytes[k].out = (uint8_t)v;
	}
	if (cli_parse_num(o->policy, true, UINT32_MAX, &v))
		return usage_error("--policy %s: give a 32-bit hex number such "
				   "as 0x5",
				   o->policy);
	s->policy = (uint32_t)v;
	/* The policy's ES bit is what makes QEMU launch SEV-ES at all. */
	if (o->mode == SEV_MODE_SEV_ES && !(s->policy & SEV_POLICY_ES))
		return usage_error("--policy %s: --mode seves needs the ES bit "
				   "(0x4) in the policy",
				   o->policy);
	if (o->mode == SEV_MODE_SEV && (s->policy & SEV_POLICY_ES))
		return usage_error("--policy %s has the ES bit (0x4): that "
				   "launch is SEV-ES, use --mode seves",
				   o->policy);
	if (o->blob) {
		/* QEMU's query-sev-launch-measure "data": MEASURE || MNONCE */
		if (hex_or_base64_decode(o->blob, s->blob, sizeof(s->blob)))
			return usage_error("--launch-measure-blob %s: give the "
					   "48 bytes of query-sev-launch-"
					   "measure as 64 base64 characters",
					   o->blob);
		s->have_blob = true;
		memcpy(s->mnonce, s->blob + 32, MNONCE_LEN);
		return -1;
	}
	if (parse_mnonce(o->mnonce, s->mnonce))
		return usage_error("--mnonce %s: give 16 bytes as 32 hex "
				   "digits or 24 base64 characters",
				   o->mnonce);
	return -1;
}

/* sevctl's measurement verify, done as `sevboot owner` does it: the
 * blob's MEASURE against HMAC(TIK, the measure context with our digest
 * and the blob's MNONCE), in constant time. */
static int verify_blob(const struct measure_opts *o, const uint8_t tik[16],
		       struct session *s, const uint8_t digest[32])
{
	struct sev_owner_request req = {
		.mode = o->mode,
		.policy = s->policy,
		.api_major = s->api_major,
		.api_minor = s->api_minor,
		.build = s->build,
	};
	char why[256];
	int rc;

	memcpy(req.launch_measure, s->blob, sizeof(req.launch_measure));
	rc = sev_owner_verify(tik, &req, digest, why, sizeof(why));
	s->verified = rc == 0;
	if (rc && rc != -EBADMSG) {
		measure_error("--launch-measure-blob: %s", why);
		return EXIT_RUNTIME;
	}
	return -1;
}

/* The TIK lives only in tik[] and the file buffer, both wiped here, and
 * is never printed. */
static int launch_measure(const struct measure_opts *o, struct session *s,
			  const uint8_t digest[32], uint8_t out[32])
{
	uint8_t tik[TIK_LEN];
	struct blob b;
	char err[256];
	int rc = file_read(o->tik, TIK_LEN, &b, err, sizeof(err));

	if (rc == -EFBIG || rc == -ENODATA || (!rc && b.len != TIK_LEN)) {
		if (!rc) {
			OPENSSL_cleanse(b.data, b.len);
			blob_free(&b);
		}
		measure_error("--tik %s: the TIK file must hold exactly %u "
			      "bytes (binary)",
			      o->tik, TIK_LEN);
		return EXIT_BAD_INPUT;
	}
	if (rc) {
		measure_error("--tik %s: %s", o->tik, err);
		return rc == -ENOMEM ? EXIT_RUNTIME : EXIT_BAD_INPUT;
	}
	memcpy(tik, b.data, TIK_LEN);
	OPENSSL_cleanse(b.data, b.len);
	blob_free(&b);

	rc = measure_launch_hmac(tik, s->api_major, s->api_minor, s->build,
				 s->policy, digest, s->mnonce, out);
	if (rc) {
		OPENSSL_cleanse(tik, sizeof(tik));
		measure_error("--tik %s: HMAC-SHA256 failed: %s", o->tik,
			      strerror(-rc));
		return EXIT_RUNTIME;
	}
	rc = s->have_blob ? verify_blob(o, tik, s, digest) : -1;
	OPENSSL_cleanse(tik, sizeof(tik));
	return rc;
}

/* Inputs, read once; the plan points into them. */
struct inputs {
	struct blob ovmf, kernel, initrd, svsm;
	struct ovmf_info info, svsm_info;
	uint64_t vars_size;
	uint8_t ovmf_digest[48]; /* --snp-ovmf-hash */
};

static void inputs_free(struct inputs *in)
{
	blob_free(&in->ovmf);
	blob_free(&in->kernel);
	blob_free(&in->initrd);
	blob_free(&in->svsm);
}

/* --vars-file: only its size matters, and it must be a regular file. */
static int vars_file_size(const char *path, uint64_t *size)
{
	struct stat st;

	if (is_dev_null(path)) {
		*size = 0;
		return -1;
	}
	if (stat(path, &st)) {
		measure_error("--vars-file %s: %s", path, strerror(errno));
		return EXIT_BAD_INPUT;
	}
	if (!S_ISREG(st.st_mode) || st.st_size % SEV_PAGE_SIZE ||
	    (uint64_t)st.st_size > SZ_1G) {
		measure_error("--vars-file %s: not a variable store: want a "
			      "regular file of whole 4 KiB pages, at most "
			      "1 GiB",
			      path);
		return EXIT_BAD_INPUT;
	}
	*size = (uint64_t)st.st_size;
	return -1;
}

/* An image in OVMF's format (OVMF itself, or an SVSM with OVMF's footer
 * table): read and parsed; -1, or the exit code after one error line. */
static int load_ovmf(const char *opt, const char *path, struct blob *b,
		     struct ovmf_info *info)
{
	char err[256];
	int rc = load(opt, path, OVMF_MAX_SIZE, false, b);

	if (rc >= 0)
		return rc;
	if (ovmf_parse(b->data, b->len, info, err, sizeof(err))) {
		measure_error("%s %s: %s", opt, path, err);
		return EXIT_BAD_INPUT;
	}
	return -1;
}

/* snp:svsm: the SVSM image (its footer table is OVMF's format) and the
 * size of the variable store between it and the firmware. */
static int read_svsm(const struct measure_opts *o, struct inputs *in)
{
	int rc = load_ovmf("--svsm", o->svsm, &in->svsm, &in->svsm_info);

	if (rc >= 0)
		return rc;
	in->vars_size = o->vars_size;
	return o->vars_file ? vars_file_size(o->vars_file, &in->vars_size) : -1;
}

static int read_inputs(const struct measure_opts *o, struct inputs *in)
{
	int rc = load_ovmf("--ovmf", o->ovmf, &in->ovmf, &in->info);

	if (rc >= 0)
		return rc;
	if (o->kernel) {
		/* An empty kernel cannot boot, but its hash is well defined
		 * and sev-snp-measure computes it; say so and go on. */
		rc = load("--kernel", o->kernel, MAX_KERNEL, true, &in->kernel);
		if (rc >= 0)
			return rc;
		if (!in->kernel.len)
			fprintf(stderr,
				"sevboot: measure: warning: --kernel %s is "
				"empty; measuring its hash anyway\n",
				o->kernel);
	}
	if (o->initrd) {
		rc = load("--initrd", o->initrd, MAX_INITRD, true, &in->initrd);
		if (rc >= 0)
			return rc;
	}
	return o->svsm_mode ? read_svsm(o, in) : -1;
}

/* What measure() found, for the output. */
struct result {
	uint8_t digest[48];
	size_t dlen;
	bool have_hmac;
	uint8_t hmac[32];
	struct session sess;
	unsigned vmsa_files; /* written to --dump-vmsa */
};

/* ------------------------------------------------------------ --dump-vmsa */

static void unlink_names(int dfd, const char *fmt, unsigned n)
{
	char name[64];

	for (unsigned v = 0; v < n; v++) {
		snprintf(name, sizeof(name), fmt, v, (int)getpid());
		unlinkat(dfd, name, 0);
	}
}

static int write_page(int dfd, const char *name, const uint8_t *page)
{
	int fd = openat(dfd, name, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC,
			0644);
	ssize_t n;

	if (fd < 0)
		return -errno;
	n = write(fd, page, VMSA_SIZE);
	if (n != VMSA_SIZE) {
		int e = n < 0 ? errno : ENOSPC;

		close(fd);
		return -e;
	}
	return close(fd) ? -errno : 0;
}

#define TMP_FMT "vmsa%u.bin.tmp-%d"

/*
 * The measured VMSA pages as DIR/vmsa<N>.bin, as sev-snp-measure names
 * them.  Each is written whole to a temporary name first and renamed
 * when all are written, so a failure leaves none half-written.
 */
static int dump_vmsas(const char *dir, const struct launch_plan *p,
		      unsigned ncpus)
{
	char tmp[64], name[64];
	unsigned v;
	int dfd, e = 0;

	dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0) {
		measure_error("--dump-vmsa %s: %s", dir,
			      errno == ENOTDIR ? "not a directory"
					       : strerror(errno));
		return EXIT_BAD_INPUT;
	}
	for (v = 0; v < ncpus && !e; v++) {
		snprintf(tmp, sizeof(tmp), TMP_FMT, v, (int)getpid());
		e = write_page(dfd, tmp, p->vmsas + (size_t)v * VMSA_SIZE);
	}
	if (e) {
		unlink_names(dfd, TMP_FMT, v);
		close(dfd);
		measure_error("--dump-vmsa %s: cannot write vmsa%u.bin: %s",
			      dir, v - 1, strerror(-e));
		return EXIT_RUNTIME;
	}
	for (v = 0; v < ncpus; v++) {
		snprintf(tmp, sizeof(tmp), TMP_FMT, v, (int)getpid());
		snprintf(name, sizeof(name), "vmsa%u.bin", v);
		if (renameat(dfd, tmp, dfd, name)) {
			e = errno;
			unlink_names(dfd, TMP_FMT, ncpus);
			close(dfd);
			measure_error("--dump-vmsa %s: cannot rename to %s: "
				      "%s",
				      dir, name, strerror(e));
			return EXIT_RUNTIME;
		}
	}
	close(dfd);
	return -1;
}

/* ------------------------------------------------------------- output */

static void print_text(const struct measure_opts *o, const struct result *r)
{
	uint8_t blob[32 + MNONCE_LEN];

	if (r->have_hmac)
		printf("launch digest: ");
	if (o->base64)
		print_base64(stdout, r->digest, r->dlen);
	else
		print_hex(stdout, r->digest, r->dlen);
	putchar('\n');
	if (!r->have_hmac)
		return;
	/* QEMU's query-sev-launch-measure: base64 of the firmware's 48-byte
	 * output, MEASURE then MNONCE. */
	memcpy(blob, r->hmac, 32);
	memcpy(blob + 32, r->sess.mnonce, MNONCE_LEN);
	printf("launch measure: ");
	print_base64(stdout, blob, sizeof(blob));
	printf("\nmeasurement: ");
	print_hex(stdout, r->hmac, 32);
	putchar('\n');
	if (r->sess.have_blob)
		printf("launch measure blob: %s\n",
		       r->sess.verified ? "verified" : "MISMATCH");
}

/* An input file: { "path", "size" }, or null. */
static void json_file(struct json_writer *w, const char *key, const char *path,
		      size_t size)
{
	jw_key(w, key);
	if (!path) {
		jw_null(w);
		return;
	}
	jw_begin(w);
	jw_key(w, "path");
	jw_cstr(w, path);
	jw_key(w, "size");
	jw_uint(w, size);
	jw_end(w);
}

static void json_step(struct json_writer *w, const struct launch_step *s)
{
	bool snp = s->kind == STEP_SNP_UPDATE || s->kind == STEP_SNP_VMSA;

	jw_begin(w);
	jw_key(w, "command");
	jw_cstr(w, step_kind_name(s));
	jw_key(w, "page_type");
	if (snp)
		jw_cstr(w, page_type_name(s->page_type));
	else
		jw_null(w);
	jw_key(w, "gpa");
	if (s->kind == STEP_UPDATE_VMSA)
		jw_null(w);
	else
		jw_uint(w, s->gpa);
	jw_key(w, "length");
	jw_uint(w, s->len);
	jw_key(w, "what");
	jw_cstr(w, s->what);
	jw_key(w, "vcpu");
	if (s->vcpu >= 0)
		jw_uint(w, (uint64_t)s->vcpu);
	else
		jw_null(w);
	jw_end(w);
}

/* The writer has no arrays: they are assembled here and added raw. */
static int json_steps(struct json_writer *w, const struct launch_plan *p)
{
	char *buf = NULL, *item;
	size_t len = 0, n;
	FILE *m = open_memstream(&buf, &len);
	int rc = 0;

	if (!m)
		return -ENOMEM;
	fputc('[', m);
	for (unsigned k = 0; k < p->nsteps && !rc; k++) {
		struct json_writer iw = {0};

		json_step(&iw, &p->steps[k]);
		rc = jw_finish(&iw, &item, &n);
		if (!rc) {
			fprintf(m, "%s%s", k ? "," : "", item);
			free(item);
		}
	}
	fputc(']', m);
	if (fclose(m) && !rc)
		rc = -ENOMEM;
	if (!rc) {
		jw_key(w, "steps");
		jw_raw(w, buf);
	}
	free(buf);
	return rc;
}

static void json_vmsa_files(struct json_writer *w, const struct measure_opts *o,
			    unsigned n)
{
	struct json_writer iw = {0};
	char *buf = NULL, *item;
	size_t len = 0, ilen;
	FILE *m;

	jw_key(w, "vmsa_files");
	m = o->dump_dir ? open_memstream(&buf, &len) : NULL;
	if (!m) {
		jw_null(w);
		return;
	}
	fputc('[', m);
	for (unsigned v = 0; v < n; v++) {
		char path[4096];

		snprintf(path, sizeof(path), "%s/vmsa%u.bin", o->dump_dir, v);
		/* A string alone is a whole JSON text for the writer. */
		jw_cstr(&iw, path);
		if (!jw_finish(&iw, &item, &ilen)) {
			fprintf(m, "%s%s", v ? "," : "", item);
			free(item);
		}
	}
	fputc(']', m);
	if (fclose(m))
		jw_null(w);
	else
		jw_raw(w, buf);
	free(buf);
}
static void json_launch_measure(struct json_writer *w, const struct result *r)
{
	uint8_t blob[32 + MNONCE_LEN];

	jw_key(w, "launch_measure");
	if (!r->have_hmac) {
		jw_null(w);
		return;
	}
	memcpy(blob, r->hmac, 32);
	memcpy(blob + 32, r->sess.mnonce, MNONCE_LEN);
	jw_begin(w);
	jw_key(w, "api_major");
	jw_uint(w, r->sess.api_major);
	jw_key(w, "api_minor");
	jw_uint(w, r->sess.api_minor);
	jw_key(w, "build_id");
	jw_uint(w, r->sess.build);
	jw_key(w, "policy");
	jw_uint(w, r->sess.policy);
	jw_key(w, "mnonce");
	jw_hex(w, r->sess.mnonce, MNONCE_LEN);
	jw_key(w, "measurement");
	jw_hex(w, r->hmac, 32);
	jw_key(w, "blob");
	jw_base64(w, blob, sizeof(blob));
	jw_key(w, "blob_verified");
	if (r->sess.have_blob)
		jw_bool(w, r->sess.verified);
	else
		jw_null(w);
	jw_end(w);
}

/* What the VMSAs were built from; null where a mode has no VMSA. */
static void json_vmsa_config(struct json_writer *w,
			     const struct measure_opts *o,
			     const struct launch_plan *p)
{
	bool vmsas = o->mode != SEV_MODE_SEV && !o->ovmf_only;
	struct vmsa_regs regs;

	if (vmsas)
		vmsa_regs(&p->vmsa, true, &regs);
	jw_key(w, "vcpus");
	vmsas ? jw_uint(w, o->vcpus) : jw_null(w);
	jw_key(w, "vmsa_rdx");
	vmsas ? jw_uint(w, regs.rdx) : jw_null(w);
	jw_key(w, "sev_features");
	vmsas ? jw_uint(w, regs.sev_features) : jw_null(w);
	jw_key(w, "kvm_init");
	if (vmsas && o->vmm == VMM_QEMU && !o->svsm_mode)
		jw_cstr(w, o->legacy_init ? "legacy" : "init2");
	else
		jw_null(w);
}

/* doc/measure-json.md is the schema; keep the two in step. */
static int print_json(const struct measure_opts *o, const struct inputs *in,
		      const struct launch_plan *p, const struct result *r)
{
	struct json_writer w = {0};
	char *text;
	size_t len;
	int rc;

	jw_begin(&w);
	jw_key(&w, "schema");
	jw_cstr(&w, "sevboot-measure/1");
	jw_key(&w, "mode");
	jw_cstr(&w, mode_name(o));
	jw_key(&w, "vmm_type");
	jw_cstr(&w, vmm_type_name(o->vmm));
	json_vmsa_config(&w, o, p);
	json_file(&w, "ovmf", o->ovmf, in->ovmf.len);
	json_file(&w, "kernel", o->kernel, in->kernel.len);
	json_file(&w, "initrd", o->initrd, in->initrd.len);
	jw_key(&w, "append");
	o->append ? jw_cstr(&w, o->append) : jw_null(&w);
	json_file(&w, "svsm", o->svsm, in->svsm.len);
	jw_key(&w, "vars_size");
	o->svsm_mode ? jw_uint(&w, in->vars_size) : jw_null(&w);
	jw_key(&w, "snp_ovmf_hash");
	o->ovmf_hash ? jw_hex(&w, in->ovmf_digest, 48) : jw_null(&w);
	rc = json_steps(&w, p);
	jw_key(&w, "digest_algorithm");
	jw_cstr(&w, r->dlen == 48 ? "sha384" : "sha256");
	jw_key(&w, "digest");
	jw_hex(&w, r->digest, r->dlen);
	jw_key(&w, "digest_base64");
	jw_base64(&w, r->digest, r->dlen);
	json_vmsa_files(&w, o, r->vmsa_files);
	json_launch_measure(&w, r);
	jw_end(&w);
	if (rc || jw_finish(&w, &text, &len)) {
		if (rc)
			jw_finish(&w, &text, &len);
		free(text);
		measure_error("out of memory for the JSON output");
		return EXIT_RUNTIME;
	}
	fwrite(text, 1, len, stdout);
	putchar('\n');
	free(text);
	return 0;
}

static int build(const struct measure_opts *o, struct inputs *in, uint32_t sig,
		 struct launch_plan *plan, struct result *r)
{
	static const uint8_t no_bytes[1];
	struct launch_opts lo;
	struct launch_inputs li = {
		.ovmf = in->ovmf.data,
		.ovmf_len = in->ovmf.len,
		.info = &in->info,
		/* An empty file still means "a kernel was given". */
		.kernel = o->kernel ? (in->kernel.data ? in->kernel.data
						       : no_bytes)
				    : NULL,
		.kernel_len = in->kernel.len,
		.initrd = in->initrd.data,
		.initrd_len = in->initrd.len,
		.cmdline = o->append,
		.svsm = in->svsm.data,
		.svsm_len = in->svsm.len,
		.svsm_info = o->svsm_mode ? &in->svsm_info : NULL,
		.vars_size = in->vars_size,
	};
	char err[256];
	int rc;

	launch_opts_init(&lo);
	lo.mode = o->mode;
	lo.ncpus = o->vcpus;
	lo.vcpu_sig = sig;
	if (o->have_features)
		lo.snp_features = o->features;
	lo.legacy_init = o->legacy_init;
	lo.debug_swap = o->debug_swap;
	lo.snp_ovmf_only = o->ovmf_only;
	lo.vmm = o->vmm;
	lo.snp_ovmf_digest = o->ovmf_hash ? in->ovmf_digest : NULL;
	rc = launch_build(&lo, &li, plan, r->digest, err, sizeof(err));
	r->dlen = o->mode == SEV_MODE_SNP ? 48 : 32;
	if (rc == -EINVAL && o->svsm_mode) {
		measure_error("--ovmf %s, --svsm %s: %s", o->ovmf, o->svsm,
			      err);
		return EXIT_BAD_INPUT;
	}
	if (rc == -EINVAL) {
		/* What is left to refuse is what the firmware offers. */
		measure_error("--ovmf %s: %s", o->ovmf, err);
		return EXIT_BAD_INPUT;
	}
	if (rc) {
		measure_error("%s", err);
		return EXIT_RUNTIME;
	}
	return -1;
}

/* The inputs that are not files: the vCPU, the session, the digest. */
static int parse_values(const struct measure_opts *o, struct inputs *in,
			struct result *r, uint32_t *sig, const char **label)
{
	int rc = vcpu_signature(o, sig, label);

	if (rc >= 0)
		return rc;
	if (o->tik) {
		rc = parse_session(o, &r->sess);
		if (rc >= 0)
			return rc;
	}
	if (o->ovmf_hash &&
	    hex_decode(o->ovmf_hash, strlen(o->ovmf_hash), in->ovmf_digest,
		       sizeof(in->ovmf_digest)))
		return usage_error("--snp-ovmf-hash %s: give the 48-byte SNP "
				   "digest as 96 hex digits",
				   o->ovmf_hash);
	return -1;
}

static int measure(const struct measure_opts *o, struct inputs *in,
		   struct launch_plan *plan)
{
	struct result r = {0};
	const char *sig_label = NULL;
	uint32_t sig = 0;
	int rc;

	rc = parse_values(o, in, &r, &sig, &sig_label);
	if (rc < 0)
		rc = read_inputs(o, in);
	if (rc < 0)
		rc = build(o, in, sig, plan, &r);
	if (rc >= 0)
		return rc;
	if (o->verbose)
		explain(o, plan, sig, sig_label, plan->vmsa.sev_features);
	if (o->digest_out) {
		memcpy(o->digest_out, r.digest, 48);
		return 0;
	}
	if (o->tik) {
		r.have_hmac = true;
		rc = launch_measure(o, &r.sess, r.digest, r.hmac);
		if (rc >= 0)
			return rc;
	}
	if (o->dump_dir) {
		rc = dump_vmsas(o->dump_dir, plan, o->vcpus);
		if (rc >= 0)
			return rc;
		r.vmsa_files = o->vcpus;
	}
	rc = o->json ? print_json(o, in, plan, &r) : (print_text(o, &r), 0);
	if (!rc && (fflush(stdout) || ferror(stdout))) {
		measure_error("cannot write the result: %s", strerror(errno));
		rc = EXIT_RUNTIME;
	}
	if (!rc && r.sess.have_blob && !r.sess.verified) {
		measure_error("--launch-measure-blob: measurement mismatch: "
			      "its MEASURE is not the HMAC of this launch "
			      "digest under this TIK (firmware %u.%u build "
			      "%u, policy 0x%x)",
			      r.sess.api_major, r.sess.api_minor, r.sess.build,
			      r.sess.policy);
		rc = EXIT_SEV;
	}
	OPENSSL_cleanse(&r, sizeof(r));
	return rc;
}

/* measure() with the plan on the heap (~30 KiB of steps: not for the
 * stack); the inputs and the plan freed after. */
static int measure_once(const struct measure_opts *o)
{
	struct launch_plan *plan = calloc(1, sizeof(*plan));
	struct inputs in = {0};
	int rc;

	if (!plan) {
		measure_error("out of memory");
		return EXIT_RUNTIME;
	}
	rc = measure(o, &in, plan);
	launch_plan_free(plan);
	free(plan);
	inputs_free(&in);
	return rc;
}

int cmd_measure(int argc, char **argv)
{
	struct measure_opts o;
	int rc;

	rc = parse_measure_opts(argc, argv, &o);
	if (rc >= 0)
		return rc;
	rc = check_combinations(&o);
	if (rc >= 0)
		return rc;
	return measure_once(&o);
}

int measure_snp_argv(int argc, char **argv, uint8_t digest[48])
{
	struct measure_opts o;
	int rc;

	rc = parse_measure_opts(argc, argv, &o);
	if (rc >= 0)
		return rc ? rc : EXIT_USAGE; /* --help is not for here */
	rc = check_combinations(&o);
	if (rc >= 0)
		return rc;
	if (o.mode != SEV_MODE_SNP || o.ovmf_only || o.tik)
		return usage_error("an SNP digest needs --mode snp, without "
				   "--tik");
	o.digest_out = digest;
	return measure_once(&o);
}
