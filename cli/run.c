// SPDX-License-Identifier: MIT
/* `sevboot run`: options -> inputs -> the machine -> an exit code. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <pthread.h>
#include <regex.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <termios.h>
#include <unistd.h>

#include <openssl/crypto.h>

#include "cli/cli.h"
#include "owner/owner.h"
#include "loader/loader.h"
#include "sev/sev.h"
#include "vmm/vmm.h"

#define DEFAULT_MEM (512 * SZ_1M)
#define DEFAULT_CMDLINE "console=ttyS0"
#define MAX_KERNEL (256 * SZ_1M)
#define MAX_INITRD (2 * SZ_1G)
#define MAX_TIMEOUT (7 * 24 * 3600)
#define MAX_OUTPUT_LIMIT      (1ULL << 40)
#define DEFAULT_SNP_POLICY 0x30000ULL
#define DEFAULT_OWNER_TIMEOUT 600

struct run_opts {
	const char *ovmf, *kernel, *initrd, *append;
	const char *serial, *serial_in, *debugcon;
	uint64_t mem;
	uint64_t serial_limit, debugcon_limit; /* 0: none */
	bool raw;
	unsigned smp, timeout;
	bool verbose;
	bool no_seccomp;

	/* SEV: requested by --policy (bit 2 selects SEV-ES, as in QEMU) or
	 * --snp / --snp-policy. */
	bool sev;
	enum sev_mode mode;
	uint32_t policy;
	uint64_t snp_policy;
	int cbitpos, reduced_phys_bits; /* -1: not given */
	bool legacy_init;
	bool snp;
	const char *cpu;	  /* --cpu: the VMSA's CPUID signature */
	uint64_t guest_features;  /* SNP SEV_FEATURES */
	bool no_kernel_hashes;
	bool model;		  /* --sev-model */
	const char *model_keys;	  /* --sev-model-keys DIR */
	const char *dh_cert_file, *session_file;
	const char *owner_cmd, *owner_socket;
	unsigned owner_timeout;
	bool have_secret_gpa;
	uint64_t secret_gpa;
	const char *timing_json, *timing_csv;
	const char *marks[TL_MAX_MARKS]; /* --mark REGEX */
	unsigned nmarks;
	const char *json_events; /* FD or FILE */
	bool launch_only, stop_at_mark;
	const char *id_block, *id_auth, *host_data;
	bool author_key;
	bool self_session; /* --self-session */
	uint32_t handle; /* --handle */
};

static const char *parse_secret_gpa(void *opts, const char *v)
{
	struct run_opts *o = opts;

	if (cli_parse_num(v, true, (1ULL << 52) - 1, &o->secret_gpa) ||
	    o->secret_gpa == 0 || (o->secret_gpa & 15))
		return "give a 16-byte aligned guest address in hex";
	o->have_secret_gpa = true;
	return NULL;
}

/* --mark: checked here (one line naming it), compiled again for the
 * timeline. */
static const char *parse_mark(void *opts, const char *v)
{
	struct run_opts *o = opts;
	regex_t re;

	if (o->nmarks >= TL_MAX_MARKS)
		return "at most 16 --mark patterns";
	if (!*v || strlen(v) >= TL_DETAIL_LEN ||
	    regcomp(&re, v, REG_EXTENDED | REG_NOSUB))
		return "give a POSIX extended regular expression (regcomp), "
		       "1 to 159 characters";
	regfree(&re);
	o->marks[o->nmarks++] = v;
	return NULL;
}

#define RUN(field) CLI_FIELD(struct run_opts, field)

