// SPDX-License-Identifier: MIT
/*
 * sev/model/kernel.c: the kernel's rules, a transport in front of the
 * firmware model.  For every KVM_MEMORY_ENCRYPT_OP it checks what the
 * kernel checks before it calls the firmware, in the kernel's order, and
 * answers with the kernel's errno (and the kernel's firmware status: none
 * when the kernel refused, 0 where snp_launch_update() says -EIO with no
 * firmware error).  Sources: Linux arch/x86/kvm/svm/sev.c (6.12 and 6.1:
 * sev_mem_enc_ioctl(), sev_guest_init(), sev_guest_init2(),
 * __sev_guest_init(), sev_pin_memory(), sev_launch_update_data(),
 * sev_launch_update_vmsa(), sev_launch_secret(), snp_launch_start(),
 * snp_launch_update(), snp_launch_finish(),
 * sev_mem_enc_register_region()), virt/kvm/guest_memfd.c
 * kvm_gmem_populate(), virt/kvm/kvm_main.c
 * kvm_vm_ioctl_set_mem_attributes(), arch/x86/kvm/x86.c
 * kvm_arch_vcpu_ioctl_set_regs() (and the other register setters).
 *
 * What the machine would have asked of KVM for the real VM (REG_REGION,
 * guest_memfd slots, memory attributes, vCPUs, register writes) arrives
 * through sev_kernel_vm_call(), so the rules that depend on it can be
 * checked.  The layer follows one kernel (struct sev_kernel_profile):
 * before 6.10 there is no KVM_SEV_INIT2 and no SEV VM type, before 6.11
 * no SNP; those ids then fall into sev_mem_enc_ioctl()'s default case.
 *
 * Where the kernel accepts what could never work on hardware, the layer
 * refuses it all the same and says that this is its own rule, not the
 * kernel's:
 *  - LAUNCH_UPDATE_DATA / LAUNCH_SECRET on host memory that is mapped but
 *    is not guest RAM sevboot registered (the kernel pins any mapping and
 *    the firmware encrypts it in place; the guest never sees the bytes):
 *    -EFAULT.
 *  - LAUNCH_SECRET across a page boundary: the kernel needs the pinned
 *    pages physically contiguous (-EINVAL), which the layer cannot see,
 *    so it demands one page.
 *  - A vCPU created after its VMSAs were encrypted (LAUNCH_UPDATE_VMSA,
 *    SNP_LAUNCH_FINISH): its VMSA was never measured, so it cannot run:
 *    -EINVAL.
 * The firmware's own checks (alignment of LAUNCH_UPDATE_DATA, the guest
 * state after FINISH, ...) stay the model's.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/uio.h>
#include <unistd.h>

#include "sev/model/model.h"
#include "util/kvm_uapi.h"
#include "util/util.h"

#define PAGE		   4096ULL
#define KERNEL_MAX_REGIONS 8
#define KERNEL_MAX_SLOTS   8

struct kernel_slot {
	uint64_t gpa, size;
	uint8_t *hva;
	bool gmem;	       /* private-capable (guest_memfd) */
	uint8_t *private_bits; /* per page: KVM_MEMORY_ATTRIBUTE_PRIVATE */
	uint8_t *populated;    /* per page: made private in the RMP */
};

struct sev_kernel {
	struct sev_kernel_profile prof;
	unsigned long vm_type;
	struct sev_transport inner;
	enum sev_model_break brk;
	uint8_t *bad_page; /* SEVBOOT_MODEL_BREAK=uaddr: PROT_NONE */

	bool active;	  /* sev_guest(): INIT or INIT2 succeeded */
	bool es;	  /* sev_es_guest() */
	bool snp;	  /* sev_snp_guest() */
	bool snp_context; /* SNP_LAUNCH_START created the context */
	bool finished;	  /* LAUNCH_FINISH / SNP_LAUNCH_FINISH succeeded */

	struct {
		uint64_t addr, size;
	} regions[KERNEL_MAX_REGIONS];
	unsigned nregions;
	struct kernel_slot slots[KERNEL_MAX_SLOTS];
	unsigned nslots;

	unsigned nvcpus;
	uint8_t *protected; /* per vCPU: guest_state_protected */

	char why[400];
};

/* ------------------------------------------------------------- helpers */

static const char *errno_name(int e)
{
	switch (e) {
	case EINVAL:
		return "EINVAL";
	case ENOTTY:
		return "ENOTTY";
	case EPERM:
		return "EPERM";
	case ENOMEM:
		return "ENOMEM";
	case EIO:
		return "EIO";
	case EFAULT:
		return "EFAULT";
	case EBUSY:
		return "EBUSY";
	case EEXIST:
		return "EEXIST";
	}
	return "an errno";
}

