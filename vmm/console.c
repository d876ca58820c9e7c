// SPDX-License-Identifier: MIT
/*
 * Guest output sinks: where the UART's and debugcon's bytes go.
 *
 * A device hands its bytes to console_write(), which only copies them into
 * a bounded ring buffer under the sink's own lock: a vCPU never does a host
 * write and never waits for one.  Each sink has a thread that drains the
 * ring into the output fd.  That fd is made non-blocking (a fresh open file
 * description, so the caller's stdout, possibly shared with stderr and the
 * shell, keeps its flags), and every write waits in poll() with a timeout,
 * so the thread can always be stopped: a full pipe, a stopped terminal or a
 * reader that went away cost output, never the machine.
 *
 * The devices see how full the ring is: the UART turns it into its line
 * status (transmitter busy while it is full, as a real 8250's FIFO gives
 * back-pressure), debugcon, which has no status, drops bytes.  Bytes that
 * find the ring full are lost and counted.
 *
 * When the output is a terminal, control sequences that can reprogram it
 * are filtered out (ECMA-48: ESC sequences, CSI, the OSC/DCS/SOS/PM/APC
 * strings, and the C0 and C1 controls), keeping colours (SGR, CSI ... m),
 * erase in line (CSI ... K), \n \r \t and \b.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "loader/loader.h"
#include "vmm/dev.h"

/* How long one wait for the output to take bytes lasts: the drain thread
 * looks at its stop flag at least this often. */
#define CONSOLE_POLL_MS 100
/* A blocking fd we could not replace: write at most this much after
 * poll() said it is writable (a pipe takes a page, a terminal its room). */
#define CONSOLE_BLOCKING_CHUNK 512
/* An OSC/DCS string longer than this ends the filtering of it. */
#define CONSOLE_STRING_MAX 512

enum filt_state {
	F_TEXT,
	F_ESC,	      /* after ESC, intermediates consumed */
	F_CSI,	      /* ESC [ ..., held until the final byte */
	F_STRING,     /* ESC ] / P / X / ^ / _ ...: dropped */
	F_STRING_ESC, /* ESC inside a string: ESC \ ends it */
	F_C2,	      /* 0xc2 held: U+0080..U+009F are C1 controls */
};

struct console {
	struct console_config cfg;
	int fd;	       /* where the drain writes */
	bool own_fd;   /* fd is our non-blocking reopen of cfg.fd */
	bool blocking; /* we could not get a non-blocking fd */

	pthread_mutex_t lock;
	pthread_cond_t cond;
	pthread_t thread;
	bool started;

	/* The ring: count bytes ending before head.  Guarded by lock. */
	uint8_t *buf;
	size_t head, count;
	uint64_t accepted; /* bytes that went into the ring */

	/* The filter (under lock; only the writers use it). */
	enum filt_state fs;
	uint8_t hold[CONSOLE_HOLD_MAX];
	unsigned nhold; /* bytes of the sequence kept in hold */
	unsigned nseq;	/* bytes of the sequence so far */
	unsigned string_len;
	unsigned u8_need; /* UTF-8 continuation bytes still expected */
	bool sgr_used;

	/* Who wants to know when there is room. */
	size_t want;
	void (*space_cb)(void *ctx);
	void *space_ctx;
	void *cb_running; /* the ctx whose callback runs now */
	pthread_cond_t cb_done;

	/* Things the drain thread says once. */
	bool limit_hit, limit_said, loss_said, dead_said;
	int dead; /* the output failed with this errno: the rest is dropped */

	bool stopping, closed;
	struct timespec stop_at, progress_at;
	double gave_up_ms;

	struct console_stats st;
};

static double elapsed_ms(const struct timespec *since)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (now.tv_sec - since->tv_sec) * 1e3 +
	       (now.tv_nsec - since->tv_nsec) / 1e6;
}

/* ------------------------------------------------------- the ring */

static size_t ring_free(const struct console *c)
{
	return c->cfg.capacity - c->count;
}

