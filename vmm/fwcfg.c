// SPDX-License-Identifier: MIT
/*
 * QEMU fw_cfg, as OVMF and Linux use it on x86 (QEMU docs/specs/fw_cfg.rst).
 *
 * Ports: 0x510 selector (16-bit write), 0x511 data (8-bit read), 0x514..0x51b
 * DMA address (two big-endian 32-bit halves; writing the low half starts the
 * transfer).  Items are either referenced (kernel, initrd: megabytes that the
 * machine keeps mapped anyway) or small copied integers.  Named files get
 * selectors from FW_CFG_FILE_FIRST in name order, as in QEMU, and are listed
 * in FW_CFG_FILE_DIR, rebuilt whenever a file is added.
 *
 * Everything the guest controls (selector, offsets, DMA descriptor, DMA
 * target) is bounds-checked; guest memory is reached only via gpa_ptr.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "loader/loader.h"
#include "vmm/dev.h"

#define FWCFG_DMA_BASE	 (FWCFG_IO_BASE + 4)
#define FWCFG_NAME_LEN	 56
#define FWCFG_ARCH_LOCAL 0x8000
/* Files may use selectors FW_CFG_FILE_FIRST .. FWCFG_ARCH_LOCAL - 1. */
#define FWCFG_MAX_FILES (FWCFG_ARCH_LOCAL - FW_CFG_FILE_FIRST)

#define DMA_CTL_ERROR  0x01
#define DMA_CTL_READ   0x02
#define DMA_CTL_SKIP   0x04
#define DMA_CTL_SELECT 0x08
#define DMA_CTL_WRITE  0x10

/* "QEMU CFG", read back from the DMA address register. */
static const uint8_t dma_signature[8] = {'Q', 'E', 'M', 'U',
					 ' ', 'C', 'F', 'G'};

/* DMA is done in chunks that never cross a page, so a transfer spanning two
 * RAM slots (or ending just past RAM) is handled byte-exactly. */
#define DMA_CHUNK 4096

struct fwcfg_item {
	uint16_t key;
	uint32_t len;
	const uint8_t *data; /* NULL: use val */
	uint8_t val[8];
	bool release; /* data is a file mapping: drop pages once read */
};

struct fwcfg_file {
	char name[FWCFG_NAME_LEN];
	uint32_t len;
	const uint8_t *data;
};

struct fwcfg {
	struct dev_host host;
	bool dma;

	struct fwcfg_item *items;
	size_t nitems, items_cap;
	struct fwcfg_file *files; /* sorted by name */
	size_t nfiles, files_cap;
	uint8_t *dir; /* FW_CFG_FILE_DIR contents */
	size_t dir_len;
	uint8_t id[4];

	uint16_t cur_key;
	uint32_t cur_off;
	bool cur_release; /* the selected item's release flag */
	uint64_t dma_addr;
};

static void put_be16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static void put_be32(uint8_t *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (uint8_t)(v >> (24 - 8 * i));
}

static uint64_t get_be(const uint8_t *p, unsigned n)
{
	uint64_t v = 0;

	for (unsigned i = 0; i < n; i++)
		v = v << 8 | p[i];
	return v;
}

/* The bytes behind key, or false for an unknown key. */
static bool fwcfg_lookup(const struct fwcfg *f, uint16_t key,
			 const uint8_t **data, uint32_t *len)
{
	static const uint8_t sig[4] = {'Q', 'E', 'M', 'U'};

	switch (key) {
	case FW_CFG_SIGNATURE:
		*data = sig;
		*len = sizeof(sig);
		return true;
	case FW_CFG_ID:
		*data = f->id;
		*len = sizeof(f->id);
		return true;
	case FW_CFG_FILE_DIR:
		*data = f->dir;
		*len = (uint32_t)f->dir_len;
		return true;
	}
	if (key >= FW_CFG_FILE_FIRST &&
	    (size_t)(key - FW_CFG_FILE_FIRST) < f->nfiles) {
		const struct fwcfg_file *e = &f->files[key - FW_CFG_FILE_FIRST];

		*data = e->data;
		*len = e->len;
		return true;
	}
	for (size_t i = 0; i < f->nitems; i++) {
		const struct fwcfg_item *it = &f->items[i];

		if (it->key == key) {
			*data = it->data ? it->data : it->val;
			*len = it->len;
			return true;
		}
	}
	return false;
}

