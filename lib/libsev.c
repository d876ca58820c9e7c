// SPDX-License-Identifier: MIT
/*
 * lib/libsev.c: the libsev C API (sev(3), lib/libsev.h).
 *
 * Thin: each function checks its arguments, finds the VM's launch by its
 * fd and calls the one implementation of the command in sev/ (sev/vm.c
 * over the launch context sev/launch.c and its transports), then turns
 * the result into the API's -1, errno and fw_err.  What the library adds is
 * the table of VMs, keyed by vm_fd and guarded by one mutex (so calls are
 * serialised across the process), and the backend: the kernel, or with
 * SEVBOOT_BACKEND=model the firmware model (NOT confidential, and said
 * so on stderr at every INIT).
 *
 * Only the names in libsev.h are exported (lib/libsev.map, and everything
 * else is built with -fvisibility=hidden).
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/crypto.h>

#include "lib/internal.h"
#include "lib/libsev.h"
#include "loader/loader.h"
#include "sev/sev.h"
#include "util/util.h"

/* sev/vm.c's "no firmware command" status, as the API's int. */
#define NO_FW_CALL ((uint32_t)LIBSEV_NO_FW_CALL)

_Static_assert(LIBSEV_CERT_LEN == SEV_CERT_LEN, "GODH certificate size");
_Static_assert(LIBSEV_SESSION_LEN == SEV_SESSION_LEN, "session size");
_Static_assert(LIBSEV_SECRET_HEADER_LEN == SEV_PACKET_HDR_LEN,
	       "secret header size");
_Static_assert(LIBSEV_SNP_HOST_DATA_LEN == SEV_SNP_HOST_DATA_LEN,
	       "host data size");
_Static_assert(LIBSEV_SNP_PAGE_NORMAL == SNP_PAGE_NORMAL &&
		       LIBSEV_SNP_PAGE_ZERO == SNP_PAGE_ZERO &&
		       LIBSEV_SNP_PAGE_UNMEASURED == SNP_PAGE_UNMEASURED &&
		       LIBSEV_SNP_PAGE_SECRETS == SNP_PAGE_SECRETS &&
		       LIBSEV_SNP_PAGE_CPUID == SNP_PAGE_CPUID,
	       "SNP page types");

/* ------------------------------------------------------- the fd checks */

/*
 * Is fd a KVM VM ("kvm-vm") or vCPU ("kvm-vcpu:")?  KVM makes them as
 * anonymous inodes with those names (Linux virt/kvm/kvm_main.c
 * kvm_dev_ioctl_create_vm(), create_vcpu_fd()), which /proc/self/fd
 * shows.  0; -EBADF for a closed fd; -ENOTTY for another file (what the
 * KVM ioctl would answer).  Without /proc the kernel judges instead.
 */
static int fd_kind_proc(int fd, const char *kind)
{
	char path[64], link[64];
	ssize_t n;

	if (fd < 0 || fcntl(fd, F_GETFD) < 0)
		return -EBADF;
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	n = readlink(path, link, sizeof(link) - 1);
	if (n < 0)
		return 0;
	link[n] = '\0';
	if (strncmp(link, "anon_inode:", 11) ||
	    strncmp(link + 11, kind, strlen(kind)))
		return -ENOTTY;
	if (kind[strlen(kind) - 1] != ':' && link[11 + strlen(kind)])
		return -ENOTTY;
	return 0;
}

/* The unit tests (tests/unit/test_libsev.c) stand a memfd in for a VM by
 * replacing this; it is not exported. */
int (*libsev_fd_kind)(int fd, const char *kind) = fd_kind_proc;

/* ------------------------------------------------------ the VM table */

struct vm_entry {
	int fd;
	dev_t dev; /* which file the fd was at INIT: a reused number */
	ino_t ino; /* belongs to another VM, and the entry is stale */
	struct sev_vm *vm;
};

static pthread_mutex_t vms_lock = PTHREAD_MUTEX_INITIALIZER;
static struct vm_entry *vms;
static size_t nvms, vms_cap;

static void drop(size_t i)
{
	sev_vm_free(vms[i].vm);
	vms[i] = vms[--nvms];
}

/* The live entry of fd (stale ones are dropped), or NULL. */
static struct vm_entry *lookup(int fd)
{
	struct stat st;

	for (size_t i = 0; i < nvms; i++) {
		if (vms[i].fd != fd)
			continue;
		if (!fstat(fd, &st) && st.st_dev == vms[i].dev &&
		    st.st_ino == vms[i].ino)
			return &vms[i];
		drop(i);
		return NULL;
	}
	return NULL;
}