/* clang-format off */
static const struct cli_opt run_options[] = {
	{ "ovmf", .arg = CLI_STRING, RUN(ovmf), .meta = "FILE",
	  .help = "firmware image, mapped to end at 4 GiB (alias --bios)" },
	{ "bios", .arg = CLI_STRING, RUN(ovmf), .meta = "FILE" },
	{ "kernel", .arg = CLI_STRING, RUN(kernel), .meta = "FILE",
	  .help = "Linux bzImage" },
	{ "initrd", .arg = CLI_STRING, RUN(initrd), .meta = "FILE",
	  .help = "initial ramdisk" },
	{ "append", .arg = CLI_STRING, RUN(append), .meta = "STRING",
	  .help = "kernel command line (default \"" DEFAULT_CMDLINE "\")" },
	{ "mem", .arg = CLI_SIZE, RUN(mem), .min = LAYOUT_MIN_RAM,
	  .max = LAYOUT_MAX_RAM, .meta = "SIZE", .qemu = "m",
	  .help = "guest RAM, e.g. 512M, 4G (default 512M, 16M to 1T)" },
	{ "smp", .arg = CLI_UINT, RUN(smp), .min = 1, .max = VMM_MAX_VCPUS,
	  .meta = "N", .help = "number of vCPUs (default 1)" },
	{ "serial", .arg = CLI_STRING, RUN(serial), .meta = "FILE",
	  .help = "write guest serial output to FILE (default stdout)" },
	{ "serial-in", .arg = CLI_STRING, RUN(serial_in), .meta = "FILE",
	  .help = "feed FILE to the guest's serial input (default: stdin when "
		  "it is a terminal)" },
	{ "debugcon", .arg = CLI_STRING, RUN(debugcon), .meta = "FILE",
	  .help = "write the firmware's debug port (0x402) to FILE" },
	{ "serial-limit", .arg = CLI_SIZE, RUN(serial_limit), .min = 1,
	  .max = MAX_OUTPUT_LIMIT, .meta = "SIZE",
	  .help = "write at most SIZE bytes of serial output (e.g. 1M); the "
		  "rest is discarded, the guest keeps running" },
	{ "debugcon-limit", .arg = CLI_SIZE, RUN(debugcon_limit), .min = 1,
	  .max = MAX_OUTPUT_LIMIT, .meta = "SIZE",
	  .help = "the same for --debugcon's output" },
	{ "raw", .arg = CLI_FLAG, RUN(raw),
	  .help = "keep the control sequences of the guest's output when it "
		  "goes to a terminal (filtered by default: they could "
		  "reprogram it)" },
	{ "timeout", .arg = CLI_UINT, RUN(timeout), .min = 1,
	  .max = MAX_TIMEOUT, .unit = "seconds", .meta = "SECONDS",
	  .help = "stop the guest after SECONDS (exit code 124)" },
	{ "verbose", 'v', CLI_FLAG, RUN(verbose),
	  .help = "say what the machine does, on stderr" },
	{ "no-seccomp", .arg = CLI_FLAG, RUN(no_seccomp),
	  .help = "run the guest without the seccomp filter that confines "
		  "the run loop (for debugging)" },

	{ .arg = CLI_SECTION, .help = "SEV, SEV-ES and SEV-SNP launches:" },
	{ "policy", .arg = CLI_HEX, RUN(policy), .max = UINT32_MAX,
	  CLI_ALSO(struct run_opts, sev), .meta = "HEX",
	  .bad = "give the guest policy in hex, e.g. 0x5",
	  .help = "launch an SEV guest with this policy; bit 2 (0x4) selects "
		  "SEV-ES, as in QEMU" },
	{ "snp", .arg = CLI_FLAG, RUN(snp),
	  .help = "launch an SEV-SNP guest" },
	{ "snp-policy", .arg = CLI_HEX, RUN(snp_policy), .max = UINT64_MAX,
	  CLI_ALSO(struct run_opts, snp), .meta = "HEX",
	  .bad = "give the policy in hex, e.g. 0x30000",
	  .help = "the SEV-SNP guest policy (implies --snp; default "
		  "0x30000)" },
	{ "cbitpos", .arg = CLI_UINT, RUN(cbitpos), .max = 63, .meta = "N",
	  .help = "the C-bit position, checked against the host as QEMU "
		  "does" },
	{ "reduced-phys-bits", .arg = CLI_UINT, RUN(reduced_phys_bits),
	  .max = 63, .meta = "N",
	  .help = "the physical address bits lost, checked against the host "
		  "as QEMU does" },
	{ "legacy-init", .arg = CLI_FLAG, RUN(legacy_init),
	  .help = "use KVM_SEV_INIT/KVM_SEV_ES_INIT, not KVM_SEV_INIT2 "
		  "(SEV-ES digests differ: the VMSA's FPU fields)" },
	{ "cpu", .arg = CLI_STRING, RUN(cpu), .meta = "MODEL|SIG",
	  .help = "vCPU signature in the VMSAs (RDX), a QEMU model name or "
		  "0xSIG (default " LAUNCH_DEFAULT_CPU ")" },
	{ "guest-features", .arg = CLI_HEX, RUN(guest_features),
	  .max = UINT64_MAX, .meta = "HEX",
	  .bad = "give SEV_FEATURES in hex",
	  .help = "SNP SEV_FEATURES of the VMSAs (default 0x1)" },
	{ "vmm-type", .arg = CLI_CUSTOM, .parse = launch_run_vmm_type,
	  .meta = "TYPE",
	  .help = "QEMU only (ec2, gce and snp:svsm launches are for sevboot "
		  "measure)" },
	{ "svsm", .arg = CLI_CUSTOM, .parse = launch_run_svsm,
	  .meta = "FILE" },
	{ "no-kernel-hashes", .arg = CLI_FLAG, RUN(no_kernel_hashes),
	  .help = "boot --kernel unmeasured when the firmware has no hashes "
		  "table (otherwise refused)" },
	{ "handle", .arg = CLI_UINT, RUN(handle), .min = 1,
	  .max = UINT32_MAX, .meta = "N",
	  .bad = "give the firmware handle of the guest whose key to share "
		 "(a number from 1)",
	  .help = "share the key of the guest with firmware handle N" },
	{ "self-session", .arg = CLI_FLAG, RUN(self_session),
	  .help = "SEV/SEV-ES without a guest owner: launch with a session of "
		  "sevboot's own for the platform's PDH and check "
		  "LAUNCH_MEASURE with its TIK (no all-zero-TIK assumption)" },
	{ "dh-cert-file", .arg = CLI_STRING, RUN(dh_cert_file), .meta = "FILE",
	  .help = "the guest owner's GODH certificate for LAUNCH_START (raw "
		  "or base64; with --session-file)" },
	{ "session-file", .arg = CLI_STRING, RUN(session_file), .meta = "FILE",
	  .help = "the guest owner's session blob for LAUNCH_START (raw or "
		  "base64)" },
	{ "owner-cmd", .arg = CLI_STRING, RUN(owner_cmd), .meta = "CMD",
	  .help = "stop after LAUNCH_MEASURE: CMD gets the measurement as "
		  "JSON on stdin and answers with the secret (see "
		  "doc/owner-protocol.md)" },
	{ "owner-socket", .arg = CLI_STRING, RUN(owner_socket), .meta = "PATH",
	  .help = "the same stop through a unix socket at PATH (QMP-like), "
		  "which also answers query-sev-attestation-report; with "
		  "--sev-model --snp, a stop after SNP_LAUNCH_FINISH for "
		  "query-snp-attestation-report" },
	{ "owner-timeout", .arg = CLI_UINT, RUN(owner_timeout), .min = 1,
	  .max = MAX_TIMEOUT, .unit = "seconds", .meta = "SECONDS",
	  .help = "how long to wait for the owner (default 600)" },
	{ "secret-gpa", .arg = CLI_CUSTOM, .parse = parse_secret_gpa,
	  .meta = "HEX",
	  .help = "where the secret goes (default: the firmware's SEV secret "
		  "area)" },
	{ "id-block", .arg = CLI_STRING, RUN(id_block), .meta = "FILE",
	  .help = "SNP_LAUNCH_FINISH's ID block (raw or base64, as QEMU; with "
		  "--id-auth)" },
	{ "id-auth", .arg = CLI_STRING, RUN(id_auth), .meta = "FILE",
	  .help = "SNP_LAUNCH_FINISH's ID authentication (raw or base64)" },
	{ "author-key-enabled", .arg = CLI_FLAG, RUN(author_key),
	  .help = "the ID authentication holds an author key" },
	{ "host-data", .arg = CLI_STRING, RUN(host_data), .meta = "B64",
	  .help = "SNP_LAUNCH_FINISH's host data: 32 bytes in base64" },
	{ .arg = CLI_SECTION, .help = "Timing and events:" },
	{ "timing-json", .arg = CLI_STRING, RUN(timing_json), .meta = "FILE",
	  .help = "write the run's timeline to FILE: every phase, every "
		  "firmware command, the guest's milestones, and a header "
		  "(doc/timing-schema.md)" },
	{ "timing-csv", .arg = CLI_STRING, RUN(timing_csv), .meta = "FILE",
	  .help = "the timeline's phases and marks as CSV" },
	{ "mark", .arg = CLI_CUSTOM, .parse = parse_mark, .meta = "REGEX",
	  .help = "a milestone: the first line of serial output that matches "
		  "REGEX (POSIX extended; up to 16 --mark)" },
	{ "json-events", .arg = CLI_STRING, RUN(json_events),
	  .meta = "FD|FILE",
	  .help = "one JSON object per line on descriptor FD (or FILE) for "
		  "the expected digest, the measurement, the owner's stop, "
		  "FINISH, the guest's stop and the exit code" },
	{ "stop-at-mark", .arg = CLI_FLAG, RUN(stop_at_mark),
	  .help = "stop the guest once every --mark has matched; exit 0 "
		  "(for timing a boot to a line of its output)" },
	{ "launch-only", .arg = CLI_FLAG, RUN(launch_only),
	  .help = "stop right after the launch (LAUNCH_FINISH), before any "
		  "vCPU runs; exit 0 (for timing)" },
	{ "sev-model", .arg = CLI_FLAG, RUN(model),
	  .help = "run the launch on sevboot's software model of the AMD "
		  "Secure Processor: the guest is NOT confidential" },
	{ "sev-model-keys", .arg = CLI_STRING, RUN(model_keys), .meta = "DIR",
	  .help = "the model's identity, from `sevboot model-keys DIR`: its "
		  "PDH, its chain, the PEK and VCEK that sign attestation "
		  "reports (a DIR with only pdh.key: the PDH alone)" },
	{ .arg = CLI_END },
};
/* clang-format on */

const struct cli_spec run_spec = {
	.name = "run",
	.prefix = "sevboot: ",
	.synopsis = "[run] [OPTIONS]",
	.about = "Boot a guest on KVM: OVMF (kernel, initrd and command line "
		 "over fw_cfg),\n"
		 "or, without --ovmf, a bzImage through the 64-bit boot "
		 "protocol.\n",
	.opts = run_options,
	.notes = "Exit codes: 0 guest powered off, 1 runtime failure, 2 "
		 "usage, 3 bad input\n"
		 "file, 4 host lacks KVM support, 5 SEV launch failure, 10 "
		 "guest reset,\n"
		 "11 triple fault, 12 a system call outside the seccomp "
		 "filter, 64+v guest\n"
		 "wrote v to port 0x501, 124 timeout, 128+n signal n.\n",
};

