// SPDX-License-Identifier: MIT
/*
 * libFuzzer harness for fw_cfg's mapped items and the serial input path.
 *
 * fw_cfg is set up as vmm/machine.c does it for a firmware boot with a
 * kernel: the kernel split into setup and the rest (fwcfg_kernel_split),
 * both served from a private file mapping (fwcfg_add_mapped, whose pages
 * are dropped as the guest reads them), an initrd the same way, the
 * command line, sizes and etc/e820.  The file is a memfd holding the
 * input's image part.  The serial port's input thread reads a pipe the
 * harness writes typed bytes into, while the guest reads (and
 * reprograms) the UART.
 *
 * The input: 2 bytes saying how many 7-byte records follow, the records,
 * then the image.  A record is a guest action (select an item, read the
 * data port at some width, a DMA descriptor in fake RAM, poke RAM, type
 * bytes, read or program the UART).  Nothing may crash, hang or read
 * outside the mapping and the fake RAM.  Checked too: a DMA descriptor's
 * status is written back as 0 or 1; a selecting DMA read wholly in RAM
 * succeeds and copies the item's bytes (compared with the input itself,
 * so through the file and the mapping whose pages earlier reads dropped),
 * then zeros; after the records the DMA signature, the signature item and
 * the first bytes of every mapped item read back through the ports; the
 * UART is back at its power-on registers after every input.
 *
 * Made once per process (the input decides none of it): the console, the
 * UART with its input thread and its bus, the pipe, and a file and mapping
 * per image size in pages.  Per input: the image is written into its
 * size's file so that it ends at the file's end (the mapping has a page
 * past it, so reading beyond the image's last page faults, as beyond a
 * mapping of the image; the first page's head is zeroed), fw_cfg is built
 * on a bus of its own (the UART is elsewhere on a real bus, so every
 * access reaches the handler it reached on one bus), the records run.
 * Typed bytes are written to the pipe when the guest next touches the
 * UART (typed_flush()).  Nothing carries over to the next input: an input
 * that typed waits until the thread has delivered everything
 * (typed_drain()), and an input that touched the UART puts its registers
 * back to serial_new()'s values through the ports, read back and checked
 * (uart_reset()); the next input checks that nothing more arrived.
 *
 * Speed: before, a thread per typing input (under ASan its start and exit
 * map and unmap its state: a TLB shoot-down on both CPUs each time) and a
 * memfd, mmap and munmap per input; bytes still in the pipe or the
 * thread when the records ended were dropped with the thread.  -runs=20000
 * -seed=1 from the seeds, back to back, 3 times each, on this 2-CPU machine
 * under load 6: before 9.8 to 15.9 CPU s (user+sys), 689 to 1176 exec/s, cov
 * 397-406; after 6.0 to 11.2 CPU s, 1250 to 2500 exec/s, cov 437-446.  On a
 * fixed set of 360 inputs from a grown corpus (a driver calling the harness, 5
 * rounds): 612 to 967 us CPU per input before, 300 to 460 after; 130 to
 * 150 after if nothing is typed.  What bounds it now is the input thread
 * itself: every typed byte the guest reads while the FIFO is off (or full)
 * is one wake-up of the thread (serial.c's notify_space() broadcast under
 * the bus lock, the thread then waits for that lock): about 10 us each
 * here, 250 for an input with 250 typed bytes.  120 s from the seeds
 * (-max_len=65536, load 7.8): 144181 runs, 1191 exec/s, 49 CPU s, cov
 * 448, no crash; RSS levels off at 409 MB (ASan's quarantine filling).  Not
 * measured on a quiet machine.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <poll.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <sys/uio.h>
#include <unistd.h>

#include "loader/loader.h"
#include "tests/unit/fake_host.h"
#include "tests/fuzz/devio.h"
#include "vmm/uart.h"

#define CHECK(cond)                                                            \
	do {                                                                   \
		if (!(cond)) {                                                 \
			fprintf(stderr, "fuzz_fwcfg: check failed: %s\n",      \
				#cond);                                        \
			abort();                                               \
		}                                                              \
	} while (0)

#define RAM_BASE 0x1000
#define RAM_SIZE 0x10000
#define REC	 7
#define PAGE	 4096
#define MAX_IMG	 (256 * 1024)

#define FWCFG_DMA_PORT (FWCFG_IO_BASE + 4)
/* FWCfgDmaAccess control bits (QEMU docs/specs/fw_cfg.rst). */
#define DMA_READ   0x02
#define DMA_SELECT 0x08

