// SPDX-License-Identifier: MIT
/*
 * Files -> bytes, and the one string parser every size option shares.
 *
 * This file is the only one in loader/ that touches the file system, and
 * every file a user names reaches sevboot through it: whole regular files
 * with a size cap (file_read(), file_read_private(), file_load()), a peek
 * (file_peek()), and input streams (file_open_stream()); and outputs
 * written whole or not at all (file_write_atomic()).  Each open is
 * O_NONBLOCK, so a FIFO with no writer never hangs the start: it is refused
 * (a file) or waited on by its reader (a stream).  Everything after works
 * on the bytes these return.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/sendfile.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/util.h"
#include "loader/loader.h"

/* What a non-regular file is, in words a user recognises. */
static const char *file_kind(mode_t mode)
{
	if (S_ISDIR(mode))
		return "a directory";
	if (S_ISCHR(mode))
		return "a character device";
	if (S_ISBLK(mode))
		return "a block device";
	if (S_ISFIFO(mode))
		return "a pipe (FIFO)";
	if (S_ISSOCK(mode))
		return "a socket";
	return "not a regular file";
}

static int open_error(const char *path, int e, char *err, size_t errlen)
{
	struct stat st;

	switch (e) {
	case ENOENT:
		set_err(err, errlen, "no such file");
		break;
	case ENOTDIR:
		set_err(err, errlen,
			"no such file (a component of the path is not a "
			"directory)");
		return -ENOENT;
	case EACCES:
	case EPERM:
		set_err(err, errlen, "permission denied");
		break;
	case ENXIO:
	case EOPNOTSUPP:
		/* Sockets (and orphaned device nodes) fail in open() itself. */
		if (stat(path, &st) == 0 && !S_ISREG(st.st_mode)) {
			set_err(err, errlen, "is %s, not a regular file",
				file_kind(st.st_mode));
			return -EINVAL;
		}
		set_err(err, errlen, "cannot open: %s", strerror(e));
		break;
	case ELOOP:
		set_err(err, errlen, "too many levels of symbolic links");
		break;
	default:
		set_err(err, errlen, "cannot open: %s", strerror(e));
		break;
	}
	return -e;
}

/*
 * Open path and check it is a non-empty regular file of at most max bytes.
 * Returns the fd (its fstat in *st) or a negative errno with err filled.
 */
static int open_checked(const char *path, size_t max, struct stat *st,
			char *err, size_t errlen)
{
	int fd, ret;

	/*
	 * O_NONBLOCK so that naming a FIFO by mistake fails below instead of
	 * hanging in open(); it changes nothing for regular files.
	 */
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (fd < 0)
		return open_error(path, errno, err, errlen);

	if (fstat(fd, st) < 0) {
		ret = -errno;
		set_err(err, errlen, "cannot stat: %s", strerror(errno));
		goto fail;
	}
	if (!S_ISREG(st->st_mode)) {
		ret = S_ISDIR(st->st_mode) ? -EISDIR : -EINVAL;
		set_err(err, errlen, "is %s, not a regular file",
			file_kind(st->st_mode));
		goto fail;
	}
	if (st->st_size == 0) {
		ret = -ENODATA;
		set_err(err, errlen, "the file is empty");
		goto fail;
	}
	if ((uintmax_t)st->st_size > max) {
		ret = -EFBIG;
		if (max && max % SZ_1M == 0)
			set_err(err, errlen,
				"the file is %jd bytes, larger than the limit "
				"of %zu bytes (%zu MiB)",
				(intmax_t)st->st_size, max,
				(size_t)(max / SZ_1M));
		else
			set_err(err, errlen,
				"the file is %jd bytes, larger than the limit "
				"of %zu bytes",
				(intmax_t)st->st_size, max);
		goto fail;
	}
	return fd;
fail:
	close(fd);
	return ret;
}

/* file_read() and file_read_private(): the same but for the mode check. */
static int read_whole(const char *path, size_t max, bool private,
		      struct blob *out, char *err, size_t errlen)
{
	uint8_t *buf = NULL;
	size_t size, got = 0;
	struct stat st;
	int fd, ret;