/* The SEV mode the options ask for, and what goes with it. */
static int check_sev_opts(struct run_opts *o)
{
	if (o->snp && o->sev)
		return cli_error(&run_spec, "--policy is for SEV and SEV-ES, "
				 "--snp for SEV-SNP: give one");
	if (o->snp) {
		o->sev = true;
		o->mode = SEV_MODE_SNP;
	} else if (o->sev) {
		o->mode = (o->policy & SEV_POLICY_ES) ? SEV_MODE_SEV_ES
						      : SEV_MODE_SEV;
	}
	if (!o->sev && (o->cbitpos >= 0 || o->reduced_phys_bits >= 0 ||
			o->legacy_init || o->cpu || o->no_kernel_hashes ||
			o->model || o->model_keys || o->dh_cert_file ||
			o->session_file || o->owner_cmd || o->owner_socket ||
			o->have_secret_gpa || o->id_block ||
			o->id_auth || o->author_key || o->host_data ||
			o->handle || o->self_session))
		return cli_error(&run_spec, "--cbitpos, --reduced-phys-bits, "
				 "--legacy-init and the other SEV options "
				 "need --policy or --snp");
	if (o->model_keys && !o->model)
		return cli_error(&run_spec,
				 "--sev-model-keys goes with --sev-model");
	if (!!o->dh_cert_file != !!o->session_file)
		return cli_error(&run_spec, "--dh-cert-file and --session-file "
				 "go together");
	if (o->owner_cmd && o->owner_socket)
		return cli_error(&run_spec, "give --owner-cmd or "
				 "--owner-socket, not both");
	if (o->self_session &&
	    (o->dh_cert_file || o->owner_cmd || o->owner_socket))
		return cli_error(&run_spec, "--self-session is sevboot's own "
				 "session: it does not go with a guest owner's "
				 "(--dh-cert-file, --owner-cmd, --owner-socket)");
	return -1;
}

/* What only SEV/SEV-ES or only SNP takes. */
static int check_sev_mode_opts(const struct run_opts *o)
{
	if (o->mode == SEV_MODE_SNP &&
	    (o->dh_cert_file || o->owner_cmd ||
	     (o->owner_socket && !o->model) || o->have_secret_gpa ||
	     o->handle || o->self_session))
		return cli_error(&run_spec, "--dh-cert-file, --session-file, "
				 "--self-session, "
				 "--handle, the owner stop and --secret-gpa "
				 "are for SEV and SEV-ES (LAUNCH_SECRET); SNP "
				 "guests get secrets through attestation (with "
				 "--sev-model, --owner-socket stops for an "
				 "SNP report after SNP_LAUNCH_FINISH)");
	if (o->mode != SEV_MODE_SNP &&
	    (o->id_block || o->id_auth || o->author_key || o->host_data ||
	     o->guest_features != 0x1))
		return cli_error(&run_spec, "--id-block, --id-auth, "
				 "--author-key-enabled, --host-data and "
				 "--guest-features are for SNP (--snp)");
	if (!!o->id_block != !!o->id_auth)
		return cli_error(&run_spec,
				 "--id-block and --id-auth go together");
	if (o->author_key && !o->id_auth)
		return cli_error(&run_spec,
				 "--author-key-enabled needs --id-auth");
	if (o->mode == SEV_MODE_SNP && o->legacy_init)
		return cli_error(&run_spec, "--legacy-init is for SEV and "
				 "SEV-ES: SNP exists only with KVM_SEV_INIT2");
	return -1;
}

/* What there is to boot. */
static int check_boot_opts(const struct run_opts *o)
{
	if (o->sev && !o->ovmf)
		return cli_error(&run_spec, "an SEV guest needs --ovmf: the "
				 "firmware is what the Secure Processor "
				 "measures");
	if (!o->ovmf && !o->kernel)
		return cli_error(&run_spec, "nothing to boot: give --ovmf FILE "
				 "and/or --kernel FILE");
	if (!o->kernel && (o->initrd || o->append))
		return cli_error(&run_spec,
				 "--initrd and --append need --kernel");
	if (o->debugcon_limit && !o->debugcon)
		return cli_error(&run_spec,
				 "--debugcon-limit needs --debugcon FILE");
	if (o->stop_at_mark && !o->nmarks)
		return cli_error(&run_spec, "--stop-at-mark needs --mark REGEX");
	return -1;
}

/* Returns -1 to go on, or an exit code. */
static int parse_run_opts(int argc, char **argv, struct run_opts *o)
{
	int rc;

	*o = (struct run_opts){ .mem = DEFAULT_MEM,
				.smp = 1,
				.snp_policy = DEFAULT_SNP_POLICY,
				.cbitpos = -1,
				.reduced_phys_bits = -1,
				.guest_features = 0x1,
				.owner_timeout = DEFAULT_OWNER_TIMEOUT };
	rc = cli_parse(&run_spec, argc, argv, o, NULL);
	if (rc < 0)
		rc = check_sev_opts(o);
	if (rc < 0)
		rc = check_sev_mode_opts(o);
	if (rc < 0)
		rc = check_boot_opts(o);
	return rc;
}

static int load(const char *opt, const char *path, size_t max,
		struct blob *b)
{
	char err[256];
	/* A private copy the file's fate cannot reach (a truncated file
	 * mapped directly would SIGBUS at the guest's next fw_cfg read);
	 * the machine releases its pages once the guest has its own copy. */
	int ret = file_load(path, max, b, err, sizeof(err));

	if (ret) {
		fprintf(stderr, "sevboot: %s %s: %s\n", opt, path, err);
		return EXIT_BAD_INPUT;
	}
	return 0;
}

static int open_out(const char *opt, const char *path, int *fd)
{
	*fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (*fd < 0) {
		fprintf(stderr, "sevboot: %s %s: %s\n", opt, path,
			strerror(errno));
		return EXIT_BAD_INPUT;
	}
	return 0;
}

/* Interactive use: keys go to the guest one by one, unechoed; Ctrl-C still
 * stops sevboot. */
static bool term_raw(int fd, struct termios *saved)
{
	struct termios t;

	if (!isatty(fd) || tcgetattr(fd, saved))
		return false;
	t = *saved;
	t.c_lflag &= ~(ICANON | ECHO);
	t.c_iflag &= ~(ICRNL);
	t.c_cc[VMIN] = 1;
	t.c_cc[VTIME] = 0;
	return tcsetattr(fd, TCSANOW, &t) == 0;
}

static const char *sev_mode_display(enum sev_mode m)
{
	return m == SEV_MODE_SNP ? "SEV-SNP" : m == SEV_MODE_SEV_ES ? "SEV-ES"
								      : "SEV";
}

static int exit_code_for(const struct vm_result *r, const char *err)
{
	switch (r->why) {
	case VM_STOP_POWEROFF:
		return EXIT_POWEROFF;
	case VM_STOP_RESET:
		fprintf(stderr, "sevboot: the guest asked for a reset\n");
		return EXIT_RESET;
	case VM_STOP_TRIPLE_FAULT:
		fprintf(stderr,
			"sevboot: the guest triple-faulted (vCPU %d)\n",
			r->status);
		return EXIT_TRIPLE_FAULT;
	case VM_STOP_DEBUG_EXIT:
		return EXIT_DEBUG_BASE + (r->status & 0x3f);
	case VM_STOP_TIMEOUT:
		fprintf(stderr, "sevboot: timeout: the guest was stopped\n");
		return EXIT_TIMEOUT;
	case VM_STOP_SIGNAL:
		fprintf(stderr, "sevboot: stopped by signal %d (%s)\n",
			r->status, strsignal(r->status));
		return EXIT_SIGNAL_BASE + r->status;
	case VM_STOP_LAUNCHED:
	case VM_STOP_MARKED:
		return 0;
	case VM_STOP_ERROR:
	default:
		fprintf(stderr, "sevboot: %s\n",
			err && *err ? err : "the machine stopped on an error");
		return EXIT_RUNTIME;
	}
}

