// SPDX-License-Identifier: MIT
/* Unit tests for the guest output sinks (vmm/console.c). */
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>

#include "tests/unit/fake_host.h"
#include "tests/unit/testutil.h"

struct sink {
	struct console *c;
	int p[2];
};

static void sink_init(struct sink *s, size_t cap, uint64_t limit, bool filter)
{
	ck_assert_int_eq(pipe2(s->p, O_NONBLOCK | O_CLOEXEC), 0);
	s->c = test_console(s->p[1], cap, limit, filter);
	ck_assert_ptr_nonnull(s->c);
}

static void sink_free(struct sink *s)
{
	console_free(s->c);
	if (s->p[0] >= 0)
		close(s->p[0]);
	close(s->p[1]);
}

static void put(struct sink *s, const char *str, size_t n)
{
	console_write(s->c, (const uint8_t *)str, n);
}

/* stderr into a pipe while a test looks at what the console says. */
struct capture {
	int p[2], saved;
};

static void capture_begin(struct capture *k)
{
	fflush(stderr);
	ck_assert_int_eq(pipe2(k->p, O_CLOEXEC), 0);
	k->saved = dup(STDERR_FILENO);
	ck_assert_int_ge(k->saved, 0);
	ck_assert_int_eq(dup2(k->p[1], STDERR_FILENO), STDERR_FILENO);
}

static void capture_end(struct capture *k, char *buf, size_t len)
{
	size_t n;

	fflush(stderr);
	dup2(k->saved, STDERR_FILENO);
	close(k->saved);
	close(k->p[1]);
	n = read_wait(k->p[0], buf, len - 1, 1000);
	buf[n] = 0;
	close(k->p[0]);
}

static unsigned count_lines(const char *text, const char *needle)
{
	unsigned n = 0;

	for (const char *p = text; (p = strstr(p, needle)); p++)
		n++;
	return n;
}

/* Bytes go out in order, whatever the chunking; the stats add up. */
START_TEST(test_order_and_stats)
{
	enum { N = 200000 };
	static char in[N], out[N];
	struct console_stats st;
	struct sink s;
	size_t got = 0;

	for (size_t i = 0; i < N; i++)
		in[i] = (char)(' ' + i % 95);
	sink_init(&s, 4096, 0, false);
	/* Write in odd pieces as the room allows, reading as we go. */
	for (size_t i = 0; i < N;) {
		size_t n = (i % 13) + 1, room = console_space(s.c);

		if (n > N - i)
			n = N - i;
		if (room < n) {
			got += read_wait(s.p[0], out + got, N - got, 1);
			continue;
		}
		put(&s, in + i, n);
		i += n;
	}
	got += read_wait(s.p[0], out + got, N - got, 1000);
	ck_assert_uint_eq(got, N);
	ck_assert_mem_eq(in, out, N);
	console_close(s.c, &st);
	ck_assert_uint_eq(st.guest, N);
	ck_assert_uint_eq(st.written, N);
	ck_assert_uint_eq(st.lost + st.filtered + st.unwritten + st.failed, 0);
	sink_free(&s);
}
END_TEST

/* A regular file keeps its descriptor (and offset). */
START_TEST(test_regular_file)
{
	char path[] = "/tmp/sevboot-console-XXXXXX", buf[16];
	struct console *c;
	int fd = mkstemp(path);

	ck_assert_int_ge(fd, 0);
	unlink(path);
	ck_assert_int_eq(write(fd, "head:", 5), 5);
	c = test_console(fd, 4096, 0, false);
	ck_assert_ptr_nonnull(c);
	console_write(c, (const uint8_t *)"tail", 4);
	console_free(c);
	ck_assert_int_eq(pread(fd, buf, sizeof(buf), 0), 9);
	ck_assert_mem_eq(buf, "head:tail", 9);
	close(fd);
}
END_TEST

static atomic_int room_calls;

