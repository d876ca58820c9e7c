// SPDX-License-Identifier: MIT
/*
 * vmm/confine.c: the run loop's seccomp filter.  Each case installs it in
 * a forked child (it cannot be removed) and shows that what the run loop
 * does still works, while anything else stops the process with one line
 * naming the call and exit code 12, in every thread.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/kvm.h>
#include <pthread.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>

#include <openssl/evp.h>
#include <openssl/rand.h>

#include "tests/unit/testutil.h"
#include "vmm/vmm.h"

#define CODE 12

/* Run body in a child whose stderr is captured into out; the child's
 * wait status. */
static int run_child(void (*body)(void), char *out, size_t outlen)
{
	int p[2], status;
	size_t got = 0;
	ssize_t n;
	pid_t pid;

	ck_assert_int_eq(pipe(p), 0);
	pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		close(p[0]);
		dup2(p[1], STDERR_FILENO);
		body();
		_exit(0); /* the body was not stopped */
	}
	close(p[1]);
	while (got + 1 < outlen &&
	       (n = read(p[0], out + got, outlen - 1 - got)) > 0)
		got += (size_t)n;
	out[got] = 0;
	close(p[0]);
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	return status;
}

static void confine_or_die(void)
{
	struct confine_opts o = {.exit_code = CODE, .tty_fd = -1};
	char err[256];
	unsigned n = 0;

	if (confine_install(&o, &n, err, sizeof(err)) || n < 20) {
		fprintf(stderr, "INSTALL-FAILED %s\n", err);
		_exit(99);
	}
}

static void say(const char *s)
{
	(void)!write(STDERR_FILENO, s, strlen(s));
}

/* What the run loop does: locks, time, stderr, memory, KVM_RUN (on no
 * VM: EBADF, not a trap), an eventfd-style read and write, a signal to
 * itself, madvise to drop pages; then openat, which it never does. */
