/* SPDX-License-Identifier: BSD-3-Clause */
/* Does a DNS name carry data? Tunnels and exfiltration write their bytes
 * into labels as hex (dnscat2), base32 (iodine), base64 (dns2tcp) or raw
 * bytes (iodine's base128 / raw modes); names people and CDNs choose are
 * words, numbers and short tokens. Pure functions of the text: the DNS
 * tunnel analyzer, its unit test and the fuzz target call them. */
#ifndef TW_DNS_LABEL_H
#define TW_DNS_LABEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum dns_label_kind {
	DNS_LABEL_PLAIN = 0,   /* word-like, short, or not judged */
	DNS_LABEL_HEX,
	DNS_LABEL_BASE32,      /* one-case letters and digits, random */
	DNS_LABEL_BASE64,      /* mixed case and digits, or + / = */
	DNS_LABEL_BINARY,      /* bytes no hostname has (shown as '?') */
	DNS_LABEL_KIND_COUNT
};

struct dns_label_class {
	enum dns_label_kind kind;
	uint16_t len;
	double entropy;        /* bits per character */
};

/* Classifies one label of len bytes; labels shorter than min_len are
 * plain whatever they hold. */
void dns_label_classify(const char *label, size_t len, size_t min_len,
			struct dns_label_class *out);
const char *dns_label_kind_name(enum dns_label_kind k);

/* The part of a name left of its registered domain, judged label by
 * label: the most data-like label wins (binary > base64 > base32 > hex
 * > plain, then the longest). */
struct dns_name_class {
	enum dns_label_kind kind;     /* of the chosen label */
	uint16_t label_len;           /* of the chosen label */
	uint16_t longest_label;       /* any label of the subdomain part */
	uint16_t sub_len;             /* bytes left of the registered domain */
	uint8_t sub_labels;
};

/* name: dotted text without the trailing dot; sub_len: how many of its
 * first bytes are the subdomain part (0: none; the '.' before the
 * registered domain not included). */
void dns_name_classify(const char *name, size_t sub_len, size_t min_len,
		       struct dns_name_class *out);

#endif
