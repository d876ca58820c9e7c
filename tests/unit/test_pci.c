// SPDX-License-Identifier: MIT
/* Unit tests for PCI/PIIX4 PM (vmm/pci.c), the i8042 (vmm/i8042.c) and the
 * legacy ports (vmm/legacy.c). */
#include <fcntl.h>
#include <time.h>

#include "tests/unit/fake_host.h"
#include "tests/unit/testutil.h"

#define PM_BASE 0x600

struct rig {
	struct fake_host fh;
	struct bus io;
	struct pci *p;
	struct i8042 *k;
	struct legacy *l;
	struct console *dbg_out;
	int dbg[2];
};

static void rig_init(struct rig *r)
{
	fake_host_init(&r->fh, NULL, 0, 0);
	bus_init(&r->io);
	ck_assert_int_eq(pipe2(r->dbg, O_NONBLOCK | O_CLOEXEC), 0);
	r->p = pci_new(&r->fh.h, &r->io);
	r->k = i8042_new(&r->fh.h);
	r->dbg_out = test_console(r->dbg[1], 4096, 0, false);
	ck_assert_ptr_nonnull(r->dbg_out);
	r->l = legacy_new(&r->fh.h, r->dbg_out);
	ck_assert_ptr_nonnull(r->p);
	ck_assert_ptr_nonnull(r->k);
	ck_assert_ptr_nonnull(r->l);
	ck_assert_int_eq(pci_attach(r->p), 0);
	ck_assert_int_eq(i8042_attach(r->k, &r->io), 0);
	ck_assert_int_eq(legacy_attach(r->l, &r->io), 0);
}

static void rig_free(struct rig *r)
{
	pci_free(r->p);
	i8042_free(r->k);
	legacy_free(r->l);
	console_free(r->dbg_out);
	close(r->dbg[0]);
	close(r->dbg[1]);
}

static uint32_t cfg_addr(unsigned dev, unsigned fn, unsigned reg)
{
	return 0x80000000u | dev << 11 | fn << 8 | (reg & 0xfc);
}

static uint32_t cfg_read(struct rig *r, unsigned dev, unsigned fn, unsigned reg,
			 unsigned len)
{
	io_out(&r->io, 0xcf8, 4, cfg_addr(dev, fn, reg));
	return (uint32_t)io_in(&r->io, 0xcfc + (reg & 3), len);
}

static void cfg_write(struct rig *r, unsigned dev, unsigned fn, unsigned reg,
		      unsigned len, uint32_t v)
{
	io_out(&r->io, 0xcf8, 4, cfg_addr(dev, fn, reg));
	io_out(&r->io, 0xcfc + (reg & 3), len, v);
}

START_TEST(test_ids)
{
	struct rig r;

	rig_init(&r);
	ck_assert_uint_eq(cfg_read(&r, 0, 0, 0, 4), 0x12378086);
	ck_assert_uint_eq(cfg_read(&r, 0, 0, 8, 4) >> 8, 0x060000);
	ck_assert_uint_eq(cfg_read(&r, 0, 0, 0x0e, 1), 0x00);
	ck_assert_uint_eq(cfg_read(&r, 1, 0, 0, 4), 0x70008086);
	ck_assert_uint_eq(cfg_read(&r, 1, 0, 8, 4) >> 8, 0x060100);
	ck_assert_uint_eq(cfg_read(&r, 1, 0, 0x0e, 1), 0x80);
	ck_assert_uint_eq(cfg_read(&r, 1, 3, 0, 4), 0x71138086);
	ck_assert_uint_eq(cfg_read(&r, 1, 3, 8, 4), 0x06800003);
	/* Word reads at +2, byte reads at +3. */
	ck_assert_uint_eq(cfg_read(&r, 1, 3, 2, 2), 0x7113);
	ck_assert_uint_eq(cfg_read(&r, 0, 0, 3, 1), 0x12);
	/* Absent functions, devices and buses. */
	ck_assert_uint_eq(cfg_read(&r, 0, 1, 0, 4), 0xffffffff);
	ck_assert_uint_eq(cfg_read(&r, 1, 1, 0, 4), 0xffffffff);
	ck_assert_uint_eq(cfg_read(&r, 2, 0, 0, 4), 0xffffffff);
	ck_assert_uint_eq(cfg_read(&r, 31, 7, 0, 2), 0xffff);
	io_out(&r.io, 0xcf8, 4, 0x80010000);
	ck_assert_uint_eq(io_in(&r.io, 0xcfc, 4), 0xffffffff);
	/* Enable bit clear: nothing. */
	io_out(&r.io, 0xcf8, 4, 0x00000000);
	ck_assert_uint_eq(io_in(&r.io, 0xcfc, 4), 0xffffffff);
	/* The latch reads back (Linux's type 1 probe). */
	io_out(&r.io, 0xcf8, 4, 0x80000000);
	ck_assert_uint_eq(io_in(&r.io, 0xcf8, 4), 0x80000000);
	rig_free(&r);
}
END_TEST

