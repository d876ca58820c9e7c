// SPDX-License-Identifier: MIT
/* `sevboot run`: options -> inputs -> the machine -> an exit code. */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
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
#define DEFAULT_SNP_POLICY 0x30000ULL
#define DEFAULT_OWNER_TIMEOUT 600

struct run_opts {
	const char *ovmf, *kernel, *initrd, *append;
	const char *serial, *serial_in, *debugcon;
	uint64_t mem;
	unsigned smp, timeout;
	bool verbose;

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
	const char *timing_json;
	const char *id_block, *id_auth, *host_data;
	bool author_key;
	uint32_t handle; /* --handle */
};

static void run_usage(FILE *f)
{
	fprintf(f,
"usage: sevboot [run] [OPTIONS]\n"
"Boot a guest on KVM: OVMF (kernel, initrd and command line over fw_cfg),\n"
"or, without --ovmf, a bzImage through the 64-bit boot protocol.\n"
"\n"
"  --ovmf FILE        firmware image, mapped to end at 4 GiB (alias --bios)\n"
"  --kernel FILE      Linux bzImage\n"
"  --initrd FILE      initial ramdisk\n"
"  --append STRING    kernel command line (default \"" DEFAULT_CMDLINE "\")\n"
"  --mem SIZE         guest RAM, e.g. 512M, 4G (default 512M)\n"
"  --smp N            number of vCPUs (default 1)\n"
"  --serial FILE      write guest serial output to FILE (default stdout)\n"
"  --serial-in FILE   feed FILE to the guest's serial input (default: stdin\n"
"                     when it is a terminal)\n"
"  --debugcon FILE    write the firmware's debug port (0x402) to FILE\n"
"  --timeout SECONDS  stop the guest after SECONDS (exit code 124)\n"
"  --policy HEX       launch an SEV guest with this policy; bit 2 (0x4)\n"
"                     selects SEV-ES, as in QEMU\n"
"  --snp              launch an SEV-SNP guest (--snp-policy HEX, default\n"
"                     0x30000)\n"
"  --cbitpos N, --reduced-phys-bits N\n"
"                     checked against the host, as QEMU does\n"
"  --legacy-init      use KVM_SEV_INIT/KVM_SEV_ES_INIT, not KVM_SEV_INIT2\n"
"                     (SEV-ES digests differ: the VMSA's FPU fields)\n"
"  --cpu MODEL|SIG    vCPU signature in the VMSAs (RDX), a QEMU model name\n"
"                     or 0xSIG (default " LAUNCH_DEFAULT_CPU ")\n"
"  --guest-features HEX  SNP SEV_FEATURES of the VMSAs (default 0x1)\n"
"  --no-kernel-hashes boot --kernel unmeasured when the firmware has no\n"
"                     hashes table (otherwise refused)\n"
"  --handle N         share the key of the guest with firmware handle N\n"
"  --dh-cert-file F, --session-file F\n"
"                     the guest owner's GODH certificate and session blob\n"
"                     for LAUNCH_START (raw or base64)\n"
"  --owner-cmd CMD    stop after LAUNCH_MEASURE: CMD gets the measurement as\n"
"                     JSON on stdin and answers with the secret (see\n"
"                     doc/owner-protocol.md)\n"
"  --owner-socket P   the same stop through a unix socket at P (QMP-like)\n"
"  --owner-timeout S  how long to wait for the owner (default 600)\n"
"  --secret-gpa HEX   where the secret goes (default: the firmware's SEV\n"
"                     secret area)\n"
"  --id-block F, --id-auth F, --author-key-enabled, --host-data B64\n"
"                     SNP_LAUNCH_FINISH inputs (raw or base64, as QEMU)\n"
"  --timing-json F    write every firmware command's timing to F\n"
"  --sev-model        run the launch on sevboot's software model of the\n"
"                     AMD Secure Processor: the guest is NOT confidential\n"
"  --sev-model-keys D the model's PDH key (D/pdh.key, `sevboot model-keys`)\n"
"  -v, --verbose      say what the machine does, on stderr\n"
"  -h, --help         this text\n"
"\n"
"Exit codes: 0 guest powered off, 1 runtime failure, 2 usage, 3 bad input\n"
"file, 4 host lacks KVM support, 5 SEV launch failure, 10 guest reset,\n"
"11 triple fault, 64+v guest wrote v to port 0x501, 124 timeout,\n"
"128+n signal n.\n");
}

