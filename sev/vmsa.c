// SPDX-License-Identifier: MIT
/*
 * sev/vmsa.c: the initial VMSA of a vCPU, which SEV-ES and SNP measure.
 *
 * The VMSA is whatever register state the VMM loaded into KVM, turned into
 * the save area by KVM.  sevboot pins that state to QEMU's (the "QEMU VMM
 * type" of every measurement tool, e.g. virtee/sev-snp-measure
 * sevsnpmeasure/vmsa.py) so that digests predicted by those tools and by
 * us agree.  vmsa_regs() is the single
 * source of truth: the launcher loads it into KVM and vmsa_build() lays
 * the very same values out in the page.
 */
#include <errno.h>
#include <strings.h>
#include <string.h>

#include "sev/sev.h"
#include "util/util.h"

/*
 * Byte offsets in the VMSA save area (AMD APM vol. 2, "VMSA layout" of
 * SEV-ES; Linux struct sev_es_save_area).  Segments are {u16 selector,
 * u16 attrib, u32 limit, u64 base}, 16 bytes each.
 */
enum {
	VMSA_ES = 0x000,
	VMSA_CS = 0x010,
	VMSA_SS = 0x020,
	VMSA_DS = 0x030,
	VMSA_FS = 0x040,
	VMSA_GS = 0x050,
	VMSA_GDTR = 0x060,
	VMSA_LDTR = 0x070,
	VMSA_IDTR = 0x080,
	VMSA_TR = 0x090,
	VMSA_EFER = 0x0d0,
	VMSA_CR4 = 0x148,
	VMSA_CR3 = 0x150,
	VMSA_CR0 = 0x158,
	VMSA_DR7 = 0x160,
	VMSA_DR6 = 0x168,
	VMSA_RFLAGS = 0x170,
	VMSA_RIP = 0x178,
	VMSA_G_PAT = 0x268,
	VMSA_RDX = 0x310,
	VMSA_SEV_FEATURES = 0x3b0,
	VMSA_XCR0 = 0x3e8,
	VMSA_MXCSR = 0x408,
	VMSA_X87_FCW = 0x410,
};

/* The BSP starts at the architectural reset vector. */
#define BSP_RESET_EIP 0xfffffff0U

/* Real-mode data segment: present, writable, accessed. */
#define SEG_ATTR_DATA 0x93
/* Code segment: present, readable, accessed.  QEMU's reset state sets
 * the accessed bit; EC2 and libkrun VMSAs have 0x9a, so it matters. */
#define SEG_ATTR_CODE 0x9b
#define SEG_ATTR_LDT  0x82
/* 32-bit busy TSS, as QEMU's reset state has it (EC2/libkrun: 0x83). */
#define SEG_ATTR_TSS_BUSY 0x8b
/* EC2's reset state (sevsnpmeasure/vmsa.py): the BSP's CS without the
 * accessed bit, SS without it, and a 16-bit busy TSS. */
#define EC2_ATTR_BSP_CODE 0x9a
#define EC2_ATTR_SS	  0x92
#define EC2_ATTR_TSS	  0x83
/* EC2 and GCE put 0x600 in RDX (family 6) whatever the vCPU. */
#define CLOUD_RESET_RDX 0x600
/* GCE's hypervisor loads this PAT instead of the power-on value. */
#define GCE_PAT 0x70106ULL

/* The SVSM starts in 32-bit protected mode with flat 4 GiB segments:
 * granular, 32-bit, present (attributes 0xc93/0xc9b), code selector 8,
 * data 16 (COCONUT-SVSM's IGVM/QEMU start state, as sevsnpmeasure/vmsa.py
 * VMSA_SVSM writes it). */
#define SVSM_ATTR_DATA 0xc93
#define SVSM_ATTR_CODE 0xc9b
#define SVSM_SEL_CODE  8
#define SVSM_SEL_DATA  16
#define CR0_PE	       (1ULL << 0)

#define EFER_SVME (1ULL << 12)
#define CR4_MCE	  (1ULL << 6)
/* CR0.ET only.  The architectural reset value 0x60000010 also has CD and
 * NW, but the VMSAs KVM produces (and sevctl's vmsa0.bin, and every
 * measurement tool) have 0x10: CD/NW never reach the save area. */
#define CR0_ET		(1ULL << 4)
#define DR7_RESET	0x400ULL
#define DR6_RESET	0xffff0ff0ULL
#define RFLAGS_RESERVED 0x2ULL
/* PAT power-on value: WB, WT, UC-, UC in both halves (APM vol. 2, A.3). */
#define PAT_RESET     0x0007040600070406ULL
#define XCR0_X87      0x1ULL
#define MXCSR_RESET   0x1f80U
#define X87_FCW_RESET 0x37fU

