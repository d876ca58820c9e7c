// SPDX-License-Identifier: MIT
/* Unit tests for the 16550A UART (vmm/serial.c). */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <time.h>

#include "tests/unit/fake_host.h"
#include "vmm/uart.h"
#include "tests/unit/testutil.h"

#define B   SERIAL_COM1_BASE
#define IRQ SERIAL_COM1_IRQ

struct rig {
	struct fake_host fh;
	struct bus io;
	struct serial *s;
	struct console *con; /* the UART's output, on out[1] */
	int out[2]; /* pipe: [0] is what the host console would read */
};

/* A UART whose output (a console of capacity bytes) goes into a pipe;
 * capacity 0: no output at all. */
static void rig_init_cap(struct rig *r, size_t capacity)
{
	fake_host_init(&r->fh, NULL, 0, 0);
	bus_init(&r->io);
	r->out[0] = r->out[1] = -1;
	r->con = NULL;
	if (capacity) {
		ck_assert_int_eq(pipe2(r->out, O_NONBLOCK | O_CLOEXEC), 0);
		r->con = test_console(r->out[1], capacity, 0, false);
		ck_assert_ptr_nonnull(r->con);
	}
	r->s = serial_new(&r->fh.h, IRQ, r->con);
	ck_assert_ptr_nonnull(r->s);
	ck_assert_int_eq(serial_attach(r->s, &r->io, B), 0);
}

static void rig_init(struct rig *r, bool with_pipe)
{
	rig_init_cap(r, with_pipe ? 65536 : 0);
}

static void rig_free(struct rig *r)
{
	serial_free(r->s); /* no room callback reaches it after this */
	console_free(r->con);
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
	ck_assert_uint_eq(rd(&r, UART_LSR), 0x60);
	ck_assert_uint_eq(rd(&r, UART_IIR_FCR), 0x01);
	ck_assert_uint_eq(rd(&r, UART_IER), 0x00);
	ck_assert_uint_eq(rd(&r, UART_MSR) & 0xf0, 0xb0); /* CTS|DSR|DCD */
	ck_assert_uint_eq(r.fh.irq_level[IRQ], 0);
	rig_free(&r);
}
END_TEST

