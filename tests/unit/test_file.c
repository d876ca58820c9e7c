// SPDX-License-Identifier: MIT
/* loader/file.c: file_read() and file_load() on every kind of bad path, a
 * file that changes during or after a load, the stream and peek openers,
 * and parse_size(). */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <sys/sendfile.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <sys/wait.h>

#include "loader/loader.h"
#include "tests/unit/testutil.h"

/* ------------------------------------------------------------ parse_size */

START_TEST(test_parse_size_ok)
{
	static const struct {
		const char *s;
		uint64_t v;
	} cases[] = {
		{"0", 0},
		{"1", 1},
		{"1073741824", 1073741824ULL},
		{"512M", 512 * SZ_1M},
		{"512m", 512 * SZ_1M},
		{"512MB", 512 * SZ_1M},
		{"512MiB", 512 * SZ_1M},
		{"512mib", 512 * SZ_1M},
		{"4G", 4 * SZ_1G},
		{"4GiB", 4 * SZ_1G},
		{"65536K", 65536 * SZ_1K},
		{"64k", 64 * SZ_1K},
		{"1T", 1ULL << 40},
		{"1tb", 1ULL << 40},
		{"100B", 100},
		{"007", 7},
		{"18446744073709551615", UINT64_MAX},
		{"16777215T", 16777215ULL << 40}, /* largest T that fits */
		{"17179869183G", 17179869183ULL << 30},
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		uint64_t v = 12345;
		int r = parse_size(cases[i].s, &v);

		ck_assert_msg(r == 0, "\"%s\": %d", cases[i].s, r);
		ck_assert_msg(v == cases[i].v, "\"%s\": %llu, want %llu",
			      cases[i].s, (unsigned long long)v,
			      (unsigned long long)cases[i].v);
	}
}
END_TEST

START_TEST(test_parse_size_overflow)
{
	static const char *const cases[] = {
		"18446744073709551616", /* 2^64 */
		"99999999999999999999999",
		"16777216T",	      /* 2^24 T = 2^64 */
		"17179869184G",	      /* 2^34 G = 2^64 */
		"18014398509481984K", /* 2^54 K = 2^64 */
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		uint64_t v = 12345;

		ck_assert_msg(parse_size(cases[i], &v) == -ERANGE, "\"%s\"",
			      cases[i]);
		ck_assert_uint_eq(v, 12345); /* untouched on error */
	}
}
END_TEST

START_TEST(test_parse_size_garbage)
{
	static const char *const cases[] = {
		"",    "M",	"-1",	"+1",  " 1",  "1 ",
		"1 M", "0x10",	"1.5G", "1MM", "1Q",  "1iB",
		"1Mi", "1MiBx", "1BB",	"G4",  "1e9", "1,024",
	};
	uint64_t v = 12345;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		ck_assert_msg(parse_size(cases[i], &v) == -EINVAL,
			      "accepted \"%s\"", cases[i]);
	ck_assert_uint_eq(v, 12345);
	ck_assert_int_eq(parse_size(NULL, &v), -EINVAL);
}
END_TEST

/* ------------------------------------------------------------- file_read */

/* A private scratch directory per test (Check may fork per test). */
static char tmpdir[64];

static void tmp_setup(void)
{
	snprintf(tmpdir, sizeof(tmpdir), "/tmp/sevboot-test-file.XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(tmpdir));
}

static void tmp_teardown(void)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
	if (system(cmd) != 0)
		fprintf(stderr, "could not remove %s\n", tmpdir);
}

static const char *tmp_file(const char *name, const void *data, size_t len,
			    char *buf, size_t buflen)
{
	FILE *f;

	snprintf(buf, buflen, "%s/%s", tmpdir, name);
	f = fopen(buf, "wb");
	ck_assert_ptr_nonnull(f);
	if (len)
		ck_assert_uint_eq(fwrite(data, 1, len, f), len);
	ck_assert_int_eq(fclose(f), 0);
	return buf;
}

