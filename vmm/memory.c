// SPDX-License-Identifier: MIT
/*
 * vmm/memory.c: guest memory services.  RAM slots (lazily backed anonymous
 * memory), for private memory (SNP) a guest_memfd behind every slot with
 * all of it private to start with, the conversions the guest asks for,
 * and the host's view of guest addresses.
 *
 * The kernel's rules (Documentation/virt/kvm/api.rst,
 * KVM_SET_USER_MEMORY_REGION2, KVM_CREATE_GUEST_MEMFD,
 * KVM_SET_MEMORY_ATTRIBUTES): a guest_memfd slot keeps its shared half in
 * the userspace mapping and its private half in the guest_memfd; which
 * half backs a page is the page's PRIVATE attribute.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/falloc.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "util/kvm_uapi.h"
#include "util/util.h"
#include "vmm/machine.h"

void *machine_gpa_ptr(struct machine *m, uint64_t gpa, uint64_t len)
{
	for (unsigned i = 0; i < m->nslots; i++) {
		struct mem_slot *s = &m->slots[i];

		if (gpa >= s->gpa && gpa - s->gpa <= s->size &&
		    len <= s->size - (gpa - s->gpa))
			return s->hva + (gpa - s->gpa);
	}
	return NULL;
}

/* KVM_SET_MEMORY_ATTRIBUTES, or its record for the firmware model's
 * kernel-rules layer (which fills err). */
static int set_attributes(struct machine *m, uint64_t gpa, uint64_t size,
			  bool private, char *err, size_t errlen)
{
	struct kvm_memory_attributes a = {
		.address = gpa,
		.size = size,
		.attributes = private ? KVM_MEMORY_ATTRIBUTE_PRIVATE : 0,
	};
	struct sev_vm_call c = { .kind = SEV_VM_SET_ATTRIBUTES,
				 .gpa = gpa,
				 .size = size,
				 .private_mem = private };

	if (m->record)
		return cvm_record(m, &c, err, errlen);
	return ioctl(m->vm_fd, KVM_SET_MEMORY_ATTRIBUTES, &a) < 0 ? -errno
								   : 0;
}

/* An ordinary slot (KVM_SET_USER_MEMORY_REGION) for s. */
static int add_plain_slot(struct machine *m, struct mem_slot *s, char *err,
			  size_t errlen)
{
	struct kvm_userspace_memory_region r = {
		.slot = m->nslots - 1,
		.guest_phys_addr = s->gpa,
		.memory_size = s->size,
		.userspace_addr = (uintptr_t)s->hva,
	};
	int ret;

	if (ioctl(m->vm_fd, KVM_SET_USER_MEMORY_REGION, &r) < 0) {
		ret = -errno;
		set_err(err, errlen,
			"KVM_SET_USER_MEMORY_REGION [0x%llx, +0x%llx): %s",
			(unsigned long long)s->gpa,
			(unsigned long long)s->size, strerror(-ret));
		return ret;
	}
	return 0;
}

/* The slot as KVM_SET_USER_MEMORY_REGION(2) would make it, recorded for
 * the firmware model (whose plain VM gets the ordinary slot). */
static int record_slot(struct machine *m, struct mem_slot *s, bool private,
		       char *err, size_t errlen)
{
	struct sev_vm_call c = { .kind = SEV_VM_SLOT,
				 .gpa = s->gpa,
				 .size = s->size,
				 .hva = s->hva,
				 .private_mem = private };
	int ret = add_plain_slot(m, s, err, errlen);

	return ret ? ret : cvm_record(m, &c, err, errlen);
}

/*
 * SNP: the slot's private half is a guest_memfd, its shared half the
 * anonymous mapping (memslots v2).  KVM_SEV_SNP_LAUNCH_UPDATE copies from
 * the shared mapping into the private pages.  All of it starts private,
 * as QEMU does; the guest converts what it shares.
 */
static int add_private_slot(struct machine *m, struct mem_slot *s, char *err,
			    size_t errlen)
{
	struct kvm_create_guest_memfd g = { .size = s->size };
	struct kvm_userspace_memory_region2 r;
	int ret;

	if (m->record) {
		ret = record_slot(m, s, true, err, errlen);
		return ret ? ret
			   : set_attributes(m, s->gpa, s->size, true, err,
					    errlen);
	}
	s->gmem_fd = ioctl(m->vm_fd, KVM_CREATE_GUEST_MEMFD, &g);
	if (s->gmem_fd < 0) {
		ret = -errno;
		s->gmem_fd = -1;
		set_err(err, errlen, "KVM_CREATE_GUEST_MEMFD (%llu MiB): %s",
			(unsigned long long)(s->size >> 20), strerror(errno));
		return ret;
	}
	r = (struct kvm_userspace_memory_region2){
		.slot = m->nslots - 1,
		.flags = KVM_MEM_GUEST_MEMFD,
		.guest_phys_addr = s->gpa,
		.memory_size = s->size,
		.userspace_addr = (uintptr_t)s->hva,
		.guest_memfd_offset = 0,
		.guest_memfd = (uint32_t)s->gmem_fd,
	};
	if (ioctl(m->vm_fd, KVM_SET_USER_MEMORY_REGION2, &r) < 0) {
		ret = -errno;
		set_err(err, errlen,
			"KVM_SET_USER_MEMORY_REGION2 [0x%llx, +0x%llx): %s",
			(unsigned long long)s->gpa,
			(unsigned long long)s->size, strerror(errno));
		return ret;
	}
	ret = set_attributes(m, s->gpa, s->size, true, err, errlen);
	if (ret)
		set_err(err, errlen,
			"KVM_SET_MEMORY_ATTRIBUTES(PRIVATE) [0x%llx, +0x%llx): "
			"%s",
			(unsigned long long)s->gpa,
			(unsigned long long)s->size, strerror(-ret));
	return ret;
}

