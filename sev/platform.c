// SPDX-License-Identifier: MIT
/*
 * sev/platform.c: the AMD Secure Processor's platform commands, as
 * /dev/sev takes them (Linux include/uapi/linux/psp-sev.h,
 * drivers/crypto/ccp/sev-dev.c sev_ioctl()): SEV_ISSUE_CMD with the
 * kernel's struct for each command.
 *
 * A platform is a transport's platform_cmd (sev/launch.h): the real one
 * is the launch's own (sev/kvm.c, ioctl on /dev/sev), the model's answers
 * from its state (sev/model/).  Each call is one function returning 0 or
 * -errno, with the firmware status in *fw_err (SEV_RET_*, -1 when the
 * command never reached the firmware) and one sentence in err.  Commands
 * that hand back a buffer ask for its length first (the firmware answers
 * SEV_RET_INVALID_LEN with the length written back), as the kernel
 * documents for PEK_CSR, PDH_CERT_EXPORT and GET_ID2.
 *
 * The model's identity is the state directory `sevboot model-keys DIR`
 * makes (sev_model_identity_load; sev/model/identity.c): the model
 * answers from it, and what PDH_GEN, PEK_GEN, FACTORY_RESET,
 * PEK_CERT_IMPORT and SNP_SET_CONFIG change is written back to DIR at
 * once (sev_model_identity_store).  A DIR of an
 * older sevboot holds a PDH key pair only: legacy_pdh_load() and
 * legacy_pdh_store() read and write it, and the model answers what it
 * can without a chain.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/crypto.h>
#include <openssl/rand.h>

#include "util/psp_uapi.h"
#include "sev/launch.h"
#include "sev/model/model.h"
#include "sev/sev.h"
#include "util/util.h"

_Static_assert(SEV_VLEK_HASHSTICK_LEN == SB_SNP_VLEK_HASHSTICK_LEN,
	       "the wrapped VLEK hashstick is 432 bytes");

struct sev_platform {
	struct sev_transport t;
	struct sev_kvm_transport kvm;  /* the real one's fds */
	struct sev_model *model;       /* or the model */
	struct sev_model_identity *id; /* its identity, or NULL (pdh.key) */
	char dir[4096];		       /* its identity's directory */
};

/* ------------------------------------------------------ the model's identity
 */

/* An older DIR's PDH private key, DIR/pdh.key (48 bytes, 0600). */
static int legacy_pdh_load(const char *dir, uint8_t d[48], char *err,
			   size_t errlen)
{
	char path[4096], why[256] = "";
	struct blob b;
	int ret;

	if ((size_t)snprintf(path, sizeof(path), "%s/pdh.key", dir) >=
	    sizeof(path)) {
		set_err(err, errlen, "%s: the path is too long", dir);
		return -ENAMETOOLONG;
	}
	ret = file_read_private(path, 48, &b, why, sizeof(why));
	if (!ret && b.len != 48)
		ret = -EINVAL;
	if (ret == -ENOENT)
		set_err(err, errlen,
			"%s: %s (make the model's identity with `sevboot "
			"model-keys %s`)",
			path, why, dir);
	else if (ret == -EINVAL || ret == -EFBIG)
		set_err(err, errlen, "%s: expected a 48-byte P-384 private key",
			path);
	else if (ret)
		set_err(err, errlen, "%s: %s", path, why);
	else
		memcpy(d, b.data, 48);
	if (b.data)
		OPENSSL_cleanse(b.data, b.len);
	blob_free(&b);
	return ret;
}

/* DIR/name replaced by len bytes, through a temporary file and rename. */
static int replace_file(const char *dir, const char *name, const void *p,
			size_t len, mode_t mode, char *err, size_t errlen)
{
	char path[4096], tmp[4200];
	int fd, e = 0;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	snprintf(tmp, sizeof(tmp), "%s/.%s.%d.tmp", dir, name, (int)getpid());
	fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
		  mode);
	if (fd < 0) {
		e = errno;
	} else {
		if (write(fd, p, len) != (ssize_t)len || fsync(fd) < 0)
			e = errno ? errno : EIO;
		if (close(fd) < 0 && !e)
			e = errno;
		if (!e && rename(tmp, path) < 0)
			e = errno;
		if (e)
			unlink(tmp);
	}
	if (e)
		set_err(err, errlen, "%s: %s", path, strerror(e));
	return -e;
}

