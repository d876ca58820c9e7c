// SPDX-License-Identifier: MIT
/*
 * sev/plan.c: the launch plan, the one place that decides what the AMD
 * Secure Processor measures and in which order.
 *
 * The order is QEMU's, because that is what guest owners' tools
 * (sev-snp-measure, sevctl, libvirt) reproduce: the firmware, then the
 * kernel hashes (SEV/SEV-ES) or the ASEV sections (SNP), then the VMSAs.
 * Everything a firmware image declares is checked here, before any KVM
 * call, so that a bad image fails with a sentence instead of a firmware
 * status code halfway through a launch.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/util.h"
#include "sev/sev.h"

#define PAGE_SIZE 4096ULL
#define PAGE_MASK (PAGE_SIZE - 1)
#define SVSM_INFO_GUID "a789a612-0597-4c4b-a49f-cbb1fe9d1ddd"

static struct launch_step *plan_add(struct launch_plan *p,
				    enum launch_step_kind kind, uint64_t gpa,
				    const uint8_t *bytes, size_t len,
				    uint8_t page_type, const char *what)
{
	struct launch_step *s;

	/* LAUNCH_MAX_STEPS covers the most a valid configuration can add
	 * (the callers bound sections and vCPUs), so this cannot fail. */
	if (p->nsteps >= LAUNCH_MAX_STEPS)
		return NULL;
	s = &p->steps[p->nsteps++];
	*s = (struct launch_step){
		.kind = kind,
		.gpa = gpa,
		.bytes = bytes,
		.len = len,
		.page_type = page_type,
		.vcpu = -1,
		.what = what,
	};
	return s;
}

/*
 * The hashes table area has to hold QEMU's PaddedSevHashTable.  QEMU checks
 * only base != 0 and size >= 176; the 16-byte alignment is what
 * LAUNCH_UPDATE_DATA demands of its address (INVALID_ADDRESS otherwise).
 */
static int check_hashes_area(const struct ovmf_info *i, enum sev_mode mode,
			     char *err, size_t errlen)
{
	if (!i->has_hashes_entry) {
		set_err(err, errlen,
			 "this firmware has no kernel hashes table entry: it "
			 "cannot do measured direct boot (the AmdSev OVMF can: "
			 "firmware-blobs/get-ovmf-amdsev)");
		return -EINVAL;
	}
	if (!i->hashes_base || !i->hashes_size) {
		set_err(err, errlen,
			 "this firmware has no kernel hashes table (base 0x%x "
			 "size 0x%x): it cannot do measured direct boot (the "
			 "AmdSev OVMF can: firmware-blobs/get-ovmf-amdsev)",
			 i->hashes_base, i->hashes_size);
		return -EINVAL;
	}
	if (i->hashes_size < SEV_HASHES_PADDED_LEN) {
		set_err(err, errlen,
			 "the kernel hashes table area at 0x%x is 0x%x bytes, "
			 "smaller than the %u-byte table",
			 i->hashes_base, i->hashes_size, SEV_HASHES_PADDED_LEN);
		return -EINVAL;
	}
	/* base_gpa is below 4 GiB, so this also catches a wrap. */
	if ((uint64_t)i->hashes_base + SEV_HASHES_PADDED_LEN > i->base_gpa) {
		set_err(err, errlen,
			 "the kernel hashes table area at 0x%x runs into the "
			 "firmware image at 0x%llx",
			 i->hashes_base, (unsigned long long)i->base_gpa);
		return -EINVAL;
	}
	if (mode != SEV_MODE_SNP && (i->hashes_base & 0xf)) {
		set_err(err, errlen,
			 "the kernel hashes table at 0x%x is not 16-byte "
			 "aligned, which LAUNCH_UPDATE_DATA requires",
			 i->hashes_base);
		return -EINVAL;
	}
	/* SNP copies the table into one page at base & 0xfff. */
	if (mode == SEV_MODE_SNP &&
	    (i->hashes_base & PAGE_MASK) + SEV_HASHES_PADDED_LEN > PAGE_SIZE) {
		set_err(err, errlen,
			 "the kernel hashes table at 0x%x crosses a page "
			 "boundary",
			 i->hashes_base);
		return -EINVAL;
	}
	return 0;
}