/* The blob is cleared on failure, and err holds one line. */
/* Every failure must look the same through file_read() and file_load(). */
#define EXPECT_FAIL_ONE(fn, path, max, code, needle)                           \
	do {                                                                   \
		struct blob b_ = {(uint8_t *)1, 99, true};                     \
		char err_[256] = "";                                           \
		int r_ = fn((path), (max), &b_, err_, sizeof(err_));           \
		ck_assert_msg(r_ == (code), "%s %s: ret %d, want %d (%s)",     \
			      #fn, (path), r_, (code), err_);                  \
		ck_assert_ptr_null(b_.data);                                   \
		ck_assert_uint_eq(b_.len, 0);                                  \
		ck_assert(!b_.mapped);                                         \
		ck_assert_msg(strstr(err_, (needle)) != NULL,                  \
			      "error \"%s\" lacks \"%s\"", err_, (needle));    \
		ck_assert_ptr_null(strchr(err_, '\n'));                        \
	} while (0)

#define EXPECT_READ_FAIL(path, max, code, needle)                              \
	do {                                                                   \
		EXPECT_FAIL_ONE(file_read, path, max, code, needle);           \
		EXPECT_FAIL_ONE(file_load, path, max, code, needle);           \
	} while (0)

static int count_fds(void)
{
	int n = 0;

	for (int fd = 0; fd < 1024; fd++)
		if (fcntl(fd, F_GETFD) >= 0)
			n++;
	return n;
}

START_TEST(test_read_ok)
{
	uint8_t data[5000];
	char path[128], err[256];
	struct blob b;

	for (size_t i = 0; i < sizeof(data); i++)
		data[i] = (uint8_t)(i * 7);
	tmp_file("ok.bin", data, sizeof(data), path, sizeof(path));
	ck_assert_msg(file_read(path, sizeof(data), &b, err, sizeof(err)) == 0,
		      "%s", err);
	ck_assert_uint_eq(b.len, sizeof(data));
	ck_assert_mem_eq(b.data, data, sizeof(data));
	blob_free(&b);
	ck_assert_ptr_null(b.data);
	ck_assert_uint_eq(b.len, 0);
	blob_free(&b); /* twice is harmless */
	blob_free(NULL);
}
END_TEST

START_TEST(test_read_missing)
{
	char path[128];

	snprintf(path, sizeof(path), "%s/does-not-exist", tmpdir);
	EXPECT_READ_FAIL(path, 4096, -ENOENT, "no such file");
	/* A file used as a directory is just as missing. */
	tmp_file("plain", "x", 1, path, sizeof(path));
	strcat(path, "/below");
	EXPECT_READ_FAIL(path, 4096, -ENOENT, "no such file");
}
END_TEST

START_TEST(test_read_directory)
{
	EXPECT_READ_FAIL(tmpdir, 4096, -EISDIR, "is a directory");
}
END_TEST

START_TEST(test_read_not_regular)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	char path[128];
	int s;

	EXPECT_READ_FAIL("/dev/null", 4096, -EINVAL, "character device");

	/* A FIFO must be refused, not waited on. */
	snprintf(path, sizeof(path), "%s/fifo", tmpdir);
	ck_assert_int_eq(mkfifo(path, 0600), 0);
	EXPECT_READ_FAIL(path, 4096, -EINVAL, "FIFO");

	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s/sock", tmpdir);
	s = socket(AF_UNIX, SOCK_STREAM, 0);
	ck_assert_int_ge(s, 0);
	ck_assert_int_eq(bind(s, (struct sockaddr *)&sa, sizeof(sa)), 0);
	/* open() on a socket fails (ENXIO) before fstat() can tell. */
	EXPECT_READ_FAIL(sa.sun_path, 4096, -EINVAL, "is a socket");
	close(s);
}
END_TEST

/*
 * Root reads mode-000 files, so as root the check runs in a child that
 * has become "nobody"; the child reports with its exit status only.
 */
static int read_as_nobody(const char *path)
{
	struct blob b;
	char err[256] = "";
	int status, r;
	bool ok;
	pid_t pid = fork();

	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		if (setgid(65534) || setuid(65534))
			_exit(77);
		r = file_read(path, 4096, &b, err, sizeof(err));
		ok = r == -EACCES && !b.data &&
		     !strcmp(err, "permission denied");
		_exit(ok ? 0 : 1);
	}
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	ck_assert(WIFEXITED(status));
	return WEXITSTATUS(status);
}

