// SPDX-License-Identifier: MIT
/*
 * sev/vcpu_vmsa.c: the VMSA KVM builds from a vCPU's registers, read
 * through the vCPU's fd.  KVM does this in sev_es_sync_vmsa() (Linux
 * arch/x86/kvm/svm/sev.c) for LAUNCH_UPDATE_VMSA and SNP_LAUNCH_FINISH;
 * the firmware model measures the same page, so a reset state that was
 * not loaded as planned shows up as a measurement mismatch, as it would
 * on hardware.  Both the machine (vmm/) and libsev's model backend
 * (lib/, sev_model_vcpu()) use it.
 */
#include <errno.h>
#include <string.h>
#include <sys/ioctl.h>

#include "sev/sev.h"
#include "util/kvm_uapi.h"

#define MSR_IA32_CR_PAT 0x277
/* What KVM's own view of the registers adds or hides (the reset state
 * loader in vmm/vcpu.c undoes the same bits). */
#define CR0_CD	  (1ULL << 30)
#define CR0_NW	  (1ULL << 29)
#define CR4_MCE	  (1ULL << 6)
#define EFER_SVME (1ULL << 12)

static void seg_to_vmsa(struct vmsa_seg *s, const struct kvm_segment *k)
{
	s->selector = k->selector;
	s->base = k->base;
	s->limit = k->limit;
	s->attrib = (uint16_t)((k->type & 0xf) | (k->s & 1) << 4 |
			       (k->dpl & 3) << 5 | (k->present & 1) << 7 |
			       (k->avl & 1) << 8 | (k->l & 1) << 9 |
			       (k->db & 1) << 10 | (k->g & 1) << 11);
}

static void sregs_to_vmsa(struct vmsa_regs *r, const struct kvm_sregs *s)
{
	seg_to_vmsa(&r->es, &s->es);
	seg_to_vmsa(&r->cs, &s->cs);
	seg_to_vmsa(&r->ss, &s->ss);
	seg_to_vmsa(&r->ds, &s->ds);
	seg_to_vmsa(&r->fs, &s->fs);
	seg_to_vmsa(&r->gs, &s->gs);
	seg_to_vmsa(&r->ldtr, &s->ldt);
	seg_to_vmsa(&r->tr, &s->tr);
	r->gdtr.base = s->gdt.base;
	r->gdtr.limit = s->gdt.limit;
	r->idtr.base = s->idt.base;
	r->idtr.limit = s->idt.limit;
	r->cr0 = s->cr0 & ~(CR0_CD | CR0_NW);
	r->cr3 = s->cr3;
	r->cr4 = s->cr4 | CR4_MCE;
	r->efer = s->efer | EFER_SVME;
}

int vmsa_read_vcpu(int vcpu_fd, uint64_t sev_features, bool fpu_synced,
		   uint8_t page[VMSA_SIZE])
{
	struct kvm_sregs sregs;
	struct kvm_regs regs;
	struct kvm_xsave xs;
	struct kvm_xcrs xcrs;
	struct kvm_debugregs dbg;
	struct {
		struct kvm_msrs hdr;
		struct kvm_msr_entry e;
	} pat = {.hdr.nmsrs = 1, .e = {.index = MSR_IA32_CR_PAT}};
	struct vmsa_regs r;

	/* The FPU state as KVM syncs it (the standard XSAVE layout, with
	 * init values filled in), not KVM_GET_FPU's raw legacy area, which
	 * leaves MXCSR 0 while SSE is in its init state. */
	if (ioctl(vcpu_fd, KVM_GET_SREGS, &sregs) < 0 ||
	    ioctl(vcpu_fd, KVM_GET_REGS, &regs) < 0 ||
	    ioctl(vcpu_fd, KVM_GET_XSAVE, &xs) < 0 ||
	    ioctl(vcpu_fd, KVM_GET_XCRS, &xcrs) < 0 ||
	    ioctl(vcpu_fd, KVM_GET_DEBUGREGS, &dbg) < 0)
		return -errno;
	if (ioctl(vcpu_fd, KVM_GET_MSRS, &pat) != 1)
		return -EIO;
	memset(&r, 0, sizeof(r));
	sregs_to_vmsa(&r, &sregs);
	r.dr6 = dbg.dr6;
	r.dr7 = dbg.dr7;
	r.rflags = regs.rflags;
	r.rip = regs.rip;
	r.rdx = regs.rdx;
	r.g_pat = pat.e.data;
	r.xcr0 = 1;
	for (unsigned i = 0; i < xcrs.nr_xcrs && i < KVM_MAX_XCRS; i++)
		if (xcrs.xcrs[i].xcr == 0)
			r.xcr0 = xcrs.xcrs[i].value;
	r.sev_features = sev_features;
	if (fpu_synced) {
		uint32_t mxcsr;
		uint16_t fcw;

		/* Legacy area: FCW at byte 0, MXCSR at byte 24. */
		memcpy(&fcw, (const uint8_t *)xs.region, 2);
		memcpy(&mxcsr, (const uint8_t *)xs.region + 24, 4);
		r.mxcsr = mxcsr;
		r.x87_fcw = fcw;
	}
	vmsa_page(&r, page);
	return 0;
}