static int usage_error(const char *fmt, const char *a, const char *b)
{
	fprintf(stderr, "sevboot: ");
	fprintf(stderr, fmt, a, b);
	fprintf(stderr, " (see sevboot --help)\n");
	return EXIT_USAGE;
}

static int parse_hex(const char *s, uint64_t max, uint64_t *out)
{
	return cli_parse_num(s, true, max, out);
}

static int parse_uint(const char *s, unsigned long max, unsigned *out)
{
	uint64_t v;
	int ret = cli_parse_num(s, false, max, &v);

	if (!ret)
		*out = (unsigned)v;
	return ret;
}

enum {
	OPT_OVMF = 256,
	OPT_KERNEL,
	OPT_INITRD,
	OPT_APPEND,
	OPT_MEM,
	OPT_SMP,
	OPT_SERIAL,
	OPT_SERIAL_IN,
	OPT_DEBUGCON,
	OPT_TIMEOUT,
	OPT_POLICY,
	OPT_SNP,
	OPT_SNP_POLICY,
	OPT_CBITPOS,
	OPT_REDUCED_PHYS_BITS,
	OPT_LEGACY_INIT,
	OPT_CPU,
	OPT_GUEST_FEATURES,
	OPT_NO_KERNEL_HASHES,
	OPT_SEV_MODEL,
	OPT_SEV_MODEL_KEYS,
	OPT_DH_CERT_FILE,
	OPT_SESSION_FILE,
	OPT_OWNER_CMD,
	OPT_OWNER_SOCKET,
	OPT_OWNER_TIMEOUT,
	OPT_SECRET_GPA,
	OPT_TIMING_JSON,
	OPT_ID_BLOCK,
	OPT_ID_AUTH,
	OPT_AUTHOR_KEY,
	OPT_HOST_DATA,
	OPT_HANDLE,
};

