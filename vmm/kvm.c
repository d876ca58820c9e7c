// SPDX-License-Identifier: MIT
/* Opening /dev/kvm and checking what the host offers. */
#include <errno.h>
#include <fcntl.h>
#include <linux/kvm.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "vmm/vmm.h"

/* Capabilities the machine cannot work without, and why each is needed. */
static const struct {
	int cap;
	const char *name;
	const char *why;
} required_caps[] = {
	{ KVM_CAP_IRQCHIP, "KVM_CAP_IRQCHIP", "in-kernel PIC/IOAPIC/LAPIC" },
	{ KVM_CAP_PIT2, "KVM_CAP_PIT2", "in-kernel PIT" },
	{ KVM_CAP_USER_MEMORY, "KVM_CAP_USER_MEMORY", "guest RAM slots" },
	{ KVM_CAP_EXT_CPUID, "KVM_CAP_EXT_CPUID", "KVM_GET_SUPPORTED_CPUID" },
	{ KVM_CAP_IMMEDIATE_EXIT, "KVM_CAP_IMMEDIATE_EXIT",
	  "stopping vCPUs without races" },
	{ KVM_CAP_SET_TSS_ADDR, "KVM_CAP_SET_TSS_ADDR", "TSS placement" },
};

static void append(char *err, size_t errlen, const char *fmt, const char *a,
		   const char *b)
{
	size_t used = strnlen(err, errlen);

	if (used + 1 >= errlen)
		return;
	snprintf(err + used, errlen - used, "%s", used ? "; " : "");
	used = strnlen(err, errlen);
	snprintf(err + used, errlen - used, fmt, a, b);
}

int kvm_open_checked(char *err, size_t errlen)
{
	int fd, ret, missing = 0;

	err[0] = '\0';
	fd = open("/dev/kvm", O_RDWR | O_CLOEXEC);
	if (fd < 0) {
		ret = -errno;
		if (errno == ENOENT)
			snprintf(err, errlen,
				 "/dev/kvm does not exist: this host has no KVM "
				 "(load kvm_amd or kvm_intel, or boot inside "
				 "the test host: scripts/testhost/run)");
		else if (errno == EACCES)
			snprintf(err, errlen,
				 "/dev/kvm: permission denied (run as root or "
				 "join the kvm group)");
		else
			snprintf(err, errlen, "/dev/kvm: %s", strerror(errno));
		return ret;
	}
	ret = ioctl(fd, KVM_GET_API_VERSION, 0);
	if (ret != KVM_API_VERSION) {
		snprintf(err, errlen,
			 "/dev/kvm reports API version %d, sevboot needs %d",
			 ret, KVM_API_VERSION);
		close(fd);
		return -ENOTSUP;
	}
	for (size_t i = 0; i < sizeof(required_caps) / sizeof(required_caps[0]);
	     i++) {
		if (ioctl(fd, KVM_CHECK_EXTENSION, required_caps[i].cap) > 0)
			continue;
		append(err, errlen, "KVM lacks %s (needed for %s)",
		       required_caps[i].name, required_caps[i].why);
		missing++;
	}
	if (missing) {
		close(fd);
		return -ENOTSUP;
	}
	return fd;
}