/* Keep the sentence for why(), return ret (-errno). */
static int __attribute__((format(printf, 3, 4)))
refuse(struct sev_kernel *k, int ret, const char *fmt, ...)
{
	va_list ap;
	int n = snprintf(k->why, sizeof(k->why),
			 "the kernel's rules (%s): -%s: ",
			 k->prof.release[0] ? k->prof.release : "newest",
			 errno_name(-ret));

	if (n < 0 || (size_t)n >= sizeof(k->why))
		return ret;
	va_start(ap, fmt);
	vsnprintf(k->why + n, sizeof(k->why) - (size_t)n, fmt, ap);
	va_end(ap);
	return ret;
}

static bool bit_get(const uint8_t *b, uint64_t i)
{
	return b[i / 8] & (1u << (i % 8));
}

static void bit_set(uint8_t *b, uint64_t i, bool v)
{
	if (v)
		b[i / 8] |= (uint8_t)(1u << (i % 8));
	else
		b[i / 8] &= (uint8_t) ~(1u << (i % 8));
}

/*
 * Could the kernel read (pin, copy from) every page of [addr, addr+len)?
 * One byte of each page through process_vm_readv() on ourselves, which
 * fails with EFAULT where the kernel's own access would; with write, the
 * byte is written back with process_vm_writev(), which fails on a page
 * the kernel could not write either.
 */
static bool user_access(uint64_t addr, uint64_t len, bool write)
{
	uint64_t first = addr & ~(PAGE - 1), end = addr + len;
	uint8_t byte;

	for (uint64_t p = first; p < end; p += PAGE) {
		struct iovec local = {.iov_base = &byte, .iov_len = 1};
		struct iovec remote = {
			.iov_base = (void *)(uintptr_t)(p < addr ? addr : p),
			.iov_len = 1};

		if (process_vm_readv(getpid(), &local, 1, &remote, 1, 0) != 1)
			return false;
		if (write &&
		    process_vm_writev(getpid(), &local, 1, &remote, 1, 0) != 1)
			return false;
	}
	return true;
}

bool model_user_readable(uint64_t addr, uint64_t len)
{
	return user_access(addr, len, false);
}

bool model_user_writable(uint64_t addr, uint64_t len)
{
	return user_access(addr, len, true);
}

/* Inside one REG_REGION range? */
static bool registered(const struct sev_kernel *k, uint64_t addr, uint64_t len)
{
	for (unsigned i = 0; i < k->nregions; i++)
		if (addr >= k->regions[i].addr &&
		    addr - k->regions[i].addr <= k->regions[i].size &&
		    len <= k->regions[i].size - (addr - k->regions[i].addr))
			return true;
	return false;
}

static struct kernel_slot *slot_of_gfn(struct sev_kernel *k, uint64_t gfn)
{
	for (unsigned i = 0; i < k->nslots; i++) {
		struct kernel_slot *s = &k->slots[i];

		if (gfn >= s->gpa / PAGE &&
		    gfn - s->gpa / PAGE < s->size / PAGE)
			return s;
	}
	return NULL;
}

/*
 * sev_pin_memory() for LAUNCH_UPDATE_DATA and LAUNCH_SECRET: an empty or
 * wrapping range is -EINVAL, memory that cannot be pinned -ENOMEM; and
 * the layer's own rule, the range must be registered guest RAM.
 */
static int check_pin(struct sev_kernel *k, const char *cmd, uint64_t uaddr,
		     uint64_t len)
{
	if (!len || uaddr + len < uaddr)
		return refuse(k, -EINVAL,
			      "%s: sev_pin_memory() refuses the empty or "
			      "wrapping range [0x%llx, +0x%llx)",
			      cmd, (unsigned long long)uaddr,
			      (unsigned long long)len);
	if (registered(k, uaddr, len))
		return 0;
	if (!model_user_readable(uaddr, len))
		return refuse(k, -ENOMEM,
			      "%s: sev_pin_memory() cannot pin the host range "
			      "[0x%llx, +0x%llx): it is not mapped readable "
			      "in this process",
			      cmd, (unsigned long long)uaddr,
			      (unsigned long long)len);
	return refuse(k, -EFAULT,
		      "%s: the host range [0x%llx, +0x%llx) is not guest RAM "
		      "registered with KVM_MEMORY_ENCRYPT_REG_REGION; the "
		      "kernel would pin it and the firmware encrypt it in "
		      "place, where the guest never sees it (the model's "
		      "rule, not the kernel's)",
		      cmd, (unsigned long long)uaddr, (unsigned long long)len);
}

