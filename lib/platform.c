// SPDX-License-Identifier: MIT
/*
 * lib/platform.c: libsev's platform commands (/dev/sev, SEV_ISSUE_CMD)
 * and the SNP guest's report (/dev/sev-guest), sev(3).
 *
 * Thin: each call opens the platform (sev/platform.c) or the guest
 * device (sev/guest.c), issues the one command that sevboot's `platform`
 * and `guest` commands issue, and closes it again; the library adds the
 * API's -1, errno and fw_err, and copies into the caller's buffers.  The
 * backend is the launch calls': /dev/sev, or with SEVBOOT_BACKEND=model
 * the firmware model answering from the identity in SEVBOOT_MODEL_DIR
 * (which PDH_GEN, PEK_GEN and FACTORY_RESET rewrite, as `sevboot
 * platform --sev-model` does; PEK_CERT_IMPORT and SNP_SET_CONFIG too).
 *
 * The guest's calls copy out only when every buffer has room: a short
 * one is ENOSPC with the length needed, and the caller's buffers are left
 * as they were.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "lib/internal.h"
#include "lib/libsev.h"
#include "sev/sev.h"
#include "util/util.h"

#define NO_FW_CALL ((uint32_t)LIBSEV_NO_FW_CALL)

_Static_assert(LIBSEV_CERT_LEN == SEV_CERT_LEN, "SEV certificate size");
_Static_assert(LIBSEV_CHIP_ID_MAX >= 64, "GET_ID2's 64 bytes");
_Static_assert(LIBSEV_SNP_REPORT_LEN == SEV_MODEL_SNP_REPORT_LEN,
	       "the SNP report (SNP ABI 56860 ATTESTATION_REPORT)");
_Static_assert(LIBSEV_SNP_VLEK_HASHSTICK_LEN == SEV_VLEK_HASHSTICK_LEN,
	       "the wrapped VLEK hashstick");
_Static_assert(LIBSEV_SNP_KEY_LEN == SEV_GUEST_KEY_LEN, "the derived key");
_Static_assert(LIBSEV_SNP_FIELD_LAUNCH_MIT == SEV_GUEST_FIELD_LAUNCH_MIT &&
		       LIBSEV_SNP_FIELD_POLICY == SEV_GUEST_FIELD_POLICY,
	       "MSG_KEY_REQ's GUEST_FIELD_SELECT bits");

/* The report a guest request may carry: snp_report_resp's 4000 bytes
 * less the message header (Linux include/uapi/linux/sev-guest.h). */
#define GUEST_REPORT_MAX 4000

struct libsev_guest_fake libsev_guest_fake;

/* The platform of the backend SEVBOOT_BACKEND names, or NULL with *ret
 * (-errno) and err. */
static struct sev_platform *open_platform(bool writable, int *ret, char *err,
					  size_t errlen)
{
	const char *b = getenv("SEVBOOT_BACKEND"), *dir;
	struct sev_platform *p;
	int e = 0;

	if (!b || !*b || !strcmp(b, "kvm")) {
		p = sev_platform_open(NULL, writable, &e, err, errlen);
	} else if (!strcmp(b, "model")) {
		dir = getenv("SEVBOOT_MODEL_DIR");
		if (!dir || !*dir) {
			set_err(err, errlen,
				"SEVBOOT_BACKEND=model: the platform commands "
				"answer from the model's identity; set "
				"SEVBOOT_MODEL_DIR (sevboot model-keys DIR)");
			*ret = -EINVAL;
			return NULL;
		}
		p = sev_platform_open_model(dir, &e, err, errlen);
		if (p)
			fprintf(stderr,
				"libsev: WARNING: SEVBOOT_BACKEND=model: "
				"sevboot's software model answers, not the AMD "
				"Secure Processor\n");
		else if (e != ENOMEM)
			e = EINVAL; /* a DIR that is no identity */
	} else {
		set_err(err, errlen,
			"SEVBOOT_BACKEND=%s: unknown backend (kvm or model)",
			b);
		e = EINVAL;
		p = NULL;
	}
	*ret = p ? 0 : -e;
	return p;
}

