// SPDX-License-Identifier: MIT
/* Unit tests for the CMOS/RTC (vmm/cmos.c). */
#include <time.h>

#include "tests/unit/fake_host.h"
#include "tests/unit/testutil.h"

#define MiB (1024ULL * 1024)
#define GiB (1024 * MiB)

struct rig {
	struct fake_host fh;
	struct bus io;
	struct cmos *c;
};

static void rig_init(struct rig *r, uint64_t low, uint64_t high, unsigned ncpus)
{
	fake_host_init(&r->fh, NULL, 0, 0);
	bus_init(&r->io);
	r->c = cmos_new(&r->fh.h, low, high, ncpus);
	ck_assert_ptr_nonnull(r->c);
	ck_assert_int_eq(cmos_attach(r->c, &r->io), 0);
}

static uint8_t rd(struct rig *r, uint8_t reg)
{
	io_outb(&r->io, 0x70, reg);
	return io_inb(&r->io, 0x71);
}

static void wr(struct rig *r, uint8_t reg, uint8_t v)
{
	io_outb(&r->io, 0x70, reg);
	io_outb(&r->io, 0x71, v);
}

static unsigned rd16(struct rig *r, uint8_t reg)
{
	return rd(r, reg) | rd(r, reg + 1) << 8;
}

static unsigned checksum(struct rig *r)
{
	unsigned sum = 0;

	for (uint8_t i = 0x10; i <= 0x2d; i++)
		sum += rd(r, i);
	return sum & 0xffff;
}

START_TEST(test_memory_512m)
{
	struct rig r;

	rig_init(&r, 512 * MiB, 0, 1);
	ck_assert_uint_eq(rd16(&r, 0x15), 640);
	ck_assert_uint_eq(rd16(&r, 0x17), 0xffff);
	ck_assert_uint_eq(rd16(&r, 0x30), 0xffff);
	ck_assert_uint_eq(rd16(&r, 0x34), (512 - 16) * 16); /* 0x1f00 */
	ck_assert_uint_eq(rd(&r, 0x5b), 0);
	ck_assert_uint_eq(rd(&r, 0x5c), 0);
	ck_assert_uint_eq(rd(&r, 0x5d), 0);
	ck_assert_uint_eq(rd(&r, 0x5f), 0);
	ck_assert_uint_eq(rd(&r, 0x2e) << 8 | rd(&r, 0x2f), checksum(&r));
	cmos_free(r.c);
}
END_TEST

START_TEST(test_memory_3g_1g)
{
	struct rig r;

	rig_init(&r, 3 * GiB, 1 * GiB, 4);
	ck_assert_uint_eq(rd16(&r, 0x15), 640);
	ck_assert_uint_eq(rd16(&r, 0x17), 0xffff);
	ck_assert_uint_eq(rd16(&r, 0x34), 0xbf00); /* (3G - 16M) / 64K */
	ck_assert_uint_eq(rd(&r, 0x5b), 0x00);	   /* 1G / 64K = 0x4000 */
	ck_assert_uint_eq(rd(&r, 0x5c), 0x40);
	ck_assert_uint_eq(rd(&r, 0x5d), 0x00);
	ck_assert_uint_eq(rd(&r, 0x5f), 3);
	cmos_free(r.c);
}
END_TEST

START_TEST(test_memory_small_and_huge)
{
	struct rig r;

	/* 8 MiB: below 16 MiB, extended memory fits. */
	rig_init(&r, 8 * MiB, 0, 1);
	ck_assert_uint_eq(rd16(&r, 0x17), 7 * 1024);
	ck_assert_uint_eq(rd16(&r, 0x30), 7 * 1024);
	ck_assert_uint_eq(rd16(&r, 0x34), 0);
	cmos_free(r.c);

	/* 512 KiB of RAM: base memory is what exists. */
	rig_init(&r, 512 * 1024, 0, 0);
	ck_assert_uint_eq(rd16(&r, 0x15), 512);
	ck_assert_uint_eq(rd16(&r, 0x17), 0);
	ck_assert_uint_eq(rd(&r, 0x5f), 0);
	cmos_free(r.c);

	/* 2 TiB above 4 GiB saturates the 24-bit field. */
	rig_init(&r, 3 * GiB, 2048 * GiB, 255);
	ck_assert_uint_eq(rd(&r, 0x5b), 0xff);
	ck_assert_uint_eq(rd(&r, 0x5c), 0xff);
	ck_assert_uint_eq(rd(&r, 0x5d), 0xff);
	ck_assert_uint_eq(rd(&r, 0x5f), 254);
	cmos_free(r.c);
}
END_TEST

