/* SPDX-License-Identifier: MIT */
/*
 * Device models and the exit dispatcher, private to vmm/.
 *
 * A device is a set of port or MMIO ranges with read/write handlers.  Devices
 * never touch KVM directly: they reach the machine through struct dev_host,
 * so each can be unit-tested with a fake host.  Everything a guest writes is
 * untrusted: handlers accept any offset/length/value without crashing.
 */
#ifndef SEVBOOT_VMM_DEV_H
#define SEVBOOT_VMM_DEV_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Why the machine stops (set once, by the first device or vCPU that asks). */
enum vm_stop {
	VM_RUNNING = 0,
	VM_STOP_POWEROFF,   /* ACPI S5 / shutdown request */
	VM_STOP_RESET,	    /* i8042 0xfe, 0xcf9, ACPI reset */
	VM_STOP_TRIPLE_FAULT,
	VM_STOP_DEBUG_EXIT, /* status = value written by the guest */
	VM_STOP_ERROR,	    /* internal error, status = -errno */
	VM_STOP_TIMEOUT,
	VM_STOP_SIGNAL,	    /* status = signal number */
	VM_STOP_LAUNCHED,   /* vm_config.launch_only: built and launched */
	VM_STOP_MARKED,	    /* vm_config.stop_at_marks: every --mark seen */
};

struct dev_host {
	void *ctx;
	/* Set IRQ line (ISA IRQ == GSI here) to level 0/1.  Devices call it
	 * only when a line's level changes (all lines start low), with the
	 * bus lock held; the in-kernel PIC/IOAPIC do the edge detection. */
	void (*irq_set)(void *ctx, unsigned irq, int level);
	/* Host pointer for [gpa, gpa+len) if it lies wholly in guest RAM,
	 * else NULL.  Used for DMA; the guest chooses gpa and len. */
	void *(*gpa_ptr)(void *ctx, uint64_t gpa, uint64_t len);
	/* Ask the machine to stop. */
	void (*stop)(void *ctx, enum vm_stop why, int status);
};

/* ------------------------------------------------------------------ bus */

typedef void (*bus_read_fn)(void *dev, uint64_t off, uint8_t *data,
			    unsigned len);
typedef void (*bus_write_fn)(void *dev, uint64_t off, const uint8_t *data,
			     unsigned len);

struct bus_range {
	uint64_t base, len; /* len 0 = disabled */
	bus_read_fn read;   /* NULL: reads return all-ones */
	bus_write_fn write; /* NULL: writes ignored */
	void *dev;
	const char *name;
};

#define BUS_MAX_RANGES 32

/* A table of ranges; lookups are linear (a few dozen entries).  One lock
 * serialises all device handlers of the bus. */
struct bus {
	pthread_mutex_t lock;
	unsigned n;
	struct bus_range r[BUS_MAX_RANGES];
};

void bus_init(struct bus *b);
/* Returns the range id (>= 0) or -ENOSPC / -EEXIST (overlap). */
int bus_add(struct bus *b, uint64_t base, uint64_t len, bus_read_fn rd,
	    bus_write_fn wr, void *dev, const char *name);
/* Move or resize a range (len 0 disables it); caller holds b->lock (called
 * from a handler) or the machine is not running.  -EEXIST on overlap. */
int bus_remap(struct bus *b, int id, uint64_t base, uint64_t len);
/* Dispatch one access (len 1..8).  Returns false if no range covers addr;
 * then reads are filled with 0xff.  Takes b->lock. */
bool bus_access(struct bus *b, uint64_t addr, uint8_t *data, unsigned len,
		bool is_write);

/* Little-endian helpers for handlers. */
static inline uint64_t le_get(const uint8_t *d, unsigned len)
{
	uint64_t v = 0;
	for (unsigned i = 0; i < len && i < 8; i++)
		v |= (uint64_t)d[i] << (8 * i);
	return v;
}
static inline void le_put(uint8_t *d, unsigned len, uint64_t v)
{
	for (unsigned i = 0; i < len && i < 8; i++)
		d[i] = (uint8_t)(v >> (8 * i));
}

/* --------------------------------------------------------------- devices */

/*
 * Guest output sinks (vmm/console.c): a bounded buffer per output, drained
 * by a thread of its own that does the host writes, so a device never
 * waits for the output.  console_write() never blocks: bytes that find the
 * buffer full are lost (counted).  Optionally capped (limit) and filtered
 * for terminals.
 */