/* -------------------------------------------------------------- INIT */

static int init_legacy(struct sev_kernel *k, uint32_t id, void *data,
		       uint32_t *fw_error)
{
	bool new_kernel = k->prof.vm_types;
	int ret;

	/* sev_guest_init(): the legacy commands only on the default VM
	 * type (6.10+), before any vCPU, once (6.1: -EBUSY). */
	if (new_kernel && k->vm_type != KVM_X86_DEFAULT_VM)
		return refuse(k, -EINVAL,
			      "sev_guest_init(): KVM_SEV_%sINIT on a VM of "
			      "type %lu; the legacy init takes only the "
			      "default VM type (use KVM_SEV_INIT2)",
			      id == KVM_SEV_ES_INIT ? "ES_" : "", k->vm_type);
	if (k->nvcpus)
		return refuse(k, -EINVAL,
			      "sev_guest_init(): the VM already has %u vCPU%s; "
			      "INIT must come before KVM_CREATE_VCPU",
			      k->nvcpus, k->nvcpus == 1 ? "" : "s");
	if (k->active)
		return refuse(k, new_kernel ? -EINVAL : -EBUSY,
			      "sev_guest_init(): the VM is already an SEV "
			      "guest");
	ret = k->inner.ops->vm_cmd(k->inner.ctx, id, data, fw_error);
	if (!ret) {
		k->active = true;
		k->es = id == KVM_SEV_ES_INIT;
	}
	return ret;
}

static int init2(struct sev_kernel *k, void *data, uint32_t *fw_error)
{
	bool sev_type = k->vm_type == KVM_X86_SEV_VM ||
			k->vm_type == KVM_X86_SEV_ES_VM ||
			k->vm_type == KVM_X86_SNP_VM;
	int ret;

	/* sev_guest_init2(): need_init is set only for the SEV VM types
	 * and cleared by the first INIT. */
	if (!sev_type || k->active)
		return refuse(k, -EINVAL, "sev_guest_init2(): %s",
			      k->active
				      ? "the VM is already an SEV guest"
				      : "KVM_SEV_INIT2 needs a VM of type "
					"KVM_X86_SEV_VM, KVM_X86_SEV_ES_VM or "
					"KVM_X86_SNP_VM; this is the default "
					"type");
	if (!data)
		return refuse(k, -EFAULT,
			      "sev_guest_init2(): no struct "
			      "kvm_sev_init");
	if (k->nvcpus)
		return refuse(k, -EINVAL,
			      "__sev_guest_init(): the VM already has vCPUs; "
			      "INIT2 must come before KVM_CREATE_VCPU");
	ret = k->inner.ops->vm_cmd(k->inner.ctx, KVM_SEV_INIT2, data, fw_error);
	if (!ret) {
		k->active = true;
		k->es = k->vm_type != KVM_X86_SEV_VM;
		k->snp = k->vm_type == KVM_X86_SNP_VM;
	}
	return ret;
}

/* ------------------------------------------------------ SEV / SEV-ES */

/* SEVBOOT_MODEL_BREAK: the host address or the length, broken. */
static void break_range(const struct sev_kernel *k, uint64_t *uaddr,
			uint64_t *len)
{
	if (k->brk == SEV_MODEL_BREAK_UADDR && k->bad_page)
		*uaddr = (uintptr_t)k->bad_page + (*uaddr & (PAGE - 1));
	else if (k->brk == SEV_MODEL_BREAK_LEN && *len >= 16)
		*len -= 8;
}

static int update_data(struct sev_kernel *k, void *data, uint32_t *fw_error)
{
	struct kvm_sev_launch_update_data p;
	uint64_t uaddr, len;
	int ret;

	if (!data)
		return refuse(k, -EFAULT,
			      "sev_launch_update_data(): no "
			      "struct kvm_sev_launch_update_data");
	memcpy(&p, data, sizeof(p));
	uaddr = p.uaddr;
	len = p.len;
	break_range(k, &uaddr, &len);
	p.uaddr = uaddr;
	p.len = (__u32)len;
	ret = check_pin(k, "LAUNCH_UPDATE_DATA", p.uaddr, p.len);
	if (ret)
		return ret;
	return k->inner.ops->vm_cmd(k->inner.ctx, KVM_SEV_LAUNCH_UPDATE_DATA,
				    &p, fw_error);
}

