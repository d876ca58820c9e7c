/* SPDX-License-Identifier: MIT */
/*
 * owner/: the guest owner's side of a SEV/SEV-ES launch, a party of its
 * own in the trust model.  It builds on sev/ (struct sev_owner_request
 * and struct sev_owner_reply are the launch's side of the stop; the
 * launch channel's cryptography is sev/'s, shared with the firmware
 * model) and nothing in sev/ or vmm/ includes it.
 *
 * Between LAUNCH_MEASURE and LAUNCH_FINISH sevboot stops and asks the
 * guest owner.  Three groups of calls serve that stop:

 *  - the exchange (owner/exchange.c): sevboot's side of the stop, over
 *    --owner-cmd or --owner-socket, and the line transport both ends use;
 *
 *  - the messages: the request (what the owner is told) and the reply
 *    (the LAUNCH_SECRET packet, or "no secret") as JSON objects, for
 *    --owner-cmd; and the commands and answers of the QMP-like socket
 *    protocol of --owner-socket.  doc/owner-protocol.md is the reference.
 *  - the owner's cryptography: a session for the platform's PDH key, the
 *    LAUNCH_MEASURE check, and sealing an EFI secret table.
 *
 * Every function returns 0 or a negative errno.  Functions that take
 * err/errlen (either may be NULL/0) put one sentence there on failure,
 * without a trailing period and without a prefix, so that the caller can
 * say "sevboot: owner: <err>"; the parsers leave "" there on success.
 * Messages come back malloc'ed and
 * NUL-terminated, without a newline; the caller frees them.
 *
 * TEK and TIK are secrets: a struct sev_owner_session must be wiped with
 * sev_owner_session_wipe(); these functions wipe every copy they make and
 * never print a key or a plaintext secret.
 */
#ifndef SEVBOOT_OWNER_H
#define SEVBOOT_OWNER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "sev/sev.h"

/* The protocol version in the socket greeting. */
#define SEV_OWNER_PROTOCOL 1

/*
 * The longest message either protocol carries (one JSON object; on the
 * socket, one line without its newline).  A sealed secret of
 * SEV_SECRET_MAX bytes takes 27 KiB of base64.
 */
#define SEV_OWNER_MSG_MAX 65536

/* ------------------------------------------------- request and reply */

/*
 * The request as one JSON object:
 *   {"mode":"sev","policy":1,"handle":1,"api-major":1,"api-minor":55,
 *    "build-id":25,"measurement":"<base64 of the 48 bytes>",
 *    "expected-digest":"<64 hex digits>","secret-gpa":8388608,
 *    "secret-size":3072,"firmware-model":false}
 * "measurement" is what QMP's query-sev-launch-measure calls "data":
 * MEASURE(32) || MNONCE(16).  -ENOMEM, or -EINVAL for a mode that is not
 * sev, seves or snp.
 */
int sev_owner_request_encode(const struct sev_owner_request *req, char **out);

/*
 * The owner side's reading of a request: every member above present, of
 * its type and range, nothing else.  0, -EINVAL with err, -E2BIG, -ENOMEM.
 * req is zeroed on failure.
 */
int sev_owner_request_parse(const char *text, size_t len,
			    struct sev_owner_request *req, char *err,
			    size_t errlen);

/*
 * A reply as one JSON object.  A secret (QMP's sev-inject-launch-secret
 * arguments):
 *   {"packet-header":"<base64 of 52 bytes>","secret":"<base64>"}
 * with "gpa":N when the owner chose where it goes (has_gpa).  No secret:
 *   {"secret":null}
 * which the parser also accepts as {}.
 */
int sev_owner_reply_encode(const struct sev_owner_reply *rep, char **out);

/*
 * Parse a reply into rep (which must not hold a secret: see
 * sev_owner_reply_free).  Refused: anything but an object; unknown members
 * (a misspelt "packet_header" must not read as "no secret"); a header
 * without a secret or the reverse; a header that is not 52 bytes; a
 * secret that is not 16 to SEV_SECRET_MAX bytes in multiples of 16;
 * "gpa" without a secret, or not a non-negative integer.  0, -EINVAL with
 * err, -E2BIG, -ENOMEM; rep is empty (no secret) on failure.
 */
int sev_owner_reply_parse(const char *text, size_t len,
			  struct sev_owner_reply *rep, char *err,
			  size_t errlen);

/*
 * Can sevboot inject rep's secret into the launch req describes?  0 when
 * rep has none.  Refused (-EINVAL with err): an SNP launch; a secret of a
 * length the firmware refuses; a gpa that is not 16-byte aligned; no gpa
 * and no secret area in the firmware (secret_gpa 0); a secret that does
 * not fit the secret area when it goes there (no gpa, or a gpa inside the
 * area).  A gpa elsewhere is the launcher's to check against guest RAM.
 */
int sev_owner_reply_check(const struct sev_owner_request *req,
			  const struct sev_owner_reply *rep, char *err,
			  size_t errlen);

/* ------------------------------------------------ the socket protocol */

/*
 * The commands, one JSON object a line: {"execute":"NAME"} or, for
 * sev-inject-launch-secret, {"execute":NAME,"arguments":{...}}, with an
 * optional "id" (a string of at most 64 bytes, or an integer) that the
 * answer repeats, as QMP does.
 */
