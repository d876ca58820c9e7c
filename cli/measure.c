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
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include "cli/cli.h"
#include "cli/measure.h"
#include "loader/loader.h"
#include "sev/sev.h"
#include "util/util.h"

#define MAX_KERNEL (256 * SZ_1M)
#define MAX_INITRD (2 * SZ_1G)
#define TIK_LEN 16
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
	bool have_mode, ovmf_only;
	const char *ovmf, *kernel, *initrd, *append;
	unsigned vcpus;
	const char *cpu;	/* --cpu / --vcpu-type */
	const char *sig;	/* --vcpu-sig */
	const char *fms[3];	/* --vcpu-family/-model/-stepping */
	uint64_t features;
	bool have_features, legacy_init, debug_swap, base64, verbose;
	const char *tik, *mnonce;
	const char *api_major, *api_minor, *build, *policy;
	uint8_t *digest_out; /* measure_snp_argv(): the digest, not printed */
};

static int parse_mode(const char *s, struct measure_opts *o)
{
	o->have_mode = true;
	o->ovmf_only = false;
	if (!strcmp(s, "sev"))
		o->mode = SEV_MODE_SEV;
	else if (!strcmp(s, "seves"))
		o->mode = SEV_MODE_SEV_ES;
	else if (!strcmp(s, "snp"))
		o->mode = SEV_MODE_SNP;
	else if (!strcmp(s, "snp:ovmf-hash")) {
		o->mode = SEV_MODE_SNP;
		o->ovmf_only = true;
	} else
		return -EINVAL;
	return 0;
}

static const char *mode_opt(void *opts, const char *v)
{
	return parse_mode(v, opts) ? "must be sev, seves, snp or snp:ovmf-hash"
				   : NULL;
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
	  .help = "sev, seves, snp, or snp:ovmf-hash (the SNP digest after "
		  "the firmware pages only)" },
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
	{ "output-format", .arg = CLI_CUSTOM, .parse = output_format_opt,
	  .meta = "FMT", .help = "hex (default) or base64, for the digest" },
	{ "verbose", 'v', CLI_FLAG, M(verbose),
	  .help = "say on stderr what is measured, step by step" },

	{ .arg = CLI_SECTION,
	  .help = "The LAUNCH_MEASURE value (SEV and SEV-ES), as "
		  "query-sev-launch-measure prints it, needs all of:" },
	{ "tik", .arg = CLI_STRING, M(tik), .meta = "FILE",
	  .help = "the 16-byte transport integrity key (binary)" },
	{ "mnonce", .arg = CLI_STRING, M(mnonce), .meta = "NONCE",
	  .help = "16 bytes, as 32 hex digits or base64" },
	{ "api-major", .arg = CLI_STRING, M(api_major), .meta = "N",
	  .help = "the SEV firmware's API major version (query-sev)" },
	{ "api-minor", .arg = CLI_STRING, M(api_minor), .meta = "N",
	  .help = "its API minor version" },
	{ "build", .arg = CLI_STRING, M(build), .meta = "N",
	  .help = "its build" },
	{ "policy", .arg = CLI_STRING, M(policy), .meta = "HEX",
	  .help = "the guest policy" },
	{ .arg = CLI_END },
};
/* clang-format on */

const struct cli_spec measure_spec = {
	.name = "measure",
	.prefix = "sevboot: measure: ",
	.synopsis = "measure --mode MODE --ovmf FILE [OPTIONS]",
	.about = "Print the launch digest the AMD Secure Processor will compute "
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
		 "Exit codes: 0 ok, 1 runtime failure, 2 usage, 3 bad input "
		 "file.\n",
};

/* Returns -1 to go on, or an exit code. */
static int parse_measure_opts(int argc, char **argv, struct measure_opts *o)
{
	int rc;

	*o = (struct measure_opts){ .vcpus = 1 };
	rc = cli_parse(&measure_spec, argc, argv, o, NULL);
	if (rc >= 0)
		return rc;
	if (!o->have_mode)
		return usage_error("missing --mode sev|seves|snp|snp:ovmf-hash");
	if (!o->ovmf)
		return usage_error("missing --ovmf FILE");
	return -1;
}

