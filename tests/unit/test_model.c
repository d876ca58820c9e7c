// SPDX-License-Identifier: MIT
/*
 * sev/model/: the firmware model, driven through the real launch context
 * (sev_launch_* over sev_transport_model) on a small synthetic firmware
 * image and, when ../shared has them, on real OVMF builds.  The model's
 * digests must be the plan's (measure.c), its LAUNCH_MEASURE the HMAC of
 * measure_launch_hmac, a guest owner's session and secret made with
 * channel.c must work end to end, and every check must fail with the
 * firmware status AMD's firmware source returns (amd/AMD-ASPFW sev_uapp
 * sev_mcmd.c).  Out-of-order commands are sent through the raw transport,
 * because the launch context refuses them before they reach it.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>

#include <openssl/evp.h>
#include <openssl/rand.h>
#include <openssl/x509.h>

#include "loader/loader.h"
#include "util/kvm_uapi.h"
#include "sev/model/model.h"
#include "sev/launch.h"
#include "sev/sev.h"
#include "owner/owner.h"
#include "tests/unit/testutil.h"

#define FW_AMDSEV   "firmware/OVMF.amdsev.sid.fd"
#define EPYC_V4_SIG 0x800f12
#define SYNTH_LEN   (1024 * 1024) /* 256 pages: 4 SNP calls of 64 */
#define SECRETS_GPA 0x803000
#define CPUID_GPA   0x804000
#define POLICY_SEV  0x1u     /* NODBG */
#define POLICY_ES   0x5u     /* NODBG | ES */
#define POLICY_SNP  0x30000u /* SMT | RSVD_MBO */

/* ------------------------------------------------------------- helpers */

struct fw {
	uint8_t *data;
	size_t len;
	struct blob b;
	bool from_file;
	struct ovmf_info info;
};

/* A 1 MiB image with a pattern, described by hand: a reset block and
 * three SNP sections (zero pages, secrets, CPUID) in low RAM. */
static void fw_synthetic(struct fw *fw)
{
	memset(fw, 0, sizeof(*fw));
	fw->len = SYNTH_LEN;
	fw->data = malloc(fw->len);
	ck_assert_ptr_nonnull(fw->data);
	for (size_t k = 0; k < fw->len; k++)
		fw->data[k] = (uint8_t)(k * 131 + (k >> 12));
	fw->info.size = fw->len;
	fw->info.base_gpa = SZ_4G - fw->len;
	fw->info.has_reset_block = true;
	fw->info.reset_addr = 0xfffff000 - 0x1000;
	fw->info.has_sev_meta = true;
	fw->info.sev_meta_version = 1;
	fw->info.nsections = 3;
	fw->info.sections[0] = (struct ovmf_section){0x800000, 0x3000, 1};
	fw->info.sections[1] = (struct ovmf_section){SECRETS_GPA, 0x1000, 2};
	fw->info.sections[2] = (struct ovmf_section){CPUID_GPA, 0x1000, 3};
}

static bool fw_load(const char *rel, struct fw *fw)
{
	char path[1024], err[256];

	memset(fw, 0, sizeof(*fw));
	if (!shared_path(rel, path, sizeof(path)))
		return false;
	ck_assert_msg(file_read(path, 64 * SZ_1M, &fw->b, err, sizeof(err)) ==
			      0,
		      "%s: %s", path, err);
	ck_assert_msg(ovmf_parse(fw->b.data, fw->b.len, &fw->info, err,
				 sizeof(err)) == 0,
		      "%s: %s", rel, err);
	fw->data = fw->b.data;
	fw->len = fw->b.len;
	fw->from_file = true;
	return true;
}

static void fw_free(struct fw *fw)
{
	if (fw->from_file)
		blob_free(&fw->b);
	else
		free(fw->data);
}

/* Guest RAM: 16 MiB at 0 and the flash window below 4 GiB. */
struct guest {
	uint8_t *low, *high;
	uint64_t low_size, high_base, high_size;
};

static uint8_t *guest_hva(void *ctx, uint64_t gpa, uint64_t len)
{
	struct guest *g = ctx;

	if (gpa + len <= g->low_size)
		return g->low + gpa;
	if (gpa >= g->high_base && gpa + len <= g->high_base + g->high_size)
		return g->high + (gpa - g->high_base);
	return NULL;
}

static uint8_t *pages(size_t n)
{
	uint8_t *p = aligned_alloc(4096, n * 4096);

	ck_assert_ptr_nonnull(p);
	memset(p, 0, n * 4096);
	return p;
}

/* The VMSAs KVM would measure: the plan's, vCPU by vCPU. */
struct vmsa_src {
	const struct launch_plan *p;
	unsigned ncpus;
	unsigned calls;
};

static int plan_vmsa(void *ctx, unsigned index, uint8_t page[VMSA_SIZE])
{
	struct vmsa_src *v = ctx;

	v->calls++;
	if (index >= v->ncpus)
		return -ENOENT;
	memcpy(page, v->p->vmsas + (size_t)index * VMSA_SIZE, VMSA_SIZE);
	return 0;
}

/* One launch: a plan, a model behind a launch context, guest RAM. */
struct rig {
	struct launch_plan *p;
	struct vmsa_src vs;
	struct sev_model *m;
	struct sev_launch *l;
	struct guest g;
	enum sev_mode mode;
};

struct rig_opts {
	uint8_t api_major, api_minor, build;
	const uint8_t *pdh_private;
	const struct sev_model_identity *identity;
	bool no_vmsa_cb;
	bool no_vm_init;
};

static struct rig *rig_new(const struct fw *fw, enum sev_mode mode,
			   uint64_t policy, unsigned ncpus,
			   const struct rig_opts *o)
{
	static const struct rig_opts none;
	struct launch_config c = {
		.mode = mode,
		.ncpus = ncpus,
		.vcpu_sig = EPYC_V4_SIG,
		.snp_features = 0x1,
		.ovmf = fw->data,
		.ovmf_len = fw->len,
		.ovmf_info = &fw->info,
	};
	struct sev_model_config mc;
	struct rig *r = calloc(1, sizeof(*r));
	char err[256] = "";

	if (!o)
		o = &none;
	ck_assert_ptr_nonnull(r);
	r->mode = mode;
	r->p = calloc(1, sizeof(*r->p));
	ck_assert_ptr_nonnull(r->p);
	ck_assert_msg(launch_plan_build(&c, r->p, err, sizeof(err)) == 0, "%s",
		      err);
	r->vs = (struct vmsa_src){.p = r->p, .ncpus = ncpus};

	mc = (struct sev_model_config){
		.api_major = o->api_major,
		.api_minor = o->api_minor,
		.build = o->build,
		.pdh_private = o->pdh_private,
		.identity = o->identity,
		.vmsa = o->no_vmsa_cb ? NULL : plan_vmsa,
		.vmsa_ctx = &r->vs,
		.mode = mode,
	};
	r->m = sev_model_new(&mc, err, sizeof(err));
	ck_assert_msg(r->m != NULL, "%s", err);

	r->l = calloc(1, sizeof(*r->l));
	ck_assert_ptr_nonnull(r->l);
	ck_assert_int_eq(
		sevl_setup(r->l, mode, policy, sev_transport_model(r->m)),
		0);

	r->g.low_size = 16 * SZ_1M;
	r->g.low = pages(r->g.low_size / 4096);
	r->g.high_base = SZ_4G - fw->len;
	r->g.high_size = fw->len;
	r->g.high = pages(fw->len / 4096);

	if (!o->no_vm_init)
		ck_assert_msg(sevl_vm_init(
				      r->l, false,
				      mode == SEV_MODE_SEV
					      ? 0
					      : r->p->vmsa.sev_features) == 0,
			      "%s", sevl_error(r->l));
	return r;
}

static void rig_free(struct rig *r)
{
	sev_model_free(r->m);
	launch_plan_free(r->p);
	free(r->p);
	free(r->l);
	free(r->g.low);
	free(r->g.high);
	free(r);
}

static void ck_ok(struct rig *r, int ret)
{
	ck_assert_msg(ret == 0, "%d: %s", ret, sevl_error(r->l));
}

/* The failure's sentence names the firmware status. */
static void ck_fw_fail(struct rig *r, int ret, uint32_t status)
{
	const char *name = sev_status_name(status);

	ck_assert_msg(ret == -EIO, "ret %d, want -EIO: %s", ret,
		      sevl_error(r->l));
	ck_assert_uint_eq(r->l->last_fw_error, status);
	ck_assert_ptr_nonnull(name);
	ck_assert_msg(strstr(sevl_error(r->l), name), "\"%s\" lacks %s",
		      sevl_error(r->l), name);
}

/* The raw transport, for what the launch context would refuse itself. */
static int raw(struct rig *r, uint32_t id, void *data, uint32_t *fw)
{
	struct sev_transport t = sev_transport_model(r->m);

	*fw = (uint32_t)SEV_RET_NO_FW_CALL;
	return t.ops->vm_cmd(t.ctx, id, data, fw);
}

#define NO_FW ((uint32_t)SEV_RET_NO_FW_CALL)

/* The SEV/SEV-ES launch up to LSECRET. */
static void sev_measured(struct rig *r)
{
	if (r->mode == SEV_MODE_SEV_ES || r->mode == SEV_MODE_SEV)
		ck_ok(r, sevl_start(r->l));
	ck_ok(r, sevl_walk_plan(r->l, r->p, guest_hva, &r->g));
	ck_ok(r, sevl_measure(r->l));
}

static void check_sev_digests(struct rig *r, const uint8_t tik[16])
{
	uint8_t want[32], got[32], hmac[32];

	ck_assert_int_eq(measure_sev_digest(r->p, want), 0);
	ck_assert_int_eq(sev_model_launch_digest(r->m, got, sizeof(got)), 0);
	ck_assert_mem_eq(got, want, 32);
	/* LAUNCH_MEASURE is the HMAC of SEV API 55766 §6.5 over that digest,
	 * with the firmware's version 1.55 build 25 (the default). */
	ck_assert_int_eq(measure_launch_hmac(tik, 1, 55, 25,
					     (uint32_t)r->l->policy, want,
					     r->l->mnonce, hmac),
			 0);
	ck_assert_mem_eq(r->l->measurement, hmac, 32);
}

static void check_status(struct rig *r, uint32_t state)
{
	struct sev_guest_info gi;

	ck_ok(r, sevl_guest_status(r->l, &gi));
	ck_assert_uint_eq(gi.handle, r->l->handle);
	ck_assert_uint_ne(gi.handle, 0);
	ck_assert_uint_eq(gi.policy, (uint32_t)r->l->policy);
	ck_assert_uint_eq(gi.state, state);
}

/* The SNP launch up to (not including) SNP_LAUNCH_FINISH. */
static void snp_updated(struct rig *r)
{
	ck_ok(r, sevl_snp_start(r->l));
	ck_ok(r, sevl_walk_plan(r->l, r->p, guest_hva, &r->g));
}

static const struct launch_step *plan_step(const struct launch_plan *p,
					   const char *what)
{
	for (unsigned k = 0; k < p->nsteps; k++)
		if (p->steps[k].what && !strcmp(p->steps[k].what, what))
			return &p->steps[k];
	return NULL;
}

/* ================================================== SEV and SEV-ES */

static const uint8_t zero_tik[16];

static void sev_flow(const struct fw *fw, enum sev_mode mode, unsigned ncpus)
{
	struct rig *r =
		rig_new(fw, mode, mode == SEV_MODE_SEV ? POLICY_SEV : POLICY_ES,
			ncpus, NULL);
	uint8_t d[32];

	ck_assert_int_eq(sev_model_launch_digest(r->m, d, sizeof(d)), -ENODATA);
	sev_measured(r);
	/* No session: TIK = 0 (AMD-ASPFW sev_mcmd_launch_start()). */
	check_sev_digests(r, zero_tik);
	check_status(r, SEV_GUEST_LSECRET);
	ck_ok(r, sevl_finish(r->l));
	check_status(r, SEV_GUEST_RUNNING);
	if (mode == SEV_MODE_SEV_ES)
		ck_assert_uint_eq(r->vs.calls, ncpus + 1); /* up to -ENOENT */
	else
		ck_assert_uint_eq(r->vs.calls, 0);
	rig_free(r);
}