/* The 16550's registers and bits are vmm/uart.h's; two values the harness
 * compares with. */
#define LSR_THRE_TEMT (LSR_THRE | LSR_TEMT)
#define FCR_ON_CLEAR  (FCR_ENABLE | FCR_CLEAR_RX | FCR_CLEAR_TX)
/* CTS, DSR and DCD up, no deltas: a host console's lines as
 * vmm/serial.c's modem_lines() reports them out of loopback. */
#define MSR_IDLE (MSR_CTS | MSR_DSR | MSR_DCD)

static const uint16_t keys[] = {
	FW_CFG_SIGNATURE,
	FW_CFG_ID,
	FW_CFG_FILE_DIR,
	FW_CFG_SETUP_SIZE,
	FW_CFG_SETUP_DATA,
	FW_CFG_KERNEL_SIZE,
	FW_CFG_KERNEL_DATA,
	FW_CFG_INITRD_SIZE,
	FW_CFG_INITRD_DATA,
	FW_CFG_CMDLINE_SIZE,
	FW_CFG_CMDLINE_DATA,
	FW_CFG_FILE_FIRST,
	FW_CFG_FILE_FIRST + 1,
	FW_CFG_NB_CPUS,
	0x4000,
	0xffff,
};
#define NKEYS (sizeof(keys) / sizeof(keys[0]))

static const char cmdline[] = "console=ttyS0 quiet";
static const uint8_t e820[40] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xa};

/* What the process keeps: nothing in it depends on an input. */
static struct {
	struct fake_host fh; /* fake RAM (fw_cfg's DMA), IRQ levels */
	struct bus sio;	     /* the UART's bus; its lock is the thread's */
	struct console *out;
	struct serial *s;
	int pipe_r, pipe_w;
	int wake;	     /* eventfd: the UART's IRQ rose while waiting */
	bool waiting;	     /* typed_drain() is waiting for the mark */
	uint8_t dir[4 + 64]; /* FW_CFG_FILE_DIR with etc/e820 alone */
} run;
static uint8_t ram[RAM_SIZE];
static const uint8_t zero_page[PAGE];

/* An item as the guest must see it, the bytes from the input itself. */
struct item {
	uint16_t key;
	uint32_t len;
	const uint8_t *data;
	bool mapped;
};

struct items {
	struct item it[16];
	unsigned n, nsizes;
	uint8_t sizes[4][4]; /* le32 values of the *_SIZE items */
};

/* The bytes typed so far in this input: how many, which values. */
struct typed {
	size_t n;	  /* bytes typed */
	size_t len;	  /* of them, not yet written to the pipe */
	uint8_t buf[257]; /* those, and room for the mark */
	uint8_t seen[32]; /* which values */
	bool touched;	  /* the UART was accessed or typed into */
};

static uint32_t get_be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	       (uint32_t)p[2] << 8 | p[3];
}

static void uart_out(unsigned reg, uint8_t v)
{
	io_outb(&run.sio, SERIAL_COM1_BASE + reg, v);
}

static uint8_t uart_in(unsigned reg)
{
	return io_inb(&run.sio, SERIAL_COM1_BASE + reg);
}

/* ------------------------------------------------------------ the image */

/* A file of k pages mapped privately as file_map() maps inputs, with one
 * more page of mapping past the file's end: touching it faults. */
struct img_file {
	int fd;
	uint8_t *map;
};
static struct img_file files[MAX_IMG / PAGE + 1];

/* The image in its size's file, ending at the file's end. */
static const uint8_t *place_image(const uint8_t *img, size_t len)
{
	size_t k = (len + PAGE - 1) / PAGE, off = k * PAGE - len;
	struct img_file *f = &files[k];
	struct iovec iov[2];

	if (!f->map) {
		f->fd = memfd_create("kernel", MFD_CLOEXEC);
		if (f->fd < 0 || ftruncate(f->fd, (off_t)(k * PAGE)))
			abort();
		f->map = mmap(NULL, (k + 1) * PAGE, PROT_READ, MAP_PRIVATE,
			      f->fd, 0);
		if (f->map == MAP_FAILED)
			abort();
	}
	/* The head of the first page is the same for every input. */
	iov[0] = (struct iovec){(void *)zero_page, off};
	iov[1] = (struct iovec){(void *)img, len};
	if (pwritev(f->fd, iov, 2, 0) != (ssize_t)(off + len))
		abort();
	return f->map + off;
}

