/* SPDX-License-Identifier: BSD-3-Clause */
/* libFuzzer target: the control socket's command parser and answers
 * (ctl_cmds.c). Each input line (split at '\n', as the socket splits
 * them) is answered against a small host table with findings; the answer
 * must be one JSON line. The engine's side (stats, open flows) is a stub,
 * as in tests/unit/test_ctl.c. */
#include <jansson.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "config/config.h"
#include "control/ctl_cmds.h"
#include "engine/manager.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct tw_config cfg;

static json_t *stub_stats(void *ctx)
{
	(void)ctx;
	return json_pack("{s:i}", "packets", 1);
}

static json_t *stub_flows(void *ctx, const struct ip_addr *ip)
{
	(void)ctx;
	(void)ip;
	return json_pack("{s:[], s:i, s:b, s:i}", "flows", "total", 0,
			 "truncated", 0, "workers_unanswered", 0);
}

static void add_finding(struct manager *m, struct finding_log *log,
			const char *host, enum severity sev)
{
	struct finding f;
	int is_orig;

	finding_init(&f, NULL, FK_SSH_REVERSE_SESSION, sev);
	ip_addr_parse(host, &f.orig);
	ip_addr_parse("192.0.2.1", &f.resp);
	f.resp_port = 22;
	f.proto = 6;
	f.first_ns = 1700000000000000000ull;
	f.last_ns = f.first_ns + 1000;
	finding_summary(&f, "fuzz %s", host);
	is_orig = hosts_apply_finding(m->hosts, &f);
	finding_log_add(log, &f, is_orig);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct manager m = { .cfg = &cfg };
	struct finding_log log;
	struct ctl_backend b;
	size_t off = 0;

	if (!cfg.hosts.max_hosts) {
		config_defaults(&cfg);
		cfg.hosts.max_hosts = 16;
	}
	m.hosts = hosts_create(&cfg);
	if (!m.hosts || finding_log_init(&log, 4) != 0)
		abort();
	add_finding(&m, &log, "10.0.0.1", SEV_HIGH);
	add_finding(&m, &log, "2001:db8::1", SEV_MEDIUM);
	b = (struct ctl_backend){ .mgr = &m, .log = &log, .engine = "fuzz",
				  .stats = stub_stats, .flows = stub_flows };
	while (off < size) {
		const uint8_t *nl = memchr(data + off, '\n', size - off);
		size_t len = nl ? (size_t)(nl - (data + off)) : size - off;
		char *line = malloc(len + 1);
		char *answer;

		if (!line)
			abort();
		memcpy(line, data + off, len);
		line[len] = '\0';
		answer = ctl_cmds_answer(&b, line);
		if (!answer || !strchr(answer, '\n'))
			abort(); /* every line gets a one-line answer */
		free(answer);
		free(line);
		off += len + 1;
	}
	hosts_destroy(m.hosts);
	finding_log_fini(&log);
	return 0;
}