	out->data = NULL;
	out->len = 0;
	out->mapped = false;
	fd = open_checked(path, max, &st, err, errlen);
	if (fd < 0)
		return fd;
	size = (size_t)st.st_size;
	if (private && (st.st_mode & 077)) {
		ret = -EACCES;
		set_err(err, errlen,
			"a private key must not be readable by others (mode "
			"%04o); chmod 600 it",
			(unsigned)(st.st_mode & 07777));
		goto out;
	}

	buf = malloc(size);
	if (!buf) {
		ret = -ENOMEM;
		set_err(err, errlen, "out of memory reading %zu bytes", size);
		goto out;
	}

	while (got < size) {
		ssize_t n = read(fd, buf + got, size - got);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			ret = -errno;
			set_err(err, errlen,
				"read failed after %zu of %zu bytes: %s", got,
				size, strerror(errno));
			goto out;
		}
		if (n == 0)
			break;
		got += (size_t)n;
	}
	if (got != size) {
		/* The file shrank between fstat() and read(). */
		ret = -EIO;
		set_err(err, errlen,
			"short read: got %zu of %zu bytes (did the file change "
			"while it was being read?)",
			got, size);
		goto out;
	}

	out->data = buf;
	out->len = size;
	buf = NULL;
	ret = 0;
out:
	/* A failed read may hold part of a secret (a TIK, a TEK). */
	if (buf)
		explicit_bzero(buf, size);
	free(buf);
	close(fd);
	return ret;
}

int file_read(const char *path, size_t max, struct blob *out, char *err,
	      size_t errlen)
{
	return read_whole(path, max, false, out, err, errlen);
}

int file_read_private(const char *path, size_t max, struct blob *out, char *err,
		      size_t errlen)
{
	return read_whole(path, max, true, out, err, errlen);
}

int file_peek(const char *path, uint64_t off, void *buf, size_t len, char *err,
	      size_t errlen)
{
	struct stat st;
	ssize_t n;
	int fd = open_checked(path, SIZE_MAX, &st, err, errlen);

	if (fd < 0)
		return fd;
	n = pread(fd, buf, len, (off_t)off);
	close(fd);
	if (n < 0) {
		set_err(err, errlen, "read failed: %s", strerror(errno));
		return -EIO;
	}
	if ((size_t)n != len) {
		set_err(err, errlen, "the file ends before byte %" PRIu64,
			off + len);
		return -ENODATA;
	}
	return 0;
}

int file_open_stream(const char *path, char *err, size_t errlen)
{
	struct stat st;
	int fd, fl;

	/* O_NONBLOCK: a FIFO opens at once, writer or not (fifo(7)). */
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (fd < 0)
		return open_error(path, errno, err, errlen);
	if (fstat(fd, &st) < 0) {
		int e = errno;

		set_err(err, errlen, "cannot stat: %s", strerror(e));
		close(fd);
		return -e;
	}
	if (!S_ISREG(st.st_mode) && !S_ISFIFO(st.st_mode) &&
	    !S_ISCHR(st.st_mode)) {
		set_err(err, errlen, "is %s; give a file, a FIFO or a terminal",
			file_kind(st.st_mode));
		close(fd);
		return S_ISDIR(st.st_mode) ? -EISDIR : -EINVAL;
	}
	/* The reader polls and then reads whatever is there; it sees the
	 * stream as a plain open() would have given it. */
	fl = fcntl(fd, F_GETFL);
	if (fl < 0 || fcntl(fd, F_SETFL, fl & ~O_NONBLOCK) < 0) {
		int e = errno;

		set_err(err, errlen, "fcntl: %s", strerror(e));
		close(fd);
		return -e;
	}
	return fd;
}

/*
 * Copy size bytes of fd into the memfd mfd, in the kernel (sendfile(2): no
 * page of it passes through this process), and check the file did not
 * change meanwhile: no shorter (a copy stopping early), no longer (a byte
 * at size), and the same size and times as st said before.
 */
