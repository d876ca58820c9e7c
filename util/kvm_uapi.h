/* SPDX-License-Identifier: MIT */
/*
 * util/kvm_uapi.h: the one place where sevboot declares the kernel UAPI
 * that the build host's headers lack.
 *
 * Debian 12 ships the Linux 6.1 UAPI headers.  They have the legacy SEV
 * commands and /dev/sev commands 0-8, but no KVM_SEV_INIT2, no SNP (neither
 * KVM nor PSP), no guest_memfd, no memslots v2, no memory attributes and no
 * KVM_EXIT_MEMORY_FAULT.  Everything here is copied from the kernel ABI
 * (Linux include/uapi/linux/kvm.h, arch/x86/include/uapi/asm/kvm.h,
 * include/uapi/linux/psp-sev.h), and every struct, offset, field size and
 * ioctl number is checked at compile time, so a typo cannot reach an ioctl.
 *
 * The rules that let this header sit on top of any header version:
 *
 *  - Structs the 6.1 headers already have (kvm_sev_cmd, kvm_sev_launch_*,
 *    sev_issue_cmd, ...) are used as they are and only asserted.  6.1 leaves
 *    their padding implicit (newer headers name it pad0, pad1...), so the
 *    layout is the same; callers zero the whole struct before use.
 *  - Structs that arrived later keep their kernel names, and are declared
 *    only when a macro the kernel defines next to them is absent (for
 *    example struct kvm_create_guest_memfd when KVM_CREATE_GUEST_MEMFD is
 *    undefined).  A newer header then provides them and the same asserts
 *    check its copy.
 *  - Where the kernel gives no such marker (struct sev_user_data_snp_status
 *    in psp-sev.h) the struct is ours, with an sb_ prefix, so it can never
 *    collide.
 *  - Constants get one #ifndef each.  Newer headers declare some of them as
 *    enum constants (KVM_SEV_INIT2, SNP_PLATFORM_STATUS, SEV_RET_*), which
 *    #ifndef cannot see; the macro then shadows the enumerator with the same
 *    value, which is harmless because the kernel header was included first.
 */
#ifndef SEVBOOT_UTIL_KVM_UAPI_H
#define SEVBOOT_UTIL_KVM_UAPI_H

#include <stddef.h>

#include <linux/ioctl.h>
#include <linux/kvm.h>
#include <linux/kvm_para.h>
#include <linux/types.h>

/* The /dev/sev and /dev/sev-guest UAPI, and the SB_UAPI_* checks. */
#include "util/psp_uapi.h"

/* ============================================ KVM_MEMORY_ENCRYPT_OP ids */

/* enum sev_cmd_id: 0-21 are in 6.1 as enumerators; check them. */
SB_UAPI_VALUE(KVM_SEV_INIT, 0);
SB_UAPI_VALUE(KVM_SEV_ES_INIT, 1);
SB_UAPI_VALUE(KVM_SEV_LAUNCH_START, 2);
SB_UAPI_VALUE(KVM_SEV_LAUNCH_UPDATE_DATA, 3);
SB_UAPI_VALUE(KVM_SEV_LAUNCH_UPDATE_VMSA, 4);
SB_UAPI_VALUE(KVM_SEV_LAUNCH_SECRET, 5);
SB_UAPI_VALUE(KVM_SEV_LAUNCH_MEASURE, 6);
SB_UAPI_VALUE(KVM_SEV_LAUNCH_FINISH, 7);
SB_UAPI_VALUE(KVM_SEV_SEND_START, 8);
SB_UAPI_VALUE(KVM_SEV_SEND_UPDATE_DATA, 9);
SB_UAPI_VALUE(KVM_SEV_SEND_UPDATE_VMSA, 10);
SB_UAPI_VALUE(KVM_SEV_SEND_FINISH, 11);
SB_UAPI_VALUE(KVM_SEV_RECEIVE_START, 12);
SB_UAPI_VALUE(KVM_SEV_RECEIVE_UPDATE_DATA, 13);
SB_UAPI_VALUE(KVM_SEV_RECEIVE_UPDATE_VMSA, 14);
SB_UAPI_VALUE(KVM_SEV_RECEIVE_FINISH, 15);
SB_UAPI_VALUE(KVM_SEV_GUEST_STATUS, 16);
SB_UAPI_VALUE(KVM_SEV_DBG_DECRYPT, 17);
SB_UAPI_VALUE(KVM_SEV_DBG_ENCRYPT, 18);
SB_UAPI_VALUE(KVM_SEV_CERT_EXPORT, 19);
SB_UAPI_VALUE(KVM_SEV_GET_ATTESTATION_REPORT, 20);
SB_UAPI_VALUE(KVM_SEV_SEND_CANCEL, 21);

