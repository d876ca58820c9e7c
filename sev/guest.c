// SPDX-License-Identifier: MIT
/*
 * sev/guest.c: an SNP guest's requests to the AMD Secure Processor, from
 * inside the guest: the attestation report, the derived key and the
 * extended report (the report and the hypervisor's certificates).
 *
 * Two kernel interfaces carry them:
 *  - /dev/sev-guest (Linux drivers/virt/coco/sev-guest/sev-guest.c,
 *    include/uapi/linux/sev-guest.h, Documentation/virt/coco/sev-guest.rst):
 *    one ioctl per request with struct snp_guest_request_ioctl; the
 *    firmware's answer is the MSG_REPORT_RSP / MSG_KEY_RSP message of the
 *    SNP ABI (56860, "Guest Messages"): status u32 @0, then the payload
 *    at 0x20.
 *  - configfs-tsm (Linux Documentation/ABI/testing/configfs-tsm,
 *    drivers/virt/coco/tsm.c): mkdir an entry under
 *    /sys/kernel/config/tsm/report, write inblob and privlevel, read
 *    outblob (the report) and auxblob (the certificate table), rmdir.
 *
 * The ioctl is a function pointer (struct sev_guest) so that the unit
 * tests check the marshalling against the kernel's structs with a fake
 * device.  This lives in sev/ because it is the firmware's interface, as
 * the launch is, and so that the library (lib/) can wrap it; checking a
 * report is the guest owner's (owner/report.c).  The derived key is a
 * secret: every copy here is wiped.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/crypto.h>
#include <openssl/rand.h>

#include "util/psp_uapi.h"
#include "sev/sev.h"
#include "util/util.h"

/* The guest message version the driver asks for (sev-guest.rst: 1). */
#define SNP_MSG_VERSION 1
/* MSG_REPORT_RSP / MSG_KEY_RSP (SNP ABI 56860): status, size, payload. */
#define RSP_STATUS	0x00
#define RSP_REPORT_SIZE 0x04
#define RSP_PAYLOAD	0x20
#define PAGE		4096u

static int guest_ioctl(struct sev_guest *g, unsigned long req, void *arg)
{
	if (g->ioctl)
		return g->ioctl(g->ctx, g->fd, req, arg);
	return ioctl(g->fd, req, arg);
}

int sev_guest_open(struct sev_guest *g, const char *path, char *err,
		   size_t errlen)
{
	memset(g, 0, sizeof(*g));
	g->fd = open(path ? path : SEV_GUEST_DEV_PATH, O_RDWR | O_CLOEXEC);
	if (g->fd < 0) {
		int e = errno;

		if (e == ENOENT)
			set_err(err, errlen,
				"%s does not exist: this is not an SEV-SNP "
				"guest, or its sev-guest driver is not "
				"loaded",
				path ? path : SEV_GUEST_DEV_PATH);
		else
			set_err(err, errlen, "%s cannot be opened: %s",
				path ? path : SEV_GUEST_DEV_PATH, strerror(e));
		return -e;
	}
	return 0;
}

void sev_guest_close(struct sev_guest *g)
{
	if (g && g->fd >= 0 && !g->ioctl)
		close(g->fd);
	if (g)
		g->fd = -1;
}

/* The one sentence for a failed request: what the kernel, the hypervisor
 * and the firmware said. */
static int request_failed(const char *what, int e,
			  const struct snp_guest_request_ioctl *io, int *fw_err,
			  char *err, size_t errlen)
{
	char fw[96];

	*fw_err = io->fw_error == 0xff || io->fw_error == 0 ? -1
							    : (int)io->fw_error;
	if (e == ENOTTY && !io->exitinfo2) {
		set_err(err, errlen,
			"%s: the sev-guest driver refused it (ENOTTY: its "
			"VMPCK is disabled after an earlier failure, or the "
			"ioctl is unknown)",
			what);
		return -e;
	}
	if (io->vmm_error == SNP_GUEST_VMM_ERR_BUSY) {
		set_err(err, errlen, "%s: the hypervisor is busy (retry)",
			what);
		return -EAGAIN;
	}
	if (*fw_err > 0) {
		sev_status_format(io->fw_error, fw, sizeof(fw));
		set_err(err, errlen, "%s failed: %s, firmware status %s", what,
			strerror(e), fw);
	} else if (io->vmm_error) {
		set_err(err, errlen, "%s failed: %s, hypervisor error 0x%x",
			what, strerror(e), io->vmm_error);
	} else {
		set_err(err, errlen, "%s failed: %s", what, strerror(e));
	}
	return -e;
}

