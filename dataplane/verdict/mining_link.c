/* SPDX-License-Identifier: BSD-3-Clause */
/* DNS pool answer + flow shape -> linked pool connection: see
 * mining_link.h. Works on the host's kept findings only (bounded by
 * hosts.max_findings_per_host), a few string compares per finding. */
#include "verdict/mining_link.h"

#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#define NS_PER_S 1000000000ull

static const struct finding_kv *detail_find(const struct finding *f,
					    const char *key)
{
	for (unsigned i = 0; i < f->n_detail; i++)
		if (strcmp(f->detail[i].key, key) == 0)
			return &f->detail[i];
	return NULL;
}

static const char *detail_str(const struct finding *f, const char *key)
{
	const struct finding_kv *kv = detail_find(f, key);

	return kv && kv->type == DETAIL_STR ? kv->v.s : NULL;
}

/* A pool answer: mining.pool_name from DNS with addresses. */
static bool is_pool_answer(const struct finding *f)
{
	const char *src = detail_str(f, "source");

	return finding_kind_info(f->kind_id)->role == FINDING_ROLE_POOL_NAME &&
	       src && strcmp(src, "dns-answer") == 0 && detail_str(f, "addrs");
}

static bool is_flow_shape(const struct finding *f)
{
	return finding_kind_info(f->kind_id)->role == FINDING_ROLE_SHAPE;
}

/* "a,b,c" holds addr exactly. */
static bool list_has(const char *list, const char *addr)
{
	size_t n = strlen(addr);

	for (const char *p = list; *p;) {
		const char *comma = strchr(p, ',');
		size_t len = comma ? (size_t)(comma - p) : strlen(p);

		if (len == n && memcmp(p, addr, n) == 0)
			return true;
		if (!comma)
			break;
		p = comma + 1;
	}
	return false;
}

/* The peer of a flow finding as text, and its port. */
static void peer_of(const struct finding *f, int host_is_orig, char *buf,
		    size_t len, uint16_t *port)
{
	ip_addr_format(host_is_orig ? &f->resp : &f->orig, buf, (unsigned)len);
	*port = host_is_orig ? f->resp_port : f->orig_port;
}

static bool in_window(const struct finding *dns, const struct finding *conn,
		      uint64_t min_ttl_ns)
{
	const struct finding_kv *ttl = detail_find(dns, "ttl");
	uint64_t keep = ttl && ttl->type == DETAIL_INT && ttl->v.i > 0 ?
		(uint64_t)ttl->v.i * NS_PER_S : 0;

	if (keep < min_ttl_ns)
		keep = min_ttl_ns;
	/* the answer comes before the connection it served, within TTL */
	return conn->first_ns + NS_PER_S >= dns->first_ns &&
	       conn->first_ns <= dns->last_ns + keep;
}

static void link_emit(const struct finding *dns, const struct finding *conn,
		      int conn_host_is_orig, mining_link_add_fn add, void *ctx)
{
	const char *name = detail_str(dns, "name");
	const char *pool = detail_str(dns, "pool");
	struct finding out;
	char peer[64];
	uint16_t port;

	peer_of(conn, conn_host_is_orig, peer, sizeof(peer), &port);
	out = *conn;
	finding_set_kind(&out, FK_MINING_POOL_NAME);
	out.severity = SEV_HIGH;
	out.count = 1;
	out.n_detail = 0;
	out.host_is_orig = (uint8_t)conn_host_is_orig;
	finding_summary(&out, "%s to %s:%u, an address of mining pool %s (%s)",
			conn->kind, peer, port, name ? name : "?",
			pool ? pool : "?");
	finding_add_str(&out, "source", "dns-link");
	finding_add_str(&out, "name", name ? name : "");
	finding_add_str(&out, "pool", pool ? pool : "");
	finding_add_str(&out, "linked", conn->kind);
	finding_add_str(&out, "addrs", detail_str(dns, "addrs"));
	add(ctx, &out, conn_host_is_orig);
}

void mining_link(const struct host *hst, const struct finding *f,
		 int host_is_orig, uint64_t min_ttl_ns, mining_link_add_fn add,
		 void *ctx)
{
	bool answer = is_pool_answer(f), shape = is_flow_shape(f);
	char peer[64];
	uint16_t port;

	if (!answer && !shape)
		return;
	for (uint32_t i = 0; i < hst->n_findings; i++) {
		const struct host_finding *hf = &hst->findings[i];
		const struct finding *o = &hf->f;

		if (answer && is_flow_shape(o)) {
			peer_of(o, hf->host_is_orig, peer, sizeof(peer), &port);
			if (list_has(detail_str(f, "addrs"), peer) &&
			    in_window(f, o, min_ttl_ns))
				link_emit(f, o, hf->host_is_orig, add, ctx);
		} else if (shape && is_pool_answer(o)) {
			peer_of(f, host_is_orig, peer, sizeof(peer), &port);
			if (list_has(detail_str(o, "addrs"), peer) &&
			    in_window(o, f, min_ttl_ns))
				link_emit(o, f, host_is_orig, add, ctx);
		}
	}
}