/* The checks that need several options at once. */
static int check_combinations(const struct measure_opts *o)
{
	unsigned nfms = !!o->fms[0] + !!o->fms[1] + !!o->fms[2];
	bool session = o->mnonce || o->api_major || o->api_minor || o->build ||
		       o->policy;

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
	if (!o->kernel && (o->initrd || o->append))
		return usage_error("--initrd and --append need --kernel");
	if (o->debug_swap && (o->mode != SEV_MODE_SEV_ES || !o->legacy_init))
		return usage_error("--debug-swap describes the legacy SEV-ES "
				   "init: it needs --mode seves and "
				   "--legacy-init");
	if (o->ovmf_only && o->kernel)
		return usage_error("--mode snp:ovmf-hash measures the firmware "
				   "only; drop --kernel or use --mode snp");
	if (session && !o->tik)
		return usage_error("--mnonce, --api-major, --api-minor, --build "
				   "and --policy are for --tik");
	if (!o->tik)
		return -1;
	if (o->mode == SEV_MODE_SNP)
		return usage_error("--tik: SNP has no LAUNCH_MEASURE; the "
				   "guest's attestation report carries the "
				   "digest");
	if (!o->mnonce || !o->api_major || !o->api_minor || !o->build ||
	    !o->policy)
		return usage_error("--tik needs --mnonce, --api-major, "
				   "--api-minor, --build and --policy");
	return -1;
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
		*sig = cpu_signature_fms((unsigned)f, (unsigned)m,
					 (unsigned)s);
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
static int load(const char *opt, const char *path, size_t max,
		bool empty_ok, struct blob *b)
{
	char err[256];
	int ret;

	if (empty_ok && is_dev_null(path)) {
		*b = (struct blob){ 0 };
		return -1;
	}
	/* A private copy (made in the kernel): a file truncated while it is
	 * hashed is an error line, not a SIGBUS. */
	ret = file_load(path, max, b, err, sizeof(err));

	if (ret == -ENODATA && empty_ok) {
		*b = (struct blob){ 0 };
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
		[SNP_PAGE_NORMAL] = "NORMAL",	  [SNP_PAGE_VMSA] = "VMSA",
		[SNP_PAGE_ZERO] = "ZERO",	  [SNP_PAGE_UNMEASURED] = "UNMEASURED",
		[SNP_PAGE_SECRETS] = "SECRETS", [SNP_PAGE_CPUID] = "CPUID",
	};

	if (t < sizeof(names) / sizeof(names[0]) && names[t])
		return names[t];
	return "?";
}

static void explain(const struct measure_opts *o, const struct launch_plan *p,
		    uint32_t sig, const char *sig_label, uint64_t features)
{
	const char *pfx = "sevboot: measure:";

	if (o->mode != SEV_MODE_SEV && !o->ovmf_only) {
		fprintf(stderr, "%s %u vCPU%s, signature 0x%x (%s)", pfx,
			o->vcpus, o->vcpus == 1 ? "" : "s", sig, sig_label);
		if (o->mode == SEV_MODE_SNP)
			fprintf(stderr, ", guest features 0x%llx",
				(unsigned long long)features);
		fputc('\n', stderr);
		if (o->legacy_init)
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
};

static int parse_session(const struct measure_opts *o, struct session *s)
{
	const struct {
		const char *opt, *val;
		uint8_t *out;
	} bytes[] = {
		{ "--api-major", o->api_major, &s->api_major },
		{ "--api-minor", o->api_minor, &s->api_minor },
		{ "--build", o->build, &s->build },
	};
	uint64_t v;

	for (size_t k = 0; k < sizeof(bytes) / sizeof(bytes[0]); k++) {
		if (cli_parse_num(bytes[k].val, false, 0xff, &v))
			return usage_error("%s %s: must be a number from 0 "
					   "to 255", bytes[k].opt,
					   bytes[k].val);
		*bytes[k].out = (uint8_t)v;
	}
	if (cli_parse_num(o->policy, true, UINT32_MAX, &v))
		return usage_error("--policy %s: give a 32-bit hex number such "
				   "as 0x5", o->policy);
	s->policy = (uint32_t)v;
	/* The policy's ES bit is what makes QEMU launch SEV-ES at all. */
	if (o->mode == SEV_MODE_SEV_ES && !(s->policy & SEV_POLICY_ES))
		return usage_error("--policy %s: --mode seves needs the ES bit "
				   "(0x4) in the policy", o->policy);
	if (o->mode == SEV_MODE_SEV && (s->policy & SEV_POLICY_ES))
		return usage_error("--policy %s has the ES bit (0x4): that "
				   "launch is SEV-ES, use --mode seves",
				   o->policy);
	if (parse_mnonce(o->mnonce, s->mnonce))
		return usage_error("--mnonce %s: give 16 bytes as 32 hex "
				   "digits or 24 base64 characters", o->mnonce);
	return -1;
}

/* The TIK lives only in tik[] and the file buffer, both wiped here, and
 * is never printed. */
static int launch_measure(const struct measure_opts *o,
			  const struct session *s, const uint8_t digest[32],
			  uint8_t out[32])
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
			      "bytes (binary)", o->tik, TIK_LEN);
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
	OPENSSL_cleanse(tik, sizeof(tik));
	if (rc) {
		measure_error("--tik %s: HMAC-SHA256 failed: %s", o->tik,
			      strerror(-rc));
		return EXIT_RUNTIME;
	}
	return -1;
}

