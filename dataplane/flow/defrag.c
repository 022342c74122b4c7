/* SPDX-License-Identifier: BSD-3-Clause */
/* Fragment reassembly (policy in defrag.h). A datagram in reassembly is a
 * slot: its key, a coverage bitmap in 8-byte units (the unit of fragment
 * offsets) and a data buffer. Slots are preallocated; the data buffers are
 * one calloc'ed block whose pages are only touched when a datagram needs
 * them. Slots are found by a chained hash and kept in arrival order, so
 * the oldest is the first to time out or to be evicted. */
#include "flow/defrag.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "base/index_list.h"
#include "base/mix.h"
#include "decode/decode.h"

#define UNIT 8              /* fragment offsets count 8-byte units */
#define HDR_ROOM 40         /* the rebuilt IP header goes in front */
#define IPV4_HDR_LEN 20
#define IPV6_HDR_LEN 40
#define PAIRS_TRACKED 64    /* pairs whose incomplete datagrams count */
#define NIL 0               /* index+1 links, 0 = none */

struct frag_slot {
	struct ip_addr src, dst;
	uint32_t id;
	uint8_t proto, version, ttl;
	uint8_t has_last;        /* the fragment without MF arrived */
	uint8_t conflict;        /* an overlap differed (reported once) */
	uint32_t total;          /* data bytes, known once has_last */
	uint32_t units_have;     /* covered units */
	uint32_t units_used;     /* highest unit touched + 1 (to clear) */
	uint32_t conflict_bytes;
	uint64_t first_ns, last_ns;
	struct pkt_tunnel tunnel;
	uint32_t hash_next;      /* chain, index+1 */
	struct ilink order;      /* arrival order */
	uint32_t bucket;
};

/* Incomplete datagrams per address pair, for the flood finding. */
struct pair_count {
	struct ip_addr a, b;
	uint32_t n;
	uint8_t reported;
};

struct defrag_table {
	struct defrag_config cfg;
	struct tw_counters *ctr;
	defrag_alert_fn alert;
	void *ctx;
	struct frag_slot *slots;
	uint32_t *buckets;       /* index+1 */
	uint32_t n_buckets;      /* power of two */
	uint32_t free_head;      /* free slots through hash_next */
	uint32_t next_unused;    /* never used slots from here */
	struct ilist order;      /* arrival order: oldest first */
	uint32_t units_max;      /* data units a slot holds */
	size_t bitmap_bytes;     /* per slot */
	uint8_t *bitmaps;
	uint8_t *data;           /* HDR_ROOM + units_max * UNIT per slot */
	size_t slot_data_bytes;
	struct pair_count pairs[PAIRS_TRACKED];
};

static uint32_t key_hash(const struct ip_addr *s, const struct ip_addr *d,
			 uint32_t id, uint8_t proto)
{
	uint64_t a, b, c, e;

	memcpy(&a, s->b, 8);
	memcpy(&b, s->b + 8, 8);
	memcpy(&c, d->b, 8);
	memcpy(&e, d->b + 8, 8);
	return (uint32_t)mix64(a ^ mix64(b ^ mix64(c ^ mix64(e ^ id ^
				((uint64_t)proto << 32)))));
}

static uint8_t *slot_bitmap(struct defrag_table *t, uint32_t i)
{
	return t->bitmaps + (size_t)i * t->bitmap_bytes;
}

static uint8_t *slot_data(struct defrag_table *t, uint32_t i)
{
	return t->data + (size_t)i * t->slot_data_bytes + HDR_ROOM;
}

struct defrag_table *defrag_create(const struct defrag_config *cfg,
				   struct tw_counters *ctr,
				   defrag_alert_fn alert, void *ctx)
{
	struct defrag_table *t = calloc(1, sizeof(*t));
	uint32_t n = cfg->max_datagrams ? cfg->max_datagrams : 1;

	if (!t)
		return NULL;
	t->cfg = *cfg;
	t->ctr = ctr;
	t->alert = alert;
	t->ctx = ctx;
	t->units_max = (cfg->max_datagram_bytes + UNIT - 1) / UNIT;
	t->bitmap_bytes = (t->units_max + 7) / 8;
	t->slot_data_bytes = HDR_ROOM + (size_t)t->units_max * UNIT;
	for (t->n_buckets = 1; t->n_buckets < n; t->n_buckets <<= 1)
		;
	t->slots = calloc(n, sizeof(*t->slots));
	t->buckets = calloc(t->n_buckets, sizeof(*t->buckets));
	t->bitmaps = calloc(n, t->bitmap_bytes);
	t->data = calloc(n, t->slot_data_bytes);
	t->cfg.max_datagrams = n;
	if (!t->slots || !t->buckets || !t->bitmaps || !t->data) {
		defrag_destroy(t);
		return NULL;
	}
	return t;
}