/* After PDH_GEN on an older DIR: the new PDH key and certificate. */
static int legacy_pdh_store(struct sev_platform *p, char *err, size_t errlen)
{
	uint8_t d[48], cert[SEV_CERT_LEN];
	int ret;

	ret = sev_p384_private(p->model->pdh, d);
	if (!ret)
		ret = sev_model_pdh_cert(p->model, cert);
	if (ret) {
		set_err(err, errlen, "cannot read the model's new PDH key");
		OPENSSL_cleanse(d, sizeof(d));
		return -ENOMEM;
	}
	ret = replace_file(p->dir, "pdh.key", d, sizeof(d), 0600, err, errlen);
	OPENSSL_cleanse(d, sizeof(d));
	if (!ret)
		ret = replace_file(p->dir, "pdh.cert", cert, sizeof(cert), 0644,
				   err, errlen);
	return ret;
}

/* ------------------------------------------------------------ open/close */

struct sev_platform *sev_platform_open(const char *path, bool writable,
				       int *errnum, char *err, size_t errlen)
{
	struct sev_platform *p = calloc(1, sizeof(*p));
	const char *dev = path ? path : SEV_DEV_PATH;
	int fd, e;

	if (!p) {
		*errnum = ENOMEM;
		set_err(err, errlen, "out of memory");
		return NULL;
	}
	fd = open(dev, (writable ? O_RDWR : O_RDONLY) | O_CLOEXEC);
	if (fd < 0) {
		e = errno;
		if (e == ENOENT)
			set_err(err, errlen,
				"%s does not exist: the ccp driver is not "
				"loaded or the PSP is not enabled",
				dev);
		else if (e == EACCES)
			set_err(err, errlen,
				"%s cannot be opened%s: permission denied "
				"(run as root)",
				dev, writable ? " for writing" : "");
		else
			set_err(err, errlen, "%s cannot be opened: %s", dev,
				strerror(e));
		free(p);
		*errnum = e;
		return NULL;
	}
	p->t = sev_transport_kvm(&p->kvm, -1, fd);
	return p;
}

struct sev_platform *sev_platform_open_model(const char *dir, int *errnum,
					     char *err, size_t errlen)
{
	struct sev_model_config c = {.mode = SEV_MODE_SEV_ES};
	struct sev_platform *p = calloc(1, sizeof(*p));
	uint8_t d[48];
	int ret;

	if (!p) {
		*errnum = ENOMEM;
		set_err(err, errlen, "out of memory");
		return NULL;
	}
	snprintf(p->dir, sizeof(p->dir), "%s", dir);
	ret = sev_model_identity_load(dir, &p->id, err, errlen);
	if (!ret) {
		c.platform_identity = p->id;
		p->model = sev_model_new(&c, err, errlen);
		ret = p->model ? 0 : -ENOMEM;
	} else if (ret == -ENODATA) {
		/* An older DIR: its PDH key alone. */
		ret = legacy_pdh_load(dir, d, err, errlen);
		c.pdh_private = d;
		if (!ret)
			p->model = sev_model_new(&c, err, errlen);
		if (!ret && !p->model)
			ret = -EINVAL;
	}
	OPENSSL_cleanse(d, sizeof(d));
	if (ret) {
		sev_model_identity_free(p->id);
		free(p);
		*errnum = -ret;
		return NULL;
	}
	p->kvm.sev_fd = -1;
	p->t = sev_transport_model(p->model);
	return p;
}

bool sev_platform_is_model(const struct sev_platform *p)
{
	return p && p->model;
}