static struct vm_entry *add(int fd, struct sev_vm *vm)
{
	struct stat st;

	if (fstat(fd, &st))
		return NULL;
	if (nvms == vms_cap) {
		size_t cap = vms_cap ? 2 * vms_cap : 8;
		struct vm_entry *n = realloc(vms, cap * sizeof(*n));

		if (!n)
			return NULL;
		vms = n;
		vms_cap = cap;
	}
	vms[nvms] = (struct vm_entry){
		.fd = fd, .dev = st.st_dev, .ino = st.st_ino, .vm = vm};
	return &vms[nvms++];
}

/* At unload: the launches' state, wiped (sev_vm_free). */
__attribute__((destructor)) static void libsev_fini(void)
{
	pthread_mutex_lock(&vms_lock);
	while (nvms)
		drop(nvms - 1);
	free(vms);
	vms = NULL;
	vms_cap = 0;
	pthread_mutex_unlock(&vms_lock);
}

/* ------------------------------------------------------------ results */

int libsev_result(int ret, uint32_t fw, int *fw_err, const char *why)
{
	if (fw_err)
		*fw_err = (int)fw;
	if (!ret)
		return 0;
	if (why && *why && getenv("LIBSEV_VERBOSE"))
		fprintf(stderr, "libsev: %s\n", why);
	errno = -ret;
	return -1;
}

static int result(int ret, uint32_t fw, int *fw_err, const char *why)
{
	return libsev_result(ret, fw, fw_err, why);
}

/* A refusal before the launch was reached: no firmware command. */
static int fail(int ret, int *fw_err, const char *why)
{
	return result(ret, NO_FW_CALL, fw_err, why);
}

/* ------------------------------------------------------------ backend */

/* An older SEVBOOT_MODEL_DIR/pdh.key, the model's PDH key alone. */
static int model_key(const char *dir, struct sev_vm_config *c)
{
	char path[PATH_MAX], err[256];
	struct blob b = {0};
	int ret;

	if (snprintf(path, sizeof(path), "%s/pdh.key", dir) >=
	    (int)sizeof(path)) {
		fprintf(stderr, "libsev: SEVBOOT_MODEL_DIR %s: path too long\n",
			dir);
		return -ENAMETOOLONG;
	}
	ret = file_read_private(path, 48, &b, err, sizeof(err));
	if (!ret && b.len != 48)
		ret = -EINVAL;
	if (ret)
		fprintf(stderr,
			"libsev: SEVBOOT_MODEL_DIR %s: %s (make it with "
			"`sevboot model-keys %s`)\n",
			path, ret == -EINVAL ? "not a 48-byte P-384 key" : err,
			dir);
	else
		memcpy(c->model_pdh_key, b.data, 48);
	c->model_pdh = !ret;
	if (b.data)
		OPENSSL_cleanse(b.data, b.len);
	blob_free(&b);
	return ret;
}

/*
 * SEVBOOT_MODEL_DIR, the model's identity (`sevboot model-keys DIR`):
 * its PDH, its chain, and the PEK that signs attestation reports.  A DIR
 * of an older sevboot with only pdh.key gives the PDH, and no report.
 */
static int model_dir(const char *dir, struct sev_vm_config *c)
{
	char err[512];
	int ret = sev_model_identity_load(dir, &c->model_identity, err,
					  sizeof(err));

	if (ret == -ENODATA) {
		fprintf(stderr,
			"libsev: SEVBOOT_MODEL_DIR %s holds only a PDH key "
			"(the layout of an older sevboot): the model has no "
			"PEK, so sev_attestation_report fails with "
			"EOPNOTSUPP; `sevboot model-keys NEWDIR` makes a "
			"whole identity\n",
			dir);
		return model_key(dir, c);
	}
	if (ret)
		fprintf(stderr, "libsev: SEVBOOT_MODEL_DIR: %s\n", err);
	return ret;
}

/* The backend SEVBOOT_BACKEND names: kvm (default) or model. */
static int backend(struct sev_vm_config *c)
{
	const char *b = getenv("SEVBOOT_BACKEND"), *dir;

	memset(c, 0, sizeof(*c));
	if (!b || !*b || !strcmp(b, "kvm"))
		return 0;
	if (strcmp(b, "model")) {
		fprintf(stderr,
			"libsev: SEVBOOT_BACKEND=%s: unknown backend (kvm or "
			"model)\n",
			b);
		return -EINVAL;
	}
	c->model = true;
	dir = getenv("SEVBOOT_MODEL_DIR");
	if (dir && *dir && model_dir(dir, c))
		return -EINVAL;
	fprintf(stderr,
		"libsev: WARNING: SEVBOOT_BACKEND=model: a software model "
		"stands in for the AMD Secure Processor; this guest is NOT "
		"confidential (its memory is not encrypted)\n");
	return 0;
}

