// SPDX-License-Identifier: MIT
/*
 * libFuzzer harness for the guest owner's transport (owner/exchange.c).
 * The first input byte, in[0], picks the target; the rest is the input:
 *
 *   in[0] % 16 == 3: the command exchange (--owner-cmd): what the command
 *     writes on its stdout and how it ends, through
 *     owner_exchange_cmd_ends(), the part of owner_exchange() after the
 *     spawn, with a pipe and a socket the harness fills itself.  in[1]:
 *     bits 0-2 == 7: the command did not exit 0 (bit 3: killed by signal,
 *     else exit status; bits 4-5: which, 1 to 4); bit 6: it closed its
 *     stdin unread.  in[2] >= 0xf0: the reply is the rest repeated to
 *     SEV_OWNER_MSG_MAX - 8 + (in[2] - 0xf0) bytes, across the size limit.
 *     The rest (in + 3) is the reply.
 *   in[0] % 4 == 2: the line reader, on a socket holding in + 1.
 *   otherwise: the socket server's session (--owner-socket) with one
 *     client who sends in + 1 and closes: owner_exchange_client(), the
 *     part of owner_exchange() after accept(), on a socketpair.
 *
 * The set-up itself does not depend on the input and is tested by
 * tests/unit/test_owner.c; it still runs here, whole, for every 1024th
 * command input (owner_exchange() starting /bin/sh -c "exec cat FILE",
 * the reply in FILE) and every 256th socket input, and for one whose
 * answers the socketpair could not hold (owner_exchange() listening on a
 * socket, a thread of that input connecting and sending it).  Counted,
 * not chosen by input bytes: libFuzzer would breed the inputs that choose
 * the slow path (with in[0] == 0xf0 choosing it, it took 11% of the
 * inputs after 10000 runs).  The content goes through the same code in
 * both, so an input that crashes one crashes the other.
 *
 * Checked: lines never hold a newline and never exceed the limit; the
 * exchange ends with one of its documented results and an error sentence;
 * a secret it accepts passed sev_owner_reply_check against the request;
 * the command got the request and a newline on its stdin (unless it
 * closed it), and its ends are closed; the server's first line is a
 * greeting that sev_owner_greeting_parse accepts and every later one a
 * "return" or "error" object; an exchange whose input is all there never
 * times out; the socket is gone afterwards.
 *
 * sevboot's own stderr lines (the socket's "waiting" line) would flood the
 * log: they go to /dev/null (tests/fuzz/quiet.h).
 *
 * Speed: before, 408 exec/s on a quiet core; wall-bound: each
 * command input started /bin/sh and cat (some 30 ms, and more than half
 * of all CPU time was the shells' exec and the TLB shoot-downs of their
 * start-up), each socket input woke a client thread that polled for the
 * listener with usleep(), and the server made and removed a socket file
 * on ext4.  Now the set-up runs for 1 input in 1024 or 256 and the rest
 * drive the exchange single-threaded, with no sleep and no wait: the
 * first wait already finds all the input there.  Back to back on this
 * shared 2-CPU machine (load 6), 20000 runs from the seeds, user + sys
 * including the children: before 17.1 and 16.9 CPU s (526 and 588
 * exec/s, cov 515 and 503), after 3.9 and 5.3 CPU s (4000 and 2000
 * exec/s, cov 582 and 589): some 3800 to 5100 runs per CPU second, what
 * a quiet core would give.  Two more things made it: owner/exchange.c's
 * reader and reply buffers start at 4 KiB instead of 64 KiB an exchange,
 * and ASan's quarantine is 16 MB (FUZZ_ASAN_OPTIONS in the Makefile):
 * with the default 256 MB, each input's allocations landed on memory
 * never touched before, page faults and shoot-downs, a third of the CPU
 * time (10.9 vs 7.7 CPU s for 40000 runs).  What is left: a dozen
 * syscalls an input (socketpair, send, poll, read, close), ASan's
 * allocator and libFuzzer's own bookkeeping.
 * 120 s from the seeds with -max_len=65536, on the same shared machine:
 * 190679 runs, no crash, cov 642 ft 2496, 1575 exec/s, 48.9 CPU s (3900
 * runs per CPU second).
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "owner/owner.h"
#include "sev/sev.h"
#include "tests/fuzz/quiet.h"

#define CHECK(cond)                                                            \
	do {                                                                   \
		if (!(cond)) {                                                 \
			dprintf(quiet_fd(),                                    \
				"fuzz_transport: check failed: %s\n", #cond);  \
			abort();                                               \
		}                                                              \
	} while (0)

/* Every REAL_CMD-th command input and REAL_SOCKET-th socket input takes
 * the real set-up (counted, not chosen by the input: libFuzzer would
 * breed inputs that choose it). */
