/* SPDX-License-Identifier: BSD-3-Clause */
/* Per-worker flow table. Everything is allocated at create: entries, hash
 * buckets, analyzer state and the flush order array, so the packet path
 * never allocates. Entries are linked by index+1 (0 = none) to keep them
 * small and relocatable. */
#include <stdlib.h>
#include <string.h>

#include "flow/flow_key.h"
#include "flow/flow_table.h"
#include "decode/decode.h"

/* Bounds max_flows so that 2 * max_flows buckets and index+1 fit 32 bits. */
#define FLOW_TABLE_MAX_FLOWS (1u << 28)

/* Timeout classes: each list is ordered by last packet time, so the head is
 * the first to expire and the only one expire/evict have to look at. */
enum flow_class {
	FLOW_CLASS_TCP_HANDSHAKE,
	FLOW_CLASS_TCP_IDLE,
	FLOW_CLASS_TCP_CLOSED,
	FLOW_CLASS_UDP,
	FLOW_CLASS_OTHER,
	FLOW_CLASS_COUNT
};

/* Each class has two lists: flows that never carried anything worth
 * keeping (no payload either way, or one lone datagram: a SYN flood, a
 * scan, spoofed sources) and the others. A full table evicts from the
 * first kind before it touches a flow an analyzer may be building a
 * finding on. A list id is class * 2 + tier. */
enum flow_tier { FLOW_TIER_EMPTY = 0, FLOW_TIER_PAYLOAD = 1, FLOW_TIERS };
#define FLOW_LISTS (FLOW_CLASS_COUNT * FLOW_TIERS)

struct flow_list {
	struct ilist order;  /* least recently active first */
	/* a flow went to the tail with an older last packet than the flow
	 * before it (time stepped back: a later trace, or captures of
	 * concurrent recordings read one after the other): expiry must
	 * look at every flow, not stop at the first live one, or what
	 * expires would depend on how flows are spread over workers */
	uint8_t unsorted;
};

struct flow_table {
	struct flow_table_config cfg;
	flow_end_fn on_end;
	void *ctx;
	struct tw_counters *ctr;
	struct flow *flows;
	uint32_t *buckets;          /* index+1 of the chain head */
	uint32_t bucket_mask;
	uint8_t *an_state;
	uint32_t *order;            /* scratch for flush */
	uint32_t free_head;         /* index+1, chained through bucket_next */
	uint32_t next_unused;       /* entries from here on were never used:
				     * no page is touched before it is needed */
	uint32_t count;
	uint64_t timeout_ns[FLOW_CLASS_COUNT];
	struct flow_list lists[FLOW_LISTS];
};

/* ---- classes and lists ------------------------------------------------ */

static inline enum flow_class flow_class_of(const struct flow *f)
{
	if (f->proto == TW_PROTO_TCP) {
		switch (f->tcp_state) {
		case FLOW_TCP_SYN_SENT:
			return FLOW_CLASS_TCP_HANDSHAKE;
		case FLOW_TCP_CLOSED:
			return FLOW_CLASS_TCP_CLOSED;
		default:
			return FLOW_CLASS_TCP_IDLE;
		}
	}
	if (f->proto == TW_PROTO_UDP)
		return FLOW_CLASS_UDP;
	return FLOW_CLASS_OTHER;
}

/* Nothing an analyzer could hold a finding on: no payload either way, or
 * a single datagram. Per packet, so branch-light. */
static inline enum flow_tier flow_tier_of(const struct flow *f)
{
	bool payload = (f->side[0].payload_bytes | f->side[1].payload_bytes) != 0;
	bool answered_dgram = f->proto != TW_PROTO_TCP &&
			      f->side[0].pkts + f->side[1].pkts > 1;

	return payload && (f->proto == TW_PROTO_TCP || answered_dgram) ?
		       FLOW_TIER_PAYLOAD :
		       FLOW_TIER_EMPTY;
}

