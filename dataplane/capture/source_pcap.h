/* SPDX-License-Identifier: BSD-3-Clause */
/* Recorded traces through libpcap: pcap and pcapng, nanosecond time. */
#ifndef TW_SOURCE_PCAP_H
#define TW_SOURCE_PCAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "decode/decode.h"

struct source_pcap;

/* NULL on error with "FILE: why" in err. */
struct source_pcap *source_pcap_open(const char *path, char *err,
				     size_t errlen);
/* 1 with a packet (valid until the next call), 0 at the end of the file,
 * -1 on a malformed or truncated file with "FILE: packet N: why" in err. */
int source_pcap_next(struct source_pcap *s, struct pkt *p, char *err,
		     size_t errlen);
/* True when packet data stays valid until source_pcap_close, not only
 * until the next call: the reader may then hand workers references. */
bool source_pcap_data_stable(const struct source_pcap *s);
/* For stable sources: the offset of the next packet, and the promise that
 * no packet before upto will be read again (its memory can go). */
size_t source_pcap_offset(const struct source_pcap *s);
void source_pcap_release(struct source_pcap *s, size_t upto);
void source_pcap_close(struct source_pcap *s);

#endif