/* The firmware's own status in a response message, and the payload. */
static int response_status(const char *what, const uint8_t *rsp, int *fw_err,
			   char *err, size_t errlen)
{
	uint32_t st = get_le32(rsp, RSP_STATUS);
	char fw[96];

	if (!st)
		return 0;
	*fw_err = (int)st;
	sev_status_format(st, fw, sizeof(fw));
	set_err(err, errlen, "%s: the firmware answered %s", what, fw);
	return -EIO;
}

static int report_payload(const uint8_t *rsp, uint8_t *report, size_t cap,
			  size_t *len, int *fw_err, char *err, size_t errlen)
{
	uint32_t n;
	int ret;

	ret = response_status("SNP_GET_REPORT", rsp, fw_err, err, errlen);
	if (ret)
		return ret;
	n = get_le32(rsp, RSP_REPORT_SIZE);
	if (!n || n > sizeof(struct snp_report_resp) - RSP_PAYLOAD) {
		set_err(err, errlen,
			"the firmware's report response says %u bytes, more "
			"than its %zu-byte message holds",
			n, sizeof(struct snp_report_resp) - RSP_PAYLOAD);
		return -EBADMSG;
	}
	if (n > cap) {
		set_err(err, errlen,
			"the report is %u bytes, more than the %zu "
			"expected",
			n, cap);
		return -ENOSPC;
	}
	memcpy(report, rsp + RSP_PAYLOAD, n);
	*len = n;
	return 0;
}

static void report_req(struct snp_report_req *r,
		       const uint8_t data[SEV_GUEST_REPORT_DATA_LEN],
		       uint32_t vmpl)
{
	memset(r, 0, sizeof(*r));
	memcpy(r->user_data, data, SEV_GUEST_REPORT_DATA_LEN);
	r->vmpl = vmpl;
}

int sev_guest_report(struct sev_guest *g,
		     const uint8_t data[SEV_GUEST_REPORT_DATA_LEN],
		     uint32_t vmpl, uint8_t *report, size_t cap, size_t *len,
		     int *fw_err, char *err, size_t errlen)
{
	struct snp_guest_request_ioctl io;
	struct snp_report_req req;
	struct snp_report_resp *rsp;
	int ret, dummy;

	if (!fw_err)
		fw_err = &dummy;
	*fw_err = -1;
	if (!g || !data || !report || !len || vmpl > 3) {
		set_err(err, errlen, "SNP_GET_REPORT: bad argument%s",
			vmpl > 3 ? " (VMPL must be 0 to 3)" : "");
		return -EINVAL;
	}
	rsp = calloc(1, sizeof(*rsp));
	if (!rsp) {
		set_err(err, errlen, "out of memory");
		return -ENOMEM;
	}
	report_req(&req, data, vmpl);
	memset(&io, 0, sizeof(io));
	io.msg_version = SNP_MSG_VERSION;
	io.req_data = (uintptr_t)&req;
	io.resp_data = (uintptr_t)rsp;
	if (guest_ioctl(g, SNP_GET_REPORT, &io) < 0)
		ret = request_failed("SNP_GET_REPORT", errno, &io, fw_err, err,
				     errlen);
	else
		ret = report_payload(rsp->data, report, cap, len, fw_err, err,
				     errlen);
	if (!ret)
		*fw_err = 0;
	free(rsp);
	return ret;
}