/* 6.10+: INIT2 takes struct kvm_sev_init and works with VM types 2-4. */
#ifndef KVM_SEV_INIT2
#define KVM_SEV_INIT2 22
#endif
/* 6.11+: the SNP launch.  Ids below 100 fail with -EPERM on an SNP VM. */
#ifndef KVM_SEV_SNP_LAUNCH_START
#define KVM_SEV_SNP_LAUNCH_START 100
#endif
#ifndef KVM_SEV_SNP_LAUNCH_UPDATE
#define KVM_SEV_SNP_LAUNCH_UPDATE 101
#endif
#ifndef KVM_SEV_SNP_LAUNCH_FINISH
#define KVM_SEV_SNP_LAUNCH_FINISH 102
#endif
SB_UAPI_VALUE(KVM_SEV_INIT2, 22);
SB_UAPI_VALUE(KVM_SEV_SNP_LAUNCH_START, 100);
SB_UAPI_VALUE(KVM_SEV_SNP_LAUNCH_UPDATE, 101);
SB_UAPI_VALUE(KVM_SEV_SNP_LAUNCH_FINISH, 102);

/* ==================================================== KVM SEV structs */

/* The argument of KVM_MEMORY_ENCRYPT_OP; error carries the SEV_RET_* code
 * of the firmware when the ioctl fails (usually with EIO). */
SB_UAPI_FIELD(struct kvm_sev_cmd, id, 0, 4);
SB_UAPI_FIELD(struct kvm_sev_cmd, data, 8, 8);
SB_UAPI_FIELD(struct kvm_sev_cmd, error, 16, 4);
SB_UAPI_FIELD(struct kvm_sev_cmd, sev_fd, 20, 4);
SB_UAPI_SIZE(struct kvm_sev_cmd, 24);

SB_UAPI_FIELD(struct kvm_sev_launch_start, handle, 0, 4);
SB_UAPI_FIELD(struct kvm_sev_launch_start, policy, 4, 4);
SB_UAPI_FIELD(struct kvm_sev_launch_start, dh_uaddr, 8, 8);
SB_UAPI_FIELD(struct kvm_sev_launch_start, dh_len, 16, 4);
SB_UAPI_FIELD(struct kvm_sev_launch_start, session_uaddr, 24, 8);
SB_UAPI_FIELD(struct kvm_sev_launch_start, session_len, 32, 4);
SB_UAPI_SIZE(struct kvm_sev_launch_start, 40);

SB_UAPI_FIELD(struct kvm_sev_launch_update_data, uaddr, 0, 8);
SB_UAPI_FIELD(struct kvm_sev_launch_update_data, len, 8, 4);
SB_UAPI_SIZE(struct kvm_sev_launch_update_data, 16);

SB_UAPI_FIELD(struct kvm_sev_launch_secret, hdr_uaddr, 0, 8);
SB_UAPI_FIELD(struct kvm_sev_launch_secret, hdr_len, 8, 4);
SB_UAPI_FIELD(struct kvm_sev_launch_secret, guest_uaddr, 16, 8);
SB_UAPI_FIELD(struct kvm_sev_launch_secret, guest_len, 24, 4);
SB_UAPI_FIELD(struct kvm_sev_launch_secret, trans_uaddr, 32, 8);
SB_UAPI_FIELD(struct kvm_sev_launch_secret, trans_len, 40, 4);
SB_UAPI_SIZE(struct kvm_sev_launch_secret, 48);

/* len == 0 asks the firmware for the size it needs. */
SB_UAPI_FIELD(struct kvm_sev_launch_measure, uaddr, 0, 8);
SB_UAPI_FIELD(struct kvm_sev_launch_measure, len, 8, 4);
SB_UAPI_SIZE(struct kvm_sev_launch_measure, 16);

/* The KVM doc shows state as __u8; the header (trusted) has __u32. */
SB_UAPI_FIELD(struct kvm_sev_guest_status, handle, 0, 4);
SB_UAPI_FIELD(struct kvm_sev_guest_status, policy, 4, 4);
SB_UAPI_FIELD(struct kvm_sev_guest_status, state, 8, 4);
SB_UAPI_SIZE(struct kvm_sev_guest_status, 12);

/* KVM_MEMORY_ENCRYPT_REG_REGION pins SEV/SEV-ES guest RAM (not SNP). */
SB_UAPI_FIELD(struct kvm_enc_region, addr, 0, 8);
SB_UAPI_FIELD(struct kvm_enc_region, size, 8, 8);
SB_UAPI_SIZE(struct kvm_enc_region, 16);