static void on_room(void *ctx)
{
	ck_assert_ptr_eq(ctx, &room_calls);
	atomic_fetch_add(&room_calls, 1);
}

/* A device waiting for room hears about it once, from the drain. */
START_TEST(test_notify_space)
{
	struct sink s;
	char fill[4096], sink_buf[8192];
	size_t cap = 256;

	sink_init(&s, cap, 0, false);
	ck_assert_int_eq(fcntl(s.p[0], F_SETPIPE_SZ, 4096), 4096);
	/* The pipe full, then the buffer. */
	memset(fill, 'f', sizeof(fill));
	while (write(s.p[1], fill, sizeof(fill)) > 0)
		;
	while (write(s.p[1], fill, 1) > 0)
		;
	ck_assert(console_notify_space(s.c, 16, on_room, &room_calls));
	put(&s, fill, cap);
	ck_assert_uint_eq(console_space(s.c), 0);
	atomic_store(&room_calls, 0);
	ck_assert(!console_notify_space(s.c, 16, on_room, &room_calls));
	ck_assert_int_eq(atomic_load(&room_calls), 0);
	/* The host reads: the drain moves the buffer on and calls back. */
	read_wait(s.p[0], sink_buf, sizeof(sink_buf), 200);
	for (int i = 0; i < 100000 && !atomic_load(&room_calls); i++)
		usleep(100);
	ck_assert_int_eq(atomic_load(&room_calls), 1);
	ck_assert_uint_ge(console_space(s.c), 16);
	sink_free(&s);
}
END_TEST

/* A callback that asks again while it runs (as the UART's tx_room()
 * does when there is still too little room) must not be called after
 * console_forget(): its device is freed next.  fuzz_vcpu found the
 * drain thread calling into a freed UART that way. */
struct rearm {
	struct console *c;
	int wfd; /* the output pipe's write end */
	atomic_int calls, entered;
};

static void rearm_cb(void *ctx)
{
	struct rearm *r = ctx;
	uint8_t fill[512];

	if (atomic_fetch_add(&r->calls, 1))
		return; /* asks again the first time only */
	atomic_store(&r->entered, 1);
	usleep(100 * 1000); /* console_forget() is called meanwhile */
	memset(fill, 'r', sizeof(fill));
	/* The pipe and the buffer full again: no room until the test
	 * reads, so the request below is still pending when
	 * console_forget() returns. */
	while (write(r->wfd, fill, sizeof(fill)) > 0)
		;
	while (write(r->wfd, fill, 1) > 0)
		;
	console_write(r->c, fill, sizeof(fill));
	console_notify_space(r->c, 16, rearm_cb, r);
}

START_TEST(test_forget_drops_a_rearmed_callback)
{
	static struct rearm r;
	struct sink s;
	char fill[4096], buf[65536];

	sink_init(&s, 256, 0, false);
	r.c = s.c;
	r.wfd = s.p[1];
	ck_assert_int_eq(fcntl(s.p[0], F_SETPIPE_SZ, 4096), 4096);
	memset(fill, 'f', sizeof(fill));
	while (write(s.p[1], fill, sizeof(fill)) > 0)
		;
	while (write(s.p[1], fill, 1) > 0)
		;
	put(&s, fill, 256);
	ck_assert(!console_notify_space(s.c, 16, rearm_cb, &r));
	/* The host reads what is there, once (no more room until the
	 * callback has run): the drain makes room and calls back. */
	while (read(s.p[0], buf, sizeof(buf)) > 0)
		;
	for (int i = 0; i < 100000 && !atomic_load(&r.entered); i++)
		usleep(100);
	ck_assert_int_eq(atomic_load(&r.entered), 1);
	console_forget(s.c, &r); /* waits for the running callback */
	ck_assert_int_eq(atomic_load(&r.calls), 1);
	/* More room: nobody may be called now. */
	for (int i = 0; i < 5; i++) {
		read_wait(s.p[0], buf, sizeof(buf), 100);
		usleep(20 * 1000);
	}
	ck_assert_int_eq(atomic_load(&r.calls), 1);
	sink_free(&s);
}
END_TEST

