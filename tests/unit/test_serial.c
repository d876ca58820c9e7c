// SPDX-License-Identifier: MIT
/* Unit tests for the 16550A UART (vmm/serial.c). */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <time.h>

#include "tests/unit/fake_host.h"
#include "tests/unit/testutil.h"

#define B   SERIAL_COM1_BASE
#define IRQ SERIAL_COM1_IRQ
enum {
	RBR = 0,
	IER = 1,
	IIR = 2,
	FCR = 2,
	LCR = 3,
	MCR = 4,
	LSR = 5,
	MSR = 6,
	SCR = 7
};

struct rig {
	struct fake_host fh;
	struct bus io;
	struct serial *s;
	int out[2]; /* pipe: [0] is what the host console would read */
};

static void rig_init(struct rig *r, bool with_pipe)
{
	fake_host_init(&r->fh, NULL, 0, 0);
	bus_init(&r->io);
	r->out[0] = r->out[1] = -1;
	if (with_pipe) {
		ck_assert_int_eq(pipe2(r->out, O_NONBLOCK | O_CLOEXEC), 0);
	}
	r->s = serial_new(&r->fh.h, IRQ, r->out[1]);
	ck_assert_ptr_nonnull(r->s);
	ck_assert_int_eq(serial_attach(r->s, &r->io, B), 0);
}

static void rig_free(struct rig *r)
{
	serial_free(r->s);
	if (r->out[0] >= 0) {
		close(r->out[0]);
		close(r->out[1]);
	}
}

static uint8_t rd(struct rig *r, unsigned reg)
{
	return io_inb(&r->io, B + reg);
}

static void wr(struct rig *r, unsigned reg, uint8_t v)
{
	io_outb(&r->io, B + reg, v);
}

START_TEST(test_reset_state)
{
	struct rig r;

	rig_init(&r, false);
	ck_assert_uint_eq(rd(&r, LSR), 0x60);
	ck_assert_uint_eq(rd(&r, IIR), 0x01);
	ck_assert_uint_eq(rd(&r, IER), 0x00);
	ck_assert_uint_eq(rd(&r, MSR) & 0xf0, 0xb0); /* CTS|DSR|DCD */
	ck_assert_uint_eq(r.fh.irq_level[IRQ], 0);
	rig_free(&r);
}
END_TEST

START_TEST(test_tx)
{
	struct rig r;
	char buf[16];

	rig_init(&r, true);
	wr(&r, LCR, 0x03);
	for (const char *p = "hi!\n"; *p; p++)
		wr(&r, RBR, (uint8_t)*p);
	ck_assert_uint_eq(rd(&r, LSR), 0x60); /* THRE|TEMT again at once */
	ck_assert_int_eq(read(r.out[0], buf, sizeof(buf)), 4);
	ck_assert_mem_eq(buf, "hi!\n", 4);
	ck_assert_uint_eq(serial_tx_bytes(r.s), 4);
	rig_free(&r);
}
END_TEST

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* The output fd being a full non-blocking pipe must not hang the vCPU. */
START_TEST(test_tx_full_pipe)
{
	struct rig r;
	char big[4096];
	double t;

	rig_init(&r, true);
	memset(big, 'x', sizeof(big));
	while (write(r.out[1], big, sizeof(big)) > 0)
		;
	wr(&r, RBR, 'y'); /* waits about a second, then drops the byte */
	ck_assert_uint_eq(serial_tx_bytes(r.s), 1);
	/* Now known stuck: the next bytes are dropped without waiting. */
	t = now_s();
	for (int i = 0; i < 10; i++)
		wr(&r, RBR, 'z');
	ck_assert(now_s() - t < 0.5);
	/* Once the reader drains, output flows again. */
	while (read(r.out[0], big, sizeof(big)) > 0)
		;
	wr(&r, RBR, '!');
	ck_assert_int_eq(read(r.out[0], big, sizeof(big)), 1);
	ck_assert_uint_eq(big[0], '!');
	rig_free(&r);
}
END_TEST

