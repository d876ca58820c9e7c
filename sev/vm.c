// SPDX-License-Identifier: MIT
/*
 * sev/vm.c: the launch of a VM that another program made (libsev, lib/).
 *
 * The program has its own vm_fd, memory and vCPUs; sevboot's machine is
 * not involved.  Each call below is one command of the launch context
 * (sev/launch.c), over the same transports sevboot uses: the kernel
 * (/dev/sev and KVM_MEMORY_ENCRYPT_OP on the vm_fd) or the firmware model
 * (sev/model/).  So each command still has one implementation; this file
 * only holds what the caller's VM adds: the transport chosen at INIT, and
 * for the model the vCPUs whose registers it measures.
 *
 * The model cannot see the caller's memory slots, so it stands in for the
 * firmware behind KVM without the kernel-rules layer (sev/model/kernel.c),
 * and every host range is checked to be readable before the model reads
 * it (what the kernel would fail to pin or copy).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "sev/launch.h"
#include "sev/model/model.h"
#include "sev/sev.h"
#include "util/kvm_uapi.h"
#include "util/util.h"

/* SEV_FEATURES bit 0, SNPActive: in every SNP VMSA (KVM sets it). */
#define SEV_FEAT_SNP_ACTIVE (1ULL << 0)

struct sev_vm {
	int vm_fd;
	struct sev_vm_config c;
	bool have_transport;
	struct sev_kvm_transport kvm;
	struct sev_model *model;
	struct sev_launch l;
	/* What the VMSAs are built from, for the model (INIT decides). */
	uint64_t vmsa_features;
	bool fpu_synced;
	int *vcpu_fds; /* the model's vCPUs, in index order */
	unsigned nvcpus, vcpu_cap;
	char err[512];
};

struct sev_vm *sev_vm_new(int vm_fd, const struct sev_vm_config *c)
{
	struct sev_vm *v = OPENSSL_zalloc(sizeof(*v));

	if (!v)
		return NULL;
	v->vm_fd = vm_fd;
	v->c = *c;
	v->kvm.sev_fd = -1;
	return v;
}

static void close_transport(struct sev_vm *v)
{
	if (v->model)
		sev_model_free(v->model);
	v->model = NULL;
	sev_kvm_transport_close(&v->kvm);
	v->have_transport = false;
}

void sev_vm_free(struct sev_vm *v)
{
	if (!v)
		return;
	close_transport(v);
	sev_model_identity_free(v->c.model_identity);
	free(v->vcpu_fds);
	OPENSSL_clear_free(v, sizeof(*v));
}

const char *sev_vm_error(const struct sev_vm *v)
{
	return v->err;
}

/* The launch context's result: its sentence, the firmware status. */
static int done(struct sev_vm *v, int ret, uint32_t *fw_error)
{
	*fw_error = v->l.last_fw_error;
	if (ret)
		set_err(v->err, sizeof(v->err), "%s", sevl_error(&v->l));
	return ret;
}

/* A refusal before any command: no firmware status. */
static int refuse(struct sev_vm *v, int ret, uint32_t *fw_error,
		  const char *what)
{
	*fw_error = SB_SEV_RET_NO_FW_CALL_U32;
	set_err(v->err, sizeof(v->err), "%s", what);
	return ret;
}

/* The model asks for vCPU index's VMSA the way KVM builds it. */
static int model_vmsa(void *ctx, unsigned index, uint8_t page[VMSA_SIZE])
{
	struct sev_vm *v = ctx;

	if (index >= v->nvcpus)
		return -ENOENT;
	return vmsa_read_vcpu(v->vcpu_fds[index], v->vmsa_features,
			      v->fpu_synced, page);
}

static int open_transport(struct sev_vm *v, enum sev_mode mode,
			  struct sev_transport *t)
{
	struct sev_model_config mc = {
		.pdh_private = v->c.model_pdh ? v->c.model_pdh_key : NULL,
		.vmsa = model_vmsa,
		.vmsa_ctx = v,
		.mode = mode,
		.identity = v->c.model_identity,
	};

	if (!v->c.model)
		return sev_kvm_transport_open(&v->kvm, v->vm_fd, t, v->err,
					      sizeof(v->err));
	v->model = sev_model_new(&mc, v->err, sizeof(v->err));
	if (!v->model)
		return -ENOMEM;
	*t = sev_transport_model(v->model);
	return 0;
}

