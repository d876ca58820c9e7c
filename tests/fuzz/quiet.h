/* SPDX-License-Identifier: MIT */
/*
 * For harnesses whose target prints to stderr (sevboot's messages to the
 * user): quiet_begin() sends stderr to /dev/null until quiet_end(), so a
 * long run's log holds only libFuzzer's lines.  The sanitizers report on a
 * copy of the real stderr, so a crash inside the quiet part is still
 * shown; quiet_fd() is that copy, for the harness's own checks.
 */
#ifndef SEVBOOT_TESTS_FUZZ_QUIET_H
#define SEVBOOT_TESTS_FUZZ_QUIET_H

#include <fcntl.h>
#include <sanitizer/common_interface_defs.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

static int quiet_real = -1, quiet_null = -1;

static inline int quiet_fd(void)
{
	if (quiet_real < 0) {
		quiet_real = fcntl(2, F_DUPFD_CLOEXEC, 10);
		quiet_null = open("/dev/null", O_WRONLY | O_CLOEXEC);
		if (quiet_real < 0 || quiet_null < 0)
			abort();
		__sanitizer_set_report_fd((void *)(intptr_t)quiet_real);
	}
	return quiet_real;
}

static inline void quiet_begin(void)
{
	quiet_fd();
	fflush(stderr);
	if (dup2(quiet_null, 2) != 2)
		abort();
}

static inline void quiet_end(void)
{
	fflush(stderr);
	if (dup2(quiet_real, 2) != 2)
		abort();
}

#endif
