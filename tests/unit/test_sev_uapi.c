// SPDX-License-Identifier: MIT
/*
 * util/kvm_uapi.h and sev/status.c.
 *
 * Including the header compiles its static asserts (every struct, offset,
 * field size and ioctl number).  The run-time checks below repeat a sample
 * against the reference tables, so that a header edited to agree with a
 * wrong assert still fails a test, and cover the firmware status names.
 */
#include <stdint.h>
#include <string.h>

#include "util/kvm_uapi.h"
#include "sev/sev.h"
#include "tests/unit/testutil.h"

/* ------------------------------------------------------------ the UAPI */

START_TEST(command_ids)
{
	ck_assert_uint_eq(KVM_SEV_INIT, 0);
	ck_assert_uint_eq(KVM_SEV_LAUNCH_START, 2);
	ck_assert_uint_eq(KVM_SEV_LAUNCH_UPDATE_VMSA, 4);
	ck_assert_uint_eq(KVM_SEV_LAUNCH_FINISH, 7);
	ck_assert_uint_eq(KVM_SEV_GUEST_STATUS, 16);
	ck_assert_uint_eq(KVM_SEV_INIT2, 22);
	ck_assert_uint_eq(KVM_SEV_SNP_LAUNCH_START, 100);
	ck_assert_uint_eq(KVM_SEV_SNP_LAUNCH_UPDATE, 101);
	ck_assert_uint_eq(KVM_SEV_SNP_LAUNCH_FINISH, 102);
	ck_assert_uint_eq(SEV_PLATFORM_STATUS, 1);
	ck_assert_uint_eq(SEV_GET_ID2, 8);
	ck_assert_uint_eq(SNP_PLATFORM_STATUS, 9);
}
END_TEST

START_TEST(struct_sizes)
{
	ck_assert_uint_eq(sizeof(struct kvm_sev_cmd), 24);
	ck_assert_uint_eq(sizeof(struct kvm_sev_init), 48);
	ck_assert_uint_eq(sizeof(struct kvm_sev_launch_start), 40);
	ck_assert_uint_eq(sizeof(struct kvm_sev_launch_update_data), 16);
	ck_assert_uint_eq(sizeof(struct kvm_sev_launch_secret), 48);
	ck_assert_uint_eq(sizeof(struct kvm_sev_launch_measure), 16);
	ck_assert_uint_eq(sizeof(struct kvm_sev_guest_status), 12);
	ck_assert_uint_eq(sizeof(struct kvm_sev_snp_launch_start), 64);
	ck_assert_uint_eq(sizeof(struct kvm_sev_snp_launch_update), 64);
	ck_assert_uint_eq(sizeof(struct kvm_sev_snp_launch_finish), 88);
	ck_assert_uint_eq(sizeof(struct kvm_userspace_memory_region2), 160);
	ck_assert_uint_eq(sizeof(struct kvm_create_guest_memfd), 64);
	ck_assert_uint_eq(sizeof(struct kvm_memory_attributes), 32);
	ck_assert_uint_eq(sizeof(struct sev_issue_cmd), 16);
	ck_assert_uint_eq(sizeof(struct sev_user_data_status), 12);
	ck_assert_uint_eq(sizeof(struct sb_sev_user_data_snp_status), 32);
}
END_TEST

