// SPDX-License-Identifier: MIT
/*
 * Benchmark (not a test): the memory an SNP guest's conversions cost the
 * host, with and without mem_release() (vmm/memory.c), issue 8 item 2.
 *
 * A guest_memfd slot backs a page twice if nothing is freed: its private
 * half in the guest_memfd and its shared half in the anonymous mapping
 * (Documentation/virt/kvm/api.rst, KVM_SET_USER_MEMORY_REGION2).  The
 * pattern below is what a Linux SNP guest does: it touches its RAM
 * privately, converts its SWIOTLB bounce buffers to shared at boot
 * (64 MiB of 2 MiB entries) and fills them, then churns DMA buffers
 * (shared for the device, written by the host, private again, touched by
 * the guest).  Without KVM here, a memfd stands in for the guest_memfd:
 * both are shmem-like files whose pages fallocate(PUNCH_HOLE) frees.
 *
 * Prints the bytes backing guest RAM (the mapping's resident pages, from
 * mincore(2), plus the file's allocated blocks, from fstat(2)) after the
 * pattern, without and with mem_release(), and the ratio.
 * usage: bench_convert [RAM_MIB] [CHURN_CONVERSIONS]
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "vmm/machine.h"

#define MIB (1ULL << 20)
#define GPA 0x100000000ULL /* high RAM, as sevboot lays it out */

struct pattern {
	uint64_t ram, touched, swiotlb, churn_area;
	unsigned churn;
};

static uint64_t backing(const struct machine *m)
{
	const struct mem_slot *s = &m->slots[0];
	struct stat st;

	if (fstat(s->gmem_fd, &st))
		return 0;
	return mem_guest_resident(m) + (uint64_t)st.st_blocks * 512;
}

/* The guest writes [off, off + len) of its RAM privately (the
 * guest_memfd's pages) or through the shared mapping. */
static int touch(struct machine *m, uint64_t off, uint64_t len, bool private)
{
	static uint8_t page[4096];
	const struct mem_slot *s = &m->slots[0];

	memset(page, 0x5a, sizeof(page));
	for (uint64_t o = off; o < off + len; o += sizeof(page)) {
		if (!private)
			memcpy(s->hva + o, page, sizeof(page));
		else if (pwrite(s->gmem_fd, page, sizeof(page), (off_t)o) !=
			 (ssize_t)sizeof(page))
			return -1;
	}
	return 0;
}

static int convert(struct machine *m, bool release, uint64_t off,
		   uint64_t len, bool to_private)
{
	if (release && mem_release(m, GPA + off, len, to_private))
		return -1;
	return touch(m, off, len, to_private);
}

/* Runs the pattern; the bytes backing guest RAM at the end, 0 on error. */
static uint64_t run(const struct pattern *p, bool release)
{
	struct machine m = { 0 };
	uint64_t result = 0, seed = 42;
	int fd = memfd_create("bench-gmem", 0);

	if (fd < 0 || ftruncate(fd, (off_t)p->ram))
		goto out;
	m.slots[0] = (struct mem_slot){ .gpa = GPA, .size = p->ram,
					.hva = mem_map_ram(p->ram),
					.gmem_fd = fd };
	m.nslots = 1;
	if (!m.slots[0].hva)
		goto out;
	/* Boot: the guest's memory, private. */
	if (touch(&m, 0, p->touched, true))
		goto out;
	/* SWIOTLB at the top of what it touched: 2 MiB entries, shared,
	 * filled by the host's devices. */
	for (uint64_t o = 0; o < p->swiotlb; o += 2 * MIB)
		if (convert(&m, release, p->touched - p->swiotlb + o, 2 * MIB,
			    false))
			goto out;
	/* DMA churn in the rest: 4 KiB to 256 KiB buffers, shared for the
	 * device, then private again. */
	for (unsigned i = 0; i < p->churn; i++) {
		uint64_t len, off;

		seed = seed * 6364136223846793005ULL + 1442695040888963407ULL;
		len = 4096ULL << ((seed >> 33) % 7);
		off = ((seed >> 17) % (p->churn_area / 4096)) * 4096;
		if (off + len > p->churn_area)
			off = p->churn_area - len;
		if (convert(&m, release, off, len, false) ||
		    convert(&m, release, off, len, true))
			goto out;
	}
	result = backing(&m);
out:
	if (m.slots[0].hva)
		munmap(m.slots[0].hva, p->ram);
	if (fd >= 0)
		close(fd);
	return result;
}

int main(int argc, char **argv)
{
	struct pattern p = { .ram = (argc > 1 ? strtoull(argv[1], NULL, 0)
					      : 1024) * MIB,
			     .churn = argc > 2 ? (unsigned)strtoul(argv[2], NULL, 0)
					       : 20000 };
	uint64_t before, after;

	p.touched = p.ram / 2;
	p.swiotlb = 64 * MIB;
	p.churn_area = p.touched - p.swiotlb;
	if (p.ram < 256 * MIB) {
		fprintf(stderr, "bench_convert: RAM_MIB must be at least 256\n");
		return 2;
	}
	before = run(&p, false);
	after = run(&p, true);
	if (!before || !after) {
		perror("bench_convert");
		return 1;
	}
	printf("guest RAM %llu MiB, touched %llu MiB (%llu MiB SWIOTLB "
	       "shared), %u DMA buffers converted shared and back\n",
	       (unsigned long long)(p.ram / MIB),
	       (unsigned long long)(p.touched / MIB),
	       (unsigned long long)(p.swiotlb / MIB), p.churn);
	printf("backing without release: %8.1f MiB\n", (double)before / MIB);
	printf("backing with release:    %8.1f MiB\n", (double)after / MIB);
	printf("ratio without/with:      %8.2fx (the guest uses %.1f MiB)\n",
	       (double)before / (double)after, (double)p.touched / MIB);
	return 0;
}