static int copy_checked(int fd, int mfd, const struct stat *st, char *err,
			size_t errlen)
{
	size_t size = (size_t)st->st_size;
	struct stat now;
	off_t off = 0;
	uint8_t extra;
	ssize_t n;

	while ((size_t)off < size) {
		n = sendfile(mfd, fd, &off, size - (size_t)off);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			int e = errno;

			set_err(err, errlen,
				"copy failed after %jd of %zu bytes: %s",
				(intmax_t)off, size, strerror(e));
			return -e;
		}
		if (n == 0)
			break;
	}
	if ((size_t)off != size) {
		set_err(err, errlen,
			"short read: got %jd of %zu bytes (the file shrank "
			"while it was read: was it being replaced?)",
			(intmax_t)off, size);
		return -EIO;
	}
	if (pread(fd, &extra, 1, (off_t)size) != 0 || fstat(fd, &now) ||
	    now.st_size != st->st_size ||
	    now.st_mtim.tv_sec != st->st_mtim.tv_sec ||
	    now.st_mtim.tv_nsec != st->st_mtim.tv_nsec ||
	    now.st_ctim.tv_sec != st->st_ctim.tv_sec ||
	    now.st_ctim.tv_nsec != st->st_ctim.tv_nsec) {
		set_err(err, errlen,
			"the file changed while it was read (was it being "
			"replaced?)");
		return -EIO;
	}
	return 0;
}

int file_load(const char *path, size_t max, struct blob *out, char *err,
	      size_t errlen)
{
	struct stat st;
	void *p = MAP_FAILED;
	int fd, mfd, ret;

	out->data = NULL;
	out->len = 0;
	out->mapped = false;
	fd = open_checked(path, max, &st, err, errlen);
	if (fd < 0)
		return fd;
	mfd = memfd_create("sevboot-input", MFD_CLOEXEC | MFD_ALLOW_SEALING);
	if (mfd < 0) {
		ret = -errno;
		set_err(err, errlen, "memfd_create: %s", strerror(errno));
		close(fd);
		return ret;
	}
	ret = copy_checked(fd, mfd, &st, err, errlen);
	close(fd);
	/* Sealed: not even sevboot can change or resize the copy
	 * (memfd_create(2), F_ADD_SEALS). */
	if (!ret && fcntl(mfd, F_ADD_SEALS,
			  F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE |
				  F_SEAL_SEAL) < 0) {
		ret = -errno;
		set_err(err, errlen, "cannot seal the copy: %s",
			strerror(errno));
	}
	if (!ret) {
		p = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, mfd,
			 0);
		if (p == MAP_FAILED) {
			ret = -errno;
			set_err(err, errlen, "cannot map %jd bytes: %s",
				(intmax_t)st.st_size, strerror(errno));
		}
	}
	close(mfd); /* the mapping keeps the copy */
	if (ret)
		return ret;
	out->data = p;
	out->len = (size_t)st.st_size;
	out->mapped = true;
	return 0;
}

void blob_release_pages(const uint8_t *p, size_t len)
{
	uintptr_t page = (uintptr_t)sysconf(_SC_PAGESIZE);
	uintptr_t start = (uintptr_t)p & ~(page - 1);
	uintptr_t end = ((uintptr_t)p + len) & ~(page - 1);

	/* Only pages wholly before p + len: the one it ends in may still be
	 * read.  Dropping a private, unwritten page of file_load()'s copy
	 * only forgets it; the next touch reads it from the copy again. */
	if (end > start)
		madvise((void *)start, end - start, MADV_DONTNEED);
}

void blob_free(struct blob *b)
{
	if (!b)
		return;
	if (b->mapped && b->data)
		munmap(b->data, b->len);
	else
		free(b->data);
	b->data = NULL;
	b->len = 0;
	b->mapped = false;
}

/* Shift for a unit letter, or -1 when c is not one. */
static int size_shift(char c)
{
	switch (c) {
	case 'k':
	case 'K':
		return 10;
	case 'm':
	case 'M':
		return 20;
	case 'g':
	case 'G':
		return 30;
	case 't':
	case 'T':
		return 40;
	default:
		return -1;
	}
}

