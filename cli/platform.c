// SPDX-License-Identifier: MIT
/*
 * sevboot platform COMMAND: the AMD Secure Processor's platform commands
 * on /dev/sev (sev/platform.c), or on sevboot's firmware model with
 * --sev-model DIR.  Text or --json; the commands that change the
 * platform refuse to run without --yes.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "cli/cli.h"
#include "sev/sev.h"
#include "util/util.h"

struct platform_opts {
	const char *model, *out, *pek, *oca, *hashstick;
	uint64_t reported_tcb;
	bool have_tcb, mask_chip_id, mask_chip_key, json, yes, full;
};

#define PO(field) CLI_FIELD(struct platform_opts, field)

/* clang-format off */
static const struct cli_opt platform_options[] = {
	{ "sev-model", .arg = CLI_STRING, PO(model), .meta = "DIR",
	  .help = "ask sevboot's firmware model, whose identity is in DIR "
		  "(sevboot model-keys DIR), instead of /dev/sev" },
	{ "json", .arg = CLI_FLAG, PO(json), .help = "answer in JSON" },
	{ "yes", .arg = CLI_FLAG, PO(yes),
	  .help = "do it: the commands that change the platform need this" },
	{ "out", .arg = CLI_STRING, PO(out), .meta = "FILE",
	  .help = "export, pek-csr: where the certificates go (a new file)" },
	{ "full", .arg = CLI_FLAG, PO(full),
	  .help = "export: the ASK and the ARK too (sevctl export --full; "
		  "the model only)" },
	{ "pek", .arg = CLI_STRING, PO(pek), .meta = "FILE",
	  .help = "pek-cert-import: the PEK signed by the OCA (0x824 bytes, "
		  "raw or base64)" },
	{ "oca", .arg = CLI_STRING, PO(oca), .meta = "FILE",
	  .help = "pek-cert-import: the OCA certificate (0x824 bytes)" },
	{ "reported-tcb", .arg = CLI_HEX, PO(reported_tcb), .max = UINT64_MAX,
	  CLI_ALSO(struct platform_opts, have_tcb), .meta = "HEX",
	  .help = "snp-set-config: the TCB_VERSION reports carry" },
	{ "mask-chip-id", .arg = CLI_FLAG, PO(mask_chip_id),
	  .help = "snp-set-config: reports carry no chip id" },
	{ "mask-chip-key", .arg = CLI_FLAG, PO(mask_chip_key),
	  .help = "snp-set-config: reports are not signed" },
	{ "hashstick", .arg = CLI_STRING, PO(hashstick), .meta = "FILE",
	  .help = "vlek-load: the wrapped VLEK hashstick from AMD's KDS (432 "
		  "bytes)" },
	{ .arg = CLI_END },
};
/* clang-format on */