/*
 * Before anything is created: the SNP policy against the rules of this
 * host's KVM (the model stands behind the same kernel), then, for the real
 * firmware, whether the host can run the mode at all.
 */
static int check_sev_host(const struct run_opts *o, struct sev_host_info *info,
			  struct sev_kernel_profile *kernel)
{
	struct sev_host_facts facts;
	struct snp_policy_rules rules;
	char msg[1024];
	int ret;

	sev_host_gather(&facts);
	if (o->verbose) {
		sev_host_describe(&facts, msg, sizeof(msg));
		fprintf(stderr, "sevboot: host: %s\n", msg);
	}
	/* The model follows this host's kernel (or, for tests, the release
	 * SEVBOOT_MODEL_KERNEL names): a mode the kernel lacks is refused on
	 * the model too, and its SNP policy rules apply. */
	if (o->model && getenv("SEVBOOT_MODEL_KERNEL"))
		snprintf(facts.kernel_release, sizeof(facts.kernel_release),
			 "%s", getenv("SEVBOOT_MODEL_KERNEL"));
	sev_kernel_profile_from(&facts, kernel);
	if (o->model && o->mode == SEV_MODE_SNP && !kernel->snp) {
		sev_kernel_profile_name(kernel, msg, sizeof(msg));
		fprintf(stderr,
			"sevboot: this host cannot run SEV-SNP guests, not even "
			"on the firmware model, which follows the host kernel: "
			"%s has no SNP (KVM_X86_SNP_VM and the SNP launch "
			"commands need Linux 6.11 or later)\n",
			msg);
		return EXIT_HOST;
	}
	if (o->mode == SEV_MODE_SNP) {
		sev_snp_policy_rules(&facts, &rules);
		if (sev_snp_policy_check(o->snp_policy, &rules, msg,
					 sizeof(msg))) {
			fprintf(stderr, "sevboot: --snp-policy: %s\n", msg);
			return EXIT_USAGE;
		}
	}
	if (o->model)
		return 0;
	ret = sev_host_check(&facts, o->mode, o->cbitpos, o->reduced_phys_bits,
			     msg, sizeof(msg), info);
	if (ret == -EINVAL) {
		fprintf(stderr, "sevboot: %s\n", msg);
		return EXIT_USAGE;
	}
	if (ret) {
		fprintf(stderr, "sevboot: this host cannot run %s guests: %s%s\n",
			sev_mode_display(o->mode), msg,
			" (--sev-model runs the launch on a software model, "
			"without confidentiality)");
		return EXIT_HOST;
	}
	return 0;
}

/* Everything an SEV launch needs beyond a plain boot, owned by cmd_run. */
struct run_sev {
	const struct run_opts *o;
	struct launch_plan *plan;
	uint8_t expected[48];
	bool legacy_init; /* as launched (a pre-6.10 kernel forces it) */
	struct sev_kernel_profile kernel; /* this host's (the model's rules) */
	bool measured_kernel; /* measured direct boot */
	uint32_t vcpu_sig;
	struct sev_run_config rc;
	struct sev_run *run;
	struct sev_snp_finish_args fin;
	uint8_t dh_cert[SEV_CERT_LEN], session[SEV_SESSION_LEN];
	uint8_t model_pdh[48];
	struct sev_model_identity *identity; /* --sev-model-keys DIR */
	uint8_t id_block[96], id_auth[4096];
	struct owner_opts owner;
	int owner_ret; /* the owner exchange's result, for the exit code */
	int stop_fd;	 /* signalfd of the stop signals (stop_signals_block) */
	int stop_signal; /* the one that stopped the launch or the owner */
	struct timeline *tl;
};

/*
 * Ctrl-C, SIGTERM and SIGHUP stop sevboot at any point, within a second,
 * with exit 128 + n.  They are blocked from the start (every thread
 * inherits the mask), so each waits, pending, for a place that looks:
 * between the start-up steps (cmd_run), before every firmware command
 * (the launch's stop callback), in the guest owner's wait (owner/, on
 * this signalfd) and in the run loop (vm_run's sigtimedwait).  Nothing
 * reads the signalfd: the signal stays pending for the next place.
 */
static const int stop_signals[] = { SIGINT, SIGTERM, SIGHUP };

static int stop_signals_block(void)
{
	sigset_t set;

	sigemptyset(&set);
	for (unsigned k = 0; k < 3; k++)
		sigaddset(&set, stop_signals[k]);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	return signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK);
}

/* The stop signal pending now (poll with no wait), or 0. */
static int stop_pending(int stop_fd)
{
	struct pollfd p = { .fd = stop_fd, .events = POLLIN };
	sigset_t pending;

	if (stop_fd < 0 || poll(&p, 1, 0) != 1)
		return 0;
	sigpending(&pending);
	for (unsigned k = 0; k < 3; k++)
		if (sigismember(&pending, stop_signals[k]))
			return stop_signals[k];
	return 0;
}

/* Between start-up steps: a pending stop ends the run here, saying
 * when.  0 to go on, or the exit code. */
static int startup_stop(struct run_sev *r, const char *when)
{
	int sig = stop_pending(r->stop_fd);

	if (!sig)
		return 0;
	fprintf(stderr, "sevboot: stopped by signal %d (%s) %s\n", sig,
		strsignal(sig), when);
	return EXIT_SIGNAL_BASE + sig;
}

/* The launch's stop callback: before every firmware command. */
static int launch_stop_cb(void *ctx)
{
	struct run_sev *r = ctx;

	if (!r->stop_signal)
		r->stop_signal = stop_pending(r->stop_fd);
	return r->stop_signal;
}

static int owner_cb(void *ctx, const struct sev_owner_request *req,
		    struct sev_owner_reply *rep, char *err, size_t errlen)
{
	struct run_sev *r = ctx;

	r->owner_ret = owner_exchange(&r->owner, req, rep, err, errlen);
	/* The signal that ended the wait is still pending: which one
	 * decides the exit code. */
	if (r->owner_ret == -EINTR && !r->stop_signal)
		r->stop_signal = stop_pending(r->stop_fd);
	return r->owner_ret;
}

/* The owner socket's report commands, answered by the launch. */
static int attest_cb(void *ctx, const struct sev_owner_cmd *c,
		     uint8_t *report, size_t *len, char *err, size_t errlen)
{
	struct run_sev *r = ctx;
	int ret;

	if (c->id == SEV_OWNER_CMD_ATTEST_SNP) {
		ret = sev_run_snp_report(r->run, c->nonce, c->vmpl, report, err,
					 errlen);
		*len = SEV_MODEL_SNP_REPORT_LEN;
	} else {
		ret = sev_run_attestation_report(r->run, c->nonce, report, err,
						 errlen);
		*len = SEV_MODEL_SEV_REPORT_LEN;
	}
	if (!ret)
		fprintf(stderr, "sevboot: the guest owner asked for the %s "
				"attestation report\n",
			c->id == SEV_OWNER_CMD_ATTEST_SNP ? "SNP" : "SEV");
	return ret;
}

/* The timings, whether the launch went well or not: a researcher wants
 * the failed step's figures too. */
static void report_cb(void *ctx, const struct sev_run *run)
{
	struct run_sev *r = ctx;

	if (r->o->verbose)
		sev_run_timing_table(run, stderr);
}

static void print_hex(const char *what, const uint8_t *b, size_t n)
{
	char text[2 * 48 + 1];

	hex_encode(b, n, text);
	fprintf(stderr, "sevboot: %s: %s\n", what, text);
}

