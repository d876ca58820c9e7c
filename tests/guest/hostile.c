// SPDX-License-Identifier: MIT
/*
 * hostile: the nested test guest's hostile program (issue 9, "A hostile
 * guest, for real").  Run as root by the test guest's /init:
 *
 *     hostile SECONDS [SEED]
 *
 * For SECONDS it hammers what sevboot decodes, and much it does not, from
 * one storm process per CPU: port writes and reads of every width (string
 * I/O too) at sevboot's device ports and at random ports, PCI configuration
 * cycles (which move and switch off the ACPI PM block), fw_cfg selectors,
 * data reads and DMA descriptors (addresses inside and outside RAM, huge
 * lengths, a target overlapping its own descriptor, malformed register
 * writes), and MMIO through /dev/mem in the PCI hole, the device range
 * below 4 GiB and above RAM.  Then the parent powers the machine off itself,
 * by port I/O (ACPI S5 through PM1a_CNT), so sevboot exits 0 even if the
 * guest kernel was disturbed.
 *
 * The seed (random when absent or 0) is printed first; giving it again
 * replays each CPU's sequence of accesses (the interleaving of the CPUs and
 * the physical addresses of the DMA arena follow the guest kernel).
 *
 * Left out, so that the machine is not stopped or the guest kernel killed
 * by its own hand rather than by sevboot:
 *  - writes that legitimately stop the machine are defused: the debug-exit
 *    port 0x501 is never written; bit 0 (fast reset) of 0x92 and bit 2
 *    (RST_CPU) of a byte write to 0xcf9 (the FADT's reset register) are
 *    cleared; i8042 commands 0xf0-0xff get bit 0 set (it is the CPU reset
 *    line they would pulse) and command 0xd1 (write output port) becomes
 *    0xd0, since the output-port byte that follows it could come from the
 *    other CPU or the guest's keyboard driver; SLP_EN (bit 5 of the high
 *    byte of PM1a_CNT) is cleared in every byte written to a port at offset
 *    5 of a 64-byte block, wherever PMBA has moved the PM block
 *    (Intel 82371AB PIIX4 datasheet, PMBA bits 15:6);
 *  - devices KVM itself emulates (never seen by sevboot, and what keeps the
 *    guest kernel alive): the PIC 0x20/0x21/0xa0/0xa1, ELCR 0x4d0/0x4d1,
 *    PIT 0x40-0x43, speaker 0x61, and the IOAPIC and LAPIC pages;
 *  - guest RAM that is not the program's own: DMA that writes memory is
 *    aimed into this process's own physically contiguous arena (found
 *    through /proc/self/pagemap) or wholly outside RAM; the firmware's
 *    image at the top of 4 GiB is RAM under OVMF and is not touched.  The
 *    DMA address register is written under a lock the storms share, and a
 *    stray write to it (random port writes, malformed shapes) goes in
 *    after its high half is set to 0xffffffff, so no transfer ever starts
 *    from a descriptor at an address nobody chose.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/io.h>
#include <sys/mman.h>
#include <sys/random.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define MAX_CHILDREN 8
#define NR_WINDOWS   48
#define WINDOW_LEN   (4 * 4096)
#define ARENA_MAX    (2u << 20)

/* PIIX4 PM function 00:01.3: PMBA (0x40) and PMREGMISC (0x80), and where
 * sevboot's ACPI tables and OVMF put the block (PcdAcpiPmBaseAddress). */
#define PCI_CFG(dev, fn, reg) (0x80000000u | (dev) << 11 | (fn) << 8 | (reg))
#define PM_BASE		      0xb000
#define PM1_CNT_SLP_EN	      0x2000
/* sevboot's DSDT: Name (_S5, Package () { Zero, Zero }). */
#define PM1_CNT_SLP_TYP_S5 (0 << 10)

#define FWCFG_SEL      0x510
#define FWCFG_DATA     0x511
#define FWCFG_DMA      0x514
#define DMA_CTL_ERROR  0x01
#define DMA_CTL_READ   0x02
#define DMA_CTL_SKIP   0x04
#define DMA_CTL_SELECT 0x08
#define DMA_CTL_WRITE  0x10

