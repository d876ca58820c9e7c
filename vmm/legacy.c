// SPDX-License-Identifier: MIT
/*
 * Ports with (almost) no behaviour: the debug-exit port, POST 0x80, the
 * 0xed delay port, "fast A20 and reset" 0x92, and QEMU's debugcon at 0x402.
 *
 * They share one small struct: a copy of the host (for stops) and the
 * debugcon output.  debug_exit_attach, usable on its own, keeps the caller's
 * dev_host pointer instead since it has nowhere else to put it.
 */
#include <stdint.h>
#include <stdlib.h>

#include "vmm/dev.h"

#define POST_PORT     0x80
#define DELAY_PORT    0xed
#define SYSCTL_A_PORT 0x92
#define DEBUGCON_PORT 0x402

#define SYSCTL_A_FAST_RESET 0x01
#define SYSCTL_A_A20	    0x02
#define DEBUGCON_READBACK   0xe9 /* what QEMU's debugcon reads as */

/* Wide enough for outl; only a write at the port itself counts. */
#define DEBUG_EXIT_LEN 4

struct legacy {
	struct dev_host host;
	struct console *debugcon;
};

static void debug_exit(const struct dev_host *h, uint64_t off,
		       const uint8_t *data, unsigned len)
{
	if (off == 0 && h->stop)
		h->stop(h->ctx, VM_STOP_DEBUG_EXIT,
			(int)(le_get(data, len) & 0x3f));
}

static void debug_exit_host_write(void *dev, uint64_t off, const uint8_t *data,
				  unsigned len)
{
	debug_exit(dev, off, data, len);
}

static void debug_exit_write(void *dev, uint64_t off, const uint8_t *data,
			     unsigned len)
{
	struct legacy *l = dev;

	debug_exit(&l->host, off, data, len);
}

int debug_exit_attach(const struct dev_host *h, struct bus *io)
{
	/* NULL read: the bus answers 0xff. */
	int id = bus_add(io, DEBUG_EXIT_PORT, DEBUG_EXIT_LEN, NULL,
			 debug_exit_host_write, (void *)h, "debug-exit");

	return id < 0 ? id : 0;
}

static void sysctl_a_read(void *dev, uint64_t off, uint8_t *data, unsigned len)
{
	data[0] = SYSCTL_A_A20; /* A20 always on */
}

static void sysctl_a_write(void *dev, uint64_t off, const uint8_t *data,
			   unsigned len)
{
	struct legacy *l = dev;

	if ((data[0] & SYSCTL_A_FAST_RESET) && l->host.stop)
		l->host.stop(l->host.ctx, VM_STOP_RESET, 0);
}

static void debugcon_read(void *dev, uint64_t off, uint8_t *data, unsigned len)
{
	data[0] = DEBUGCON_READBACK;
}

static void debugcon_write(void *dev, uint64_t off, const uint8_t *data,
			   unsigned len)
{
	struct legacy *l = dev;

	/* No status register to push back with: a full buffer drops the
	 * byte (counted by the console). */
	if (l->debugcon)
		console_write(l->debugcon, data, 1);
}

struct legacy *legacy_new(const struct dev_host *h, struct console *debugcon)
{
	struct legacy *l = calloc(1, sizeof(*l));

	if (!l)
		return NULL;
	if (h)
		l->host = *h;
	l->debugcon = debugcon;
	return l;
}

int legacy_attach(struct legacy *l, struct bus *io)
{
	int id;

	id = bus_add(io, POST_PORT, 1, NULL, NULL, NULL, "post");
	if (id < 0)
		return id;
	id = bus_add(io, DELAY_PORT, 1, NULL, NULL, NULL, "delay");
	if (id < 0)
		return id;
	id = bus_add(io, SYSCTL_A_PORT, 1, sysctl_a_read, sysctl_a_write, l,
		     "sysctl-a20");
	if (id < 0)
		return id;
	id = bus_add(io, DEBUGCON_PORT, 1, debugcon_read, debugcon_write, l,
		     "debugcon");
	if (id < 0)
		return id;
	id = bus_add(io, DEBUG_EXIT_PORT, DEBUG_EXIT_LEN, NULL,
		     debug_exit_write, l, "debug-exit");
	return id < 0 ? id : 0;
}

void legacy_free(struct legacy *l)
{
	free(l);
}
