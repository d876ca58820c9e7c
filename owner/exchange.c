// SPDX-License-Identifier: MIT
/*
 * The guest owner's stop, sevboot's side: between LAUNCH_MEASURE and
 * LAUNCH_FINISH, hand the measurement to the owner, through a command
 * (--owner-cmd) or a unix socket (--owner-socket), and wait, with one
 * deadline for the whole exchange, for the LAUNCH_SECRET packet or "no
 * secret".
 *
 * Everything that comes back is untrusted input: bounded in size, parsed
 * strictly (sev/owner.c), checked against the launch; a failure is one
 * sentence, the child is always reaped and the socket always unlinked.
 * One thread, poll() for every wait, no signal handlers.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "util/util.h"
#include "owner/owner.h"
#include "sev/sev.h"

extern char **environ;

#define CMD_SHOWN 60 /* characters of --owner-cmd named in errors */
#define KILL_GRACE_MS 500 /* SIGTERM to SIGKILL, for the command's group */

int64_t owner_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* poll()'s timeout until deadline: 0 when it has passed. */
static int ms_left(int64_t deadline)
{
	int64_t left = deadline - owner_now_ms();

	if (left <= 0)
		return 0;
	return left > INT32_MAX ? INT32_MAX : (int)left;
}

static int set_nonblock(int fd)
{
	int fl = fcntl(fd, F_GETFL);

	if (fl < 0 || fcntl(fd, F_SETFL, fl | O_NONBLOCK) < 0)
		return -errno;
	return 0;
}

/*
 * Wait for events on fd until deadline, or until cancel (a signalfd, when
 * above 0) is readable: 1 when fd is ready, -ETIMEDOUT, -EINTR for the
 * cancel (nothing is read from it: the signal stays pending for the
 * caller), or another -errno.
 */
static int wait_fd(int fd, short events, int64_t deadline, int cancel)
{
	for (;;) {
		struct pollfd p[2] = { { .fd = fd, .events = events },
				       { .fd = cancel, .events = POLLIN } };
		int pr = poll(p, cancel > 0 ? 2 : 1, ms_left(deadline));

		if (pr < 0 && errno == EINTR)
			continue;
		if (pr < 0)
			return -errno;
		if (pr == 0)
			return -ETIMEDOUT;
		if (cancel > 0 && p[1].revents)
			return -EINTR;
		return 1;
	}
}

/* ------------------------------------------------------ line transport */

/*
 * A buffer that grows as a message does, from BUF_FIRST to SEV_OWNER_MSG_MAX
 * + 1 bytes: most messages are short, and a 64 KiB allocation for each
 * would cost more than the message (the owner's tools, fuzz_transport).
 * 0, or -ENOMEM (*buf is kept).
 */
#define BUF_FIRST 4096

static int buf_grow(char **buf, size_t *cap)
{
	size_t want = *cap * 2 > SEV_OWNER_MSG_MAX + 1 ? SEV_OWNER_MSG_MAX + 1
						       : *cap * 2;
	char *p = realloc(*buf, want);

	if (!p)
		return -ENOMEM;
	*buf = p;
	*cap = want;
	return 0;
}

int owner_reader_init(struct owner_reader *r, int fd)
{
	*r = (struct owner_reader){.fd = fd, .cap = BUF_FIRST};
	r->buf = malloc(r->cap);
	return r->buf ? 0 : -ENOMEM;
}

void owner_reader_free(struct owner_reader *r)
{
	free(r->buf);
	r->buf = NULL;
	r->len = r->consumed = r->cap = 0;
}

int owner_read_line(struct owner_reader *r, int64_t deadline, char **line,
		    size_t *len)
{
	size_t scanned;

	if (r->consumed) {
		memmove(r->buf, r->buf + r->consumed, r->len - r->consumed);
		r->len -= r->consumed;
		r->consumed = 0;
	}
	scanned = 0;
	for (;;) {
		char *nl = memchr(r->buf + scanned, '\n', r->len - scanned);
		ssize_t n;
		int pr;

		if (nl) {
			size_t n_line = (size_t)(nl - r->buf);
			bool blank = true;

			r->consumed = n_line + 1;
			if (r->discard) {
				r->discard = false;
				return -E2BIG;
			}
			for (size_t k = 0; k < n_line; k++)
				if (r->buf[k] != ' ' && r->buf[k] != '\t' &&
				    r->buf[k] != '\r')
					blank = false;
			if (blank) {
				memmove(r->buf, r->buf + r->consumed,
					r->len - r->consumed);
				r->len -= r->consumed;
				r->consumed = 0;
				scanned = 0;
				continue;
			}
			*nl = '\0';
			*line = r->buf;
			*len = n_line;
			return 0;
		}
		scanned = r->len;
		if (r->len == SEV_OWNER_MSG_MAX + 1) {
			/* Too long: forget it up to its newline. */
			r->discard = true;
			r->len = 0;
			scanned = 0;
		}
		if (r->len == r->cap && buf_grow(&r->buf, &r->cap))
			return -ENOMEM;
		pr = wait_fd(r->fd, POLLIN, deadline, r->cancel_fd);
		if (pr < 0)
			return pr;
		n = read(r->fd, r->buf + r->len, r->cap - r->len);
		if (n < 0) {
			if (errno == EINTR || errno == EAGAIN)
				continue;
			if (errno == ECONNRESET)
				return -ECONNRESET;
			return -errno;
		}
		if (n == 0)
			return -ECONNRESET;
		r->len += (size_t)n;
	}
}