const struct cli_spec platform_spec = {
	.name = "platform",
	.prefix = "sevboot: platform: ",
	.synopsis = "platform COMMAND [--sev-model DIR] [--json] [--yes] "
		    "[OPTIONS]",
	.about = "The AMD Secure Processor's platform commands on /dev/sev "
		 "(SEV_ISSUE_CMD):\n"
		 "  status           SEV_PLATFORM_STATUS: state, API version, "
		 "build, owner,\n"
		 "                   guests\n"
		 "  snp-status       SNP_PLATFORM_STATUS\n"
		 "  get-id           GET_ID2: the chip id (hex)\n"
		 "  export --out F [--full]\n"
		 "                   PDH_CERT_EXPORT: PDH, PEK, OCA, CEK "
		 "concatenated (8336\n"
		 "                   bytes, as `sevctl export` writes them); "
		 "--full adds the ASK\n"
		 "                   and the ARK (10000 bytes)\n"
		 "  pek-csr --out F  PEK_CSR: the PEK to be signed by an OCA\n"
		 "and, with --yes only, the ones that change the platform:\n"
		 "  factory-reset    FACTORY_RESET: new PEK, PDH, OCA; guests "
		 "keys lost\n"
		 "  pek-gen          PEK_GEN: a new PEK (and PDH)\n"
		 "  pdh-gen          PDH_GEN: a new PDH\n"
		 "  pek-cert-import --pek F --oca F   PEK_CERT_IMPORT\n"
		 "  snp-commit       SNP_COMMIT: the current firmware's TCB "
		 "becomes the minimum\n"
		 "  snp-set-config [--reported-tcb HEX] [--mask-chip-id] "
		 "[--mask-chip-key]\n"
		 "  vlek-load --hashstick F   SNP_VLEK_LOAD\n"
		 "With --sev-model DIR, sevboot's firmware model answers "
		 "from its identity in\nDIR (sevboot model-keys DIR): status, "
		 "snp-status, get-id (the chip id its\nVCEK carries), export "
		 "(the CEK and with --full the ASK and ARK from DIR,\nas AMD's "
		 "KDS would give them), pek-csr, and pdh-gen, pek-gen, "
		 "factory-reset,\npek-cert-import and snp-set-config, which "
		 "rewrite DIR at once; snp-commit\nchanges nothing (one TCB, "
		 "committed); it holds no VLEK, so vlek-load fails\nas the "
		 "firmware does.  It is NOT the real firmware.\n",
	.opts = platform_options,
	.notes = "Exit codes: 0 ok, 1 runtime failure, 2 usage (also a "
		 "missing --yes), 3 bad\ninput file, 4 no /dev/sev (or no "
		 "access), 5 the firmware failed the command.\n",
	.max_args = 2,
};

static void __attribute__((format(printf, 2, 3)))
plat_error(const char *cmd, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "sevboot: platform %s: ", cmd);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

/* -errno of a command -> exit code. */
static int plat_exit(int ret, int fw_err)
{
	if (ret == -EPERM || ret == -EACCES || ret == -ENOENT || ret == -ENODEV)
		return EXIT_HOST;
	if (ret == -EOPNOTSUPP)
		return EXIT_HOST;
	if (ret == -ENOMEM)
		return EXIT_RUNTIME;
	return fw_err > 0 || ret == -EIO ? EXIT_SEV : EXIT_RUNTIME;
}

static const char *state_name(uint8_t s)
{
	static const char *const n[] = {"UNINIT", "INIT", "WORKING"};

	return s < 3 ? n[s] : "unknown";
}

static int json_out(struct json_writer *j)
{
	char *text;
	size_t len;

	if (jw_finish(j, &text, &len)) {
		fprintf(stderr, "sevboot: platform: out of memory\n");
		return EXIT_RUNTIME;
	}
	printf("%s\n", text);
	free(text);
	return 0;
}

static const char *source(const struct sev_platform *p)
{
	return sev_platform_is_model(p) ? "the firmware model" : SEV_DEV_PATH;
}

/* The members the SEV and SNP status objects begin with. */
static void json_status_head(struct json_writer *j,
			     const struct sev_platform *p, const char *state,
			     unsigned value, unsigned api_major,
			     unsigned api_minor)
{
	jw_begin(j);
	jw_key(j, "source");
	jw_cstr(j, sev_platform_is_model(p) ? "model" : SEV_DEV_PATH);
	jw_key(j, "state");
	jw_cstr(j, state);
	jw_key(j, "state_value");
	jw_uint(j, value);
	jw_key(j, "api_major");
	jw_uint(j, api_major);
	jw_key(j, "api_minor");
	jw_uint(j, api_minor);
}