/*
 * ASEV sections become SNP_LAUNCH_UPDATE calls on guest RAM.  Pages must
 * be whole, below the flash window (which is measured as the firmware) and
 * each measured once: the firmware refuses a page that is no longer in the
 * pre-guest state, so an overlap would only fail later, on hardware.
 */
static int check_sections(const struct ovmf_info *i, uint64_t limit,
			  const char *image, char *err, size_t errlen)
{
	if (i->nsections > OVMF_MAX_SECTIONS) {
		set_err(err, errlen,
			 "the SNP metadata has %u sections, more "
			 "than %u",
			 i->nsections, OVMF_MAX_SECTIONS);
		return -EINVAL;
	}
	for (unsigned k = 0; k < i->nsections; k++) {
		const struct ovmf_section *s = &i->sections[k];
		uint64_t end = (uint64_t)s->gpa + s->size;

		if (!s->size || (s->gpa & PAGE_MASK) || (s->size & PAGE_MASK)) {
			set_err(err, errlen,
				 "SNP metadata section %u (%s at 0x%x, 0x%x "
				 "bytes) is not a non-empty run of whole 4 KiB "
				 "pages",
				 k, ovmf_section_type_name(s->type), s->gpa,
				 s->size);
			return -EINVAL;
		}
		if (end > limit) {
			set_err(err, errlen,
				 "SNP metadata section %u (%s at 0x%x, 0x%x "
				 "bytes) reaches into the %s image at 0x%llx",
				 k, ovmf_section_type_name(s->type), s->gpa,
				 s->size, image, (unsigned long long)limit);
			return -EINVAL;
		}
		for (unsigned j = 0; j < k; j++) {
			const struct ovmf_section *o = &i->sections[j];

			if (s->gpa < (uint64_t)o->gpa + o->size &&
			    o->gpa < end) {
				set_err(err, errlen,
					 "SNP metadata sections %u and %u "
					 "overlap (0x%x+0x%x and 0x%x+0x%x)",
					 j, k, o->gpa, o->size, s->gpa,
					 s->size);
				return -EINVAL;
			}
		}
	}
	return 0;
}

/*
 * QEMU puts the table at (base & 0xfff) of the KERNEL_HASHES section, so
 * the section has to be the one page that holds base; sev-snp-measure also
 * insists on exactly one page.  Anything else would measure the table
 * somewhere OVMF does not look.
 */
static int check_hashes_section(const struct ovmf_info *i, char *err,
				size_t errlen)
{
	const struct ovmf_section *hs = NULL;

	for (unsigned k = 0; k < i->nsections; k++) {
		if (i->sections[k].type != OVMF_SECTION_KERNEL_HASHES)
			continue;
		if (hs) {
			set_err(err, errlen,
				 "the SNP metadata has more than one "
				 "KERNEL_HASHES section");
			return -EINVAL;
		}
		hs = &i->sections[k];
	}
	if (!hs) {
		set_err(
			err, errlen,
			"the SNP metadata of this firmware has no "
			"KERNEL_HASHES section, so the kernel hashes would not "
			"be measured: it cannot do measured direct boot "
			"under SNP (a current AmdSev OVMF can: "
			"firmware-blobs/get-ovmf-amdsev)");
		return -EINVAL;
	}
	if (hs->size != PAGE_SIZE || hs->gpa != (i->hashes_base & ~PAGE_MASK)) {
		set_err(err, errlen,
			 "the KERNEL_HASHES section (0x%x, 0x%x bytes) is not "
			 "the one page that holds the hashes table at 0x%x",
			 hs->gpa, hs->size, i->hashes_base);
		return -EINVAL;
	}
	return 0;
}

/* The SVSM's entry: its SVSM info entry holds the offset into the image
 * (COCONUT-SVSM's QEMU, target/i386/sev.c; sevsnpmeasure/ovmf.py SVSM). */
