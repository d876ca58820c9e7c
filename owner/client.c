// SPDX-License-Identifier: MIT
/*
 * owner/client.c: the guest owner's end of --owner-socket
 * (doc/owner-protocol.md): connect, read the greeting, ask for the launch
 * (query-sev and query-sev-launch-measure, one command here), let the
 * owner decide, send the secret if there is one, and "cont".  sevboot's
 * end is owner/exchange.c.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <openssl/rand.h>

#include "owner/owner.h"
#include "util/util.h"

/* Send a command and read its answer (into req for the query, into
 * report for the report commands). */
static int call(int fd, struct owner_reader *rd, int64_t deadline,
		const struct sev_owner_cmd *c, struct sev_owner_request *req,
		uint8_t *report, char *err, size_t errlen)
{
	const char *name = sev_owner_cmd_name(c->id);
	char *text, *line, why[512] = "";
	size_t len;
	int ret;

	if (sev_owner_cmd_encode(c, &text)) {
		set_err(err, errlen, "out of memory");
		return -ENOMEM;
	}
	ret = owner_send_line(fd, text, deadline);
	free(text);
	if (!ret)
		ret = owner_read_line(rd, deadline, &line, &len);
	if (ret == -ETIMEDOUT) {
		set_err(err, errlen, "sevboot did not answer %s in time", name);
		return ret;
	}
	if (ret == -EPIPE || ret == -ECONNRESET) {
		set_err(err, errlen, "sevboot closed the connection during %s",
			name);
		return -ECONNRESET;
	}
	if (ret) {
		set_err(err, errlen, "%s: %s", name, strerror(-ret));
		return ret;
	}
	if (c->id == SEV_OWNER_CMD_ATTEST_SEV ||
	    c->id == SEV_OWNER_CMD_ATTEST_SNP)
		ret = sev_owner_answer_report_parse(
			line, len, c->id, report,
			c->id == SEV_OWNER_CMD_ATTEST_SEV ? SEV_ATT_REPORT_LEN
							  : SNP_REPORT_LEN,
			why, sizeof(why));
	else
		ret = sev_owner_answer_parse(line, len, c->id, req, why,
					     sizeof(why));
	if (ret == -EREMOTEIO)
		set_err(err, errlen, "sevboot refused %s: %s", name, why);
	else if (ret)
		set_err(err, errlen, "%s: %s", name, why);
	return ret == -EREMOTEIO || ret == -ENOMEM ? ret : ret ? -EBADMSG : 0;
}

/* A connected, non-blocking socket at path; -errno with err. */
static int dial(const char *path, char *err, size_t errlen)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd, ret;

	if (strlen(path) >= sizeof(sa.sun_path)) {
		set_err(err, errlen,
			"%s: the path is too long for a unix socket", path);
		return -ENAMETOOLONG;
	}
	strcpy(sa.sun_path, path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		ret = -errno;
		set_err(err, errlen, "socket: %s", strerror(-ret));
		return ret;
	}
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 ||
	    fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK) < 0) {
		ret = -errno;
		set_err(err, errlen, "%s: %s", path, strerror(-ret));
		close(fd);
		return ret;
	}
	return fd;
}

/* The launch's report: SEV with a fresh mnonce, which it must carry;
 * SNP with the owner's report_data. */
static int attest(int fd, struct owner_reader *rd, int64_t deadline,
		  const struct owner_client *oc, enum sev_mode mode, char *err,
		  size_t errlen)
{
	struct sev_owner_cmd c;
	int ret;

	memset(&c, 0, sizeof(c));
	if (mode == SEV_MODE_SNP) {
		c.id = SEV_OWNER_CMD_ATTEST_SNP;
		memcpy(c.nonce, oc->report_data, sizeof(c.nonce));
	} else {
		c.id = SEV_OWNER_CMD_ATTEST_SEV;
		if (RAND_bytes(c.nonce, 16) != 1) {
			set_err(err, errlen, "the random number generator "
					     "failed");
			return -EIO;
		}
	}
	ret = call(fd, rd, deadline, &c, NULL, oc->report, err, errlen);
	if (ret)
		return ret;
	*oc->report_len = mode == SEV_MODE_SNP ? SNP_REPORT_LEN
					       : SEV_ATT_REPORT_LEN;
	/* A replayed report would carry another mnonce (SEV API 55766
	 * ATTESTATION: MNONCE is copied from the command). */
	if (mode != SEV_MODE_SNP && memcmp(oc->report, c.nonce, 16)) {
		set_err(err, errlen,
			"the attestation report does not carry the mnonce "
			"sent with query-sev-attestation-report");
		return -EBADMSG;
	}
	/* SNP ABI 56860 ATTESTATION_REPORT: REPORT_DATA at 0x50. */
	if (mode == SEV_MODE_SNP && memcmp(oc->report + 0x50, c.nonce, 64)) {
		set_err(err, errlen,
			"the attestation report does not carry the report data "
			"sent with query-snp-attestation-report");
		return -EBADMSG;
	}
	return 0;
}

/* The session after the greeting: query, decide, inject, cont. */
static int converse(int fd, struct owner_reader *rd, int64_t deadline,
		    const struct owner_client *oc, char *err, size_t errlen)
{
	struct sev_owner_request req;
	struct sev_owner_reply rep = { 0 };
	struct sev_owner_cmd c;
	int ret;

	memset(&c, 0, sizeof(c));
	memset(&req, 0, sizeof(req));
	c.id = SEV_OWNER_CMD_QUERY_LAUNCH;
	ret = call(fd, rd, deadline, &c, &req, NULL, err, errlen);
	if (ret)
		return ret;
	/* On a refusal the connection just closes: sevboot then stops the
	 * launch, as it does when the owner leaves without "cont". */
	if (oc->decide(oc->ctx, &req, &rep))
		return -ECANCELED;
	if (oc->attest) {
		ret = attest(fd, rd, deadline, oc, req.mode, err, errlen);
		if (ret) {
			sev_owner_reply_free(&rep);
			return ret;
		}
	}
	if (rep.inject) {
		c.id = SEV_OWNER_CMD_INJECT;
		c.secret = rep;
		ret = call(fd, rd, deadline, &c, NULL, NULL, err, errlen);
		memset(&c.secret, 0, sizeof(c.secret));
	}
	sev_owner_reply_free(&rep);
	if (ret)
		return ret;
	c.id = SEV_OWNER_CMD_CONT;
	return call(fd, rd, deadline, &c, NULL, NULL, err, errlen);
}

int owner_client_run(const char *path, int64_t deadline,
		     const struct owner_client *oc, char *err, size_t errlen)
{
	struct owner_reader rd = { .fd = -1 };
	char *line, why[256] = "";
	size_t len;
	int fd, ret;

	fd = dial(path, err, errlen);
	if (fd < 0)
		return fd;
	if (owner_reader_init(&rd, fd)) {
		set_err(err, errlen, "out of memory");
		close(fd);
		return -ENOMEM;
	}
	ret = owner_read_line(&rd, deadline, &line, &len);
	if (ret) {
		set_err(err, errlen, "%s: no greeting from sevboot (%s)", path,
			ret == -ETIMEDOUT ? "timed out" : strerror(-ret));
		ret = ret == -ETIMEDOUT ? ret : -ECONNRESET;
	} else if (sev_owner_greeting_parse(line, len, why, sizeof(why))) {
		set_err(err, errlen, "%s: %s", path, why);
		ret = -EBADMSG;
	} else {
		ret = converse(fd, &rd, deadline, oc, err, errlen);
	}
	owner_reader_free(&rd);
	close(fd);
	return ret;
}