enum sev_owner_cmd_id {
	SEV_OWNER_CMD_CAPABILITIES,  /* "qmp_capabilities": accepted, no-op */
	SEV_OWNER_CMD_QUERY_SEV,     /* "query-sev" */
	SEV_OWNER_CMD_QUERY_MEASURE, /* "query-sev-launch-measure" */
	SEV_OWNER_CMD_QUERY_LAUNCH,  /* "query-sevboot-launch" */
	SEV_OWNER_CMD_INJECT,	     /* "sev-inject-launch-secret" */
	SEV_OWNER_CMD_CONT,	     /* "cont": the stop ends */
	/* QEMU's, SEV/SEV-ES: {"mnonce":"<base64 of 16 bytes>"} */
	SEV_OWNER_CMD_ATTEST_SEV, /* "query-sev-attestation-report" */
	/* sevboot's, SNP on the firmware model: {"report-data":"<base64 of
	 * 1 to 64 bytes, zero-padded to 64>","vmpl":N (0-3, default 0)} */
	SEV_OWNER_CMD_ATTEST_SNP, /* "query-snp-attestation-report" */
};

/* An "id" as JSON text: a string of 64 bytes, each escaped as \u00XX at
 * worst, in quotes; or an integer. */
#define SEV_OWNER_TAG_MAX 392

struct sev_owner_cmd {
	enum sev_owner_cmd_id id;
	struct sev_owner_reply secret; /* INJECT: its arguments */
	char tag[SEV_OWNER_TAG_MAX];   /* the "id" as JSON text; "" if none */
	/* ATTEST_SEV: the mnonce (16 bytes); ATTEST_SNP: report_data. */
	uint8_t nonce[64];
	uint32_t vmpl; /* ATTEST_SNP */
};

/* "query-sev", ...; NULL for a value outside the enum. */
const char *sev_owner_cmd_name(enum sev_owner_cmd_id id);

/*
 * Parse one command line into c (sev_owner_cmd_free it after a success).
 * The arguments of sev-inject-launch-secret are read as
 * sev_owner_reply_parse reads a reply, except that a secret is required;
 * other commands take no arguments ({} allowed).  -EINVAL with err, the
 * "desc" of the error answer; c->tag is set even then when the line had a
 * usable "id".  -E2BIG past SEV_OWNER_MSG_MAX; -ENOMEM.
 */
int sev_owner_cmd_parse(const char *text, size_t len, struct sev_owner_cmd *c,
			char *err, size_t errlen);
void sev_owner_cmd_free(struct sev_owner_cmd *c);

/* A command line for c (the client's side): c->secret for INJECT (with
 * "gpa" when has_gpa), c->tag when not empty (it must be JSON text). */
int sev_owner_cmd_encode(const struct sev_owner_cmd *c, char **out);

/*
 * The greeting sevboot sends first:
 *   {"sevboot":{"version":"<version>","protocol":1}}
 * version NULL: "unknown".
 */
int sev_owner_greeting(const char *version, char **out);
/* The client's check of it: an object with a "sevboot" object whose
 * "protocol" is SEV_OWNER_PROTOCOL.  -EINVAL with err otherwise. */
int sev_owner_greeting_parse(const char *text, size_t len, char *err,
			     size_t errlen);

/*
 * The success answer to c for the launch req:
 *   query-sev: {"return":{"enabled":true,"api-major":..,"api-minor":..,
 *     "build-id":..,"policy":..,"handle":..,"state":"launch-secret",
 *     "firmware-model":bool}}
 *   query-sev-launch-measure: {"return":{"data":"<base64 of 48 bytes>"}}
 *   query-sevboot-launch: {"return":<the request object>}
 *   the report commands: -EINVAL (sev_owner_answer_report answers them)
 *   the others: {"return":{}}
 * with "id" after "return" when c->tag is set.
 */
int sev_owner_answer(const struct sev_owner_request *req,
		     const struct sev_owner_cmd *c, char **out);
/* The answer to ATTEST_SEV/ATTEST_SNP: {"return":{"data":"<base64 of
 * the report>"}} (+ "id"), as QEMU's query-sev-attestation-report. */
int sev_owner_answer_report(const struct sev_owner_cmd *c,
			    const uint8_t *report, size_t len, char **out);
/* The client's reading of it: exactly want bytes into report; -EREMOTEIO
 * for an "error" answer (its desc in err), -EINVAL with err otherwise. */
int sev_owner_answer_report_parse(const char *text, size_t len,
				  enum sev_owner_cmd_id id, uint8_t *report,
				  size_t want, char *err, size_t errlen);
/* {"error":{"class":"GenericError","desc":desc}} (+ "id": tag unless tag
 * is NULL or ""). */
int sev_owner_answer_error(const char *tag, const char *desc, char **out);

/*
 * The client's reading of the answer to a command id.  0 for a "return"
 * of the shape above: QUERY_LAUNCH fills all of req; QUERY_SEV its
 * policy, handle, api and build fields and model; QUERY_MEASURE its
 * launch_measure; the others (req may be NULL) want {}.
 * -EREMOTEIO for an "error" answer: err holds its desc (printable ASCII,
 * other bytes as '?').
 * -EINVAL with err for anything else.
 */
int sev_owner_answer_parse(const char *text, size_t len,
			   enum sev_owner_cmd_id id,
			   struct sev_owner_request *req, char *err,
			   size_t errlen);

/* ---------------------------------------------- the owner's cryptography */

/* A launch session: what the host gets (godh_cert, session) and what the
 * owner keeps (tek, tik: secrets). */
struct sev_owner_session {
	uint8_t godh_cert[SEV_CERT_LEN];
	uint8_t session[SEV_SESSION_LEN];
	uint8_t tek[SEV_KEY_LEN];
	uint8_t tik[SEV_KEY_LEN];
};

/*
 * A new session for the platform whose PDH certificate is pdh (pdh_len
 * must be SEV_CERT_LEN) and the guest policy policy: a fresh P-384
 * GODH key pair (its certificate unsigned, with the PDH's API version),
 * fresh random nonce, wrap IV, TEK and TIK, the session blob wrapping
 * them for ECDH(GODH, PDH) and MACing policy.  The PDH is checked as the
 * firmware checks it (usage PDH, ECDH, P-384, a point on the curve; its
 * signature chain is not: verify the platform's chain first).  0, -EINVAL
 * with err for a bad certificate, -ENOMEM/-EIO when OpenSSL fails; s is
 * zeroed on failure.
 */