/* ------------------------------------------------------------ fw_cfg */

static void expect(struct items *t, uint16_t key, const void *data,
		   uint32_t len)
{
	t->it[t->n++] = (struct item){key, len, data, false};
}

static int add_size(struct fwcfg *f, struct items *t, uint16_t key, uint32_t v)
{
	uint8_t *p = t->sizes[t->nsizes++]; /* four at most */

	le_put(p, 4, v);
	expect(t, key, p, 4);
	return fwcfg_add_u32(f, key, v);
}

/* Mapped item key: map + off in fw_cfg, src + off expected. */
static int add_mapped(struct fwcfg *f, struct items *t, uint16_t key,
		      const uint8_t *map, const uint8_t *src, size_t off,
		      size_t len)
{
	expect(t, key, src + off, (uint32_t)len);
	t->it[t->n - 1].mapped = true;
	return fwcfg_add_mapped(f, key, map + off, len);
}

static int add_items(struct fwcfg *f, const uint8_t *img, const uint8_t *src,
		     size_t len, struct items *t)
{
	static const uint8_t sig[4] = {'Q', 'E', 'M', 'U'}, id[4] = {3};
	static const uint8_t cpus[2] = {2};
	size_t initrd_len = len / 4, klen = len - initrd_len;
	struct fwcfg_kernel k;
	char err[200];
	int ret;

	t->n = t->nsizes = 0;
	expect(t, FW_CFG_SIGNATURE, sig, 4);
	expect(t, FW_CFG_ID, id, 4); /* traditional and DMA interfaces */
	expect(t, FW_CFG_FILE_DIR, run.dir, sizeof(run.dir));
	expect(t, FW_CFG_FILE_FIRST, e820, sizeof(e820));
	expect(t, FW_CFG_NB_CPUS, cpus, 2);
	ret = fwcfg_add_file(f, "etc/e820", e820, sizeof(e820));
	ret = ret ?: fwcfg_add_u16(f, FW_CFG_NB_CPUS, 2);
	if (!fwcfg_kernel_split(img, klen, &k, err, sizeof(err))) {
		ret = ret ?: add_size(f, t, FW_CFG_SETUP_SIZE, k.setup_len);
		ret = ret
			      ?: add_mapped(f, t, FW_CFG_SETUP_DATA, img, src,
					    0, k.setup_len);
		ret = ret ?: add_size(f, t, FW_CFG_KERNEL_SIZE, k.kernel_len);
		ret = ret
			      ?: add_mapped(f, t, FW_CFG_KERNEL_DATA, img, src,
					    k.setup_len, k.kernel_len);
	} else {
		/* Not a bzImage: still a mapped item. */
		ret = ret
			      ?: add_mapped(f, t, FW_CFG_KERNEL_DATA, img, src,
					    0, klen);
	}
	ret = ret ?: add_size(f, t, FW_CFG_INITRD_SIZE, initrd_len);
	if (initrd_len)
		ret = ret
			      ?: add_mapped(f, t, FW_CFG_INITRD_DATA, img, src,
					    klen, initrd_len);
	ret = ret ?: add_size(f, t, FW_CFG_CMDLINE_SIZE, sizeof(cmdline));
	expect(t, FW_CFG_CMDLINE_DATA, cmdline, sizeof(cmdline));
	ret = ret
		      ?: fwcfg_add(f, FW_CFG_CMDLINE_DATA, cmdline,
				   sizeof(cmdline));
	return ret;
}

static const struct item *find(const struct items *t, uint16_t key)
{
	for (unsigned i = 0; i < t->n; i++)
		if (t->it[i].key == key)
			return &t->it[i];
	return NULL;
}

/*
 * A DMA that selects and reads, its target wholly in RAM: it succeeded and
 * the target holds the item's first bytes, then zeros (QEMU
 * docs/specs/fw_cfg.rst: bytes past the item read as 0).  Not where the
 * status written back overlaps the target.
 */
