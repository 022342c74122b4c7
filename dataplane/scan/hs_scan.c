/* SPDX-License-Identifier: BSD-3-Clause */
/* Per-worker scanning over Hyperscan streams.
 *
 * Hyperscan allocates stream state itself (hs_open_stream), through one
 * process-wide allocator. So that a worker never calls malloc per flow, we
 * install an allocator that hands out blocks from the calling worker's
 * preallocated pool: the worker names its pool in a thread-local pointer
 * just before calling into Hyperscan. Each block starts with a small header
 * naming its pool, so a block can go back wherever it is freed. */
#include "scan/hs_scan.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <hs.h>

#include "scan/hs_db.h"
#include "base/counters.h"

#define BLOCK_ALIGN 64           /* a cache line: no false sharing */
#define BLOCK_HDR_SIZE BLOCK_ALIGN

struct stream_pool {
	uint8_t *base;
	size_t stride;           /* header + state, rounded to BLOCK_ALIGN */
	size_t stream_size;      /* what Hyperscan asks for, exactly */
	uint32_t n_blocks;
	uint32_t free_head;   /* index + 1 of the first free block, 0 = none */
	uint32_t next_unused; /* blocks from here on were never handed out */
	uint32_t in_use;
};

struct block_hdr {
	struct stream_pool *pool;
	uint32_t next_free;      /* index + 1, 0 = end of the free list */
};

struct hs_scanner {
	const hs_database_t *db;
	hs_scratch_t *scratch;
	size_t scratch_size;
	struct stream_pool pool;
	/* The worker's counters, as last given to feed: close reports
	 * end-of-data matches too and has no counters argument. */
	struct tw_counters *ctr;
};

struct match_ctx {
	scan_match_fn fn;
	void *ctx;
	struct tw_counters *ctr;
};

static _Thread_local struct stream_pool *current_pool;
static pthread_once_t allocator_once = PTHREAD_ONCE_INIT;
static hs_error_t allocator_rc = HS_UNKNOWN_ERROR;

static struct block_hdr *block_at(struct stream_pool *p, uint32_t idx)
{
	return (struct block_hdr *)(p->base + (size_t)idx * p->stride);
}

/* NULL (Hyperscan then fails with HS_NOMEM) when no pool is current, the
 * pool is empty, or the size is not the one the pool was cut for. */
static void *pool_alloc(size_t size)
{
	struct stream_pool *p = current_pool;
	struct block_hdr *h;

	if (!p || size != p->stream_size)
		return NULL;
	if (p->free_head) {
		h = block_at(p, p->free_head - 1);
		p->free_head = h->next_free;
	} else if (p->next_unused < p->n_blocks) {
		h = block_at(p, p->next_unused++);
		h->pool = p;
	} else {
		return NULL;
	}
	p->in_use++;
	return (uint8_t *)h + BLOCK_HDR_SIZE;
}

static void pool_free(void *ptr)
{
	struct block_hdr *h;
	struct stream_pool *p;

	if (!ptr)
		return;
	h = (struct block_hdr *)((uint8_t *)ptr - BLOCK_HDR_SIZE);
	p = h->pool;
	h->next_free = p->free_head;
	p->free_head = (uint32_t)(((uint8_t *)h - p->base) / p->stride) + 1;
	p->in_use--;
}

static void install_allocator(void)
{
	allocator_rc = hs_set_stream_allocator(pool_alloc, pool_free);
}

static void count(struct tw_counters *ctr, enum tw_counter id)
{
	if (ctr)
		counter_inc(ctr, id);
}

static int on_hs_match(unsigned id, unsigned long long from,
		       unsigned long long to, unsigned flags, void *arg)
{
	struct match_ctx *m = arg;

	(void)from;
	(void)flags;
	count(m->ctr, TW_CTR_SCAN_MATCHES);
	/* non-zero stops Hyperscan: the rest of the stream needs no patterns */
	return m->fn ? m->fn(m->ctx, id, to) : 0;
}

static int pool_init(struct stream_pool *p, size_t stream_size,
		     uint32_t n_blocks)
{
	size_t mask = BLOCK_ALIGN - 1;

	p->stride = BLOCK_HDR_SIZE + ((stream_size + mask) & ~mask);
	p->stream_size = stream_size;
	p->n_blocks = n_blocks;
	if ((size_t)n_blocks > SIZE_MAX / p->stride)
		return -1;
	p->base = aligned_alloc(BLOCK_ALIGN, p->stride * n_blocks);
	if (!p->base)
		return -1;
	/* Blocks are cut from the top as first needed: a start-up that
	 * touched every page would cost more than the first flows' faults. */
	p->free_head = 0;
	p->next_unused = 0;
	p->in_use = 0;
	return 0;
}

