// SPDX-License-Identifier: MIT
/*
 * MC146818 RTC and its 128 bytes of CMOS RAM, at 0x70 (index) / 0x71 (data).
 *
 * The clock registers are computed from the host's UTC clock on every read,
 * so there is no update cycle to emulate and UIP always reads clear.  Guest
 * writes to the clock registers are accepted and ignored: the guest always
 * sees host time (Linux's occasional NTP write-back is thus a no-op).  No
 * RTC interrupt is ever raised, so register C always reads 0.
 *
 * At construction the RAM gets the bytes QEMU's PC board stores there and
 * that OVMF reads when fw_cfg has no etc/e820: the memory sizes and the CPU
 * count.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "vmm/dev.h"

#define CMOS_PORT 0x70
#define CMOS_SIZE 128

enum {
	RTC_SECONDS = 0x00,
	RTC_SECONDS_ALARM = 0x01,
	RTC_MINUTES = 0x02,
	RTC_MINUTES_ALARM = 0x03,
	RTC_HOURS = 0x04,
	RTC_HOURS_ALARM = 0x05,
	RTC_DAY_OF_WEEK = 0x06,
	RTC_DAY_OF_MONTH = 0x07,
	RTC_MONTH = 0x08,
	RTC_YEAR = 0x09,
	RTC_REG_A = 0x0a,
	RTC_REG_B = 0x0b,
	RTC_REG_C = 0x0c,
	RTC_REG_D = 0x0d,
	RTC_CENTURY = 0x32, /* where PC firmware and QEMU keep it */
};

#define REG_A_UIP     0x80
#define REG_A_DEFAULT 0x26 /* 32.768 kHz time base, 1024 Hz rate */
#define REG_B_24H     0x02
#define REG_B_DM      0x04 /* binary (not BCD) */
#define REG_D_VRT     0x80 /* RAM and time valid */

#define KiB 1024ULL
#define MiB (1024 * KiB)

struct cmos {
	struct dev_host host;
	uint8_t index;
	uint8_t ram[CMOS_SIZE];
};

static uint8_t to_bcd(unsigned v)
{
	return (uint8_t)(((v / 10) % 10) << 4 | (v % 10));
}

/* Encode a clock value per register B's data mode. */
static uint8_t rtc_enc(const struct cmos *c, unsigned v)
{
	return c->ram[RTC_REG_B] & REG_B_DM ? (uint8_t)v : to_bcd(v);
}

static uint8_t rtc_hours(const struct cmos *c, unsigned h)
{
	uint8_t pm = 0;

	if (c->ram[RTC_REG_B] & REG_B_24H)
		return rtc_enc(c, h);
	/* 12-hour mode: 1..12 with bit 7 set for PM. */
	if (h >= 12) {
		pm = 0x80;
		h -= 12;
	}
	return rtc_enc(c, h ? h : 12) | pm;
}

static uint8_t rtc_clock_reg(const struct cmos *c, unsigned reg)
{
	struct timespec ts;
	struct tm tm;

	clock_gettime(CLOCK_REALTIME, &ts);
	if (!gmtime_r(&ts.tv_sec, &tm))
		return 0;
	switch (reg) {
	case RTC_SECONDS:
		/* A leap second (60) would confuse drivers: clamp it. */
		return rtc_enc(c, tm.tm_sec > 59 ? 59 : tm.tm_sec);
	case RTC_MINUTES:
		return rtc_enc(c, tm.tm_min);
	case RTC_HOURS:
		return rtc_hours(c, tm.tm_hour);
	case RTC_DAY_OF_WEEK:
		return rtc_enc(c, tm.tm_wday + 1); /* Sunday = 1 */
	case RTC_DAY_OF_MONTH:
		return rtc_enc(c, tm.tm_mday);
	case RTC_MONTH:
		return rtc_enc(c, tm.tm_mon + 1);
	case RTC_YEAR:
		return rtc_enc(c, (unsigned)(tm.tm_year + 1900) % 100);
	default: /* RTC_CENTURY */
		return rtc_enc(c, (unsigned)(tm.tm_year + 1900) / 100);
	}
}

static bool is_clock_reg(unsigned reg)
{
	switch (reg) {
	case RTC_SECONDS:
	case RTC_MINUTES:
	case RTC_HOURS:
	case RTC_DAY_OF_WEEK:
	case RTC_DAY_OF_MONTH:
	case RTC_MONTH:
	case RTC_YEAR:
	case RTC_CENTURY:
		return true;
	}
	return false;
}

