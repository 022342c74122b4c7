/* SPDX-License-Identifier: BSD-3-Clause */
/* A host's score and what raised it.
 *
 * Scoring. Each finding has a base by severity: info 0, low 15, medium 45,
 * high 75. A host scores the best base of its findings, plus 25 for every
 * OTHER family with a medium or high finding, plus 10 for every other
 * family whose best finding is low, capped at 100. The verdict is alert
 * from alert_score (70 by default), suspicious from suspicious_score (40),
 * else clean. So a low finding alone stays clean, a medium one alone is
 * suspicious, a high one alone is an alert, and two families at medium
 * corroborate each other into an alert. Beside a covert-channel family
 * (dns, icmp, tunnel) at medium or above, a flow finding of any severity
 * counts 25 (fusion, see host_score). host->raised_by says what counted.
 * Which families are covert channels and which are shapes comes from the
 * kinds' roles (findings/finding_kinds.def): every kind of a family shares
 * them (test_finding_kinds). */
#include "verdict/score.h"

#include "verdict/prevalence.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#define SCORE_MAX 100
#define SCORE_OTHER_STRONG 25   /* another family at medium or high */
#define SCORE_OTHER_LOW 10      /* another family at low */
#define HOST_FAMILIES_MAX 16    /* families counted per host */
#define FAMILY_NAME_MAX 32

static const uint32_t severity_base[] = {
	[SEV_INFO] = 0, [SEV_LOW] = 15, [SEV_MEDIUM] = 45, [SEV_HIGH] = 75,
};

struct family_best {
	char name[FAMILY_NAME_MAX];
	uint8_t sev;
	const char *kind;              /* of the family's strongest finding */
	uint8_t role;                  /* enum finding_role of that kind */
	uint8_t rarity;                /* enum rarity that raised it, or 0 */
};

/* Families with the best severity of each, in name order. */
static unsigned host_family_list(const struct host *hst,
				 struct family_best *fam)
{
	unsigned n = 0;

	for (uint32_t i = 0; i < hst->n_findings; i++) {
		const struct finding *f = &hst->findings[i].f;
		const struct finding_kind_info *k = finding_kind_info(f->kind_id);
		uint8_t rare = hst->findings[i].rarity;
		unsigned j;

		for (j = 0; j < n && strcmp(fam[j].name, k->family) != 0; j++)
			;
		if (j == n) {
			if (n == HOST_FAMILIES_MAX)
				continue;
			snprintf(fam[n].name, sizeof(fam[n].name), "%s",
				 k->family);
			fam[n].kind = f->kind;
			fam[n].role = k->role;
			fam[n].rarity = rare;
			fam[n++].sev = f->severity;
		} else if (f->severity > fam[j].sev) {
			fam[j].sev = f->severity;
			fam[j].kind = f->kind;
			fam[j].role = k->role;
			fam[j].rarity = rare;
		}
	}
	/* Insertion sort: a handful of families at most. */
	for (unsigned i = 1; i < n; i++) {
		struct family_best t = fam[i];
		unsigned j = i;

		for (; j > 0 && strcmp(fam[j - 1].name, t.name) > 0; j--)
			fam[j] = fam[j - 1];
		fam[j] = t;
	}
	return n;
}

static uint32_t sev_base(uint8_t sev)
{
	return sev <= SEV_HIGH ? severity_base[sev] : severity_base[SEV_HIGH];
}

/* Fusion of covert channels (issue 6): DNS and ICMP tunnels and tunnel
 * services have innocent look-alikes (a developer's ngrok, an odd ping
 * tool); what makes one an incident is a tunnel's flow shape on the same
 * host, a long-lived low-byte flow or a beacon. So while a covert family
 * is at medium or above, a flow finding of any severity corroborates it
 * as strongly as a medium one (+25, not +10). */
static bool flow_corroborates(const struct family_best *fam, unsigned n,
			      unsigned i)
{
	if (fam[i].role != FINDING_ROLE_SHAPE || fam[i].sev < SEV_LOW)
		return false;
	for (unsigned j = 0; j < n; j++)
		if (fam[j].role == FINDING_ROLE_COVERT &&
		    fam[j].sev >= SEV_MEDIUM)
			return true;
	return false;
}

/* "icmp.tunnel high +75; flow.beacon low +25 corroborates": what raised
 * the score, for the report. Items that do not fit are left out. */
static void raised_add(struct host *hst, size_t *used,
		       const struct family_best *f, uint32_t points,
		       bool corroborates)
{
	size_t room = sizeof(hst->raised_by) - *used;
	int k = snprintf(hst->raised_by + *used, room, "%s%s %s +%u%s%s%s",
			 *used ? ";" : "", f->kind ? f->kind : f->name,
			 severity_name((enum severity)f->sev), points,
			 f->rarity ? " " : "",
			 rarity_name((enum rarity)f->rarity),
			 corroborates ? " corroborates" : "");

	if (k < 0 || (size_t)k >= room)
		hst->raised_by[*used] = '\0';
	else
		*used += (size_t)k;
}

uint32_t host_score(struct host *hst)
{
	struct family_best fam[HOST_FAMILIES_MAX];
	unsigned n = host_family_list(hst, fam), best = 0;
	uint32_t score;
	size_t used = 0;

	hst->raised_by[0] = '\0';
	if (n == 0)
		return 0;
	for (unsigned i = 1; i < n; i++) {
		if (fam[i].sev > fam[best].sev)
			best = i;
	}
	score = sev_base(fam[best].sev);
	if (score)
		raised_add(hst, &used, &fam[best], score, false);
	for (unsigned i = 0; i < n; i++) {
		bool corr = flow_corroborates(fam, n, i);
		uint32_t add = 0;

		if (i == best)
			continue;
		if (fam[i].sev >= SEV_MEDIUM || corr)
			add = SCORE_OTHER_STRONG;
		else if (fam[i].sev == SEV_LOW)
			add = SCORE_OTHER_LOW;
		if (add)
			raised_add(hst, &used, &fam[i], add,
				   corr && fam[i].sev < SEV_MEDIUM);
		score += add;
	}
	return score > SCORE_MAX ? SCORE_MAX : score;
}

/* hosts.h: the families of a host, for tables. */
const char *host_families(const struct host *hst, char *buf, unsigned len)
{
	struct family_best fam[HOST_FAMILIES_MAX];
	unsigned n = host_family_list(hst, fam);
	size_t used = 0;

	if (!buf || len == 0)
		return NULL;
	buf[0] = '\0';
	for (unsigned i = 0; i < n; i++) {
		size_t need = strlen(fam[i].name) + (i ? 1 : 0);

		if (used + need >= len)
			break;
		if (i)
			buf[used++] = ',';
		memcpy(buf + used, fam[i].name, strlen(fam[i].name) + 1);
		used += strlen(fam[i].name);
	}
	return buf;
}