/* Bytes left in the selected item from the current offset (0 if none). */
static uint32_t cur_remaining(const struct fwcfg *f, const uint8_t **p)
{
	const uint8_t *data;
	uint32_t len;

	if (!fwcfg_lookup(f, f->cur_key, &data, &len) || f->cur_off >= len)
		return 0;
	*p = data + f->cur_off;
	return len - f->cur_off;
}

static void fwcfg_select(struct fwcfg *f, uint16_t key)
{
	f->cur_key = key;
	f->cur_off = 0;
	f->cur_release = false;
	for (size_t i = 0; i < f->nitems; i++)
		if (f->items[i].key == key)
			f->cur_release = f->items[i].release;
}

static uint8_t data_byte(struct fwcfg *f)
{
	const uint8_t *p;

	/* Past the end (or an unknown key) reads 0, as in QEMU. */
	if (!cur_remaining(f, &p))
		return 0;
	f->cur_off++;
	return *p;
}

/*
 * Copy min(len, what is left) bytes of the item to guest memory at gpa, page
 * by page; the part of len beyond the item is zero-filled (a READ) or just
 * counted (a SKIP).  Returns false if guest memory is missing.
 */
static bool dma_read(struct fwcfg *f, uint64_t gpa, uint32_t len, bool skip)
{
	while (len) {
		const uint8_t *src = NULL;
		uint32_t left = cur_remaining(f, &src);
		uint64_t n = DMA_CHUNK - (gpa & (DMA_CHUNK - 1));
		uint8_t *dst;

		if (n > len)
			n = len;
		if (left && n > left)
			n = left;
		if (!skip) {
			if (!f->host.gpa_ptr)
				return false;
			dst = f->host.gpa_ptr(f->host.ctx, gpa, n);
			if (!dst)
				return false;
			if (left)
				memmove(dst, src, n);
			else
				memset(dst, 0, n);
			/* Firmware reads a kernel or initrd once: keep the
			 * copy in guest RAM, not a second one here. */
			if (left && f->cur_release)
				blob_release_pages(src, n);
		}
		if (left)
			f->cur_off += (uint32_t)n;
		gpa += n;
		len -= (uint32_t)n;
		if (skip && !left)
			break; /* skipping past the end moves nothing */
	}
	return true;
}

/* Run the FWCfgDmaAccess descriptor at f->dma_addr. */
static void dma_transfer(struct fwcfg *f)
{
	uint8_t *desc = NULL, ctl_be[4];
	uint32_t control, len;
	uint64_t addr;
	bool ok = true;

	if (f->host.gpa_ptr)
		desc = f->host.gpa_ptr(f->host.ctx, f->dma_addr, 16);
	/* A descriptor outside RAM has nowhere to report status: ignore. */
	if (!desc)
		return;
	control = (uint32_t)get_be(desc, 4);
	len = (uint32_t)get_be(desc + 4, 4);
	addr = get_be(desc + 8, 8);

	if (control & DMA_CTL_SELECT)
		fwcfg_select(f, (uint16_t)(control >> 16));
	if (control & DMA_CTL_READ)
		ok = dma_read(f, addr, len, false);
	else if (control & DMA_CTL_WRITE)
		ok = false; /* no item is guest-writable */
	else if (control & DMA_CTL_SKIP)
		ok = dma_read(f, addr, len, true);

	/* Only the control field is written back, as QEMU does; 0 = done. */
	put_be32(ctl_be, ok ? 0 : DMA_CTL_ERROR);
	memcpy(desc, ctl_be, sizeof(ctl_be));
}

/*
 * 0x510 and 0x511 both read the data byte (QEMU's combined port); a wider
 * read returns successive bytes of the item.
 */
static void fwcfg_io_read(void *dev, uint64_t off, uint8_t *data, unsigned len)
{
	struct fwcfg *f = dev;

	for (unsigned i = 0; i < len; i++)
		data[i] = data_byte(f);
}

