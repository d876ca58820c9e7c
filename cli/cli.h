/* SPDX-License-Identifier: MIT */
/* The command line: sub-commands and sevboot's exit codes. */
#ifndef SEVBOOT_CLI_H
#define SEVBOOT_CLI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "sev/sev.h"

/*
 * Exit codes (documented in README.md; tests check them).
 *   0        the guest powered off (ACPI S5)
 *   1        runtime failure: a KVM call failed, the guest hit an error KVM
 *            cannot handle
 *   2        usage: bad or missing option or value
 *   3        bad input file: missing, empty, truncated, too big, wrong kind
 *   4        host: no /dev/kvm, wrong API, a capability is missing
 *   5        SEV launch failure (firmware command failed, digest mismatch)
 *   6        fetch: AMD's KDS unreachable, too slow, or it refused
 *   10       the guest asked for a reset/reboot
 *   11       the guest triple-faulted (KVM shutdown exit)
 *   64+v     the guest wrote v (0..63) to the debug-exit port 0x501
 *   12       the run loop made a system call its seccomp filter forbids
 *   124      --timeout expired
 *   128+sig  stopped by signal sig (SIGINT, SIGTERM, SIGHUP)
 */
enum sevboot_exit {
	EXIT_POWEROFF = 0,
	EXIT_RUNTIME = 1,
	EXIT_USAGE = 2,
	EXIT_BAD_INPUT = 3,
	EXIT_HOST = 4,
	EXIT_SEV = 5,
	EXIT_KDS = 6, /* fetch: KDS unreachable, too slow, or it refused */
	EXIT_RESET = 10,
	EXIT_TRIPLE_FAULT = 11,
	EXIT_SECCOMP = 12,
	EXIT_DEBUG_BASE = 64,
	EXIT_TIMEOUT = 124,
	EXIT_SIGNAL_BASE = 128,
};

int cmd_run(int argc, char **argv);

/* ------------------------------------------------------------ options */

/*
 * One option style for every sub-command: the command declares its options
 * as a table of struct cli_opt, cli_parse() fills the command's options
 * struct from argv, and cli_usage() prints --help from the same table, so
 * the help text and the parser cannot drift apart.  -h/--help is implicit
 * in every table.
 *
 * Errors are one line that names the option as the user typed it:
 *   sevboot: --smp x: must be a number from 1 to 256
 *   sevboot: --ovmf needs a value
 *   sevboot: unknown option '-smp' (sevboot's options take two dashes: --smp)
 */
enum cli_arg {
	CLI_END,     /* the table's last entry */
	CLI_SECTION, /* no option: .help is a paragraph of the usage text */
	CLI_FLAG,    /* no value; sets a bool */
	CLI_STRING,  /* const char *: the value as given */
	CLI_UINT,    /* unsigned, decimal (or 0x...), from .min to .max */
	CLI_HEX,     /* unsigned, hex with or without 0x, from .min to .max */
	CLI_SIZE,    /* uint64_t bytes as parse_size() reads them ("512M") */
	CLI_CUSTOM,  /* .parse(options struct, value) */
	CLI_HELP,    /* -h/--help; cli_parse() adds it to every table */
};

struct cli_opt {
	const char *name; /* the long name, without "--" */
	char short_name;  /* a one-letter spelling ('v' for -v), or 0 */
	enum cli_arg arg;
	size_t off, size;  /* the target field: CLI_FIELD(struct, field) */
	uint64_t min, max; /* CLI_UINT, CLI_HEX, CLI_SIZE */
	const char *unit;  /* "seconds": "must be a number of seconds ..." */
	size_t also;	   /* CLI_ALSO(struct, bool field): set it too */
	/* CLI_CUSTOM: NULL when the value is good, else what it must be. */
	const char *(*parse)(void *opts, const char *value);
	const char *meta; /* the value in the usage: FILE, N, ... */
	const char *help; /* one sentence, wrapped; NULL: a hidden alias */
	const char *bad;  /* what a value must be, instead of the default */
	const char *qemu; /* QEMU's spelling when it is not the long name */
};

#define CLI_FIELD(type, field)                                                 \
	.off = offsetof(type, field), .size = sizeof(((type *)0)->field)
/* Offset + 1, so that 0 means "nothing else to set". */
#define CLI_ALSO(type, field) .also = offsetof(type, field) + 1

/* The operands a command takes besides its options (FILE, DIR). */
#define CLI_MAX_ARGS 16
struct cli_args {
	unsigned n;
	const char *v[CLI_MAX_ARGS];
};

