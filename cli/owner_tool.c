// SPDX-License-Identifier: MIT
/*
 * The guest owner's tools, as sevboot sub-commands:
 *
 *   sevboot model-keys DIR     a platform identity for the firmware model
 *   sevboot session ...        a launch session for a platform's PDH
 *   sevboot owner ...          check a launch's measurement, seal secrets
 *
 * They run on the guest owner's machine, not the host's.  `owner` never
 * trusts what the host says the digest should be: the owner brings their
 * own (`sevboot measure`), and a mismatch is a refusal, exit code 5.
 *
 * Keys are written 0600 through a temporary file and a rename that never
 * replaces an existing file; a command that fails half-way removes what
 * it wrote.  Keys and secrets are wiped after use and never printed.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include "cli/cli.h"
#include "owner/owner.h"
#include "loader/loader.h"
#include "sev/sev.h"
#include "util/util.h"

#define MAX_SECRETS 64

/* A whole file of at most max bytes; the error names opt and path. */
static int read_input(const char *cmd, const char *opt, const char *path,
		      size_t max, struct blob *b)
{
	char why[256];
	int ret;

	why[0] = '\0';
	ret = file_read(path, max, b, why, sizeof(why));
	if (ret == -ENOMEM) {
		cli_cmd_error(cmd, "%s %s: out of memory", opt, path);
		return EXIT_RUNTIME;
	}
	if (ret) {
		cli_cmd_error(cmd, "%s %s: %s", opt, path,
			   why[0] ? why : strerror(-ret));
		return EXIT_BAD_INPUT;
	}
	return 0;
}

static void blob_wipe(struct blob *b)
{
	if (b->data && b->len)
		OPENSSL_cleanse(b->data, b->len);
	blob_free(b);
}

/* ------------------------------------------------------- model-keys */

const struct cli_spec model_keys_spec = {
	.name = "model-keys",
	.prefix = "sevboot: model-keys: ",
	.synopsis = "model-keys DIR",
	.about = "Make a platform identity for sevboot's firmware model in "
		 "DIR (created\n"
		 "0700; it must not exist or be empty; all files appear at "
		 "once or none):\n"
		 "  ark.key ask.key cek.key oca.key pek.key pdh.key vcek.key\n"
		 "                 the private keys (0600; P-384 keys as their "
		 "48-byte\n"
		 "                 scalar, RSA keys as PKCS#8 PEM)\n"
		 "  ark.cert ask.cert cek.cert oca.cert pek.cert pdh.cert\n"
		 "                 the SEV chain in AMD's formats (ARK and ASK "
		 "AMD CA\n"
		 "                 certificates, the rest 0x824-byte SEV "
		 "certificates)\n"
		 "  sev-chain.cert PDH PEK OCA CEK ASK ARK, as `sevctl export "
		 "--full`\n"
		 "  snp-ark.pem snp-ask.pem cert_chain.pem vcek.der vcek.pem\n"
		 "                 the SNP chain (X.509, ARK-Genoa, SEV-Genoa, "
		 "SEV-VCEK)\n"
		 "Give it to `sevboot run --sev-model --sev-model-keys DIR`; "
		 "check it with\n"
		 "`sevboot verify-chain --ark DIR/ark.cert DIR/sev-chain.cert` "
		 "(SEV) or\n"
		 "`--ark DIR/snp-ark.pem DIR/cert_chain.pem DIR/vcek.der` "
		 "(SNP).  It is not\n"
		 "AMD's: nothing verifies with AMD's roots.\n",
	.notes = "Exit codes: 0 ok, 1 runtime failure, 2 usage (DIR is not "
		 "empty).\n",
	.max_args = 2, /* one DIR; a second is refused with the first */
};

int cmd_model_keys(int argc, char **argv)
{
	static const char cmd[] = "model-keys";
	struct cli_args args;
	char err[768] = "";
	int ret;

	ret = cli_parse(&model_keys_spec, argc, argv, NULL, &args);
	if (ret >= 0)
		return ret;
	if (args.n != 1 || !args.v[0][0])
		return cli_error(&model_keys_spec,
				 "expected one argument, the "
				 "directory DIR (see --help)");
	ret = sev_model_identity_create(args.v[0], err, sizeof(err));
	if (ret) {
		cli_cmd_error(cmd, "%s", err);
		return ret == -EEXIST || ret == -ENOENT || ret == -ENOTDIR ||
				       ret == -ENAMETOOLONG
			       ? EXIT_USAGE
			       : EXIT_RUNTIME;
	}
	fprintf(stderr,
		"sevboot: model-keys: a new identity for the firmware model "
		"in %s (SEV chain ark.cert ... pdh.cert, sev-chain.cert; SNP "
		"chain snp-ark.pem, cert_chain.pem, vcek.der)\n",
		args.v[0]);
	return 0;
}

