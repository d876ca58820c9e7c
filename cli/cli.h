/* SPDX-License-Identifier: MIT */
/* The command line: sub-commands and sevboot's exit codes. */
#ifndef SEVBOOT_CLI_H
#define SEVBOOT_CLI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * Exit codes (documented in README.md; tests check them).
 *   0        the guest powered off (ACPI S5)
 *   1        runtime failure: a KVM call failed, the guest hit an error KVM
 *            cannot handle
 *   2        usage: bad or missing option or value
 *   3        bad input file: missing, empty, truncated, too big, wrong kind
 *   4        host: no /dev/kvm, wrong API, a capability is missing
 *   5        SEV launch failure (firmware command failed, digest mismatch)
 *   10       the guest asked for a reset/reboot
 *   11       the guest triple-faulted (KVM shutdown exit)
 *   64+v     the guest wrote v (0..63) to the debug-exit port 0x501
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
	EXIT_RESET = 10,
	EXIT_TRIPLE_FAULT = 11,
	EXIT_DEBUG_BASE = 64,
	EXIT_TIMEOUT = 124,
	EXIT_SIGNAL_BASE = 128,
};

int cmd_run(int argc, char **argv);

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

#endif