START_TEST(test_tx_discard)
{
	struct rig r;

	rig_init(&r, false);
	wr(&r, RBR, 'a');
	ck_assert_uint_eq(serial_tx_bytes(r.s), 1);
	rig_free(&r);
}
END_TEST

START_TEST(test_ier_and_scratch)
{
	struct rig r;

	rig_init(&r, false);
	wr(&r, IER, 0xff);
	ck_assert_uint_eq(rd(&r, IER), 0x0f);
	wr(&r, IER, 0x00);
	ck_assert_uint_eq(rd(&r, IER), 0x00);
	wr(&r, SCR, 0xa5);
	ck_assert_uint_eq(rd(&r, SCR), 0xa5);
	wr(&r, SCR, 0x5a);
	ck_assert_uint_eq(rd(&r, SCR), 0x5a);
	rig_free(&r);
}
END_TEST

START_TEST(test_thre_interrupt)
{
	struct rig r;

	rig_init(&r, false);
	wr(&r, MCR, 0x0b); /* DTR|RTS|OUT2, as Linux does */
	ck_assert_uint_eq(r.fh.irq_level[IRQ], 0);
	wr(&r, IER, 0x02);
	ck_assert_uint_eq(r.fh.irq_level[IRQ], 1);
	ck_assert_uint_eq(rd(&r, IIR), 0x02);
	/* Reading IIR acknowledged it. */
	ck_assert_uint_eq(r.fh.irq_level[IRQ], 0);
	ck_assert_uint_eq(rd(&r, IIR), 0x01);
	/* A transmitted byte makes THR empty again: THRE once more. */
	wr(&r, RBR, 'x');
	ck_assert_uint_eq(r.fh.irq_level[IRQ], 1);
	/* Disabling THRI drops the line. */
	wr(&r, IER, 0x00);
	ck_assert_uint_eq(r.fh.irq_level[IRQ], 0);
	/* Linux's THRE re-assert test: IER 0 -> THRI gives THRE again. */
	wr(&r, IER, 0x02);
	ck_assert_uint_eq(rd(&r, IIR) & 0x0f, 0x02);
	wr(&r, IER, 0x00);
	wr(&r, IER, 0x02);
	ck_assert_uint_eq(rd(&r, IIR) & 0x0f, 0x02);
	rig_free(&r);
}
END_TEST

START_TEST(test_out2_gates_irq)
{
	struct rig r;

	rig_init(&r, false);
	wr(&r, IER, 0x02);
	ck_assert_uint_eq(rd(&r, IIR), 0x02); /* pending ... */
	wr(&r, RBR, 'x');
	ck_assert_uint_eq(r.fh.irq_level[IRQ], 0); /* ... but gated */
	wr(&r, MCR, 0x08);
	ck_assert_uint_eq(r.fh.irq_level[IRQ], 1);
	wr(&r, MCR, 0x00);
	ck_assert_uint_eq(r.fh.irq_level[IRQ], 0);
	rig_free(&r);
}
END_TEST

