/* SPDX-License-Identifier: BSD-3-Clause */
/* Classic pcap files (not pcapng) read straight from a memory map: the
 * records are parsed in place, so a packet costs neither a read(2) copy
 * nor a stdio copy, and its bytes stay valid until the file is closed.
 * Everything else (pcapng, odd link types, compressed input) goes through
 * libpcap in source_pcap.c. */
#ifndef TW_PCAP_CLASSIC_H
#define TW_PCAP_CLASSIC_H

#include <stddef.h>
#include <stdint.h>

#include "decode/decode.h"

struct pcap_classic;

/* 1 and *out set when path is a classic pcap this reader takes; 0 when it
 * is not (the caller falls back to libpcap); -1 on an error with
 * "FILE: why" in err. */
int pcap_classic_open(const char *path, struct pcap_classic **out, char *err,
		      size_t errlen);
/* 1 with a packet (valid until pcap_classic_close), 0 at the end, -1 on a
 * truncated or malformed record with "FILE: packet N: why" in err. */
int pcap_classic_next(struct pcap_classic *pc, struct pkt *p, char *err,
		      size_t errlen);
/* Byte offset of the next record. */
size_t pcap_classic_offset(const struct pcap_classic *pc);
/* Nobody reads packets before byte upto any more: drop them from this
 * process's memory (they stay in the page cache), so a run's resident
 * memory does not grow with the trace. */
void pcap_classic_release(struct pcap_classic *pc, size_t upto);
void pcap_classic_close(struct pcap_classic *pc);

#endif