#define CONSOLE_HOLD_MAX      32    /* longest escape sequence kept */
#define CONSOLE_CLOSE_IDLE_MS 1500  /* the stop's flush: no progress */
#define CONSOLE_CLOSE_MAX_MS  10000 /* ... and in all */
struct console_config {
	const char *name;      /* "serial": for messages */
	const char *limit_opt; /* "--serial-limit": for the limit's message */
	int fd;		       /* the output; not owned, must stay open */
	size_t capacity;       /* buffer bytes */
	uint64_t limit;	       /* at most this many bytes out; 0: no limit */
	bool filter;	       /* drop terminal control sequences */
	unsigned close_idle_ms, close_max_ms; /* 0: the defaults above */
	/* The run's timeline: the drain thread feeds it what it writes out,
	 * for the --mark patterns (NULL: none). */
	struct timeline *tl;
};
struct console_stats {
	uint64_t guest;	     /* bytes the guest wrote */
	uint64_t written;    /* bytes the output took */
	uint64_t lost;	     /* found the buffer full */
	uint64_t filtered;   /* terminal controls removed */
	uint64_t over_limit; /* past the limit, discarded */
	uint64_t failed;     /* discarded after the output failed */
	uint64_t unwritten;  /* still buffered when the stop gave up */
	uint64_t first_ns;   /* CLOCK_MONOTONIC of the guest's first byte;
				0: none */
};
struct console;
/* Starts its thread.  NULL with err filled. */
struct console *console_new(const struct console_config *cfg, char *err,
			    size_t errlen);
void console_write(struct console *c, const uint8_t *data, size_t len);
/* Bytes the buffer can take now (what a filter may hold kept aside). */
size_t console_space(struct console *c);
/* True when want bytes of space are there now; otherwise cb(ctx) is called
 * once, from the drain thread with no lock held, when they are (one
 * waiter: a later call replaces it). */
bool console_notify_space(struct console *c, size_t want, void (*cb)(void *ctx),
			  void *ctx);
/* ctx's waiting for room is over: no callback for it runs after this
 * returns (do not call it holding a lock the callback takes). */
void console_forget(struct console *c, void *ctx);
/* The stop: flush for at most CONSOLE_CLOSE_IDLE_MS without progress
 * (CONSOLE_CLOSE_MAX_MS in all), then stop the thread, say on stderr how
 * many bytes were not written, and fill st (may be NULL).  Idempotent.
 * After it, no callback runs. */
void console_close(struct console *c, struct console_stats *st);
/* Closes if need be; NULL is fine. */
void console_free(struct console *c);

/* 8250/16550A UART. */
#define SERIAL_COM1_BASE 0x3f8
#define SERIAL_COM1_IRQ 4
struct serial;
/* out: where THR bytes go (NULL: discard).  While it has no room for a
 * transmit FIFO's worth, the line status says the transmitter is busy. */
struct serial *serial_new(const struct dev_host *h, unsigned irq,
			  struct console *out);
int serial_attach(struct serial *s, struct bus *io, uint16_t base);
/* Feed received bytes into the RX FIFO (drops on overflow, returns bytes
 * accepted); raises the IRQ as the registers say.  Thread-safe against the
 * handlers when called with the bus lock held (serial_input_thread does). */
size_t serial_receive(struct serial *s, const uint8_t *buf, size_t len);
/* Start a thread that reads in_fd and feeds the UART until EOF or stop. */
int serial_input_start(struct serial *s, struct bus *io, int in_fd);
void serial_free(struct serial *s);
/* Bytes written by the guest so far (for tests and statistics), whether
 * or not they reached the output. */
uint64_t serial_tx_bytes(const struct serial *s);

/* QEMU fw_cfg: selector 0x510 (16-bit), data 0x511 (8-bit), DMA 0x514. */
#define FWCFG_IO_BASE 0x510
enum fwcfg_key {
	FW_CFG_SIGNATURE = 0x00,
	FW_CFG_ID = 0x01,
	FW_CFG_UUID = 0x02,
	FW_CFG_RAM_SIZE = 0x03,
	FW_CFG_NOGRAPHIC = 0x04,
	FW_CFG_NB_CPUS = 0x05,
	FW_CFG_MACHINE_ID = 0x06,
	FW_CFG_KERNEL_ADDR = 0x07,
	FW_CFG_KERNEL_SIZE = 0x08,
	FW_CFG_KERNEL_CMDLINE = 0x09,
	FW_CFG_INITRD_ADDR = 0x0a,
	FW_CFG_INITRD_SIZE = 0x0b,
	FW_CFG_BOOT_DEVICE = 0x0c,
	FW_CFG_NUMA = 0x0d,
	FW_CFG_BOOT_MENU = 0x0e,
	FW_CFG_MAX_CPUS = 0x0f,
	FW_CFG_KERNEL_ENTRY = 0x10,
	FW_CFG_KERNEL_DATA = 0x11,
	FW_CFG_INITRD_DATA = 0x12,
	FW_CFG_CMDLINE_ADDR = 0x13,
	FW_CFG_CMDLINE_SIZE = 0x14,
	FW_CFG_CMDLINE_DATA = 0x15,
	FW_CFG_SETUP_ADDR = 0x16,
	FW_CFG_SETUP_SIZE = 0x17,
	FW_CFG_SETUP_DATA = 0x18,
	FW_CFG_FILE_DIR = 0x19,
	FW_CFG_FILE_FIRST = 0x20,
	FW_CFG_E820_TABLE = 0x8003,
};
struct fwcfg;
struct fwcfg *fwcfg_new(const struct dev_host *h, bool dma);
/* Data is referenced, not copied: it must outlive the device. */
int fwcfg_add(struct fwcfg *f, uint16_t key, const void *data, size_t len);
/* The same for data from file_load(): after the guest has read a page of it
 * by DMA, the page is released (blob_release_pages()). */