void sev_platform_close(struct sev_platform *p)
{
	if (!p)
		return;
	if (p->model)
		sev_model_free(p->model);
	sev_model_identity_free(p->id);
	if (!p->model && p->kvm.sev_fd >= 0)
		close(p->kvm.sev_fd);
	free(p);
}

/* ------------------------------------------------------------ commands */

static int issue(struct sev_platform *p, const char *name, uint32_t cmd,
		 void *data, int *fw_err, char *err, size_t errlen)
{
	uint32_t fw = SB_SEV_RET_NO_FW_CALL_U32;
	char st[96];
	int ret;

	ret = p->t.ops->platform_cmd(p->t.ctx, cmd, data, &fw);
	*fw_err = fw == SB_SEV_RET_NO_FW_CALL_U32 ? -1 : (int)fw;
	if (!ret)
		return 0;
	if (ret == -EOPNOTSUPP && p->model && !p->id)
		set_err(err, errlen,
			"%s: the firmware model cannot answer it from %s, "
			"which holds only a PDH key (the layout of an older "
			"sevboot: no PEK, OCA or CEK); `sevboot model-keys "
			"NEWDIR` makes a whole identity",
			name, p->dir);
	else if (ret == -EOPNOTSUPP && p->model)
		set_err(err, errlen,
			"%s: the firmware model answers it only for a state "
			"directory it may rewrite",
			name);
	else if (ret == -EPERM)
		set_err(err, errlen,
			"%s: the kernel refused it (EPERM: it changes the "
			"platform, which needs /dev/sev opened for writing, "
			"as root)",
			name);
	else if (*fw_err > 0) {
		sev_status_format(fw, st, sizeof(st));
		set_err(err, errlen, "%s failed: %s, firmware status %s", name,
			strerror(-ret), st);
	} else {
		set_err(err, errlen, "%s failed: %s", name, strerror(-ret));
	}
	return ret;
}

#define PLATFORM_ARGS(p, fw_err)                                               \
	if (!(p) || !(fw_err))                                                 \
		return -EINVAL;                                                \
	*(fw_err) = -1

/* The reply of SEV_PLATFORM_STATUS or SNP_PLATFORM_STATUS. */
union status_reply {
	struct sev_user_data_status sev;
	struct sb_sev_user_data_snp_status snp;
};

/* Either status command, its reply zeroed first; out is the caller's
 * result, which must be there. */
static int status_query(struct sev_platform *p, bool snp, const void *out,
			union status_reply *st, int *fw_err, char *err,
			size_t errlen)
{
	PLATFORM_ARGS(p, fw_err);
	if (!out)
		return -EINVAL;
	memset(st, 0, sizeof(*st));
	if (snp)
		return issue(p, "SNP_PLATFORM_STATUS", SNP_PLATFORM_STATUS,
			     &st->snp, fw_err, err, errlen);
	return issue(p, "SEV_PLATFORM_STATUS", SEV_PLATFORM_STATUS, &st->sev,
		     fw_err, err, errlen);
}

int sev_platform_get_status(struct sev_platform *p,
			    struct sev_platform_status *s, int *fw_err,
			    char *err, size_t errlen)
{
	union status_reply st;
	int ret = status_query(p, false, s, &st, fw_err, err, errlen);

	if (ret)
		return ret;
	*s = (struct sev_platform_status){
		.api_major = st.sev.api_major,
		.api_minor = st.sev.api_minor,
		.state = st.sev.state,
		.flags = st.sev.flags,
		.build = st.sev.build,
		.guest_count = st.sev.guest_count,
	};
	return 0;
}

int sev_platform_snp_status(struct sev_platform *p,
			    struct sev_snp_platform_status *s, int *fw_err,
			    char *err, size_t errlen)
{
	union status_reply st;
	int ret = status_query(p, true, s, &st, fw_err, err, errlen);

	if (ret)
		return ret;
	*s = (struct sev_snp_platform_status){
		.api_major = st.snp.api_major,
		.api_minor = st.snp.api_minor,
		.state = st.snp.state,
		.rmp_initialized =
			st.snp.rmp_flags & SB_SNP_STATUS_RMP_INITIALIZED,
		.build_id = st.snp.build_id,
		.flags = st.snp.flags,
		.guest_count = st.snp.guest_count,
		.current_tcb = st.snp.current_tcb_version,
		.reported_tcb = st.snp.reported_tcb_version,
	};
	return 0;
}