int sev_vm_init(struct sev_vm *v, enum sev_mode mode, bool legacy,
		uint64_t vmsa_features, uint32_t *fw_error)
{
	/* A policy the mode accepts; sev_vm_launch_start() sets the real
	 * one (SNP: bit 17, which must be 1). */
	uint64_t policy = mode == SEV_MODE_SEV_ES ? SEV_POLICY_ES
			  : mode == SEV_MODE_SNP  ? 0x30000
						  : 0;
	struct sev_transport t;
	int ret;

	if (v->l.vm_initialized)
		return refuse(v, -EPROTO, fw_error,
			      "the VM is already initialized for SEV");
	close_transport(v); /* a failed INIT may be retried */
	ret = open_transport(v, mode, &t);
	if (ret) {
		*fw_error = SB_SEV_RET_NO_FW_CALL_U32;
		return ret;
	}
	v->have_transport = true;
	v->fpu_synced = !legacy;
	v->vmsa_features = vmsa_features;
	if (mode == SEV_MODE_SNP)
		v->vmsa_features |= SEV_FEAT_SNP_ACTIVE;
	ret = sevl_setup(&v->l, mode, policy, t);
	if (!ret)
		ret = sevl_vm_init(&v->l, legacy, vmsa_features);
	return done(v, ret, fw_error);
}

/* Every command after INIT needs the context INIT made.  The status
 * starts as "no firmware call", so that a command the launch context
 * refuses does not report the previous command's status. */
static int need_init(struct sev_vm *v, uint32_t *fw_error)
{
	v->l.last_fw_error = SB_SEV_RET_NO_FW_CALL_U32;
	if (v->l.vm_initialized)
		return 0;
	return refuse(v, -EPROTO, fw_error,
		      "the VM is not initialized for SEV: sev_init(), "
		      "sev_es_init() or snp_init() comes first");
}

/* The model reads (and for LAUNCH_SECRET writes) host memory the kernel
 * would pin or copy: refuse a range it could not, as the kernel would
 * fail it, rather than crash on it. */
static int need_access(struct sev_vm *v, const void *p, uint64_t len,
		       bool write, uint32_t *fw_error, const char *what)
{
	uint64_t a = (uint64_t)(uintptr_t)p;

	if (!v->model || !len ||
	    (write ? model_user_writable(a, len) : model_user_readable(a, len)))
		return 0;
	*fw_error = SB_SEV_RET_NO_FW_CALL_U32;
	set_err(v->err, sizeof(v->err),
		"%s: host memory %p (+0x%llx) cannot be %s", what, p,
		(unsigned long long)len, write ? "written" : "read");
	return -EFAULT;
}

static int need_readable(struct sev_vm *v, const void *p, uint64_t len,
			 uint32_t *fw_error, const char *what)
{
	return need_access(v, p, len, false, fw_error, what);
}

int sev_vm_add_vcpu(struct sev_vm *v, int vcpu_fd)
{
	int *fds;

	if (!v->model)
		return 0; /* KVM knows its vCPUs */
	if (v->nvcpus == v->vcpu_cap) {
		unsigned cap = v->vcpu_cap ? 2 * v->vcpu_cap : 8;

		fds = realloc(v->vcpu_fds, cap * sizeof(*fds));
		if (!fds)
			return -ENOMEM;
		v->vcpu_fds = fds;
		v->vcpu_cap = cap;
	}
	v->vcpu_fds[v->nvcpus++] = vcpu_fd;
	return 0;
}

int sev_vm_launch_start(struct sev_vm *v, uint32_t policy, const void *cert,
			const void *session, uint32_t *fw_error)
{
	int ret = need_init(v, fw_error);

	if (ret)
		return ret;
	ret = sevl_set_policy(&v->l, policy);
	if (!ret)
		ret = sevl_set_session(&v->l, cert, cert ? SEV_CERT_LEN : 0,
				       session, session ? SEV_SESSION_LEN : 0);
	if (ret) {
		*fw_error = SB_SEV_RET_NO_FW_CALL_U32;
		set_err(v->err, sizeof(v->err), "%s", sevl_error(&v->l));
		return ret;
	}
	return done(v, sevl_start(&v->l), fw_error);
}

