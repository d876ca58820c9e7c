// SPDX-License-Identifier: MIT
/* sevboot: entry point and sub-command dispatch. */
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/inspect.h"
#include "cli/measure.h"

#define SEVBOOT_VERSION "0.1.0"

static void usage(FILE *f)
{
	fprintf(f,
		"usage: sevboot [run] [OPTIONS]      boot a guest\n"
		"       sevboot inspect [--json] FILE  what a firmware image "
		"offers\n"
		"       sevboot measure --mode MODE --ovmf FILE [...]  the "
		"expected launch digest\n"
		"       sevboot --help | --version\n"
		"The guest owner's tools (SEV/SEV-ES launch secrets):\n"
		"       sevboot session --pdh FILE --policy P --out DIR  a "
		"launch session\n"
		"       sevboot owner --session DIR --digest HEX [...]  check "
		"a measurement,\n"
		"                      seal secrets (--owner-cmd / "
		"--owner-socket's other end)\n"
		"       sevboot model-keys DIR  a platform identity for the "
		"firmware model\n"
		"Run 'sevboot run --help' for the boot options, 'sevboot CMD "
		"--help' for a\ncommand's.\n");
}

int main(int argc, char **argv)
{
	if (argc >= 2 && strcmp(argv[1], "inspect") == 0)
		return cmd_inspect(argc - 1, argv + 1);
	if (argc >= 2 && strcmp(argv[1], "measure") == 0)
		return cmd_measure(argc - 1, argv + 1);
	if (argc >= 2 && strcmp(argv[1], "session") == 0)
		return cmd_session(argc - 1, argv + 1);
	if (argc >= 2 && strcmp(argv[1], "owner") == 0)
		return cmd_owner(argc - 1, argv + 1);
	if (argc >= 2 && strcmp(argv[1], "model-keys") == 0)
		return cmd_model_keys(argc - 1, argv + 1);
	if (argc >= 2 && strcmp(argv[1], "run") == 0)
		return cmd_run(argc - 1, argv + 1);
	if (argc == 2 && strcmp(argv[1], "--version") == 0) {
		printf("sevboot %s\n", SEVBOOT_VERSION);
		return 0;
	}
	if (argc == 2 && (strcmp(argv[1], "help") == 0)) {
		usage(stdout);
		return 0;
	}
	if (argc >= 2 && argv[1][0] != '-') {
		fprintf(stderr, "sevboot: unknown command '%s'\n", argv[1]);
		usage(stderr);
		return EXIT_USAGE;
	}
	return cmd_run(argc, argv);
}