static int show_status(const struct sev_platform_status *s,
		       const struct sev_platform *p, bool json)
{
	bool owner = s->flags & SEV_PLATFORM_FLAG_OWNER;
	bool es = s->flags & SEV_PLATFORM_FLAG_CONFIG_ES;

	if (json) {
		struct json_writer j = {0};

		json_status_head(&j, p, state_name(s->state), s->state,
				 s->api_major, s->api_minor);
		jw_key(&j, "build");
		jw_uint(&j, s->build);
		jw_key(&j, "flags");
		jw_uint(&j, s->flags);
		jw_key(&j, "owner");
		jw_cstr(&j, owner ? "external" : "self");
		jw_key(&j, "config_es");
		jw_bool(&j, es);
		jw_key(&j, "guest_count");
		jw_uint(&j, s->guest_count);
		jw_end(&j);
		return json_out(&j);
	}
	printf("SEV platform status (%s)\n", source(p));
	printf("state        %s (%u)\n", state_name(s->state), s->state);
	printf("api          %u.%u\n", s->api_major, s->api_minor);
	printf("build        %u\n", s->build);
	printf("owner        %s\n",
	       owner ? "externally owned (an OCA was imported)" : "self-owned");
	printf("sev-es       %s\n", es ? "yes (CONFIG_ES)" : "no");
	printf("guests       %u\n", s->guest_count);
	printf("flags        0x%x\n", s->flags);
	return 0;
}

static int show_snp_status(const struct sev_snp_platform_status *s,
			   const struct sev_platform *p, bool json)
{
	const char *state = s->state == 0   ? "UNINIT"
			    : s->state == 1 ? "INIT"
					    : "unknown";

	if (json) {
		struct json_writer j = {0};

		json_status_head(&j, p, state, s->state, s->api_major,
				 s->api_minor);
		jw_key(&j, "build_id");
		jw_uint(&j, s->build_id);
		jw_key(&j, "rmp_initialized");
		jw_bool(&j, s->rmp_initialized);
		jw_key(&j, "flags");
		jw_uint(&j, s->flags);
		jw_key(&j, "guest_count");
		jw_uint(&j, s->guest_count);
		jw_key(&j, "current_tcb");
		jw_uint(&j, s->current_tcb);
		jw_key(&j, "reported_tcb");
		jw_uint(&j, s->reported_tcb);
		jw_end(&j);
		return json_out(&j);
	}
	printf("SNP platform status (%s)\n", source(p));
	printf("state          %s (%u)\n", state, s->state);
	printf("api            %u.%u\n", s->api_major, s->api_minor);
	printf("build          %u\n", s->build_id);
	printf("rmp            %s\n",
	       s->rmp_initialized ? "initialised" : "not initialised");
	printf("flags          0x%x (mask_chip_id %u, mask_chip_key %u, "
	       "vlek_en %u)\n",
	       s->flags, s->flags & 1, (s->flags >> 1) & 1,
	       (s->flags >> 2) & 1);
	printf("guests         %u\n", s->guest_count);
	printf("current_tcb    0x%016llx\n",
	       (unsigned long long)s->current_tcb);
	printf("reported_tcb   0x%016llx\n",
	       (unsigned long long)s->reported_tcb);
	return 0;
}

/* FILE, a new file: split for cli_write_file. */
static int write_out(const char *cmd, const char *path, const void *p, size_t n)
{
	struct cli_written w = {.n = 0};
	char dir[4096], what[64];
	const char *slash = strrchr(path, '/');

	if (!slash) {
		snprintf(dir, sizeof(dir), ".");
	} else {
		if ((size_t)(slash - path) >= sizeof(dir) || !slash[1]) {
			plat_error(cmd, "--out %s: must name a file", path);
			return EXIT_USAGE;
		}
		memcpy(dir, path, (size_t)(slash - path));
		dir[slash - path] = '\0';
		if (slash == path)
			snprintf(dir, sizeof(dir), "/");
		path = slash + 1;
	}
	snprintf(what, sizeof(what), "platform %s", cmd);
	return cli_write_file(what, dir, path, p, n, 0644, &w);
}

