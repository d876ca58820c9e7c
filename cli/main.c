// SPDX-License-Identifier: MIT
/*
 * sevboot: entry point and the one table of sub-commands.  A command's
 * usage is its cli_spec (cli/cli.h), so `sevboot help CMD` and
 * `sevboot CMD --help` print the same text from the same table.
 */
#include <stdint.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/inspect.h"
#include "cli/measure.h"


struct command {
	const char *name; /* first: cli_nearest() reads it there */
	int (*run)(int argc, char **argv); /* NULL: help */
	const char *summary;
	const struct cli_spec *spec; /* synopsis, options, notes */
};

static const struct command commands[] = {
	{"run", cmd_run, "boot a guest on KVM (the default command)",
	 &run_spec},
	{"inspect", cmd_inspect, "what a firmware image offers an SEV launch",
	 &inspect_spec},
	{"measure", cmd_measure,
	 "the launch digest the firmware will compute, without KVM",
	 &measure_spec},
	{"session", cmd_session,
	 "guest owner: a launch session for a platform's PDH", &session_spec},
	{"owner", cmd_owner,
	 "guest owner: check a launch measurement, seal secrets", &owner_spec},
	{"verify-chain", cmd_verify_chain,
	 "guest owner: check an AMD certificate chain (SEV or SNP)",
	 &verify_chain_spec},
	{"verify-report", cmd_verify_report,
	 "guest owner: check an attestation report (SNP or SEV)",
	 &verify_report_spec},
	{"show-report", cmd_show_report,
	 "every field of an attestation report, by name", &show_report_spec},
	{"fetch", cmd_fetch,
	 "guest owner: AMD's SNP certificates (CA, VCEK, CRL) from AMD KDS",
	 &fetch_spec},
	{"check", cmd_check,
	 "can this host launch SEV, SEV-ES, SEV-SNP guests (as sevctl ok)",
	 &host_check_spec},
	{"platform", cmd_platform,
	 "the AMD Secure Processor's platform commands (/dev/sev or the "
	 "model)",
	 &platform_spec},
	{"guest", cmd_guest,
	 "inside an SNP guest: attestation report, certificates, derived key",
	 &guest_spec},
	{"id-block", cmd_id_block,
	 "guest owner: an SNP ID block and its signatures", &id_block_spec},
	{"bench-launch", cmd_bench_launch,
	 "time N launches, each in a fresh VM: per-phase statistics",
	 &bench_launch_spec},
	{"model-keys", cmd_model_keys,
	 "a platform identity for the firmware model", &model_keys_spec},
	{"help", NULL, "this list, or one command's usage (help COMMAND)",
	 NULL},
};

#define NCOMMANDS (sizeof(commands) / sizeof(commands[0]))

static const struct command *find_command(const char *name)
{
	for (size_t k = 0; k < NCOMMANDS; k++)
		if (!strcmp(commands[k].name, name))
			return &commands[k];
	return NULL;
}

static void list_commands(FILE *f)
{
	fprintf(f, "usage: sevboot [run] [OPTIONS]\n"
		   "       sevboot COMMAND [ARGUMENTS]\n"
		   "       sevboot help [COMMAND] | --help | --version\n"
		   "\n"
		   "Commands:\n");
	for (size_t k = 0; k < NCOMMANDS; k++)
		fprintf(f, "  %-13s %s\n", commands[k].name,
			commands[k].summary);
	fprintf(f, "\n"
		   "With options only, sevboot runs `run`.  'sevboot help "
		   "COMMAND' and\n"
		   "'sevboot COMMAND --help' show a command's options and "
		   "exit codes; exit\n"
		   "code 2 is a usage error in every command.\n");
}

static int unknown_command(const char *what, const char *name)
{
	const char *near = cli_nearest(name, strlen(name), commands, NCOMMANDS,
				       sizeof(commands[0]));
	char shown[CLI_WORD_MAX];

	cli_word(shown, sizeof(shown), name, SIZE_MAX);
	if (near)
		fprintf(stderr,
			"sevboot: %sunknown command '%s' (did you "
			"mean %s?)\n",
			what, shown, near);
	else
		fprintf(stderr,
			"sevboot: %sunknown command '%s' (see "
			"sevboot --help)\n",
			what, shown);
	return EXIT_USAGE;
}

/* sevboot help [COMMAND]; argv[0] is "help". */
static int help(int argc, char **argv)
{
	const struct command *c;

	if (argc == 1 || (argc == 2 && (!strcmp(argv[1], "--help") ||
					!strcmp(argv[1], "-h")))) {
		list_commands(stdout);
		return 0;
	}
	if (argc > 2) {
		fprintf(stderr, "sevboot: help: give one command name (see "
				"sevboot --help)\n");
		return EXIT_USAGE;
	}
	c = find_command(argv[1]);
	if (!c)
		return unknown_command("help: ", argv[1]);
	if (!c->spec)
		list_commands(stdout);
	else
		cli_usage(c->spec, stdout);
	return 0;
}

int main(int argc, char **argv)
{
	const struct command *c;

	/* Keys, TEK/TIK, launch secrets and guest memory pass through every
	 * command: none of it may end up in a core file. */
	if (cli_no_core_dumps()) {
		fprintf(stderr, "sevboot: cannot turn core dumps off: %s\n",
			strerror(errno));
		return EXIT_RUNTIME;
	}

	if (argc == 2 && !strcmp(argv[1], "--version")) {
		printf("sevboot %s\n", SEVBOOT_VERSION);
		return 0;
	}
	if (argc == 2 &&
	    (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))) {
		list_commands(stdout);
		return 0;
	}
	/* No command, only options: `run`, as QEMU users expect. */
	if (argc < 2 || argv[1][0] == '-')
		return cmd_run(argc, argv);
	c = find_command(argv[1]);
	if (!c)
		return unknown_command("", argv[1]);
	return c->run ? c->run(argc - 1, argv + 1) : help(argc - 1, argv + 1);
}