START_TEST(test_read_permission)
{
	char path[128];
	int r;

	tmp_file("secret", "x", 1, path, sizeof(path));
	ck_assert_int_eq(chmod(path, 0), 0);
	if (geteuid() != 0) {
		EXPECT_READ_FAIL(path, 4096, -EACCES, "permission denied");
		return;
	}
	ck_assert_int_eq(chmod(tmpdir, 0755), 0); /* let nobody reach it */
	r = read_as_nobody(path);
	if (r == 77)
		SKIP_TEST("running as root and cannot switch to nobody");
	ck_assert_msg(r == 0, "unreadable file not reported as EACCES");
}
END_TEST

START_TEST(test_read_empty)
{
	char path[128];

	tmp_file("empty", NULL, 0, path, sizeof(path));
	EXPECT_READ_FAIL(path, 4096, -ENODATA, "empty");
}
END_TEST

START_TEST(test_read_too_big)
{
	char path[128], data[4097] = {0};
	struct blob b;

	tmp_file("big", data, sizeof(data), path, sizeof(path));
	EXPECT_READ_FAIL(path, 4096, -EFBIG,
			 "the file is 4097 bytes, larger than the limit of "
			 "4096 bytes");
	/* Exactly at the limit is fine. */
	ck_assert_int_eq(file_read(path, 4097, &b, NULL, 0), 0);
	ck_assert_uint_eq(b.len, 4097);
	blob_free(&b);
}
END_TEST

/*
 * sysfs attributes claim 4096 bytes and hold a few: a real short read,
 * the same thing a file truncated while being read looks like.
 */
START_TEST(test_read_short)
{
	static const char *const candidates[] = {
		"/sys/devices/system/cpu/online",
		"/sys/kernel/uevent_seqnum",
		"/sys/kernel/mm/transparent_hugepage/enabled",
	};
	struct stat st;

	for (size_t i = 0; i < sizeof(candidates) / sizeof(candidates[0]);
	     i++) {
		if (stat(candidates[i], &st) || st.st_size != 4096 ||
		    access(candidates[i], R_OK))
			continue;
		EXPECT_READ_FAIL(candidates[i], 1 << 20, -EIO, "short read");
		return;
	}
	SKIP_TEST("no sysfs attribute to read (is /sys mounted?)");
}
END_TEST

/* No error path may leak the descriptor. */
START_TEST(test_read_no_fd_leak)
{
	char path[128], data[100] = {0};
	struct blob b;
	int before = count_fds();

	tmp_file("f", data, sizeof(data), path, sizeof(path));
	for (int i = 0; i < 50; i++) {
		ck_assert_int_eq(file_read(path, 10, &b, NULL, 0), -EFBIG);
		ck_assert_int_eq(file_read(tmpdir, 10, &b, NULL, 0), -EISDIR);
		ck_assert_int_eq(file_read("/dev/null", 10, &b, NULL, 0),
				 -EINVAL);
		ck_assert_int_eq(file_read(path, 100, &b, NULL, 0), 0);
		blob_free(&b);
		ck_assert_int_eq(file_load(path, 10, &b, NULL, 0), -EFBIG);
		ck_assert_int_eq(file_load(path, 100, &b, NULL, 0), 0);
		blob_free(&b);
	}
	ck_assert_int_eq(count_fds(), before);
}
END_TEST

/* --serial-in's open: never waits for a FIFO's writer, and the reader gets
 * a blocking fd that sees what the writer sends, then its end. */
START_TEST(test_stream_fifo_without_writer)
{
	char path[128], err[256] = "", buf[8];
	int fd, w;

	snprintf(path, sizeof(path), "%s/fifo", tmpdir);
	ck_assert_int_eq(mkfifo(path, 0600), 0);
	fd = file_open_stream(path, err, sizeof(err)); /* blocked before */
	ck_assert_msg(fd >= 0, "%s", err);
	ck_assert_int_eq(fcntl(fd, F_GETFL) & O_NONBLOCK, 0);
	w = open(path, O_WRONLY | O_NONBLOCK); /* the reader is there */
	ck_assert_int_ge(w, 0);
	ck_assert_int_eq(write(w, "hi", 2), 2);
	ck_assert_int_eq(read(fd, buf, sizeof(buf)), 2);
	ck_assert_mem_eq(buf, "hi", 2);
	close(w);
	ck_assert_int_eq(read(fd, buf, sizeof(buf)), 0);
	close(fd);
}
END_TEST