static const struct option run_options[] = {
	{ "ovmf", required_argument, NULL, OPT_OVMF },
	{ "bios", required_argument, NULL, OPT_OVMF },
	{ "kernel", required_argument, NULL, OPT_KERNEL },
	{ "initrd", required_argument, NULL, OPT_INITRD },
	{ "append", required_argument, NULL, OPT_APPEND },
	{ "mem", required_argument, NULL, OPT_MEM },
	{ "smp", required_argument, NULL, OPT_SMP },
	{ "serial", required_argument, NULL, OPT_SERIAL },
	{ "serial-in", required_argument, NULL, OPT_SERIAL_IN },
	{ "debugcon", required_argument, NULL, OPT_DEBUGCON },
	{ "timeout", required_argument, NULL, OPT_TIMEOUT },
	{ "policy", required_argument, NULL, OPT_POLICY },
	{ "snp", no_argument, NULL, OPT_SNP },
	{ "snp-policy", required_argument, NULL, OPT_SNP_POLICY },
	{ "cbitpos", required_argument, NULL, OPT_CBITPOS },
	{ "reduced-phys-bits", required_argument, NULL, OPT_REDUCED_PHYS_BITS },
	{ "legacy-init", no_argument, NULL, OPT_LEGACY_INIT },
	{ "cpu", required_argument, NULL, OPT_CPU },
	{ "guest-features", required_argument, NULL, OPT_GUEST_FEATURES },
	{ "no-kernel-hashes", no_argument, NULL, OPT_NO_KERNEL_HASHES },
	{ "sev-model", no_argument, NULL, OPT_SEV_MODEL },
	{ "sev-model-keys", required_argument, NULL, OPT_SEV_MODEL_KEYS },
	{ "dh-cert-file", required_argument, NULL, OPT_DH_CERT_FILE },
	{ "session-file", required_argument, NULL, OPT_SESSION_FILE },
	{ "owner-cmd", required_argument, NULL, OPT_OWNER_CMD },
	{ "owner-socket", required_argument, NULL, OPT_OWNER_SOCKET },
	{ "owner-timeout", required_argument, NULL, OPT_OWNER_TIMEOUT },
	{ "secret-gpa", required_argument, NULL, OPT_SECRET_GPA },
	{ "timing-json", required_argument, NULL, OPT_TIMING_JSON },
	{ "id-block", required_argument, NULL, OPT_ID_BLOCK },
	{ "id-auth", required_argument, NULL, OPT_ID_AUTH },
	{ "author-key-enabled", no_argument, NULL, OPT_AUTHOR_KEY },
	{ "host-data", required_argument, NULL, OPT_HOST_DATA },
	{ "handle", required_argument, NULL, OPT_HANDLE },
	{ "verbose", no_argument, NULL, 'v' },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

/* Returns -1 to go on, or an exit code. */
static int parse_run_opts(int argc, char **argv, struct run_opts *o)
{
	uint64_t v;
	int c;

	*o = (struct run_opts){ .mem = DEFAULT_MEM,
				.smp = 1,
				.snp_policy = DEFAULT_SNP_POLICY,
				.cbitpos = -1,
				.reduced_phys_bits = -1,
				.guest_features = 0x1,
				.owner_timeout = DEFAULT_OWNER_TIMEOUT };
	opterr = 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, ":vh", run_options, NULL)) != -1) {
		switch (c) {
		case OPT_OVMF:
			o->ovmf = optarg;
			break;
		case OPT_KERNEL:
			o->kernel = optarg;
			break;
		case OPT_INITRD:
			o->initrd = optarg;
			break;
		case OPT_APPEND:
			o->append = optarg;
			break;
		case OPT_MEM:
			if (parse_size(optarg, &o->mem) || o->mem == 0)
				return usage_error("--mem %s: give a size "
						   "such as 512M or 4G%s",
						   optarg, "");
			if (o->mem < LAYOUT_MIN_RAM || o->mem > LAYOUT_MAX_RAM)
				return usage_error("--mem %s: must be between "
						   "16M and 1T%s", optarg, "");
			break;
		case OPT_SMP:
			if (parse_uint(optarg, UINT_MAX, &o->smp) ||
			    o->smp < 1 || o->smp > VMM_MAX_VCPUS)
				return usage_error("--smp %s: must be a number "
						   "from 1 to 256%s", optarg,
						   "");
			break;
		case OPT_SERIAL:
			o->serial = optarg;
			break;
		case OPT_SERIAL_IN:
			o->serial_in = optarg;
			break;
		case OPT_DEBUGCON:
			o->debugcon = optarg;
			break;
		case OPT_TIMEOUT:
			if (parse_uint(optarg, MAX_TIMEOUT, &o->timeout) ||
			    o->timeout == 0)
				return usage_error("--timeout %s: must be a "
						   "number of seconds from 1 "
						   "to 604800%s", optarg, "");
			break;
		case OPT_POLICY:
			if (parse_hex(optarg, UINT32_MAX, &v))
				return usage_error("--policy %s: give the guest "
						   "policy in hex, e.g. 0x5%s",
						   optarg, "");
			o->policy = (uint32_t)v;
			o->sev = true;
			break;
		case OPT_SNP:
			o->snp = true;
			break;
		case OPT_SNP_POLICY:
			if (parse_hex(optarg, UINT64_MAX, &v))
				return usage_error("--snp-policy %s: give the "
						   "policy in hex, e.g. "
						   "0x30000%s", optarg, "");
			o->snp_policy = v;
			o->snp = true;
			break;
		case OPT_CBITPOS:
		case OPT_REDUCED_PHYS_BITS: {
			unsigned n;

			if (parse_uint(optarg, 63, &n))
				return usage_error("%s %s: must be a number "
						   "from 0 to 63",
						   argv[optind - 2], optarg);
			if (c == OPT_CBITPOS)
				o->cbitpos = (int)n;
			else
				o->reduced_phys_bits = (int)n;
			break;
		}
		case OPT_LEGACY_INIT:
			o->legacy_init = true;
			break;
		case OPT_CPU:
			o->cpu = optarg;
			break;
		case OPT_GUEST_FEATURES:
			if (parse_hex(optarg, UINT64_MAX, &o->guest_features))
				return usage_error("--guest-features %s: give "
						   "SEV_FEATURES in hex%s",
						   optarg, "");
			break;
		case OPT_NO_KERNEL_HASHES:
			o->no_kernel_hashes = true;
			break;
		case OPT_SEV_MODEL:
			o->model = true;
			break;
		case OPT_SEV_MODEL_KEYS:
			o->model_keys = optarg;
			break;
		case OPT_DH_CERT_FILE:
			o->dh_cert_file = optarg;
			break;
		case OPT_SESSION_FILE:
			o->session_file = optarg;
			break;
		case OPT_OWNER_CMD:
			o->owner_cmd = optarg;
			break;
		case OPT_OWNER_SOCKET:
			o->owner_socket = optarg;
			break;
		case OPT_OWNER_TIMEOUT:
			if (parse_uint(optarg, MAX_TIMEOUT, &o->owner_timeout) ||
			    o->owner_timeout == 0)
				return usage_error("--owner-timeout %s: must be "
						   "a number of seconds from 1 "
						   "to 604800%s", optarg, "");
			break;
		case OPT_SECRET_GPA:
			if (parse_hex(optarg, (1ULL << 52) - 1, &o->secret_gpa) ||
			    o->secret_gpa == 0 || (o->secret_gpa & 15))
				return usage_error("--secret-gpa %s: give a "
						   "16-byte aligned guest "
						   "address in hex%s", optarg,
						   "");
			o->have_secret_gpa = true;
			break;
		case OPT_TIMING_JSON:
			o->timing_json = optarg;
			break;
		case OPT_ID_BLOCK:
			o->id_block = optarg;
			break;
		case OPT_ID_AUTH:
			o->id_auth = optarg;
			break;
		case OPT_AUTHOR_KEY:
			o->author_key = true;
			break;
		case OPT_HOST_DATA:
			o->host_data = optarg;
			break;
		case OPT_HANDLE:
			if (parse_uint(optarg, UINT32_MAX, &o->handle) ||
			    o->handle == 0)
				return usage_error("--handle %s: give the firmware "
						   "handle of the guest whose key "
						   "to share (a number from 1)%s",
						   optarg, "");
			break;
		case 'v':
			o->verbose = true;
			break;
		case 'h':
			run_usage(stdout);
			return 0;
		case ':':
			return usage_error("%s needs a value%s",
					   argv[optind - 1], "");
		default:
			return usage_error("unknown option '%s'%s",
					   argv[optind - 1], "");
		}
	}
	if (optind < argc)
		return usage_error("unexpected argument '%s'%s", argv[optind],
				   "");
	if (o->snp && o->sev)
		return usage_error("--policy is for SEV and SEV-ES, --snp for "
				   "SEV-SNP: give one%s%s", "", "");
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
			o->have_secret_gpa || o->timing_json || o->id_block ||
			o->id_auth || o->author_key || o->host_data ||
			o->handle))
		return usage_error("%s need --policy or --snp%s",
				   "--cbitpos, --reduced-phys-bits, "
				   "--legacy-init and the other SEV options",
				   "");
	if (o->model_keys && !o->model)
		return usage_error("--sev-model-keys goes with --sev-model%s%s",
				   "", "");
	if (!!o->dh_cert_file != !!o->session_file)
		return usage_error("--dh-cert-file and --session-file go "
				   "together%s%s", "", "");
	if (o->owner_cmd && o->owner_socket)
		return usage_error("give --owner-cmd or --owner-socket, not "
				   "both%s%s", "", "");
	if (o->mode == SEV_MODE_SNP &&
	    (o->dh_cert_file || o->owner_cmd || o->owner_socket ||
	     o->have_secret_gpa || o->handle))
		return usage_error("--dh-cert-file, --session-file, --handle, "
				   "the owner stop and --secret-gpa are for SEV "
				   "and "
				   "SEV-ES (%s); SNP guests get secrets through "
				   "attestation%s", "LAUNCH_SECRET", "");
	if (o->mode != SEV_MODE_SNP &&
	    (o->id_block || o->id_auth || o->author_key || o->host_data ||
	     o->guest_features != 0x1))
		return usage_error("--id-block, --id-auth, --author-key-enabled, "
				   "--host-data and --guest-features are for "
				   "SNP (%s)%s", "--snp", "");
	if (!!o->id_block != !!o->id_auth)
		return usage_error("--id-block and --id-auth go together%s%s",
				   "", "");
	if (o->author_key && !o->id_auth)
		return usage_error("--author-key-enabled needs --id-auth%s%s",
				   "", "");
	if (o->mode == SEV_MODE_SNP && o->legacy_init)
		return usage_error("--legacy-init is for SEV and SEV-ES: SNP "
				   "exists only with %s%s", "KVM_SEV_INIT2", "");
	if (o->sev && !o->ovmf)
		return usage_error("an SEV guest needs --ovmf: the firmware is "
				   "what the Secure Processor measures%s%s",
				   "", "");
	if (!o->ovmf && !o->kernel)
		return usage_error("nothing to boot: give --ovmf FILE and/or "
				   "--kernel FILE%s%s", "", "");
	if (!o->kernel && (o->initrd || o->append))
		return usage_error("--initrd and --append need --kernel%s%s",
				   "", "");
	return -1;
}

