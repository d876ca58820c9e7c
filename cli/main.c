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
		"Run 'sevboot run --help' for the boot options.\n");
}

int main(int argc, char **argv)
{
	if (argc >= 2 && strcmp(argv[1], "inspect") == 0)
		return cmd_inspect(argc - 1, argv + 1);
	if (argc >= 2 && strcmp(argv[1], "measure") == 0)
		return cmd_measure(argc - 1, argv + 1);
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