int sev_guest_derived_key(struct sev_guest *g,
			  const struct sev_guest_key_req *k,
			  uint8_t key[SEV_GUEST_KEY_LEN], int *fw_err,
			  char *err, size_t errlen)
{
	struct snp_guest_request_ioctl io;
	struct snp_derived_key_req req;
	struct snp_derived_key_resp rsp;
	int ret, dummy;

	if (!fw_err)
		fw_err = &dummy;
	*fw_err = -1;
	if (!g || !k || !key || k->vmpl > 3) {
		set_err(err, errlen, "SNP_GET_DERIVED_KEY: bad argument%s",
			k && k->vmpl > 3 ? " (VMPL must be 0 to 3)" : "");
		return -EINVAL;
	}
	memset(&req, 0, sizeof(req));
	req.root_key_select = k->root_key_select;
	req.guest_field_select = k->guest_field_select;
	req.vmpl = k->vmpl;
	req.guest_svn = k->guest_svn;
	req.tcb_version = k->tcb_version;
	memset(&rsp, 0, sizeof(rsp));
	memset(&io, 0, sizeof(io));
	io.msg_version = SNP_MSG_VERSION;
	io.req_data = (uintptr_t)&req;
	io.resp_data = (uintptr_t)&rsp;
	if (guest_ioctl(g, SNP_GET_DERIVED_KEY, &io) < 0)
		ret = request_failed("SNP_GET_DERIVED_KEY", errno, &io, fw_err,
				     err, errlen);
	else
		ret = response_status("SNP_GET_DERIVED_KEY", rsp.data, fw_err,
				      err, errlen);
	if (!ret) {
		memcpy(key, rsp.data + RSP_PAYLOAD, SEV_GUEST_KEY_LEN);
		*fw_err = 0;
	}
	OPENSSL_cleanse(&rsp, sizeof(rsp));
	return ret;
}

/* One SNP_GET_EXT_REPORT with a certificate buffer of *certs_len bytes;
 * -ENOBUFS with *certs_len the size the kernel asks for. */
static int ext_report_once(struct sev_guest *g, struct snp_ext_report_req *req,
			   struct snp_report_resp *rsp, uint8_t *certs,
			   uint32_t *certs_len, int *fw_err, char *err,
			   size_t errlen)
{
	struct snp_guest_request_ioctl io;

	req->certs_address = (uintptr_t)certs;
	req->certs_len = *certs_len;
	memset(&io, 0, sizeof(io));
	io.msg_version = SNP_MSG_VERSION;
	io.req_data = (uintptr_t)req;
	io.resp_data = (uintptr_t)rsp;
	if (guest_ioctl(g, SNP_GET_EXT_REPORT, &io) == 0)
		return 0;
	/* sev-guest.rst: too small a buffer is EIO with vmm_error
	 * INVALID_LEN and certs_len written back with the size needed. */
	if (errno == EIO && io.vmm_error == SNP_GUEST_VMM_ERR_INVALID_LEN) {
		*certs_len = req->certs_len;
		return -ENOBUFS;
	}
	return request_failed("SNP_GET_EXT_REPORT", errno, &io, fw_err, err,
			      errlen);
}

/*
 * The certificate buffer starts at one page and grows to what the kernel
 * asks for: a page-aligned size at most SEV_FW_BLOB_MAX_SIZE (the
 * driver's limits, get_ext_report()).  A kernel asking for no more than
 * it was given, or twice in a row, is answered with -EPROTO.
 */
