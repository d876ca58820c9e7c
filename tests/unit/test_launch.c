// SPDX-License-Identifier: MIT
/*
 * sev/launch.c: the launch context over a fake transport that records
 * every command id and a deep copy of the UAPI struct it was given, so
 * that every field the launch fills is checked as the kernel would see it;
 * the command order of real plans (../shared/firmware); the state machine;
 * the error sentences; the SNP update loop; the timing output.  The real
 * KVM transport is exercised as far as a machine without /dev/kvm allows.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <sys/signalfd.h>

#include "loader/loader.h"
#include "util/kvm_uapi.h"
#include "sev/launch.h"
#include "sev/sev.h"
#include "tests/unit/testutil.h"

#define FW_DEB12    "firmware/OVMF.deb12.fd"
#define FW_AMDSEV   "firmware/OVMF.amdsev.sid.fd"
#define EPYC_V4_SIG 0x800f12
#define NO_FW_CALL  SB_SEV_RET_NO_FW_CALL_U32

/* ------------------------------------------------------ fake transport */

#define FAKE_MAX_CMDS 2048

struct fake_cmd {
	uint32_t id;
	bool had_data;
	size_t size;	  /* bytes copied from data */
	uint8_t data[96]; /* the struct as the launch handed it over */
};

struct fake_fw {
	unsigned ncmds; /* every call, also those beyond FAKE_MAX_CMDS */
	struct fake_cmd cmds[FAKE_MAX_CMDS];

	/* Fail the (fail_skip+1)-th command with id fail_id. */
	bool fail;
	uint32_t fail_id;
	unsigned fail_skip;
	int fail_ret;
	uint32_t fail_fw;

	uint32_t handle;       /* LAUNCH_START answers this */
	uint8_t measure[48];   /* LAUNCH_MEASURE writes this */
	uint32_t measure_len;  /* the length query answers this */
	bool measure_query_ok; /* the query returns 0, not -EIO */
	struct kvm_sev_guest_status status;

	/* SNP_LAUNCH_UPDATE: pages done per call (0: all), every
	 * eagain_every-th call fails with again_ret having done nothing. */
	unsigned snp_pages_per_call;
	unsigned snp_eagain_every;
	int again_ret;
	unsigned snp_calls;
	bool snp_stall;	       /* return 0 having done nothing */
	bool snp_always_again; /* return again_ret forever */
	bool snp_grow;	       /* report more bytes left than given */
	bool snp_fail_after_2; /* fail once two pages are done */
	bool snp_fail_fw_set;  /* ... with firmware status snp_fail_fw */
	uint32_t snp_fail_fw;

	/* A signal arrives while the raise_at-th command runs (0: none). */
	unsigned raise_at;
	int raise_sig;
};

static size_t uapi_size(uint32_t id)
{
	switch (id) {
	case KVM_SEV_INIT2:
		return sizeof(struct kvm_sev_init);
	case KVM_SEV_LAUNCH_START:
		return sizeof(struct kvm_sev_launch_start);
	case KVM_SEV_LAUNCH_UPDATE_DATA:
		return sizeof(struct kvm_sev_launch_update_data);
	case KVM_SEV_LAUNCH_MEASURE:
		return sizeof(struct kvm_sev_launch_measure);
	case KVM_SEV_LAUNCH_SECRET:
		return sizeof(struct kvm_sev_launch_secret);
	case KVM_SEV_GUEST_STATUS:
		return sizeof(struct kvm_sev_guest_status);
	case KVM_SEV_SNP_LAUNCH_START:
		return sizeof(struct kvm_sev_snp_launch_start);
	case KVM_SEV_SNP_LAUNCH_UPDATE:
		return sizeof(struct kvm_sev_snp_launch_update);
	case KVM_SEV_SNP_LAUNCH_FINISH:
		return sizeof(struct kvm_sev_snp_launch_finish);
	case KVM_SEV_GET_ATTESTATION_REPORT:
		return sizeof(struct kvm_sev_attestation_report);
	}
	return 0; /* INIT, ES_INIT, UPDATE_VMSA, FINISH: no struct */
}

/* What KVM does with SNP_LAUNCH_UPDATE, with the knobs above. */
static int fake_snp_update(struct fake_fw *fk,
			   struct kvm_sev_snp_launch_update *u,
			   uint32_t *fw_error)
{
	uint64_t pages = u->len / 4096, n;

	fk->snp_calls++;
	if (fk->snp_always_again)
		return fk->again_ret;
	if (fk->snp_eagain_every && fk->snp_calls % fk->snp_eagain_every == 0)
		return fk->again_ret;
	if (fk->snp_stall)
		return 0;
	if (fk->snp_grow) {
		u->len += 4096;
		return 0;
	}
	n = fk->snp_pages_per_call ? fk->snp_pages_per_call : pages;
	if (n > pages)
		n = pages;
	if (fk->snp_fail_after_2 && fk->snp_calls > 2) {
		*fw_error = fk->snp_fail_fw_set ? fk->snp_fail_fw
						: SEV_RET_INVALID_PAGE_STATE;
		return -EIO;
	}
	*fw_error = SEV_RET_SUCCESS;
	u->gfn_start += n;
	u->len -= n * 4096;
	if (u->type != KVM_SEV_SNP_PAGE_TYPE_ZERO)
		u->uaddr += n * 4096;
	return 0;
}

static int fake_vm_cmd(void *ctx, uint32_t id, void *data, uint32_t *fw_error)
{
	struct fake_fw *fk = ctx;
	size_t size = uapi_size(id);

	ck_assert_uint_eq(*fw_error, NO_FW_CALL);
	if (fk->ncmds < FAKE_MAX_CMDS) {
		struct fake_cmd *c = &fk->cmds[fk->ncmds];

		c->id = id;
		c->had_data = data != NULL;
		if (data && size) {
			ck_assert_uint_le(size, sizeof(c->data));
			memcpy(c->data, data, size);
			c->size = size;
		}
	}
	fk->ncmds++;
	if (fk->raise_at && fk->ncmds == fk->raise_at)
		raise(fk->raise_sig);

	if (fk->fail && id == fk->fail_id) {
		if (fk->fail_skip)
			fk->fail_skip--;
		else {
			fk->fail = false;
			*fw_error = fk->fail_fw;
			return fk->fail_ret;
		}
	}

	switch (id) {
	case KVM_SEV_LAUNCH_START:
		((struct kvm_sev_launch_start *)data)->handle = fk->handle;
		break;
	case KVM_SEV_LAUNCH_MEASURE: {
		struct kvm_sev_launch_measure *m = data;

		/* The firmware answers a short buffer with INVALID_LEN and
		 * the length it needs; KVM copies the length back. */
		if (m->len < fk->measure_len) {
			m->len = fk->measure_len;
			if (fk->measure_query_ok) {
				*fw_error = SEV_RET_SUCCESS;
				return 0;
			}
			*fw_error = SEV_RET_INVALID_LEN;
			return -EIO;
		}
		memcpy((void *)(uintptr_t)m->uaddr, fk->measure,
		       sizeof(fk->measure));
		m->len = fk->measure_len;
		break;
	}
	case KVM_SEV_GUEST_STATUS:
		*(struct kvm_sev_guest_status *)data = fk->status;
		break;
	case KVM_SEV_GET_ATTESTATION_REPORT: {
		struct kvm_sev_attestation_report *a = data;

		/* As LAUNCH_MEASURE: INVALID_LEN and the 208 bytes needed
		 * (SEV API 55766 ATTESTATION), the mnonce at offset 0. */
		if (a->len < 208) {
			a->len = 208;
			*fw_error = SEV_RET_INVALID_LEN;
			return -EIO;
		}
		memset((void *)(uintptr_t)a->uaddr, 0x5a, 208);
		memcpy((void *)(uintptr_t)a->uaddr, a->mnonce, 16);
		a->len = 208;
		break;
	}
	case KVM_SEV_SNP_LAUNCH_UPDATE:
		return fake_snp_update(fk, data, fw_error);
	}
	*fw_error = SEV_RET_SUCCESS;
	return 0;
}

static const struct sev_transport_ops fake_ops = {.vm_cmd = fake_vm_cmd};

static struct fake_fw *fake_new(void)
{
	struct fake_fw *fk = calloc(1, sizeof(*fk));

	ck_assert_ptr_nonnull(fk);
	fk->handle = 0x2a;
	fk->measure_len = 48;
	fk->again_ret = -EAGAIN;
	for (unsigned k = 0; k < sizeof(fk->measure); k++)
		fk->measure[k] = (uint8_t)(0xa0 + k);
	return fk;
}

static struct sev_transport fake_transport(struct fake_fw *fk)
{
	return (struct sev_transport){.ops = &fake_ops, .ctx = fk};
}

static void fake_fail(struct fake_fw *fk, uint32_t id, unsigned skip, int ret,
		      uint32_t fw)
{
	fk->fail = true;
	fk->fail_id = id;
	fk->fail_skip = skip;
	fk->fail_ret = ret;
	fk->fail_fw = fw;
}

/* The k-th recorded command, checked to be id, as its UAPI struct. */
static void *cmd_data(struct fake_fw *fk, unsigned k, uint32_t id)
{
	ck_assert_uint_lt(k, fk->ncmds);
	ck_assert_uint_eq(fk->cmds[k].id, id);
	ck_assert(fk->cmds[k].had_data);
	ck_assert_uint_eq(fk->cmds[k].size, uapi_size(id));
	return fk->cmds[k].data;
}

static void cmd_no_data(struct fake_fw *fk, unsigned k, uint32_t id)
{
	ck_assert_uint_lt(k, fk->ncmds);
	ck_assert_uint_eq(fk->cmds[k].id, id);
	ck_assert(!fk->cmds[k].had_data);
}

static bool all_zero(const void *p, size_t n)
{
	const uint8_t *b = p;

	for (size_t k = 0; k < n; k++)
		if (b[k])
			return false;
	return true;
}

static void assert_has(const char *hay, const char *needle)
{
	ck_assert_msg(strstr(hay, needle), "\"%s\" does not say \"%s\"", hay,
		      needle);
}

static struct sev_launch *launch_new(struct fake_fw *fk, enum sev_mode m,
				     uint64_t policy)
{
	struct sev_launch *l = calloc(1, sizeof(*l));

	ck_assert_ptr_nonnull(l);
	ck_assert_int_eq(sevl_setup(l, m, policy, fake_transport(fk)), 0);
	ck_assert_str_eq(sevl_error(l), "");
	return l;
}

/* Setup, INIT2 and LAUNCH_START (or SNP_LAUNCH_START). */
static struct sev_launch *launch_started(struct fake_fw *fk, enum sev_mode m,
					 uint64_t policy)
{
	struct sev_launch *l = launch_new(fk, m, policy);

	ck_assert_int_eq(sevl_vm_init(l, false, 0), 0);
	if (m == SEV_MODE_SNP)
		ck_assert_int_eq(sevl_snp_start(l), 0);
	else
		ck_assert_int_eq(sevl_start(l), 0);
	ck_assert_int_eq(l->state, SEV_GUEST_LUPDATE);
	return l;
}

static uint8_t *pages(size_t n)
{
	uint8_t *p = aligned_alloc(4096, n * 4096);

	ck_assert_ptr_nonnull(p);
	memset(p, 0, n * 4096);
	return p;
}

/* ------------------------------------------------------- guest memory */

/* Low RAM (the SNP sections, the hashes table) and the flash window. */
struct fake_mem {
	uint8_t *low;
	uint64_t low_size;
	uint8_t *high;
	uint64_t high_base, high_size;
	unsigned calls;
};

static uint8_t *fake_hva(void *ctx, uint64_t gpa, uint64_t len)
{
	struct fake_mem *m = ctx;

	m->calls++;
	if (gpa + len <= m->low_size)
		return m->low + gpa;
	if (gpa >= m->high_base && gpa + len <= m->high_base + m->high_size)
		return m->high + (gpa - m->high_base);
	return NULL;
}