static int svsm_entry_offset(const uint8_t *img, const struct ovmf_info *i,
			     uint32_t *off)
{
	struct guid g;

	if (guid_parse(SVSM_INFO_GUID, &g))
		return -EINVAL;
	for (unsigned k = 0; k < i->nentries; k++) {
		const struct ovmf_entry *e = &i->entries[k];

		if (memcmp(e->guid.b, g.b, sizeof(g.b)) || e->data_len < 4)
			continue;
		*off = get_le32(img, e->data_offset);
		return 0;
	}
	return -ENOENT;
}

/* Where the SVSM goes: below the firmware and its variable store, as
 * QEMU maps the pflash units (code at the top, vars below) and the SVSM
 * below both. */
static int svsm_place(const struct launch_config *c, uint64_t *gpa)
{
	uint64_t top = c->ovmf_info->base_gpa;

	if (c->vars_size % PAGE_SIZE || c->vars_size > top ||
	    c->svsm_len > top - c->vars_size)
		return -ERANGE;
	*gpa = top - c->vars_size - c->svsm_len;
	return 0;
}

static int check_svsm(const struct launch_config *c, char *err, size_t errlen)
{
	const struct ovmf_info *s = c->svsm_info;
	uint64_t gpa;
	uint32_t off;

	if (!c->svsm_len || !s || s->size != c->svsm_len ||
	    c->svsm_len % PAGE_SIZE) {
		set_err(err, errlen,
			 "the SVSM description does not match the %zu-byte "
			 "image",
			 c->svsm_len);
		return -EINVAL;
	}
	if (svsm_place(c, &gpa)) {
		set_err(err, errlen,
			 "the SVSM (0x%zx bytes) and a variable store of "
			 "0x%llx bytes do not fit below the firmware at 0x%llx "
			 "(the store must be whole 4 KiB pages)",
			 c->svsm_len, (unsigned long long)c->vars_size,
			 (unsigned long long)c->ovmf_info->base_gpa);
		return -EINVAL;
	}
	if (svsm_entry_offset(c->svsm, s, &off) || off >= c->svsm_len) {
		set_err(err, errlen,
			 "the SVSM image has no SVSM info entry (GUID %s) "
			 "with an entry point inside it",
			 SVSM_INFO_GUID);
		return -EINVAL;
	}
	return check_sections(s, gpa, "SVSM", err, errlen);
}

/* What only `sevboot measure` asks for: other VMMs, a given firmware
 * digest, an SVSM. */
static int check_measure_only(const struct launch_config *c, char *err,
			      size_t errlen)
{
	if (c->vmm != VMM_QEMU && c->vmm != VMM_EC2 && c->vmm != VMM_GCE) {
		set_err(err, errlen, "unknown VMM type %d", (int)c->vmm);
		return -EINVAL;
	}
	if ((c->snp_ovmf_digest || c->svsm) && c->mode != SEV_MODE_SNP) {
		set_err(err, errlen,
			 "a given firmware digest and an SVSM exist for SNP "
			 "only");
		return -EINVAL;
	}
	if (c->snp_ovmf_digest && (c->snp_ovmf_only || c->svsm)) {
		set_err(err, errlen,
			 "a given firmware digest replaces the firmware pages "
			 "of a plain SNP launch only");
		return -EINVAL;
	}
	if (c->svsm && (c->kernel || c->snp_ovmf_only || c->vmm != VMM_QEMU ||
			c->legacy_init)) {
		set_err(err, errlen,
			 "an SVSM launch is measured for QEMU with "
			 "KVM_SEV_INIT2 and without a kernel");
		return -EINVAL;
	}
	if (c->vmm != VMM_QEMU && (c->legacy_init || c->debug_swap)) {
		set_err(err, errlen,
			 "the legacy KVM init describes QEMU on KVM, not %s",
			 vmm_type_name(c->vmm));
		return -EINVAL;
	}
	return 0;
}