struct cli_spec {
	const char *name;     /* "measure", as in "sevboot measure --help" */
	const char *prefix;   /* what every error line starts with */
	const char *synopsis; /* after "usage: sevboot " */
	const char *about;    /* text before the options (lines end in \n) */
	const struct cli_opt *opts; /* ends with CLI_END; NULL: none */
	const char *notes; /* text after the options (lines end in \n) */
	unsigned max_args; /* operands taken, at most CLI_MAX_ARGS */
};

/* What cli_parse_argv() found. */
enum cli_result {
	CLI_OK,		/* options stored; go on */
	CLI_ASKED_HELP, /* -h or --help */
	CLI_BAD,	/* a usage error; err says which option and why */
	CLI_BROKEN,	/* the table itself is wrong (a bug); err says how */
};

/*
 * Parse argv[1..argc) against s into opts (its fields keep their defaults
 * unless given) and args (may be NULL when s takes none).  err gets one
 * line without the prefix and without a newline.
 */
enum cli_result cli_parse_argv(const struct cli_spec *s, int argc,
			       char *const *argv, void *opts,
			       struct cli_args *args, char *err, size_t errlen);
/*
 * The same for a command: -1 to go on; 0 after the usage on stdout for
 * --help; EXIT_USAGE after one line on stderr.
 */
int cli_parse(const struct cli_spec *s, int argc, char **argv, void *opts,
	      struct cli_args *args);