#define REAL_CMD    1024
#define REAL_SOCKET 256
/* The reply of in[2] >= REPEAT_FROM: around SEV_OWNER_MSG_MAX bytes. */
#define REPEAT_FROM 0xf0
#define REPEAT_MAX  (SEV_OWNER_MSG_MAX - 8 + 0x0f)

static char dir[64];
static char *request; /* req's JSON, as the command gets it */
static size_t request_len;
static uint8_t *big; /* a repeated reply: REPEAT_MAX bytes */
static int sndbuf;   /* a server socket's send buffer (SO_SNDBUF) */

static void remove_dir(void)
{
	char path[128];

	snprintf(path, sizeof(path), "%s/reply", dir);
	unlink(path);
	rmdir(dir);
}

static const struct sev_owner_request req = {
	.mode = SEV_MODE_SEV_ES,
	.policy = 5,
	.handle = 7,
	.api_major = 1,
	.api_minor = 55,
	.build = 25,
	.launch_measure = {1, 2, 3},
	.expected_digest = {4, 5, 6},
	.secret_gpa = 0x80b000,
	.secret_size = 0xc00,
	.model = true,
};

/* The server's end of a session: answers pile up in it unread until the
 * session ends, so its send buffer is made as large as the system lets. */
static void server_sndbuf(int fd)
{
	int want = 8 << 20;

	/* Capped by net.core.wmem_max; the cap is what sndbuf records. */
	setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &want, sizeof(want));
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	int sv[2];

	quiet_fd();
	signal(SIGPIPE, SIG_IGN);
	snprintf(dir, sizeof(dir), "/tmp/fuzz_transport.XXXXXX");
	if (!mkdtemp(dir))
		abort();
	atexit(remove_dir);
	if (sev_owner_request_encode(&req, &request))
		abort();
	request_len = strlen(request);
	big = malloc(REPEAT_MAX);
	if (!big || socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv))
		abort();
	server_sndbuf(sv[0]);
	CHECK(getsockopt(sv[0], SOL_SOCKET, SO_SNDBUF, &sndbuf,
			 &(socklen_t){sizeof(sndbuf)}) == 0);
	close(sv[0]);
	close(sv[1]);
	return 0;
}

static void fuzz_lines(const uint8_t *in, size_t n)
{
	struct owner_reader r;
	int sv[2], ret;
	char *line;
	size_t len;

	if (n > 100000)
		return; /* more than a socket buffer: send would block */
	CHECK(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) == 0);
	/* A unix socket holds far more than the largest input. */
	CHECK(send(sv[1], in, n, MSG_NOSIGNAL) == (ssize_t)n);
	shutdown(sv[1], SHUT_WR);
	CHECK(owner_reader_init(&r, sv[0]) == 0);
	do {
		ret = owner_read_line(&r, owner_now_ms() + 1000, &line, &len);
		if (!ret) {
			CHECK(len > 0 && len <= SEV_OWNER_MSG_MAX);
			CHECK(line[len] == '\0');
			CHECK(!memchr(line, '\n', len));
		}
	} while (ret == 0 || ret == -E2BIG);
	CHECK(ret == -ECONNRESET);
	owner_reader_free(&r);
	close(sv[0]);
	close(sv[1]);
}

static void check_result(int ret, const struct sev_owner_reply *rep,
			 const char *err)
{
	char why[256];

	CHECK(ret == 0 || ret == -ETIMEDOUT || ret == -EBADMSG ||
	      ret == -ECANCELED || ret == -ECONNRESET || ret == -EPIPE);
	if (ret) {
		CHECK(err[0] && !strchr(err, '\n'));
		CHECK(!rep->inject && !rep->secret);
		return;
	}
	if (rep->inject)
		CHECK(sev_owner_reply_check(&req, rep, why, sizeof(why)) == 0);
}

/* ------------------------------------------------------------ socket */

struct client {
	const char *path;
	const uint8_t *in;
	size_t n;
};