int sev_guest_ext_report(struct sev_guest *g,
			 const uint8_t data[SEV_GUEST_REPORT_DATA_LEN],
			 uint32_t vmpl, uint8_t *report, size_t cap,
			 size_t *len, uint8_t **certs, size_t *certs_len,
			 int *fw_err, char *err, size_t errlen)
{
	struct snp_ext_report_req req;
	struct snp_report_resp *rsp;
	uint32_t have = PAGE, want;
	uint8_t *buf = NULL;
	int ret = -EPROTO, dummy;

	if (!fw_err)
		fw_err = &dummy;
	*fw_err = -1;
	if (!g || !data || !report || !len || !certs || !certs_len ||
	    vmpl > 3) {
		set_err(err, errlen, "SNP_GET_EXT_REPORT: bad argument%s",
			vmpl > 3 ? " (VMPL must be 0 to 3)" : "");
		return -EINVAL;
	}
	*certs = NULL;
	*certs_len = 0;
	rsp = calloc(1, sizeof(*rsp));
	if (!rsp) {
		set_err(err, errlen, "out of memory");
		return -ENOMEM;
	}
	memset(&req, 0, sizeof(req));
	report_req(&req.data, data, vmpl);
	for (unsigned tries = 0; tries < 2; tries++) {
		free(buf);
		buf = calloc(1, have);
		if (!buf) {
			ret = -ENOMEM;
			set_err(err, errlen, "out of memory");
			break;
		}
		want = have;
		ret = ext_report_once(g, &req, rsp, buf, &want, fw_err, err,
				      errlen);
		if (ret != -ENOBUFS)
			break;
		if (want <= have || want > SB_SEV_FW_BLOB_MAX_SIZE ||
		    want % PAGE) {
			set_err(err, errlen,
				"SNP_GET_EXT_REPORT: the kernel asked for a "
				"certificate buffer of %u bytes after %u "
				"(expected a larger multiple of 4096 up to "
				"%u)",
				want, have, SB_SEV_FW_BLOB_MAX_SIZE);
			ret = -EPROTO;
			break;
		}
		have = want;
	}
	if (ret == -ENOBUFS) {
		set_err(err, errlen,
			"SNP_GET_EXT_REPORT: the kernel asked for a larger "
			"certificate buffer twice");
		ret = -EPROTO;
	}
	if (!ret)
		ret = report_payload(rsp->data, report, cap, len, fw_err, err,
				     errlen);
	if (!ret) {
		*fw_err = 0;
		*certs = buf;
		*certs_len = have;
		buf = NULL;
	}
	free(buf);
	free(rsp);
	return ret;
}

/* ------------------------------------------------- the certificate table */

/* GHCB specification 56421, "SNP Extended Guest Request": the table's
 * GUIDs, in the EFI byte order the table stores them in. */
static const struct {
	const char *guid, *name;
} cert_guids[] = {
	{"63da758d-e664-4564-adc5-f4b93be8accd", "vcek"},
	{"a8074bc2-a25a-483e-aae6-39c045a0b8a1", "vlek"},
	{"4ab7b379-bbac-4fe4-a02f-05aef327c782", "ask"},
	{"c0b406a4-a803-4952-9743-3fb6014cd0ae", "ark"},
};

const char *sev_cert_guid_name(const struct guid *g)
{
	struct guid k;

	for (size_t i = 0; i < sizeof(cert_guids) / sizeof(cert_guids[0]); i++)
		if (!guid_parse(cert_guids[i].guid, &k) &&
		    !memcmp(k.b, g->b, GUID_LEN))
			return cert_guids[i].name;
	return NULL;
}

static bool all_zero(const uint8_t *p, size_t n)
{
	while (n--)
		if (*p++)
			return false;
	return true;
}

#define CERT_ENTRY_LEN 24 /* GUID, offset u32, length u32 */

int sev_cert_table_parse(const uint8_t *t, size_t len, struct sev_cert_entry *e,
			 size_t max, size_t *n, char *err, size_t errlen)
{
	size_t k = 0, off;

	*n = 0;
	for (off = 0;; off += CERT_ENTRY_LEN, k++) {
		uint32_t o, l;

		if (len < CERT_ENTRY_LEN || off > len - CERT_ENTRY_LEN) {
			set_err(err, errlen,
				"the certificate table has no terminating "
				"all-zero entry within its %zu bytes",
				len);
			return -EBADMSG;
		}
		if (all_zero(t + off, CERT_ENTRY_LEN))
			break;
		o = get_le32(t, off + 16);
		l = get_le32(t, off + 20);
		if (!l || o > len || l > len - o) {
			set_err(err, errlen,
				"certificate table entry %zu: offset %u and "
				"length %u fall outside its %zu bytes",
				k, o, l, len);
			return -EBADMSG;
		}
		if (k == max) {
			set_err(err, errlen,
				"the certificate table has more than %zu "
				"entries",
				max);
			return -E2BIG;
		}
		memcpy(e[k].guid.b, t + off, GUID_LEN);
		e[k].offset = o;
		e[k].length = l;
	}
	*n = k;
	return 0;
}