struct hs_scanner *hs_scanner_create(const struct hs_db *db,
				     uint32_t max_streams, char *err,
				     size_t errlen)
{
	struct hs_scanner *s;
	hs_error_t rc;

	pthread_once(&allocator_once, install_allocator);
	if (allocator_rc != HS_SUCCESS) {
		snprintf(err, errlen, "hs_set_stream_allocator failed (%d)",
			 allocator_rc);
		return NULL;
	}
	if (!db || max_streams == 0) {
		snprintf(err, errlen, "scanner needs a database and "
			 "max_streams > 0");
		return NULL;
	}
	s = calloc(1, sizeof(*s));
	if (!s) {
		snprintf(err, errlen, "out of memory for the scanner");
		return NULL;
	}
	s->db = hs_db_handle(db);
	rc = hs_alloc_scratch(s->db, &s->scratch);
	if (rc != HS_SUCCESS) {
		snprintf(err, errlen, "hs_alloc_scratch failed (%d)", rc);
		goto fail;
	}
	rc = hs_scratch_size(s->scratch, &s->scratch_size);
	if (rc != HS_SUCCESS) {
		snprintf(err, errlen, "hs_scratch_size failed (%d)", rc);
		goto fail;
	}
	if (pool_init(&s->pool, hs_db_stream_size(db), max_streams)) {
		snprintf(err, errlen, "out of memory for %u scan streams of "
			 "%zu bytes", max_streams, hs_db_stream_size(db));
		goto fail;
	}
	return s;
fail:
	hs_scanner_destroy(s);
	return NULL;
}

/* Every stream must have been closed before: their state lives here. */
void hs_scanner_destroy(struct hs_scanner *s)
{
	if (!s)
		return;
	free(s->pool.base);
	if (s->scratch)
		hs_free_scratch(s->scratch);
	free(s);
}

size_t hs_scanner_memory(const struct hs_scanner *s)
{
	return sizeof(*s) + s->scratch_size +
	       s->pool.stride * s->pool.n_blocks;
}

static int open_stream(struct hs_scanner *s, struct flow_stream *st,
		       struct tw_counters *ctr)
{
	hs_stream_t *hs = NULL;
	hs_error_t rc;

	if (!s->pool.free_head && s->pool.next_unused == s->pool.n_blocks) {
		count(ctr, TW_CTR_SCAN_STREAMS_EXHAUSTED);
		st->scan_failed = 1;
		return -1;
	}
	current_pool = &s->pool;
	rc = hs_open_stream(s->db, 0, &hs);
	current_pool = NULL;
	if (rc != HS_SUCCESS) {
		count(ctr, TW_CTR_SCAN_ERRORS);
		st->scan_failed = 1;
		return -1;
	}
	count(ctr, TW_CTR_SCAN_STREAMS_OPENED);
	st->hs_stream = hs;
	return 0;
}

/* Frees the state without reporting: the stream is broken or unwanted.
 * hs_close_stream without a callback cannot fail on a valid stream. */
static void drop_stream(struct hs_scanner *s, struct flow_stream *st)
{
	current_pool = &s->pool;
	hs_close_stream(st->hs_stream, NULL, NULL, NULL);
	current_pool = NULL;
	st->hs_stream = NULL;
}

int hs_scanner_feed(struct hs_scanner *s, struct flow_stream *st,
		    const uint8_t *data, uint32_t len, scan_match_fn fn,
		    void *ctx, struct tw_counters *ctr)
{
	struct match_ctx m = { .fn = fn, .ctx = ctx, .ctr = ctr };
	hs_error_t rc;

	if (st->scan_failed)
		return -1;
	if (st->scan_stopped || !len)
		return 0;    /* (Hyperscan rejects a NULL buffer, even empty) */
	s->ctr = ctr;
	if (!st->hs_stream && open_stream(s, st, ctr))
		return -1;
	current_pool = &s->pool;
	rc = hs_scan_stream(st->hs_stream, (const char *)data, len, 0,
			    s->scratch, on_hs_match, &m);
	current_pool = NULL;
	if (rc == HS_SCAN_TERMINATED) {
		count(ctr, TW_CTR_SCAN_STREAMS_STOPPED);
		drop_stream(s, st);
		st->scan_stopped = 1;
		return 0;
	}
	if (rc != HS_SUCCESS) {
		count(ctr, TW_CTR_SCAN_ERRORS);
		drop_stream(s, st);
		st->scan_failed = 1;
		return -1;
	}
	return 0;
}

void hs_scanner_close(struct hs_scanner *s, struct flow_stream *st,
		      scan_match_fn fn, void *ctx)
{
	struct match_ctx m = { .fn = fn, .ctx = ctx, .ctr = s->ctr };
	hs_error_t rc;

	if (!st->hs_stream)
		return;
	current_pool = &s->pool;
	rc = hs_close_stream(st->hs_stream, s->scratch, on_hs_match, &m);
	current_pool = NULL;
	if (rc == HS_SUCCESS) {
		st->hs_stream = NULL;
		return;
	}
	count(s->ctr, TW_CTR_SCAN_ERRORS);
	/* HS_UNKNOWN_ERROR has freed the state; the argument errors have
	 * not, and the block must go back to the pool all the same. */
	if (rc == HS_UNKNOWN_ERROR)
		st->hs_stream = NULL;
	else
		drop_stream(s, st);
}