/* What the model changed goes back to DIR, whole. */
static int model_store(struct sev_platform *p, char *err, size_t errlen)
{
	return p->model && p->id
		       ? sev_model_identity_store(p->id, p->dir, err, errlen)
		       : 0;
}

/* The commands without an argument. */
static int simple(struct sev_platform *p, const char *name, uint32_t cmd,
		  int *fw_err, char *err, size_t errlen)
{
	int ret;

	PLATFORM_ARGS(p, fw_err);
	ret = issue(p, name, cmd, NULL, fw_err, err, errlen);
	if (ret || !p->model)
		return ret;
	/* What the model changed goes back to DIR, whole. */
	if (p->id && (cmd == SEV_PDH_GEN || cmd == SEV_PEK_GEN ||
		      cmd == SEV_FACTORY_RESET || cmd == SNP_COMMIT))
		ret = model_store(p, err, errlen);
	else if (!p->id && cmd == SEV_PDH_GEN)
		ret = legacy_pdh_store(p, err, errlen);
	return ret;
}

int sev_platform_factory_reset(struct sev_platform *p, int *fw_err, char *err,
			       size_t errlen)
{
	return simple(p, "SEV_FACTORY_RESET", SEV_FACTORY_RESET, fw_err, err,
		      errlen);
}

int sev_platform_pek_gen(struct sev_platform *p, int *fw_err, char *err,
			 size_t errlen)
{
	return simple(p, "SEV_PEK_GEN", SEV_PEK_GEN, fw_err, err, errlen);
}

int sev_platform_pdh_gen(struct sev_platform *p, int *fw_err, char *err,
			 size_t errlen)
{
	return simple(p, "SEV_PDH_GEN", SEV_PDH_GEN, fw_err, err, errlen);
}

int sev_platform_snp_commit(struct sev_platform *p, int *fw_err, char *err,
			    size_t errlen)
{
	return simple(p, "SNP_COMMIT", SNP_COMMIT, fw_err, err, errlen);
}

int sev_platform_pek_csr(struct sev_platform *p, uint8_t **csr, size_t *len,
			 int *fw_err, char *err, size_t errlen)
{
	struct sev_user_data_pek_csr c = {0};
	uint8_t *buf;
	int ret;

	PLATFORM_ARGS(p, fw_err);
	if (!csr || !len)
		return -EINVAL;
	/* Length 0: the firmware says how long the CSR is. */
	ret = issue(p, "SEV_PEK_CSR", SEV_PEK_CSR, &c, fw_err, err, errlen);
	if (ret && *fw_err != SEV_RET_INVALID_LEN)
		return ret;
	if (!c.length || c.length > 0x10000) {
		set_err(err, errlen,
			"SEV_PEK_CSR: the firmware asked for %u "
			"bytes",
			c.length);
		return -EPROTO;
	}
	buf = calloc(1, c.length);
	if (!buf)
		return -ENOMEM;
	c.address = (uintptr_t)buf;
	ret = issue(p, "SEV_PEK_CSR", SEV_PEK_CSR, &c, fw_err, err, errlen);
	if (ret) {
		free(buf);
		return ret;
	}
	*csr = buf;
	*len = c.length;
	return 0;
}

int sev_platform_pek_cert_import(struct sev_platform *p,
				 const uint8_t pek[SEV_CERT_LEN],
				 const uint8_t oca[SEV_CERT_LEN], int *fw_err,
				 char *err, size_t errlen)
{
	struct sev_user_data_pek_cert_import c = {0};

	PLATFORM_ARGS(p, fw_err);
	if (!pek || !oca)
		return -EINVAL;
	c.pek_cert_address = (uintptr_t)pek;
	c.pek_cert_len = SEV_CERT_LEN;
	c.oca_cert_address = (uintptr_t)oca;
	c.oca_cert_len = SEV_CERT_LEN;
	return issue(p, "SEV_PEK_CERT_IMPORT", SEV_PEK_CERT_IMPORT, &c, fw_err,
		     err, errlen)
		       ?: model_store(p, err, errlen);
}

