/* SPDX-License-Identifier: MIT */
/*
 * The guest owner's stop, sevboot's side (cli/owner.c), and the guest
 * owner's own tools (cli/owner_tool.c).  The protocols are in
 * doc/owner-protocol.md; the messages and the cryptography in sev/owner.h.
 */
#ifndef SEVBOOT_CLI_OWNER_H
#define SEVBOOT_CLI_OWNER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sev/sev.h"

#define OWNER_TIMEOUT_DEFAULT 600 /* seconds */

struct owner_opts {
	/* Exactly one of the two: */
	const char *cmd;	 /* --owner-cmd CMD: run with /bin/sh -c */
	const char *socket_path; /* --owner-socket PATH: listen there */
	unsigned timeout_s;  /* the whole exchange; 0: OWNER_TIMEOUT_DEFAULT */
	const char *version; /* sevboot's, for the socket greeting; NULL ok */
};

/*
 * Ask the guest owner: hand over req, wait at most timeout_s for the
 * answer, and put it in rep (which must not hold a secret; free it with
 * sev_owner_reply_free).  rep->inject false means "no secret": the launch
 * goes on to LAUNCH_FINISH.  A secret in rep has passed
 * sev_owner_reply_check() against req.
 *
 * --owner-cmd: /bin/sh -c CMD runs with req's JSON and a newline on its
 * stdin, all signals at their defaults and no other file descriptor but
 * stderr (sevboot's own); its stdout, at most SEV_OWNER_MSG_MAX bytes, is
 * the reply.  On timeout the shell (or the command, when the shell execs
 * it) is killed with SIGKILL; the child is always reaped.
 *
 * --owner-socket: a unix socket at PATH, mode 0600 (an existing socket
 * nobody listens on is replaced; anything else at PATH is refused), one
 * line on stderr saying sevboot waits there, one client, the QMP-like
 * protocol, and PATH unlinked afterwards.
 *
 * Returns 0, or (err holds one sentence, without "sevboot: "):
 *   -EINVAL        bad opts (none or both of cmd and socket, empty)
 *   -ENAMETOOLONG, -EEXIST, -EADDRINUSE
 *                  PATH is too long, is not a socket, is in use
 *   -ETIMEDOUT     no complete answer within timeout_s
 *   -EBADMSG       the answer is malformed or unusable for req
 *   -ECANCELED     the owner refused: CMD failed (non-zero exit, killed),
 *                  or the socket client left without "cont"
 *   other -errno   a local failure (memory, fork, socket calls)
 * owner_exit_code() maps these to sevboot's exit codes.
 */
int owner_exchange(const struct owner_opts *o,
		   const struct sev_owner_request *req,
		   struct sev_owner_reply *rep, char *err, size_t errlen);

/* -EINVAL, -ENAMETOOLONG, -EEXIST, -EADDRINUSE: EXIT_USAGE;
 * -ETIMEDOUT: EXIT_TIMEOUT; -EBADMSG: EXIT_BAD_INPUT; -ECANCELED:
 * EXIT_SEV; anything else: EXIT_RUNTIME.  0 for 0. */
int owner_exit_code(int ret);

/* -------------------------------------------- line transport (shared) */

/* Milliseconds on CLOCK_MONOTONIC. */
int64_t owner_now_ms(void);

/* Lines of at most SEV_OWNER_MSG_MAX bytes from a non-blocking fd. */
struct owner_reader {
	int fd;
	char *buf; /* SEV_OWNER_MSG_MAX + 1, malloc'ed by owner_reader_init */
	size_t len, consumed;
	bool discard; /* skipping the rest of an over-long line */
};

int owner_reader_init(struct owner_reader *r, int fd);
void owner_reader_free(struct owner_reader *r);
/*
 * The next non-empty line (without its newline, NUL-terminated, valid
 * until the next call) by deadline (owner_now_ms() time).  0; -E2BIG for
 * a line longer than SEV_OWNER_MSG_MAX (skipped); -ETIMEDOUT; -ECONNRESET
 * at the end of the stream (a last line without newline is dropped); or
 * the -errno of poll/read.
 */
int owner_read_line(struct owner_reader *r, int64_t deadline, char **line,
		    size_t *len);
/* text and a newline, by deadline, without SIGPIPE.  0, -ETIMEDOUT, -EPIPE
 * (the peer is gone), or another -errno. */
int owner_send_line(int fd, const char *text, int64_t deadline);

/* ----------------------------------------------- the guest owner's tools */

/*
 * sevboot model-keys DIR
 * sevboot session --pdh FILE --policy P --out DIR
 * sevboot owner --session DIR --digest HEX [--secret GUID=FILE ...]
 *               [--policy P] [--connect SOCKET] [--timeout S]
 * argv[0] is the sub-command's name.  They return the process exit code;
 * errors are one line on stderr, "sevboot: <command>: ...".
 */
int cmd_model_keys(int argc, char **argv);
int cmd_session(int argc, char **argv);
int cmd_owner(int argc, char **argv);

#endif