/* The commands, by name; what each needs. */
enum pcmd {
	P_STATUS,
	P_SNP_STATUS,
	P_GET_ID,
	P_EXPORT,
	P_PEK_CSR,
	P_FACTORY_RESET,
	P_PEK_GEN,
	P_PDH_GEN,
	P_PEK_IMPORT,
	P_SNP_COMMIT,
	P_SNP_CONFIG,
	P_VLEK_LOAD,
};

static const struct {
	const char *name;
	enum pcmd cmd;
	bool changes;	  /* needs --yes and /dev/sev for writing */
	const char *what; /* for the --yes refusal */
} pcmds[] = {
	{"status", P_STATUS, false, NULL},
	{"snp-status", P_SNP_STATUS, false, NULL},
	{"get-id", P_GET_ID, false, NULL},
	{"export", P_EXPORT, false, NULL},
	{"pek-csr", P_PEK_CSR, false, NULL},
	{"factory-reset", P_FACTORY_RESET, true,
	 "it deletes the platform's identity (PEK, PDH, OCA) and every "
	 "guest's keys"},
	{"pek-gen", P_PEK_GEN, true,
	 "it replaces the PEK and the PDH, so the platform's certificate "
	 "chain changes"},
	{"pdh-gen", P_PDH_GEN, true,
	 "it replaces the PDH that guest owners' sessions are made for"},
	{"pek-cert-import", P_PEK_IMPORT, true,
	 "it makes the platform owned by the OCA given"},
	{"snp-commit", P_SNP_COMMIT, true,
	 "the running firmware's version becomes the minimum; older firmware "
	 "can no longer be loaded"},
	{"snp-set-config", P_SNP_CONFIG, true,
	 "it changes the TCB and the chip id or key that reports carry"},
	{"vlek-load", P_VLEK_LOAD, true,
	 "reports are then signed by the VLEK instead of the VCEK"},
};

#define NPCMDS (sizeof(pcmds) / sizeof(pcmds[0]))

/* The options each command takes besides --sev-model, --json, --yes. */
static int check_opts(const char *name, enum pcmd c,
		      const struct platform_opts *o)
{
	bool out = c == P_EXPORT || c == P_PEK_CSR;

	if (o->out && !out)
		return cli_error(&platform_spec, "%s takes no --out", name);
	if (o->full && c != P_EXPORT)
		return cli_error(&platform_spec, "%s takes no --full", name);
	if (out && !o->out)
		return cli_error(&platform_spec, "%s needs --out FILE", name);
	if ((o->pek || o->oca) && c != P_PEK_IMPORT)
		return cli_error(&platform_spec, "%s takes no --pek or --oca",
				 name);
	if (c == P_PEK_IMPORT && (!o->pek || !o->oca))
		return cli_error(&platform_spec,
				 "pek-cert-import needs --pek FILE and --oca "
				 "FILE");
	if ((o->have_tcb || o->mask_chip_id || o->mask_chip_key) &&
	    c != P_SNP_CONFIG)
		return cli_error(&platform_spec,
				 "%s takes no --reported-tcb, --mask-chip-id "
				 "or --mask-chip-key",
				 name);
	if (o->hashstick && c != P_VLEK_LOAD)
		return cli_error(&platform_spec, "%s takes no --hashstick",
				 name);
	if (c == P_VLEK_LOAD && !o->hashstick)
		return cli_error(&platform_spec,
				 "vlek-load needs --hashstick FILE");
	return -1;
}

/* What was written, for people or as JSON. */
static int said_file(const char *name, const struct platform_opts *o, size_t n,
		     const char *what)
{
	struct json_writer j = {0};

	if (!o->json) {
		printf("sevboot: platform %s: %s (%zu bytes%s)\n", name, o->out,
		       n, what);
		return 0;
	}
	jw_begin(&j);
	jw_key(&j, "out");
	jw_cstr(&j, o->out);
	jw_key(&j, "bytes");
	jw_uint(&j, n);
	jw_end(&j);
	return json_out(&j);
}

/* The read-only commands: 0 or -errno of the firmware command; *rc an
 * exit code when a later step failed (its line printed). */