/* Connect (the server may not listen yet), send, read until closed. */
static void *client_thread(void *arg)
{
	const struct client *cl = arg;
	struct sockaddr_un a = {.sun_family = AF_UNIX};
	char buf[4096];
	int fd = -1;

	snprintf(a.sun_path, sizeof(a.sun_path), "%s", cl->path);
	for (int tries = 0; tries < 20000; tries++) {
		fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
		CHECK(fd >= 0);
		if (!connect(fd, (struct sockaddr *)&a, sizeof(a)))
			break;
		close(fd);
		fd = -1;
		usleep(50);
	}
	CHECK(fd >= 0);
	(void)!send(fd, cl->in, cl->n, MSG_NOSIGNAL);
	shutdown(fd, SHUT_WR);
	while (read(fd, buf, sizeof(buf)) > 0)
		;
	close(fd);
	return NULL;
}

/* The real thing: owner_exchange() listens, a thread is the client (a
 * thread for this input alone: none runs while the others are fuzzed). */
static void socket_real(const uint8_t *in, size_t n)
{
	char path[128], err[512];
	struct owner_opts o = {0};
	struct sev_owner_reply rep = {0};
	struct client cl = {path, in, n};
	struct stat st;
	pthread_t t;
	int ret;

	snprintf(path, sizeof(path), "%s/owner.sock", dir);
	o.socket_path = path;
	o.timeout_s = 5;
	o.version = "fuzz";
	CHECK(pthread_create(&t, NULL, client_thread, &cl) == 0);
	quiet_begin();
	ret = owner_exchange(&o, &req, &rep, err, sizeof(err));
	quiet_end();
	CHECK(pthread_join(t, NULL) == 0);
	check_result(ret, &rep, err);
	CHECK(lstat(path, &st) < 0 && errno == ENOENT);
	sev_owner_reply_free(&rep);
}

/*
 * Can the server's end hold every answer to in unread?  One answer at most
 * per line that is not blank, and the greeting; each is sent as two
 * messages (the text, the newline), each charged its data and some 800
 * bytes of the kernel's own (skb truesize), against sndbuf.  The data is
 * bounded by 1 KiB an answer and twice the input (what answers echo).
 */
static bool answers_fit(const uint8_t *in, size_t n)
{
	size_t answers = 1, budget = (size_t)sndbuf * 3 / 4;
	bool blank = true;

	for (size_t k = 0; k <= n; k++) {
		if (k == n || in[k] == '\n') {
			answers += !blank;
			blank = true;
		} else if (in[k] != ' ' && in[k] != '\t' && in[k] != '\r') {
			blank = false;
		}
	}
	return answers * (2 * 1024 + 1024) + 2 * n <= budget;
}

/* What the server sent: a greeting, then "return" or "error" objects. */
static void check_answers(int fd)
{
	static char buf[4 << 20];
	char why[256];
	size_t len = 0;
	ssize_t r;
	char *line, *nl;
	int k = 0;

	while (len < sizeof(buf) &&
	       (r = recv(fd, buf + len, sizeof(buf) - len, MSG_DONTWAIT)) > 0)
		len += (size_t)r;
	CHECK(len > 0 && len < sizeof(buf) && buf[len - 1] == '\n');
	for (line = buf; line < buf + len; line = nl + 1, k++) {
		nl = memchr(line, '\n', (size_t)(buf + len - line));
		CHECK(nl && nl > line && nl[-1] == '}');
		if (k == 0)
			CHECK(sev_owner_greeting_parse(line,
						       (size_t)(nl - line), why,
						       sizeof(why)) == 0);
		else
			CHECK(!strncmp(line, "{\"return\":", 10) ||
			      !strncmp(line, "{\"error\":", 9));
	}
}

static void fuzz_socket(const uint8_t *in, size_t n)
{
	static unsigned count;
	bool real = ++count % REAL_SOCKET == 0;
	char err[512];
	struct owner_opts o = {0};
	struct sev_owner_reply rep = {0};
	int sv[2], ret;

	if (real || n > 100000 || !answers_fit(in, n)) {
		socket_real(in, n);
		return;
	}
	o.socket_path = "fuzz.sock";
	o.timeout_s = 5;
	o.version = "fuzz";
	CHECK(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) == 0);
	server_sndbuf(sv[0]);
	/* The client's lines are all there, and then its end. */
	CHECK(send(sv[1], in, n, MSG_NOSIGNAL) == (ssize_t)n);
	shutdown(sv[1], SHUT_WR);
	ret = owner_exchange_client(&o, sv[0], &req, &rep, err, sizeof(err));
	close(sv[0]);
	check_result(ret, &rep, err);
	/* Nothing was waited for: it had all it would ever get. */
	CHECK(ret != -ETIMEDOUT);
	check_answers(sv[1]);
	close(sv[1]);
	sev_owner_reply_free(&rep);
}