/*
 * struct kvm_sev_init: KVM_SEV_INIT2 (6.10).  It came in the same release
 * and series as KVM_X86_SEV_VM, which is a macro and so can tell us whether
 * the kernel header already declares the struct.  KVM rejects non-zero
 * flags and pads.
 */
#ifndef KVM_X86_SEV_VM
struct kvm_sev_init {
	__u64 vmsa_features; /* SEV_FEATURES; must be 0 for plain SEV */
	__u32 flags;	     /* must be 0 */
	__u16 ghcb_version;  /* 0: KVM's default (2 for ES/SNP) */
	__u16 pad1;
	__u32 pad2[8];
};
#endif
SB_UAPI_FIELD(struct kvm_sev_init, vmsa_features, 0, 8);
SB_UAPI_FIELD(struct kvm_sev_init, flags, 8, 4);
SB_UAPI_FIELD(struct kvm_sev_init, ghcb_version, 12, 2);
SB_UAPI_FIELD(struct kvm_sev_init, pad1, 14, 2);
SB_UAPI_FIELD(struct kvm_sev_init, pad2, 16, 32);
SB_UAPI_SIZE(struct kvm_sev_init, 48);

/* SNP_LAUNCH_FINISH sizes; the struct below uses the last one. */
#ifndef KVM_SEV_SNP_ID_BLOCK_SIZE
#define KVM_SEV_SNP_ID_BLOCK_SIZE 96
#endif
#ifndef KVM_SEV_SNP_ID_AUTH_SIZE
#define KVM_SEV_SNP_ID_AUTH_SIZE 4096
#endif
#ifndef KVM_SEV_SNP_FINISH_DATA_SIZE
#define KVM_SEV_SNP_FINISH_DATA_SIZE 32
#endif
SB_UAPI_VALUE(KVM_SEV_SNP_ID_BLOCK_SIZE, 96);
SB_UAPI_VALUE(KVM_SEV_SNP_ID_AUTH_SIZE, 4096);
SB_UAPI_VALUE(KVM_SEV_SNP_FINISH_DATA_SIZE, 32);

/*
 * The SNP launch structs (6.11).  The kernel defines the page-type macros
 * between them, so KVM_SEV_SNP_PAGE_TYPE_NORMAL tells whether they exist.
 */
#ifndef KVM_SEV_SNP_PAGE_TYPE_NORMAL
struct kvm_sev_snp_launch_start {
	__u64 policy;	/* 64-bit SNP guest policy */
	__u8 gosvw[16]; /* guest OS visible workarounds */
	__u16 flags;	/* must be 0 */
	__u8 pad0[6];
	__u64 pad1[4];
};

/* gfn_start, uaddr and len are advanced by KVM as pages are processed, so
 * a caller that is interrupted (-EINTR/-EAGAIN) can reissue the command. */
struct kvm_sev_snp_launch_update {
	__u64 gfn_start;
	__u64 uaddr; /* ignored for ZERO pages */
	__u64 len;   /* multiple of 4 KiB */
	__u8 type;   /* KVM_SEV_SNP_PAGE_TYPE_* */
	__u8 pad0;
	__u16 flags; /* must be 0 */
	__u32 pad1;
	__u64 pad2[4];
};

struct kvm_sev_snp_launch_finish {
	__u64 id_block_uaddr; /* KVM_SEV_SNP_ID_BLOCK_SIZE bytes */
	__u64 id_auth_uaddr;  /* KVM_SEV_SNP_ID_AUTH_SIZE bytes */
	__u8 id_block_en;
	__u8 auth_key_en;
	__u8 vcek_disabled;
	__u8 host_data[KVM_SEV_SNP_FINISH_DATA_SIZE]; /* into the report */
	__u8 pad0[3];
	__u16 flags; /* must be 0 */
	__u64 pad1[4];
};
#endif
SB_UAPI_FIELD(struct kvm_sev_snp_launch_start, policy, 0, 8);
SB_UAPI_FIELD(struct kvm_sev_snp_launch_start, gosvw, 8, 16);
SB_UAPI_FIELD(struct kvm_sev_snp_launch_start, flags, 24, 2);
SB_UAPI_FIELD(struct kvm_sev_snp_launch_start, pad0, 26, 6);
SB_UAPI_FIELD(struct kvm_sev_snp_launch_start, pad1, 32, 32);
SB_UAPI_SIZE(struct kvm_sev_snp_launch_start, 64);