/* ------------------------------------------------------------ configfs-tsm */

/* Read a whole configfs attribute (up to max bytes) into *out. */
static int tsm_read(const char *entry, const char *name, size_t max,
		    uint8_t **out, size_t *len, char *err, size_t errlen)
{
	char path[4096];
	size_t cap = 4096, n = 0;
	uint8_t *buf;
	int fd;

	snprintf(path, sizeof(path), "%s/%s", entry, name);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		int e = errno;

		set_err(err, errlen, "%s: %s", path, strerror(e));
		return -e;
	}
	buf = malloc(cap);
	while (buf) {
		ssize_t r;

		if (n == cap) {
			uint8_t *b = cap >= max ? NULL : realloc(buf, cap * 2);

			if (!b) {
				int e = cap >= max ? EFBIG : ENOMEM;

				set_err(err, errlen, "%s: %s", path,
					cap >= max ? "larger than expected"
						   : "out of memory");
				free(buf);
				close(fd);
				return -e;
			}
			buf = b;
			cap *= 2;
		}
		r = read(fd, buf + n, cap - n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			int e = errno;

			/* The provider's error surfaces here, e.g. EIO. */
			set_err(err, errlen, "%s: %s", path, strerror(e));
			free(buf);
			close(fd);
			return -e;
		}
		if (!r)
			break;
		n += (size_t)r;
	}
	close(fd);
	if (!buf) {
		set_err(err, errlen, "out of memory");
		return -ENOMEM;
	}
	*out = buf;
	*len = n;
	return 0;
}

static int tsm_write(const char *entry, const char *name, const void *data,
		     size_t len, char *err, size_t errlen)
{
	char path[4096];
	ssize_t r;
	int fd, e;

	snprintf(path, sizeof(path), "%s/%s", entry, name);
	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0) {
		e = errno;
		set_err(err, errlen, "%s: %s", path, strerror(e));
		return -e;
	}
	/* configfs takes an attribute in one write. */
	do
		r = write(fd, data, len);
	while (r < 0 && errno == EINTR);
	e = r < 0 ? errno : (size_t)r != len ? EIO : 0;
	close(fd);
	if (e)
		set_err(err, errlen, "%s: %s", path, strerror(e));
	return -e;
}

/* The generation counter: it moves on every write to the entry, so a
 * change between our writes and our read means another writer
 * (configfs-tsm ABI, "generation"). */
static int tsm_generation(const char *entry, unsigned long *gen, char *err,
			  size_t errlen)
{
	uint8_t *b = NULL;
	size_t n;
	int ret = tsm_read(entry, "generation", 64, &b, &n, err, errlen);

	if (ret == -ENOENT) { /* an entry without one: nothing to check */
		*gen = 0;
		return 0;
	}
	if (!ret) {
		char text[65];

		memcpy(text, b, n < 64 ? n : 64);
		text[n < 64 ? n : 64] = '\0';
		*gen = strtoul(text, NULL, 10);
	}
	free(b);
	return ret;
}