START_TEST(test_write_masks)
{
	struct rig r;

	rig_init(&r);
	/* Read-only ids, class, header type. */
	cfg_write(&r, 0, 0, 0, 4, 0xdeadbeef);
	ck_assert_uint_eq(cfg_read(&r, 0, 0, 0, 4), 0x12378086);
	cfg_write(&r, 1, 0, 8, 4, 0);
	ck_assert_uint_eq(cfg_read(&r, 1, 0, 8, 4) >> 8, 0x060100);
	cfg_write(&r, 1, 0, 0x0e, 1, 0);
	ck_assert_uint_eq(cfg_read(&r, 1, 0, 0x0e, 1), 0x80);
	/* Command register: only its defined bits. */
	cfg_write(&r, 0, 0, 4, 2, 0xffff);
	ck_assert_uint_eq(cfg_read(&r, 0, 0, 4, 2), 0x0547);
	/* Interrupt line is writable, pin is not. */
	cfg_write(&r, 1, 3, 0x3c, 2, 0xff0b);
	ck_assert_uint_eq(cfg_read(&r, 1, 3, 0x3c, 2), 0x010b);
	/* Chipset registers hold what firmware writes (PIRQ routing). */
	ck_assert_uint_eq(cfg_read(&r, 1, 0, 0x60, 4), 0x80808080);
	cfg_write(&r, 1, 0, 0x60, 4, 0x0b0b0a0a);
	ck_assert_uint_eq(cfg_read(&r, 1, 0, 0x60, 4), 0x0b0b0a0a);
	/* Writes to absent devices vanish. */
	cfg_write(&r, 5, 0, 0, 4, 0);
	ck_assert_uint_eq(cfg_read(&r, 5, 0, 0, 4), 0xffffffff);
	rig_free(&r);
}
END_TEST

static void sleep_ms(int ms)
{
	struct timespec ts = {0, ms * 1000000L};

	nanosleep(&ts, NULL);
}

START_TEST(test_pm_programming)
{
	struct rig r;
	uint32_t t0, t1;

	rig_init(&r);
	/* PMBA: bit 0 reads 1; only bits 15:6 stick. */
	ck_assert_uint_eq(cfg_read(&r, 1, 3, 0x40, 4), 0x00000001);
	cfg_write(&r, 1, 3, 0x40, 4, 0xffffffff);
	ck_assert_uint_eq(cfg_read(&r, 1, 3, 0x40, 4), 0x0000ffc1);
	cfg_write(&r, 1, 3, 0x40, 4, PM_BASE);
	ck_assert_uint_eq(cfg_read(&r, 1, 3, 0x40, 4), PM_BASE | 1);
	/* Not decoded until PMIOSE. */
	ck_assert(!bus_access(&r.io, PM_BASE + 8, (uint8_t[4]){0}, 4, false));
	cfg_write(&r, 1, 3, 0x80, 1, 0xff);
	ck_assert_uint_eq(cfg_read(&r, 1, 3, 0x80, 1), 0x01);

	t0 = (uint32_t)io_in(&r.io, PM_BASE + 8, 4);
	sleep_ms(5);
	t1 = (uint32_t)io_in(&r.io, PM_BASE + 8, 4);
	ck_assert_uint_le(t0, 0xffffff);
	ck_assert_uint_le(t1, 0xffffff);
	/* 5 ms is ~17900 ticks; allow for a slow machine, and the wrap. */
	uint32_t dt = (t1 - t0) & 0xffffff;

	ck_assert_uint_ge(dt, 17000);
	ck_assert_uint_lt(dt, 3579545); /* under a second */
	/* Any width: a byte read of bit 23:16 and a word read. */
	ck_assert_uint_le(io_in(&r.io, PM_BASE + 10, 1), 0xff);
	ck_assert_uint_eq(io_in(&r.io, PM_BASE + 11, 1), 0);

	/* Moving PMBA moves the block. */
	cfg_write(&r, 1, 3, 0x40, 2, 0xb000);
	ck_assert(bus_access(&r.io, 0xb008, (uint8_t[4]){0}, 4, false));
	ck_assert(!bus_access(&r.io, PM_BASE + 8, (uint8_t[4]){0}, 4, false));
	/* A base on top of another device leaves the block off. */
	cfg_write(&r, 1, 3, 0x40, 2, 0x0cc0); /* 0xcc0..0xcff: PCI ports */
	ck_assert(!bus_access(&r.io, 0xcc8, (uint8_t[4]){0}, 4, false));
	ck_assert_uint_eq(cfg_read(&r, 0, 0, 0, 4), 0x12378086);
	/* Clearing PMIOSE unmaps it. */
	cfg_write(&r, 1, 3, 0x40, 2, 0xb000);
	cfg_write(&r, 1, 3, 0x80, 1, 0);
	ck_assert(!bus_access(&r.io, 0xb008, (uint8_t[4]){0}, 4, false));
	rig_free(&r);
}
END_TEST