void defrag_destroy(struct defrag_table *t)
{
	if (!t)
		return;
	free(t->slots);
	free(t->buckets);
	free(t->bitmaps);
	free(t->data);
	free(t);
}

size_t defrag_memory(const struct defrag_table *t)
{
	uint32_t n = t->cfg.max_datagrams;

	return sizeof(*t) + n * (sizeof(*t->slots) + t->bitmap_bytes +
				 t->slot_data_bytes) +
	       t->n_buckets * sizeof(*t->buckets);
}

/* ---- slot lists ---- */

static void order_unlink(struct defrag_table *t, uint32_t i)
{
	ilist_unlink(&t->order, ILIST_ARRAY(t->slots, order), i + 1);
}

static void order_append(struct defrag_table *t, uint32_t i)
{
	ilist_push_tail(&t->order, ILIST_ARRAY(t->slots, order), i + 1);
}

static void bucket_unlink(struct defrag_table *t, uint32_t i)
{
	uint32_t *link = &t->buckets[t->slots[i].bucket];

	while (*link && *link != i + 1)
		link = &t->slots[*link - 1].hash_next;
	if (*link)
		*link = t->slots[i].hash_next;
}

/* The datagram leaves the table; its buffer stays readable until the
 * slot is handed out again (the next defrag_add at the earliest). */
static void slot_free(struct defrag_table *t, uint32_t i)
{
	bucket_unlink(t, i);
	order_unlink(t, i);
	ifree_push(&t->free_head, &t->slots[i].hash_next, i + 1);
}

/* ---- incomplete datagrams (flood) ---- */

static bool pair_is(const struct pair_count *p, const struct ip_addr *a,
		    const struct ip_addr *b)
{
	return (ip_addr_cmp(&p->a, a) == 0 && ip_addr_cmp(&p->b, b) == 0) ||
	       (ip_addr_cmp(&p->a, b) == 0 && ip_addr_cmp(&p->b, a) == 0);
}

/* Counted per address pair, which lives on one worker, so the finding
 * does not depend on the worker count. The least counted pair makes
 * room for a new one. */
/* Tells the worker what a datagram of s did (count: datagrams or bytes). */
static void raise_alert(struct defrag_table *t, const struct frag_slot *s,
			enum defrag_alert_kind kind, uint32_t count)
{
	struct defrag_alert a;

	memset(&a, 0, sizeof(a));
	a.kind = kind;
	a.src = s->src;
	a.dst = s->dst;
	a.proto = s->proto;
	a.ip_version = s->version;
	a.count = count;
	a.first_ns = s->first_ns;
	a.last_ns = s->last_ns;
	a.tunnel = s->tunnel;
	t->alert(t->ctx, &a);
}

static void note_incomplete(struct defrag_table *t, const struct frag_slot *s)
{
	struct pair_count *p = NULL, *least = &t->pairs[0];

	for (unsigned i = 0; i < PAIRS_TRACKED && !p; i++) {
		if (pair_is(&t->pairs[i], &s->src, &s->dst) &&
		    t->pairs[i].n)
			p = &t->pairs[i];
		else if (t->pairs[i].n < least->n)
			least = &t->pairs[i];
	}
	if (!p) {
		p = least;
		memset(p, 0, sizeof(*p));
		p->a = s->src;
		p->b = s->dst;
	}
	p->n++;
	if (!t->cfg.flood_incomplete || p->reported ||
	    p->n < t->cfg.flood_incomplete)
		return;
	p->reported = 1;
	counter_inc(t->ctr, TW_CTR_DEFRAG_FLOOD);
	raise_alert(t, s, DEFRAG_ALERT_FLOOD, p->n);
}