static int launch_secret(struct sev_kernel *k, void *data, uint32_t *fw_error)
{
	struct kvm_sev_launch_secret p;
	uint64_t uaddr, len;
	int ret;

	if (!data)
		return refuse(k, -EFAULT,
			      "sev_launch_secret(): no struct "
			      "kvm_sev_launch_secret");
	memcpy(&p, data, sizeof(p));
	uaddr = p.guest_uaddr;
	len = p.guest_len;
	break_range(k, &uaddr, &len);
	p.guest_uaddr = uaddr;
	p.guest_len = (__u32)len;
	ret = check_pin(k, "LAUNCH_SECRET", p.guest_uaddr, p.guest_len);
	if (ret)
		return ret;
	if ((p.guest_uaddr & (PAGE - 1)) + p.guest_len > PAGE)
		return refuse(
			k, -EINVAL,
			"LAUNCH_SECRET: sev_launch_secret() needs the "
			"pinned pages physically contiguous, and [0x%llx, "
			"+0x%x) crosses a page boundary, which ordinary "
			"memory does not promise (the model demands one "
			"page)",
			(unsigned long long)p.guest_uaddr, p.guest_len);
	return k->inner.ops->vm_cmd(k->inner.ctx, KVM_SEV_LAUNCH_SECRET, &p,
				    fw_error);
}

static int update_vmsa(struct sev_kernel *k, uint32_t *fw_error)
{
	int ret;

	if (!k->es)
		return refuse(k, -ENOTTY,
			      "sev_launch_update_vmsa(): not an SEV-ES guest");
	for (unsigned i = 0; i < k->nvcpus; i++)
		if (k->protected[i])
			return refuse(k, -EINVAL,
				      "LAUNCH_UPDATE_VMSA: vCPU %u's VMSA is "
				      "already encrypted (guest_state_"
				      "protected); a second sync would measure "
				      "it again (the model refuses it)",
				      i);
	ret = k->inner.ops->vm_cmd(k->inner.ctx, KVM_SEV_LAUNCH_UPDATE_VMSA,
				   NULL, fw_error);
	if (!ret)
		memset(k->protected, 1, k->nvcpus);
	return ret;
}

/* ------------------------------------------------------------- SNP */

static int snp_start(struct sev_kernel *k, void *data, uint32_t *fw_error)
{
	const struct kvm_sev_snp_launch_start *p = data;
	char msg[256];
	int ret;

	if (!k->snp)
		return refuse(k, -ENOTTY,
			      "snp_launch_start(): not an SNP "
			      "guest");
	if (!p)
		return refuse(k, -EFAULT,
			      "snp_launch_start(): no struct "
			      "kvm_sev_snp_launch_start");
	if (k->snp_context)
		return refuse(k, -EINVAL,
			      "snp_launch_start(): the VM already "
			      "has an SNP context");
	if (p->flags)
		return refuse(k, -EINVAL,
			      "snp_launch_start(): flags 0x%x, "
			      "must be 0",
			      (unsigned)p->flags);
	if (sev_snp_policy_check(p->policy, &k->prof.snp_rules, msg,
				 sizeof(msg)))
		return refuse(k, -EINVAL, "snp_launch_start(): %s", msg);
	ret = k->inner.ops->vm_cmd(k->inner.ctx, KVM_SEV_SNP_LAUNCH_START, data,
				   fw_error);
	if (!ret)
		k->snp_context = true;
	return ret;
}

/*
 * kvm_gmem_populate() page by page from gfn (at most n pages, within
 * the slot): how many pages it would take before stopping, and why it
 * stops (-EEXIST already populated, -EINVAL not PRIVATE, -EFAULT the
 * source cannot be read); 0 when all n pass.
 */
static uint64_t populate_run(struct sev_kernel *k, struct kernel_slot *s,
			     uint64_t gfn, uint64_t n, uint64_t src, int *stop)
{
	uint64_t first = gfn - s->gpa / PAGE, i;

	*stop = 0;
	for (i = 0; i < n; i++) {
		uint64_t page = first + i, a = src + i * PAGE;

		if (bit_get(s->populated, page))
			*stop = -EEXIST;
		else if (!bit_get(s->private_bits, page))
			*stop = -EINVAL;
		else if (src &&
			 !((uintptr_t)s->hva <= a &&
			   a - (uintptr_t)s->hva + PAGE <= s->size) &&
			 !model_user_readable(a, PAGE))
			*stop = -EFAULT;
		if (*stop)
			break;
	}
	return i;
}

