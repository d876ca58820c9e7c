// SPDX-License-Identifier: MIT
/*
 * `sevboot id-block`: the guest owner's SNP ID block and ID authentication
 * structure (owner/idblock.c) for a launch digest, given or computed the
 * way `sevboot measure --mode snp` computes it (cli/measure.c), in the
 * base64 form of QEMU's sev-snp-guest id-block= and id-auth= (QEMU
 * qapi/qom.json SevSnpGuestProperties) and as raw files for `sevboot run
 * --id-block/--id-auth`, with the ID_KEY_DIGEST and AUTHOR_KEY_DIGEST an
 * attestation report of that launch carries.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include "cli/cli.h"
#include "cli/measure.h"
#include "loader/loader.h"
#include "owner/owner.h"
#include "util/util.h"

#define IDB_PREFIX	   "sevboot: id-block: "
#define SNP_DEFAULT_POLICY 0x30000ULL /* SMT and the must-be-one bit 17 */

struct idb_opts {
	const char *measurement;
	/* The launch, as `sevboot measure --mode snp` takes it. */
	const char *ovmf, *kernel, *initrd, *append, *vcpus, *cpu, *vcpu_sig,
		*features;
	uint64_t policy, svn;
	const char *family_id, *image_id;
	const char *id_key, *author_key;
	const char *out_block, *out_auth;
	bool json;
};

#define I(field) CLI_FIELD(struct idb_opts, field)

/* clang-format off */
static const struct cli_opt idb_options[] = {
	{ "measurement", .arg = CLI_STRING, I(measurement), .meta = "HEX",
	  .help = "the SNP launch digest (48 bytes: 96 hex digits or "
		  "base64), e.g. what sevboot measure --mode snp printed; or "
		  "instead the launch itself:" },
	{ "ovmf", .arg = CLI_STRING, I(ovmf), .meta = "FILE",
	  .help = "firmware image: the digest is computed as sevboot "
		  "measure --mode snp computes it, with:" },
	{ "kernel", .arg = CLI_STRING, I(kernel), .meta = "FILE",
	  .help = "measured direct boot: the bzImage" },
	{ "initrd", .arg = CLI_STRING, I(initrd), .meta = "FILE",
	  .help = "its initrd" },
	{ "append", .arg = CLI_STRING, I(append), .meta = "STRING",
	  .help = "its command line" },
	{ "vcpus", .arg = CLI_STRING, I(vcpus), .meta = "N",
	  .help = "number of vCPUs (default 1)" },
	{ "cpu", .arg = CLI_STRING, I(cpu), .meta = "MODEL",
	  .help = "QEMU vCPU model (default " LAUNCH_DEFAULT_CPU ")" },
	{ "vcpu-sig", .arg = CLI_STRING, I(vcpu_sig), .meta = "SIG",
	  .help = "or its CPUID(1).EAX signature" },
	{ "guest-features", .arg = CLI_STRING, I(features), .meta = "HEX",
	  .help = "SEV_FEATURES of the VMSAs (default 0x1)" },

	{ .arg = CLI_SECTION, .help = "The ID block:" },
	{ "policy", .arg = CLI_HEX, I(policy), .max = UINT64_MAX,
	  .meta = "HEX", .bad = "must be a 64-bit hex number",
	  .help = "the launch's SNP guest policy, exactly (sevboot run "
		  "--snp-policy; default 0x30000)" },
	{ "family-id", .arg = CLI_STRING, I(family_id), .meta = "HEX",
	  .help = "FAMILY_ID, 16 bytes as 32 hex digits (default zeros)" },
	{ "image-id", .arg = CLI_STRING, I(image_id), .meta = "HEX",
	  .help = "IMAGE_ID, 16 bytes as 32 hex digits (default zeros)" },
	{ "svn", .arg = CLI_UINT, I(svn), .max = UINT32_MAX, .meta = "N",
	  .help = "GUEST_SVN (default 0)" },
	{ "id-key", .arg = CLI_STRING, I(id_key), .meta = "PEM",
	  .help = "the ID key: a P-384 private key, PEM or DER, mode 0600 "
		  "(openssl genpkey -algorithm EC -pkeyopt "
		  "ec_paramgen_curve:P-384)" },
	{ "author-key", .arg = CLI_STRING, I(author_key), .meta = "PEM",
	  .help = "an author key that signs the ID key (then launch with "
		  "--author-key-enabled)" },

	{ .arg = CLI_SECTION, .help = "Output (stdout always has the "
				      "results):" },
	{ "out-block", .arg = CLI_STRING, I(out_block), .meta = "FILE",
	  .help = "write the 96-byte ID block, raw" },
	{ "out-auth", .arg = CLI_STRING, I(out_auth), .meta = "FILE",
	  .help = "write the 4096-byte ID authentication structure, raw" },
	{ "json", .arg = CLI_FLAG, I(json),
	  .help = "print the results as one JSON object" },
	{ .arg = CLI_END },
};
/* clang-format on */