/* ----------------------------------------------------------- command */

/* The real thing: /bin/sh -c "exec cat FILE", the reply in FILE. */
static void cmd_real(const uint8_t *in, size_t n)
{
	char path[128], cmd[160], err[512];
	struct owner_opts o = {0};
	struct sev_owner_reply rep = {0};
	int fd, ret;

	snprintf(path, sizeof(path), "%s/reply", dir);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	CHECK(fd >= 0 && write(fd, in, n) == (ssize_t)n);
	close(fd);
	snprintf(cmd, sizeof(cmd), "exec cat %s", path);
	o.cmd = cmd;
	o.timeout_s = 5;
	quiet_begin();
	ret = owner_exchange(&o, &req, &rep, err, sizeof(err));
	quiet_end();
	check_result(ret, &rep, err);
	sev_owner_reply_free(&rep);
}

/* How in[1] says the command ended: a wait status as waitpid() gives it
 * (exit status in bits 8-15, or the signal in bits 0-6: POSIX
 * <sys/wait.h>, glibc bits/waitstatus.h). */
static int cmd_status(uint8_t how)
{
	int which = ((how >> 4) & 3) + 1;

	if ((how & 7) != 7)
		return 0;
	return how & 8 ? which : which << 8;
}

static void fuzz_cmd(const uint8_t *in, size_t n)
{
	static unsigned count;
	struct owner_cmd_ends e = {.pid = -1, .pidfd = -1};
	struct owner_opts o = {.cmd = "fuzz-owner", .timeout_s = 5};
	struct sev_owner_reply rep = {0};
	const uint8_t *reply = in + 3;
	size_t len = n - 3;
	char err[512], got[4096];
	int sp[2], out[2], ret;
	ssize_t r;

	if (n < 3)
		return;
	if (++count % REAL_CMD == 0) {
		cmd_real(reply, len);
		return;
	}
	if (in[2] >= REPEAT_FROM && len) {
		size_t want = SEV_OWNER_MSG_MAX - 8 + (in[2] - REPEAT_FROM);

		for (size_t k = 0; k < want; k += len)
			memcpy(big + k, reply, len < want - k ? len : want - k);
		reply = big;
		len = want;
	}
	if (len > SEV_OWNER_MSG_MAX + 0x100)
		return; /* more than the pipe is made to hold */
	CHECK(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sp) == 0);
	CHECK(pipe2(out, O_CLOEXEC) == 0);
	if (len > 60000)
		CHECK(fcntl(out[1], F_SETPIPE_SZ, 2 * SEV_OWNER_MSG_MAX) >= 0);
	CHECK(write(out[1], reply, len) == (ssize_t)len);
	close(out[1]); /* it has exited: its stdout is closed */
	if (in[1] & 0x40)
		close(sp[1]); /* and it never read its stdin */
	e.in = sp[0];
	e.out = out[0];
	e.status = cmd_status(in[1]);
	ret = owner_exchange_cmd_ends(&o, &e, &req, &rep, err, sizeof(err));
	CHECK(e.in == -1 && e.out == -1 && e.pid == -1 && e.pidfd == -1);
	check_result(ret, &rep, err);
	CHECK(ret != -ETIMEDOUT);
	if (!(in[1] & 0x40)) {
		/* The request and a newline, whole: the first wait finds
		 * its stdin writable, and it is written before anything is
		 * read. */
		r = recv(sp[1], got, sizeof(got), MSG_DONTWAIT);
		CHECK(r == (ssize_t)request_len + 1 &&
		      !memcmp(got, request, request_len) &&
		      got[request_len] == '\n');
		close(sp[1]);
	}
	sev_owner_reply_free(&rep);
}

int LLVMFuzzerTestOneInput(const uint8_t *in, size_t n)
{
	if (!n)
		return 0;
	if (in[0] % 16 == 3)
		fuzz_cmd(in, n);
	else if (in[0] % 4 == 2)
		fuzz_lines(in + 1, n - 1);
	else
		fuzz_socket(in + 1, n - 1);
	return 0;
}
