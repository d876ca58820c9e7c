// SPDX-License-Identifier: MIT
/*
 * sev/model/kernel.c: the kernel's rules in front of the firmware model.
 * Every rule is broken on purpose here and must be answered with the
 * kernel's errno (Linux arch/x86/kvm/svm/sev.c, virt/kvm/guest_memfd.c
 * kvm_gmem_populate(), arch/x86/kvm/x86.c), with a reason naming the
 * kernel function; the same launches done right must still measure the
 * plan's digest.  The machine's side (REG_REGION, guest_memfd slots,
 * memory attributes, vCPUs, register writes) is recorded by hand, in the
 * order vmm/ makes those calls.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/mman.h>

#include "loader/loader.h"
#include "util/kvm_uapi.h"
#include "sev/model/model.h"
#include "sev/launch.h"
#include "sev/sev.h"
#include "tests/unit/testutil.h"

#define EPYC_V4_SIG 0x800f12
#define FW_LEN	    (512 * 1024) /* 128 pages: SNP calls of 64 */
#define POLICY_SEV  0x1u
#define POLICY_ES   0x5u
#define POLICY_SNP  0x30000u
#define NO_FW	    ((uint32_t)SEV_RET_NO_FW_CALL)
#define PG	    4096ULL

/* ------------------------------------------------------------- the rig */

struct rig {
	uint8_t *fw;
	struct ovmf_info info;
	struct launch_plan p;
	struct sev_model *m;
	struct sev_kernel *k;
	struct sev_launch l;
	uint8_t *low, *high; /* guest RAM: 16 MiB at 0, the flash window */
	uint64_t low_size, high_base;
	unsigned ncpus;
	enum sev_mode mode;
	unsigned long vm_type;
};

static int rig_vmsa(void *ctx, unsigned index, uint8_t page[VMSA_SIZE])
{
	struct rig *r = ctx;

	if (index >= r->ncpus)
		return -ENOENT;
	memcpy(page, r->p.vmsas + (size_t)index * VMSA_SIZE, VMSA_SIZE);
	return 0;
}

static uint8_t *rig_hva(void *ctx, uint64_t gpa, uint64_t len)
{
	struct rig *r = ctx;

	if (gpa + len <= r->low_size)
		return r->low + gpa;
	if (gpa >= r->high_base && gpa + len <= r->high_base + FW_LEN)
		return r->high + (gpa - r->high_base);
	return NULL;
}

static void profile(const char *release, struct sev_kernel_profile *p)
{
	struct sev_host_facts f;

	memset(&f, 0, sizeof(f));
	snprintf(f.kernel_release, sizeof(f.kernel_release), "%s", release);
	sev_kernel_profile_from(&f, p);
}

/* The VM type sevboot creates for mode (legacy: the default type). */
static unsigned long vm_type_of(enum sev_mode mode, bool legacy)
{
	if (legacy)
		return KVM_X86_DEFAULT_VM;
	return mode == SEV_MODE_SNP	 ? KVM_X86_SNP_VM
	       : mode == SEV_MODE_SEV_ES ? KVM_X86_SEV_ES_VM
					 : KVM_X86_SEV_VM;
}

/* A plan, the model behind the layer for kernel release, a launch
 * context over it; nothing issued yet. */
static struct rig *rig_new(enum sev_mode mode, uint64_t policy, unsigned ncpus,
			   const char *release, bool legacy,
			   enum sev_model_break brk)
{
	struct rig *r = calloc(1, sizeof(*r));
	struct sev_kernel_config kc = {.brk = brk};
	struct sev_model_config mc = {.vmsa = rig_vmsa, .mode = mode};
	struct launch_config c;
	char err[256] = "";