static void mem_init(struct fake_mem *m, uint64_t fw_len)
{
	*m = (struct fake_mem){
		.low_size = 16 * SZ_1M,
		.high_base = SZ_4G - fw_len,
		.high_size = fw_len,
	};
	m->low = pages(m->low_size / 4096);
	m->high = pages(fw_len / 4096);
}

static void mem_free(struct fake_mem *m)
{
	free(m->low);
	free(m->high);
}

static uint8_t *no_hva(void *ctx, uint64_t gpa, uint64_t len)
{
	return NULL;
}

/* ------------------------------------------------------------ firmware */

struct fw {
	struct blob b;
	struct ovmf_info info;
};

static bool load_fw(const char *rel, struct fw *fw)
{
	char path[1024], err[256];

	if (!shared_path(rel, path, sizeof(path)))
		return false;
	ck_assert_msg(file_read(path, 64 * SZ_1M, &fw->b, err, sizeof(err)) ==
			      0,
		      "%s: %s", path, err);
	ck_assert_msg(ovmf_parse(fw->b.data, fw->b.len, &fw->info, err,
				 sizeof(err)) == 0,
		      "%s: %s", rel, err);
	return true;
}

static struct launch_plan *plan_for(const struct fw *fw, enum sev_mode m,
				    unsigned ncpus, const uint8_t *kernel,
				    size_t kernel_len)
{
	struct launch_config c = {
		.mode = m,
		.ncpus = ncpus,
		.vcpu_sig = EPYC_V4_SIG,
		.snp_features = 0x1,
		.ovmf = fw->b.data,
		.ovmf_len = fw->b.len,
		.ovmf_info = &fw->info,
		.kernel = kernel,
		.kernel_len = kernel_len,
	};
	struct launch_plan *p = calloc(1, sizeof(*p));
	char err[256];

	ck_assert_ptr_nonnull(p);
	ck_assert_msg(launch_plan_build(&c, p, err, sizeof(err)) == 0, "%s",
		      err);
	return p;
}

static void plan_del(struct launch_plan *p)
{
	launch_plan_free(p);
	free(p);
}

/* ====================================================== the transport */

START_TEST(test_kvm_transport_ioctl)
{
	struct kvm_sev_launch_start start;
	struct sev_kvm_transport k;
	struct sev_transport t;
	struct sev_launch *l;
	uint32_t fw = NO_FW_CALL;
	int fd;

	/* A closed fd: the ioctl itself fails, the firmware is never
	 * reached, and the status says so. */
	t = sev_transport_kvm(&k, -1, -1);
	ck_assert_ptr_eq(t.ctx, &k);
	ck_assert_int_eq(k.vm_fd, -1);
	memset(&start, 0, sizeof(start));
	ck_assert_int_eq(
		t.ops->vm_cmd(t.ctx, KVM_SEV_LAUNCH_START, &start, &fw),
		-EBADF);
	ck_assert_uint_eq(fw, NO_FW_CALL);

	/* Not a VM: the ioctl number reaches a driver that does not know
	 * it. */
	fd = open("/dev/null", O_RDWR);
	ck_assert_int_ge(fd, 0);
	t = sev_transport_kvm(&k, fd, fd);
	ck_assert_int_eq(k.vm_fd, fd);
	ck_assert_int_eq(k.sev_fd, fd);
	ck_assert_int_eq(t.ops->vm_cmd(t.ctx, KVM_SEV_INIT2, NULL, &fw),
			 -ENOTTY);
	ck_assert_uint_eq(fw, NO_FW_CALL);

	/* The same through a launch: one sentence, firmware not called. */
	l = calloc(1, sizeof(*l));
	ck_assert_ptr_nonnull(l);
	ck_assert_int_eq(sevl_setup(l, SEV_MODE_SEV, 0x1, t), 0);
	ck_assert_int_eq(sevl_vm_init(l, false, 0), -ENOTTY);
	ck_assert_str_eq(sevl_error(l),
			 "INIT2 for sev failed: Inappropriate ioctl for "
			 "device, firmware status SEV_RET_NO_FW_CALL "
			 "(0xffffffff)");
	ck_assert(!l->vm_initialized);
	ck_assert_uint_eq(l->ntimings, 1);
	ck_assert_int_eq(l->timings[0].ret, -ENOTTY);
	close(fd);
	free(l);
}
END_TEST

/* ================================================== structs field by field */

/* KVM_SEV_GET_ATTESTATION_REPORT: the length query, a short buffer
 * refused with the length, the report with the mnonce; only after
 * LAUNCH_MEASURE, only for SEV/SEV-ES. */
START_TEST(test_attestation)
{
	struct fake_fw *fk = fake_new();
	struct sev_launch *l = launch_new(fk, SEV_MODE_SEV, 0x1);
	struct kvm_sev_attestation_report *a;
	uint8_t mnonce[16], report[300];
	uint32_t len = sizeof(report);
	unsigned n;

	for (unsigned k = 0; k < sizeof(mnonce); k++)
		mnonce[k] = (uint8_t)(0x30 + k);
	ck_assert_int_eq(sevl_vm_init(l, true, 0), 0);
	ck_assert_int_eq(sevl_attestation(l, mnonce, report, &len), -EPROTO);
	ck_assert_uint_eq(fk->ncmds, 1); /* no command issued */
	ck_assert_ptr_nonnull(strstr(sevl_error(l), "after LAUNCH_MEASURE"));
	ck_assert_int_eq(sevl_start(l), 0);
	ck_assert_int_eq(sevl_measure(l), 0);
	n = fk->ncmds;

	len = 100;
	ck_assert_int_eq(sevl_attestation(l, mnonce, report, &len), -ENOSPC);
	ck_assert_uint_eq(len, 208);
	ck_assert_uint_eq(l->last_fw_error, SEV_RET_INVALID_LEN);
	a = cmd_data(fk, n, KVM_SEV_GET_ATTESTATION_REPORT);
	ck_assert_uint_eq(a->len, 0); /* the length query */
	ck_assert_uint_eq(a->uaddr, 0);
	ck_assert_mem_eq(a->mnonce, mnonce, 16);
	ck_assert_uint_eq(fk->ncmds, n + 1);

	len = sizeof(report);
	memset(report, 0, sizeof(report));
	ck_assert_int_eq(sevl_attestation(l, mnonce, report, &len), 0);
	ck_assert_uint_eq(len, 208);
	a = cmd_data(fk, n + 2, KVM_SEV_GET_ATTESTATION_REPORT);
	ck_assert_uint_eq(a->uaddr, (uintptr_t)report);
	ck_assert_mem_eq(report, mnonce, 16);
	ck_assert_uint_eq(report[207], 0x5a);
	ck_assert_uint_eq(report[208], 0);
	ck_assert_uint_eq(l->last_fw_error, SEV_RET_SUCCESS);
	free(l);
	free(fk);

	fk = fake_new();
	l = launch_new(fk, SEV_MODE_SNP, 0x30000);
	ck_assert_int_eq(sevl_attestation(l, mnonce, report, &len), -EINVAL);
	ck_assert_uint_eq(fk->ncmds, 0);
	free(l);
	free(fk);
}
END_TEST

/* sevl_set_policy: the setup's rules, before the start only; SNP's GOSVW
 * and flags reach SNP_LAUNCH_START as set. */
START_TEST(test_set_policy_and_snp_start_inputs)
{
	struct fake_fw *fk = fake_new();
	struct sev_launch *l = launch_new(fk, SEV_MODE_SEV_ES, 0x4);
	struct kvm_sev_snp_launch_start *st;

	ck_assert_int_eq(sevl_set_policy(l, 0x1), -EINVAL);
	ck_assert_ptr_nonnull(strstr(sevl_error(l), "bit 2 (ES)"));
	ck_assert_uint_eq(l->policy, 0x4);
	ck_assert_int_eq(sevl_set_policy(l, 1ULL << 32 | 4), -EINVAL);
	ck_assert_int_eq(sevl_set_policy(l, 0x5), 0);
	ck_assert_uint_eq(l->policy, 0x5);
	ck_assert_int_eq(sevl_vm_init(l, true, 0), 0);
	ck_assert_int_eq(sevl_start(l), 0);
	ck_assert_uint_eq(((struct kvm_sev_launch_start *)cmd_data(
				   fk, 1, KVM_SEV_LAUNCH_START))
				  ->policy,
			  0x5);
	ck_assert_int_eq(sevl_set_policy(l, 0x7), -EPROTO);
	ck_assert_uint_eq(l->policy, 0x5);
	free(l);
	free(fk);

	fk = fake_new();
	l = launch_new(fk, SEV_MODE_SNP, 0x30000);
	ck_assert_int_eq(sevl_set_policy(l, 0x0), -EINVAL); /* bit 17 */
	ck_assert_int_eq(sevl_set_policy(l, 0x30001), 0);
	for (unsigned k = 0; k < 16; k++)
		l->snp_gosvw[k] = (uint8_t)(0x70 + k);
	l->snp_start_flags = 0x3;
	ck_assert_int_eq(sevl_vm_init(l, false, 0), 0);
	ck_assert_int_eq(sevl_snp_start(l), 0);
	st = cmd_data(fk, 1, KVM_SEV_SNP_LAUNCH_START);
	ck_assert_uint_eq(st->policy, 0x30001);
	ck_assert_uint_eq(st->gosvw[0], 0x70);
	ck_assert_uint_eq(st->gosvw[15], 0x7f);
	ck_assert_uint_eq(st->flags, 0x3);
	free(l);
	free(fk);
}
END_TEST