/* Read the model's PDH key from DIR/pdh.key (48 bytes, kept private). */
static int read_model_key(const char *dir, uint8_t d[48])
{
	char path[PATH_MAX], err[256];
	struct blob b;
	int ret;

	if (snprintf(path, sizeof(path), "%s/pdh.key", dir) >=
	    (int)sizeof(path)) {
		fprintf(stderr, "sevboot: --sev-model-keys %s: path too "
				"long\n", dir);
		return EXIT_USAGE;
	}
	ret = file_read_private(path, 48, &b, err, sizeof(err));
	if (ret == -ENOENT) {
		fprintf(stderr,
			"sevboot: --sev-model-keys %s: %s (make it "
			"with `sevboot model-keys %s`)\n",
			path, err, dir);
		return EXIT_BAD_INPUT;
	}
	if (ret == -EFBIG || (!ret && b.len != 48)) {
		fprintf(stderr, "sevboot: --sev-model-keys %s: expected a "
				"48-byte P-384 private key\n", path);
		ret = EXIT_BAD_INPUT;
	} else if (ret) {
		fprintf(stderr, "sevboot: --sev-model-keys %s: %s\n", path,
			err);
		return ret == -ENOMEM ? EXIT_RUNTIME : EXIT_BAD_INPUT;
	} else {
		memcpy(d, b.data, 48);
	}
	if (b.data)
		OPENSSL_cleanse(b.data, b.len);
	blob_free(&b);
	return ret;
}

/*
 * The launch plan and its expected digest, from the same launch
 * configuration `sevboot measure` builds (cli/launch.c).
 */
static int sev_plan(struct run_sev *r, const struct run_opts *o,
		    const struct blob *ovmf, const struct ovmf_info *info,
		    const struct blob *kernel, const struct blob *initrd,
		    const char *cmdline, const struct sev_host_info *host)
{
	struct launch_opts lo;
	struct launch_inputs in = { .ovmf = ovmf->data,
				    .ovmf_len = ovmf->len,
				    .info = info };
	char err[512];
	int ret;

	launch_opts_init(&lo);
	lo.mode = o->mode;
	lo.ncpus = o->smp;
	lo.snp_features = o->guest_features;
	lo.legacy_init = o->legacy_init;
	if (launch_cpu_signature(o->cpu, &lo.vcpu_sig, err, sizeof(err))) {
		fprintf(stderr, "sevboot: --cpu %s: %s\n", o->cpu, err);
		return EXIT_USAGE;
	}
	/* The model follows this host's kernel, so it needs the legacy
	 * init where the real launch would. */
	if (!o->legacy_init && !(o->model ? r->kernel.vm_types : host->init2) &&
	    o->mode != SEV_MODE_SNP) {
		/* A kernel before 6.10 has only the legacy commands. */
		lo.legacy_init = true;
		fprintf(stderr, "sevboot: this kernel has no KVM_SEV_INIT2: "
				"using the legacy KVM_SEV_%sINIT\n",
			o->mode == SEV_MODE_SEV_ES ? "ES_" : "");
	}
	/* Linux 6.5 to 6.9 with kvm_amd.debug_swap=Y put DebugSwap in every
	 * VMSA of a legacy SEV-ES init (sev_es_sync_vmsa()): the firmware
	 * measures it, so the plan must too. */
	if (lo.legacy_init && o->mode == SEV_MODE_SEV_ES && !o->model &&
	    host->debug_swap) {
		lo.debug_swap = true;
		if (o->verbose)
			fprintf(stderr,
				"sevboot: kvm_amd.debug_swap=Y: the legacy "
				"KVM_SEV_ES_INIT sets DebugSwap (SEV_FEATURES "
				"bit 5) in every VMSA; the expected digest "
				"includes it (sevboot measure --legacy-init "
				"--debug-swap)\n");
	}
	if (kernel->data) {
		bool table = info->has_hashes_entry && info->hashes_base &&
			     info->hashes_size;

		if (!table && !o->no_kernel_hashes) {
			fprintf(stderr,
				"sevboot: --kernel with --ovmf %s: this "
				"firmware has no usable kernel hashes table "
				"(%s), so the kernel, initrd and command line "
				"would not be measured; use an AmdSev OVMF "
				"(firmware-blobs/get-ovmf-amdsev), or "
				"--no-kernel-hashes to boot them unmeasured\n",
				o->ovmf,
				info->has_hashes_entry ? "its base or size is 0"
						       : "no table entry");
			return EXIT_BAD_INPUT;
		}
		if (table && !o->no_kernel_hashes) {
			in.kernel = kernel->data;
			in.kernel_len = kernel->len;
			in.initrd = initrd->data;
			in.initrd_len = initrd->len;
			in.cmdline = cmdline;
		}
	}
	r->legacy_init = lo.legacy_init;
	r->measured_kernel = in.kernel != NULL;
	r->vcpu_sig = lo.vcpu_sig;
	r->plan = calloc(1, sizeof(*r->plan));
	if (!r->plan) {
		fprintf(stderr, "sevboot: out of memory\n");
		return EXIT_RUNTIME;
	}
	ret = launch_build(&lo, &in, r->plan, r->expected, err, sizeof(err));
	if (ret == -EINVAL) {
		fprintf(stderr, "sevboot: --ovmf %s: %s\n", o->ovmf, err);
		return EXIT_BAD_INPUT;
	}
	if (ret) {
		fprintf(stderr, "sevboot: %s\n", err);
		return EXIT_RUNTIME;
	}
	return 0;
}

/* SEVBOOT_MODEL_BREAK (tests): honoured only with --sev-model. */
static int sev_model_break(struct run_sev *r, const struct run_opts *o)
{
	const char *v = getenv("SEVBOOT_MODEL_BREAK");

	if (!o->model || !v)
		return 0;
	if (sev_model_break_parse(v, &r->rc.model_break)) {
		fprintf(stderr,
			"sevboot: SEVBOOT_MODEL_BREAK=%s: expected uaddr or len "
			"(a test-only switch of --sev-model)\n",
			v);
		return EXIT_USAGE;
	}
	return 0;
}

/*
 * --sev-model-keys DIR: the model's identity (sevboot model-keys DIR); a
 * DIR of an older sevboot with only pdh.key gives its PDH, without a
 * chain or attestation reports, as it always did (and a DIR with neither
 * is named by its missing pdh.key, as before).
 */
static int model_keys(struct run_sev *r, const char *dir)
{
	char err[512] = "";
	int ret = sev_model_identity_load(dir, &r->identity, err, sizeof(err));

	if (ret == -ENODATA || ret == -ENOENT) {
		/* No identity: pdh.key alone, or the sentence naming it. */
		ret = read_model_key(dir, r->model_pdh);
		if (!ret)
			r->rc.model_pdh = r->model_pdh;
		return ret;
	}
	if (ret) {
		fprintf(stderr, "sevboot: --sev-model-keys %s: %s\n", dir, err);
		return ret == -ENOMEM ? EXIT_RUNTIME : EXIT_BAD_INPUT;
	}
	r->rc.model_identity = r->identity;
	return 0;
}

/* The firmware's version, for the LAUNCH_MEASURE check: the model's, or
 * what the platform status said. */
static int sev_firmware(struct run_sev *r, const struct run_opts *o,
			const struct sev_host_info *host)
{
	bool snp = o->mode == SEV_MODE_SNP;

	if (o->model) {
		r->rc.api_major = SEV_MODEL_API_MAJOR;
		r->rc.api_minor = SEV_MODEL_API_MINOR;
		r->rc.build = SEV_MODEL_BUILD;
		if (o->model_keys)
			return model_keys(r, o->model_keys);
	} else if (snp ? host->snp_status_valid : host->status_valid) {
		r->rc.api_major = snp ? host->snp_api_major : host->api_major;
		r->rc.api_minor = snp ? host->snp_api_minor : host->api_minor;
		r->rc.build = snp ? (uint8_t)host->snp_build_id : host->build;
	}
	return 0;
}