START_TEST(sev_synthetic_digest)
{
	struct fw fw;

	fw_synthetic(&fw);
	sev_flow(&fw, SEV_MODE_SEV, 1);
	fw_free(&fw);
}
END_TEST

START_TEST(sev_es_synthetic_digest)
{
	struct fw fw;

	fw_synthetic(&fw);
	sev_flow(&fw, SEV_MODE_SEV_ES, 1);
	sev_flow(&fw, SEV_MODE_SEV_ES, 3);
	fw_free(&fw);
}
END_TEST

START_TEST(sev_real_firmware_digests)
{
	struct fw fw;

	if (!fw_load(FW_AMDSEV, &fw))
		SKIP_TEST("%s is not in ../shared", FW_AMDSEV);
	sev_flow(&fw, SEV_MODE_SEV, 1);
	sev_flow(&fw, SEV_MODE_SEV_ES, 2);
	fw_free(&fw);
}
END_TEST

/* An SEV-ES guest whose policy lacks ES: the firmware's UNSUPPORTED at
 * UPDATE_VMSA (the launch context refuses such a policy, so raw). */
START_TEST(sev_es_vmsa_needs_es_policy)
{
	struct kvm_sev_launch_start st = {.policy = POLICY_SEV};
	struct fw fw;
	struct rig *r;
	uint32_t fe;

	fw_synthetic(&fw);
	r = rig_new(&fw, SEV_MODE_SEV_ES, POLICY_ES, 1, NULL);
	ck_assert_int_eq(raw(r, KVM_SEV_LAUNCH_START, &st, &fe), 0);
	ck_assert_int_eq(raw(r, KVM_SEV_LAUNCH_UPDATE_VMSA, NULL, &fe), -EIO);
	ck_assert_uint_eq(fe, SEV_RET_UNSUPPORTED);
	rig_free(r);

	/* Without a VMSA source the model refuses (-EINVAL); a second
	 * UPDATE_VMSA is KVM's -EINVAL (the VMSAs are the guest's now). */
	r = rig_new(&fw, SEV_MODE_SEV_ES, POLICY_ES, 1,
		    &(struct rig_opts){.no_vmsa_cb = true});
	ck_ok(r, sevl_start(r->l));
	ck_assert_int_eq(sevl_update_vmsa(r->l, 1), -EINVAL);
	rig_free(r);

	r = rig_new(&fw, SEV_MODE_SEV_ES, POLICY_ES, 1, NULL);
	ck_ok(r, sevl_start(r->l));
	ck_ok(r, sevl_update_vmsa(r->l, 1));
	ck_assert_int_eq(raw(r, KVM_SEV_LAUNCH_UPDATE_VMSA, NULL, &fe),
			 -EINVAL);
	ck_assert_uint_eq(fe, NO_FW);
	rig_free(r);
	fw_free(&fw);
}
END_TEST

/* ------------------------------------------------ the guest owner */

struct owner {
	EVP_PKEY *godh;
	uint8_t godh_cert[SEV_CERT_LEN];
	uint8_t session[SEV_SESSION_LEN];
	struct sev_tk tk;
};

/* What a guest owner does with the platform's PDH certificate. */
static void owner_session(struct owner *o, const uint8_t pdh_cert[],
			  uint32_t policy)
{
	EVP_PKEY *pdh = NULL;
	uint8_t z[48], nonce[16], iv[16];
	char err[160] = "";

	ck_assert_int_eq(sev_cert_public_key(pdh_cert, SEV_USAGE_PDH, &pdh, err,
					     sizeof(err)),
			 0);
	ck_assert_int_eq(sev_p384_generate(&o->godh), 0);
	ck_assert_int_eq(sev_cert_build(o->godh, SEV_USAGE_PDH,
					SEV_ALGO_ECDH_SHA256, 0, 0, NULL, 0,
					o->godh_cert),
			 0);
	ck_assert_int_eq(sev_ecdh(o->godh, pdh, z), 0);
	ck_assert_int_eq(RAND_bytes(o->tk.tek, 16), 1);
	ck_assert_int_eq(RAND_bytes(o->tk.tik, 16), 1);
	ck_assert_int_eq(RAND_bytes(nonce, 16), 1);
	ck_assert_int_eq(RAND_bytes(iv, 16), 1);
	ck_assert_int_eq(
		sev_session_wrap(z, nonce, iv, &o->tk, policy, o->session), 0);
	EVP_PKEY_free(pdh);
}

static void owner_free(struct owner *o)
{
	EVP_PKEY_free(o->godh);
	sev_tk_wipe(&o->tk);
}

static struct rig *session_rig(const struct fw *fw, enum sev_mode mode,
			       uint32_t policy, struct owner *o,
			       uint32_t wrap_policy)
{
	struct rig *r = rig_new(fw, mode, policy, 2, NULL);
	uint8_t cert[SEV_CERT_LEN];

	ck_assert_int_eq(sev_model_pdh_cert(r->m, cert), 0);
	owner_session(o, cert, wrap_policy);
	ck_ok(r, sevl_set_session(r->l, o->godh_cert, SEV_CERT_LEN,
					o->session, SEV_SESSION_LEN));
	return r;
}

START_TEST(session_end_to_end)
{
	static const char text[] = "correct horse battery staple";
	struct sev_secret_entry e = {.data = (const uint8_t *)text,
				     .len = sizeof(text) - 1};
	uint8_t table[128], hdr[SEV_PACKET_HDR_LEN], trans[128], iv[16];
	uint8_t *area;
	size_t len = 0;
	struct owner o = {0};
	struct fw fw;
	struct rig *r;

	fw_synthetic(&fw);
	for (int mode = SEV_MODE_SEV; mode <= SEV_MODE_SEV_ES; mode++) {
		uint32_t policy = mode == SEV_MODE_SEV ? POLICY_SEV : POLICY_ES;

		r = session_rig(&fw, mode, policy, &o, policy);
		sev_measured(r);
		/* The HMAC is keyed with the owner's TIK. */
		check_sev_digests(r, o.tk.tik);

		/* The owner seals a secret table for this measurement; it
		 * lands in guest RAM decrypted. */
		ck_assert_int_eq(guid_parse("736869e5-84f0-4973-92ec-"
						"06879ce3da0b", &e.guid),
				 0);
		ck_assert_int_eq(
			sev_secret_table(&e, 1, table, sizeof(table), &len), 0);
		ck_assert_int_eq(RAND_bytes(iv, 16), 1);
		ck_assert_int_eq(sev_secret_seal(&o.tk, r->l->measurement, iv,
						 table, len, hdr, trans),
				 0);
		area = guest_hva(&r->g, 0x80c000, len);
		ck_ok(r, sevl_secret(r->l, hdr, sizeof(hdr), trans, len,
					   0x80c000, area));
		ck_assert_mem_eq(area, table, len);
		/* LAUNCH_SECRET may repeat. */
		memset(area, 0, len);
		ck_ok(r, sevl_secret(r->l, hdr, sizeof(hdr), trans, len,
					   0x80c000, area));
		ck_assert_mem_eq(area, table, len);

		ck_ok(r, sevl_finish(r->l));
		check_status(r, SEV_GUEST_RUNNING);
		rig_free(r);
		owner_free(&o);
	}
	fw_free(&fw);
}
END_TEST

START_TEST(session_failures)
{
	struct owner o = {0};
	struct fw fw;
	struct rig *r;

	fw_synthetic(&fw);

	/* A flipped bit in WRAP_MAC: BAD_MEASUREMENT, by name. */
	r = session_rig(&fw, SEV_MODE_SEV, POLICY_SEV, &o, POLICY_SEV);
	o.session[0x40] ^= 1;
	ck_fw_fail(r, sevl_start(r->l), SEV_RET_BAD_MEASUREMENT);
	ck_assert_uint_eq(r->l->state, SEV_GUEST_UNINIT);
	rig_free(r);
	owner_free(&o);

	/* The wrapped keys changed under the MAC. */
	r = session_rig(&fw, SEV_MODE_SEV, POLICY_SEV, &o, POLICY_SEV);
	o.session[0x10] ^= 1;
	ck_fw_fail(r, sevl_start(r->l), SEV_RET_BAD_MEASUREMENT);
	rig_free(r);
	owner_free(&o);

	/* The session MACs another policy than the one launched. */
	r = session_rig(&fw, SEV_MODE_SEV, POLICY_SEV, &o, POLICY_SEV | 2);
	ck_fw_fail(r, sevl_start(r->l), SEV_RET_BAD_MEASUREMENT);
	rig_free(r);
	owner_free(&o);

	/* The session was made for another platform's PDH: the line says
	 * what BAD_MEASUREMENT means at LAUNCH_START. */
	{
		uint8_t other[SEV_CERT_LEN], d[48];

		r = rig_new(&fw, SEV_MODE_SEV, POLICY_SEV, 1, NULL);
		ck_assert_int_eq(sev_model_keygen(d, other), 0);
		OPENSSL_cleanse(d, sizeof(d));
		owner_session(&o, other, POLICY_SEV);
		ck_ok(r, sevl_set_session(r->l, o.godh_cert, SEV_CERT_LEN,
						o.session, SEV_SESSION_LEN));
		ck_fw_fail(r, sevl_start(r->l), SEV_RET_BAD_MEASUREMENT);
		ck_assert_msg(strstr(sevl_error(r->l),
				     "LAUNCH_START with policy 0x1 and a "
				     "session failed") &&
				      strstr(sevl_error(r->l),
					     "the session does not fit this "
					     "launch: made for another "
					     "platform's PDH"),
			      "%s", sevl_error(r->l));
		rig_free(r);
		owner_free(&o);
	}

	/* A GODH certificate with the wrong algorithm, usage or point. */
	for (int what = 0; what < 3; what++) {
		r = session_rig(&fw, SEV_MODE_SEV, POLICY_SEV, &o, POLICY_SEV);
		if (what == 0)
			put_le32(o.godh_cert, 0x0c, SEV_ALGO_ECDH_SHA384);
		else if (what == 1)
			put_le32(o.godh_cert, 0x08, SEV_USAGE_PEK);
		else
			o.godh_cert[0x5c] ^= 1;
		ck_fw_fail(r, sevl_start(r->l),
			   SEV_RET_INVALID_CERTIFICATE);
		rig_free(r);
		owner_free(&o);
	}

	/* With a session the policy is checked: reserved bits 6-15, and a
	 * minimum API above the firmware's 1.55. */
	r = session_rig(&fw, SEV_MODE_SEV, POLICY_SEV | 0x40, &o,
			POLICY_SEV | 0x40);
	ck_fw_fail(r, sevl_start(r->l), SEV_RET_POLICY_FAILURE);
	rig_free(r);
	owner_free(&o);
	r = session_rig(&fw, SEV_MODE_SEV, POLICY_SEV | 0x38010000u, &o,
			POLICY_SEV | 0x38010000u); /* API 1.56 */
	ck_fw_fail(r, sevl_start(r->l), SEV_RET_POLICY_FAILURE);
	rig_free(r);
	owner_free(&o);
	r = session_rig(&fw, SEV_MODE_SEV, POLICY_SEV | 0x37010000u, &o,
			POLICY_SEV | 0x37010000u); /* API 1.55: fine */
	ck_ok(r, sevl_start(r->l));
	rig_free(r);
	owner_free(&o);

	/* Without a session none of that is checked (AMD-ASPFW
	 * sev_mcmd_launch_start()). */
	r = rig_new(&fw, SEV_MODE_SEV, POLICY_SEV | 0x38010040u, 1, NULL);
	ck_ok(r, sevl_start(r->l));
	rig_free(r);
	fw_free(&fw);
}
END_TEST

