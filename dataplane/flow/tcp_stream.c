/* SPDX-License-Identifier: BSD-3-Clause */
/* In-order TCP payload per direction. Sequence numbers are compared with
 * 32-bit wrapping arithmetic throughout. Out-of-order segments are copied
 * into a per-worker pool of fixed-size slots (allocated at create); a flow
 * direction holds at most FLOW_OOO_SLOTS of them, by slot index+1. */
#include <stdlib.h>
#include <string.h>

#include "flow/tcp_stream.h"

/* Segments further ahead than this are not worth waiting for. */
#define REORDER_WINDOW (1u << 20)

struct reorder_seg {
	uint32_t seq;        /* first payload byte */
	uint32_t len;        /* payload bytes on the wire */
	uint32_t cap;        /* payload bytes held (the captured part) */
	uint32_t next_free;  /* free list, index+1 */
	uint8_t fin;
};

struct reorder_pool {
	uint32_t slots;
	uint32_t slot_bytes;
	uint32_t free_head;  /* index+1 */
	struct reorder_seg *seg;
	uint8_t *data;       /* slots * slot_bytes */
};

/* Everything one call works with, so helpers take one argument. */
struct stream_run {
	struct reorder_pool *pool;
	struct flow *f;
	enum flow_dir_id dir;
	struct flow_stream *st;
	uint32_t limit;
	stream_deliver_fn deliver;
	void *ctx;
	struct tw_counters *ctr;
};

/* A fingerprint of a segment's bytes (it runs on every inspected segment,
 * so it is a Fletcher-style sum, two 64-bit lanes per 16 bytes: a sum and
 * a sum of sums, which also sees bytes that moved). A retransmission with
 * other bytes under the same sequence numbers changes it, unless the
 * bytes were crafted to keep both sums. */
typedef uint64_t u64x2 __attribute__((vector_size(16)));

static uint32_t bytes_hash(const uint8_t *p, uint32_t n)
{
	u64x2 a = { n, 0 }, b = { 0, 0 }, w;
	uint64_t tail[2] = { 0, 0 }, h;
	uint32_t i = 0;

	for (; i + 16 <= n; i += 16) {
		memcpy(&w, p + i, sizeof(w));
		a += w;
		b += a;
	}
	memcpy(tail, p + i, n - i);
	memcpy(&w, tail, sizeof(w));
	a += w;
	b += a;
	h = (a[0] ^ (a[1] * 0x9e3779b97f4a7c15ULL)) * 0xff51afd7ed558ccdULL;
	h ^= (b[0] + (b[1] >> 7)) * 0xc4ceb9fe1a85ec53ULL;
	return (uint32_t)(h ^ (h >> 32));
}

static int32_t seq_diff(uint32_t a, uint32_t b)
{
	return (int32_t)(a - b);
}

static void count(const struct stream_run *r, enum tw_counter id, uint64_t n)
{
	if (r->ctr)
		counter_add(r->ctr, id, n);
}

/* ---- pool ------------------------------------------------------------- */

struct reorder_pool *reorder_pool_create(uint32_t slots, uint32_t slot_bytes)
{
	struct reorder_pool *p;
	uint32_t i;

	/* flow_stream.ooo_slot holds index+1 in 16 bits */
	if (slots > UINT16_MAX)
		return NULL;
	p = calloc(1, sizeof(*p));
	if (!p)
		return NULL;
	p->slots = slots;
	p->slot_bytes = slot_bytes;
	p->seg = calloc(slots ? slots : 1, sizeof(*p->seg));
	p->data = calloc(slots && slot_bytes ? (size_t)slots * slot_bytes : 1, 1);
	if (!p->seg || !p->data) {
		reorder_pool_destroy(p);
		return NULL;
	}
	for (i = slots; i > 0; i--) {
		p->seg[i - 1].next_free = p->free_head;
		p->free_head = i;
	}
	return p;
}

void reorder_pool_destroy(struct reorder_pool *p)
{
	if (!p)
		return;
	free(p->data);
	free(p->seg);
	free(p);
}

size_t reorder_pool_memory(const struct reorder_pool *p)
{
	return sizeof(*p) + (size_t)p->slots * sizeof(*p->seg) +
	       (size_t)p->slots * p->slot_bytes;
}

