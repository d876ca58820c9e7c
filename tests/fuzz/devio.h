/* SPDX-License-Identifier: MIT */
/*
 * What the device harnesses (fuzz_devices, fuzz_fwcfg, fuzz_vcpu) share:
 * an output that really goes through write() (/dev/null, opened once), and
 * the big-endian stores fw_cfg's DMA descriptors use (QEMU
 * docs/specs/fw_cfg.rst: the descriptor and the DMA address register are
 * big-endian).
 */
#ifndef SEVBOOT_TESTS_FUZZ_DEVIO_H
#define SEVBOOT_TESTS_FUZZ_DEVIO_H

#include <fcntl.h>
#include <stdint.h>

static inline int null_fd(void)
{
	static int fd = -2;

	if (fd == -2)
		fd = open("/dev/null", O_WRONLY | O_CLOEXEC);
	return fd;
}

static inline void put_be32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

#endif