SB_UAPI_FIELD(struct kvm_sev_snp_launch_update, gfn_start, 0, 8);
SB_UAPI_FIELD(struct kvm_sev_snp_launch_update, uaddr, 8, 8);
SB_UAPI_FIELD(struct kvm_sev_snp_launch_update, len, 16, 8);
SB_UAPI_FIELD(struct kvm_sev_snp_launch_update, type, 24, 1);
SB_UAPI_FIELD(struct kvm_sev_snp_launch_update, pad0, 25, 1);
SB_UAPI_FIELD(struct kvm_sev_snp_launch_update, flags, 26, 2);
SB_UAPI_FIELD(struct kvm_sev_snp_launch_update, pad1, 28, 4);
SB_UAPI_FIELD(struct kvm_sev_snp_launch_update, pad2, 32, 32);
SB_UAPI_SIZE(struct kvm_sev_snp_launch_update, 64);

SB_UAPI_FIELD(struct kvm_sev_snp_launch_finish, id_block_uaddr, 0, 8);
SB_UAPI_FIELD(struct kvm_sev_snp_launch_finish, id_auth_uaddr, 8, 8);
SB_UAPI_FIELD(struct kvm_sev_snp_launch_finish, id_block_en, 16, 1);
SB_UAPI_FIELD(struct kvm_sev_snp_launch_finish, auth_key_en, 17, 1);
SB_UAPI_FIELD(struct kvm_sev_snp_launch_finish, vcek_disabled, 18, 1);
SB_UAPI_FIELD(struct kvm_sev_snp_launch_finish, host_data, 19, 32);
SB_UAPI_FIELD(struct kvm_sev_snp_launch_finish, pad0, 51, 3);
SB_UAPI_FIELD(struct kvm_sev_snp_launch_finish, flags, 54, 2);
SB_UAPI_FIELD(struct kvm_sev_snp_launch_finish, pad1, 56, 32);
SB_UAPI_SIZE(struct kvm_sev_snp_launch_finish, 88);

/*
 * SNP page types for kvm_sev_snp_launch_update.type: the firmware's own
 * values.  The firmware's VMSA type (2) is missing on purpose: KVM measures
 * the vCPUs' VMSAs itself in SNP_LAUNCH_FINISH and refuses it from us.
 */
#ifndef KVM_SEV_PAGE_TYPE_INVALID
#define KVM_SEV_PAGE_TYPE_INVALID 0x0
#endif
#ifndef KVM_SEV_SNP_PAGE_TYPE_NORMAL
#define KVM_SEV_SNP_PAGE_TYPE_NORMAL 0x1
#endif
#ifndef KVM_SEV_SNP_PAGE_TYPE_ZERO
#define KVM_SEV_SNP_PAGE_TYPE_ZERO 0x3
#endif
#ifndef KVM_SEV_SNP_PAGE_TYPE_UNMEASURED
#define KVM_SEV_SNP_PAGE_TYPE_UNMEASURED 0x4
#endif
#ifndef KVM_SEV_SNP_PAGE_TYPE_SECRETS
#define KVM_SEV_SNP_PAGE_TYPE_SECRETS 0x5
#endif
#ifndef KVM_SEV_SNP_PAGE_TYPE_CPUID
#define KVM_SEV_SNP_PAGE_TYPE_CPUID 0x6
#endif
SB_UAPI_VALUE(KVM_SEV_PAGE_TYPE_INVALID, 0);
SB_UAPI_VALUE(KVM_SEV_SNP_PAGE_TYPE_NORMAL, 1);
SB_UAPI_VALUE(KVM_SEV_SNP_PAGE_TYPE_ZERO, 3);
SB_UAPI_VALUE(KVM_SEV_SNP_PAGE_TYPE_UNMEASURED, 4);
SB_UAPI_VALUE(KVM_SEV_SNP_PAGE_TYPE_SECRETS, 5);
SB_UAPI_VALUE(KVM_SEV_SNP_PAGE_TYPE_CPUID, 6);

/* =============================== VM types, capabilities, attributes */

/* The argument of KVM_CREATE_VM.  SEV/SEV-ES with INIT2 need 6.10, SNP
 * 6.11; KVM_CAP_VM_TYPES says which ones this host's kvm-amd enabled. */
#ifndef KVM_X86_DEFAULT_VM
#define KVM_X86_DEFAULT_VM 0
#endif
#ifndef KVM_X86_SW_PROTECTED_VM
#define KVM_X86_SW_PROTECTED_VM 1
#endif
#ifndef KVM_X86_SEV_VM
#define KVM_X86_SEV_VM 2
#endif
#ifndef KVM_X86_SEV_ES_VM
#define KVM_X86_SEV_ES_VM 3
#endif
#ifndef KVM_X86_SNP_VM
#define KVM_X86_SNP_VM 4
#endif
SB_UAPI_VALUE(KVM_X86_DEFAULT_VM, 0);
SB_UAPI_VALUE(KVM_X86_SW_PROTECTED_VM, 1);
SB_UAPI_VALUE(KVM_X86_SEV_VM, 2);
SB_UAPI_VALUE(KVM_X86_SEV_ES_VM, 3);
SB_UAPI_VALUE(KVM_X86_SNP_VM, 4);