START_TEST(test_pm_enable)
{
	struct rig r;

	rig_init(&r);
	pci_pm_enable(r.p, PM_BASE);
	ck_assert_uint_eq(cfg_read(&r, 1, 3, 0x40, 4), PM_BASE | 1);
	ck_assert_uint_eq(cfg_read(&r, 1, 3, 0x80, 1), 1);
	ck_assert(bus_access(&r.io, PM_BASE + 8, (uint8_t[4]){0}, 4, false));
	rig_free(&r);

	/* Before attach, the mapping happens at attach. */
	fake_host_init(&r.fh, NULL, 0, 0);
	bus_init(&r.io);
	r.p = pci_new(&r.fh.h, &r.io);
	pci_pm_enable(r.p, 0x700);
	ck_assert_int_eq(pci_attach(r.p), 0);
	ck_assert(bus_access(&r.io, 0x708, (uint8_t[4]){0}, 4, false));
	pci_free(r.p);
}
END_TEST

START_TEST(test_pm_registers)
{
	struct rig r;

	rig_init(&r);
	pci_pm_enable(r.p, PM_BASE);
	/* SCI_EN reads 1: ACPI mode is always on. */
	ck_assert_uint_eq(io_in(&r.io, PM_BASE + 4, 2), 0x0001);
	io_out(&r.io, PM_BASE + 2, 2, 0x0121);
	ck_assert_uint_eq(io_in(&r.io, PM_BASE + 2, 2), 0x0121);
	ck_assert_uint_eq(io_in(&r.io, PM_BASE + 3, 1), 0x01);
	/* STS is write-1-to-clear: writing ones never sets bits. */
	io_out(&r.io, PM_BASE, 2, 0xffff);
	ck_assert_uint_eq(io_in(&r.io, PM_BASE, 2), 0);

	/* Sleep types other than S5 are ignored. */
	io_out(&r.io, PM_BASE + 4, 2, 0x2000 | 1 << 10); /* S1 */
	io_out(&r.io, PM_BASE + 4, 2, 0x2000 | 5 << 10); /* S3-ish */
	ck_assert_uint_eq(r.fh.nstops, 0);
	/* SLP_TYP without SLP_EN does nothing; SLP_EN is not stored. */
	io_out(&r.io, PM_BASE + 4, 2, 0 << 10);
	ck_assert_uint_eq(r.fh.nstops, 0);
	ck_assert_uint_eq(io_in(&r.io, PM_BASE + 4, 2) & 0x2000, 0);

	/* QEMU's _S5: SLP_TYP 0 + SLP_EN. */
	io_out(&r.io, PM_BASE + 4, 2, 0x2000);
	ck_assert_uint_eq(r.fh.nstops, 1);
	ck_assert_int_eq(r.fh.stop_why, VM_STOP_POWEROFF);
	/* Type 2, written as the high byte alone. */
	io_out(&r.io, PM_BASE + 5, 1, (0x2000 | 2 << 10) >> 8);
	ck_assert_uint_eq(r.fh.nstops, 2);
	ck_assert_int_eq(r.fh.stop_why, VM_STOP_POWEROFF);
	/* A 32-bit write at +4 reaches PM1a_CNT too. */
	io_out(&r.io, PM_BASE + 4, 4, 0x2000);
	ck_assert_uint_eq(r.fh.nstops, 3);
	/* Unmodelled registers in the block read 0. */
	ck_assert_uint_eq(io_in(&r.io, PM_BASE + 0x10, 4), 0);
	rig_free(&r);
}
END_TEST

START_TEST(test_reset_control)
{
	struct rig r;

	rig_init(&r);
	ck_assert_uint_eq(io_inb(&r.io, 0xcf9), 0);
	io_outb(&r.io, 0xcf9, 0x02); /* select hard reset, no trigger */
	ck_assert_uint_eq(r.fh.nstops, 0);
	ck_assert_uint_eq(io_inb(&r.io, 0xcf9), 0x02);
	io_outb(&r.io, 0xcf9, 0x06);
	ck_assert_uint_eq(r.fh.nstops, 1);
	ck_assert_int_eq(r.fh.stop_why, VM_STOP_RESET);
	io_outb(&r.io, 0xcf9, 0x04);
	ck_assert_uint_eq(r.fh.nstops, 2);
	/* The latch is untouched by RCR accesses. */
	io_out(&r.io, 0xcf8, 4, 0x80000800);
	io_outb(&r.io, 0xcf9, 0x00);
	ck_assert_uint_eq(io_in(&r.io, 0xcf8, 4), 0x80000800);
	/* Linux's "outb(0x01, 0xcfb)" probe is harmless. */
	io_outb(&r.io, 0xcfb, 0x01);
	ck_assert_uint_eq(io_in(&r.io, 0xcf8, 4), 0x80000800);
	ck_assert_uint_eq(r.fh.nstops, 2);
	rig_free(&r);
}
END_TEST