START_TEST(test_loopback)
{
	struct rig r;
	char c;

	rig_init(&r, true);
	/* Linux's probe: MCR = LOOP | 0x0a must read MSR & 0xf0 == 0x90. */
	wr(&r, MCR, 0x1a);
	ck_assert_uint_eq(rd(&r, MSR) & 0xf0, 0x90);
	wr(&r, MCR, 0x1f);
	ck_assert_uint_eq(rd(&r, MSR) & 0xf0, 0xf0);
	wr(&r, MCR, 0x10);
	ck_assert_uint_eq(rd(&r, MSR) & 0xf0, 0x00);
	/* Deltas: everything just dropped, RI trailing edge included. */
	wr(&r, MCR, 0x1f);
	(void)rd(&r, MSR);
	wr(&r, MCR, 0x10);
	ck_assert_uint_eq(rd(&r, MSR), 0x0f);
	ck_assert_uint_eq(rd(&r, MSR), 0x00); /* read clears deltas */

	/* TX feeds RX, not the output fd. */
	wr(&r, RBR, 'L');
	ck_assert_uint_eq(rd(&r, LSR), 0x61);
	ck_assert_uint_eq(rd(&r, RBR), 'L');
	ck_assert_uint_eq(rd(&r, LSR), 0x60);
	ck_assert_int_eq(read(r.out[0], &c, 1), -1);
	/* The line is disconnected in loopback. */
	ck_assert_uint_eq(serial_receive(r.s, (const uint8_t *)"z", 1), 0);

	/* Overrun with FIFOs off: the second byte is lost, OE set. */
	wr(&r, IER, 0x04);
	wr(&r, RBR, '1');
	wr(&r, RBR, '2');
	ck_assert_uint_eq(rd(&r, IIR), 0x06);
	ck_assert_uint_eq(rd(&r, LSR), 0x63);
	ck_assert_uint_eq(rd(&r, LSR), 0x61); /* OE cleared by the read */
	ck_assert_uint_eq(rd(&r, RBR), '1');

	wr(&r, MCR, 0x0b);
	ck_assert_uint_eq(rd(&r, MSR) & 0xf0, 0xb0);
	rig_free(&r);
}
END_TEST

START_TEST(test_divisor_latch)
{
	struct rig r;

	rig_init(&r, false);
	wr(&r, IER, 0x05);
	wr(&r, LCR, 0x83);
	wr(&r, 0, 0x01); /* DLL: 115200 baud */
	wr(&r, 1, 0x00); /* DLM */
	ck_assert_uint_eq(rd(&r, 0), 0x01);
	ck_assert_uint_eq(rd(&r, 1), 0x00);
	wr(&r, 1, 0x12);
	ck_assert_uint_eq(rd(&r, 1), 0x12);
	ck_assert_uint_eq(serial_tx_bytes(r.s), 0); /* DLL is not THR */
	wr(&r, LCR, 0x03);
	ck_assert_uint_eq(rd(&r, LCR), 0x03);
	ck_assert_uint_eq(rd(&r, IER), 0x05); /* IER was kept */
	wr(&r, LCR, 0x83);
	ck_assert_uint_eq(rd(&r, 0), 0x01);
	ck_assert_uint_eq(rd(&r, 1), 0x12);
	rig_free(&r);
}
END_TEST

START_TEST(test_rx_fifo)
{
	struct rig r;
	uint8_t in[20];

	rig_init(&r, false);
	for (int i = 0; i < 20; i++)
		in[i] = (uint8_t)('a' + i);
	wr(&r, FCR, 0x07); /* enable + clear, trigger 1 */
	ck_assert_uint_eq(rd(&r, IIR), 0xc1);
	wr(&r, MCR, 0x08);
	wr(&r, IER, 0x01);
	ck_assert_uint_eq(r.fh.irq_level[IRQ], 0);
	ck_assert_uint_eq(serial_receive(r.s, in, 20), 16);
	ck_assert_uint_eq(r.fh.irq_level[IRQ], 1);
	ck_assert_uint_eq(rd(&r, LSR), 0x61);
	ck_assert_uint_eq(rd(&r, IIR), 0xc4);
	for (int i = 0; i < 16; i++)
		ck_assert_uint_eq(rd(&r, RBR), 'a' + i);
	ck_assert_uint_eq(rd(&r, LSR), 0x60);
	ck_assert_uint_eq(r.fh.irq_level[IRQ], 0);
	ck_assert_uint_eq(rd(&r, IIR), 0xc1);

	/* Trigger level 8: below it the id is "timeout", at it "data". */
	wr(&r, FCR, 0x81);
	ck_assert_uint_eq(serial_receive(r.s, in, 3), 3);
	ck_assert_uint_eq(rd(&r, IIR), 0xcc);
	ck_assert_uint_eq(serial_receive(r.s, in, 5), 5);
	ck_assert_uint_eq(rd(&r, IIR), 0xc4);
	/* FCR clear-RX empties it. */
	wr(&r, FCR, 0x83);
	ck_assert_uint_eq(rd(&r, LSR), 0x60);
	ck_assert_uint_eq(r.fh.irq_level[IRQ], 0);

	/* FIFOs off: a one-byte holding register. */
	wr(&r, FCR, 0x00);
	ck_assert_uint_eq(rd(&r, IIR), 0x01);
	ck_assert_uint_eq(serial_receive(r.s, in, 20), 1);
	ck_assert_uint_eq(rd(&r, IIR), 0x04);
	ck_assert_uint_eq(rd(&r, RBR), 'a');
	ck_assert_uint_eq(rd(&r, RBR), 0); /* empty */
	rig_free(&r);
}
END_TEST