/* ---------------------------------------------------------- session */

struct session_opts {
	const char *pdh, *chain, *ark, *out;
	uint64_t policy;
	bool have_policy;
};

#define SESSION(field) CLI_FIELD(struct session_opts, field)

/* clang-format off */
static const struct cli_opt session_options[] = {
	{ "pdh", .arg = CLI_STRING, SESSION(pdh), .meta = "FILE",
	  .help = "the platform's PDH certificate (0x824 bytes, raw or "
		  "base64), taken as it is" },
	{ "chain", .arg = CLI_STRING, SESSION(chain), .meta = "FILE",
	  .help = "or the platform's whole SEV chain as `sevctl export` "
		  "writes it (PDH, PEK, OCA, CEK; with --full also ASK, ARK): "
		  "verified up to AMD's ARK, then its PDH is used" },
	{ "ark", .arg = CLI_STRING, SESSION(ark), .meta = "FILE",
	  .help = "with --chain: trust this ARK (AMD CA format) instead of "
		  "AMD's built-in ones" },
	{ "policy", .arg = CLI_HEX, SESSION(policy), .max = UINT32_MAX,
	  CLI_ALSO(struct session_opts, have_policy), .meta = "P",
	  .bad = "must be a 32-bit hex number",
	  .help = "the guest policy (hex)" },
	{ "out", .arg = CLI_STRING, SESSION(out), .meta = "DIR",
	  .help = "where the session goes" },
	{ .arg = CLI_END },
};
/* clang-format on */

const struct cli_spec session_spec = {
	.name = "session",
	.prefix = "sevboot: session: ",
	.synopsis = "session --pdh FILE | --chain FILE [--ark FILE] --policy P "
		    "--out DIR",
	.about = "Make a SEV/SEV-ES launch session for the platform whose PDH "
		 "certificate\n"
		 "is FILE and the guest policy P:\n"
		 "  DIR/godh.cert    the guest owner's DH certificate (0x824 "
		 "bytes)\n"
		 "  DIR/session.bin  the session blob (0x80 bytes)\n"
		 "                   (for sevboot run --dh-cert-file / "
		 "--session-file)\n"
		 "  DIR/tek.bin      the transport encryption key (16 bytes, "
		 "0600)\n"
		 "  DIR/tik.bin      the transport integrity key (16 bytes, "
		 "0600)\n"
		 "The keys are fresh random; keep DIR private.  A --pdh "
		 "certificate's\n"
		 "signature chain is not checked: give the platform's chain "
		 "with --chain\n"
		 "(sevctl export), which must verify up to an ARK before its "
		 "PDH is used.\n"
		 "DIR is created (0700) if need be; existing files are never "
		 "replaced.\n",
	.opts = session_options,
	.notes = "Exit codes: 0 ok, 1 runtime failure, 2 usage, 3 bad input "
		 "file, 5 the\n"
		 "--chain does not verify.\n",
};

/* --pdh FILE: one PDH certificate, raw or base64.  0 or an exit code. */
static int session_pdh(const char *cmd, const char *path,
		       uint8_t pdh[SEV_CERT_LEN])
{
	struct blob b = {0};
	size_t len;
	int ret;

	ret = read_input(cmd, "--pdh", path, 8 * SEV_CERT_LEN, &b);
	if (ret)
		return ret;
	len = b.len;
	if (b.len == SEV_CERT_LEN)
		memcpy(pdh, b.data, SEV_CERT_LEN);
	else
		ret = base64_decode_text(b.data, b.len, pdh, SEV_CERT_LEN);
	blob_free(&b);
	if (ret == -ENOMEM) {
		cli_cmd_error(cmd, "out of memory");
		return EXIT_RUNTIME;
	}
	if (ret) {
		cli_cmd_error(cmd,
			   "--pdh %s: not a SEV certificate: expected "
			   "%d (0x%x) bytes, raw or base64%s",
			   path, SEV_CERT_LEN, SEV_CERT_LEN,
			   len >= 4 * SEV_CERT_LEN
				   ? " (a chain? give it with --chain)"
				   : "");
		return EXIT_BAD_INPUT;
	}
	return 0;
}