int owner_send_line(int fd, const char *text, int64_t deadline)
{
	size_t n = strlen(text), off = 0;
	bool nl_sent = false;

	while (!nl_sent) {
		struct pollfd pfd = {.fd = fd, .events = POLLOUT};
		const char *p = off < n ? text + off : "\n";
		size_t len = off < n ? n - off : 1;
		ssize_t w;
		int pr;

		w = send(fd, p, len, MSG_NOSIGNAL | MSG_DONTWAIT);
		if (w > 0) {
			if (off < n)
				off += (size_t)w;
			else
				nl_sent = true;
			continue;
		}
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0 && errno != EAGAIN && errno != EWOULDBLOCK)
			return errno == ECONNRESET ? -EPIPE : -errno;
		pr = poll(&pfd, 1, ms_left(deadline));
		if (pr < 0 && errno != EINTR)
			return -errno;
		if (pr == 0)
			return -ETIMEDOUT;
	}
	return 0;
}

/* ------------------------------------------------------- --owner-cmd */

/* The command as errors name it: at most CMD_SHOWN characters. */
static void cmd_shown(const char *cmd, char *out, size_t outlen)
{
	size_t n = strlen(cmd);

	if (n <= CMD_SHOWN)
		snprintf(out, outlen, "'%s'", cmd);
	else
		snprintf(out, outlen, "'%.*s...'", CMD_SHOWN, cmd);
}

/* What a child's wait status says, for "the owner command ... %s". */
static void describe_status(int status, char *out, size_t outlen)
{
	if (WIFEXITED(status))
		snprintf(out, outlen, "failed with exit status %d",
			 WEXITSTATUS(status));
	else if (WIFSIGNALED(status))
		snprintf(out, outlen, "was killed by signal %d (%s)",
			 WTERMSIG(status), strsignal(WTERMSIG(status)));
	else
		snprintf(out, outlen, "stopped with wait status 0x%x", status);
}

static int spawn_shell(const char *cmd, int stdin_fd, int stdout_fd, pid_t *pid)
{
	char *const argv[] = {"sh", "-c", (char *)cmd, NULL};
	posix_spawn_file_actions_t fa;
	posix_spawnattr_t attr;
	sigset_t none, all;
	int ret;

	if (posix_spawn_file_actions_init(&fa))
		return -ENOMEM;
	if (posix_spawnattr_init(&attr)) {
		posix_spawn_file_actions_destroy(&fa);
		return -ENOMEM;
	}
	sigemptyset(&none);
	sigfillset(&all);
	/* The owner's command gets a clean slate: sevboot ignores SIGPIPE
	 * and its machine blocks signals; neither may leak into a shell. */
	ret = posix_spawn_file_actions_adddup2(&fa, stdin_fd, 0);
	if (!ret)
		ret = posix_spawn_file_actions_adddup2(&fa, stdout_fd, 1);
#if defined(__GLIBC__) && (__GLIBC__ > 2 || __GLIBC_MINOR__ >= 34)
	/* No VM, /dev/sev or other descriptor of sevboot's goes along. */
	if (!ret)
		ret = posix_spawn_file_actions_addclosefrom_np(&fa, 3);
#endif
	if (!ret)
		ret = posix_spawnattr_setsigmask(&attr, &none);
	if (!ret)
		ret = posix_spawnattr_setsigdefault(&attr, &all);
	/* Its own process group (setpgid(0, 0) in the child before exec,
	 * POSIX posix_spawn()), so that stopping it reaches everything it
	 * started: child_stop() signals the group. */
	if (!ret)
		ret = posix_spawnattr_setpgroup(&attr, 0);
	if (!ret)
		ret = posix_spawnattr_setflags(
			&attr, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF |
				       POSIX_SPAWN_SETPGROUP);
	if (!ret)
		ret = posix_spawn(pid, "/bin/sh", &fa, &attr, argv, environ);
	posix_spawnattr_destroy(&attr);
	posix_spawn_file_actions_destroy(&fa);
	return -ret;
}

/* The owner command while it runs: its stdin (a socket, so writing never
 * raises SIGPIPE), its stdout, and the process. */
struct child {
	int in, out, pidfd;
	pid_t pid;    /* -1 once reaped */
	int status;   /* its wait status, once reaped */
	char *msg;    /* the request and a newline */
	size_t msg_len, msg_off;
	char *buf;    /* what it wrote, up to SEV_OWNER_MSG_MAX + 1 */
	size_t got, cap;
	bool reading; /* its stdout is open */
	int cancel_fd; /* the owner_opts' */
	char shown[CMD_SHOWN + 8];
};