/* --serial-limit: exactly the limit goes out, said once; the rest is
 * discarded without filling the buffer. */
START_TEST(test_limit)
{
	static char in[5000], out[6000];
	struct console_stats st;
	struct capture k;
	char said[1024];
	struct sink s;
	size_t got;

	memset(in, 'L', sizeof(in));
	capture_begin(&k);
	sink_init(&s, 4096, 1024, false);
	for (int i = 0; i < 5; i++)
		put(&s, in, 1000);
	ck_assert_uint_ge(console_space(s.c), 4096 - 1024);
	got = read_wait(s.p[0], out, sizeof(out), 500);
	console_close(s.c, &st);
	capture_end(&k, said, sizeof(said));
	ck_assert_uint_eq(got, 1024);
	ck_assert_uint_eq(st.written, 1024);
	ck_assert_uint_eq(st.over_limit, 5000 - 1024);
	ck_assert_uint_eq(st.lost, 0);
	ck_assert_uint_eq(
		count_lines(said, "sevboot: test output reached --test-limit "
				  "1K; the rest is discarded"),
		1);
	sink_free(&s);
}
END_TEST

/* The terminal filter: colours and erase-in-line pass, whatever could
 * reprogram the terminal does not, UTF-8 text is kept. */
START_TEST(test_filter)
{
	static const char in[] =
		"a\033[31mred\033[0m"	   /* SGR: kept */
		"\033]0;title\007"	   /* OSC, BEL-terminated */
		"\033]52;c;QUFBQQ==\033\\" /* OSC 52 (clipboard), ST */
		"\033c"			   /* RIS: full reset */
		"\033[2J\033[1;1H"	   /* erase screen, cursor home */
		"\033[?25l"		   /* private mode: hide cursor */
		"\033(0"		   /* line-drawing charset */
		"\033P1$r\033\\"	   /* DCS */
		"\x01\x07\x0e\x7f"	   /* SOH, BEL, SO: dropped; DEL */
		"\t\b\r\n"		   /* kept */
		"\23331m"		   /* raw 8-bit CSI: the CSI goes */
		"\302\2330m"		   /* U+009B (CSI): goes */
		"\xc3\xa9\xc2\xa0"	   /* é, no-break space: kept */
		"\033[38;5;200mx\033[K";   /* 256 colours, erase line */
	static const char want[] =
		"a\033[31mred\033[0m"
		"\x7f\t\b\r\n"
		"31m0m"
		"\xc3\xa9\xc2\xa0"
		"\033[38;5;200mx\033[K"
		"\033[0m"; /* at the close: the default rendition again */
	char out[256];
	struct console_stats st;
	struct sink s;
	size_t got, n = sizeof(in) - 1;

	sink_init(&s, 4096, 0, true);
	/* Byte by byte, as the UART hands them over. */
	for (size_t i = 0; i < n; i++)
		put(&s, in + i, 1);
	console_close(s.c, &st);
	got = read_wait(s.p[0], out, sizeof(out), 500);
	ck_assert_uint_eq(got, sizeof(want) - 1);
	ck_assert_mem_eq(out, want, got);
	ck_assert_uint_eq(st.guest, n);
	ck_assert_uint_eq(st.filtered, n - (sizeof(want) - 1 - 4));
	sink_free(&s);

	/* --raw: everything as written. */
	sink_init(&s, 4096, 0, false);
	put(&s, in, n);
	console_close(s.c, &st);
	ck_assert_uint_eq(read_wait(s.p[0], out, sizeof(out), 500), n);
	ck_assert_mem_eq(out, in, n);
	ck_assert_uint_eq(st.filtered, 0);
	sink_free(&s);
}
END_TEST