START_TEST(secret_failures)
{
	uint8_t plain[32] = {1, 2, 3}, hdr[SEV_PACKET_HDR_LEN], trans[48],
		iv[16] = {9};
	struct kvm_sev_launch_secret s;
	struct owner o = {0};
	uint8_t *area;
	struct fw fw;
	struct rig *r;
	uint32_t fe;

	fw_synthetic(&fw);
	r = session_rig(&fw, SEV_MODE_SEV, POLICY_SEV, &o, POLICY_SEV);
	sev_measured(r);
	area = guest_hva(&r->g, 0x80c000, 64);
	ck_assert_int_eq(sev_secret_seal(&o.tk, r->l->measurement, iv, plain,
					 32, hdr, trans),
			 0);

	/* A tampered MAC or ciphertext: BAD_MEASUREMENT, nothing written. */
	hdr[0x20] ^= 1;
	ck_fw_fail(r,
		   sevl_secret(r->l, hdr, sizeof(hdr), trans, 32,
				     0x80c000, area),
		   SEV_RET_BAD_MEASUREMENT);
	hdr[0x20] ^= 1;
	trans[0] ^= 1;
	ck_fw_fail(r,
		   sevl_secret(r->l, hdr, sizeof(hdr), trans, 32,
				     0x80c000, area),
		   SEV_RET_BAD_MEASUREMENT);
	trans[0] ^= 1;
	ck_assert_uint_eq(area[0], 0);

	/* Lengths and address the firmware refuses (AMD-ASPFW
	 * sev_mcmd_launch_secret()). */
	ck_fw_fail(r,
		   sevl_secret(r->l, hdr, sizeof(hdr), trans, 31,
				     0x80c000, area),
		   SEV_RET_INVALID_LEN);
	ck_fw_fail(r,
		   sevl_secret(r->l, hdr, sizeof(hdr), trans, 32,
				     0x80c008, area + 8),
		   SEV_RET_INVALID_ADDRESS);
	memset(&s, 0, sizeof(s));
	s.hdr_uaddr = (uintptr_t)hdr;
	s.hdr_len = sizeof(hdr);
	s.guest_uaddr = (uintptr_t)area;
	s.guest_len = 32;
	s.trans_uaddr = (uintptr_t)trans;
	s.trans_len = 48; /* guest_len != trans_len */
	ck_assert_int_eq(raw(r, KVM_SEV_LAUNCH_SECRET, &s, &fe), -EIO);
	ck_assert_uint_eq(fe, SEV_RET_INVALID_LEN);
	s.trans_len = 32;
	s.hdr_len = 0x30;
	ck_assert_int_eq(raw(r, KVM_SEV_LAUNCH_SECRET, &s, &fe), -EIO);
	ck_assert_uint_eq(fe, SEV_RET_INVALID_LEN);
	/* What KVM refuses before the firmware. */
	s.hdr_len = sizeof(hdr);
	s.guest_len = 0;
	ck_assert_int_eq(raw(r, KVM_SEV_LAUNCH_SECRET, &s, &fe), -EINVAL);
	ck_assert_uint_eq(fe, NO_FW);
	s.guest_len = 32;
	s.trans_uaddr = 0;
	ck_assert_int_eq(raw(r, KVM_SEV_LAUNCH_SECRET, &s, &fe), -EINVAL);
	ck_assert_int_eq(raw(r, KVM_SEV_LAUNCH_SECRET, NULL, &fe), -EFAULT);

	/* And the good one still works. */
	ck_ok(r, sevl_secret(r->l, hdr, sizeof(hdr), trans, 32, 0x80c000,
				   area));
	ck_assert_mem_eq(area, plain, 32);
	rig_free(r);
	owner_free(&o);
	fw_free(&fw);
}
END_TEST

/* ---------------------------------------------------- out of order */

/* The steps of sev_out_of_order, each on the rig the last left. */

/* Before INIT, INIT twice, and LAUNCH_START's refusals and success. */
static void ooo_start(struct rig *r, struct kvm_sev_launch_update_data *upd)
{
	struct kvm_sev_launch_start st = {.policy = POLICY_SEV};
	struct kvm_sev_guest_status gs;
	uint32_t fe;

	/* Before INIT the VM is no SEV guest: KVM's -ENOTTY. */
	ck_assert_int_eq(raw(r, KVM_SEV_LAUNCH_START, &st, &fe), -ENOTTY);
	ck_assert_uint_eq(fe, NO_FW);
	ck_assert_int_eq(raw(r, KVM_SEV_INIT, NULL, &fe), 0);
	ck_assert_uint_eq(fe, SEV_RET_SUCCESS);
	ck_assert_int_eq(raw(r, KVM_SEV_INIT, NULL, &fe), -EINVAL);
	ck_assert_int_eq(raw(r, KVM_SEV_ES_INIT, NULL, &fe), -EINVAL);

	/* Platform INIT, not WORKING: the first check of AMD-ASPFW
	 * launch_update_common(). */
	ck_assert_int_eq(raw(r, KVM_SEV_LAUNCH_UPDATE_DATA, upd, &fe), -EIO);
	ck_assert_uint_eq(fe, SEV_RET_INVALID_PLATFORM_STATE);
	ck_assert_int_eq(raw(r, KVM_SEV_GUEST_STATUS, &gs, &fe), -EIO);
	ck_assert_uint_eq(fe, SEV_RET_INVALID_GUEST);

	/* A handle asks to share the key of a guest that is not there. */
	st.handle = 7;
	ck_assert_int_eq(raw(r, KVM_SEV_LAUNCH_START, &st, &fe), -EIO);
	ck_assert_uint_eq(fe, SEV_RET_INVALID_GUEST);
	st.handle = 0;
	ck_assert_int_eq(raw(r, KVM_SEV_LAUNCH_START, &st, &fe), 0);
	ck_assert_uint_eq(st.handle, MODEL_HANDLE);
	ck_assert_int_eq(raw(r, KVM_SEV_LAUNCH_START, &st, &fe), -EIO);
	ck_assert_uint_eq(fe, SEV_RET_INVALID_GUEST_STATE);

}

/* In LUPDATE: no SECRET, no FINISH, no VMSA; UPDATE_DATA's own rules. */
static void ooo_lupdate(struct rig *r, struct kvm_sev_launch_update_data *upd,
			uint8_t *buf, struct kvm_sev_launch_secret *sec)
{
	uint32_t fe;

	memset(sec, 0, sizeof(*sec));
	sec->hdr_uaddr = sec->trans_uaddr = sec->guest_uaddr = (uintptr_t)buf;
	sec->hdr_len = SEV_PACKET_HDR_LEN;
	sec->guest_len = sec->trans_len = 16;
	ck_assert_int_eq(raw(r, KVM_SEV_LAUNCH_SECRET, sec, &fe), -EIO);
	ck_assert_uint_eq(fe, SEV_RET_INVALID_GUEST_STATE);
	ck_assert_int_eq(raw(r, KVM_SEV_LAUNCH_FINISH, NULL, &fe), -EIO);
	ck_assert_uint_eq(fe, SEV_RET_INVALID_GUEST_STATE);
	ck_assert_int_eq(raw(r, KVM_SEV_LAUNCH_UPDATE_VMSA, NULL, &fe),
			 -ENOTTY); /* not an SEV-ES guest */

	/* UPDATE_DATA's own rules. */
	upd->uaddr = (uintptr_t)(buf + 8);
	ck_assert_int_eq(raw(r, KVM_SEV_LAUNCH_UPDATE_DATA, upd, &fe), -EIO);
	ck_assert_uint_eq(fe, SEV_RET_INVALID_ADDRESS);
	upd->uaddr = (uintptr_t)buf;
	upd->len = 24;
	ck_assert_int_eq(raw(r, KVM_SEV_LAUNCH_UPDATE_DATA, upd, &fe), -EIO);
	ck_assert_uint_eq(fe, SEV_RET_INVALID_LEN);
	upd->len = 0;
	ck_assert_int_eq(raw(r, KVM_SEV_LAUNCH_UPDATE_DATA, upd, &fe),
			 -EINVAL);
	ck_assert_uint_eq(fe, NO_FW);
	upd->len = 32;
	ck_assert_int_eq(raw(r, KVM_SEV_LAUNCH_UPDATE_DATA, upd, &fe), 0);
	ck_assert_uint_eq(fe, SEV_RET_SUCCESS);

}

/* MEASURE's length rules, then its digest and HMAC. */
static void ooo_measure(struct rig *r, struct kvm_sev_launch_update_data *upd,
			const uint8_t *buf)
{
	struct kvm_sev_launch_measure me = {0};
	struct kvm_sev_guest_status gs;
	uint8_t blob[48];
	uint32_t fe;

	/* MEASURE: the length query leaves the state alone; a short
	 * buffer is INVALID_LEN with no length written back. */
	ck_assert_int_eq(raw(r, KVM_SEV_LAUNCH_MEASURE, &me, &fe), -EIO);
	ck_assert_uint_eq(fe, SEV_RET_INVALID_LEN);
	ck_assert_uint_eq(me.len, 48);
	me.uaddr = (uintptr_t)blob;
	me.len = 16;
	ck_assert_int_eq(raw(r, KVM_SEV_LAUNCH_MEASURE, &me, &fe), -EIO);
	ck_assert_uint_eq(fe, SEV_RET_INVALID_LEN);
	ck_assert_uint_eq(me.len, 16);
	ck_assert_int_eq(raw(r, KVM_SEV_GUEST_STATUS, &gs, &fe), 0);
	ck_assert_uint_eq(gs.state, SEV_GUEST_LUPDATE);
	me.len = 48;
	ck_assert_int_eq(raw(r, KVM_SEV_LAUNCH_MEASURE, &me, &fe), 0);
	ck_assert_int_eq(raw(r, KVM_SEV_LAUNCH_MEASURE, &me, &fe), -EIO);
	ck_assert_uint_eq(fe, SEV_RET_INVALID_GUEST_STATE);
	ck_assert_int_eq(raw(r, KVM_SEV_LAUNCH_UPDATE_DATA, upd, &fe), -EIO);
	ck_assert_uint_eq(fe, SEV_RET_INVALID_GUEST_STATE);

	/* The model's digest is SHA-256 of what UPDATE_DATA saw. */
	{
		uint8_t want[32], got[32], hmac[32];
		unsigned n = 0;

		ck_assert_int_eq(
			EVP_Digest(buf, 32, want, &n, EVP_sha256(), NULL), 1);
		ck_assert_int_eq(
			sev_model_launch_digest(r->m, got, sizeof(got)), 0);
		ck_assert_mem_eq(got, want, 32);
		ck_assert_int_eq(measure_launch_hmac(zero_tik, 1, 55, 25,
						     POLICY_SEV, want,
						     blob + 32, hmac),
				 0);
		ck_assert_mem_eq(blob, hmac, 32);
	}

}