START_TEST(test_stream_kinds)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	char path[128], err[256];
	int fd, s;

	tmp_file("in.txt", "abc", 3, path, sizeof(path));
	fd = file_open_stream(path, err, sizeof(err));
	ck_assert_msg(fd >= 0, "%s", err);
	close(fd);
	fd = file_open_stream("/dev/null", err, sizeof(err));
	ck_assert_msg(fd >= 0, "%s", err);
	close(fd);

	ck_assert_int_eq(file_open_stream(tmpdir, err, sizeof(err)), -EISDIR);
	ck_assert_str_eq(err, "is a directory; give a file, a FIFO or a "
			      "terminal");
	snprintf(path, sizeof(path), "%s/nope", tmpdir);
	ck_assert_int_eq(file_open_stream(path, err, sizeof(err)), -ENOENT);
	ck_assert_str_eq(err, "no such file");
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s/sock", tmpdir);
	s = socket(AF_UNIX, SOCK_STREAM, 0);
	ck_assert_int_ge(s, 0);
	ck_assert_int_eq(bind(s, (struct sockaddr *)&sa, sizeof(sa)), 0);
	ck_assert_int_eq(file_open_stream(sa.sun_path, err, sizeof(err)),
			 -EINVAL);
	ck_assert_ptr_nonnull(strstr(err, "is a socket"));
	close(s);
}
END_TEST

/* A private key: the same checks as file_read, and no access for others. */
START_TEST(test_read_private)
{
	char path[128], err[256];
	struct blob b;

	tmp_file("key", "0123456789", 10, path, sizeof(path));
	ck_assert_int_eq(chmod(path, 0644), 0);
	ck_assert_int_eq(file_read_private(path, 64, &b, err, sizeof(err)),
			 -EACCES);
	ck_assert_ptr_null(b.data);
	ck_assert_str_eq(err, "a private key must not be readable by others "
			      "(mode 0644); chmod 600 it");
	ck_assert_int_eq(chmod(path, 0600), 0);
	ck_assert_int_eq(file_read_private(path, 64, &b, err, sizeof(err)), 0);
	ck_assert_uint_eq(b.len, 10);
	ck_assert_mem_eq(b.data, "0123456789", 10);
	blob_free(&b);
	snprintf(path, sizeof(path), "%s/fifo", tmpdir);
	ck_assert_int_eq(mkfifo(path, 0600), 0);
	ck_assert_int_eq(file_read_private(path, 64, &b, err, sizeof(err)),
			 -EINVAL);
	ck_assert_ptr_nonnull(strstr(err, "FIFO"));
}
END_TEST

START_TEST(test_peek)
{
	char path[128], err[256];
	uint8_t buf[4];

	tmp_file("p", "0123456789", 10, path, sizeof(path));
	ck_assert_int_eq(file_peek(path, 6, buf, 4, err, sizeof(err)), 0);
	ck_assert_mem_eq(buf, "6789", 4);
	ck_assert_int_eq(file_peek(path, 7, buf, 4, err, sizeof(err)),
			 -ENODATA);
	ck_assert_str_eq(err, "the file ends before byte 11");
	snprintf(path, sizeof(path), "%s/fifo", tmpdir);
	ck_assert_int_eq(mkfifo(path, 0600), 0);
	ck_assert_int_eq(file_peek(path, 0, buf, 4, err, sizeof(err)), -EINVAL);
}
END_TEST

/* What sevboot holds of a file_load()ed kernel or initrd is its own: the
 * file truncated (a `cp` over it) or rewritten after the load changes
 * nothing, and reading every byte raises no SIGBUS; released pages come
 * back unchanged too. */