static int load(const char *opt, const char *path, size_t max,
		struct blob *b)
{
	char err[256];
	/* Mapped, not copied: the machine releases the pages once the guest
	 * has its own copy, so sevboot's memory stays small. */
	int ret = file_map(path, max, b, err, sizeof(err));

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
	case VM_STOP_ERROR:
	default:
		fprintf(stderr, "sevboot: %s\n",
			err && *err ? err : "the machine stopped on an error");
		return EXIT_RUNTIME;
	}
}

/*
 * Before anything is created: can this host run the requested mode?  Each
 * missing piece is one plain sentence.
 */
static int check_sev_host(const struct run_opts *o, struct sev_host_info *info)
{
	struct sev_host_facts facts;
	char msg[1024];
	int ret;

	sev_host_gather(&facts);
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
	bool measured_kernel; /* measured direct boot */
	uint32_t vcpu_sig;
	struct sev_run_config rc;
	struct sev_run *run;
	struct sev_snp_finish_args fin;
	uint8_t dh_cert[SEV_CERT_LEN], session[SEV_SESSION_LEN];
	uint8_t model_pdh[48];
	uint8_t id_block[96], id_auth[4096];
	struct owner_opts owner;
	int owner_ret; /* the owner exchange's result, for the exit code */
	bool timing_failed;
};