/* Inputs, read once; the plan points into them. */
struct inputs {
	struct blob ovmf, kernel, initrd;
	struct ovmf_info info;
};

static void inputs_free(struct inputs *in)
{
	blob_free(&in->ovmf);
	blob_free(&in->kernel);
	blob_free(&in->initrd);
}

static int read_inputs(const struct measure_opts *o, struct inputs *in)
{
	char err[256];
	int rc;

	rc = load("--ovmf", o->ovmf, OVMF_MAX_SIZE, false, &in->ovmf);
	if (rc >= 0)
		return rc;
	if (ovmf_parse(in->ovmf.data, in->ovmf.len, &in->info, err,
		       sizeof(err))) {
		measure_error("--ovmf %s: %s", o->ovmf, err);
		return EXIT_BAD_INPUT;
	}
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
	return -1;
}

static int print_results(const struct measure_opts *o, const uint8_t *d,
			 size_t dlen, const uint8_t *measure,
			 const uint8_t *mnonce)
{
	uint8_t blob[32 + MNONCE_LEN];

	if (measure)
		printf("launch digest: ");
	if (o->base64)
		print_base64(stdout, d, dlen);
	else
		print_hex(stdout, d, dlen);
	putchar('\n');
	if (measure) {
		/* QEMU's query-sev-launch-measure: base64 of the firmware's
		 * 48-byte output, MEASURE then MNONCE. */
		memcpy(blob, measure, 32);
		memcpy(blob + 32, mnonce, MNONCE_LEN);
		printf("launch measure: ");
		print_base64(stdout, blob, sizeof(blob));
		printf("\nmeasurement: ");
		print_hex(stdout, measure, 32);
		putchar('\n');
	}
	if (fflush(stdout) || ferror(stdout)) {
		measure_error("cannot write the result: %s", strerror(errno));
		return EXIT_RUNTIME;
	}
	return 0;
}

static int measure(const struct measure_opts *o, struct inputs *in,
		   struct launch_plan *plan)
{
	static const uint8_t no_bytes[1];
	struct session sess;
	uint8_t digest[48], hmac[32];
	const char *sig_label = NULL;
	uint32_t sig = 0;
	char err[256];
	int rc;

	rc = vcpu_signature(o, &sig, &sig_label);
	if (rc >= 0)
		return rc;
	if (o->tik) {
		rc = parse_session(o, &sess);
		if (rc >= 0)
			return rc;
	}
	rc = read_inputs(o, in);
	if (rc >= 0)
		return rc;

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
	};

	launch_opts_init(&lo);
	lo.mode = o->mode;
	lo.ncpus = o->vcpus;
	lo.vcpu_sig = sig;
	if (o->have_features)
		lo.snp_features = o->features;
	lo.legacy_init = o->legacy_init;
	lo.debug_swap = o->debug_swap;
	lo.snp_ovmf_only = o->ovmf_only;
	rc = launch_build(&lo, &li, plan, digest, err, sizeof(err));
	if (rc == -EINVAL) {
		/* What is left to refuse is what the firmware offers. */
		measure_error("--ovmf %s: %s", o->ovmf, err);
		return EXIT_BAD_INPUT;
	}
	if (rc) {
		measure_error("%s", err);
		return EXIT_RUNTIME;
	}
	if (o->verbose)
		explain(o, plan, sig, sig_label, lo.snp_features);
	if (o->digest_out) {
		memcpy(o->digest_out, digest, 48);
		return 0;
	}
	if (o->tik) {
		rc = launch_measure(o, &sess, digest, hmac);
		if (rc >= 0)
			return rc;
	}
	return print_results(o, digest, o->mode == SEV_MODE_SNP ? 48 : 32,
			     o->tik ? hmac : NULL, sess.mnonce);
}

int cmd_measure(int argc, char **argv)
{
	struct measure_opts o;
	struct inputs in = { 0 };
	struct launch_plan *plan;
	int rc;

	rc = parse_measure_opts(argc, argv, &o);
	if (rc >= 0)
		return rc;
	rc = check_combinations(&o);
	if (rc >= 0)
		return rc;

	/* ~30 KiB of steps: not for the stack. */
	plan = calloc(1, sizeof(*plan));
	if (!plan) {
		measure_error("out of memory");
		return EXIT_RUNTIME;
	}
	rc = measure(&o, &in, plan);
	launch_plan_free(plan);
	free(plan);
	inputs_free(&in);
	return rc;
}

int measure_snp_argv(int argc, char **argv, uint8_t digest[48])
{
	struct measure_opts o;
	struct inputs in = { 0 };
	struct launch_plan *plan;
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
	plan = calloc(1, sizeof(*plan));
	if (!plan) {
		measure_error("out of memory");
		return EXIT_RUNTIME;
	}
	rc = measure(&o, &in, plan);
	launch_plan_free(plan);
	free(plan);
	inputs_free(&in);
	return rc;
}
