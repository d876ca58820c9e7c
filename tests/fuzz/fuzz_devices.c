// SPDX-License-Identifier: MIT
/*
 * libFuzzer harness for the port-I/O devices: one bus with every device
 * (UART, fw_cfg with DMA, CMOS, PCI + PIIX4 PM, i8042, legacy ports) and a
 * fake host with 64 KiB of fake RAM.  The input is a sequence of 7-byte
 * records, each a port access or one of a few helper actions (poke RAM, run
 * a fw_cfg DMA descriptor, aim the PCI latch at a real function, feed the
 * UART).  The RAM starts as a copy of the input, so DMA descriptors and
 * their targets are fuzzer-controlled too.  Nothing may crash, hang or
 * touch memory outside the fake RAM.
 */
#include <fcntl.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <unistd.h>

#include "tests/unit/fake_host.h"
#include "tests/fuzz/devio.h"

#define RAM_BASE 0x1000
#define RAM_SIZE 0x10000
#define REC	 7

static const uint16_t bases[] = {
	0x3f8, 0x510, 0x514, 0x70,  0xcf8, 0xcfc, 0x60,	  0x64,
	0x80,  0x92,  0xed,  0x402, 0x501, 0x600, 0xb000,
};
#define NBASES (sizeof(bases) / sizeof(bases[0]))

static const uint8_t blob[512] = {0x55, 0xaa, 1, 2, 3};

int LLVMFuzzerTestOneInput(const uint8_t *in, size_t n)
{
	static uint8_t ram[RAM_SIZE];
	struct fake_host fh;
	struct bus io;
	struct serial *s;
	struct fwcfg *f;
	struct cmos *c;
	struct pci *p;
	struct i8042 *k;
	struct legacy *l;
	static struct console *sout, *dout;

	memset(ram, 0, sizeof(ram));
	memcpy(ram, in, n < RAM_SIZE ? n : RAM_SIZE);
	fake_host_init(&fh, ram, RAM_BASE, RAM_SIZE);
	bus_init(&io);

	/* Outputs live as long as the process (a thread each per run
	 * would cost most of the time); small buffers, so that full ones
	 * (the UART's back-pressure, debugcon's drops) are reached too. */
	sout = sout ? sout : test_console(null_fd(), 256, 0, true);
	dout = dout ? dout : test_console(null_fd(), 256, 0, false);
	s = serial_new(&fh.h, SERIAL_COM1_IRQ, sout);
	f = fwcfg_new(&fh.h, true);
	c = cmos_new(&fh.h, 3ULL << 30, 1ULL << 30, 4);
	p = pci_new(&fh.h, &io);
	k = i8042_new(&fh.h);
	l = legacy_new(&fh.h, dout);
	if (!sout || !dout || !s || !f || !c || !p || !k || !l)
		abort();
	fwcfg_add_u16(f, FW_CFG_NB_CPUS, 4);
	fwcfg_add(f, FW_CFG_KERNEL_DATA, blob, sizeof(blob));
	fwcfg_add_file(f, "etc/e820", blob, 40);
	fwcfg_add_file(f, "etc/boot", blob + 7, 0);
	if (serial_attach(s, &io, SERIAL_COM1_BASE) || fwcfg_attach(f, &io) ||
	    cmos_attach(c, &io) || pci_attach(p) || i8042_attach(k, &io) ||
	    legacy_attach(l, &io))
		abort();
	pci_pm_enable(p, 0x600);

	for (size_t i = 0; i + REC <= n; i += REC) {
		const uint8_t *r = in + i;
		uint8_t op = r[0], a = r[1], b = r[2];
		uint32_t v = (uint32_t)le_get(r + 3, 4);
		uint8_t d[8];

		if (!(op & 0x80)) {
			/* A port access near one of the devices. */
			uint16_t port =
				(uint16_t)(bases[op % NBASES] + (a % 24) - 8);
			unsigned len = b & 0x20 ? 1 + (b & 7) : 1u << (b & 3);

			le_put(d, 8, (uint64_t)v << 32 | v);
			bus_access(&io, port, d, len, b & 0x10);
			continue;
		}
		switch (op & 3) {
		case 0: /* poke fake RAM */
			le_put(ram + ((a << 8 | b) % (RAM_SIZE - 3)), 4, v);
			break;
		case 1: { /* run a DMA descriptor at a fuzzer-chosen address */
			uint64_t at = op & 4 ? (uint64_t)v << 32 | a << 8 | b
					     : RAM_BASE + (v % (RAM_SIZE + 64));

			put_be32(d, (uint32_t)(at >> 32));
			put_be32(d + 4, (uint32_t)at);
			if (op & 8) {
				bus_access(&io, 0x514, d, 8, true);
			} else {
				bus_access(&io, 0x514, d, 4, true);
				bus_access(&io, 0x518, d + 4, 4, true);
			}
			break;
		}
		case 2: { /* config access to a real function */
			static const uint32_t fns[] = {0x000, 0x008, 0x00b};
			uint32_t addr = 0x80000000u | fns[a % 3] << 8 | b;
			unsigned len = 1u << (op >> 2 & 3);

			le_put(d, 4, addr);
			bus_access(&io, 0xcf8, d, 4, true);
			le_put(d, 8, v);
			bus_access(&io, 0xcfc + (v >> 30), d, len > 4 ? 4 : len,
				   op & 0x10);
			break;
		}
		default: /* characters typed at the console */
			serial_receive(s, r + 3, a % 5);
			break;
		}
	}

	serial_free(s); /* no callback from sout reaches it after this */
	fwcfg_free(f);
	cmos_free(c);
	pci_free(p);
	i8042_free(k);
	legacy_free(l);
	return 0;
}