/* Sequences cut short or too long are dropped, never passed whole. */
START_TEST(test_filter_edges)
{
	static char in[200];
	char out[256];
	struct sink s;
	size_t n = 0, got;

	/* A CSI longer than the filter holds, with a harmless final. */
	in[n++] = 0x1b;
	in[n++] = '[';
	for (int i = 0; i < CONSOLE_HOLD_MAX + 8; i++)
		in[n++] = '1';
	in[n++] = 'm';
	/* A CSI cut by a newline: the newline stays. */
	memcpy(in + n, "\033[31\nok", 7);
	n += 7;
	/* An unterminated OSC ends after its cap. */
	sink_init(&s, 4096, 0, true);
	put(&s, in, n);
	put(&s, "\033]", 2);
	for (int i = 0; i < 600; i++)
		put(&s, "z", 1);
	console_close(s.c, NULL);
	got = read_wait(s.p[0], out, sizeof(out), 500);
	ck_assert_uint_eq(got, 3 + 600 - 513);
	ck_assert_mem_eq(out, "\nok", 3);
	for (size_t i = 3; i < got; i++)
		ck_assert_uint_eq(out[i], 'z');
	sink_free(&s);
}
END_TEST

/* The reader went away: the rest is discarded at once (no waiting), said
 * once, and the stop completes. */
START_TEST(test_dead_output)
{
	static char in[20000];
	struct console_stats st;
	struct capture k;
	char said[1024];
	struct sink s;

	memset(in, 'd', sizeof(in));
	capture_begin(&k);
	sink_init(&s, 4096, 0, false);
	close(s.p[0]);
	s.p[0] = -1;
	for (int i = 0; i < 20; i++) {
		put(&s, in, 1000);
		usleep(1000);
	}
	console_close(s.c, &st);
	capture_end(&k, said, sizeof(said));
	ck_assert_uint_eq(st.written, 0);
	ck_assert_uint_eq(st.failed + st.lost, 20000);
	ck_assert_uint_gt(st.failed, 0);
	ck_assert_uint_eq(count_lines(said,
				      "sevboot: test output: Broken pipe; "
				      "the rest is discarded"),
			  1);
	sink_free(&s);
}
END_TEST

/* Nobody reads: the stop gives up, says how much was not written. */
START_TEST(test_stalled_close)
{
	static char in[10000];
	struct console_stats st;
	struct capture k;
	char said[1024];
	struct sink s;

	memset(in, 's', sizeof(in));
	capture_begin(&k);
	sink_init(&s, 4096, 0, false);
	ck_assert_int_eq(fcntl(s.p[0], F_SETPIPE_SZ, 4096), 4096);
	/* A page into the pipe, which is then full; then the buffer. */
	put(&s, in, 4096);
	for (int i = 0; i < 100000 && console_space(s.c) < 4096; i++)
		usleep(100);
	put(&s, in, sizeof(in));
	console_close(s.c, &st);
	capture_end(&k, said, sizeof(said));
	ck_assert_uint_eq(st.written + st.unwritten + st.lost,
			  4096 + sizeof(in));
	ck_assert_uint_eq(st.unwritten, 4096);
	ck_assert_uint_le(st.written, 4096);
	ck_assert_msg(strstr(said, "sevboot: test output: gave up ") &&
			      strstr(said, " bytes not written"),
		      "%s", said);
	sink_free(&s);
}
END_TEST

static Suite *console_suite(void)
{
	Suite *s = suite_create("console");
	TCase *tc = tcase_create("core");

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_order_and_stats);
	tcase_add_test(tc, test_regular_file);
	tcase_add_test(tc, test_notify_space);
	tcase_add_test(tc, test_forget_drops_a_rearmed_callback);
	tcase_add_test(tc, test_limit);
	tcase_add_test(tc, test_filter);
	tcase_add_test(tc, test_filter_edges);
	tcase_add_test(tc, test_dead_output);
	tcase_add_test(tc, test_stalled_close);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return run_suite(console_suite());
}
