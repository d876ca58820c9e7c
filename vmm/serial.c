// SPDX-License-Identifier: MIT
/*
 * 16550A UART.
 *
 * A byte written to THR goes to the output's buffer (vmm/console.c), which a
 * thread of its own drains to the host: the vCPU never waits for the host.
 * The buffer stands in for the transmitter: while it lacks room for a
 * transmit FIFO's worth (16 bytes, 1 with FIFOs off), LSR says THR and the
 * transmitter are busy (THRE and TEMT clear) and no THRE interrupt is
 * raised, so a driver that polls LSR or waits for THRE (Linux's 8250
 * driver and console, OVMF's SerialPortLib) waits and loses nothing; once
 * the drain has made room, THRE comes back, with its interrupt.  A guest
 * that writes regardless loses what finds the buffer full, as on hardware
 * (the console counts it; Linux's serial console does that after waiting
 * 10 ms per character: wait_for_xmitr() in the kernel's
 * drivers/tty/serial/8250/8250_port.c, whose uart_config[PORT_16550A]
 * loads tx_loadsz = 16 bytes per THRE).  The RX side has a real 16-byte
 * FIFO because the guest drains it at its own pace and the input thread
 * must wait for it.
 *
 * Interrupt state is recomputed from the registers after every access and
 * the IRQ line is driven as a level; the machine turns level changes into
 * KVM_IRQ_LINE calls, which the in-kernel PIC/IOAPIC edge-detect.
 */
#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "vmm/dev.h"
#include "vmm/uart.h"

#define UART_RX_FIFO 16
#define UART_TX_FIFO 16

struct serial {
	struct dev_host host;
	unsigned irq;
	struct console *out;

	uint8_t ier, lcr, mcr, scr, dll, dlm;
	uint8_t fcr;	  /* last FCR value while FIFOs enabled */
	uint8_t lsr_err;  /* sticky LSR error bits (OE) until LSR is read */
	uint8_t msr;	  /* line bits 7:4 and delta bits 3:0 */
	bool thr_pending; /* THRE interrupt armed, cleared by IIR read */
	int irq_level;

	uint8_t rx[UART_RX_FIFO];
	unsigned rx_head, rx_count;

	uint64_t tx_bytes; /* accessed atomically: readers need no lock */

	/* The bus whose lock guards the registers (for the output's room
	 * callback and the input thread). */
	struct bus *io;
	/* Input thread; its state is guarded by the bus lock. */
	pthread_t thread;
	bool thread_started;
	bool stopping;
	unsigned rx_waiters;
	pthread_cond_t rx_space;
	int wake_fd;
	int in_fd;
};

static bool fifo_on(const struct serial *s)
{
	return s->fcr & FCR_ENABLE;
}

/* A 16450 (FIFOs off) has a one-byte receive holding register. */
static unsigned rx_capacity(const struct serial *s)
{
	return fifo_on(s) ? UART_RX_FIFO : 1;
}

static unsigned rx_trigger(const struct serial *s)
{
	static const unsigned level[4] = {1, 4, 8, 14};

	return fifo_on(s) ? level[s->fcr >> 6] : 1;
}

/* Bytes a driver may write after seeing THRE: the transmit FIFO, or the
 * holding register of a 16450. */
static unsigned tx_room_needed(const struct serial *s)
{
	return fifo_on(s) ? UART_TX_FIFO : 1;
}

/* THR (and the transmitter) empty: the output can take a FIFO's worth.
 * In loopback the bytes never reach the output. */
static bool thr_empty(const struct serial *s)
{
	return !s->out || (s->mcr & MCR_LOOP) ||
	       console_space(s->out) >= tx_room_needed(s);
}

static uint8_t lsr(const struct serial *s)
{
	return (thr_empty(s) ? LSR_THRE | LSR_TEMT : 0) | s->lsr_err |
	       (s->rx_count ? LSR_DR : 0);
}