/* --ark FILE: an ARK in the AMD CA format.  0 or an exit code. */
static int session_ark(const char *cmd, const char *path, struct amd_cert *ark)
{
	struct blob b = {0};
	char why[256] = "";
	int ret = read_input(cmd, "--ark", path, 2 * AMD_CERT_LEN_4096, &b);

	if (ret)
		return ret;
	ret = amd_cert_parse(b.data, b.len, NULL, ark, why, sizeof(why));
	blob_free(&b);
	if (!ret && ark->usage != AMD_USAGE_ARK) {
		set_err(why, sizeof(why), "expected an ARK (key usage 0x0), "
					  "found key usage 0x%x", ark->usage);
		ret = -EINVAL;
	}
	if (ret) {
		cli_cmd_error(cmd, "--ark %s: %s", path, why);
		return EXIT_BAD_INPUT;
	}
	return 0;
}

/*
 * --chain FILE: the platform's chain as sevctl export writes it (virtee
 * sev certs/sev/sev/chain.rs: PDH, PEK, OCA, CEK, 4 x 0x824 = 8336 bytes;
 * --full adds ASK and ARK, certs/sev/chain.rs), verified up to the ARK
 * (root, else AMD's built-in one of the generation that signed it):
 * every link, ARK -> ASK -> CEK -> PEK <- OCA, PEK -> PDH.  The PDH into
 * pdh.  0 or an exit code after one line naming the failing link.
 */
static int session_chain(const char *cmd, const char *path,
			 const struct amd_cert *root, uint8_t pdh[SEV_CERT_LEN])
{
	struct amd_cert *amd = calloc(2, sizeof(*amd));
	struct trust_result *r = malloc(sizeof(*r));
	struct sev_chain ch = {.pdh = NULL};
	struct blob b = {0};
	char why[300] = "";
	int ret, product = AMD_PRODUCT_UNKNOWN;

	if (!amd || !r) {
		cli_cmd_error(cmd, "out of memory");
		ret = EXIT_RUNTIME;
		goto out;
	}
	ret = read_input(cmd, "--chain", path,
			 4 * SEV_CERT_LEN + 2 * AMD_CERT_LEN_4096, &b);
	if (ret)
		goto out;
	if (sev_chain_add(&ch, amd, b.data, b.len, why, sizeof(why)) ||
	    !ch.pdh) {
		cli_cmd_error(cmd, "--chain %s: %s", path,
			   why[0] ? why
				  : "no PDH certificate in it (sevctl export "
				    "writes PDH, PEK, OCA, CEK)");
		ret = EXIT_BAD_INPUT;
		goto out;
	}
	trust_result_init(r);
	if (sev_chain_verify(&ch, root, r, &product)) {
		cli_cmd_error(cmd, "out of memory");
		ret = EXIT_RUNTIME;
		goto out;
	}
	for (unsigned k = 0; k < r->n && !ret; k++)
		if (!r->check[k].ok) {
			cli_cmd_error(cmd,
				   "--chain %s: the chain does not verify: "
				   "%s: %s",
				   path, r->check[k].what, r->check[k].text);
			ret = EXIT_SEV;
		}
	if (!ret)
		memcpy(pdh, ch.pdh, SEV_CERT_LEN);
out:
	blob_free(&b);
	OPENSSL_clear_free(amd, amd ? 2 * sizeof(*amd) : 0);
	free(r);
	return ret;
}

