/* SPDX-License-Identifier: BSD-3-Clause */
/* A fixed pool of equal-sized slots with a free stack: state that only a
 * few flows need (a mining session being parsed) lives here instead of in
 * every flow's state. Sized once from config; get and put are O(1) and
 * allocate nothing. Slot handles are index + 1, so 0 means "none". */
#ifndef TW_SLOT_POOL_H
#define TW_SLOT_POOL_H

#include <stddef.h>
#include <stdint.h>

struct slot_pool {
	uint8_t *mem;
	uint32_t *free_stack;
	uint32_t n, n_free;
	size_t size;
	uint64_t exhausted;          /* gets that found no free slot */
};

/* 0, or -ENOMEM. n may be 0 (every get fails). */
int slot_pool_init(struct slot_pool *p, uint32_t n, size_t size);
void slot_pool_fini(struct slot_pool *p);
/* A zeroed slot's handle, or 0 when all are taken. */
uint32_t slot_pool_get(struct slot_pool *p);
void slot_pool_put(struct slot_pool *p, uint32_t handle);

static inline void *slot_pool_at(const struct slot_pool *p, uint32_t handle)
{
	return p->mem + (size_t)(handle - 1) * p->size;
}

#endif