static int check_config(const struct launch_config *c, char *err, size_t errlen)
{
	const struct ovmf_info *i = c->ovmf_info;
	bool es = c->mode == SEV_MODE_SEV_ES || c->mode == SEV_MODE_SNP;
	int ret;

	if (c->mode != SEV_MODE_SEV && c->mode != SEV_MODE_SEV_ES &&
	    c->mode != SEV_MODE_SNP) {
		set_err(err, errlen, "unknown SEV mode %d", (int)c->mode);
		return -EINVAL;
	}
	if (!c->ovmf || !c->ovmf_len || !i) {
		set_err(err, errlen, "no firmware image");
		return -EINVAL;
	}
	/* The plan trusts ovmf_info for offsets into the image; make sure it
	 * describes this image. */
	if (i->size != c->ovmf_len || i->base_gpa != SZ_4G - c->ovmf_len ||
	    c->ovmf_len % PAGE_SIZE || c->ovmf_len > OVMF_MAX_SIZE) {
		set_err(err, errlen,
			 "the firmware description does not match the %zu-byte "
			 "image",
			 c->ovmf_len);
		return -EINVAL;
	}
	if (c->ncpus == 0 || c->ncpus > LAUNCH_MAX_VCPUS) {
		set_err(err, errlen, "%u vCPUs: must be 1 to %u", c->ncpus,
			 LAUNCH_MAX_VCPUS);
		return -EINVAL;
	}
	if (!c->kernel && (c->initrd_len || c->cmdline)) {
		set_err(err, errlen,
			 "an initrd or command line is measured only with a "
			 "kernel");
		return -EINVAL;
	}
	if (c->initrd_len && !c->initrd) {
		set_err(err, errlen, "initrd length without initrd bytes");
		return -EINVAL;
	}
	if (c->debug_swap && (c->mode != SEV_MODE_SEV_ES || !c->legacy_init)) {
		set_err(err, errlen,
			"DebugSwap in the VMSAs comes only from the legacy "
			"KVM_SEV_ES_INIT of an SEV-ES guest (Linux 6.5 to 6.9 "
			"with kvm_amd.debug_swap=Y)");
		return -EINVAL;
	}
	if (c->snp_ovmf_only && c->mode != SEV_MODE_SNP) {
		set_err(err, errlen,
			 "the firmware-only digest exists for SNP only");
		return -EINVAL;
	}
	ret = check_measure_only(c, err, errlen);
	if (ret)
		return ret;
	/* Only the BSP starts at the reset vector; the APs need the reset
	 * block's address, and 0 would point them into the IVT.  (Every
	 * vCPU of an SVSM starts at the SVSM's entry.) */
	if (es && c->ncpus > 1 && !c->snp_ovmf_only && !c->svsm &&
	    (!i->has_reset_block || !i->reset_addr)) {
		set_err(err, errlen,
			 "this firmware has no SEV-ES reset block, so %u vCPUs "
			 "cannot start (only 1 vCPU can)",
			 c->ncpus);
		return -EINVAL;
	}
	/* QEMU aborts an SNP launch without it ("Failed to locate SEV
	 * metadata header"), so even the firmware-only prefix is useless. */
	if (c->mode == SEV_MODE_SNP && c->svsm)
		return check_svsm(c, err, errlen);
	if (c->mode == SEV_MODE_SNP) {
		int ret;

		if (!i->has_sev_meta) {
			set_err(err, errlen,
				 "this firmware has no SNP metadata (ASEV): it "
				 "cannot launch an SNP guest (Debian's "
				 "OVMF_CODE_4M builds cannot; use an X64 "
				 "OVMF.fd or the AmdSev build from "
				 "firmware-blobs/get-ovmf-amdsev)");
			return -EINVAL;
		}
		ret = check_sections(i, i->base_gpa, "firmware", err, errlen);
		if (ret)
			return ret;
	}
	if (c->kernel && !c->snp_ovmf_only) {
		int ret = check_hashes_area(i, c->mode, err, errlen);

		if (!ret && c->mode == SEV_MODE_SNP)
			ret = check_hashes_section(i, err, errlen);
		if (ret)
			return ret;
	}
	return 0;
}

