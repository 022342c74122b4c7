/* SPDX-License-Identifier: BSD-3-Clause */
/* Finding text and beacon gates shared by the flow_timing analyzer's rules
 * (see flow_timing_report.h). No state: formatting and thresholds only. */
#include <stdio.h>

#include "analyzers/flow_timing/flow_timing_report.h"
#include "decode/ip_scope.h"
#include "scan/app_id.h"

static bool proto_has_ports(uint8_t proto)
{
	return proto == TW_PROTO_TCP || proto == TW_PROTO_UDP;
}

const char *timing_format_peer(const struct flow *f, char *buf, size_t len)
{
	char addr[64];

	ip_addr_format(&f->resp_addr, addr, sizeof(addr));
	if (!proto_has_ports(f->proto))
		snprintf(buf, len, "%s", addr);
	else if (ip_addr_is_v4(&f->resp_addr))
		snprintf(buf, len, "%s:%u", addr, f->resp_port);
	else
		snprintf(buf, len, "[%s]:%u", addr, f->resp_port);
	return buf;
}

/* Milliseconds below a second: sub-second beacons exist. */
const char *timing_format_interval(double ms, char *buf, size_t len)
{
	if (ms >= 1000.0)
		snprintf(buf, len, "%.1f s", ms / 1000.0);
	else
		snprintf(buf, len, "%.0f ms", ms);
	return buf;
}

uint32_t timing_beacon_needed_events(const struct tw_config *cfg, uint32_t ring)
{
	uint64_t need = (uint64_t)cfg->flowtiming.beacon_min_events + 1;

	return need > ring ? ring : (uint32_t)need;
}

bool timing_beacon_reportable(const struct tw_config *cfg,
			  const struct beacon_result *r)
{
	return r->score >= cfg->flowtiming.beacon_min_score &&
	       r->ts_score >= BEACON_MIN_TS_SCORE;
}

/* A flow's shape alone is never a verdict (issue 11). Peers that never
 * leave the site (multicast, broadcast, link-local, loopback) and control
 * protocols without ports are info; so is a protocol with a grammar of
 * its own (a broker, a database, SIP ...). A protocol that can carry a
 * tunnel is low, and takes when_rare once the manager knows no other host
 * talks to that peer (verdict/prevalence.h). */
void timing_grade_shape(struct finding *fd, const struct flow *f,
		    enum severity when_rare)
{
	const char *grade;

	if (!proto_has_ports(f->proto) ||
	    ip_addr_is_local_scope(&f->orig_addr) ||
	    ip_addr_is_local_scope(&f->resp_addr)) {
		grade = "local-peer";
		fd->severity = SEV_INFO;
	} else if (!app_carries_tunnels(f)) {
		grade = "known-protocol";
		fd->severity = SEV_INFO;
	} else {
		grade = "tunnel-capable";
		fd->severity = SEV_LOW;
		fd->rare_severity = (uint8_t)when_rare;
	}
	finding_add_str(fd, "shape_grade", grade);
}

enum severity timing_beacon_rare_severity(const struct tw_config *cfg,
				      const struct beacon_result *r)
{
	return r->score < cfg->flowtiming.beacon_strong_score ? SEV_LOW
							      : SEV_MEDIUM;
}

void timing_beacon_add_detail(struct finding *fd, const struct beacon_result *r,
			  const char *count_key, uint32_t count,
			  const char *app, const char *scope)
{
	finding_add_double(fd, "score", r->score);
	finding_add_int(fd, count_key, count);
	finding_add_double(fd, "interval_median_s",
			   r->interval_median_ms / 1000.0);
	finding_add_double(fd, "interval_mad_s", r->interval_mad_ms / 1000.0);
	finding_add_double(fd, "ts_score", r->ts_score);
	finding_add_double(fd, "size_score", r->size_score);
	finding_add_double(fd, "hist_score", r->hist_score);
	finding_add_double(fd, "dur_score", r->dur_score);
	finding_add_str(fd, "app", app);
	finding_add_str(fd, "scope", scope);
}
