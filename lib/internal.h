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

/*
 * The unit tests' fake /dev/sev-guest and configfs-tsm
 * (tests/unit/test_libsev.c), as struct sev_guest's ioctl and struct
 * sev_tsm's after_mkdir take them (sev/sev.h); all NULL, the real ones.
 * Not exported.
 */
struct libsev_guest_fake {
	int (*ioctl)(void *ctx, int fd, unsigned long req, void *arg);
	void (*after_mkdir)(void *ctx, const char *entry);
	void *ctx;
};
extern struct libsev_guest_fake libsev_guest_fake;

#endif