int sev_platform_pdh_export(struct sev_platform *p, uint8_t pdh[SEV_CERT_LEN],
			    uint8_t chain[3 * SEV_CERT_LEN], int *fw_err,
			    char *err, size_t errlen)
{
	struct sev_user_data_pdh_cert_export c = {0};
	int ret;

	PLATFORM_ARGS(p, fw_err);
	if (!pdh || !chain)
		return -EINVAL;
	/* Lengths 0: the firmware says what it needs. */
	ret = issue(p, "SEV_PDH_CERT_EXPORT", SEV_PDH_CERT_EXPORT, &c, fw_err,
		    err, errlen);
	if (ret && *fw_err != SEV_RET_INVALID_LEN)
		return ret;
	if (c.pdh_cert_len != SEV_CERT_LEN ||
	    c.cert_chain_len != 3 * SEV_CERT_LEN) {
		set_err(err, errlen,
			"SEV_PDH_CERT_EXPORT: the firmware asked for a %u-byte "
			"PDH and a %u-byte chain (expected %u and %u)",
			c.pdh_cert_len, c.cert_chain_len, SEV_CERT_LEN,
			3 * SEV_CERT_LEN);
		return -EPROTO;
	}
	c.pdh_cert_address = (uintptr_t)pdh;
	c.cert_chain_address = (uintptr_t)chain;
	return issue(p, "SEV_PDH_CERT_EXPORT", SEV_PDH_CERT_EXPORT, &c, fw_err,
		     err, errlen);
}

int sev_platform_get_id(struct sev_platform *p, uint8_t *id, size_t cap,
			size_t *len, int *fw_err, char *err, size_t errlen)
{
	struct sev_user_data_get_id2 g = {0};
	int ret;

	PLATFORM_ARGS(p, fw_err);
	if (!id || !len)
		return -EINVAL;
	ret = issue(p, "SEV_GET_ID2", SEV_GET_ID2, &g, fw_err, err, errlen);
	if (ret && *fw_err != SEV_RET_INVALID_LEN)
		return ret;
	if (!g.length || g.length > cap) {
		set_err(err, errlen,
			"SEV_GET_ID2: the firmware asked for %u bytes "
			"(expected 1 to %zu)",
			g.length, cap);
		return -EPROTO;
	}
	g.address = (uintptr_t)id;
	ret = issue(p, "SEV_GET_ID2", SEV_GET_ID2, &g, fw_err, err, errlen);
	if (!ret)
		*len = g.length;
	return ret;
}

int sev_platform_snp_set_config(struct sev_platform *p, uint64_t reported_tcb,
				bool mask_chip_id, bool mask_chip_key,
				int *fw_err, char *err, size_t errlen)
{
	struct sb_sev_user_data_snp_config c;

	PLATFORM_ARGS(p, fw_err);
	memset(&c, 0, sizeof(c));
	c.reported_tcb = reported_tcb;
	c.flags = (mask_chip_id ? SB_SNP_CONFIG_MASK_CHIP_ID : 0) |
		  (mask_chip_key ? SB_SNP_CONFIG_MASK_CHIP_KEY : 0);
	return issue(p, "SNP_SET_CONFIG", SNP_SET_CONFIG, &c, fw_err, err,
		     errlen)
		       ?: model_store(p, err, errlen);
}