START_TEST(load_survives_truncation)
{
	uint8_t data[3 * 4096 + 100];
	char path[128], err[256] = "";
	struct blob b;
	int fd;

	for (size_t i = 0; i < sizeof(data); i++)
		data[i] = (uint8_t)(i * 7 + 3);
	tmp_file("initrd", data, sizeof(data), path, sizeof(path));
	ck_assert_int_eq(file_load(path, 1 << 20, &b, err, sizeof(err)), 0);
	ck_assert(b.mapped);
	ck_assert_uint_eq(b.len, sizeof(data));

	ck_assert_int_eq(truncate(path, 0), 0);
	ck_assert_mem_eq(b.data, data, sizeof(data)); /* every byte */
	blob_release_pages(b.data + 10, 2 * 4096);
	blob_release_pages(b.data, b.len);
	ck_assert_mem_eq(b.data, data, sizeof(data));

	/* Rewritten in place with other bytes: still the loaded ones. */
	fd = open(path, O_WRONLY);
	ck_assert_int_ge(fd, 0);
	memset(data + 4096, 'X', 4096);
	ck_assert_int_eq(write(fd, data, sizeof(data)), (int)sizeof(data));
	for (size_t i = 0; i < sizeof(data); i++)
		data[i] = (uint8_t)(i * 7 + 3);
	close(fd);
	blob_release_pages(b.data, b.len);
	ck_assert_mem_eq(b.data, data, sizeof(data));
	blob_free(&b);
	ck_assert_ptr_null(b.data);
	ck_assert(!b.mapped);
}
END_TEST

/*
 * sendfile() for this test program: the real call, after (when a test
 * sets change_path) someone else changes the file just as file_load()
 * copies it: how a `cp` over it during the start looks.
 */
enum change { CHANGE_NONE, CHANGE_SHRINK, CHANGE_GROW, CHANGE_REWRITE };
static const char *change_path;
static enum change change_how;

ssize_t sendfile(int out_fd, int in_fd, off_t *offset, size_t count)
{
	if (change_path && change_how != CHANGE_NONE) {
		int fd = open(change_path, O_WRONLY | O_APPEND);

		ck_assert_int_ge(fd, 0);
		if (change_how == CHANGE_SHRINK)
			ck_assert_int_eq(ftruncate(fd, 4096), 0);
		else if (change_how == CHANGE_GROW)
			ck_assert_int_eq(write(fd, "more", 4), 4);
		else
			ck_assert_int_eq(pwrite(fd, "YY", 2, 0), 2);
		close(fd);
		change_how = CHANGE_NONE;
	}
	return syscall(SYS_sendfile, out_fd, in_fd, offset, count);
}

/* A file that changes while it is loaded: one line, nothing held. */
START_TEST(load_refuses_a_changing_file)
{
	static const struct {
		enum change how;
		const char *want;
	} cases[] = {
		{CHANGE_SHRINK, "short read: got 4096 of 12388 bytes (the file "
				"shrank while it was read"},
		{CHANGE_GROW, "the file changed while it was read"},
		{CHANGE_REWRITE, "the file changed while it was read"},
	};
	/* An old mtime, so that a write now changes it whatever the
	 * timestamp granularity. */
	const struct timespec old[2] = {{946684800, 0}, {946684800, 0}};
	uint8_t data[3 * 4096 + 100] = {1};
	char path[128];

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		tmp_file("changing", data, sizeof(data), path, sizeof(path));
		ck_assert_int_eq(utimensat(AT_FDCWD, path, old, 0), 0);
		change_path = path;
		change_how = cases[i].how;
		EXPECT_FAIL_ONE(file_load, path, 1 << 20, -EIO, cases[i].want);
		change_path = NULL;
	}
}
END_TEST

/* file_write_atomic: whole or nothing, replace or not, no temporary
 * file left behind either way. */
static unsigned dir_entries(const char *dir)
{
	char cmd[256];
	FILE *f;
	unsigned n = 0;

	snprintf(cmd, sizeof(cmd), "ls -A '%s' | wc -l", dir);
	f = popen(cmd, "r");
	ck_assert_ptr_nonnull(f);
	ck_assert_int_eq(fscanf(f, "%u", &n), 1);
	pclose(f);
	return n;
}