static void dma_check(const struct items *t, uint32_t ctl, size_t at,
		      uint16_t key, uint32_t len, size_t to)
{
	const struct item *it = find(t, key);
	uint32_t have = it ? it->len : 0;

	if (to + len > RAM_SIZE)
		return;
	CHECK(ctl == 0);
	if (to < at + 4 && at < to + len)
		return;
	if (have > len)
		have = len;
	CHECK(!have || !memcmp(ram + to, it->data, have));
	for (uint32_t i = have, n; i < len; i += n) {
		n = len - i < PAGE ? len - i : PAGE;
		CHECK(!memcmp(ram + to + i, zero_page, n));
	}
}

static void dma(struct bus *io, const struct items *t, const uint8_t *r)
{
	uint8_t d[8];
	/* A descriptor in RAM: control (the item's key in the high half
	 * when selecting, flags from the record's op), length, address (big
	 * endian), the target somewhere in RAM. */
	size_t at = (r[1] << 8 | r[2]) % (RAM_SIZE - 16);
	uint64_t gpa = RAM_BASE + at;
	uint32_t ctl, len = (uint32_t)r[4] << 8 | r[5];
	size_t to = (size_t)r[6] * 200;

	put_be32(ram + at, (uint32_t)r[3] << 16 | (r[0] & 0x1f));
	put_be32(ram + at + 4, len);
	put_be32(ram + at + 8, 0);
	put_be32(ram + at + 12, RAM_BASE + (uint32_t)to);
	put_be32(d, 0);
	put_be32(d + 4, (uint32_t)gpa);
	bus_access(io, FWCFG_DMA_PORT, d, 4, true);
	bus_access(io, FWCFG_DMA_PORT + 4, d + 4, 4, true);

	/* Only the control field is written back: 0 done, 1 error. */
	ctl = get_be32(ram + at);
	CHECK(ctl == 0 || ctl == 1);
	if ((r[0] & (DMA_SELECT | DMA_READ)) == (DMA_SELECT | DMA_READ))
		dma_check(t, ctl, at, r[3], len, to);
}

/* After the records: the DMA signature, and the first bytes of the
 * signature item and of every mapped item through the selector port (a
 * 16-bit read there returns two data bytes), selected afresh: pages the
 * guest's DMA dropped come back from the file. */
static void fwcfg_check(struct bus *io, const struct items *t)
{
	uint8_t d[8];

	bus_access(io, FWCFG_DMA_PORT, d, 8, false);
	CHECK(!memcmp(d, "QEMU CFG", 8));
	for (unsigned i = 0; i < t->n; i++) {
		const struct item *it = &t->it[i];

		if (!it->mapped && it->key != FW_CFG_SIGNATURE)
			continue;
		io_out(io, FWCFG_IO_BASE, 2, it->key);
		for (uint32_t j = 0; j < 4; j += 2) {
			bus_access(io, FWCFG_IO_BASE, d, 2, false);
			CHECK(d[0] == (j < it->len ? it->data[j] : 0));
			CHECK(d[1] == (j + 1 < it->len ? it->data[j + 1] : 0));
		}
	}
}

/* ------------------------------------------------------------ the UART */

/* The UART's IRQ line: recorded as the fake host does; while the harness
 * waits for typed bytes, a rising line (data arrived) wakes it. */
static void uart_irq(void *ctx, unsigned irq, int level)
{
	uint64_t one = 1;

	fake_irq_set(ctx, irq, level);
	if (level && __atomic_load_n(&run.waiting, __ATOMIC_ACQUIRE))
		(void)!write(run.wake, &one, sizeof(one));
}

static void serial_setup(void)
{
	struct dev_host h = run.fh.h;

	h.irq_set = uart_irq;
	bus_init(&run.sio);
	run.s = serial_new(&h, SERIAL_COM1_IRQ, run.out);
	if (!run.s || serial_attach(run.s, &run.sio, SERIAL_COM1_BASE) ||
	    serial_input_start(run.s, &run.sio, run.pipe_r))
		abort();
}

/*
 * Wait until the input thread has delivered all this input typed.  The
 * UART is set so that it takes everything (no loopback, FIFO on) and
 * raises its IRQ when data arrives, a byte value the input did not type is
 * typed, and the FIFO read until it comes out: the thread delivers in
 * order and drops nothing (vmm/serial.c, input_thread), so nothing typed
 * is left behind it.  An input that typed every byte value gets a new UART
 * and thread instead.
 */