void defrag_expire(struct defrag_table *t, uint64_t now_ns)
{
	while (t->order.head) {
		uint32_t i = t->order.head - 1;
		struct frag_slot *s = &t->slots[i];

		if (s->first_ns + t->cfg.timeout_ns > now_ns)
			break;
		counter_inc(t->ctr, TW_CTR_DEFRAG_TIMED_OUT);
		note_incomplete(t, s);
		slot_free(t, i);
	}
}

/* ---- one fragment ---- */

static uint32_t slot_take(struct defrag_table *t)
{
	uint32_t i;

	if (t->free_head)
		return ifree_pop(&t->free_head,
				 &t->slots[t->free_head - 1].hash_next) - 1;
	if (t->next_unused < t->cfg.max_datagrams)
		return t->next_unused++;
	/* full: the oldest datagram makes room */
	i = t->order.head - 1;
	counter_inc(t->ctr, TW_CTR_DEFRAG_EVICTED);
	note_incomplete(t, &t->slots[i]);
	slot_free(t, i);
	ifree_pop(&t->free_head, &t->slots[i].hash_next);
	return i;
}

static uint32_t slot_find(struct defrag_table *t, const struct pkt_view *pv,
			  uint32_t bucket)
{
	for (uint32_t l = t->buckets[bucket]; l; l = t->slots[l - 1].hash_next) {
		const struct frag_slot *s = &t->slots[l - 1];

		if (s->id == pv->frag_id && s->proto == pv->proto &&
		    s->version == pv->ip_version &&
		    ip_addr_cmp(&s->src, &pv->src) == 0 &&
		    ip_addr_cmp(&s->dst, &pv->dst) == 0)
			return l;
	}
	return NIL;
}

static uint32_t slot_new(struct defrag_table *t, const struct pkt_view *pv,
			 uint32_t bucket)
{
	uint32_t i = slot_take(t);
	struct frag_slot *s = &t->slots[i];

	memset(slot_bitmap(t, i), 0, (s->units_used + 7) / 8);
	memset(s, 0, sizeof(*s));
	s->src = pv->src;
	s->dst = pv->dst;
	s->id = pv->frag_id;
	s->proto = pv->proto;
	s->version = pv->ip_version;
	s->ttl = pv->ttl;
	s->first_ns = pv->ts_ns;
	s->tunnel = pv->tunnel;
	s->bucket = bucket;
	s->hash_next = t->buckets[bucket];
	t->buckets[bucket] = i + 1;
	order_append(t, i);
	return i;
}

static bool unit_covered(const uint8_t *bm, uint32_t u)
{
	return bm[u / 8] & (1u << (u % 8));
}

/* Copies the fragment's bytes into the units not yet held and compares
 * those already held (first wins). Returns the bytes that differed. */
static uint32_t merge_bytes(struct defrag_table *t, uint32_t i,
			    const uint8_t *src, uint32_t off, uint32_t len)
{
	struct frag_slot *s = &t->slots[i];
	uint8_t *bm = slot_bitmap(t, i), *data = slot_data(t, i);
	uint32_t differ = 0, same = 0;

	for (uint32_t pos = 0; pos < len;) {
		uint32_t u = (off + pos) / UNIT;
		uint32_t n = UNIT - (off + pos) % UNIT;

		if (n > len - pos)
			n = len - pos;
		if (unit_covered(bm, u)) {
			for (uint32_t k = 0; k < n; k++)
				if (data[off + pos + k] != src[pos + k])
					differ++;
			same += n;
		} else {
			memcpy(data + off + pos, src + pos, n);
			bm[u / 8] |= (uint8_t)(1u << (u % 8));
			s->units_have++;
		}
		pos += n;
	}
	if ((off + len + UNIT - 1) / UNIT > s->units_used)
		s->units_used = (off + len + UNIT - 1) / UNIT;
	if (same)
		counter_inc(t->ctr, differ ? TW_CTR_DEFRAG_OVERLAP_CONFLICT :
				     TW_CTR_DEFRAG_OVERLAP_SAME);
	return differ;
}

static void report_overlap(struct defrag_table *t, struct frag_slot *s)
{
	raise_alert(t, s, DEFRAG_ALERT_OVERLAP, s->conflict_bytes);
}