/* The sentence of a populate failure at gfn. */
static int populate_failed(struct sev_kernel *k, int stop, uint64_t gfn,
			   uint32_t *fw_error)
{
	/* snp_launch_update(): any kvm_gmem_populate() failure is -EIO
	 * with the firmware's status, 0 when the firmware never ran. */
	*fw_error = SEV_RET_SUCCESS;
	return refuse(k, -EIO,
		      "SNP_LAUNCH_UPDATE: kvm_gmem_populate() stops at GFN "
		      "0x%llx with -%s (%s), which snp_launch_update() "
		      "reports as -EIO with firmware error 0",
		      (unsigned long long)gfn, errno_name(-stop),
		      stop == -EEXIST	? "the page is already private in the "
					  "RMP: populated before"
		      : stop == -EINVAL ? "the page is not PRIVATE in "
					  "KVM_SET_MEMORY_ATTRIBUTES"
					: "the source page cannot be read");
}

static int snp_update_args(struct sev_kernel *k,
			   const struct kvm_sev_snp_launch_update *p)
{
	bool type_ok = p->type == KVM_SEV_SNP_PAGE_TYPE_NORMAL ||
		       p->type == KVM_SEV_SNP_PAGE_TYPE_ZERO ||
		       p->type == KVM_SEV_SNP_PAGE_TYPE_UNMEASURED ||
		       p->type == KVM_SEV_SNP_PAGE_TYPE_SECRETS ||
		       p->type == KVM_SEV_SNP_PAGE_TYPE_CPUID;

	if ((p->len & (PAGE - 1)) || p->flags || !type_ok)
		return refuse(k, -EINVAL,
			      "snp_launch_update(): %s (len 0x%llx, flags "
			      "0x%x, type %u)",
			      (p->len & (PAGE - 1)) ? "the length is not page "
						      "aligned"
			      : p->flags	    ? "flags must be 0"
						    : "no such page type",
			      (unsigned long long)p->len, (unsigned)p->flags,
			      (unsigned)p->type);
	return 0;
}

static int snp_update(struct sev_kernel *k, void *data, uint32_t *fw_error)
{
	struct kvm_sev_snp_launch_update p, q;
	struct kernel_slot *s;
	uint64_t n, ok, done, len, src;
	int ret, stop;

	if (!k->snp || !k->snp_context)
		return refuse(k, -EINVAL, "snp_launch_update(): %s",
			      k->snp ? "no SNP context (SNP_LAUNCH_START first)"
				     : "not an SNP guest");
	if (!data)
		return refuse(k, -EFAULT,
			      "snp_launch_update(): no struct "
			      "kvm_sev_snp_launch_update");
	memcpy(&p, data, sizeof(p));
	src = p.uaddr;
	len = p.len;
	break_range(k, &src, &len);
	p.len = len;
	/* ZERO pages have no source (snp_launch_update()). */
	if (p.type == KVM_SEV_SNP_PAGE_TYPE_ZERO)
		src = 0;
	else
		p.uaddr = src;
	ret = snp_update_args(k, &p);
	if (ret)
		return ret;
	s = slot_of_gfn(k, p.gfn_start);
	if (!s || !s->gmem)
		return refuse(
			k, -EINVAL, "snp_launch_update(): GFN 0x%llx is in %s",
			(unsigned long long)p.gfn_start,
			s ? "a slot without a guest_memfd" : "no memory slot");
	n = p.len / PAGE;
	/* kvm_gmem_populate(): at most to the end of the slot; it returns
	 * the pages done when it stops after the first. */
	if (n > s->size / PAGE - (p.gfn_start - s->gpa / PAGE))
		n = s->size / PAGE - (p.gfn_start - s->gpa / PAGE);
	if (!n) {
		*fw_error = SEV_RET_SUCCESS;
		return refuse(k, -EIO,
			      "SNP_LAUNCH_UPDATE: kvm_gmem_populate() refuses "
			      "an empty range (-EINVAL), which "
			      "snp_launch_update() reports as -EIO with "
			      "firmware error 0");
	}
	ok = populate_run(k, s, p.gfn_start, n, src, &stop);
	if (!ok)
		return populate_failed(k, stop, p.gfn_start, fw_error);
	q = p;
	q.len = ok * PAGE;
	ret = k->inner.ops->vm_cmd(k->inner.ctx, KVM_SEV_SNP_LAUNCH_UPDATE, &q,
				   fw_error);
	if (ret)
		return ret;
	done = ok - q.len / PAGE;
	for (uint64_t i = 0; i < done; i++)
		bit_set(s->populated, p.gfn_start - s->gpa / PAGE + i, true);
	p.gfn_start += done;
	p.len -= done * PAGE;
	if (src)
		p.uaddr += done * PAGE;
	memcpy(data, &p, sizeof(p));
	return 0;
}