int parse_size(const char *s, uint64_t *out)
{
	uint64_t v = 0;
	const char *p = s;
	int shift = 0;

	if (!s || !out)
		return -EINVAL;

	/*
	 * Digits by hand rather than strtoull(): that one accepts leading
	 * blanks, a sign ("-1" becomes 2^64 - 1) and 0x prefixes, none of
	 * which a size on a command line should mean.
	 */
	if (*p < '0' || *p > '9')
		return -EINVAL;
	for (; *p >= '0' && *p <= '9'; p++) {
		unsigned d = (unsigned)(*p - '0');

		if (v > (UINT64_MAX - d) / 10)
			return -ERANGE;
		v = v * 10 + d;
	}

	if (*p) {
		int sh = size_shift(*p);

		if (sh >= 0) {
			shift = sh;
			p++;
			/* "Mi" only makes sense when followed by "B". */
			if (*p == 'i' || *p == 'I') {
				p++;
				if (*p != 'b' && *p != 'B')
					return -EINVAL;
			}
		}
		if (*p == 'b' || *p == 'B')
			p++;
		if (*p)
			return -EINVAL;
	}

	if (shift && v > (UINT64_MAX >> shift))
		return -ERANGE;
	*out = v << shift;
	return 0;
}

void size_format(uint64_t n, char *buf, size_t len)
{
	static const char units[] = "KMGT";
	int k = -1;

	while (k < 3 && n && n % 1024 == 0) {
		n /= 1024;
		k++;
	}
	if (k < 0)
		snprintf(buf, len, "%llu", (unsigned long long)n);
	else
		snprintf(buf, len, "%llu%c", (unsigned long long)n, units[k]);
}

/* A temporary name next to path: "<dir>/.<base>.<16 hex>.tmp". */
static int temp_name(const char *path, char *tmp, size_t len)
{
	const char *slash = strrchr(path, '/');
	size_t dirlen = slash ? (size_t)(slash - path) + 1 : 0;
	uint8_t rnd[8];
	char hex[17];
	int fd = open("/dev/urandom", O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return -errno;
	if (read(fd, rnd, sizeof(rnd)) != (ssize_t)sizeof(rnd)) {
		close(fd);
		return -EIO;
	}
	close(fd);
	hex_encode(rnd, sizeof(rnd), hex);
	if ((size_t)snprintf(tmp, len, "%.*s.%s.%s.tmp", (int)dirlen, path,
			     path + dirlen, hex) >= len)
		return -ENAMETOOLONG;
	return 0;
}

static int write_all(int fd, const uint8_t *p, size_t len)
{
	while (len) {
		ssize_t n = write(fd, p, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

int file_write_atomic(const char *path, const void *data, size_t len,
		      unsigned mode, bool replace, char *err, size_t errlen)
{
	char tmp[PATH_MAX + 32];
	int fd, ret;

	ret = temp_name(path, tmp, sizeof(tmp));
	if (ret) {
		set_err(err, errlen, "cannot make a temporary name: %s",
			strerror(-ret));
		return ret;
	}
	fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
		  (mode_t)mode);
	if (fd < 0) {
		ret = -errno;
		set_err(err, errlen, "cannot create a file there: %s",
			strerror(-ret));
		return ret;
	}
	ret = write_all(fd, data, len);
	if (!ret && fsync(fd) < 0)
		ret = -errno;
	if (close(fd) < 0 && !ret)
		ret = -errno;
	if (ret) {
		set_err(err, errlen, "cannot write: %s", strerror(-ret));
		unlink(tmp);
		return ret;
	}
	if (replace)
		ret = rename(tmp, path) < 0 ? -errno : 0;
	else
		/* link() never replaces, on every file system. */
		ret = link(tmp, path) < 0 ? -errno : 0;
	if (ret || !replace)
		unlink(tmp);
	if (ret)
		set_err(err, errlen, "%s",
			ret == -EEXIST ? "it exists" : strerror(-ret));
	return ret;
}