/* ---------------------------------------------------------------- i8042 */

static uint8_t kbd_cmd_reply(struct rig *r, uint8_t cmd)
{
	io_outb(&r->io, 0x64, cmd);
	ck_assert_uint_eq(io_inb(&r->io, 0x64) & 1, 1);
	return io_inb(&r->io, 0x60);
}

/* Send @v to the keyboard, then expect exactly the @n bytes @exp from it:
 * each with OBF, none with the AUX or timeout bits, then OBF clear.  @line
 * is the caller's, for the failure message. */
static void kbd_expect(struct rig *r, int line, uint8_t v, const uint8_t *exp,
		       size_t n)
{
	io_outb(&r->io, 0x60, v);
	for (size_t i = 0; i < n; i++) {
		uint8_t str = io_inb(&r->io, 0x64), got;

		ck_assert_msg((str & 0x61) == 0x01,
			      "line %d: %#x, byte %zu: status %#x", line, v, i,
			      str);
		got = io_inb(&r->io, 0x60);
		ck_assert_msg(got == exp[i],
			      "line %d: %#x, byte %zu: got %#x, want %#x", line,
			      v, i, got, exp[i]);
	}
	ck_assert_msg(!(io_inb(&r->io, 0x64) & 0x01),
		      "line %d: %#x: more than %zu bytes", line, v, n);
}

#define KBD_EXPECT(r, v, ...)                                                  \
	do {                                                                   \
		static const uint8_t exp_[] = {__VA_ARGS__};                   \
		kbd_expect(r, __LINE__, v, exp_, sizeof(exp_));                \
	} while (0)

static void write_ctr(struct rig *r, uint8_t ctr)
{
	io_outb(&r->io, 0x64, 0x60);
	io_outb(&r->io, 0x60, ctr);
}

START_TEST(test_i8042_probe)
{
	struct rig r;
	uint8_t ctr;

	rig_init(&r);
	ck_assert_uint_eq(io_inb(&r.io, 0x64), 0x1c);
	ck_assert_uint_eq(kbd_cmd_reply(&r, 0xaa), 0x55);
	ck_assert_uint_eq(io_inb(&r.io, 0x64) & 1, 0); /* OBF cleared */
	ck_assert_uint_eq(kbd_cmd_reply(&r, 0xab), 0x00);
	ctr = kbd_cmd_reply(&r, 0x20);
	ck_assert_uint_eq(ctr, 0x47);
	/* Write the command byte and read it back. */
	io_outb(&r.io, 0x64, 0x60);
	io_outb(&r.io, 0x60, 0x65);
	ck_assert_uint_eq(kbd_cmd_reply(&r, 0x20), 0x65);
	io_outb(&r.io, 0x64, 0xad);
	ck_assert_uint_eq(kbd_cmd_reply(&r, 0x20) & 0x10, 0x10);
	io_outb(&r.io, 0x64, 0xae);
	ck_assert_uint_eq(kbd_cmd_reply(&r, 0x20) & 0x10, 0);
	io_outb(&r.io, 0x64, 0xa7);
	ck_assert_uint_eq(kbd_cmd_reply(&r, 0x20) & 0x20, 0x20);
	io_outb(&r.io, 0x64, 0xa8);
	ck_assert_uint_eq(kbd_cmd_reply(&r, 0x20) & 0x20, 0);

	/* AUX loop comes back without AUXDATA, then "no AUX port". */
	io_outb(&r.io, 0x64, 0xd3);
	io_outb(&r.io, 0x60, 0x5a);
	ck_assert_uint_eq(io_inb(&r.io, 0x64) & 0x21, 0x01);
	ck_assert_uint_eq(io_inb(&r.io, 0x60), 0x5a);
	ck_assert_uint_eq(kbd_cmd_reply(&r, 0xa9), 0x02);

	/* AUX device writes fail with the timeout bit on the AUX channel. */
	io_outb(&r.io, 0x64, 0xd4);
	io_outb(&r.io, 0x60, 0xff);
	ck_assert_uint_eq(io_inb(&r.io, 0x64) & 0x61, 0x61);
	ck_assert_uint_eq(io_inb(&r.io, 0x60), 0xfe);
	ck_assert_uint_eq(r.fh.nstops, 0);
	rig_free(&r);
}
END_TEST

START_TEST(test_i8042_irq)
{
	struct rig r;

	rig_init(&r);
	/* KBDINT is on by default: a reply raises IRQ 1 until read. */
	io_outb(&r.io, 0x64, 0x20);
	ck_assert_int_eq(r.fh.irq_level[1], 1);
	(void)io_inb(&r.io, 0x60);
	ck_assert_int_eq(r.fh.irq_level[1], 0);
	/* AUX replies go to IRQ 12. */
	io_outb(&r.io, 0x64, 0xd4);
	io_outb(&r.io, 0x60, 0xf4);
	ck_assert_int_eq(r.fh.irq_level[12], 1);
	ck_assert_int_eq(r.fh.irq_level[1], 0);
	(void)io_inb(&r.io, 0x60);
	ck_assert_int_eq(r.fh.irq_level[12], 0);
	/* With interrupts off in the command byte, nothing. */
	io_outb(&r.io, 0x64, 0x60);
	io_outb(&r.io, 0x60, 0x44);
	io_outb(&r.io, 0x64, 0xaa);
	ck_assert_int_eq(r.fh.irq_level[1], 0);
	ck_assert_uint_eq(io_inb(&r.io, 0x60), 0x55);
	rig_free(&r);
}
END_TEST