/*
 * Has the process group pg a member that is not a zombie?  1 yes, 0 no,
 * -1 cannot tell (no /proc).  kill(-pg, 0) cannot answer that: it counts
 * zombies too, the unreaped shell and the orphans init has yet to reap.
 */
static int group_live(pid_t pg)
{
	DIR *d = opendir("/proc");
	struct dirent *e;
	int live = 0;

	if (!d)
		return -1;
	while (!live && (e = readdir(d))) {
		char path[300], buf[512], *p, state;
		int pgrp, fd;
		ssize_t n;

		if (e->d_name[0] < '1' || e->d_name[0] > '9')
			continue;
		snprintf(path, sizeof(path), "/proc/%s/stat", e->d_name);
		fd = open(path, O_RDONLY | O_CLOEXEC);
		if (fd < 0)
			continue;
		n = read(fd, buf, sizeof(buf) - 1);
		close(fd);
		if (n <= 0)
			continue;
		buf[n] = '\0';
		/* "pid (comm) state ppid pgrp ...", comm may hold ')'
		 * (fs/proc/array.c, do_task_stat()). */
		p = strrchr(buf, ')');
		if (p && sscanf(p + 1, " %c %*d %d", &state, &pgrp) == 2 &&
		    pgrp == pg && state != 'Z' && state != 'X')
			live = 1;
	}
	closedir(d);
	return live;
}

/* Wait at most ms for the group pg to have no live member. */
static bool group_wait(pid_t pg, int ms)
{
	int64_t until = owner_now_ms() + ms;

	while (group_live(pg) != 0) {
		if (owner_now_ms() >= until)
			return false;
		poll(NULL, 0, 10);
	}
	return true;
}

/*
 * Stop a command that is still running, and everything in its process
 * group (the shell's pid is the group's id): SIGTERM (and SIGCONT, for
 * members stopped by job control), then SIGKILL after KILL_GRACE_MS unless
 * every member is dead by then, and again at most KILL_GRACE_MS for the
 * killed to die (a signal takes effect when its target next runs).  The
 * shell is reaped last: until then its pid, the group's id, cannot be
 * reused, so no signal can reach another group.
 */
static void child_stop(struct child *c)
{
	int status;

	if (c->pid <= 0)
		return;
	kill(-c->pid, SIGTERM);
	kill(-c->pid, SIGCONT);
	if (!group_wait(c->pid, KILL_GRACE_MS)) {
		kill(-c->pid, SIGKILL);
		group_wait(c->pid, KILL_GRACE_MS);
	}
	while (waitpid(c->pid, &status, 0) < 0 && errno == EINTR)
		;
	c->pid = -1;
}

static void child_end(struct child *c)
{
	child_stop(c);
	if (c->pidfd >= 0)
		close(c->pidfd);
	if (c->in >= 0)
		close(c->in);
	if (c->out >= 0)
		close(c->out);
	free(c->msg);
	free(c->buf);
}

/* The request and the reply buffer; the command is not started yet. */
static int child_init(struct child *c, const char *cmd, const char *request,
		      char *err, size_t errlen)
{
	*c = (struct child){ .in = -1, .out = -1, .pidfd = -1, .pid = -1,
			     .reading = true };
	cmd_shown(cmd, c->shown, sizeof(c->shown));
	c->msg_len = strlen(request) + 1;
	c->msg = malloc(c->msg_len + 1);
	c->cap = BUF_FIRST;
	c->buf = malloc(c->cap);
	if (!c->msg || !c->buf) {
		set_err(err, errlen, "out of memory");
		return -ENOMEM;
	}
	snprintf(c->msg, c->msg_len + 1, "%s\n", request);
	return 0;
}

/* Start /bin/sh -c cmd: its stdin a socket, its stdout a pipe. */
static int child_spawn(const char *cmd, const char *shown,
		       struct owner_cmd_ends *e, char *err, size_t errlen)
{
	int sp[2] = {-1, -1}, out[2] = {-1, -1}, ret;

	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sp) < 0 ||
	    pipe2(out, O_CLOEXEC) < 0) {
		ret = -errno;
		set_err(err, errlen, "cannot make pipes for the owner command: %s",
			strerror(errno));
		goto fail;
	}
	ret = spawn_shell(cmd, sp[1], out[1], &e->pid);
	if (ret) {
		e->pid = -1;
		set_err(err, errlen, "cannot run the owner command %s: %s",
			shown, strerror(-ret));
		goto fail;
	}
	close(sp[1]);
	close(out[1]);
	e->in = sp[0];
	e->out = out[0];
	e->pidfd = (int)syscall(SYS_pidfd_open, e->pid, 0);
	return 0;
fail:
	for (int k = 0; k < 2; k++) {
		if (sp[k] >= 0)
			close(sp[k]);
		if (out[k] >= 0)
			close(out[k]);
	}
	return ret;
}