START_TEST(test_sev_fields)
{
	struct fake_fw *fk = fake_new();
	struct sev_launch *l = launch_new(fk, SEV_MODE_SEV, 0x1);
	uint8_t dh[0x824], session[0x80], hdr[52], secret[64];
	uint8_t *ram = pages(2);
	struct kvm_sev_init *init;
	struct kvm_sev_launch_start *st;
	struct kvm_sev_launch_update_data *ud;
	struct kvm_sev_launch_measure *m;
	struct kvm_sev_launch_secret *sec;
	struct sev_guest_info gi;

	memset(dh, 0xd1, sizeof(dh));
	memset(session, 0x5e, sizeof(session));
	memset(hdr, 0x11, sizeof(hdr));
	memset(secret, 0x22, sizeof(secret));

	ck_assert_int_eq(sevl_set_session(l, dh, sizeof(dh), session,
						sizeof(session)),
			 0);
	ck_assert_int_eq(sevl_vm_init(l, false, 0), 0);
	init = cmd_data(fk, 0, KVM_SEV_INIT2);
	ck_assert(all_zero(init, sizeof(*init))); /* features, flags, ghcb */
	ck_assert(l->vm_initialized);
	ck_assert_int_eq(l->state, SEV_GUEST_UNINIT);

	ck_assert_int_eq(sevl_start(l), 0);
	st = cmd_data(fk, 1, KVM_SEV_LAUNCH_START);
	ck_assert_uint_eq(st->handle, 0);
	ck_assert_uint_eq(st->policy, 0x1);
	ck_assert_uint_eq(st->dh_uaddr, (uintptr_t)dh);
	ck_assert_uint_eq(st->dh_len, sizeof(dh));
	ck_assert_uint_eq(st->session_uaddr, (uintptr_t)session);
	ck_assert_uint_eq(st->session_len, sizeof(session));
	ck_assert_uint_eq(l->handle, 0x2a);
	ck_assert_int_eq(l->state, SEV_GUEST_LUPDATE);

	ck_assert_int_eq(sevl_update_data(l, 0xffe00000, ram, 8192), 0);
	ud = cmd_data(fk, 2, KVM_SEV_LAUNCH_UPDATE_DATA);
	ck_assert_uint_eq(ud->uaddr, (uintptr_t)ram);
	ck_assert_uint_eq(ud->len, 8192);

	/* The two-call protocol: a length query, then the buffer. */
	ck_assert_int_eq(sevl_measure(l), 0);
	m = cmd_data(fk, 3, KVM_SEV_LAUNCH_MEASURE);
	ck_assert_uint_eq(m->uaddr, 0);
	ck_assert_uint_eq(m->len, 0);
	m = cmd_data(fk, 4, KVM_SEV_LAUNCH_MEASURE);
	ck_assert_uint_ne(m->uaddr, 0);
	ck_assert_uint_eq(m->len, 48);
	ck_assert(l->have_measurement);
	ck_assert_mem_eq(l->launch_measure, fk->measure, 48);
	ck_assert_mem_eq(l->measurement, fk->measure, 32);
	ck_assert_mem_eq(l->mnonce, fk->measure + 32, 16);
	ck_assert_int_eq(l->state, SEV_GUEST_LSECRET);

	ck_assert_int_eq(sevl_secret(l, hdr, sizeof(hdr), secret,
					   sizeof(secret), 0x80c000,
					   ram + 0x100),
			 0);
	sec = cmd_data(fk, 5, KVM_SEV_LAUNCH_SECRET);
	ck_assert_uint_eq(sec->hdr_uaddr, (uintptr_t)hdr);
	ck_assert_uint_eq(sec->hdr_len, 52);
	ck_assert_uint_eq(sec->guest_uaddr, (uintptr_t)(ram + 0x100));
	ck_assert_uint_eq(sec->guest_len, sizeof(secret));
	ck_assert_uint_eq(sec->trans_uaddr, (uintptr_t)secret);
	ck_assert_uint_eq(sec->trans_len, sizeof(secret));
	ck_assert_int_eq(l->state, SEV_GUEST_LSECRET);

	ck_assert_int_eq(sevl_finish(l), 0);
	cmd_no_data(fk, 6, KVM_SEV_LAUNCH_FINISH);
	ck_assert_int_eq(l->state, SEV_GUEST_RUNNING);

	fk->status = (struct kvm_sev_guest_status){
		.handle = 0x2a, .policy = 0x1, .state = SEV_GUEST_RUNNING};
	ck_assert_int_eq(sevl_guest_status(l, &gi), 0);
	cmd_data(fk, 7, KVM_SEV_GUEST_STATUS);
	ck_assert_uint_eq(gi.handle, 0x2a);
	ck_assert_uint_eq(gi.policy, 0x1);
	ck_assert_uint_eq(gi.state, SEV_GUEST_RUNNING);

	/* One ioctl each except the measurement, one record per call. */
	ck_assert_uint_eq(fk->ncmds, 8);
	ck_assert_uint_eq(l->ntimings, 7);
	ck_assert_str_eq(l->timings[3].step, "LAUNCH_MEASURE");
	ck_assert_uint_eq(l->timings[3].ioctls, 2);
	ck_assert_uint_eq(l->timings[3].fw_error, SEV_RET_SUCCESS);
	ck_assert(l->timings[2].has_gpa);
	ck_assert_uint_eq(l->timings[2].gpa, 0xffe00000);
	ck_assert_uint_eq(l->timings[2].bytes, 8192);
	ck_assert_str_eq(sevl_error(l), "");
	free(ram);
	free(l);
	free(fk);
}
END_TEST

START_TEST(test_sev_measure_query_variants)
{
	struct fake_fw *fk = fake_new();
	struct sev_launch *l = launch_started(fk, SEV_MODE_SEV, 0);
	unsigned n;

	/* A kernel that answers the query with success works the same. */
	fk->measure_query_ok = true;
	n = fk->ncmds;
	ck_assert_int_eq(sevl_measure(l), 0);
	ck_assert_uint_eq(fk->ncmds, n + 2);
	ck_assert_mem_eq(l->mnonce, fk->measure + 32, 16);
	free(l);

	/* A length sevboot cannot interpret is refused, not truncated. */
	l = launch_started(fk, SEV_MODE_SEV, 0);
	fk->measure_len = 64;
	n = fk->ncmds;
	ck_assert_int_eq(sevl_measure(l), -EPROTO);
	ck_assert_uint_eq(fk->ncmds, n + 1);
	assert_has(sevl_error(l), "64-byte");
	ck_assert_int_eq(l->state, SEV_GUEST_LUPDATE);
	ck_assert(!l->have_measurement);
	ck_assert_int_eq(l->timings[l->ntimings - 1].ret, -EPROTO);

	/* A query that does not even give a length. */
	fk->measure_len = 48;
	fake_fail(fk, KVM_SEV_LAUNCH_MEASURE, 0, -EFAULT, NO_FW_CALL);
	ck_assert_int_eq(sevl_measure(l), -EFAULT);
	ck_assert_str_eq(sevl_error(l),
			 "LAUNCH_MEASURE length query failed: Bad address, "
			 "firmware status SEV_RET_NO_FW_CALL (0xffffffff)");
	free(l);
	free(fk);
}
END_TEST

START_TEST(test_seves_fields)
{
	struct fake_fw *fk = fake_new();
	struct sev_launch *l = launch_new(fk, SEV_MODE_SEV_ES, 0x5);
	struct kvm_sev_init *init;
	struct kvm_sev_launch_start *st;

	/* INIT2 carries the VMSA features (DebugSwap here). */
	ck_assert_int_eq(sevl_vm_init(l, false, 0x20), 0);
	init = cmd_data(fk, 0, KVM_SEV_INIT2);
	ck_assert_uint_eq(init->vmsa_features, 0x20);
	ck_assert_uint_eq(init->flags, 0);
	ck_assert_uint_eq(init->ghcb_version, 0);
	ck_assert(all_zero(&init->pad1, sizeof(init->pad1)));
	ck_assert(all_zero(init->pad2, sizeof(init->pad2)));

	ck_assert_int_eq(sevl_start(l), 0);
	st = cmd_data(fk, 1, KVM_SEV_LAUNCH_START);
	ck_assert_uint_eq(st->policy, 0x5);
	/* No session: no channel, both addresses and lengths zero. */
	ck_assert_uint_eq(st->dh_uaddr, 0);
	ck_assert_uint_eq(st->dh_len, 0);
	ck_assert_uint_eq(st->session_uaddr, 0);
	ck_assert_uint_eq(st->session_len, 0);

	ck_assert_int_eq(sevl_update_vmsa(l, 2), 0);
	cmd_no_data(fk, 2, KVM_SEV_LAUNCH_UPDATE_VMSA);
	ck_assert(l->vmsa_done);
	ck_assert_uint_eq(l->timings[2].bytes, 2 * VMSA_SIZE);
	ck_assert(!l->timings[2].has_gpa);
	free(l);

	/* Legacy init: KVM_SEV_ES_INIT / KVM_SEV_INIT, no struct. */
	l = launch_new(fk, SEV_MODE_SEV_ES, 0x5);
	ck_assert_int_eq(sevl_vm_init(l, true, 0), 0);
	cmd_no_data(fk, fk->ncmds - 1, KVM_SEV_ES_INIT);
	ck_assert_str_eq(l->timings[0].step, "ES_INIT");
	free(l);
	l = launch_new(fk, SEV_MODE_SEV, 0x1);
	ck_assert_int_eq(sevl_vm_init(l, true, 0), 0);
	cmd_no_data(fk, fk->ncmds - 1, KVM_SEV_INIT);
	free(l);
	free(fk);
}
END_TEST

START_TEST(test_snp_fields)
{
	struct fake_fw *fk = fake_new();
	struct sev_launch *l = launch_new(fk, SEV_MODE_SNP, 0x30000);
	struct sev_snp_finish_args fa = {0};
	uint8_t *src = pages(9), *id_block = pages(1), *id_auth = pages(1);
	struct kvm_sev_init *init;
	struct kvm_sev_snp_launch_start *st;
	struct kvm_sev_snp_launch_update *up;
	struct kvm_sev_snp_launch_finish *fin;

	/* The plan's features 0x21: KVM adds SNPActive (bit 0) itself and
	 * refuses it from us. */
	ck_assert_int_eq(sevl_vm_init(l, false, 0x21), 0);
	init = cmd_data(fk, 0, KVM_SEV_INIT2);
	ck_assert_uint_eq(init->vmsa_features, 0x20);
	ck_assert_uint_eq(init->ghcb_version, 0);

	ck_assert_int_eq(sevl_snp_start(l), 0);
	st = cmd_data(fk, 1, KVM_SEV_SNP_LAUNCH_START);
	ck_assert_uint_eq(st->policy, 0x30000);
	ck_assert(all_zero(st->gosvw, sizeof(st->gosvw)));
	ck_assert_uint_eq(st->flags, 0);
	ck_assert(all_zero(st->pad0, sizeof(st->pad0)));
	ck_assert(all_zero(st->pad1, sizeof(st->pad1)));
	ck_assert_int_eq(l->state, SEV_GUEST_LUPDATE);

	ck_assert_int_eq(sevl_snp_update(l, 0xffe00000, src, 9 * 4096,
					       SNP_PAGE_NORMAL),
			 0);
	up = cmd_data(fk, 2, KVM_SEV_SNP_LAUNCH_UPDATE);
	ck_assert_uint_eq(up->gfn_start, 0xffe00000 >> 12);
	ck_assert_uint_eq(up->uaddr, (uintptr_t)src);
	ck_assert_uint_eq(up->len, 9 * 4096);
	ck_assert_uint_eq(up->type, KVM_SEV_SNP_PAGE_TYPE_NORMAL);
	ck_assert_uint_eq(up->flags, 0);
	ck_assert_uint_eq(up->pad0, 0);
	ck_assert_uint_eq(up->pad1, 0);
	ck_assert(all_zero(up->pad2, sizeof(up->pad2)));

	/* Each page type the kernel takes, with its own value. */
	static const uint8_t types[] = {SNP_PAGE_ZERO, SNP_PAGE_UNMEASURED,
					SNP_PAGE_SECRETS, SNP_PAGE_CPUID};
	static const uint8_t kvm_types[] = {
		KVM_SEV_SNP_PAGE_TYPE_ZERO, KVM_SEV_SNP_PAGE_TYPE_UNMEASURED,
		KVM_SEV_SNP_PAGE_TYPE_SECRETS, KVM_SEV_SNP_PAGE_TYPE_CPUID};
	for (unsigned k = 0; k < 4; k++) {
		uint64_t gpa = 0x800000 + k * 0x1000;

		ck_assert_int_eq(
			sevl_snp_update(l, gpa, src, 4096, types[k]), 0);
		up = cmd_data(fk, 3 + k, KVM_SEV_SNP_LAUNCH_UPDATE);
		ck_assert_uint_eq(up->gfn_start, gpa >> 12);
		ck_assert_uint_eq(up->len, 4096);
		ck_assert_uint_eq(up->type, kvm_types[k]);
	}
	/* ZERO pages need no source. */
	ck_assert_int_eq(
		sevl_snp_update(l, 0x900000, NULL, 8192, SNP_PAGE_ZERO),
		0);
	up = cmd_data(fk, 7, KVM_SEV_SNP_LAUNCH_UPDATE);
	ck_assert_uint_eq(up->uaddr, 0);

	memset(id_block, 0xb1, 96);
	memset(id_auth, 0xa7, 4096);
	fa.id_block = id_block;
	fa.id_auth = id_auth;
	fa.auth_key_en = true;
	for (unsigned k = 0; k < 32; k++)
		fa.host_data[k] = (uint8_t)(k * 7 + 1);
	ck_assert_int_eq(sevl_snp_finish(l, &fa), 0);
	fin = cmd_data(fk, 8, KVM_SEV_SNP_LAUNCH_FINISH);
	ck_assert_uint_eq(fin->id_block_uaddr, (uintptr_t)id_block);
	ck_assert_uint_eq(fin->id_auth_uaddr, (uintptr_t)id_auth);
	ck_assert_uint_eq(fin->id_block_en, 1);
	ck_assert_uint_eq(fin->auth_key_en, 1);
	ck_assert_uint_eq(fin->vcek_disabled, 0);
	ck_assert_mem_eq(fin->host_data, fa.host_data, 32);
	ck_assert(all_zero(fin->pad0, sizeof(fin->pad0)));
	ck_assert_uint_eq(fin->flags, 0);
	ck_assert(all_zero(fin->pad1, sizeof(fin->pad1)));
	ck_assert_int_eq(l->state, SEV_GUEST_RUNNING);
	free(l);

	/* Without arguments: no ID block, zero host data. */
	l = launch_started(fk, SEV_MODE_SNP, 0x30000);
	ck_assert_int_eq(sevl_snp_finish(l, NULL), 0);
	fin = cmd_data(fk, fk->ncmds - 1, KVM_SEV_SNP_LAUNCH_FINISH);
	ck_assert(all_zero(fin, sizeof(*fin)));
	free(l);
	free(src);
	free(id_block);
	free(id_auth);
	free(fk);
}
END_TEST

