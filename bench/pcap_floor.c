/* SPDX-License-Identifier: BSD-3-Clause */
/* pcap_floor: the cheapest possible pass over a trace with libpcap, so that
 * scripts/bench.sh can say how much of tunnelwatch's time is just reading.
 * It does nothing per packet but pcap_next_ex() and two additions.
 *
 * Usage: pcap_floor FILE
 * Prints one line: packets=N bytes=N caplen_bytes=N
 *   bytes        sum of the original (wire) frame lengths, the figure the
 *                bench turns into Gbit/s
 *   caplen_bytes sum of the captured lengths (smaller if the trace was cut)
 * Exits 0 on success, 1 on a bad argument or a read error (with a message).
 */
#include <inttypes.h>
#include <pcap/pcap.h>
#include <stdint.h>
#include <stdio.h>

struct totals {
	uint64_t packets;
	uint64_t bytes;
	uint64_t caplen_bytes;
};

/* Returns 0 at the end of the file, -1 on a read error (reported). */
static int sum_packets(pcap_t *p, const char *path, struct totals *t)
{
	struct pcap_pkthdr *hdr;
	const u_char *data;
	int rc;

	while ((rc = pcap_next_ex(p, &hdr, &data)) == 1) {
		t->packets++;
		t->bytes += hdr->len;
		t->caplen_bytes += hdr->caplen;
	}
	if (rc == PCAP_ERROR_BREAK)
		return 0;
	fprintf(stderr, "pcap_floor: %s: read error after %" PRIu64
		" packets: %s\n", path, t->packets, pcap_geterr(p));
	return -1;
}

int main(int argc, char **argv)
{
	char errbuf[PCAP_ERRBUF_SIZE];
	struct totals t = { 0, 0, 0 };
	pcap_t *p;
	int rc;

	if (argc != 2) {
		fprintf(stderr, "usage: pcap_floor FILE\n");
		return 1;
	}
	errbuf[0] = '\0';
	p = pcap_open_offline(argv[1], errbuf);
	if (!p) {
		fprintf(stderr, "pcap_floor: %s: %s\n", argv[1], errbuf);
		return 1;
	}
	rc = sum_packets(p, argv[1], &t);
	pcap_close(p);
	if (rc < 0)
		return 1;
	printf("packets=%" PRIu64 " bytes=%" PRIu64 " caplen_bytes=%" PRIu64
	       "\n", t.packets, t.bytes, t.caplen_bytes);
	return 0;
}