static inline unsigned flow_list_of(const struct flow *f)
{
	return (unsigned)flow_class_of(f) * FLOW_TIERS + flow_tier_of(f);
}

static enum flow_class list_class(unsigned list)
{
	return (enum flow_class)(list / FLOW_TIERS);
}

static uint32_t flow_index(const struct flow_table *ft, const struct flow *f)
{
	return (uint32_t)(f - ft->flows);
}

static void list_unlink(struct flow_table *ft, struct flow *f)
{
	ilist_unlink(&ft->lists[f->lru_class].order,
		     ILIST_ARRAY(ft->flows, lru), flow_index(ft, f) + 1);
}

static void list_append(struct flow_table *ft, struct flow *f)
{
	unsigned c = flow_list_of(f);
	struct flow_list *l = &ft->lists[c];

	f->lru_class = (uint8_t)c;
	if (l->order.tail && ft->flows[l->order.tail - 1].last_ns > f->last_ns)
		l->unsorted = 1;
	ilist_push_tail(&l->order, ILIST_ARRAY(ft->flows, lru),
			flow_index(ft, f) + 1);
}

/* f just had a packet: it goes to the tail of its list, unless it is
 * there already (a burst of one flow) and its list is unchanged. */
static void list_touch(struct flow_table *ft, struct flow *f)
{
	/* payload only grows: a flow in the payload tier stays there */
	unsigned c = f->lru_class % FLOW_TIERS == FLOW_TIER_PAYLOAD ?
			     flow_class_of(f) * FLOW_TIERS + FLOW_TIER_PAYLOAD :
			     flow_list_of(f);

	if (c == f->lru_class &&
	    ft->lists[c].order.tail == flow_index(ft, f) + 1)
		return;
	list_unlink(ft, f);
	list_append(ft, f);
}

static void bucket_insert(struct flow_table *ft, struct flow *f)
{
	uint32_t *head = &ft->buckets[f->hash & ft->bucket_mask];

	f->bucket_next = *head;
	*head = flow_index(ft, f) + 1;
}

static void bucket_remove(struct flow_table *ft, struct flow *f)
{
	uint32_t *link = &ft->buckets[f->hash & ft->bucket_mask];
	uint32_t idx1 = flow_index(ft, f) + 1;

	while (*link && *link != idx1)
		link = &ft->flows[*link - 1].bucket_next;
	if (*link)
		*link = f->bucket_next;
	f->bucket_next = 0;
}

static bool flow_expired(const struct flow_table *ft, const struct flow *f,
			 uint64_t now_ns)
{
	/* a packet older than last_ns (time going back) never expires it */
	return now_ns > f->last_ns &&
	       now_ns - f->last_ns > ft->timeout_ns[list_class(f->lru_class)];
}

static enum flow_end_reason expiry_reason(const struct flow *f)
{
	return list_class(f->lru_class) == FLOW_CLASS_TCP_CLOSED ?
		       FLOW_END_CLOSED :
		       FLOW_END_IDLE;
}

/* ---- ending and creating ---------------------------------------------- */

static void count_end(struct flow_table *ft, enum flow_end_reason why)
{
	static const enum tw_counter by_reason[] = {
		[FLOW_END_IDLE] = TW_CTR_FLOWS_TIMED_OUT,
		[FLOW_END_CLOSED] = TW_CTR_FLOWS_CLOSED,
		[FLOW_END_EVICTED] = TW_CTR_FLOWS_EVICTED,
		[FLOW_END_INPUT] = TW_CTR_FLOWS_OPEN_AT_END,
	};

	if (!ft->ctr)
		return;
	counter_inc(ft->ctr, TW_CTR_FLOWS_ENDED);
	counter_inc(ft->ctr, by_reason[why]);
}

static void flow_end(struct flow_table *ft, struct flow *f,
		     enum flow_end_reason why)
{
	/* the callback sees the flow intact, before any link is touched */
	if (ft->on_end)
		ft->on_end(ft->ctx, f, why);
	count_end(ft, why);
	list_unlink(ft, f);
	bucket_remove(ft, f);
	f->in_use = 0;
	ifree_push(&ft->free_head, &f->bucket_next, flow_index(ft, f) + 1);
	ft->count--;
}