/* ================================================== walking real plans */

/* Every plan step with bytes finds them in guest memory after the walk. */
static void check_plan_bytes_placed(const struct launch_plan *p,
				    struct fake_mem *m)
{
	for (unsigned k = 0; k < p->nsteps; k++) {
		const struct launch_step *s = &p->steps[k];

		if (!s->bytes || s->kind == STEP_UPDATE_VMSA ||
		    s->kind == STEP_SNP_VMSA)
			continue;
		ck_assert_msg(
			!memcmp(fake_hva(m, s->gpa, s->len), s->bytes, s->len),
			"step %u (%s) not placed", k, s->what);
	}
}

START_TEST(test_walk_sev_deb12)
{
	struct fake_fw *fk = fake_new();
	struct sev_launch *l;
	struct launch_plan *p;
	struct kvm_sev_launch_update_data *ud;
	struct fake_mem m;
	struct fw fw;

	if (!load_fw(FW_DEB12, &fw))
		SKIP_TEST("no ../shared/" FW_DEB12 " (SEVBOOT_SHARED)");
	p = plan_for(&fw, SEV_MODE_SEV, 1, NULL, 0);
	mem_init(&m, fw.b.len);
	l = launch_started(fk, SEV_MODE_SEV, 0x1);
	ck_assert_int_eq(sevl_walk_plan(l, p, fake_hva, &m), 0);
	ck_assert_int_eq(sevl_measure(l), 0);
	ck_assert_int_eq(sevl_finish(l), 0);

	static const uint32_t want[] = {
		KVM_SEV_INIT2,
		KVM_SEV_LAUNCH_START,
		KVM_SEV_LAUNCH_UPDATE_DATA,
		KVM_SEV_LAUNCH_MEASURE,
		KVM_SEV_LAUNCH_MEASURE,
		KVM_SEV_LAUNCH_FINISH,
	};
	ck_assert_uint_eq(fk->ncmds, 6);
	for (unsigned k = 0; k < 6; k++)
		ck_assert_uint_eq(fk->cmds[k].id, want[k]);
	ud = cmd_data(fk, 2, KVM_SEV_LAUNCH_UPDATE_DATA);
	ck_assert_uint_eq(ud->uaddr, (uintptr_t)m.high); /* 0xffe00000 */
	ck_assert_uint_eq(ud->len, 0x200000);
	/* The walk put the firmware where KVM encrypts it in place. */
	check_plan_bytes_placed(p, &m);
	ck_assert_str_eq(l->timings[2].what, "firmware");
	ck_assert_uint_eq(l->timings[2].gpa, 0xffe00000);

	mem_free(&m);
	plan_del(p);
	blob_free(&fw.b);
	free(l);
	free(fk);
}
END_TEST

START_TEST(test_walk_seves_deb12)
{
	struct fake_fw *fk = fake_new();
	struct sev_launch *l;
	struct launch_plan *p;
	struct fake_mem m;
	struct fw fw;

	if (!load_fw(FW_DEB12, &fw))
		SKIP_TEST("no ../shared/" FW_DEB12 " (SEVBOOT_SHARED)");
	p = plan_for(&fw, SEV_MODE_SEV_ES, 2, NULL, 0);
	mem_init(&m, fw.b.len);
	l = launch_new(fk, SEV_MODE_SEV_ES, 0x5);
	ck_assert_int_eq(sevl_vm_init(l, false, p->vmsa.sev_features), 0);
	ck_assert_int_eq(sevl_start(l), 0);
	ck_assert_int_eq(sevl_walk_plan(l, p, fake_hva, &m), 0);
	ck_assert_int_eq(sevl_measure(l), 0);
	ck_assert_int_eq(sevl_finish(l), 0);

	/* Two VMSA steps in the plan, one command: KVM does all vCPUs. */
	static const uint32_t want[] = {
		KVM_SEV_INIT2,
		KVM_SEV_LAUNCH_START,
		KVM_SEV_LAUNCH_UPDATE_DATA,
		KVM_SEV_LAUNCH_UPDATE_VMSA,
		KVM_SEV_LAUNCH_MEASURE,
		KVM_SEV_LAUNCH_MEASURE,
		KVM_SEV_LAUNCH_FINISH,
	};
	ck_assert_uint_eq(fk->ncmds, 7);
	for (unsigned k = 0; k < 7; k++)
		ck_assert_uint_eq(fk->cmds[k].id, want[k]);
	ck_assert_uint_eq(
		((struct kvm_sev_init *)fk->cmds[0].data)->vmsa_features, 0);
	ck_assert_str_eq(l->timings[3].step, "LAUNCH_UPDATE_VMSA");
	ck_assert_uint_eq(l->timings[3].bytes, 2 * VMSA_SIZE);
	check_plan_bytes_placed(p, &m);

	mem_free(&m);
	plan_del(p);
	blob_free(&fw.b);
	free(l);
	free(fk);
}
END_TEST

START_TEST(test_walk_snp_deb12)
{
	static const struct {
		uint64_t gpa, len;
		uint8_t type;
	} want[] = {
		{0xffe00000, 0x200000, KVM_SEV_SNP_PAGE_TYPE_NORMAL},
		{0x800000, 0x9000, KVM_SEV_SNP_PAGE_TYPE_ZERO},
		{0x80a000, 0x3000, KVM_SEV_SNP_PAGE_TYPE_ZERO},
		{0x80d000, 0x1000, KVM_SEV_SNP_PAGE_TYPE_SECRETS},
		{0x80e000, 0x1000, KVM_SEV_SNP_PAGE_TYPE_CPUID},
		{0x80f000, 0x11000, KVM_SEV_SNP_PAGE_TYPE_ZERO},
	};
	struct fake_fw *fk = fake_new();
	struct sev_launch *l;
	struct launch_plan *p;
	struct fake_mem m;
	struct fw fw;
	uint8_t cpuid[4096];

	if (!load_fw(FW_DEB12, &fw))
		SKIP_TEST("no ../shared/" FW_DEB12 " (SEVBOOT_SHARED)");
	p = plan_for(&fw, SEV_MODE_SNP, 2, NULL, 0);
	mem_init(&m, fw.b.len);
	/* The machine's CPUID table: the walk must leave it alone. */
	memset(cpuid, 0xc1, sizeof(cpuid));
	memcpy(m.low + 0x80e000, cpuid, sizeof(cpuid));

	l = launch_new(fk, SEV_MODE_SNP, 0x30000);
	ck_assert_int_eq(sevl_vm_init(l, false, p->vmsa.sev_features), 0);
	ck_assert_int_eq(sevl_snp_start(l), 0);
	ck_assert_int_eq(sevl_walk_plan(l, p, fake_hva, &m), 0);
	ck_assert_int_eq(sevl_snp_finish(l, NULL), 0);

	/* INIT2, START, 6 updates, FINISH; no command for the VMSA steps. */
	ck_assert_uint_eq(fk->ncmds, 9);
	ck_assert_uint_eq(
		((struct kvm_sev_init *)cmd_data(fk, 0, KVM_SEV_INIT2))
			->vmsa_features,
		0);
	cmd_data(fk, 1, KVM_SEV_SNP_LAUNCH_START);
	for (unsigned k = 0; k < 6; k++) {
		struct kvm_sev_snp_launch_update *u =
			cmd_data(fk, 2 + k, KVM_SEV_SNP_LAUNCH_UPDATE);

		ck_assert_uint_eq(u->gfn_start, want[k].gpa >> 12);
		ck_assert_uint_eq(u->len, want[k].len);
		ck_assert_uint_eq(u->type, want[k].type);
		ck_assert_uint_eq(u->uaddr, (uintptr_t)fake_hva(&m, want[k].gpa,
								want[k].len));
		ck_assert_uint_eq(l->timings[2 + k].gpa, want[k].gpa);
		ck_assert_uint_eq(l->timings[2 + k].bytes, want[k].len);
	}
	cmd_data(fk, 8, KVM_SEV_SNP_LAUNCH_FINISH);
	check_plan_bytes_placed(p, &m);
	ck_assert_mem_eq(m.low + 0x80e000, cpuid, sizeof(cpuid));
	ck_assert_int_eq(l->state, SEV_GUEST_RUNNING);

	mem_free(&m);
	plan_del(p);
	blob_free(&fw.b);
	free(l);
	free(fk);
}
END_TEST

/* Measured direct boot: the walk places the hashes table the plan built. */
START_TEST(test_walk_hashes_amdsev)
{
	static const uint8_t kernel[] = "not really a bzImage";
	struct fake_fw *fk = fake_new();
	struct sev_launch *l;
	struct launch_plan *p;
	struct kvm_sev_launch_update_data *ud;
	struct fake_mem m;
	struct fw fw;

	if (!load_fw(FW_AMDSEV, &fw))
		SKIP_TEST("no ../shared/" FW_AMDSEV " (SEVBOOT_SHARED)");
	p = plan_for(&fw, SEV_MODE_SEV, 1, kernel, sizeof(kernel));
	ck_assert_uint_eq(p->nsteps, 2);
	mem_init(&m, fw.b.len);
	l = launch_started(fk, SEV_MODE_SEV, 0x1);
	ck_assert_int_eq(sevl_walk_plan(l, p, fake_hva, &m), 0);
	ud = cmd_data(fk, 3, KVM_SEV_LAUNCH_UPDATE_DATA);
	ck_assert_uint_eq(ud->uaddr, (uintptr_t)(m.low + fw.info.hashes_base));
	ck_assert_uint_eq(ud->len, SEV_HASHES_PADDED_LEN);
	ck_assert_mem_eq(m.low + fw.info.hashes_base, p->hashes_page,
			 SEV_HASHES_PADDED_LEN);
	ck_assert_str_eq(l->timings[3].what, "kernel hashes");
	check_plan_bytes_placed(p, &m);
	free(l);
	plan_del(p);

	/* SNP: the whole page, with the table at base & 0xfff. */
	memset(m.low, 0, m.low_size);
	p = plan_for(&fw, SEV_MODE_SNP, 1, kernel, sizeof(kernel));
	l = launch_started(fk, SEV_MODE_SNP, 0x30000);
	ck_assert_int_eq(sevl_walk_plan(l, p, fake_hva, &m), 0);
	check_plan_bytes_placed(p, &m);
	ck_assert_mem_eq(m.low + (fw.info.hashes_base & ~0xfffu),
			 p->hashes_page, 4096);
	free(l);
	plan_del(p);
	mem_free(&m);
	blob_free(&fw.b);
	free(fk);
}
END_TEST