START_TEST(test_priority)
{
	struct rig r;

	rig_init(&r, false);
	wr(&r, FCR, 0x01);
	wr(&r, IER, 0x0f);
	wr(&r, MCR, 0x18); /* loopback + OUT2: deltas for DCD */
	/* THRE (enabling THRI) outranks modem status. */
	ck_assert_uint_eq(rd(&r, IIR), 0xc2);
	ck_assert_uint_eq(rd(&r, IIR), 0xc0); /* then MSR */
	(void)rd(&r, MSR);
	ck_assert_uint_eq(rd(&r, IIR), 0xc1);
	/* Fill RX and overrun it: RLS > RDA > THRE. */
	for (int i = 0; i < 17; i++)
		wr(&r, RBR, (uint8_t)i);
	ck_assert_uint_eq(rd(&r, IIR), 0xc6);
	(void)rd(&r, LSR);
	ck_assert_uint_eq(rd(&r, IIR), 0xc4);
	for (int i = 0; i < 16; i++)
		ck_assert_uint_eq(rd(&r, RBR), i);
	ck_assert_uint_eq(rd(&r, IIR), 0xc2);
	ck_assert_uint_eq(rd(&r, IIR), 0xc1);
	rig_free(&r);
}
END_TEST

/* Wide accesses touch successive registers. */
START_TEST(test_wide_access)
{
	struct rig r;

	rig_init(&r, false);
	io_out(&r.io, B + SCR - 1, 2, 0x3300); /* MSR (ignored), SCR = 0x33 */
	ck_assert_uint_eq(rd(&r, SCR), 0x33);
	ck_assert_uint_eq(io_in(&r.io, B + LSR, 2) & 0xff, 0x60);
	rig_free(&r);
}
END_TEST

/* Read until n bytes have come out of RBR, as a polling guest would. */
static size_t guest_drain(struct rig *r, char *buf, size_t n, int ms)
{
	size_t got = 0;

	for (int t = 0; t < ms && got < n; t++) {
		while (got < n && (rd(r, LSR) & 1))
			buf[got++] = (char)rd(r, RBR);
		usleep(1000);
	}
	return got;
}

START_TEST(test_input_thread)
{
	struct rig r;
	int in[2];
	char msg[100], got[100];

	rig_init(&r, false);
	ck_assert_int_eq(pipe(in), 0);
	for (int i = 0; i < 100; i++)
		msg[i] = (char)('0' + i % 64);
	wr(&r, FCR, 0x01);
	ck_assert_int_eq(serial_input_start(r.s, &r.io, in[0]), 0);
	ck_assert_int_eq(serial_input_start(r.s, &r.io, in[0]), -EBUSY);
	/* 100 bytes through a 16-byte FIFO: nothing may be dropped. */
	ck_assert_int_eq(write(in[1], msg, 100), 100);
	ck_assert_uint_eq(guest_drain(&r, got, 100, 5000), 100);
	ck_assert_mem_eq(got, msg, 100);
	close(in[1]); /* EOF ends the thread; free still joins it */
	usleep(10000);
	rig_free(&r);
	close(in[0]);
}
END_TEST

