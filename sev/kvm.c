// SPDX-License-Identifier: MIT
/*
 * sev/kvm.c: the real transport.  Every launch command is one
 * ioctl(vm_fd, KVM_MEMORY_ENCRYPT_OP) with struct kvm_sev_cmd {id, data,
 * error, sev_fd}, as the kernel's arch/x86/kvm/svm/sev.c
 * sev_mem_enc_ioctl() takes it; the fd of an open /dev/sev goes with
 * every command (the kernel checks it in __sev_issue_cmd()).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "sev/launch.h"
#include "sev/sev.h"
#include "util/kvm_uapi.h"
#include "util/util.h"

static int kvm_vm_cmd(void *ctx, uint32_t id, void *data, uint32_t *fw_error)
{
	const struct sev_kvm_transport *k = ctx;
	struct kvm_sev_cmd cmd;

	memset(&cmd, 0, sizeof(cmd));
	cmd.id = id;
	cmd.data = (__u64)(uintptr_t)data;
	/* The kernel writes error only when it reached the firmware; what
	 * we preset is what the caller sees otherwise. */
	cmd.error = *fw_error;
	cmd.sev_fd = (__u32)k->sev_fd;
	if (ioctl(k->vm_fd, KVM_MEMORY_ENCRYPT_OP, &cmd) < 0) {
		int err = errno;

		*fw_error = cmd.error;
		return -err;
	}
	*fw_error = cmd.error;
	return 0;
}

/* The platform commands: ioctl(sev_fd, SEV_ISSUE_CMD) with struct
 * sev_issue_cmd {cmd, data, error} (drivers/crypto/ccp/sev-dev.c
 * sev_ioctl()). */
static int kvm_platform_cmd(void *ctx, uint32_t id, void *data,
			    uint32_t *fw_error)
{
	const struct sev_kvm_transport *k = ctx;
	struct sev_issue_cmd cmd = { .cmd = id,
				     .data = (__u64)(uintptr_t)data,
				     .error = *fw_error };
	int ret = ioctl(k->sev_fd, SEV_ISSUE_CMD, &cmd) < 0 ? -errno : 0;

	*fw_error = cmd.error;
	return ret;
}

static const struct sev_transport_ops kvm_transport_ops = {
	.vm_cmd = kvm_vm_cmd,
	.platform_cmd = kvm_platform_cmd,
};

struct sev_transport sev_transport_kvm(struct sev_kvm_transport *k, int vm_fd,
				       int sev_fd)
{
	k->vm_fd = vm_fd;
	k->sev_fd = sev_fd;
	return (struct sev_transport){.ops = &kvm_transport_ops, .ctx = k};
}

int sev_dev_open(const char *path)
{
	/* Read-only is enough: KVM only checks that the fd it is given is
	 * /dev/sev (drivers/crypto/ccp/sev-dev.c, sev_issue_cmd_external_user()),
	 * and sev_ioctl() asks for FMODE_WRITE only for the commands that
	 * change the platform, none of which a launch issues. */
	return open(path, O_RDONLY | O_CLOEXEC);
}

int sev_kvm_transport_open(struct sev_kvm_transport *k, int vm_fd,
			   struct sev_transport *t, char *err, size_t errlen)
{
	int fd = sev_dev_open(SEV_DEV_PATH);

	if (fd < 0) {
		int ret = -errno;

		set_err(err, errlen, "%s: %s", SEV_DEV_PATH, strerror(errno));
		k->sev_fd = -1;
		return ret;
	}
	*t = sev_transport_kvm(k, vm_fd, fd);
	return 0;
}

void sev_kvm_transport_close(struct sev_kvm_transport *k)
{
	if (k->sev_fd >= 0)
		close(k->sev_fd);
	k->sev_fd = -1;
}
