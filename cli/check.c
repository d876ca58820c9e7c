// SPDX-License-Identifier: MIT
/*
 * sevboot check: can this host launch SEV, SEV-ES or SEV-SNP guests?  The
 * very check `run` makes before a launch (sev/hostcheck.c:
 * sev_host_gather() once, sev_host_check() per mode), on its own, like
 * `sevctl ok`.  Exit 0 only when the mode asked for (each of them for
 * `all`) can launch.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "sev/sev.h"
#include "util/util.h"

struct check_opts {
	const char *mode;
	bool json, verbose;
};

#define CO(field) CLI_FIELD(struct check_opts, field)

/* clang-format off */
static const struct cli_opt check_options[] = {
	{ "mode", .arg = CLI_STRING, CO(mode), .meta = "MODE",
	  .help = "sev, sev-es, snp or all (default all)" },
	{ "json", .arg = CLI_FLAG, CO(json), .help = "answer in JSON" },
	{ "verbose", 'v', .arg = CLI_FLAG, CO(verbose),
	  .help = "also the host's kernel facts, as run -v says them" },
	{ .arg = CLI_END },
};
/* clang-format on */

const struct cli_spec host_check_spec = {
	.name = "check",
	.prefix = "sevboot: check: ",
	.synopsis = "check [--mode sev|sev-es|snp|all] [--json] [-v]",
	.about = "Whether this host can launch SEV, SEV-ES and SEV-SNP guests "
		 "on its own\nfirmware: the check `run` makes before a launch "
		 "(CPU, kvm_amd, KVM's VM\ntypes, /dev/kvm, /dev/sev and the "
		 "firmware's status), one line per mode,\nwith every missing "
		 "piece named.\n",
	.opts = check_options,
	.notes = "Exit codes: 0 the mode asked for can launch (with all: "
		 "every mode), 2 usage,\n4 it cannot.\n",
};

static const struct {
	const char *name, *display;
	enum sev_mode mode;
} modes[] = {
	{"sev", "SEV", SEV_MODE_SEV},
	{"sev-es", "SEV-ES", SEV_MODE_SEV_ES},
	{"snp", "SEV-SNP", SEV_MODE_SNP},
};

#define NMODES (sizeof(modes) / sizeof(modes[0]))

/* One mode's JSON member: {"ok":..,"init":..,"reason":..}. */
static void json_mode(struct json_writer *j, const char *name, bool ok,
		      const struct sev_host_info *in, const char *msg)
{
	jw_key(j, name);
	jw_begin(j);
	jw_key(j, "ok");
	jw_bool(j, ok);
	if (ok) {
		jw_key(j, "init");
		jw_cstr(j, in->init2 ? "KVM_SEV_INIT2" : "legacy");
	} else {
		jw_key(j, "reason");
		jw_cstr(j, msg);
	}
	jw_end(j);
}

int cmd_check(int argc, char **argv)
{
	struct check_opts o = {0};
	struct sev_host_facts f;
	struct json_writer j = {0};
	char msg[2048], *text;
	size_t first = 0, last = NMODES, len;
	bool all_ok = true;
	int ret;

	ret = cli_parse(&host_check_spec, argc, argv, &o, NULL);
	if (ret >= 0)
		return ret;
	if (o.mode && strcmp(o.mode, "all")) {
		for (first = 0; first < NMODES; first++)
			if (!strcmp(o.mode, modes[first].name))
				break;
		if (first == NMODES)
			return cli_error(&host_check_spec,
					 "--mode %s: must be sev, sev-es, snp "
					 "or all",
					 o.mode);
		last = first + 1;
	}
	sev_host_gather(&f);
	sev_host_describe(&f, msg, sizeof(msg));
	if (o.json) {
		jw_begin(&j);
		jw_key(&j, "host");
		jw_cstr(&j, msg);
	} else if (o.verbose) {
		printf("host: %s\n", msg);
	}
	for (size_t k = first; k < last; k++) {
		struct sev_host_info in;

		memset(&in, 0, sizeof(in));
		ret = sev_host_check(&f, modes[k].mode, -1, -1, msg,
				     sizeof(msg), &in);
		all_ok &= !ret;
		if (o.json)
			json_mode(&j, modes[k].name, !ret, &in, msg);
		else if (!ret)
			printf("%-8s yes (%s)\n", modes[k].display,
			       in.init2 ? "KVM_SEV_INIT2"
					: "the legacy KVM_SEV_INIT/ES_INIT");
		else
			printf("%-8s no: %s\n", modes[k].display, msg);
	}
	if (o.json) {
		jw_key(&j, "ok");
		jw_bool(&j, all_ok);
		jw_end(&j);
		if (jw_finish(&j, &text, &len)) {
			fprintf(stderr, "sevboot: check: out of memory\n");
			return EXIT_RUNTIME;
		}
		printf("%s\n", text);
		free(text);
	}
	return all_ok ? 0 : EXIT_HOST;
}