static int owner_cb(void *ctx, const struct sev_owner_request *req,
		    struct sev_owner_reply *rep, char *err, size_t errlen)
{
	struct run_sev *r = ctx;

	r->owner_ret = owner_exchange(&r->owner, req, rep, err, errlen);
	return r->owner_ret;
}

/* --timing-json: written whole or not at all. */
static int write_timing_json(const struct sev_run *run, const char *path)
{
	char tmp[PATH_MAX];
	FILE *f;
	int fd;

	if (snprintf(tmp, sizeof(tmp), "%s.XXXXXX", path) >= (int)sizeof(tmp)) {
		fprintf(stderr, "sevboot: --timing-json %s: path too long\n",
			path);
		return -ENAMETOOLONG;
	}
	fd = mkstemp(tmp);
	f = fd >= 0 ? fdopen(fd, "w") : NULL;
	if (!f) {
		fprintf(stderr, "sevboot: --timing-json %s: %s\n", path,
			strerror(errno));
		if (fd >= 0) {
			close(fd);
			unlink(tmp);
		}
		return -EIO;
	}
	fchmod(fd, 0644);
	if (sev_run_timing_json(run, f) || fflush(f) || fsync(fd)) {
		fprintf(stderr, "sevboot: --timing-json %s: write failed: %s\n",
			path, strerror(errno));
		fclose(f);
		unlink(tmp);
		return -EIO;
	}
	fclose(f);
	if (rename(tmp, path)) {
		fprintf(stderr, "sevboot: --timing-json %s: %s\n", path,
			strerror(errno));
		unlink(tmp);
		return -EIO;
	}
	return 0;
}