/* The firmware status as the API's int. */
static uint32_t fw_of(int fw)
{
	return fw < 0 ? NO_FW_CALL : (uint32_t)fw;
}

/* Run one platform command: `call` uses p, fw, err. */
#define WITH_PLATFORM(writable, fw_err, call)                                  \
	({                                                                     \
		char err[512] = "";                                            \
		int fw = -1, ret;                                              \
		struct sev_platform *p =                                       \
			open_platform(writable, &ret, err, sizeof(err));       \
		if (p) {                                                       \
			ret = (call);                                          \
			sev_platform_close(p);                                 \
		}                                                              \
		libsev_result(ret, fw_of(fw), fw_err, err);                    \
	})

/* A refusal before any command. */
static int refuse(int *fw_err, int e, const char *why)
{
	return libsev_result(-e, NO_FW_CALL, fw_err, why);
}

API int sev_platform_status(struct libsev_platform_status *status, int *fw_err)
{
	struct sev_platform_status s;

	if (!status)
		return refuse(fw_err, EINVAL, "status is NULL");
	return WITH_PLATFORM(
		false, fw_err,
		sev_platform_get_status(p, &s, &fw, err, sizeof(err)) ?: ({
			memset(status, 0, sizeof(*status));
			status->api_major = s.api_major;
			status->api_minor = s.api_minor;
			status->state = s.state;
			status->build = s.build;
			status->flags = s.flags;
			status->guest_count = s.guest_count;
			0;
		}));
}

API int snp_platform_status(struct libsev_snp_platform_status *status,
			    int *fw_err)
{
	struct sev_snp_platform_status s;

	if (!status)
		return refuse(fw_err, EINVAL, "status is NULL");
	return WITH_PLATFORM(
		false, fw_err,
		sev_platform_snp_status(p, &s, &fw, err, sizeof(err)) ?: ({
			memset(status, 0, sizeof(*status));
			status->api_major = s.api_major;
			status->api_minor = s.api_minor;
			status->state = s.state;
			status->rmp_initialized = s.rmp_initialized;
			status->build_id = s.build_id;
			status->flags = s.flags;
			status->guest_count = s.guest_count;
			status->current_tcb = s.current_tcb;
			status->reported_tcb = s.reported_tcb;
			0;
		}));
}

/* *len too small (or buf NULL): ENOSPC with the length needed. */
static bool too_small(const void *buf, unsigned int *len, unsigned int need)
{
	bool small = !buf || *len < need;

	if (small)
		*len = need;
	return small;
}

API int sev_pdh_cert_export(unsigned char *pdh, unsigned int *pdh_len,
			    unsigned char *chain, unsigned int *chain_len,
			    int *fw_err)
{
	bool small;

	if (!pdh_len || !chain_len)
		return refuse(fw_err, EINVAL,
			      "pdh_len and chain_len are needed");
	small = too_small(pdh, pdh_len, LIBSEV_CERT_LEN);
	small |= too_small(chain, chain_len, 3 * LIBSEV_CERT_LEN);
	if (small)
		return refuse(fw_err, ENOSPC,
			      "PDH_CERT_EXPORT: the PDH is 2084 bytes and the "
			      "chain 6252");
	return WITH_PLATFORM(
		true, fw_err,
		sev_platform_pdh_export(p, pdh, chain, &fw, err, sizeof(err)));
}

API int sev_pek_csr(unsigned char *csr, unsigned int *csr_len, int *fw_err)
{
	uint8_t *got = NULL;
	size_t n = 0;

	if (!csr_len)
		return refuse(fw_err, EINVAL, "csr_len is needed");
	if (too_small(csr, csr_len, LIBSEV_CERT_LEN))
		return refuse(fw_err, ENOSPC, "PEK_CSR: the CSR is 2084 bytes");
	return WITH_PLATFORM(
		true, fw_err,
		sev_platform_pek_csr(p, &got, &n, &fw, err, sizeof(err)) ?: ({
			int r = n == LIBSEV_CERT_LEN ? 0 : -EPROTO;

			if (!r)
				memcpy(csr, got, n);
			free(got);
			r;
		}));
}

