// SPDX-License-Identifier: MIT
/*
 * cli/owner_tool.c `sevboot session --chain`: the platform's whole SEV
 * chain as `sevctl export` writes it (PDH, PEK, OCA, CEK: 4 x 0x824 =
 * 8336 bytes; with --full also ASK and ARK), made from virtee/sev's real
 * Naples and Rome chains in ../shared/testdata, verified up to AMD's ARK
 * before its PDH is used; one byte flipped anywhere a signature covers
 * refuses it (exit 5) with one line naming the failing link, and nothing
 * is written.  It runs bin/sevboot (or $SEVBOOT_BIN).
 */
#include <errno.h>
#include <stdint.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "cli/cli.h"
#include "loader/loader.h"
#include "owner/owner.h"
#include "tests/unit/testutil.h"

#define SEVTD "testdata/virtee/sev/"

/* A chain file made of these files under ../shared, in this order. */
static bool make_chain(const char *path, const char *const *rel)
{
	uint8_t buf[4 * SEV_CERT_LEN + 2 * AMD_CERT_LEN_4096];
	size_t len = 0;

	for (; *rel; rel++) {
		char p[4096];
		struct blob b;

		if (!shared_path(*rel, p, sizeof(p)))
			return false;
		ck_assert_int_eq(file_read(p, 1 << 20, &b, NULL, 0), 0);
		ck_assert_uint_le(len + b.len, sizeof(buf));
		memcpy(buf + len, b.data, b.len);
		len += b.len;
		blob_free(&b);
	}
	ck_assert_int_eq(file_write_atomic(path, buf, len, 0644, true, NULL, 0),
			 0);
	return true;
}

static void flip(const char *path, size_t off)
{
	struct blob b;

	ck_assert_int_eq(file_read(path, 1 << 20, &b, NULL, 0), 0);
	ck_assert_uint_lt(off, b.len);
	b.data[off] ^= 0x01;
	ck_assert_int_eq(
		file_write_atomic(path, b.data, b.len, 0644, true, NULL, 0), 0);
	blob_free(&b);
}

struct dirs {
	char top[64], chain[96], out[96];
};