/* ------------------------------------------------------------- INIT */

static int init(int vm_fd, enum sev_mode mode, bool legacy, uint64_t features,
		int *fw_err)
{
	struct sev_vm_config c;
	struct vm_entry *e;
	uint32_t fw = NO_FW_CALL;
	int ret = libsev_fd_kind(vm_fd, "kvm-vm");

	if (ret)
		return fail(ret, fw_err, "vm_fd is not a KVM VM");
	pthread_mutex_lock(&vms_lock);
	e = lookup(vm_fd);
	if (e) {
		/* INIT again: the launch context refuses it (-EPROTO). */
		ret = sev_vm_init(e->vm, mode, legacy, features, &fw);
		pthread_mutex_unlock(&vms_lock);
		return result(ret, fw, fw_err, sev_vm_error(e->vm));
	}
	ret = backend(&c);
	if (!ret) {
		struct sev_vm *vm = sev_vm_new(vm_fd, &c);

		if (!vm)
			sev_model_identity_free(c.model_identity);
		e = vm ? add(vm_fd, vm) : NULL;
		if (!e) {
			sev_vm_free(vm);
			ret = -ENOMEM;
		}
	}
	OPENSSL_cleanse(&c, sizeof(c));
	if (ret) {
		pthread_mutex_unlock(&vms_lock);
		return fail(ret, fw_err, "cannot set up the launch");
	}
	ret = sev_vm_init(e->vm, mode, legacy, features, &fw);
	ret = result(ret, fw, fw_err, sev_vm_error(e->vm));
	/* A failed INIT leaves no launch behind: the fd may be retried. */
	if (ret)
		drop((size_t)(e - vms));
	pthread_mutex_unlock(&vms_lock);
	return ret;
}

API int sev_init(int vm_fd, int *fw_err)
{
	return init(vm_fd, SEV_MODE_SEV, true, 0, fw_err);
}

API int sev_es_init(int vm_fd, int *fw_err)
{
	return init(vm_fd, SEV_MODE_SEV_ES, true, 0, fw_err);
}

API int snp_init(int vm_fd, uint64_t vmsa_features, int *fw_err)
{
	return init(vm_fd, SEV_MODE_SNP, false, vmsa_features, fw_err);
}

/* ------------------------------------------------- the other commands */

/*
 * Run one command on vm_fd's launch under the lock: the VM must have been
 * INITed (-EPROTO otherwise; -EBADF/-ENOTTY when vm_fd is no VM at all).
 */
#define WITH_VM(vm_fd, fw_err, call)                                           \
	({                                                                     \
		uint32_t fw = NO_FW_CALL;                                      \
		struct vm_entry *e;                                            \
		int r_ = libsev_fd_kind((vm_fd), "kvm-vm"), out_;              \
		if (r_) {                                                      \
			out_ = fail(r_, (fw_err), "vm_fd is not a KVM VM");    \
		} else {                                                       \
			pthread_mutex_lock(&vms_lock);                         \
			e = lookup(vm_fd);                                     \
			if (!e) {                                              \
				out_ = fail(-EPROTO, (fw_err),                 \
					    "the VM is not initialized: "      \
					    "sev_init(), sev_es_init() or "    \
					    "snp_init() comes first");         \
			} else {                                               \
				struct sev_vm *vm = e->vm;                     \
				r_ = (call);                                   \
				out_ = result(r_, fw, (fw_err),                \
					      sev_vm_error(vm));               \
			}                                                      \
			pthread_mutex_unlock(&vms_lock);                       \
		}                                                              \
		out_;                                                          \
	})

API int sev_launch_start(int vm_fd, uint32_t policy, const void *cert_bytes,
			 const void *session_bytes, int *fw_err)
{
	if (!cert_bytes != !session_bytes)
		return fail(-EINVAL, fw_err,
			    "LAUNCH_START: the GODH certificate and the "
			    "session go together: give both or neither");
	return WITH_VM(vm_fd, fw_err,
		       sev_vm_launch_start(vm, policy, cert_bytes,
					   session_bytes, &fw));
}