START_TEST(test_walk_refusals)
{
	static uint8_t bytes[32];
	struct fake_fw *fk = fake_new();
	struct launch_plan *p = calloc(1, sizeof(*p));
	struct sev_launch *l;
	struct fake_mem m;
	unsigned n;

	ck_assert_ptr_nonnull(p);
	mem_init(&m, 0x200000);
	p->mode = SEV_MODE_SEV;
	p->nsteps = 1;
	p->steps[0] = (struct launch_step){
		.kind = STEP_UPDATE_DATA,
		.gpa = 0x10000000000ULL,
		.bytes = bytes,
		.len = sizeof(bytes),
		.vcpu = -1,
		.what = "kernel hashes",
	};

	/* Before LAUNCH_START: nothing is touched. */
	l = launch_new(fk, SEV_MODE_SEV, 0x1);
	ck_assert_int_eq(sevl_walk_plan(l, p, fake_hva, &m), -EPROTO);
	assert_has(sevl_error(l), "UNINIT");
	ck_assert_uint_eq(m.calls, 0);
	free(l);

	l = launch_started(fk, SEV_MODE_SEV, 0x1);
	n = fk->ncmds;
	/* Not guest RAM. */
	ck_assert_int_eq(sevl_walk_plan(l, p, fake_hva, &m), -EFAULT);
	ck_assert_str_eq(sevl_error(l),
			 "plan step 0 (kernel hashes at 0x10000000000, 32 "
			 "bytes) is not in guest RAM");
	ck_assert_int_eq(sevl_walk_plan(l, p, no_hva, NULL), -EFAULT);
	ck_assert_uint_eq(fk->ncmds, n);

	/* A plan for another mode. */
	p->mode = SEV_MODE_SNP;
	ck_assert_int_eq(sevl_walk_plan(l, p, fake_hva, &m), -EINVAL);
	assert_has(sevl_error(l), "it is for snp and the guest is sev");

	/* SEV-ES VMSA steps out of vCPU order. */
	free(l);
	l = launch_started(fk, SEV_MODE_SEV_ES, 0x5);
	p->mode = SEV_MODE_SEV_ES;
	p->nsteps = 2;
	for (int v = 0; v < 2; v++)
		p->steps[v] = (struct launch_step){
			.kind = STEP_UPDATE_VMSA,
			.len = VMSA_SIZE,
			.vcpu = 1 - v,
		};
	n = fk->ncmds;
	ck_assert_int_eq(sevl_walk_plan(l, p, fake_hva, &m), -EINVAL);
	assert_has(sevl_error(l), "vCPU");
	ck_assert_uint_eq(fk->ncmds, n);

	mem_free(&m);
	free(p);
	free(l);
	free(fk);
}
END_TEST

/* ====================================================== state machine */

/* A call that must be refused without reaching the transport. */
#define REFUSED(fk, call, want_ret, ...)                                       \
	do {                                                                   \
		unsigned n_ = (fk)->ncmds;                                     \
		unsigned t_ = l->ntimings;                                     \
		ck_assert_int_eq((call), (want_ret));                          \
		ck_assert_uint_eq((fk)->ncmds, n_);                            \
		ck_assert_uint_eq(l->ntimings, t_);                            \
		const char *w_[] = {__VA_ARGS__};                              \
		for (size_t i_ = 0; i_ < sizeof(w_) / sizeof(w_[0]); i_++)     \
			assert_has(sevl_error(l), w_[i_]);               \
	} while (0)

START_TEST(test_state_sev)
{
	struct fake_fw *fk = fake_new();
	struct sev_launch *l = launch_new(fk, SEV_MODE_SEV, 0x1);
	uint8_t *ram = pages(1), hdr[52] = {0}, secret[16] = {0};
	struct sev_guest_info gi;

	REFUSED(fk, sevl_start(l), -EPROTO, "LAUNCH_START refused",
		"KVM_SEV_INIT2");
	REFUSED(fk, sevl_update_data(l, 0, ram, 4096), -EPROTO,
		"LAUNCH_UPDATE_DATA refused", "state UNINIT", "needs LUPDATE");
	REFUSED(fk, sevl_measure(l), -EPROTO, "LAUNCH_MEASURE refused",
		"UNINIT");
	REFUSED(fk, sevl_finish(l), -EPROTO, "LAUNCH_FINISH refused",
		"needs LSECRET");
	REFUSED(fk, sevl_guest_status(l, &gi), -EPROTO, "GUEST_STATUS refused");
	REFUSED(fk, sevl_secret(l, hdr, 52, secret, 16, 0, ram), -EPROTO,
		"LAUNCH_SECRET refused");

	ck_assert_int_eq(sevl_vm_init(l, false, 0), 0);
	REFUSED(fk, sevl_vm_init(l, false, 0), -EPROTO, "INIT2 refused",
		"already initialized");
	ck_assert_int_eq(sevl_start(l), 0);
	REFUSED(fk, sevl_start(l), -EPROTO, "LAUNCH_START refused",
		"state LUPDATE", "one LAUNCH_START");
	REFUSED(fk, sevl_set_session(l, NULL, 0, NULL, 0), -EPROTO,
		"already been issued");
	REFUSED(fk, sevl_finish(l), -EPROTO,
		"LAUNCH_MEASURE comes first");
	REFUSED(fk, sevl_secret(l, hdr, 52, secret, 16, 0, ram), -EPROTO,
		"state LUPDATE");
	/* Wrong mode for the command. */
	REFUSED(fk, sevl_update_vmsa(l, 1), -EINVAL, "only SEV-ES");
	REFUSED(fk, sevl_snp_start(l), -EINVAL, "SNP_LAUNCH_START",
		"guest is SEV");
	REFUSED(fk, sevl_snp_update(l, 0, ram, 4096, SNP_PAGE_NORMAL),
		-EINVAL, "SNP command");
	REFUSED(fk, sevl_snp_finish(l, NULL), -EINVAL, "SNP command");
	/* Arguments the firmware would refuse. */
	REFUSED(fk, sevl_update_data(l, 0x1000, ram + 8, 16), -EINVAL,
		"multiples of 16");
	REFUSED(fk, sevl_update_data(l, 0x1000, ram, 24), -EINVAL,
		"LAUNCH_UPDATE_DATA at 0x1000 (24 bytes)");
	REFUSED(fk, sevl_update_data(l, 0x1000, ram, 0), -EINVAL,
		"multiples of 16");

	ck_assert_int_eq(sevl_update_data(l, 0, ram, 4096), 0);
	ck_assert_int_eq(sevl_measure(l), 0);
	REFUSED(fk, sevl_measure(l), -EPROTO, "state LSECRET");
	REFUSED(fk, sevl_update_data(l, 0, ram, 4096), -EPROTO,
		"state LSECRET");
	REFUSED(fk, sevl_secret(l, hdr, 51, secret, 16, 0, ram), -EINVAL,
		"52 bytes");
	REFUSED(fk, sevl_secret(l, hdr, 52, secret, 0, 0, ram), -EINVAL,
		"the secret");
	REFUSED(fk, sevl_secret(l, hdr, 52, secret, 16, 0, NULL), -EINVAL,
		"not guest RAM");
	ck_assert_int_eq(sevl_secret(l, hdr, 52, secret, 16, 0, ram), 0);
	ck_assert_int_eq(sevl_secret(l, hdr, 52, secret, 16, 0, ram), 0);
	ck_assert_int_eq(sevl_finish(l), 0);
	REFUSED(fk, sevl_finish(l), -EPROTO, "state RUNNING");
	REFUSED(fk, sevl_secret(l, hdr, 52, secret, 16, 0, ram), -EPROTO,
		"state RUNNING");
	REFUSED(fk, sevl_update_data(l, 0, ram, 4096), -EPROTO,
		"state RUNNING");
	free(ram);
	free(l);
	free(fk);
}
END_TEST

START_TEST(test_state_seves)
{
	struct fake_fw *fk = fake_new();
	struct sev_launch *l = launch_started(fk, SEV_MODE_SEV_ES, 0x5);
	uint8_t *ram = pages(1);

	REFUSED(fk, sevl_measure(l), -EPROTO, "LAUNCH_MEASURE refused",
		"LAUNCH_UPDATE_VMSA has not been issued");
	ck_assert_int_eq(sevl_update_data(l, 0, ram, 4096), 0);
	ck_assert_int_eq(sevl_update_vmsa(l, 4), 0);
	REFUSED(fk, sevl_update_vmsa(l, 4), -EPROTO,
		"LAUNCH_UPDATE_VMSA refused", "every vCPU");
	REFUSED(fk, sevl_update_data(l, 0, ram, 4096), -EPROTO,
		"VMSAs are the last thing measured");
	ck_assert_int_eq(sevl_measure(l), 0);
	ck_assert_int_eq(sevl_finish(l), 0);
	free(l);

	/* SEV features make no sense for plain SEV, nor with legacy INIT. */
	l = launch_new(fk, SEV_MODE_SEV, 0);
	REFUSED(fk, sevl_vm_init(l, false, 4), -EINVAL, "must be 0");
	free(l);
	l = launch_new(fk, SEV_MODE_SEV_ES, 4);
	REFUSED(fk, sevl_vm_init(l, true, 4), -EINVAL, "legacy");
	free(ram);
	free(l);
	free(fk);
}
END_TEST

START_TEST(test_state_snp)
{
	struct fake_fw *fk = fake_new();
	struct sev_launch *l = launch_new(fk, SEV_MODE_SNP, 0x30000);
	uint8_t *ram = pages(2);

	REFUSED(fk, sevl_vm_init(l, true, 0), -EINVAL, "KVM_SEV_INIT2");
	REFUSED(fk, sevl_snp_start(l), -EPROTO,
		"SNP_LAUNCH_START refused", "not an SNP guest yet");
	REFUSED(fk, sevl_snp_update(l, 0, ram, 4096, SNP_PAGE_NORMAL),
		-EPROTO, "SNP_LAUNCH_UPDATE refused", "state INIT",
		"needs LAUNCH");
	REFUSED(fk, sevl_snp_finish(l, NULL), -EPROTO,
		"SNP_LAUNCH_FINISH refused");
	ck_assert_int_eq(sevl_vm_init(l, false, 0x1), 0);
	ck_assert_int_eq(sevl_snp_start(l), 0);
	REFUSED(fk, sevl_snp_start(l), -EPROTO, "one SNP_LAUNCH_START");
	/* SEV commands on an SNP guest (KVM: -EPERM for ids below 100). */
	REFUSED(fk, sevl_start(l), -EINVAL, "guest is SNP");
	REFUSED(fk, sevl_update_data(l, 0, ram, 4096), -EINVAL,
		"guest is SNP");
	REFUSED(fk, sevl_measure(l), -EINVAL, "guest is SNP");
	REFUSED(fk, sevl_finish(l), -EINVAL, "guest is SNP");
	REFUSED(fk, sevl_guest_status(l, NULL), -EINVAL, "guest is SNP");
	REFUSED(fk, sevl_set_session(l, NULL, 0, NULL, 0), -EINVAL,
		"SNP has no LAUNCH_START session");
	/* What KVM would refuse. */
	REFUSED(fk, sevl_snp_update(l, 0, ram, 4096, SNP_PAGE_VMSA),
		-EINVAL, "page type VMSA", "measures the VMSAs itself");
	REFUSED(fk, sevl_snp_update(l, 0, ram, 4096, 0), -EINVAL,
		"page type INVALID");
	REFUSED(fk, sevl_snp_update(l, 0x800, ram, 4096, SNP_PAGE_NORMAL),
		-EINVAL, "4 KiB pages");
	REFUSED(fk, sevl_snp_update(l, 0, ram, 100, SNP_PAGE_NORMAL),
		-EINVAL, "4 KiB pages");
	REFUSED(fk, sevl_snp_update(l, 0, ram, 0, SNP_PAGE_NORMAL),
		-EINVAL, "4 KiB pages");
	REFUSED(fk, sevl_snp_update(l, 0, NULL, 4096, SNP_PAGE_CPUID),
		-EINVAL, "CPUID page needs its source");
	struct sev_snp_finish_args fa = {.id_block = ram};
	REFUSED(fk, sevl_snp_finish(l, &fa), -EINVAL, "go together");
	fa = (struct sev_snp_finish_args){.auth_key_en = true};
	REFUSED(fk, sevl_snp_finish(l, &fa), -EINVAL, "no ID block");

	ck_assert_int_eq(
		sevl_snp_update(l, 0, ram, 8192, SNP_PAGE_NORMAL), 0);
	ck_assert_int_eq(sevl_snp_finish(l, NULL), 0);
	REFUSED(fk, sevl_snp_update(l, 0, ram, 4096, SNP_PAGE_NORMAL),
		-EPROTO, "state RUNNING");
	REFUSED(fk, sevl_snp_finish(l, NULL), -EPROTO, "state RUNNING");
	free(ram);
	free(l);
	free(fk);
}
END_TEST

