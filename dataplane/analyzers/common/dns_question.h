/* SPDX-License-Identifier: BSD-3-Clause */
/* The first question of a DNS message and its header bits, without
 * walking the records: what the DNS tunnel and tunnel service analyzers
 * need per packet (a full dns_parse of every answer costs several times
 * more). Bounded by dns_read_name's checks. */
#ifndef TW_DNS_QUESTION_H
#define TW_DNS_QUESTION_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "analyzers/common/dns_parse.h"

struct dns_first_question {
	bool qr;                  /* a response */
	uint8_t opcode;
	uint16_t qtype;           /* 0 when cut off by the snaplen */
	struct dns_name name;
};

/* false when msg holds no readable question. */
static inline bool dns_first_question(const uint8_t *msg, size_t len,
				      struct dns_first_question *q)
{
	size_t next = 0;

	if (len < DNS_HEADER_LEN || ((msg[4] << 8) | msg[5]) == 0)
		return false;
	q->qr = (msg[2] & 0x80) != 0;
	q->opcode = (uint8_t)((msg[2] >> 3) & 0x0f);
	if (dns_read_name(msg, len, DNS_HEADER_LEN, &q->name, &next) != DNS_OK)
		return false;
	q->qtype = next + 2 <= len ?
			   (uint16_t)((msg[next] << 8) | msg[next + 1]) : 0;
	return true;
}

#endif
