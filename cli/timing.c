// SPDX-License-Identifier: MIT
/*
 * cli/timing.c: the run's timing report.  --timing-json writes the
 * document doc/timing-schema.md describes (schema "sevboot-timing",
 * version 1): the firmware commands as before ("mode", "steps"), a header
 * saying what ran where, and the whole timeline (util/timeline.c).
 * --timing-csv writes the timeline's entries.  Both are written whole or
 * not at all (a temporary file renamed into place).
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "cli/cli.h"
#include "util/util.h"

/* The first processor's identity in /proc/cpuinfo. */
static void cpu_gather(char found[6][128])
{
	static const char *const keys[] = { "vendor_id",  "model name",
					    "cpu family", "model",
					    "stepping",	  "microcode" };
	char line[512];
	FILE *f = fopen("/proc/cpuinfo", "r");

	for (unsigned k = 0; k < 6; k++)
		found[k][0] = 0;
	while (f && fgets(line, sizeof(line), f) && strcmp(line, "\n")) {
		char *colon = strchr(line, ':');
		size_t klen;

		if (!colon)
			continue;
		klen = (size_t)(colon - line);
		while (klen &&
		       (line[klen - 1] == ' ' || line[klen - 1] == '\t'))
			klen--;
		for (unsigned k = 0; k < 6; k++)
			if (strlen(keys[k]) == klen &&
			    !strncmp(line, keys[k], klen)) {
				char *v = colon + 1 + (colon[1] == ' ');

				v[strcspn(v, "\n")] = 0;
				snprintf(found[k], sizeof(found[k]), "%s", v);
			}
	}
	if (f)
		fclose(f);
}

static void cpu_identity(struct json_writer *w, const char found[6][128])
{
	static const char *const names[] = { "vendor", "model_name", "family",
					     "model",  "stepping",   "microcode" };

	jw_key(w, "cpu");
	jw_begin(w);
	for (unsigned k = 0; k < 6; k++) {
		char *end;
		unsigned long v;

		if (!found[k][0])
			continue;
		jw_key(w, names[k]);
		v = strtoul(found[k], &end, 10);
		/* family, model, stepping are numbers; the rest text */
		if (k >= 2 && k <= 4 && !*end)
			jw_uint(w, v);
		else
			jw_cstr(w, found[k]);
	}
	jw_end(w);
}

/* When the process started, before the anchor: /proc/self/stat's start
 * time (clock ticks since boot, proc(5)) against CLOCK_BOOTTIME. */
static void exec_gather(struct timing_host *h, uint64_t anchor_mono)
{
	char buf[1024], *p;
	unsigned long long start = 0;
	long hz = sysconf(_SC_CLK_TCK);
	struct timespec boot, mono;
	FILE *f = fopen("/proc/self/stat", "r");
	size_t n = f ? fread(buf, 1, sizeof(buf) - 1, f) : 0;
	uint64_t start_ns, offset;

	if (f)
		fclose(f);
	buf[n] = 0;
	/* Field 22; the name (field 2) may hold spaces: count after ')'. */
	p = strrchr(buf, ')');
	for (int field = 2; p && field < 22; field++)
		p = strchr(p + 1, ' ');
	if (!p || hz <= 0 || sscanf(p + 1, "%llu", &start) != 1)
		return;
	clock_gettime(CLOCK_BOOTTIME, &boot);
	clock_gettime(CLOCK_MONOTONIC, &mono);
	offset = ((uint64_t)boot.tv_sec * 1000000000ULL + boot.tv_nsec) -
		 ((uint64_t)mono.tv_sec * 1000000000ULL + mono.tv_nsec);
	start_ns = start * (1000000000ULL / (uint64_t)hz);
	if (start_ns < offset || start_ns - offset > anchor_mono)
		return;
	h->have_exec = true;
	h->exec_to_anchor_ns = anchor_mono - (start_ns - offset);
	h->exec_resolution_ns = 1000000000ULL / (uint64_t)hz;
}

void timing_host_gather(struct timing_host *h, uint64_t anchor_mono)
{
	struct utsname u;
	uint8_t md[32];
	unsigned mdlen;

	/* OpenSSL reads its configuration and loads its provider on first
	 * use: here, not under the run loop's filter when the inputs are
	 * hashed at the end. */
	EVP_Digest("", 0, md, &mdlen, EVP_sha256(), NULL);
	memset(h, 0, sizeof(*h));
	if (!uname(&u))
		snprintf(h->release, sizeof(h->release), "%s", u.release);
	cpu_gather(h->cpu);
	exec_gather(h, anchor_mono);
}

