// SPDX-License-Identifier: MIT
/*
 * libFuzzer harness for the guest owner's transport (owner/exchange.c):
 * the line reader, the socket server (owner_exchange with
 * --owner-socket, a client thread sending the input as its lines) and the
 * command exchange (owner_exchange with --owner-cmd, a command whose
 * stdout is the input).  The first input byte picks the target.
 *
 * Checked: lines never hold a newline and never exceed the limit; the
 * exchange ends with one of its documented results and an error sentence;
 * a secret it accepts passed sev_owner_reply_check against the request;
 * the socket is gone afterwards.
 *
 * sevboot's own stderr lines (the socket's "waiting" line) would flood the
 * log: they go to /dev/null (tests/fuzz/quiet.h).
 *
 * Speed (134 exec/s before): the socket's client is one thread for the
 * whole run, handed each input, not a thread per input (under ASan a
 * thread's exit unmaps its state, a TLB shoot-down on every CPU), and it
 * retries its connect after 50 us, not 500 us.  The command exchange
 * starts /bin/sh and cat, some 30 ms an input whatever the harness does:
 * it gets 1 input in 16 (first byte 3 mod 16, as the seeds have it), the
 * line reader 4 in 16 and the socket server the rest, so every target is
 * still reached, by the same inputs as before.
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

static char dir[64];

static void remove_dir(void)
{
	char path[128];

	snprintf(path, sizeof(path), "%s/reply", dir);
	unlink(path);
	rmdir(dir);
}

static void *client_thread(void *arg);

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	pthread_t t;

	quiet_fd();
	signal(SIGPIPE, SIG_IGN);
	snprintf(dir, sizeof(dir), "/tmp/fuzz_transport.XXXXXX");
	if (!mkdtemp(dir))
		abort();
	atexit(remove_dir);
	if (pthread_create(&t, NULL, client_thread, NULL))
		abort();
	pthread_detach(t);
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

/* The one client thread's work: an input to send (n, in) to path. */
static struct {
	pthread_mutex_t lock;
	pthread_cond_t cond;
	const char *path;
	const uint8_t *in;
	size_t n;
	bool go, done;
} cl = {PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER};

/* Connect (the server may not listen yet), send, read until closed. */
static void client_one(const char *path, const uint8_t *in, size_t n)
{
	struct sockaddr_un a = {.sun_family = AF_UNIX};
	char buf[4096];
	int fd = -1;

	snprintf(a.sun_path, sizeof(a.sun_path), "%s", path);
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
	(void)!send(fd, in, n, MSG_NOSIGNAL);
	shutdown(fd, SHUT_WR);
	while (read(fd, buf, sizeof(buf)) > 0)
		;
	close(fd);
}

static void *client_thread(void *arg)
{
	pthread_mutex_lock(&cl.lock);
	for (;;) {
		while (!cl.go)
			pthread_cond_wait(&cl.cond, &cl.lock);
		cl.go = false;
		pthread_mutex_unlock(&cl.lock);
		client_one(cl.path, cl.in, cl.n);
		pthread_mutex_lock(&cl.lock);
		cl.done = true;
		pthread_cond_broadcast(&cl.cond);
	}
	return NULL;
}

static void fuzz_socket(const uint8_t *in, size_t n)
{
	char path[128], err[512];
	struct owner_opts o = {0};
	struct sev_owner_reply rep = {0};
	struct stat st;
	int ret;

	snprintf(path, sizeof(path), "%s/owner.sock", dir);
	o.socket_path = path;
	o.timeout_s = 5;
	o.version = "fuzz";
	pthread_mutex_lock(&cl.lock);
	cl.path = path;
	cl.in = in;
	cl.n = n;
	cl.done = false;
	cl.go = true;
	pthread_cond_broadcast(&cl.cond);
	pthread_mutex_unlock(&cl.lock);
	quiet_begin();
	ret = owner_exchange(&o, &req, &rep, err, sizeof(err));
	quiet_end();
	/* The client has finished with the input before the next one. */
	pthread_mutex_lock(&cl.lock);
	while (!cl.done)
		pthread_cond_wait(&cl.cond, &cl.lock);
	pthread_mutex_unlock(&cl.lock);
	check_result(ret, &rep, err);
	CHECK(lstat(path, &st) < 0 && errno == ENOENT);
	sev_owner_reply_free(&rep);
}

static void fuzz_cmd(const uint8_t *in, size_t n)
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

int LLVMFuzzerTestOneInput(const uint8_t *in, size_t n)
{
	if (!n)
		return 0;
	if (in[0] % 16 == 3)
		fuzz_cmd(in + 1, n - 1);
	else if (in[0] % 4 == 2)
		fuzz_lines(in + 1, n - 1);
	else
		fuzz_socket(in + 1, n - 1);
	return 0;
}