API int sev_launch_update_data(int vm_fd, uint64_t uaddr, uint64_t size,
			       int *fw_err)
{
	if (!uaddr || !size)
		return fail(-EINVAL, fw_err,
			    "LAUNCH_UPDATE_DATA: no address or no length");
	return WITH_VM(
		vm_fd, fw_err,
		sev_vm_update_data(vm, (void *)(uintptr_t)uaddr, size, &fw));
}

API int sev_launch_update_vmsa(int vm_fd, int *fw_err)
{
	return WITH_VM(vm_fd, fw_err, sev_vm_update_vmsa(vm, &fw));
}

API int sev_launch_measure(int vm_fd, unsigned char *measurement, int *fw_err)
{
	if (!measurement)
		return fail(-EINVAL, fw_err,
			    "LAUNCH_MEASURE: no measurement buffer");
	return WITH_VM(vm_fd, fw_err, sev_vm_measure(vm, measurement, &fw));
}

API int sev_inject_launch_secret(int vm_fd, const unsigned char *header,
				 const unsigned char *ciphertext,
				 uint32_t ciphertext_size,
				 const void *guest_paddr, int *fw_err)
{
	if (!header || !ciphertext || !ciphertext_size || !guest_paddr)
		return fail(-EINVAL, fw_err,
			    "LAUNCH_SECRET: a header, a non-empty "
			    "ciphertext and the guest memory's address are "
			    "needed");
	return WITH_VM(vm_fd, fw_err,
		       sev_vm_secret(vm, header, ciphertext, ciphertext_size,
				     (void *)(uintptr_t)guest_paddr, &fw));
}

API int sev_launch_finish(int vm_fd, int *fw_err)
{
	return WITH_VM(vm_fd, fw_err, sev_vm_finish(vm, &fw));
}

API int sev_attestation_report(int vm_fd, unsigned char *mnonce,
			       uint32_t mnonce_len, unsigned char *report,
			       unsigned int *report_len, int *fw_err)
{
	uint32_t len;
	int ret;

	if (!mnonce || mnonce_len != LIBSEV_MNONCE_LEN || !report_len)
		return fail(-EINVAL, fw_err,
			    "ATTESTATION: the mnonce is 16 bytes, and "
			    "report_len is needed");
	len = report ? *report_len : 0;
	ret = WITH_VM(vm_fd, fw_err,
		      sev_vm_attestation(vm, mnonce, report, &len, &fw));
	/* The length needed (ENOSPC) or written (success). */
	if (!ret || errno == ENOSPC)
		*report_len = len;
	return ret;
}

API int snp_launch_start(int vm_fd, uint64_t policy, const unsigned char *gosvw,
			 uint16_t flags, int *fw_err)
{
	return WITH_VM(vm_fd, fw_err,
		       sev_vm_snp_start(vm, policy, gosvw, flags, &fw));
}

API int snp_launch_update(int vm_fd, uint64_t gfn_start, uint64_t uaddr,
			  uint64_t len, uint8_t page_type, int *fw_err)
{
	if (!len || (!uaddr && page_type != LIBSEV_SNP_PAGE_ZERO))
		return fail(-EINVAL, fw_err,
			    "SNP_LAUNCH_UPDATE: no length, or no source "
			    "address for a page type other than ZERO");
	return WITH_VM(vm_fd, fw_err,
		       sev_vm_snp_update(vm, gfn_start,
					 (void *)(uintptr_t)uaddr, len,
					 page_type, &fw));
}

API int snp_launch_finish(int vm_fd, const unsigned char *id_block,
			  const unsigned char *id_auth, int auth_key_en,
			  const unsigned char *host_data, int *fw_err)
{
	struct sev_snp_finish_args a = {
		.id_block = id_block,
		.id_auth = id_auth,
		.auth_key_en = auth_key_en != 0,
	};

	if (host_data)
		memcpy(a.host_data, host_data, sizeof(a.host_data));
	return WITH_VM(vm_fd, fw_err, sev_vm_snp_finish(vm, &a, &fw));
}

API int sev_model_add_vcpu(int vm_fd, int vcpu_fd, int *fw_err)
{
	int ret = libsev_fd_kind(vcpu_fd, "kvm-vcpu:");

	if (ret)
		return fail(ret, fw_err, "vcpu_fd is not a KVM vCPU");
	return WITH_VM(vm_fd, fw_err, sev_vm_add_vcpu(vm, vcpu_fd));
}