int cmd_session(int argc, char **argv)
{
	static const char *const names[] = {"godh.cert", "session.bin",
					    "tek.bin", "tik.bin", NULL};
	static const char cmd[] = "session";
	struct session_opts o = {.pdh = NULL};
	struct sev_owner_session s;
	struct cli_written w = {.n = 0};
	uint8_t pdh[SEV_CERT_LEN];
	struct amd_cert ark;
	char why[256];
	int ret;

	ret = cli_parse(&session_spec, argc, argv, &o, NULL);
	if (ret >= 0)
		return ret;
	if (!o.pdh == !o.chain || !o.have_policy || !o.out)
		return cli_error(&session_spec,
				 "--pdh or --chain (one of them), --policy "
				 "and --out are required (see --help)");
	if (o.ark && !o.chain)
		return cli_error(&session_spec, "--ark goes with --chain");
	if (o.ark) {
		ret = session_ark(cmd, o.ark, &ark);
		if (ret)
			return ret;
	}
	ret = o.pdh ? session_pdh(cmd, o.pdh, pdh)
		    : session_chain(cmd, o.chain, o.ark ? &ark : NULL, pdh);
	if (ret)
		return ret;
	why[0] = '\0';
	ret = sev_owner_session_new(pdh, sizeof(pdh), (uint32_t)o.policy, &s,
				    why, sizeof(why));
	if (ret) {
		cli_cmd_error(cmd, "%s %s: %s", o.pdh ? "--pdh" : "--chain",
			   o.pdh ? o.pdh : o.chain, why);
		return ret == -EINVAL ? EXIT_BAD_INPUT : EXIT_RUNTIME;
	}
	ret = cli_ensure_dir(cmd, o.out);
	if (!ret)
		ret = cli_check_absent(cmd, o.out, names);
	if (!ret)
		ret = cli_write_file(cmd, o.out, "tek.bin", s.tek, sizeof(s.tek),
				 0600, &w);
	if (!ret)
		ret = cli_write_file(cmd, o.out, "tik.bin", s.tik, sizeof(s.tik),
				 0600, &w);
	if (!ret)
		ret = cli_write_file(cmd, o.out, "godh.cert", s.godh_cert,
				 sizeof(s.godh_cert), 0644, &w);
	if (!ret)
		ret = cli_write_file(cmd, o.out, "session.bin", s.session,
				 sizeof(s.session), 0644, &w);
	sev_owner_session_wipe(&s);
	if (ret)
		cli_written_undo(&w);
	return ret;
}

/* ------------------------------------------------------------ owner */

struct owner_tool {
	const char *session;
	const char *digest_s;
	const char *connect;
	const char *attest, *report_data_s;
	uint8_t report_data[64];
	uint8_t report[SNP_REPORT_LEN];
	size_t report_len;
	unsigned timeout;
	uint8_t digest[32];
	uint8_t tek[SEV_KEY_LEN], tik[SEV_KEY_LEN];
	unsigned nsecrets;
	const char *secret_arg[MAX_SECRETS];
	struct blob secret_blob[MAX_SECRETS];
	struct sev_owner_secret secret[MAX_SECRETS];
};

static void owner_tool_wipe(struct owner_tool *t)
{
	OPENSSL_cleanse(t->tek, sizeof(t->tek));
	OPENSSL_cleanse(t->tik, sizeof(t->tik));
	for (unsigned k = 0; k < t->nsecrets; k++)
		blob_wipe(&t->secret_blob[k]);
}

/* 64 hex digits, or the base64 of 32 bytes. */
static int parse_digest(const char *s, uint8_t out[32])
{
	return hex_or_base64_decode(s, out, 32);
}

/* A 16-byte key file of the session. */
#define STR_(x) #x
#define STR(x)	STR_(x)

static const char *secret_opt(void *opts, const char *v)
{
	struct owner_tool *t = opts;

	if (t->nsecrets == MAX_SECRETS)
		return "at most " STR(MAX_SECRETS) " --secret entries";
	t->secret_arg[t->nsecrets++] = v;
	return NULL;
}

#define OWNER(field) CLI_FIELD(struct owner_tool, field)