/* The oldest flow of a tier: each list head is its list's oldest, so
 * comparing heads is enough. */
static struct flow *oldest_of_tier(struct flow_table *ft, enum flow_tier t)
{
	struct flow *victim = NULL;

	for (unsigned c = 0; c < FLOW_CLASS_COUNT; c++) {
		uint32_t head = ft->lists[c * FLOW_TIERS + t].order.head;
		struct flow *h;

		if (!head)
			continue;
		h = &ft->flows[head - 1];
		if (!victim || h->last_ns < victim->last_ns)
			victim = h;
	}
	return victim;
}

/* Makes room: the least recently active flow that never carried payload
 * (or one lone datagram) first; only without one the least recently active
 * flow of all. Either way the analyzers end it as on any flow end, so a
 * finding it holds (a long-lived flow, a reverse session) is emitted
 * before the entry is reused. */
static void flow_evict_oldest(struct flow_table *ft)
{
	struct flow *victim = oldest_of_tier(ft, FLOW_TIER_EMPTY);
	enum tw_counter why = TW_CTR_FLOWS_EVICTED_NO_PAYLOAD;

	if (!victim) {
		victim = oldest_of_tier(ft, FLOW_TIER_PAYLOAD);
		why = TW_CTR_FLOWS_EVICTED_WITH_PAYLOAD;
	}
	if (!victim)
		return;
	if (ft->ctr)
		counter_inc(ft->ctr, why);
	flow_end(ft, victim, FLOW_END_EVICTED);
}

static bool is_icmp_echo_reply(const struct pkt_view *pv)
{
	return (pv->proto == TW_PROTO_ICMP && pv->icmp_type == 0) ||
	       (pv->proto == TW_PROTO_ICMPV6 && pv->icmp_type == 129);
}

/* The originator is whoever opened the conversation: the SYN sender, the
 * echo requester, else the sender of the first packet we saw. A TCP
 * connection picked up without its SYN (the sensor started, restarted or
 * evicted it while it was open: the long-lived tunnels this detector
 * hunts are the likeliest to be) is given to the client its ports
 * suggest: services listen on well-known and registered ports, clients
 * get theirs from an ephemeral range above them (32768-60999 on Linux,
 * 49152-65535 on Windows and the BSDs). So the one port in Linux's range
 * is the client's (a STOMP broker on 61613 is not); with both or neither
 * in it, the higher port; equal ports: the first sender. The guess can
 * be wrong (two ephemeral ports, a client bound low), so such a flow is
 * marked midstream and findings say its start was not seen;
 * flow_roles_known() tells analyzers when the guess is sound. */
static bool ephemeral_port(uint16_t port)
{
	return port >= 32768 && port <= 60999;
}

static bool dst_is_client(const struct pkt_view *pv)
{
	bool se = ephemeral_port(pv->sport), de = ephemeral_port(pv->dport);

	if (se != de)
		return de;
	return pv->dport > pv->sport;
}

static bool dst_is_originator(const struct pkt_view *pv)
{
	if (pv->proto == TW_PROTO_TCP) {
		if (!(pv->tcp_flags & TW_TCP_SYN))
			return dst_is_client(pv);
		return (pv->tcp_flags & (TW_TCP_SYN | TW_TCP_ACK)) ==
		       (TW_TCP_SYN | TW_TCP_ACK);
	}
	return is_icmp_echo_reply(pv);
}