int sev_owner_session_new(const uint8_t *pdh, size_t pdh_len, uint32_t policy,
			  struct sev_owner_session *s, char *err,
			  size_t errlen);
/* Wipes the whole structure (OPENSSL_cleanse). */
void sev_owner_session_wipe(struct sev_owner_session *s);

/*
 * Does the firmware's LAUNCH_MEASURE in req (MEASURE || MNONCE) equal
 * HMAC-SHA256(tik, 0x04 || req's api major, minor, build || req's policy
 * || digest || MNONCE)?  digest is the owner's own expectation of the
 * launch digest (sevboot measure), NOT req->expected_digest, which the
 * host wrote.  Compared in constant time.  0 when it does; -EBADMSG when
 * it does not (err: "measurement mismatch: ..."); -EINVAL for an SNP
 * request (SNP has no LAUNCH_MEASURE); -ENOMEM/-EIO.
 */
int sev_owner_verify(const uint8_t tik[SEV_KEY_LEN],
		     const struct sev_owner_request *req,
		     const uint8_t digest[32], char *err, size_t errlen);

/* One secret for the guest: an EFI secret table entry. */
struct sev_owner_secret {
	struct guid guid; /* guid_parse() makes it from text */
	const uint8_t *data;
	size_t len;
};

/*
 * Seal n secrets for the launch req into rep (which must not hold a
 * secret): the EFI secret table of the n entries (Linux efi_secret.c,
 * zero-padded to 16 bytes), encrypted with tek under a fresh random IV
 * and MACed with tik over the firmware's MEASURE, for req's secret area
 * (rep->has_gpa false).  n == 0 gives the "no secret" reply.  Call it only
 * after sev_owner_verify() accepted req.  -EINVAL with err: an SNP
 * request, no secret area, a table larger than the area or than
 * SEV_SECRET_MAX; -ENOMEM/-EIO.  The plaintext table is wiped.
 */
int sev_owner_seal(const uint8_t tek[SEV_KEY_LEN],
		   const uint8_t tik[SEV_KEY_LEN],
		   const struct sev_owner_request *req,
		   const struct sev_owner_secret *s, size_t n,
		   struct sev_owner_reply *rep, char *err, size_t errlen);

/* The padded size of the secret table of these n entries, or 0 when it
 * would not fit in 32 bits. */
size_t sev_owner_table_size(const struct sev_owner_secret *s, size_t n);

/* ------------------------------------------------------ the exchange */

#define OWNER_TIMEOUT_DEFAULT 600 /* seconds */