static void input_entry(struct json_writer *w, const struct timing_input *in)
{
	uint8_t md[32];
	unsigned mdlen = 0;

	jw_begin(w);
	jw_key(w, "option");
	jw_cstr(w, in->option);
	jw_key(w, "path");
	jw_cstr(w, in->path);
	jw_key(w, "bytes");
	jw_uint(w, in->len);
	if (in->data &&
	    EVP_Digest(in->data, in->len, md, &mdlen, EVP_sha256(), NULL) &&
	    mdlen == 32) {
		jw_key(w, "sha256");
		jw_hex(w, md, 32);
	}
	jw_end(w);
}

static void header(struct json_writer *w, const struct timing_header *h)
{
	jw_key(w, "sevboot_version");
	jw_cstr(w, SEVBOOT_VERSION);
	jw_key(w, "host");
	jw_begin(w);
	if (h->host.release[0]) {
		jw_key(w, "kernel_release");
		jw_cstr(w, h->host.release);
	}
	cpu_identity(w, h->host.cpu);
	jw_end(w);
	jw_key(w, "transport");
	jw_cstr(w, !h->sev ? "none" : h->model ? "model" : "kvm");
	jw_key(w, "mode");
	jw_cstr(w, h->sev ? sev_mode_name(h->mode) : "plain");
	if (h->sev) {
		jw_key(w, "policy");
		jw_uint(w, h->policy);
		jw_key(w, "init");
		jw_cstr(w, h->mode != SEV_MODE_SNP && h->legacy_init ? "legacy"
								     : "INIT2");
		jw_key(w, "measured_direct_boot");
		jw_bool(w, h->measured_kernel);
		jw_key(w, "firmware");
		if (h->fw_known) {
			jw_begin(w);
			jw_key(w, "api_major");
			jw_uint(w, h->api_major);
			jw_key(w, "api_minor");
			jw_uint(w, h->api_minor);
			jw_key(w, "build");
			jw_uint(w, h->build);
			jw_end(w);
		} else {
			jw_null(w);
		}
	}
	jw_key(w, "vcpus");
	jw_uint(w, h->vcpus);
	jw_key(w, "memory_bytes");
	jw_uint(w, h->mem);
	jw_key(w, "inputs");
	jw_array_begin(w);
	for (unsigned k = 0; k < h->ninputs; k++)
		input_entry(w, &h->inputs[k]);
	jw_array_end(w);
	jw_key(w, "command_line");
	jw_array_begin(w);
	for (int k = 0; k < h->argc; k++)
		jw_cstr(w, h->argv[k]);
	jw_array_end(w);
	if (h->host.have_exec) {
		jw_key(w, "exec_to_anchor_ns");
		jw_uint(w, h->host.exec_to_anchor_ns);
		jw_key(w, "exec_resolution_ns");
		jw_uint(w, h->host.exec_resolution_ns);
	}
	jw_key(w, "exit_code");
	jw_int(w, h->exit_code);
}

/*
 * The document: the firmware commands' members ("mode", "steps", as
 * before this schema) first, then the rest.  NULL when out of memory.
 */
static char *timing_document(const struct timing_header *h, struct timeline *tl,
			     const struct sev_run *run)
{
	struct json_writer w = {0};
	char *steps = NULL, *rest = NULL, *doc = NULL;
	size_t steps_len = 0, rest_len;
	FILE *m = open_memstream(&steps, &steps_len);
	uint64_t mono, real;

	if (!m)
		return NULL;
	if (run)
		sev_run_timing_json(run, m);
	else
		fputs("{\"mode\":\"plain\",\"steps\":[]}\n", m);
	fclose(m);
	/* "{...}\n": drop the closing brace and the newline. */
	while (steps_len &&
	       (steps[steps_len - 1] == '\n' || steps[steps_len - 1] == '}')) {
		bool brace = steps[steps_len - 1] == '}';

		steps[--steps_len] = 0;
		if (brace)
			break;
	}
	tl_anchor(tl, &mono, &real);
	jw_begin(&w);
	jw_key(&w, "schema");
	jw_cstr(&w, TIMING_SCHEMA);
	jw_key(&w, "schema_version");
	jw_uint(&w, TIMING_SCHEMA_VERSION);
	jw_key(&w, "header");
	jw_begin(&w);
	header(&w, h);
	jw_end(&w);
	tl_json(tl, &w);
	jw_end(&w);
	if (!jw_finish(&w, &rest, &rest_len) &&
	    asprintf(&doc, "%s,%s\n", steps, rest + 1) < 0)
		doc = NULL;
	free(steps);
	free(rest);
	return doc;
}