static void allowed_then_openat(void)
{
	pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
	struct timespec ts, zero = {0, 0};
	struct tm tm;
	int p[2];
	char c = 'x';
	uint8_t *mem;
	void *big;

	if (pipe(p)) /* before the filter: pipe2 is not allowed after */
		_exit(98);
	confine_or_die();
	pthread_mutex_lock(&mu);
	pthread_mutex_unlock(&mu);
	clock_gettime(CLOCK_MONOTONIC, &ts);
	nanosleep(&zero, NULL);
	/* The RTC's first gmtime_r() (the time zone is loaded before). */
	if (!gmtime_r(&ts.tv_sec, &tm))
		_exit(93);
	if (ioctl(-1, KVM_RUN, 0) != -1 || errno != EBADF)
		_exit(97);
	if (write(p[1], &c, 1) != 1 || read(p[0], &c, 1) != 1)
		_exit(96);
	mem = mmap(NULL, 1 << 20, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (mem == MAP_FAILED)
		_exit(95);
	mem[0] = 1;
	if (madvise(mem, 1 << 20, MADV_DONTNEED) || munmap(mem, 1 << 20))
		_exit(94);
	big = malloc(64 << 20); /* mmap()ed by malloc, munmap()ed by free */
	free(big);
	fprintf(stderr, "ALLOWED-OK %d\n", getpid() > 0);
	close(p[0]);
	close(p[1]);
	open("/dev/null", O_RDONLY);
	say("NOT-STOPPED\n");
}

START_TEST(allowed_calls_work_openat_stops)
{
	char out[1024];
	int st = run_child(allowed_then_openat, out, sizeof(out));

	ck_assert_msg(WIFEXITED(st) && WEXITSTATUS(st) == CODE,
		      "status 0x%x, stderr: %s", st, out);
	ck_assert_msg(strstr(out, "ALLOWED-OK 1\n"), "%s", out);
	ck_assert_msg(strstr(out, "sevboot: seccomp: the run loop made a "
				  "system call outside its allow list: openat "
				  "(number 257); stopped"),
		      "%s", out);
	ck_assert_msg(!strstr(out, "NOT-STOPPED"), "%s", out);
	/* One line, the last. */
	ck_assert_ptr_eq(strchr(strstr(out, "sevboot:"), '\n'),
			 out + strlen(out) - 1);
}
END_TEST

static void socket_body(void)
{
	confine_or_die();
	socket(AF_UNIX, SOCK_STREAM, 0);
	say("NOT-STOPPED\n");
}

START_TEST(socket_stops)
{
	char out[1024];
	int st = run_child(socket_body, out, sizeof(out));

	ck_assert_msg(WIFEXITED(st) && WEXITSTATUS(st) == CODE,
		      "status 0x%x, stderr: %s", st, out);
	ck_assert_msg(strstr(out, ": socket (number 41); stopped"), "%s", out);
}
END_TEST

/* ioctl is allowed by request number only: KVM_CREATE_VM is not one. */
static void ioctl_body(void)
{
	confine_or_die();
	ioctl(-1, KVM_CREATE_VM, 0);
	say("NOT-STOPPED\n");
}

START_TEST(other_ioctl_stops)
{
	char out[1024];
	int st = run_child(ioctl_body, out, sizeof(out));

	ck_assert_msg(WIFEXITED(st) && WEXITSTATUS(st) == CODE,
		      "status 0x%x, stderr: %s", st, out);
	ck_assert_msg(strstr(out, ": ioctl (number 16); stopped"), "%s", out);
}
END_TEST

/* Memory may be mapped, never executable. */
static void exec_body(void)
{
	confine_or_die();
	mmap(NULL, 4096, PROT_READ | PROT_EXEC, MAP_PRIVATE | MAP_ANONYMOUS, -1,
	     0);
	say("NOT-STOPPED\n");
}

START_TEST(executable_mapping_stops)
{
	char out[1024];
	int st = run_child(exec_body, out, sizeof(out));

	ck_assert_msg(WIFEXITED(st) && WEXITSTATUS(st) == CODE,
		      "status 0x%x, stderr: %s", st, out);
	ck_assert_msg(strstr(out, ": mmap (number 9); stopped"), "%s", out);
}
END_TEST

/* A thread that existed before the filter (a vCPU thread waiting for
 * go), with every signal but the kick blocked as vCPU threads have
 * them, is covered too (TSYNC), and its forbidden call is reported. */
static int thread_pipe[2];

static void *thread_body(void *arg)
{
	sigset_t set;
	char c;

	(void)arg;
	sigfillset(&set);
	sigdelset(&set, SIGSYS);
	pthread_sigmask(SIG_SETMASK, &set, NULL);
	if (read(thread_pipe[0], &c, 1) != 1)
		return NULL;
	socket(AF_INET, SOCK_DGRAM, 0);
	say("THREAD-NOT-STOPPED\n");
	return NULL;
}

static void existing_thread_body(void)
{
	pthread_t t;
	char c = 'g';

	if (pipe(thread_pipe) || pthread_create(&t, NULL, thread_body, NULL))
		_exit(98);
	confine_or_die();
	if (write(thread_pipe[1], &c, 1) != 1)
		_exit(97);
	pthread_join(t, NULL);
	say("JOINED\n");
}

START_TEST(existing_threads_are_covered)
{
	char out[1024];
	int st = run_child(existing_thread_body, out, sizeof(out));

	ck_assert_msg(WIFEXITED(st) && WEXITSTATUS(st) == CODE,
		      "status 0x%x, stderr: %s", st, out);
	ck_assert_msg(strstr(out, ": socket (number 41); stopped"), "%s", out);
	ck_assert_msg(!strstr(out, "NOT-STOPPED") && !strstr(out, "JOINED"),
		      "%s", out);
}
END_TEST

/* The stop path ends in exit(): stdio flushes and OpenSSL's atexit
 * cleanup (the model and the launch channel use it) run confined. */
static void exit_after_openssl_body(void)
{
	uint8_t buf[48], md[48];
	unsigned mdlen = 0;
	EVP_PKEY *k = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-384");

	int nul = open("/dev/null", O_WRONLY);

	if (!k || RAND_bytes(buf, sizeof(buf)) != 1 ||
	    !EVP_Digest(buf, sizeof(buf), md, &mdlen, EVP_sha384(), NULL) ||
	    nul < 0 || dup2(nul, STDOUT_FILENO) < 0)
		_exit(90);
	confine_or_die();
	EVP_PKEY_free(k);
	printf("buffered until exit\n");
	exit(0);
}

START_TEST(exit_after_openssl_is_allowed)
{
	char out[1024];
	int st = run_child(exit_after_openssl_body, out, sizeof(out));

	ck_assert_msg(WIFEXITED(st) && WEXITSTATUS(st) == 0,
		      "status 0x%x, stderr: %s", st, out);
	ck_assert_str_eq(out, "");
}
END_TEST

/* Without the filter the same calls go through: the stops above are the
 * filter's doing. */
static void unconfined_body(void)
{
	int fd = open("/dev/null", O_RDONLY);
	int s = socket(AF_UNIX, SOCK_STREAM, 0);

	if (fd < 0 || s < 0)
		_exit(90);
	say("UNCONFINED-OK\n");
}

START_TEST(unconfined_calls_go_through)
{
	char out[256];
	int st = run_child(unconfined_body, out, sizeof(out));

	ck_assert_msg(WIFEXITED(st) && WEXITSTATUS(st) == 0, "status 0x%x", st);
	ck_assert_str_eq(out, "UNCONFINED-OK\n");
}
END_TEST

START_TEST(ioctl_names_listed)
{
	char names[256];

	confine_ioctl_names(names, sizeof(names));
	ck_assert_msg(strstr(names, "KVM_RUN") &&
			      strstr(names, "KVM_SET_MEMORY_ATTRIBUTES"),
		      "%s", names);
}
END_TEST

int main(void)
{
	Suite *s;
	TCase *tc;
	const char *why;

#if !defined(__x86_64__)
	printf("SKIPPED confine: the syscall numbers checked are x86_64's\n");
	return 0;
#endif
	/* sevboot itself runs unconfined in a sanitizer build (make asan):
	 * the sanitizer's runtime needs what the filter forbids. */
	if (!confine_available(&why)) {
		printf("SKIPPED confine: %s; the plain build tests it\n", why);
		return 0;
	}
	s = suite_create("confine");
	tc = tcase_create("seccomp");
	tcase_add_test(tc, allowed_calls_work_openat_stops);
	tcase_add_test(tc, socket_stops);
	tcase_add_test(tc, other_ioctl_stops);
	tcase_add_test(tc, executable_mapping_stops);
	tcase_add_test(tc, existing_threads_are_covered);
	tcase_add_test(tc, unconfined_calls_go_through);
	tcase_add_test(tc, exit_after_openssl_is_allowed);
	tcase_add_test(tc, ioctl_names_listed);
	suite_add_tcase(s, tc);
	return run_suite(s);
}