static uint32_t pool_alloc(struct reorder_pool *p)
{
	uint32_t idx1 = p->free_head;

	if (idx1)
		p->free_head = p->seg[idx1 - 1].next_free;
	return idx1;
}

static void pool_free(struct reorder_pool *p, uint32_t idx1)
{
	p->seg[idx1 - 1].next_free = p->free_head;
	p->free_head = idx1;
}

static uint8_t *pool_data(struct reorder_pool *p, uint32_t idx1)
{
	return p->data + (size_t)(idx1 - 1) * p->slot_bytes;
}

/* ---- held segments of one direction ----------------------------------- */

static void held_release(struct stream_run *r)
{
	int i;

	for (i = 0; i < FLOW_OOO_SLOTS; i++) {
		if (r->st->ooo_slot[i]) {
			pool_free(r->pool, r->st->ooo_slot[i]);
			r->st->ooo_slot[i] = 0;
		}
	}
}

/* Position in ooo_slot of the held segment nearest next_seq, -1 if none. */
static int held_lowest(const struct stream_run *r)
{
	int i, best = -1;
	int32_t best_off = 0;

	for (i = 0; i < FLOW_OOO_SLOTS; i++) {
		uint32_t s = r->st->ooo_slot[i];
		int32_t off;

		if (!s)
			continue;
		off = seq_diff(r->pool->seg[s - 1].seq, r->st->next_seq);
		if (best < 0 || off < best_off) {
			best = i;
			best_off = off;
		}
	}
	return best;
}

static bool held_covers(const struct stream_run *r, uint32_t seq, uint32_t len)
{
	int i;

	for (i = 0; i < FLOW_OOO_SLOTS; i++) {
		uint32_t s = r->st->ooo_slot[i];
		const struct reorder_seg *h;

		if (!s)
			continue;
		h = &r->pool->seg[s - 1];
		if (seq_diff(seq, h->seq) >= 0 &&
		    seq_diff(seq + len, h->seq + h->len) <= 0)
			return true;
	}
	return false;
}

static int held_free_position(const struct stream_run *r)
{
	int i;

	for (i = 0; i < FLOW_OOO_SLOTS; i++)
		if (!r->st->ooo_slot[i])
			return i;
	return -1;
}

static bool held_add(struct stream_run *r, uint32_t seq, uint32_t len,
		     uint32_t cap, const uint8_t *data, bool fin)
{
	int pos = held_free_position(r);
	struct reorder_seg *h;
	uint32_t s;

	if (pos < 0 || cap > r->pool->slot_bytes)
		return false;
	s = pool_alloc(r->pool);
	if (!s)
		return false;
	h = &r->pool->seg[s - 1];
	h->seq = seq;
	h->len = len;
	h->cap = cap;
	h->fin = fin;
	if (cap)
		memcpy(pool_data(r->pool, s), data, cap);
	r->st->ooo_slot[pos] = (uint16_t)s;
	return true;
}

/* ---- delivery --------------------------------------------------------- */

static void mark_done(struct stream_run *r)
{
	r->st->done = 1;
	held_release(r);
}

/* Hands the captured part of wire bytes to the consumer, within the limit.
 * Bytes on the wire but not captured (snaplen) make the next delivery a
 * gap. */
static void emit(struct stream_run *r, const uint8_t *data, uint32_t cap,
		 uint32_t wire, bool gap)
{
	struct flow_stream *st = r->st;
	uint32_t n;

	if (st->done)
		return;
	if (gap)
		st->gap_pending = 1;
	if (cap) {
		if (st->inspected >= r->limit) {
			mark_done(r);
			return;
		}
		n = r->limit - st->inspected < cap ? r->limit - st->inspected :
						     cap;
		if (r->deliver)
			r->deliver(r->ctx, r->f, r->dir, data, n,
				   st->gap_pending);
		st->gap_pending = 0;
		st->inspected += n;
		count(r, TW_CTR_PAYLOAD_INSPECTED, n);
		if (st->inspected >= r->limit) {
			mark_done(r);
			return;
		}
	}
	if (cap < wire) {
		st->gap_pending = 1;
		st->gap = 1;
	}
}

