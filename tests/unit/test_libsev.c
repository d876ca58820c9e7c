// SPDX-License-Identifier: MIT
/*
 * The libsev C API (lib/libsev.c, sev(3)) without KVM: the firmware model
 * backend (SEVBOOT_BACKEND=model) with memfds standing in for VM fds
 * (libsev_fd_kind is replaced; the real check reads /proc/self/fd).  Every
 * function with a bad argument, a fd that is not a VM and calls out of
 * order returns -1 with errno and *fw_err as documented; a whole SEV
 * launch on the model measures what SHA-256 and the LAUNCH_MEASURE HMAC
 * predict; stale fds and threads.  With SEVBOOT_MODEL_DIR naming a
 * whole identity (sevboot model-keys), sev_attestation_report gives a
 * report that the guest owner's check verifies against the identity's
 * chain and ARK, the launch digest and the mnonce; a short buffer is
 * ENOSPC with the length needed.  The SNP guest's calls go to the fake
 * /dev/sev-guest and configfs-tsm of tests/unit/fake_guest.h
 * (libsev_guest_fake), which check the kernel's structs field by field.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/sha.h>

#include "lib/internal.h"
#include "lib/libsev.h"
#include "loader/loader.h"
#include "owner/owner.h"
#include "sev/sev.h"
#include "tests/unit/testutil.h"
#include "tests/unit/fake_guest.h"

extern int (*libsev_fd_kind)(int fd, const char *kind);

#define NOFW LIBSEV_NO_FW_CALL

/* ------------------------------------------------------ fake VM fds */

#define MAX_FAKE 16
static int fake_vms[MAX_FAKE], nfake;
static int (*real_kind)(int fd, const char *kind);

/* A fake VM is a memfd we made; any other fd gets the real check. */
static int fake_kind(int fd, const char *kind)
{
	for (int i = 0; i < nfake; i++)
		if (fake_vms[i] == fd && !strcmp(kind, "kvm-vm"))
			return 0;
	return real_kind(fd, kind);
}

static int fake_vm(void)
{
	int fd = memfd_create("fake-vm", MFD_CLOEXEC);

	ck_assert_int_ge(fd, 0);
	ck_assert_int_lt(nfake, MAX_FAKE);
	fake_vms[nfake++] = fd;
	return fd;
}

static void setup(void)
{
	if (!real_kind)
		real_kind = libsev_fd_kind;
	libsev_fd_kind = fake_kind;
	nfake = 0;
	setenv("SEVBOOT_BACKEND", "model", 1);
	unsetenv("SEVBOOT_MODEL_DIR");
}

/* -1, errno e, *fw_err f: the API's failure contract. */
#define FAILS(call, e, f)                                                      \
	do {                                                                   \
		int fw_ = 12345;                                               \
		errno = 0;                                                     \
		ck_assert_int_eq((call), -1);                                  \
		ck_assert_int_eq(errno, (e));                                  \
		ck_assert_int_eq(fw_, (f));                                    \
	} while (0)

#define WORKS(call)                                                            \
	do {                                                                   \
		int fw_ = 12345;                                               \
		ck_assert_int_eq((call), 0);                                   \
		ck_assert_int_eq(fw_, 0); /* SEV_RET_SUCCESS */                \
	} while (0)