START_TEST(test_i8042_reset)
{
	struct rig r;

	rig_init(&r);
	io_outb(&r.io, 0x64, 0xfe);
	ck_assert_uint_eq(r.fh.nstops, 1);
	ck_assert_int_eq(r.fh.stop_why, VM_STOP_RESET);
	/* Pulse with bit 0 set: no reset. */
	io_outb(&r.io, 0x64, 0xff);
	ck_assert_uint_eq(r.fh.nstops, 1);
	/* Output port write keeping the reset line high. */
	ck_assert_uint_eq(kbd_cmd_reply(&r, 0xd0), 0x03);
	io_outb(&r.io, 0x64, 0xd1);
	io_outb(&r.io, 0x60, 0x03);
	ck_assert_uint_eq(r.fh.nstops, 1);
	io_outb(&r.io, 0x64, 0xd1);
	io_outb(&r.io, 0x60, 0x02);
	ck_assert_uint_eq(r.fh.nstops, 2);
	ck_assert_int_eq(r.fh.stop_why, VM_STOP_RESET);
	/* Each pulse with bit 0 clear resets, 0xf0 too; odd ones don't. */
	for (unsigned c = 0xf0; c <= 0xff; c++) {
		unsigned before = r.fh.nstops;

		io_outb(&r.io, 0x64, (uint8_t)c);
		ck_assert_uint_eq(r.fh.nstops, before + !(c & 1));
	}
	ck_assert_uint_eq(r.fh.nstops, 10);
	/* The keyboard's own reset (0xff on the data port) is not one. */
	KBD_EXPECT(&r, 0xff, 0xfa, 0xaa);
	ck_assert_uint_eq(r.fh.nstops, 10);
	rig_free(&r);
}
END_TEST

START_TEST(test_i8042_kbd_reset)
{
	struct rig r;
	unsigned calls;

	rig_init(&r);
	/* Keyboard reset: ACK then BAT passed, in order, each raising IRQ 1
	 * with its own edge. */
	io_outb(&r.io, 0x60, 0xff);
	ck_assert_uint_eq(io_inb(&r.io, 0x64) & 0x61, 0x01);
	ck_assert_int_eq(r.fh.irq_level[1], 1);
	ck_assert_int_eq(r.fh.irq_level[12], 0);
	calls = r.fh.irq_calls;
	ck_assert_uint_eq(io_inb(&r.io, 0x60), 0xfa);
	/* OBF stays for the second byte; the line went low and high again. */
	ck_assert_uint_eq(io_inb(&r.io, 0x64) & 0x61, 0x01);
	ck_assert_int_eq(r.fh.irq_level[1], 1);
	ck_assert_uint_eq(r.fh.irq_calls, calls + 2);
	ck_assert_uint_eq(io_inb(&r.io, 0x60), 0xaa);
	ck_assert_uint_eq(io_inb(&r.io, 0x64) & 0x01, 0);
	ck_assert_int_eq(r.fh.irq_level[1], 0);
	ck_assert_uint_eq(r.fh.irq_calls, calls + 3);
	/* An empty buffer rereads the last byte without raising anything. */
	ck_assert_uint_eq(io_inb(&r.io, 0x60), 0xaa);
	ck_assert_uint_eq(io_inb(&r.io, 0x64) & 0x01, 0);
	ck_assert_uint_eq(r.fh.irq_calls, calls + 3);

	/* Status-port polling, as OVMF does, sees the same bytes; with
	 * KBDINT off there is no IRQ at all. */
	write_ctr(&r, 0x44);
	calls = r.fh.irq_calls;
	KBD_EXPECT(&r, 0xff, 0xfa, 0xaa);
	ck_assert_uint_eq(r.fh.irq_calls, calls);
	ck_assert_int_eq(r.fh.irq_level[1], 0);
	/* Turning KBDINT on with bytes waiting raises the line. */
	io_outb(&r.io, 0x60, 0xff);
	write_ctr(&r, 0x45);
	ck_assert_int_eq(r.fh.irq_level[1], 1);
	ck_assert_uint_eq(io_inb(&r.io, 0x60), 0xfa);
	ck_assert_uint_eq(io_inb(&r.io, 0x60), 0xaa);
	ck_assert_int_eq(r.fh.irq_level[1], 0);
	ck_assert_uint_eq(r.fh.nstops, 0);
	rig_free(&r);
}
END_TEST