static int add_vmsas(const struct launch_config *c, struct launch_plan *p,
		     char *err, size_t errlen)
{
	struct vmsa_config *vc = &p->vmsa;

	*vc = (struct vmsa_config){
		.vcpu_sig = c->vcpu_sig,
		.ap_reset_addr = c->ovmf_info->reset_addr,
		.sev_features = c->mode == SEV_MODE_SNP ? c->snp_features
				: c->debug_swap		? SEV_FEAT_DEBUG_SWAP
							: 0,
		.init2 = !c->legacy_init,
		.vmm = c->vmm,
	};
	if (c->svsm) {
		uint32_t off = 0;

		/* Checked by check_svsm().  The SVSM runs with SNPActive
		 * only (sevsnpmeasure/vmsa.py VMSA_SVSM). */
		svsm_entry_offset(c->svsm, c->svsm_info, &off);
		vc->svsm = true;
		vc->ap_reset_addr = (uint32_t)(p->svsm_gpa + off);
		vc->sev_features = SNP_FEAT_SNP_ACTIVE;
	}

	p->vmsas = calloc(c->ncpus, VMSA_SIZE);
	if (!p->vmsas) {
		set_err(err, errlen, "out of memory for %u VMSAs", c->ncpus);
		return -ENOMEM;
	}
	/* BSP first: QEMU's vCPU order, and the order KVM measures in. */
	for (unsigned v = 0; v < c->ncpus; v++) {
		uint8_t *page = p->vmsas + (size_t)v * VMSA_SIZE;
		struct launch_step *s;

		vmsa_build(vc, v == 0, page);
		if (c->mode == SEV_MODE_SNP)
			s = plan_add(p, STEP_SNP_VMSA, SNP_VMSA_GPA, page,
				     VMSA_SIZE, SNP_PAGE_VMSA, "VMSA");
		else
			s = plan_add(p, STEP_UPDATE_VMSA, 0, page, VMSA_SIZE, 0,
				     "VMSA");
		if (!s)
			return -E2BIG;
		s->vcpu = (int)v;
	}
	return 0;
}

static int build_sev(const struct launch_config *c, struct launch_plan *p,
		     char *err, size_t errlen)
{
	const struct ovmf_info *i = c->ovmf_info;

	/* One LAUNCH_UPDATE_DATA over the whole image: the embedded varstore
	 * of a unified OVMF.fd is measured too. */
	if (!plan_add(p, STEP_UPDATE_DATA, i->base_gpa, c->ovmf, c->ovmf_len, 0,
		      "firmware"))
		return -E2BIG;
	if (c->kernel) {
		/* Only the padded table is measured, not its page. */
		sev_hashes_table(c->kernel, c->kernel_len, c->initrd,
				 c->initrd_len, c->cmdline, p->hashes_page);
		if (!plan_add(p, STEP_UPDATE_DATA, i->hashes_base,
			      p->hashes_page, SEV_HASHES_PADDED_LEN, 0,
			      "kernel hashes"))
			return -E2BIG;
	}
	if (c->mode == SEV_MODE_SEV_ES)
		return add_vmsas(c, p, err, errlen);
	return 0;
}

static uint8_t snp_section_page_type(const struct launch_config *c,
				     uint32_t type)
{
	switch (type) {
	case OVMF_SECTION_SNP_SEC_MEM:
		/* GCE leaves the SEC memory unmeasured; QEMU and EC2
		 * pre-validate it as zero pages. */
		return c->vmm == VMM_GCE ? SNP_PAGE_UNMEASURED : SNP_PAGE_ZERO;
	case OVMF_SECTION_SNP_SECRETS:
		return SNP_PAGE_SECRETS;
	case OVMF_SECTION_CPUID:
		return SNP_PAGE_CPUID;
	case OVMF_SECTION_KERNEL_HASHES:
		return c->kernel ? SNP_PAGE_NORMAL : SNP_PAGE_ZERO;
	default:
		/* SNP_SEC_MEM, SVSM_CAA and types QEMU does not know: QEMU
		 * pre-validates them as zero pages. */
		return SNP_PAGE_ZERO;
	}
}

/*
 * The metadata sections of the image that owns them (the firmware, or the
 * SVSM), in table order; EC2 measures the CPUID page after all the others
 * (sevsnpmeasure/guest.py snp_update_metadata_pages()).
 */
