/* SPDX-License-Identifier: MIT */
/* `sevboot measure`: the launch digest a guest owner should expect. */
#ifndef SEVBOOT_CLI_MEASURE_H
#define SEVBOOT_CLI_MEASURE_H

#include <stdint.h>

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

/*
 * The SNP launch digest `sevboot measure` computes for argv ("measure"
 * then its options, --mode snp among them; no --tik), for the commands
 * that need one (`sevboot id-block --ovmf ...`).  0 with digest set, or
 * an exit code after one line on stderr ("sevboot: measure: ...").
 */
int measure_snp_argv(int argc, char **argv, uint8_t digest[48]);

#endif