/* Writes an IP header for the whole datagram in front of its data: the
 * reassembled packet is what the sender meant, so nothing of the
 * fragments' own headers (options, extension headers) is kept. */
static const uint8_t *rebuild(struct defrag_table *t, uint32_t i,
			      uint32_t *len, uint8_t *version)
{
	struct frag_slot *s = &t->slots[i];
	uint8_t *data = slot_data(t, i), *h;

	if (s->version == 4) {
		uint32_t total = IPV4_HDR_LEN + s->total;

		h = data - IPV4_HDR_LEN;
		memset(h, 0, IPV4_HDR_LEN);
		h[0] = 0x45;
		h[2] = (uint8_t)(total >> 8);
		h[3] = (uint8_t)total;
		h[4] = (uint8_t)(s->id >> 8);
		h[5] = (uint8_t)s->id;
		h[8] = s->ttl;
		h[9] = s->proto;
		memcpy(h + 12, s->src.b + 12, 4);
		memcpy(h + 16, s->dst.b + 12, 4);
		*len = total;
	} else {
		h = data - IPV6_HDR_LEN;
		memset(h, 0, IPV6_HDR_LEN);
		h[0] = 0x60;
		h[4] = (uint8_t)(s->total >> 8);
		h[5] = (uint8_t)s->total;
		h[6] = s->proto;
		h[7] = s->ttl;
		memcpy(h + 8, s->src.b, 16);
		memcpy(h + 24, s->dst.b, 16);
		*len = IPV6_HDR_LEN + s->total;
	}
	*version = s->version;
	return h;
}

/* Length and offset checks that hold for any fragment on its own, and
 * against the end a last fragment announced. */
static bool fragment_fits(const struct defrag_table *t,
			  const struct frag_slot *s, const struct pkt_view *pv,
			  uint32_t off, uint32_t len)
{
	uint32_t end = off + len;
	uint32_t limit = pv->ip_version == 4 ? 65535 - IPV4_HDR_LEN :
			 65535;

	if (pv->frag_more && (len == 0 || len % UNIT != 0))
		return false;
	if (end > limit)
		return false;
	if (s && s->has_last && (end > s->total ||
				 (!pv->frag_more && end != s->total)))
		return false;
	if (s && !pv->frag_more && !s->has_last &&
	    (uint64_t)end < (uint64_t)s->units_used * UNIT - (UNIT - 1))
		return false;  /* the last ends before bytes already held */
	(void)t;
	return true;
}

const uint8_t *defrag_add(struct defrag_table *t, const struct pkt_view *pv,
			  uint32_t *len, uint8_t *version)
{
	uint32_t off = (uint32_t)pv->frag_offset * UNIT;
	uint32_t flen = pv->payload_wire_len;
	uint32_t bucket = key_hash(&pv->src, &pv->dst, pv->frag_id,
				   pv->proto) & (t->n_buckets - 1);
	uint32_t l = slot_find(t, pv, bucket);
	struct frag_slot *s = l ? &t->slots[l - 1] : NULL;
	uint32_t i, differ;

	if (pv->payload_len < flen ||
	    !fragment_fits(t, s, pv, off, flen)) {
		/* snapped short, or offsets that no sender writes */
		counter_inc(t->ctr, TW_CTR_DEFRAG_INVALID);
		return NULL;
	}
	if (off + flen > t->units_max * UNIT) {
		counter_inc(t->ctr, TW_CTR_DEFRAG_TOO_LARGE);
		return NULL;
	}
	i = l ? l - 1 : slot_new(t, pv, bucket);
	s = &t->slots[i];
	s->last_ns = pv->ts_ns;
	if (!pv->frag_more) {
		s->has_last = 1;
		s->total = off + flen;
	}
	differ = merge_bytes(t, i, pv->payload, off, flen);
	if (differ) {
		s->conflict_bytes += differ;
		if (!s->conflict) {
			s->conflict = 1;
			report_overlap(t, s);
		}
	}
	if (!s->has_last ||
	    s->units_have != (s->total + UNIT - 1) / UNIT)
		return NULL;
	counter_inc(t->ctr, TW_CTR_DEFRAG_REASSEMBLED);
	slot_free(t, i);
	return rebuild(t, i, len, version);
}