START_TEST(test_status_registers)
{
	struct rig r;

	rig_init(&r, 64 * MiB, 0, 1);
	ck_assert_uint_eq(rd(&r, 0x0a), 0x26);
	ck_assert_uint_eq(rd(&r, 0x0b), 0x02);
	ck_assert_uint_eq(rd(&r, 0x0c), 0x00);
	ck_assert_uint_eq(rd(&r, 0x0d), 0x80);
	/* UIP is read-only and never set. */
	wr(&r, 0x0a, 0xa6);
	ck_assert_uint_eq(rd(&r, 0x0a), 0x26);
	/* C and D ignore writes. */
	wr(&r, 0x0c, 0xff);
	wr(&r, 0x0d, 0x00);
	ck_assert_uint_eq(rd(&r, 0x0c), 0x00);
	ck_assert_uint_eq(rd(&r, 0x0d), 0x80);
	/* The index port reads 0xff; bit 7 of the index (NMI) is masked. */
	ck_assert_uint_eq(io_inb(&r.io, 0x70), 0xff);
	io_outb(&r.io, 0x70, 0x80 | 0x0d);
	ck_assert_uint_eq(io_inb(&r.io, 0x71), 0x80);
	/* Plain RAM. */
	wr(&r, 0x40, 0x5a);
	ck_assert_uint_eq(rd(&r, 0x40), 0x5a);
	wr(&r, 0x7f, 0xa5);
	ck_assert_uint_eq(rd(&r, 0x7f), 0xa5);
	/* A 16-bit write sets the index then the data. */
	io_out(&r.io, 0x70, 2, 0x7741);
	ck_assert_uint_eq(rd(&r, 0x41), 0x77);
	cmos_free(r.c);
}
END_TEST

static bool is_bcd(uint8_t v)
{
	return (v & 0x0f) <= 9 && (v >> 4) <= 9;
}

static unsigned from_bcd(uint8_t v)
{
	return (v >> 4) * 10 + (v & 0x0f);
}

/* Read the clock as Linux does: until two reads agree. */
static void read_clock(struct rig *r, uint8_t v[10])
{
	uint8_t again[10];
	static const uint8_t regs[] = {0, 2, 4, 6, 7, 8, 9};

	for (int tries = 0; tries < 5; tries++) {
		for (unsigned i = 0; i < sizeof(regs); i++)
			v[regs[i]] = rd(r, regs[i]);
		for (unsigned i = 0; i < sizeof(regs); i++)
			again[regs[i]] = rd(r, regs[i]);
		if (!memcmp(v, again, sizeof(again)) || tries == 4)
			break;
	}
}

START_TEST(test_time_bcd)
{
	struct rig r;
	uint8_t v[10] = {0};
	time_t now;
	struct tm tm;

	rig_init(&r, 64 * MiB, 0, 1);
	/* Loop in case we straddle a minute boundary. */
	for (int tries = 0; tries < 3; tries++) {
		now = time(NULL);
		gmtime_r(&now, &tm);
		read_clock(&r, v);
		if (from_bcd(v[2]) == (unsigned)tm.tm_min)
			break;
	}
	for (int i = 0; i <= 9; i++)
		if (i != 1 && i != 3 && i != 5)
			ck_assert_msg(is_bcd(v[i]), "reg %d = %#x", i, v[i]);
	ck_assert_uint_eq(from_bcd(v[9]), (unsigned)(tm.tm_year % 100));
	ck_assert_uint_eq(from_bcd(v[8]), (unsigned)tm.tm_mon + 1);
	ck_assert_uint_eq(from_bcd(v[7]), (unsigned)tm.tm_mday);
	ck_assert_uint_eq(from_bcd(v[6]), (unsigned)tm.tm_wday + 1);
	ck_assert_uint_eq(from_bcd(v[4]), (unsigned)tm.tm_hour);
	ck_assert_uint_eq(from_bcd(v[2]), (unsigned)tm.tm_min);
	ck_assert_uint_le(from_bcd(v[0]), 59);
	ck_assert_uint_eq(from_bcd(rd(&r, 0x32)),
			  (unsigned)(tm.tm_year + 1900) / 100);
	cmos_free(r.c);
}
END_TEST