START_TEST(sev_out_of_order)
{
	uint8_t buf[64] __attribute__((aligned(16))) = {0};
	struct kvm_sev_launch_update_data upd = {.uaddr = (uintptr_t)buf,
						 .len = 32};
	struct kvm_sev_guest_status gs;
	struct kvm_sev_launch_secret sec;
	struct fw fw;
	struct rig *r;
	uint32_t fe;

	fw_synthetic(&fw);
	r = rig_new(&fw, SEV_MODE_SEV, POLICY_SEV, 1,
		    &(struct rig_opts){.no_vm_init = true});
	ooo_start(r, &upd);
	ooo_lupdate(r, &upd, buf, &sec);
	ooo_measure(r, &upd, buf);

	ck_assert_int_eq(raw(r, KVM_SEV_LAUNCH_FINISH, NULL, &fe), 0);
	ck_assert_int_eq(raw(r, KVM_SEV_LAUNCH_FINISH, NULL, &fe), -EIO);
	ck_assert_uint_eq(fe, SEV_RET_INVALID_GUEST_STATE);
	ck_assert_int_eq(raw(r, KVM_SEV_LAUNCH_SECRET, &sec, &fe), -EIO);
	ck_assert_uint_eq(fe, SEV_RET_INVALID_GUEST_STATE);
	ck_assert_int_eq(raw(r, KVM_SEV_GUEST_STATUS, &gs, &fe), 0);
	ck_assert_uint_eq(gs.state, SEV_GUEST_RUNNING);
	ck_assert_uint_eq(gs.policy, POLICY_SEV);

	/* Ids the model does not do, or KVM does not know. */
	ck_assert_int_eq(raw(r, KVM_SEV_DBG_DECRYPT, NULL, &fe), -EOPNOTSUPP);
	ck_assert_int_eq(raw(r, 99, NULL, &fe), -EINVAL);
	ck_assert_int_eq(raw(r, KVM_SEV_SNP_LAUNCH_START, NULL, &fe), -ENOTTY);
	ck_assert_uint_eq(fe, NO_FW);
	rig_free(r);
	fw_free(&fw);
}
END_TEST

START_TEST(init_checks)
{
	struct kvm_sev_init in;
	struct fw fw;
	struct rig *r;
	uint32_t fe;

	fw_synthetic(&fw);
	/* SEV: no VMSA features, no GHCB version. */
	r = rig_new(&fw, SEV_MODE_SEV, POLICY_SEV, 1,
		    &(struct rig_opts){.no_vm_init = true});
	memset(&in, 0, sizeof(in));
	in.vmsa_features = 1ULL << 5;
	ck_assert_int_eq(raw(r, KVM_SEV_INIT2, &in, &fe), -EINVAL);
	in.vmsa_features = 0;
	in.ghcb_version = 2;
	ck_assert_int_eq(raw(r, KVM_SEV_INIT2, &in, &fe), -EINVAL);
	in.ghcb_version = 0;
	in.flags = 1;
	ck_assert_int_eq(raw(r, KVM_SEV_INIT2, &in, &fe), -EINVAL);
	in.flags = 0;
	in.pad2[3] = 1;
	ck_assert_int_eq(raw(r, KVM_SEV_INIT2, &in, &fe), -EINVAL);
	in.pad2[3] = 0;
	ck_assert_int_eq(raw(r, KVM_SEV_INIT2, NULL, &fe), -EFAULT);
	ck_assert_uint_eq(fe, NO_FW);
	ck_assert_int_eq(raw(r, KVM_SEV_ES_INIT, NULL, &fe), -EINVAL);
	ck_assert_int_eq(raw(r, KVM_SEV_INIT2, &in, &fe), 0);
	ck_assert_int_eq(raw(r, KVM_SEV_INIT2, &in, &fe), -EINVAL);
	rig_free(r);

	/* SEV-ES: DebugSwap only; GHCB up to 2. */
	r = rig_new(&fw, SEV_MODE_SEV_ES, POLICY_ES, 1,
		    &(struct rig_opts){.no_vm_init = true});
	ck_assert_int_eq(raw(r, KVM_SEV_INIT, NULL, &fe), -EINVAL);
	memset(&in, 0, sizeof(in));
	in.vmsa_features = 1; /* SNPActive */
	ck_assert_int_eq(raw(r, KVM_SEV_INIT2, &in, &fe), -EINVAL);
	in.vmsa_features = 1ULL << 9; /* SecureTSC: SNP only */
	ck_assert_int_eq(raw(r, KVM_SEV_INIT2, &in, &fe), -EINVAL);
	in.vmsa_features = 1ULL << 5;
	in.ghcb_version = 3;
	ck_assert_int_eq(raw(r, KVM_SEV_INIT2, &in, &fe), -EINVAL);
	in.ghcb_version = 2;
	ck_assert_int_eq(raw(r, KVM_SEV_INIT2, &in, &fe), 0);
	rig_free(r);

	/* Legacy ES_INIT on an SEV-ES model, through the launch context. */
	r = rig_new(&fw, SEV_MODE_SEV_ES, POLICY_ES, 1,
		    &(struct rig_opts){.no_vm_init = true});
	ck_ok(r, sevl_vm_init(r->l, true, 0));
	ck_ok(r, sevl_start(r->l));
	rig_free(r);

	/* SNP: no legacy INIT; SecureTSC and DebugSwap accepted. */
	r = rig_new(&fw, SEV_MODE_SNP, POLICY_SNP, 1,
		    &(struct rig_opts){.no_vm_init = true});
	ck_assert_int_eq(raw(r, KVM_SEV_INIT, NULL, &fe), -EINVAL);
	memset(&in, 0, sizeof(in));
	in.vmsa_features = (1ULL << 5) | (1ULL << 9);
	ck_assert_int_eq(raw(r, KVM_SEV_INIT2, &in, &fe), 0);
	/* Now an SNP guest: ids below 100 are -EPERM. */
	ck_assert_int_eq(raw(r, KVM_SEV_LAUNCH_START, NULL, &fe), -EPERM);
	ck_assert_int_eq(raw(r, KVM_SEV_GUEST_STATUS, NULL, &fe), -EPERM);
	rig_free(r);
	fw_free(&fw);
}
END_TEST

/* ================================================================ SNP */

static void snp_flow(const struct fw *fw, unsigned ncpus, bool synthetic)
{
	struct rig *r = rig_new(fw, SEV_MODE_SNP, POLICY_SNP, ncpus, NULL);
	uint8_t want[48], got[48];
	const struct launch_step *s = plan_step(r->p, "firmware");

	ck_assert_int_eq(sev_model_launch_digest(r->m, got, sizeof(got)),
			 -ENODATA);
	snp_updated(r);
	/* The firmware step took several calls: the model stops after 64
	 * pages and the launcher reissues the rest. */
	ck_assert_ptr_nonnull(s);
	for (unsigned k = 0; k < r->l->ntimings; k++)
		if (r->l->timings[k].what &&
		    !strcmp(r->l->timings[k].what, "firmware"))
			ck_assert_uint_eq(
				r->l->timings[k].ioctls,
				(s->len / 4096 + MODEL_SNP_PAGES_PER_CALL - 1) /
					MODEL_SNP_PAGES_PER_CALL);
	ck_ok(r, sevl_snp_finish(r->l, NULL));
	ck_assert_uint_eq(r->vs.calls, ncpus + 1);

	ck_assert_int_eq(measure_snp_digest(r->p, want), 0);
	ck_assert_int_eq(sev_model_launch_digest(r->m, got, sizeof(got)), 0);
	ck_assert_mem_eq(got, want, 48);

	if (synthetic) {
		/* The secrets page, as the firmware writes it (AMD-ASPFW
		 * snp_mcmd_launch_update()). */
		const uint8_t *sp = guest_hva(&r->g, SECRETS_GPA, 4096);
		uint8_t zero[32] = {0};

		ck_assert_uint_eq(get_le32(sp, 0), 3);
		for (int v = 0; v < 4; v++) {
			ck_assert_mem_ne(sp + 0x20 + 32 * v, zero, 32);
			ck_assert_mem_eq(sp + 0x20 + 32 * v, r->m->vmpck[v],
					 32);
		}
		ck_assert_mem_ne(sp + 0x20, sp + 0x40, 32);
		ck_assert_mem_eq(sp + 0x10, zero, 16); /* GOSVW 0 */
	}
	rig_free(r);
}

START_TEST(snp_synthetic_digest)
{
	struct fw fw;

	fw_synthetic(&fw);
	snp_flow(&fw, 1, true);
	snp_flow(&fw, 4, true);
	fw_free(&fw);
}
END_TEST

START_TEST(snp_real_firmware_digest)
{
	struct fw fw;

	if (!fw_load(FW_AMDSEV, &fw))
		SKIP_TEST("%s is not in ../shared", FW_AMDSEV);
	snp_flow(&fw, 2, false);
	fw_free(&fw);
}
END_TEST

START_TEST(snp_update_progress_and_rmp)
{
	uint8_t *src = pages(100);
	struct kvm_sev_snp_launch_update u;
	struct kvm_sev_snp_launch_start st = {.policy = POLICY_SNP};
	struct fw fw;
	struct rig *r;
	uint32_t fe;

	fw_synthetic(&fw);
	r = rig_new(&fw, SEV_MODE_SNP, POLICY_SNP, 1, NULL);

	memset(&u, 0, sizeof(u));
	u.gfn_start = 0x100;
	u.uaddr = (uintptr_t)src;
	u.len = 100 * 4096;
	u.type = SNP_PAGE_NORMAL;
	/* No context before SNP_LAUNCH_START: KVM's -EINVAL. */
	ck_assert_int_eq(raw(r, KVM_SEV_SNP_LAUNCH_UPDATE, &u, &fe), -EINVAL);
	ck_assert_int_eq(raw(r, KVM_SEV_SNP_LAUNCH_START, &st, &fe), 0);
	ck_assert_int_eq(raw(r, KVM_SEV_SNP_LAUNCH_START, &st, &fe), -EINVAL);

	/* A bounded run (64 pages), then the rest. */
	_Static_assert(MODEL_SNP_PAGES_PER_CALL == 64, "the test's numbers");
	ck_assert_int_eq(raw(r, KVM_SEV_SNP_LAUNCH_UPDATE, &u, &fe), 0);
	ck_assert_uint_eq(u.gfn_start, 0x100 + 64);
	ck_assert_uint_eq(u.len, 36 * 4096);
	ck_assert_uint_eq(u.uaddr, (uintptr_t)src + 64 * 4096);
	ck_assert_int_eq(raw(r, KVM_SEV_SNP_LAUNCH_UPDATE, &u, &fe), 0);
	ck_assert_uint_eq(u.len, 0);
	ck_assert_uint_eq(u.gfn_start, 0x100 + 100);

	/* A page made private twice. */
	u.gfn_start = 0x150;
	u.uaddr = (uintptr_t)src;
	u.len = 4096;
	ck_assert_int_eq(raw(r, KVM_SEV_SNP_LAUNCH_UPDATE, &u, &fe), -EEXIST);
	/* A run that meets one after 2 pages: progress, then the failure. */
	u.gfn_start = 0xfe;
	u.len = 3 * 4096;
	ck_assert_int_eq(raw(r, KVM_SEV_SNP_LAUNCH_UPDATE, &u, &fe), 0);
	ck_assert_uint_eq(u.len, 4096);
	ck_assert_uint_eq(u.gfn_start, 0x100);
	ck_assert_int_eq(raw(r, KVM_SEV_SNP_LAUNCH_UPDATE, &u, &fe), -EEXIST);
	ck_assert_uint_eq(u.len, 4096);

	/* ZERO pages need no source; KVM's argument rules. */
	u.gfn_start = 0x300;
	u.uaddr = 0;
	u.len = 2 * 4096;
	u.type = SNP_PAGE_ZERO;
	ck_assert_int_eq(raw(r, KVM_SEV_SNP_LAUNCH_UPDATE, &u, &fe), 0);
	ck_assert_uint_eq(u.uaddr, 0);
	u.len = 4096;
	u.gfn_start = 0x400;
	u.type = SNP_PAGE_VMSA;
	ck_assert_int_eq(raw(r, KVM_SEV_SNP_LAUNCH_UPDATE, &u, &fe), -EINVAL);
	u.type = SNP_PAGE_NORMAL;
	ck_assert_int_eq(raw(r, KVM_SEV_SNP_LAUNCH_UPDATE, &u, &fe), -EFAULT);
	u.uaddr = (uintptr_t)src;
	u.len = 100;
	ck_assert_int_eq(raw(r, KVM_SEV_SNP_LAUNCH_UPDATE, &u, &fe), -EINVAL);
	u.len = 4096;
	u.flags = 1;
	ck_assert_int_eq(raw(r, KVM_SEV_SNP_LAUNCH_UPDATE, &u, &fe), -EINVAL);
	ck_assert_uint_eq(fe, NO_FW);
	u.flags = 0;

	/* After FINISH the firmware refuses updates; FINISH is once. */
	{
		struct kvm_sev_snp_launch_finish f;

		memset(&f, 0, sizeof(f));
		ck_assert_int_eq(raw(r, KVM_SEV_SNP_LAUNCH_FINISH, &f, &fe), 0);
		ck_assert_int_eq(raw(r, KVM_SEV_SNP_LAUNCH_UPDATE, &u, &fe),
				 -EIO);
		ck_assert_uint_eq(fe, SEV_RET_INVALID_GUEST_STATE);
		ck_assert_int_eq(raw(r, KVM_SEV_SNP_LAUNCH_FINISH, &f, &fe),
				 -EINVAL);
	}
	rig_free(r);
	free(src);
	fw_free(&fw);
}
END_TEST