/* clang-format off */
static const struct cli_opt owner_options[] = {
	{ "session", .arg = CLI_STRING, OWNER(session), .meta = "DIR",
	  .help = "the directory `sevboot session` wrote (tik.bin; tek.bin "
		  "too with --secret)" },
	{ "digest", .arg = CLI_STRING, OWNER(digest_s), .meta = "DIGEST",
	  .help = "the expected launch digest: 64 hex digits or base64" },
	{ "secret", .arg = CLI_CUSTOM, .parse = secret_opt,
	  .meta = "GUID=FILE",
	  .help = "one table entry: GUID, then FILE's bytes (repeat; at most "
		  STR(MAX_SECRETS) ").  Without any: the \"no secret\" "
		  "reply" },
	{ "connect", .arg = CLI_STRING, OWNER(connect), .meta = "SOCKET",
	  .help = "talk to `sevboot run --owner-socket SOCKET`; without it, "
		  "read the request JSON on stdin and write the reply JSON on "
		  "stdout (for --owner-cmd)" },
	{ "attest", .arg = CLI_STRING, OWNER(attest), .meta = "OUT",
	  .help = "with --connect: ask for the launch's attestation report "
		  "before \"cont\" and write it to OUT (a new file): SEV/SEV-ES "
		  "with a fresh mnonce (QEMU's query-sev-attestation-report), "
		  "SNP on the firmware model with --report-data "
		  "(query-snp-attestation-report).  Without --session and "
		  "--digest nothing is checked here: check OUT with `sevboot "
		  "verify-report`" },
	{ "report-data", .arg = CLI_STRING, OWNER(report_data_s),
	  .meta = "HEX",
	  .help = "SNP: the report data, 1 to 64 bytes in hex (zero-padded "
		  "to 64)" },
	{ "timeout", .arg = CLI_UINT, OWNER(timeout), .min = 1, .max = 86400,
	  .unit = "seconds", .meta = "S",
	  .help = "give up after S seconds (default "
		  STR(OWNER_TIMEOUT_DEFAULT) ")" },
	{ .arg = CLI_END },
};
/* clang-format on */

const struct cli_spec owner_spec = {
	.name = "owner",
	.prefix = "sevboot: owner: ",
	.synopsis = "owner --session DIR --digest DIGEST [--secret GUID=FILE "
		    "...]\n"
		    "                     [--connect SOCKET [--attest OUT]] "
		    "[--timeout S]\n"
		    "       sevboot owner --connect SOCKET --attest OUT "
		    "[--report-data HEX]",
	.about =
		"The guest owner's answer to sevboot's launch stop.  It "
		"checks the\n"
		"firmware's LAUNCH_MEASURE with DIR/tik.bin against DIGEST, "
		"the launch\n"
		"digest YOU computed with `sevboot measure` (never the host's "
		"own\n"
		"\"expected-digest\"), refuses when they differ, and otherwise "
		"seals the\n"
		"--secret entries into an EFI secret table for the guest's "
		"secret area.\n",
	.opts = owner_options,
	.notes = "Exit codes: 0 ok, 1 runtime failure, 2 usage, 3 bad input "
		 "(files, the\n"
		 "request, a table that does not fit), 5 measurement mismatch "
		 "or sevboot\n"
		 "refused the secret, 124 timeout.\n",
};

/* 1 to 64 bytes of hex, zero-padded to 64. */
static int report_data_parse(const char *s, uint8_t out[64])
{
	size_t n = strlen(s);

	memset(out, 0, 64);
	if (!n || n % 2 || n > 128)
		return -EINVAL;
	return hex_decode(s, n, out, n / 2);
}

/* Returns -1 to go on, or an exit code. */
static int parse_owner_opts(int argc, char **argv, struct owner_tool *t)
{
	int ret;

	t->timeout = OWNER_TIMEOUT_DEFAULT;
	ret = cli_parse(&owner_spec, argc, argv, t, NULL);
	if (ret >= 0)
		return ret;
	if (t->attest && !t->connect)
		return cli_error(&owner_spec, "--attest needs --connect: the "
					      "report is asked for on the "
					      "owner socket");
	if (t->report_data_s && !t->attest)
		return cli_error(&owner_spec, "--report-data goes with "
					      "--attest");
	if (t->report_data_s && report_data_parse(t->report_data_s,
						   t->report_data))
		return cli_error(&owner_spec,
				 "--report-data %s: must be 2 to 128 hex "
				 "digits (1 to 64 bytes)",
				 t->report_data_s);
	if (t->attest && !t->session && !t->digest_s) {
		if (t->nsecrets)
			return cli_error(&owner_spec, "--secret needs --session "
						      "and --digest");
		return -1;
	}
	if (!t->session || !t->digest_s)
		return cli_error(&owner_spec, "--session and --digest are "
					      "required (see --help)");
	if (parse_digest(t->digest_s, t->digest))
		return cli_error(&owner_spec,
				 "--digest %s: must be 64 hex "
				 "digits or the base64 of 32 bytes",
				 t->digest_s);
	return -1;
}

