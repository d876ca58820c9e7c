// SPDX-License-Identifier: MIT
/*
 * cli/files.c: the files a command writes (keys, sessions, reports,
 * certificates): each through a fresh temporary file, synced, then
 * renamed to its name only if that name does not exist; a command that
 * fails half-way removes what it wrote (cli_written_undo).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/rand.h>

#include "cli/cli.h"

/* ------------------------------------------------------------ files */

void cli_written_undo(struct cli_written *w)
{
	while (w->n)
		unlink(w->path[--w->n]);
}

/* DIR, made (0700) when it does not exist; its parent must. */
int cli_ensure_dir(const char *cmd, const char *dir)
{
	struct stat st;

	if (mkdir(dir, 0700) == 0)
		return 0;
	if (errno != EEXIST) {
		cli_cmd_error(cmd, "%s: cannot create the directory: %s", dir,
			   strerror(errno));
		return errno == ENOENT || errno == ENOTDIR ? EXIT_USAGE
							   : EXIT_RUNTIME;
	}
	if (stat(dir, &st) < 0 || !S_ISDIR(st.st_mode)) {
		cli_cmd_error(cmd, "%s: exists and is not a directory", dir);
		return EXIT_USAGE;
	}
	return 0;
}

int cli_path_join(const char *cmd, const char *dir, const char *name, char *out,
		  size_t outlen)
{
	if ((size_t)snprintf(out, outlen, "%s/%s", dir, name) >= outlen) {
		cli_cmd_error(cmd, "%s: the path is too long", dir);
		return EXIT_USAGE;
	}
	return 0;
}

/* Refuse before anything is written when a target exists. */
int cli_check_absent(const char *cmd, const char *dir, const char *const *names)
{
	char path[4096];
	struct stat st;
	int ret;

	for (; *names; names++) {
		ret = cli_path_join(cmd, dir, *names, path, sizeof(path));
		if (ret)
			return ret;
		if (lstat(path, &st) == 0) {
			cli_cmd_error(cmd,
				   "%s exists; sevboot does not replace "
				   "it (remove it first)",
				   path);
			return EXIT_USAGE;
		}
	}
	return 0;
}

/*
 * DIR/name with exactly len bytes of data and the given mode: a fresh
 * temporary file in DIR, written, synced, then renamed to name only if
 * name does not exist.  Recorded in w on success.
 */
int cli_write_file(const char *cmd, const char *dir, const char *name,
		   const void *data, size_t len, unsigned mode,
		   struct cli_written *w)
{
	char path[4096], tmp[4096];
	uint8_t rnd[8];
	const uint8_t *p = data;
	size_t off = 0;
	int fd = -1, ret;

	if (w->n == CLI_MAX_FILES)
		return EXIT_RUNTIME;
	ret = cli_path_join(cmd, dir, name, path, sizeof(path));
	if (ret)
		return ret;
	if (RAND_bytes(rnd, sizeof(rnd)) != 1) {
		cli_cmd_error(cmd, "the random number generator failed");
		return EXIT_RUNTIME;
	}
	if ((size_t)snprintf(tmp, sizeof(tmp),
			     "%s/.%s.%02x%02x%02x%02x%02x%02x%02x%02x.tmp", dir,
			     name, rnd[0], rnd[1], rnd[2], rnd[3], rnd[4],
			     rnd[5], rnd[6], rnd[7]) >= sizeof(tmp)) {
		cli_cmd_error(cmd, "%s: the path is too long", dir);
		return EXIT_USAGE;
	}
	fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
		  mode);
	if (fd < 0) {
		cli_cmd_error(cmd, "%s: cannot create a file: %s", dir,
			   strerror(errno));
		return EXIT_RUNTIME;
	}
	while (off < len) {
		ssize_t n = write(fd, p + off, len - off);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			goto io_error;
		off += (size_t)n;
	}
	if (fsync(fd) < 0)
		goto io_error;
	if (close(fd) < 0) {
		fd = -1;
		goto io_error;
	}
	fd = -1;
	if (renameat2(AT_FDCWD, tmp, AT_FDCWD, path, RENAME_NOREPLACE) < 0) {
		int e = errno;

		/* File systems without RENAME_NOREPLACE: link() never
		 * replaces either. */
		if ((e == EINVAL || e == ENOSYS) && link(tmp, path) == 0) {
			unlink(tmp);
		} else {
			if (e == EINVAL || e == ENOSYS)
				e = errno;
			unlink(tmp);
			if (e == EEXIST)
				cli_cmd_error(cmd,
					   "%s exists; sevboot does not "
					   "replace it",
					   path);
			else
				cli_cmd_error(cmd, "%s: %s", path, strerror(e));
			return e == EEXIST ? EXIT_USAGE : EXIT_RUNTIME;
		}
	}
	snprintf(w->path[w->n++], sizeof(w->path[0]), "%s", path);
	return 0;

io_error:
	cli_cmd_error(cmd, "%s: cannot write: %s", path, strerror(errno));
	if (fd >= 0)
		close(fd);
	unlink(tmp);
	return EXIT_RUNTIME;
}