/* Hand it more of the request.  A command that does not read its stdin
 * may still answer; its reply decides. */
static void child_write(struct child *c)
{
	ssize_t w = send(c->in, c->msg + c->msg_off, c->msg_len - c->msg_off,
			 MSG_NOSIGNAL | MSG_DONTWAIT);

	if (w > 0)
		c->msg_off += (size_t)w;
	if ((w < 0 && errno != EAGAIN && errno != EINTR) ||
	    c->msg_off == c->msg_len) {
		close(c->in);
		c->in = -1;
	}
}

/* Read what it wrote; drain is after its exit: what it wrote before is in
 * the pipe, and a process it left behind does not hold us up. */
static int child_read(struct child *c, bool drain, char *err, size_t errlen)
{
	do {
		ssize_t n;

		if (c->got == c->cap && buf_grow(&c->buf, &c->cap)) {
			set_err(err, errlen, "out of memory");
			return -ENOMEM;
		}
		n = read(c->out, c->buf + c->got, c->cap - c->got);
		if (n < 0 && !drain && errno != EAGAIN && errno != EINTR) {
			int ret = -errno;

			set_err(err, errlen,
				"cannot read the owner command's output: %s",
				strerror(-ret));
			return ret;
		}
		if (n <= 0) {
			c->reading = c->reading && n < 0 && !drain;
			break;
		}
		c->got += (size_t)n;
	} while (drain && c->got <= SEV_OWNER_MSG_MAX);
	if (drain)
		c->reading = false;
	if (c->got > SEV_OWNER_MSG_MAX) {
		set_err(err, errlen,
			"the owner command %s wrote more than %d bytes; it was "
			"stopped",
			c->shown, SEV_OWNER_MSG_MAX);
		return -EBADMSG; /* child_end() stops and reaps it */
	}
	return 0;
}

/* Has it exited?  Reaps it when it has. */
static int child_reap(struct child *c, char *err, size_t errlen)
{
	pid_t w = waitpid(c->pid, &c->status, WNOHANG);

	if (w < 0 && errno != EINTR) {
		int ret = -errno;

		set_err(err, errlen, "waitpid: %s", strerror(-ret));
		return ret;
	}
	if (w == c->pid)
		c->pid = -1;
	return 0;
}

/* One wait for whatever comes first; -ETIMEDOUT at the deadline. */
static int child_step(struct child *c, int64_t deadline, char *err,
		      size_t errlen)
{
	struct pollfd pfd[4];
	int n = 0, i_in = -1, i_out = -1, i_pid = -1, i_cancel = -1, tmo;
	int ret = 0;
	bool running = c->pid > 0;

	if (c->in >= 0) {
		i_in = n;
		pfd[n++] = (struct pollfd){ c->in, POLLOUT, 0 };
	}
	if (c->reading) {
		i_out = n;
		pfd[n++] = (struct pollfd){ c->out, POLLIN, 0 };
	}
	if (running && c->pidfd >= 0) {
		i_pid = n;
		pfd[n++] = (struct pollfd){ c->pidfd, POLLIN, 0 };
	}
	if (c->cancel_fd > 0) {
		i_cancel = n;
		pfd[n++] = (struct pollfd){ c->cancel_fd, POLLIN, 0 };
	}
	tmo = ms_left(deadline);
	if (tmo == 0)
		return -ETIMEDOUT;
	/* Without a pidfd (old kernels, valgrind), look at the child every
	 * 100 ms. */
	if (running && c->pidfd < 0 && tmo > 100)
		tmo = 100;
	if (poll(pfd, (nfds_t)n, tmo) < 0) {
		ret = -errno;
		if (ret == -EINTR)
			return 0;
		set_err(err, errlen, "poll: %s", strerror(-ret));
		return ret;
	}
	if (i_cancel >= 0 && pfd[i_cancel].revents) {
		set_err(err, errlen,
			"stopped by a signal while the owner command %s ran; "
			"it was killed",
			c->shown);
		return -EINTR; /* child_end() stops and reaps it */
	}
	if (i_in >= 0 && pfd[i_in].revents)
		child_write(c);
	if (i_out >= 0 && pfd[i_out].revents)
		ret = child_read(c, false, err, errlen);
	if (!ret && running &&
	    (c->pidfd < 0 || (i_pid >= 0 && pfd[i_pid].revents)))
		ret = child_reap(c, err, errlen);
	if (!ret && c->pid < 0 && c->reading)
		ret = child_read(c, true, err, errlen);
	return ret;
}

/* The command has exited: its status and its reply decide. */
static int child_answer(struct child *c, const struct sev_owner_request *req,
			struct sev_owner_reply *rep, char *err, size_t errlen)
{
	char why[256] = "";
	int ret;