/* Counters shared by the storm processes and the parent. */
struct stats {
	uint64_t out, in, str, decoded, defused, pci, fw_sel, fw_data;
	uint64_t dma, dma_in_ram, dma_outside, dma_bad_status, dma_junk;
	uint64_t mmio_w, mmio_r, mmio_wide;
	uint64_t restarts, dma_busy;
	/* The first descriptor left without a status: control before and
	 * after, length, target, descriptor address. */
	uint32_t bad_before, bad_after, bad_len;
	uint64_t bad_addr, bad_desc;
	/*
	 * The DMA address register is one per machine: a storm that writes
	 * its two halves holds this, so another CPU's writes cannot splice
	 * an address of their own in between (a descriptor at a random RAM
	 * address would make the device write the guest kernel's memory).
	 */
	int dma_lock;
};

static struct stats *st;

#define COUNT(f) __atomic_add_fetch(&st->f, 1, __ATOMIC_RELAXED)

/* ------------------------------------------------------------ the PRNG */

static uint64_t splitmix64(uint64_t *s)
{
	uint64_t z = (*s += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static uint64_t rng_state;

static uint64_t rnd(void)
{
	return splitmix64(&rng_state);
}

/* Uniform in [0, n), n > 0. */
static uint64_t below(uint64_t n)
{
	return rnd() % n;
}

/* ------------------------------------------------------------- output */

/*
 * Before the storm: stdout.  After it: straight to the UART by port I/O,
 * polling LSR THRE (bounded), so that neither a tty the storm left waiting
 * for an interrupt nor the kernel's console path can lose or block a line.
 */
static bool via_uart;

static void uart_puts(const char *s)
{
	for (; *s; s++) {
		for (int i = 0; i < 100000 && !(inb(0x3fd) & 0x20); i++)
			;
		outb((uint8_t)*s, 0x3f8);
	}
}

static void say(const char *fmt, ...)
{
	char line[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	if (via_uart) {
		uart_puts("HOSTILE: ");
		uart_puts(line);
		uart_puts("\r\n");
		return;
	}
	printf("HOSTILE: %s\n", line);
	fflush(stdout);
}

/* ------------------------------------------------------------ the ports */

struct range {
	uint64_t base, len;
};

/* What sevboot decodes (vmm/: serial, cmos, pci, i8042, legacy, fw_cfg). */
static const struct range decoded[] = {
	{0x3f8, 8}, {0x70, 2},	    {0xcf8, 8},	    {PM_BASE, 64}, {0x60, 1},
	{0x64, 1},  {0x80, 1},	    {0xed, 1},	    {0x92, 1},	   {0x402, 1},
	{0x501, 4}, {FWCFG_SEL, 2}, {FWCFG_DMA, 8},
};
#define NR_DECODED (sizeof(decoded) / sizeof(decoded[0]))

/* KVM's own devices: sevboot never sees them, the guest kernel needs them. */
static bool kvm_port(unsigned p)
{
	return p == 0x20 || p == 0x21 || p == 0xa0 || p == 0xa1 || p == 0x4d0 ||
	       p == 0x4d1 || (p >= 0x40 && p <= 0x43) || p == 0x61;
}

/*
 * Defuse a write of len bytes at port (see the top of the file).  Returns
 * false when it must not be made at all.
 */
static bool defuse(unsigned port, uint8_t *b, unsigned len)
{
	bool changed = false;

	for (unsigned i = 0; i < len; i++) {
		unsigned p = port + i;
		uint8_t v = b[i];

		if (kvm_port(p & 0xffff))
			return false;
		if (p == 0x501) {
			COUNT(defused);
			return false;
		}
		if (p == 0x92)
			v &= ~0x01;
		if (p == 0xcf9 && len == 1)
			v &= ~0x04;
		if (p == 0x64 && v == 0xd1)
			v = 0xd0;
		if (p == 0x64 && v >= 0xf0)
			v |= 0x01;
		if ((p & 0x3f) == 5)
			v &= ~0x20;
		if (v != b[i]) {
			b[i] = v;
			changed = true;
		}
	}
	if (changed)
		COUNT(defused);
	return true;
}

#define FWCFG_DMA_LEN 8

static bool dma_lock(void)
{
	for (int i = 0; i < 100000; i++) {
		if (!__atomic_exchange_n(&st->dma_lock, 1, __ATOMIC_ACQUIRE))
			return true;
		__builtin_ia32_pause();
	}
	COUNT(dma_busy); /* its holder was killed or is descheduled: skip */
	return false;
}

static void dma_unlock(void)
{
	__atomic_store_n(&st->dma_lock, 0, __ATOMIC_RELEASE);
}

static bool touches_dma(unsigned port, unsigned len)
{
	return port < FWCFG_DMA + FWCFG_DMA_LEN && port + len > FWCFG_DMA;
}

/*
 * Writes that may reach the DMA address register go in with the lock held
 * and the high half set to 0xffffffff first: whatever the write does, a
 * transfer it starts has its descriptor at 2^64 - 4 GiB or above, which is
 * never RAM.  Nobody writes the low half without having written the high
 * half under the same lock.
 */
static bool dma_guard_begin(unsigned port, unsigned len)
{
	if (!touches_dma(port, len))
		return true;
	if (!dma_lock())
		return false;
	outl(0xffffffffu, FWCFG_DMA);
	COUNT(dma_junk);
	return true;
}

static void dma_guard_end(unsigned port, unsigned len)
{
	if (touches_dma(port, len))
		dma_unlock();
}

static void port_write(unsigned port, uint64_t val, unsigned len)
{
	uint8_t b[4];

	port &= 0xffff;
	for (unsigned i = 0; i < 4; i++)
		b[i] = (uint8_t)(val >> (8 * i));
	if (!defuse(port, b, len))
		return;
	val = b[0] | b[1] << 8 | (uint32_t)b[2] << 16 | (uint32_t)b[3] << 24;
	if (!dma_guard_begin(port, len))
		return;
	if (len == 1)
		outb((uint8_t)val, port);
	else if (len == 2)
		outw((uint16_t)val, port);
	else
		outl((uint32_t)val, port);
	dma_guard_end(port, len);
	COUNT(out);
}

static uint32_t port_read(unsigned port, unsigned len)
{
	port &= 0xffff;
	if (kvm_port(port))
		return 0;
	COUNT(in);
	if (len == 1)
		return inb(port);
	if (len == 2)
		return inw(port);
	return inl(port);
}

/* rep outs / rep ins: count items in one exit (KVM's string I/O). */
static void port_string(unsigned port, unsigned len, bool write)
{
	uint8_t buf[256];
	unsigned count = 1 + (unsigned)below(sizeof(buf) / len);

	port &= 0xffff;
	if (kvm_port(port))
		return;
	for (unsigned i = 0; i < sizeof(buf); i++)
		buf[i] = (uint8_t)rnd();
	if (write)
		for (unsigned i = 0; i < count; i++)
			if (!defuse(port, buf + i * len, len))
				return;
	if (write && !dma_guard_begin(port, len))
		return;
	COUNT(str);
	if (write && len == 1)
		outsb(port, buf, count);
	else if (write && len == 2)
		outsw(port, buf, count);
	else if (write)
		outsl(port, buf, count);
	else if (len == 1)
		insb(port, buf, count);
	else if (len == 2)
		insw(port, buf, count);
	else
		insl(port, buf, count);
	if (write)
		dma_guard_end(port, len);
}

static unsigned rnd_width(void)
{
	static const unsigned w[] = {1, 2, 4};

	return w[below(3)];
}

static uint32_t rnd_value(void)
{
	switch (below(4)) {
	case 0:
		return (uint32_t)below(256);
	case 1:
		return 0xffffffffu;
	case 2:
		return 0;
	}
	return (uint32_t)rnd();
}

static void storm_port(bool any)
{
	unsigned port, len = rnd_width();

	if (any) {
		port = (unsigned)below(0x10000);
	} else {
		const struct range *r = &decoded[below(NR_DECODED)];

		/* Its ports and one either side. */
		port = (unsigned)(r->base + below(r->len + 2) - 1);
		COUNT(decoded);
	}
	switch (below(8)) {
	case 0:
		port_string(port, len, below(2));
		break;
	case 1:
	case 2:
	case 3:
		port_read(port, len);
		break;
	default:
		port_write(port, rnd_value(), len);
	}
}

/* A configuration cycle on bus 0, usually at one of sevboot's functions
 * (00:00.0, 00:01.0, 00:01.3): PMBA and PMREGMISC move and switch the PM
 * block. */
static void storm_pci(void)
{
	unsigned dev = below(4) ? (unsigned)below(2) : (unsigned)below(32);
	unsigned fn = below(2) ? 3 * (unsigned)below(2) : (unsigned)below(8);
	unsigned reg = below(3) ? 0x40 + 0x40 * (unsigned)below(2)
				: (unsigned)below(256);
	uint32_t addr = PCI_CFG(dev, fn, reg & 0xfc);
	unsigned len = rnd_width();

	if (!below(16))
		addr = (uint32_t)rnd(); /* any bus, disabled cycles */
	COUNT(pci);
	port_write(0xcf8, addr, 4);
	if (below(2))
		port_write(0xcfc + (reg & 3), rnd_value(), len);
	else
		port_read(0xcfc + (reg & 3), len);
}

/* ------------------------------------------------------------- fw_cfg */

struct arena {
	uint8_t *va;
	uint64_t pa; /* 0: no physical address known, no in-RAM DMA */
	size_t len;
};

/* The longest physically contiguous run of pages, as /proc/self/pagemap
 * gives them (PFN in bits 54:0, bit 63 present; root only), in a locked,
 * 2 MiB-aligned, huge-page-advised block. */
static int arena_make(struct arena *a)
{
	size_t want = ARENA_MAX, start = 0, best = 0, best_start = 0;
	uint8_t *raw = mmap(NULL, 2 * want, PROT_READ | PROT_WRITE,
			    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	uint64_t prev = 0, pfn0 = 0, best_pfn = 0;
	uint8_t *va;
	int fd;

	memset(a, 0, sizeof(*a));
	if (raw == MAP_FAILED)
		return -errno;
	va = (uint8_t *)(((uintptr_t)raw + want - 1) & ~(uintptr_t)(want - 1));
	madvise(va, want, MADV_HUGEPAGE);
	memset(va, 0x5a, want);
	mlock(va, want);
	fd = open("/proc/self/pagemap", O_RDONLY);
	if (fd < 0)
		return -errno;
	for (size_t off = 0; off < want; off += 4096) {
		uint64_t e = 0;

		if (pread(fd, &e, 8, ((uintptr_t)va + off) / 4096 * 8) != 8 ||
		    !(e & (1ULL << 63)))
			e = 0;
		e &= (1ULL << 55) - 1;
		if (!e || off == start || e != prev + 1) {
			start = off;
			pfn0 = e;
		}
		prev = e;
		if (e && off + 4096 - start > best) {
			best = off + 4096 - start;
			best_start = start;
			best_pfn = pfn0;
		}
	}
	close(fd);
	if (best) {
		a->va = va + best_start;
		a->pa = best_pfn * 4096;
		a->len = best;
	}
	return 0;
}

static bool fwcfg_present, fwcfg_dma;

static uint32_t bswap32(uint32_t v)
{
	return __builtin_bswap32(v);
}

/* Start the DMA at descriptor address gpa: high half, then low half. */
static void dma_kick(uint64_t gpa)
{
	outl(bswap32((uint32_t)(gpa >> 32)), FWCFG_DMA);
	outl(bswap32((uint32_t)gpa), FWCFG_DMA + 4);
}

static void desc_put(uint8_t *d, uint32_t ctl, uint32_t len, uint64_t addr)
{
	uint32_t c = bswap32(ctl), l = bswap32(len);
	uint64_t x = __builtin_bswap64(addr);

	memcpy(d, &c, 4);
	memcpy(d + 4, &l, 4);
	memcpy(d + 8, &x, 8);
}

static uint32_t desc_ctl(const uint8_t *d)
{
	uint32_t c;

	memcpy(&c, d, 4);
	return bswap32(c);
}

/* Is fw_cfg there, with DMA?  (The signature and FW_CFG_ID bit 1.) */
static void fwcfg_probe(void)
{
	char sig[5] = {0};

	outw(0, FWCFG_SEL);
	for (int i = 0; i < 4; i++)
		sig[i] = (char)inb(FWCFG_DATA);
	fwcfg_present = !memcmp(sig, "QEMU", 4);
	if (!fwcfg_present)
		return;
	outw(1, FWCFG_SEL);
	fwcfg_dma = inb(FWCFG_DATA) & 2;
}

/* The signature by DMA into the arena: proves the arena's physical
 * address and that fw_cfg DMA works. */
static bool dma_selfcheck(struct arena *a)
{
	uint8_t *d = a->va, *buf = a->va + 64;

	if (!fwcfg_dma || a->len < 4096)
		return false;
	memset(buf, 0, 8);
	desc_put(d, DMA_CTL_SELECT | DMA_CTL_READ, 4, a->pa + 64);
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	dma_kick(a->pa);
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	return desc_ctl(d) == 0 && !memcmp(buf, "QEMU", 4);
}

static uint32_t rnd_dma_len(void)
{
	switch (below(7)) {
	case 0:
		return 0;
	case 1:
		return 1 + (uint32_t)below(16);
	case 2:
		return 1 + (uint32_t)below(4096);
	case 3:
		return 4096 + (uint32_t)below(65536);
	case 4:
		return 0xffffffffu;
	case 5:
		return 0x80000000u;
	}
	return (uint32_t)rnd();
}

/* An address no RAM slot of sevboot's covers: the PCI hole, far above RAM
 * (but under the 1 TiB of 40 physical bits), or wrapping past 2^64. */
static uint64_t rnd_outside(void)
{
	switch (below(4)) {
	case 0:
		return 0xc0000000ULL + below(0x3ec00000ULL);
	case 1: {
		uint64_t a = 0x8000000000ULL + below(0x7000000000ULL);

		return below(2) ? a & ~0xfffULL : a;
	}
	case 2:
		return 0ULL - 1 - below(8192);
	}
	return rnd() | (1ULL << 63);
}

static uint16_t rnd_key(void)
{
	switch (below(4)) {
	case 0:
		return (uint16_t)below(0x20); /* the fixed keys */
	case 1:
		return (uint16_t)(0x20 + below(16)); /* the files */
	case 2:
		return (uint16_t)(0x8000 + below(8)); /* arch-local (e820) */
	}
	return (uint16_t)rnd();
}

/* The device works synchronously: once the low half is written, only
 * "done" (0) or "error" (1) may be left in the control field. */
static void dma_check(const uint8_t *d, uint32_t ctl, uint32_t len,
		      uint64_t addr, uint64_t desc_pa)
{
	uint32_t after = desc_ctl(d);

	if (after <= DMA_CTL_ERROR)
		return;
	if (COUNT(dma_bad_status) == 1) {
		st->bad_before = ctl;
		st->bad_after = after;
		st->bad_len = len;
		st->bad_addr = addr;
		st->bad_desc = desc_pa;
	}
}

/* One DMA descriptor, well or badly formed. */
static void storm_dma(struct arena *a)
{
	uint32_t ctl, len = rnd_dma_len();
	size_t doff, toff;
	uint64_t addr, desc_pa;
	bool target_in_arena = false;

	if (!fwcfg_dma)
		return;
	switch (below(8)) {
	case 0:
	case 1:
	case 2:
		ctl = DMA_CTL_SELECT | DMA_CTL_READ | (uint32_t)rnd_key() << 16;
		break;
	case 3:
		ctl = DMA_CTL_READ;
		break;
	case 4:
		ctl = DMA_CTL_SKIP | (below(2) ? DMA_CTL_SELECT : 0) |
		      (uint32_t)rnd_key() << 16;
		break;
	case 5:
		ctl = DMA_CTL_WRITE | DMA_CTL_SELECT |
		      (uint32_t)rnd_key() << 16;
		break;
	case 6:
		ctl = DMA_CTL_SELECT | (uint32_t)rnd_key() << 16;
		break;
	default:
		ctl = (uint32_t)rnd();
	}
	doff = a->len >= 32 ? below(a->len - 16) : 0;
	if (below(2))
		doff &= ~(size_t)15;
	switch (a->len >= 4096 ? below(4) : 2) {
	case 0:
	case 1:
		toff = below(a->len);
		addr = a->pa + toff;
		target_in_arena = true;
		break;
	case 2:
		addr = rnd_outside();
		break;
	default: /* the transfer runs over its own descriptor */
		toff = doff >= 64 ? doff - below(64) : doff;
		addr = a->pa + toff;
		target_in_arena = true;
	}
	/* Memory DMA writes stays in the arena (the guest kernel's is not
	 * ours to break). */
	if (target_in_arena && len > a->len - (addr - a->pa))
		len = (uint32_t)(a->len - (addr - a->pa));
	if (!dma_lock())
		return;
	if (a->len < 32) {
		/* No arena: descriptors outside RAM only. */
		COUNT(dma);
		COUNT(dma_outside);
		dma_kick(rnd_outside());
		dma_unlock();
		return;
	}
	desc_put(a->va + doff, ctl, len, addr);
	desc_pa = a->pa + doff;
	COUNT(dma);
	if (target_in_arena)
		COUNT(dma_in_ram);
	else
		COUNT(dma_outside);
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	switch (below(8)) {
	case 0: /* the descriptor itself outside RAM */
		dma_kick(rnd_outside());
		break;
	case 1: /* the high half only */
		outl(bswap32((uint32_t)(desc_pa >> 32)), FWCFG_DMA);
		break;
	default:
		dma_kick(desc_pa);
		__atomic_thread_fence(__ATOMIC_SEQ_CST);
		dma_check(a->va + doff, ctl, len, addr, desc_pa);
	}
	dma_unlock();
}

static void storm_fwcfg(struct arena *a)
{
	switch (below(4)) {
	case 0:
		COUNT(fw_sel);
		port_write(FWCFG_SEL, rnd_key(), below(4) ? 2 : rnd_width());
		break;
	case 1: {
		unsigned n = 1 + (unsigned)below(64);

		COUNT(fw_data);
		for (unsigned i = 0; i < n; i++)
			port_read(FWCFG_SEL + (unsigned)below(2), rnd_width());
		break;
	}
	default:
		storm_dma(a);
	}
}

/* --------------------------------------------------------------- MMIO */

struct window {
	uint64_t pa;
	volatile uint8_t *va;
};

static struct window win[NR_WINDOWS];
static unsigned nwin;

/* Where MMIO windows go: no RAM slot of sevboot's and no KVM device. */
static uint64_t window_place(uint64_t high_start)
{
	static const struct range r[] = {
		{0xc0000000ULL, 0x3ec00000ULL}, /* PCI hole */
		{0xfec01000ULL, 0x1ff000ULL},	/* IOAPIC+4K .. LAPIC */
		{0xfee01000ULL, 0x1fb000ULL},	/* LAPIC+4K .. TSS */
		{0xff000000ULL, 0xc00000ULL},	/* below the firmware */
		{0, 16ULL << 30},		/* above RAM */
	};
	unsigned i = (unsigned)below(5);
	uint64_t base = i == 4 ? high_start : r[i].base;

	return (base + below(r[i].len - WINDOW_LEN)) & ~4095ULL;
}

/* Map NR_WINDOWS windows of /dev/mem; returns how many. */
static void windows_map(uint64_t high_start)
{
	int fd = open("/dev/mem", O_RDWR | O_SYNC);
	int first_err = 0;
	uint64_t first_pa = 0;
	unsigned refused = 0;

	if (fd < 0) {
		say("MMIO: /dev/mem: %s: no MMIO storm", strerror(errno));
		return;
	}
	for (unsigned i = 0; i < NR_WINDOWS; i++) {
		uint64_t pa = window_place(high_start);
		void *p = mmap(NULL, WINDOW_LEN, PROT_READ | PROT_WRITE,
			       MAP_SHARED, fd, (off_t)pa);

		if (p == MAP_FAILED) {
			if (!refused++) {
				first_err = errno;
				first_pa = pa;
			}
			continue;
		}
		win[nwin].pa = pa;
		win[nwin++].va = p;
	}
	close(fd);
	say("MMIO: %u of %u /dev/mem windows of %u KiB mapped%s", nwin,
	    NR_WINDOWS, WINDOW_LEN / 1024, refused ? "; first refusal:" : "");
	if (refused)
		say("MMIO: mmap of /dev/mem at 0x%llx: %s",
		    (unsigned long long)first_pa, strerror(first_err));
}

static void storm_mmio(void)
{
	struct window *w;
	unsigned len, off;
	uint64_t v = rnd();

	if (!nwin)
		return;
	w = &win[below(nwin)];
	len = 1u << below(4);
	off = (unsigned)below(WINDOW_LEN - 16);
	if (below(2))
		off &= ~(len - 1);
	switch (below(8)) {
	case 0: { /* 16 bytes in one instruction: KVM splits it */
		uint8_t buf[16];

		COUNT(mmio_wide);
		if (below(2)) {
			memcpy(buf, &v, 8);
			memcpy(buf + 8, &v, 8);
			__asm__ volatile("movdqu (%0), %%xmm0\n\t"
					 "movdqu %%xmm0, (%1)"
					 :
					 : "r"(buf), "r"(w->va + off)
					 : "xmm0", "memory");
		} else {
			__asm__ volatile("movdqu (%0), %%xmm0\n\t"
					 "movdqu %%xmm0, (%1)"
					 :
					 : "r"(w->va + off), "r"(buf)
					 : "xmm0", "memory");
		}
		return;
	}
	case 1: { /* rep movsb, in or out */
		uint8_t buf[64];
		/* Within the window: past it lies another mapping or none. */
		size_t n = 1 + below(WINDOW_LEN - off < sizeof(buf)
					     ? WINDOW_LEN - off
					     : sizeof(buf));
		const void *src = buf;
		void *dst = (void *)(w->va + off);

		COUNT(mmio_wide);
		if (below(2)) {
			dst = buf;
			src = (const void *)(w->va + off);
		}
		__asm__ volatile("rep movsb"
				 : "+D"(dst), "+S"(src), "+c"(n)
				 :
				 : "memory");
		return;
	}
	case 2:
	case 3:
	case 4:
		COUNT(mmio_r);
		switch (len) {
		case 1:
			(void)*(volatile uint8_t *)(w->va + off);
			break;
		case 2:
			(void)*(volatile uint16_t *)(w->va + off);
			break;
		case 4:
			(void)*(volatile uint32_t *)(w->va + off);
			break;
		default:
			(void)*(volatile uint64_t *)(w->va + off);
		}
		return;
	}
	COUNT(mmio_w);
	switch (len) {
	case 1:
		*(volatile uint8_t *)(w->va + off) = (uint8_t)v;
		break;
	case 2:
		*(volatile uint16_t *)(w->va + off) = (uint16_t)v;
		break;
	case 4:
		*(volatile uint32_t *)(w->va + off) = (uint32_t)v;
		break;
	default:
		*(volatile uint64_t *)(w->va + off) = v;
	}
}

/* -------------------------------------------------------------- storm */

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void storm(unsigned cpu, uint64_t seed, double until)
{
	struct arena a;
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	sched_setaffinity(0, sizeof(set), &set);
	rng_state = seed;
	if (arena_make(&a) < 0)
		a.len = 0;
	while (now() < until) {
		for (int i = 0; i < 64; i++) {
			unsigned op = (unsigned)below(100);

			if (op < 35)
				storm_port(false);
			else if (op < 50)
				storm_port(true);
			else if (op < 60)
				storm_pci();
			else if (op < 80)
				storm_fwcfg(&a);
			else
				storm_mmio();
		}
	}
	_exit(0);
}

/* ------------------------------------------------------- the end of it */

/* The UART back to 115200 8N1, FIFOs on, no loopback, OUT2 set, so the
 * kernel's console reaches the host again; its interrupts off (IER 0),
 * so the kernel's driver does not take THRE from under our polled lines;
 * then a line end, so what the storm left half-written ends there. */
static void uart_restore(void)
{
	outb(0x80, 0x3fb);
	outb(0x01, 0x3f8);
	outb(0x00, 0x3f9);
	outb(0x03, 0x3fb);
	outb(0x00, 0x3f9);
	outb(0x07, 0x3fa);
	outb(0x0b, 0x3fc);
	uart_puts("\r\n");
}

/* ACPI S5 as sevboot's PM device expects it: the PM block back at PM_BASE
 * and enabled (PMBA, PMIOSE), then SLP_TYP 0 (sevboot's _S5) | SLP_EN to
 * PM1a_CNT.  If that does not stop the machine, the debug-exit port does
 * (sevboot exits 64 + 33 = 97, which the test reports). */
static void power_off(void)
{
	outl(PCI_CFG(1, 3, 0x40), 0xcf8);
	outl(PM_BASE | 1, 0xcfc);
	outl(PCI_CFG(1, 3, 0x80), 0xcf8);
	outb(0x01, 0xcfc);
	outw(PM1_CNT_SLP_TYP_S5 | PM1_CNT_SLP_EN, PM_BASE + 4);
	sleep(2);
	say("ACPI S5 did not stop the machine; debug exit 33");
	outb(33, 0x501);
	for (;;)
		pause();
}

static uint64_t high_mmio_start(void)
{
	FILE *f = fopen("/proc/meminfo", "r");
	unsigned long long kb = 0;
	uint64_t ram;

	if (f) {
		if (fscanf(f, "MemTotal: %llu kB", &kb) != 1)
			kb = 0;
		fclose(f);
	}
	ram = (uint64_t)kb << 10;
	/* sevboot: RAM above 3 GiB continues at 4 GiB; leave 1 GiB spare. */
	return (4ULL << 30) + (ram > (3ULL << 30) ? ram - (3ULL << 30) : 0) +
	       (1ULL << 30);
}

static void report(double secs)
{
	say("done after %.0f s: %llu port writes, %llu reads, %llu string "
	    "I/O (%llu at sevboot's devices, %llu defused), %llu PCI cycles",
	    secs, (unsigned long long)st->out, (unsigned long long)st->in,
	    (unsigned long long)st->str, (unsigned long long)st->decoded,
	    (unsigned long long)st->defused, (unsigned long long)st->pci);
	say("fw_cfg: %llu selects, %llu data bursts, %llu DMA (%llu into "
	    "RAM, %llu outside, %llu register writes), %llu bad DMA status",
	    (unsigned long long)st->fw_sel, (unsigned long long)st->fw_data,
	    (unsigned long long)st->dma, (unsigned long long)st->dma_in_ram,
	    (unsigned long long)st->dma_outside,
	    (unsigned long long)st->dma_junk,
	    (unsigned long long)st->dma_bad_status);
	if (st->dma_bad_status)
		say("fw_cfg: first descriptor left without a status: at "
		    "0x%llx, "
		    "control 0x%x -> 0x%x, length 0x%x, address 0x%llx",
		    (unsigned long long)st->bad_desc, st->bad_before,
		    st->bad_after, st->bad_len,
		    (unsigned long long)st->bad_addr);
	say("MMIO: %llu writes, %llu reads, %llu wide; %llu storm restarts",
	    (unsigned long long)st->mmio_w, (unsigned long long)st->mmio_r,
	    (unsigned long long)st->mmio_wide,
	    (unsigned long long)st->restarts);
}

/* Fork one storm per CPU; restart one that dies (a signal from a broken
 * guest kernel) until the end.  Returns when the time is up, every storm
 * killed and reaped. */
static void run_storms(unsigned ncpu, uint64_t seed, double until)
{
	pid_t pid[MAX_CHILDREN] = {0};
	unsigned gen[MAX_CHILDREN] = {0};

	for (;;) {
		bool over = now() >= until;
		int status;
		pid_t p;

		for (unsigned c = 0; c < ncpu && !over; c++) {
			uint64_t s = seed ^ ((uint64_t)c << 56) ^
				     ((uint64_t)gen[c] << 40);

			if (pid[c] > 0)
				continue;
			pid[c] = fork();
			if (pid[c] == 0)
				storm(c, splitmix64(&s), until);
			if (gen[c]++)
				COUNT(restarts);
		}
		if (over)
			break;
		sleep(1);
		while ((p = waitpid(-1, &status, WNOHANG)) > 0)
			for (unsigned c = 0; c < ncpu; c++)
				if (pid[c] == p) {
					pid[c] = 0;
					if (WIFSIGNALED(status))
						say("storm on CPU %u died of "
						    "signal %d; restarted",
						    c, WTERMSIG(status));
				}
	}
	for (unsigned c = 0; c < ncpu; c++)
		if (pid[c] > 0)
			kill(pid[c], SIGKILL);
	while (waitpid(-1, NULL, 0) > 0 || errno == EINTR)
		;
	dma_unlock(); /* a storm killed while holding it */
}

int main(int argc, char **argv)
{
	unsigned secs, ncpu;
	uint64_t seed = 0;
	struct arena a;
	double t0;

	if (argc < 2 || argc > 3 || atoi(argv[1]) <= 0) {
		fprintf(stderr, "usage: hostile SECONDS [SEED]\n");
		return 2;
	}
	secs = (unsigned)atoi(argv[1]);
	if (argc == 3)
		seed = strtoull(argv[2], NULL, 0);
	if (!seed && getrandom(&seed, sizeof(seed), 0) != sizeof(seed))
		seed = (uint64_t)time(NULL);
	if (iopl(3) < 0) {
		say("iopl(3): %s", strerror(errno));
		return 1;
	}
	st = mmap(NULL, sizeof(*st), PROT_READ | PROT_WRITE,
		  MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (st == MAP_FAILED)
		return 1;
	ncpu = (unsigned)sysconf(_SC_NPROCESSORS_ONLN);
	if (ncpu < 1 || ncpu > MAX_CHILDREN)
		ncpu = ncpu < 1 ? 1 : MAX_CHILDREN;
	say("seed %llu, %u s, %u CPU%s (replay: "
	    "sevtest.action=hostile:%u:%llu)",
	    (unsigned long long)seed, secs, ncpu, ncpu == 1 ? "" : "s", secs,
	    (unsigned long long)seed);

	rng_state = seed;
	windows_map(high_mmio_start());
	fwcfg_probe();
	if (arena_make(&a) < 0)
		a.len = 0;
	say("fw_cfg: %s; DMA arena %zu KiB at 0x%llx; self-check before: %s",
	    !fwcfg_present ? "absent (direct boot)"
	    : fwcfg_dma	   ? "present, with DMA"
			   : "present, no DMA",
	    a.len / 1024, (unsigned long long)a.pa,
	    dma_selfcheck(&a) ? "ok" : "not run or failed");

	t0 = now();
	run_storms(ncpu, seed, t0 + secs);

	via_uart = true;
	uart_restore();
	report(now() - t0);
	fwcfg_probe();
	say("after the storm: fw_cfg %s; DMA self-check %s",
	    fwcfg_present ? "answers" : "silent",
	    dma_selfcheck(&a) ? "ok" : "not run or failed");
	say("powering off through ACPI");
	power_off();
	return 0;
}