START_TEST(test_i8042_kbd_commands)
{
	struct rig r;

	rig_init(&r);
	/* Translation is on by default: identify's 0x83 reads as 0x41. */
	KBD_EXPECT(&r, 0xf2, 0xfa, 0xab, 0x41);
	KBD_EXPECT(&r, 0xee, 0xee);
	/* Scancode set: ACK, then ACK for the parameter; 0 reads it back
	 * (set 2, translated to 0x41). */
	KBD_EXPECT(&r, 0xf0, 0xfa);
	KBD_EXPECT(&r, 0x00, 0xfa, 0x41);

	/* Without translation the bytes are the keyboard's own. */
	write_ctr(&r, 0x07);
	KBD_EXPECT(&r, 0xf2, 0xfa, 0xab, 0x83);
	KBD_EXPECT(&r, 0xf0, 0xfa);
	KBD_EXPECT(&r, 0x00, 0xfa, 0x02);
	KBD_EXPECT(&r, 0xf0, 0xfa);
	KBD_EXPECT(&r, 0x01, 0xfa);
	KBD_EXPECT(&r, 0xf0, 0xfa);
	KBD_EXPECT(&r, 0x00, 0xfa, 0x01);
	/* A bad set asks for the parameter again. */
	KBD_EXPECT(&r, 0xf0, 0xfa);
	KBD_EXPECT(&r, 0x05, 0xfe);
	KBD_EXPECT(&r, 0x03, 0xfa);
	KBD_EXPECT(&r, 0xf0, 0xfa);
	KBD_EXPECT(&r, 0x00, 0xfa, 0x03);
	/* Defaults go back to set 2; so do disable and reset. */
	KBD_EXPECT(&r, 0xf6, 0xfa);
	KBD_EXPECT(&r, 0xf0, 0xfa);
	KBD_EXPECT(&r, 0x00, 0xfa, 0x02);
	KBD_EXPECT(&r, 0xf0, 0xfa);
	KBD_EXPECT(&r, 0x01, 0xfa);
	KBD_EXPECT(&r, 0xf5, 0xfa);
	KBD_EXPECT(&r, 0xf0, 0xfa);
	KBD_EXPECT(&r, 0x00, 0xfa, 0x02);
	KBD_EXPECT(&r, 0xf4, 0xfa);
	KBD_EXPECT(&r, 0xf0, 0xfa);
	KBD_EXPECT(&r, 0x03, 0xfa);
	KBD_EXPECT(&r, 0xff, 0xfa, 0xaa);
	KBD_EXPECT(&r, 0xf0, 0xfa);
	KBD_EXPECT(&r, 0x00, 0xfa, 0x02);

	/* LEDs and typematic: ACK, parameter, ACK. */
	KBD_EXPECT(&r, 0xed, 0xfa);
	KBD_EXPECT(&r, 0x07, 0xfa);
	KBD_EXPECT(&r, 0xf3, 0xfa);
	KBD_EXPECT(&r, 0x2b, 0xfa);
	KBD_EXPECT(&r, 0xf3, 0xfa);
	KBD_EXPECT(&r, 0x80, 0xfe); /* bit 7 must be clear */
	KBD_EXPECT(&r, 0x00, 0xfa);
	/* A command instead of a parameter runs as a command. */
	KBD_EXPECT(&r, 0xed, 0xfa);
	KBD_EXPECT(&r, 0xee, 0xee);
	KBD_EXPECT(&r, 0x07, 0xfe); /* no longer a parameter */
	/* The set-3 key type commands are acknowledged. */
	KBD_EXPECT(&r, 0xf8, 0xfa);
	KBD_EXPECT(&r, 0xfb, 0xfa);
	KBD_EXPECT(&r, 0x1c, 0xfa);

	/* Unknown commands: resend request, from a device that answered, so
	 * no timeout bit (kbd_expect checks). */
	KBD_EXPECT(&r, 0x42, 0xfe);
	KBD_EXPECT(&r, 0xef, 0xfe);
	KBD_EXPECT(&r, 0xf1, 0xfe);
	/* Resend repeats the last byte sent. */
	KBD_EXPECT(&r, 0xf2, 0xfa, 0xab, 0x83);
	KBD_EXPECT(&r, 0xfe, 0x83);
	KBD_EXPECT(&r, 0xfe, 0x83);
	KBD_EXPECT(&r, 0xf4, 0xfa);
	KBD_EXPECT(&r, 0xfe, 0xfa);
	/* The resent byte is translated when translation is on. */
	write_ctr(&r, 0x47);
	KBD_EXPECT(&r, 0xf2, 0xfa, 0xab, 0x41);
	KBD_EXPECT(&r, 0xfe, 0x41);

	/* With the keyboard interface disabled nothing reaches it. */
	io_outb(&r.io, 0x64, 0xad);
	io_outb(&r.io, 0x60, 0xff);
	ck_assert_uint_eq(io_inb(&r.io, 0x64) & 0x01, 0);
	io_outb(&r.io, 0x64, 0xae);
	KBD_EXPECT(&r, 0xee, 0xee);
	/* Controller commands in between keep their order in the queue. */
	io_outb(&r.io, 0x60, 0xf2);
	io_outb(&r.io, 0x64, 0xaa);
	ck_assert_uint_eq(io_inb(&r.io, 0x60), 0xfa);
	ck_assert_uint_eq(io_inb(&r.io, 0x60), 0xab);
	ck_assert_uint_eq(io_inb(&r.io, 0x60), 0x41);
	ck_assert_uint_eq(io_inb(&r.io, 0x60), 0x55);
	ck_assert_uint_eq(io_inb(&r.io, 0x64) & 0x01, 0);
	ck_assert_uint_eq(r.fh.nstops, 0);
	rig_free(&r);
}
END_TEST