START_TEST(snp_policy_checks)
{
	static const struct {
		uint64_t policy;
		uint8_t api_minor; /* the firmware's ABI 1.x */
		bool ok;
	} cases[] = {
		{0x30000, 55, true},
		{0x20000, 55, false},		     /* no SMT on an SMT host */
		{0x30000 | (1ULL << 19), 55, true},  /* DEBUG */
		{0x30000 | (1ULL << 20), 55, true},  /* SINGLE_SOCKET */
		{0x30000 | (1ULL << 21), 55, false}, /* CXL_ALLOW: new ABI */
		{0x30000 | (1ULL << 21), 58, true},
		{0x30000 | (1ULL << 25), 58, true},
		{0x30000 | (1ULL << 26), 58, false}, /* reserved */
		{0x30000 | (1ULL << 40), 55, false},
		{0x30000 | 0x0137, 55, true},  /* needs ABI 1.55 */
		{0x30000 | 0x0138, 55, false}, /* needs ABI 1.56 */
		{0x30000 | 0x0200, 58, false}, /* needs ABI 2.0 */
	};
	struct fw fw;

	fw_synthetic(&fw);
	for (size_t k = 0; k < sizeof(cases) / sizeof(cases[0]); k++) {
		struct rig_opts o = {.api_major = 1,
				     .api_minor = cases[k].api_minor,
				     .build = 1};
		struct rig *r =
			rig_new(&fw, SEV_MODE_SNP, cases[k].policy, 1, &o);
		int ret = sevl_snp_start(r->l);

		if (cases[k].ok)
			ck_assert_msg(ret == 0, "case %zu: %s", k,
				      sevl_error(r->l));
		else
			ck_fw_fail(r, ret, SEV_RET_POLICY_FAILURE);
		rig_free(r);
	}

	/* Bit 17 and flags are KVM's to check. */
	{
		struct rig *r = rig_new(&fw, SEV_MODE_SNP, POLICY_SNP, 1, NULL);
		struct kvm_sev_snp_launch_start st = {.policy = 0x10000};
		uint32_t fe;

		ck_assert_int_eq(raw(r, KVM_SEV_SNP_LAUNCH_START, &st, &fe),
				 -EINVAL);
		ck_assert_uint_eq(fe, NO_FW);
		st.policy = POLICY_SNP;
		st.flags = 1;
		ck_assert_int_eq(raw(r, KVM_SEV_SNP_LAUNCH_START, &st, &fe),
				 -EINVAL);
		/* A failed start leaves no context: it can be retried. */
		st.flags = 0;
		st.policy = 0x20000;
		ck_assert_int_eq(raw(r, KVM_SEV_SNP_LAUNCH_START, &st, &fe),
				 -EIO);
		st.policy = POLICY_SNP;
		ck_assert_int_eq(raw(r, KVM_SEV_SNP_LAUNCH_START, &st, &fe), 0);
		rig_free(r);
	}
	fw_free(&fw);
}
END_TEST

/* ---------------------------------------------------------- CPUID */

static void cpuid_entry(uint8_t *page, unsigned k, uint32_t fn, uint32_t sub,
			uint32_t eax, uint32_t ebx, uint32_t ecx, uint32_t edx)
{
	uint8_t *e = page + 0x10 + 48 * k;

	put_le32(e, 0x00, fn);
	put_le32(e, 0x04, sub);
	put_le32(e, 0x18, eax);
	put_le32(e, 0x1c, ebx);
	put_le32(e, 0x20, ecx);
	put_le32(e, 0x24, edx);
}

START_TEST(snp_cpuid_correction)
{
	struct fw fw;
	struct rig *r;
	uint8_t *cpuid, before[4096], want[48], got[48];
	bool retried = false;

	fw_synthetic(&fw);
	r = rig_new(&fw, SEV_MODE_SNP, POLICY_SNP, 2, NULL);
	cpuid = guest_hva(&r->g, CPUID_GPA, 4096);
	/* Leaf 1 with TSC-deadline (ECX 24) and SSE3; leaf 7.0 with
	 * TSC_ADJUST, SPEC_CTRL; leaf 7.1 untouched; 0x80000008 with
	 * VIRT_SSBD; an entry's reserved field set. */
	put_le32(cpuid, 0, 5);
	cpuid_entry(cpuid, 0, 1, 0, 0x800f12, 0x800, (1u << 24) | 1,
		    0x178bfbff);
	cpuid_entry(cpuid, 1, 7, 0, 0, 0x219c91a9 | 2, 0, 0xfc000010);
	cpuid_entry(cpuid, 2, 7, 1, 0, 0xffffffff, 0, 0xfc000000);
	cpuid_entry(cpuid, 3, 0x80000008, 0, 0x3030, (1u << 25) | 1, 0, 0);
	cpuid_entry(cpuid, 4, 0xd, 0, 1, 0x240, 0x240, 0);
	cpuid[0x10 + 4 * 48 + 0x28] = 1;
	memcpy(before, cpuid, sizeof(before));

	ck_ok(r, sevl_snp_start(r->l));
	/* The plan by hand, retrying the CPUID page once, as a launcher
	 * does with the firmware's corrected table. */
	for (unsigned k = 0; k < r->p->nsteps; k++) {
		const struct launch_step *s = &r->p->steps[k];
		uint8_t *dst;
		int ret;

		if (s->kind != STEP_SNP_UPDATE)
			continue;
		dst = guest_hva(&r->g, s->gpa, s->len);
		if (s->bytes)
			memcpy(dst, s->bytes, s->len);
		ret = sevl_snp_update(r->l, s->gpa, dst, s->len,
					    s->page_type);
		if (s->page_type != SNP_PAGE_CPUID) {
			ck_ok(r, ret);
			continue;
		}
		ck_fw_fail(r, ret, SEV_RET_INVALID_PARAM);
		/* The corrected table: the refused bits gone, the rest as
		 * it was. */
		ck_assert_uint_eq(get_le32(cpuid, 0), 5);
		ck_assert_uint_eq(get_le32(cpuid, 0x10 + 0x20), 1);
		ck_assert_uint_eq(get_le32(cpuid, 0x10 + 0x24), 0x178bfbff);
		ck_assert_uint_eq(get_le32(cpuid, 0x40 + 0x1c), 0x219c91a9);
		ck_assert_uint_eq(get_le32(cpuid, 0x40 + 0x24), 0x10);
		ck_assert_uint_eq(get_le32(cpuid, 0x70 + 0x1c), 0xffffffff);
		ck_assert_uint_eq(get_le32(cpuid, 0x70 + 0x24), 0xfc000000);
		ck_assert_uint_eq(get_le32(cpuid, 0xa0 + 0x1c), 1);
		ck_assert_uint_eq(cpuid[0x10 + 4 * 48 + 0x28], 0);
		ck_assert_mem_eq(cpuid + 0x10 + 4 * 48, before + 0x10 + 4 * 48,
				 0x28);
		/* The failed page did not enter the digest; the retry
		 * passes. */
		ck_ok(r, sevl_snp_update(r->l, s->gpa, dst, s->len,
					       s->page_type));
		retried = true;
	}
	ck_assert(retried);
	ck_ok(r, sevl_snp_finish(r->l, NULL));
	ck_assert_int_eq(measure_snp_digest(r->p, want), 0);
	ck_assert_int_eq(sev_model_launch_digest(r->m, got, sizeof(got)), 0);
	ck_assert_mem_eq(got, want, 48);
	rig_free(r);
	fw_free(&fw);
}
END_TEST

START_TEST(cpuid_check_rules)
{
	uint8_t page[4096];

	/* An empty and a clean table pass and are not touched. */
	memset(page, 0, sizeof(page));
	ck_assert_int_eq(model_snp_cpuid_check(page), 0);
	put_le32(page, 0, 2);
	cpuid_entry(page, 0, 1, 0, 0x800f12, 0, 1, 0x178bfbff);
	cpuid_entry(page, 1, 7, 0, 0, 0x219c91a9, 0, 0x10);
	ck_assert_int_eq(model_snp_cpuid_check(page), 0);

	/* count > 64: clamped. */
	put_le32(page, 0, 65);
	ck_assert_int_eq(model_snp_cpuid_check(page), -EINVAL);
	ck_assert_uint_eq(get_le32(page, 0), 64);
	ck_assert_int_eq(model_snp_cpuid_check(page), 0);

	/* The header's reserved bytes. */
	put_le32(page, 0, 2);
	page[0x08] = 1;
	ck_assert_int_eq(model_snp_cpuid_check(page), -EINVAL);
	ck_assert_uint_eq(page[0x08], 0);

	/* Refused bits of an entry beyond count are not looked at. */
	cpuid_entry(page, 2, 1, 0, 0, 0, 1u << 24, 0);
	ck_assert_int_eq(model_snp_cpuid_check(page), 0);
	put_le32(page, 0, 3);
	ck_assert_int_eq(model_snp_cpuid_check(page), -EINVAL);
	ck_assert_uint_eq(get_le32(page, 0x10 + 2 * 48 + 0x20), 0);
}
END_TEST

/* --------------------------------------------------------- ID block */

struct idb_case {
	bool author;
	int damage; /* 0 none, 1 LD, 2 policy, 3 ID sig, 4 ID algo,
		       5 ID key off the curve, 6 author sig, 7 author algo */
	uint32_t status;
};

/* The failed SNP_LAUNCH_FINISH's line says what in the ID block is
 * wrong, besides the status's name (sev_status_hint). */
static void ck_id_block_hint(struct rig *r, uint32_t status)
{
	const char *want =
		status == SEV_RET_BAD_MEASUREMENT ? "the ID block's launch "
						    "digest (LD) is not this "
						    "launch's"
		: status == SEV_RET_POLICY_FAILURE ? "the ID block's POLICY is "
						     "not this launch's policy"
		: status == SEV_RET_BAD_SIGNATURE
			? "the ID authentication does not verify"
			: "ID_KEY_ALGO (or with --author-key-enabled "
			  "AUTHOR_KEY_ALGO) is not 1";

	ck_assert_msg(strstr(sevl_error(r->l), "SNP_LAUNCH_FINISH with an ID "
					       "block failed") &&
			      strstr(sevl_error(r->l), want),
		      "\"%s\" lacks \"%s\"", sevl_error(r->l), want);
}

