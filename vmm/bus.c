// SPDX-License-Identifier: MIT
/*
 * The port/MMIO bus: a small table of ranges, searched linearly.
 *
 * A VM has a few dozen ranges at most, so a sorted structure would cost more
 * code than it saves time.  One mutex serialises every handler of a bus: the
 * devices are simple state machines and a single lock keeps them free of
 * per-device locking (vCPU threads and the serial input thread share it).
 */
#include <errno.h>
#include <string.h>

#include "vmm/dev.h"

void bus_init(struct bus *b)
{
	memset(b, 0, sizeof(*b));
	pthread_mutex_init(&b->lock, NULL);
}

/* True if [base, base+len) would wrap around the 64-bit address space. */
static bool range_wraps(uint64_t base, uint64_t len)
{
	return len && base + len - 1 < base;
}

/* Does [base, base+len) overlap any enabled range other than skip? */
static bool bus_overlaps(const struct bus *b, int skip, uint64_t base,
			 uint64_t len)
{
	if (!len)
		return false;
	for (unsigned i = 0; i < b->n; i++) {
		const struct bus_range *r = &b->r[i];

		if ((int)i == skip || !r->len)
			continue;
		/* Compare last addresses: a range may end at 2^64. */
		if (base <= r->base + (r->len - 1) &&
		    r->base <= base + (len - 1))
			return true;
	}
	return false;
}

int bus_add(struct bus *b, uint64_t base, uint64_t len, bus_read_fn rd,
	    bus_write_fn wr, void *dev, const char *name)
{
	if (range_wraps(base, len))
		return -EINVAL;
	if (bus_overlaps(b, -1, base, len))
		return -EEXIST;
	if (b->n >= BUS_MAX_RANGES)
		return -ENOSPC;

	struct bus_range *r = &b->r[b->n];

	r->base = base;
	r->len = len;
	r->read = rd;
	r->write = wr;
	r->dev = dev;
	r->name = name;
	return (int)b->n++;
}

int bus_remap(struct bus *b, int id, uint64_t base, uint64_t len)
{
	if (id < 0 || (unsigned)id >= b->n)
		return -EINVAL;
	if (range_wraps(base, len))
		return -EINVAL;
	if (bus_overlaps(b, id, base, len))
		return -EEXIST;
	b->r[id].base = base;
	b->r[id].len = len;
	return 0;
}

bool bus_access(struct bus *b, uint64_t addr, uint8_t *data, unsigned len,
		bool is_write)
{
	bool handled = false;

	if (len < 1 || len > 8) {
		if (!is_write && len)
			memset(data, 0xff, len > 8 ? 8 : len);
		return false;
	}

	pthread_mutex_lock(&b->lock);
	for (unsigned i = 0; i < b->n; i++) {
		const struct bus_range *r = &b->r[i];
		uint64_t off = addr - r->base;

		if (!r->len || addr < r->base || off >= r->len)
			continue;
		/*
		 * The range holding addr owns the access only if all of it
		 * fits; a straddling access is not split across devices,
		 * since no device here expects half of a wide access.
		 */
		if (len > r->len - off)
			break;
		if (is_write) {
			if (r->write)
				r->write(r->dev, off, data, len);
		} else {
			/* Pre-fill so that a handler that leaves bytes
			 * untouched never leaks stale caller memory. */
			memset(data, 0xff, len);
			if (r->read)
				r->read(r->dev, off, data, len);
		}
		handled = true;
		break;
	}
	pthread_mutex_unlock(&b->lock);

	if (!handled && !is_write)
		memset(data, 0xff, len);
	return handled;
}
