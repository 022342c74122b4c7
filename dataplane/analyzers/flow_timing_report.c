/* Finding text and beacon gates shared by the flow_timing analyzer's rules
 * (see flow_timing_report.h). No state: formatting and thresholds only. */
#include <stdio.h>

#include "analyzers/flow_timing_report.h"
#include "scan/app_id.h"

static bool proto_has_ports(uint8_t proto)
{
	return proto == TW_PROTO_TCP || proto == TW_PROTO_UDP;
}

const char *ft_format_peer(const struct flow *f, char *buf, size_t len)
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
const char *ft_format_interval(double ms, char *buf, size_t len)
{
	if (ms >= 1000.0)
		snprintf(buf, len, "%.1f s", ms / 1000.0);
	else
		snprintf(buf, len, "%.0f ms", ms);
	return buf;
}

uint32_t ft_beacon_needed_events(const struct tw_config *cfg, uint32_t ring)
{
	uint64_t need = (uint64_t)cfg->flowtiming.beacon_min_events + 1;

	return need > ring ? ring : (uint32_t)need;
}

bool ft_beacon_reportable(const struct tw_config *cfg,
			  const struct beacon_result *r)
{
	return r->score >= cfg->flowtiming.beacon_min_score &&
	       r->ts_score >= BEACON_MIN_TS_SCORE;
}

enum severity ft_beacon_severity(const struct tw_config *cfg,
				 const struct beacon_result *r,
				 bool needs_tunnel_like, const struct flow *f)
{
	if (r->score < cfg->flowtiming.beacon_strong_score)
		return SEV_LOW;
	if (needs_tunnel_like && !app_is_tunnel_like(f))
		return SEV_LOW;
	return SEV_MEDIUM;
}

void ft_beacon_add_detail(struct finding *fd, const struct beacon_result *r,
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