	ck_assert_ptr_nonnull(r);
	r->mode = mode;
	r->ncpus = ncpus;
	r->fw = aligned_alloc(PG, FW_LEN);
	ck_assert_ptr_nonnull(r->fw);
	for (size_t i = 0; i < FW_LEN; i++)
		r->fw[i] = (uint8_t)(i * 131 + (i >> 12));
	r->info.size = FW_LEN;
	r->info.base_gpa = SZ_4G - FW_LEN;
	r->info.has_reset_block = true;
	r->info.reset_addr = 0xfffff000 - 0x1000;
	r->info.has_sev_meta = true;
	r->info.sev_meta_version = 1;
	r->info.nsections = 3;
	r->info.sections[0] = (struct ovmf_section){0x800000, 0x3000, 1};
	r->info.sections[1] = (struct ovmf_section){0x803000, 0x1000, 2};
	r->info.sections[2] = (struct ovmf_section){0x804000, 0x1000, 3};
	c = (struct launch_config){.mode = mode,
				   .ncpus = ncpus,
				   .vcpu_sig = EPYC_V4_SIG,
				   .snp_features = 0x1,
				   .legacy_init = legacy,
				   .ovmf = r->fw,
				   .ovmf_len = FW_LEN,
				   .ovmf_info = &r->info};
	ck_assert_msg(launch_plan_build(&c, &r->p, err, sizeof(err)) == 0, "%s",
		      err);
	mc.vmsa_ctx = r;
	r->m = sev_model_new(&mc, err, sizeof(err));
	ck_assert_msg(r->m != NULL, "%s", err);
	profile(release, &kc.profile);
	r->vm_type = kc.vm_type = vm_type_of(mode, legacy);
	kc.inner = sev_transport_model(r->m);
	r->k = sev_kernel_new(&kc, err, sizeof(err));
	ck_assert_msg(r->k != NULL, "%s", err);
	ck_assert_int_eq(
		sevl_setup(&r->l, mode, policy, sev_transport_kernel(r->k)), 0);
	r->low_size = 16 * SZ_1M;
	r->low = mmap(NULL, r->low_size, PROT_READ | PROT_WRITE,
		      MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	r->high = mmap(NULL, FW_LEN, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ck_assert_ptr_ne(r->low, MAP_FAILED);
	ck_assert_ptr_ne(r->high, MAP_FAILED);
	r->high_base = SZ_4G - FW_LEN;
	return r;
}

static void rig_free(struct rig *r)
{
	sev_kernel_free(r->k);
	sev_model_free(r->m);
	launch_plan_free(&r->p);
	munmap(r->low, r->low_size);
	munmap(r->high, FW_LEN);
	free(r->fw);
	free(r);
}

static int call(struct rig *r, enum sev_vm_call_kind kind, uint64_t gpa,
		uint64_t size, void *hva, bool priv, unsigned vcpu)
{
	struct sev_vm_call c = {.kind = kind,
				.gpa = gpa,
				.size = size,
				.hva = hva,
				.private_mem = priv,
				.vcpu = vcpu};

	return sev_kernel_vm_call(r->k, &c);
}

static void ck_ok(struct rig *r, int ret)
{
	ck_assert_msg(ret == 0, "%d: %s / %s", ret, sevl_error(&r->l),
		      sev_kernel_why(r->k));
}

/* ret is want, and the layer's reason names the kernel's errno and fn. */
static void ck_rule(struct rig *r, int ret, int want, const char *errname,
		    const char *fn)
{
	const char *why = sev_kernel_why(r->k);

	ck_assert_msg(ret == want, "ret %d, want %d: %s", ret, want, why);
	ck_assert_msg(strstr(why, errname), "\"%s\" lacks %s", why, errname);
	ck_assert_msg(strstr(why, fn), "\"%s\" lacks %s", why, fn);
}

static int raw(struct rig *r, uint32_t id, void *data, uint32_t *fw)
{
	struct sev_transport t = sev_transport_kernel(r->k);

	*fw = NO_FW;
	return t.ops->vm_cmd(t.ctx, id, data, fw);
}

/* INIT, the machine's memory as vmm/ records it, the vCPUs: what
 * cvm_init(), mem_add_slot()/cvm_slot_added() and vcpu_create() do. */
static void rig_machine(struct rig *r, bool legacy)
{
	bool snp = r->mode == SEV_MODE_SNP;

	ck_ok(r, sevl_vm_init(
			 &r->l, legacy,
			 r->mode == SEV_MODE_SEV ? 0 : r->p.vmsa.sev_features));
	ck_ok(r, call(r, SEV_VM_SLOT, 0, r->low_size, r->low, snp, 0));
	ck_ok(r, call(r, SEV_VM_SLOT, r->high_base, FW_LEN, r->high, snp, 0));
	if (snp) {
		ck_ok(r, call(r, SEV_VM_SET_ATTRIBUTES, 0, r->low_size, NULL,
			      true, 0));
		ck_ok(r, call(r, SEV_VM_SET_ATTRIBUTES, r->high_base, FW_LEN,
			      NULL, true, 0));
	} else {
		ck_ok(r, call(r, SEV_VM_REG_REGION, 0, r->low_size, r->low,
			      false, 0));
		ck_ok(r, call(r, SEV_VM_REG_REGION, r->high_base, FW_LEN,
			      r->high, false, 0));
	}
	for (unsigned i = 0; i < r->ncpus; i++)
		ck_ok(r, call(r, SEV_VM_CREATE_VCPU, 0, 0, NULL, false, i));
}

/* A page the kernel can neither pin nor read. */
static void *unreadable_page(void)
{
	void *p = mmap(NULL, PG, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	ck_assert_ptr_ne(p, MAP_FAILED);
	return p;
}

/* ============================================== launches done right */

START_TEST(launches_pass_through_the_layer)
{
	static const enum sev_mode modes[] = {SEV_MODE_SEV, SEV_MODE_SEV_ES,
					      SEV_MODE_SNP};

	for (unsigned i = 0; i < 3; i++) {
		enum sev_mode mode = modes[i];
		struct rig *r = rig_new(mode,
					mode == SEV_MODE_SNP   ? POLICY_SNP
					: mode == SEV_MODE_SEV ? POLICY_SEV
							       : POLICY_ES,
					2, "6.12.48+deb13-amd64", false, 0);
		uint8_t want[48], got[48];

		rig_machine(r, false);
		if (mode == SEV_MODE_SNP) {
			ck_ok(r, sevl_snp_start(&r->l));
			ck_ok(r, sevl_walk_plan(&r->l, &r->p, rig_hva, r));
			ck_ok(r, sevl_snp_finish(&r->l, NULL));
			ck_assert_int_eq(measure_snp_digest(&r->p, want), 0);
			ck_assert_int_eq(sev_model_launch_digest(r->m, got, 48),
					 0);
			ck_assert_mem_eq(got, want, 48);
		} else {
			ck_ok(r, sevl_start(&r->l));
			ck_ok(r, sevl_walk_plan(&r->l, &r->p, rig_hva, r));
			ck_ok(r, sevl_measure(&r->l));
			ck_ok(r, sevl_finish(&r->l));
			ck_assert_int_eq(measure_sev_digest(&r->p, want), 0);
			ck_assert_int_eq(sev_model_launch_digest(r->m, got, 32),
					 0);
			ck_assert_mem_eq(got, want, 32);
		}
		rig_free(r);
	}
}
END_TEST

/* ============================================================ profiles */

START_TEST(profiles_follow_the_kernel_version)
{
	struct sev_kernel_profile p;
	char name[160];

	profile("6.1.0-28-amd64", &p);
	ck_assert(!p.vm_types && !p.snp);
	ck_assert_uint_eq(p.major, 6);
	ck_assert_uint_eq(p.minor, 1);
	sev_kernel_profile_name(&p, name, sizeof(name));
	ck_assert_str_eq(name, "Linux 6.1 (uname -r 6.1.0-28-amd64)");
	profile("6.10.3", &p);
	ck_assert(p.vm_types && !p.snp);
	profile("6.12.48+deb13-amd64", &p);
	ck_assert(p.vm_types && p.snp);
	ck_assert(p.snp_rules.need_smt); /* 6.11-6.15 */
	profile("6.16.1", &p);
	ck_assert(p.vm_types && p.snp && !p.snp_rules.need_smt);
	profile("7.0", &p);
	ck_assert(p.vm_types && p.snp);
	/* Unknown: the newest rules. */
	profile("", &p);
	ck_assert(p.vm_types && p.snp);
	sev_kernel_profile_name(&p, name, sizeof(name));
	ck_assert_msg(strstr(name, "unknown"), "%s", name);
}
END_TEST

START_TEST(vm_types_do_not_exist_before_6_10)
{
	struct sev_kernel_config kc = {.vm_type = KVM_X86_SEV_ES_VM};
	char err[256] = "";

	profile("6.1.0-28-amd64", &kc.profile);
	ck_assert_ptr_null(sev_kernel_new(&kc, err, sizeof(err)));
	ck_assert_msg(strstr(err, "-EINVAL") && strstr(err, "Linux 6.1"), "%s",
		      err);
	profile("6.10.3", &kc.profile);
	kc.vm_type = KVM_X86_SNP_VM;
	ck_assert_ptr_null(sev_kernel_new(&kc, err, sizeof(err)));
}
END_TEST

/* ======================================================== INIT, types */

START_TEST(nothing_before_init)
{
	struct rig *r =
		rig_new(SEV_MODE_SEV, POLICY_SEV, 1, "6.12.1", false, 0);
	struct kvm_sev_launch_start st = {.policy = POLICY_SEV};
	uint32_t fw;

	/* Every handler's !sev_guest(): -ENOTTY, no firmware call. */
	ck_rule(r, raw(r, KVM_SEV_LAUNCH_START, &st, &fw), -ENOTTY, "ENOTTY",
		"not an SEV guest");
	ck_assert_uint_eq(fw, NO_FW);
	ck_rule(r, raw(r, KVM_SEV_LAUNCH_MEASURE, &st, &fw), -ENOTTY, "ENOTTY",
		"INIT");
	/* sev_mem_enc_register_region(): likewise. */
	ck_rule(r, call(r, SEV_VM_REG_REGION, 0, PG, r->low, false, 0), -ENOTTY,
		"ENOTTY", "REG_REGION");
	rig_free(r);
}
END_TEST

START_TEST(init_follows_the_vm_type)
{
	struct rig *r;
	struct kvm_sev_init in = {0};
	uint32_t fw;

	/* sev_guest_init2(): not on the default type. */
	r = rig_new(SEV_MODE_SEV_ES, POLICY_ES, 1, "6.12.1", true, 0);
	ck_rule(r, raw(r, KVM_SEV_INIT2, &in, &fw), -EINVAL, "EINVAL",
		"sev_guest_init2()");
	rig_free(r);
	/* sev_guest_init(): the legacy command only on the default type. */
	r = rig_new(SEV_MODE_SEV_ES, POLICY_ES, 1, "6.12.1", false, 0);
	ck_rule(r, raw(r, KVM_SEV_ES_INIT, NULL, &fw), -EINVAL, "EINVAL",
		"sev_guest_init()");
	/* INIT2 once; a second is -EINVAL. */
	ck_ok(r, raw(r, KVM_SEV_INIT2, &in, &fw));
	ck_rule(r, raw(r, KVM_SEV_INIT2, &in, &fw), -EINVAL, "EINVAL",
		"already an SEV guest");
	rig_free(r);
}
END_TEST

START_TEST(init_before_vcpus)
{
	struct rig *r =
		rig_new(SEV_MODE_SEV_ES, POLICY_ES, 1, "6.12.1", false, 0);
	struct kvm_sev_init in = {0};
	uint32_t fw;

	ck_ok(r, call(r, SEV_VM_CREATE_VCPU, 0, 0, NULL, false, 0));
	ck_rule(r, raw(r, KVM_SEV_INIT2, &in, &fw), -EINVAL, "EINVAL",
		"__sev_guest_init()");
	rig_free(r);
	r = rig_new(SEV_MODE_SEV, POLICY_SEV, 1, "6.1.0-28-amd64", true, 0);
	ck_ok(r, call(r, SEV_VM_CREATE_VCPU, 0, 0, NULL, false, 0));
	ck_rule(r, raw(r, KVM_SEV_INIT, NULL, &fw), -EINVAL, "EINVAL",
		"before KVM_CREATE_VCPU");
	rig_free(r);
}
END_TEST

START_TEST(linux_6_1_has_only_the_legacy_commands)
{
	struct rig *r = rig_new(SEV_MODE_SEV_ES, POLICY_ES, 1, "6.1.0-28-amd64",
				true, 0);
	struct kvm_sev_init in = {0};
	struct kvm_sev_snp_launch_start st = {.policy = POLICY_SNP};
	uint32_t fw;

	ck_rule(r, raw(r, KVM_SEV_INIT2, &in, &fw), -EINVAL, "EINVAL",
		"does not exist before Linux 6.10");
	ck_rule(r, raw(r, KVM_SEV_SNP_LAUNCH_START, &st, &fw), -EINVAL,
		"EINVAL", "does not exist before Linux 6.11");
	ck_ok(r, raw(r, KVM_SEV_ES_INIT, NULL, &fw));
	/* 6.1's sev_guest_init() says -EBUSY to a second INIT. */
	ck_rule(r, raw(r, KVM_SEV_ES_INIT, NULL, &fw), -EBUSY, "EBUSY",
		"sev_guest_init()");
	rig_free(r);
}
END_TEST

START_TEST(snp_guests_take_only_snp_ids)
{
	struct rig *r =
		rig_new(SEV_MODE_SNP, POLICY_SNP, 1, "6.12.1", false, 0);
	struct kvm_sev_launch_start st = {.policy = POLICY_SEV};
	uint32_t fw;

	rig_machine(r, false);
	ck_rule(r, raw(r, KVM_SEV_LAUNCH_START, &st, &fw), -EPERM, "EPERM",
		"sev_mem_enc_ioctl()");
	ck_rule(r, raw(r, KVM_SEV_LAUNCH_UPDATE_VMSA, NULL, &fw), -EPERM,
		"EPERM", "SNP commands");
	rig_free(r);
}
END_TEST

START_TEST(wrong_flavour_commands)
{
	struct rig *r =
		rig_new(SEV_MODE_SEV, POLICY_SEV, 1, "6.12.1", false, 0);
	struct kvm_sev_snp_launch_start st = {.policy = POLICY_SNP};
	struct kvm_sev_snp_launch_update up = {.len = PG, .type = 1};
	uint32_t fw;

	rig_machine(r, false);
	ck_rule(r, raw(r, KVM_SEV_LAUNCH_UPDATE_VMSA, NULL, &fw), -ENOTTY,
		"ENOTTY", "sev_launch_update_vmsa()");
	ck_rule(r, raw(r, KVM_SEV_SNP_LAUNCH_START, &st, &fw), -ENOTTY,
		"ENOTTY", "snp_launch_start()");
	/* snp_launch_update() says -EINVAL where its siblings say -ENOTTY. */
	ck_rule(r, raw(r, KVM_SEV_SNP_LAUNCH_UPDATE, &up, &fw), -EINVAL,
		"EINVAL", "snp_launch_update()");
	rig_free(r);
}
END_TEST

/* ======================================= UPDATE_DATA and LAUNCH_SECRET */

START_TEST(update_data_must_be_registered_guest_ram)
{
	struct rig *r =
		rig_new(SEV_MODE_SEV, POLICY_SEV, 1, "6.12.1", false, 0);
	uint8_t *other = aligned_alloc(PG, 2 * PG);
	void *bad = unreadable_page();
	struct kvm_sev_launch_update_data d;
	uint32_t fw;

	ck_assert_ptr_nonnull(other);
	rig_machine(r, false);
	ck_ok(r, sevl_start(&r->l));
	/* Mapped, but not guest RAM: the model's own rule. */
	d = (struct kvm_sev_launch_update_data){.uaddr = (uintptr_t)other,
						.len = PG};
	ck_rule(r, raw(r, KVM_SEV_LAUNCH_UPDATE_DATA, &d, &fw), -EFAULT,
		"EFAULT", "REG_REGION");
	/* Not pinnable: sev_pin_memory()'s -ENOMEM. */
	d.uaddr = (uintptr_t)bad;
	ck_rule(r, raw(r, KVM_SEV_LAUNCH_UPDATE_DATA, &d, &fw), -ENOMEM,
		"ENOMEM", "sev_pin_memory()");
	ck_assert_uint_eq(fw, NO_FW);
	/* Empty, or wrapping: -EINVAL. */
	d = (struct kvm_sev_launch_update_data){.uaddr = (uintptr_t)r->low};
	ck_rule(r, raw(r, KVM_SEV_LAUNCH_UPDATE_DATA, &d, &fw), -EINVAL,
		"EINVAL", "sev_pin_memory()");
	d = (struct kvm_sev_launch_update_data){.uaddr = UINT64_MAX - 15,
						.len = 32};
	ck_rule(r, raw(r, KVM_SEV_LAUNCH_UPDATE_DATA, &d, &fw), -EINVAL,
		"EINVAL", "wrapping");
	/* Past the end of the registered range (the firmware window is the
	 * last FW_LEN bytes of r->high). */
	d = (struct kvm_sev_launch_update_data){
		.uaddr = (uintptr_t)r->high + FW_LEN - PG, .len = 2 * PG};
	ck_assert_int_lt(raw(r, KVM_SEV_LAUNCH_UPDATE_DATA, &d, &fw), 0);
	/* Inside: fine. */
	d = (struct kvm_sev_launch_update_data){.uaddr = (uintptr_t)r->low,
						.len = PG};
	ck_ok(r, raw(r, KVM_SEV_LAUNCH_UPDATE_DATA, &d, &fw));
	munmap(bad, PG);
	free(other);
	rig_free(r);
}
END_TEST

START_TEST(update_data_unregistered_when_regions_are_missing)
{
	/* Without REG_REGION records (what vmm/ would have forgotten) even
	 * guest RAM is refused. */
	struct rig *r =
		rig_new(SEV_MODE_SEV, POLICY_SEV, 1, "6.12.1", false, 0);
	struct kvm_sev_launch_update_data d = {.uaddr = 0, .len = PG};
	uint32_t fw;

	ck_ok(r, sevl_vm_init(&r->l, false, 0));
	ck_ok(r, sevl_start(&r->l));
	d.uaddr = (uintptr_t)r->low;
	ck_rule(r, raw(r, KVM_SEV_LAUNCH_UPDATE_DATA, &d, &fw), -EFAULT,
		"EFAULT", "KVM_MEMORY_ENCRYPT_REG_REGION");
	rig_free(r);
}
END_TEST

START_TEST(launch_secret_rules)
{
	struct rig *r =
		rig_new(SEV_MODE_SEV, POLICY_SEV, 1, "6.12.1", false, 0);
	uint8_t hdr[SEV_PACKET_HDR_LEN] = {0}, trans[32] = {0};
	uint8_t *other = aligned_alloc(PG, PG);
	struct kvm_sev_launch_secret s = {
		.hdr_uaddr = (uintptr_t)hdr,
		.hdr_len = sizeof(hdr),
		.trans_uaddr = (uintptr_t)trans,
		.trans_len = sizeof(trans),
		.guest_len = sizeof(trans),
	};
	uint32_t fw;

	ck_assert_ptr_nonnull(other);
	rig_machine(r, false);
	ck_ok(r, sevl_start(&r->l));
	ck_ok(r, sevl_walk_plan(&r->l, &r->p, rig_hva, r));
	ck_ok(r, sevl_measure(&r->l));
	/* Across a page boundary: the pinned pages must be contiguous. */
	s.guest_uaddr = (uintptr_t)r->low + PG - 16;
	ck_rule(r, raw(r, KVM_SEV_LAUNCH_SECRET, &s, &fw), -EINVAL, "EINVAL",
		"sev_launch_secret()");
	/* Not guest RAM. */
	s.guest_uaddr = (uintptr_t)other;
	ck_rule(r, raw(r, KVM_SEV_LAUNCH_SECRET, &s, &fw), -EFAULT, "EFAULT",
		"LAUNCH_SECRET");
	/* Empty. */
	s.guest_uaddr = (uintptr_t)r->low;
	s.guest_len = 0;
	ck_rule(r, raw(r, KVM_SEV_LAUNCH_SECRET, &s, &fw), -EINVAL, "EINVAL",
		"sev_pin_memory()");
	/* In one page of guest RAM it reaches the firmware (whose MAC check
	 * fails on this zero packet). */
	s.guest_len = sizeof(trans);
	ck_assert_int_eq(raw(r, KVM_SEV_LAUNCH_SECRET, &s, &fw), -EIO);
	ck_assert_uint_ne(fw, NO_FW);
	free(other);
	rig_free(r);
}
END_TEST

START_TEST(break_uaddr_fails_with_enomem)
{
	struct rig *r = rig_new(SEV_MODE_SEV, POLICY_SEV, 1, "6.12.1", false,
				SEV_MODEL_BREAK_UADDR);

	rig_machine(r, false);
	ck_ok(r, sevl_start(&r->l));
	ck_assert_int_eq(sevl_walk_plan(&r->l, &r->p, rig_hva, r), -ENOMEM);
	ck_assert_msg(strstr(sevl_error(&r->l), "-ENOMEM") &&
			      strstr(sevl_error(&r->l), "sev_pin_memory()"),
		      "%s", sevl_error(&r->l));
	rig_free(r);
}
END_TEST

START_TEST(break_len_fails_in_the_firmware)
{
	struct rig *r = rig_new(SEV_MODE_SEV, POLICY_SEV, 1, "6.12.1", false,
				SEV_MODEL_BREAK_LEN);

	rig_machine(r, false);
	ck_ok(r, sevl_start(&r->l));
	ck_assert_int_eq(sevl_walk_plan(&r->l, &r->p, rig_hva, r), -EIO);
	ck_assert_uint_eq(r->l.last_fw_error, SEV_RET_INVALID_LEN);
	rig_free(r);
}
END_TEST

/* ====================================================== SNP_LAUNCH_* */

static struct rig *snp_started(void)
{
	struct rig *r =
		rig_new(SEV_MODE_SNP, POLICY_SNP, 1, "6.12.1", false, 0);

	rig_machine(r, false);
	ck_ok(r, sevl_snp_start(&r->l));
	return r;
}

static struct kvm_sev_snp_launch_update snp_up(struct rig *r, uint64_t gpa,
					       uint64_t len, uint8_t type)
{
	return (struct kvm_sev_snp_launch_update){
		.gfn_start = gpa / PG,
		.uaddr = (uintptr_t)rig_hva(r, gpa, len),
		.len = len,
		.type = type,
	};
}

START_TEST(snp_start_rules)
{
	struct rig *r =
		rig_new(SEV_MODE_SNP, POLICY_SNP, 1, "6.12.1", false, 0);
	struct kvm_sev_snp_launch_start st = {.policy = 0x20000};
	uint32_t fw;

	rig_machine(r, false);
	/* 6.11-6.15: SMT (bit 16) required. */
	ck_rule(r, raw(r, KVM_SEV_SNP_LAUNCH_START, &st, &fw), -EINVAL,
		"EINVAL", "bit 16");
	st.policy = POLICY_SNP;
	st.flags = 1;
	ck_rule(r, raw(r, KVM_SEV_SNP_LAUNCH_START, &st, &fw), -EINVAL,
		"EINVAL", "flags");
	st.flags = 0;
	ck_ok(r, raw(r, KVM_SEV_SNP_LAUNCH_START, &st, &fw));
	ck_rule(r, raw(r, KVM_SEV_SNP_LAUNCH_START, &st, &fw), -EINVAL,
		"EINVAL", "already has an SNP context");
	rig_free(r);

	/* 6.16 leaves SMT to the firmware: the layer passes it on. */
	r = rig_new(SEV_MODE_SNP, POLICY_SNP, 1, "6.16.1", false, 0);
	rig_machine(r, false);
	st.policy = 0x20000;
	ck_assert_int_eq(raw(r, KVM_SEV_SNP_LAUNCH_START, &st, &fw), -EIO);
	ck_assert_uint_eq(fw, SEV_RET_POLICY_FAILURE);
	rig_free(r);
}
END_TEST

START_TEST(snp_update_arguments)
{
	struct rig *r =
		rig_new(SEV_MODE_SNP, POLICY_SNP, 1, "6.12.1", false, 0);
	struct kvm_sev_snp_launch_update u;
	uint32_t fw;

	rig_machine(r, false);
	u = snp_up(r, 0, PG, KVM_SEV_SNP_PAGE_TYPE_NORMAL);
	ck_rule(r, raw(r, KVM_SEV_SNP_LAUNCH_UPDATE, &u, &fw), -EINVAL,
		"EINVAL", "no SNP context");
	ck_ok(r, sevl_snp_start(&r->l));
	u.len = PG + 8;
	ck_rule(r, raw(r, KVM_SEV_SNP_LAUNCH_UPDATE, &u, &fw), -EINVAL,
		"EINVAL", "not page aligned");
	u.len = PG;
	u.flags = 1;
	ck_rule(r, raw(r, KVM_SEV_SNP_LAUNCH_UPDATE, &u, &fw), -EINVAL,
		"EINVAL", "flags must be 0");
	u.flags = 0;
	u.type = 2; /* VMSA: KVM's own, at FINISH */
	ck_rule(r, raw(r, KVM_SEV_SNP_LAUNCH_UPDATE, &u, &fw), -EINVAL,
		"EINVAL", "no such page type");
	/* A GFN in no slot. */
	u = snp_up(r, 0, PG, KVM_SEV_SNP_PAGE_TYPE_NORMAL);
	u.gfn_start = 0x40000000 / PG;
	ck_rule(r, raw(r, KVM_SEV_SNP_LAUNCH_UPDATE, &u, &fw), -EINVAL,
		"EINVAL", "no memory slot");
	ck_assert_uint_eq(fw, NO_FW);
	rig_free(r);
}
END_TEST

START_TEST(snp_update_needs_a_guest_memfd_slot)
{
	struct rig *r =
		rig_new(SEV_MODE_SNP, POLICY_SNP, 1, "6.12.1", false, 0);
	struct kvm_sev_snp_launch_update u;
	uint32_t fw;

	ck_ok(r, sevl_vm_init(&r->l, false, r->p.vmsa.sev_features));
	/* An ordinary slot: not private-capable. */
	ck_ok(r, call(r, SEV_VM_SLOT, 0, r->low_size, r->low, false, 0));
	ck_ok(r, sevl_snp_start(&r->l));
	u = snp_up(r, 0, PG, KVM_SEV_SNP_PAGE_TYPE_NORMAL);
	ck_rule(r, raw(r, KVM_SEV_SNP_LAUNCH_UPDATE, &u, &fw), -EINVAL,
		"EINVAL", "without a guest_memfd");
	rig_free(r);
}
END_TEST

START_TEST(snp_update_needs_private_pages)
{
	struct rig *r = snp_started();
	struct kvm_sev_snp_launch_update u;
	uint32_t fw;

	/* Page 3 of a 5-page run goes shared: kvm_gmem_populate() does
	 * pages 0-2 (the ioctl says 0 with the rest written back), then
	 * stops: -EIO with firmware error 0. */
	ck_ok(r, call(r, SEV_VM_SET_ATTRIBUTES, 3 * PG, PG, NULL, false, 0));
	u = snp_up(r, 0, 5 * PG, KVM_SEV_SNP_PAGE_TYPE_NORMAL);
	ck_ok(r, raw(r, KVM_SEV_SNP_LAUNCH_UPDATE, &u, &fw));
	ck_assert_uint_eq(u.gfn_start, 3);
	ck_assert_uint_eq(u.len, 2 * PG);
	ck_assert_uint_eq(u.uaddr, (uintptr_t)r->low + 3 * PG);
	ck_rule(r, raw(r, KVM_SEV_SNP_LAUNCH_UPDATE, &u, &fw), -EIO, "EIO",
		"not PRIVATE");
	ck_assert_uint_eq(fw, SEV_RET_SUCCESS);
	/* Through the launch context: the sentence says the kernel failed
	 * to populate, and why. */
	ck_assert_int_eq(sevl_snp_update(&r->l, 3 * PG, r->low + 3 * PG, PG,
					 SNP_PAGE_NORMAL),
			 -EIO);
	ck_assert_msg(
		strstr(sevl_error(&r->l), "the kernel failed to populate") &&
			strstr(sevl_error(&r->l), "not PRIVATE"),
		"%s", sevl_error(&r->l));
	rig_free(r);
}
END_TEST

START_TEST(snp_update_once_per_page)
{
	struct rig *r = snp_started();
	struct kvm_sev_snp_launch_update u;
	uint32_t fw;

	u = snp_up(r, 0, PG, KVM_SEV_SNP_PAGE_TYPE_NORMAL);
	ck_ok(r, raw(r, KVM_SEV_SNP_LAUNCH_UPDATE, &u, &fw));
	ck_assert_uint_eq(u.len, 0);
	/* The page is private in the RMP now: -EEXIST inside, -EIO out. */
	u = snp_up(r, 0, PG, KVM_SEV_SNP_PAGE_TYPE_NORMAL);
	ck_rule(r, raw(r, KVM_SEV_SNP_LAUNCH_UPDATE, &u, &fw), -EIO, "EEXIST",
		"kvm_gmem_populate()");
	ck_assert_uint_eq(fw, SEV_RET_SUCCESS);
	rig_free(r);
}
END_TEST

START_TEST(snp_update_source_must_be_readable)
{
	struct rig *r = snp_started();
	struct kvm_sev_snp_launch_update u;
	void *bad = unreadable_page();
	uint32_t fw;

	u = snp_up(r, 0, PG, KVM_SEV_SNP_PAGE_TYPE_NORMAL);
	u.uaddr = (uintptr_t)bad;
	ck_rule(r, raw(r, KVM_SEV_SNP_LAUNCH_UPDATE, &u, &fw), -EIO, "EFAULT",
		"cannot be read");
	/* ZERO pages have no source: the same address is ignored. */
	u = snp_up(r, 0, PG, KVM_SEV_SNP_PAGE_TYPE_ZERO);
	u.uaddr = (uintptr_t)bad;
	ck_ok(r, raw(r, KVM_SEV_SNP_LAUNCH_UPDATE, &u, &fw));
	munmap(bad, PG);
	rig_free(r);
}
END_TEST

START_TEST(snp_breaks)
{
	struct rig *r = rig_new(SEV_MODE_SNP, POLICY_SNP, 1, "6.12.1", false,
				SEV_MODEL_BREAK_UADDR);

	rig_machine(r, false);
	ck_ok(r, sevl_snp_start(&r->l));
	ck_assert_int_eq(sevl_walk_plan(&r->l, &r->p, rig_hva, r), -EIO);
	ck_assert_msg(strstr(sevl_error(&r->l), "-EFAULT"), "%s",
		      sevl_error(&r->l));
	rig_free(r);
	r = rig_new(SEV_MODE_SNP, POLICY_SNP, 1, "6.12.1", false,
		    SEV_MODEL_BREAK_LEN);
	rig_machine(r, false);
	ck_ok(r, sevl_snp_start(&r->l));
	ck_assert_int_eq(sevl_walk_plan(&r->l, &r->p, rig_hva, r), -EINVAL);
	ck_assert_msg(strstr(sevl_error(&r->l), "not page aligned"), "%s",
		      sevl_error(&r->l));
	rig_free(r);
}
END_TEST

START_TEST(snp_finish_rules)
{
	struct rig *r =
		rig_new(SEV_MODE_SNP, POLICY_SNP, 2, "6.12.1", false, 0);
	struct kvm_sev_snp_launch_finish f = {0};
	struct kvm_sev_snp_launch_start st = {.policy = POLICY_SNP};
	struct kvm_sev_snp_launch_update u;
	uint32_t fw;

	rig_machine(r, false);
	ck_rule(r, raw(r, KVM_SEV_SNP_LAUNCH_FINISH, &f, &fw), -EINVAL,
		"EINVAL", "no SNP context");
	ck_ok(r, sevl_snp_start(&r->l));
	ck_ok(r, sevl_walk_plan(&r->l, &r->p, rig_hva, r));
	f.flags = 1;
	ck_rule(r, raw(r, KVM_SEV_SNP_LAUNCH_FINISH, &f, &fw), -EINVAL,
		"EINVAL", "flags");
	ck_ok(r, call(r, SEV_VM_SET_REGS, 0, 0, NULL, false, 1));
	ck_ok(r, sevl_snp_finish(&r->l, NULL));
	/* The VMSAs are the guest's: no register writes, no new vCPU. */
	ck_rule(r, call(r, SEV_VM_SET_REGS, 0, 0, NULL, false, 1), -EINVAL,
		"EINVAL", "guest_state_protected");
	ck_rule(r, call(r, SEV_VM_CREATE_VCPU, 0, 0, NULL, false, 2), -EINVAL,
		"EINVAL", "KVM_CREATE_VCPU");
	/* After FINISH: no second context, no second populate. */
	ck_rule(r, raw(r, KVM_SEV_SNP_LAUNCH_START, &st, &fw), -EINVAL,
		"EINVAL", "already has an SNP context");
	u = snp_up(r, r->high_base, PG, KVM_SEV_SNP_PAGE_TYPE_NORMAL);
	ck_rule(r, raw(r, KVM_SEV_SNP_LAUNCH_UPDATE, &u, &fw), -EIO, "EEXIST",
		"populated before");
	rig_free(r);
}
END_TEST

/* ============================================ SEV-ES vCPU state, FINISH */

START_TEST(update_vmsa_and_vcpu_state)
{
	struct rig *r =
		rig_new(SEV_MODE_SEV_ES, POLICY_ES, 2, "6.12.1", false, 0);
	uint32_t fw;

	rig_machine(r, false);
	ck_ok(r, sevl_start(&r->l));
	ck_ok(r, call(r, SEV_VM_SET_REGS, 0, 0, NULL, false, 0));
	ck_ok(r, sevl_walk_plan(&r->l, &r->p, rig_hva, r));
	/* KVM_X86_SEV_ES_VM has protected state (6.10+). */
	ck_rule(r, call(r, SEV_VM_SET_REGS, 0, 0, NULL, false, 0), -EINVAL,
		"EINVAL", "guest_state_protected");
	ck_rule(r, call(r, SEV_VM_SET_REGS, 0, 0, NULL, false, 1), -EINVAL,
		"EINVAL", "vCPU 1");
	ck_rule(r, raw(r, KVM_SEV_LAUNCH_UPDATE_VMSA, NULL, &fw), -EINVAL,
		"EINVAL", "already encrypted");
	ck_rule(r, call(r, SEV_VM_CREATE_VCPU, 0, 0, NULL, false, 2), -EINVAL,
		"EINVAL", "KVM_CREATE_VCPU");
	ck_ok(r, sevl_measure(&r->l));
	ck_ok(r, sevl_finish(&r->l));
	rig_free(r);
}
END_TEST

START_TEST(legacy_and_old_kernels_take_register_writes)
{
	static const char *releases[] = {"6.12.1", "6.1.0-28-amd64"};

	/* A default-type VM (legacy ES_INIT) has no protected state on any
	 * kernel, and 6.1 has none at all: the writes are taken (and lost
	 * on hardware). */
	for (unsigned i = 0; i < 2; i++) {
		struct rig *r = rig_new(SEV_MODE_SEV_ES, POLICY_ES, 1,
					releases[i], true, 0);

		rig_machine(r, true);
		ck_ok(r, sevl_start(&r->l));
		ck_ok(r, sevl_walk_plan(&r->l, &r->p, rig_hva, r));
		ck_ok(r, call(r, SEV_VM_SET_REGS, 0, 0, NULL, false, 0));
		rig_free(r);
	}
}
END_TEST

START_TEST(commands_after_finish)
{
	struct rig *r =
		rig_new(SEV_MODE_SEV, POLICY_SEV, 1, "6.12.1", false, 0);
	struct kvm_sev_launch_update_data d;
	struct kvm_sev_launch_measure m = {0};
	uint32_t fw;

	rig_machine(r, false);
	ck_ok(r, sevl_start(&r->l));
	ck_ok(r, sevl_walk_plan(&r->l, &r->p, rig_hva, r));
	ck_ok(r, sevl_measure(&r->l));
	ck_ok(r, sevl_finish(&r->l));
	/* The kernel passes them on; the firmware's guest is RUNNING. */
	d = (struct kvm_sev_launch_update_data){.uaddr = (uintptr_t)r->low,
						.len = PG};
	ck_assert_int_eq(raw(r, KVM_SEV_LAUNCH_UPDATE_DATA, &d, &fw), -EIO);
	ck_assert_uint_eq(fw, SEV_RET_INVALID_GUEST_STATE);
	ck_assert_int_eq(raw(r, KVM_SEV_LAUNCH_MEASURE, &m, &fw), -EIO);
	ck_assert_uint_eq(fw, SEV_RET_INVALID_GUEST_STATE);
	ck_assert_int_eq(raw(r, KVM_SEV_LAUNCH_FINISH, NULL, &fw), -EIO);
	ck_assert_uint_eq(fw, SEV_RET_INVALID_GUEST_STATE);
	rig_free(r);
}
END_TEST

/* ================================================== the machine's calls */

START_TEST(machine_calls)
{
	struct rig *r =
		rig_new(SEV_MODE_SEV_ES, POLICY_ES, 1, "6.12.1", false, 0);
	void *bad = unreadable_page();

	ck_ok(r, sevl_vm_init(&r->l, false, r->p.vmsa.sev_features));
	/* No private memory on an SEV-ES VM type. */
	ck_rule(r, call(r, SEV_VM_SLOT, 0, r->low_size, r->low, true, 0),
		-EINVAL, "EINVAL", "KVM_CREATE_GUEST_MEMFD");
	ck_rule(r, call(r, SEV_VM_SET_ATTRIBUTES, 0, PG, NULL, true, 0),
		-EINVAL, "EINVAL", "KVM_SET_MEMORY_ATTRIBUTES");
	/* REG_REGION pins: empty is -EINVAL, unmapped -ENOMEM. */
	ck_rule(r, call(r, SEV_VM_REG_REGION, 0, 0, r->low, false, 0), -EINVAL,
		"EINVAL", "sev_pin_memory()");
	ck_rule(r, call(r, SEV_VM_REG_REGION, 0, PG, bad, false, 0), -ENOMEM,
		"ENOMEM", "sev_pin_memory()");
	munmap(bad, PG);
	rig_free(r);

	r = rig_new(SEV_MODE_SNP, POLICY_SNP, 1, "6.12.1", false, 0);
	ck_ok(r, sevl_vm_init(&r->l, false, r->p.vmsa.sev_features));
	ck_ok(r, call(r, SEV_VM_SLOT, 0, r->low_size, r->low, true, 0));
	ck_rule(r, call(r, SEV_VM_SET_ATTRIBUTES, 100, PG, NULL, true, 0),
		-EINVAL, "EINVAL", "not page aligned");
	ck_rule(r, call(r, SEV_VM_SET_ATTRIBUTES, 0, 0, NULL, true, 0), -EINVAL,
		"EINVAL", "empty");
	rig_free(r);
}
END_TEST

/* sev/run.c hands the machine's calls to the layer (what vmm/'s
 * cvm_record() calls), and tells the machine what the real VM needs. */
START_TEST(run_wires_the_layer)
{
	struct rig *r =
		rig_new(SEV_MODE_SEV_ES, POLICY_ES, 1, "6.12.1", false, 0);
	struct sev_kernel_profile now, old;
	struct sev_run_config c = {.mode = SEV_MODE_SEV_ES,
				   .policy = POLICY_ES,
				   .plan = &r->p,
				   .model = true,
				   .kernel = &now};
	struct sev_vm_call vc = {.kind = SEV_VM_REG_REGION, .size = PG};
	struct sev_vm_needs n;
	struct sev_run *run;
	void *bad = unreadable_page();
	char err[512] = "";

	profile("6.12.1", &now);
	run = sev_run_new(&c, err, sizeof(err));
	ck_assert_ptr_nonnull(run);
	sev_run_vm_needs(run, &n);
	ck_assert(n.record_only && n.pin_memory && !n.private_memory);
	ck_assert_uint_eq(n.vm_type, KVM_X86_SEV_ES_VM);
	ck_assert_msg(sev_run_init(run, -1, err, sizeof(err)) == 0, "%s", err);
	vc.hva = bad;
	ck_assert_int_eq(sev_run_vm_call(run, &vc, err, sizeof(err)), -ENOMEM);
	ck_assert_msg(strstr(err, "sev_pin_memory()"), "%s", err);
	vc.hva = r->low;
	ck_assert_int_eq(sev_run_vm_call(run, &vc, err, sizeof(err)), 0);
	sev_run_free(run);

	/* Linux 6.1 has no SEV-ES VM type: the layer refuses to stand in for
	 * a VM that KVM_CREATE_VM would refuse. */
	profile("6.1.0-28-amd64", &old);
	c.kernel = &old;
	run = sev_run_new(&c, err, sizeof(err));
	ck_assert_ptr_nonnull(run);
	ck_assert_int_lt(sev_run_init(run, -1, err, sizeof(err)), 0);
	ck_assert_msg(strstr(err, "KVM_CREATE_VM type 3: -EINVAL on Linux 6.1"),
		      "%s", err);
	sev_run_free(run);

	/* Real hardware records nothing. */
	c.model = false;
	run = sev_run_new(&c, err, sizeof(err));
	sev_run_vm_needs(run, &n);
	ck_assert(!n.record_only);
	vc.hva = bad;
	ck_assert_int_eq(sev_run_vm_call(run, &vc, err, sizeof(err)), 0);
	sev_run_free(run);
	munmap(bad, PG);
	rig_free(r);
}
END_TEST

START_TEST(break_values)
{
	enum sev_model_break b;

	ck_assert_int_eq(sev_model_break_parse("uaddr", &b), 0);
	ck_assert_int_eq(b, SEV_MODEL_BREAK_UADDR);
	ck_assert_int_eq(sev_model_break_parse("len", &b), 0);
	ck_assert_int_eq(b, SEV_MODEL_BREAK_LEN);
	ck_assert_int_eq(sev_model_break_parse("", &b), 0);
	ck_assert_int_eq(b, SEV_MODEL_BREAK_NONE);
	ck_assert_int_eq(sev_model_break_parse("gpa", &b), -EINVAL);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("kernel_rules");
	TCase *tc = tcase_create("kernel_rules");

	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, launches_pass_through_the_layer);
	tcase_add_test(tc, profiles_follow_the_kernel_version);
	tcase_add_test(tc, vm_types_do_not_exist_before_6_10);
	tcase_add_test(tc, nothing_before_init);
	tcase_add_test(tc, init_follows_the_vm_type);
	tcase_add_test(tc, init_before_vcpus);
	tcase_add_test(tc, linux_6_1_has_only_the_legacy_commands);
	tcase_add_test(tc, snp_guests_take_only_snp_ids);
	tcase_add_test(tc, wrong_flavour_commands);
	tcase_add_test(tc, update_data_must_be_registered_guest_ram);
	tcase_add_test(tc, update_data_unregistered_when_regions_are_missing);
	tcase_add_test(tc, launch_secret_rules);
	tcase_add_test(tc, break_uaddr_fails_with_enomem);
	tcase_add_test(tc, break_len_fails_in_the_firmware);
	tcase_add_test(tc, snp_start_rules);
	tcase_add_test(tc, snp_update_arguments);
	tcase_add_test(tc, snp_update_needs_a_guest_memfd_slot);
	tcase_add_test(tc, snp_update_needs_private_pages);
	tcase_add_test(tc, snp_update_once_per_page);
	tcase_add_test(tc, snp_update_source_must_be_readable);
	tcase_add_test(tc, snp_breaks);
	tcase_add_test(tc, snp_finish_rules);
	tcase_add_test(tc, update_vmsa_and_vcpu_state);
	tcase_add_test(tc, legacy_and_old_kernels_take_register_writes);
	tcase_add_test(tc, commands_after_finish);
	tcase_add_test(tc, machine_calls);
	tcase_add_test(tc, run_wires_the_layer);
	tcase_add_test(tc, break_values);
	suite_add_tcase(s, tc);
	return run_suite(s);
}
