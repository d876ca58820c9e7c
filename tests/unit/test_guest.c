// SPDX-License-Identifier: MIT
/*
 * sev/guest.c: the SNP guest's requests, marshalled as the kernel reads
 * them.  A fake /dev/sev-guest (the ioctl pointer of struct sev_guest)
 * checks every field at the byte offset Linux include/uapi/linux/
 * sev-guest.h gives it, and answers as drivers/virt/coco/sev-guest/
 * sev-guest.c does; a fake configfs-tsm tree in a temporary directory
 * plays drivers/virt/coco/tsm.c.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sev/sev.h"
#include "util/util.h"
#include "tests/unit/testutil.h"
#include "tests/unit/fake_guest.h"

static void fake_dev(struct sev_guest *g, struct fake *f)
{
	memset(f, 0, sizeof(*f));
	f->report_size = 1184;
	g->fd = 99;
	g->ioctl = fake_ioctl;
	g->ctx = f;
}

static void pattern(uint8_t d[64])
{
	for (unsigned i = 0; i < 64; i++)
		d[i] = (uint8_t)(0xc0 ^ i);
}

START_TEST(report_marshalling)
{
	struct sev_guest g;
	struct fake f;
	uint8_t d[64], rep[4000];
	size_t len = 0;
	int fw = 7;
	char err[256];

	fake_dev(&g, &f);
	pattern(d);
	ck_assert_int_eq(sev_guest_report(&g, d, 2, rep, sizeof(rep), &len, &fw,
					  err, sizeof(err)),
			 0);
	ck_assert_uint_eq(f.calls, 1);
	ck_assert_uint_eq(f.last_req, K_SNP_GET_REPORT);
	ck_assert_mem_eq(f.user_data, d, 64);
	ck_assert_uint_eq(f.vmpl, 2);
	ck_assert_int_eq(fw, 0);
	ck_assert_uint_eq(len, 1184);
	for (unsigned i = 0; i < len; i++)
		ck_assert_uint_eq(rep[i], (uint8_t)i);
}
END_TEST

START_TEST(report_firmware_status)
{
	struct sev_guest g;
	struct fake f;
	uint8_t d[64] = {0}, rep[4000];
	size_t len = 0;
	int fw = 0;
	char err[256];

	fake_dev(&g, &f);
	f.rsp_status = 0x16;
	ck_assert_int_eq(sev_guest_report(&g, d, 0, rep, sizeof(rep), &len, &fw,
					  err, sizeof(err)),
			 -EIO);
	ck_assert_int_eq(fw, 0x16);
	ck_assert_ptr_nonnull(strstr(err, "SEV_RET_INVALID_PARAM (0x16)"));

	/* The ioctl fails: the firmware's status from exitinfo2's low half. */
	fake_dev(&g, &f);
	f.fail_errno = EIO;
	f.exitinfo2 = 0x27;
	ck_assert_int_eq(sev_guest_report(&g, d, 0, rep, sizeof(rep), &len, &fw,
					  err, sizeof(err)),
			 -EIO);
	ck_assert_int_eq(fw, 0x27);
	ck_assert_ptr_nonnull(strstr(err, "SEV_RET_INVALID_KEY"));

	/* A report size the message cannot hold. */
	fake_dev(&g, &f);
	f.report_size = 4000;
	ck_assert_int_eq(sev_guest_report(&g, d, 0, rep, sizeof(rep), &len, &fw,
					  err, sizeof(err)),
			 -EBADMSG);
	/* VMPL out of range never reaches the device. */
	fake_dev(&g, &f);
	ck_assert_int_eq(sev_guest_report(&g, d, 4, rep, sizeof(rep), &len, &fw,
					  err, sizeof(err)),
			 -EINVAL);
	ck_assert_uint_eq(f.calls, 0);
	ck_assert_int_eq(fw, -1);
}
END_TEST

