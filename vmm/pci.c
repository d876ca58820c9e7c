// SPDX-License-Identifier: MIT
/*
 * PCI configuration mechanism #1 with the three functions of QEMU's i440FX
 * board that OVMF insists on: the host bridge (its device id picks the
 * platform), the PIIX3 ISA bridge and the PIIX4 power-management function,
 * whose PMBA/PMIOSE registers place the ACPI PM block (OVMF's timer library
 * and Linux's ACPI PM timer read PM_TMR there).  Also the PIIX3 reset control
 * register at 0xcf9.
 *
 * Config space is a 256-byte array per function plus a write mask: a guest
 * write changes only the writable bits, so read-only fields (ids, class,
 * header type) cannot be corrupted.  No BARs are implemented.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "vmm/dev.h"

#define PCI_ADDR_PORT 0xcf8
#define PCI_DATA_PORT 0xcfc
#define PCI_ENABLE    0x80000000u

/* Standard header offsets. */
#define CFG_VENDOR	  0x00
#define CFG_DEVICE	  0x02
#define CFG_COMMAND	  0x04
#define CFG_STATUS	  0x06
#define CFG_REVISION	  0x08
#define CFG_CLASS_PROG	  0x09
#define CFG_CACHE_LINE	  0x0c
#define CFG_LATENCY	  0x0d
#define CFG_HEADER_TYPE	  0x0e
#define CFG_SUBSYS_VENDOR 0x2c
#define CFG_SUBSYS_ID	  0x2e
#define CFG_INT_LINE	  0x3c
#define CFG_INT_PIN	  0x3d

/* PIIX4 PM function registers. */
#define PIIX4_PMBA	0x40
#define PIIX4_PMBA_MASK 0xffc0 /* bits 15:6: a 64-byte block */
#define PIIX4_PMREGMISC 0x80
#define PIIX4_PMIOSE	0x01
#define PM_BLOCK_LEN	64

/* PM block registers (offsets in the block). */
#define PM1_STS		      0x00
#define PM1_EN		      0x02
#define PM1_CNT		      0x04
#define PM_TMR		      0x08
#define PM1_CNT_SCI_EN	      0x0001
#define PM1_CNT_SLP_TYP_SHIFT 10
#define PM1_CNT_SLP_EN	      0x2000
#define PM_TMR_HZ	      3579545ULL

/* Reset control register (PIIX3 RCR). */
#define RCR_SYS_RST 0x02
#define RCR_RST_CPU 0x04

enum { FN_HOST, FN_ISA, FN_PM, NR_FNS };

struct pci_fn {
	uint8_t dev, fn;
	uint8_t cfg[256];
	uint8_t wmask[256];
};

struct pci {
	struct dev_host host;
	struct bus *io;
	uint32_t addr; /* 0xcf8 latch */
	uint8_t rcr;
	struct pci_fn fns[NR_FNS];
	int pm_id; /* bus range of the PM block, -1 before attach */
	uint16_t pm1_sts, pm1_en, pm1_cnt;
};

static void cfg_put16(struct pci_fn *f, unsigned off, uint16_t v)
{
	f->cfg[off] = (uint8_t)v;
	f->cfg[off + 1] = (uint8_t)(v >> 8);
}

static void fn_init(struct pci_fn *f, uint8_t dev, uint8_t fn, uint16_t device,
		    uint8_t rev, uint32_t class, uint8_t header_type)
{
	f->dev = dev;
	f->fn = fn;
	cfg_put16(f, CFG_VENDOR, 0x8086);
	cfg_put16(f, CFG_DEVICE, device);
	/* Fast back-to-back capable, medium DEVSEL, as the real parts. */
	cfg_put16(f, CFG_STATUS, 0x0280);
	f->cfg[CFG_REVISION] = rev;
	f->cfg[CFG_CLASS_PROG] = (uint8_t) class;
	f->cfg[CFG_CLASS_PROG + 1] = (uint8_t)(class >> 8);
	f->cfg[CFG_CLASS_PROG + 2] = (uint8_t)(class >> 16);
	f->cfg[CFG_HEADER_TYPE] = header_type;
	/* QEMU's subsystem ids; some guests print them. */
	cfg_put16(f, CFG_SUBSYS_VENDOR, 0x1af4);
	cfg_put16(f, CFG_SUBSYS_ID, 0x1100);

	/* IO, MEM, MASTER, PARITY, SERR, INTX_DISABLE. */
	f->wmask[CFG_COMMAND] = 0x47;
	f->wmask[CFG_COMMAND + 1] = 0x05;
	f->wmask[CFG_CACHE_LINE] = 0xff;
	f->wmask[CFG_LATENCY] = 0xff;
	f->wmask[CFG_INT_LINE] = 0xff;
	/* Chipset-specific registers: plain storage unless modelled. */
	memset(&f->wmask[0x40], 0xff, 0xc0);
}

static struct pci_fn *find_fn(struct pci *p, uint32_t addr)
{
	unsigned bus = (addr >> 16) & 0xff, dev = (addr >> 11) & 0x1f,
		 fn = (addr >> 8) & 7;