START_TEST(test_i8042_queue)
{
	static const uint8_t id[] = {0xfa, 0xab, 0x41};
	struct rig r;
	uint64_t seed = 0x8042;
	int n;

	rig_init(&r);
	/* 0xd2 bytes queue as keyboard data (not translated), 16 at most:
	 * the rest are dropped. */
	for (unsigned i = 0; i < 20; i++) {
		io_outb(&r.io, 0x64, 0xd2);
		io_outb(&r.io, 0x60, (uint8_t)(0x10 + i));
	}
	for (unsigned i = 0; i < 16; i++) {
		ck_assert_uint_eq(io_inb(&r.io, 0x64) & 0x61, 0x01);
		ck_assert_uint_eq(io_inb(&r.io, 0x60), 0x10 + i);
	}
	ck_assert_uint_eq(io_inb(&r.io, 0x64) & 0x01, 0);
	ck_assert_uint_eq(io_inb(&r.io, 0x60), 0x1f);
	/* Same for keyboard replies: six identifies are 18 bytes. */
	for (unsigned i = 0; i < 6; i++)
		io_outb(&r.io, 0x60, 0xf2);
	for (unsigned i = 0; i < 15; i++)
		ck_assert_uint_eq(io_inb(&r.io, 0x60), id[i % 3]);
	ck_assert_uint_eq(io_inb(&r.io, 0x60), 0xfa);
	ck_assert_uint_eq(io_inb(&r.io, 0x64) & 0x01, 0);
	ck_assert_int_eq(r.fh.irq_level[1], 0);
	/* Still working. */
	ck_assert_uint_eq(kbd_cmd_reply(&r, 0xaa), 0x55);
	KBD_EXPECT(&r, 0xff, 0xfa, 0xaa);

	/* Random writes to both ports (no reset pulses): the buffer always
	 * drains in at most 16 reads and the IRQ lines end low. */
	for (int i = 0; i < 20000; i++) {
		uint64_t x = test_rand(&seed);
		uint8_t v = (uint8_t)(x >> 8);

		if (x & 1) {
			if (v >= 0xf0 || v == 0xd1)
				continue;
			io_outb(&r.io, 0x64, v);
		} else {
			io_outb(&r.io, 0x60, v);
		}
		if ((x >> 1 & 7) == 0)
			(void)io_inb(&r.io, 0x60);
	}
	write_ctr(&r, 0x47);
	for (n = 0; io_inb(&r.io, 0x64) & 1; n++) {
		ck_assert_int_le(n, 16);
		(void)io_inb(&r.io, 0x60);
	}
	ck_assert_int_eq(r.fh.irq_level[1], 0);
	ck_assert_int_eq(r.fh.irq_level[12], 0);
	KBD_EXPECT(&r, 0xee, 0xee);
	rig_free(&r);
}
END_TEST

/* ---------------------------------------------------------------- legacy */

START_TEST(test_legacy)
{
	struct rig r;
	char c[4];

	rig_init(&r);
	/* Debug exit: any width, status = value & 0x3f. */
	ck_assert_uint_eq(io_inb(&r.io, DEBUG_EXIT_PORT), 0xff);
	io_out(&r.io, DEBUG_EXIT_PORT, 2, 0x1234);
	ck_assert_uint_eq(r.fh.nstops, 1);
	ck_assert_int_eq(r.fh.stop_why, VM_STOP_DEBUG_EXIT);
	ck_assert_int_eq(r.fh.stop_status, 0x34);
	io_out(&r.io, DEBUG_EXIT_PORT, 4, 0xffffff41);
	ck_assert_int_eq(r.fh.stop_status, 0x01);
	io_outb(&r.io, DEBUG_EXIT_PORT, 0x3f);
	ck_assert_int_eq(r.fh.stop_status, 0x3f);
	ck_assert_uint_eq(r.fh.nstops, 3);
	io_outb(&r.io, DEBUG_EXIT_PORT + 1, 0x3f); /* not the port itself */
	ck_assert_uint_eq(r.fh.nstops, 3);

	/* 0x92: A20 on; bit 0 resets. */
	ck_assert_uint_eq(io_inb(&r.io, 0x92), 0x02);
	io_outb(&r.io, 0x92, 0x02);
	ck_assert_uint_eq(r.fh.nstops, 3);
	io_outb(&r.io, 0x92, 0x03);
	ck_assert_uint_eq(r.fh.nstops, 4);
	ck_assert_int_eq(r.fh.stop_why, VM_STOP_RESET);

	/* Debugcon. */
	ck_assert_uint_eq(io_inb(&r.io, 0x402), 0xe9);
	io_outb(&r.io, 0x402, 'o');
	io_outb(&r.io, 0x402, 'k');
	ck_assert_uint_eq(read_wait(r.dbg[0], c, 2, 5000), 2);
	ck_assert_mem_eq(c, "ok", 2);

	/* POST and delay ports are claimed and inert. */
	uint8_t d = 0x12;

	ck_assert(bus_access(&r.io, 0x80, &d, 1, true));
	ck_assert(bus_access(&r.io, 0xed, &d, 1, true));
	ck_assert_uint_eq(io_inb(&r.io, 0x80), 0xff);
	ck_assert_uint_eq(r.fh.nstops, 4);
	rig_free(&r);
}
END_TEST

