// SPDX-License-Identifier: MIT
/* Unit tests for the port/MMIO bus (vmm/bus.c). */
#include <errno.h>
#include <pthread.h>

#include "tests/unit/fake_host.h"
#include "tests/unit/testutil.h"

/* A device that records its last access. */
struct rec {
	uint64_t off;
	unsigned len, reads, writes;
	uint8_t last[8];
	struct bus *bus; /* for the remap-from-handler test */
	int remap_id;
};

static void rec_read(void *dev, uint64_t off, uint8_t *data, unsigned len)
{
	struct rec *r = dev;

	r->off = off;
	r->len = len;
	r->reads++;
	for (unsigned i = 0; i < len; i++)
		data[i] = (uint8_t)(0x10 + off + i);
}

static void rec_write(void *dev, uint64_t off, const uint8_t *data,
		      unsigned len)
{
	struct rec *r = dev;

	r->off = off;
	r->len = len;
	r->writes++;
	memcpy(r->last, data, len);
}

START_TEST(test_add_and_overlap)
{
	struct bus b;
	struct rec r = {0};

	bus_init(&b);
	ck_assert_int_eq(bus_add(&b, 0x100, 8, rec_read, rec_write, &r, "a"),
			 0);
	ck_assert_int_eq(bus_add(&b, 0x108, 8, rec_read, rec_write, &r, "b"),
			 1);
	/* Exact, left, right, containing and contained overlaps. */
	ck_assert_int_eq(bus_add(&b, 0x100, 8, NULL, NULL, NULL, "x"), -EEXIST);
	ck_assert_int_eq(bus_add(&b, 0xfc, 8, NULL, NULL, NULL, "x"), -EEXIST);
	ck_assert_int_eq(bus_add(&b, 0x10f, 1, NULL, NULL, NULL, "x"), -EEXIST);
	ck_assert_int_eq(bus_add(&b, 0x0, 0x1000, NULL, NULL, NULL, "x"),
			 -EEXIST);
	ck_assert_int_eq(bus_add(&b, 0x102, 1, NULL, NULL, NULL, "x"), -EEXIST);
	/* Adjacent is fine; so is a disabled (len 0) range anywhere. */
	ck_assert_int_eq(bus_add(&b, 0xf8, 8, NULL, NULL, NULL, "c"), 2);
	ck_assert_int_eq(bus_add(&b, 0x104, 0, NULL, NULL, NULL, "d"), 3);
	/* Wrapping around 2^64 is refused; ending exactly at 2^64 is not. */
	ck_assert_int_eq(bus_add(&b, UINT64_MAX, 2, NULL, NULL, NULL, "w"),
			 -EINVAL);
	ck_assert_int_eq(bus_add(&b, UINT64_MAX - 1, 2, NULL, NULL, NULL, "e"),
			 4);
	ck_assert_int_eq(bus_add(&b, UINT64_MAX, 1, NULL, NULL, NULL, "e"),
			 -EEXIST);
}
END_TEST

START_TEST(test_full)
{
	struct bus b;

	bus_init(&b);
	for (int i = 0; i < BUS_MAX_RANGES; i++)
		ck_assert_int_eq(
			bus_add(&b, 0x1000 + 16 * i, 16, NULL, NULL, NULL, "r"),
			i);
	ck_assert_int_eq(bus_add(&b, 0x9000, 1, NULL, NULL, NULL, "r"),
			 -ENOSPC);
}
END_TEST

START_TEST(test_dispatch)
{
	struct bus b;
	struct rec r = {0};
	uint8_t d[8];

	bus_init(&b);
	bus_add(&b, 0x3f8, 8, rec_read, rec_write, &r, "uart");

	ck_assert(bus_access(&b, 0x3fa, d, 2, false));
	ck_assert_uint_eq(r.off, 2);
	ck_assert_uint_eq(r.len, 2);
	ck_assert_uint_eq(d[0], 0x12);
	ck_assert_uint_eq(d[1], 0x13);

	d[0] = 0xab;
	ck_assert(bus_access(&b, 0x3ff, d, 1, true));
	ck_assert_uint_eq(r.off, 7);
	ck_assert_uint_eq(r.last[0], 0xab);

	/* A full-width access at the very end fits; one byte more does not. */
	ck_assert(bus_access(&b, 0x3f8, d, 8, false));
	r.reads = 0;
	ck_assert(!bus_access(&b, 0x3fe, d, 4, false));
	ck_assert_uint_eq(r.reads, 0);
	for (int i = 0; i < 4; i++)
		ck_assert_uint_eq(d[i], 0xff);
	ck_assert(!bus_access(&b, 0x3fe, d, 4, true));
	/* Starting before the range is not this range's either. */
	ck_assert(!bus_access(&b, 0x3f7, d, 2, false));

	/* Gaps, bad lengths. */
	ck_assert(!bus_access(&b, 0x2f8, d, 1, false));
	ck_assert_uint_eq(d[0], 0xff);
	ck_assert(!bus_access(&b, 0x3f8, d, 0, false));
	ck_assert(!bus_access(&b, 0x3f8, d, 9, false));
	ck_assert_uint_eq(r.reads, 0);
}
END_TEST