	if (!WIFEXITED(c->status) || WEXITSTATUS(c->status) != 0) {
		describe_status(c->status, why, sizeof(why));
		set_err(err, errlen, "the owner command %s %s", c->shown, why);
		return -ECANCELED;
	}
	if (c->got == 0) {
		set_err(err, errlen,
			"the owner command %s wrote no reply on its stdout",
			c->shown);
		return -EBADMSG;
	}
	ret = sev_owner_reply_parse(c->buf, c->got, rep, why, sizeof(why));
	if (ret == -ENOMEM) {
		set_err(err, errlen, "out of memory");
		return ret;
	}
	if (!ret && sev_owner_reply_check(req, rep, why, sizeof(why))) {
		sev_owner_reply_free(rep);
		ret = -EBADMSG;
	}
	if (ret) {
		set_err(err, errlen, "the owner command %s: %s", c->shown, why);
		return -EBADMSG;
	}
	return 0;
}

/*
 * The exchange with a started command, c holding its ends: the request to
 * its stdin, its stdout until it has exited, its answer.  c is ended
 * (stopped, reaped, closed) by the caller.
 */
static int child_talk(struct child *c, const struct owner_opts *o,
		      const struct sev_owner_request *req,
		      struct sev_owner_reply *rep, int64_t deadline, char *err,
		      size_t errlen)
{
	int ret = 0;

	c->cancel_fd = o->cancel_fd;
	if (set_nonblock(c->in) || set_nonblock(c->out)) {
		ret = -errno;
		set_err(err, errlen, "cannot talk to the owner command: %s",
			strerror(errno));
		return ret;
	}
	while (!ret && (c->reading || c->pid > 0))
		ret = child_step(c, deadline, err, errlen);
	if (ret == -ETIMEDOUT)
		set_err(err, errlen,
			"the owner command %s did not answer within %u s; it "
			"was killed",
			c->shown,
			o->timeout_s ? o->timeout_s : OWNER_TIMEOUT_DEFAULT);
	if (!ret)
		ret = child_answer(c, req, rep, err, errlen);
	return ret;
}

/* The request as the command gets it: req's JSON (a newline is added). */
static int cmd_request(const struct sev_owner_request *req, char **request,
		       char *err, size_t errlen)
{
	int ret = sev_owner_request_encode(req, request);

	if (ret)
		set_err(err, errlen, "cannot encode the owner request: %s",
			strerror(-ret));
	return ret;
}

/* Take over e: the command's fds and process are c's from here on. */
static void child_adopt(struct child *c, struct owner_cmd_ends *e)
{
	c->in = e->in;
	c->out = e->out;
	c->pid = e->pid;
	c->pidfd = e->pidfd;
	c->status = e->status;
	*e = (struct owner_cmd_ends){ .in = -1, .out = -1, .pid = -1,
				      .pidfd = -1 };
}

/*
 * --owner-cmd: the command given (its ends in given, which are taken over
 * whatever happens) or, given NULL, /bin/sh -c o->cmd started here.
 */
static int exchange_cmd(const struct owner_opts *o,
			struct owner_cmd_ends *given,
			const struct sev_owner_request *req,
			struct sev_owner_reply *rep, int64_t deadline,
			char *err, size_t errlen)
{
	struct owner_cmd_ends spawned = { .in = -1, .out = -1, .pid = -1,
					  .pidfd = -1 };
	struct child c = { .in = -1, .out = -1, .pidfd = -1, .pid = -1 };
	char *request = NULL;
	int ret;

	ret = cmd_request(req, &request, err, errlen);
	if (!ret)
		ret = child_init(&c, o->cmd, request, err, errlen);
	free(request);
	if (!ret && !given)
		ret = child_spawn(o->cmd, c.shown, &spawned, err, errlen);
	child_adopt(&c, given ? given : &spawned);
	if (!ret)
		ret = child_talk(&c, o, req, rep, deadline, err, errlen);
	child_end(&c);
	return ret;
}

/* ---------------------------------------------------- --owner-socket */

struct listener {
	const char *path;
	int fd;
	bool bound; /* path is ours to unlink (while dev/ino still match) */
	dev_t dev;
	ino_t ino;
};

static void listener_unlink(struct listener *l)
{
	struct stat st;

	if (!l->bound)
		return;
	l->bound = false;
	/* Only the socket we made: someone may have replaced it. */
	if (lstat(l->path, &st) == 0 && S_ISSOCK(st.st_mode) &&
	    st.st_dev == l->dev && st.st_ino == l->ino)
		unlink(l->path);
}

/*
 * A socket at the path: one someone listens on is in use (-EADDRINUSE);
 * one nobody listens on is left over from an earlier run and removed.
 * Anything else there is never replaced (-EEXIST).
 */