START_TEST(derived_key_marshalling)
{
	struct sev_guest g;
	struct fake f;
	struct sev_guest_key_req k = {
		.root_key_select = 1,
		.guest_field_select =
			SEV_GUEST_FIELD_MEASUREMENT | SEV_GUEST_FIELD_TCB,
		.vmpl = 1,
		.guest_svn = 0x11223344,
		.tcb_version = 0xdb18000000000004ull,
	};
	uint8_t key[32];
	int fw = 5;
	char err[256];

	fake_dev(&g, &f);
	ck_assert_int_eq(
		sev_guest_derived_key(&g, &k, key, &fw, err, sizeof(err)), 0);
	ck_assert_uint_eq(f.last_req, K_SNP_GET_DERIVED_KEY);
	/* struct snp_derived_key_req: root_key_select @0, rsvd @4,
	 * guest_field_select @8, vmpl @16, guest_svn @20, tcb_version @24. */
	ck_assert_uint_eq(get_le32(f.key_req, 0), 1);
	ck_assert_uint_eq(get_le32(f.key_req, 4), 0);
	ck_assert_uint_eq(get_le64(f.key_req, 8), 0x28);
	ck_assert_uint_eq(get_le32(f.key_req, 16), 1);
	ck_assert_uint_eq(get_le32(f.key_req, 20), 0x11223344);
	ck_assert_uint_eq(get_le64(f.key_req, 24), 0xdb18000000000004ull);
	for (unsigned i = 0; i < 32; i++)
		ck_assert_uint_eq(key[i], 0x40 + i);
	ck_assert_int_eq(fw, 0);

	fake_dev(&g, &f);
	f.rsp_status = 0x27;
	memset(key, 0, sizeof(key));
	ck_assert_int_eq(
		sev_guest_derived_key(&g, &k, key, &fw, err, sizeof(err)),
		-EIO);
	ck_assert_int_eq(fw, 0x27);
	for (unsigned i = 0; i < 32; i++)
		ck_assert_uint_eq(key[i], 0); /* nothing handed out */
}
END_TEST

START_TEST(ext_report_grows_buffer)
{
	struct sev_guest g;
	struct fake f;
	uint8_t d[64], rep[4000], *certs = NULL;
	size_t len = 0, clen = 0, n = 0;
	struct sev_cert_entry e[8];
	int fw = 3;
	char err[256];

	fake_dev(&g, &f);
	f.need_certs = 3 * 4096;
	pattern(d);
	ck_assert_int_eq(sev_guest_ext_report(&g, d, 0, rep, sizeof(rep), &len,
					      &certs, &clen, &fw, err,
					      sizeof(err)),
			 0);
	ck_assert_uint_eq(f.calls, 2);
	ck_assert_uint_eq(f.last_req, K_SNP_GET_EXT_REPORT);
	ck_assert_uint_eq(f.certs_len_seen[0], 4096);
	ck_assert_uint_eq(f.certs_len_seen[1], 3 * 4096);
	ck_assert_mem_eq(f.user_data, d, 64);
	ck_assert_uint_eq(len, 1184);
	ck_assert_uint_eq(clen, 3 * 4096);
	ck_assert_int_eq(
		sev_cert_table_parse(certs, clen, e, 8, &n, err, sizeof(err)),
		0);
	ck_assert_uint_eq(n, 3);
	ck_assert_str_eq(sev_cert_guid_name(&e[0].guid), "vcek");
	ck_assert_str_eq(sev_cert_guid_name(&e[1].guid), "ask");
	ck_assert_str_eq(sev_cert_guid_name(&e[2].guid), "ark");
	ck_assert_uint_eq(e[1].offset, 0x90);
	ck_assert_uint_eq(certs[e[2].offset], 0xa2);
	free(certs);

	/* A kernel that asks for less than it had is refused. */
	fake_dev(&g, &f);
	f.need_certs = 4096 + 1;
	certs = NULL;
	ck_assert_int_eq(sev_guest_ext_report(&g, d, 0, rep, sizeof(rep), &len,
					      &certs, &clen, &fw, err,
					      sizeof(err)),
			 -EPROTO);
	ck_assert_ptr_null(certs);
	ck_assert_uint_eq(f.calls, 1);
}
END_TEST

START_TEST(cert_table_bad)
{
	uint8_t t[256];
	struct sev_cert_entry e[8];
	size_t n;
	char err[256];

	make_table(t, sizeof(t));
	ck_assert_int_eq(
		sev_cert_table_parse(t, sizeof(t), e, 2, &n, err, sizeof(err)),
		-E2BIG);
	put_le32(t, 24 + 20, 0x1000); /* ASK's length past the end */
	ck_assert_int_eq(
		sev_cert_table_parse(t, sizeof(t), e, 8, &n, err, sizeof(err)),
		-EBADMSG);
	ck_assert_ptr_nonnull(strstr(err, "entry 1"));
	memset(t, 0xff, sizeof(t)); /* no terminator */
	ck_assert_int_eq(
		sev_cert_table_parse(t, 48, e, 8, &n, err, sizeof(err)),
		-EBADMSG);
}
END_TEST