static void id_block_case(const struct fw *fw, const struct idb_case *c,
			  EVP_PKEY *id_key, EVP_PKEY *author)
{
	struct rig *r = rig_new(fw, SEV_MODE_SNP, POLICY_SNP, 2, NULL);
	uint8_t idb[96], auth[4096];
	struct sev_snp_finish_args a = {.id_block = idb, .id_auth = auth};
	int ret;

	/* The owner's ID block: the expected digest, ids, version 1, SVN,
	 * policy; signed with SHA-384 (SNP ABI 56860 SNP_LAUNCH_FINISH). */
	memset(idb, 0, sizeof(idb));
	ck_assert_int_eq(measure_snp_digest(r->p, idb), 0);
	memset(idb + 0x30, 0x11, 16);
	memset(idb + 0x40, 0x22, 16);
	put_le32(idb, 0x50, 1);
	put_le32(idb, 0x54, 3);
	put_le64(idb, 0x58, POLICY_SNP);
	if (c->damage == 1)
		idb[5] ^= 1;
	if (c->damage == 2)
		put_le64(idb, 0x58, POLICY_SNP | (1ULL << 19));

	memset(auth, 0, sizeof(auth));
	put_le32(auth, 0x000, 1);
	ck_assert_int_eq(sev_ecc_pubkey_put(id_key, auth + 0x240), 0);
	ck_assert_int_eq(
		sev_ecdsa_sign(id_key, EVP_sha384(), idb, 96, auth + 0x40), 0);
	if (c->author) {
		put_le32(auth, 0x004, 1);
		ck_assert_int_eq(sev_ecc_pubkey_put(author, auth + 0x880), 0);
		ck_assert_int_eq(sev_ecdsa_sign(author, EVP_sha384(),
						auth + 0x240, 0x404,
						auth + 0x680),
				 0);
		a.auth_key_en = true;
	}
	switch (c->damage) {
	case 3:
		auth[0x40 + 10] ^= 1;
		break;
	case 4:
		put_le32(auth, 0x000, 2);
		break;
	case 5:
		auth[0x240 + 0x4c] ^= 1; /* QY */
		break;
	case 6:
		auth[0x680 + 3] ^= 1;
		break;
	case 7:
		put_le32(auth, 0x004, 0);
		break;
	}
	memset(a.host_data, 0x5a, sizeof(a.host_data));

	snp_updated(r);
	ret = sevl_snp_finish(r->l, &a);
	if (!c->status) {
		uint8_t digest[48];
		unsigned n = 0;

		ck_ok(r, ret);
		ck_assert(r->m->id_block_en);
		ck_assert_int_eq(r->m->author_key_en, c->author);
		ck_assert_mem_eq(r->m->id_block, idb, 96);
		ck_assert_int_eq(EVP_Digest(auth + 0x240, 0x404, digest, &n,
					    EVP_sha384(), NULL),
				 1);
		ck_assert_mem_eq(r->m->id_key_digest, digest, 48);
		ck_assert_uint_eq(r->m->host_data[31], 0x5a);
	} else {
		ck_fw_fail(r, ret, c->status);
		ck_assert_uint_eq(r->l->state, SEV_GUEST_LUPDATE);
		ck_id_block_hint(r, c->status);
	}
	rig_free(r);
}

START_TEST(snp_id_block)
{
	static const struct idb_case cases[] = {
		{false, 0, 0},
		{true, 0, 0},
		{false, 1, SEV_RET_BAD_MEASUREMENT},
		{true, 1, SEV_RET_BAD_MEASUREMENT},
		{false, 2, SEV_RET_POLICY_FAILURE},
		{false, 3, SEV_RET_BAD_SIGNATURE},
		{false, 4, SEV_RET_INVALID_PARAM},
		{false, 5, SEV_RET_BAD_SIGNATURE},
		{true, 6, SEV_RET_BAD_SIGNATURE},
		{true, 7, SEV_RET_INVALID_PARAM},
		{false, 7, 0}, /* no author key: its algo is not looked at */
	};
	EVP_PKEY *id_key = NULL, *author = NULL;
	struct fw fw;

	fw_synthetic(&fw);
	ck_assert_int_eq(sev_p384_generate(&id_key), 0);
	ck_assert_int_eq(sev_p384_generate(&author), 0);
	for (size_t k = 0; k < sizeof(cases) / sizeof(cases[0]); k++)
		id_block_case(&fw, &cases[k], id_key, author);
	EVP_PKEY_free(id_key);
	EVP_PKEY_free(author);
	fw_free(&fw);
}
END_TEST

/* --------------------------------------------------- model API */

START_TEST(model_keys_and_certs)
{
	uint8_t d[48], cert[SEV_CERT_LEN], cert2[SEV_CERT_LEN], back[48];
	struct sev_model_config c = {.mode = SEV_MODE_SEV};
	EVP_PKEY *k = NULL, *pub = NULL;
	struct sev_model *m;
	char err[160] = "";

	ck_assert_int_eq(sev_model_keygen(d, cert), 0);
	ck_assert_int_eq(sev_cert_public_key(cert, SEV_USAGE_PDH, &pub, err,
					     sizeof(err)),
			 0);
	ck_assert_int_eq(sev_p384_from_private(d, &k), 0);
	ck_assert_int_eq(EVP_PKEY_eq(k, pub), 1);
	ck_assert_int_eq(sev_p384_private(k, back), 0);
	ck_assert_mem_eq(d, back, 48);

	/* A default model with that key presents the very same cert. */
	c.pdh_private = d;
	m = sev_model_new(&c, err, sizeof(err));
	ck_assert_ptr_nonnull(m);
	ck_assert_int_eq(sev_model_pdh_cert(m, cert2), 0);
	ck_assert_mem_eq(cert, cert2, SEV_CERT_LEN);
	ck_assert_int_eq(sev_model_launch_digest(m, back, 48), -ENODATA);
	ck_assert_int_eq(sev_model_launch_digest(m, back, 16), -EINVAL);
	sev_model_free(m);

	/* Another API version is stamped on the cert. */
	c.api_major = 1;
	c.api_minor = 58;
	c.build = 3;
	m = sev_model_new(&c, err, sizeof(err));
	ck_assert_ptr_nonnull(m);
	ck_assert_int_eq(sev_model_pdh_cert(m, cert2), 0);
	ck_assert_uint_eq(cert2[4], 1);
	ck_assert_uint_eq(cert2[5], 58);
	sev_model_free(m);

	/* Fresh keys differ. */
	c.pdh_private = NULL;
	m = sev_model_new(&c, err, sizeof(err));
	ck_assert_ptr_nonnull(m);
	ck_assert_int_eq(sev_model_pdh_cert(m, cert2), 0);
	ck_assert_mem_ne(cert + 0x14, cert2 + 0x14, 48);
	sev_model_free(m);

	/* Not a scalar. */
	memset(back, 0, sizeof(back));
	c.pdh_private = back;
	err[0] = 0;
	ck_assert_ptr_null(sev_model_new(&c, err, sizeof(err)));
	ck_assert(strstr(err, "P-384"));
	c.pdh_private = NULL;
	c.mode = (enum sev_mode)7;
	ck_assert_ptr_null(sev_model_new(&c, err, sizeof(err)));

	OPENSSL_cleanse(d, sizeof(d));
	EVP_PKEY_free(k);
	EVP_PKEY_free(pub);
	sev_model_free(NULL);
}
END_TEST

/* A model reset is a fresh model of the same configuration and keys: the
 * same bytes (but for the key object), and a second launch works. */
static void ck_as_new(struct sev_model *m, const struct sev_model_config *c)
{
	struct sev_model *fresh = sev_model_new(c, NULL, 0);
	struct sev_model seen;

	ck_assert_ptr_nonnull(fresh);
	ck_assert_int_eq(EVP_PKEY_eq(m->pdh, fresh->pdh), 1);
	memcpy(&seen, m, sizeof(seen));
	seen.pdh = fresh->pdh;
	ck_assert_mem_eq(&seen, fresh, sizeof(seen));
	OPENSSL_cleanse(&seen, sizeof(seen));
	sev_model_free(fresh);
}

START_TEST(reset_forgets_the_vm)
{
	static const uint8_t d[48] = {[0] = 0x12, [47] = 0x34};
	uint8_t cert[SEV_CERT_LEN], cert2[SEV_CERT_LEN], got[48], first[48];
	struct sev_model_config c;
	struct owner o = {0};
	struct fw fw;
	struct rig *r;

	fw_synthetic(&fw);
	/* SEV with a session, up to RUNNING; the same VM cannot be set up
	 * for a second launch (KVM: INIT once per VM). */
	r = session_rig(&fw, SEV_MODE_SEV, POLICY_SEV, &o, POLICY_SEV);
	ck_assert_int_eq(sev_model_pdh_cert(r->m, cert), 0);
	sev_measured(r);
	check_sev_digests(r, o.tk.tik);
	ck_ok(r, sevl_finish(r->l));
	memset(r->l, 0, sizeof(*r->l));
	ck_assert_int_eq(sevl_setup(r->l, SEV_MODE_SEV, POLICY_SEV,
				    sev_transport_model(r->m)),
			 0);
	ck_assert_int_eq(sevl_vm_init(r->l, false, 0), -EINVAL);

	/* Reset: the same PDH, no digest, and the whole launch again with
	 * the same session. */
	sev_model_reset(r->m);
	c = (struct sev_model_config){
		.mode = SEV_MODE_SEV, .vmsa = plan_vmsa, .vmsa_ctx = &r->vs};
	ck_assert_int_eq(sev_model_pdh_cert(r->m, cert2), 0);
	ck_assert_mem_eq(cert, cert2, SEV_CERT_LEN);
	ck_assert_int_eq(sev_model_launch_digest(r->m, got, 32), -ENODATA);
	memset(r->l, 0, sizeof(*r->l));
	ck_assert_int_eq(sevl_setup(r->l, SEV_MODE_SEV, POLICY_SEV,
				    sev_transport_model(r->m)),
			 0);
	ck_ok(r, sevl_vm_init(r->l, false, 0));
	ck_ok(r, sevl_set_session(r->l, o.godh_cert, SEV_CERT_LEN, o.session,
				  SEV_SESSION_LEN));
	sev_measured(r);
	check_sev_digests(r, o.tk.tik);
	ck_ok(r, sevl_finish(r->l));
	rig_free(r);
	owner_free(&o);

	/* SNP: after a launch its pages are private and its context
	 * exists; again no second launch until the reset. */
	r = rig_new(&fw, SEV_MODE_SNP, POLICY_SNP, 2,
		    &(struct rig_opts){.pdh_private = d, .no_vm_init = true});
	c = (struct sev_model_config){.mode = SEV_MODE_SNP,
				      .pdh_private = d,
				      .vmsa = plan_vmsa,
				      .vmsa_ctx = &r->vs};
	ck_as_new(r->m, &c);
	ck_ok(r, sevl_vm_init(r->l, false, r->p->vmsa.sev_features));
	snp_updated(r);
	ck_ok(r, sevl_snp_finish(r->l, NULL));
	ck_assert_int_eq(sev_model_launch_digest(r->m, first, 48), 0);
	ck_assert_uint_gt(r->m->nprivate, 0);
	memset(r->l, 0, sizeof(*r->l));
	ck_assert_int_eq(sevl_setup(r->l, SEV_MODE_SNP, POLICY_SNP,
				    sev_transport_model(r->m)),
			 0);
	ck_assert_int_eq(sevl_vm_init(r->l, false, r->p->vmsa.sev_features),
			 -EINVAL);

	sev_model_reset(r->m);
	ck_as_new(r->m, &c);
	memset(r->l, 0, sizeof(*r->l));
	ck_assert_int_eq(sevl_setup(r->l, SEV_MODE_SNP, POLICY_SNP,
				    sev_transport_model(r->m)),
			 0);
	ck_ok(r, sevl_vm_init(r->l, false, r->p->vmsa.sev_features));
	snp_updated(r);
	ck_ok(r, sevl_snp_finish(r->l, NULL));
	ck_assert_int_eq(sev_model_launch_digest(r->m, got, 48), 0);
	ck_assert_mem_eq(got, first, 48);
	rig_free(r);
	sev_model_reset(NULL);
	fw_free(&fw);
}
END_TEST