/* A 16-bit write at 0x510 selects; byte writes are data writes, which no
 * item accepts. */
static void fwcfg_io_write(void *dev, uint64_t off, const uint8_t *data,
			   unsigned len)
{
	struct fwcfg *f = dev;

	if (off == 0 && len == 2)
		fwcfg_select(f, (uint16_t)le_get(data, 2));
}

static void fwcfg_dma_read(void *dev, uint64_t off, uint8_t *data, unsigned len)
{
	for (unsigned i = 0; i < len; i++)
		data[i] = off + i < 8 ? dma_signature[off + i] : 0xff;
}

/*
 * The address register is big-endian: high half at +0, low half at +4.
 * Writing the high half clears the low one, writing the low half (or all 8
 * bytes at once) starts the transfer.  Other shapes are ignored.
 */
static void fwcfg_dma_write(void *dev, uint64_t off, const uint8_t *data,
			    unsigned len)
{
	struct fwcfg *f = dev;
	uint64_t v = get_be(data, len);

	if (len == 4 && off == 0) {
		f->dma_addr = v << 32;
	} else if (len == 4 && off == 4) {
		f->dma_addr |= v;
		dma_transfer(f);
	} else if (len == 8 && off == 0) {
		f->dma_addr = v;
		dma_transfer(f);
	}
}

struct fwcfg *fwcfg_new(const struct dev_host *h, bool dma)
{
	struct fwcfg *f = calloc(1, sizeof(*f));

	if (!f)
		return NULL;
	if (h)
		f->host = *h;
	f->dma = dma;
	/* Bit 0: traditional interface; bit 1: DMA. */
	le_put(f->id, 4, dma ? 3 : 1);
	f->dir = calloc(1, 4); /* count 0 */
	if (!f->dir) {
		free(f);
		return NULL;
	}
	f->dir_len = 4;
	return f;
}

static bool key_reserved(const struct fwcfg *f, uint16_t key)
{
	const uint8_t *d;
	uint32_t l;

	/* Keys the device owns, the file selectors, and duplicates. */
	return key == FW_CFG_SIGNATURE || key == FW_CFG_ID ||
	       key == FW_CFG_FILE_DIR ||
	       (key >= FW_CFG_FILE_FIRST && key < FWCFG_ARCH_LOCAL) ||
	       fwcfg_lookup(f, key, &d, &l);
}

static struct fwcfg_item *item_new(struct fwcfg *f, uint16_t key, int *err)
{
	if (key >= FW_CFG_FILE_FIRST && key < FWCFG_ARCH_LOCAL) {
		*err = -EINVAL;
		return NULL;
	}
	if (key_reserved(f, key)) {
		*err = -EEXIST;
		return NULL;
	}
	if (f->nitems == f->items_cap) {
		size_t cap = f->items_cap ? 2 * f->items_cap : 16;
		struct fwcfg_item *n = realloc(f->items, cap * sizeof(*n));

		if (!n) {
			*err = -ENOMEM;
			return NULL;
		}
		f->items = n;
		f->items_cap = cap;
	}
	struct fwcfg_item *it = &f->items[f->nitems++];

	memset(it, 0, sizeof(*it));
	it->key = key;
	return it;
}

int fwcfg_add(struct fwcfg *f, uint16_t key, const void *data, size_t len)
{
	struct fwcfg_item *it;
	int err;

	if (len > UINT32_MAX || (len && !data))
		return -EINVAL;
	it = item_new(f, key, &err);
	if (!it)
		return err;
	it->len = (uint32_t)len;
	/* A zero-length item still needs a non-NULL pointer to be "ref". */
	it->data = len ? data : it->val;
	return 0;
}

int fwcfg_add_mapped(struct fwcfg *f, uint16_t key, const void *data,
		     size_t len)
{
	int ret = fwcfg_add(f, key, data, len);

	if (!ret)
		for (size_t i = 0; i < f->nitems; i++)
			if (f->items[i].key == key)
				f->items[i].release = len > 0;
	return ret;
}