int fwcfg_add_mapped(struct fwcfg *f, uint16_t key, const void *data,
		     size_t len);
/* Small values are copied (little-endian). */
int fwcfg_add_u16(struct fwcfg *f, uint16_t key, uint16_t v);
int fwcfg_add_u32(struct fwcfg *f, uint16_t key, uint32_t v);
int fwcfg_add_u64(struct fwcfg *f, uint16_t key, uint64_t v);
/* Named file in the directory (name < 56 bytes); data referenced. */
int fwcfg_add_file(struct fwcfg *f, const char *name, const void *data,
		   size_t len);
int fwcfg_attach(struct fwcfg *f, struct bus *io);
void fwcfg_free(struct fwcfg *f);

/* MC146818 CMOS/RTC at 0x70/0x71 with QEMU's memory-size bytes. */
struct cmos;
struct cmos *cmos_new(const struct dev_host *h, uint64_t low_ram,
		      uint64_t high_ram, unsigned ncpus);
int cmos_attach(struct cmos *c, struct bus *io);
void cmos_free(struct cmos *c);

/*
 * PCI: config mechanism #1 (0xcf8/0xcfc), i440FX host bridge 00:00.0
 * (8086:1237), PIIX3 ISA bridge 00:01.0 (8086:7000), PIIX4 ACPI/PM function
 * 00:01.3 (8086:7113) whose PMBA (config 0x40) / PMIOSE (config 0x80 bit 0)
 * place the PM block: PM1a_STS/EN at +0, PM1a_CNT at +4 (SLP_EN with S5 ->
 * poweroff), PM_TMR at +8 (3.579545 MHz, 24 bit).  Also the reset control
 * register 0xcf9 (0x06/0x0e -> reset).
 */
struct pci;
struct pci *pci_new(const struct dev_host *h, struct bus *io);
int pci_attach(struct pci *p);
/* Program and enable the PM block at pm_base as firmware would (direct
 * boot has no firmware to do it). */
void pci_pm_enable(struct pci *p, uint16_t pm_base);
void pci_free(struct pci *p);

/* i8042 keyboard controller: 0x60/0x64; command 0xfe -> reset. */
struct i8042;
struct i8042 *i8042_new(const struct dev_host *h);
int i8042_attach(struct i8042 *k, struct bus *io);
void i8042_free(struct i8042 *k);

/*
 * Debug exit: a write of value v (any width) to port DEBUG_EXIT_PORT stops
 * the machine with VM_STOP_DEBUG_EXIT, status v & 0x3f; sevboot then exits
 * with 64 + status.
 */
#define DEBUG_EXIT_PORT 0x501
/* Standalone debug exit (legacy_attach includes it).  The range keeps h
 * itself, so *h must outlive the bus. */
int debug_exit_attach(const struct dev_host *h, struct bus *io);

/*
 * Ports that firmware and Linux probe and that need (almost) no behaviour:
 * 0x80 (POST), 0x92 (A20, reads 0x02; bit 0 = fast reset), 0xed, 0x402
 * (debugcon: output to a console if not NULL, reads 0xe9), plus the debug-exit
 * port above.  PIC ELCR is in-kernel.  (This replaces legacy_ports_attach:
 * debugcon needs somewhere to keep its output.)
 */
struct legacy;
struct legacy *legacy_new(const struct dev_host *h, struct console *debugcon);
/* Registers all the ports above, DEBUG_EXIT_PORT included. */
int legacy_attach(struct legacy *l, struct bus *io);
void legacy_free(struct legacy *l);

#endif
