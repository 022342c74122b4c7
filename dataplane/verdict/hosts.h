/* SPDX-License-Identifier: BSD-3-Clause */
/* The manager's host table: findings in, one verdict per host out.
 * Owned by the manager thread alone. */
#ifndef TW_HOSTS_H
#define TW_HOSTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/index_list.h"
#include "findings/findings.h"
#include "verdict/suppress_match.h"

struct tw_config;

enum verdict { VERDICT_CLEAN = 0, VERDICT_SUSPICIOUS, VERDICT_ALERT };

#define HOST_RAISED_MAX 256

/* One finding as the host keeps it: findings with the same kind, peer and
 * peer port are merged (count summed, times widened, strongest detail kept). */
struct host_finding {
	struct finding f;          /* orig/resp as first reported */
	struct ip_addr peer;
	uint16_t peer_port;
	uint8_t host_is_orig;
	uint8_t base_severity;     /* as the analyzer sent it; f.severity is
				    * what it is worth now (rare peer) */
	uint8_t rarity;            /* enum rarity that raised it, or 0 */
	/* the operator's rule that made it info (the config's), or NULL */
	const struct suppress_rule *suppressed_by;
	/* f.last_ns is widened by merges; the kept report's own last_ns
	 * decides ties, so the merge does not depend on arrival order. */
	uint64_t rep_last_ns;
};

struct host {
	struct ip_addr ip;
	uint32_t score;            /* 0-100 */
	uint8_t verdict;           /* enum verdict */
	uint32_t n_findings;
	uint64_t findings_dropped; /* over max_findings_per_host */
	uint64_t first_ns, last_ns;
	struct host_finding *findings; /* max_findings_per_host entries */
	/* What raised the score: "kind severity +points[ corroborates]",
	 * ';'-separated, strongest family first (hosts.c, fusion). */
	char raised_by[HOST_RAISED_MAX];
	uint32_t hash_next;        /* index+1 */
	/* eviction order: one list per rank, least recently updated first */
	struct ilink lru;
	uint8_t rank;              /* enum host_rank */
};

/* What a host holds, for eviction: a full table gives up the lowest rank
 * first, the least recently updated host of it, and never a host of a
 * higher rank than the one it would admit. */
enum host_rank {
	HOST_RANK_CLEAN = 0, /* no finding, or info only */
	HOST_RANK_LOW,
	HOST_RANK_MEDIUM,
	HOST_RANK_HIGH,
	HOST_RANKS
};

/* Hosts that left the table, by why (stats hosts.evicted). */
struct hosts_evictions {
	uint64_t idle;                /* clean, idle past hosts.idle_timeout */
	uint64_t by_rank[HOST_RANKS]; /* table full: the lowest rank went */
};

struct hosts;

struct hosts *hosts_create(const struct tw_config *cfg);
void hosts_destroy(struct hosts *h);

/* Which side of the finding is the host: home_net when configured (the
 * inside address), else the analyzer's choice (the originator by default). */
/* Returns 1 when the originator was taken as the host, 0 the responder. */
int hosts_apply_finding(struct hosts *h, const struct finding *f);
/* Recomputes every verdict from what the prevalence table says now:
 * before a report or an answer about a host. */
void hosts_refresh(struct hosts *h);
/* The table the workers write who talks to whom into. */
struct prevalence *hosts_prevalence(struct hosts *h);
/* Records that ip was seen, for --all-hosts. */
void hosts_note_seen(struct hosts *h, const struct ip_addr *ip, uint64_t ts_ns);
/* Forgets one host; returns 0, or -1 when it is unknown. */
int hosts_reset(struct hosts *h, const struct ip_addr *ip);
/* `reset IP` live: forgets the host's findings but those of flows still
 * open (open_ids: flow ids as `flows` lists them, the low 63 bits), which are taken again, so a reset does not
 * blind the host table to a tunnel that is still up; *kept says how
 * many. -1 when the host is not in the table. */
int hosts_reset_keep_open(struct hosts *h, const struct ip_addr *ip,
			  const uint64_t *open_ids, unsigned n_open,
			  unsigned *kept);

/* Live SIGHUP: new thresholds and home_net; every verdict is recomputed. */
void hosts_set_config(struct hosts *h, const struct tw_config *cfg);

const struct host *hosts_find(const struct hosts *h, const struct ip_addr *ip);
/* Fills out with the hosts, worst first (score, then address), findings of
 * each sorted (severity, then time, kind, peer). With all=false only hosts
 * that have findings. Returns how many were written. */
unsigned hosts_sorted(struct hosts *h, const struct host **out, unsigned max,
		      bool all);
unsigned hosts_count(const struct hosts *h);
/* Findings or sightings not stored: the table was full of hosts that
 * rank above them. */
uint64_t hosts_dropped(const struct hosts *h);
void hosts_evictions(const struct hosts *h, struct hosts_evictions *out);
/* True once a host that had a finding was evicted or a finding dropped:
 * from then on an address not in the table may still have findings in the
 * event log, and must not be called clean ("not tracked: table full"). */
bool hosts_lost_findings(const struct hosts *h);
uint32_t hosts_destinations(const struct hosts *h);   /* prevalence */
uint64_t hosts_destinations_dropped(const struct hosts *h);
size_t hosts_memory(const struct hosts *h);

const char *verdict_name(enum verdict v);
/* Families of a host's findings, comma-joined ("flow,ssh"). */
const char *host_families(const struct host *hst, char *buf, unsigned len);

#endif