/* The modem input lines as the UART sees them. */
static uint8_t modem_lines(const struct serial *s)
{
	uint8_t m = s->mcr, v = 0;

	if (!(m & MCR_LOOP))
		/* A host console is always "connected and ready". */
		return MSR_CTS | MSR_DSR | MSR_DCD;
	if (m & MCR_RTS)
		v |= MSR_CTS;
	if (m & MCR_DTR)
		v |= MSR_DSR;
	if (m & MCR_OUT1)
		v |= MSR_RI;
	if (m & MCR_OUT2)
		v |= MSR_DCD;
	return v;
}

/* Highest-priority pending interrupt as an IIR id (without FIFO bits). */
static uint8_t iir_id(const struct serial *s)
{
	if ((s->ier & IER_RLSI) && (s->lsr_err & LSR_OE))
		return IIR_RLSI;
	if ((s->ier & IER_RDI) && s->rx_count)
		/* No character timer: data below the trigger level is
		 * reported as a timeout at once, which drivers treat the
		 * same way as "data available". */
		return s->rx_count >= rx_trigger(s) ? IIR_RDI : IIR_TIMEOUT;
	if ((s->ier & IER_THRI) && s->thr_pending && thr_empty(s))
		return IIR_THRI;
	if ((s->ier & IER_MSI) && (s->msr & MSR_DELTAS))
		return IIR_MSI;
	return IIR_NO_INT;
}

static void update_irq(struct serial *s)
{
	/*
	 * On a PC the UART's OUT2 output gates the IRQ driver; in loopback
	 * the modem outputs are forced inactive, so the line is gated off.
	 */
	bool gate = (s->mcr & (MCR_OUT2 | MCR_LOOP)) == MCR_OUT2;
	int level = gate && iir_id(s) != IIR_NO_INT;

	if (level != s->irq_level) {
		s->irq_level = level;
		if (s->host.irq_set)
			s->host.irq_set(s->host.ctx, s->irq, level);
	}
}

static void set_mcr(struct serial *s, uint8_t v)
{
	uint8_t old = modem_lines(s), now;

	s->mcr = v & 0x1f;
	now = modem_lines(s);
	if ((old ^ now) & MSR_CTS)
		s->msr |= MSR_DCTS;
	if ((old ^ now) & MSR_DSR)
		s->msr |= MSR_DDSR;
	if ((old & MSR_RI) && !(now & MSR_RI))
		s->msr |= MSR_TERI;
	if ((old ^ now) & MSR_DCD)
		s->msr |= MSR_DDCD;
	s->msr = (s->msr & MSR_DELTAS) | now;
}

static void rx_clear(struct serial *s)
{
	s->rx_head = 0;
	s->rx_count = 0;
}

static bool rx_push(struct serial *s, uint8_t c)
{
	if (s->rx_count >= rx_capacity(s))
		return false;
	s->rx[(s->rx_head + s->rx_count) % UART_RX_FIFO] = c;
	s->rx_count++;
	return true;
}

static uint8_t rx_pop(struct serial *s)
{
	uint8_t c;

	if (!s->rx_count)
		return 0;
	c = s->rx[s->rx_head];
	s->rx_head = (s->rx_head + 1) % UART_RX_FIFO;
	s->rx_count--;
	return c;
}

static void tx_room(void *arg);

/* THR became (or will become) empty: the THRE interrupt is armed now if it
 * is, else when the output has made room. */
static void thr_arm(struct serial *s)
{
	s->thr_pending =
		!s->out || (s->mcr & MCR_LOOP) ||
		console_notify_space(s->out, tx_room_needed(s), tx_room, s);
}

/* The output made room (its drain thread, no lock held). */
static void tx_room(void *arg)
{
	struct serial *s = arg;

	pthread_mutex_lock(&s->io->lock);
	thr_arm(s);
	update_irq(s);
	pthread_mutex_unlock(&s->io->lock);
}