/* In 6.1 already; it gates the MAP_GPA_RANGE exit SNP guests need. */
SB_UAPI_VALUE(KVM_CAP_EXIT_HYPERCALL, 201);
#ifndef KVM_CAP_USER_MEMORY2
#define KVM_CAP_USER_MEMORY2 231
#endif
#ifndef KVM_CAP_MEMORY_FAULT_INFO
#define KVM_CAP_MEMORY_FAULT_INFO 232
#endif
#ifndef KVM_CAP_MEMORY_ATTRIBUTES
#define KVM_CAP_MEMORY_ATTRIBUTES 233
#endif
#ifndef KVM_CAP_GUEST_MEMFD
#define KVM_CAP_GUEST_MEMFD 234
#endif
#ifndef KVM_CAP_VM_TYPES
#define KVM_CAP_VM_TYPES 235
#endif
#ifndef KVM_CAP_PRE_FAULT_MEMORY
#define KVM_CAP_PRE_FAULT_MEMORY 236
#endif
SB_UAPI_VALUE(KVM_CAP_USER_MEMORY2, 231);
SB_UAPI_VALUE(KVM_CAP_MEMORY_FAULT_INFO, 232);
SB_UAPI_VALUE(KVM_CAP_MEMORY_ATTRIBUTES, 233);
SB_UAPI_VALUE(KVM_CAP_GUEST_MEMFD, 234);
SB_UAPI_VALUE(KVM_CAP_VM_TYPES, 235);
SB_UAPI_VALUE(KVM_CAP_PRE_FAULT_MEMORY, 236);

/*
 * Device attributes of /dev/kvm (KVM_HAS/GET_DEVICE_ATTR on the system fd,
 * not the VM fd).  Without KVM_X86_SEV_VMSA_FEATURES the kernel only knows
 * the legacy KVM_SEV_INIT / KVM_SEV_ES_INIT.
 */
#ifndef KVM_X86_GRP_SEV
#define KVM_X86_GRP_SEV 1
#endif
#ifndef KVM_X86_SEV_VMSA_FEATURES
#define KVM_X86_SEV_VMSA_FEATURES 0
#endif
#ifndef KVM_X86_SNP_POLICY_BITS
#define KVM_X86_SNP_POLICY_BITS 1
#endif
SB_UAPI_VALUE(KVM_X86_GRP_SEV, 1);
SB_UAPI_VALUE(KVM_X86_SEV_VMSA_FEATURES, 0);
SB_UAPI_VALUE(KVM_X86_SNP_POLICY_BITS, 1);

SB_UAPI_FIELD(struct kvm_device_attr, flags, 0, 4);
SB_UAPI_FIELD(struct kvm_device_attr, group, 4, 4);
SB_UAPI_FIELD(struct kvm_device_attr, attr, 8, 8);
SB_UAPI_FIELD(struct kvm_device_attr, addr, 16, 8);
SB_UAPI_SIZE(struct kvm_device_attr, 24);

/* KVM_ENABLE_CAP(KVM_CAP_EXIT_HYPERCALL, 1 << KVM_HC_MAP_GPA_RANGE). */
SB_UAPI_FIELD(struct kvm_enable_cap, cap, 0, 4);
SB_UAPI_FIELD(struct kvm_enable_cap, flags, 4, 4);
SB_UAPI_FIELD(struct kvm_enable_cap, args, 8, 32);
SB_UAPI_FIELD(struct kvm_enable_cap, pad, 40, 64);
SB_UAPI_SIZE(struct kvm_enable_cap, 104);

/* ========================= guest_memfd, memslots v2, memory attributes */

/* A memslot with two backings: userspace_addr for shared accesses,
 * guest_memfd for private ones; the GPA's attribute picks one (6.8). */
#ifndef KVM_SET_USER_MEMORY_REGION2
struct kvm_userspace_memory_region2 {
	__u32 slot; /* bits 16-31: address space */
	__u32 flags;
	__u64 guest_phys_addr;
	__u64 memory_size;
	__u64 userspace_addr;
	__u64 guest_memfd_offset;
	__u32 guest_memfd;
	__u32 pad1;
	__u64 pad2[14];
};
#define KVM_SET_USER_MEMORY_REGION2                                            \
	_IOW(KVMIO, 0x49, struct kvm_userspace_memory_region2)