START_TEST(test_setup_and_session)
{
	struct fake_fw *fk = fake_new();
	struct sev_launch *l = calloc(1, sizeof(*l));
	struct sev_transport none = {0};
	uint8_t dh[0x824], session[0x80];

	ck_assert_ptr_nonnull(l);
	ck_assert_int_eq(sevl_setup(l, SEV_MODE_SEV, 1, none), -EINVAL);
	assert_has(sevl_error(l), "no transport");
	ck_assert_int_eq(sevl_setup(l, SEV_MODE_SEV, 1ULL << 32,
					  fake_transport(fk)),
			 -EINVAL);
	assert_has(sevl_error(l), "32 bits");
	ck_assert_int_eq(
		sevl_setup(l, SEV_MODE_SEV_ES, 0x1, fake_transport(fk)),
		-EINVAL);
	assert_has(sevl_error(l), "bit 2 (ES)");
	ck_assert_int_eq(
		sevl_setup(l, SEV_MODE_SEV, 0x5, fake_transport(fk)),
		-EINVAL);
	assert_has(sevl_error(l), "the mode is SEV");
	ck_assert_int_eq(
		sevl_setup(l, SEV_MODE_SNP, 0x10000, fake_transport(fk)),
		-EINVAL);
	assert_has(sevl_error(l), "bit 17");
	ck_assert_int_eq(
		sevl_setup(l, (enum sev_mode)7, 0, fake_transport(fk)),
		-EINVAL);
	assert_has(sevl_error(l), "unknown SEV mode");

	ck_assert_int_eq(
		sevl_setup(l, SEV_MODE_SEV, 0x1, fake_transport(fk)), 0);
	ck_assert_int_eq(sevl_set_session(l, dh, sizeof(dh), NULL, 0),
			 -EINVAL);
	assert_has(sevl_error(l), "give both or neither");
	ck_assert_int_eq(
		sevl_set_session(l, dh, 100, session, sizeof(session)),
		-EINVAL);
	assert_has(sevl_error(l), "exactly 2084");
	ck_assert_int_eq(
		sevl_set_session(l, dh, sizeof(dh), session, 127),
		-EINVAL);
	assert_has(sevl_error(l), "exactly 128");
	ck_assert_int_eq(sevl_set_session(l, dh, 0, session, 0), -EINVAL);
	ck_assert_ptr_null(l->dh_cert);
	ck_assert_int_eq(fk->ncmds, 0);
	free(l);
	free(fk);
}
END_TEST

/* ====================================================== error sentences */

START_TEST(test_error_sentences)
{
	struct fake_fw *fk = fake_new();
	struct sev_launch *l = launch_new(fk, SEV_MODE_SEV, 0x1);
	uint8_t *fw = pages(512);
	unsigned n;

	fake_fail(fk, KVM_SEV_LAUNCH_START, 0, -EBADF, NO_FW_CALL);
	ck_assert_int_eq(sevl_vm_init(l, false, 0), 0);
	ck_assert_int_eq(sevl_start(l), -EBADF);
	ck_assert_str_eq(sevl_error(l),
			 "LAUNCH_START with policy 0x1 failed: Bad file "
			 "descriptor, firmware status SEV_RET_NO_FW_CALL "
			 "(0xffffffff)");
	ck_assert_int_eq(l->state, SEV_GUEST_UNINIT);
	ck_assert_uint_eq(l->handle, 0);
	ck_assert_int_eq(sevl_start(l), 0);

	fake_fail(fk, KVM_SEV_LAUNCH_UPDATE_DATA, 0, -EIO,
		  SEV_RET_INVALID_ADDRESS);
	ck_assert_int_eq(sevl_update_data(l, 0xffe00000, fw, 0x200000),
			 -EIO);
	ck_assert_str_eq(sevl_error(l),
			 "LAUNCH_UPDATE_DATA at 0xffe00000 (2097152 bytes) "
			 "failed: Input/output error, firmware status "
			 "SEV_RET_INVALID_ADDRESS (0x09)");
	ck_assert_int_eq(l->last_ret, -EIO);
	ck_assert_uint_eq(l->last_fw_error, SEV_RET_INVALID_ADDRESS);
	ck_assert_int_eq(l->state, SEV_GUEST_LUPDATE);
	/* The failed command is in the timings too. */
	ck_assert_int_eq(l->timings[l->ntimings - 1].ret, -EIO);
	ck_assert_uint_eq(l->timings[l->ntimings - 1].fw_error,
			  SEV_RET_INVALID_ADDRESS);

	/* The second MEASURE call (the data) fails. */
	fake_fail(fk, KVM_SEV_LAUNCH_MEASURE, 1, -EIO, SEV_RET_INVALID_GUEST);
	n = fk->ncmds;
	ck_assert_int_eq(sevl_measure(l), -EIO);
	ck_assert_uint_eq(fk->ncmds, n + 2);
	ck_assert_str_eq(sevl_error(l),
			 "LAUNCH_MEASURE failed: Input/output error, firmware "
			 "status SEV_RET_INVALID_GUEST (0x10)");
	ck_assert(!l->have_measurement);
	ck_assert_int_eq(l->state, SEV_GUEST_LUPDATE);
	ck_assert_int_eq(sevl_measure(l), 0);

	fake_fail(fk, KVM_SEV_LAUNCH_FINISH, 0, -EIO, 0x1e);
	ck_assert_int_eq(sevl_finish(l), -EIO);
	ck_assert_str_eq(sevl_error(l),
			 "LAUNCH_FINISH failed: Input/output error, unknown "
			 "firmware status 0x1e");
	ck_assert_int_eq(l->state, SEV_GUEST_LSECRET);

	/* GUEST_STATUS disagreeing with what was launched. */
	fk->status = (struct kvm_sev_guest_status){
		.handle = 0x2a, .policy = 0x1, .state = SEV_GUEST_LUPDATE};
	ck_assert_int_eq(sevl_guest_status(l, NULL), -EPROTO);
	assert_has(sevl_error(l), "state LUPDATE");
	assert_has(sevl_error(l), "expected state LSECRET");
	free(l);

	/* SNP: the command, the page type, the plan's name, the status. */
	l = launch_started(fk, SEV_MODE_SNP, 0x30000);
	fake_fail(fk, KVM_SEV_SNP_LAUNCH_UPDATE, 0, -EIO,
		  SEV_RET_INVALID_PARAM);
	ck_assert_int_eq(
		sevl_snp_update(l, 0x80e000, fw, 4096, SNP_PAGE_CPUID),
		-EIO);
	ck_assert_str_eq(sevl_error(l),
			 "SNP_LAUNCH_UPDATE at 0x80e000 (4096 bytes, page type "
			 "CPUID) failed: Input/output error, firmware status "
			 "SEV_RET_INVALID_PARAM (0x16)");
	fake_fail(fk, KVM_SEV_SNP_LAUNCH_FINISH, 0, -EIO,
		  SEV_RET_BAD_MEASUREMENT);
	ck_assert_int_eq(sevl_snp_finish(l, NULL), -EIO);
	ck_assert_str_eq(sevl_error(l),
			 "SNP_LAUNCH_FINISH failed: Input/output error, "
			 "firmware status SEV_RET_BAD_MEASUREMENT (0x0b)");
	ck_assert_int_eq(l->state, SEV_GUEST_LUPDATE);
	free(l);

	fake_fail(fk, KVM_SEV_SNP_LAUNCH_START, 0, -EIO,
		  SEV_RET_POLICY_FAILURE);
	l = launch_new(fk, SEV_MODE_SNP, 0x20000);
	ck_assert_int_eq(sevl_vm_init(l, false, 0), 0);
	ck_assert_int_eq(sevl_snp_start(l), -EIO);
	ck_assert_str_eq(sevl_error(l),
			 "SNP_LAUNCH_START with policy 0x20000 failed: "
			 "Input/output error, firmware status "
			 "SEV_RET_POLICY_FAILURE (0x07)");
	free(l);
	free(fw);
	free(fk);
}
END_TEST

/* The plan's name of the step reaches the sentence. */
START_TEST(test_error_sentence_from_plan)
{
	struct fake_fw *fk = fake_new();
	struct sev_launch *l;
	struct launch_plan *p;
	struct fake_mem m;
	struct fw fw;

	if (!load_fw(FW_DEB12, &fw))
		SKIP_TEST("no ../shared/" FW_DEB12 " (SEVBOOT_SHARED)");
	mem_init(&m, fw.b.len);
	p = plan_for(&fw, SEV_MODE_SEV, 1, NULL, 0);
	l = launch_started(fk, SEV_MODE_SEV, 0x1);
	fake_fail(fk, KVM_SEV_LAUNCH_UPDATE_DATA, 0, -EIO,
		  SEV_RET_INVALID_ADDRESS);
	ck_assert_int_eq(sevl_walk_plan(l, p, fake_hva, &m), -EIO);
	ck_assert_str_eq(sevl_error(l),
			 "LAUNCH_UPDATE_DATA at 0xffe00000 (2097152 bytes, "
			 "firmware) failed: Input/output error, firmware "
			 "status SEV_RET_INVALID_ADDRESS (0x09)");
	free(l);
	plan_del(p);

	p = plan_for(&fw, SEV_MODE_SNP, 1, NULL, 0);
	l = launch_started(fk, SEV_MODE_SNP, 0x30000);
	fake_fail(fk, KVM_SEV_SNP_LAUNCH_UPDATE, 3, -EIO,
		  SEV_RET_INVALID_PAGE_STATE);
	ck_assert_int_eq(sevl_walk_plan(l, p, fake_hva, &m), -EIO);
	ck_assert_str_eq(sevl_error(l),
			 "SNP_LAUNCH_UPDATE at 0x80d000 (4096 bytes, page type "
			 "SECRETS, SNP_SECRETS) failed: Input/output error, "
			 "firmware status SEV_RET_INVALID_PAGE_STATE (0x1a)");
	free(l);
	plan_del(p);
	mem_free(&m);
	blob_free(&fw.b);
	free(fk);
}
END_TEST

/* ===================================================== the SNP update loop */

/* The recorded SNP_LAUNCH_UPDATE calls from first on: each must be the
 * rest of [gpa, gpa + len) as the kernel left it. */