static int read_key(const char *cmd, const char *dir, const char *name,
		    uint8_t key[SEV_KEY_LEN])
{
	char path[4096];
	struct blob b = {0};
	int ret;

	ret = cli_path_join(cmd, dir, name, path, sizeof(path));
	if (!ret)
		ret = read_input(cmd, "--session", path, 4096, &b);
	if (ret)
		return ret;
	if (b.len != SEV_KEY_LEN) {
		cli_cmd_error(cmd, "--session %s: %s is %zu bytes; a key is %d",
			   dir, name, b.len, SEV_KEY_LEN);
		blob_wipe(&b);
		return EXIT_BAD_INPUT;
	}
	memcpy(key, b.data, SEV_KEY_LEN);
	blob_wipe(&b);
	return 0;
}

static int read_secrets(const char *cmd, struct owner_tool *t)
{
	for (unsigned k = 0; k < t->nsecrets; k++) {
		const char *arg = t->secret_arg[k], *eq = strchr(arg, '=');
		char guid[37];
		int ret;

		if (!eq || eq - arg != 36) {
			cli_cmd_error(cmd,
				   "--secret %s: must be GUID=FILE, e.g. "
				   "736869e5-84f0-4973-92ec-06879ce3da0b="
				   "disk.key",
				   arg);
			return EXIT_USAGE;
		}
		memcpy(guid, arg, 36);
		guid[36] = '\0';
		if (guid_parse(guid, &t->secret[k].guid)) {
			cli_cmd_error(cmd, "--secret %s: '%s' is not a GUID", arg,
				   guid);
			return EXIT_USAGE;
		}
		ret = read_input(cmd, "--secret", eq + 1, SEV_SECRET_MAX,
				 &t->secret_blob[k]);
		if (ret)
			return ret;
		t->secret[k].data = t->secret_blob[k].data;
		t->secret[k].len = t->secret_blob[k].len;
	}
	return 0;
}

/* The request from stdin: everything up to EOF, by deadline. */
static int read_request_stdin(const char *cmd, int64_t deadline,
			      struct sev_owner_request *req)
{
	char *buf = malloc(SEV_OWNER_MSG_MAX + 1), why[256];
	size_t got = 0;
	int ret;

	if (!buf) {
		cli_cmd_error(cmd, "out of memory");
		return EXIT_RUNTIME;
	}
	for (;;) {
		struct pollfd pfd = {.fd = 0, .events = POLLIN};
		int64_t left = deadline - owner_now_ms();
		ssize_t n;

		if (left <= 0) {
			cli_cmd_error(cmd, "no request on stdin within the "
					"timeout");
			free(buf);
			return EXIT_TIMEOUT;
		}
		ret = poll(&pfd, 1, left > INT32_MAX ? INT32_MAX : (int)left);
		if (ret < 0 && errno != EINTR) {
			cli_cmd_error(cmd, "stdin: %s", strerror(errno));
			free(buf);
			return EXIT_RUNTIME;
		}
		if (ret <= 0)
			continue;
		n = read(0, buf + got, SEV_OWNER_MSG_MAX + 1 - got);
		if (n < 0 && (errno == EINTR || errno == EAGAIN))
			continue;
		if (n < 0) {
			cli_cmd_error(cmd, "stdin: %s", strerror(errno));
			free(buf);
			return EXIT_RUNTIME;
		}
		if (n == 0)
			break;
		got += (size_t)n;
		if (got > SEV_OWNER_MSG_MAX) {
			cli_cmd_error(cmd,
				   "the request on stdin is longer than "
				   "%d bytes",
				   SEV_OWNER_MSG_MAX);
			free(buf);
			return EXIT_BAD_INPUT;
		}
	}
	if (got == 0) {
		cli_cmd_error(cmd, "no request on stdin (it is empty)");
		free(buf);
		return EXIT_BAD_INPUT;
	}
	why[0] = '\0';
	ret = sev_owner_request_parse(buf, got, req, why, sizeof(why));
	free(buf);
	if (ret) {
		cli_cmd_error(cmd, "stdin: %s", why);
		return ret == -ENOMEM ? EXIT_RUNTIME : EXIT_BAD_INPUT;
	}
	return 0;
}