uint8_t *mem_map_ram(uint64_t size)
{
	uint8_t *p = mmap(NULL, size, PROT_READ | PROT_WRITE,
			  MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);

	if (p == MAP_FAILED)
		return NULL;
	/* Guest memory (its secrets, once a launch injected one) stays out
	 * of core files. */
	if (madvise(p, size, MADV_DONTDUMP)) {
		int e = errno;

		munmap(p, size);
		errno = e;
		return NULL;
	}
	return p;
}

int mem_add_slot(struct machine *m, uint64_t gpa, uint64_t size,
		 struct mem_slot **out, char *err, size_t errlen)
{
	struct mem_slot *s = &m->slots[m->nslots];
	int ret;

	/* Lazily backed: MAP_NORESERVE anonymous memory is faulted in by
	 * the guest's first touch, so a 64 GiB guest starts as fast as a
	 * 64 MiB one. */
	s->hva = mem_map_ram(size);
	if (!s->hva) {
		ret = -errno;
		set_err(err, errlen,
			"cannot reserve %llu MiB of address space for guest "
			"RAM: %s",
			(unsigned long long)(size >> 20), strerror(-ret));
		return ret;
	}
	*out = s;
	s->gpa = gpa;
	s->size = size;
	s->gmem_fd = -1;
	m->nslots++;
	if (m->private_mem)
		return add_private_slot(m, s, err, errlen);
	if (m->record)
		return record_slot(m, s, false, err, errlen);
	return add_plain_slot(m, s, err, errlen);
}

int mem_release(struct machine *m, uint64_t gpa, uint64_t size,
		bool to_private)
{
	for (unsigned i = 0; i < m->nslots; i++) {
		struct mem_slot *s = &m->slots[i];
		uint64_t from = gpa > s->gpa ? gpa : s->gpa;
		uint64_t to = gpa + size < s->gpa + s->size ? gpa + size
							     : s->gpa + s->size;
		int ret;

		if (from >= to)
			continue;
		if (to_private)
			ret = madvise(s->hva + (from - s->gpa), to - from,
				      MADV_DONTNEED);
		else if (s->gmem_fd >= 0)
			ret = fallocate(s->gmem_fd,
					FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE,
					(off_t)(from - s->gpa),
					(off_t)(to - from));
		else
			ret = 0;
		if (ret)
			return -errno;
	}
	return 0;
}

int mem_convert(struct machine *m, uint64_t gpa, uint64_t size,
		bool to_private)
{
	char why[256];
	int ret;

	if (!m->private_mem)
		return 0; /* nothing is private: nothing to convert */
	ret = set_attributes(m, gpa, size, to_private, why, sizeof(why));
	/* The model's guest memory is the only copy: nothing to release. */
	if (ret || m->record)
		return ret;
	return mem_release(m, gpa, size, to_private);
}

void mem_free_slots(struct machine *m)
{
	for (unsigned i = 0; i < m->nslots; i++) {
		if (m->slots[i].hva)
			munmap(m->slots[i].hva, m->slots[i].size);
		if (m->slots[i].gmem_fd >= 0)
			close(m->slots[i].gmem_fd);
	}
	m->nslots = 0;
}

/* How much of guest RAM the guest has touched (resident in this process),
 * so memory figures can separate sevboot's own overhead. */
uint64_t mem_guest_resident(const struct machine *m)
{
	long page = sysconf(_SC_PAGESIZE);
	unsigned char vec[4096];
	uint64_t total = 0;

	for (unsigned i = 0; i < m->nslots; i++) {
		const struct mem_slot *s = &m->slots[i];

		for (uint64_t off = 0; off < s->size;
		     off += (uint64_t)page * sizeof(vec)) {
			uint64_t len = s->size - off;

			if (len > (uint64_t)page * sizeof(vec))
				len = (uint64_t)page * sizeof(vec);
			if (mincore(s->hva + off, len, vec))
				break;
			for (uint64_t p = 0; p < (len + page - 1) / page; p++)
				total += (vec[p] & 1) ? (uint64_t)page : 0;
		}
	}
	return total;
}