API int sev_get_id(unsigned char *id, unsigned int *id_len, int *fw_err)
{
	uint8_t got[LIBSEV_CHIP_ID_MAX];
	size_t n = 0;
	int ret;

	if (!id_len)
		return refuse(fw_err, EINVAL, "id_len is needed");
	ret = WITH_PLATFORM(false, fw_err,
			    sev_platform_get_id(p, got, sizeof(got), &n, &fw,
						err, sizeof(err)));
	if (ret)
		return ret;
	if (too_small(id, id_len, (unsigned int)n))
		return refuse(fw_err, ENOSPC, "GET_ID2: the buffer is short");
	memcpy(id, got, n);
	*id_len = (unsigned int)n;
	return 0;
}

API int sev_pdh_gen(int *fw_err)
{
	return WITH_PLATFORM(true, fw_err,
			     sev_platform_pdh_gen(p, &fw, err, sizeof(err)));
}

API int sev_pek_gen(int *fw_err)
{
	return WITH_PLATFORM(true, fw_err,
			     sev_platform_pek_gen(p, &fw, err, sizeof(err)));
}

API int sev_factory_reset(int *fw_err)
{
	return WITH_PLATFORM(
		true, fw_err,
		sev_platform_factory_reset(p, &fw, err, sizeof(err)));
}

API int sev_pek_cert_import(const unsigned char *pek, unsigned int pek_len,
			    const unsigned char *oca, unsigned int oca_len,
			    int *fw_err)
{
	if (!pek || !oca)
		return refuse(fw_err, EINVAL, "pek and oca are needed");
	if (pek_len != LIBSEV_CERT_LEN || oca_len != LIBSEV_CERT_LEN)
		return refuse(fw_err, EINVAL,
			      "PEK_CERT_IMPORT: each certificate is 2084 "
			      "bytes");
	return WITH_PLATFORM(true, fw_err,
			     sev_platform_pek_cert_import(p, pek, oca, &fw, err,
							  sizeof(err)));
}

API int snp_commit(int *fw_err)
{
	return WITH_PLATFORM(true, fw_err,
			     sev_platform_snp_commit(p, &fw, err, sizeof(err)));
}

API int snp_set_config(uint64_t reported_tcb, uint32_t flags, int *fw_err)
{
	if (flags &
	    ~(LIBSEV_SNP_CONFIG_MASK_CHIP_ID | LIBSEV_SNP_CONFIG_MASK_CHIP_KEY))
		return refuse(fw_err, EINVAL,
			      "SNP_SET_CONFIG: flags has bits beyond "
			      "MASK_CHIP_ID and MASK_CHIP_KEY");
	return WITH_PLATFORM(true, fw_err,
			     sev_platform_snp_set_config(
				     p, reported_tcb,
				     flags & LIBSEV_SNP_CONFIG_MASK_CHIP_ID,
				     flags & LIBSEV_SNP_CONFIG_MASK_CHIP_KEY,
				     &fw, err, sizeof(err)));
}

API int snp_vlek_load(const unsigned char *hashstick, unsigned int len,
		      int *fw_err)
{
	if (!hashstick || len != LIBSEV_SNP_VLEK_HASHSTICK_LEN)
		return refuse(fw_err, EINVAL,
			      "SNP_VLEK_LOAD: the wrapped hashstick is 432 "
			      "bytes");
	return WITH_PLATFORM(
		true, fw_err,
		sev_platform_vlek_load(p, hashstick, &fw, err, sizeof(err)));
}

/* ---------------------------------------------------- the SNP guest */

/* /dev/sev-guest, or SEVBOOT_SEV_GUEST_DEV; the tests' fake ioctl. */
static int guest_open(struct sev_guest *g, char *err, size_t errlen)
{
	const char *dev = getenv("SEVBOOT_SEV_GUEST_DEV");
	int ret = sev_guest_open(g, dev && *dev ? dev : NULL, err, errlen);

	if (!ret && libsev_guest_fake.ioctl) {
		g->ioctl = libsev_guest_fake.ioctl;
		g->ctx = libsev_guest_fake.ctx;
	}
	return ret;
}