static int snp_finish(struct sev_kernel *k, void *data, uint32_t *fw_error)
{
	const struct kvm_sev_snp_launch_finish *p = data;
	int ret;

	if (!k->snp)
		return refuse(k, -ENOTTY,
			      "snp_launch_finish(): not an SNP "
			      "guest");
	if (!k->snp_context)
		return refuse(k, -EINVAL,
			      "snp_launch_finish(): no SNP "
			      "context (SNP_LAUNCH_START first)");
	if (!p)
		return refuse(k, -EFAULT,
			      "snp_launch_finish(): no struct "
			      "kvm_sev_snp_launch_finish");
	if (p->flags)
		return refuse(k, -EINVAL,
			      "snp_launch_finish(): flags 0x%x, "
			      "must be 0",
			      (unsigned)p->flags);
	ret = k->inner.ops->vm_cmd(k->inner.ctx, KVM_SEV_SNP_LAUNCH_FINISH,
				   data, fw_error);
	if (!ret) {
		/* snp_launch_update_vmsa(): every vCPU's VMSA is the
		 * guest's now. */
		memset(k->protected, 1, k->nvcpus);
		k->finished = true;
	}
	return ret;
}

/* ------------------------------------------------------------ dispatch */

/* sev_mem_enc_ioctl(): which ids this kernel has, and the SNP fence. */
static int dispatch_check(struct sev_kernel *k, uint32_t id)
{
	bool snp_id = id >= KVM_SEV_SNP_LAUNCH_START &&
		      id <= KVM_SEV_SNP_LAUNCH_FINISH;

	if ((id == KVM_SEV_INIT2 && !k->prof.vm_types) ||
	    (snp_id && !k->prof.snp))
		return refuse(k, -EINVAL,
			      "sev_mem_enc_ioctl(): command %u does not exist "
			      "before Linux %s",
			      id, id == KVM_SEV_INIT2 ? "6.10" : "6.11");
	if (k->snp && id < KVM_SEV_SNP_LAUNCH_START)
		return refuse(
			k, -EPERM,
			"sev_mem_enc_ioctl(): an SNP guest takes only the "
			"SNP commands (ids from 100), not %u",
			id);
	return 0;
}

static int kernel_vm_cmd(void *ctx, uint32_t id, void *data, uint32_t *fw_error)
{
	struct sev_kernel *k = ctx;
	int ret;

	k->why[0] = '\0';
	ret = dispatch_check(k, id);
	if (ret)
		return ret;
	switch (id) {
	case KVM_SEV_INIT:
	case KVM_SEV_ES_INIT:
		return init_legacy(k, id, data, fw_error);
	case KVM_SEV_INIT2:
		return init2(k, data, fw_error);
	case KVM_SEV_SNP_LAUNCH_START:
		return snp_start(k, data, fw_error);
	case KVM_SEV_SNP_LAUNCH_UPDATE:
		return snp_update(k, data, fw_error);
	case KVM_SEV_SNP_LAUNCH_FINISH:
		return snp_finish(k, data, fw_error);
	case KVM_SEV_LAUNCH_START:
	case KVM_SEV_LAUNCH_UPDATE_DATA:
	case KVM_SEV_LAUNCH_UPDATE_VMSA:
	case KVM_SEV_LAUNCH_MEASURE:
	case KVM_SEV_LAUNCH_SECRET:
	case KVM_SEV_LAUNCH_FINISH:
	case KVM_SEV_GUEST_STATUS:
		/* Every handler begins with !sev_guest(): -ENOTTY. */
		if (!k->active)
			return refuse(k, -ENOTTY,
				      "command %u before KVM_SEV_INIT/INIT2: "
				      "the VM is not an SEV guest yet",
				      id);
		break;
	default:
		/* The rest (migration, debug, attestation, unknown ids) is
		 * the model's to refuse, as the kernel's default case. */
		return k->inner.ops->vm_cmd(k->inner.ctx, id, data, fw_error);
	}
	if (id == KVM_SEV_LAUNCH_UPDATE_DATA)
		return update_data(k, data, fw_error);
	if (id == KVM_SEV_LAUNCH_SECRET)
		return launch_secret(k, data, fw_error);
	if (id == KVM_SEV_LAUNCH_UPDATE_VMSA)
		return update_vmsa(k, fw_error);
	ret = k->inner.ops->vm_cmd(k->inner.ctx, id, data, fw_error);
	if (!ret && id == KVM_SEV_LAUNCH_FINISH)
		k->finished = true;
	return ret;
}