static void tx_byte(struct serial *s, uint8_t c)
{
	__atomic_add_fetch(&s->tx_bytes, 1, __ATOMIC_RELAXED);
	if (s->mcr & MCR_LOOP) {
		/* Loopback: the transmitter feeds the receiver. */
		if (!rx_push(s, c))
			s->lsr_err |= LSR_OE;
	} else if (s->out) {
		console_write(s->out, &c, 1);
	}
	/* Writing THR clears a THRE interrupt; it comes back when THR is
	 * empty again. */
	thr_arm(s);
}

static uint8_t reg_read(struct serial *s, unsigned reg)
{
	uint8_t v;

	switch (reg) {
	case UART_RBR_THR:
		if (s->lcr & LCR_DLAB)
			return s->dll;
		return rx_pop(s);
	case UART_IER:
		if (s->lcr & LCR_DLAB)
			return s->dlm;
		return s->ier;
	case UART_IIR_FCR:
		v = iir_id(s);
		/* Reading IIR acknowledges a THRE interrupt. */
		if (v == IIR_THRI)
			s->thr_pending = false;
		return v | (fifo_on(s) ? IIR_FIFO_ON : 0);
	case UART_LCR:
		return s->lcr;
	case UART_MCR:
		return s->mcr;
	case UART_LSR:
		v = lsr(s);
		s->lsr_err = 0;
		return v;
	case UART_MSR:
		v = s->msr;
		s->msr &= ~MSR_DELTAS;
		return v;
	default:
		return s->scr;
	}
}

static void reg_write(struct serial *s, unsigned reg, uint8_t v)
{
	switch (reg) {
	case UART_RBR_THR:
		if (s->lcr & LCR_DLAB)
			s->dll = v;
		else
			tx_byte(s, v);
		break;
	case UART_IER:
		if (s->lcr & LCR_DLAB) {
			s->dlm = v;
		} else {
			uint8_t old = s->ier;

			s->ier = v & 0x0f;
			/* Enabling THRI while THR is empty raises THRE
			 * again; Linux's THRE probe relies on this. */
			if ((old ^ s->ier) & s->ier & IER_THRI)
				thr_arm(s);
			else if ((old ^ s->ier) & IER_THRI)
				s->thr_pending = false;
		}
		break;
	case UART_IIR_FCR:
		/* Toggling FIFO enable resets both FIFOs. */
		if ((v ^ s->fcr) & FCR_ENABLE)
			rx_clear(s);
		if (!(v & FCR_ENABLE)) {
			/* The other FCR bits only take while enabling. */
			s->fcr = 0;
			break;
		}
		if (v & FCR_CLEAR_RX)
			rx_clear(s);
		/* Bits 1-2 self-clear; DMA mode (bit 3) has no effect. */
		s->fcr = v & 0xc9;
		break;
	case UART_LCR:
		s->lcr = v;
		break;
	case UART_MCR:
		set_mcr(s, v);
		break;
	case UART_LSR:
		/* Factory test register on real parts: ignore. */
		break;
	case UART_MSR:
		break;
	default:
		s->scr = v;
		break;
	}
}

/* Wake the input thread if the guest made room (or left loopback). */
static void notify_space(struct serial *s)
{
	if (s->rx_waiters && !(s->mcr & MCR_LOOP) &&
	    s->rx_count < rx_capacity(s))
		pthread_cond_broadcast(&s->rx_space);
}

/* The UART is byte-wide: a wider access touches successive registers. */
static void serial_read(void *dev, uint64_t off, uint8_t *data, unsigned len)
{
	struct serial *s = dev;

	for (unsigned i = 0; i < len; i++)
		data[i] = reg_read(s, (unsigned)(off + i) & 7);
	update_irq(s);
	notify_space(s);
}

static void serial_write(void *dev, uint64_t off, const uint8_t *data,
			 unsigned len)
{
	struct serial *s = dev;

	for (unsigned i = 0; i < len; i++)
		reg_write(s, (unsigned)(off + i) & 7, data[i]);
	update_irq(s);
	notify_space(s);
}