/* The exchange on an existing entry; see sev_tsm_report(). */
int sev_tsm_entry_report(const char *entry,
			 const uint8_t data[SEV_GUEST_REPORT_DATA_LEN],
			 uint32_t vmpl, struct sev_tsm_result *r, char *err,
			 size_t errlen)
{
	unsigned long g0, g1;
	char lvl[16];
	uint8_t *prov = NULL;
	size_t plen;
	int ret;

	memset(r, 0, sizeof(*r));
	/* provider is there from the start; only sev_guest makes SNP
	 * reports. */
	ret = tsm_read(entry, "provider", 64, &prov, &plen, err, errlen);
	if (!ret) {
		while (plen && (prov[plen - 1] == '\n' || !prov[plen - 1]))
			plen--;
		if (plen != 9 || memcmp(prov, "sev_guest", 9)) {
			set_err(err, errlen,
				"%s/provider is '%.*s', not sev_guest: this "
				"is not an SEV-SNP guest",
				entry, (int)(plen > 32 ? 32 : plen), prov);
			ret = -ENODEV;
		}
		free(prov);
	}
	if (ret)
		return ret;
	snprintf(lvl, sizeof(lvl), "%u\n", vmpl);
	ret = tsm_write(entry, "inblob", data, SEV_GUEST_REPORT_DATA_LEN, err,
			errlen);
	if (!ret)
		ret = tsm_write(entry, "privlevel", lvl, strlen(lvl), err,
				errlen);
	if (!ret)
		ret = tsm_generation(entry, &g0, err, errlen);
	if (!ret)
		ret = tsm_read(entry, "outblob", 1u << 20, &r->report,
			       &r->report_len, err, errlen);
	if (!ret) {
		ret = tsm_read(entry, "auxblob", 1u << 20, &r->aux, &r->aux_len,
			       err, errlen);
		if (ret == -ENOENT || ret == -ENODATA || ret == -EOPNOTSUPP)
			ret = 0; /* an older kernel, or no certificates */
	}
	if (!ret)
		ret = tsm_generation(entry, &g1, err, errlen);
	if (!ret && g0 != g1) {
		set_err(err, errlen,
			"%s: another writer changed the entry while the "
			"report was made (generation %lu, then %lu)",
			entry, g0, g1);
		ret = -EBUSY;
	}
	if (ret)
		sev_tsm_result_free(r);
	return ret;
}

void sev_tsm_result_free(struct sev_tsm_result *r)
{
	free(r->report);
	free(r->aux);
	memset(r, 0, sizeof(*r));
}

/* rmdir the entry.  configfs removes its attributes with it; a plain
 * directory (a fake tree) needs them removed first. */
static void tsm_remove(const char *entry)
{
	DIR *d;
	struct dirent *de;

	if (!rmdir(entry) || errno != ENOTEMPTY)
		return;
	d = opendir(entry);
	if (!d)
		return;
	while ((de = readdir(d)))
		if (de->d_name[0] != '.')
			unlinkat(dirfd(d), de->d_name, 0);
	closedir(d);
	rmdir(entry);
}

int sev_tsm_report(const struct sev_tsm *t,
		   const uint8_t data[SEV_GUEST_REPORT_DATA_LEN], uint32_t vmpl,
		   struct sev_tsm_result *r, char *err, size_t errlen)
{
	const char *dir = t && t->dir ? t->dir : SEV_TSM_REPORT_PATH;
	char entry[4096];
	uint8_t rnd[8];
	char hex[17];
	int ret;

	if (!data || !r || vmpl > 3) {
		set_err(err, errlen, "configfs-tsm report: bad argument%s",
			vmpl > 3 ? " (VMPL must be 0 to 3)" : "");
		return -EINVAL;
	}
	if (RAND_bytes(rnd, sizeof(rnd)) != 1) {
		set_err(err, errlen, "the random number generator failed");
		return -EIO;
	}
	hex_encode(rnd, sizeof(rnd), hex);
	if ((size_t)snprintf(entry, sizeof(entry), "%s/sevboot-%d-%s", dir,
			     (int)getpid(), hex) >= sizeof(entry)) {
		set_err(err, errlen, "%s: the path is too long", dir);
		return -ENAMETOOLONG;
	}
	if (mkdir(entry, 0700) < 0) {
		int e = errno;

		if (e == ENOENT)
			set_err(err, errlen,
				"%s does not exist: no configfs-tsm (Linux "
				"6.7+, configfs mounted on "
				"/sys/kernel/config)",
				dir);
		else
			set_err(err, errlen, "%s: cannot make an entry: %s",
				dir, strerror(e));
		return -e;
	}
	if (t && t->after_mkdir)
		t->after_mkdir(t->ctx, entry);
	ret = sev_tsm_entry_report(entry, data, vmpl, r, err, errlen);
	tsm_remove(entry);
	return ret;
}