/* Input arriving while the guest holds the UART in loopback waits. */
START_TEST(test_input_waits_for_loopback)
{
	struct rig r;
	int in[2];
	char got[4];

	rig_init(&r, false);
	ck_assert_int_eq(pipe(in), 0);
	wr(&r, MCR, 0x10);
	ck_assert_int_eq(serial_input_start(r.s, &r.io, in[0]), 0);
	ck_assert_int_eq(write(in[1], "ab", 2), 2);
	usleep(20000);
	ck_assert_uint_eq(rd(&r, LSR) & 1, 0);
	wr(&r, MCR, 0x00);
	ck_assert_uint_eq(guest_drain(&r, got, 2, 2000), 2);
	ck_assert_mem_eq(got, "ab", 2);
	rig_free(&r);
	close(in[0]);
	close(in[1]);
}
END_TEST

/* serial_free returns promptly whether the thread is in poll() or waiting
 * for FIFO space that the guest never makes. */
START_TEST(test_free_wakes_thread)
{
	struct rig r;
	int in[2];
	char buf[64];
	double t;

	/* Blocked in poll(). */
	rig_init(&r, false);
	ck_assert_int_eq(pipe(in), 0);
	ck_assert_int_eq(serial_input_start(r.s, &r.io, in[0]), 0);
	usleep(10000);
	t = now_s();
	rig_free(&r);
	ck_assert(now_s() - t < 1.0);

	/* Blocked on a full FIFO. */
	rig_init(&r, false);
	memset(buf, 'q', sizeof(buf));
	ck_assert_int_eq(serial_input_start(r.s, &r.io, in[0]), 0);
	ck_assert_int_eq(write(in[1], buf, sizeof(buf)), 64);
	usleep(20000);
	ck_assert_uint_eq(rd(&r, LSR) & 1, 1);
	t = now_s();
	rig_free(&r);
	ck_assert(now_s() - t < 1.0);
	close(in[0]);
	close(in[1]);
}
END_TEST

START_TEST(test_hostile)
{
	struct rig r;
	uint64_t seed = 0xfeedface;
	uint8_t d[8];

	rig_init(&r, true);
	for (int i = 0; i < 100000; i++) {
		uint64_t x = test_rand(&seed);
		unsigned len = 1 + (x & 7);
		uint16_t port = (uint16_t)(B - 4 + ((x >> 3) & 15));

		le_put(d, 8, test_rand(&seed));
		bus_access(&r.io, port, d, len, (x >> 8) & 1);
		if ((x >> 9 & 63) == 0)
			serial_receive(r.s, d, len);
		if ((x >> 16 & 255) == 0) {
			char sink[4096];

			while (read(r.out[0], sink, sizeof(sink)) > 0)
				;
		}
	}
	rig_free(&r);
}
END_TEST

static Suite *serial_suite(void)
{
	Suite *s = suite_create("serial");
	TCase *tc = tcase_create("core");

	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, test_reset_state);
	tcase_add_test(tc, test_tx);
	tcase_add_test(tc, test_tx_full_pipe);
	tcase_add_test(tc, test_tx_discard);
	tcase_add_test(tc, test_ier_and_scratch);
	tcase_add_test(tc, test_thre_interrupt);
	tcase_add_test(tc, test_out2_gates_irq);
	tcase_add_test(tc, test_loopback);
	tcase_add_test(tc, test_divisor_latch);
	tcase_add_test(tc, test_rx_fifo);
	tcase_add_test(tc, test_priority);
	tcase_add_test(tc, test_wide_access);
	tcase_add_test(tc, test_input_thread);
	tcase_add_test(tc, test_input_waits_for_loopback);
	tcase_add_test(tc, test_free_wakes_thread);
	tcase_add_test(tc, test_hostile);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return run_suite(serial_suite());
}