static uint8_t *aligned(size_t len, uint8_t fill)
{
	uint8_t *p = mmap(NULL, len, PROT_READ | PROT_WRITE,
			  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	ck_assert_ptr_ne(p, MAP_FAILED);
	memset(p, fill, len);
	return p;
}

/* ---------------------------------------------- fds that are no VM */

/* Every function but the INITs, on one fd: the result and errno. */
static void commands_fail(int fd, int e)
{
	unsigned char buf[LIBSEV_REPORT_LEN], mnonce[16] = {0};
	unsigned int len = sizeof(buf);
	uint8_t *mem = aligned(4096, 1);

	FAILS(sev_launch_start(fd, 1, NULL, NULL, &fw_), e, NOFW);
	FAILS(sev_launch_update_data(fd, (uintptr_t)mem, 4096, &fw_), e, NOFW);
	FAILS(sev_launch_update_vmsa(fd, &fw_), e, NOFW);
	FAILS(sev_launch_measure(fd, buf, &fw_), e, NOFW);
	FAILS(sev_inject_launch_secret(fd, buf, buf, 16, mem, &fw_), e, NOFW);
	FAILS(sev_launch_finish(fd, &fw_), e, NOFW);
	FAILS(sev_attestation_report(fd, mnonce, 16, buf, &len, &fw_), e, NOFW);
	ck_assert_uint_eq(len, sizeof(buf)); /* untouched */
	FAILS(snp_launch_start(fd, 0x30000, NULL, 0, &fw_), e, NOFW);
	FAILS(snp_launch_update(fd, 0, (uintptr_t)mem, 4096,
				LIBSEV_SNP_PAGE_NORMAL, &fw_),
	      e, NOFW);
	FAILS(snp_launch_finish(fd, NULL, NULL, 0, NULL, &fw_), e, NOFW);
	munmap(mem, 4096);
}

static void every_call_fails(int fd, int e)
{
	FAILS(sev_init(fd, &fw_), e, NOFW);
	FAILS(sev_es_init(fd, &fw_), e, NOFW);
	FAILS(snp_init(fd, 0, &fw_), e, NOFW);
	commands_fail(fd, e);
}

START_TEST(test_not_a_vm)
{
	int memfd = memfd_create("not-a-vm", MFD_CLOEXEC), closed;
	int devnull = open("/dev/null", O_RDONLY | O_CLOEXEC);

	/* The real check: a file that is not a KVM VM is ENOTTY, as the
	 * KVM ioctl would answer; a closed fd EBADF. */
	libsev_fd_kind = real_kind;
	ck_assert_int_ge(memfd, 0);
	ck_assert_int_ge(devnull, 0);
	every_call_fails(memfd, ENOTTY);
	every_call_fails(devnull, ENOTTY);
	every_call_fails(-1, EBADF);
	closed = dup(memfd);
	close(closed);
	every_call_fails(closed, EBADF);
	/* The vCPU of the extension: a VM fd is not a vCPU. */
	FAILS(sev_model_add_vcpu(memfd, memfd, &fw_), ENOTTY, NOFW);
	close(memfd);
	close(devnull);
}
END_TEST

/* A VM that was never INITed: every command after INIT is out of
 * order (EPROTO), with no firmware command; fw_err may be NULL. */
START_TEST(test_before_init)
{
	int vm = fake_vm();
	unsigned char m[48];

	commands_fail(vm, EPROTO);
	errno = 0;
	ck_assert_int_eq(sev_launch_measure(vm, m, NULL), -1);
	ck_assert_int_eq(errno, EPROTO);
	close(vm);
}
END_TEST

/* NULL buffers and wrong lengths: EINVAL before anything is issued. */
START_TEST(test_bad_arguments)
{
	int vm = fake_vm();
	unsigned char buf[LIBSEV_REPORT_LEN], mnonce[16] = {0};
	unsigned int len = sizeof(buf);
	uint8_t *mem = aligned(8192, 2), cert[LIBSEV_CERT_LEN] = {0};

	WORKS(sev_init(vm, &fw_));
	/* GODH certificate and session: both or neither. */
	FAILS(sev_launch_start(vm, 1, cert, NULL, &fw_), EINVAL, NOFW);
	FAILS(sev_launch_start(vm, 1, NULL, cert, &fw_), EINVAL, NOFW);
	/* An ES policy on a SEV VM. */
	FAILS(sev_launch_start(vm, 0x5, NULL, NULL, &fw_), EINVAL, NOFW);
	WORKS(sev_launch_start(vm, 1, NULL, NULL, &fw_));
	FAILS(sev_launch_update_data(vm, 0, 4096, &fw_), EINVAL, NOFW);
	FAILS(sev_launch_update_data(vm, (uintptr_t)mem, 0, &fw_), EINVAL,
	      NOFW);
	/* 16-byte alignment of address and length (the firmware's). */
	FAILS(sev_launch_update_data(vm, (uintptr_t)mem + 1, 4096, &fw_),
	      EINVAL, NOFW);
	FAILS(sev_launch_update_data(vm, (uintptr_t)mem, 4095, &fw_), EINVAL,
	      NOFW);
	FAILS(sev_launch_measure(vm, NULL, &fw_), EINVAL, NOFW);
	FAILS(sev_inject_launch_secret(vm, NULL, buf, 16, mem, &fw_), EINVAL,
	      NOFW);
	FAILS(sev_inject_launch_secret(vm, buf, NULL, 16, mem, &fw_), EINVAL,
	      NOFW);
	FAILS(sev_inject_launch_secret(vm, buf, buf, 0, mem, &fw_), EINVAL,
	      NOFW);
	FAILS(sev_inject_launch_secret(vm, buf, buf, 16, NULL, &fw_), EINVAL,
	      NOFW);
	FAILS(sev_attestation_report(vm, NULL, 16, buf, &len, &fw_), EINVAL,
	      NOFW);
	FAILS(sev_attestation_report(vm, mnonce, 15, buf, &len, &fw_), EINVAL,
	      NOFW);
	FAILS(sev_attestation_report(vm, mnonce, 16, buf, NULL, &fw_), EINVAL,
	      NOFW);
	FAILS(snp_launch_update(vm, 0, 0, 4096, LIBSEV_SNP_PAGE_NORMAL, &fw_),
	      EINVAL, NOFW);
	FAILS(snp_launch_update(vm, 0, (uintptr_t)mem, 0,
				LIBSEV_SNP_PAGE_NORMAL, &fw_),
	      EINVAL, NOFW);
	/* SNP calls on a SEV VM. */
	FAILS(snp_launch_update(vm, 0, (uintptr_t)mem, 4096,
				LIBSEV_SNP_PAGE_NORMAL, &fw_),
	      EINVAL, NOFW);
	FAILS(snp_launch_finish(vm, NULL, NULL, 0, NULL, &fw_), EINVAL, NOFW);
	/* The extension's vCPU must be a KVM vCPU. */
	FAILS(sev_model_add_vcpu(vm, vm, &fw_), ENOTTY, NOFW);
	FAILS(sev_model_add_vcpu(vm, -1, &fw_), EBADF, NOFW);
	munmap(mem, 8192);
	close(vm);
}
END_TEST

/* Out of order on an INITed VM: EPROTO, nothing issued; INIT twice. */
START_TEST(test_out_of_order)
{
	int vm = fake_vm(), es = fake_vm(), snp = fake_vm();
	unsigned char m[48], mnonce[16] = {0}, buf[LIBSEV_REPORT_LEN];
	unsigned int len = sizeof(buf);
	uint8_t *mem = aligned(4096, 3);

	WORKS(sev_init(vm, &fw_));
	FAILS(sev_init(vm, &fw_), EPROTO, NOFW);
	FAILS(sev_es_init(vm, &fw_), EPROTO, NOFW);
	FAILS(sev_launch_update_data(vm, (uintptr_t)mem, 4096, &fw_), EPROTO,
	      NOFW);
	FAILS(sev_launch_measure(vm, m, &fw_), EPROTO, NOFW);
	FAILS(sev_launch_finish(vm, &fw_), EPROTO, NOFW);
	FAILS(sev_attestation_report(vm, mnonce, 16, buf, &len, &fw_), EPROTO,
	      NOFW);
	FAILS(sev_inject_launch_secret(vm, buf, buf, 16, mem, &fw_), EPROTO,
	      NOFW);
	WORKS(sev_launch_start(vm, 1, NULL, NULL, &fw_));
	FAILS(sev_launch_start(vm, 1, NULL, NULL, &fw_), EPROTO, NOFW);
	/* UPDATE_VMSA is SEV-ES's. */
	FAILS(sev_launch_update_vmsa(vm, &fw_), EINVAL, NOFW);
	FAILS(sev_launch_finish(vm, &fw_), EPROTO, NOFW);

	/* SEV-ES: MEASURE needs UPDATE_VMSA first. */
	WORKS(sev_es_init(es, &fw_));
	FAILS(sev_launch_update_vmsa(es, &fw_), EPROTO, NOFW);
	WORKS(sev_launch_start(es, 0x5, NULL, NULL, &fw_));
	FAILS(sev_launch_measure(es, m, &fw_), EPROTO, NOFW);

	/* SNP: the SEV commands are not its. */
	WORKS(snp_init(snp, 0, &fw_));
	FAILS(snp_init(snp, 0, &fw_), EPROTO, NOFW);
	FAILS(sev_launch_start(snp, 1, NULL, NULL, &fw_), EINVAL, NOFW);
	FAILS(snp_launch_update(snp, 0, (uintptr_t)mem, 4096,
				LIBSEV_SNP_PAGE_NORMAL, &fw_),
	      EPROTO, NOFW);
	FAILS(snp_launch_finish(snp, NULL, NULL, 0, NULL, &fw_), EPROTO, NOFW);
	FAILS(snp_launch_start(snp, 0x1, NULL, 0, &fw_), EINVAL, NOFW);
	munmap(mem, 4096);
	close(vm);
	close(es);
	close(snp);
}
END_TEST

/* The model reads host memory: an unreadable range is EFAULT, never a
 * crash; a firmware failure is EIO with the firmware's status. */
START_TEST(test_model_memory_and_firmware_errors)
{
	int vm = fake_vm();
	uint8_t *mem = aligned(8192, 4);

	ck_assert_int_eq(mprotect(mem + 4096, 4096, PROT_NONE), 0);
	WORKS(sev_init(vm, &fw_));
	WORKS(sev_launch_start(vm, 1, NULL, NULL, &fw_));
	FAILS(sev_launch_update_data(vm, (uintptr_t)mem, 8192, &fw_), EFAULT,
	      NOFW);
	WORKS(sev_launch_update_data(vm, (uintptr_t)mem, 4096, &fw_));
	munmap(mem, 8192);
	close(vm);

	/* A policy whose minimum API major is beyond the firmware's is the
	 * firmware's POLICY_FAILURE once a session carries it; without a
	 * session the model (as AMD's firmware) checks nothing: the start
	 * with a malformed GODH certificate fails in the firmware. */
	vm = fake_vm();
	{
		uint8_t cert[LIBSEV_CERT_LEN] = {0}, s[LIBSEV_SESSION_LEN];

		memset(s, 0, sizeof(s));
		WORKS(sev_init(vm, &fw_));
		errno = 0;
		int fw = 12345;
		ck_assert_int_eq(sev_launch_start(vm, 1, cert, s, &fw), -1);
		ck_assert_int_eq(errno, EIO);
		ck_assert_int_ne(fw, NOFW);
		ck_assert_int_ne(fw, 0);
	}
	close(vm);
}
END_TEST

/* A whole SEV launch on the model: LAUNCH_MEASURE is the HMAC (all-zero
 * TIK without a session) of SHA-256 over the bytes updated; a secret
 * sealed for it lands in guest memory; without SEVBOOT_MODEL_DIR the
 * model has no identity, so no PEK to sign a report (EOPNOTSUPP, no
 * firmware call; test_attestation_with_identity has one). */
START_TEST(test_sev_flow_on_model)
{
	int vm = fake_vm();
	uint8_t *ram = aligned(3 * 4096, 0);
	uint8_t digest[32], mac[32], zero[16] = {0}, iv[16] = {7};
	uint8_t plain[32], hdr[LIBSEV_SECRET_HEADER_LEN], trans[32];
	unsigned char m[LIBSEV_MEASUREMENT_LEN], buf[LIBSEV_REPORT_LEN];
	unsigned char mnonce[16] = {1};
	unsigned int len = sizeof(buf);
	struct sev_tk tk;

	for (unsigned k = 0; k < 8192; k++)
		ram[k] = (uint8_t)(k * 7 + 1);
	WORKS(sev_init(vm, &fw_));
	WORKS(sev_launch_start(vm, 0x1, NULL, NULL, &fw_));
	WORKS(sev_launch_update_data(vm, (uintptr_t)ram, 4096, &fw_));
	WORKS(sev_launch_update_data(vm, (uintptr_t)ram + 4096, 4096, &fw_));
	WORKS(sev_launch_measure(vm, m, &fw_));
	SHA256(ram, 8192, digest);
	ck_assert_int_eq(measure_launch_hmac(
				 zero, SEV_MODEL_API_MAJOR, SEV_MODEL_API_MINOR,
				 SEV_MODEL_BUILD, 0x1, digest, m + 32, mac),
			 0);
	ck_assert_mem_eq(m, mac, 32);

	memset(&tk, 0, sizeof(tk));
	memset(plain, 0x5c, sizeof(plain));
	ck_assert_int_eq(
		sev_secret_seal(&tk, m, iv, plain, sizeof(plain), hdr, trans),
		0);
	/* Guest memory the kernel could not write: EFAULT, not a crash. */
	ck_assert_int_eq(mprotect(ram + 8192, 4096, PROT_READ), 0);
	FAILS(sev_inject_launch_secret(vm, hdr, trans, sizeof(trans),
				       ram + 8192, &fw_),
	      EFAULT, NOFW);
	ck_assert_int_eq(mprotect(ram + 8192, 4096, PROT_READ | PROT_WRITE), 0);
	WORKS(sev_inject_launch_secret(vm, hdr, trans, sizeof(trans),
				       ram + 8192, &fw_));
	ck_assert_mem_eq(ram + 8192, plain, sizeof(plain));
	FAILS(sev_attestation_report(vm, mnonce, 16, buf, &len, &fw_),
	      EOPNOTSUPP, NOFW);
	WORKS(sev_launch_finish(vm, &fw_));
	FAILS(sev_launch_finish(vm, &fw_), EPROTO, NOFW);
	munmap(ram, 3 * 4096);
	close(vm);
}
END_TEST

/* SNP on the model: page types and ranges KVM refuses, an unreadable
 * source, ZERO pages without one, FINISH's ID block pairing, order. */
START_TEST(test_snp_on_model)
{
	int vm = fake_vm();
	uint8_t *ram = aligned(3 * 4096, 9), gosvw[16] = {1};
	unsigned char id_block[LIBSEV_SNP_ID_BLOCK_LEN] = {0};
	unsigned char host_data[32] = {0x42};

	ck_assert_int_eq(mprotect(ram + 8192, 4096, PROT_NONE), 0);
	WORKS(snp_init(vm, 0x1, &fw_));
	FAILS(snp_launch_update(vm, 0x100, (uintptr_t)ram, 4096,
				LIBSEV_SNP_PAGE_NORMAL, &fw_),
	      EPROTO, NOFW);
	FAILS(snp_launch_start(vm, 0x10000, gosvw, 0, &fw_), EINVAL, NOFW);
	WORKS(snp_launch_start(vm, 0x30000, gosvw, 0, &fw_));
	FAILS(snp_launch_start(vm, 0x30000, NULL, 0, &fw_), EPROTO, NOFW);
	/* VMSA pages are KVM's own; 2 (VMSA) and 7 are refused. */
	FAILS(snp_launch_update(vm, 0x100, (uintptr_t)ram, 4096, 2, &fw_),
	      EINVAL, NOFW);
	FAILS(snp_launch_update(vm, 0x100, (uintptr_t)ram, 4096, 7, &fw_),
	      EINVAL, NOFW);
	/* Whole pages only. */
	FAILS(snp_launch_update(vm, 0x100, (uintptr_t)ram, 100,
				LIBSEV_SNP_PAGE_NORMAL, &fw_),
	      EINVAL, NOFW);
	FAILS(snp_launch_update(vm, 0x100, (uintptr_t)ram, 3 * 4096,
				LIBSEV_SNP_PAGE_NORMAL, &fw_),
	      EFAULT, NOFW);
	WORKS(snp_launch_update(vm, 0x100, (uintptr_t)ram, 8192,
				LIBSEV_SNP_PAGE_NORMAL, &fw_));
	WORKS(snp_launch_update(vm, 0x200, 0, 4096, LIBSEV_SNP_PAGE_ZERO,
				&fw_));
	/* The ID block and its authentication go together. */
	FAILS(snp_launch_finish(vm, id_block, NULL, 0, NULL, &fw_), EINVAL,
	      NOFW);
	FAILS(snp_launch_finish(vm, NULL, NULL, 1, NULL, &fw_), EINVAL, NOFW);
	WORKS(snp_launch_finish(vm, NULL, NULL, 0, host_data, &fw_));
	FAILS(snp_launch_update(vm, 0x300, (uintptr_t)ram, 4096,
				LIBSEV_SNP_PAGE_NORMAL, &fw_),
	      EPROTO, NOFW);
	munmap(ram, 3 * 4096);
	close(vm);
}
END_TEST

/* A fd number that now belongs to another file: its old launch is gone
 * (EPROTO), and a new INIT on it starts afresh. */
START_TEST(test_stale_fd)
{
	int vm = fake_vm(), again;

	WORKS(sev_init(vm, &fw_));
	WORKS(sev_launch_start(vm, 1, NULL, NULL, &fw_));
	close(vm);
	again = memfd_create("another-vm", MFD_CLOEXEC);
	ck_assert_int_eq(again, vm); /* the lowest free number */
	FAILS(sev_launch_finish(again, &fw_), EPROTO, NOFW);
	WORKS(sev_init(again, &fw_));
	WORKS(sev_launch_start(again, 1, NULL, NULL, &fw_));
	close(again);
}
END_TEST

/* The backend's environment: an unknown backend and a model key
 * directory without a key are EINVAL; no launch is left behind. */
START_TEST(test_backend_env)
{
	int vm = fake_vm();
	char dir[] = "/tmp/libsev-test.XXXXXX";

	setenv("SEVBOOT_BACKEND", "quantum", 1);
	FAILS(sev_init(vm, &fw_), EINVAL, NOFW);
	FAILS(sev_launch_start(vm, 1, NULL, NULL, &fw_), EPROTO, NOFW);
	setenv("SEVBOOT_BACKEND", "model", 1);
	ck_assert_ptr_nonnull(mkdtemp(dir));
	setenv("SEVBOOT_MODEL_DIR", dir, 1);
	FAILS(sev_init(vm, &fw_), EINVAL, NOFW);
	unsetenv("SEVBOOT_MODEL_DIR");
	WORKS(sev_init(vm, &fw_));
	rmdir(dir);
	close(vm);
}
END_TEST

/* The kernel backend on a machine without /dev/sev: INIT fails with the
 * errno of opening it, and nothing is left behind. */
START_TEST(test_kernel_backend_without_dev_sev)
{
	int vm = fake_vm(), fw = 12345;

	if (access(SEV_DEV_PATH, F_OK) == 0)
		SKIP_TEST("this machine has %s", SEV_DEV_PATH);
	setenv("SEVBOOT_BACKEND", "kvm", 1);
	errno = 0;
	ck_assert_int_eq(sev_init(vm, &fw), -1);
	ck_assert_int_eq(errno, ENOENT);
	ck_assert_int_eq(fw, NOFW);
	FAILS(sev_launch_start(vm, 1, NULL, NULL, &fw_), EPROTO, NOFW);
	close(vm);
}
END_TEST

/* Launches on several VMs from several threads at once. */
static void *thread_flow(void *arg)
{
	int vm = *(int *)arg, fw;
	uint8_t *ram = aligned(4096, (uint8_t)vm);
	unsigned char m[48];
	uint8_t digest[32], mac[32], zero[16] = {0};
	long bad = 0;

	for (int round = 0; round < 20; round++) {
		int fd = memfd_create("thread-vm", MFD_CLOEXEC);

		/* Each round its own VM; the fake list is fixed, so stand
		 * it in through dup2 onto the registered number. */
		dup2(fd, vm);
		close(fd);
		bad |= sev_init(vm, &fw) |
		       sev_launch_start(vm, 1, NULL, NULL, &fw);
		bad |= sev_launch_update_data(vm, (uintptr_t)ram, 4096, &fw);
		bad |= sev_launch_measure(vm, m, &fw);
		SHA256(ram, 4096, digest);
		measure_launch_hmac(zero, SEV_MODEL_API_MAJOR,
				    SEV_MODEL_API_MINOR, SEV_MODEL_BUILD, 1,
				    digest, m + 32, mac);
		bad |= memcmp(m, mac, 32) != 0;
		bad |= sev_launch_finish(vm, &fw);
	}
	munmap(ram, 4096);
	return (void *)bad;
}

START_TEST(test_threads)
{
	pthread_t t[4];
	int vms[4];
	void *r;

	for (int i = 0; i < 4; i++)
		vms[i] = fake_vm();
	for (int i = 0; i < 4; i++)
		ck_assert_int_eq(
			pthread_create(&t[i], NULL, thread_flow, &vms[i]), 0);
	for (int i = 0; i < 4; i++) {
		ck_assert_int_eq(pthread_join(t[i], &r), 0);
		ck_assert_ptr_null(r);
	}
	for (int i = 0; i < 4; i++)
		close(vms[i]);
}
END_TEST

/* ------------------------------------- the model's identity (DIR) */

static char id_base[200], id_dir[260];

/* Made once in the parent (RSA key generation is slow). */
static void identity_setup(void)
{
	char err[512] = "";

	snprintf(id_base, sizeof(id_base), "/tmp/libsev-identity-XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(id_base));
	snprintf(id_dir, sizeof(id_dir), "%s/id", id_base);
	ck_assert_msg(!sev_model_identity_create(id_dir, err, sizeof(err)),
		      "%s", err);
}

static void identity_teardown(void)
{
	char cmd[300];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", id_base);
	if (system(cmd) != 0)
		fprintf(stderr, "cannot remove %s\n", id_base);
}

static struct blob id_file(const char *name)
{
	char path[400], err[256] = "";
	struct blob b = {0};

	snprintf(path, sizeof(path), "%s/%s", id_dir, name);
	ck_assert_msg(!file_read(path, 1 << 20, &b, err, sizeof(err)), "%s",
		      err);
	return b;
}

/* The report, checked as `sevboot verify-report --chain --ark` checks
 * it: how many checks failed. */
static unsigned report_failures(const unsigned char *report,
				const uint8_t digest[32],
				const uint8_t mnonce[16])
{
	struct blob chain = id_file("sev-chain.cert"),
		    ark = id_file("ark.cert");
	struct sev_chain ch = {0};
	struct amd_cert amd[2], root;
	struct snp_expect x = {0};
	struct trust_result r;
	char err[512] = "";

	ck_assert_msg(!sev_chain_add(&ch, amd, chain.data, chain.len, err,
				     sizeof(err)),
		      "%s", err);
	ck_assert_msg(!amd_cert_parse(ark.data, ark.len, NULL, &root, err,
				      sizeof(err)),
		      "%s", err);
	x.have_measurement = true;
	memcpy(x.measurement, digest, 32);
	x.have_policy = true;
	x.policy = 0x1;
	x.have_mnonce = true;
	memcpy(x.mnonce, mnonce, 16);
	trust_result_init(&r);
	ck_assert_msg(!sev_att_report_verify(report, &ch, &root, &x, &r, err,
					     sizeof(err)),
		      "%s", err);
	blob_free(&chain);
	blob_free(&ark);
	return r.failed;
}

START_TEST(test_attestation_with_identity)
{
	int vm = fake_vm(), fw;
	uint8_t *ram = aligned(4096, 0x3c), digest[32];
	unsigned char m[LIBSEV_MEASUREMENT_LEN], report[LIBSEV_REPORT_LEN + 8];
	unsigned char mnonce[16] = "libsev-mnonce-1", other[16] = {9};
	unsigned int len;

	setenv("SEVBOOT_MODEL_DIR", id_dir, 1);
	WORKS(sev_init(vm, &fw_));
	WORKS(sev_launch_start(vm, 0x1, NULL, NULL, &fw_));
	WORKS(sev_launch_update_data(vm, (uintptr_t)ram, 4096, &fw_));
	WORKS(sev_launch_measure(vm, m, &fw_));
	SHA256(ram, 4096, digest);

	/* No buffer, then a short one: ENOSPC, the length needed, and the
	 * firmware's INVALID_LENGTH from the length query. */
	len = 0;
	FAILS(sev_attestation_report(vm, mnonce, 16, NULL, &len, &fw_), ENOSPC,
	      0x04 /* SEV_RET_INVALID_LEN */);
	ck_assert_uint_eq(len, LIBSEV_REPORT_LEN);
	len = LIBSEV_REPORT_LEN - 1;
	memset(report, 0xa5, sizeof(report));
	FAILS(sev_attestation_report(vm, mnonce, 16, report, &len, &fw_),
	      ENOSPC, 0x04 /* SEV_RET_INVALID_LEN */);
	ck_assert_uint_eq(len, LIBSEV_REPORT_LEN);
	ck_assert_uint_eq(report[0], 0xa5); /* nothing written */

	/* Room: the report, signed by the identity's PEK. */
	len = sizeof(report);
	fw = 12345;
	ck_assert_int_eq(
		sev_attestation_report(vm, mnonce, 16, report, &len, &fw), 0);
	ck_assert_int_eq(fw, 0);
	ck_assert_uint_eq(len, LIBSEV_REPORT_LEN);
	ck_assert_mem_eq(report, mnonce, 16);
	ck_assert_uint_eq(report_failures(report, digest, mnonce), 0);
	/* Checked against another mnonce, or another digest, it fails. */
	ck_assert_uint_eq(report_failures(report, digest, other), 1);
	digest[0] ^= 1;
	ck_assert_uint_eq(report_failures(report, digest, mnonce), 1);
	/* One bit of the signed part changed: the signature fails. */
	report[0x30] ^= 1;
	digest[0] ^= 1;
	ck_assert_uint_gt(report_failures(report, digest, mnonce), 0);
	WORKS(sev_launch_finish(vm, &fw_));
	munmap(ram, 4096);
	close(vm);
}
END_TEST

/* An older DIR with only pdh.key: the launch runs on its PDH, the report
 * is EOPNOTSUPP (the model has no PEK), nothing issued. */
START_TEST(test_attestation_pdh_only_dir)
{
	char dir[] = "/tmp/libsev-pdh-XXXXXX", path[64], cmd[96];
	struct blob key = id_file("pdh.key");
	unsigned char m[LIBSEV_MEASUREMENT_LEN], report[LIBSEV_REPORT_LEN];
	unsigned char mnonce[16] = {1};
	unsigned int len = sizeof(report);
	uint8_t *ram = aligned(4096, 1);
	int vm = fake_vm(), fd;

	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/pdh.key", dir);
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0600);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(write(fd, key.data, key.len), (ssize_t)key.len);
	close(fd);
	setenv("SEVBOOT_MODEL_DIR", dir, 1);
	WORKS(sev_init(vm, &fw_));
	WORKS(sev_launch_start(vm, 0x1, NULL, NULL, &fw_));
	WORKS(sev_launch_update_data(vm, (uintptr_t)ram, 4096, &fw_));
	WORKS(sev_launch_measure(vm, m, &fw_));
	FAILS(sev_attestation_report(vm, mnonce, 16, report, &len, &fw_),
	      EOPNOTSUPP, NOFW);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	ck_assert_int_eq(system(cmd), 0);
	blob_free(&key);
	munmap(ram, 4096);
	close(vm);
}
END_TEST

/* ------------------------------------------- the platform and guest */

/* Bad arguments: EINVAL or ENOSPC (the length needed set), before any
 * command; the backend's environment. */
START_TEST(test_platform_bad_arguments)
{
	unsigned char buf[LIBSEV_SNP_REPORT_LEN], data[64] = {0};
	unsigned int len, len2;

	FAILS(sev_platform_status(NULL, &fw_), EINVAL, NOFW);
	FAILS(snp_platform_status(NULL, &fw_), EINVAL, NOFW);
	FAILS(sev_pdh_cert_export(buf, NULL, buf, &len, &fw_), EINVAL, NOFW);
	FAILS(sev_pek_csr(buf, NULL, &fw_), EINVAL, NOFW);
	FAILS(sev_get_id(buf, NULL, &fw_), EINVAL, NOFW);
	len = 100, len2 = 3 * LIBSEV_CERT_LEN;
	FAILS(sev_pdh_cert_export(buf, &len, buf, &len2, &fw_), ENOSPC, NOFW);
	ck_assert_uint_eq(len, LIBSEV_CERT_LEN);
	len = LIBSEV_CERT_LEN, len2 = 0;
	FAILS(sev_pdh_cert_export(buf, &len, NULL, &len2, &fw_), ENOSPC, NOFW);
	ck_assert_uint_eq(len2, 3 * LIBSEV_CERT_LEN);
	len = 10;
	FAILS(sev_pek_csr(buf, &len, &fw_), ENOSPC, NOFW);
	ck_assert_uint_eq(len, LIBSEV_CERT_LEN);
	/* The model answers the platform only from an identity. */
	FAILS(sev_pdh_gen(&fw_), EINVAL, NOFW);
	setenv("SEVBOOT_MODEL_DIR", "/nonexistent/identity", 1);
	FAILS(sev_pek_gen(&fw_), EINVAL, NOFW);
	setenv("SEVBOOT_BACKEND", "quantum", 1);
	FAILS(sev_factory_reset(&fw_), EINVAL, NOFW);
	/* The SNP guest's report. */
	len = sizeof(buf);
	FAILS(snp_guest_report(data, 0, buf, NULL, &fw_), EINVAL, NOFW);
	FAILS(snp_guest_report(data, 4, buf, &len, &fw_), EINVAL, NOFW);
	len = 1000;
	FAILS(snp_guest_report(data, 0, buf, &len, &fw_), ENOSPC, NOFW);
	ck_assert_uint_eq(len, LIBSEV_SNP_REPORT_LEN);
	setenv("SEVBOOT_SEV_GUEST_DEV", "/nonexistent/sev-guest", 1);
	FAILS(snp_guest_report(NULL, 0, buf, &len, &fw_), ENOENT, NOFW);
	unsetenv("SEVBOOT_SEV_GUEST_DEV");
}
END_TEST

/* The kernel backend without /dev/sev: ENOENT, no firmware command. */
START_TEST(test_platform_without_dev_sev)
{
	struct libsev_platform_status st;
	unsigned char id[LIBSEV_CHIP_ID_MAX];
	unsigned int len = sizeof(id);

	if (access(SEV_DEV_PATH, F_OK) == 0)
		SKIP_TEST("this machine has %s", SEV_DEV_PATH);
	setenv("SEVBOOT_BACKEND", "kvm", 1);
	FAILS(sev_platform_status(&st, &fw_), ENOENT, NOFW);
	FAILS(sev_get_id(id, &len, &fw_), ENOENT, NOFW);
	FAILS(sev_pdh_gen(&fw_), ENOENT, NOFW);
}
END_TEST

/* On the model's identity: what `sevboot platform --sev-model` answers. */
START_TEST(test_platform_on_model)
{
	struct libsev_platform_status st;
	struct libsev_snp_platform_status snp;
	struct blob pdh = id_file("pdh.cert"), pek = id_file("pek.cert");
	unsigned char cert[LIBSEV_CERT_LEN], chain[3 * LIBSEV_CERT_LEN];
	unsigned char id[LIBSEV_CHIP_ID_MAX], chip[64];
	struct sev_model_identity *ident = NULL;
	unsigned int len = sizeof(cert), len2 = sizeof(chain);
	char err[512];

	setenv("SEVBOOT_MODEL_DIR", id_dir, 1);
	memset(&st, 0xee, sizeof(st));
	WORKS(sev_platform_status(&st, &fw_));
	ck_assert_uint_eq(st.api_major, SEV_MODEL_API_MAJOR);
	ck_assert_uint_eq(st.api_minor, SEV_MODEL_API_MINOR);
	ck_assert_uint_eq(st.build, SEV_MODEL_BUILD);
	ck_assert_uint_eq(st.state, 0);
	ck_assert_uint_eq(st.flags, 0x100); /* self-owned, SEV-ES */
	ck_assert_uint_eq(st.guest_count, 0);
	WORKS(snp_platform_status(&snp, &fw_));
	ck_assert_uint_eq(snp.build_id, SEV_MODEL_BUILD);
	WORKS(sev_pdh_cert_export(cert, &len, chain, &len2, &fw_));
	ck_assert_uint_eq(len, LIBSEV_CERT_LEN);
	ck_assert_uint_eq(len2, 3 * LIBSEV_CERT_LEN);
	ck_assert_mem_eq(cert, pdh.data, LIBSEV_CERT_LEN);
	ck_assert_mem_eq(chain, pek.data, LIBSEV_CERT_LEN);
	len = sizeof(cert);
	WORKS(sev_pek_csr(cert, &len, &fw_));
	ck_assert_mem_eq(cert, pek.data, 0x414);
	len = 8;
	FAILS(sev_get_id(id, &len, &fw_), ENOSPC, NOFW);
	ck_assert_uint_eq(len, 64);
	WORKS(sev_get_id(id, &len, &fw_));
	ck_assert_int_eq(
		sev_model_identity_load(id_dir, &ident, err, sizeof(err)), 0);
	sev_model_identity_chip_id(ident, chip);
	ck_assert_mem_eq(id, chip, 64);
	sev_model_identity_free(ident);
	blob_free(&pdh);
	blob_free(&pek);
}
END_TEST

/* PDH_GEN, PEK_GEN, FACTORY_RESET on a copy of the identity: the export
 * changes as the firmware's would, and still loads. */
START_TEST(test_platform_regen_on_model)
{
	char dir[] = "/tmp/libsev-regen-XXXXXX", cmd[600], err[512];
	unsigned char a[LIBSEV_CERT_LEN], b[LIBSEV_CERT_LEN];
	unsigned char ca[3 * LIBSEV_CERT_LEN], cb[3 * LIBSEV_CERT_LEN];
	unsigned int la = sizeof(a), lca = sizeof(ca);
	struct sev_model_identity *ident = NULL;

	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(cmd, sizeof(cmd), "cp -a '%s/.' '%s/'", id_dir, dir);
	ck_assert_int_eq(system(cmd), 0);
	setenv("SEVBOOT_MODEL_DIR", dir, 1);
	WORKS(sev_pdh_cert_export(a, &la, ca, &lca, &fw_));
	WORKS(sev_pdh_gen(&fw_));
	WORKS(sev_pdh_cert_export(b, &la, cb, &lca, &fw_));
	ck_assert_int_ne(memcmp(a, b, sizeof(a)), 0); /* a new PDH */
	ck_assert_mem_eq(ca, cb, sizeof(ca));	      /* the same chain */
	WORKS(sev_pek_gen(&fw_));
	WORKS(sev_pdh_cert_export(a, &la, ca, &lca, &fw_));
	ck_assert_int_ne(memcmp(ca, cb, LIBSEV_CERT_LEN), 0); /* a new PEK */
	ck_assert_mem_eq(ca + LIBSEV_CERT_LEN, cb + LIBSEV_CERT_LEN,
			 2 * LIBSEV_CERT_LEN); /* OCA and CEK stay */
	WORKS(sev_factory_reset(&fw_));
	WORKS(sev_pdh_cert_export(b, &la, cb, &lca, &fw_));
	ck_assert_int_ne(memcmp(ca + LIBSEV_CERT_LEN, cb + LIBSEV_CERT_LEN,
				LIBSEV_CERT_LEN),
			 0); /* a new OCA */
	ck_assert_msg(!sev_model_identity_load(dir, &ident, err, sizeof(err)),
		      "%s", err);
	sev_model_identity_free(ident);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	ck_assert_int_eq(system(cmd), 0);
}
END_TEST

/* The calls of libsev 1.1 beyond the first nine: bad arguments are
 * EINVAL (ENOSPC with the length needed) before any command. */
START_TEST(test_more_bad_arguments)
{
	unsigned char cert[LIBSEV_CERT_LEN] = {0}, key[LIBSEV_SNP_KEY_LEN];
	unsigned char stick[LIBSEV_SNP_VLEK_HASHSTICK_LEN] = {0};
	unsigned char rep[LIBSEV_SNP_REPORT_LEN], certs[4096];
	unsigned int len, clen;

	FAILS(sev_pek_cert_import(NULL, LIBSEV_CERT_LEN, cert, LIBSEV_CERT_LEN,
				  &fw_),
	      EINVAL, NOFW);
	FAILS(sev_pek_cert_import(cert, LIBSEV_CERT_LEN, NULL, LIBSEV_CERT_LEN,
				  &fw_),
	      EINVAL, NOFW);
	FAILS(sev_pek_cert_import(cert, 2083, cert, LIBSEV_CERT_LEN, &fw_),
	      EINVAL, NOFW);
	FAILS(snp_set_config(0, 0x4, &fw_), EINVAL, NOFW);
	FAILS(snp_vlek_load(NULL, sizeof(stick), &fw_), EINVAL, NOFW);
	FAILS(snp_vlek_load(stick, sizeof(stick) - 1, &fw_), EINVAL, NOFW);
	/* snp_commit has no argument: without SEVBOOT_MODEL_DIR, the
	 * model backend is refused. */
	FAILS(snp_commit(&fw_), EINVAL, NOFW);

	FAILS(snp_guest_derived_key(0, 0, 0, 0, 0, NULL, &fw_), EINVAL, NOFW);
	FAILS(snp_guest_derived_key(8, 0, 0, 0, 0, key, &fw_), EINVAL, NOFW);
	FAILS(snp_guest_derived_key(6, 0, 0, 0, 0, key, &fw_), EINVAL, NOFW);
	FAILS(snp_guest_derived_key(0, 0x80, 0, 0, 0, key, &fw_), EINVAL, NOFW);
	FAILS(snp_guest_derived_key(0, 0, 4, 0, 0, key, &fw_), EINVAL, NOFW);

	len = sizeof(rep), clen = sizeof(certs);
	FAILS(snp_guest_ext_report(NULL, 0, rep, NULL, certs, &clen, &fw_),
	      EINVAL, NOFW);
	FAILS(snp_guest_ext_report(NULL, 0, rep, &len, certs, NULL, &fw_),
	      EINVAL, NOFW);
	FAILS(snp_guest_ext_report(NULL, 4, rep, &len, certs, &clen, &fw_),
	      EINVAL, NOFW);
	len = 10;
	FAILS(snp_guest_ext_report(NULL, 0, rep, &len, certs, &clen, &fw_),
	      ENOSPC, NOFW);
	ck_assert_uint_eq(len, LIBSEV_SNP_REPORT_LEN);

	len = sizeof(rep);
	FAILS(snp_guest_tsm_report(NULL, 0, rep, NULL, NULL, NULL, &fw_),
	      EINVAL, NOFW);
	FAILS(snp_guest_tsm_report(NULL, 0, rep, &len, certs, NULL, &fw_),
	      EINVAL, NOFW);
	FAILS(snp_guest_tsm_report(NULL, 5, rep, &len, NULL, NULL, &fw_),
	      EINVAL, NOFW);
	len = 0;
	FAILS(snp_guest_tsm_report(NULL, 0, NULL, &len, NULL, NULL, &fw_),
	      ENOSPC, NOFW);
	ck_assert_uint_eq(len, LIBSEV_SNP_REPORT_LEN);

	/* Not an SNP guest: ENOENT, in one sentence. */
	len = sizeof(rep);
	setenv("SEVBOOT_SEV_GUEST_DEV", "/nonexistent/sev-guest", 1);
	FAILS(snp_guest_derived_key(0, 0, 0, 0, 0, key, &fw_), ENOENT, NOFW);
	FAILS(snp_guest_ext_report(NULL, 0, rep, &len, certs, &clen, &fw_),
	      ENOENT, NOFW);
	unsetenv("SEVBOOT_SEV_GUEST_DEV");
	setenv("SEVBOOT_TSM_DIR", "/nonexistent/tsm/report", 1);
	FAILS(snp_guest_tsm_report(NULL, 0, rep, &len, NULL, NULL, &fw_),
	      ENOENT, NOFW);
	unsetenv("SEVBOOT_TSM_DIR");
}
END_TEST

/* The four platform commands that change the platform, on a copy of the
 * model's identity: each refusal with the firmware's status (errno EIO),
 * SNP_COMMIT and SNP_SET_CONFIG answered, what SNP_SET_CONFIG set is in
 * SNP_PLATFORM_STATUS after a reload; the kernel backend without
 * /dev/sev: ENOENT. */
START_TEST(test_platform_changes_on_model)
{
	char dir[] = "/tmp/libsev-plat-XXXXXX", cmd[600];
	unsigned char cert[LIBSEV_CERT_LEN] = {0};
	unsigned char stick[LIBSEV_SNP_VLEK_HASHSTICK_LEN] = {0};
	struct libsev_snp_platform_status st;

	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(cmd, sizeof(cmd), "cp -a '%s/.' '%s/'", id_dir, dir);
	ck_assert_int_eq(system(cmd), 0);
	setenv("SEVBOOT_MODEL_DIR", dir, 1);
	/* Not a certificate: INVALID_CERTIFICATE (0x06). */
	FAILS(sev_pek_cert_import(cert, LIBSEV_CERT_LEN, cert, LIBSEV_CERT_LEN,
				  &fw_),
	      EIO, 0x06);
	WORKS(snp_commit(&fw_));
	/* Above the current TCB: INVALID_PARAM (0x16). */
	FAILS(snp_set_config(~0ULL, 0, &fw_), EIO, 0x16);
	WORKS(snp_set_config(0x0000000000000001ULL,
			     LIBSEV_SNP_CONFIG_MASK_CHIP_ID, &fw_));
	WORKS(snp_platform_status(&st, &fw_));
	ck_assert_uint_eq(st.reported_tcb, 1);
	ck_assert_uint_eq(st.flags & 3, LIBSEV_SNP_CONFIG_MASK_CHIP_ID);
	/* A hashstick for another TCB: BAD_SVN (0x21); for this one: the
	 * model unwraps none, BAD_MEASUREMENT (0x0b). */
	FAILS(snp_vlek_load(stick, sizeof(stick), &fw_), EIO, 0x21);
	stick[0x190] = 1;
	FAILS(snp_vlek_load(stick, sizeof(stick), &fw_), EIO, 0x0b);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	ck_assert_int_eq(system(cmd), 0);
	if (access(SEV_DEV_PATH, F_OK) == 0)
		return; /* the rest needs a machine without /dev/sev */
	setenv("SEVBOOT_BACKEND", "kvm", 1);
	FAILS(snp_commit(&fw_), ENOENT, NOFW);
	FAILS(snp_vlek_load(stick, sizeof(stick), &fw_), ENOENT, NOFW);
}
END_TEST

/* ------------------------------------------- the fake /dev/sev-guest */

static char fake_dev_path[64];
static struct fake fake;

/* A plain file stands in for the device (opened and closed as the
 * device would be); the fake ioctl answers. */
static void fake_guest_on(void)
{
	int fd;

	snprintf(fake_dev_path, sizeof(fake_dev_path),
		 "/tmp/libsev-sev-guest-XXXXXX");
	fd = mkstemp(fake_dev_path);
	ck_assert_int_ge(fd, 0);
	close(fd);
	memset(&fake, 0, sizeof(fake));
	fake.report_size = LIBSEV_SNP_REPORT_LEN;
	libsev_guest_fake.ioctl = fake_ioctl;
	libsev_guest_fake.ctx = &fake;
	setenv("SEVBOOT_SEV_GUEST_DEV", fake_dev_path, 1);
}

static void fake_guest_off(void)
{
	memset(&libsev_guest_fake, 0, sizeof(libsev_guest_fake));
	unsetenv("SEVBOOT_SEV_GUEST_DEV");
	unlink(fake_dev_path);
}

static void report_pattern(unsigned char d[64])
{
	for (unsigned i = 0; i < 64; i++)
		d[i] = (unsigned char)(0x5a ^ i);
}

START_TEST(test_guest_report_marshalling)
{
	unsigned char d[64], rep[LIBSEV_SNP_REPORT_LEN + 16];
	unsigned int len = sizeof(rep);
	int fw = 77;

	fake_guest_on();
	report_pattern(d);
	ck_assert_int_eq(snp_guest_report(d, 3, rep, &len, &fw), 0);
	ck_assert_int_eq(fw, 0);
	ck_assert_uint_eq(fake.calls, 1);
	ck_assert_uint_eq(fake.last_req, K_SNP_GET_REPORT);
	ck_assert_mem_eq(fake.user_data, d, 64);
	ck_assert_uint_eq(fake.vmpl, 3);
	ck_assert_uint_eq(len, LIBSEV_SNP_REPORT_LEN);
	for (unsigned i = 0; i < len; i++)
		ck_assert_uint_eq(rep[i], (uint8_t)i);
	/* The firmware's status in the response: EIO, *fw_err says it. */
	fake.rsp_status = 0x16;
	len = sizeof(rep);
	FAILS(snp_guest_report(d, 0, rep, &len, &fw_), EIO, 0x16);
	fake_guest_off();
}
END_TEST

START_TEST(test_guest_derived_key_marshalling)
{
	unsigned char key[LIBSEV_SNP_KEY_LEN];
	int fw = 77;

	fake_guest_on();
	memset(key, 0, sizeof(key));
	ck_assert_int_eq(
		snp_guest_derived_key(1 | 2u << 1,
				      LIBSEV_SNP_FIELD_MEASUREMENT |
					      LIBSEV_SNP_FIELD_LAUNCH_MIT,
				      2, 0xa1b2c3d4, 0xdb18000000000004ull, key,
				      &fw),
		0);
	ck_assert_int_eq(fw, 0);
	ck_assert_uint_eq(fake.last_req, K_SNP_GET_DERIVED_KEY);
	/* struct snp_derived_key_req: root_key_select @0, rsvd @4,
	 * guest_field_select @8, vmpl @16, guest_svn @20, tcb_version @24. */
	ck_assert_uint_eq(get_le32(fake.key_req, 0), 5);
	ck_assert_uint_eq(get_le32(fake.key_req, 4), 0);
	ck_assert_uint_eq(get_le64(fake.key_req, 8), 0x48);
	ck_assert_uint_eq(get_le32(fake.key_req, 16), 2);
	ck_assert_uint_eq(get_le32(fake.key_req, 20), 0xa1b2c3d4);
	ck_assert_uint_eq(get_le64(fake.key_req, 24), 0xdb18000000000004ull);
	for (unsigned i = 0; i < sizeof(key); i++)
		ck_assert_uint_eq(key[i], 0x40 + i);
	/* Refused by the firmware: no key handed out. */
	fake.rsp_status = 0x27;
	memset(key, 0, sizeof(key));
	FAILS(snp_guest_derived_key(0, 0, 0, 0, 0, key, &fw_), EIO, 0x27);
	for (unsigned i = 0; i < sizeof(key); i++)
		ck_assert_uint_eq(key[i], 0);
	fake_guest_off();
}
END_TEST

/* The kernel asks for 3 pages: the library grows its buffer as the CLI
 * does; a caller's short buffer is ENOSPC with the length needed and
 * nothing written. */
START_TEST(test_guest_ext_report_marshalling)
{
	unsigned char d[64], rep[LIBSEV_SNP_REPORT_LEN], certs[3 * 4096];
	unsigned int len = sizeof(rep), clen = 4096;
	struct sev_cert_entry e[4];
	char err[256];
	size_t n;
	int fw = 77;

	fake_guest_on();
	fake.need_certs = 3 * 4096;
	report_pattern(d);
	memset(certs, 0xee, sizeof(certs));
	FAILS(snp_guest_ext_report(d, 1, rep, &len, certs, &clen, &fw_), ENOSPC,
	      NOFW);
	ck_assert_uint_eq(clen, 3 * 4096);
	ck_assert_uint_eq(len, sizeof(rep)); /* the report had room */
	ck_assert_uint_eq(certs[0], 0xee);   /* nothing written */
	ck_assert_uint_eq(fake.certs_len_seen[0], 4096);
	ck_assert_uint_eq(fake.certs_len_seen[1], 3 * 4096);

	memset(&fake.certs_len_seen, 0, sizeof(fake.certs_len_seen));
	fake.calls = 0;
	ck_assert_int_eq(
		snp_guest_ext_report(d, 1, rep, &len, certs, &clen, &fw), 0);
	ck_assert_int_eq(fw, 0);
	ck_assert_uint_eq(fake.last_req, K_SNP_GET_EXT_REPORT);
	ck_assert_mem_eq(fake.user_data, d, 64);
	ck_assert_uint_eq(fake.vmpl, 1);
	ck_assert_uint_eq(len, LIBSEV_SNP_REPORT_LEN);
	ck_assert_uint_eq(rep[100], 100);
	ck_assert_uint_eq(clen, 3 * 4096);
	ck_assert_int_eq(
		sev_cert_table_parse(certs, clen, e, 4, &n, err, sizeof(err)),
		0);
	ck_assert_uint_eq(n, 3);
	ck_assert_str_eq(sev_cert_guid_name(&e[0].guid), "vcek");
	ck_assert_str_eq(sev_cert_guid_name(&e[2].guid), "ark");
	ck_assert_uint_eq(certs[e[1].offset], 0xa1);
	/* All of it copied: the buffer was 0xee, the table zero-padded. */
	for (unsigned i = 0xb0; i < clen; i++)
		ck_assert_uint_eq(certs[i], 0);
	fake_guest_off();
}
END_TEST

/* configfs-tsm in a fake tree: inblob and privlevel as written, outblob
 * and auxblob as read, the entry removed. */
START_TEST(test_guest_tsm_report)
{
	struct tsm_fake t = {.provider = "sev_guest\n"};
	char dir[] = "/tmp/libsev-tsm-XXXXXX";
	unsigned char d[64], rep[LIBSEV_SNP_REPORT_LEN], aux[512];
	unsigned int len = sizeof(rep), alen = 10;
	struct stat st;
	int fw = 77;

	ck_assert_ptr_nonnull(mkdtemp(dir));
	setenv("SEVBOOT_TSM_DIR", dir, 1);
	libsev_guest_fake.after_mkdir = tsm_play;
	libsev_guest_fake.ctx = &t;
	report_pattern(d);
	/* auxblob longer than the buffer: ENOSPC, the length needed. */
	FAILS(snp_guest_tsm_report(d, 2, rep, &len, aux, &alen, &fw_), ENOSPC,
	      NOFW);
	ck_assert_uint_eq(alen, 0xb0 + 24);
	alen = sizeof(aux);
	ck_assert_int_eq(snp_guest_tsm_report(d, 2, rep, &len, aux, &alen, &fw),
			 0);
	ck_assert_int_eq(fw, 0);
	ck_assert_uint_eq(t.made, 2);
	ck_assert_uint_eq(len, LIBSEV_SNP_REPORT_LEN);
	ck_assert_uint_eq(rep[3], 21);
	ck_assert_uint_eq(alen, 0xb0 + 24);
	ck_assert_uint_eq(aux[0x80], 0xa0);
	/* The entry is gone afterwards. */
	ck_assert_int_eq(stat(t.entry, &st), -1);
	/* Without aux: the report alone. */
	len = sizeof(rep);
	ck_assert_int_eq(snp_guest_tsm_report(d, 0, rep, &len, NULL, NULL, &fw),
			 0);
	/* Another provider: not an SNP guest. */
	t.provider = "tdx_guest\n";
	FAILS(snp_guest_tsm_report(d, 0, rep, &len, NULL, NULL, &fw_), ENODEV,
	      NOFW);
	memset(&libsev_guest_fake, 0, sizeof(libsev_guest_fake));
	unsetenv("SEVBOOT_TSM_DIR");
	ck_assert_int_eq(rmdir(dir), 0);
}
END_TEST

static Suite *libsev_suite(void)
{
	Suite *s = suite_create("libsev");
	TCase *tc = tcase_create("api");

	tcase_add_checked_fixture(tc, setup, NULL);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_not_a_vm);
	tcase_add_test(tc, test_before_init);
	tcase_add_test(tc, test_bad_arguments);
	tcase_add_test(tc, test_out_of_order);
	tcase_add_test(tc, test_model_memory_and_firmware_errors);
	tcase_add_test(tc, test_sev_flow_on_model);
	tcase_add_test(tc, test_snp_on_model);
	tcase_add_test(tc, test_stale_fd);
	tcase_add_test(tc, test_backend_env);
	tcase_add_test(tc, test_kernel_backend_without_dev_sev);
	tcase_add_test(tc, test_threads);
	tcase_add_test(tc, test_platform_bad_arguments);
	tcase_add_test(tc, test_platform_without_dev_sev);
	tcase_add_test(tc, test_more_bad_arguments);
	tcase_add_test(tc, test_guest_report_marshalling);
	tcase_add_test(tc, test_guest_derived_key_marshalling);
	tcase_add_test(tc, test_guest_ext_report_marshalling);
	tcase_add_test(tc, test_guest_tsm_report);
	suite_add_tcase(s, tc);
	tc = tcase_create("identity");
	tcase_add_unchecked_fixture(tc, identity_setup, identity_teardown);
	tcase_add_checked_fixture(tc, setup, NULL);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_attestation_with_identity);
	tcase_add_test(tc, test_attestation_pdh_only_dir);
	tcase_add_test(tc, test_platform_on_model);
	tcase_add_test(tc, test_platform_regen_on_model);
	tcase_add_test(tc, test_platform_changes_on_model);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return run_suite(libsev_suite());
}