static int kernel_platform_cmd(void *ctx, uint32_t id, void *data,
			       uint32_t *fw_error)
{
	struct sev_kernel *k = ctx;

	k->why[0] = '\0';
	return k->inner.ops->platform_cmd(k->inner.ctx, id, data, fw_error);
}

static const char *kernel_why(void *ctx)
{
	return ((struct sev_kernel *)ctx)->why;
}

static const struct sev_transport_ops kernel_transport_ops = {
	.vm_cmd = kernel_vm_cmd,
	.platform_cmd = kernel_platform_cmd,
	.why = kernel_why,
};

struct sev_transport sev_transport_kernel(struct sev_kernel *k)
{
	return (struct sev_transport){.ops = &kernel_transport_ops, .ctx = k};
}

const char *sev_kernel_why(const struct sev_kernel *k)
{
	return k->why;
}

/* ------------------------------------------------ the machine's calls */

/* sev_mem_enc_register_region(). */
static int reg_region(struct sev_kernel *k, const struct sev_vm_call *c)
{
	uint64_t addr = (uintptr_t)c->hva;

	if (!k->active)
		return refuse(
			k, -ENOTTY,
			"KVM_MEMORY_ENCRYPT_REG_REGION before KVM_SEV_INIT: "
			"the VM is not an SEV guest yet");
	if (!c->size || addr + c->size < addr)
		return refuse(k, -EINVAL,
			      "KVM_MEMORY_ENCRYPT_REG_REGION: sev_pin_memory() "
			      "refuses an empty or wrapping range");
	if (!model_user_readable(addr, c->size))
		return refuse(k, -ENOMEM,
			      "KVM_MEMORY_ENCRYPT_REG_REGION: sev_pin_memory() "
			      "cannot pin [0x%llx, +0x%llx)",
			      (unsigned long long)addr,
			      (unsigned long long)c->size);
	if (k->nregions == KERNEL_MAX_REGIONS)
		return refuse(k, -ENOMEM,
			      "the model records at most %d "
			      "regions",
			      KERNEL_MAX_REGIONS);
	k->regions[k->nregions].addr = addr;
	k->regions[k->nregions].size = c->size;
	k->nregions++;
	return 0;
}

/* KVM_SET_USER_MEMORY_REGION(2): a slot, with a guest_memfd or not. */
static int add_slot(struct sev_kernel *k, const struct sev_vm_call *c)
{
	struct kernel_slot *s = &k->slots[k->nslots];
	uint64_t pages = c->size / PAGE;

	/* kvm_gmem_create() / KVM_SET_USER_MEMORY_REGION2: private memory
	 * only on a VM type that has it (here: KVM_X86_SNP_VM). */
	if (c->private_mem && k->vm_type != KVM_X86_SNP_VM)
		return refuse(k, -EINVAL,
			      "KVM_CREATE_GUEST_MEMFD on a VM of type %lu, "
			      "which has no private memory",
			      k->vm_type);
	if ((c->gpa | c->size) & (PAGE - 1) || !c->size)
		return refuse(k, -EINVAL, "a memory slot must be page aligned");
	if (k->nslots == KERNEL_MAX_SLOTS)
		return refuse(k, -ENOMEM, "the model records at most %d slots",
			      KERNEL_MAX_SLOTS);
	*s = (struct kernel_slot){.gpa = c->gpa,
				  .size = c->size,
				  .hva = c->hva,
				  .gmem = c->private_mem};
	if (s->gmem) {
		s->private_bits = calloc(1, (pages + 7) / 8);
		s->populated = calloc(1, (pages + 7) / 8);
		if (!s->private_bits || !s->populated) {
			free(s->private_bits);
			free(s->populated);
			return refuse(k, -ENOMEM, "out of memory");
		}
	}
	k->nslots++;
	return 0;
}