#endif
SB_UAPI_FIELD(struct kvm_userspace_memory_region2, slot, 0, 4);
SB_UAPI_FIELD(struct kvm_userspace_memory_region2, flags, 4, 4);
SB_UAPI_FIELD(struct kvm_userspace_memory_region2, guest_phys_addr, 8, 8);
SB_UAPI_FIELD(struct kvm_userspace_memory_region2, memory_size, 16, 8);
SB_UAPI_FIELD(struct kvm_userspace_memory_region2, userspace_addr, 24, 8);
SB_UAPI_FIELD(struct kvm_userspace_memory_region2, guest_memfd_offset, 32, 8);
SB_UAPI_FIELD(struct kvm_userspace_memory_region2, guest_memfd, 40, 4);
SB_UAPI_FIELD(struct kvm_userspace_memory_region2, pad1, 44, 4);
SB_UAPI_FIELD(struct kvm_userspace_memory_region2, pad2, 48, 112);
SB_UAPI_SIZE(struct kvm_userspace_memory_region2, 160);

#ifndef KVM_MEM_GUEST_MEMFD
#define KVM_MEM_GUEST_MEMFD (1UL << 2)
#endif
SB_UAPI_VALUE(KVM_MEM_GUEST_MEMFD, 4);

#ifndef KVM_CREATE_GUEST_MEMFD
struct kvm_create_guest_memfd {
	__u64 size;  /* page aligned */
	__u64 flags; /* 0 */
	__u64 reserved[6];
};
#define KVM_CREATE_GUEST_MEMFD _IOWR(KVMIO, 0xd4, struct kvm_create_guest_memfd)
#endif
SB_UAPI_FIELD(struct kvm_create_guest_memfd, size, 0, 8);
SB_UAPI_FIELD(struct kvm_create_guest_memfd, flags, 8, 8);
SB_UAPI_FIELD(struct kvm_create_guest_memfd, reserved, 16, 48);
SB_UAPI_SIZE(struct kvm_create_guest_memfd, 64);

/* There is no "get attributes": the VMM must remember what it set. */
#ifndef KVM_SET_MEMORY_ATTRIBUTES
struct kvm_memory_attributes {
	__u64 address; /* page-aligned GPA */
	__u64 size;    /* page aligned */
	__u64 attributes;
	__u64 flags; /* must be 0 */
};
#define KVM_SET_MEMORY_ATTRIBUTES                                              \
	_IOW(KVMIO, 0xd2, struct kvm_memory_attributes)
#endif
SB_UAPI_FIELD(struct kvm_memory_attributes, address, 0, 8);
SB_UAPI_FIELD(struct kvm_memory_attributes, size, 8, 8);
SB_UAPI_FIELD(struct kvm_memory_attributes, attributes, 16, 8);
SB_UAPI_FIELD(struct kvm_memory_attributes, flags, 24, 8);
SB_UAPI_SIZE(struct kvm_memory_attributes, 32);

#ifndef KVM_MEMORY_ATTRIBUTE_PRIVATE
#define KVM_MEMORY_ATTRIBUTE_PRIVATE (1ULL << 3)
#endif
SB_UAPI_VALUE(KVM_MEMORY_ATTRIBUTE_PRIVATE, 8);

/* vCPU ioctl (6.11); refused for SNP until SNP_LAUNCH_FINISH. */
#ifndef KVM_PRE_FAULT_MEMORY
struct kvm_pre_fault_memory {
	__u64 gpa;
	__u64 size;
	__u64 flags;
	__u64 padding[5];
};
#define KVM_PRE_FAULT_MEMORY _IOWR(KVMIO, 0xd5, struct kvm_pre_fault_memory)
#endif
SB_UAPI_FIELD(struct kvm_pre_fault_memory, gpa, 0, 8);
SB_UAPI_FIELD(struct kvm_pre_fault_memory, size, 8, 8);
SB_UAPI_FIELD(struct kvm_pre_fault_memory, flags, 16, 8);
SB_UAPI_FIELD(struct kvm_pre_fault_memory, padding, 24, 40);
SB_UAPI_SIZE(struct kvm_pre_fault_memory, 64);

/* ========================================================= ioctl numbers */

/* Each one computed by the macros and compared with the number the
 * kernel's definition gives (Linux include/uapi/linux/kvm.h, psp-sev.h). */
