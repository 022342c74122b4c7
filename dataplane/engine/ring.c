/* SPDX-License-Identifier: BSD-3-Clause */
#include "engine/ring.h"

#include <stdlib.h>
#include <string.h>

#define RING_ALIGN 8u
#define RING_TYPE_PAD UINT32_MAX /* filler up to the end of the buffer */

struct ring_hdr {
	uint32_t len;  /* payload bytes */
	uint32_t type;
};

struct spsc_ring {
	/* producer side: head is written by the producer only */
	_Alignas(64) _Atomic uint64_t head;
	uint64_t tail_seen;      /* producer's last look at tail */
	uint64_t committed;      /* head once every commit is published */
	uint64_t reserved;       /* committed after the pending reservation */
	uint32_t reserved_len;
	uint32_t unpublished;    /* commits not yet in head */
	uint32_t batch;          /* commits per head store, 1 = each */
	/* consumer side: tail is written by the consumer only */
	_Alignas(64) _Atomic uint64_t tail;
	uint64_t head_seen;      /* consumer's last look at head */
	uint64_t peeked;         /* tail after the peeked record */
	/* read-only after create */
	_Alignas(64) uint32_t size;
	uint32_t mask;
	uint8_t *buf;
};

static uint32_t round_up_pow2(uint32_t v)
{
	uint32_t p = 4096;

	while (p < v && p < (1u << 31))
		p <<= 1;
	return p;
}

static uint32_t record_bytes(uint32_t len)
{
	return (uint32_t)sizeof(struct ring_hdr) +
	       ((len + RING_ALIGN - 1) & ~(RING_ALIGN - 1));
}

struct spsc_ring *spsc_ring_create(uint32_t size)
{
	struct spsc_ring *r = aligned_alloc(64, sizeof(*r));

	if (!r)
		return NULL;
	memset(r, 0, sizeof(*r));
	r->size = round_up_pow2(size);
	r->mask = r->size - 1;
	r->buf = aligned_alloc(64, r->size);
	if (!r->buf) {
		free(r);
		return NULL;
	}
	r->batch = 1;
	atomic_init(&r->head, 0);
	atomic_init(&r->tail, 0);
	return r;
}

void spsc_ring_destroy(struct spsc_ring *r)
{
	if (!r)
		return;
	free(r->buf);
	free(r);
}

size_t spsc_ring_memory(const struct spsc_ring *r)
{
	return sizeof(*r) + r->size;
}

uint32_t spsc_ring_max_record(const struct spsc_ring *r)
{
	/* a record may need a filler before it: half the ring always fits */
	return r->size / 2 - (uint32_t)sizeof(struct ring_hdr);
}

static int ring_has_room(struct spsc_ring *r, uint64_t head, uint32_t need)
{
	if (head + need - r->tail_seen <= r->size)
		return 1;
	r->tail_seen = atomic_load_explicit(&r->tail, memory_order_acquire);
	return head + need - r->tail_seen <= r->size;
}

void *spsc_ring_reserve(struct spsc_ring *r, uint32_t len)
{
	uint64_t head = r->committed;
	uint32_t need = record_bytes(len);
	uint32_t to_end = r->size - (uint32_t)(head & r->mask);
	struct ring_hdr *h;

	if (len > spsc_ring_max_record(r))
		return NULL;
	if (need > to_end) {
		/* the record does not fit before the end: pad and wrap */
		if (!ring_has_room(r, head, to_end + need))
			return NULL;
		h = (struct ring_hdr *)(r->buf + (head & r->mask));
		h->len = to_end - (uint32_t)sizeof(*h);
		h->type = RING_TYPE_PAD;
		head += to_end;
		r->committed = head; /* published with the record after it */
	} else if (!ring_has_room(r, head, need)) {
		return NULL;
	}
	h = (struct ring_hdr *)(r->buf + (head & r->mask));
	h->len = len;
	r->reserved = head + need;
	r->reserved_len = len;
	return h + 1;
}

void spsc_ring_commit(struct spsc_ring *r, uint32_t type)
{
	struct ring_hdr *h = (struct ring_hdr *)(r->buf +
						 (r->committed & r->mask));

	h->type = type;
	r->committed = r->reserved;
	if (++r->unpublished >= r->batch)
		spsc_ring_publish(r);
}

void spsc_ring_publish(struct spsc_ring *r)
{
	r->unpublished = 0;
	atomic_store_explicit(&r->head, r->committed, memory_order_release);
}

void spsc_ring_set_batch(struct spsc_ring *r, uint32_t commits)
{
	r->batch = commits ? commits : 1;
}

const void *spsc_ring_peek(struct spsc_ring *r, uint32_t *len, uint32_t *type)
{
	uint64_t tail = atomic_load_explicit(&r->tail, memory_order_relaxed);
	struct ring_hdr *h;

	for (;;) {
		if (tail == r->head_seen) {
			r->head_seen = atomic_load_explicit(
				&r->head, memory_order_acquire);
			if (tail == r->head_seen)
				return NULL;
		}
		h = (struct ring_hdr *)(r->buf + (tail & r->mask));
		if (h->type != RING_TYPE_PAD)
			break;
		tail += record_bytes(h->len);
		atomic_store_explicit(&r->tail, tail, memory_order_release);
	}
	*len = h->len;
	*type = h->type;
	r->peeked = tail + record_bytes(h->len);
	return h + 1;
}

const void *spsc_ring_peek_next(struct spsc_ring *r, uint32_t *len,
				uint32_t *type)
{
	uint64_t pos = r->peeked;
	struct ring_hdr *h;

	for (int step = 0; step < 2 && pos != r->head_seen; step++) {
		h = (struct ring_hdr *)(r->buf + (pos & r->mask));
		if (h->type != RING_TYPE_PAD) {
			*len = h->len;
			*type = h->type;
			return h + 1;
		}
		pos += record_bytes(h->len); /* the wrap: next is at 0 */
	}
	return NULL;
}

void spsc_ring_pop(struct spsc_ring *r)
{
	atomic_store_explicit(&r->tail, r->peeked, memory_order_release);
}

uint64_t spsc_ring_written(const struct spsc_ring *r)
{
	return r->committed;
}

uint64_t spsc_ring_consumed(struct spsc_ring *r)
{
	return atomic_load_explicit(&r->tail, memory_order_acquire);
}