/* The --help text of s, generated from its table. */
void cli_usage(const struct cli_spec *s, FILE *f);
/* One usage error line, s's prefix first; returns EXIT_USAGE. */
int cli_error(const struct cli_spec *s, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* One error line of a command: "sevboot: CMD: ..." on stderr. */
void cli_cmd_error(const char *cmd, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* The name in names[0..n) (stride bytes apart, a const char * at the
 * start of each) closest to word[0..len), or NULL when none is close. */
const char *cli_nearest(const char *word, size_t len, const void *names,
			size_t n, size_t stride);

/*
 * A user's word fit for an error line: at most CLI_WORD_SHOWN of its first
 * len bytes (SIZE_MAX: all), control characters as \xNN, "..." when cut.
 * buf holds CLI_WORD_MAX bytes.
 */
#define CLI_WORD_SHOWN 80
#define CLI_WORD_MAX   (4 * CLI_WORD_SHOWN + 4)
const char *cli_word(char *buf, size_t cap, const char *w, size_t len);

/* Every sub-command's options and usage (cli/main.c lists them). */
extern const struct cli_spec run_spec, inspect_spec, measure_spec, session_spec,
	owner_spec, model_keys_spec, verify_chain_spec, verify_report_spec,
	show_report_spec, fetch_spec, id_block_spec, bench_launch_spec;

/*
 * A number option: "0x..." is hex, anything else decimal, or hex with an
 * optional 0x when hex is set.  Digits only (no sign, no space, not empty);
 * -EINVAL on syntax, -ERANGE above max.
 */
int cli_parse_num(const char *s, bool hex, uint64_t max, uint64_t *out);

/*
 * A fixed-size binary input (--dh-cert-file, --session-file, --id-block,
 * ...): want raw bytes, or their base64 (as QEMU takes them), whitespace
 * ignored.  0, or an exit code after one line on stderr naming opt and
 * path.  The text read is wiped.
 */
int cli_read_blob(const char *opt, const char *path, size_t want,
		  uint8_t *out);

/* ------------------------------------------------ launch configuration */

/* The defaults of every command that builds a launch. */
#define LAUNCH_DEFAULT_CPU	    "EPYC-v4"
#define LAUNCH_DEFAULT_SNP_FEATURES 0x1ULL /* SNPActive */

/* What the options say about the launch, shared by `run` and `measure`
 * (cli/launch.c). */
struct launch_opts {
	enum sev_mode mode;
	unsigned ncpus;
	uint32_t vcpu_sig;     /* resolved: launch_cpu_signature() */
	uint64_t snp_features; /* SNP SEV_FEATURES of the VMSAs */
	bool legacy_init;      /* KVM_SEV_INIT / KVM_SEV_ES_INIT */
	bool debug_swap;       /* ... on a kernel that sets DebugSwap */
	bool snp_ovmf_only;    /* measure: the firmware pages only */
	/* measure only (run leaves them zero): whose VMSAs, and a given
	 * digest of the SNP firmware pages (48 bytes) */
	enum vmm_type vmm;
	const uint8_t *snp_ovmf_digest;
};

/* The files the launch measures (kernel NULL: no measured direct boot;
 * cmdline NULL: no command line given). */
struct launch_inputs {
	const uint8_t *ovmf;
	size_t ovmf_len;
	const struct ovmf_info *info;
	const uint8_t *kernel, *initrd;
	size_t kernel_len, initrd_len;
	const char *cmdline;
	/* measure's snp:svsm: the SVSM image and the variable store size */
	const uint8_t *svsm;
	size_t svsm_len;
	const struct ovmf_info *svsm_info;
	uint64_t vars_size;
};

/* The defaults: 1 vCPU, SNP features 0x1 (the signature is resolved by
 * launch_cpu_signature()). */
void launch_opts_init(struct launch_opts *o);
/* --cpu MODEL|SIG (NULL: LAUNCH_DEFAULT_CPU) -> the VMSAs' signature.
 * 0 or -EINVAL with err listing the known models. */
int launch_cpu_signature(const char *cpu, uint32_t *sig, char *err,
			 size_t errlen);
/*
 * The launch configuration of o and in, its plan (freed by the caller
 * with launch_plan_free) and the digest the firmware must compute (32
 * bytes SEV/SEV-ES, 48 SNP; digest NULL: the plan only, a dry run).
 * 0; -EINVAL when the firmware or inputs cannot do it (err says why);
 * -ENOMEM.
 */
int launch_build(const struct launch_opts *o, const struct launch_inputs *in,
		 struct launch_plan *plan, uint8_t digest[48], char *err,
		 size_t errlen);
/* run's --vmm-type (a cli_opt parse function): QEMU, and nothing else. */
const char *launch_run_vmm_type(void *opts, const char *v);
/* run's hidden --svsm: refused with the reason. */
const char *launch_run_svsm(void *opts, const char *v);

/* ------------------------------------------------ firmware verdicts */

/* `sevboot inspect`'s answer per mode (cli/verdict.c): a dry run of the
 * launch plan, so it accepts exactly what `run` and `measure` accept. */
enum answer {
	ANSWER_YES,
	ANSWER_NO,
	ANSWER_UNCERTAIN,
};

struct verdict {
	enum answer answer;
	char reason[256]; /* "" when there is nothing to add */
};

struct verdicts {
	struct verdict sev, sev_es, snp, hashes;
};

/* v for the image img (len bytes) that ovmf_parse() described as i.
 * 0, or -ENOMEM. */
int firmware_verdicts(const uint8_t *img, size_t len,
		      const struct ovmf_info *i, struct verdicts *v);
const char *answer_word(enum answer a); /* "yes", "no", "uncertain" */

/* ------------------------------------------- the guest owner's tools */

/*
 * sevboot model-keys DIR
 * sevboot session --pdh FILE --policy P --out DIR
 * sevboot owner --session DIR --digest HEX [--secret GUID=FILE ...]
 *               [--policy P] [--connect SOCKET] [--timeout S]
 * argv[0] is the sub-command's name.  They return the process exit code;
 * errors are one line on stderr, "sevboot: <command>: ...".
 */
int cmd_model_keys(int argc, char **argv);
int cmd_session(int argc, char **argv);
int cmd_owner(int argc, char **argv);

/*
 * The guest owner's trust commands (cli/trust.c): AMD certificate chains
 * and attestation reports.  0 when every check holds, EXIT_SEV when one
 * fails, EXIT_BAD_INPUT, EXIT_USAGE, EXIT_RUNTIME.
 */
int cmd_verify_chain(int argc, char **argv);
int cmd_verify_report(int argc, char **argv);
int cmd_show_report(int argc, char **argv);
/* sevboot fetch ca|vcek|crl (cli/fetch.c): AMD KDS.  0, EXIT_USAGE,
 * EXIT_BAD_INPUT, EXIT_SEV (the answer does not verify), EXIT_KDS. */
int cmd_fetch(int argc, char **argv);

/* sevboot guest report|ext-report|derived-key (cli/guest.c), inside an
 * SEV-SNP guest. */
int cmd_guest(int argc, char **argv);
extern const struct cli_spec guest_spec;

/* sevboot platform COMMAND (cli/platform.c): /dev/sev or the model. */
int cmd_platform(int argc, char **argv);
extern const struct cli_spec platform_spec;

/* sevboot check (cli/check.c): can this host launch each mode? */
int cmd_check(int argc, char **argv);
extern const struct cli_spec host_check_spec;

/* ------------------------------------------------ files a command writes */

#define CLI_MAX_FILES 12 /* the most one command writes */
/* The files a command has written so far, removed if it fails later. */
struct cli_written {
	char path[CLI_MAX_FILES][4096];
	unsigned n;
};
void cli_written_undo(struct cli_written *w);
/* DIR/name into out[outlen]; EXIT_USAGE after one line when too long. */
int cli_path_join(const char *cmd, const char *dir, const char *name, char *out,
		  size_t outlen);
/* DIR, made (0700) when it does not exist; its parent must.  0, or an
 * exit code after one line naming cmd and DIR. */
int cli_ensure_dir(const char *cmd, const char *dir);
/* Refuse (EXIT_USAGE) before anything is written when DIR/name exists,
 * for each of the NULL-terminated names. */
int cli_check_absent(const char *cmd, const char *dir,
		     const char *const *names);
/* DIR/name with exactly len bytes and the mode, never replacing a file;
 * recorded in w.  0 or an exit code after one line. */
int cli_write_file(const char *cmd, const char *dir, const char *name,
		   const void *data, size_t len, unsigned mode,
		   struct cli_written *w);

/* sevboot id-block (cli/idblock.c): 0, EXIT_USAGE, EXIT_BAD_INPUT,
 * EXIT_RUNTIME. */
int cmd_id_block(int argc, char **argv);

/* No core file of this process, and no dump of it through a pipe or
 * ptrace (PR_SET_DUMPABLE 0, RLIMIT_CORE 0): 0, or -1 with errno. */
int cli_no_core_dumps(void);

/* The owner exchange's -errno (owner_exchange()) as sevboot's exit code:
 * -EINVAL, -ENAMETOOLONG, -EEXIST, -EADDRINUSE: EXIT_USAGE; -ETIMEDOUT:
 * EXIT_TIMEOUT; -EBADMSG: EXIT_BAD_INPUT; -ECANCELED: EXIT_SEV; anything
 * else: EXIT_RUNTIME.  0 for 0. */
int owner_exit_code(int ret);

#define SEVBOOT_VERSION "0.1.0"

/* ------------------------------------------------------------- timing */

/* The --timing-json document (doc/timing-schema.md, timing.schema.json). */
#define TIMING_SCHEMA	      "sevboot-timing"
#define TIMING_SCHEMA_VERSION 1

struct timing_input {
	const char *option, *path; /* "--ovmf", as given */
	const uint8_t *data;	   /* its bytes (hashed when written) */
	size_t len;
};

/* The host's facts for the header, read before the run loop's seccomp
 * filter forbids it (uname, /proc). */
struct timing_host {
	char release[65];
	char cpu[6][128]; /* vendor, model name, family, model, stepping,
			     microcode; "" when absent */
	bool have_exec;
	uint64_t exec_to_anchor_ns, exec_resolution_ns;
};
void timing_host_gather(struct timing_host *h, uint64_t anchor_mono);

/* What ran, and where: the document's "header". */
struct timing_header {
	struct timing_host host;
	bool sev, model, legacy_init, measured_kernel;
	enum sev_mode mode;
	uint64_t policy;
	bool fw_known; /* the firmware's version below is known */
	uint8_t api_major, api_minor, build;
	unsigned vcpus;
	uint64_t mem;
	struct timing_input inputs[3];
	unsigned ninputs;
	int argc;
	char **argv;
	int exit_code;
};

/* --timing-json and --timing-csv (either path may be NULL); run NULL for
 * a plain boot.  0, or -errno after one line on stderr. */
int timing_write(const char *json_path, const char *csv_path,
		 const struct timing_header *h, struct timeline *tl,
		 const struct sev_run *run);
/*
 * The same from a confined process: a writer forked at the start (before
 * the run loop's seccomp filter, which allows no file to be made) makes
 * the files; the run hands it the texts at the end (pipe writes only).
 * The writer exits without writing anything when the run ends without
 * sending (a usage error, a stop during start-up).
 */
struct timing_sink {
	int fd, status_fd; /* -1: none */
};
int timing_sink_open(struct timing_sink *s, const char *json_path,
		     const char *csv_path);
/* Send the report and wait for the writer's answer: 0, or -EIO (the
 * writer said why on stderr). */
int timing_sink_send(struct timing_sink *s, const struct timing_header *h,
		     struct timeline *tl, const struct sev_run *run,
		     bool json, bool csv);
void timing_sink_close(struct timing_sink *s);
/* -v: the timeline as a table, and the unattributed remainder. */
void timing_table(struct timeline *tl, FILE *f);

/* `sevboot bench-launch` (cli/bench.c). */
int cmd_bench_launch(int argc, char **argv);
/* min, median (the mean of the middle two for an even count), p95 (the
 * nearest rank: the ceil(0.95 n)-th smallest) and max of n values. */
void bench_stats(const uint64_t *values, unsigned n, uint64_t s[4]);

#endif