/* The guest owner: session, stop, where the secret goes. */
static int sev_owner(struct run_sev *r, const struct run_opts *o,
		     const struct ovmf_info *info)
{
	if (o->dh_cert_file) {
		int rc = cli_read_blob("--dh-cert-file", o->dh_cert_file,
				       sizeof(r->dh_cert), r->dh_cert);

		rc = rc ?: cli_read_blob("--session-file", o->session_file,
					 sizeof(r->session), r->session);
		if (rc)
			return rc;
		r->rc.dh_cert = r->dh_cert;
		r->rc.dh_cert_len = sizeof(r->dh_cert);
		r->rc.session = r->session;
		r->rc.session_len = sizeof(r->session);
	}
	if (o->owner_cmd || o->owner_socket) {
		/* Ctrl-C, SIGTERM and SIGHUP end the wait for the owner at
		 * once (stop_signals_block). */
		r->owner = (struct owner_opts){ .cmd = o->owner_cmd,
						.socket_path = o->owner_socket,
						.timeout_s = o->owner_timeout,
						.cancel_fd = r->stop_fd,
						.attest = attest_cb,
						.attest_ctx = r };
		r->rc.owner = owner_cb;
		r->rc.owner_ctx = r;
	}
	if (o->have_secret_gpa) {
		r->rc.secret_gpa = o->secret_gpa;
	} else if (info->has_secret_entry && info->secret_base &&
		   info->secret_size) {
		r->rc.secret_gpa = info->secret_base;
		r->rc.secret_size = info->secret_size;
	}
	return 0;
}

/* SNP_LAUNCH_FINISH's inputs. */
static int sev_snp_finish(struct run_sev *r, const struct run_opts *o)
{
	if (o->mode != SEV_MODE_SNP ||
	    !(o->id_block || o->host_data || o->author_key))
		return 0;
	if (o->id_block) {
		int rc = cli_read_blob("--id-block", o->id_block,
				       sizeof(r->id_block), r->id_block);

		rc = rc ?: cli_read_blob("--id-auth", o->id_auth,
					 sizeof(r->id_auth), r->id_auth);
		if (rc)
			return rc;
		r->fin.id_block = r->id_block;
		r->fin.id_auth = r->id_auth;
		r->fin.auth_key_en = o->author_key;
	}
	if (o->host_data &&
	    base64_decode_text((const uint8_t *)o->host_data,
			       strlen(o->host_data), r->fin.host_data,
			       sizeof(r->fin.host_data))) {
		fprintf(stderr,
			"sevboot: --host-data %s: give 32 bytes in base64\n",
			o->host_data);
		return EXIT_USAGE;
	}
	r->rc.snp_finish = &r->fin;
	return 0;
}

/* Every input is good: say what will be launched, and the digest the
 * firmware must report, before anything is created. */
static void sev_announce(const struct run_sev *r, const struct run_opts *o)
{
	fprintf(stderr,
		"sevboot: %s launch, %u vCPU%s, vCPU signature 0x%x, %s%s\n",
		sev_mode_display(o->mode), o->smp, o->smp == 1 ? "" : "s",
		r->vcpu_sig,
		o->mode == SEV_MODE_SNP ? "KVM_SEV_INIT2"
		: r->legacy_init	? (o->mode == SEV_MODE_SEV_ES
					   ? "legacy KVM_SEV_ES_INIT"
					   : "legacy KVM_SEV_INIT")
					: "KVM_SEV_INIT2",
		r->measured_kernel ? ", measured direct boot" : "");
	print_hex("expected launch digest", r->expected,
		  o->mode == SEV_MODE_SNP ? 48 : 32);
	{
		char hex[2 * 48 + 1], members[160];

		hex_encode(r->expected, o->mode == SEV_MODE_SNP ? 48 : 32, hex);
		snprintf(members, sizeof(members),
			 "\"mode\":\"%s\",\"digest\":\"%s\"",
			 sev_mode_name(o->mode), hex);
		tl_event(r->tl, "expected-digest", members);
	}
	if (o->model)
		fprintf(stderr,
			"sevboot: WARNING: --sev-model: a software model stands "
			"in for the AMD Secure Processor; this guest is NOT "
			"confidential (its memory is not encrypted)\n");
}

/* The whole SEV configuration, then the launch object the machine runs. */
static int sev_prepare(struct run_sev *r, const struct run_opts *o,
		       const struct blob *ovmf, const struct ovmf_info *info,
		       const struct blob *kernel, const struct blob *initrd,
		       const char *cmdline, const struct sev_host_info *host)
{
	char err[256];
	int rc;

	r->o = o;
	rc = sev_plan(r, o, ovmf, info, kernel, initrd, cmdline, host);
	if (rc)
		return rc;
	r->rc = (struct sev_run_config){
		.mode = o->mode,
		.policy = o->mode == SEV_MODE_SNP ? o->snp_policy : o->policy,
		.handle = o->handle,
		.plan = r->plan,
		.expected = r->expected,
		.model = o->model,
		.legacy_init = r->legacy_init,
		.self_session = o->self_session,
		.kernel = o->model ? &r->kernel : NULL,
		.verbose = o->verbose,
		.stop = launch_stop_cb,
		.stop_ctx = r,
		.report = report_cb,
		.report_ctx = r,
		.tl = r->tl,
	};
	rc = sev_model_break(r, o);
	rc = rc ?: sev_firmware(r, o, host);
	rc = rc ?: sev_owner(r, o, info);
	rc = rc ?: sev_snp_finish(r, o);
	if (rc)
		return rc;
	r->run = sev_run_new(&r->rc, err, sizeof(err));
	if (!r->run) {
		fprintf(stderr, "sevboot: %s\n", err);
		return EXIT_RUNTIME;
	}
	sev_announce(r, o);
	return 0;
}

static void run_sev_free(struct run_sev *r)
{
	sev_run_free(r->run);
	if (r->plan) {
		launch_plan_free(r->plan);
		free(r->plan);
	}
	OPENSSL_cleanse(r->model_pdh, sizeof(r->model_pdh));
	OPENSSL_cleanse(r->session, sizeof(r->session));
	sev_model_identity_free(r->identity);
	r->identity = NULL;
}

/* The files a run boots, mapped and checked. */
struct run_inputs {
	struct blob ovmf, kernel, initrd;
	struct ovmf_info *info; /* with --ovmf */
};

/* One file's copy, a phase of the timeline inside "inputs". */
static int load_timed(struct timeline *tl, const char *opt, const char *path,
		      size_t max, struct blob *b)
{
	int id = tl_begin(tl, TL_PHASE, "load", opt);
	int rc = load(opt, path, max, b);

	tl_end(tl, id);
	return rc;
}

static int parse_inputs(const struct run_opts *o, struct run_inputs *in);

static int load_inputs(const struct run_opts *o, struct run_inputs *in,
		       struct timeline *tl)
{
	int rc = 0, id;

	if (o->ovmf)
		rc = load_timed(tl, "--ovmf", o->ovmf, OVMF_MAX_SIZE, &in->ovmf);
	if (!rc && o->kernel)
		rc = load_timed(tl, "--kernel", o->kernel, MAX_KERNEL,
				&in->kernel);
	if (!rc && o->initrd)
		rc = load_timed(tl, "--initrd", o->initrd, MAX_INITRD,
				&in->initrd);
	if (rc)
		return rc;
	id = tl_begin(tl, TL_PHASE, "parse", "firmware, bzImage");
	rc = parse_inputs(o, in);
	tl_end(tl, id);
	return rc;
}