static int listener_clear_stale(struct listener *l,
				const struct sockaddr_un *sa, char *err,
				size_t errlen)
{
	struct stat st;
	int probe, ret;

	if (lstat(l->path, &st) < 0) {
		if (errno == ENOENT)
			return 0;
		ret = -errno;
		set_err(err, errlen, "--owner-socket %s: %s", l->path,
			strerror(errno));
		return ret;
	}
	if (!S_ISSOCK(st.st_mode)) {
		set_err(err, errlen,
			"--owner-socket %s: the file exists and is not a "
			"socket; sevboot does not replace it",
			l->path);
		return -EEXIST;
	}
	probe = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (probe < 0) {
		ret = -errno;
		set_err(err, errlen, "socket: %s", strerror(errno));
		return ret;
	}
	ret = connect(probe, (const struct sockaddr *)sa, sizeof(*sa));
	close(probe);
	if (ret == 0) {
		set_err(err, errlen,
			"--owner-socket %s: another program is listening "
			"there",
			l->path);
		return -EADDRINUSE;
	}
	if (unlink(l->path) < 0 && errno != ENOENT) {
		ret = -errno;
		set_err(err, errlen,
			"--owner-socket %s: cannot remove the old socket: %s",
			l->path, strerror(errno));
		return ret;
	}
	return 0;
}

/*
 * After bind(): the name must be a socket of mode 0600.  Nothing is changed
 * by name here: a chmod() of the path would follow a symlink that another
 * user of the directory swapped in after bind(), and make a file of their
 * choice 0600.  The mode is right from bind() itself (see listener_open()).
 */
static int listener_check_bound(struct listener *l, char *err, size_t errlen)
{
	struct stat st;
	int ret;

	if (lstat(l->path, &st) < 0) {
		ret = -errno;
		set_err(err, errlen,
			"--owner-socket %s: gone right after bind: %s "
			"(does another program use this directory?)",
			l->path, strerror(errno));
		return ret;
	}
	if (!S_ISSOCK(st.st_mode)) {
		set_err(err, errlen,
			"--owner-socket %s: replaced by something that is not "
			"a socket right after bind (does another program use "
			"this directory?); sevboot does not touch it",
			l->path);
		return -EEXIST;
	}
	l->bound = true;
	l->dev = st.st_dev;
	l->ino = st.st_ino;
	if ((st.st_mode & 0777) != 0600) {
		set_err(err, errlen,
			"--owner-socket %s: the socket was created with mode "
			"%04o, not 0600",
			l->path, (unsigned)(st.st_mode & 0777));
		return -EPERM;
	}
	return 0;
}

static int listener_open(struct listener *l, char *err, size_t errlen)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	size_t n = strlen(l->path);
	int ret;

	if (n == 0 || n >= sizeof(sa.sun_path)) {
		set_err(err, errlen,
			"--owner-socket: the path is %zu bytes; a unix socket "
			"path must have 1 to %zu",
			n, sizeof(sa.sun_path) - 1);
		return n ? -ENAMETOOLONG : -EINVAL;
	}
	memcpy(sa.sun_path, l->path, n);
	ret = listener_clear_stale(l, &sa, err, errlen);
	if (ret)
		return ret;

	l->fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (l->fd < 0) {
		ret = -errno;
		set_err(err, errlen, "socket: %s", strerror(errno));
		return ret;
	}
	/*
	 * bind() creates the file with the socket inode's mode less the
	 * umask (net/unix/af_unix.c, unix_bind_bsd()), and fchmod() on the
	 * socket sets that inode's mode: the file is 0600 from its first
	 * instant, whatever the umask, and nothing is chmod'ed by name.
	 */
	if (fchmod(l->fd, 0600) < 0) {
		ret = -errno;
		set_err(err, errlen,
			"--owner-socket %s: cannot make the socket 0600: %s",
			l->path, strerror(errno));
		return ret;
	}
	if (bind(l->fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		ret = -errno;
		if (ret == -EADDRINUSE) {
			/* bind() never follows or replaces what is there. */
			set_err(err, errlen,
				"--owner-socket %s: something appeared at the "
				"path just before bind (does another program "
				"use this directory?); sevboot does not "
				"replace it",
				l->path);
			return -EEXIST;
		}
		set_err(err, errlen, "--owner-socket %s: %s", l->path,
			strerror(errno));
		return ret;
	}
	ret = listener_check_bound(l, err, errlen);
	if (ret)
		return ret;
	if (listen(l->fd, 1) < 0) {
		ret = -errno;
		set_err(err, errlen, "--owner-socket %s: listen: %s", l->path,
			strerror(errno));
		return ret;
	}
	return 0;
}

static int accept_one(struct listener *l, int64_t deadline, int cancel,
		      int *cfd)
{
	for (;;) {
		int pr = wait_fd(l->fd, POLLIN, deadline, cancel);

		if (pr < 0)
			return pr;
		*cfd = accept4(l->fd, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK);
		if (*cfd >= 0)
			return 0;
		if (errno != EAGAIN && errno != EINTR && errno != ECONNABORTED)
			return -errno;
	}
}

/* Send one answer; -EPIPE and friends when the client is gone. */
static int send_answer(int fd, char *text, int64_t deadline)
{
	int ret;

	if (!text)
		return -ENOMEM;
	ret = owner_send_line(fd, text, deadline);
	free(text);
	return ret;
}