START_TEST(test_debug_exit_standalone)
{
	struct fake_host fh;
	struct bus io;
	struct legacy *l;

	fake_host_init(&fh, NULL, 0, 0);
	bus_init(&io);
	ck_assert_int_eq(debug_exit_attach(&fh.h, &io), 0);
	io_out(&io, DEBUG_EXIT_PORT, 4, 7);
	ck_assert_int_eq(fh.stop_why, VM_STOP_DEBUG_EXIT);
	ck_assert_int_eq(fh.stop_status, 7);
	/* legacy_attach would now collide on the port. */
	l = legacy_new(&fh.h, NULL);
	ck_assert_int_lt(legacy_attach(l, &io), 0);
	legacy_free(l);

	/* Without a debugcon output, writes are dropped. */
	bus_init(&io);
	l = legacy_new(&fh.h, NULL);
	ck_assert_int_eq(legacy_attach(l, &io), 0);
	io_outb(&io, 0x402, 'x');
	ck_assert_uint_eq(io_inb(&io, 0x402), 0xe9);
	legacy_free(l);
}
END_TEST

START_TEST(test_hostile)
{
	struct rig r;
	uint64_t seed = 0x77;
	static const uint16_t bases[] = {0xcf8, 0xcfc,	 0x60,	0x64,
					 0x80,	0x92,	 0xed,	0x402,
					 0x501, PM_BASE, 0xb000};
	uint8_t d[8];

	rig_init(&r);
	pci_pm_enable(r.p, PM_BASE);
	for (int i = 0; i < 200000; i++) {
		uint64_t x = test_rand(&seed);
		uint16_t port = (uint16_t)(bases[(x & 0xff) % 11] +
					   (int)((x >> 8) & 0x4f) - 8);

		le_put(d, 8, test_rand(&seed));
		/* Bias the latch towards our devices and the PM regs. */
		if ((x >> 20 & 3) == 0) {
			io_out(&r.io, 0xcf8, 4,
			       0x80000000u | (uint32_t)(x >> 24 & 0x1ff) << 8 |
				       (uint32_t)(x >> 40 & 0xff));
			continue;
		}
		bus_access(&r.io, port, d, 1 + (x >> 16 & 7), x >> 19 & 1);
	}
	/* The ids survived. */
	ck_assert_uint_eq(cfg_read(&r, 0, 0, 0, 4), 0x12378086);
	ck_assert_uint_eq(cfg_read(&r, 1, 3, 0, 4), 0x71138086);
	rig_free(&r);
}
END_TEST

static Suite *pci_suite(void)
{
	Suite *s = suite_create("pci");
	TCase *tc = tcase_create("pci");
	TCase *tk = tcase_create("i8042");
	TCase *tl = tcase_create("legacy");

	tcase_add_test(tc, test_ids);
	tcase_add_test(tc, test_write_masks);
	tcase_add_test(tc, test_pm_programming);
	tcase_add_test(tc, test_pm_enable);
	tcase_add_test(tc, test_pm_registers);
	tcase_add_test(tc, test_reset_control);
	tcase_add_test(tc, test_hostile);
	tcase_add_test(tk, test_i8042_probe);
	tcase_add_test(tk, test_i8042_irq);
	tcase_add_test(tk, test_i8042_reset);
	tcase_add_test(tk, test_i8042_kbd_reset);
	tcase_add_test(tk, test_i8042_kbd_commands);
	tcase_add_test(tk, test_i8042_queue);
	tcase_add_test(tl, test_legacy);
	tcase_add_test(tl, test_debug_exit_standalone);
	suite_add_tcase(s, tc);
	suite_add_tcase(s, tk);
	suite_add_tcase(s, tl);
	return s;
}

int main(void)
{
	return run_suite(pci_suite());
}
