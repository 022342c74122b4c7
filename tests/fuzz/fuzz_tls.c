/* SPDX-License-Identifier: BSD-3-Clause */
/* libFuzzer target: the TLS ClientHello parser (tls_parse.c), on the
 * whole input and on every prefix the analyzers would see while the
 * hello arrives in pieces (TLS_NEED_MORE). */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "analyzers/common/tls_parse.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct tls_client_hello ch;
	size_t need = 0, cut;
	uint8_t *copy = malloc(size ? size : 1);

	if (!copy)
		abort();
	memcpy(copy, data, size); /* exactly size bytes: overreads caught */
	tls_parse_client_hello(copy, size, &ch, &need);
	/* a prefix, as a hello split over segments arrives */
	cut = size ? data[0] % (size + 1) : 0;
	tls_parse_client_hello(copy, cut, &ch, NULL);
	free(copy);
	return 0;
}