static int send_error(int fd, const char *tag, const char *desc,
		      int64_t deadline)
{
	char *text;
	int ret = sev_owner_answer_error(tag, desc, &text);

	return ret ? ret : send_answer(fd, text, deadline);
}


/* query-sev-attestation-report / query-snp-attestation-report: the
 * launch's report through o->attest, or an error answer saying why not. */
static int answer_attest(int fd, const struct owner_opts *o,
			 const struct sev_owner_cmd *c, int64_t deadline)
{
	uint8_t report[SNP_REPORT_LEN];
	char why[512] = "", *text;
	size_t len = 0;
	int ret;

	if (!o->attest)
		return send_error(fd, c->tag,
				  "this launch offers no attestation report",
				  deadline);
	ret = o->attest(o->attest_ctx, c, report, &len, why, sizeof(why));
	if (ret == -ENOMEM)
		return ret;
	if (ret || !len || len > sizeof(report))
		return send_error(fd, c->tag,
				  why[0] ? why : "no report", deadline);
	ret = sev_owner_answer_report(c, report, len, &text);
	return ret ? ret : send_answer(fd, text, deadline);
}

/* Why a session with the owner's client ended without "cont". */
static int client_gone(const struct owner_opts *o, int ret, char *err,
		       size_t errlen)
{
	if (ret == -EPIPE || ret == -ECONNRESET) {
		set_err(err, errlen,
			"the guest owner disconnected from %s without \"cont\"",
			o->socket_path);
		return -ECANCELED;
	}
	if (ret == -EINTR)
		set_err(err, errlen,
			"stopped by a signal while the guest owner on %s was "
			"connected",
			o->socket_path);
	else if (ret == -ETIMEDOUT)
		set_err(err, errlen,
			"the guest owner on %s did not send \"cont\" within %u s",
			o->socket_path,
			o->timeout_s ? o->timeout_s : OWNER_TIMEOUT_DEFAULT);
	else
		set_err(err, errlen, "the owner socket %s: %s", o->socket_path,
			strerror(-ret));
	return ret;
}

/*
 * One client's session: commands until "cont".  0 after cont, or -errno
 * with err (-ECONNRESET: the client left; -ETIMEDOUT).
 */
static int serve_client(int cfd, const struct owner_opts *o,
			const struct sev_owner_request *req,
			struct sev_owner_reply *rep, int64_t deadline,
			char *err, size_t errlen)
{
	struct owner_reader rd;
	char *text, why[512];
	int ret;

	ret = owner_reader_init(&rd, cfd);
	if (ret) {
		set_err(err, errlen, "out of memory");
		return ret;
	}
	rd.cancel_fd = o->cancel_fd;
	ret = sev_owner_greeting(o->version, &text);
	if (!ret)
		ret = send_answer(cfd, text, deadline);
	while (!ret) {
		struct sev_owner_cmd c;
		char *line;
		size_t len;

		ret = owner_read_line(&rd, deadline, &line, &len);
		if (ret == -E2BIG) {
			snprintf(why, sizeof(why),
				 "the command is longer than %d bytes",
				 SEV_OWNER_MSG_MAX);
			ret = send_error(cfd, NULL, why, deadline);
			if (ret)
				break;
			continue;
		}
		if (ret)
			break;
		why[0] = '\0';
		ret = sev_owner_cmd_parse(line, len, &c, why, sizeof(why));
		if (ret == -ENOMEM)
			break;
		if (ret) {
			ret = send_error(cfd, c.tag, why, deadline);
			if (ret)
				break;
			continue;
		}
		if (c.id == SEV_OWNER_CMD_INJECT) {
			if (rep->inject) {
				ret = send_error(cfd, c.tag,
						 "a launch secret was already "
						 "injected; sevboot takes one",
						 deadline);
			} else if (sev_owner_reply_check(req, &c.secret, why,
							 sizeof(why))) {
				ret = send_error(cfd, c.tag, why, deadline);
			} else {
				*rep = c.secret;
				memset(&c.secret, 0, sizeof(c.secret));
				ret = sev_owner_answer(req, &c, &text);
				if (!ret)
					ret = send_answer(cfd, text, deadline);
			}
			sev_owner_cmd_free(&c);
			if (ret)
				break;
			continue;
		}
		if (c.id == SEV_OWNER_CMD_ATTEST_SEV ||
		    c.id == SEV_OWNER_CMD_ATTEST_SNP) {
			ret = answer_attest(cfd, o, &c, deadline);
			sev_owner_cmd_free(&c);
			if (ret)
				break;
			continue;
		}
		ret = sev_owner_answer(req, &c, &text);
		if (!ret)
			ret = send_answer(cfd, text, deadline);
		if (c.id == SEV_OWNER_CMD_CONT) {
			/* The owner said go: an answer it did not wait
			 * for does not undo that. */
			sev_owner_cmd_free(&c);
			ret = ret == -ENOMEM ? ret : 0;
			break;
		}
		sev_owner_cmd_free(&c);
		if (ret)
			break;
	}
	owner_reader_free(&rd);
	return ret ? client_gone(o, ret, err, errlen) : 0;
}

