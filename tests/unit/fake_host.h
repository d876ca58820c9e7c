/* SPDX-License-Identifier: MIT */
/*
 * A fake struct dev_host for device tests: records IRQ levels and stop
 * requests, and offers a small fake RAM for DMA.  Also port I/O helpers
 * that go through a real struct bus, as a vCPU's exit handler would.
 */
#ifndef SEVBOOT_TESTS_FAKE_HOST_H
#define SEVBOOT_TESTS_FAKE_HOST_H

#include <errno.h>
#include <poll.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>

#include "vmm/dev.h"

#define FAKE_NR_IRQS 24

struct fake_host {
	struct dev_host h;
	int irq_level[FAKE_NR_IRQS];
	unsigned irq_calls;
	unsigned nstops;
	enum vm_stop stop_why; /* the last request */
	int stop_status;
	uint8_t *ram;
	uint64_t ram_base, ram_size;
};

static void fake_irq_set(void *ctx, unsigned irq, int level)
{
	struct fake_host *f = ctx;

	f->irq_calls++;
	if (irq < FAKE_NR_IRQS)
		f->irq_level[irq] = level;
}

static void *fake_gpa_ptr(void *ctx, uint64_t gpa, uint64_t len)
{
	struct fake_host *f = ctx;

	if (!f->ram || gpa < f->ram_base || gpa - f->ram_base > f->ram_size ||
	    len > f->ram_size - (gpa - f->ram_base))
		return NULL;
	return f->ram + (gpa - f->ram_base);
}

static void fake_stop(void *ctx, enum vm_stop why, int status)
{
	struct fake_host *f = ctx;

	f->nstops++;
	f->stop_why = why;
	f->stop_status = status;
}

static inline void fake_host_init(struct fake_host *f, uint8_t *ram,
				  uint64_t base, uint64_t size)
{
	memset(f, 0, sizeof(*f));
	f->h.ctx = f;
	f->h.irq_set = fake_irq_set;
	f->h.gpa_ptr = fake_gpa_ptr;
	f->h.stop = fake_stop;
	f->ram = ram;
	f->ram_base = base;
	f->ram_size = size;
}

static inline void io_out(struct bus *b, uint16_t port, unsigned len,
			  uint64_t v)
{
	uint8_t d[8];

	le_put(d, len, v);
	bus_access(b, port, d, len, true);
}

static inline uint64_t io_in(struct bus *b, uint16_t port, unsigned len)
{
	uint8_t d[8];

	bus_access(b, port, d, len, false);
	return le_get(d, len);
}

static inline void io_outb(struct bus *b, uint16_t port, uint8_t v)
{
	io_out(b, port, 1, v);
}

static inline uint8_t io_inb(struct bus *b, uint16_t port)
{
	return (uint8_t)io_in(b, port, 1);
}

/* A console (vmm/console.c) on fd for a device under test. */
static inline struct console *test_console(int fd, size_t capacity,
					   uint64_t limit, bool filter)
{
	struct console_config cc = {.name = "test",
				    .limit_opt = "--test-limit",
				    .fd = fd,
				    .capacity = capacity,
				    .limit = limit,
				    .filter = filter,
				    .close_idle_ms = 200};
	char err[128];

	return console_new(&cc, err, sizeof(err));
}

/* Read up to n bytes from fd as a console's thread delivers them: stops
 * at n, or after quiet_ms without a byte (a bound on waiting, not a
 * timing assertion: the caller checks what arrived). */
static inline size_t read_wait(int fd, void *buf, size_t n, int quiet_ms)
{
	size_t got = 0;

	while (got < n) {
		struct pollfd p = {.fd = fd, .events = POLLIN};
		ssize_t r;

		if (poll(&p, 1, quiet_ms) <= 0)
			break;
		r = read(fd, (char *)buf + got, n - got);
		if (r < 0 && (errno == EINTR || errno == EAGAIN))
			continue;
		if (r <= 0)
			break;
		got += (size_t)r;
	}
	return got;
}

/* xorshift64: reproducible "random" accesses for the hostile tests. */
static inline uint64_t test_rand(uint64_t *s)
{
	uint64_t x = *s;

	x ^= x << 13;
	x ^= x >> 7;
	x ^= x << 17;
	return *s = x;
}

#endif
