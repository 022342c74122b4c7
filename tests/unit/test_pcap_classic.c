/* SPDX-License-Identifier: BSD-3-Clause */
/* The memory-mapped classic pcap reader: the record walk, byte order,
 * time units, and every way a file can end badly. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "capture/pcap_classic.h"
#include "decode/decode.h"

static char path[64];

static uint32_t maybe_swap(uint32_t v, int swap)
{
	return swap ? __builtin_bswap32(v) : v;
}

/* A file with n records of len bytes each (byte i of record k = k + i). */
static size_t build(uint8_t *buf, uint32_t magic, uint32_t linktype, int swap,
		    unsigned n, uint32_t len)
{
	uint32_t hdr[6] = { magic, 2 | (4u << 16), 0, 0, 65535, linktype };
	size_t off = sizeof(hdr);

	if (swap) {
		hdr[1] = (4u << 24) | (2u << 8); /* the two 16-bit fields */
		for (int i = 0; i < 6; i++)
			if (i != 1)
				hdr[i] = maybe_swap(hdr[i], 1);
	}
	memcpy(buf, hdr, sizeof(hdr));
	for (unsigned k = 0; k < n; k++) {
		uint32_t rec[4] = { maybe_swap(1000 + k, swap),
				    maybe_swap(7, swap), maybe_swap(len, swap),
				    maybe_swap(len + 4, swap) };

		memcpy(buf + off, rec, sizeof(rec));
		off += sizeof(rec);
		for (uint32_t i = 0; i < len; i++)
			buf[off++] = (uint8_t)(k + i);
	}
	return off;
}

static void write_file(const uint8_t *buf, size_t len)
{
	FILE *f;

	snprintf(path, sizeof(path), "/tmp/tw-pcap-classic-%d.pcap",
		 (int)getpid());
	f = fopen(path, "wb");
	assert_non_null(f);
	assert_int_equal(fwrite(buf, 1, len, f), len);
	assert_int_equal(fclose(f), 0);
}

static int read_all(unsigned *count, char *err, size_t errlen,
		    struct pkt *last)
{
	struct pcap_classic *pc = NULL;
	int rc = pcap_classic_open(path, &pc, err, errlen);

	*count = 0;
	if (rc != 1)
		return rc == 0 ? 100 : rc;
	while ((rc = pcap_classic_next(pc, last, err, errlen)) == 1)
		(*count)++;
	pcap_classic_close(pc);
	return rc;
}

static void test_reads_every_record_in_place(void **state)
{
	uint8_t buf[4096];
	char err[256];
	unsigned n;
	struct pkt p;

	(void)state;
	write_file(buf, build(buf, 0xa1b2c3d4u, 1, 0, 5, 60));
	assert_int_equal(read_all(&n, err, sizeof(err), &p), 0);
	assert_int_equal(n, 5);
	assert_int_equal(p.caplen, 60);
	assert_int_equal(p.wirelen, 64);
	assert_int_equal(p.linktype, 1);
	assert_true(p.ts_ns == 1004 * 1000000000ull + 7000); /* microseconds */
	unlink(path);
}

static void test_swapped_nanosecond_file(void **state)
{
	uint8_t buf[4096];
	char err[256];
	unsigned n;
	struct pkt p;

	(void)state;
	write_file(buf, build(buf, 0xa1b23c4du, 1, 1, 3, 20));
	assert_int_equal(read_all(&n, err, sizeof(err), &p), 0);
	assert_int_equal(n, 3);
	assert_int_equal(p.caplen, 20);
	assert_true(p.ts_ns == 1002 * 1000000000ull + 7); /* nanoseconds */
	unlink(path);
}

static void test_raw_linktype_maps_to_dlt_raw(void **state)
{
	uint8_t buf[512];
	char err[256];
	unsigned n;
	struct pkt p;

	(void)state;
	write_file(buf, build(buf, 0xa1b2c3d4u, 101, 0, 1, 20));
	assert_int_equal(read_all(&n, err, sizeof(err), &p), 0);
	assert_int_equal(p.linktype, 12); /* DLT_RAW on Linux */
	unlink(path);
}

static void test_truncated_data_names_the_packet(void **state)
{
	uint8_t buf[4096];
	char err[256] = "";
	unsigned n;
	struct pkt p;

	(void)state;
	write_file(buf, build(buf, 0xa1b2c3d4u, 1, 0, 3, 60) - 10);
	assert_int_equal(read_all(&n, err, sizeof(err), &p), -1);
	assert_int_equal(n, 2);
	assert_non_null(strstr(err, path));
	assert_non_null(strstr(err, "packet 3: truncated packet data"));
	unlink(path);
}

static void test_truncated_header_and_huge_caplen(void **state)
{
	uint8_t buf[4096];
	char err[256] = "";
	size_t len = build(buf, 0xa1b2c3d4u, 1, 0, 2, 30);
	unsigned n;
	struct pkt p;
	uint32_t huge = 1u << 30;

	(void)state;
	write_file(buf, len + 7); /* 7 bytes of a third record header */
	assert_int_equal(read_all(&n, err, sizeof(err), &p), -1);
	assert_non_null(strstr(err, "packet 3: truncated record header"));
	memcpy(buf + 24 + 8, &huge, sizeof(huge));
	write_file(buf, len);
	assert_int_equal(read_all(&n, err, sizeof(err), &p), -1);
	assert_non_null(strstr(err, "packet 1: captured length exceeds"));
	unlink(path);
}