static int exchange_socket(const struct owner_opts *o,
			   const struct sev_owner_request *req,
			   struct sev_owner_reply *rep, int64_t deadline,
			   char *err, size_t errlen)
{
	struct listener l = {.path = o->socket_path, .fd = -1};
	unsigned timeout = o->timeout_s ? o->timeout_s : OWNER_TIMEOUT_DEFAULT;
	int cfd = -1, ret;

	ret = listener_open(&l, err, errlen);
	if (ret)
		goto out;
	fprintf(stderr,
		"sevboot: waiting for the guest owner on %s (timeout %u s)\n",
		o->socket_path, timeout);
	fflush(stderr);
	ret = accept_one(&l, deadline, o->cancel_fd, &cfd);
	/* One client: nobody else gets in, and the path goes away. */
	close(l.fd);
	l.fd = -1;
	listener_unlink(&l);
	if (ret == -ETIMEDOUT) {
		set_err(err, errlen, "no guest owner connected to %s within %u s",
		     o->socket_path, timeout);
		goto out;
	}
	if (ret == -EINTR) {
		set_err(err, errlen, "stopped by a signal while waiting for the "
				     "guest owner on %s", o->socket_path);
		goto out;
	}
	if (ret) {
		set_err(err, errlen, "--owner-socket %s: accept: %s",
		     o->socket_path, strerror(-ret));
		goto out;
	}
	ret = serve_client(cfd, o, req, rep, deadline, err, errlen);
out:
	if (cfd >= 0)
		close(cfd);
	if (l.fd >= 0)
		close(l.fd);
	listener_unlink(&l);
	return ret;
}

/* ----------------------------------------------------------------- API */

/* What every entry point checks first; 0 with the exchange's deadline. */
static int exchange_begin(const struct owner_opts *o,
			  const struct sev_owner_request *req,
			  struct sev_owner_reply *rep, int64_t *deadline,
			  char *err, size_t errlen)
{
	unsigned timeout;

	if (err && errlen)
		err[0] = '\0';
	if (!o || !req || !rep)
		return -EINVAL;
	memset(rep, 0, sizeof(*rep));
	if (!o->cmd == !o->socket_path) {
		set_err(err, errlen,
		     "the guest owner is asked through exactly one "
		     "of --owner-cmd and --owner-socket");
		return -EINVAL;
	}
	if (o->cmd && !o->cmd[0]) {
		set_err(err, errlen, "--owner-cmd: the command is empty");
		return -EINVAL;
	}
	timeout = o->timeout_s ? o->timeout_s : OWNER_TIMEOUT_DEFAULT;
	*deadline = owner_now_ms() + (int64_t)timeout * 1000;
	return 0;
}

int owner_exchange(const struct owner_opts *o,
		   const struct sev_owner_request *req,
		   struct sev_owner_reply *rep, char *err, size_t errlen)
{
	int64_t deadline;
	int ret = exchange_begin(o, req, rep, &deadline, err, errlen);

	if (ret)
		return ret;
	if (o->cmd)
		ret = exchange_cmd(o, NULL, req, rep, deadline, err, errlen);
	else
		ret = exchange_socket(o, req, rep, deadline, err, errlen);
	if (ret)
		sev_owner_reply_free(rep);
	return ret;
}

int owner_exchange_cmd_ends(const struct owner_opts *o,
			    struct owner_cmd_ends *e,
			    const struct sev_owner_request *req,
			    struct sev_owner_reply *rep, char *err,
			    size_t errlen)
{
	int64_t deadline;
	int ret = exchange_begin(o, req, rep, &deadline, err, errlen);

	if (!ret && (!o->cmd || !e)) {
		set_err(err, errlen,
			"the owner command's ends need --owner-cmd and ends");
		ret = -EINVAL;
	}
	if (ret) {
		struct child c = { .in = -1, .out = -1, .pidfd = -1,
				   .pid = -1 };

		if (e) {
			child_adopt(&c, e);
			child_end(&c);
		}
		return ret;
	}
	ret = exchange_cmd(o, e, req, rep, deadline, err, errlen);
	if (ret)
		sev_owner_reply_free(rep);
	return ret;
}

int owner_exchange_client(const struct owner_opts *o, int cfd,
			  const struct sev_owner_request *req,
			  struct sev_owner_reply *rep, char *err,
			  size_t errlen)
{
	int64_t deadline;
	int ret = exchange_begin(o, req, rep, &deadline, err, errlen);

	if (!ret && !o->socket_path) {
		set_err(err, errlen, "a client's session needs --owner-socket");
		ret = -EINVAL;
	}
	if (ret)
		return ret;
	ret = serve_client(cfd, o, req, rep, deadline, err, errlen);
	if (ret)
		sev_owner_reply_free(rep);
	return ret;
}
