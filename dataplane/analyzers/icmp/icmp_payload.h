/* SPDX-License-Identifier: BSD-3-Clause */
/* What an ICMP echo payload is: one of the patterns ordinary ping tools
 * send, a known tunnel's header, or data (text or binary). Pure function
 * of the bytes, no state: the icmp analyzer and the fuzz target call it. */
#ifndef TW_ICMP_PAYLOAD_H
#define TW_ICMP_PAYLOAD_H

#include <stdbool.h>
#include <stdint.h>

/* Bytes looked at; longer payloads are judged by their start. */
#define ICMP_PL_CLASSIFY_MAX 256

enum icmp_pl_kind {
	ICMP_PL_EMPTY = 0,     /* no payload (nmap, hping3 default) */
	ICMP_PL_SHORT,         /* at most a timestamp: nothing to judge */
	ICMP_PL_UNIX_PING,     /* incrementing bytes after a timestamp
				* (iputils, BSD, macOS, busybox) */
	ICMP_PL_WINDOWS_PING,  /* "abcdefghijklmnopqrstuvw" repeated */
	ICMP_PL_FILL,          /* a short pattern repeated (zeros, ping -p,
				* traceroute -I, fping) */
	ICMP_PL_PTUNNEL,       /* ptunnel / ptunnel-ng header */
	ICMP_PL_TEXT,          /* printable text: a file sent by ping */
	ICMP_PL_BINARY,        /* anything else: encrypted, packets, files */
	ICMP_PL_KIND_COUNT
};

struct icmp_pl_class {
	enum icmp_pl_kind kind;
	double entropy;        /* bits per byte of the judged bytes */
	double entropy_ratio;  /* entropy / the most those bytes can have */
	uint32_t content_hash; /* of the bytes past a possible timestamp */
	uint32_t full_hash;    /* of all judged bytes: request vs reply */
	uint32_t judged;       /* bytes judged (captured, capped) */
};

/* ptunnel's magic number, first 4 bytes of its header (network order). */
#define PTUNNEL_MAGIC 0xD5200880u

void icmp_payload_classify(const uint8_t *p, uint32_t len,
			   struct icmp_pl_class *out);
/* The kinds ordinary ping, traceroute and monitoring tools send. */
bool icmp_pl_is_standard(enum icmp_pl_kind k);
const char *icmp_pl_kind_name(enum icmp_pl_kind k);

#endif