/* The model's API version and build go into LAUNCH_MEASURE. */
/* --self-session: the platform's PDH from PDH_CERT_EXPORT, a session of
 * sevboot's own for it, and LAUNCH_MEASURE checked with its TIK rather
 * than the all-zero one. */
START_TEST(self_session_checks_with_its_own_tik)
{
	uint8_t pdh[SEV_CERT_LEN], want_pdh[SEV_CERT_LEN];
	uint8_t godh[SEV_CERT_LEN], session[SEV_SESSION_LEN];
	uint8_t want[32], hmac[32];
	struct sev_tk tk;
	char err[256] = "";
	struct fw fw;
	struct rig *r;

	fw_synthetic(&fw);
	r = rig_new(&fw, SEV_MODE_SEV, POLICY_SEV, 1, NULL);
	ck_ok(r, sevl_pdh_export(r->l, pdh));
	ck_assert_int_eq(sev_model_pdh_cert(r->m, want_pdh), 0);
	ck_assert_mem_eq(pdh, want_pdh, SEV_CERT_LEN);
	ck_assert_str_eq(r->l->timings[r->l->ntimings - 1].step,
			 "PDH_CERT_EXPORT");
	ck_assert_msg(sev_session_new(pdh, POLICY_SEV, godh, session, &tk, err,
				      sizeof(err)) == 0,
		      "%s", err);
	ck_ok(r, sevl_set_session(r->l, godh, SEV_CERT_LEN, session,
				  SEV_SESSION_LEN));
	sev_measured(r);
	ck_assert_int_eq(measure_sev_digest(r->p, want), 0);
	ck_assert_int_eq(measure_launch_hmac(tk.tik, 1, 55, 25, POLICY_SEV,
					     want, r->l->mnonce, hmac),
			 0);
	ck_assert_mem_eq(r->l->measurement, hmac, 32);
	/* ... and not the all-zero TIK's. */
	ck_assert_int_eq(measure_launch_hmac(zero_tik, 1, 55, 25, POLICY_SEV,
					     want, r->l->mnonce, hmac),
			 0);
	ck_assert(memcmp(r->l->measurement, hmac, 32) != 0);
	sev_tk_wipe(&tk);
	rig_free(r);
	fw_free(&fw);
}
END_TEST

/* The firmware's length rules for PDH_CERT_EXPORT, through the transport. */
START_TEST(pdh_export_lengths)
{
	struct sev_user_data_pdh_cert_export e = { 0 };
	uint8_t pdh[SEV_CERT_LEN], chain[SEV_CERT_LEN];
	uint32_t fw_error = 0;
	struct fw fw;
	struct rig *r;

	fw_synthetic(&fw);
	r = rig_new(&fw, SEV_MODE_SEV, POLICY_SEV, 1, NULL);
	e.pdh_cert_address = (uintptr_t)pdh;
	e.pdh_cert_len = sizeof(pdh);
	e.cert_chain_address = (uintptr_t)chain;
	e.cert_chain_len = sizeof(chain); /* room for one of three */
	ck_assert_int_eq(r->l->transport.ops->platform_cmd(
				 r->l->transport.ctx, SEV_PDH_CERT_EXPORT, &e,
				 &fw_error),
			 -EIO);
	ck_assert_uint_eq(fw_error, SEV_RET_INVALID_LEN);
	ck_assert_uint_eq(e.cert_chain_len, 3 * SEV_CERT_LEN);
	rig_free(r);
	fw_free(&fw);
}
END_TEST

START_TEST(measure_uses_configured_version)
{
	struct rig_opts o = {.api_major = 1, .api_minor = 49, .build = 6};
	uint8_t want[32], hmac[32];
	struct fw fw;
	struct rig *r;

	fw_synthetic(&fw);
	r = rig_new(&fw, SEV_MODE_SEV, POLICY_SEV, 1, &o);
	sev_measured(r);
	ck_assert_int_eq(measure_sev_digest(r->p, want), 0);
	ck_assert_int_eq(measure_launch_hmac(zero_tik, 1, 49, 6, POLICY_SEV,
					     want, r->l->mnonce, hmac),
			 0);
	ck_assert_mem_eq(r->l->measurement, hmac, 32);
	rig_free(r);
	fw_free(&fw);
}
END_TEST

/* ====================================== the identity: attestation */

/* An identity for one test, in a directory identity_done() removes. */
static char id_base[64], id_dir[96];

static struct sev_model_identity *test_identity(void)
{
	struct sev_model_identity *id = NULL;
	char err[512] = "";

	if (!id_dir[0]) {
		snprintf(id_base, sizeof(id_base), "/tmp/sevboot-model-XXXXXX");
		ck_assert_ptr_nonnull(mkdtemp(id_base));
		snprintf(id_dir, sizeof(id_dir), "%s/id", id_base);
		ck_assert_msg(!sev_model_identity_create(id_dir, err,
							 sizeof(err)),
			      "%s", err);
	}
	ck_assert_msg(!sev_model_identity_load(id_dir, &id, err, sizeof(err)),
		      "%s", err);
	return id;
}

/* Free id and remove its directory. */
static void identity_done(struct sev_model_identity *id)
{
	char cmd[128];

	sev_model_identity_free(id);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", id_base);
	ck_assert_int_eq(system(cmd), 0);
	id_dir[0] = '\0';
}

/* Verify report with the identity's VCEK chain and its ARK, as a guest
 * owner would (snp_report_verify); every check must pass.  tr: the
 * checks. */
static void verify_snp(const struct sev_model_identity *id,
		       const uint8_t report[SEV_MODEL_SNP_REPORT_LEN],
		       const struct snp_expect *x, struct trust_result *tr)
{
	struct snp_chain ch = {.product = AMD_PRODUCT_UNKNOWN};
	char err[300] = "";
	const uint8_t *p;
	X509 *root;
	size_t n;

	for (int k = SEV_MODEL_SNP_ARK; k <= SEV_MODEL_VCEK; k++) {
		p = sev_model_identity_cert(id, k, &n);
		ck_assert_msg(!snp_chain_add(&ch, p, n, err, sizeof(err)),
			      "%s", err);
	}
	root = X509_dup(ch.ark);
	trust_result_init(tr);
	ck_assert_msg(!snp_report_verify(report, &ch, root, time(NULL), x, tr,
					 err, sizeof(err)),
		      "%s", err);
	for (unsigned k = 0; k < tr->n; k++)
		ck_assert_msg(tr->check[k].ok, "%s: %s", tr->check[k].what,
			      tr->check[k].text);
	X509_free(root);
	snp_chain_free(&ch);
}

/* The SEV chain of the identity, parsed by the owner's code. */
static void identity_sev_chain(const struct sev_model_identity *id,
			       struct sev_chain *ch, struct amd_cert amd[2],
			       struct amd_cert *root)
{
	static const enum sev_model_cert certs[] = {
		SEV_MODEL_PDH, SEV_MODEL_PEK, SEV_MODEL_OCA,
		SEV_MODEL_CEK, SEV_MODEL_ASK, SEV_MODEL_ARK};
	char err[300] = "";
	size_t n;
	const uint8_t *p;

	memset(ch, 0, sizeof(*ch));
	for (size_t k = 0; k < 6; k++) {
		p = sev_model_identity_cert(id, certs[k], &n);
		ck_assert_msg(!sev_chain_add(ch, amd, p, n, err, sizeof(err)),
			      "%s", err);
	}
	p = sev_model_identity_cert(id, SEV_MODEL_ARK, &n);
	ck_assert_int_eq(amd_cert_parse(p, n, NULL, root, err, sizeof(err)),
			 0);
}

START_TEST(attestation_report_sev)
{
	struct sev_model_identity *id = test_identity();
	struct rig_opts o = {.identity = id};
	struct kvm_sev_attestation_report a;
	uint8_t mnonce[16], report[SEV_ATTESTATION_REPORT_LEN], ld[32];
	struct snp_expect x = {.have_measurement = true, .have_policy = true};
	struct sev_chain ch;
	struct amd_cert amd[2], root;
	struct trust_result tr;
	char err[300] = "";
	uint32_t fe;
	struct fw fw;
	struct rig *r;

	fw_synthetic(&fw);
	r = rig_new(&fw, SEV_MODE_SEV_ES, POLICY_ES, 2, &o);
	for (int k = 0; k < 16; k++)
		mnonce[k] = (uint8_t)(0xc0 + k);
	/* Before LAUNCH_MEASURE: the launch context refuses, and the
	 * firmware says INVALID_GUEST_STATE. */
	ck_assert_int_eq(sevl_attestation_report(r->l, mnonce, report),
			 -EPROTO);
	ck_ok(r, sevl_start(r->l));
	memset(&a, 0, sizeof(a));
	a.len = sizeof(report);
	a.uaddr = (uintptr_t)report;
	ck_assert_int_eq(raw(r, KVM_SEV_GET_ATTESTATION_REPORT, &a, &fe),
			 -EIO);
	ck_assert_uint_eq(fe, SEV_RET_INVALID_GUEST_STATE);
	ck_ok(r, sevl_walk_plan(r->l, r->p, guest_hva, &r->g));
	ck_ok(r, sevl_measure(r->l));
	/* The length query: INVALID_LEN with 0xd0 written back
	 * (sev_get_attestation_report()); a short buffer: INVALID_LEN, the
	 * length left alone. */
	memset(&a, 0, sizeof(a));
	ck_assert_int_eq(raw(r, KVM_SEV_GET_ATTESTATION_REPORT, &a, &fe),
			 -EIO);
	ck_assert_uint_eq(fe, SEV_RET_INVALID_LEN);
	ck_assert_uint_eq(a.len, 0xd0);
	a.len = 100;
	a.uaddr = (uintptr_t)report;
	ck_assert_int_eq(raw(r, KVM_SEV_GET_ATTESTATION_REPORT, &a, &fe),
			 -EIO);
	ck_assert_uint_eq(fe, SEV_RET_INVALID_LEN);
	ck_assert_uint_eq(a.len, 100);
	/* The report: MNONCE, GCTX.LD, the policy, the PEK's signature. */
	ck_ok(r, sevl_attestation_report(r->l, mnonce, report));
	ck_assert_int_eq(measure_sev_digest(r->p, ld), 0);
	ck_assert_mem_eq(report, mnonce, 16);
	ck_assert_mem_eq(report + 0x10, ld, 32);
	ck_assert_uint_eq(get_le32(report, 0x30), POLICY_ES);
	identity_sev_chain(id, &ch, amd, &root);
	memcpy(x.measurement, ld, 32);
	x.policy = POLICY_ES;
	trust_result_init(&tr);
	ck_assert_int_eq(sev_att_report_verify(report, &ch, &root, &x, &tr,
					       err, sizeof(err)),
			 0);
	for (unsigned k = 0; k < tr.n; k++)
		ck_assert_msg(tr.check[k].ok, "%s: %s", tr.check[k].what,
			      tr.check[k].text);
	ck_assert_uint_ge(tr.n, 10);
	/* RUNNING reports too. */
	ck_ok(r, sevl_finish(r->l));
	ck_ok(r, sevl_attestation_report(r->l, mnonce, report));
	rig_free(r);

	/* Without an identity the model has no PEK. */
	r = rig_new(&fw, SEV_MODE_SEV, POLICY_SEV, 1, NULL);
	sev_measured(r);
	ck_assert_int_eq(sevl_attestation_report(r->l, mnonce, report),
			 -EOPNOTSUPP);
	rig_free(r);
	fw_free(&fw);
	identity_done(id);
}
END_TEST