SB_UAPI_VALUE(KVM_CREATE_VM, 0xAE01u);
SB_UAPI_VALUE(KVM_CHECK_EXTENSION, 0xAE03u);
SB_UAPI_VALUE(KVM_ENABLE_CAP, 0x4068AEA3u);
SB_UAPI_VALUE(KVM_SET_USER_MEMORY_REGION2, 0x40A0AE49u);
SB_UAPI_VALUE(KVM_SET_MEMORY_ATTRIBUTES, 0x4020AED2u);
SB_UAPI_VALUE(KVM_CREATE_GUEST_MEMFD, 0xC040AED4u);
SB_UAPI_VALUE(KVM_PRE_FAULT_MEMORY, 0xC040AED5u);
/* The size field encodes unsigned long, not struct kvm_sev_cmd. */
SB_UAPI_VALUE(KVM_MEMORY_ENCRYPT_OP, 0xC008AEBAu);
SB_UAPI_VALUE(KVM_MEMORY_ENCRYPT_REG_REGION, 0x8010AEBBu);
SB_UAPI_VALUE(KVM_MEMORY_ENCRYPT_UNREG_REGION, 0x8010AEBCu);
SB_UAPI_VALUE(KVM_GET_DEVICE_ATTR, 0x4018AEE2u);
SB_UAPI_VALUE(KVM_HAS_DEVICE_ATTR, 0x4018AEE3u);

/* ================================================= kvm_run exits */

/*
 * The exit union starts at byte 32 of struct kvm_run.  6.1's kvm_run has
 * no memory_fault member, so the payload is read through our own struct at
 * the kernel's offset; sb_kvm_run_memory_fault() hides the arithmetic.
 */
#define SB_KVM_RUN_EXIT_OFFSET 32
_Static_assert(offsetof(struct kvm_run, exit_reason) == 8,
	       "kvm_run.exit_reason must be at 8");
_Static_assert(offsetof(struct kvm_run, hw) == SB_KVM_RUN_EXIT_OFFSET,
	       "the kvm_run exit union must be at 32");
_Static_assert(sizeof(struct kvm_run) == 2352, "x86 kvm_run is 2352 bytes");

/* Arrives with KVM_RUN returning -1 and errno EFAULT (or EHWPOISON), so
 * the run loop must look at exit_reason even when the ioctl fails. */
#ifndef KVM_EXIT_MEMORY_FAULT
#define KVM_EXIT_MEMORY_FAULT 39
#endif
SB_UAPI_VALUE(KVM_EXIT_MEMORY_FAULT, 39);

struct sb_kvm_memory_fault {
	__u64 flags; /* KVM_MEMORY_EXIT_FLAG_PRIVATE: the access was private */
	__u64 gpa;
	__u64 size;
};
SB_UAPI_FIELD(struct sb_kvm_memory_fault, flags, 0, 8);
SB_UAPI_FIELD(struct sb_kvm_memory_fault, gpa, 8, 8);
SB_UAPI_FIELD(struct sb_kvm_memory_fault, size, 16, 8);
SB_UAPI_SIZE(struct sb_kvm_memory_fault, 24);

#define SB_KVM_RUN_MEMORY_FAULT_FLAGS 32
#define SB_KVM_RUN_MEMORY_FAULT_GPA   40
#define SB_KVM_RUN_MEMORY_FAULT_SIZE  48
_Static_assert(SB_KVM_RUN_EXIT_OFFSET + sizeof(struct sb_kvm_memory_fault) <=
		       offsetof(struct kvm_run, kvm_valid_regs),
	       "the memory_fault payload must fit the exit union");

/* The kernel defines this one inside kvm_run's memory_fault member: where
 * it exists, check the kernel's layout against ours. */
#ifdef KVM_MEMORY_EXIT_FLAG_PRIVATE
_Static_assert(offsetof(struct kvm_run, memory_fault.flags) ==
		       SB_KVM_RUN_MEMORY_FAULT_FLAGS,
	       "kvm_run.memory_fault.flags");
_Static_assert(offsetof(struct kvm_run, memory_fault.gpa) ==
		       SB_KVM_RUN_MEMORY_FAULT_GPA,
	       "kvm_run.memory_fault.gpa");
_Static_assert(offsetof(struct kvm_run, memory_fault.size) ==
		       SB_KVM_RUN_MEMORY_FAULT_SIZE,
	       "kvm_run.memory_fault.size");
#else
#define KVM_MEMORY_EXIT_FLAG_PRIVATE (1ULL << 3)
#endif
SB_UAPI_VALUE(KVM_MEMORY_EXIT_FLAG_PRIVATE, 8);