START_TEST(test_tx)
{
	struct rig r;
	char buf[16];

	rig_init(&r, true);
	wr(&r, UART_LCR, 0x03);
	for (const char *p = "hi!\n"; *p; p++)
		wr(&r, UART_RBR_THR, (uint8_t)*p);
	ck_assert_uint_eq(rd(&r, UART_LSR), 0x60); /* the buffer has room */
	ck_assert_uint_eq(read_wait(r.out[0], buf, sizeof(buf), 2000), 4);
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

START_TEST(test_tx_discard)
{
	struct rig r;

	rig_init(&r, false);
	wr(&r, UART_RBR_THR, 'a');
	ck_assert_uint_eq(serial_tx_bytes(r.s), 1);
	rig_free(&r);
}
END_TEST

/* ------------------------------------------- back-pressure (LSR) */

#define SMALL_BUF 4096 /* the console's buffer in these tests */

/* The rig with a small buffer, and a pipe of one page that nobody reads
 * yet: the output stalls after SMALL_BUF + 4096 bytes. */
static void rig_init_small(struct rig *r)
{
	rig_init_cap(r, SMALL_BUF);
	ck_assert_int_eq(fcntl(r->out[0], F_SETPIPE_SZ, 4096), 4096);
	wr(r, UART_LCR, 0x03);
	wr(r, UART_IIR_FCR, 0x07); /* FIFOs on: THRE means room for 16 */
}

/* A guest's byte for position i. */
static uint8_t pattern(size_t i)
{
	return (uint8_t)('a' + (i * 7 + i / 251) % 26);
}

/*
 * What Linux's 8250 driver does: wait for THRE, then load a FIFO's worth
 * (16 bytes).  Gives up after max_polls LSR reads without THRE (a stalled
 * output; not a timing assertion: the caller checks the bytes).  Returns
 * the bytes written.
 */
static size_t guest_send_polling(struct rig *r, size_t from, size_t n,
				 long max_polls)
{
	size_t i = from;

	while (i < from + n) {
		long polls = 0;

		while (!(rd(r, UART_LSR) & 0x20)) {
			if (++polls > max_polls)
				return i - from;
			if (polls % 64 == 0)
				usleep(100);
		}
		/* TEMT with it */
		ck_assert_uint_eq(rd(r, UART_LSR) & 0x60, 0x60);
		for (int k = 0; k < 16 && i < from + n; k++, i++)
			wr(r, UART_RBR_THR, pattern(i));
	}
	return n;
}

/* The IRQ line as the UART last drove it (set under the bus lock, from
 * the console's thread too). */
static int irq_level(struct rig *r)
{
	int v;

	pthread_mutex_lock(&r->io.lock);
	v = r->fh.irq_level[IRQ];
	pthread_mutex_unlock(&r->io.lock);
	return v;
}

/* A full output makes the transmitter busy: no THRE, no THRE interrupt,
 * nothing lost; once the host reads, THRE and its interrupt come back. */
START_TEST(test_tx_backpressure)
{
	struct rig r;
	struct console_stats st;
	static char got[65536];
	size_t sent, n;

	rig_init_small(&r);
	wr(&r, UART_MCR, 0x0b);
	/* Send until the transmitter stays busy. */
	sent = guest_send_polling(&r, 0, sizeof(got), 2000);
	ck_assert_uint_lt(sent, sizeof(got));
	ck_assert_uint_ge(sent, SMALL_BUF / 2);
	ck_assert_uint_eq(rd(&r, UART_LSR) & 0x60, 0);
	/* THRI enabled while busy: no interrupt yet. */
	wr(&r, UART_IER, 0x02);
	ck_assert_uint_eq(rd(&r, UART_IIR_FCR), 0xc1);
	ck_assert_int_eq(irq_level(&r), 0);
	/* The host reads: room again, THRE again, its interrupt raised by
	 * the console's thread. */
	n = read_wait(r.out[0], got, sizeof(got), 300);
	for (int i = 0; i < 100000 && !irq_level(&r); i++)
		usleep(100);
	ck_assert_int_eq(irq_level(&r), 1);
	ck_assert_uint_eq(rd(&r, UART_LSR) & 0x60, 0x60);
	ck_assert_uint_eq(rd(&r, UART_IIR_FCR), 0xc2);
	ck_assert_int_eq(irq_level(&r), 0); /* acknowledged */
	/* The rest arrives in order; nothing was lost. */
	n += read_wait(r.out[0], got + n, sizeof(got) - n, 300);
	ck_assert_uint_eq(n, sent);
	for (size_t i = 0; i < n; i++)
		ck_assert_uint_eq((uint8_t)got[i], pattern(i));
	console_close(r.con, &st);
	ck_assert_uint_eq(st.lost, 0);
	ck_assert_uint_eq(st.written, sent);
	ck_assert_uint_eq(st.guest, sent);
	rig_free(&r);
}
END_TEST

struct slow_reader {
	int fd;
	char *buf;
	size_t want, got;
};

/* A host that reads 100 bytes at a time, with pauses. */
static void *slow_read(void *arg)
{
	struct slow_reader *s = arg;

	while (s->got < s->want) {
		size_t n = s->want - s->got < 100 ? s->want - s->got : 100;
		size_t r = read_wait(s->fd, s->buf + s->got, n, 5000);

		if (!r)
			break;
		s->got += r;
		usleep(200);
	}
	return NULL;
}

/* A polling guest loses nothing to a slow host, however much it writes. */
START_TEST(test_tx_polling_guest_slow_drain)
{
	enum { N = 48 * 1024 };
	static char got[N];
	struct slow_reader sr = {.buf = got, .want = N};
	struct console_stats st;
	struct rig r;
	pthread_t t;

	rig_init_small(&r);
	sr.fd = r.out[0];
	ck_assert_int_eq(pthread_create(&t, NULL, slow_read, &sr), 0);
	/* The guest waits as long as it takes (the reader never stops). */
	ck_assert_uint_eq(guest_send_polling(&r, 0, N, 100000000L), N);
	pthread_join(t, NULL);
	ck_assert_uint_eq(sr.got, N);
	for (size_t i = 0; i < N; i++)
		ck_assert_uint_eq((uint8_t)got[i], pattern(i));
	console_close(r.con, &st);
	ck_assert_uint_eq(st.lost, 0);
	ck_assert_uint_eq(st.written, N);
	rig_free(&r);
}
END_TEST

/* A guest that ignores LSR loses what finds the buffer full, counted; the
 * stop still completes, saying what was not written. */
START_TEST(test_tx_ignoring_guest_loses)
{
	enum { N = 64 * 1024 };
	struct console_stats st;
	struct rig r;
	size_t n = 0;
	int rounds = 0;

	rig_init_small(&r);
	/* Write until LSR says busy.  The drain thread may run between the
	 * last write and the LSR read and move bytes into the pipe (it may
	 * not have run at all during a loop on a loaded machine); the pipe
	 * holds at most 4096 bytes, and room needs 16, so that can happen at
	 * most 256 times: the loop's bound is a count, not a time. */
	do {
		size_t more = n ? SMALL_BUF : N;

		for (size_t i = 0; i < more; i++, n++)
			wr(&r, UART_RBR_THR, pattern(n));
	} while ((rd(&r, UART_LSR) & 0x60) && ++rounds < 300);
	ck_assert_int_lt(rounds, 300);
	ck_assert_uint_eq(serial_tx_bytes(r.s), n);
	console_close(r.con, &st); /* nobody reads: gives up */
	ck_assert_uint_eq(st.guest, n);
	ck_assert_uint_gt(st.lost, 0);
	/* A busy LSR meant a full buffer: its bytes were written at the stop
	 * (how many fit in the pipe depends on what the drain thread had
	 * already put there) or counted as not written. */
	ck_assert_uint_ge(st.written + st.unwritten, SMALL_BUF - 16);
	ck_assert_uint_le(st.written, 4096);
	ck_assert_uint_eq(st.written + st.unwritten + st.lost, n);
	rig_free(&r);
}
END_TEST

START_TEST(test_ier_and_scratch)
{
	struct rig r;

	rig_init(&r, false);
	wr(&r, UART_IER, 0xff);
	ck_assert_uint_eq(rd(&r, UART_IER), 0x0f);
	wr(&r, UART_IER, 0x00);
	ck_assert_uint_eq(rd(&r, UART_IER), 0x00);
	wr(&r, UART_SCR, 0xa5);
	ck_assert_uint_eq(rd(&r, UART_SCR), 0xa5);
	wr(&r, UART_SCR, 0x5a);
	ck_assert_uint_eq(rd(&r, UART_SCR), 0x5a);
	rig_free(&r);
}
END_TEST

START_TEST(test_thre_interrupt)
{
	struct rig r;

	rig_init(&r, false);
	wr(&r, UART_MCR, 0x0b); /* DTR|RTS|OUT2, as Linux does */
	ck_assert_uint_eq(r.fh.irq_level[IRQ], 0);
	wr(&r, UART_IER, 0x02);
	ck_assert_uint_eq(r.fh.irq_level[IRQ], 1);
	ck_assert_uint_eq(rd(&r, UART_IIR_FCR), 0x02);
	/* Reading IIR acknowledged it. */
	ck_assert_uint_eq(r.fh.irq_level[IRQ], 0);
	ck_assert_uint_eq(rd(&r, UART_IIR_FCR), 0x01);
	/* A transmitted byte makes THR empty again: THRE once more. */
	wr(&r, UART_RBR_THR, 'x');
	ck_assert_uint_eq(r.fh.irq_level[IRQ], 1);
	/* Disabling THRI drops the line. */
	wr(&r, UART_IER, 0x00);
	ck_assert_uint_eq(r.fh.irq_level[IRQ], 0);
	/* Linux's THRE re-assert test: IER 0 -> THRI gives THRE again. */
	wr(&r, UART_IER, 0x02);
	ck_assert_uint_eq(rd(&r, UART_IIR_FCR) & 0x0f, 0x02);
	wr(&r, UART_IER, 0x00);
	wr(&r, UART_IER, 0x02);
	ck_assert_uint_eq(rd(&r, UART_IIR_FCR) & 0x0f, 0x02);
	rig_free(&r);
}
END_TEST

START_TEST(test_out2_gates_irq)
{
	struct rig r;

	rig_init(&r, false);
	wr(&r, UART_IER, 0x02);
	ck_assert_uint_eq(rd(&r, UART_IIR_FCR), 0x02); /* pending ... */
	wr(&r, UART_RBR_THR, 'x');
	ck_assert_uint_eq(r.fh.irq_level[IRQ], 0); /* ... but gated */
	wr(&r, UART_MCR, 0x08);
	ck_assert_uint_eq(r.fh.irq_level[IRQ], 1);
	wr(&r, UART_MCR, 0x00);
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
	wr(&r, UART_MCR, 0x1a);
	ck_assert_uint_eq(rd(&r, UART_MSR) & 0xf0, 0x90);
	wr(&r, UART_MCR, 0x1f);
	ck_assert_uint_eq(rd(&r, UART_MSR) & 0xf0, 0xf0);
	wr(&r, UART_MCR, 0x10);
	ck_assert_uint_eq(rd(&r, UART_MSR) & 0xf0, 0x00);
	/* Deltas: everything just dropped, RI trailing edge included. */
	wr(&r, UART_MCR, 0x1f);
	(void)rd(&r, UART_MSR);
	wr(&r, UART_MCR, 0x10);
	ck_assert_uint_eq(rd(&r, UART_MSR), 0x0f);
	ck_assert_uint_eq(rd(&r, UART_MSR), 0x00); /* read clears deltas */

	/* TX feeds RX, not the output (checked at the end). */
	wr(&r, UART_RBR_THR, 'L');
	ck_assert_uint_eq(rd(&r, UART_LSR), 0x61);
	ck_assert_uint_eq(rd(&r, UART_RBR_THR), 'L');
	ck_assert_uint_eq(rd(&r, UART_LSR), 0x60);
	/* The line is disconnected in loopback. */
	ck_assert_uint_eq(serial_receive(r.s, (const uint8_t *)"z", 1), 0);

	/* Overrun with FIFOs off: the second byte is lost, OE set. */
	wr(&r, UART_IER, 0x04);
	wr(&r, UART_RBR_THR, '1');
	wr(&r, UART_RBR_THR, '2');
	ck_assert_uint_eq(rd(&r, UART_IIR_FCR), 0x06);
	ck_assert_uint_eq(rd(&r, UART_LSR), 0x63);
	ck_assert_uint_eq(rd(&r, UART_LSR), 0x61); /* OE cleared by the read */
	ck_assert_uint_eq(rd(&r, UART_RBR_THR), '1');

	wr(&r, UART_MCR, 0x0b);
	ck_assert_uint_eq(rd(&r, UART_MSR) & 0xf0, 0xb0);
	/* Out of loopback the line gets bytes again: the first one out is
	 * this one, so nothing written in loopback went there. */
	wr(&r, UART_RBR_THR, 'N');
	ck_assert_uint_eq(read_wait(r.out[0], &c, 1, 2000), 1);
	ck_assert_uint_eq(c, 'N');
	rig_free(&r);
}
END_TEST

START_TEST(test_divisor_latch)
{
	struct rig r;

	rig_init(&r, false);
	wr(&r, UART_IER, 0x05);
	wr(&r, UART_LCR, 0x83);
	wr(&r, 0, 0x01); /* DLL: 115200 baud */
	wr(&r, 1, 0x00); /* DLM */
	ck_assert_uint_eq(rd(&r, 0), 0x01);
	ck_assert_uint_eq(rd(&r, 1), 0x00);
	wr(&r, 1, 0x12);
	ck_assert_uint_eq(rd(&r, 1), 0x12);
	ck_assert_uint_eq(serial_tx_bytes(r.s), 0); /* DLL is not THR */
	wr(&r, UART_LCR, 0x03);
	ck_assert_uint_eq(rd(&r, UART_LCR), 0x03);
	ck_assert_uint_eq(rd(&r, UART_IER), 0x05); /* IER was kept */
	wr(&r, UART_LCR, 0x83);
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
	wr(&r, UART_IIR_FCR, 0x07); /* enable + clear, trigger 1 */
	ck_assert_uint_eq(rd(&r, UART_IIR_FCR), 0xc1);
	wr(&r, UART_MCR, 0x08);
	wr(&r, UART_IER, 0x01);
	ck_assert_uint_eq(r.fh.irq_level[IRQ], 0);
	ck_assert_uint_eq(serial_receive(r.s, in, 20), 16);
	ck_assert_uint_eq(r.fh.irq_level[IRQ], 1);
	ck_assert_uint_eq(rd(&r, UART_LSR), 0x61);
	ck_assert_uint_eq(rd(&r, UART_IIR_FCR), 0xc4);
	for (int i = 0; i < 16; i++)
		ck_assert_uint_eq(rd(&r, UART_RBR_THR), 'a' + i);
	ck_assert_uint_eq(rd(&r, UART_LSR), 0x60);
	ck_assert_uint_eq(r.fh.irq_level[IRQ], 0);
	ck_assert_uint_eq(rd(&r, UART_IIR_FCR), 0xc1);

	/* Trigger level 8: below it the id is "timeout", at it "data". */
	wr(&r, UART_IIR_FCR, 0x81);
	ck_assert_uint_eq(serial_receive(r.s, in, 3), 3);
	ck_assert_uint_eq(rd(&r, UART_IIR_FCR), 0xcc);
	ck_assert_uint_eq(serial_receive(r.s, in, 5), 5);
	ck_assert_uint_eq(rd(&r, UART_IIR_FCR), 0xc4);
	/* FCR clear-RX empties it. */
	wr(&r, UART_IIR_FCR, 0x83);
	ck_assert_uint_eq(rd(&r, UART_LSR), 0x60);
	ck_assert_uint_eq(r.fh.irq_level[IRQ], 0);

	/* FIFOs off: a one-byte holding register. */
	wr(&r, UART_IIR_FCR, 0x00);
	ck_assert_uint_eq(rd(&r, UART_IIR_FCR), 0x01);
	ck_assert_uint_eq(serial_receive(r.s, in, 20), 1);
	ck_assert_uint_eq(rd(&r, UART_IIR_FCR), 0x04);
	ck_assert_uint_eq(rd(&r, UART_RBR_THR), 'a');
	ck_assert_uint_eq(rd(&r, UART_RBR_THR), 0); /* empty */
	rig_free(&r);
}
END_TEST

START_TEST(test_priority)
{
	struct rig r;

	rig_init(&r, false);
	wr(&r, UART_IIR_FCR, 0x01);
	wr(&r, UART_IER, 0x0f);
	wr(&r, UART_MCR, 0x18); /* loopback + OUT2: deltas for DCD */
	/* THRE (enabling THRI) outranks modem status. */
	ck_assert_uint_eq(rd(&r, UART_IIR_FCR), 0xc2);
	ck_assert_uint_eq(rd(&r, UART_IIR_FCR), 0xc0); /* then MSR */
	(void)rd(&r, UART_MSR);
	ck_assert_uint_eq(rd(&r, UART_IIR_FCR), 0xc1);
	/* Fill RX and overrun it: RLS > RDA > THRE. */
	for (int i = 0; i < 17; i++)
		wr(&r, UART_RBR_THR, (uint8_t)i);
	ck_assert_uint_eq(rd(&r, UART_IIR_FCR), 0xc6);
	(void)rd(&r, UART_LSR);
	ck_assert_uint_eq(rd(&r, UART_IIR_FCR), 0xc4);
	for (int i = 0; i < 16; i++)
		ck_assert_uint_eq(rd(&r, UART_RBR_THR), i);
	ck_assert_uint_eq(rd(&r, UART_IIR_FCR), 0xc2);
	ck_assert_uint_eq(rd(&r, UART_IIR_FCR), 0xc1);
	rig_free(&r);
}
END_TEST

/* Wide accesses touch successive registers. */
START_TEST(test_wide_access)
{
	struct rig r;

	rig_init(&r, false);
	/* MSR (ignored), SCR = 0x33 */
	io_out(&r.io, B + UART_SCR - 1, 2, 0x3300);
	ck_assert_uint_eq(rd(&r, UART_SCR), 0x33);
	ck_assert_uint_eq(io_in(&r.io, B + UART_LSR, 2) & 0xff, 0x60);
	rig_free(&r);
}
END_TEST

/* Read until n bytes have come out of RBR, as a polling guest would. */
static size_t guest_drain(struct rig *r, char *buf, size_t n, int ms)
{
	size_t got = 0;

	for (int t = 0; t < ms && got < n; t++) {
		while (got < n && (rd(r, UART_LSR) & 1))
			buf[got++] = (char)rd(r, UART_RBR_THR);
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
	wr(&r, UART_IIR_FCR, 0x01);
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
	wr(&r, UART_MCR, 0x10);
	ck_assert_int_eq(serial_input_start(r.s, &r.io, in[0]), 0);
	ck_assert_int_eq(write(in[1], "ab", 2), 2);
	usleep(20000);
	ck_assert_uint_eq(rd(&r, UART_LSR) & 1, 0);
	wr(&r, UART_MCR, 0x00);
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
	ck_assert_uint_eq(rd(&r, UART_LSR) & 1, 1);
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
	tcase_add_test(tc, test_tx_backpressure);
	tcase_add_test(tc, test_tx_polling_guest_slow_drain);
	tcase_add_test(tc, test_tx_ignoring_guest_loses);
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