static void flow_init(struct flow *f, const struct flow_key *k, uint32_t hash,
		      const struct pkt_view *pv, uint32_t an_state_size)
{
	uint8_t *an_state = f->an_state;

	memset(f, 0, sizeof(*f));
	f->an_state = an_state;
	if (an_state)
		memset(an_state, 0, an_state_size);
	f->key = *k;
	f->hash = hash;
	f->proto = pv->proto;
	if (dst_is_originator(pv)) {
		f->orig_addr = pv->dst;
		f->orig_port = pv->dport;
		f->resp_addr = pv->src;
		f->resp_port = pv->sport;
	} else {
		f->orig_addr = pv->src;
		f->orig_port = pv->sport;
		f->resp_addr = pv->dst;
		f->resp_port = pv->dport;
	}
	f->orig_is_key0 = k->port[0] == f->orig_port &&
			  memcmp(&k->addr[0], &f->orig_addr, sizeof(k->addr[0])) == 0;
	f->first_ns = f->last_ns = pv->ts_ns;
	if (pv->proto != TW_PROTO_TCP)
		f->tcp_state = FLOW_TCP_NONE;
	else if (pv->tcp_flags & TW_TCP_SYN)
		f->tcp_state = FLOW_TCP_SYN_SENT;
	else {
		f->tcp_state = FLOW_TCP_ESTABLISHED; /* picked up mid-stream */
		f->midstream = 1;
	}
	f->id = flow_key_id(k, pv->ts_ns);
	f->in_use = 1;
}

static struct flow *flow_create(struct flow_table *ft, const struct flow_key *k,
				uint32_t hash, const struct pkt_view *pv)
{
	struct flow *f;

	if (!ft->free_head && ft->next_unused < ft->cfg.max_flows) {
		f = &ft->flows[ft->next_unused];
		f->an_state = ft->cfg.an_state_size ?
			ft->an_state + (size_t)ft->next_unused *
					       ft->cfg.an_state_size :
			NULL;
		ft->next_unused++;
	} else {
		if (!ft->free_head) {
			flow_evict_oldest(ft);
			if (!ft->free_head)
				return NULL;
		}
		f = &ft->flows[ft->free_head - 1];
		ifree_pop(&ft->free_head, &f->bucket_next);
	}
	flow_init(f, k, hash, pv, ft->cfg.an_state_size);
	bucket_insert(ft, f);
	list_append(ft, f);
	ft->count++;
	if (ft->ctr) {
		counter_inc(ft->ctr, TW_CTR_FLOWS_CREATED);
		if (f->midstream)
			counter_inc(ft->ctr, TW_CTR_FLOWS_MIDSTREAM);
	}
	return f;
}

static struct flow *flow_find(struct flow_table *ft, const struct pkt_view *pv,
			      uint32_t hash)
{
	uint32_t i = ft->buckets[hash & ft->bucket_mask];

	while (i) {
		struct flow *f = &ft->flows[i - 1];

		if (f->hash == hash && flow_key_is_view(&f->key, pv))
			return f;
		i = f->bucket_next;
	}
	return NULL;
}

static bool is_new_syn(const struct pkt_view *pv)
{
	return pv->proto == TW_PROTO_TCP &&
	       (pv->tcp_flags & (TW_TCP_SYN | TW_TCP_ACK)) == TW_TCP_SYN;
}

/* A found flow that should not take this packet: timed out already, or a
 * closed connection whose ports are being reused by a new SYN. */
static bool flow_is_stale(const struct flow_table *ft, const struct flow *f,
			  const struct pkt_view *pv)
{
	return flow_expired(ft, f, pv->ts_ns) ||
	       (f->tcp_state == FLOW_TCP_CLOSED && is_new_syn(pv));
}

struct flow *flow_table_lookup(struct flow_table *ft, const struct pkt_view *pv,
			       enum flow_dir_id *dir, int *created)
{
	return flow_table_lookup_hashed(ft, pv, flow_view_hash(pv), dir,
					created);
}

void flow_table_prefetch(const struct flow_table *ft, uint32_t hash)
{
	__builtin_prefetch(&ft->buckets[hash & ft->bucket_mask]);
}

struct flow *flow_table_lookup_hashed(struct flow_table *ft,
				      const struct pkt_view *pv, uint32_t hash,
				      enum flow_dir_id *dir, int *created)
{
	struct flow_key k;
	struct flow *f;