/* Bytes into the ring, after the filter: the limit first, then the room. */
static void emit(struct console *c, const uint8_t *p, size_t n)
{
	if (c->dead) {
		c->st.failed += n;
		return;
	}
	if (c->cfg.limit) {
		uint64_t room = c->cfg.limit - c->accepted;

		if (n > room) {
			c->st.over_limit += n - room;
			n = (size_t)room;
			if (!c->limit_hit) {
				c->limit_hit = true;
				pthread_cond_signal(&c->cond);
			}
		}
	}
	for (size_t i = 0; i < n; i++) {
		if (!ring_free(c)) {
			c->st.lost += n - i;
			if (!c->loss_said)
				pthread_cond_signal(&c->cond);
			n = i;
			break;
		}
		c->buf[c->head] = p[i];
		c->head = (c->head + 1) % c->cfg.capacity;
		c->count++;
	}
	c->accepted += n;
	/* The drain thread waits only while the ring is empty. */
	if (n && c->count == n)
		pthread_cond_signal(&c->cond);
}

static void emit1(struct console *c, uint8_t b)
{
	emit(c, &b, 1);
}

/* ------------------------------------------------------- the filter */

static void drop(struct console *c, unsigned n)
{
	c->st.filtered += n;
}

/* A CSI that only sets colours or erases the rest of the line. */
static bool csi_harmless(const struct console *c, uint8_t final)
{
	if (c->nseq > c->nhold || (final != 'm' && final != 'K'))
		return false;
	for (unsigned i = 2; i < c->nhold; i++) {
		uint8_t b = c->hold[i];

		if (!((b >= '0' && b <= '9') || b == ';' || b == ':'))
			return false;
	}
	return true;
}

static void filter_text(struct console *c, uint8_t b);

static void filter_csi(struct console *c, uint8_t b)
{
	if (b >= 0x20 && b <= 0x3f) { /* parameters and intermediates */
		if (c->nhold < CONSOLE_HOLD_MAX)
			c->hold[c->nhold++] = b;
		c->nseq++;
		return;
	}
	c->fs = F_TEXT;
	if (b >= 0x40 && b <= 0x7e) {
		if (csi_harmless(c, b)) {
			emit(c, c->hold, c->nhold);
			emit1(c, b);
			c->sgr_used |= b == 'm';
		} else {
			drop(c, c->nseq + 1);
		}
		return;
	}
	/* Anything else cuts the sequence short: drop it, then look at b
	 * on its own. */
	drop(c, c->nseq);
	filter_text(c, b);
}

static void filter_esc(struct console *c, uint8_t b)
{
	c->nseq++;
	if (b == '[') {
		c->fs = F_CSI;
		c->hold[0] = 0x1b;
		c->hold[1] = '[';
		c->nhold = 2;
	} else if (b == ']' || b == 'P' || b == 'X' || b == '^' || b == '_') {
		drop(c, c->nseq);
		c->fs = F_STRING;
		c->string_len = 0;
	} else if (b >= 0x20 && b <= 0x2f) {
		/* An intermediate (ESC ( 0 picks a character set): the
		 * sequence goes on to its final byte. */
	} else if (b == 0x1b) {
		/* ESC ESC: the first is dropped, the second starts over. */
		drop(c, c->nseq - 1);
		c->nseq = 1;
	} else {
		drop(c, c->nseq); /* the final byte ends it */
		c->fs = F_TEXT;
	}
}

static void filter_string(struct console *c, uint8_t b)
{
	drop(c, 1);
	if (++c->string_len > CONSOLE_STRING_MAX || b == 0x07 || b == 0x9c)
		c->fs = F_TEXT;
	else if (c->fs == F_STRING_ESC)
		c->fs = b == '\\'   ? F_TEXT
			: b == 0x1b ? F_STRING_ESC
				    : F_STRING;
	else if (b == 0x1b)
		c->fs = F_STRING_ESC;
}

static void filter_text(struct console *c, uint8_t b)
{
	bool cont = b >= 0x80 && b <= 0xbf;

	if (!cont)
		c->u8_need = 0;
	if (b == 0x1b) {
		c->fs = F_ESC;
		c->nseq = 1;
	} else if (b < 0x20 && b != '\n' && b != '\r' && b != '\t' &&
		   b != '\b') {
		drop(c, 1);
	} else if (cont && !c->u8_need && b <= 0x9f) {
		drop(c, 1); /* a raw 8-bit C1 control (0x9b is CSI) */
	} else if (b == 0xc2) {
		c->fs = F_C2;
	} else {
		if (cont && c->u8_need)
			c->u8_need--;
		else if (b >= 0xc0 && b <= 0xdf)
			c->u8_need = 1;
		else if (b >= 0xe0 && b <= 0xef)
			c->u8_need = 2;
		else if (b >= 0xf0 && b <= 0xf7)
			c->u8_need = 3;
		emit1(c, b);
	}
}