/* Check the measurement; one line and exit code 5 when it is wrong. */
static int verify(const char *cmd, const struct owner_tool *t,
		  const struct sev_owner_request *req)
{
	char why[256];
	int ret;

	if (req->mode == SEV_MODE_SNP) {
		cli_cmd_error(cmd, "the launch is SNP, which has no "
				"LAUNCH_MEASURE or LAUNCH_SECRET; use an SNP "
				"attestation report");
		return EXIT_BAD_INPUT;
	}
	why[0] = '\0';
	ret = sev_owner_verify(t->tik, req, t->digest, why, sizeof(why));
	if (ret == -EBADMSG) {
		/* Say which side is wrong when the host's own prediction
		 * explains the firmware's value. */
		if (sev_owner_verify(t->tik, req, req->expected_digest, NULL,
				     0) == 0)
			cli_cmd_error(cmd,
				   "measurement mismatch: the guest was "
				   "launched with another digest than "
				   "--digest (the host predicted that one): "
				   "its inputs differ from what you "
				   "measured");
		else
			cli_cmd_error(cmd,
				   "measurement mismatch: the firmware's "
				   "LAUNCH_MEASURE does not match --digest "
				   "under %s/tik.bin (other inputs, or another "
				   "session)",
				   t->session);
		return EXIT_SEV;
	}
	if (ret) {
		cli_cmd_error(cmd, "%s", why);
		return ret == -EINVAL ? EXIT_BAD_INPUT : EXIT_RUNTIME;
	}
	return 0;
}

static int seal(const char *cmd, const struct owner_tool *t,
		const struct sev_owner_request *req,
		struct sev_owner_reply *rep)
{
	char why[256];
	int ret;

	why[0] = '\0';
	ret = sev_owner_seal(t->tek, t->tik, req, t->secret, t->nsecrets, rep,
			     why, sizeof(why));
	if (ret) {
		cli_cmd_error(cmd, "%s", why);
		return ret == -EINVAL ? EXIT_BAD_INPUT : EXIT_RUNTIME;
	}
	return 0;
}

static int answer_stdout(const char *cmd, const struct sev_owner_reply *rep)
{
	char *text;

	if (sev_owner_reply_encode(rep, &text)) {
		cli_cmd_error(cmd, "out of memory");
		return EXIT_RUNTIME;
	}
	if (fputs(text, stdout) == EOF || fputc('\n', stdout) == EOF ||
	    fflush(stdout) == EOF) {
		cli_cmd_error(cmd, "stdout: %s", strerror(errno));
		free(text);
		return EXIT_RUNTIME;
	}
	free(text);
	return 0;
}

/* The socket client's decision: check, then seal. */
struct decide_ctx {
	const char *cmd;
	const struct owner_tool *t;
	int rc; /* the exit code of a refusal */
};

static int decide(void *ctx, const struct sev_owner_request *req,
		  struct sev_owner_reply *rep)
{
	struct decide_ctx *d = ctx;

	if (!d->t->session) {
		/* --attest alone: the report is the owner's evidence. */
		fprintf(stderr,
			"sevboot: owner: the %s launch is not checked here "
			"(no --session): check the report in %s with `sevboot "
			"verify-report`\n",
			sev_mode_name(req->mode), d->t->attest);
		return 0;
	}
	d->rc = verify(d->cmd, d->t, req);
	if (!d->rc)
		d->rc = seal(d->cmd, d->t, req, rep);
	return d->rc;
}