struct owner_opts {
	/* Exactly one of the two: */
	const char *cmd;	 /* --owner-cmd CMD: run with /bin/sh -c */
	const char *socket_path; /* --owner-socket PATH: listen there */
	unsigned timeout_s;  /* the whole exchange; 0: OWNER_TIMEOUT_DEFAULT */
	const char *version; /* sevboot's, for the socket greeting; NULL ok */
	/* A signalfd for the signals that stop sevboot (above 0; 0: none):
	 * when it is readable, the exchange ends at once with -EINTR, the
	 * command killed and reaped, the socket removed.  It is not read,
	 * so the signal stays pending for the caller to see. */
	int cancel_fd;
	/* --owner-socket: the launch's attestation report, for
	 * query-sev-attestation-report (c->id ATTEST_SEV, c->nonce the
	 * mnonce) and query-snp-attestation-report (ATTEST_SNP, report_data
	 * and vmpl): into report (room for SNP_REPORT_LEN), its length in
	 * *len.  0, or -errno with err, which the client is told.  NULL:
	 * both commands are refused. */
	int (*attest)(void *ctx, const struct sev_owner_cmd *c, uint8_t *report,
		      size_t *len, char *err, size_t errlen);
	void *attest_ctx;
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
 * the reply.  It runs in its own process group; when sevboot stops it
 * (timeout, cancel_fd, too much output) the group gets SIGTERM, then
 * SIGKILL after 0.5 s; the shell is always reaped.
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
 *   -EINTR         o->cancel_fd became readable (a signal to stop)
 *   -ECANCELED     the owner refused: CMD failed (non-zero exit, killed),
 *                  or the socket client left without "cont"
 *   other -errno   a local failure (memory, fork, socket calls)
 */
int owner_exchange(const struct owner_opts *o,
		   const struct sev_owner_request *req,
		   struct sev_owner_reply *rep, char *err, size_t errlen);

/*
 * The two exchanges, each past its set-up: what owner_exchange() does once
 * the command is started, or once the socket's one client is accepted.
 * Both check o, clear rep and free it on failure as owner_exchange() does,
 * and return what it returns.
 *
 * An --owner-cmd command already started (o->cmd names it in errors): in,
 * its stdin (a stream socket: the request and a newline are sent there,
 * never raising SIGPIPE), out, its stdout (the reply), and its process:
 * pid (its own process group's id, as owner_exchange() starts it) with
 * pidfd (or -1: then it is looked at every 100 ms), or pid -1 for a
 * command that has already exited and been reaped, with wait status
 * status (what it wrote is then read from out up to EAGAIN or end of file).
 * The ends are taken over whatever happens: closed, and the process
 * stopped and reaped as owner_exchange() does; *e is left empty (-1s).
 */
struct owner_cmd_ends {
	int in, out;
	pid_t pid;
	int pidfd;
	int status;
};

int owner_exchange_cmd_ends(const struct owner_opts *o,
			    struct owner_cmd_ends *e,
			    const struct sev_owner_request *req,
			    struct sev_owner_reply *rep, char *err,
			    size_t errlen);

/* The --owner-socket session with one connected client on cfd (a stream
 * socket; o->socket_path names it in errors): the greeting, commands until
 * "cont".  cfd stays open: the caller closes it. */
int owner_exchange_client(const struct owner_opts *o, int cfd,
			  const struct sev_owner_request *req,
			  struct sev_owner_reply *rep, char *err,
			  size_t errlen);

/* -------------------------------------------- line transport (shared) */

/* Milliseconds on CLOCK_MONOTONIC. */
int64_t owner_now_ms(void);

/* Lines of at most SEV_OWNER_MSG_MAX bytes from a non-blocking fd. */
struct owner_reader {
	int fd;
	char *buf; /* cap bytes, malloc'ed by owner_reader_init, grown up
		    * to SEV_OWNER_MSG_MAX + 1 as lines need */
	size_t len, consumed, cap;
	bool discard; /* skipping the rest of an over-long line */
	int cancel_fd; /* readable: owner_read_line() returns -EINTR; 0 none */
};

int owner_reader_init(struct owner_reader *r, int fd);
void owner_reader_free(struct owner_reader *r);
/*
 * The next non-empty line (without its newline, NUL-terminated, valid
 * until the next call) by deadline (owner_now_ms() time).  0; -E2BIG for
 * a line longer than SEV_OWNER_MSG_MAX (skipped); -ETIMEDOUT; -ECONNRESET
 * at the end of the stream (a last line without newline is dropped);
 * -ENOMEM; or the -errno of poll/read.
 */
int owner_read_line(struct owner_reader *r, int64_t deadline, char **line,
		    size_t *len);
/* text and a newline, by deadline, without SIGPIPE.  0, -ETIMEDOUT, -EPIPE
 * (the peer is gone), or another -errno. */
int owner_send_line(int fd, const char *text, int64_t deadline);

/* ------------------------------------------ the owner's end of a socket */

/* What the owner does with the launch it is shown: 0 with rep filled
 * (rep->inject false: no secret), or non-zero to refuse (the decider has
 * said why). */
struct owner_client {
	int (*decide)(void *ctx, const struct sev_owner_request *req,
		      struct sev_owner_reply *rep);
	void *ctx;
	/*
	 * Ask for the launch's attestation report after the decision and
	 * before the secret: SEV/SEV-ES with a fresh random mnonce
	 * (query-sev-attestation-report; the report must carry it), SNP
	 * with report_data (query-snp-attestation-report).  report has room
	 * for SNP_REPORT_LEN bytes; *report_len gets the length.
	 */
	bool attest;
	uint8_t report_data[64];
	uint8_t *report;
	size_t *report_len;
};

/*
 * Talk to sevboot's --owner-socket at path until deadline (owner_now_ms()
 * time): the greeting, the launch, oc's decision, the secret, "cont".
 * 0 when sevboot took "cont"; otherwise err holds one sentence and:
 *   -ECANCELED      oc refused (it said why itself; err is untouched)
 *   -ETIMEDOUT      sevboot did not answer in time
 *   -ECONNRESET     sevboot closed the connection or sent no greeting
 *   -EREMOTEIO      sevboot refused a command (its reason in err)
 *   -EBADMSG        an answer sevboot sent is malformed
 *   -ENOENT, -ECONNREFUSED, -ENOTSOCK, -ENAMETOOLONG
 *                   nobody listens at path, or it is no socket
 *   other -errno    a local failure
 */
int owner_client_run(const char *path, int64_t deadline,
		     const struct owner_client *oc, char *err, size_t errlen);

/* ------------------------------------------------ trust: the verdicts */

/*
 * What the guest owner checks before trusting a platform or a guest:
 * AMD's certificate chains (owner/cert.c for the SEV formats, owner/x509.c
 * for SNP's X.509 certificates, with AMD's roots built in: owner/roots.c)
 * and attestation reports (owner/report.c).  A verification does every
 * check it can and records each one in a struct trust_result, so that a
 * command prints them all: a failed check says what was expected and what
 * was found.  The functions return 0 when they could check (whatever the
 * verdict; result->failed counts the failures), -EINVAL for input they
 * cannot read (err says why; "" on success), -ENOMEM.
 */
#define TRUST_MAX_CHECKS 40
#define TRUST_TEXT	 400

struct trust_check {
	char what[64]; /* "ASK signed by ARK", "measurement" */
	bool ok;
	char text[TRUST_TEXT]; /* on failure: expected ..., found ... */
};

struct trust_result {
	struct trust_check check[TRUST_MAX_CHECKS];
	unsigned n, failed;
	bool expired; /* one of the failures is a certificate's validity */
};

void trust_result_init(struct trust_result *r);
/* Record one check (what: a short name; fmt: the detail, may be NULL). */
void trust_add(struct trust_result *r, bool ok, const char *what,
	       const char *fmt, ...) __attribute__((format(printf, 4, 5)));

/* The AMD product generations, oldest first. */
enum amd_product {
	AMD_NAPLES,
	AMD_ROME,
	AMD_MILAN,
	AMD_GENOA,
	AMD_TURIN,
	AMD_NPRODUCTS,
	AMD_PRODUCT_UNKNOWN = -1,
};
const char *amd_product_name(int p); /* "Milan"; "unknown" */
/* "Milan" (any case) -> AMD_MILAN, or AMD_PRODUCT_UNKNOWN. */
int amd_product_parse(const char *s, size_t len);

/*
 * AMD's published roots, built into sevboot (owner/roots/, embedded by
 * owner/roots.c): the ARK and ASK of every generation in the AMD CA
 * format (SEV API 55766), and for Milan, Genoa and Turin the
 * X.509 ARK, ASK and ASVK in PEM (AMD KDS spec
 * 57230).  NULL/0 when there is none.
 */
enum amd_root {
	AMD_ROOT_SEV_ARK, /* AMD CA format */
	AMD_ROOT_SEV_ASK,
	AMD_ROOT_SNP_ARK, /* X.509, PEM */
	AMD_ROOT_SNP_ASK,
	AMD_ROOT_SNP_ASVK,
};
const uint8_t *amd_root(int product, enum amd_root which, size_t *len);

/* ---------------------------------- trust: SEV certificates (cert.c) */

/* The AMD CA certificate (ARK, ASK; SEV API 55766; AMD-ASPFW
 * amd_cert.h amd_cert_t): little-endian, RSA-2048 (Naples) or RSA-4096. */
#define AMD_CERT_HDR	     0x40
#define AMD_CERT_LEN_2048    (AMD_CERT_HDR + 3 * 256) /* 832 */
#define AMD_CERT_LEN_4096    (AMD_CERT_HDR + 3 * 512) /* 1600 */
#define AMD_CERT_NAPLES_BARE (AMD_CERT_HDR + 2 * 256) /* 576, unsigned */
#define AMD_USAGE_ARK	     0x0000
#define AMD_USAGE_ASK	     0x0013

struct amd_cert {
	uint8_t raw[AMD_CERT_LEN_4096];
	size_t len; /* 832 or 1600 */
	uint8_t key_id[16], certifying_id[16];
	uint32_t usage; /* AMD_USAGE_ARK, AMD_USAGE_ASK */
	uint32_t pubexp_bits, modulus_bits;
	bool completed; /* the 576-byte Naples ARK, signature added */
};

/*
 * One AMD CA certificate at the start of p[0..len): *used gets its length
 * (NULL: it must be all of p).  The Naples ARK as AMD first published it
 * (576 bytes, no signature; AMDESE/AMDSEV issue 17) is taken only when it
 * is exactly the built-in one's first 576 bytes, and completed with its
 * known signature.  -EINVAL with err.
 */
int amd_cert_parse(const uint8_t *p, size_t len, size_t *used,
		   struct amd_cert *c, char *err, size_t errlen);
/* The generation whose built-in ARK has c's key id (ARK) or certifying id
 * (ASK), or AMD_PRODUCT_UNKNOWN. */
int amd_cert_product(const struct amd_cert *c);
/*
 * c signed by signer: c's certifying id is signer's key id and its
 * RSASSA-PSS signature (MGF1 with the same hash, salt = hash length;
 * SHA-256 for 2048-bit keys, SHA-384 for 4096-bit ones) verifies.
 * 0; -EBADMSG (why says which); -ENOMEM.
 */
int amd_cert_verify(const struct amd_cert *signer, const struct amd_cert *c,
		    char *why, size_t whylen);

/* A SEV certificate's signer: another SEV certificate, or the ASK. */
struct sev_signer {
	const uint8_t *sev;	    /* SEV_CERT_LEN bytes, or NULL */
	const struct amd_cert *amd; /* or this */
};
/*
 * cert (SEV_CERT_LEN bytes) signed by s: the slot whose usage and
 * algorithm are the signer's (either slot; AMD-ASPFW sev_cert.c
 * sev_cert_validate_sig()), ECDSA P-384 with R and S little-endian, or
 * RSASSA-PSS from the ASK, over the body [0, 0x414).  0; -EBADMSG (why
 * says which: no such slot, a malformed slot, a bad signature); -ENOMEM.
 */
int sev_cert_verify(const uint8_t *cert, const struct sev_signer *s, char *why,
		    size_t whylen);

/* A SEV chain as files hold it; NULL: not given. */
struct sev_chain {
	const uint8_t *pdh, *pek, *oca, *cek; /* SEV_CERT_LEN each */
	const struct amd_cert *ask, *ark;
};
/*
 * Put every certificate in p[0..len) into ch: one SEV certificate
 * (0x824 bytes, by its usage), one AMD CA certificate, or a concatenation
 * (sevctl export: PDH, PEK, OCA, CEK, then ASK and ARK with --full).  amd
 * holds room for the AMD certificates (two).  -EINVAL with err for
 * anything else, and for a second certificate of one kind.
 */
int sev_chain_add(struct sev_chain *ch, struct amd_cert amd[2],
		  const uint8_t *p, size_t len, char *err, size_t errlen);
/*
 * Check ch up to an ARK: root (--ark) when given, else AMD's built-in ARK
 * of the generation that signed it; ASK and ARK are the built-in ones
 * when ch has none.  Every link present is checked (ARK self, ARK -> ASK,
 * ASK -> CEK, OCA self, OCA -> PEK, CEK -> PEK, PEK -> PDH), and a link
 * that is missing between the certificates given and the root fails.
 * *product: the generation found, or AMD_PRODUCT_UNKNOWN.
 */
int sev_chain_verify(const struct sev_chain *ch, const struct amd_cert *root,
		     struct trust_result *r, int *product);

/* --------------------------------- trust: SNP certificates (x509.c) */

/* What a certificate is, by its subject (AMD KDS spec 57230). */
enum snp_cert_kind {
	SNP_CERT_ARK,  /* CN=ARK-<product>, self-signed */
	SNP_CERT_ASK,  /* CN=SEV-<product> */
	SNP_CERT_ASVK, /* CN=SEV-VLEK-<product> */
	SNP_CERT_VCEK, /* CN=SEV-VCEK */
	SNP_CERT_VLEK, /* CN=SEV-VLEK */
	SNP_CERT_OTHER,
};

struct x509_st;
/* An SNP chain: the certificates found, each owned by it. */
struct snp_chain {
	struct x509_st *ark, *ask, *asvk, *vek;
	bool vek_is_vlek;
	int product; /* from the certificates' names, or unknown */
};
void snp_chain_free(struct snp_chain *ch);
/* Is p[0..len) X.509 (PEM text or a DER SEQUENCE)? */
bool snp_cert_looks_x509(const uint8_t *p, size_t len);
/*
 * Every certificate of p[0..len) (one DER certificate, or PEM with any
 * number, e.g. a KDS cert_chain) into ch by its kind.  -EINVAL with err
 * (not X.509, an unknown kind, a second certificate of one kind).
 */
int snp_chain_add(struct snp_chain *ch, const uint8_t *p, size_t len, char *err,
		  size_t errlen);

/* The VCEK/VLEK extensions (AMD KDS spec 57230, VCEK extensions; OIDs
 * 1.3.6.1.4.1.3704.1.x). */
#define SNP_SPL_FMC 9 /* 1.3.6.1.4.1.3704.1.3.9, Turin */
struct snp_vek_ext {
	char product_name[32]; /* .1.2, "Milan-B0"; "" when absent */
	bool has_spl[10];      /* .1.3.1 bl .2 tee .3 snp .4-.7 spl4-7
				  .8 ucode .9 fmc */
	uint32_t spl[10];
	uint8_t hwid[64]; /* .1.4: 64 bytes, 8 on Turin */
	size_t hwid_len;  /* 0: absent (a VLEK) */
};
/* -EINVAL with err for a malformed extension (both hwID encodings are
 * read: the raw 64 bytes, and an OCTET STRING). */
int snp_vek_extensions(struct x509_st *vek, struct snp_vek_ext *e, char *err,
		       size_t errlen);

/*
 * Check ch at time at: root (--ark; X.509) when given, else AMD's
 * built-in ARK of ch's product; the ASK/ASVK built in when ch has none.
 * ARK self-signed, ARK -> ASK (or ASVK), ASK -> VCEK (ASVK -> VLEK), all
 * RSASSA-PSS SHA-384, each certificate valid at time at (an expired one
 * fails with r->expired set).
 */
int snp_chain_verify(const struct snp_chain *ch, struct x509_st *root,
		     int64_t at, struct trust_result *r);

/* ----------------------------------------- trust: reports (report.c) */

/* The SNP attestation report (SNP ABI 56860 ATTESTATION_REPORT;
 * AMD-ASPFW sev_rmp.h snp_attestation_report_t). */
#define SNP_REPORT_LEN	   0x4a0
#define SNP_REPORT_SIGNED  0x2a0 /* bytes [0, 0x2a0) are signed */
#define SEV_ATT_REPORT_LEN 0xd0	 /* SEV API 55766 ATTESTATION */

struct snp_report {
	uint32_t version, guest_svn;
	uint64_t policy;
	uint8_t family_id[16], image_id[16];
	uint32_t vmpl, sig_algo;
	uint64_t current_tcb, platform_info;
	uint32_t flags; /* bit 0 AUTHOR_KEY_EN, 1 MASK_CHIP_KEY, 4:2 key */
	uint8_t report_data[64], measurement[48], host_data[32];
	uint8_t id_key_digest[48], author_key_digest[48];
	uint8_t report_id[32], report_id_ma[32];
	uint64_t reported_tcb;
	uint8_t cpuid_fam, cpuid_mod, cpuid_step; /* v3+ */
	uint8_t chip_id[64];
	uint64_t committed_tcb;
	uint8_t current_build, current_minor, current_major;
	uint8_t committed_build, committed_minor, committed_major;
	uint64_t launch_tcb;
	uint64_t launch_mit_vector, current_mit_vector; /* v5 */
	uint8_t sig_r[72], sig_s[72];
};
#define SNP_SIGNING_KEY(flags) (((flags) >> 2) & 7) /* 0 VCEK, 1 VLEK */

/*
 * A report as files hold it: the raw bytes, or hex text (white space
 * ignored).  *raw gets SNP_REPORT_LEN or SEV_ATT_REPORT_LEN bytes and
 * *rawlen which.  -EINVAL with err.
 */
int trust_report_read(const uint8_t *p, size_t len, uint8_t *raw, size_t cap,
		      size_t *rawlen, char *err, size_t errlen);
/* The fields of an SNP report (SNP_REPORT_LEN bytes).  -EINVAL with err
 * for a version sevboot does not know (2, 3 and 5 are known) or
 * reserved bytes that are not zero. */
int snp_report_parse(const uint8_t *raw, struct snp_report *rep, char *err,
		     size_t errlen);
/* The generation of a report: its CPUID fields (v3+), else the shape
 * of its chip id (Turin's has 8 bytes), else unknown. */
int snp_report_product(const struct snp_report *rep);

/* A TCB_VERSION's parts (SNP ABI 56860 TCB_VERSION; Linux psp-sev.h:
 * Milan/Genoa and Turin lay them out differently). */
struct snp_tcb {
	uint8_t fmc, bl, tee, snp, ucode;
};
void snp_tcb_split(uint64_t tcb, int product, struct snp_tcb *t);

/* What the user expects of a report; have_* says what was given. */
struct snp_expect {
	bool have_measurement, have_report_data, have_host_data, have_policy;
	bool have_vmpl, have_family_id, have_image_id, have_id_key_digest;
	bool have_author_key_digest, have_min_tcb;
	uint8_t measurement[48]; /* SEV: the first 32 (launch digest) */
	uint8_t report_data[64], host_data[32];
	uint64_t policy;
	uint32_t vmpl;
	uint8_t family_id[16], image_id[16];
	uint8_t id_key_digest[48], author_key_digest[48];
	struct snp_tcb min_tcb;
	/* SEV reports: the MNONCE the report was asked for with (SEV API
	 * 55766 ATTESTATION copies it from the command). */
	bool have_mnonce;
	uint8_t mnonce[16];
};

/*
 * Verify an SNP report: its signature (ECDSA P-384 SHA-384 over
 * [0, 0x2a0), R and S little-endian) with the chain's VCEK or VLEK, the
 * chain itself (snp_chain_verify), the report against the VEK's
 * extensions (chip_id = hwID, reported_tcb = the TCB SPLs; a VLEK binds
 * no chip) and the expectations.
 */
int snp_report_verify(const uint8_t raw[SNP_REPORT_LEN],
		      const struct snp_chain *ch, struct x509_st *root,
		      int64_t at, const struct snp_expect *x,
		      struct trust_result *r, char *err, size_t errlen);

/* The SEV ATTESTATION command's report (SEV API 55766; AMD-ASPFW
 * sev_mcmd_attestation_report_t): 208 bytes. */
struct sev_att_report {
	uint8_t mnonce[16], launch_digest[32];
	uint32_t policy, sig_usage, sig_algo;
	uint8_t sig[SEV_ECDSA_SIG_LEN];
};
int sev_att_report_parse(const uint8_t raw[SEV_ATT_REPORT_LEN],
			 struct sev_att_report *rep, char *err, size_t errlen);
/*
 * Verify a SEV report: the PEK's ECDSA P-384 SHA-256 signature over
 * [0, 0x34), the PEK's chain (sev_chain_verify, with root), and the
 * expectations (measurement = the launch digest, policy, mnonce).
 */
int sev_att_report_verify(const uint8_t raw[SEV_ATT_REPORT_LEN],
			  const struct sev_chain *ch,
			  const struct amd_cert *root,
			  const struct snp_expect *x, struct trust_result *r,
			  char *err, size_t errlen);

/* --------------------------------------- trust: AMD's KDS (kds.c) */

/*
 * AMD's Key Distribution Service (KDS interface spec 57230, chapter 4):
 * the VCEK of one chip at one TCB, and each product's CA chain and CRL,
 * for the VCEK (ASK) or the VLEK (ASVK), over HTTPS:
 *   GET /{vcek|vlek}/v1/{product}/cert_chain   PEM: ASK (or ASVK), ARK
 *   GET /{vcek|vlek}/v1/{product}/crl          DER: the ARK's CRL
 *   GET /vcek/v1/{product}/{hwID}?blSPL=..&teeSPL=..&snpSPL=..&ucodeSPL=..
 *                                              DER: the VCEK
 * hwID is the report's CHIP_ID in lower-case hex (64 bytes; the first 8
 * on Turin, whose VCEK URL also carries fmcSPL).
 */
#define KDS_URL_DEFAULT "https://kdsintf.amd.com"
#define KDS_ANSWER_MAX	(1 << 20) /* no KDS answer is larger */

enum kds_what {
	KDS_CA,	  /* cert_chain */
	KDS_VCEK, /* one chip's VCEK */
	KDS_CRL,  /* crl */
};

struct kds_query {
	enum kds_what what;
	bool vlek;   /* KDS_CA, KDS_CRL: the VLEK's (ASVK) */
	int product; /* AMD_MILAN, AMD_GENOA, AMD_TURIN */
	uint8_t hwid[64]; /* KDS_VCEK */
	size_t hwid_len;  /* 64, 8 on Turin */
	struct snp_tcb tcb; /* KDS_VCEK: the report's REPORTED_TCB */
};

/*
 * The VCEK query of an SNP report (raw, SNP_REPORT_LEN bytes): product
 * (AMD_PRODUCT_UNKNOWN: the report's, snp_report_product()), hwID from
 * CHIP_ID, TCB from REPORTED_TCB.  -EINVAL with err: a report that does
 * not parse, a product it does not name (give one), an all-zero CHIP_ID
 * (MASK_CHIP_ID, or a VLEK's report).
 */
int kds_query_vcek(const uint8_t *raw, int product, struct kds_query *q,
		   char *err, size_t errlen);
/* The URL's path and query, "/vcek/v1/Milan/cert_chain".  -ENAMETOOLONG,
 * -EINVAL (a product KDS has no SNP keys for). */
int kds_path(const struct kds_query *q, char *out, size_t len);
/* Where the answer goes in a cache directory, relative to it:
 * "vcek/Milan/cert_chain.pem", "vcek/Milan/<hwID>/bl03-tee00-snp08-
 * ucode115.der". */
int kds_cache_name(const struct kds_query *q, char *out, size_t len);
/* What the answer is called for the user: "the VCEK cert_chain (ASK and
 * ARK)", "the VCEK", "the VLEK CRL". */
const char *kds_what_name(const struct kds_query *q);

/* An HTTP answer. */
struct kds_answer {
	long status;	     /* 200, 404, 429, ... */
	uint8_t *body;	     /* malloc'ed (free it), at most KDS_ANSWER_MAX */
	size_t len;
	long retry_after;    /* seconds, from Retry-After; -1: none */
	char retry_text[64]; /* the Retry-After header as sent; "" none */
};

/*
 * GET url with libcurl, http or https only, at most timeout_s seconds in
 * all (connecting included), at most KDS_ANSWER_MAX bytes.  0 when an
 * HTTP answer came, whatever its status (a->body then holds it); else
 * -ETIMEDOUT, -E2BIG (a larger answer), -EHOSTUNREACH (no connection:
 * name, refused, TLS), -EPROTO (not HTTP), -ENOMEM, -ELIBACC (libcurl
 * cannot be loaded), -ELIBBAD (it lacks a function), with err filled;
 * -EOPNOTSUPP in the static build.  libcurl is not linked: the first call
 * opens KDS_LIBCURL with dlopen.
 */
int kds_get(const char *url, unsigned timeout_s, struct kds_answer *a,
	    char *err, size_t errlen);
void kds_answer_free(struct kds_answer *a);

/* libcurl's soname (Debian 12: the libcurl4 package). */
#define KDS_LIBCURL "libcurl.so.4"
/*
 * The library kds_get() loads instead of KDS_LIBCURL (NULL: KDS_LIBCURL),
 * for the tests (a missing one).  Not an option of sevboot.  0, -EBUSY
 * once libcurl is loaded in this process, -EOPNOTSUPP in the static build.
 */
int kds_curl_soname(const char *soname);

/*
 * Is p[0..len) what q asked for, and does it verify?  CA: the PEM
 * certificates ASK (or ASVK) and ARK of q's product, nothing else, the
 * chain verifying at time at up to root (X.509; NULL: AMD's built-in
 * ARK).  VCEK: one VCEK (DER or PEM) of q's product whose hwID and TCB
 * extensions are q's, its chain verifying likewise with the built-in
 * ASK.  CRL: one DER CRL issued by the product's ARK (or root), its
 * signature verifying; *next_update gets its nextUpdate (0 when it has
 * none; may be NULL).  0 when it is; -EBADMSG with err naming the first
 * thing that is not; -ENOMEM.
 */
int kds_check(const struct kds_query *q, const uint8_t *p, size_t len,
	      struct x509_st *root, int64_t at, int64_t *next_update,
	      char *err, size_t errlen);
/* ------------------------------------------- SNP ID block and ID auth */

/*
 * The guest owner's ID block and its authentication structure, which
 * SNP_LAUNCH_FINISH checks against the launch (SNP ABI 56860, chapter
 * SNP_LAUNCH_FINISH, tables ID_BLOCK and ID_AUTH; Linux
 * include/uapi/linux/kvm.h KVM_SEV_SNP_ID_BLOCK_SIZE, ID_AUTH_SIZE).
 * ID block (0x60 bytes): LD[48], FAMILY_ID[16], IMAGE_ID[16], VERSION
 * (u32, 1), GUEST_SVN (u32), POLICY (u64).  ID auth (0x1000 bytes):
 * ID_KEY_ALGO and AUTHOR_KEY_ALGO (u32, 1 = ECDSA P-384 with SHA-384) at
 * 0x0 and 0x4; ID_BLOCK_SIG at 0x40, ID_KEY at 0x240, ID_KEY_SIG at
 * 0x680, AUTHOR_KEY at 0x880; signatures R[72] || S[72] little-endian in
 * a 0x200-byte slot, keys in the 0x404-byte SEV ECC form
 * (sev_ecc_pubkey_put); everything else zero.
 */
#define SNP_ID_BLOCK_LEN       0x60
#define SNP_ID_AUTH_LEN	       0x1000
#define SNP_ID_VERSION	       1
#define SNP_ID_ALGO_P384       1
#define SNP_ID_AUTH_ID_SIG     0x040
#define SNP_ID_AUTH_ID_KEY     0x240
#define SNP_ID_AUTH_ID_KEY_SIG 0x680
#define SNP_ID_AUTH_AUTHOR_KEY 0x880

struct snp_id_fields {
	uint8_t ld[48]; /* the launch digest the firmware must reach */
	uint8_t family_id[16], image_id[16];
	uint32_t guest_svn;
	uint64_t policy; /* the launch's SNP policy, exactly */
};

/* The ID block of f, VERSION 1. */
void snp_id_block_make(const struct snp_id_fields *f,
		       uint8_t idb[SNP_ID_BLOCK_LEN]);

/*
 * The ID auth structure from its parts: the ID key and the ID block's
 * signature; the author key and its signature over the ID key, or both
 * NULL (no author key: that half stays zero, AUTHOR_KEY_ALGO 0).
 */
void snp_id_auth_assemble(const uint8_t id_key[SEV_ECC_PUBKEY_LEN],
			  const uint8_t id_block_sig[SEV_ECDSA_SIG_LEN],
			  const uint8_t *author_key, const uint8_t *id_key_sig,
			  uint8_t auth[SNP_ID_AUTH_LEN]);

/*
 * Sign idb with the ID key (and the ID key with the author key, when
 * author is not NULL) and assemble auth.  0; -EINVAL when a key is not
 * P-384 (err says which); -ENOMEM when OpenSSL fails.
 */
int snp_id_auth_sign(EVP_PKEY *id_key, EVP_PKEY *author,
		     const uint8_t idb[SNP_ID_BLOCK_LEN],
		     uint8_t auth[SNP_ID_AUTH_LEN], char *err, size_t errlen);

/*
 * The checks SNP_LAUNCH_FINISH makes of auth (not those against the
 * launch: LD and POLICY): the algorithms, the keys, the ID block's
 * signature, and with author the ID key's.  0; -EBADMSG with err naming
 * what fails; -ENOMEM.
 */
int snp_id_auth_verify(const uint8_t idb[SNP_ID_BLOCK_LEN],
		       const uint8_t auth[SNP_ID_AUTH_LEN], bool author,
		       char *err, size_t errlen);

/* SHA-384 of a 0x404-byte key as the report's ID_KEY_DIGEST and
 * AUTHOR_KEY_DIGEST hold it.  0 or -ENOMEM. */
int snp_id_key_digest(const uint8_t key[SEV_ECC_PUBKEY_LEN],
		      uint8_t digest[48]);

/*
 * A P-384 private key from a file: PEM (PKCS#8 or "EC PRIVATE KEY") or
 * DER, not encrypted.  The file must not be readable by group or others
 * (file_read_private).  0; -EINVAL with err (not a key, not P-384,
 * encrypted); -ENOENT, -EACCES, ... from reading, with err; -ENOMEM.
 */
int sev_p384_key_read(const char *path, EVP_PKEY **out, char *err,
		      size_t errlen);

#endif