static void put_seg(uint8_t *p, size_t off, const struct vmsa_seg *s)
{
	put_le16(p, off, s->selector);
	put_le16(p, off + 2, s->attrib);
	put_le32(p, off + 4, s->limit);
	put_le64(p, off + 8, s->base);
}

static struct vmsa_seg seg(uint16_t selector, uint16_t attrib, uint64_t base)
{
	/* Every reset segment has the real-mode limit. */
	return (struct vmsa_seg){.selector = selector,
				 .attrib = attrib,
				 .limit = 0xffff,
				 .base = base};
}

const char *vmm_type_name(enum vmm_type t)
{
	switch (t) {
	case VMM_QEMU:
		return "QEMU";
	case VMM_EC2:
		return "ec2";
	case VMM_GCE:
		return "gce";
	}
	return "?";
}

int vmm_type_parse(const char *s, enum vmm_type *t)
{
	static const enum vmm_type all[] = {VMM_QEMU, VMM_EC2, VMM_GCE};

	for (size_t k = 0; k < sizeof(all) / sizeof(all[0]); k++)
		if (!strcasecmp(s, vmm_type_name(all[k]))) {
			*t = all[k];
			return 0;
		}
	return -EINVAL;
}

static struct vmsa_seg flat(uint16_t selector, uint16_t attrib)
{
	return (struct vmsa_seg){
		.selector = selector, .attrib = attrib, .limit = 0xffffffff};
}

/* The SVSM's entry state: the same on every vCPU (the SVSM starts the
 * others itself later). */
static void svsm_regs(const struct vmsa_config *c, struct vmsa_regs *r)
{
	memset(r, 0, sizeof(*r));
	r->es = flat(SVSM_SEL_DATA, SVSM_ATTR_DATA);
	r->cs = flat(SVSM_SEL_CODE, SVSM_ATTR_CODE);
	r->ss = flat(SVSM_SEL_DATA, SVSM_ATTR_DATA);
	r->ds = flat(SVSM_SEL_DATA, SVSM_ATTR_DATA);
	r->fs = flat(SVSM_SEL_DATA, SVSM_ATTR_DATA);
	r->gs = seg(0, SEG_ATTR_DATA, 0);
	r->gdtr = seg(0, 0, 0);
	r->ldtr = seg(0, SEG_ATTR_LDT, 0);
	r->idtr = seg(0, 0, 0);
	r->tr = seg(0, SEG_ATTR_TSS_BUSY, 0);
	r->efer = EFER_SVME;
	r->cr4 = CR4_MCE;
	r->cr0 = CR0_ET | CR0_PE;
	r->dr7 = DR7_RESET;
	r->dr6 = DR6_RESET;
	r->rflags = RFLAGS_RESERVED;
	r->rip = c->ap_reset_addr;
	r->g_pat = PAT_RESET;
	r->rdx = c->vcpu_sig;
	r->xcr0 = XCR0_X87;
	r->sev_features = c->sev_features;
	/* MXCSR as KVM_SEV_INIT2 sets it, but x87 FCW 0: sev-snp-measure
	 * 0.0.13 measures that (its VMSA_SVSM passes "fcw", which names no
	 * field of its save area, so FCW stays 0), and its SVSM digests are
	 * the ones guest owners compare with. */
	r->mxcsr = MXCSR_RESET;
}

static void vmsa_reset_regs(const struct vmsa_config *c, bool bsp,
			    struct vmsa_regs *r);

/* Where EC2 and GCE differ from QEMU's reset state. */
static void cloud_regs(const struct vmsa_config *c, bool bsp,
		       struct vmsa_regs *r)
{
	r->rdx = CLOUD_RESET_RDX;
	r->mxcsr = 0;
	r->x87_fcw = 0;
	if (c->vmm == VMM_GCE) {
		r->g_pat = GCE_PAT;
		return;
	}
	/* By the start address, as sev-snp-measure decides it: an AP whose
	 * reset block says 0xfffffff0 gets the BSP's attributes too. */
	if ((bsp ? BSP_RESET_EIP : c->ap_reset_addr) == BSP_RESET_EIP)
		r->cs.attrib = EC2_ATTR_BSP_CODE;
	r->ss.attrib = EC2_ATTR_SS;
	r->tr.attrib = EC2_ATTR_TSS;
}

