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
#include <termios.h>
#include <unistd.h>

#include "cli/cli.h"
#include "loader/loader.h"
#include "sev/sev.h"
#include "vmm/vmm.h"

#define DEFAULT_MEM (512 * SZ_1M)
#define DEFAULT_CMDLINE "console=ttyS0"
#define MAX_KERNEL (256 * SZ_1M)
#define MAX_INITRD (2 * SZ_1G)
#define MAX_TIMEOUT (7 * 24 * 3600)
#define DEFAULT_SNP_POLICY 0x30000ULL
#define SEV_POLICY_ES 0x4u

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
				.reduced_phys_bits = -1 };
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
			o->legacy_init))
		return usage_error("--cbitpos, --reduced-phys-bits and "
				   "--legacy-init need --policy or --snp%s%s",
				   "", "");
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
 * missing piece is one plain sentence.  The launch through KVM itself is
 * not part of this version yet, which is said just as plainly.
 */
static int check_sev_host(const struct run_opts *o)
{
	struct sev_host_facts facts;
	struct sev_host_info info;
	char msg[1024];
	int ret;

	sev_host_gather(&facts);
	ret = sev_host_check(&facts, o->mode, o->cbitpos, o->reduced_phys_bits,
			     msg, sizeof(msg), &info);
	if (ret == -EINVAL) {
		fprintf(stderr, "sevboot: %s\n", msg);
		return EXIT_USAGE;
	}
	if (ret) {
		fprintf(stderr, "sevboot: this host cannot run %s guests: %s\n",
			sev_mode_display(o->mode), msg);
		return EXIT_HOST;
	}
	fprintf(stderr,
		"sevboot: this host can run %s guests, but this version of "
		"sevboot cannot launch them yet; `sevboot measure` gives the "
		"expected launch digest\n",
		sev_mode_display(o->mode));
	return EXIT_SEV;
}

int cmd_run(int argc, char **argv)
{
	struct run_opts o;
	struct blob ovmf = { 0 }, kernel = { 0 }, initrd = { 0 };
	struct ovmf_info *info = NULL;
	struct vm_config cfg;
	struct vm_result res;
	enum vm_error_kind kind;
	struct termios saved_term;
	bool raw = false;
	int out_fd = STDOUT_FILENO, in_fd = -1, dbg_fd = -1;
	char err[512] = "";
	int rc, ret;

	rc = parse_run_opts(argc, argv, &o);
	if (rc >= 0)
		return rc;
	/* A reader that goes away (sevboot | head) must not kill us with the
	 * terminal still raw: the UART write just fails and output is
	 * dropped. */
	signal(SIGPIPE, SIG_IGN);

	if (o.sev) {
		rc = check_sev_host(&o);
		if (rc)
			return rc;
	}

	rc = 0;
	if (o.ovmf)
		rc = load("--ovmf", o.ovmf, OVMF_MAX_SIZE, &ovmf);
	if (!rc && o.kernel)
		rc = load("--kernel", o.kernel, MAX_KERNEL, &kernel);
	if (!rc && o.initrd)
		rc = load("--initrd", o.initrd, MAX_INITRD, &initrd);
	if (rc)
		goto out;
	if (o.ovmf) {
		info = calloc(1, sizeof(*info));
		if (!info) {
			rc = EXIT_RUNTIME;
			goto out;
		}
		if (ovmf_parse(ovmf.data, ovmf.len, info, err, sizeof(err))) {
			fprintf(stderr, "sevboot: --ovmf %s: %s\n", o.ovmf,
				err);
			rc = EXIT_BAD_INPUT;
			goto out;
		}
	}
	if (o.kernel) {
		struct bzimage_info bz;

		if (bzimage_parse(kernel.data, kernel.len, &bz, err,
				  sizeof(err))) {
			fprintf(stderr, "sevboot: --kernel %s: %s\n", o.kernel,
				err);
			rc = EXIT_BAD_INPUT;
			goto out;
		}
	}
	if (o.serial && (rc = open_out("--serial", o.serial, &out_fd)))
		goto out;
	if (o.debugcon && (rc = open_out("--debugcon", o.debugcon, &dbg_fd)))
		goto out;
	if (o.serial_in) {
		in_fd = open(o.serial_in, O_RDONLY | O_CLOEXEC);
		if (in_fd < 0) {
			fprintf(stderr, "sevboot: --serial-in %s: %s\n",
				o.serial_in, strerror(errno));
			rc = EXIT_BAD_INPUT;
			goto out;
		}
	} else if (isatty(STDIN_FILENO)) {
		in_fd = STDIN_FILENO;
		raw = term_raw(STDIN_FILENO, &saved_term);
	}

	cfg = (struct vm_config){
		.mem_size = o.mem,
		.ncpus = o.smp,
		.ovmf = ovmf.data,
		.ovmf_len = ovmf.len,
		.ovmf_info = info,
		.kernel = kernel.data,
		.kernel_len = kernel.len,
		.initrd = initrd.data,
		.initrd_len = initrd.len,
		.cmdline = o.append ? o.append : DEFAULT_CMDLINE,
		.inputs_mapped = true,
		.serial_out_fd = out_fd,
		.serial_in_fd = in_fd,
		.debugcon_fd = dbg_fd,
		.timeout_sec = o.timeout,
		.verbose = o.verbose,
	};
	if (o.verbose)
		fprintf(stderr,
			"sevboot: %s boot, %llu MiB RAM, %u vCPU%s\n",
			o.ovmf ? "firmware" : "direct",
			(unsigned long long)(o.mem >> 20), o.smp,
			o.smp == 1 ? "" : "s");
	ret = vm_run(&cfg, &res, &kind, err, sizeof(err));
	if (raw)
		tcsetattr(STDIN_FILENO, TCSANOW, &saved_term);
	if (ret) {
		fprintf(stderr, "sevboot: %s\n", err);
		rc = kind == VM_ERR_HOST    ? EXIT_HOST
		     : kind == VM_ERR_INPUT ? EXIT_BAD_INPUT
					    : EXIT_RUNTIME;
		goto out;
	}
	rc = exit_code_for(&res, err);
	if (o.verbose)
		fprintf(stderr,
			"sevboot: guest stopped (%s) after %.3f s, %llu exits, "
			"guest RAM resident %llu KiB, exit code %d\n",
			vm_stop_name(res.why), res.seconds,
			(unsigned long long)res.exits,
			(unsigned long long)(res.guest_resident >> 10), rc);
out:
	if (out_fd != STDOUT_FILENO && out_fd >= 0)
		close(out_fd);
	if (dbg_fd >= 0)
		close(dbg_fd);
	if (in_fd > STDIN_FILENO)
		close(in_fd);
	free(info);
	blob_free(&ovmf);
	blob_free(&kernel);
	blob_free(&initrd);
	return rc;
}