	*created = 0;
	f = flow_find(ft, pv, hash);
	if (f && flow_is_stale(ft, f, pv)) {
		flow_end(ft, f, expiry_reason(f));
		f = NULL;
	}
	if (!f) {
		flow_key_from_view(pv, &k);
		f = flow_create(ft, &k, hash, pv);
		if (!f)
			return NULL;
		*created = 1;
	}
	/* ports too: both ends may share an address (loopback) */
	*dir = memcmp(&pv->src, &f->orig_addr, sizeof(pv->src)) == 0 &&
		       pv->sport == f->orig_port ?
		       FLOW_DIR_ORIG :
		       FLOW_DIR_RESP;
	return f;
}

/* ---- per packet update ------------------------------------------------ */

static void tcp_track(struct flow *f, enum flow_dir_id dir,
		      const struct pkt_view *pv)
{
	uint8_t fl = pv->tcp_flags;

	if (f->tcp_state == FLOW_TCP_CLOSED)
		return;
	if (fl & TW_TCP_RST) {
		f->tcp_state = FLOW_TCP_CLOSED;
		return;
	}
	if ((fl & (TW_TCP_SYN | TW_TCP_ACK)) == (TW_TCP_SYN | TW_TCP_ACK)) {
		if (dir == FLOW_DIR_RESP)
			f->handshake_seen = 1;
	} else if (f->tcp_state == FLOW_TCP_SYN_SENT &&
		   ((fl & TW_TCP_ACK) || pv->payload_wire_len > 0)) {
		f->tcp_state = FLOW_TCP_ESTABLISHED;
	}
	if (fl & TW_TCP_FIN) {
		f->fin_seen[dir] = 1;
		f->tcp_state = f->fin_seen[0] && f->fin_seen[1] ?
				       FLOW_TCP_CLOSED :
				       FLOW_TCP_CLOSING;
	}
}

void flow_table_update(struct flow_table *ft, struct flow *f,
		       enum flow_dir_id dir, const struct pkt_view *pv)
{
	struct flow_side *s = &f->side[dir];

	s->pkts++;
	s->bytes += pv->ip_len;
	s->payload_bytes += pv->payload_wire_len;
	/* traces can step back in time: keep last_ns monotonic */
	if (pv->ts_ns > f->last_ns)
		f->last_ns = pv->ts_ns;
	if (dir == FLOW_DIR_RESP)
		f->responded = 1;
	if (f->proto == TW_PROTO_TCP)
		tcp_track(f, dir, pv);
	list_touch(ft, f);
}

/* ---- sweeping --------------------------------------------------------- */

/* Every flow of an unsorted list: the expired ones end, and the list is
 * sorted again once its survivors are in time order. */
static void expire_unsorted(struct flow_table *ft, struct flow_list *l,
			    uint64_t now_ns)
{
	uint64_t prev = 0;
	bool sorted = true;

	for (uint32_t i = l->order.head; i;) {
		struct flow *f = &ft->flows[i - 1];

		i = f->lru.next;
		if (flow_expired(ft, f, now_ns)) {
			flow_end(ft, f, expiry_reason(f));
			continue;
		}
		if (f->last_ns < prev)
			sorted = false;
		prev = f->last_ns;
	}
	if (sorted)
		l->unsorted = 0;
}

void flow_table_expire(struct flow_table *ft, uint64_t now_ns)
{
	int c;

	for (c = 0; c < FLOW_LISTS; c++) {
		if (ft->lists[c].unsorted) {
			expire_unsorted(ft, &ft->lists[c], now_ns);
			continue;
		}
		while (ft->lists[c].order.head) {
			struct flow *f = &ft->flows[ft->lists[c].order.head - 1];

			if (!flow_expired(ft, f, now_ns))
				break;
			flow_end(ft, f, expiry_reason(f));
		}
	}
}