void vmsa_regs(const struct vmsa_config *c, bool bsp, struct vmsa_regs *r)
{
	if (c->svsm) {
		svsm_regs(c, r);
		return;
	}
	vmsa_reset_regs(c, bsp, r);
	if (c->vmm != VMM_QEMU)
		cloud_regs(c, bsp, r);
}

static void vmsa_reset_regs(const struct vmsa_config *c, bool bsp,
			    struct vmsa_regs *r)
{
	/* An AP starts where the firmware's SEV-ES reset block says, in
	 * real mode: CS.base holds the upper 16 bits and IP the lower, as
	 * QEMU's sev_es_set_reset_vector() does.  The selector stays 0xf000
	 * (it is not rederived from the base). */
	uint32_t eip = bsp ? BSP_RESET_EIP : c->ap_reset_addr;

	memset(r, 0, sizeof(*r));
	r->es = seg(0, SEG_ATTR_DATA, 0);
	r->cs = seg(0xf000, SEG_ATTR_CODE, eip & 0xffff0000U);
	r->ss = seg(0, SEG_ATTR_DATA, 0);
	r->ds = seg(0, SEG_ATTR_DATA, 0);
	r->fs = seg(0, SEG_ATTR_DATA, 0);
	r->gs = seg(0, SEG_ATTR_DATA, 0);
	r->gdtr = seg(0, 0, 0);
	r->ldtr = seg(0, SEG_ATTR_LDT, 0);
	r->idtr = seg(0, 0, 0);
	r->tr = seg(0, SEG_ATTR_TSS_BUSY, 0);
	/* KVM sets EFER.SVME and CR4.MCE in every SEV-ES VMSA it syncs. */
	r->efer = EFER_SVME;
	r->cr4 = CR4_MCE;
	r->cr3 = 0;
	r->cr0 = CR0_ET;
	r->dr7 = DR7_RESET;
	r->dr6 = DR6_RESET;
	r->rflags = RFLAGS_RESERVED;
	r->rip = eip & 0xffff;
	r->g_pat = PAT_RESET;
	/* x86 reset convention: EDX holds the CPUID(1).EAX signature. */
	r->rdx = c->vcpu_sig;
	r->xcr0 = XCR0_X87;
	r->sev_features = c->sev_features;
	/* Only KVM_SEV_INIT2 VMs get the FPU reset values synced into the
	 * VMSA (Linux 6.10+); the legacy init leaves them zero. */
	if (c->init2) {
		r->mxcsr = MXCSR_RESET;
		r->x87_fcw = X87_FCW_RESET;
	}
}

void vmsa_build(const struct vmsa_config *c, bool bsp, uint8_t page[VMSA_SIZE])
{
	struct vmsa_regs r;

	vmsa_regs(c, bsp, &r);
	vmsa_page(&r, page);
}

void vmsa_page(const struct vmsa_regs *rp, uint8_t page[VMSA_SIZE])
{
	const struct vmsa_regs r = *rp;

	memset(page, 0, VMSA_SIZE);
	put_seg(page, VMSA_ES, &r.es);
	put_seg(page, VMSA_CS, &r.cs);
	put_seg(page, VMSA_SS, &r.ss);
	put_seg(page, VMSA_DS, &r.ds);
	put_seg(page, VMSA_FS, &r.fs);
	put_seg(page, VMSA_GS, &r.gs);
	put_seg(page, VMSA_GDTR, &r.gdtr);
	put_seg(page, VMSA_LDTR, &r.ldtr);
	put_seg(page, VMSA_IDTR, &r.idtr);
	put_seg(page, VMSA_TR, &r.tr);
	put_le64(page, VMSA_EFER, r.efer);
	put_le64(page, VMSA_CR4, r.cr4);
	put_le64(page, VMSA_CR3, r.cr3);
	put_le64(page, VMSA_CR0, r.cr0);
	put_le64(page, VMSA_DR7, r.dr7);
	put_le64(page, VMSA_DR6, r.dr6);
	put_le64(page, VMSA_RFLAGS, r.rflags);
	put_le64(page, VMSA_RIP, r.rip);
	put_le64(page, VMSA_G_PAT, r.g_pat);
	put_le64(page, VMSA_RDX, r.rdx);
	put_le64(page, VMSA_SEV_FEATURES, r.sev_features);
	put_le64(page, VMSA_XCR0, r.xcr0);
	put_le32(page, VMSA_MXCSR, r.mxcsr);
	put_le16(page, VMSA_X87_FCW, r.x87_fcw);
}
