/* SPDX-License-Identifier: MIT */
/*
 * lib/internal.h: what the files of libsev share and do not export
 * (everything is built with -fvisibility=hidden; API marks the public
 * names of lib/libsev.h).
 */
#ifndef SEVBOOT_LIB_INTERNAL_H
#define SEVBOOT_LIB_INTERNAL_H

#include <stdint.h>

#define API __attribute__((visibility("default")))

/*
 * The API's result: 0, or -1 with errno = -ret; *fw_err (when fw_err is
 * not NULL) = fw either way.  LIBSEV_VERBOSE=1 prints why on stderr.
 */
int libsev_result(int ret, uint32_t fw, int *fw_err, const char *why);

#endif