static int flow_order_cmp(const void *a, const void *b, void *arg)
{
	const struct flow *flows = arg;
	const struct flow *fa = &flows[*(const uint32_t *)a];
	const struct flow *fb = &flows[*(const uint32_t *)b];

	if (fa->first_ns != fb->first_ns)
		return fa->first_ns < fb->first_ns ? -1 : 1;
	return (fa->id > fb->id) - (fa->id < fb->id);
}

/* Oldest first, so that what flush emits does not depend on the layout of
 * the table (and hence not on hash or eviction history). */
void flow_table_flush(struct flow_table *ft)
{
	uint32_t n = 0, i;

	for (i = 0; i < ft->next_unused; i++)
		if (ft->flows[i].in_use)
			ft->order[n++] = i;
	qsort_r(ft->order, n, sizeof(ft->order[0]), flow_order_cmp,
		ft->flows);
	for (i = 0; i < n; i++)
		flow_end(ft, &ft->flows[ft->order[i]], FLOW_END_INPUT);
}

uint32_t flow_table_count(const struct flow_table *ft)
{
	return ft->count;
}

static size_t bucket_count(const struct flow_table_config *cfg)
{
	size_t n = 1;

	while (n < 2 * (size_t)cfg->max_flows)
		n <<= 1;
	return n;
}

size_t flow_table_memory(const struct flow_table *ft)
{
	size_t max = ft->cfg.max_flows;

	return sizeof(*ft) + max * sizeof(struct flow) +
	       ((size_t)ft->bucket_mask + 1) * sizeof(uint32_t) +
	       max * ft->cfg.an_state_size + max * sizeof(uint32_t);
}

int flow_table_foreach(struct flow_table *ft,
		       int (*fn)(void *ctx, const struct flow *f), void *ctx)
{
	uint32_t i;
	int rc;

	for (i = 0; i < ft->next_unused; i++) {
		if (!ft->flows[i].in_use)
			continue;
		rc = fn(ctx, &ft->flows[i]);
		if (rc)
			return rc;
	}
	return 0;
}

/* ---- lifetime --------------------------------------------------------- */

struct flow_table *flow_table_create(const struct flow_table_config *cfg,
				     flow_end_fn on_end, void *ctx,
				     struct tw_counters *ctr)
{
	struct flow_table *ft;
	size_t nb;

	if (!cfg || cfg->max_flows == 0 ||
	    cfg->max_flows > FLOW_TABLE_MAX_FLOWS)
		return NULL;
	ft = calloc(1, sizeof(*ft));
	if (!ft)
		return NULL;
	ft->cfg = *cfg;
	ft->on_end = on_end;
	ft->ctx = ctx;
	ft->ctr = ctr;
	ft->timeout_ns[FLOW_CLASS_TCP_HANDSHAKE] = cfg->tcp_handshake_ns;
	ft->timeout_ns[FLOW_CLASS_TCP_IDLE] = cfg->tcp_idle_ns;
	ft->timeout_ns[FLOW_CLASS_TCP_CLOSED] = cfg->tcp_closed_ns;
	ft->timeout_ns[FLOW_CLASS_UDP] = cfg->udp_idle_ns;
	ft->timeout_ns[FLOW_CLASS_OTHER] = cfg->other_idle_ns;
	nb = bucket_count(cfg);
	ft->bucket_mask = (uint32_t)(nb - 1);
	ft->flows = calloc(cfg->max_flows, sizeof(struct flow));
	ft->buckets = calloc(nb, sizeof(uint32_t));
	ft->order = calloc(cfg->max_flows, sizeof(uint32_t));
	if (cfg->an_state_size)
		ft->an_state = calloc(cfg->max_flows, cfg->an_state_size);
	if (!ft->flows || !ft->buckets || !ft->order ||
	    (cfg->an_state_size && !ft->an_state)) {
		flow_table_destroy(ft);
		return NULL;
	}
	return ft;
}

void flow_table_destroy(struct flow_table *ft)
{
	if (!ft)
		return;
	free(ft->an_state);
	free(ft->order);
	free(ft->buckets);
	free(ft->flows);
	free(ft);
}