START_TEST(test_null_handlers)
{
	struct bus b;
	uint8_t d[4] = {1, 2, 3, 4};

	bus_init(&b);
	bus_add(&b, 0x80, 1, NULL, NULL, NULL, "post");
	ck_assert(bus_access(&b, 0x80, d, 1, true));
	ck_assert(bus_access(&b, 0x80, d, 1, false));
	ck_assert_uint_eq(d[0], 0xff);
}
END_TEST

START_TEST(test_remap)
{
	struct bus b;
	struct rec r = {0};
	uint8_t d[4];
	int id;

	bus_init(&b);
	bus_add(&b, 0x70, 2, NULL, NULL, NULL, "cmos");
	id = bus_add(&b, 0, 0, rec_read, rec_write, &r, "pm");
	ck_assert_int_ge(id, 0);
	ck_assert(!bus_access(&b, 0, d, 1, false));

	ck_assert_int_eq(bus_remap(&b, id, 0x600, 64), 0);
	ck_assert(bus_access(&b, 0x608, d, 4, false));
	ck_assert_uint_eq(r.off, 8);
	ck_assert_int_eq(bus_remap(&b, id, 0x40, 64), -EEXIST);
	/* A failed remap leaves the range where it was. */
	ck_assert(bus_access(&b, 0x600, d, 1, false));
	/* Overlapping its own old place is fine. */
	ck_assert_int_eq(bus_remap(&b, id, 0x620, 64), 0);
	ck_assert(!bus_access(&b, 0x600, d, 1, false));
	ck_assert(bus_access(&b, 0x65f, d, 1, false));
	ck_assert_int_eq(bus_remap(&b, id, 0, 0), 0);
	ck_assert(!bus_access(&b, 0x620, d, 1, false));
	ck_assert_int_eq(bus_remap(&b, 99, 0x1000, 1), -EINVAL);
	ck_assert_int_eq(bus_remap(&b, -1, 0x1000, 1), -EINVAL);
	ck_assert_int_eq(bus_remap(&b, id, UINT64_MAX, 2), -EINVAL);
}
END_TEST

/* A handler that moves its own range, as the PCI PM function does. */
static void moving_write(void *dev, uint64_t off, const uint8_t *data,
			 unsigned len)
{
	struct rec *r = dev;

	r->writes++;
	bus_remap(r->bus, r->remap_id, data[0] * 0x100ULL, 16);
}

START_TEST(test_remap_from_handler)
{
	struct bus b;
	struct rec r = {.bus = &b};

	bus_init(&b);
	r.remap_id = bus_add(&b, 0x100, 16, NULL, moving_write, &r, "m");
	io_outb(&b, 0x100, 0x05);
	ck_assert_uint_eq(r.writes, 1);
	io_outb(&b, 0x500, 0x07);
	ck_assert_uint_eq(r.writes, 2);
	io_outb(&b, 0x500, 0x01);
	ck_assert_uint_eq(r.writes, 2);
}
END_TEST

/* Handlers run under the bus lock: an unsynchronised counter stays exact. */
struct counter {
	uint64_t n;
};

static void count_write(void *dev, uint64_t off, const uint8_t *data,
			unsigned len)
{
	struct counter *c = dev;
	uint64_t v = c->n;

	/* Widen the race window if there were no lock. */
	for (volatile int i = 0; i < 10; i++)
		;
	c->n = v + 1;
}

static struct bus *race_bus;

static void *hammer(void *arg)
{
	uint8_t d = 0;

	for (int i = 0; i < 20000; i++)
		bus_access(race_bus, 0x10, &d, 1, true);
	return arg;
}

START_TEST(test_threads)
{
	struct bus b;
	struct counter c = {0};
	pthread_t t[4];

	bus_init(&b);
	race_bus = &b;
	bus_add(&b, 0x10, 1, NULL, count_write, &c, "ctr");
	for (int i = 0; i < 4; i++)
		pthread_create(&t[i], NULL, hammer, NULL);
	for (int i = 0; i < 4; i++)
		pthread_join(t[i], NULL);
	ck_assert_uint_eq(c.n, 80000);
}
END_TEST

START_TEST(test_hostile)
{
	struct bus b;
	struct rec r = {0};
	uint64_t seed = 0x1234567;
	uint8_t d[8];

	bus_init(&b);
	bus_add(&b, 0x100, 8, rec_read, rec_write, &r, "a");
	bus_add(&b, UINT64_MAX - 7, 8, rec_read, rec_write, &r, "top");
	for (int i = 0; i < 200000; i++) {
		uint64_t x = test_rand(&seed);
		uint64_t addr = i & 1 ? 0xf8 + (x & 0x1f) : test_rand(&seed);
		unsigned len = (x >> 8) % 10;

		if (i % 7 == 0)
			addr = UINT64_MAX - (x >> 20 & 15);
		bus_access(&b, addr, d, len, x >> 40 & 1);
	}
}
END_TEST

static Suite *bus_suite(void)
{
	Suite *s = suite_create("bus");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_add_and_overlap);
	tcase_add_test(tc, test_full);
	tcase_add_test(tc, test_dispatch);
	tcase_add_test(tc, test_null_handlers);
	tcase_add_test(tc, test_remap);
	tcase_add_test(tc, test_remap_from_handler);
	tcase_add_test(tc, test_threads);
	tcase_add_test(tc, test_hostile);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return run_suite(bus_suite());
}