START_TEST(pdh_export_with_identity)
{
	struct sev_model_identity *id = test_identity();
	struct rig_opts o = {.identity = id};
	uint8_t pdh[SEV_CERT_LEN], chain[3 * SEV_CERT_LEN];
	struct sev_user_data_pdh_cert_export e = {0};
	uint32_t fe = 0;
	struct fw fw;
	struct rig *r;
	size_t n;

	fw_synthetic(&fw);
	r = rig_new(&fw, SEV_MODE_SEV, POLICY_SEV, 1, &o);
	e.pdh_cert_address = (uintptr_t)pdh;
	e.pdh_cert_len = sizeof(pdh);
	e.cert_chain_address = (uintptr_t)chain;
	e.cert_chain_len = sizeof(chain);
	ck_assert_int_eq(r->l->transport.ops->platform_cmd(
				 r->l->transport.ctx, SEV_PDH_CERT_EXPORT, &e,
				 &fe),
			 0);
	ck_assert_mem_eq(pdh, sev_model_identity_cert(id, SEV_MODEL_PDH, &n),
			 SEV_CERT_LEN);
	ck_assert_mem_eq(chain, sev_model_identity_cert(id, SEV_MODEL_PEK, &n),
			 SEV_CERT_LEN);
	ck_assert_mem_eq(chain + SEV_CERT_LEN,
			 sev_model_identity_cert(id, SEV_MODEL_OCA, &n),
			 SEV_CERT_LEN);
	/* The CEK: its body, unsigned (both slots usage 0x1000, algo 0). */
	ck_assert_mem_eq(chain + 2 * SEV_CERT_LEN,
			 sev_model_identity_cert(id, SEV_MODEL_CEK, &n), 0x414);
	ck_assert_uint_eq(get_le32(chain + 2 * SEV_CERT_LEN, 0x414), 0x1000);
	ck_assert_uint_eq(get_le32(chain + 2 * SEV_CERT_LEN, 0x418), 0);
	ck_assert_uint_eq(get_le32(chain + 2 * SEV_CERT_LEN, 0x61c), 0x1000);
	rig_free(r);
	fw_free(&fw);
	identity_done(id);
}
END_TEST

START_TEST(attestation_report_snp)
{
	struct sev_model_identity *id = test_identity();
	struct rig_opts o = {.identity = id};
	uint8_t rd[64], report[SEV_MODEL_SNP_REPORT_LEN], chip[64];
	struct snp_expect x = {.have_measurement = true,
			       .have_report_data = true,
			       .have_policy = true,
			       .have_vmpl = true};
	struct trust_result tr;
	struct fw fw;
	struct rig *r;

	fw_synthetic(&fw);
	r = rig_new(&fw, SEV_MODE_SNP, POLICY_SNP, 2, &o);
	for (int k = 0; k < 64; k++)
		rd[k] = (uint8_t)(255 - k);
	snp_updated(r);
	ck_assert_int_eq(sev_model_snp_report(r->m, rd, 0, report), -EPROTO);
	ck_ok(r, sevl_snp_finish(r->l, NULL));
	ck_assert_int_eq(sev_model_snp_report(r->m, rd, 4, report), -EINVAL);
	ck_assert_int_eq(sev_model_snp_report(r->m, rd, 1, report), 0);
	/* The fields from the launch (SNP ABI 56860 ATTESTATION_REPORT). */
	ck_assert_uint_eq(get_le32(report, 0), 2);
	ck_assert_uint_eq(get_le64(report, 0x8), POLICY_SNP);
	ck_assert_uint_eq(get_le32(report, 0x30), 1);
	ck_assert_mem_eq(report + 0x50, rd, 64);
	ck_assert_mem_eq(report + 0x140, r->m->report_id, 32);
	ck_assert_uint_eq(get_le64(report, 0x180), SEV_MODEL_TCB);
	sev_model_identity_chip_id(id, chip);
	ck_assert_mem_eq(report + 0x1a0, chip, 64);
	ck_assert_uint_eq(report[0x1ea], 1);  /* current major */
	ck_assert_uint_eq(report[0x1e9], 55); /* minor */
	/* It verifies with the identity's VCEK chain and its ARK. */
	ck_assert_int_eq(measure_snp_digest(r->p, x.measurement), 0);
	memcpy(x.report_data, rd, 64);
	x.policy = POLICY_SNP;
	x.vmpl = 1;
	verify_snp(id, report, &x, &tr);
	ck_assert_uint_ge(tr.n, 12);
	rig_free(r);

	/* SNP_LAUNCH_FINISH with VCEK_DIS: no key signs (SIGNING_KEY 7),
	 * the signature is all zeros. */
	{
		struct sev_snp_finish_args fa = {.vcek_disabled = true};
		static const uint8_t zero[SEV_MODEL_SNP_REPORT_LEN - 0x2a0];

		r = rig_new(&fw, SEV_MODE_SNP, POLICY_SNP, 1, &o);
		snp_updated(r);
		ck_ok(r, sevl_snp_finish(r->l, &fa));
		ck_assert_int_eq(sev_model_snp_report(r->m, rd, 0, report), 0);
		ck_assert_uint_eq((get_le32(report, 0x48) >> 2) & 7, 7);
		ck_assert_mem_eq(report + 0x2a0, zero, sizeof(zero));
		rig_free(r);
	}
	/* Without an identity there is no VCEK. */
	r = rig_new(&fw, SEV_MODE_SNP, POLICY_SNP, 1, NULL);
	snp_updated(r);
	ck_ok(r, sevl_snp_finish(r->l, NULL));
	ck_assert_int_eq(sev_model_snp_report(r->m, rd, 0, report),
			 -EOPNOTSUPP);
	rig_free(r);
	fw_free(&fw);
	identity_done(id);
}
END_TEST

/* SNP_CONFIG's state in the model's reports (SNP ABI 56860
 * ATTESTATION_REPORT; AMD-ASPFW snp_mcmd_config()): REPORTED_TCB as set,
 * MASK_CHIP_ID a zero CHIP_ID, MASK_CHIP_KEY flags bit 1 and no
 * signature (SIGNING_KEY 7). */
START_TEST(snp_config_in_reports)
{
	struct sev_model_identity *id = test_identity();
	struct rig_opts o = {.identity = id};
	static const uint8_t zero[SEV_MODEL_SNP_REPORT_LEN - 0x1a0];
	uint8_t rd[64] = {1}, report[SEV_MODEL_SNP_REPORT_LEN];
	struct fw fw;
	struct rig *r;

	fw_synthetic(&fw);
	ck_assert_int_eq(sev_model_identity_set_snp_config(
				 id, 0x0000000000000105ULL,
				 SEV_MODEL_CFG_MASK_CHIP_ID),
			 0);
	r = rig_new(&fw, SEV_MODE_SNP, POLICY_SNP, 1, &o);
	snp_updated(r);
	ck_ok(r, sevl_snp_finish(r->l, NULL));
	ck_assert_int_eq(sev_model_snp_report(r->m, rd, 0, report), 0);
	ck_assert_uint_eq(get_le64(report, 0x180), 0x105);
	ck_assert_uint_eq(get_le64(report, 0x38), SEV_MODEL_TCB);  /* current */
	ck_assert_uint_eq(get_le64(report, 0x1e0), SEV_MODEL_TCB); /* commit */
	ck_assert_mem_eq(report + 0x1a0, zero, 64);
	ck_assert_uint_eq(get_le32(report, 0x48), 0); /* VCEK, unmasked key */
	ck_assert_int_ne(memcmp(report + 0x2a0, zero, 0x90), 0);
	rig_free(r);

	ck_assert_int_eq(sev_model_identity_set_snp_config(
				 id, SEV_MODEL_TCB, SEV_MODEL_CFG_MASK_CHIP_KEY),
			 0);
	r = rig_new(&fw, SEV_MODE_SNP, POLICY_SNP, 1, &o);
	snp_updated(r);
	ck_ok(r, sevl_snp_finish(r->l, NULL));
	ck_assert_int_eq(sev_model_snp_report(r->m, rd, 0, report), 0);
	ck_assert_uint_eq(get_le64(report, 0x180), SEV_MODEL_TCB);
	ck_assert_int_ne(memcmp(report + 0x1a0, zero, 64), 0); /* chip id */
	ck_assert_uint_eq(get_le32(report, 0x48), (7u << 2) | (1u << 1));
	ck_assert_mem_eq(report + 0x2a0, zero,
			 SEV_MODEL_SNP_REPORT_LEN - 0x2a0);
	rig_free(r);
	fw_free(&fw);
	identity_done(id);
}
END_TEST

/* A lower REPORTED_TCB's reports are signed by that TCB's VCEK, whose
 * certificate the identity then hands out (SNP ABI 56860
 * ATTESTATION_REPORT REPORTED_TCB; KDS spec 57230): a guest owner's
 * verification passes, reported_tcb included, at the lower TCB and again
 * at the current one. */
START_TEST(snp_config_report_verifies)
{
	static const uint64_t tcbs[] = {0x0000000000000105ULL, SEV_MODEL_TCB};
	struct sev_model_identity *id = test_identity();
	struct rig_opts o = {.identity = id};
	uint8_t rd[64] = {2}, report[SEV_MODEL_SNP_REPORT_LEN];
	struct snp_expect x = {0};
	struct trust_result tr;
	struct fw fw;
	struct rig *r;

	fw_synthetic(&fw);
	for (size_t t = 0; t < 2; t++) {
		bool seen = false;

		ck_assert_int_eq(
			sev_model_identity_set_snp_config(id, tcbs[t], 0), 0);
		r = rig_new(&fw, SEV_MODE_SNP, POLICY_SNP, 1, &o);
		snp_updated(r);
		ck_ok(r, sevl_snp_finish(r->l, NULL));
		ck_assert_int_eq(sev_model_snp_report(r->m, rd, 0, report), 0);
		ck_assert_uint_eq(get_le64(report, 0x180), tcbs[t]);
		verify_snp(id, report, &x, &tr);
		for (unsigned k = 0; k < tr.n; k++)
			seen |= !strcmp(tr.check[k].what, "reported_tcb");
		ck_assert(seen);
		rig_free(r);
	}
	fw_free(&fw);
	identity_done(id);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("model");
	TCase *tc = tcase_create("model");

	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, sev_synthetic_digest);
	tcase_add_test(tc, sev_es_synthetic_digest);
	tcase_add_test(tc, sev_real_firmware_digests);
	tcase_add_test(tc, sev_es_vmsa_needs_es_policy);
	tcase_add_test(tc, session_end_to_end);
	tcase_add_test(tc, self_session_checks_with_its_own_tik);
	tcase_add_test(tc, pdh_export_lengths);
	tcase_add_test(tc, session_failures);
	tcase_add_test(tc, secret_failures);
	tcase_add_test(tc, sev_out_of_order);
	tcase_add_test(tc, init_checks);
	tcase_add_test(tc, snp_synthetic_digest);
	tcase_add_test(tc, snp_real_firmware_digest);
	tcase_add_test(tc, snp_update_progress_and_rmp);
	tcase_add_test(tc, snp_policy_checks);
	tcase_add_test(tc, snp_cpuid_correction);
	tcase_add_test(tc, cpuid_check_rules);
	tcase_add_test(tc, snp_id_block);
	tcase_add_test(tc, model_keys_and_certs);
	tcase_add_test(tc, reset_forgets_the_vm);
	tcase_add_test(tc, measure_uses_configured_version);
	tcase_add_test(tc, attestation_report_sev);
	tcase_add_test(tc, pdh_export_with_identity);
	tcase_add_test(tc, attestation_report_snp);
	tcase_add_test(tc, snp_config_in_reports);
	tcase_add_test(tc, snp_config_report_verifies);
	suite_add_tcase(s, tc);
	return run_suite(s);
}
