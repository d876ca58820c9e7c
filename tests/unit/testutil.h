/* SPDX-License-Identifier: MIT */
/* Shared helpers for the Check unit tests. */
#ifndef SEVBOOT_TESTUTIL_H
#define SEVBOOT_TESTUTIL_H

#include <check.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util/util.h"
#include "loader/loader.h"

/* Path of a file under ../shared (SEVBOOT_SHARED overrides), or NULL when
 * it is not there.  The returned string is static per call site's buffer. */
static inline const char *shared_path(const char *rel, char *buf, size_t len)
{
	const char *root = getenv("SEVBOOT_SHARED");
	if (!root || !*root)
		root = "../shared";
	snprintf(buf, len, "%s/%s", root, rel);
	return access(buf, R_OK) == 0 ? buf : NULL;
}

/* A whole file under ../shared (at most 1 MiB) into *b, or false when it
 * is not there (the caller skips). */
static inline bool shared_read(const char *rel, struct blob *b)
{
	char buf[4096];
	const char *path = shared_path(rel, buf, sizeof(buf));

	memset(b, 0, sizeof(*b));
	if (!path)
		return false;
	ck_assert_int_eq(file_read(path, 1 << 20, b, NULL, 0), 0);
	return true;
}

/* Check has no skip status: a test that cannot run prints SKIPPED with the
 * reason and returns; the runner's summary counts it as run, so every skip
 * is visible in the log. */
#define SKIP_TEST(...)                                                        \
	do {                                                                  \
		printf("SKIPPED %s: ", __func__);                             \
		printf(__VA_ARGS__);                                          \
		printf("\n");                                                 \
		fflush(stdout);                                               \
		return;                                                       \
	} while (0)

/* shared_read(rel, b), or the test is skipped with the reason. */
#define NEED_SHARED(rel, b)                                                    \
	do {                                                                   \
		if (!shared_read(rel, b))                                      \
			SKIP_TEST("no ../shared/%s (SEVBOOT_SHARED)", rel);    \
	} while (0)

/* Exactly 2n hex digits -> out[n], or the test fails. */
static inline void ck_unhex(const char *s, uint8_t *out, size_t n)
{
	ck_assert_uint_eq(strlen(s), 2 * n);
	ck_assert_int_eq(hex_decode(s, 2 * n, out, n), 0);
}

/* Canonical base64 of at most max bytes -> out; the length.  The test
 * fails on anything else. */
static inline size_t ck_unbase64(const char *s, uint8_t *out, size_t max)
{
	uint8_t *buf;
	size_t n;

	ck_assert_int_eq(base64_decode(s, strlen(s), &buf, &n), 0);
	ck_assert_uint_le(n, max);
	memcpy(out, buf, n);
	free(buf);
	return n;
}

/* Run a suite, print Check's summary line, return the process status. */
/* bin/sevboot, or $SEVBOOT_BIN; NULL when it is not built. */
static inline const char *sevboot_bin(void)
{
	const char *b = getenv("SEVBOOT_BIN");

	if (!b || !*b)
		b = "bin/sevboot";
	return access(b, X_OK) == 0 ? b : NULL;
}

static inline int run_suite(Suite *s)
{
	SRunner *sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}

/* What one sub-command run in this process printed and returned. */
struct captured {
	int rc;
	char out[8192], err[8192];
};

static inline void captured_slurp(int fd, char *buf, size_t len)
{
	ssize_t n;

	lseek(fd, 0, SEEK_SET);
	n = read(fd, buf, len - 1);
	buf[n > 0 ? n : 0] = '\0';
	close(fd);
}

/* r->rc = cmd(name, args..., NULL), its stdout and stderr captured (the
 * first 8 KiB of each). */
static inline void capture_cmd(struct captured *r, int (*cmd)(int, char **),
			       const char *name, const char *const *args)
{
	char *argv[40];
	int n = 0, out, err, so = dup(1), se = dup(2);
	FILE *f1 = tmpfile(), *f2 = tmpfile();

	ck_assert(f1 && f2 && so >= 0 && se >= 0);
	argv[n++] = (char *)name;
	while (*args && n < 39)
		argv[n++] = (char *)*args++;
	argv[n] = NULL;
	out = dup(fileno(f1));
	err = dup(fileno(f2));
	fclose(f1);
	fclose(f2);
	fflush(stdout);
	fflush(stderr);
	dup2(out, 1);
	dup2(err, 2);
	r->rc = cmd(n, argv);
	fflush(stdout);
	fflush(stderr);
	dup2(so, 1);
	dup2(se, 2);
	close(so);
	close(se);
	captured_slurp(out, r->out, sizeof(r->out));
	captured_slurp(err, r->err, sizeof(r->err));
}

static inline int rm_tree_one(const char *path, const struct stat *st,
			      int flag, struct FTW *f)
{
	(void)st;
	(void)flag;
	(void)f;
	remove(path);
	return 0;
}

/* Remove a test's temporary directory and all in it (no symlink is
 * followed). */
static inline void rm_tree(const char *dir)
{
	nftw(dir, rm_tree_one, 16, FTW_DEPTH | FTW_PHYS);
}

#endif
