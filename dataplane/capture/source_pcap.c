/* SPDX-License-Identifier: BSD-3-Clause */
#include "capture/source_pcap.h"

#include "capture/pcap_classic.h"
#include "decode/decode.h"

#include <errno.h>
#include <pcap/pcap.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* libpcap reads through stdio; a large buffer turns one read(2) per few
 * packets into one per megabyte. */
#define SOURCE_PCAP_BUFFER (1u << 20)

struct source_pcap {
	struct pcap_classic *classic; /* classic pcap, read from a map */
	pcap_t *pcap;                 /* everything else */
	char *buffer;        /* stdio buffer of the file pcap reads */
	const char *path;
	uint64_t packets;    /* read so far, for error messages */
	uint16_t linktype;
};

/* The link types decode_link.c understands; anything else is refused at open
 * rather than counted as millions of drops. */
static int linktype_supported(int dlt)
{
	switch (dlt) {
	case DLT_NULL:
	case DLT_EN10MB:
	case DLT_RAW:
	case DLT_LOOP:
	case DLT_LINUX_SLL:
	case DLT_IPV4:
	case DLT_IPV6:
	case DLT_LINUX_SLL2:
		return 1;
	default:
		return 0;
	}
}

struct source_pcap *source_pcap_open(const char *path, char *err,
				     size_t errlen)
{
	char pcap_err[PCAP_ERRBUF_SIZE] = "";
	struct source_pcap *s = calloc(1, sizeof(*s));
	FILE *file;          /* pcap owns and closes it once opened */
	int dlt;

	if (!s) {
		snprintf(err, errlen, "%s: out of memory", path);
		return NULL;
	}
	s->path = path;
	switch (pcap_classic_open(path, &s->classic, err, errlen)) {
	case 1:
		return s;
	case 0:
		break;
	default:
		free(s);
		return NULL;
	}
	file = fopen(path, "rb");
	if (!file) {
		snprintf(err, errlen, "%s: cannot open: %s", path,
			 strerror(errno));
		free(s);
		return NULL;
	}
	s->buffer = malloc(SOURCE_PCAP_BUFFER);
	if (s->buffer)
		setvbuf(file, s->buffer, _IOFBF, SOURCE_PCAP_BUFFER);
	s->pcap = pcap_fopen_offline_with_tstamp_precision(
		file, PCAP_TSTAMP_PRECISION_NANO, pcap_err);
	if (!s->pcap) {
		snprintf(err, errlen, "%s: cannot read trace: %s", path,
			 pcap_err);
		fclose(file);
		free(s->buffer);
		free(s);
		return NULL;
	}
	dlt = pcap_datalink(s->pcap);
	if (!linktype_supported(dlt)) {
		snprintf(err, errlen, "%s: unsupported link type %d (%s)", path,
			 dlt, pcap_datalink_val_to_name(dlt) ?
				      pcap_datalink_val_to_name(dlt) : "?");
		source_pcap_close(s);
		return NULL;
	}
	s->linktype = (uint16_t)dlt;
	return s;
}

int source_pcap_next(struct source_pcap *s, struct pkt *p, char *err,
		     size_t errlen)
{
	struct pcap_pkthdr *hdr;
	const u_char *data;
	int rc;

	if (s->classic)
		return pcap_classic_next(s->classic, p, err, errlen);
	rc = pcap_next_ex(s->pcap, &hdr, &data);
	if (rc == PCAP_ERROR_BREAK)
		return 0;
	if (rc != 1) {
		snprintf(err, errlen, "%s: packet %llu: %s", s->path,
			 (unsigned long long)s->packets + 1,
			 pcap_geterr(s->pcap));
		return -1;
	}
	s->packets++;
	if (hdr->caplen > hdr->len && hdr->len != 0) {
		snprintf(err, errlen,
			 "%s: packet %llu: captured length %u exceeds wire length %u",
			 s->path, (unsigned long long)s->packets, hdr->caplen,
			 hdr->len);
		return -1;
	}
	p->data = data;
	p->caplen = hdr->caplen;
	p->wirelen = hdr->len ? hdr->len : hdr->caplen;
	p->ts_ns = (uint64_t)hdr->ts.tv_sec * 1000000000ull +
		   (uint64_t)hdr->ts.tv_usec; /* nanoseconds: NANO precision */
	p->linktype = s->linktype;
	return 1;
}

size_t source_pcap_offset(const struct source_pcap *s)
{
	return s->classic ? pcap_classic_offset(s->classic) : 0;
}

void source_pcap_release(struct source_pcap *s, size_t upto)
{
	if (s->classic)
		pcap_classic_release(s->classic, upto);
}

bool source_pcap_data_stable(const struct source_pcap *s)
{
	return s->classic != NULL;
}

void source_pcap_close(struct source_pcap *s)
{
	if (!s)
		return;
	pcap_classic_close(s->classic);
	if (s->pcap)
		pcap_close(s->pcap); /* closes the FILE too */
	free(s->buffer);
	free(s);
}