/* kvm_vm_ioctl_set_mem_attributes(). */
static int set_attributes(struct sev_kernel *k, const struct sev_vm_call *c)
{
	if (k->vm_type != KVM_X86_SNP_VM && c->private_mem)
		return refuse(k, -EINVAL,
			      "KVM_SET_MEMORY_ATTRIBUTES(PRIVATE) on a VM of "
			      "type %lu, which supports no such attribute",
			      k->vm_type);
	if (!c->size || c->gpa + c->size < c->gpa ||
	    ((c->gpa | c->size) & (PAGE - 1)))
		return refuse(k, -EINVAL,
			      "KVM_SET_MEMORY_ATTRIBUTES [0x%llx, +0x%llx): "
			      "empty, wrapping or not page aligned",
			      (unsigned long long)c->gpa,
			      (unsigned long long)c->size);
	for (uint64_t g = c->gpa / PAGE; g < (c->gpa + c->size) / PAGE; g++) {
		struct kernel_slot *s = slot_of_gfn(k, g);

		if (s && s->gmem)
			bit_set(s->private_bits, g - s->gpa / PAGE,
				c->private_mem);
	}
	return 0;
}

static int create_vcpu(struct sev_kernel *k, const struct sev_vm_call *c)
{
	uint8_t *p;

	if (k->nvcpus && k->protected[0] && k->es)
		return refuse(k, -EINVAL,
			      "KVM_CREATE_VCPU %u after the VMSAs were "
			      "encrypted: its VMSA would never be measured, so "
			      "it could not run (the model's rule)",
			      c->vcpu);
	p = realloc(k->protected, k->nvcpus + 1);
	if (!p)
		return refuse(k, -ENOMEM, "out of memory");
	k->protected = p;
	k->protected[k->nvcpus++] = 0;
	return 0;
}

int sev_kernel_vm_call(struct sev_kernel *k, const struct sev_vm_call *c)
{
	bool has_protected_state =
		k->prof.vm_types && (k->vm_type == KVM_X86_SEV_ES_VM ||
				     k->vm_type == KVM_X86_SNP_VM);

	k->why[0] = '\0';
	switch (c->kind) {
	case SEV_VM_REG_REGION:
		return reg_region(k, c);
	case SEV_VM_SLOT:
		return add_slot(k, c);
	case SEV_VM_SET_ATTRIBUTES:
		return set_attributes(k, c);
	case SEV_VM_CREATE_VCPU:
		return create_vcpu(k, c);
	case SEV_VM_SET_REGS:
		/* kvm_arch_vcpu_ioctl_set_regs() and the other setters
		 * (6.10+): a VM type with protected state refuses once the
		 * vCPU's VMSA is encrypted.  Legacy (default-type) VMs and
		 * older kernels take the write and ignore it. */
		if (has_protected_state && c->vcpu < k->nvcpus &&
		    k->protected[c->vcpu])
			return refuse(k, -EINVAL,
				      "vCPU %u's registers cannot be written: "
				      "its VMSA is encrypted "
				      "(guest_state_protected on a VM with "
				      "protected state)",
				      c->vcpu);
		return 0;
	}
	return refuse(k, -EINVAL, "unknown machine call %d", (int)c->kind);
}

/* ------------------------------------------------------------ lifetime */

struct sev_kernel *sev_kernel_new(const struct sev_kernel_config *c, char *err,
				  size_t errlen)
{
	struct sev_kernel *k;
	char name[160];

	sev_kernel_profile_name(&c->profile, name, sizeof(name));
	if (c->vm_type != KVM_X86_DEFAULT_VM &&
	    (!c->profile.vm_types ||
	     (c->vm_type == KVM_X86_SNP_VM && !c->profile.snp))) {
		set_err(err, errlen,
			"KVM_CREATE_VM type %lu: -EINVAL on %s, which has no "
			"such VM type",
			c->vm_type, name);
		return NULL;
	}
	k = calloc(1, sizeof(*k));
	if (!k) {
		set_err(err, errlen, "out of memory");
		return NULL;
	}
	k->prof = c->profile;
	k->vm_type = c->vm_type;
	k->inner = c->inner;
	k->brk = c->brk;
	if (k->brk == SEV_MODEL_BREAK_UADDR) {
		k->bad_page = mmap(NULL, PAGE, PROT_NONE,
				   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (k->bad_page == MAP_FAILED) {
			set_err(err, errlen, "mmap: %s", strerror(errno));
			free(k);
			return NULL;
		}
	}
	return k;
}

void sev_kernel_free(struct sev_kernel *k)
{
	if (!k)
		return;
	for (unsigned i = 0; i < k->nslots; i++) {
		free(k->slots[i].private_bits);
		free(k->slots[i].populated);
	}
	if (k->bad_page)
		munmap(k->bad_page, PAGE);
	free(k->protected);
	free(k);
}
