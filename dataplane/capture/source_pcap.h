/* Recorded traces through libpcap: pcap and pcapng, nanosecond time. */
#ifndef TW_SOURCE_PCAP_H
#define TW_SOURCE_PCAP_H

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
void source_pcap_close(struct source_pcap *s);

#endif