const struct cli_spec id_block_spec = {
	.name = "id-block",
	.prefix = IDB_PREFIX,
	.synopsis = "id-block (--measurement HEX | --ovmf FILE [...]) --id-key "
		    "PEM [OPTIONS]",
	.about = "Make the SEV-SNP ID block and ID authentication structure "
		 "that\n"
		 "SNP_LAUNCH_FINISH checks: the launch digest and policy the "
		 "launch must\n"
		 "have, signed with the ID key (and the ID key signed with "
		 "the author\n"
		 "key).  Printed as QEMU's sev-snp-guest id-block= and "
		 "id-auth= take\n"
		 "them (base64), with the ID_KEY_DIGEST and AUTHOR_KEY_DIGEST "
		 "the\n"
		 "guest's attestation reports will carry.\n",
	.opts = idb_options,
	.notes = "Launch with: sevboot --snp --snp-policy P --id-block BLOCK "
		 "--id-auth AUTH\n"
		 "[--author-key-enabled] ...  A block whose digest or policy "
		 "is not the\n"
		 "launch's is refused with SEV_RET_BAD_MEASUREMENT or "
		 "SEV_RET_POLICY_FAILURE\n"
		 "(exit 5).\n"
		 "\n"
		 "Exit codes: 0 ok, 1 runtime failure, 2 usage, 3 bad input "
		 "file.\n",
};

/* The digest: -1 to go on, or an exit code. */
static int launch_digest(const struct idb_opts *o, uint8_t ld[48])
{
	const struct {
		const char *opt, *val;
	} fwd[] = {
		{"--ovmf", o->ovmf},	     {"--kernel", o->kernel},
		{"--initrd", o->initrd},     {"--append", o->append},
		{"--vcpus", o->vcpus},	     {"--cpu", o->cpu},
		{"--vcpu-sig", o->vcpu_sig}, {"--guest-features", o->features},
	};
	char *argv[3 + 2 * sizeof(fwd) / sizeof(fwd[0]) + 1];
	int argc = 0, rc;

	if (o->measurement) {
		if (hex_or_base64_decode(o->measurement, ld, 48))
			return cli_error(&id_block_spec,
					 "--measurement %s: give the 48-byte "
					 "SNP launch digest as 96 hex digits "
					 "or base64",
					 o->measurement);
		return -1;
	}
	argv[argc++] = "measure";
	argv[argc++] = "--mode";
	argv[argc++] = "snp";
	for (size_t k = 0; k < sizeof(fwd) / sizeof(fwd[0]); k++) {
		if (!fwd[k].val)
			continue;
		argv[argc++] = (char *)fwd[k].opt;
		argv[argc++] = (char *)fwd[k].val;
	}
	argv[argc] = NULL;
	rc = measure_snp_argv(argc, argv, ld);
	return rc ? rc : -1;
}