/* Delivers a segment that ends past next_seq: the part already seen is
 * trimmed; if it starts after next_seq the missing bytes are a gap. */
static void advance(struct stream_run *r, uint32_t seq, uint32_t len,
		    uint32_t cap, const uint8_t *data, bool fin)
{
	struct flow_stream *st = r->st;
	int32_t off = seq_diff(seq, st->next_seq);
	bool gap = false;

	if (off > 0) {
		gap = true;
		st->gap = 1;
		count(r, TW_CTR_TCP_GAPS, 1);
	} else if (off < 0) {
		uint32_t skip = (uint32_t)-(int64_t)off;

		len -= skip;
		data = cap > skip ? data + skip : data;
		cap = cap > skip ? cap - skip : 0;
		seq = st->next_seq;
	}
	/* only what is inspected is worth comparing later */
	st->last_len = 0;
	if (!st->done && cap == len && len) {
		st->last_seq = seq;
		st->last_len = len;
		st->last_hash = bytes_hash(data, cap);
	}
	emit(r, data, cap, len, gap);
	st->next_seq = seq + len + (fin ? 1 : 0);
}

/* Takes a held segment out of its direction and gives its slot back after
 * use (delivery may end the stream, which releases what is still held). */
static void held_deliver(struct stream_run *r, int pos)
{
	uint32_t s = r->st->ooo_slot[pos];
	const struct reorder_seg *h = &r->pool->seg[s - 1];
	int64_t end_off = (int64_t)seq_diff(h->seq, r->st->next_seq) + h->len;

	r->st->ooo_slot[pos] = 0;
	if (end_off > 0 || (h->fin && end_off == 0))
		advance(r, h->seq, h->len, h->cap, pool_data(r->pool, s),
			h->fin);
	pool_free(r->pool, s);
}

/* Delivers held segments that are now in order. */
static void drain(struct stream_run *r)
{
	int pos;

	while ((pos = held_lowest(r)) >= 0) {
		uint32_t s = r->st->ooo_slot[pos];

		if (seq_diff(r->pool->seg[s - 1].seq, r->st->next_seq) > 0)
			break;
		held_deliver(r, pos);
	}
}

/* Before skipping ahead to target, deliver what is held below it. */
static void drain_before(struct stream_run *r, uint32_t target)
{
	int pos;

	while ((pos = held_lowest(r)) >= 0) {
		uint32_t s = r->st->ooo_slot[pos];

		if (seq_diff(r->pool->seg[s - 1].seq, target) >= 0)
			break;
		held_deliver(r, pos);
	}
}

static bool try_hold(struct stream_run *r, int32_t off, uint32_t seq,
		     uint32_t len, uint32_t cap, const uint8_t *data, bool fin)
{
	if ((uint32_t)off >= REORDER_WINDOW)
		return false;
	if (!held_add(r, seq, len, cap, data, fin))
		return false;
	count(r, TW_CTR_TCP_REORDERED, 1);
	return true;
}

static bool held_any(const struct stream_run *r)
{
	for (int i = 0; i < FLOW_OOO_SLOTS; i++)
		if (r->st->ooo_slot[i])
			return true;
	return false;
}

/* A segment that overlaps bytes held out of order: the overlapping
 * bytes are compared. Returns the number that differ; *overlap says how
 * many were compared. */
static uint32_t held_compare(const struct stream_run *r, uint32_t seq,
			     uint32_t cap, const uint8_t *data,
			     uint32_t *overlap)
{
	uint32_t differ = 0;

	*overlap = 0;
	for (int i = 0; i < FLOW_OOO_SLOTS; i++) {
		uint32_t s = r->st->ooo_slot[i];
		const struct reorder_seg *h;
		int32_t lo, hi;

		if (!s)
			continue;
		h = &r->pool->seg[s - 1];
		/* overlap [lo, hi) relative to seq, within both captures */
		lo = seq_diff(h->seq, seq) > 0 ? seq_diff(h->seq, seq) : 0;
		hi = seq_diff(h->seq + h->cap, seq) < (int32_t)cap ?
		     seq_diff(h->seq + h->cap, seq) : (int32_t)cap;
		for (int32_t k = lo; k < hi; k++) {
			const uint8_t *held = pool_data(r->pool, s);

			(*overlap)++;
			if (data[k] != held[seq_diff(seq, h->seq) + k])
				differ++;
		}
	}
	return differ;
}