START_TEST(field_offsets)
{
	ck_assert_uint_eq(offsetof(struct kvm_sev_cmd, error), 16);
	ck_assert_uint_eq(offsetof(struct kvm_sev_cmd, sev_fd), 20);
	ck_assert_uint_eq(offsetof(struct kvm_sev_init, ghcb_version), 12);
	ck_assert_uint_eq(offsetof(struct kvm_sev_launch_start, session_uaddr),
			  24);
	ck_assert_uint_eq(offsetof(struct kvm_sev_launch_secret, trans_len),
			  40);
	ck_assert_uint_eq(offsetof(struct kvm_sev_snp_launch_start, flags), 24);
	ck_assert_uint_eq(offsetof(struct kvm_sev_snp_launch_update, type), 24);
	ck_assert_uint_eq(offsetof(struct kvm_sev_snp_launch_update, flags),
			  26);
	ck_assert_uint_eq(offsetof(struct kvm_sev_snp_launch_finish, host_data),
			  19);
	ck_assert_uint_eq(offsetof(struct kvm_sev_snp_launch_finish, flags),
			  54);
	ck_assert_uint_eq(
		offsetof(struct kvm_userspace_memory_region2, guest_memfd), 40);
	ck_assert_uint_eq(offsetof(struct kvm_memory_attributes, attributes),
			  16);
	ck_assert_uint_eq(offsetof(struct sev_issue_cmd, error), 12);
	ck_assert_uint_eq(offsetof(struct sev_user_data_status, build), 7);
	ck_assert_uint_eq(
		offsetof(struct sb_sev_user_data_snp_status, guest_count), 12);
	ck_assert_uint_eq(offsetof(struct kvm_run, hypercall.ret), 88);
}
END_TEST

START_TEST(ioctl_numbers)
{
	ck_assert_uint_eq(KVM_MEMORY_ENCRYPT_OP, 0xC008AEBAu);
	ck_assert_uint_eq(KVM_MEMORY_ENCRYPT_REG_REGION, 0x8010AEBBu);
	ck_assert_uint_eq(KVM_MEMORY_ENCRYPT_UNREG_REGION, 0x8010AEBCu);
	ck_assert_uint_eq(KVM_SET_USER_MEMORY_REGION2, 0x40A0AE49u);
	ck_assert_uint_eq(KVM_SET_MEMORY_ATTRIBUTES, 0x4020AED2u);
	ck_assert_uint_eq(KVM_CREATE_GUEST_MEMFD, 0xC040AED4u);
	ck_assert_uint_eq(KVM_PRE_FAULT_MEMORY, 0xC040AED5u);
	ck_assert_uint_eq(KVM_HAS_DEVICE_ATTR, 0x4018AEE3u);
	ck_assert_uint_eq(SEV_ISSUE_CMD, 0xC0105300u);
}
END_TEST

/* util/psp_uapi.h: the /dev/sev and /dev/sev-guest additions, against
 * psp-sev.h and sev-guest.h as the kernel lays them out. */
START_TEST(psp_and_guest_uapi)
{
	ck_assert_uint_eq(SNP_COMMIT, 10);
	ck_assert_uint_eq(SNP_SET_CONFIG, 11);
	ck_assert_uint_eq(SNP_VLEK_LOAD, 12);
	ck_assert_uint_eq(sizeof(struct sev_user_data_pek_cert_import), 24);
	ck_assert_uint_eq(
		offsetof(struct sev_user_data_pdh_cert_export, cert_chain_len),
		20);
	ck_assert_uint_eq(sizeof(struct sev_user_data_get_id2), 12);
	ck_assert_uint_eq(sizeof(struct sb_sev_user_data_snp_config), 64);
	ck_assert_uint_eq(
		offsetof(struct sb_sev_user_data_snp_vlek_load,
			 vlek_wrapped_address),
		8);
	ck_assert_uint_eq(sizeof(struct snp_guest_request_ioctl), 32);
	ck_assert_uint_eq(offsetof(struct snp_guest_request_ioctl, vmm_error),
			  28);
	ck_assert_uint_eq(offsetof(struct snp_report_req, vmpl), 64);
	ck_assert_uint_eq(offsetof(struct snp_derived_key_req, tcb_version),
			  24);
	ck_assert_uint_eq(offsetof(struct snp_ext_report_req, certs_len), 104);
	ck_assert_uint_eq(sizeof(struct snp_ext_report_req), 112);
	ck_assert_uint_eq(SNP_GET_REPORT, 0xC0205300u);
	ck_assert_uint_eq(SNP_GET_DERIVED_KEY, 0xC0205301u);
	ck_assert_uint_eq(SNP_GET_EXT_REPORT, 0xC0205302u);
}
END_TEST