static void filter(struct console *c, uint8_t b)
{
	switch (c->fs) {
	case F_ESC:
		filter_esc(c, b);
		break;
	case F_CSI:
		filter_csi(c, b);
		break;
	case F_STRING:
	case F_STRING_ESC:
		filter_string(c, b);
		break;
	case F_C2:
		c->fs = F_TEXT;
		if (b >= 0x80 && b <= 0x9f) {
			drop(c, 2); /* U+0080..U+009F: a C1 control */
		} else {
			emit1(c, 0xc2);
			c->u8_need = 1;
			filter_text(c, b);
		}
		break;
	default:
		filter_text(c, b);
		break;
	}
}

/* ------------------------------------------------- the vCPU side */

void console_write(struct console *c, const uint8_t *data, size_t len)
{
	pthread_mutex_lock(&c->lock);
	if (!c->st.first_ns && len)
		c->st.first_ns = tl_now_ns();
	c->st.guest += len;
	for (size_t i = 0; i < len; i++) {
		if (c->cfg.filter)
			filter(c, data[i]);
		else
			emit1(c, data[i]);
	}
	pthread_mutex_unlock(&c->lock);
}

/* Room the devices may count on: what the filter may still hold back is
 * kept aside, so that a released escape sequence fits too. */
static size_t space_locked(const struct console *c)
{
	size_t reserve = c->cfg.filter ? CONSOLE_HOLD_MAX + 2 : 0;
	size_t f = ring_free(c);

	return f > reserve ? f - reserve : 0;
}

size_t console_space(struct console *c)
{
	size_t n;

	pthread_mutex_lock(&c->lock);
	n = space_locked(c);
	pthread_mutex_unlock(&c->lock);
	return n;
}

bool console_notify_space(struct console *c, size_t want, void (*cb)(void *ctx),
			  void *ctx)
{
	bool now;

	pthread_mutex_lock(&c->lock);
	now = space_locked(c) >= want;
	if (!now) {
		c->want = want;
		c->space_cb = cb;
		c->space_ctx = ctx;
	}
	pthread_mutex_unlock(&c->lock);
	return now;
}

void console_forget(struct console *c, void *ctx)
{
	if (!c)
		return;
	pthread_mutex_lock(&c->lock);
	/* First let a running callback finish: it may ask again (the
	 * UART's tx_room() re-arms when there is still too little room),
	 * and that request must be dropped too, or the drain thread calls
	 * back into freed memory (fuzz_vcpu found it with a shared
	 * console). */
	while (c->cb_running == ctx)
		pthread_cond_wait(&c->cb_done, &c->lock);
	if (c->space_ctx == ctx) {
		c->want = 0;
		c->space_cb = NULL;
		c->space_ctx = NULL;
	}
	pthread_mutex_unlock(&c->lock);
}

/* ------------------------------------------------ the drain thread */

/* One line on stderr (the drain thread's, and the stop's): never waits
 * long for it, since stderr may be as stalled as the output. */