static void test_caplen_over_wirelen_is_an_error(void **state)
{
	uint8_t buf[512];
	char err[256] = "";
	size_t len = build(buf, 0xa1b2c3d4u, 1, 0, 1, 30);
	uint32_t wire = 10;
	unsigned n;
	struct pkt p;

	(void)state;
	memcpy(buf + 24 + 12, &wire, sizeof(wire));
	write_file(buf, len);
	assert_int_equal(read_all(&n, err, sizeof(err), &p), -1);
	assert_non_null(strstr(err, "exceeds wire length"));
	unlink(path);
}

static void test_caplen_over_snaplen_is_an_error(void **state)
{
	uint8_t buf[512];
	char err[256] = "";
	size_t len = build(buf, 0xa1b2c3d4u, 1, 0, 2, 30);
	uint32_t snaplen = 20, none = 0;
	unsigned n;
	struct pkt p;

	(void)state;
	memcpy(buf + 16, &snaplen, sizeof(snaplen));
	write_file(buf, len);
	assert_int_equal(read_all(&n, err, sizeof(err), &p), -1);
	assert_int_equal(n, 0);
	assert_non_null(strstr(err, "packet 1: captured length 30 exceeds the snapshot length 20"));
	memcpy(buf + 16, &none, sizeof(none)); /* 0: no limit stated */
	write_file(buf, len);
	assert_int_equal(read_all(&n, err, sizeof(err), &p), 0);
	assert_int_equal(n, 2);
	unlink(path);
}

/* A file cut while it is read (tcpdump -C/-W reusing a ring file): the
 * lost pages fault, in the reader and in whoever still holds a packet's
 * bytes; the guard turns that into zeros and an error naming the packet,
 * not SIGBUS. */
static void test_file_shrinking_while_read_ends_with_a_message(void **state)
{
	enum { RECORDS = 2000, LEN = 100, KEEP = 50000 };
	size_t cap = 24 + RECORDS * (16 + LEN);
	uint8_t *buf = malloc(cap);
	struct pcap_classic *pc = NULL;
	const uint8_t *held;
	char err[256] = "";
	unsigned n = 0, sum = 0;
	struct pkt p;
	int rc;

	(void)state;
	assert_non_null(buf);
	write_file(buf, build(buf, 0xa1b2c3d4u, 1, 0, RECORDS, LEN));
	free(buf);
	assert_int_equal(pcap_classic_open(path, &pc, err, sizeof(err)), 1);
	while (n < 1500 && pcap_classic_next(pc, &p, err, sizeof(err)) == 1)
		n++;
	held = p.data; /* a worker's packet, far past the cut */
	assert_int_equal(truncate(path, KEEP), 0);
	for (unsigned i = 0; i < LEN; i++)
		sum += held[i];  /* faults; the guard gives zeros */
	assert_int_equal(sum, 0);
	rc = pcap_classic_next(pc, &p, err, sizeof(err));
	assert_int_equal(rc, -1);
	assert_non_null(strstr(err, "packet 1501: file shrank to 50000 bytes"));
	pcap_classic_close(pc);

	/* cut before the reader gets there: it stops at the cut */
	buf = malloc(cap);
	assert_non_null(buf);
	write_file(buf, build(buf, 0xa1b2c3d4u, 1, 0, RECORDS, LEN));
	free(buf);
	assert_int_equal(pcap_classic_open(path, &pc, err, sizeof(err)), 1);
	assert_int_equal(truncate(path, KEEP), 0);
	n = 0;
	while ((rc = pcap_classic_next(pc, &p, err, sizeof(err))) == 1 &&
	       n < RECORDS)
		n++;
	assert_int_equal(rc, -1);
	/* every record wholly before the cut was read, none much after */
	assert_true(n >= (KEEP - 24) / (16 + LEN));
	assert_true(n < RECORDS / 2);
	assert_non_null(strstr(err, "shrank"));
	pcap_classic_close(pc);
	unlink(path);
}

static void test_other_formats_go_to_libpcap(void **state)
{
	uint8_t buf[512];
	char err[256] = "";
	unsigned n;
	struct pkt p;
	const uint8_t pcapng[28] = { 0x0a, 0x0d, 0x0d, 0x0a };

	(void)state;
	write_file(pcapng, sizeof(pcapng));
	assert_int_equal(read_all(&n, err, sizeof(err), &p), 100);
	write_file(buf, build(buf, 0xa1b2c3d4u, 147, 0, 1, 20)); /* USER0 */
	assert_int_equal(read_all(&n, err, sizeof(err), &p), 100);
	write_file(buf, 10);                  /* shorter than a header */
	assert_int_equal(read_all(&n, err, sizeof(err), &p), 100);
	unlink(path);
	assert_int_equal(read_all(&n, err, sizeof(err), &p), -1); /* gone */
	assert_non_null(strstr(err, "cannot open"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_reads_every_record_in_place),
		cmocka_unit_test(test_swapped_nanosecond_file),
		cmocka_unit_test(test_raw_linktype_maps_to_dlt_raw),
		cmocka_unit_test(test_truncated_data_names_the_packet),
		cmocka_unit_test(test_truncated_header_and_huge_caplen),
		cmocka_unit_test(test_caplen_over_wirelen_is_an_error),
		cmocka_unit_test(test_caplen_over_snaplen_is_an_error),
		cmocka_unit_test(test_file_shrinking_while_read_ends_with_a_message),
		cmocka_unit_test(test_other_formats_go_to_libpcap),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
