// SPDX-License-Identifier: MIT
/*
 * libFuzzer harness for launch_plan_build (sev/plan.c) from arbitrary
 * firmware tails and options, and the digests over the plan
 * (sev/measure.c).
 *
 * The input: an 8-byte header (mode, vCPU count, option bits, vCPU
 * signature and SNP features; their high bits choose a VMM type, a given
 * firmware digest (the input's first 48 bytes) and the image as its own
 * SVSM), then the end of a firmware image.  The
 * tail is padded at the front to whole pages (the footer stays at the
 * end of the image) and parsed with ovmf_parse, as sevboot does; what it
 * accepts becomes the plan's firmware.  The seed corpus holds the real
 * images' last pages (tests/fuzz/corpus/fuzz_plan).
 *
 * Checked: a refusal is one sentence; an accepted plan is what its three
 * consumers rely on: at most LAUNCH_MAX_STEPS steps, each measured
 * buffer inside the image or the plan's own buffers, lengths in whole
 * 16-byte blocks (SEV) or pages (SNP), GPAs that do not wrap, VMSA steps
 * naming a vCPU of the guest.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "loader/loader.h"
#include "sev/sev.h"
#include "util/util.h"

#define CHECK(cond)                                                            \
	do {                                                                   \
		if (!(cond)) {                                                 \
			fprintf(stderr, "fuzz_plan: check failed: %s\n",       \
				#cond);                                        \
			abort();                                               \
		}                                                              \
	} while (0)

#define HDR	 8
#define MAX_TAIL (64 * 1024)
/* Digest at most this many pages: a hostile section may claim GiBs. */
#define MAX_PAGES 4096

static const uint8_t kernel[600] = {1, 2, 3};
static const uint8_t initrd[100] = {4, 5, 6};

static bool inside(const uint8_t *p, size_t len, const void *base, size_t size)
{
	const uint8_t *b = base;

	return p >= b && len <= size && (size_t)(p - b) <= size - len;
}

static void check_plan(const struct launch_config *c,
		       const struct launch_plan *p)
{
	uint64_t pages = 0;
	uint8_t d[48];

	CHECK(p->nsteps <= LAUNCH_MAX_STEPS);
	CHECK(p->mode == c->mode);
	for (unsigned k = 0; k < p->nsteps; k++) {
		const struct launch_step *s = &p->steps[k];

		CHECK(s->what && s->what[0]);
		CHECK(s->gpa + s->len >= s->gpa);
		if (c->mode == SEV_MODE_SNP)
			CHECK(s->len % 4096 == 0 && s->gpa % 4096 == 0);
		else
			CHECK(s->len % 16 == 0);
		if (s->kind == STEP_UPDATE_VMSA || s->kind == STEP_SNP_VMSA)
			CHECK(s->vcpu >= 0 && (unsigned)s->vcpu < c->ncpus);
		if (s->bytes)
			CHECK(inside(s->bytes, s->len, c->ovmf, c->ovmf_len) ||
			      inside(s->bytes, s->len, p->hashes_page,
				     sizeof(p->hashes_page)) ||
			      (p->vmsas &&
			       inside(s->bytes, s->len, p->vmsas,
				      (size_t)c->ncpus * VMSA_SIZE)));
		pages += s->len / 4096;
	}
	if (c->mode != SEV_MODE_SNP)
		CHECK(measure_sev_digest(p, d) == 0);
	else if (pages <= MAX_PAGES)
		CHECK(measure_snp_digest(p, d) == 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *in, size_t n)
{
	static const enum sev_mode modes[] = {SEV_MODE_SEV, SEV_MODE_SEV_ES,
					      SEV_MODE_SNP};
	struct launch_config c = {0};
	struct ovmf_info info;
	struct launch_plan *p;
	char err[256];
	size_t tail, len;
	uint8_t *img;
	int ret;

	/* 48 bytes at least: a given firmware digest is read from in. */
	if (n < 48 || n - HDR > MAX_TAIL)
		return 0;
	tail = n - HDR;
	len = tail ? (tail + 4095) & ~(size_t)4095 : 4096;
	img = calloc(1, len);
	p = malloc(sizeof(*p));
	CHECK(img && p);
	memcpy(img + len - tail, in + HDR, tail);

	c.mode = modes[in[0] % 3];
	/* Mostly small guests; sometimes more than the plan may hold. */
	c.ncpus = in[1] < 0xf0 ? in[1] % 8 + 1 : (unsigned)in[1] + 20;
	c.legacy_init = in[2] & 1;
	c.debug_swap = in[2] & 2;
	c.snp_ovmf_only = in[2] & 4;
	if (in[2] & 8) {
		c.kernel = kernel;
		c.kernel_len = sizeof(kernel) - (in[3] & 0x7f);
	}
	if (in[2] & 0x10) {
		c.initrd = initrd;
		c.initrd_len = in[4] % sizeof(initrd);
	}
	if (in[2] & 0x20)
		c.cmdline = in[2] & 0x40 ? "" : "console=ttyS0";
	c.vcpu_sig = get_le16(in, 5) | 0x800f00u;
	c.snp_features = in[7];
	/* measure's launches: a VMM type (3 is none: refused), a given
	 * firmware digest, the image as its own SVSM below a store. */
	if (in[3] & 0x80)
		c.vmm = (enum vmm_type)(in[6] >> 6);
	if (in[7] & 0x80)
		c.snp_ovmf_digest = in; /* 48 bytes: HDR + the tail's start */
	if (in[2] & 0x80)
		c.vars_size = (uint64_t)(in[4] & 0x1f) * 4096 +
			      (in[4] & 0x20 ? 1 : 0);

	memset(err, 'x', sizeof(err));
	ret = ovmf_parse(img, len, &info, err, sizeof(err));
	if (!ret) {
		c.ovmf = img;
		c.ovmf_len = len;
		c.ovmf_info = &info;
		if (in[2] & 0x80) {
			c.svsm = img;
			c.svsm_len = len;
			c.svsm_info = &info;
		}
		memset(err, 'x', sizeof(err));
		ret = launch_plan_build(&c, p, err, sizeof(err));
		if (ret) {
			CHECK(memchr(err, '\0', sizeof(err)) != NULL);
			CHECK(ret < 0 && err[0] && !strchr(err, '\n'));
			CHECK(p->nsteps == 0 && p->vmsas == NULL);
		} else {
			check_plan(&c, p);
		}
		launch_plan_free(p);
	}
	free(p);
	free(img);
	return 0;
}