static void say(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void say(const char *fmt, ...)
{
	struct pollfd p = {.fd = STDERR_FILENO, .events = POLLOUT};
	char line[256];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	if (n >= (int)sizeof(line))
		n = sizeof(line) - 1;
	if (poll(&p, 1, CONSOLE_POLL_MS) == 1 && (p.revents & POLLOUT))
		while (write(STDERR_FILENO, line, (size_t)n) < 0 &&
		       errno == EINTR)
			;
}

/* Say, once each, what happened to the output since the last look.
 * Called and returns with c->lock held. */
static void tell(struct console *c)
{
	char size[32];

	if (c->limit_hit && !c->limit_said) {
		c->limit_said = true;
		size_format(c->cfg.limit, size, sizeof(size));
		pthread_mutex_unlock(&c->lock);
		say("sevboot: %s output reached %s %s; the rest is discarded "
		    "(the guest keeps running)\n",
		    c->cfg.name, c->cfg.limit_opt, size);
		pthread_mutex_lock(&c->lock);
	}
	if (c->st.lost && !c->loss_said) {
		c->loss_said = true;
		pthread_mutex_unlock(&c->lock);
		say("sevboot: %s output is not keeping up and the guest wrote "
		    "anyway: bytes are lost (-v counts them)\n",
		    c->cfg.name);
		pthread_mutex_lock(&c->lock);
	}
	if (c->dead && !c->dead_said) {
		c->dead_said = true;
		pthread_mutex_unlock(&c->lock);
		say("sevboot: %s output: %s; the rest is discarded\n",
		    c->cfg.name, strerror(c->dead));
		pthread_mutex_lock(&c->lock);
	}
}

static bool news(const struct console *c)
{
	return (c->limit_hit && !c->limit_said) ||
	       (c->st.lost && !c->loss_said) || (c->dead && !c->dead_said);
}

/*
 * Write some of p[0, len): waits at most CONSOLE_POLL_MS for the output to
 * take anything.  Bytes written (0: not now), or -errno when it failed.
 */
static ssize_t out_write(struct console *c, const uint8_t *p, size_t len)
{
	struct pollfd pfd = {.fd = c->fd, .events = POLLOUT};
	int r = poll(&pfd, 1, CONSOLE_POLL_MS);
	ssize_t n;

	if (r < 0 && errno != EINTR)
		return -errno;
	if (r <= 0)
		return 0;
	if (c->blocking && len > CONSOLE_BLOCKING_CHUNK)
		len = CONSOLE_BLOCKING_CHUNK;
	n = write(c->fd, p, len);
	if (n >= 0)
		return n;
	if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)
		return 0;
	return -errno;
}

/* After the ring shrank: whoever waits for room, if there is enough.
 * Called and returns with c->lock held. */
static void wake_space(struct console *c)
{
	void (*cb)(void *ctx) = c->space_cb;
	void *ctx = c->space_ctx;

	if (!c->want || space_locked(c) < c->want)
		return;
	c->want = 0;
	c->cb_running = ctx;
	pthread_mutex_unlock(&c->lock);
	cb(ctx);
	pthread_mutex_lock(&c->lock);
	c->cb_running = NULL;
	pthread_cond_broadcast(&c->cb_done);
}

/* Stopping: has the output had its chance? */
static bool give_up(struct console *c)
{
	return elapsed_ms(&c->progress_at) > c->cfg.close_idle_ms ||
	       elapsed_ms(&c->stop_at) > c->cfg.close_max_ms;
}

/* One round: a chunk of the ring out.  Called with c->lock held. */
static void drain_once(struct console *c)
{
	size_t tail = (c->head + c->cfg.capacity - c->count) % c->cfg.capacity;
	size_t len = c->count < c->cfg.capacity - tail ? c->count
						       : c->cfg.capacity - tail;
	ssize_t n;

	/* Writers only fill free space, so [tail, tail + len) stays put. */
	pthread_mutex_unlock(&c->lock);
	n = out_write(c, c->buf + tail, len);
	/* The --mark patterns see what went out, here in the drain thread,
	 * never in a vCPU's path. */
	if (n > 0)
		tl_feed_output(c->cfg.tl, c->buf + tail, (size_t)n);
	pthread_mutex_lock(&c->lock);
	if (n < 0) {
		c->dead = (int)-n;
		c->st.failed += c->count;
		c->count = 0;
	} else if (n > 0) {
		c->count -= (size_t)n;
		c->st.written += (uint64_t)n;
		clock_gettime(CLOCK_MONOTONIC, &c->progress_at);
	}
	wake_space(c);
}

static void *drain_thread(void *arg)
{
	struct console *c = arg;
	sigset_t all;

	/* Signals are the main thread's; a dead pipe is an EPIPE here.
	 * SIGSYS stays open: the run loop's seccomp filter reports a
	 * forbidden call through it (vmm/confine.c), and a blocked SIGSYS
	 * would kill without a word. */
	sigfillset(&all);
	sigdelset(&all, SIGSYS);
	pthread_sigmask(SIG_BLOCK, &all, NULL);
	pthread_mutex_lock(&c->lock);
	for (;;) {
		while (!c->count && !c->stopping && !news(c))
			pthread_cond_wait(&c->cond, &c->lock);
		if (news(c)) {
			tell(c);
			continue;
		}
		if (!c->count)
			break; /* stopping, and everything is out */
		if (c->stopping && give_up(c)) {
			c->st.unwritten = c->count;
			c->gave_up_ms = elapsed_ms(&c->stop_at);
			break;
		}
		drain_once(c);
	}
	pthread_mutex_unlock(&c->lock);
	return NULL;
}