START_TEST(test_write_atomic)
{
	char dir[] = "/tmp/sevboot-wa.XXXXXX", path[64], err[128] = "";
	struct blob b;
	struct stat st;

	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/f", dir);
	ck_assert_int_eq(file_write_atomic(path, "one", 3, 0600, false, err,
					   sizeof(err)),
			 0);
	ck_assert_int_eq(stat(path, &st), 0);
	ck_assert_int_eq(st.st_mode & 0777, 0600);
	/* Not replaced: -EEXIST, the old bytes kept. */
	ck_assert_int_eq(file_write_atomic(path, "two", 3, 0600, false, err,
					   sizeof(err)),
			 -EEXIST);
	ck_assert_str_eq(err, "it exists");
	ck_assert_int_eq(file_read(path, 64, &b, NULL, 0), 0);
	ck_assert_int_eq(memcmp(b.data, "one", 3), 0);
	blob_free(&b);
	/* Replaced. */
	ck_assert_int_eq(file_write_atomic(path, "three", 5, 0644, true, err,
					   sizeof(err)),
			 0);
	ck_assert_int_eq(file_read(path, 64, &b, NULL, 0), 0);
	ck_assert_uint_eq(b.len, 5);
	blob_free(&b);
	ck_assert_uint_eq(dir_entries(dir), 1);
	/* A directory that is not there: nothing anywhere. */
	snprintf(path, sizeof(path), "%s/no/f", dir);
	ck_assert_int_eq(file_write_atomic(path, "x", 1, 0644, true, err,
					   sizeof(err)),
			 -ENOENT);
	ck_assert_uint_eq(dir_entries(dir), 1);
	/* A write that fails half-way (over RLIMIT_FSIZE; this test runs
	 * in its own process) leaves the old file and no temporary one. */
	snprintf(path, sizeof(path), "%s/f", dir);
	signal(SIGXFSZ, SIG_IGN);
	ck_assert_int_eq(setrlimit(RLIMIT_FSIZE,
				   &(struct rlimit){.rlim_cur = 2,
						    .rlim_max = RLIM_INFINITY}),
			 0);
	ck_assert_int_eq(file_write_atomic(path, "four!", 5, 0644, true, err,
					   sizeof(err)),
			 -EFBIG);
	ck_assert_ptr_nonnull(strstr(err, "cannot write"));
	ck_assert_int_eq(file_read(path, 64, &b, NULL, 0), 0);
	ck_assert_int_eq(memcmp(b.data, "three", 5), 0);
	blob_free(&b);
	ck_assert_uint_eq(dir_entries(dir), 1);
	rm_tree(dir);
}
END_TEST

static Suite *file_suite(void)
{
	Suite *s = suite_create("file");
	TCase *tc;

	tc = tcase_create("parse_size");
	tcase_add_test(tc, test_parse_size_ok);
	tcase_add_test(tc, test_parse_size_overflow);
	tcase_add_test(tc, test_parse_size_garbage);
	suite_add_tcase(s, tc);

	tc = tcase_create("file_read");
	tcase_add_checked_fixture(tc, tmp_setup, tmp_teardown);
	tcase_add_test(tc, test_read_ok);
	tcase_add_test(tc, test_read_missing);
	tcase_add_test(tc, test_read_directory);
	tcase_add_test(tc, test_read_not_regular);
	tcase_add_test(tc, test_read_permission);
	tcase_add_test(tc, test_read_empty);
	tcase_add_test(tc, test_read_too_big);
	tcase_add_test(tc, test_read_short);
	tcase_add_test(tc, test_read_no_fd_leak);
	tcase_add_test(tc, test_stream_fifo_without_writer);
	tcase_add_test(tc, test_stream_kinds);
	tcase_add_test(tc, test_read_private);
	tcase_add_test(tc, test_peek);
	tcase_add_test(tc, test_write_atomic);
	tcase_add_test(tc, load_survives_truncation);
	tcase_add_test(tc, load_refuses_a_changing_file);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return run_suite(file_suite());
}
