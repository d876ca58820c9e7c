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
};

/* An "id" as JSON text: a string of 64 bytes, each escaped as \u00XX at
 * worst, in quotes; or an integer. */
#define SEV_OWNER_TAG_MAX 392

struct sev_owner_cmd {
	enum sev_owner_cmd_id id;
	struct sev_owner_reply secret; /* INJECT: its arguments */
	char tag[SEV_OWNER_TAG_MAX];   /* the "id" as JSON text; "" if none */
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
 *   the others: {"return":{}}
 * with "id" after "return" when c->tag is set.
 */
int sev_owner_answer(const struct sev_owner_request *req,
		     const struct sev_owner_cmd *c, char **out);
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

/* -------------------------------------------- line transport (shared) */

/* Milliseconds on CLOCK_MONOTONIC. */
int64_t owner_now_ms(void);

/* Lines of at most SEV_OWNER_MSG_MAX bytes from a non-blocking fd. */
struct owner_reader {
	int fd;
	char *buf; /* SEV_OWNER_MSG_MAX + 1, malloc'ed by owner_reader_init */
	size_t len, consumed;
	bool discard; /* skipping the rest of an over-long line */
	int cancel_fd; /* readable: owner_read_line() returns -EINTR; 0 none */
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

/* ------------------------------------------ the owner's end of a socket */

/* What the owner does with the launch it is shown: 0 with rep filled
 * (rep->inject false: no secret), or non-zero to refuse (the decider has
 * said why). */
struct owner_client {
	int (*decide)(void *ctx, const struct sev_owner_request *req,
		      struct sev_owner_reply *rep);
	void *ctx;
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

#endif
