/* SPDX-License-Identifier: MIT */
/* `sevboot measure`: the launch digest a guest owner should expect. */
#ifndef SEVBOOT_CLI_MEASURE_H
#define SEVBOOT_CLI_MEASURE_H

/*
 * sevboot measure --mode sev|seves|snp|snp:ovmf-hash --ovmf FILE [...]
 *
 * argv[0] is "measure".  Builds the same launch plan `sevboot run` walks
 * and prints its digest on stdout (hex, or base64 with --output-format);
 * with --tik also the LAUNCH_MEASURE value.  No KVM, no SEV hardware.
 * Returns the process exit code: 0, EXIT_USAGE (2), EXIT_BAD_INPUT (3), or
 * EXIT_RUNTIME (1) when memory, OpenSSL or stdout fail.  Errors are one
 * line on stderr, "sevboot: measure: ...".
 */
int cmd_measure(int argc, char **argv);

#endif