static void guest_close(struct sev_guest *g)
{
	g->ioctl = NULL; /* the fd is ours to close, fake or not */
	sev_guest_close(g);
}

/* The request's common arguments: report_data (NULL: zeros) into data. */
static int guest_args(const unsigned char *report_data, uint32_t vmpl,
		      const unsigned int *report_len, int *fw_err,
		      uint8_t data[SEV_GUEST_REPORT_DATA_LEN])
{
	if (!report_len)
		return refuse(fw_err, EINVAL, "report_len is needed");
	if (vmpl > 3)
		return refuse(fw_err, EINVAL, "the VMPL is 0 to 3");
	memset(data, 0, SEV_GUEST_REPORT_DATA_LEN);
	if (report_data)
		memcpy(data, report_data, SEV_GUEST_REPORT_DATA_LEN);
	return 0;
}

API int snp_guest_report(const unsigned char *report_data, uint32_t vmpl,
			 unsigned char *report, unsigned int *report_len,
			 int *fw_err)
{
	uint8_t data[SEV_GUEST_REPORT_DATA_LEN];
	struct sev_guest g;
	char err[512] = "";
	size_t n = 0;
	int fw = -1, ret;

	ret = guest_args(report_data, vmpl, report_len, fw_err, data);
	if (ret)
		return ret;
	if (too_small(report, report_len, LIBSEV_SNP_REPORT_LEN))
		return refuse(fw_err, ENOSPC,
			      "SNP_GET_REPORT: the report is 1184 bytes");
	ret = guest_open(&g, err, sizeof(err));
	if (!ret) {
		ret = sev_guest_report(&g, data, vmpl, report, *report_len, &n,
				       &fw, err, sizeof(err));
		guest_close(&g);
	}
	if (!ret)
		*report_len = (unsigned int)n;
	return libsev_result(ret, fw_of(fw), fw_err, err);
}

API int snp_guest_derived_key(uint32_t root_key_select,
			      uint64_t guest_field_select, uint32_t vmpl,
			      uint32_t guest_svn, uint64_t tcb_version,
			      unsigned char *key, int *fw_err)
{
	struct sev_guest_key_req k = {
		.root_key_select = root_key_select,
		.guest_field_select = guest_field_select,
		.vmpl = vmpl,
		.guest_svn = guest_svn,
		.tcb_version = tcb_version,
	};
	struct sev_guest g;
	char err[512] = "";
	int fw = -1, ret;

	if (!key)
		return refuse(fw_err, EINVAL, "key is NULL");
	/* MSG_KEY_REQ (SNP ABI 56860): ROOT_KEY_SELECT bit 0, KEY_SEL bits
	 * 2:1 (3 is reserved); GUEST_FIELD_SELECT bits 6:0. */
	if (root_key_select & ~7u || (root_key_select >> 1) == 3)
		return refuse(fw_err, EINVAL,
			      "root_key_select: bit 0 and a KEY_SEL of 0 to "
			      "2 in bits 2:1");
	if (guest_field_select & ~0x7full)
		return refuse(fw_err, EINVAL,
			      "guest_field_select: bits 0 to 6 only");
	if (vmpl > 3)
		return refuse(fw_err, EINVAL, "the VMPL is 0 to 3");
	ret = guest_open(&g, err, sizeof(err));
	if (!ret) {
		ret = sev_guest_derived_key(&g, &k, key, &fw, err, sizeof(err));
		guest_close(&g);
	}
	return libsev_result(ret, fw_of(fw), fw_err, err);
}