	if (bus != 0)
		return NULL;
	for (unsigned i = 0; i < NR_FNS; i++)
		if (p->fns[i].dev == dev && p->fns[i].fn == fn)
			return &p->fns[i];
	return NULL;
}

/* Map or unmap the PM block as PMBA/PMIOSE say.  Called with the bus lock
 * held (from a config write) or before the machine runs. */
static void pm_update(struct pci *p)
{
	const struct pci_fn *f = &p->fns[FN_PM];
	uint16_t base;

	if (p->pm_id < 0)
		return;
	if (!(f->cfg[PIIX4_PMREGMISC] & PIIX4_PMIOSE)) {
		bus_remap(p->io, p->pm_id, 0, 0);
		return;
	}
	base = (uint16_t)(le_get(&f->cfg[PIIX4_PMBA], 2) & PIIX4_PMBA_MASK);
	/* A base that collides with another device leaves the block off
	 * rather than shadowing that device. */
	if (bus_remap(p->io, p->pm_id, base, PM_BLOCK_LEN))
		bus_remap(p->io, p->pm_id, 0, 0);
}

static void cfg_write(struct pci *p, struct pci_fn *f, unsigned reg,
		      const uint8_t *data, unsigned len)
{
	bool pm_changed = false;

	for (unsigned i = 0; i < len && reg + i < 256; i++) {
		unsigned r = reg + i;
		uint8_t m = f->wmask[r];

		f->cfg[r] = (uint8_t)((f->cfg[r] & ~m) | (data[i] & m));
		if (f == &p->fns[FN_PM] &&
		    ((r >= PIIX4_PMBA && r < PIIX4_PMBA + 4) ||
		     r == PIIX4_PMREGMISC))
			pm_changed = true;
	}
	if (pm_changed)
		pm_update(p);
}

/* 0xcf8..0xcfb: the address latch (32-bit), RCR at 0xcf9 (8-bit). */
static void addr_read(void *dev, uint64_t off, uint8_t *data, unsigned len)
{
	struct pci *p = dev;

	if (off == 1 && len == 1) {
		data[0] = p->rcr;
		return;
	}
	for (unsigned i = 0; i < len; i++)
		data[i] = (uint8_t)(p->addr >> (8 * ((off + i) & 3)));
}

static void addr_write(void *dev, uint64_t off, const uint8_t *data,
		       unsigned len)
{
	struct pci *p = dev;
	uint8_t v;

	if (off == 0 && len == 4) {
		p->addr = (uint32_t)le_get(data, 4);
		return;
	}
	if (off != 1 || len != 1)
		return; /* byte pokes at the latch (probes) are ignored */
	v = data[0];
	if (v & RCR_RST_CPU) {
		if (p->host.stop)
			p->host.stop(p->host.ctx, VM_STOP_RESET, 0);
		return;
	}
	p->rcr = v & RCR_SYS_RST; /* only the reset type is kept */
}

/* 0xcfc..0xcff: config data at (latch & 0xfc) + port offset. */
static void data_read(void *dev, uint64_t off, uint8_t *data, unsigned len)
{
	struct pci *p = dev;
	struct pci_fn *f = NULL;
	unsigned reg = (p->addr & 0xfc) + (unsigned)off;

	if (p->addr & PCI_ENABLE)
		f = find_fn(p, p->addr);
	for (unsigned i = 0; i < len; i++)
		data[i] = f && reg + i < 256 ? f->cfg[reg + i] : 0xff;
}

static void data_write(void *dev, uint64_t off, const uint8_t *data,
		       unsigned len)
{
	struct pci *p = dev;
	struct pci_fn *f;

	if (!(p->addr & PCI_ENABLE))
		return;
	f = find_fn(p, p->addr);
	if (f)
		cfg_write(p, f, (p->addr & 0xfc) + (unsigned)off, data, len);
}

/* PM_TMR: free-running 24-bit count at 3.579545 MHz. */
static uint32_t pm_timer(void)
{
	struct timespec ts;
	uint64_t t;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	/* Split so the product cannot overflow for any uptime. */
	t = (uint64_t)ts.tv_sec * PM_TMR_HZ +
	    (uint64_t)ts.tv_nsec * PM_TMR_HZ / 1000000000ULL;
	return (uint32_t)(t & 0xffffff);
}

static void pm_read(void *dev, uint64_t off, uint8_t *data, unsigned len)
{
	struct pci *p = dev;
	uint32_t tmr = 0;

	if (off + len > PM_TMR && off < PM_TMR + 4)
		tmr = pm_timer();
	for (unsigned i = 0; i < len; i++) {
		uint64_t o = off + i;
		uint32_t v = 0;
		unsigned sh = 8 * (o & 1);

		if (o < PM1_STS + 2)
			v = p->pm1_sts >> sh;
		else if (o >= PM1_EN && o < PM1_EN + 2)
			v = p->pm1_en >> sh;
		else if (o >= PM1_CNT && o < PM1_CNT + 2)
			v = (p->pm1_cnt | PM1_CNT_SCI_EN) >> sh;
		else if (o >= PM_TMR && o < PM_TMR + 4)
			v = tmr >> (8 * (o - PM_TMR));
		data[i] = (uint8_t)v;
	}
}