START_TEST(test_time_binary_12h)
{
	struct rig r;
	uint8_t h;
	time_t now;
	struct tm tm;

	rig_init(&r, 64 * MiB, 0, 1);
	wr(&r, 0x0b, 0x06); /* binary, 24 h */
	now = time(NULL);
	gmtime_r(&now, &tm);
	ck_assert_uint_eq(rd(&r, 0x09), (unsigned)(tm.tm_year % 100));
	ck_assert_uint_eq(rd(&r, 0x08), (unsigned)tm.tm_mon + 1);
	ck_assert_uint_le(rd(&r, 0x00), 59);

	wr(&r, 0x0b, 0x04); /* binary, 12 h */
	h = rd(&r, 0x04);
	ck_assert_uint_ge(h & 0x7f, 1);
	ck_assert_uint_le(h & 0x7f, 12);
	now = time(NULL);
	gmtime_r(&now, &tm);
	if (tm.tm_min != 59) { /* hour cannot have changed in between */
		unsigned hr = (unsigned)tm.tm_hour;

		ck_assert_uint_eq(!!(h & 0x80), hr >= 12);
		ck_assert_uint_eq(h & 0x7f, hr % 12 ? hr % 12 : 12);
	}
	cmos_free(r.c);
}
END_TEST

/* Clock writes are accepted and ignored; alarm registers are storage. */
START_TEST(test_time_writes_ignored)
{
	struct rig r;

	rig_init(&r, 64 * MiB, 0, 1);
	wr(&r, 0x0b, 0x06);
	wr(&r, 0x09, 99);
	wr(&r, 0x08, 13);
	ck_assert_uint_le(rd(&r, 0x08), 12);
	ck_assert_uint_ne(rd(&r, 0x09), 99);
	wr(&r, 0x01, 0x42);
	wr(&r, 0x03, 0x43);
	wr(&r, 0x05, 0x44);
	ck_assert_uint_eq(rd(&r, 0x01), 0x42);
	ck_assert_uint_eq(rd(&r, 0x03), 0x43);
	ck_assert_uint_eq(rd(&r, 0x05), 0x44);
	cmos_free(r.c);
}
END_TEST

START_TEST(test_hostile)
{
	struct rig r;
	uint64_t seed = 0x5eed;
	uint8_t d[8];

	rig_init(&r, 3 * GiB, 5 * GiB, 8);
	for (int i = 0; i < 100000; i++) {
		uint64_t x = test_rand(&seed);

		le_put(d, 8, test_rand(&seed));
		bus_access(&r.io, 0x6e + (x & 7), d, 1 + (x >> 3 & 7),
			   x >> 6 & 1);
	}
	/* Still a working RTC after the scribbling. */
	ck_assert_uint_eq(rd(&r, 0x0d), 0x80);
	cmos_free(r.c);
}
END_TEST

static Suite *cmos_suite(void)
{
	Suite *s = suite_create("cmos");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_memory_512m);
	tcase_add_test(tc, test_memory_3g_1g);
	tcase_add_test(tc, test_memory_small_and_huge);
	tcase_add_test(tc, test_status_registers);
	tcase_add_test(tc, test_time_bcd);
	tcase_add_test(tc, test_time_binary_12h);
	tcase_add_test(tc, test_time_writes_ignored);
	tcase_add_test(tc, test_hostile);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return run_suite(cmos_suite());
}