/* path, written whole or not at all. */
static int write_whole(const char *opt, const char *path, const char *text,
		       size_t len)
{
	char tmp[PATH_MAX];
	int fd;

	if (snprintf(tmp, sizeof(tmp), "%s.XXXXXX", path) >= (int)sizeof(tmp)) {
		fprintf(stderr, "sevboot: %s %s: path too long\n", opt, path);
		return -ENAMETOOLONG;
	}
	fd = mkstemp(tmp);
	if (fd < 0) {
		fprintf(stderr, "sevboot: %s %s: %s\n", opt, path,
			strerror(errno));
		return -EIO;
	}
	fchmod(fd, 0644);
	for (size_t off = 0; off < len;) {
		ssize_t n = write(fd, text + off, len - off);

		if (n <= 0) {
			fprintf(stderr, "sevboot: %s %s: write failed: %s\n",
				opt, path, n < 0 ? strerror(errno) : "no room");
			close(fd);
			unlink(tmp);
			return -EIO;
		}
		off += (size_t)n;
	}
	if (fsync(fd) || close(fd) || rename(tmp, path)) {
		fprintf(stderr, "sevboot: %s %s: %s\n", opt, path,
			strerror(errno));
		unlink(tmp);
		return -EIO;
	}
	return 0;
}

/* The CSV text (malloc'ed), or NULL when out of memory. */
static char *timing_csv_text(struct timeline *tl, size_t *len)
{
	char *text = NULL;
	FILE *m = open_memstream(&text, len);
	int r = m ? tl_csv(tl, m) : -ENOMEM;

	if (m)
		fclose(m);
	if (r) {
		free(text);
		return NULL;
	}
	return text;
}

static int write_texts(const char *json_path, const char *json,
		       size_t json_len, const char *csv_path, const char *csv,
		       size_t csv_len)
{
	int ret = 0, r;

	if (json_path)
		ret = json ? write_whole("--timing-json", json_path, json,
					 json_len)
			   : -ENOMEM;
	if (csv_path) {
		r = csv ? write_whole("--timing-csv", csv_path, csv, csv_len)
			: -ENOMEM;
		ret = ret ?: r;
	}
	if (ret == -ENOMEM)
		fprintf(stderr, "sevboot: --timing-json/--timing-csv: out of "
				"memory\n");
	return ret;
}

int timing_write(const char *json_path, const char *csv_path,
		 const struct timing_header *h, struct timeline *tl,
		 const struct sev_run *run)
{
	char *doc = json_path ? timing_document(h, tl, run) : NULL;
	size_t csv_len = 0;
	char *csv = csv_path ? timing_csv_text(tl, &csv_len) : NULL;
	int ret = write_texts(json_path, doc, doc ? strlen(doc) : 0, csv_path,
			      csv, csv_len);

	free(doc);
	free(csv);
	return ret;
}

/* ------------------------------------------------- the forked writer */