static void dirs_init(struct dirs *d)
{
	snprintf(d->top, sizeof(d->top), "/tmp/sevboot-session.XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(d->top));
	snprintf(d->chain, sizeof(d->chain), "%s/chain.bin", d->top);
	snprintf(d->out, sizeof(d->out), "%s/out", d->top);
}

/* `sevboot session ARGS...`: its exit code, stdout and stderr. */
static void run_session(struct captured *r, const char *const *args)
{
	const char *bin = sevboot_bin();
	FILE *f1 = tmpfile(), *f2 = tmpfile();
	char *argv[20];
	int n = 0, st;
	pid_t pid;

	ck_assert_ptr_nonnull(bin);
	ck_assert(f1 && f2);
	argv[n++] = (char *)bin;
	argv[n++] = "session";
	while (*args && n < 19)
		argv[n++] = (char *)*args++;
	argv[n] = NULL;
	pid = fork();
	ck_assert_int_ge(pid, 0);
	if (!pid) {
		dup2(fileno(f1), 1);
		dup2(fileno(f2), 2);
		execv(bin, argv);
		_exit(127);
	}
	ck_assert_int_eq(waitpid(pid, &st, 0), pid);
	r->rc = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
	captured_slurp(dup(fileno(f1)), r->out, sizeof(r->out));
	captured_slurp(dup(fileno(f2)), r->err, sizeof(r->err));
	fclose(f1);
	fclose(f2);
}

static void session(struct captured *r, const struct dirs *d, const char *ark)
{
	const char *args[] = {"--chain", d->chain, "--policy",		 "0x1",
			      "--out",	 d->out,   ark ? "--ark" : NULL, ark,
			      NULL};

	run_session(r, args);
}

static bool exists(const char *dir, const char *name)
{
	char p[256];
	struct stat st;

	snprintf(p, sizeof(p), "%s/%s", dir, name);
	return stat(p, &st) == 0;
}

#define CHAIN(gen)                                                             \
	SEVTD "tests/" gen "/pdh.cert", SEVTD "tests/" gen "/pek.cert",        \
		SEVTD "tests/" gen "/oca.cert", SEVTD "tests/" gen "/cek.cert"

static const char *const rome[] = {CHAIN("rome"), NULL};
static const char *const naples[] = {CHAIN("naples"), NULL};
static const char *const rome_full[] = {
	CHAIN("rome"), SEVTD "src/certs/sev/builtin/rome/ask.cert",
	SEVTD "src/certs/sev/builtin/rome/ark.cert", NULL};

#define NEED_CHAIN(d, files)                                                   \
	do {                                                                   \
		if (!sevboot_bin())                                            \
			SKIP_TEST("bin/sevboot is not built");                 \
		if (!make_chain((d)->chain, files))                            \
			SKIP_TEST("no ../shared/" SEVTD " (SEVBOOT_SHARED)");  \
	} while (0)

/* The session is for the chain's PDH: the GODH certificate carries the
 * PDH's API version (sev_owner_session_new). */
static void ck_session_for(const struct dirs *d)
{
	char p[256];
	struct blob pdh, godh, blob;

	ck_assert(exists(d->out, "tek.bin") && exists(d->out, "tik.bin"));
	ck_assert_int_eq(file_read(d->chain, 1 << 20, &pdh, NULL, 0), 0);
	snprintf(p, sizeof(p), "%s/godh.cert", d->out);
	ck_assert_int_eq(file_read(p, 1 << 20, &godh, NULL, 0), 0);
	snprintf(p, sizeof(p), "%s/session.bin", d->out);
	ck_assert_int_eq(file_read(p, 1 << 20, &blob, NULL, 0), 0);
	ck_assert_uint_eq(godh.len, SEV_CERT_LEN);
	ck_assert_uint_eq(blob.len, SEV_SESSION_LEN);
	ck_assert_int_eq(memcmp(godh.data + 4, pdh.data + 4, 2), 0);
	blob_free(&pdh);
	blob_free(&godh);
	blob_free(&blob);
}

START_TEST(test_real_chains)
{
	const char *const *chains[] = {rome, naples, rome_full};

	for (size_t k = 0; k < 3; k++) {
		struct captured r;
		struct dirs d;

		dirs_init(&d);
		NEED_CHAIN(&d, chains[k]);
		session(&r, &d, NULL);
		ck_assert_msg(r.rc == 0, "chain %zu: rc %d: %s", k, r.rc,
			      r.err);
		ck_assert_str_eq(r.err, "");
		ck_session_for(&d);
		rm_tree(d.top);
	}
}
END_TEST

START_TEST(test_sevctl_size)
{
	struct dirs d;
	struct stat st;

	dirs_init(&d);
	NEED_CHAIN(&d, rome);
	ck_assert_int_eq(stat(d.chain, &st), 0);
	ck_assert_int_eq(st.st_size, 8336);
	rm_tree(d.top);
}
END_TEST

/* One byte flipped at off: refused, the link named, nothing written. */
static void ck_refused(const char *const *files, size_t off, const char *ark,
		       const char *link)
{
	struct captured r;
	struct dirs d;
	char want[200];

	dirs_init(&d);
	NEED_CHAIN(&d, files);
	if (off != SIZE_MAX)
		flip(d.chain, off);
	session(&r, &d, ark);
	ck_assert_msg(r.rc == EXIT_SEV, "flip at %zu: rc %d: %s", off, r.rc,
		      r.err);
	snprintf(want, sizeof(want), "the chain does not verify: %s:", link);
	ck_assert_msg(strstr(r.err, want), "flip at %zu: %s", off, r.err);
	ck_assert_ptr_eq(strchr(r.err, '\n'), r.err + strlen(r.err) - 1);
	ck_assert(!exists(d.top, "out"));
	rm_tree(d.top);
}

#define C(n) ((size_t)(n)*SEV_CERT_LEN) /* the n-th certificate */

START_TEST(test_flipped)
{
	/* PDH: its public key, then its signature (slot 1 at 0x414; the
	 * signature 8 bytes in). */
	ck_refused(rome, C(0) + 0x20, NULL, "PDH signed by PEK");
	ck_refused(rome, C(0) + 0x41c + 9, NULL, "PDH signed by PEK");
	/* PEK: its key breaks both of its signatures and the PDH's. */
	ck_refused(rome, C(1) + 0x20, NULL, "PEK signed by OCA");
	ck_refused(rome, C(1) + 0x61c + 9, NULL, "PEK signed by CEK");
	/* OCA, CEK */
	ck_refused(naples, C(2) + 0x41c + 9, NULL, "OCA self-signed");
	/* A CEK no built-in ASK signed: the chain's generation is unknown,
	 * and the link to an ASK is what fails. */
	ck_refused(naples, C(3) + 0x20, NULL, "ASK");
	/* The CEK's signature, with the ASK given (--full). */
	ck_refused(rome_full, C(3) + 0x41c + 9, NULL, "CEK signed by ASK");
	/* --full: the ASK's modulus; the ARK's signature (the ARK is no
	 * longer AMD's built-in one) */
	ck_refused(rome_full, C(4) + AMD_CERT_HDR + 600, NULL,
		   "ASK signed by ARK");
	ck_refused(rome_full, C(4) + AMD_CERT_LEN_4096 + AMD_CERT_LEN_4096 - 5,
		   NULL, "ARK");
}
END_TEST

START_TEST(test_ark_and_gaps)
{
	char p[4096];
	struct captured r;
	struct dirs d;
	static const char *const no_cek[] = {SEVTD "tests/rome/pdh.cert",
					     SEVTD "tests/rome/pek.cert",
					     SEVTD "tests/rome/oca.cert", NULL};

	if (!shared_path(SEVTD "src/certs/sev/builtin/rome/ark.cert", p,
			 sizeof(p)))
		SKIP_TEST("no ../shared/" SEVTD " (SEVBOOT_SHARED)");
	/* --ark: Rome's own, then another generation's. */
	dirs_init(&d);
	NEED_CHAIN(&d, rome);
	session(&r, &d, p);
	ck_assert_msg(r.rc == 0, "%s", r.err);
	rm_tree(d.top);
	ck_assert_ptr_nonnull(shared_path(
		SEVTD "src/certs/sev/builtin/milan/ark.cert", p, sizeof(p)));
	ck_refused(rome, SIZE_MAX, p, "CEK signed by ASK");
	/* A chain without its CEK does not lead to an ARK. */
	ck_refused(no_cek, SIZE_MAX, NULL, "PEK signed by CEK");
	/* --pdh given a chain says to use --chain. */
	dirs_init(&d);
	NEED_CHAIN(&d, rome);
	run_session(&r, (const char *[]){"--pdh", d.chain, "--policy", "1",
					 "--out", d.out, NULL});
	ck_assert_int_eq(r.rc, EXIT_BAD_INPUT);
	ck_assert_ptr_nonnull(strstr(r.err, "give it with --chain"));
	/* --pdh and --chain together, --ark without --chain. */
	run_session(&r,
		    (const char *[]){"--pdh", d.chain, "--chain", d.chain,
				     "--policy", "1", "--out", d.out, NULL});
	ck_assert_int_eq(r.rc, EXIT_USAGE);
	run_session(&r,
		    (const char *[]){"--pdh", d.chain, "--ark", p, "--policy",
				     "1", "--out", d.out, NULL});
	ck_assert_int_eq(r.rc, EXIT_USAGE);
	rm_tree(d.top);
}
END_TEST

static Suite *session_suite(void)
{
	Suite *s = suite_create("session");
	TCase *tc = tcase_create("chain");

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_sevctl_size);
	tcase_add_test(tc, test_real_chains);
	tcase_add_test(tc, test_flipped);
	tcase_add_test(tc, test_ark_and_gaps);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return run_suite(session_suite());
}
