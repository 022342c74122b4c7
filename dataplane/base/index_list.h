/* SPDX-License-Identifier: BSD-3-Clause */
/* Lists threaded through a preallocated array by index + 1 (0: none): the
 * eviction order and the free chain of every fixed-size table (flows,
 * hosts, beacon pairs, DNS domains, SSH sessions). The links live in the
 * entries; ILIST_ARRAY names the array and the member that holds them.
 * Inline: moving a flow to its list's tail on each packet costs a few
 * stores, no call. */
#ifndef TW_INDEX_LIST_H
#define TW_INDEX_LIST_H

#include <stddef.h>
#include <stdint.h>

struct ilist {
	uint32_t head, tail;    /* first and last entry, index + 1 */
};

struct ilink {
	uint32_t prev, next;    /* neighbours, index + 1 */
};

/* Where the links are: entry i + 1 is at base + i * stride, its struct
 * ilink at offset off in it. */
struct ilist_array {
	char *base;
	size_t stride, off;
};

#define ILIST_ARRAY(array, member)                                        \
	((struct ilist_array){ (char *)(array), sizeof(*(array)),        \
			       offsetof(__typeof__(*(array)), member) })

static inline struct ilink *ilist_link(struct ilist_array a, uint32_t i1)
{
	return (struct ilink *)(a.base + (size_t)(i1 - 1) * a.stride + a.off);
}

static inline void ilist_unlink(struct ilist *l, struct ilist_array a,
				uint32_t i1)
{
	struct ilink *e = ilist_link(a, i1);

	if (e->prev)
		ilist_link(a, e->prev)->next = e->next;
	else
		l->head = e->next;
	if (e->next)
		ilist_link(a, e->next)->prev = e->prev;
	else
		l->tail = e->prev;
	e->prev = e->next = 0;
}

static inline void ilist_push_tail(struct ilist *l, struct ilist_array a,
				   uint32_t i1)
{
	struct ilink *e = ilist_link(a, i1);

	e->prev = l->tail;
	e->next = 0;
	if (l->tail)
		ilist_link(a, l->tail)->next = i1;
	else
		l->head = i1;
	l->tail = i1;
}

static inline void ilist_push_head(struct ilist *l, struct ilist_array a,
				   uint32_t i1)
{
	struct ilink *e = ilist_link(a, i1);

	e->prev = 0;
	e->next = l->head;
	if (l->head)
		ilist_link(a, l->head)->prev = i1;
	else
		l->tail = i1;
	l->head = i1;
}

/* A free chain: a stack of unused entries, each pointing (index + 1) at
 * the next through one uint32_t of its own (*next). */
static inline void ifree_push(uint32_t *head, uint32_t *next, uint32_t i1)
{
	*next = *head;
	*head = i1;
}

/* Takes the top entry i1 (= *head, not 0) off the chain; next is its
 * link. */
static inline uint32_t ifree_pop(uint32_t *head, const uint32_t *next)
{
	uint32_t i1 = *head;

	*head = *next;
	return i1;
}

#endif