static bool read_all(int fd, char **buf, size_t *len)
{
	size_t cap = 0;

	*buf = NULL;
	*len = 0;
	for (;;) {
		ssize_t n;

		if (*len == cap) {
			char *nb = realloc(*buf, cap = cap ? 2 * cap : 65536);

			if (!nb)
				return false;
			*buf = nb;
		}
		n = read(fd, *buf + *len, cap - *len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return false;
		if (!n)
			return true;
		*len += (size_t)n;
	}
}

/* The writer: [u64 json length][json][u64 csv length][csv], then the
 * files; nothing when the frame is short (the run ended without
 * sending). */
static int sink_child(int in, const char *json_path, const char *csv_path)
{
	char *buf;
	size_t len;
	uint64_t jl, cl;
	int ret = -EIO;

	if (read_all(in, &buf, &len) && len >= 16) {
		memcpy(&jl, buf, 8);
		if (jl <= len - 16) {
			memcpy(&cl, buf + 8 + jl, 8);
			if (cl == len - 16 - jl)
				ret = write_texts(json_path, buf + 8,
						  (size_t)jl, csv_path,
						  buf + 16 + jl, (size_t)cl);
			else
				ret = -EPIPE;
		} else {
			ret = -EPIPE;
		}
	} else if (len == 0) {
		ret = -EPIPE;
	}
	free(buf);
	return ret;
}

int timing_sink_open(struct timing_sink *s, const char *json_path,
		     const char *csv_path)
{
	int down[2], up[2];
	pid_t pid;

	s->fd = s->status_fd = -1;
	if (pipe2(down, O_CLOEXEC))
		return -errno;
	if (pipe2(up, O_CLOEXEC)) {
		close(down[0]);
		close(down[1]);
		return -errno;
	}
	fflush(NULL);
	pid = fork();
	if (pid == 0) {
		int ret;
		char c;

		close(down[1]);
		close(up[0]);
		ret = sink_child(down[0], json_path, csv_path);
		c = ret == -EPIPE ? 2 : ret ? 1 : 0;
		(void)!write(up[1], &c, 1);
		_exit(0);
	}
	close(down[0]);
	close(up[1]);
	if (pid < 0) {
		close(down[1]);
		close(up[0]);
		return -errno;
	}
	s->fd = down[1];
	s->status_fd = up[0];
	return 0;
}

static bool put_all(int fd, const void *p, size_t n)
{
	const char *c = p;

	while (n) {
		ssize_t w = write(fd, c, n);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return false;
		c += w;
		n -= (size_t)w;
	}
	return true;
}

int timing_sink_send(struct timing_sink *s, const struct timing_header *h,
		     struct timeline *tl, const struct sev_run *run,
		     bool json, bool csv)
{
	char *doc = json ? timing_document(h, tl, run) : NULL;
	size_t csv_len = 0;
	char *text = csv ? timing_csv_text(tl, &csv_len) : NULL;
	uint64_t jl = doc ? strlen(doc) : 0, cl = csv_len;
	bool ok = s->fd >= 0 && (!json || doc) && (!csv || text);
	char c = 1;

	ok = ok && put_all(s->fd, &jl, 8) && put_all(s->fd, doc, jl) &&
	     put_all(s->fd, &cl, 8) && put_all(s->fd, text, cl);
	free(doc);
	free(text);
	if (s->fd >= 0)
		close(s->fd);
	s->fd = -1;
	if (!ok)
		fprintf(stderr, "sevboot: --timing-json/--timing-csv: the "
				"report could not be handed to its writer\n");
	/* The writer's answer: it said on stderr what failed. */
	if (s->status_fd >= 0 && read(s->status_fd, &c, 1) != 1)
		c = 1;
	timing_sink_close(s);
	return ok && c == 0 ? 0 : -EIO;
}

void timing_sink_close(struct timing_sink *s)
{
	if (s->fd >= 0)
		close(s->fd);
	if (s->status_fd >= 0)
		close(s->status_fd);
	s->fd = s->status_fd = -1;
}

/* -v: the whole timeline as a table, and what no phase covers. */
void timing_table(struct timeline *tl, FILE *f)
{
	struct tl_entry *e = malloc(sizeof(*e) * TL_MAX_ENTRIES);
	struct tl_summary s;
	uint64_t mono, real;
	unsigned n;

	if (!e)
		return;
	tl_anchor(tl, &mono, &real);
	n = tl_entries(tl, e, TL_MAX_ENTRIES);
	fprintf(f, "timeline (ms from the start):\n");
	for (unsigned k = 0; k < n; k++) {
		double a = (double)(e[k].start_ns - mono) / 1e6;

		if (e[k].kind == TL_MARK)
			fprintf(f, "  %10.3f %10s  %*s* %s%s%s\n", a, "", 0, "",
				e[k].name, e[k].detail[0] ? ": " : "",
				e[k].detail);
		else
			fprintf(f, "  %10.3f %10.3f  %*s%s%s%s\n", a,
				(double)(e[k].end_ns - e[k].start_ns) / 1e6,
				2 * (int)e[k].depth, "", e[k].name,
				e[k].detail[0] ? ": " : "", e[k].detail);
	}
	tl_summary(tl, &s);
	fprintf(f, "  total %.3f ms, unattributed %.3f ms (%.3f %%)\n",
		(double)s.total_ns / 1e6, (double)s.unattributed_ns / 1e6,
		(double)s.unattributed_ppm / 1e4);
	free(e);
}