int sev_platform_vlek_load(struct sev_platform *p,
			   const uint8_t hashstick[SEV_VLEK_HASHSTICK_LEN],
			   int *fw_err, char *err, size_t errlen)
{
	struct sb_sev_user_data_snp_vlek_load v;
	char st[96];
	int ret;

	PLATFORM_ARGS(p, fw_err);
	if (!hashstick)
		return -EINVAL;
	/* The kernel wants len == sizeof and version 0
	 * (sev_ioctl_do_snp_vlek_load()). */
	memset(&v, 0, sizeof(v));
	v.len = sizeof(v);
	v.vlek_wrapped_address = (uintptr_t)hashstick;
	ret = issue(p, "SNP_VLEK_LOAD", SNP_VLEK_LOAD, &v, fw_err, err, errlen);
	if (ret && p->model && *fw_err > 0) {
		sev_status_format((uint32_t)*fw_err, st, sizeof(st));
		set_err(err, errlen,
			"SNP_VLEK_LOAD failed: firmware status %s: the "
			"firmware "
			"model holds no VLEK and no chip key AMD wrapped one "
			"for, so it unwraps no hashstick (%s)",
			st,
			*fw_err == SEV_RET_BAD_SVN
				? "this one's TCB is not the REPORTED_TCB "
				  "either"
				: "SNP ABI 56860 SNP_VLEK_LOAD");
	}
	return ret;
}

/*
 * The SEV chain as `sevctl export` writes it (virtee/sevctl src/main.rs
 * chain() and export::cmd()): PDH_CERT_EXPORT's PDH, PEK and OCA, and
 * the CEK as AMD's KDS gives it, signed by the ASK (the firmware's own
 * is unsigned: AMD-ASPFW sev_plat.c pdh_cert_chain_init()); with full,
 * the ASK and the ARK after them.  The model's KDS is its identity
 * (cek.cert, ask.cert, ark.cert).  On /dev/sev the CEK stays the
 * firmware's (sevboot does not fetch it from the KDS) and full is
 * refused.
 */
int sev_platform_sev_chain(struct sev_platform *p, bool full, uint8_t **out,
			   size_t *len, int *fw_err, char *err, size_t errlen)
{
	static const enum sev_model_cert ca[] = {SEV_MODEL_ASK, SEV_MODEL_ARK};
	size_t n = 4 * SEV_CERT_LEN, k_len;
	uint8_t *buf;
	int ret;

	PLATFORM_ARGS(p, fw_err);
	if (!out || !len)
		return -EINVAL;
	if (p->model && !p->id) {
		set_err(err, errlen,
			"SEV_PDH_CERT_EXPORT: %s holds only a PDH key (the "
			"layout of an older sevboot): no PEK, OCA or CEK "
			"signs it, so there is no chain to export (its PDH is "
			"%s/pdh.cert); `sevboot model-keys NEWDIR` makes a "
			"whole identity",
			p->dir, p->dir);
		return -EOPNOTSUPP;
	}
	if (full && !p->id) {
		set_err(err, errlen,
			"export --full: the ASK-signed CEK and the CA chain "
			"come from AMD's KDS "
			"(kdsintf.amd.com/cek/id/<get-id>), "
			"which sevboot does not fetch for %s",
			SEV_DEV_PATH);
		return -EOPNOTSUPP;
	}
	if (full)
		n += 2 * SEV_MODEL_AMD_CERT_LEN;
	buf = calloc(1, n);
	if (!buf)
		return -ENOMEM;
	ret = sev_platform_pdh_export(p, buf, buf + SEV_CERT_LEN, fw_err, err,
				      errlen);
	if (!ret && p->id)
		memcpy(buf + 3 * SEV_CERT_LEN,
		       sev_model_identity_cert(p->id, SEV_MODEL_CEK, NULL),
		       SEV_CERT_LEN);
	for (unsigned k = 0; !ret && full && k < 2; k++)
		memcpy(buf + 4 * SEV_CERT_LEN + k * SEV_MODEL_AMD_CERT_LEN,
		       sev_model_identity_cert(p->id, ca[k], &k_len),
		       SEV_MODEL_AMD_CERT_LEN);
	if (ret) {
		free(buf);
		return ret;
	}
	*out = buf;
	*len = n;
	return 0;
}