/* --attest OUT: a new file (never over an existing one), whole. */
static int write_report(const char *cmd, const struct owner_tool *t)
{
	int fd = open(t->attest,
		      O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
		      0644);
	size_t off = 0;

	if (fd < 0) {
		cli_cmd_error(cmd, "--attest %s: %s%s", t->attest,
			   strerror(errno),
			   errno == EEXIST ? " (sevboot does not replace it)"
					   : "");
		return errno == EEXIST ? EXIT_USAGE : EXIT_RUNTIME;
	}
	while (off < t->report_len) {
		ssize_t n = write(fd, t->report + off, t->report_len - off);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			break;
		off += (size_t)n;
	}
	if (off < t->report_len || fsync(fd) < 0 || close(fd) < 0) {
		cli_cmd_error(cmd, "--attest %s: cannot write: %s", t->attest,
			   strerror(errno));
		unlink(t->attest);
		return EXIT_RUNTIME;
	}
	if (t->report_len == SEV_ATT_REPORT_LEN) {
		char mnonce[33];

		/* SEV API 55766 ATTESTATION: MNONCE at offset 0. */
		hex_encode(t->report, 16, mnonce);
		fprintf(stderr,
			"sevboot: owner: the attestation report (%zu bytes, "
			"mnonce %s) is in %s\n",
			t->report_len, mnonce, t->attest);
	} else {
		fprintf(stderr,
			"sevboot: owner: the attestation report (%zu bytes) "
			"is in %s\n",
			t->report_len, t->attest);
	}
	return 0;
}

static int owner_connect(const char *cmd, struct owner_tool *t,
			 int64_t deadline)
{
	struct decide_ctx d = { .cmd = cmd, .t = t };
	struct owner_client oc = { .decide = decide,
				   .ctx = &d,
				   .attest = t->attest != NULL,
				   .report = t->report,
				   .report_len = &t->report_len };
	char err[512] = "";
	size_t n = strlen(t->connect);
	int ret;
	int rc;

	memcpy(oc.report_data, t->report_data, sizeof(oc.report_data));
	ret = owner_client_run(t->connect, deadline, &oc, err, sizeof(err));
	switch (ret) {
	case 0:
		return t->attest ? write_report(cmd, t) : 0;
	case -ECANCELED:
		return d.rc;
	case -ENOENT:
	case -ECONNREFUSED:
	case -ENOTSOCK:
	case -ENAMETOOLONG:
		rc = EXIT_USAGE;
		break;
	case -ETIMEDOUT:
		rc = EXIT_TIMEOUT;
		break;
	case -ECONNRESET:
	case -EREMOTEIO:
		rc = EXIT_SEV;
		break;
	case -EBADMSG:
		rc = EXIT_BAD_INPUT;
		break;
	default:
		rc = EXIT_RUNTIME;
	}
	/* What is about the socket itself names the option. */
	cli_cmd_error(cmd, "%s%s", strncmp(err, t->connect, n) ? "" : "--connect ",
		   err);
	return rc;
}

int cmd_owner(int argc, char **argv)
{
	static const char cmd[] = "owner";
	struct owner_tool *t;
	struct sev_owner_request req;
	struct sev_owner_reply rep = {0};
	int64_t deadline;
	int ret;

	t = calloc(1, sizeof(*t));
	if (!t) {
		cli_cmd_error(cmd, "out of memory");
		return EXIT_RUNTIME;
	}
	ret = parse_owner_opts(argc, argv, t);
	if (ret >= 0)
		goto out;
	/* Every local input first, so that a typo fails before the host
	 * is kept waiting. */
	ret = t->session ? read_key(cmd, t->session, "tik.bin", t->tik) : 0;
	if (!ret && t->nsecrets)
		ret = read_key(cmd, t->session, "tek.bin", t->tek);
	if (!ret)
		ret = read_secrets(cmd, t);
	if (ret)
		goto out;
	if (t->nsecrets && !sev_owner_table_size(t->secret, t->nsecrets)) {
		cli_cmd_error(cmd, "the secrets are too large for a secret table");
		ret = EXIT_BAD_INPUT;
		goto out;
	}

	/* OUT is written only after the launch went on: refuse an existing
	 * one before the host is kept waiting. */
	if (t->attest && access(t->attest, F_OK) == 0) {
		cli_cmd_error(cmd,
			   "--attest %s exists; sevboot does not replace it",
			   t->attest);
		ret = EXIT_USAGE;
		goto out;
	}
	deadline = owner_now_ms() + (int64_t)t->timeout * 1000;
	if (t->connect) {
		ret = owner_connect(cmd, t, deadline);
		goto out;
	}
	ret = read_request_stdin(cmd, deadline, &req);
	if (!ret)
		ret = verify(cmd, t, &req);
	if (!ret)
		ret = seal(cmd, t, &req, &rep);
	if (!ret)
		ret = answer_stdout(cmd, &rep);
	sev_owner_reply_free(&rep);
out:
	owner_tool_wipe(t);
	free(t);
	return ret;
}