START_TEST(vm_types_caps_attrs)
{
	ck_assert_uint_eq(KVM_X86_DEFAULT_VM, 0);
	ck_assert_uint_eq(KVM_X86_SW_PROTECTED_VM, 1);
	ck_assert_uint_eq(KVM_X86_SEV_VM, 2);
	ck_assert_uint_eq(KVM_X86_SEV_ES_VM, 3);
	ck_assert_uint_eq(KVM_X86_SNP_VM, 4);
	ck_assert_uint_eq(KVM_CAP_EXIT_HYPERCALL, 201);
	ck_assert_uint_eq(KVM_CAP_USER_MEMORY2, 231);
	ck_assert_uint_eq(KVM_CAP_MEMORY_FAULT_INFO, 232);
	ck_assert_uint_eq(KVM_CAP_MEMORY_ATTRIBUTES, 233);
	ck_assert_uint_eq(KVM_CAP_GUEST_MEMFD, 234);
	ck_assert_uint_eq(KVM_CAP_VM_TYPES, 235);
	ck_assert_uint_eq(KVM_CAP_PRE_FAULT_MEMORY, 236);
	ck_assert_uint_eq(KVM_X86_GRP_SEV, 1);
	ck_assert_uint_eq(KVM_X86_SEV_VMSA_FEATURES, 0);
	ck_assert_uint_eq(KVM_X86_SNP_POLICY_BITS, 1);
	ck_assert_uint_eq(KVM_MEM_GUEST_MEMFD, 1u << 2);
	ck_assert_uint_eq(KVM_MEMORY_ATTRIBUTE_PRIVATE, 1ull << 3);
	ck_assert_uint_eq(KVM_SEV_SNP_PAGE_TYPE_NORMAL, 1);
	ck_assert_uint_eq(KVM_SEV_SNP_PAGE_TYPE_ZERO, 3);
	ck_assert_uint_eq(KVM_SEV_SNP_PAGE_TYPE_CPUID, 6);
	/* sev.h's plan uses the firmware's page types: they must agree. */
	ck_assert_uint_eq(SNP_PAGE_NORMAL, KVM_SEV_SNP_PAGE_TYPE_NORMAL);
	ck_assert_uint_eq(SNP_PAGE_ZERO, KVM_SEV_SNP_PAGE_TYPE_ZERO);
	ck_assert_uint_eq(SNP_PAGE_UNMEASURED,
			  KVM_SEV_SNP_PAGE_TYPE_UNMEASURED);
	ck_assert_uint_eq(SNP_PAGE_SECRETS, KVM_SEV_SNP_PAGE_TYPE_SECRETS);
	ck_assert_uint_eq(SNP_PAGE_CPUID, KVM_SEV_SNP_PAGE_TYPE_CPUID);
}
END_TEST

START_TEST(exits_and_hypercall)
{
	ck_assert_uint_eq(KVM_EXIT_MEMORY_FAULT, 39);
	ck_assert_uint_eq(KVM_MEMORY_EXIT_FLAG_PRIVATE, 1ull << 3);
	ck_assert_uint_eq(KVM_SYSTEM_EVENT_SEV_TERM, 6);
	ck_assert_uint_eq(KVM_HC_MAP_GPA_RANGE, 12);
	ck_assert_uint_eq(KVM_MAP_GPA_RANGE_ENCRYPTED, 1u << 4);
	ck_assert_uint_eq(KVM_MAP_GPA_RANGE_DECRYPTED, 0);
	ck_assert_uint_eq(KVM_MAP_GPA_RANGE_PAGE_SZ_2M, 1);
	ck_assert_uint_eq(KVM_MAP_GPA_RANGE_PAGE_SZ_1G, 2);
	ck_assert_uint_eq(SB_KVM_RUN_MEMORY_FAULT_FLAGS, 32);
	ck_assert_uint_eq(SB_KVM_RUN_MEMORY_FAULT_GPA, 40);
	ck_assert_uint_eq(SB_KVM_RUN_MEMORY_FAULT_SIZE, 48);
}
END_TEST