static int add_sections(const struct launch_config *c, struct launch_plan *p,
			const struct ovmf_info *i)
{
	for (int pass = 0; pass < 2; pass++) {
		for (unsigned k = 0; k < i->nsections; k++) {
			const struct ovmf_section *s = &i->sections[k];
			uint8_t type = snp_section_page_type(c, s->type);
			bool late = c->vmm == VMM_EC2 &&
				    s->type == OVMF_SECTION_CPUID;
			const uint8_t *bytes = NULL;

			if (late != (pass == 1))
				continue;
			if (type == SNP_PAGE_NORMAL)
				bytes = p->hashes_page; /* exactly one page */
			if (!plan_add(p, STEP_SNP_UPDATE, s->gpa, bytes,
				      s->size, type,
				      ovmf_section_type_name(s->type)))
				return -E2BIG;
		}
	}
	return 0;
}

/* The firmware's pages, or the digest given in their place. */
static int add_firmware(const struct launch_config *c, struct launch_plan *p)
{
	const struct ovmf_info *i = c->ovmf_info;

	if (c->snp_ovmf_digest) {
		p->seeded = true;
		memcpy(p->seed, c->snp_ovmf_digest, sizeof(p->seed));
		return 0;
	}
	if (!plan_add(p, STEP_SNP_UPDATE, i->base_gpa, c->ovmf, c->ovmf_len,
		      SNP_PAGE_NORMAL, "firmware"))
		return -E2BIG;
	return 0;
}

/* COCONUT-SVSM: the firmware, the SVSM, the SVSM's sections, its VMSAs
 * (sevsnpmeasure/guest.py svsm_calc_launch_digest()). */
static int build_svsm(const struct launch_config *c, struct launch_plan *p,
		      char *err, size_t errlen)
{
	int ret = add_firmware(c, p);

	if (ret)
		return ret;
	if (svsm_place(c, &p->svsm_gpa))
		return -ERANGE; /* checked by check_svsm() */
	if (!plan_add(p, STEP_SNP_UPDATE, p->svsm_gpa, c->svsm, c->svsm_len,
		      SNP_PAGE_NORMAL, "SVSM"))
		return -E2BIG;
	ret = add_sections(c, p, c->svsm_info);
	if (ret)
		return ret;
	return add_vmsas(c, p, err, errlen);
}

static int build_snp(const struct launch_config *c, struct launch_plan *p,
		     char *err, size_t errlen)
{
	const struct ovmf_info *i = c->ovmf_info;
	int ret;

	if (c->svsm)
		return build_svsm(c, p, err, errlen);
	ret = add_firmware(c, p);
	if (ret || c->snp_ovmf_only)
		return ret;

	if (c->kernel) {
		uint8_t table[SEV_HASHES_PADDED_LEN];

		/* SNP measures the whole page: zeros with the table where
		 * OVMF will look for it. */
		sev_hashes_table(c->kernel, c->kernel_len, c->initrd,
				 c->initrd_len, c->cmdline, table);
		memcpy(p->hashes_page + (i->hashes_base & PAGE_MASK), table,
		       sizeof(table));
	}
	ret = add_sections(c, p, i);
	if (ret)
		return ret;
	return add_vmsas(c, p, err, errlen);
}

int launch_plan_build(const struct launch_config *c, struct launch_plan *p,
		      char *err, size_t errlen)
{
	int ret;

	memset(p, 0, sizeof(*p));
	if (!c) {
		set_err(err, errlen, "no launch configuration");
		return -EINVAL;
	}
	ret = check_config(c, err, errlen);
	if (ret)
		return ret;

	p->mode = c->mode;
	if (c->mode == SEV_MODE_SNP)
		ret = build_snp(c, p, err, errlen);
	else
		ret = build_sev(c, p, err, errlen);
	if (ret == -E2BIG)
		set_err(err, errlen, "the launch plan has more than %u steps",
			 LAUNCH_MAX_STEPS);
	if (ret)
		launch_plan_free(p);
	return ret;
}

void launch_plan_free(struct launch_plan *p)
{
	if (!p)
		return;
	free(p->vmsas);
	p->vmsas = NULL;
	p->nsteps = 0;
}