static unsigned check_snp_calls(struct fake_fw *fk, unsigned first,
				uint64_t gpa, const uint8_t *hva, uint64_t len,
				uint8_t type)
{
	uint64_t prev_left = len;
	unsigned calls = 0;

	for (unsigned k = first; k < fk->ncmds; k++) {
		struct kvm_sev_snp_launch_update *u =
			cmd_data(fk, k, KVM_SEV_SNP_LAUNCH_UPDATE);
		uint64_t done = len - u->len;

		ck_assert_uint_le(u->len, prev_left);
		ck_assert_uint_eq(u->gfn_start, (gpa + done) >> 12);
		if (type == SNP_PAGE_ZERO)
			ck_assert_uint_eq(u->uaddr, (uintptr_t)hva);
		else
			ck_assert_uint_eq(u->uaddr, (uintptr_t)(hva + done));
		ck_assert_uint_eq(u->type, type);
		prev_left = u->len;
		calls++;
	}
	return calls;
}

START_TEST(test_snp_update_loop)
{
	struct fake_fw *fk = fake_new();
	struct sev_launch *l = launch_started(fk, SEV_MODE_SNP, 0x30000);
	uint8_t *src = pages(5);
	unsigned first;

	/* One page per call: 5 pages take 5 progressing calls, in one
	 * record. */
	fk->snp_pages_per_call = 1;
	first = fk->ncmds;
	ck_assert_int_eq(sevl_snp_update(l, 0x100000, src, 5 * 4096,
					       SNP_PAGE_NORMAL),
			 0);
	ck_assert_uint_eq(check_snp_calls(fk, first, 0x100000, src, 5 * 4096,
					  SNP_PAGE_NORMAL),
			  5);
	ck_assert_str_eq(l->timings[l->ntimings - 1].step, "SNP_LAUNCH_UPDATE");
	ck_assert_uint_eq(l->timings[l->ntimings - 1].ioctls, 5);
	ck_assert_uint_eq(l->timings[l->ntimings - 1].bytes, 5 * 4096);
	ck_assert_int_eq(l->timings[l->ntimings - 1].ret, 0);

	/* -EAGAIN and -EINTR are failures like any other: the kernel never
	 * asks for a retry (every populate error is -EIO). */
	fk->snp_calls = 0;
	fk->snp_pages_per_call = 2;
	fk->snp_eagain_every = 2;
	fk->again_ret = -EINTR;
	first = fk->ncmds;
	ck_assert_int_eq(sevl_snp_update(l, 0x200000, src, 5 * 4096,
					       SNP_PAGE_ZERO),
			 -EINTR);
	ck_assert_uint_eq(fk->ncmds - first, 2);
	assert_has(sevl_error(l), "after 0x2000 bytes");

	/* Failure after partial progress says how far it got. */
	fk->snp_calls = 0;
	fk->snp_pages_per_call = 1;
	fk->snp_eagain_every = 0;
	fk->snp_fail_after_2 = true;
	ck_assert_int_eq(sevl_snp_update(l, 0x300000, src, 4 * 4096,
					       SNP_PAGE_NORMAL),
			 -EIO);
	ck_assert_str_eq(sevl_error(l),
			 "SNP_LAUNCH_UPDATE at 0x300000 (16384 bytes, page "
			 "type NORMAL) after 0x2000 bytes failed: Input/output "
			 "error, firmware status SEV_RET_INVALID_PAGE_STATE "
			 "(0x1a)");
	/* -EIO with no firmware error is the kernel's populate failing,
	 * not "SEV_RET_SUCCESS". */
	fk->snp_calls = 0;
	fk->snp_fail_fw = SEV_RET_SUCCESS;
	fk->snp_fail_fw_set = true;
	ck_assert_int_eq(sevl_snp_update(l, 0x300000, src, 4 * 4096,
					       SNP_PAGE_NORMAL),
			 -EIO);
	assert_has(sevl_error(l), "the kernel failed to populate guest memory");
	ck_assert_ptr_null(strstr(sevl_error(l), "SEV_RET_SUCCESS"));
	fk->snp_fail_fw_set = false;
	fk->snp_fail_after_2 = false;
	ck_assert_int_eq(l->state, SEV_GUEST_LUPDATE);
	free(src);
	free(l);
	free(fk);
}
END_TEST

START_TEST(test_snp_update_no_progress)
{
	struct fake_fw *fk = fake_new();
	struct sev_launch *l = launch_started(fk, SEV_MODE_SNP, 0x30000);
	uint8_t *src = pages(2);
	unsigned first;

	/* Success that does nothing, forever. */
	fk->snp_stall = true;
	first = fk->ncmds;
	ck_assert_int_eq(
		sevl_snp_update(l, 0x100000, src, 8192, SNP_PAGE_NORMAL),
		-EIO);
	assert_has(sevl_error(l), "SNP_LAUNCH_UPDATE at 0x100000");
	assert_has(sevl_error(l), "made no progress");
	assert_has(sevl_error(l), "0x2000 of 0x2000 bytes");
	assert_has(sevl_error(l), "giving up");
	ck_assert_uint_eq(fk->ncmds - first, 256);
	ck_assert_int_eq(l->timings[l->ntimings - 1].ret, -EIO);
	ck_assert_uint_eq(l->timings[l->ntimings - 1].ioctls, 256);

	/* -EAGAIN: one call, then the failure. */
	fk->snp_stall = false;
	fk->snp_always_again = true;
	first = fk->ncmds;
	ck_assert_int_eq(
		sevl_snp_update(l, 0x100000, src, 8192, SNP_PAGE_NORMAL),
		-EAGAIN);
	assert_has(sevl_error(l), strerror(EAGAIN));
	ck_assert_uint_eq(fk->ncmds - first, 1);

	/* Progress, then a stall: the count restarts with progress. */
	fk->snp_always_again = false;
	fk->snp_calls = 0;
	fk->snp_pages_per_call = 1;
	fk->snp_eagain_every = 0;
	ck_assert_int_eq(
		sevl_snp_update(l, 0x100000, src, 8192, SNP_PAGE_NORMAL),
		0);

	/* A kernel that reports more left than it was given. */
	fk->snp_grow = true;
	first = fk->ncmds;
	ck_assert_int_eq(
		sevl_snp_update(l, 0x100000, src, 8192, SNP_PAGE_NORMAL),
		-EPROTO);
	assert_has(sevl_error(l), "impossible progress");
	ck_assert_uint_eq(fk->ncmds - first, 1);
	free(src);
	free(l);
	free(fk);
}
END_TEST

/* ============================================================ timings */

/* A full SEV-ES launch with one failure, as JSON. */
static char *json_of(struct sev_launch *l, size_t *len)
{
	char *buf = NULL;
	FILE *f = open_memstream(&buf, len);

	ck_assert_ptr_nonnull(f);
	ck_assert_int_eq(sevl_timing_json(l, f), 0);
	fclose(f);
	return buf;
}

static unsigned count(const char *hay, const char *needle)
{
	unsigned n = 0;

	for (const char *p = hay; (p = strstr(p, needle)); p += strlen(needle))
		n++;
	return n;
}

/* The number after "key": in the n-th entry. */
static long long json_field(const char *json, const char *key, unsigned n)
{
	char pat[64];
	const char *p = json;

	snprintf(pat, sizeof(pat), "\"%s\":", key);
	for (unsigned k = 0; k <= n; k++) {
		p = strstr(p, pat);
		ck_assert_ptr_nonnull(p);
		p += strlen(pat);
	}
	return strtoll(p, NULL, 10);
}

START_TEST(test_timing_json_and_table)
{
	struct fake_fw *fk = fake_new();
	struct sev_launch *l = launch_started(fk, SEV_MODE_SEV_ES, 0x5);
	uint8_t *ram = pages(256);
	char *json, *table = NULL;
	size_t len, tlen;
	FILE *f;

	ck_assert_int_eq(sevl_update_data(l, 0xffe00000, ram, 1 << 20),
			 0);
	fake_fail(fk, KVM_SEV_LAUNCH_UPDATE_DATA, 0, -EIO,
		  SEV_RET_INVALID_ADDRESS);
	ck_assert_int_eq(sevl_update_data(l, 0x800000, ram, 4096), -EIO);
	ck_assert_int_eq(sevl_update_vmsa(l, 2), 0);
	ck_assert_int_eq(sevl_measure(l), 0);
	ck_assert_int_eq(sevl_finish(l), 0);
	ck_assert_uint_eq(l->ntimings, 7);

	json = json_of(l, &len);
	ck_assert_uint_gt(len, 2);
	ck_assert_int_eq(json[0], '{');
	ck_assert_int_eq(json[len - 2], '}');
	assert_has(json, "{\"mode\":\"seves\",\"steps\":[{\"step\":\"INIT2\"");
	/* One entry per command issued. */
	ck_assert_uint_eq(count(json, "\"step\":"), 7);
	ck_assert_uint_eq(count(json, "\"duration_ns\":"), 7);
	for (unsigned k = 0; k < 7; k++) {
		long long s = json_field(json, "start_ns", k);
		long long e = json_field(json, "end_ns", k);
		long long d = json_field(json, "duration_ns", k);

		ck_assert_int_ge(d, 0);
		ck_assert_int_ge(s, 0);
		ck_assert_int_ge(e, s);
		ck_assert_int_eq(d, e - s);
	}
	/* Names in order, with their memory ranges. */
	const char *steps[] = {"INIT2",
			       "LAUNCH_START",
			       "LAUNCH_UPDATE_DATA",
			       "LAUNCH_UPDATE_DATA",
			       "LAUNCH_UPDATE_VMSA",
			       "LAUNCH_MEASURE",
			       "LAUNCH_FINISH"};
	const char *p = json;
	for (unsigned k = 0; k < 7; k++) {
		char want[64];

		snprintf(want, sizeof(want), "{\"step\":\"%s\"", steps[k]);
		p = strstr(p, want);
		ck_assert_msg(p, "entry %u is not %s", k, steps[k]);
		p++;
	}
	assert_has(json, "\"gpa\":4292870144,\"bytes\":1048576");
	assert_has(json, "\"bytes\":8192"); /* 2 VMSAs */
	assert_has(json,
		   "\"ret\":-5,\"fw_status\":\"SEV_RET_INVALID_ADDRESS\"");
	assert_has(json, "\"ret\":0,\"fw_status\":\"SEV_RET_SUCCESS\"");
	assert_has(json, "\"ioctls\":2");
	ck_assert_ptr_null(strstr(json, "dropped"));
	free(json);

	f = open_memstream(&table, &tlen);
	ck_assert_ptr_nonnull(f);
	sevl_timing_table(l, f);
	fclose(f);
	assert_has(table, "seves launch, 7 firmware commands");
	assert_has(table, "MB/s");
	assert_has(table, "LAUNCH_UPDATE_VMSA");
	assert_has(table, "1048576");
	assert_has(table, "Input/output error, SEV_RET_INVALID_ADDRESS");
	assert_has(table, "total");
	ck_assert_uint_eq(count(table, "\n"), 7 + 3);
	free(table);
	free(ram);
	free(l);
	free(fk);
}
END_TEST

START_TEST(test_timing_overflow)
{
	struct fake_fw *fk = fake_new();
	struct sev_launch *l = launch_started(fk, SEV_MODE_SEV, 0x1);
	size_t len;
	char *json;

	fk->status = (struct kvm_sev_guest_status){
		.handle = 0x2a, .policy = 0x1, .state = SEV_GUEST_LUPDATE};
	for (unsigned k = 0; k < SEV_LAUNCH_MAX_TIMINGS; k++)
		ck_assert_int_eq(sevl_guest_status(l, NULL), 0);
	/* Full: the command still runs, it just is not recorded. */
	ck_assert_uint_eq(l->ntimings, SEV_LAUNCH_MAX_TIMINGS);
	ck_assert_uint_eq(l->timings_dropped, 2);
	json = json_of(l, &len);
	ck_assert_uint_eq(count(json, "\"step\":"), SEV_LAUNCH_MAX_TIMINGS);
	assert_has(json, "],\"dropped\":2}");
	free(json);
	free(l);
	free(fk);
}
END_TEST