static int run_query(const char *name, enum pcmd c, struct sev_platform *p,
		     const struct platform_opts *o, int *fw, char *err,
		     size_t errlen, int *rc)
{
	struct sev_platform_status st;
	struct sev_snp_platform_status snp;
	uint8_t id[256], *csr = NULL;
	char hex[2 * sizeof(id) + 1];
	size_t n = 0;
	int ret;

	switch (c) {
	case P_STATUS:
		ret = sev_platform_get_status(p, &st, fw, err, errlen);
		return ret ? ret : show_status(&st, p, o->json) ? -EIO : 0;
	case P_SNP_STATUS:
		ret = sev_platform_snp_status(p, &snp, fw, err, errlen);
		return ret ? ret : show_snp_status(&snp, p, o->json) ? -EIO : 0;
	case P_GET_ID:
		ret = sev_platform_get_id(p, id, sizeof(id), &n, fw, err,
					  errlen);
		if (ret)
			return ret;
		hex_encode(id, n, hex);
		if (o->json)
			printf("{\"chip_id\":\"%s\",\"bytes\":%zu}\n", hex, n);
		else
			printf("%s\n", hex);
		return 0;
	case P_EXPORT:
		/* sevctl export: PDH || PEK || OCA || CEK (virtee/sev
		 * certs::sev::sev::Chain), --full ASK || ARK after it. */
		ret = sev_platform_sev_chain(p, o->full, &csr, &n, fw, err,
					     errlen);
		if (ret)
			return ret;
		*rc = write_out(name, o->out, csr, n);
		free(csr);
		if (!*rc)
			*rc = said_file(
				name, o, n,
				o->full ? ": PDH, PEK, OCA, CEK, ASK, ARK"
					: ": PDH, PEK, OCA, CEK");
		return 0;
	case P_PEK_CSR:
		ret = sev_platform_pek_csr(p, &csr, &n, fw, err, errlen);
		if (ret)
			return ret;
		*rc = write_out(name, o->out, csr, n);
		free(csr);
		if (!*rc)
			*rc = said_file(name, o, n, "");
		return 0;
	default:
		return -EINVAL;
	}
}

/* The commands that change the platform (after --yes); as run_query. */
static int run_change(const char *name, enum pcmd c, struct sev_platform *p,
		      const struct platform_opts *o, int *fw, char *err,
		      size_t errlen, int *rc)
{
	uint8_t pek[SEV_CERT_LEN], oca[SEV_CERT_LEN];
	uint8_t stick[SEV_VLEK_HASHSTICK_LEN];
	int ret;

	switch (c) {
	case P_FACTORY_RESET:
		return sev_platform_factory_reset(p, fw, err, errlen);
	case P_PEK_GEN:
		return sev_platform_pek_gen(p, fw, err, errlen);
	case P_PDH_GEN:
		return sev_platform_pdh_gen(p, fw, err, errlen);
	case P_SNP_COMMIT:
		return sev_platform_snp_commit(p, fw, err, errlen);
	case P_SNP_CONFIG:
		return sev_platform_snp_set_config(
			p, o->reported_tcb, o->mask_chip_id, o->mask_chip_key,
			fw, err, errlen);
	case P_PEK_IMPORT:
		ret = cli_read_blob("--pek", o->pek, SEV_CERT_LEN, pek);
		if (!ret)
			ret = cli_read_blob("--oca", o->oca, SEV_CERT_LEN, oca);
		if (ret) {
			*rc = ret;
			return 0;
		}
		return sev_platform_pek_cert_import(p, pek, oca, fw, err,
						    errlen);
	case P_VLEK_LOAD:
		ret = cli_read_blob("--hashstick", o->hashstick,
				    SEV_VLEK_HASHSTICK_LEN, stick);
		if (ret) {
			*rc = ret;
			return 0;
		}
		ret = sev_platform_vlek_load(p, stick, fw, err, errlen);
		OPENSSL_cleanse(stick, sizeof(stick));
		return ret;
	default:
		(void)name;
		return -EINVAL;
	}
}