/* The firmware's footer tables and the bzImage's header. */
static int parse_inputs(const struct run_opts *o, struct run_inputs *in)
{
	char err[512];

	if (o->ovmf) {
		in->info = calloc(1, sizeof(*in->info));
		if (!in->info)
			return EXIT_RUNTIME;
		if (ovmf_parse(in->ovmf.data, in->ovmf.len, in->info, err,
			       sizeof(err))) {
			fprintf(stderr, "sevboot: --ovmf %s: %s\n", o->ovmf,
				err);
			return EXIT_BAD_INPUT;
		}
	}
	if (o->kernel) {
		struct bzimage_info bz;

		if (bzimage_parse(in->kernel.data, in->kernel.len, &bz, err,
				  sizeof(err))) {
			fprintf(stderr, "sevboot: --kernel %s: %s\n", o->kernel,
				err);
			return EXIT_BAD_INPUT;
		}
	}
	return 0;
}

static void free_inputs(struct run_inputs *in)
{
	free(in->info);
	blob_free(&in->ovmf);
	blob_free(&in->kernel);
	blob_free(&in->initrd);
}

/* Where the guest's serial port and debug port go, and its input. */
struct run_io {
	int out_fd, in_fd, dbg_fd;
	int events_fd;	  /* --json-events; -1: none */
	bool events_own; /* a FILE we opened (closed at the end) */
	bool raw; /* the terminal is raw: restore saved_term */
	struct termios saved_term;
};

static int open_io(const struct run_opts *o, struct run_io *io)
{
	*io = (struct run_io){ .out_fd = STDOUT_FILENO, .in_fd = -1,
			       .dbg_fd = -1, .events_fd = -1 };
	if (o->serial && open_out("--serial", o->serial, &io->out_fd))
		return EXIT_BAD_INPUT;
	if (o->debugcon && open_out("--debugcon", o->debugcon, &io->dbg_fd))
		return EXIT_BAD_INPUT;
	if (o->serial_in) {
		char err[256];

		/* A FIFO without its writer yet does not hold the start up:
		 * the guest's input waits for it. */
		io->in_fd = file_open_stream(o->serial_in, err, sizeof(err));
		if (io->in_fd < 0) {
			fprintf(stderr, "sevboot: --serial-in %s: %s\n",
				o->serial_in, err);
			return EXIT_BAD_INPUT;
		}
	} else if (isatty(STDIN_FILENO)) {
		io->in_fd = STDIN_FILENO;
		io->raw = term_raw(STDIN_FILENO, &io->saved_term);
	}
	return 0;
}

static void restore_terminal(struct run_io *io)
{
	if (io->raw)
		tcsetattr(STDIN_FILENO, TCSANOW, &io->saved_term);
	io->raw = false;
}

static void close_io(struct run_io *io)
{
	restore_terminal(io);
	if (io->out_fd != STDOUT_FILENO && io->out_fd >= 0)
		close(io->out_fd);
	if (io->dbg_fd >= 0)
		close(io->dbg_fd);
	if (io->in_fd > STDIN_FILENO)
		close(io->in_fd);
}

/* --json-events FD|FILE: a descriptor number that is open for writing,
 * or a file made (truncated) for it.  Opened first of the outputs, so
 * the events of the launch reach it. */
static int open_events(const struct run_opts *o, struct run_io *io)
{
	const char *v = o->json_events;
	uint64_t fd;
	int fl;

	if (!v)
		return 0;
	if (!cli_parse_num(v, false, INT_MAX, &fd)) {
		fl = fcntl((int)fd, F_GETFL);
		if (fl < 0 || (fl & O_ACCMODE) == O_RDONLY) {
			fprintf(stderr,
				"sevboot: --json-events %s: descriptor %s is "
				"not open for writing\n",
				v, v);
			return EXIT_USAGE;
		}
		io->events_fd = (int)fd;
		return 0;
	}
	if (open_out("--json-events", v, &io->events_fd))
		return EXIT_BAD_INPUT;
	io->events_own = true;
	return 0;
}

/* -v: what became of the guest's output. */
static void print_output_stats(const char *name, const struct console_stats *s)
{
	fprintf(stderr,
		"sevboot: %s output: the guest wrote %llu bytes, %llu written, "
		"%llu lost (the output was not keeping up and the guest wrote "
		"anyway), %llu filtered (terminal controls), %llu over the "
		"limit, %llu after a write error, %llu not written at the "
		"stop\n",
		name, (unsigned long long)s->guest,
		(unsigned long long)s->written, (unsigned long long)s->lost,
		(unsigned long long)s->filtered,
		(unsigned long long)s->over_limit,
		(unsigned long long)s->failed,
		(unsigned long long)s->unwritten);
}

/* Build and run the machine; the exit code. */
static int run_machine(const struct run_opts *o, const struct run_inputs *in,
		       struct run_io *io, struct run_sev *sr)
{
	struct vm_config cfg = {
		.mem_size = o->mem,
		.ncpus = o->smp,
		.ovmf = in->ovmf.data,
		.ovmf_len = in->ovmf.len,
		.ovmf_info = in->info,
		.kernel = in->kernel.data,
		.kernel_len = in->kernel.len,
		.initrd = in->initrd.data,
		.initrd_len = in->initrd.len,
		.cmdline = o->append ? o->append : DEFAULT_CMDLINE,
		.inputs_mapped = true,
		.serial_out_fd = io->out_fd,
		.serial_in_fd = io->in_fd,
		.debugcon_fd = io->dbg_fd,
		.serial_limit = o->serial_limit,
		.debugcon_limit = o->debugcon_limit,
		.raw = o->raw,
		.timeout_sec = o->timeout,
		.verbose = o->verbose,
		.seccomp = !o->no_seccomp,
		.seccomp_exit = EXIT_SECCOMP,
		.tty = io->raw ? &io->saved_term : NULL,
		.sev = sr->run,
		.launch_only = o->launch_only,
		.stop_at_marks = o->stop_at_mark,
		.tl = sr->tl,
	};
	struct vm_result res;
	enum vm_error_kind kind;
	char err[512] = "";
	int rc;

	int id = tl_begin(sr->tl, TL_PHASE, "machine config", NULL);

	if (o->verbose)
		fprintf(stderr, "sevboot: %s boot, %llu MiB RAM, %u vCPU%s\n",
			o->ovmf ? "firmware" : "direct",
			(unsigned long long)(o->mem >> 20), o->smp,
			o->smp == 1 ? "" : "s");
	tl_end(sr->tl, id);
	rc = vm_run(&cfg, &res, &kind, err, sizeof(err));
	/* What follows, to the end of the timeline (tl_finish ends it). */
	tl_begin(sr->tl, TL_PHASE, "exit status", NULL);
	restore_terminal(io);
	if (rc && sr->stop_signal) {
		/* The owner's wait says itself that a signal ended it. */
		if (sr->owner_ret == -EINTR)
			fprintf(stderr, "sevboot: %s (signal %d, %s)\n", err,
				sr->stop_signal, strsignal(sr->stop_signal));
		else
			fprintf(stderr,
				"sevboot: stopped by signal %d (%s): %s\n",
				sr->stop_signal, strsignal(sr->stop_signal),
				err);
		return EXIT_SIGNAL_BASE + sr->stop_signal;
	}
	if (rc) {
		fprintf(stderr, "sevboot: %s\n", err);
		if (sr->owner_ret)
			return owner_exit_code(sr->owner_ret);
		return kind == VM_ERR_HOST    ? EXIT_HOST
		       : kind == VM_ERR_INPUT ? EXIT_BAD_INPUT
		       : kind == VM_ERR_SEV   ? EXIT_SEV
					      : EXIT_RUNTIME;
	}
	rc = exit_code_for(&res, err);
	if (o->verbose) {
		char kinds[256];

		print_output_stats("serial", &res.serial);
		if (io->dbg_fd >= 0)
			print_output_stats("debugcon", &res.debugcon);
		fprintf(stderr,
			"sevboot: guest stopped (%s) after %.3f s, %llu exits, "
			"guest RAM resident %llu KiB, exit code %d\n",
			vm_stop_name(res.why), res.seconds,
			(unsigned long long)res.exits,
			(unsigned long long)(res.guest_resident >> 10), rc);
		vm_exit_kinds_format(res.exit_kinds, kinds, sizeof(kinds));
		fprintf(stderr, "sevboot: exits by kind: %s\n", kinds);
	}
	return rc;
}