/* The guest owner's secret never reaches a sentence or an output. */
START_TEST(test_secret_never_printed)
{
	static const char secret[] = "TOPSECRET-0123456789abcdef-PAYLOAD";
	struct fake_fw *fk = fake_new();
	struct sev_launch *l = launch_started(fk, SEV_MODE_SEV, 0x1);
	uint8_t hdr[52], *ram = pages(1);
	char *json, *table = NULL;
	size_t len;
	FILE *f;

	memset(hdr, 'H', sizeof(hdr));
	memcpy(hdr, "HDRSECRET", 9);
	ck_assert_int_eq(sevl_measure(l), 0);
	fake_fail(fk, KVM_SEV_LAUNCH_SECRET, 0, -EIO, SEV_RET_BAD_MEASUREMENT);
	ck_assert_int_eq(sevl_secret(l, hdr, sizeof(hdr), secret,
					   sizeof(secret), 0x80c000, ram),
			 -EIO);
	ck_assert_str_eq(sevl_error(l),
			 "LAUNCH_SECRET at 0x80c000 (35 bytes) failed: "
			 "Input/output error, firmware status "
			 "SEV_RET_BAD_MEASUREMENT (0x0b)");
	/* Passed through by pointer, not copied. */
	ck_assert_uint_eq(((struct kvm_sev_launch_secret *)cmd_data(
				   fk, fk->ncmds - 1, KVM_SEV_LAUNCH_SECRET))
				  ->trans_uaddr,
			  (uintptr_t)secret);

	json = json_of(l, &len);
	f = open_memstream(&table, &len);
	ck_assert_ptr_nonnull(f);
	sevl_timing_table(l, f);
	fclose(f);
	ck_assert_ptr_null(strstr(json, "SECRET-"));
	ck_assert_ptr_null(strstr(json, "HDRSECRET"));
	ck_assert_ptr_null(strstr(table, "SECRET-"));
	ck_assert_ptr_null(strstr(table, "HDRSECRET"));
	/* No copy of either lingers in the context. */
	ck_assert_ptr_null(memmem(l, sizeof(*l), "TOPSECRET", 9));
	ck_assert_ptr_null(memmem(l, sizeof(*l), "HDRSECRET", 9));
	free(json);
	free(table);
	free(ram);
	free(l);
	free(fk);
}
END_TEST

/* A transport breaking the 0-or-negative contract is not success. */
static int positive_vm_cmd(void *ctx, uint32_t id, void *data,
			   uint32_t *fw_error)
{
	return 1;
}

/* ---------------------------------------------------- a stop signal */

/* The launch's stop callback as cli/run.c makes it: the stop signals
 * blocked, a signalfd of them polled without waiting before every
 * command. */
struct sig_stop {
	int fd;
	unsigned asked;
	sigset_t old;
};

static int sig_stop_cb(void *ctx)
{
	struct sig_stop *s = ctx;
	struct pollfd p = { .fd = s->fd, .events = POLLIN };

	s->asked++;
	return poll(&p, 1, 0) == 1;
}

static void sig_stop_init(struct sig_stop *s, struct sev_launch *l)
{
	sigset_t set;

	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGHUP);
	ck_assert_int_eq(sigprocmask(SIG_BLOCK, &set, &s->old), 0);
	s->fd = signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK);
	ck_assert_int_ge(s->fd, 0);
	s->asked = 0;
	l->stop = sig_stop_cb;
	l->stop_ctx = s;
}

/* Which signal was pending, taken so the test leaves none behind. */
static int sig_stop_take(struct sig_stop *s)
{
	struct timespec zero = { 0, 0 };
	sigset_t set;
	int sig;

	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGHUP);
	sig = sigtimedwait(&set, NULL, &zero);
	close(s->fd);
	sigprocmask(SIG_SETMASK, &s->old, NULL);
	return sig;
}

/* SIGTERM pending before LAUNCH_UPDATE_DATA: the command is not issued,
 * the launch says where it stopped, the record shows no ioctl, and every
 * later command is held back too. */
START_TEST(test_stop_signal_before_command)
{
	struct fake_fw *fk = fake_new();
	struct sev_launch *l = launch_new(fk, SEV_MODE_SEV, 0x1);
	struct sig_stop st;
	uint8_t *src = pages(4);
	unsigned issued;

	sig_stop_init(&st, l);
	ck_assert_int_eq(sevl_vm_init(l, false, 0), 0);
	ck_assert_int_eq(sevl_start(l), 0);
	ck_assert_int_eq(sevl_update_data(l, 0x100000, src, 4096), 0);
	ck_assert_uint_eq(st.asked, 3);
	issued = fk->ncmds;

	raise(SIGTERM);
	ck_assert_int_eq(sevl_update_data(l, 0x200000, src, 4 * 4096),
			 -EINTR);
	ck_assert_uint_eq(fk->ncmds, issued);
	ck_assert_str_eq(sevl_error(l),
			 "the launch was stopped before LAUNCH_UPDATE_DATA at "
			 "0x200000 (16384 bytes)");
	ck_assert_int_eq(l->timings[l->ntimings - 1].ret, -EINTR);
	ck_assert_uint_eq(l->timings[l->ntimings - 1].ioctls, 0);
	ck_assert_uint_eq(l->timings[l->ntimings - 1].fw_error, NO_FW_CALL);
	ck_assert_int_eq(sevl_measure(l), -EINTR);
	ck_assert_uint_eq(fk->ncmds, issued);
	ck_assert_int_eq(sig_stop_take(&st), SIGTERM);
	free(src);
	free(l);
	free(fk);
}
END_TEST

/* Ctrl-C arriving during a long SNP_LAUNCH_UPDATE: the loop stops before
 * its next call, saying how far it got. */
START_TEST(test_stop_signal_in_snp_update)
{
	struct fake_fw *fk = fake_new();
	struct sev_launch *l = launch_new(fk, SEV_MODE_SNP, 0x30000);
	struct sig_stop st;
	uint8_t *src = pages(8);
	unsigned first;

	sig_stop_init(&st, l);
	ck_assert_int_eq(sevl_vm_init(l, false, 0), 0);
	ck_assert_int_eq(sevl_snp_start(l), 0);
	fk->snp_pages_per_call = 1;
	first = fk->ncmds;
	fk->raise_at = first + 3;
	fk->raise_sig = SIGINT;
	ck_assert_int_eq(sevl_snp_update(l, 0x100000, src, 8 * 4096,
					 SNP_PAGE_NORMAL),
			 -EINTR);
	ck_assert_uint_eq(fk->ncmds - first, 3);
	ck_assert_str_eq(sevl_error(l),
			 "the launch was stopped before SNP_LAUNCH_UPDATE at "
			 "0x100000 (32768 bytes, page type NORMAL) after "
			 "0x3000 bytes");
	ck_assert_uint_eq(l->timings[l->ntimings - 1].ioctls, 3);
	ck_assert_int_eq(l->timings[l->ntimings - 1].ret, -EINTR);
	ck_assert_int_eq(sig_stop_take(&st), SIGINT);

	/* Without a pending signal the same loop runs to the end. */
	sig_stop_init(&st, l);
	l->stopped = false;
	fk->raise_at = 0;
	first = fk->ncmds;
	ck_assert_int_eq(sevl_snp_update(l, 0x200000, src, 8 * 4096,
					 SNP_PAGE_NORMAL),
			 0);
	ck_assert_uint_eq(fk->ncmds - first, 8);
	ck_assert_uint_eq(st.asked, 8);
	ck_assert_int_eq(sig_stop_take(&st), -1);
	free(src);
	free(l);
	free(fk);
}
END_TEST

START_TEST(test_broken_transport)
{
	static const struct sev_transport_ops ops = {.vm_cmd = positive_vm_cmd};
	struct sev_launch *l = calloc(1, sizeof(*l));

	ck_assert_ptr_nonnull(l);
	ck_assert_int_eq(sevl_setup(l, SEV_MODE_SEV, 0,
					  (struct sev_transport){.ops = &ops}),
			 0);
	ck_assert_int_eq(sevl_vm_init(l, false, 0), -EIO);
	ck_assert(!l->vm_initialized);
	free(l);
}
END_TEST

START_TEST(test_state_names)
{
	ck_assert_str_eq(sev_guest_state_name(0), "UNINIT");
	ck_assert_str_eq(sev_guest_state_name(1), "LUPDATE");
	ck_assert_str_eq(sev_guest_state_name(2), "LSECRET");
	ck_assert_str_eq(sev_guest_state_name(3), "RUNNING");
	ck_assert_str_eq(sev_guest_state_name(9), "an unknown state");
}
END_TEST

/* The measurement as QMP's query-sev-launch-measure shows it, and hex;
 * nothing before LAUNCH_MEASURE. */
START_TEST(test_print_measurement)
{
	struct sev_launch l;
	char *text = NULL;
	size_t len = 0;
	FILE *f;

	memset(&l, 0, sizeof(l));
	for (unsigned i = 0; i < SEV_LAUNCH_MEASURE_LEN; i++)
		l.launch_measure[i] = (uint8_t)i;
	f = open_memstream(&text, &len);
	ck_assert_ptr_nonnull(f);
	sevl_print_measurement(&l, f);
	fflush(f);
	ck_assert_uint_eq(len, 0);
	l.have_measurement = true;
	sevl_print_measurement(&l, f);
	fclose(f);
	ck_assert_str_eq(text,
			 "sevboot: launch measurement (base64): "
			 "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8gISIjJCUmJygpKissLS4v\n"
			 "sevboot: launch measurement (hex): "
			 "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f"
			 "202122232425262728292a2b2c2d2e2f\n");
	free(text);
}
END_TEST

static Suite *launch_suite(void)
{
	Suite *s = suite_create("launch");
	TCase *tc;

	tc = tcase_create("transport");
	tcase_add_test(tc, test_kvm_transport_ioctl);
	tcase_add_test(tc, test_broken_transport);
	suite_add_tcase(s, tc);

	tc = tcase_create("fields");
	tcase_add_test(tc, test_sev_fields);
	tcase_add_test(tc, test_sev_measure_query_variants);
	tcase_add_test(tc, test_seves_fields);
	tcase_add_test(tc, test_snp_fields);
	suite_add_tcase(s, tc);

	tc = tcase_create("plan");
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_walk_sev_deb12);
	tcase_add_test(tc, test_walk_seves_deb12);
	tcase_add_test(tc, test_walk_snp_deb12);
	tcase_add_test(tc, test_walk_hashes_amdsev);
	tcase_add_test(tc, test_walk_refusals);
	suite_add_tcase(s, tc);

	tc = tcase_create("state");
	tcase_add_test(tc, test_state_sev);
	tcase_add_test(tc, test_state_seves);
	tcase_add_test(tc, test_state_snp);
	tcase_add_test(tc, test_setup_and_session);
	tcase_add_test(tc, test_attestation);
	tcase_add_test(tc, test_set_policy_and_snp_start_inputs);
	tcase_add_test(tc, test_state_names);
	suite_add_tcase(s, tc);

	tc = tcase_create("errors");
	tcase_add_test(tc, test_error_sentences);
	tcase_add_test(tc, test_error_sentence_from_plan);
	suite_add_tcase(s, tc);

	tc = tcase_create("snp_loop");
	tcase_add_test(tc, test_snp_update_loop);
	tcase_add_test(tc, test_snp_update_no_progress);
	tcase_add_test(tc, test_stop_signal_before_command);
	tcase_add_test(tc, test_stop_signal_in_snp_update);
	suite_add_tcase(s, tc);

	tc = tcase_create("timing");
	tcase_add_test(tc, test_timing_json_and_table);
	tcase_add_test(tc, test_timing_overflow);
	tcase_add_test(tc, test_secret_never_printed);
	tcase_add_test(tc, test_print_measurement);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return run_suite(launch_suite());
}