/* The accessor must read what the kernel writes at bytes 32/40/48. */
START_TEST(memory_fault_accessor)
{
	static struct kvm_run run;
	uint8_t *raw = (uint8_t *)&run;
	struct sb_kvm_memory_fault *mf;

	put_le64(raw, 32, KVM_MEMORY_EXIT_FLAG_PRIVATE);
	put_le64(raw, 40, 0x12345000);
	put_le64(raw, 48, 0x2000);
	mf = sb_kvm_run_memory_fault(&run);
	ck_assert_uint_eq(mf->flags, KVM_MEMORY_EXIT_FLAG_PRIVATE);
	ck_assert_uint_eq(mf->gpa, 0x12345000);
	ck_assert_uint_eq(mf->size, 0x2000);
}
END_TEST

/* SNP_PLATFORM_STATUS as the firmware lays it out (little-endian). */
START_TEST(snp_status_layout)
{
	uint8_t b[32] = {1, 55, 2, SB_SNP_STATUS_RMP_INITIALIZED};
	struct sb_sev_user_data_snp_status st;

	put_le32(b, 4, 21);
	put_le32(b, 8, SB_SNP_STATUS_MASK_CHIP_KEY | SB_SNP_STATUS_VLEK_EN);
	put_le32(b, 12, 3);
	put_le64(b, 16, 0xdb18000000000004ull);
	put_le64(b, 24, 0x1518000000000003ull);
	memcpy(&st, b, sizeof(st));
	ck_assert_uint_eq(st.api_major, 1);
	ck_assert_uint_eq(st.api_minor, 55);
	ck_assert_uint_eq(st.state, 2);
	ck_assert(st.rmp_flags & SB_SNP_STATUS_RMP_INITIALIZED);
	ck_assert_uint_eq(st.build_id, 21);
	ck_assert_uint_eq(st.flags, 0x6);
	ck_assert_uint_eq(st.guest_count, 3);
	ck_assert_uint_eq(st.current_tcb_version, 0xdb18000000000004ull);
	ck_assert_uint_eq(st.reported_tcb_version, 0x1518000000000003ull);
}
END_TEST

/* --------------------------------------------------------- status codes */

struct status_case {
	uint32_t code;	   /* from the reference table, as a literal */
	uint32_t constant; /* the header's SEV_RET_* */
	const char *name;  /* the constant's own spelling */
};

#define ST(code, c)                                                            \
	{                                                                      \
		code, (uint32_t)(c), #c                                        \
	}

/* Linux include/uapi/linux/psp-sev.h enum sev_ret_code, every named code. */
static const struct status_case status_cases[] = {
	ST(0x00, SEV_RET_SUCCESS),
	ST(0x01, SEV_RET_INVALID_PLATFORM_STATE),
	ST(0x02, SEV_RET_INVALID_GUEST_STATE),
	ST(0x03, SEV_RET_INVALID_CONFIG),
	ST(0x04, SEV_RET_INVALID_LEN),
	ST(0x05, SEV_RET_ALREADY_OWNED),
	ST(0x06, SEV_RET_INVALID_CERTIFICATE),
	ST(0x07, SEV_RET_POLICY_FAILURE),
	ST(0x08, SEV_RET_INACTIVE),
	ST(0x09, SEV_RET_INVALID_ADDRESS),
	ST(0x0a, SEV_RET_BAD_SIGNATURE),
	ST(0x0b, SEV_RET_BAD_MEASUREMENT),
	ST(0x0c, SEV_RET_ASID_OWNED),
	ST(0x0d, SEV_RET_INVALID_ASID),
	ST(0x0e, SEV_RET_WBINVD_REQUIRED),
	ST(0x0f, SEV_RET_DFFLUSH_REQUIRED),
	ST(0x10, SEV_RET_INVALID_GUEST),
	ST(0x11, SEV_RET_INVALID_COMMAND),
	ST(0x12, SEV_RET_ACTIVE),
	ST(0x13, SEV_RET_HWSEV_RET_PLATFORM),
	ST(0x14, SEV_RET_HWSEV_RET_UNSAFE),
	ST(0x15, SEV_RET_UNSUPPORTED),
	ST(0x16, SEV_RET_INVALID_PARAM),
	ST(0x17, SEV_RET_RESOURCE_LIMIT),
	ST(0x18, SEV_RET_SECURE_DATA_INVALID),
	ST(0x19, SEV_RET_INVALID_PAGE_SIZE),
	ST(0x1a, SEV_RET_INVALID_PAGE_STATE),
	ST(0x1b, SEV_RET_INVALID_MDATA_ENTRY),
	ST(0x1c, SEV_RET_INVALID_PAGE_OWNER),
	ST(0x1d, SEV_RET_AEAD_OFLOW),
	ST(0x1f, SEV_RET_EXIT_RING_BUFFER),
	ST(0x20, SEV_RET_RMP_INIT_REQUIRED),
	ST(0x21, SEV_RET_BAD_SVN),
	ST(0x22, SEV_RET_BAD_VERSION),
	ST(0x23, SEV_RET_SHUTDOWN_REQUIRED),
	ST(0x24, SEV_RET_UPDATE_FAILED),
	ST(0x25, SEV_RET_RESTORE_REQUIRED),
	ST(0x26, SEV_RET_RMP_INITIALIZATION_FAILED),
	ST(0x27, SEV_RET_INVALID_KEY),
	ST(0x28, SEV_RET_SHUTDOWN_INCOMPLETE),
	ST(0xffffffff, SEV_RET_NO_FW_CALL),
};