static void typed_drain(struct typed *ty)
{
	size_t sent = 0;
	int mark = -1;
	bool got = false;
	uint8_t m, buf[256];
	uint64_t n;

	for (int v = 0; v < 256 && mark < 0; v++)
		if (!(ty->seen[v / 8] & 1u << (v % 8)))
			mark = v;
	if (mark < 0) {
		serial_free(run.s); /* stops and joins the thread */
		while (read(run.pipe_r, buf, sizeof(buf)) > 0)
			;
		serial_setup();
		return;
	}
	m = (uint8_t)mark;
	/* The mark goes after what is still to be written (nothing reads
	 * it after this, but the thread delivers it). */
	ty->buf[ty->len++] = m;
	__atomic_store_n(&run.waiting, true, __ATOMIC_RELEASE);
	uart_out(UART_LCR, 0);
	uart_out(UART_IIR_FCR, FCR_ON_CLEAR);
	uart_out(UART_IER, IER_RDI);
	uart_out(UART_MCR, MCR_OUT2); /* out of loopback, IRQ gate open */
	for (;;) {
		struct pollfd p[2] = {{.fd = run.wake, .events = POLLIN},
				      {.fd = run.pipe_w, .events = POLLOUT}};
		ssize_t w;

		if (sent < ty->len) {
			w = write(run.pipe_w, ty->buf + sent, ty->len - sent);
			/* A full pipe empties as the FIFO is read. */
			CHECK(w > 0 || errno == EAGAIN);
			sent += w > 0 ? (size_t)w : 0;
		}
		while (!got && (uart_in(UART_LSR) & LSR_DR))
			got = uart_in(UART_RBR_THR) == m && sent == ty->len;
		if (got)
			break;
		/* The FIFO is empty, its IRQ low: the next byte in raises
		 * it (one that came in since was read above, or has
		 * written the eventfd already). */
		while (poll(p, sent < ty->len ? 2 : 1, -1) < 0 &&
		       errno == EINTR)
			;
		(void)!read(run.wake, &n, sizeof(n));
	}
	__atomic_store_n(&run.waiting, false, __ATOMIC_RELEASE);
	(void)!read(run.wake, &n, sizeof(n)); /* for the next input */
}

/* Back to serial_new()'s state through the ports, as a driver resets a
 * 16550, and read back.  Hidden state needs nothing: THRE's pending flag
 * is only read while IER enables it, and enabling re-arms it. */
static void uart_reset(void)
{
	/* Register, value: DLAB off, interrupts off, FIFOs cleared and
	 * off, modem outputs and loopback off, scratch 0, then the divisor
	 * latch (DLL, DLM) as serial_new() sets it: 9600 baud. */
	static const uint8_t seq[][2] = {
		{UART_LCR, 0},
		{UART_IER, 0},
		{UART_IIR_FCR, FCR_ON_CLEAR},
		{UART_IIR_FCR, 0},
		{UART_MCR, 0},
		{UART_SCR, 0},
		{UART_LCR, LCR_DLAB},
		{UART_RBR_THR, 0x0c},
		{UART_IER, 0},
		{UART_LCR, 0},
	};

	for (size_t i = 0; i < sizeof(seq) / sizeof(seq[0]); i++)
		uart_out(seq[i][0], seq[i][1]);
	(void)uart_in(UART_LSR); /* sticky errors */
	(void)uart_in(UART_MSR); /* modem deltas */
	CHECK(uart_in(UART_IER) == 0);
	CHECK(uart_in(UART_IIR_FCR) == 0x01); /* no interrupt, FIFOs off */
	CHECK(uart_in(UART_LCR) == 0);
	CHECK(uart_in(UART_MCR) == 0);
	CHECK((uart_in(UART_LSR) & ~LSR_THRE_TEMT) == 0);
	CHECK(uart_in(UART_MSR) == MSR_IDLE);
	CHECK(uart_in(UART_SCR) == 0);
	uart_out(UART_LCR, LCR_DLAB);
	CHECK(uart_in(UART_RBR_THR) == 0x0c && uart_in(UART_IER) == 0);
	uart_out(UART_LCR, 0);
	CHECK(run.fh.irq_level[SERIAL_COM1_IRQ] == 0);
}

/* ------------------------------------------------------------ records */

/*
 * Typed bytes reach the pipe when the guest next touches the UART: the
 * thread delivers them at a time of its own anyway, and until the guest
 * looks it cannot tell when they were typed.  A run of typing records
 * between two UART accesses is one write (and one wake of the thread).
 * What a full pipe does not take is lost, as when typing into it.
 */