/*
 * Merge the bytes of a write that fall in the 16-bit register at reg into
 * *val; *mask gets the bits written.  Returns false if none did.
 */
static bool merge16(uint64_t off, const uint8_t *data, unsigned len,
		    unsigned reg, uint16_t *val, uint16_t *mask)
{
	bool hit = false;

	*mask = 0;
	for (unsigned i = 0; i < len; i++) {
		uint64_t o = off + i;
		unsigned sh;

		if (o < reg || o >= reg + 2)
			continue;
		sh = 8 * (unsigned)(o - reg);
		*val = (uint16_t)((*val & ~(0xff << sh)) | (data[i] << sh));
		*mask |= (uint16_t)(0xff << sh);
		hit = true;
	}
	return hit;
}

static void pm_write(void *dev, uint64_t off, const uint8_t *data, unsigned len)
{
	struct pci *p = dev;
	uint16_t v, m;

	v = 0;
	if (merge16(off, data, len, PM1_STS, &v, &m))
		p->pm1_sts &= ~(v & m); /* write 1 to clear */
	v = p->pm1_en;
	if (merge16(off, data, len, PM1_EN, &v, &m))
		p->pm1_en = v;
	v = p->pm1_cnt;
	if (merge16(off, data, len, PM1_CNT, &v, &m)) {
		unsigned typ = (v >> PM1_CNT_SLP_TYP_SHIFT) & 7;

		/* SLP_EN is write-only: it triggers, it is not stored. */
		p->pm1_cnt = v & ~PM1_CNT_SLP_EN;
		/*
		 * QEMU's DSDT declares _S5 as SLP_TYP 0 and its PIIX4 also
		 * powers off on type 2 (its S4 value); S1/S3 are not
		 * offered, so other types are ignored.
		 */
		if ((v & PM1_CNT_SLP_EN) && (typ == 0 || typ == 2) &&
		    p->host.stop)
			p->host.stop(p->host.ctx, VM_STOP_POWEROFF, 0);
	}
}

struct pci *pci_new(const struct dev_host *h, struct bus *io)
{
	struct pci *p = calloc(1, sizeof(*p));
	struct pci_fn *f;

	if (!p)
		return NULL;
	if (h)
		p->host = *h;
	p->io = io;
	p->pm_id = -1;

	fn_init(&p->fns[FN_HOST], 0, 0, 0x1237, 0x02, 0x060000, 0x00);

	/* PIIX3: multifunction, so guests look for function 3. */
	f = &p->fns[FN_ISA];
	fn_init(f, 1, 0, 0x7000, 0x00, 0x060100, 0x80);
	/* PIRQ[A-D] routing: disabled until firmware programs it. */
	memset(&f->cfg[0x60], 0x80, 4);

	f = &p->fns[FN_PM];
	fn_init(f, 1, 3, 0x7113, 0x03, 0x068000, 0x00);
	f->cfg[CFG_INT_PIN] = 0x01;
	/* PMBA: I/O space indicator bit 0 reads 1, bits 15:6 writable. */
	f->cfg[PIIX4_PMBA] = 0x01;
	f->wmask[PIIX4_PMBA] = 0xc0;
	f->wmask[PIIX4_PMBA + 1] = 0xff;
	f->wmask[PIIX4_PMBA + 2] = 0x00;
	f->wmask[PIIX4_PMBA + 3] = 0x00;
	f->wmask[PIIX4_PMREGMISC] = PIIX4_PMIOSE;
	return p;
}

int pci_attach(struct pci *p)
{
	int id;

	id = bus_add(p->io, PCI_ADDR_PORT, 4, addr_read, addr_write, p,
		     "pci-addr");
	if (id < 0)
		return id;
	id = bus_add(p->io, PCI_DATA_PORT, 4, data_read, data_write, p,
		     "pci-data");
	if (id < 0)
		return id;
	/* The PM block's range exists from the start, disabled (len 0),
	 * so that mapping it later cannot fail for lack of slots. */
	id = bus_add(p->io, 0, 0, pm_read, pm_write, p, "acpi-pm");
	if (id < 0)
		return id;
	p->pm_id = id;
	pm_update(p);
	return 0;
}

void pci_pm_enable(struct pci *p, uint16_t pm_base)
{
	struct pci_fn *f = &p->fns[FN_PM];
	uint8_t pmba[4], misc = f->cfg[PIIX4_PMREGMISC] | PIIX4_PMIOSE;

	le_put(pmba, 4, pm_base);
	if (p->io)
		pthread_mutex_lock(&p->io->lock);
	cfg_write(p, f, PIIX4_PMBA, pmba, 4);
	cfg_write(p, f, PIIX4_PMREGMISC, &misc, 1);
	if (p->io)
		pthread_mutex_unlock(&p->io->lock);
}

void pci_free(struct pci *p)
{
	free(p);
}