/* 16 bytes as 32 hex digits (0x allowed), as verify-report takes them. */
static int id_hex(const char *opt, const char *s, uint8_t out[16])
{
	size_t len;

	memset(out, 0, 16);
	if (!s)
		return -1;
	if (!strncmp(s, "0x", 2) || !strncmp(s, "0X", 2))
		s += 2;
	len = strlen(s);
	if (len != 32 || hex_decode(s, len, out, 16))
		return cli_error(&id_block_spec,
				 "%s %s: must be 16 bytes as 32 hex digits",
				 opt, s);
	return -1;
}

static int check_opts(const struct idb_opts *o)
{
	bool launch = o->ovmf || o->kernel || o->initrd || o->append ||
		      o->vcpus || o->cpu || o->vcpu_sig || o->features;

	if (o->measurement && launch)
		return cli_error(&id_block_spec,
				 "give the digest as --measurement or the "
				 "launch (--ovmf ...), not both");
	if (!o->measurement && !o->ovmf)
		return cli_error(&id_block_spec,
				 "missing --measurement HEX or --ovmf FILE");
	if (!o->id_key)
		return cli_error(&id_block_spec, "missing --id-key PEM");
	if (o->out_block && o->out_auth && !strcmp(o->out_block, o->out_auth))
		return cli_error(&id_block_spec,
				 "--out-block and --out-auth name the same "
				 "file %s",
				 o->out_block);
	return -1;
}

/* The keys; -1 to go on, or an exit code. */
static int read_keys(const struct idb_opts *o, EVP_PKEY **id, EVP_PKEY **au)
{
	const char *opt[2] = {"--id-key", "--author-key"};
	const char *path[2] = {o->id_key, o->author_key};
	EVP_PKEY **out[2] = {id, au};
	char err[256];
	int ret;

	for (int k = 0; k < 2; k++) {
		if (!path[k])
			continue;
		ret = sev_p384_key_read(path[k], out[k], err, sizeof(err));
		if (ret == -ENOMEM) {
			fprintf(stderr, IDB_PREFIX "%s %s: out of memory\n",
				opt[k], path[k]);
			return EXIT_RUNTIME;
		}
		if (ret) {
			fprintf(stderr, IDB_PREFIX "%s %s: %s\n", opt[k],
				path[k], err);
			return EXIT_BAD_INPUT;
		}
	}
	return -1;
}

struct idb_result {
	uint8_t ld[48];
	uint8_t block[SNP_ID_BLOCK_LEN];
	uint8_t auth[SNP_ID_AUTH_LEN];
	uint8_t id_digest[48], author_digest[48];
	bool author;
};

static int print_text(const struct idb_result *r)
{
	char b64[BASE64_LEN(SNP_ID_AUTH_LEN) + 1], hex[2 * 48 + 1];

	hex_encode(r->ld, 48, hex);
	printf("launch digest: %s\n", hex);
	base64_encode(r->block, sizeof(r->block), b64);
	printf("id-block: %s\n", b64);
	base64_encode(r->auth, sizeof(r->auth), b64);
	printf("id-auth: %s\n", b64);
	hex_encode(r->id_digest, 48, hex);
	printf("id-key-digest: %s\n", hex);
	if (r->author) {
		hex_encode(r->author_digest, 48, hex);
		printf("author-key-digest: %s\n", hex);
	}
	return 0;
}

static int print_json(const struct idb_result *r)
{
	struct json_writer w = {0};
	char *text;
	size_t len;

	jw_begin(&w);
	jw_key(&w, "launch-digest");
	jw_hex(&w, r->ld, 48);
	jw_key(&w, "id-block");
	jw_base64(&w, r->block, sizeof(r->block));
	jw_key(&w, "id-auth");
	jw_base64(&w, r->auth, sizeof(r->auth));
	jw_key(&w, "id-key-digest");
	jw_hex(&w, r->id_digest, 48);
	jw_key(&w, "author-key-digest");
	if (r->author)
		jw_hex(&w, r->author_digest, 48);
	else
		jw_null(&w);
	jw_end(&w);
	if (jw_finish(&w, &text, &len)) {
		fprintf(stderr, IDB_PREFIX "out of memory\n");
		return EXIT_RUNTIME;
	}
	printf("%s\n", text);
	free(text);
	return 0;
}