/* The SEV-TIO codes (newer kernels): names only, no header constant. */
static const struct {
	uint32_t code;
	const char *name;
} tio_cases[] = {
	{0x30, "SEV_RET_INCORRECT_BUFFER_LENGTH"},
	{0x31, "SEV_RET_EXPAND_BUFFER_LENGTH_REQUEST"},
	{0x32, "SEV_RET_SPDM_REQUEST"},
	{0x33, "SEV_RET_SPDM_ERROR"},
	{0x35, "SEV_RET_SEV_STATUS_ERR_IN_DEV_CONN"},
	{0x36, "SEV_RET_SEV_STATUS_INVALID_DEV_CTX"},
	{0x37, "SEV_RET_SEV_STATUS_INVALID_TDI_CTX"},
	{0x38, "SEV_RET_SEV_STATUS_INVALID_TDI"},
	{0x39, "SEV_RET_SEV_STATUS_RECLAIM_REQUIRED"},
	{0x3a, "SEV_RET_IN_USE"},
	{0x3b, "SEV_RET_SEV_STATUS_INVALID_DEV_STATE"},
	{0x3c, "SEV_RET_SEV_STATUS_INVALID_TDI_STATE"},
	{0x3d, "SEV_RET_SEV_STATUS_DEV_CERT_CHANGED"},
	{0x3e, "SEV_RET_SEV_STATUS_RESYNC_REQ"},
	{0x3f, "SEV_RET_SEV_STATUS_RESPONSE_TOO_LARGE"},
};

#define NCASES(a) (sizeof(a) / sizeof((a)[0]))

START_TEST(status_names_full_table)
{
	for (size_t i = 0; i < NCASES(status_cases); i++) {
		const struct status_case *c = &status_cases[i];
		const char *name = sev_status_name(c->code);

		ck_assert_msg(c->code == c->constant,
			      "%s is 0x%x in the header, 0x%x in the table",
			      c->name, c->constant, c->code);
		ck_assert_msg(name, "0x%x has no name", c->code);
		ck_assert_str_eq(name, c->name);
	}
	for (size_t i = 0; i < NCASES(tio_cases); i++)
		ck_assert_str_eq(sev_status_name(tio_cases[i].code),
				 tio_cases[i].name);
}
END_TEST

/* Every code up to INVALID_KEY has a meaning; the newer ones do not. */
START_TEST(status_texts)
{
	for (size_t i = 0; i < NCASES(status_cases); i++) {
		uint32_t code = status_cases[i].code;
		const char *text = sev_status_text(code);

		if (code <= 0x27 || code == 0xffffffff)
			ck_assert_msg(text && *text, "0x%x has no text", code);
		else
			ck_assert_ptr_null(text);
	}
	for (size_t i = 0; i < NCASES(tio_cases); i++)
		ck_assert_ptr_null(sev_status_text(tio_cases[i].code));
	ck_assert_str_eq(sev_status_text(SEV_RET_POLICY_FAILURE),
			 "request is not allowed by guest policy");
}
END_TEST