/* Same sequence numbers, same bytes? Known for the last segment
 * inspected (its hash) and for segments held out of order; partial
 * overlaps of older inspected bytes are not compared (their bytes are
 * gone). */
static void check_overlap(struct stream_run *r, struct pkt_view *pv,
			  uint32_t seq, uint32_t len, uint32_t cap, int32_t off)
{
	const struct flow_stream *st = r->st;
	bool compared = false, differs = false;

	if (off <= 0 && st->last_len && seq == st->last_seq &&
	    len == st->last_len && cap == len) {
		compared = true;
		differs = bytes_hash(pv->payload, cap) != st->last_hash;
	} else if (off > 0 && cap) {
		uint32_t overlap;
		uint32_t d = held_compare(r, seq, cap, pv->payload, &overlap);

		compared = overlap > 0;
		differs = d > 0;
	}
	if (!compared)
		return;
	count(r, differs ? TW_CTR_TCP_OVERLAP_CONFLICT : TW_CTR_TCP_OVERLAP_SAME,
	      1);
	if (differs)
		pv->overlap_conflict = 1;
}

static void mark_retransmit(struct stream_run *r, struct pkt_view *pv)
{
	pv->retransmit = 1;
	count(r, TW_CTR_TCP_RETRANSMITTED, 1);
}

void tcp_stream_segment(struct reorder_pool *pool, struct flow *f,
			enum flow_dir_id dir, struct pkt_view *pv,
			uint32_t limit, stream_deliver_fn deliver, void *ctx,
			struct tw_counters *ctr)
{
	struct stream_run r = { pool, f, dir, &f->side[dir].stream, limit,
				deliver, ctx, ctr };
	struct flow_stream *st = r.st;
	bool syn = pv->tcp_flags & TW_TCP_SYN;
	bool fin = pv->tcp_flags & TW_TCP_FIN;
	uint32_t len = pv->payload_wire_len;
	uint32_t cap = pv->payload_len < len ? pv->payload_len : len;
	uint32_t seq = pv->seq + (syn ? 1 : 0); /* data on a SYN follows it */
	int32_t off;
	int64_t end_off;

	pv->retransmit = 0;
	pv->overlap_conflict = 0;
	/* a RST's sequence number says nothing about the byte stream */
	if (pv->tcp_flags & TW_TCP_RST)
		return;
	if (!st->seq_known) {
		st->next_seq = seq;
		st->seq_known = 1;
	}
	if (!len && !fin)
		return;
	off = seq_diff(seq, st->next_seq);
	end_off = (int64_t)off + len;
	if (!len) {
		/* a bare FIN takes its sequence number only when in order */
		if (off == 0)
			st->next_seq++;
		return;
	}
	if (off < 0 || (off > 0 && held_any(&r)))
		check_overlap(&r, pv, seq, len, cap, off);
	if (end_off <= 0 || (off > 0 && held_covers(&r, seq, len))) {
		mark_retransmit(&r, pv);
		return;
	}
	if (st->done) {
		/* keep tracking so later retransmissions are still seen */
		st->next_seq = seq + len + (fin ? 1 : 0);
		return;
	}
	if (off > 0 && try_hold(&r, off, seq, len, cap, pv->payload, fin))
		return;
	if (off > 0)
		drain_before(&r, seq);
	if (seq_diff(seq + len, st->next_seq) > 0)
		advance(&r, seq, len, cap, pv->payload, fin);
	drain(&r);
}

void tcp_stream_flush(struct reorder_pool *pool, struct flow *f,
		      uint32_t limit, stream_deliver_fn deliver, void *ctx,
		      struct tw_counters *ctr)
{
	int d, pos;

	for (d = FLOW_DIR_ORIG; d <= FLOW_DIR_RESP; d++) {
		struct stream_run r = { pool, f, (enum flow_dir_id)d,
					&f->side[d].stream, limit, deliver,
					ctx, ctr };

		while ((pos = held_lowest(&r)) >= 0)
			held_deliver(&r, pos);
	}
}