/* Both files or neither: a second write that fails takes the first one
 * back (only what this run wrote). */
static int write_outputs(const struct idb_opts *o, const struct idb_result *r)
{
	char err[256];
	int ret;

	if (o->out_block) {
		ret = file_write_atomic(o->out_block, r->block,
					sizeof(r->block), 0644, true, err,
					sizeof(err));
		if (ret) {
			fprintf(stderr, IDB_PREFIX "--out-block %s: %s\n",
				o->out_block, err);
			return EXIT_RUNTIME;
		}
	}
	if (o->out_auth) {
		ret = file_write_atomic(o->out_auth, r->auth, sizeof(r->auth),
					0644, true, err, sizeof(err));
		if (ret) {
			fprintf(stderr, IDB_PREFIX "--out-auth %s: %s\n",
				o->out_auth, err);
			if (o->out_block)
				unlink(o->out_block);
			return EXIT_RUNTIME;
		}
	}
	return -1;
}

static int make(const struct idb_opts *o, struct snp_id_fields *f,
		EVP_PKEY *id, EVP_PKEY *au, struct idb_result *r)
{
	char err[256] = "";
	int ret;

	memcpy(f->ld, r->ld, sizeof(f->ld));
	snp_id_block_make(f, r->block);
	r->author = au != NULL;
	ret = snp_id_auth_sign(id, au, r->block, r->auth, err, sizeof(err));
	/* What the firmware will check, checked before anything is
	 * written. */
	if (!ret)
		ret = snp_id_auth_verify(r->block, r->auth, r->author, err,
					 sizeof(err));
	if (!ret)
		ret = snp_id_key_digest(r->auth + SNP_ID_AUTH_ID_KEY,
					r->id_digest);
	if (!ret && r->author)
		ret = snp_id_key_digest(r->auth + SNP_ID_AUTH_AUTHOR_KEY,
					r->author_digest);
	if (ret) {
		fprintf(stderr, IDB_PREFIX "%s\n",
			*err ? err : "OpenSSL failed");
		return EXIT_RUNTIME;
	}
	ret = write_outputs(o, r);
	if (ret >= 0)
		return ret;
	return o->json ? print_json(r) : print_text(r);
}

int cmd_id_block(int argc, char **argv)
{
	struct idb_opts o = {.policy = SNP_DEFAULT_POLICY};
	struct idb_result r = {0};
	struct snp_id_fields f = {0};
	EVP_PKEY *id = NULL, *au = NULL;
	int rc;

	rc = cli_parse(&id_block_spec, argc, argv, &o, NULL);
	if (rc >= 0)
		return rc;
	rc = check_opts(&o);
	if (rc < 0)
		rc = id_hex("--family-id", o.family_id, f.family_id);
	if (rc < 0)
		rc = id_hex("--image-id", o.image_id, f.image_id);
	if (rc >= 0)
		return rc;
	f.guest_svn = (uint32_t)o.svn;
	f.policy = o.policy;
	/* Keys first: a wrong key costs no digest of a large image. */
	rc = read_keys(&o, &id, &au);
	if (rc < 0)
		rc = launch_digest(&o, r.ld);
	if (rc < 0)
		rc = make(&o, &f, id, au, &r);
	EVP_PKEY_free(id);
	EVP_PKEY_free(au);
	if (!rc && (fflush(stdout) || ferror(stdout))) {
		fprintf(stderr, IDB_PREFIX "cannot write the result: %s\n",
			strerror(errno));
		return EXIT_RUNTIME;
	}
	return rc;
}