/* ------------------------------------------------------- life */

/*
 * A non-blocking fd on the same output without touching the flags of fd's
 * open file description (stdout often shares it with stderr and the
 * shell): a pipe, FIFO or terminal is opened again through /proc.  A
 * regular file keeps fd (its writes do not wait for a reader; opening it
 * again would lose the offset).  Anything else that cannot be reopened is
 * written in small pieces after poll().
 */
static void pick_fd(struct console *c)
{
	struct stat st;
	char path[64];
	int fd;

	c->fd = c->cfg.fd;
	if (fstat(c->cfg.fd, &st) || S_ISREG(st.st_mode))
		return;
	snprintf(path, sizeof(path), "/proc/self/fd/%d", c->cfg.fd);
	fd = open(path, O_WRONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
	if (fd >= 0) {
		c->fd = fd;
		c->own_fd = true;
	} else {
		c->blocking = !(fcntl(c->cfg.fd, F_GETFL) & O_NONBLOCK);
	}
}

struct console *console_new(const struct console_config *cfg, char *err,
			    size_t errlen)
{
	struct console *c = calloc(1, sizeof(*c));
	int ret;

	if (!c || cfg->capacity < CONSOLE_HOLD_MAX + 64 || cfg->fd < 0) {
		free(c);
		snprintf(err, errlen, "%s output: %s", cfg->name,
			 c ? "bad configuration" : "out of memory");
		return NULL;
	}
	c->cfg = *cfg;
	if (!c->cfg.close_idle_ms)
		c->cfg.close_idle_ms = CONSOLE_CLOSE_IDLE_MS;
	if (!c->cfg.close_max_ms)
		c->cfg.close_max_ms = CONSOLE_CLOSE_MAX_MS;
	c->buf = malloc(cfg->capacity);
	if (!c->buf) {
		free(c);
		snprintf(err, errlen, "%s output: out of memory", cfg->name);
		return NULL;
	}
	pthread_mutex_init(&c->lock, NULL);
	pthread_cond_init(&c->cond, NULL);
	pthread_cond_init(&c->cb_done, NULL);
	pick_fd(c);
	ret = pthread_create(&c->thread, NULL, drain_thread, c);
	if (ret) {
		snprintf(err, errlen, "%s output: starting its thread: %s",
			 cfg->name, strerror(ret));
		console_free(c);
		return NULL;
	}
	c->started = true;
	return c;
}

void console_close(struct console *c, struct console_stats *st)
{
	if (!c)
		return;
	pthread_mutex_lock(&c->lock);
	if (!c->closed) {
		/* A terminal left in colours the guest chose gets its
		 * default rendition back. */
		if (c->sgr_used && !c->dead)
			emit(c, (const uint8_t *)"\033[0m", 4);
		c->stopping = true;
		clock_gettime(CLOCK_MONOTONIC, &c->stop_at);
		c->progress_at = c->stop_at;
		pthread_cond_signal(&c->cond);
	}
	pthread_mutex_unlock(&c->lock);
	if (c->started && !c->closed)
		pthread_join(c->thread, NULL);
	/* stderr may be the same stalled terminal: say() does not wait. */
	if (!c->closed && c->st.unwritten)
		say("sevboot: %s output: gave up %.1f s after the stop, %llu "
		    "bytes not written (the output was not taking them)\n",
		    c->cfg.name, c->gave_up_ms / 1e3,
		    (unsigned long long)c->st.unwritten);
	c->closed = true;
	if (st)
		*st = c->st;
}

void console_free(struct console *c)
{
	if (!c)
		return;
	console_close(c, NULL);
	if (c->own_fd)
		close(c->fd);
	pthread_cond_destroy(&c->cond);
	pthread_cond_destroy(&c->cb_done);
	pthread_mutex_destroy(&c->lock);
	free(c->buf);
	free(c);
}