/* ---------------------------------------------------------- configfs-tsm */

static size_t get_file(const char *dir, const char *name, uint8_t *p,
		       size_t cap)
{
	char path[4096];
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	fd = open(path, O_RDONLY);
	ck_assert_int_ge(fd, 0);
	n = read(fd, p, cap);
	close(fd);
	ck_assert_int_ge(n, 0);
	return (size_t)n;
}

static char *tempdir(void)
{
	char *d = strdup("/tmp/sevboot-tsm-XXXXXX");

	ck_assert_ptr_nonnull(mkdtemp(d));
	return d;
}

START_TEST(tsm_entry_fields)
{
	struct tsm_fake t = {.provider = "sev_guest\n"};
	struct sev_tsm_result r;
	uint8_t d[64], got[128];
	char *dir = tempdir(), err[256];

	tsm_play(&t, dir);
	pattern(d);
	ck_assert_int_eq(sev_tsm_entry_report(dir, d, 3, &r, err, sizeof(err)),
			 0);
	ck_assert_uint_eq(get_file(dir, "inblob", got, sizeof(got)), 64);
	ck_assert_mem_eq(got, d, 64);
	ck_assert_uint_eq(get_file(dir, "privlevel", got, sizeof(got)), 2);
	ck_assert_mem_eq(got, "3\n", 2);
	ck_assert_uint_eq(r.report_len, 1184);
	ck_assert_uint_eq(r.report[1], 7);
	ck_assert_uint_eq(r.aux_len, 0xb0 + 24);
	sev_tsm_result_free(&r);

	/* Another provider's entry is not an SNP report. */
	put_file(dir, "provider", "tdx_guest\n", 10);
	ck_assert_int_eq(sev_tsm_entry_report(dir, d, 0, &r, err, sizeof(err)),
			 -ENODEV);
	ck_assert_ptr_nonnull(strstr(err, "'tdx_guest', not sev_guest"));
	ck_assert_ptr_null(r.report);
	rm_tree(dir);
	free(dir);
}
END_TEST

START_TEST(tsm_whole_exchange)
{
	struct tsm_fake t = {.provider = "sev_guest\n"};
	struct sev_tsm s = {.after_mkdir = tsm_play, .ctx = &t};
	struct sev_tsm_result r;
	struct stat st;
	uint8_t d[64] = {1};
	char *dir = tempdir(), err[256];

	s.dir = dir;
	ck_assert_int_eq(sev_tsm_report(&s, d, 0, &r, err, sizeof(err)), 0);
	ck_assert_uint_eq(t.made, 1);
	ck_assert_ptr_nonnull(strstr(t.entry, dir));
	/* The entry is gone afterwards. */
	ck_assert_int_eq(stat(t.entry, &st), -1);
	ck_assert_int_eq(errno, ENOENT);
	ck_assert_uint_eq(r.report_len, 1184);
	sev_tsm_result_free(&r);
	ck_assert_int_eq(rmdir(dir), 0);

	/* No configfs-tsm: one sentence. */
	ck_assert_int_eq(sev_tsm_report(&s, d, 0, &r, err, sizeof(err)),
			 -ENOENT);
	ck_assert_ptr_nonnull(strstr(err, "no configfs-tsm"));
	free(dir);
}
END_TEST

START_TEST(open_missing_device)
{
	struct sev_guest g;
	char err[256];

	ck_assert_int_eq(
		sev_guest_open(&g, "/nonexistent/sev-guest", err, sizeof(err)),
		-ENOENT);
	ck_assert_ptr_nonnull(strstr(err, "not an SEV-SNP guest"));
}
END_TEST

static Suite *guest_suite(void)
{
	Suite *s = suite_create("guest");
	TCase *io = tcase_create("ioctl");
	TCase *tsm = tcase_create("configfs-tsm");

	tcase_add_test(io, report_marshalling);
	tcase_add_test(io, report_firmware_status);
	tcase_add_test(io, derived_key_marshalling);
	tcase_add_test(io, ext_report_grows_buffer);
	tcase_add_test(io, cert_table_bad);
	tcase_add_test(io, open_missing_device);
	suite_add_tcase(s, io);
	tcase_add_test(tsm, tsm_entry_fields);
	tcase_add_test(tsm, tsm_whole_exchange);
	suite_add_tcase(s, tsm);
	return s;
}

int main(void)
{
	return run_suite(guest_suite());
}
