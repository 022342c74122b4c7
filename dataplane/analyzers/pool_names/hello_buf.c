/* SPDX-License-Identifier: BSD-3-Clause */
/* ClientHello buffers: see hello_buf.h. */
#include "analyzers/pool_names/hello_buf.h"

#include <string.h>

struct hello_slot {
	uint32_t len;
	uint8_t data[HELLO_BUF_BYTES];
};

int hello_bufs_init(struct hello_bufs *b, uint32_t n)
{
	return slot_pool_init(&b->pool, n, sizeof(struct hello_slot));
}

void hello_bufs_fini(struct hello_bufs *b)
{
	slot_pool_fini(&b->pool);
}

void hello_collect(struct hello_bufs *b, uint32_t *handle,
		   const uint8_t *data, uint32_t len, const uint8_t **out,
		   uint32_t *out_len)
{
	struct hello_slot *s;
	uint32_t room;

	if (!*handle && !(*handle = slot_pool_get(&b->pool))) {
		*out = data;
		*out_len = len;
		return;
	}
	s = slot_pool_at(&b->pool, *handle);
	room = HELLO_BUF_BYTES - s->len;
	if (len > room)
		len = room;
	memcpy(s->data + s->len, data, len);
	s->len += len;
	*out = s->data;
	*out_len = s->len;
}

void hello_release(struct hello_bufs *b, uint32_t *handle)
{
	slot_pool_put(&b->pool, *handle);
	*handle = 0;
}