/* The timings, whether the launch went well or not: a researcher wants
 * the failed step's figures too. */
static void report_cb(void *ctx, const struct sev_run *run)
{
	struct run_sev *r = ctx;

	if (r->o->verbose)
		sev_run_timing_table(run, stderr);
	if (r->o->timing_json && write_timing_json(run, r->o->timing_json))
		r->timing_failed = true;
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
	char path[PATH_MAX];
	struct stat st;
	int fd, ret = 0;
	ssize_t n;

	if (snprintf(path, sizeof(path), "%s/pdh.key", dir) >=
	    (int)sizeof(path)) {
		fprintf(stderr, "sevboot: --sev-model-keys %s: path too "
				"long\n", dir);
		return EXIT_USAGE;
	}
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		fprintf(stderr, "sevboot: --sev-model-keys %s: %s (make it "
				"with `sevboot model-keys %s`)\n",
			path, strerror(errno), dir);
		return EXIT_BAD_INPUT;
	}
	if (fstat(fd, &st) || (st.st_mode & 077)) {
		fprintf(stderr, "sevboot: --sev-model-keys %s: a private key "
				"must not be readable by others (mode %o); "
				"chmod 600 it\n",
			path, (unsigned)(st.st_mode & 0777));
		close(fd);
		return EXIT_BAD_INPUT;
	}
	n = read(fd, d, 48);
	if (n != 48 || st.st_size != 48) {
		fprintf(stderr, "sevboot: --sev-model-keys %s: expected a "
				"48-byte P-384 private key\n", path);
		ret = EXIT_BAD_INPUT;
	}
	close(fd);
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
	if (!o->model && !o->legacy_init && !host->init2 &&
	    o->mode != SEV_MODE_SNP) {
		/* A kernel before 6.10 has only the legacy commands. */
		lo.legacy_init = true;
		fprintf(stderr, "sevboot: this kernel has no KVM_SEV_INIT2: "
				"using the legacy KVM_SEV_%sINIT\n",
			o->mode == SEV_MODE_SEV_ES ? "ES_" : "");
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
		if (o->model_keys) {
			int rc = read_model_key(o->model_keys, r->model_pdh);

			if (rc)
				return rc;
			r->rc.model_pdh = r->model_pdh;
		}
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
		r->owner = (struct owner_opts){ .cmd = o->owner_cmd,
						.socket_path = o->owner_socket,
						.timeout_s = o->owner_timeout };
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
		.verbose = o->verbose,
		.report = report_cb,
		.report_ctx = r,
	};
	rc = sev_firmware(r, o, host);
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
}

