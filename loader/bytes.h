/* SPDX-License-Identifier: MIT */
/* Private to loader/: little-endian field access at byte offsets, and the
 * one-sentence error helper every parser uses. */
#ifndef SEVBOOT_LOADER_BYTES_H
#define SEVBOOT_LOADER_BYTES_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

static inline uint16_t get_le16(const uint8_t *p, size_t off)
{
	return (uint16_t)(p[off] | (p[off + 1] << 8));
}

static inline uint32_t get_le32(const uint8_t *p, size_t off)
{
	return (uint32_t)get_le16(p, off) | (uint32_t)get_le16(p, off + 2)
						    << 16;
}

static inline uint64_t get_le64(const uint8_t *p, size_t off)
{
	return (uint64_t)get_le32(p, off) | (uint64_t)get_le32(p, off + 4)
						    << 32;
}

static inline void put_le16(uint8_t *p, size_t off, uint16_t v)
{
	p[off] = (uint8_t)v;
	p[off + 1] = (uint8_t)(v >> 8);
}

static inline void put_le32(uint8_t *p, size_t off, uint32_t v)
{
	put_le16(p, off, (uint16_t)v);
	put_le16(p, off + 2, (uint16_t)(v >> 16));
}

static inline void put_le64(uint8_t *p, size_t off, uint64_t v)
{
	put_le32(p, off, (uint32_t)v);
	put_le32(p, off + 4, (uint32_t)(v >> 32));
}

/* Write one sentence into err[errlen] (either may be NULL/0). */
static inline void __attribute__((format(printf, 3, 4)))
set_err(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (!err || !errlen)
		return;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
}

#endif
