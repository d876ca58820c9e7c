/* SPDX-License-Identifier: MIT */
/* `sevboot inspect`: what an OVMF image offers an SEV launch. */
#ifndef SEVBOOT_CLI_INSPECT_H
#define SEVBOOT_CLI_INSPECT_H

/*
 * sevboot inspect [--json] FILE
 *
 * argv[0] is "inspect".  Prints the image's size and place below 4 GiB, its
 * footer GUID table, SEV-ES reset block, kernel hashes table, secret area,
 * SNP (ASEV) sections and TDX metadata offset, and one verdict per launch
 * mode; --json prints the same as one JSON object.  Returns the process
 * exit code: 0, EXIT_USAGE (2), EXIT_BAD_INPUT (3), or EXIT_RUNTIME (1)
 * when memory or stdout fail.  Errors are one line on stderr.
 */
int cmd_inspect(int argc, char **argv);

#endif
