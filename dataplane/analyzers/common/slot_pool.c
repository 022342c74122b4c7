/* SPDX-License-Identifier: BSD-3-Clause */
/* Fixed slot pool: see slot_pool.h. */
#include "analyzers/common/slot_pool.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

int slot_pool_init(struct slot_pool *p, uint32_t n, size_t size)
{
	memset(p, 0, sizeof(*p));
	if (n == 0)
		return 0;
	p->mem = calloc(n, size);
	p->free_stack = calloc(n, sizeof(*p->free_stack));
	if (!p->mem || !p->free_stack) {
		slot_pool_fini(p);
		return -ENOMEM;
	}
	p->n = p->n_free = n;
	p->size = size;
	/* handle 1 on top, so slots are used from the start of the memory */
	for (uint32_t i = 0; i < n; i++)
		p->free_stack[i] = n - i;
	return 0;
}

void slot_pool_fini(struct slot_pool *p)
{
	free(p->mem);
	free(p->free_stack);
	memset(p, 0, sizeof(*p));
}

uint32_t slot_pool_get(struct slot_pool *p)
{
	uint32_t h;

	if (p->n_free == 0) {
		p->exhausted++;
		return 0;
	}
	h = p->free_stack[--p->n_free];
	memset(slot_pool_at(p, h), 0, p->size);
	return h;
}

void slot_pool_put(struct slot_pool *p, uint32_t handle)
{
	if (handle == 0 || handle > p->n || p->n_free >= p->n)
		return;
	p->free_stack[p->n_free++] = handle;
}