API int snp_guest_ext_report(const unsigned char *report_data, uint32_t vmpl,
			     unsigned char *report, unsigned int *report_len,
			     unsigned char *certs, unsigned int *certs_len,
			     int *fw_err)
{
	uint8_t data[SEV_GUEST_REPORT_DATA_LEN], rep[GUEST_REPORT_MAX];
	uint8_t *table = NULL;
	struct sev_guest g;
	char err[512] = "";
	size_t n = 0, tlen = 0;
	int fw = -1, ret;

	if (!certs_len)
		return refuse(fw_err, EINVAL, "certs_len is needed");
	ret = guest_args(report_data, vmpl, report_len, fw_err, data);
	if (ret)
		return ret;
	if (too_small(report, report_len, LIBSEV_SNP_REPORT_LEN))
		return refuse(fw_err, ENOSPC,
			      "SNP_GET_EXT_REPORT: the report is 1184 bytes");
	ret = guest_open(&g, err, sizeof(err));
	if (!ret) {
		/* The certificate buffer grows to what the kernel asks. */
		ret = sev_guest_ext_report(&g, data, vmpl, rep, sizeof(rep), &n,
					   &table, &tlen, &fw, err,
					   sizeof(err));
		guest_close(&g);
	}
	/* Both lengths are checked before either buffer is written. */
	if (!ret && (!certs || tlen > *certs_len)) {
		*certs_len = (unsigned int)tlen;
		ret = -ENOSPC;
	}
	if ((!ret || ret == -ENOSPC) && n > *report_len) {
		*report_len = (unsigned int)n;
		ret = -ENOSPC;
	}
	if (ret == -ENOSPC) {
		set_err(err, sizeof(err),
			"SNP_GET_EXT_REPORT: the report is %zu bytes and the "
			"certificate table %zu, a buffer is short",
			n, tlen);
		fw = -1;
	} else if (!ret) {
		memcpy(report, rep, n);
		*report_len = (unsigned int)n;
		memcpy(certs, table, tlen);
		*certs_len = (unsigned int)tlen;
	}
	free(table);
	return libsev_result(ret, fw_of(fw), fw_err, err);
}

API int snp_guest_tsm_report(const unsigned char *report_data, uint32_t vmpl,
			     unsigned char *report, unsigned int *report_len,
			     unsigned char *aux, unsigned int *aux_len,
			     int *fw_err)
{
	const char *dir = getenv("SEVBOOT_TSM_DIR");
	struct sev_tsm t = {
		.dir = dir && *dir ? dir : NULL,
		.after_mkdir = libsev_guest_fake.after_mkdir,
		.ctx = libsev_guest_fake.ctx,
	};
	uint8_t data[SEV_GUEST_REPORT_DATA_LEN];
	struct sev_tsm_result r;
	char err[512] = "";
	int ret;

	if (aux && !aux_len)
		return refuse(fw_err, EINVAL, "aux without aux_len");
	ret = guest_args(report_data, vmpl, report_len, fw_err, data);
	if (ret)
		return ret;
	if (too_small(report, report_len, LIBSEV_SNP_REPORT_LEN))
		return refuse(fw_err, ENOSPC,
			      "configfs-tsm: the report is 1184 bytes");
	ret = sev_tsm_report(&t, data, vmpl, &r, err, sizeof(err));
	if (ret)
		return libsev_result(ret, NO_FW_CALL, fw_err, err);
	/* Both lengths are checked before either buffer is written. */
	if (r.report_len > *report_len) {
		*report_len = (unsigned int)r.report_len;
		ret = -ENOSPC;
	}
	if (aux_len && r.aux_len && (!aux || r.aux_len > *aux_len)) {
		*aux_len = (unsigned int)r.aux_len;
		ret = -ENOSPC;
	}
	if (ret) {
		set_err(err, sizeof(err),
			"configfs-tsm: the report is %zu bytes and the "
			"auxblob %zu, a buffer is short",
			r.report_len, r.aux_len);
	} else {
		memcpy(report, r.report, r.report_len);
		*report_len = (unsigned int)r.report_len;
		if (aux_len && r.aux_len)
			memcpy(aux, r.aux, r.aux_len);
		if (aux_len)
			*aux_len = (unsigned int)r.aux_len;
	}
	sev_tsm_result_free(&r);
	/* configfs-tsm passes no firmware status on. */
	return libsev_result(ret, ret ? NO_FW_CALL : 0, fw_err, err);
}