static int add_small(struct fwcfg *f, uint16_t key, uint64_t v, unsigned n)
{
	struct fwcfg_item *it;
	int err;

	it = item_new(f, key, &err);
	if (!it)
		return err;
	it->len = n;
	le_put(it->val, n, v);
	it->data = NULL;
	return 0;
}

int fwcfg_add_u16(struct fwcfg *f, uint16_t key, uint16_t v)
{
	return add_small(f, key, v, 2);
}

int fwcfg_add_u32(struct fwcfg *f, uint16_t key, uint32_t v)
{
	return add_small(f, key, v, 4);
}

int fwcfg_add_u64(struct fwcfg *f, uint16_t key, uint64_t v)
{
	return add_small(f, key, v, 8);
}

/* Rebuild FW_CFG_FILE_DIR: be32 count, then 64-byte entries. */
static int dir_rebuild(struct fwcfg *f)
{
	size_t len = 4 + f->nfiles * 64;
	uint8_t *d = calloc(1, len);

	if (!d)
		return -ENOMEM;
	put_be32(d, (uint32_t)f->nfiles);
	for (size_t i = 0; i < f->nfiles; i++) {
		uint8_t *e = d + 4 + i * 64;

		put_be32(e, f->files[i].len);
		put_be16(e + 4, (uint16_t)(FW_CFG_FILE_FIRST + i));
		memcpy(e + 8, f->files[i].name, FWCFG_NAME_LEN);
	}
	free(f->dir);
	f->dir = d;
	f->dir_len = len;
	return 0;
}

int fwcfg_add_file(struct fwcfg *f, const char *name, const void *data,
		   size_t len)
{
	size_t nlen, pos;
	int err;

	if (!name || len > UINT32_MAX || (len && !data))
		return -EINVAL;
	nlen = strnlen(name, FWCFG_NAME_LEN);
	if (!nlen)
		return -EINVAL;
	if (nlen >= FWCFG_NAME_LEN)
		return -ENAMETOOLONG;
	if (f->nfiles >= FWCFG_MAX_FILES)
		return -ENOSPC;

	/* Keep the array sorted (strcmp, as QEMU) to assign selectors. */
	for (pos = 0; pos < f->nfiles; pos++) {
		int c = strcmp(name, f->files[pos].name);

		if (!c)
			return -EEXIST;
		if (c < 0)
			break;
	}

	if (f->nfiles == f->files_cap) {
		size_t cap = f->files_cap ? 2 * f->files_cap : 8;
		struct fwcfg_file *n = realloc(f->files, cap * sizeof(*n));

		if (!n)
			return -ENOMEM;
		f->files = n;
		f->files_cap = cap;
	}
	memmove(&f->files[pos + 1], &f->files[pos],
		(f->nfiles - pos) * sizeof(*f->files));
	memset(&f->files[pos], 0, sizeof(f->files[pos]));
	memcpy(f->files[pos].name, name, nlen);
	f->files[pos].len = (uint32_t)len;
	f->files[pos].data = len ? data : (const uint8_t *)"";
	f->nfiles++;

	err = dir_rebuild(f);
	if (err) {
		f->nfiles--;
		memmove(&f->files[pos], &f->files[pos + 1],
			(f->nfiles - pos) * sizeof(*f->files));
	}
	return err;
}

int fwcfg_attach(struct fwcfg *f, struct bus *io)
{
	/* Selector/data; the DMA register only when DMA is offered, so a
	 * guest that ignores FW_CFG_ID still sees nothing there. */
	int id = bus_add(io, FWCFG_IO_BASE, 2, fwcfg_io_read, fwcfg_io_write, f,
			 "fw_cfg");

	if (id < 0)
		return id;
	if (!f->dma)
		return 0;
	id = bus_add(io, FWCFG_DMA_BASE, 8, fwcfg_dma_read, fwcfg_dma_write, f,
		     "fw_cfg-dma");
	return id < 0 ? id : 0;
}

void fwcfg_free(struct fwcfg *f)
{
	if (!f)
		return;
	free(f->items);
	free(f->files);
	free(f->dir);
	free(f);
}
