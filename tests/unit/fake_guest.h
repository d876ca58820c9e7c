/* SPDX-License-Identifier: MIT */
/*
 * A fake /dev/sev-guest and a fake configfs-tsm, for the tests of
 * sev/guest.c (test_guest.c) and of libsev's guest calls
 * (test_libsev.c).  The fake ioctl (struct sev_guest's ioctl) checks
 * every field at the byte offset Linux include/uapi/linux/sev-guest.h
 * gives it, and answers as drivers/virt/coco/sev-guest/sev-guest.c does;
 * tsm_play (struct sev_tsm's after_mkdir) fills a new entry of a fake
 * tree with what drivers/virt/coco/tsm.c shows.
 */
#ifndef SEVBOOT_TESTS_FAKE_GUEST_H
#define SEVBOOT_TESTS_FAKE_GUEST_H

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "util/util.h"
#include "tests/unit/testutil.h"

/* The kernel's numbers, written out (not taken from the header under
 * test): _IOWR('S', n, 32 bytes). */
#define K_SNP_GET_REPORT      0xC0205300ul
#define K_SNP_GET_DERIVED_KEY 0xC0205301ul
#define K_SNP_GET_EXT_REPORT  0xC0205302ul

struct fake {
	unsigned calls;
	unsigned long last_req;
	uint32_t rsp_status; /* MSG_*_RSP status to answer */
	uint32_t report_size;
	int fail_errno;	     /* the ioctl fails with this ... */
	uint64_t exitinfo2;  /* ... and this in the struct */
	uint32_t need_certs; /* ext report: the buffer the "host" needs */
	uint8_t user_data[64];
	uint32_t vmpl;
	uint8_t key_req[32];
	uint32_t certs_len_seen[4];
};

static uint8_t *at(uint64_t addr)
{
	return (uint8_t *)(uintptr_t)addr;
}

/* A table: VCEK at 0x60 (16 bytes), ASK, ARK, then the zero entry. */
static size_t make_table(uint8_t *t, size_t cap)
{
	static const char *const g[] = {"63da758d-e664-4564-adc5-f4b93be8accd",
					"4ab7b379-bbac-4fe4-a02f-05aef327c782",
					"c0b406a4-a803-4952-9743-3fb6014cd0ae"};
	struct guid id;

	memset(t, 0, cap);
	for (unsigned i = 0; i < 3; i++) {
		ck_assert_int_eq(guid_parse(g[i], &id), 0);
		memcpy(t + 24 * i, id.b, 16);
		put_le32(t, 24 * i + 16, 0x80 + 0x10 * i);
		put_le32(t, 24 * i + 20, 0x10);
		memset(t + 0x80 + 0x10 * i, 0xa0 + i, 0x10);
	}
	return 0xb0;
}

static int fake_ioctl(void *ctx, int fd, unsigned long req, void *arg)
{
	struct fake *f = ctx;
	uint8_t *io = arg, *rq, *rsp;

	(void)fd;
	f->calls++;
	f->last_req = req;
	/* struct snp_guest_request_ioctl: msg_version u8 @0, req_data @8,
	 * resp_data @16, exitinfo2 @24 (fw_error @24, vmm_error @28). */
	ck_assert_uint_eq(io[0], 1);
	for (unsigned i = 1; i < 8; i++)
		ck_assert_uint_eq(io[i], 0);
	rq = at(get_le64(io, 8));
	rsp = at(get_le64(io, 16));
	ck_assert_ptr_nonnull(rq);
	ck_assert_ptr_nonnull(rsp);
	ck_assert_uint_eq(get_le64(io, 24), 0);
	if (req == K_SNP_GET_DERIVED_KEY) {
		memcpy(f->key_req, rq, 32);
		memset(rsp, 0, 64);
		put_le32(rsp, 0, f->rsp_status);
		for (unsigned i = 0; i < 32; i++)
			rsp[0x20 + i] = (uint8_t)(0x40 + i);
	} else {
		/* struct snp_report_req: user_data @0, vmpl @64, rsvd[28]. */
		memcpy(f->user_data, rq, 64);
		f->vmpl = get_le32(rq, 64);
		for (unsigned i = 68; i < 96; i++)
			ck_assert_uint_eq(rq[i], 0);
		if (req == K_SNP_GET_EXT_REPORT) {
			/* certs_address @96, certs_len @104. */
			uint32_t len = get_le32(rq, 104);

			f->certs_len_seen[f->calls - 1 < 4 ? f->calls - 1 : 3] =
				len;
			ck_assert_uint_eq(len % 4096, 0);
			if (len < f->need_certs) {
				put_le32(rq, 104, f->need_certs);
				put_le64(io, 24, 1ull << 32); /* INVALID_LEN */
				errno = EIO;
				return -1;
			}
			make_table(at(get_le64(rq, 96)), len);
		}
		memset(rsp, 0, 4000);
		put_le32(rsp, 0, f->rsp_status);
		put_le32(rsp, 4, f->report_size);
		for (unsigned i = 0; i < f->report_size && i < 4000 - 0x20; i++)
			rsp[0x20 + i] = (uint8_t)i;
	}
	if (f->fail_errno) {
		put_le64(io, 24, f->exitinfo2);
		errno = f->fail_errno;
		return -1;
	}
	return 0;
}

static void put_file(const char *dir, const char *name, const void *p, size_t n)
{
	char path[4096];
	int fd;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(write(fd, p, n), (ssize_t)n);
	close(fd);
}

struct tsm_fake {
	const char *provider;
	unsigned made;
	char entry[4096];
};

/* What the kernel shows in a new entry. */
static void tsm_play(void *ctx, const char *entry)
{
	struct tsm_fake *t = ctx;
	uint8_t rep[1184], aux[0xb0 + 24];

	t->made++;
	snprintf(t->entry, sizeof(t->entry), "%s", entry);
	for (unsigned i = 0; i < sizeof(rep); i++)
		rep[i] = (uint8_t)(i * 7);
	put_file(entry, "provider", t->provider, strlen(t->provider));
	put_file(entry, "generation", "3\n", 2);
	put_file(entry, "inblob", "", 0);
	put_file(entry, "privlevel", "", 0);
	put_file(entry, "outblob", rep, sizeof(rep));
	put_file(entry, "auxblob", aux, make_table(aux, sizeof(aux)) + 24);
}

#endif
