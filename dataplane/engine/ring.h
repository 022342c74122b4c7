/* SPDX-License-Identifier: BSD-3-Clause */
/* Single-producer single-consumer byte ring of variable-size records.
 * One ring per (producer, consumer) pair: the reader hands packets to each
 * worker over one, each worker hands findings to the manager over another.
 * No lock: the producer owns head, the consumer owns tail, each on its own
 * cache line, published with release stores and read with acquire loads. */
#ifndef TW_RING_H
#define TW_RING_H

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

struct spsc_ring;

/* size is rounded up to a power of two (at least 4 KiB). NULL on ENOMEM. */
struct spsc_ring *spsc_ring_create(uint32_t size);
void spsc_ring_destroy(struct spsc_ring *r);
size_t spsc_ring_memory(const struct spsc_ring *r);
/* Largest record payload the ring accepts. */
uint32_t spsc_ring_max_record(const struct spsc_ring *r);

/* Producer: room for len bytes, or NULL when the ring is full now. The
 * record becomes visible to the consumer at spsc_ring_commit(), or with a
 * batch above 1 at the commit that completes the batch or at
 * spsc_ring_publish(). */
void *spsc_ring_reserve(struct spsc_ring *r, uint32_t len);
void spsc_ring_commit(struct spsc_ring *r, uint32_t type);
/* Producer: makes every committed record visible now. A producer with a
 * batch publishes before it waits for room or for the consumer, and at
 * the end of its input. */
void spsc_ring_publish(struct spsc_ring *r);
/* Producer: head is stored once per commits commits (default 1). A
 * consumer that has caught up polls head's cache line; a store per record
 * would pull that line back to the producer for every record. */
void spsc_ring_set_batch(struct spsc_ring *r, uint32_t commits);

/* Consumer: the oldest record, or NULL when empty; then spsc_ring_pop()
 * gives its room back to the producer. */
const void *spsc_ring_peek(struct spsc_ring *r, uint32_t *len,
			   uint32_t *type);
void spsc_ring_pop(struct spsc_ring *r);
/* The record after the one spsc_ring_peek() returned, if already known to
 * be committed, without consuming anything: lets a consumer prefetch what
 * the next record will touch. NULL when there is none (yet). */
const void *spsc_ring_peek_next(struct spsc_ring *r, uint32_t *len,
				uint32_t *type);

/* Positions in bytes since create, for a producer that must know when the
 * consumer is done with what it sent: once consumed() has reached a value
 * written() returned, every record committed before it was popped. */
uint64_t spsc_ring_written(const struct spsc_ring *r);   /* producer: committed */
uint64_t spsc_ring_consumed(struct spsc_ring *r);        /* any thread */

#endif