/* The files a run boots, mapped and checked. */
struct run_inputs {
	struct blob ovmf, kernel, initrd;
	struct ovmf_info *info; /* with --ovmf */
};

static int load_inputs(const struct run_opts *o, struct run_inputs *in)
{
	char err[512];
	int rc = 0;

	if (o->ovmf)
		rc = load("--ovmf", o->ovmf, OVMF_MAX_SIZE, &in->ovmf);
	if (!rc && o->kernel)
		rc = load("--kernel", o->kernel, MAX_KERNEL, &in->kernel);
	if (!rc && o->initrd)
		rc = load("--initrd", o->initrd, MAX_INITRD, &in->initrd);
	if (rc)
		return rc;
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
	bool raw; /* the terminal is raw: restore saved_term */
	struct termios saved_term;
};

static int open_io(const struct run_opts *o, struct run_io *io)
{
	*io = (struct run_io){ .out_fd = STDOUT_FILENO, .in_fd = -1,
			       .dbg_fd = -1 };
	if (o->serial && open_out("--serial", o->serial, &io->out_fd))
		return EXIT_BAD_INPUT;
	if (o->debugcon && open_out("--debugcon", o->debugcon, &io->dbg_fd))
		return EXIT_BAD_INPUT;
	if (o->serial_in) {
		io->in_fd = open(o->serial_in, O_RDONLY | O_CLOEXEC);
		if (io->in_fd < 0) {
			fprintf(stderr, "sevboot: --serial-in %s: %s\n",
				o->serial_in, strerror(errno));
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
		.timeout_sec = o->timeout,
		.verbose = o->verbose,
		.sev = sr->run,
	};
	struct vm_result res;
	enum vm_error_kind kind;
	char err[512] = "";
	int rc;

	if (o->verbose)
		fprintf(stderr, "sevboot: %s boot, %llu MiB RAM, %u vCPU%s\n",
			o->ovmf ? "firmware" : "direct",
			(unsigned long long)(o->mem >> 20), o->smp,
			o->smp == 1 ? "" : "s");
	rc = vm_run(&cfg, &res, &kind, err, sizeof(err));
	restore_terminal(io);
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
	if (sr->timing_failed && rc == EXIT_POWEROFF)
		rc = EXIT_RUNTIME;
	if (o->verbose)
		fprintf(stderr,
			"sevboot: guest stopped (%s) after %.3f s, %llu exits, "
			"guest RAM resident %llu KiB, exit code %d\n",
			vm_stop_name(res.why), res.seconds,
			(unsigned long long)res.exits,
			(unsigned long long)(res.guest_resident >> 10), rc);
	return rc;
}

int cmd_run(int argc, char **argv)
{
	struct run_opts o;
	struct run_inputs in = { 0 };
	struct run_io io = { .out_fd = STDOUT_FILENO, .in_fd = -1,
			     .dbg_fd = -1 };
	struct sev_host_info host = { 0 };
	struct run_sev sr = { 0 };
	int rc;

	rc = parse_run_opts(argc, argv, &o);
	if (rc >= 0)
		return rc;
	/* A reader that goes away (sevboot | head) must not kill us with the
	 * terminal still raw: the UART write just fails and output is
	 * dropped. */
	signal(SIGPIPE, SIG_IGN);

	if (o.sev && !o.model) {
		rc = check_sev_host(&o, &host);
		if (rc)
			return rc;
	}
	rc = load_inputs(&o, &in);
	if (!rc && o.sev)
		rc = sev_prepare(&sr, &o, &in.ovmf, in.info, &in.kernel,
				 &in.initrd,
				 o.append ? o.append : DEFAULT_CMDLINE, &host);
	if (!rc)
		rc = open_io(&o, &io);
	if (!rc)
		rc = run_machine(&o, &in, &io, &sr);
	close_io(&io);
	run_sev_free(&sr);
	free_inputs(&in);
	return rc;
}
