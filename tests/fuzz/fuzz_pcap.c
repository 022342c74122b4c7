/* SPDX-License-Identifier: BSD-3-Clause */
/* libFuzzer target: the trace readers. The input is written to a memory
 * file and opened by path as tunnelwatch opens a --read file: classic
 * pcap through the mapped reader (pcap_classic.c), pcapng and the rest
 * through libpcap (source_pcap.c). Every packet it returns is decoded;
 * every record is bounds-checked by the sanitizers. */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

#include "capture/source_pcap.h"
#include "decode/decode.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char path[64], err[512];
	struct source_pcap *s;
	struct pkt p;
	int fd = memfd_create("fuzz_pcap", MFD_CLOEXEC);
	unsigned n = 0;

	if (fd < 0)
		abort();
	if (size && write(fd, data, size) != (ssize_t)size)
		abort();
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	s = source_pcap_open(path, err, sizeof(err));
	if (s) {
		while (n++ < 4096 && source_pcap_next(s, &p, err, sizeof(err)) == 1) {
			struct pkt_view pv;

			decode_packet(&p, &pv);
		}
		source_pcap_close(s);
	}
	close(fd);
	return 0;
}