static void typed_flush(struct typed *ty)
{
	if (ty->len)
		(void)!write(run.pipe_w, ty->buf, ty->len);
	ty->len = 0;
}

static void type_byte(struct typed *ty, uint8_t c)
{
	if (ty->len == sizeof(ty->buf) - 1)
		typed_flush(ty);
	ty->buf[ty->len++] = c;
	ty->seen[c / 8] |= 1u << (c % 8);
	ty->n++;
	ty->touched = true;
}

static void record(struct bus *io, const struct items *t, struct typed *ty,
		   const uint8_t *r)
{
	uint8_t op = r[0], a = r[1], b = r[2], d[8] = {0};
	uint16_t key;

	switch (op >> 5) {
	case 0: /* select an item */
		key = op & 0x10 ? (uint16_t)(a << 8 | b) : keys[a % NKEYS];
		put_le16(d, 0, key);
		bus_access(io, FWCFG_IO_BASE, d, 2, true);
		break;
	case 1: /* read the data port a times at width 1 << (b & 3) */
		for (unsigned i = 0; i <= a; i++)
			bus_access(io, FWCFG_IO_BASE + 1, d, 1u << (b & 3),
				   false);
		break;
	case 2:
		dma(io, t, r);
		break;
	case 3: /* poke RAM */
		memcpy(ram + ((a << 8 | b) % (RAM_SIZE - 4)), r + 3, 4);
		break;
	case 4: /* typed bytes */
		for (unsigned i = 0; i < a % 6u; i++)
			type_byte(ty, r[2 + i]);
		break;
	case 5: /* the guest reads what was typed */
		typed_flush(ty);
		ty->touched = true;
		for (unsigned i = 0; i <= a % 64; i++)
			(void)uart_in(b & 1 ? UART_LSR : UART_RBR_THR);
		break;
	default: /* any port of the UART or fw_cfg, any width */
		if (op & 1) {
			typed_flush(ty);
			ty->touched = true;
		}
		put_le32(d, 0, get_le32(r, 3));
		bus_access(op & 1 ? &run.sio : io,
			   (op & 1 ? SERIAL_COM1_BASE : FWCFG_IO_BASE) +
				   (a & 0xf),
			   d, 1 + (b & 7), b & 0x80);
		break;
	}
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	int p[2];

	(void)argc;
	(void)argv;
	fake_host_init(&run.fh, ram, RAM_BASE, RAM_SIZE);
	/* Small, so that a full output (THRE held back) is reached. */
	run.out = test_console(null_fd(), 256, 0, true);
	run.wake = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (!run.out || run.wake < 0 || pipe2(p, O_CLOEXEC | O_NONBLOCK))
		abort();
	run.pipe_r = p[0];
	run.pipe_w = p[1];
	/* FW_CFG_FILE_DIR: be32 count, then be32 size, be16 selector, be16
	 * reserved, the name in 56 bytes (QEMU docs/specs/fw_cfg.rst). */
	put_be32(run.dir, 1);
	put_be32(run.dir + 4, sizeof(e820));
	run.dir[8] = FW_CFG_FILE_FIRST >> 8;
	run.dir[9] = FW_CFG_FILE_FIRST & 0xff;
	memcpy(run.dir + 12, "etc/e820", 8);
	serial_setup();
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *in, size_t n)
{
	struct typed ty = {0};
	struct items t;
	const uint8_t *img;
	size_t ops, len;
	struct fwcfg *f;
	struct bus io;

	if (n < 2)
		return 0;
	ops = (size_t)get_le16(in, 0) * REC;
	if (ops > n - 2)
		ops = (n - 2) / REC * REC;
	len = n - 2 - ops;
	if (!len || len > MAX_IMG)
		return 0;
	img = place_image(in + 2 + ops, len);

	/* Nothing typed before this input is still coming in. */
	CHECK(!(uart_in(UART_LSR) & LSR_DR));
	memset(ram, 0, sizeof(ram));
	bus_init(&io);
	f = fwcfg_new(&run.fh.h, true);
	if (!f || add_items(f, img, in + 2 + ops, len, &t) ||
	    fwcfg_attach(f, &io))
		abort();

	for (size_t i = 0; i < ops; i += REC)
		record(&io, &t, &ty, in + 2 + i);

	fwcfg_check(&io, &t);
	if (ty.n)
		typed_drain(&ty);
	if (ty.touched)
		uart_reset();
	fwcfg_free(f);
	return 0;
}