int sev_vm_update_data(struct sev_vm *v, void *hva, uint64_t len,
		       uint32_t *fw_error)
{
	int ret = need_init(v, fw_error);

	if (!ret)
		ret = need_readable(v, hva, len, fw_error,
				    "LAUNCH_UPDATE_DATA");
	if (ret)
		return ret;
	/* The caller's VM: no GPA to name the step by. */
	return done(v, sevl_update_data(&v->l, 0, hva, len), fw_error);
}

int sev_vm_update_vmsa(struct sev_vm *v, uint32_t *fw_error)
{
	int ret = need_init(v, fw_error);

	if (ret)
		return ret;
	return done(v, sevl_update_vmsa(&v->l, v->nvcpus), fw_error);
}

int sev_vm_measure(struct sev_vm *v, uint8_t out[48], uint32_t *fw_error)
{
	int ret = need_init(v, fw_error);

	if (ret)
		return ret;
	ret = sevl_measure(&v->l);
	if (!ret)
		memcpy(out, v->l.launch_measure, SEV_LAUNCH_MEASURE_LEN);
	return done(v, ret, fw_error);
}

int sev_vm_secret(struct sev_vm *v, const void *hdr, const void *secret,
		  uint32_t len, void *guest_hva, uint32_t *fw_error)
{
	int ret = need_init(v, fw_error);

	if (!ret)
		ret = need_readable(v, secret, len, fw_error, "LAUNCH_SECRET");
	if (!ret)
		ret = need_access(v, guest_hva, len, true, fw_error,
				  "LAUNCH_SECRET");
	if (ret)
		return ret;
	return done(v,
		    sevl_secret(&v->l, hdr, SEV_PACKET_HDR_LEN, secret, len, 0,
				guest_hva),
		    fw_error);
}

int sev_vm_finish(struct sev_vm *v, uint32_t *fw_error)
{
	int ret = need_init(v, fw_error);

	if (ret)
		return ret;
	return done(v, sevl_finish(&v->l), fw_error);
}

int sev_vm_attestation(struct sev_vm *v, const uint8_t mnonce[16], void *buf,
		       uint32_t *len, uint32_t *fw_error)
{
	int ret = need_init(v, fw_error);

	if (ret)
		return ret;
	return done(v, sevl_attestation(&v->l, mnonce, buf, len), fw_error);
}

int sev_vm_snp_start(struct sev_vm *v, uint64_t policy, const uint8_t gosvw[16],
		     uint16_t flags, uint32_t *fw_error)
{
	int ret = need_init(v, fw_error);

	if (ret)
		return ret;
	ret = sevl_set_policy(&v->l, policy);
	if (ret)
		return refuse(v, ret, fw_error, sevl_error(&v->l));
	if (gosvw)
		memcpy(v->l.snp_gosvw, gosvw, sizeof(v->l.snp_gosvw));
	else
		memset(v->l.snp_gosvw, 0, sizeof(v->l.snp_gosvw));
	v->l.snp_start_flags = flags;
	return done(v, sevl_snp_start(&v->l), fw_error);
}

int sev_vm_snp_update(struct sev_vm *v, uint64_t gfn, void *hva, uint64_t len,
		      uint8_t page_type, uint32_t *fw_error)
{
	int ret = need_init(v, fw_error);

	if (!ret && gfn > UINT64_MAX / SEV_PAGE_SIZE)
		ret = refuse(v, -EINVAL, fw_error,
			     "SNP_LAUNCH_UPDATE: the guest frame number is "
			     "beyond any address");
	if (!ret && page_type != SNP_PAGE_ZERO)
		ret = need_readable(v, hva, len, fw_error, "SNP_LAUNCH_UPDATE");
	if (ret)
		return ret;
	return done(v,
		    sevl_snp_update(&v->l, gfn * SEV_PAGE_SIZE, hva, len,
				    page_type),
		    fw_error);
}

int sev_vm_snp_finish(struct sev_vm *v, const struct sev_snp_finish_args *a,
		      uint32_t *fw_error)
{
	int ret = need_init(v, fw_error);

	if (ret)
		return ret;
	return done(v, sevl_snp_finish(&v->l, a), fw_error);
}