static inline struct sb_kvm_memory_fault *
sb_kvm_run_memory_fault(struct kvm_run *run)
{
	return (struct sb_kvm_memory_fault *)((char *)run +
					      SB_KVM_RUN_MEMORY_FAULT_FLAGS);
}

/*
 * KVM_EXIT_HYPERCALL: 6.1 names the word at 96 "longmode" (u32), newer
 * headers overlay it with "flags" (u64).  KVM reads ret back when the vCPU
 * re-enters: the VMM must write 0 there for a successful conversion.
 */
_Static_assert(offsetof(struct kvm_run, hypercall.nr) == 32, "hypercall.nr");
_Static_assert(offsetof(struct kvm_run, hypercall.args) == 40,
	       "hypercall.args");
_Static_assert(offsetof(struct kvm_run, hypercall.ret) == 88, "hypercall.ret");
_Static_assert(offsetof(struct kvm_run, hypercall.longmode) == 96,
	       "hypercall.longmode");
#ifndef KVM_EXIT_HYPERCALL_LONG_MODE
#define KVM_EXIT_HYPERCALL_LONG_MODE (1ULL << 0)
#endif
SB_UAPI_VALUE(KVM_EXIT_HYPERCALL, 3);
SB_UAPI_VALUE(KVM_EXIT_HYPERCALL_LONG_MODE, 1);

/* KVM_EXIT_SYSTEM_EVENT of type SEV_TERM: a SEV-ES/SNP guest asked to be
 * terminated through the GHCB; data[0] is the GHCB MSR value. */
#ifndef KVM_SYSTEM_EVENT_SEV_TERM
#define KVM_SYSTEM_EVENT_SEV_TERM 6
#endif
SB_UAPI_VALUE(KVM_EXIT_SYSTEM_EVENT, 24);
SB_UAPI_VALUE(KVM_SYSTEM_EVENT_SEV_TERM, 6);
_Static_assert(offsetof(struct kvm_run, system_event.type) == 32,
	       "system_event.type");
_Static_assert(offsetof(struct kvm_run, system_event.ndata) == 36,
	       "system_event.ndata");
_Static_assert(offsetof(struct kvm_run, system_event.data) == 40,
	       "system_event.data");

/* ======================================= KVM_HC_MAP_GPA_RANGE (12) */

/*
 * What an SNP guest's page state change becomes (KVM_EXIT_HYPERCALL with
 * nr 12): args[0] GPA, args[1] number of pages, args[2] attributes.  6.1
 * has these in <asm/kvm_para.h>; the guards keep us independent of it.
 */
#ifndef KVM_HC_MAP_GPA_RANGE
#define KVM_HC_MAP_GPA_RANGE 12
#endif
#ifndef KVM_MAP_GPA_RANGE_PAGE_SZ_4K
#define KVM_MAP_GPA_RANGE_PAGE_SZ_4K 0
#endif
#ifndef KVM_MAP_GPA_RANGE_PAGE_SZ_2M
#define KVM_MAP_GPA_RANGE_PAGE_SZ_2M (1 << 0)
#endif
#ifndef KVM_MAP_GPA_RANGE_PAGE_SZ_1G
#define KVM_MAP_GPA_RANGE_PAGE_SZ_1G (1 << 1)
#endif
#ifndef KVM_MAP_GPA_RANGE_ENC_STAT
#define KVM_MAP_GPA_RANGE_ENC_STAT(n) ((n) << 4)
#endif
#ifndef KVM_MAP_GPA_RANGE_ENCRYPTED
#define KVM_MAP_GPA_RANGE_ENCRYPTED KVM_MAP_GPA_RANGE_ENC_STAT(1)
#endif
#ifndef KVM_MAP_GPA_RANGE_DECRYPTED
#define KVM_MAP_GPA_RANGE_DECRYPTED KVM_MAP_GPA_RANGE_ENC_STAT(0)
#endif
/* Bits 3:0 of args[2] hold the page size; the kernel names no mask. */
#define SB_KVM_MAP_GPA_RANGE_PAGE_SZ_MASK 0xfULL
SB_UAPI_VALUE(KVM_HC_MAP_GPA_RANGE, 12);
SB_UAPI_VALUE(KVM_MAP_GPA_RANGE_PAGE_SZ_4K, 0);
SB_UAPI_VALUE(KVM_MAP_GPA_RANGE_PAGE_SZ_2M, 1);
SB_UAPI_VALUE(KVM_MAP_GPA_RANGE_PAGE_SZ_1G, 2);
SB_UAPI_VALUE(KVM_MAP_GPA_RANGE_ENCRYPTED, 0x10);
SB_UAPI_VALUE(KVM_MAP_GPA_RANGE_DECRYPTED, 0);

#endif