/* Exactly the documented codes have names: none is invented. */
START_TEST(status_unknown_codes)
{
	static const uint32_t unknown[] = {
		0x1e, 0x29,  0x2f,   0x34,    0x40,	  0x41,
		0xff, 0x100, 0xffff, 0x10000, 0x7fffffff, 0xfffffffe,
	};
	size_t named = 0;

	for (size_t i = 0; i < NCASES(unknown); i++) {
		ck_assert_ptr_null(sev_status_name(unknown[i]));
		ck_assert_ptr_null(sev_status_text(unknown[i]));
	}
	for (uint32_t code = 0; code < 0x10000; code++) {
		const char *name = sev_status_name(code);

		if (!name)
			continue;
		named++;
		ck_assert_msg(strncmp(name, "SEV_RET_", 8) == 0, "%s", name);
	}
	/* all cases but NO_FW_CALL are below 0x10000 */
	ck_assert_uint_eq(named, NCASES(status_cases) - 1 + NCASES(tio_cases));
}
END_TEST

START_TEST(status_format)
{
	char buf[64];

	sev_status_format(SEV_RET_BAD_MEASUREMENT, buf, sizeof(buf));
	ck_assert_str_eq(buf, "SEV_RET_BAD_MEASUREMENT (0x0b)");
	sev_status_format(0, buf, sizeof(buf));
	ck_assert_str_eq(buf, "SEV_RET_SUCCESS (0x00)");
	sev_status_format(0x27, buf, sizeof(buf));
	ck_assert_str_eq(buf, "SEV_RET_INVALID_KEY (0x27)");
	sev_status_format(0xffffffff, buf, sizeof(buf));
	ck_assert_str_eq(buf, "SEV_RET_NO_FW_CALL (0xffffffff)");
	sev_status_format(0x1e, buf, sizeof(buf));
	ck_assert_str_eq(buf, "unknown firmware status 0x1e");
	sev_status_format(0x1234, buf, sizeof(buf));
	ck_assert_str_eq(buf, "unknown firmware status 0x1234");
}
END_TEST

/* Short buffers truncate and stay terminated; len 0 writes nothing. */
START_TEST(status_format_short_buffers)
{
	char buf[8];

	memset(buf, 'x', sizeof(buf));
	sev_status_format(SEV_RET_BAD_MEASUREMENT, buf, sizeof(buf));
	ck_assert_str_eq(buf, "SEV_RET");
	memset(buf, 'x', sizeof(buf));
	sev_status_format(0x1e, buf, 1);
	ck_assert_str_eq(buf, "");
	memset(buf, 'x', sizeof(buf));
	sev_status_format(0, buf, 0);
	ck_assert_int_eq(buf[0], 'x');
	sev_status_format(0, NULL, 16);
}
END_TEST

static Suite *sev_uapi_suite(void)
{
	Suite *s = suite_create("sev_uapi");
	TCase *uapi = tcase_create("uapi");
	TCase *status = tcase_create("status");

	tcase_add_test(uapi, command_ids);
	tcase_add_test(uapi, struct_sizes);
	tcase_add_test(uapi, field_offsets);
	tcase_add_test(uapi, ioctl_numbers);
	tcase_add_test(uapi, vm_types_caps_attrs);
	tcase_add_test(uapi, psp_and_guest_uapi);
	tcase_add_test(uapi, exits_and_hypercall);
	tcase_add_test(uapi, memory_fault_accessor);
	tcase_add_test(uapi, snp_status_layout);
	suite_add_tcase(s, uapi);

	tcase_add_test(status, status_names_full_table);
	tcase_add_test(status, status_texts);
	tcase_add_test(status, status_unknown_codes);
	tcase_add_test(status, status_format);
	tcase_add_test(status, status_format_short_buffers);
	suite_add_tcase(s, status);
	return s;
}

int main(void)
{
	return run_suite(sev_uapi_suite());
}