static uint8_t cmos_data_read(struct cmos *c)
{
	unsigned reg = c->index;
	uint8_t v;

	if (is_clock_reg(reg))
		return rtc_clock_reg(c, reg);
	switch (reg) {
	case RTC_REG_A:
		return c->ram[reg] & ~REG_A_UIP;
	case RTC_REG_C:
		/* Interrupt flags clear on read. */
		v = c->ram[reg];
		c->ram[reg] = 0;
		return v;
	case RTC_REG_D:
		return REG_D_VRT;
	}
	return c->ram[reg];
}

static void cmos_data_write(struct cmos *c, uint8_t v)
{
	unsigned reg = c->index;

	if (is_clock_reg(reg))
		return; /* host time is authoritative, see above */
	switch (reg) {
	case RTC_REG_A:
		c->ram[reg] = v & ~REG_A_UIP;
		return;
	case RTC_REG_C:
	case RTC_REG_D:
		return; /* read-only */
	}
	c->ram[reg] = v;
}

/* Byte-wide chip: a wide access hits 0x70 then 0x71, as on real buses. */
static void cmos_read(void *dev, uint64_t off, uint8_t *data, unsigned len)
{
	struct cmos *c = dev;

	for (unsigned i = 0; i < len; i++)
		/* The index register is write-only; QEMU reads 0xff. */
		data[i] = off + i == 0 ? 0xff : cmos_data_read(c);
}

static void cmos_write(void *dev, uint64_t off, const uint8_t *data,
		       unsigned len)
{
	struct cmos *c = dev;

	for (unsigned i = 0; i < len; i++) {
		if (off + i == 0)
			/* Bit 7 is the NMI mask; NMIs are not ours. */
			c->index = data[i] & 0x7f;
		else
			cmos_data_write(c, data[i]);
	}
}

static void set16(uint8_t *ram, unsigned reg, uint64_t v)
{
	if (v > 0xffff)
		v = 0xffff;
	ram[reg] = (uint8_t)v;
	ram[reg + 1] = (uint8_t)(v >> 8);
}

struct cmos *cmos_new(const struct dev_host *h, uint64_t low_ram,
		      uint64_t high_ram, unsigned ncpus)
{
	struct cmos *c = calloc(1, sizeof(*c));
	uint64_t total = low_ram + high_ram, v;
	unsigned sum = 0;

	if (!c)
		return NULL;
	if (h)
		c->host = *h;
	if (total < low_ram)
		total = UINT64_MAX;

	c->ram[RTC_REG_A] = REG_A_DEFAULT;
	c->ram[RTC_REG_B] = REG_B_24H; /* BCD, 24 hour, no interrupts */
	c->ram[RTC_REG_D] = REG_D_VRT;

	/* Base memory in KiB (at most 640). */
	v = low_ram / KiB;
	set16(c->ram, 0x15, v > 640 ? 640 : v);
	/* Extended memory above 1 MiB in KiB; saturates at 64 MiB. */
	v = total > MiB ? (total - MiB) / KiB : 0;
	set16(c->ram, 0x17, v);
	set16(c->ram, 0x30, v);
	/* RAM between 16 MiB and the end of low RAM, in 64 KiB units. */
	v = low_ram > 16 * MiB ? (low_ram - 16 * MiB) / (64 * KiB) : 0;
	set16(c->ram, 0x34, v);
	/* RAM above 4 GiB in 64 KiB units, 24 bits (saturating). */
	v = high_ram / (64 * KiB);
	if (v > 0xffffff)
		v = 0xffffff;
	c->ram[0x5b] = (uint8_t)v;
	c->ram[0x5c] = (uint8_t)(v >> 8);
	c->ram[0x5d] = (uint8_t)(v >> 16);
	c->ram[0x5f] = (uint8_t)(ncpus ? ncpus - 1 : 0);

	/* Standard checksum over 0x10..0x2d, big-endian at 0x2e. */
	for (unsigned i = 0x10; i <= 0x2d; i++)
		sum += c->ram[i];
	c->ram[0x2e] = (uint8_t)(sum >> 8);
	c->ram[0x2f] = (uint8_t)sum;
	return c;
}

int cmos_attach(struct cmos *c, struct bus *io)
{
	int id = bus_add(io, CMOS_PORT, 2, cmos_read, cmos_write, c, "cmos");

	return id < 0 ? id : 0;
}

void cmos_free(struct cmos *c)
{
	free(c);
}