static struct sev_platform *platform_for(const char *name,
					 const struct platform_opts *o,
					 bool changes, int *rc)
{
	struct sev_platform *p;
	char err[512];
	int e = 0;

	if (o->model)
		p = sev_platform_open_model(o->model, &e, err, sizeof(err));
	else {
		/* Read-write when allowed: the kernel initialises an UNINIT
		 * platform for PEK_CSR and PDH_CERT_EXPORT only for a writer
		 * (sev_ioctl_do_pek_csr(), sev_ioctl_do_pdh_export()). */
		p = sev_platform_open(NULL, true, &e, err, sizeof(err));
		if (!p && !changes && (e == EACCES || e == EPERM || e == EROFS))
			p = sev_platform_open(NULL, false, &e, err,
					      sizeof(err));
	}
	if (p) {
		if (o->model)
			fprintf(stderr,
				"sevboot: WARNING: --sev-model: sevboot's "
				"software model answers, not the AMD Secure "
				"Processor\n");
		return p;
	}
	if (o->model) {
		plat_error(name, "--sev-model %s: %s", o->model, err);
		*rc = e == ENOMEM ? EXIT_RUNTIME : EXIT_BAD_INPUT;
	} else {
		plat_error(name, "%s%s", err,
			   e == ENOENT ? " (--sev-model DIR asks sevboot's "
					 "firmware model instead)"
				       : "");
		*rc = EXIT_HOST;
	}
	return NULL;
}

int cmd_platform(int argc, char **argv)
{
	struct platform_opts o = {0};
	struct cli_args args;
	struct sev_platform *p;
	char err[512], shown[CLI_WORD_MAX];
	size_t k;
	int ret, fw = -1, rc = 0;

	ret = cli_parse(&platform_spec, argc, argv, &o, &args);
	if (ret >= 0)
		return ret;
	if (args.n != 1)
		return cli_error(&platform_spec,
				 "expected one COMMAND (see --help)");
	for (k = 0; k < NPCMDS; k++)
		if (!strcmp(args.v[0], pcmds[k].name))
			break;
	if (k == NPCMDS)
		return cli_error(
			&platform_spec,
			"unknown command '%s' (see sevboot platform "
			"--help)",
			cli_word(shown, sizeof(shown), args.v[0], SIZE_MAX));
	ret = check_opts(pcmds[k].name, pcmds[k].cmd, &o);
	if (ret >= 0)
		return ret;
	if (pcmds[k].changes && !o.yes)
		return cli_error(&platform_spec,
				 "%s changes the platform: %s; give --yes to "
				 "do it",
				 pcmds[k].name, pcmds[k].what);
	if (pcmds[k].cmd == P_SNP_CONFIG && !o.have_tcb)
		return cli_error(&platform_spec,
				 "snp-set-config needs --reported-tcb HEX");
	p = platform_for(pcmds[k].name, &o, pcmds[k].changes, &rc);
	if (!p)
		return rc;
	err[0] = '\0';
	if (pcmds[k].changes)
		ret = run_change(pcmds[k].name, pcmds[k].cmd, p, &o, &fw, err,
				 sizeof(err), &rc);
	else
		ret = run_query(pcmds[k].name, pcmds[k].cmd, p, &o, &fw, err,
				sizeof(err), &rc);
	sev_platform_close(p);
	if (rc) /* its line is printed */
		return rc;
	if (ret) {
		plat_error(pcmds[k].name, "%s", err[0] ? err : strerror(-ret));
		return plat_exit(ret, fw);
	}
	if (pcmds[k].changes)
		printf(o.json ? "{\"command\":\"%s\",\"done\":true}\n"
			      : "sevboot: platform %s: done\n",
		       pcmds[k].name);
	return 0;
}