/* A start-up step as a phase of the run's timeline. */
#define RUN_PHASE(tl, name, detail, call)                                     \
	({                                                                    \
		int id_ = tl_begin(tl, TL_PHASE, name, detail);               \
		int rc_ = (call);                                             \
		tl_end(tl, id_);                                              \
		rc_;                                                          \
	})

/* The timing report's header, from what ran. */
static void timing_header_fill(struct timing_header *h, const struct run_opts *o,
			       const struct run_inputs *in,
			       const struct run_sev *sr, int argc, char **argv,
			       int rc)
{
	const struct blob *b[3] = { &in->ovmf, &in->kernel, &in->initrd };
	const char *opt[3] = { "--ovmf", "--kernel", "--initrd" };
	const char *path[3] = { o->ovmf, o->kernel, o->initrd };

	*h = (struct timing_header){
		.sev = o->sev,
		.model = o->model,
		.legacy_init = sr->legacy_init,
		.measured_kernel = sr->measured_kernel,
		.mode = o->mode,
		.policy = o->mode == SEV_MODE_SNP ? o->snp_policy : o->policy,
		.fw_known = o->sev && (sr->rc.api_major || sr->rc.api_minor ||
				       sr->rc.build),
		.api_major = sr->rc.api_major,
		.api_minor = sr->rc.api_minor,
		.build = sr->rc.build,
		.vcpus = o->smp,
		.mem = o->mem,
		.argc = argc,
		.argv = argv,
		.exit_code = rc,
	};
	for (unsigned k = 0; k < 3; k++)
		if (path[k])
			h->inputs[h->ninputs++] = (struct timing_input){
				.option = opt[k],
				.path = path[k],
				.data = b[k]->data,
				.len = b[k]->len,
			};
}

/* The inputs, the plan and the outputs, each a phase; 0 or an exit code. */
static int run_prepare(struct run_opts *o, struct run_inputs *in,
		       struct run_io *io, struct sev_host_info *host,
		       struct run_sev *sr)
{
	struct timeline *tl = sr->tl;
	int rc;

	rc = o->sev ? RUN_PHASE(tl, "host check", NULL,
				check_sev_host(o, host, &sr->kernel))
		    : 0;
	if (!rc)
		rc = RUN_PHASE(tl, "inputs", "load, parse",
			       load_inputs(o, in, tl)
				       ?: startup_stop(sr, "while reading the "
							   "inputs"));
	if (!rc && o->sev)
		rc = RUN_PHASE(tl, "plan", "launch plan, expected digest",
			       sev_prepare(sr, o, &in->ovmf, in->info,
					   &in->kernel, &in->initrd,
					   o->append ? o->append
						     : DEFAULT_CMDLINE,
					   host));
	if (!rc)
		rc = RUN_PHASE(tl, "outputs", NULL,
			       startup_stop(sr, "while preparing the launch")
				       ?: open_io(o, io));
	return rc;
}

/* The timeline's marks (--mark) and events (--json-events), and the
 * report's writer and host facts (before anything is confined). */
static int run_timeline(const struct run_opts *o, struct run_io *io,
			struct timeline *tl, struct timing_sink *sink,
			struct timing_host *host)
{
	uint64_t mono, real;
	char err[256];
	int rc;

	if (o->timing_json || o->timing_csv) {
		tl_anchor(tl, &mono, &real);
		timing_host_gather(host, mono);
		rc = timing_sink_open(sink, o->timing_json, o->timing_csv);
		if (rc) {
			fprintf(stderr,
				"sevboot: --timing-json: cannot start the "
				"report's writer: %s\n",
				strerror(-rc));
			return EXIT_RUNTIME;
		}
	}
	for (unsigned k = 0; k < o->nmarks; k++)
		if (tl_add_mark_regex(tl, o->marks[k], err, sizeof(err))) {
			fprintf(stderr, "sevboot: --mark %s: %s\n", o->marks[k],
				err);
			return EXIT_USAGE;
		}
	rc = open_events(o, io);
	if (!rc)
		tl_set_events_fd(tl, io->events_fd);
	return rc;
}

int cmd_run(int argc, char **argv)
{
	struct run_opts o;
	struct run_inputs in = { 0 };
	struct run_io io = { .out_fd = STDOUT_FILENO, .in_fd = -1,
			     .dbg_fd = -1, .events_fd = -1 };
	struct sev_host_info host = { 0 };
	struct run_sev sr = { .stop_fd = -1 };
	struct timing_header h;
	struct timing_host host_facts;
	struct timing_sink sink = { .fd = -1, .status_fd = -1 };
	char members[32];
	bool ran = false;
	int rc, setup;

	/* The anchor of the run's timeline: everything after is in it. */
	sr.tl = timeline_new();
	if (!sr.tl) {
		fprintf(stderr, "sevboot: out of memory\n");
		return EXIT_RUNTIME;
	}
	rc = RUN_PHASE(sr.tl, "options", NULL, parse_run_opts(argc, argv, &o));
	if (rc >= 0) {
		timeline_free(sr.tl);
		return rc;
	}
	setup = tl_begin(sr.tl, TL_PHASE, "setup", "signals, marks, events");
	/* A reader that goes away (sevboot | head) must not kill us with the
	 * terminal still raw: the output's writes fail (EPIPE), which is
	 * said once, and the rest of that output is dropped. */
	signal(SIGPIPE, SIG_IGN);
	/* From here on a stop signal is seen where sevboot looks for it,
	 * never acted on half-way (they stay blocked until exit). */
	sr.stop_fd = stop_signals_block();
	if (sr.stop_fd < 0) {
		fprintf(stderr, "sevboot: signalfd: %s\n", strerror(errno));
		timeline_free(sr.tl);
		return EXIT_RUNTIME;
	}
	rc = run_timeline(&o, &io, sr.tl, &sink, &host_facts);
	tl_end(sr.tl, setup);
	if (!rc)
		rc = run_prepare(&o, &in, &io, &host, &sr);
	if (!rc) {
		ran = true;
		rc = run_machine(&o, &in, &io, &sr);
	}
	tl_finish(sr.tl);
	close_io(&io);
	if (o.verbose && ran)
		timing_table(sr.tl, stderr);
	/* A run that got to the machine has a timeline to report, written
	 * whole; a usage or input error, or a stop during start-up, none. */
	if ((o.timing_json || o.timing_csv) && ran) {
		/* Under the run loop's seccomp filter: the writer forked at
		 * the start makes the files. */
		timing_header_fill(&h, &o, &in, &sr, argc, argv, rc);
		h.host = host_facts;
		if (timing_sink_send(&sink, &h, sr.tl, sr.run, o.timing_json,
				     o.timing_csv) &&
		    rc == EXIT_POWEROFF)
			rc = EXIT_RUNTIME;
	}
	timing_sink_close(&sink);
	run_sev_free(&sr);
	close(sr.stop_fd);
	free_inputs(&in);
	/* The last event: the exit code, once everything is written. */
	snprintf(members, sizeof(members), "\"code\":%d", rc);
	tl_event(sr.tl, "exit", members);
	if (io.events_own)
		close(io.events_fd);
	timeline_free(sr.tl);
	return rc;
}