struct serial *serial_new(const struct dev_host *h, unsigned irq,
			  struct console *out)
{
	struct serial *s = calloc(1, sizeof(*s));

	if (!s)
		return NULL;
	if (h)
		s->host = *h;
	s->irq = irq;
	s->out = out;
	s->dll = 0x0c; /* 9600 baud, as a BIOS would leave it */
	s->msr = modem_lines(s);
	s->wake_fd = -1;
	s->in_fd = -1;
	pthread_cond_init(&s->rx_space, NULL);
	return s;
}

int serial_attach(struct serial *s, struct bus *io, uint16_t base)
{
	int id = bus_add(io, base, 8, serial_read, serial_write, s, "serial");

	if (id < 0)
		return id;
	s->io = io;
	return 0;
}

size_t serial_receive(struct serial *s, const uint8_t *buf, size_t len)
{
	size_t n = 0;

	/* In loopback the receiver is disconnected from the line. */
	if (!(s->mcr & MCR_LOOP))
		while (n < len && rx_push(s, buf[n]))
			n++;
	update_irq(s);
	return n;
}

static void *input_thread(void *arg)
{
	struct serial *s = arg;
	uint8_t buf[64];
	bool stop;

	for (;;) {
		struct pollfd p[2] = {
			{.fd = s->in_fd, .events = POLLIN},
			{.fd = s->wake_fd, .events = POLLIN},
		};
		ssize_t n;

		if (poll(p, 2, -1) < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		if (p[1].revents)
			break;
		n = read(s->in_fd, buf, sizeof(buf));
		if (n < 0 && (errno == EINTR || errno == EAGAIN))
			continue;
		if (n <= 0)
			break; /* EOF or a dead fd: no more input */

		pthread_mutex_lock(&s->io->lock);
		for (size_t done = 0; !s->stopping;) {
			done += serial_receive(s, buf + done, (size_t)n - done);
			if (done == (size_t)n)
				break;
			/* Typed input is never dropped: wait for the guest
			 * to read the FIFO (or for serial_free). */
			s->rx_waiters++;
			pthread_cond_wait(&s->rx_space, &s->io->lock);
			s->rx_waiters--;
		}
		stop = s->stopping;
		pthread_mutex_unlock(&s->io->lock);
		if (stop)
			break;
	}
	return NULL;
}

int serial_input_start(struct serial *s, struct bus *io, int in_fd)
{
	int err;

	if (s->thread_started)
		return -EBUSY;
	if (in_fd < 0)
		return -EBADF;
	s->wake_fd = eventfd(0, EFD_CLOEXEC);
	if (s->wake_fd < 0)
		return -errno;
	s->io = io;
	s->in_fd = in_fd;
	s->stopping = false;
	err = pthread_create(&s->thread, NULL, input_thread, s);
	if (err) {
		close(s->wake_fd);
		s->wake_fd = -1;
		return -err;
	}
	s->thread_started = true;
	return 0;
}

void serial_free(struct serial *s)
{
	if (!s)
		return;
	/* The output's thread may call tx_room() until this returns. */
	console_forget(s->out, s);
	if (s->thread_started) {
		uint64_t one = 1;

		pthread_mutex_lock(&s->io->lock);
		s->stopping = true;
		pthread_cond_broadcast(&s->rx_space);
		pthread_mutex_unlock(&s->io->lock);
		/* Wakes the thread out of poll(); an eventfd write of 1
		 * cannot block or fail short of a counter overflow. */
		while (write(s->wake_fd, &one, sizeof(one)) < 0 &&
		       errno == EINTR)
			;
		pthread_join(s->thread, NULL);
		close(s->wake_fd);
	}
	pthread_cond_destroy(&s->rx_space);
	free(s);
}

uint64_t serial_tx_bytes(const struct serial *s)
{
	return __atomic_load_n(&s->tx_bytes, __ATOMIC_RELAXED);
}
