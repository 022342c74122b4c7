/* SPDX-License-Identifier: BSD-3-Clause */
/* libFuzzer target: the DNS parser (UDP and TCP framing), the first-
 * question reader the analyzers use per packet, and the label classifier
 * on whatever names they return. Sanitizers do the checking:
 * no read past the input, no overflow of a name's text, no loop. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "analyzers/dns_tunnel/dns_label.h"
#include "analyzers/common/dns_parse.h"
#include "analyzers/common/dns_question.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void classify_names(const struct dns_msg *m)
{
	struct dns_name_class nc;

	for (unsigned i = 0; i < m->n_questions; i++) {
		const struct dns_name *n = &m->q[i].name;

		dns_name_classify(n->text, n->len, 12, &nc);
		dns_name_classify(n->text, n->len / 2, 4, &nc);
	}
	for (unsigned i = 0; i < m->n_answers; i++)
		dns_name_classify(m->an[i].target.text, m->an[i].target.len,
				  12, &nc);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct dns_msg m;
	struct dns_first_question q;
	struct dns_name_class nc;
	size_t used = 0;

	if (dns_first_question(data, size, &q)) {
		if (q.name.len != strlen(q.name.text))
			__builtin_trap();
		dns_name_classify(q.name.text, q.name.len, 12, &nc);
	}

	dns_parse(data, size, &m);
	classify_names(&m);
	if (dns_parse_tcp(data, size, &m, &used) != DNS_NEED_MORE)
		classify_names(&m);
	return 0;
}
