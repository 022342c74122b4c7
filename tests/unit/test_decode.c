/* SPDX-License-Identifier: BSD-3-Clause */
/* Decode tests. Every decoded frame is first copied into a heap block of
 * exactly caplen bytes, so under ASan any read past caplen aborts the test. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "decode/decode.h"
#include "pkt_build.h"

struct dec {
	uint8_t *copy;
	struct pkt pkt;
	struct pkt_view pv;
	enum decode_result rc;
};

static void dec_run_wire(struct dec *d, const uint8_t *frame, uint32_t caplen,
			 uint32_t wirelen, uint16_t linktype)
{
	d->copy = malloc(caplen ? caplen : 1);
	assert_non_null(d->copy);
	memcpy(d->copy, frame, caplen);
	pb_pkt(&d->pkt, d->copy, caplen, 777, linktype);
	d->pkt.wirelen = wirelen;
	d->rc = decode_packet(&d->pkt, &d->pv);
}

static void dec_run(struct dec *d, const uint8_t *frame, uint32_t len,
		    uint16_t linktype)
{
	dec_run_wire(d, frame, len, len, linktype);
}

static void dec_free(struct dec *d)
{
	free(d->copy);
	d->copy = NULL;
}

/* Properties every usable packet must have, whatever its content. */
static void assert_view_in_bounds(const struct dec *d)
{
	const uint8_t *end = d->pkt.data + d->pkt.caplen;
	const struct pkt_view *pv = &d->pv;

	assert_true(pv->l3 >= d->pkt.data && pv->l3 <= end);
	assert_true(pv->l4 >= pv->l3 && pv->l4 + pv->l4_caplen <= end);
	assert_true(pv->payload >= pv->l4);
	assert_true(pv->payload + pv->payload_len <= pv->l4 + pv->l4_caplen);
	assert_true(pv->payload_len <= pv->payload_wire_len);
	assert_true(pv->ip_version == 4 || pv->ip_version == 6);
	assert_int_equal(pv->retransmit, 0);
}

static uint32_t build(const struct pb_spec *s, uint8_t *buf)
{
	uint32_t n = pb_build(s, buf, PB_MAX_FRAME);

	assert_true(n > 0);
	return n;
}

static struct ip_addr addr(const char *text)
{
	struct ip_addr a;

	assert_int_equal(ip_addr_parse(text, &a), 0);
	return a;
}

static void assert_addr(const struct ip_addr *a, const char *text)
{
	struct ip_addr want = addr(text);

	assert_int_equal(ip_addr_cmp(a, &want), 0);
}

static const char payload100[] =
	"0123456789abcdefghijklmnopqrstuvwxyz0123456789ABCDEFGHIJKLMNOPQRST"
	"UVWXYZ0123456789abcdefghijklmnopqrs";

static void test_ethernet_tcp_fields(void **state)
{
	struct pb_spec s = {
		.linktype = TW_LINK_ETHERNET, .src = "192.0.2.10",
		.dst = "198.51.100.7", .proto = TW_PROTO_TCP, .sport = 40000,
		.dport = 22, .tcp_flags = TW_TCP_PSH | TW_TCP_ACK,
		.seq = 0xdeadbeef, .ack = 0x01020304, .window = 512, .ttl = 57,
		.payload = "SSH-2.0-x\r\n", .payload_len = 11,
	};
	uint8_t buf[PB_MAX_FRAME];
	uint32_t n = build(&s, buf);
	struct dec d;

	(void)state;
	dec_run(&d, buf, n, TW_LINK_ETHERNET);
	assert_int_equal(d.rc, DECODE_OK);
	assert_view_in_bounds(&d);
	assert_int_equal(d.pv.ts_ns, 777);
	assert_addr(&d.pv.src, "192.0.2.10");
	assert_addr(&d.pv.dst, "198.51.100.7");
	assert_true(ip_addr_is_v4(&d.pv.src));
	assert_int_equal(d.pv.ip_version, 4);
	assert_int_equal(d.pv.proto, TW_PROTO_TCP);
	assert_int_equal(d.pv.sport, 40000);
	assert_int_equal(d.pv.dport, 22);
	assert_int_equal(d.pv.seq, 0xdeadbeef);
	assert_int_equal(d.pv.ack, 0x01020304);
	assert_int_equal(d.pv.tcp_flags, TW_TCP_PSH | TW_TCP_ACK);
	assert_int_equal(d.pv.window, 512);
	assert_int_equal(d.pv.ttl, 57);
	assert_int_equal(d.pv.ip_len, 20 + 20 + 11);
	assert_ptr_equal(d.pv.l3, d.copy + 14);
	assert_ptr_equal(d.pv.l4, d.copy + 34);
	assert_int_equal(d.pv.l4_caplen, 31);
	assert_int_equal(d.pv.payload_len, 11);
	assert_int_equal(d.pv.payload_wire_len, 11);
	assert_memory_equal(d.pv.payload, "SSH-2.0-x\r\n", 11);
	dec_free(&d);
}

static void check_link(uint16_t linktype, uint8_t version)
{
	struct pb_spec s = {
		.linktype = linktype, .ip_version = version,
		.proto = TW_PROTO_UDP, .sport = 5353, .dport = 53,
		.payload = payload100, .payload_len = 40,
	};
	uint8_t buf[PB_MAX_FRAME];
	uint32_t n = build(&s, buf);
	struct dec d;

	dec_run(&d, buf, n, linktype);
	assert_int_equal(d.rc, DECODE_OK);
	assert_view_in_bounds(&d);
	assert_int_equal(d.pv.ip_version, version);
	assert_ptr_equal(d.pv.l3, d.copy + pb_l3_offset(&s));
	assert_int_equal(d.pv.proto, TW_PROTO_UDP);
	assert_int_equal(d.pv.sport, 5353);
	assert_int_equal(d.pv.dport, 53);
	assert_int_equal(d.pv.payload_len, 40);
	assert_memory_equal(d.pv.payload, payload100, 40);
	assert_addr(&d.pv.dst, version == 4 ? "10.0.0.2" : "2001:db8::2");
	assert_int_equal(d.pv.ip_len, (version == 4 ? 20 : 40) + 8 + 40);
	dec_free(&d);
}

static void test_link_types(void **state)
{
	static const uint16_t both[] = {
		TW_LINK_ETHERNET, TW_LINK_LINUX_SLL, TW_LINK_LINUX_SLL2,
		TW_LINK_NULL, TW_LINK_LOOP, TW_LINK_RAW,
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(both) / sizeof(both[0]); i++) {
		check_link(both[i], 4);
		check_link(both[i], 6);
	}
	check_link(TW_LINK_IPV4, 4);
	check_link(TW_LINK_IPV6, 6);
}

static void set_family(uint8_t *p, uint32_t family, bool network_order)
{
	if (network_order) {
		p[0] = (uint8_t)(family >> 24);
		p[1] = (uint8_t)(family >> 16);
		p[2] = (uint8_t)(family >> 8);
		p[3] = (uint8_t)family;
	} else {
		memcpy(p, &family, sizeof(family));
	}
}

static void test_null_loop_families(void **state)
{
	static const uint32_t v6_families[] = { 10, 24, 28, 30 };
	struct pb_spec s = { .linktype = TW_LINK_NULL, .ip_version = 6,
			     .proto = TW_PROTO_UDP };
	uint8_t buf[PB_MAX_FRAME];
	uint32_t n = build(&s, buf);
	struct dec d;
	size_t i;
	int order;

	(void)state;
	for (order = 0; order < 2; order++) {
		uint16_t lt = order ? TW_LINK_LOOP : TW_LINK_NULL;

		for (i = 0; i < 4; i++) {
			set_family(buf, v6_families[i], order);
			dec_run(&d, buf, n, lt);
			assert_int_equal(d.rc, DECODE_OK);
			assert_int_equal(d.pv.ip_version, 6);
			dec_free(&d);
		}
		set_family(buf, 7, order);
		dec_run(&d, buf, n, lt);
		assert_int_equal(d.rc, DECODE_DROP_NOT_IP);
		dec_free(&d);
	}
	/* Byte order matters: 2 in the wrong order is not AF_INET. */
	set_family(buf, 2, true);
	dec_run(&d, buf, n, TW_LINK_NULL);
	assert_int_equal(d.rc, DECODE_DROP_NOT_IP);
	dec_free(&d);
	dec_run(&d, buf, 3, TW_LINK_NULL);
	assert_int_equal(d.rc, DECODE_DROP_L2_TRUNCATED);
	dec_free(&d);
}

static void test_unknown_link_and_not_ip(void **state)
{
	struct pb_spec s = { .linktype = TW_LINK_ETHERNET,
			     .proto = TW_PROTO_UDP };
	uint8_t buf[PB_MAX_FRAME];
	uint32_t n = build(&s, buf);
	struct dec d;

	(void)state;
	dec_run(&d, buf, n, 147);
	assert_int_equal(d.rc, DECODE_DROP_LINKTYPE);
	dec_free(&d);

	s.ethertype = 0x0806; /* ARP */
	n = build(&s, buf);
	dec_run(&d, buf, n, TW_LINK_ETHERNET);
	assert_int_equal(d.rc, DECODE_DROP_NOT_IP);
	dec_free(&d);

	s.linktype = TW_LINK_LINUX_SLL2;
	n = build(&s, buf);
	dec_run(&d, buf, n, TW_LINK_LINUX_SLL2);
	assert_int_equal(d.rc, DECODE_DROP_NOT_IP);
	dec_free(&d);

	s.linktype = TW_LINK_RAW;
	n = build(&s, buf);
	buf[0] = 0x55;
	dec_run(&d, buf, n, TW_LINK_RAW);
	assert_int_equal(d.rc, DECODE_DROP_NOT_IP);
	dec_free(&d);

	dec_run(&d, buf, 13, TW_LINK_ETHERNET);
	assert_int_equal(d.rc, DECODE_DROP_L2_TRUNCATED);
	dec_free(&d);
}

static void check_vlan(uint8_t n_vlan, uint16_t inner_tpid, uint8_t version)
{
	struct pb_spec s = {
		.linktype = TW_LINK_ETHERNET, .ip_version = version,
		.n_vlan = n_vlan, .vlan = { 100, 200, 300 },
		.proto = TW_PROTO_TCP, .sport = 1, .dport = 443,
		.payload = "x", .payload_len = 1,
	};
	uint8_t buf[PB_MAX_FRAME];
	uint32_t n;
	struct dec d;

	if (n_vlan)
		s.vlan_tpid[n_vlan - 1] = inner_tpid;
	n = build(&s, buf);
	dec_run(&d, buf, n, TW_LINK_ETHERNET);
	assert_int_equal(d.rc, DECODE_OK);
	assert_ptr_equal(d.pv.l3, d.copy + 14 + 4 * n_vlan);
	assert_int_equal(d.pv.dport, 443);
	assert_int_equal(d.pv.payload_len, 1);
	dec_free(&d);

	/* Cut inside the last tag. */
	dec_run(&d, buf, 14 + 4 * n_vlan - 1, TW_LINK_ETHERNET);
	assert_int_equal(d.rc, DECODE_DROP_L2_TRUNCATED);
	dec_free(&d);
}

static void test_vlan_qinq(void **state)
{
	uint8_t buf[PB_MAX_FRAME];
	struct pb_spec s = { .linktype = TW_LINK_ETHERNET };
	uint8_t frame[PB_MAX_FRAME];
	uint32_t n;
	struct dec d;

	(void)state;
	check_vlan(1, 0x8100, 4);
	check_vlan(2, 0x8100, 6);
	check_vlan(3, 0x9100, 4);
	check_vlan(3, 0x88a8, 6);

	/* A fourth tag is beyond what we accept. */
	s.n_vlan = 3;
	n = build(&s, buf);
	memcpy(frame, buf, 12);
	frame[12] = 0x81;
	frame[13] = 0x00;
	frame[14] = 0;
	frame[15] = 5;
	memcpy(frame + 16, buf + 12, n - 12);
	dec_run(&d, frame, n + 4, TW_LINK_ETHERNET);
	assert_int_equal(d.rc, DECODE_DROP_NOT_IP);
	dec_free(&d);
}

static void test_ipv4_options(void **state)
{
	struct pb_spec s = {
		.linktype = TW_LINK_ETHERNET, .ip_opt_len = 12,
		.proto = TW_PROTO_TCP, .sport = 1234, .dport = 80,
		.tcp_opt_len = 12, .payload = "GET", .payload_len = 3,
	};
	uint8_t buf[PB_MAX_FRAME];
	uint32_t n = build(&s, buf);
	struct dec d;

	(void)state;
	dec_run(&d, buf, n, TW_LINK_ETHERNET);
	assert_int_equal(d.rc, DECODE_OK);
	assert_ptr_equal(d.pv.l4, d.pv.l3 + 32);
	assert_ptr_equal(d.pv.payload, d.pv.l4 + 32);
	assert_int_equal(d.pv.sport, 1234);
	assert_int_equal(d.pv.payload_len, 3);
	assert_int_equal(d.pv.ip_len, 32 + 32 + 3);
	assert_memory_equal(d.pv.payload, "GET", 3);
	dec_free(&d);
}

static void test_ipv4_bad_header(void **state)
{
	struct pb_spec s = { .linktype = TW_LINK_IPV4, .proto = TW_PROTO_UDP,
			     .payload = payload100, .payload_len = 20 };
	uint8_t buf[PB_MAX_FRAME];
	uint8_t bad[PB_MAX_FRAME];
	uint32_t n = build(&s, buf);
	struct dec d;

	(void)state;
	memcpy(bad, buf, n);
	bad[0] = 0x44; /* IHL 4 */
	dec_run(&d, bad, n, TW_LINK_IPV4);
	assert_int_equal(d.rc, DECODE_DROP_IPV4_BAD_HEADER);
	dec_free(&d);

	memcpy(bad, buf, n);
	bad[0] = 0x4f; /* IHL 15: 60 bytes, more than captured */
	dec_run(&d, bad, 40, TW_LINK_IPV4);
	assert_int_equal(d.rc, DECODE_DROP_IPV4_TRUNCATED);
	dec_free(&d);

	memcpy(bad, buf, n);
	bad[2] = 0;
	bad[3] = 19; /* total length shorter than the header */
	dec_run(&d, bad, n, TW_LINK_IPV4);
	assert_int_equal(d.rc, DECODE_DROP_IPV4_BAD_HEADER);
	dec_free(&d);

	memcpy(bad, buf, n);
	bad[0] = 0x65; /* IPv6 nibble on an IPv4 link */
	dec_run(&d, bad, n, TW_LINK_IPV4);
	assert_int_equal(d.rc, DECODE_DROP_IPV4_BAD_HEADER);
	dec_free(&d);

	dec_run(&d, buf, 19, TW_LINK_IPV4);
	assert_int_equal(d.rc, DECODE_DROP_IPV4_TRUNCATED);
	dec_free(&d);
}

static void test_ethernet_padding(void **state)
{
	struct pb_spec s = {
		.linktype = TW_LINK_ETHERNET, .proto = TW_PROTO_UDP,
		.sport = 53, .dport = 999, .payload = "hi", .payload_len = 2,
		.trailer_len = 60 - 14 - 20 - 8 - 2,
	};
	uint8_t buf[PB_MAX_FRAME];
	uint32_t n = build(&s, buf);
	struct dec d;

	(void)state;
	assert_int_equal(n, 60);
	memset(buf + n - s.trailer_len, 0xee, s.trailer_len);
	dec_run(&d, buf, n, TW_LINK_ETHERNET);
	assert_int_equal(d.rc, DECODE_OK);
	assert_int_equal(d.pv.payload_len, 2);
	assert_int_equal(d.pv.payload_wire_len, 2);
	assert_int_equal(d.pv.l4_caplen, 10);
	assert_int_equal(d.pv.ip_len, 30);
	dec_free(&d);

	/* A bare TCP ACK padded to the minimum frame has no payload. */
	s.proto = TW_PROTO_TCP;
	s.payload_len = 0;
	s.trailer_len = 6;
	n = build(&s, buf);
	memset(buf + n - 6, 0xee, 6);
	dec_run(&d, buf, n, TW_LINK_ETHERNET);
	assert_int_equal(d.rc, DECODE_OK);
	assert_int_equal(d.pv.payload_len, 0);
	assert_int_equal(d.pv.payload_wire_len, 0);
	dec_free(&d);

	/* IPv6 padding is trimmed by the payload length in the same way. */
	s.ip_version = 6;
	n = build(&s, buf);
	dec_run(&d, buf, n, TW_LINK_ETHERNET);
	assert_int_equal(d.rc, DECODE_OK);
	assert_int_equal(d.pv.payload_len, 0);
	assert_int_equal(d.pv.ip_len, 60);
	dec_free(&d);
}

/* Cuts a frame at every length: nothing usable until all headers are
 * there, then a usable packet whose captured payload grows by one byte
 * per step while the wire size stays the real one. */
static void check_every_caplen(const struct pb_spec *s, uint32_t hdrs)
{
	uint8_t buf[PB_MAX_FRAME];
	uint32_t n = build(s, buf);
	uint32_t cap;
	struct dec d;

	assert_int_equal(n, hdrs + s->payload_len);
	for (cap = 0; cap <= n; cap++) {
		dec_run_wire(&d, buf, cap, n, s->linktype);
		if (cap < hdrs) {
			assert_int_not_equal(d.rc, DECODE_OK);
		} else {
			assert_int_equal(d.rc, DECODE_OK);
			assert_view_in_bounds(&d);
			assert_int_equal(d.pv.payload_len, cap - hdrs);
			assert_int_equal(d.pv.payload_wire_len,
					 s->payload_len);
			assert_int_equal(d.pv.ip_len,
					 n - pb_l3_offset(s));
		}
		dec_free(&d);
	}
}

static void test_truncation_every_length(void **state)
{
	struct pb_spec s = {
		.linktype = TW_LINK_ETHERNET, .n_vlan = 1, .vlan = { 7 },
		.ip_opt_len = 4, .proto = TW_PROTO_TCP, .sport = 2222,
		.dport = 22, .tcp_opt_len = 8, .payload = payload100,
		.payload_len = 100,
	};

	(void)state;
	check_every_caplen(&s, 18 + 24 + 28);
	s.ip_version = 6;
	s.ipv6_ext = PB_EXT_DSTOPTS;
	check_every_caplen(&s, 18 + 48 + 28);
	s.linktype = TW_LINK_LINUX_SLL2;
	s.proto = TW_PROTO_UDP;
	check_every_caplen(&s, 20 + 48 + 8);
	s.linktype = TW_LINK_NULL;
	s.ip_version = 4;
	s.proto = TW_PROTO_ICMP;
	s.icmp_type = 8;
	check_every_caplen(&s, 4 + 24 + 8);
}

static void test_truncation_reasons(void **state)
{
	struct pb_spec s = { .linktype = TW_LINK_ETHERNET,
			     .proto = TW_PROTO_TCP, .tcp_opt_len = 8 };
	uint8_t buf[PB_MAX_FRAME];
	uint32_t n = build(&s, buf);
	struct dec d;

	(void)state;
	dec_run_wire(&d, buf, 14 + 10, n, TW_LINK_ETHERNET);
	assert_int_equal(d.rc, DECODE_DROP_IPV4_TRUNCATED);
	dec_free(&d);
	dec_run_wire(&d, buf, 14 + 20 + 19, n, TW_LINK_ETHERNET);
	assert_int_equal(d.rc, DECODE_DROP_L4_TRUNCATED);
	dec_free(&d);
	/* Fixed TCP header present, options cut. */
	dec_run_wire(&d, buf, 14 + 20 + 24, n, TW_LINK_ETHERNET);
	assert_int_equal(d.rc, DECODE_DROP_L4_TRUNCATED);
	dec_free(&d);

	s.ip_version = 6;
	n = build(&s, buf);
	dec_run_wire(&d, buf, 14 + 39, n, TW_LINK_ETHERNET);
	assert_int_equal(d.rc, DECODE_DROP_IPV6_TRUNCATED);
	dec_free(&d);
}

static void test_tcp_bad_header(void **state)
{
	struct pb_spec s = { .linktype = TW_LINK_RAW, .proto = TW_PROTO_TCP,
			     .payload = payload100, .payload_len = 8 };
	uint8_t buf[PB_MAX_FRAME];
	uint32_t n = build(&s, buf);
	struct dec d;

	(void)state;
	buf[20 + 12] = 4 << 4; /* data offset below 5 */
	dec_run(&d, buf, n, TW_LINK_RAW);
	assert_int_equal(d.rc, DECODE_DROP_TCP_BAD_HEADER);
	dec_free(&d);

	buf[20 + 12] = 15 << 4; /* 60 bytes claimed, 28 in the packet */
	dec_run(&d, buf, n, TW_LINK_RAW);
	assert_int_equal(d.rc, DECODE_DROP_TCP_BAD_HEADER);
	dec_free(&d);
}

static void test_udp_length(void **state)
{
	struct pb_spec s = { .linktype = TW_LINK_RAW, .proto = TW_PROTO_UDP,
			     .payload = payload100, .payload_len = 10 };
	uint8_t buf[PB_MAX_FRAME];
	uint32_t n = build(&s, buf);
	struct dec d;

	(void)state;
	buf[20 + 5] = 8 + 4; /* UDP says 4 payload bytes, IP says 10 */
	dec_run(&d, buf, n, TW_LINK_RAW);
	assert_int_equal(d.rc, DECODE_OK);
	assert_int_equal(d.pv.payload_len, 4);
	assert_int_equal(d.pv.payload_wire_len, 4);
	dec_free(&d);

	buf[20 + 5] = 200; /* longer than the IP packet: ignored */
	dec_run(&d, buf, n, TW_LINK_RAW);
	assert_int_equal(d.rc, DECODE_OK);
	assert_int_equal(d.pv.payload_len, 10);
	assert_int_equal(d.pv.payload_wire_len, 10);
	dec_free(&d);
}

static void test_ipv4_fragments(void **state)
{
	struct pb_spec s = {
		.linktype = TW_LINK_ETHERNET, .proto = TW_PROTO_UDP,
		.sport = 4500, .dport = 4500, .more_fragments = 1,
		.payload = payload100, .payload_len = 64,
	};
	uint8_t buf[PB_MAX_FRAME];
	uint32_t n = build(&s, buf);
	struct dec d;

	(void)state;
	/* every piece, the first included, goes to reassembly with its
	 * addresses (the worker pair hash), id, offset and data */
	dec_run(&d, buf, n, TW_LINK_ETHERNET);
	assert_int_equal(d.rc, DECODE_IP_FRAGMENT);
	assert_int_equal(d.pv.frag_offset, 0);
	assert_int_equal(d.pv.frag_more, 1);
	assert_int_equal(d.pv.proto, TW_PROTO_UDP);
	assert_int_equal(d.pv.payload_len, 64 + 8);
	assert_true(ip_addr_is_v4(&d.pv.src));
	dec_free(&d);

	s.frag_offset = 72;
	n = build(&s, buf);
	dec_run(&d, buf, n, TW_LINK_ETHERNET);
	assert_int_equal(d.rc, DECODE_IP_FRAGMENT);
	assert_int_equal(d.pv.frag_offset, 9);
	dec_free(&d);

	s.more_fragments = 0; /* last fragment */
	n = build(&s, buf);
	dec_run(&d, buf, n, TW_LINK_ETHERNET);
	assert_int_equal(d.rc, DECODE_IP_FRAGMENT);
	assert_int_equal(d.pv.frag_more, 0);
	dec_free(&d);
}

static void check_ext(uint8_t ext, uint32_t ext_len)
{
	struct pb_spec s = {
		.linktype = TW_LINK_IPV6, .ip_version = 6, .ipv6_ext = ext,
		.proto = TW_PROTO_TCP, .sport = 9, .dport = 10,
		.payload = payload100, .payload_len = 5,
	};
	uint8_t buf[PB_MAX_FRAME];
	uint32_t n = build(&s, buf);
	struct dec d;

	dec_run(&d, buf, n, TW_LINK_IPV6);
	assert_int_equal(d.rc, DECODE_OK);
	assert_int_equal(d.pv.proto, TW_PROTO_TCP);
	assert_ptr_equal(d.pv.l4, d.pv.l3 + 40 + ext_len);
	assert_int_equal(d.pv.dport, 10);
	assert_int_equal(d.pv.payload_len, 5);
	assert_int_equal(d.pv.ip_len, n);
	dec_free(&d);
}

static void test_ipv6_ext_headers(void **state)
{
	struct pb_spec s = { .linktype = TW_LINK_IPV6, .ip_version = 6,
			     .ipv6_ext = PB_EXT_DSTOPTS,
			     .proto = TW_PROTO_UDP, .dport = 53 };
	uint8_t buf[PB_MAX_FRAME];
	uint32_t n;
	struct dec d;

	(void)state;
	check_ext(PB_EXT_HOPOPTS, 8);
	check_ext(PB_EXT_ROUTING, 8);
	check_ext(PB_EXT_DSTOPTS, 8);
	check_ext(PB_EXT_FRAGMENT, 8);
	check_ext(PB_EXT_AH, 16);

	/* Mobility header in place of the destination options. */
	n = build(&s, buf);
	buf[6] = 135;
	dec_run(&d, buf, n, TW_LINK_IPV6);
	assert_int_equal(d.rc, DECODE_OK);
	assert_int_equal(d.pv.dport, 53);
	dec_free(&d);

	/* No next header: usable, nothing at L4. */
	buf[6] = 59;
	dec_run(&d, buf, n, TW_LINK_IPV6);
	assert_int_equal(d.rc, DECODE_OK);
	assert_int_equal(d.pv.proto, 59);
	assert_int_equal(d.pv.payload_len, 0);
	assert_int_equal(d.pv.l4_caplen, 0);
	dec_free(&d);
}

static void test_ipv6_bad_chains(void **state)
{
	struct pb_spec s = { .linktype = TW_LINK_IPV6, .ip_version = 6,
			     .ipv6_ext = PB_EXT_DSTOPTS,
			     .proto = TW_PROTO_UDP };
	uint8_t buf[PB_MAX_FRAME];
	uint8_t chain[40 + 9 * 8];
	uint32_t n = build(&s, buf);
	struct dec d;
	int i;

	(void)state;
	buf[40 + 1] = 30; /* extension runs past the packet */
	dec_run(&d, buf, n, TW_LINK_IPV6);
	assert_int_equal(d.rc, DECODE_DROP_IPV6_BAD_EXT);
	dec_free(&d);

	/* Hop-by-hop after another header, otherwise well formed: the UDP
	 * header is rewritten into an 8-byte hop-by-hop leading to UDP. */
	s.payload = payload100;
	s.payload_len = 16;
	n = build(&s, buf);
	buf[40] = 0;
	buf[48] = TW_PROTO_UDP;
	buf[49] = 0;
	dec_run(&d, buf, n, TW_LINK_IPV6);
	assert_int_equal(d.rc, DECODE_DROP_IPV6_BAD_EXT);
	dec_free(&d);

	/* Chain cut by the capture inside the extension header. */
	buf[40] = TW_PROTO_UDP;
	dec_run_wire(&d, buf, 41, n, TW_LINK_IPV6);
	assert_int_equal(d.rc, DECODE_DROP_IPV6_BAD_EXT);
	dec_free(&d);

	/* Nine extension headers in a row: beyond the bound. */
	n = build(&s, buf);
	memcpy(chain, buf, 40);
	memset(chain + 40, 0, sizeof(chain) - 40);
	chain[4] = 0;
	chain[5] = 9 * 8;
	for (i = 0; i < 8; i++)
		chain[40 + 8 * i] = 60;
	chain[40 + 8 * 8] = TW_PROTO_UDP; /* unbounded, it would reach UDP */
	dec_run(&d, chain, sizeof(chain), TW_LINK_IPV6);
	assert_int_equal(d.rc, DECODE_DROP_IPV6_BAD_EXT);
	dec_free(&d);
}

static void test_ipv6_fragments_and_jumbo(void **state)
{
	struct pb_spec s = { .linktype = TW_LINK_ETHERNET, .ip_version = 6,
			     .ipv6_ext = PB_EXT_FRAGMENT,
			     .more_fragments = 1, .proto = TW_PROTO_UDP,
			     .dport = 500, .payload = payload100,
			     .payload_len = 16 };
	uint8_t buf[PB_MAX_FRAME];
	uint32_t n = build(&s, buf);
	struct dec d;

	(void)state;
	dec_run(&d, buf, n, TW_LINK_ETHERNET);
	assert_int_equal(d.rc, DECODE_IP_FRAGMENT);
	assert_int_equal(d.pv.proto, TW_PROTO_UDP);
	assert_int_equal(d.pv.frag_more, 1);
	dec_free(&d);

	s.frag_offset = 1232;
	n = build(&s, buf);
	dec_run(&d, buf, n, TW_LINK_ETHERNET);
	assert_int_equal(d.rc, DECODE_IP_FRAGMENT);
	assert_int_equal(d.pv.frag_offset, 1232 / 8);
	dec_free(&d);

	/* an atomic fragment (offset 0, no M) is a whole packet */
	s.frag_offset = 0;
	s.more_fragments = 0;
	n = build(&s, buf);
	dec_run(&d, buf, n, TW_LINK_ETHERNET);
	assert_int_equal(d.rc, DECODE_OK);
	assert_int_equal(d.pv.dport, 500);
	dec_free(&d);
	s.more_fragments = 1;

	/* Payload length 0: the captured frame is the extent. */
	s.ipv6_ext = PB_EXT_NONE;
	s.proto = TW_PROTO_TCP;
	n = build(&s, buf);
	buf[14 + 4] = 0;
	buf[14 + 5] = 0;
	dec_run(&d, buf, n, TW_LINK_ETHERNET);
	assert_int_equal(d.rc, DECODE_OK);
	assert_int_equal(d.pv.payload_len, 16);
	assert_int_equal(d.pv.ip_len, 40 + 20 + 16);
	dec_free(&d);
}

static void test_ipv4_zero_total_length(void **state)
{
	struct pb_spec s = { .linktype = TW_LINK_ETHERNET,
			     .proto = TW_PROTO_TCP, .payload = payload100,
			     .payload_len = 50 };
	uint8_t buf[PB_MAX_FRAME];
	uint32_t n = build(&s, buf);
	struct dec d;

	(void)state;
	buf[14 + 2] = 0;
	buf[14 + 3] = 0;
	/* Offloaded send: snaplen cut the capture, the wire had it all. */
	dec_run_wire(&d, buf, n - 20, n, TW_LINK_ETHERNET);
	assert_int_equal(d.rc, DECODE_OK);
	assert_int_equal(d.pv.ip_len, n - 14);
	assert_int_equal(d.pv.payload_len, 30);
	assert_int_equal(d.pv.payload_wire_len, 50);
	dec_free(&d);
}

static void check_icmp(uint8_t version, uint8_t type, bool echo)
{
	struct pb_spec s = {
		.linktype = TW_LINK_ETHERNET, .ip_version = version,
		.proto = TW_PROTO_ICMP, .icmp_type = type, .icmp_code = 0,
		.icmp_id = 0x4242, .icmp_seq = 9,
		.payload = payload100, .payload_len = 56,
	};
	uint8_t buf[PB_MAX_FRAME];
	uint32_t n = build(&s, buf);
	struct dec d;

	dec_run(&d, buf, n, TW_LINK_ETHERNET);
	assert_int_equal(d.rc, DECODE_OK);
	assert_view_in_bounds(&d);
	assert_int_equal(d.pv.proto,
			 version == 4 ? TW_PROTO_ICMP : TW_PROTO_ICMPV6);
	assert_int_equal(d.pv.icmp_type, type);
	assert_int_equal(d.pv.payload_len, 56);
	assert_memory_equal(d.pv.payload, payload100, 56);
	assert_int_equal(d.pv.icmp_id, echo ? 0x4242 : 0);
	assert_int_equal(d.pv.icmp_seq, echo ? 9 : 0);
	assert_int_equal(d.pv.sport, echo ? 0x4242 : 0);
	assert_int_equal(d.pv.dport, d.pv.sport);
	dec_free(&d);
}

static void test_icmp_echo(void **state)
{
	(void)state;
	check_icmp(4, 8, true);
	check_icmp(4, 0, true);
	check_icmp(4, 3, false);
	check_icmp(6, 128, true);
	check_icmp(6, 129, true);
	check_icmp(6, 1, false);
	check_icmp(6, 8, false); /* v4's echo type means nothing in v6 */
}

static void test_other_protocol(void **state)
{
	struct pb_spec s = { .linktype = TW_LINK_ETHERNET, .proto = 47,
			     .payload = payload100, .payload_len = 24 };
	uint8_t buf[PB_MAX_FRAME];
	uint32_t n = build(&s, buf);
	struct dec d;

	(void)state;
	dec_run(&d, buf, n, TW_LINK_ETHERNET);
	assert_int_equal(d.rc, DECODE_OK);
	assert_int_equal(d.pv.proto, 47);
	assert_int_equal(d.pv.sport, 0);
	assert_int_equal(d.pv.dport, 0);
	assert_ptr_equal(d.pv.payload, d.pv.l3 + 20);
	assert_int_equal(d.pv.payload_len, 24);
	assert_int_equal(d.pv.payload_wire_len, 24);
	dec_free(&d);
}

/* Flips random bytes of valid frames: whatever comes out must stay inside
 * the capture (ASan checks the reads, the invariants the view). */
static void test_mutation_fuzz(void **state)
{
	static const uint16_t links[] = {
		TW_LINK_ETHERNET, TW_LINK_LINUX_SLL, TW_LINK_RAW,
		TW_LINK_LINUX_SLL2,
	};
	struct pb_spec s = {
		.n_vlan = 1, .tcp_opt_len = 4, .payload = payload100,
		.payload_len = 30,
	};
	uint8_t buf[PB_MAX_FRAME];
	uint32_t rng = 12345, n, usable = 0;
	struct dec d;
	int i, j;

	(void)state;
	for (i = 0; i < 20000; i++) {
		s.linktype = links[i % 4];
		s.ip_version = (uint8_t)(i / 4 % 2 ? 6 : 4);
		s.ipv6_ext = (uint8_t)(i / 8 % 6);
		s.proto = (uint8_t[]){ 6, 17, 1, 47 }[i / 48 % 4];
		n = build(&s, buf);
		for (j = 0; j < 3; j++) {
			rng = rng * 1103515245u + 12345u;
			buf[(rng >> 8) % n] = (uint8_t)(rng >> 20);
		}
		rng = rng * 1103515245u + 12345u;
		dec_run_wire(&d, buf, (rng >> 8) % (n + 1), n, s.linktype);
		if (d.rc == DECODE_OK) {
			assert_view_in_bounds(&d);
			usable++;
		}
		dec_free(&d);
	}
	assert_true(usable > 1000);
}

static void set_pair(struct pkt_view *pv, const char *a, const char *b,
		     uint16_t sport, uint16_t dport)
{
	memset(pv, 0, sizeof(*pv));
	pv->src = addr(a);
	pv->dst = addr(b);
	pv->sport = sport;
	pv->dport = dport;
}

static void test_pair_hash(void **state)
{
	struct pkt_view ab, ba, other;
	unsigned buckets[16] = { 0 };
	char text[32];
	unsigned i;

	(void)state;
	set_pair(&ab, "10.0.0.1", "10.0.0.2", 40000, 22);
	set_pair(&ba, "10.0.0.2", "10.0.0.1", 22, 40000);
	assert_int_equal(decode_pair_hash(&ab), decode_pair_hash(&ba));
	/* Another connection between the same hosts: same worker. */
	set_pair(&other, "10.0.0.1", "10.0.0.2", 50000, 443);
	assert_int_equal(decode_pair_hash(&ab), decode_pair_hash(&other));
	set_pair(&other, "10.0.0.1", "10.0.0.3", 40000, 22);
	assert_int_not_equal(decode_pair_hash(&ab), decode_pair_hash(&other));

	set_pair(&ab, "2001:db8::1", "2001:db8::99", 1, 2);
	set_pair(&ba, "2001:db8::99", "2001:db8::1", 2, 1);
	assert_int_equal(decode_pair_hash(&ab), decode_pair_hash(&ba));

	/* Neighbouring clients of one server spread over the workers. */
	for (i = 0; i < 1024; i++) {
		snprintf(text, sizeof(text), "10.0.%u.%u", i / 256, i % 256);
		set_pair(&ab, text, "192.168.1.1", 0, 0);
		buckets[decode_pair_hash(&ab) % 16]++;
	}
	for (i = 0; i < 16; i++)
		assert_in_range(buckets[i], 32, 96);
}

static void check_round_trip(const char *in, const char *out, bool v4)
{
	struct ip_addr a, b;
	char buf[64];

	assert_int_equal(ip_addr_parse(in, &a), 0);
	assert_int_equal(ip_addr_is_v4(&a), v4);
	assert_string_equal(ip_addr_format(&a, buf, sizeof(buf)), out);
	assert_int_equal(ip_addr_parse(buf, &b), 0);
	assert_int_equal(ip_addr_cmp(&a, &b), 0);
}

static void test_ip_addr(void **state)
{
	static const uint8_t raw[4] = { 203, 0, 113, 9 };
	struct ip_addr a, b;
	char small[4];

	(void)state;
	check_round_trip("192.168.1.2", "192.168.1.2", true);
	check_round_trip("::ffff:1.2.3.4", "1.2.3.4", true);
	check_round_trip("2001:db8::1", "2001:db8::1", false);
	check_round_trip("::1", "::1", false);
	assert_int_equal(ip_addr_parse("1.2.3", &a), -1);
	assert_int_equal(ip_addr_parse("hello", &a), -1);
	assert_int_equal(ip_addr_parse(NULL, &a), -1);

	ip_addr_from_v4(&a, raw);
	b = addr("203.0.113.9");
	assert_int_equal(ip_addr_cmp(&a, &b), 0);
	b = addr("203.0.113.10");
	assert_true(ip_addr_cmp(&a, &b) < 0);
	assert_true(ip_addr_cmp(&b, &a) > 0);
	/* Too small a buffer gives an empty string, never garbage. */
	assert_string_equal(ip_addr_format(&a, small, sizeof(small)), "");
}

/* ---- decapsulation (decode/decap.c) ---- */

/* The inner packet every tunnel test carries: TCP 10.9.0.1:40000 ->
 * 10.9.0.2:22 with 5 payload bytes, as an Ethernet frame. */
static uint32_t inner_frame(uint8_t *buf)
{
	struct pb_spec s = {
		.linktype = TW_LINK_ETHERNET, .src = "10.9.0.1",
		.dst = "10.9.0.2", .proto = TW_PROTO_TCP, .sport = 40000,
		.dport = 22, .tcp_flags = TW_TCP_ACK, .payload = payload100,
		.payload_len = 5,
	};

	return build(&s, buf);
}

/* Outer Ethernet + IPv4 192.0.2.1 -> 192.0.2.2 (protocol proto) in
 * front of len bytes of body; returns the frame length. */
static uint32_t outer_ipv4(uint8_t *out, uint8_t proto, const uint8_t *body,
			   uint32_t len)
{
	static const uint8_t eth[14] = { 2, 0, 0, 0, 0, 2, 2, 0, 0, 0, 0, 1,
					 0x08, 0x00 };
	uint8_t *ip = out + 14;
	uint32_t total = 20 + len;

	memcpy(out, eth, 14);
	memset(ip, 0, 20);
	ip[0] = 0x45;
	ip[2] = (uint8_t)(total >> 8);
	ip[3] = (uint8_t)total;
	ip[8] = 64;
	ip[9] = proto;
	ip[12] = 192, ip[13] = 0, ip[14] = 2, ip[15] = 1;
	ip[16] = 192, ip[17] = 0, ip[18] = 2, ip[19] = 2;
	memcpy(ip + 20, body, len);
	return 14 + total;
}

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static void put32(uint8_t *p, uint32_t v)
{
	put16(p, (uint16_t)(v >> 16));
	put16(p + 2, (uint16_t)v);
}

/* The inner view every tunnel must yield. */
static void assert_inner(const struct dec *d, uint8_t kind)
{
	assert_int_equal(d->rc, DECODE_OK);
	assert_view_in_bounds(d);
	assert_true(ip_addr_cmp(&d->pv.src, &(struct ip_addr){0}) != 0);
	assert_int_equal(ip_addr_cmp(&d->pv.src, &(struct ip_addr){
		{ 0,0,0,0,0,0,0,0,0,0,0xff,0xff,10,9,0,1 } }), 0);
	assert_int_equal(d->pv.dport, 22);
	assert_int_equal(d->pv.payload_len, 5);
	assert_int_equal(d->pv.tunnel.kind, kind);
	assert_true(d->pv.tunnel.layers & (1u << kind));
	assert_int_equal(d->pv.tunnel.left, DECAP_LEFT_NONE);
}

static void test_decap_vxlan_geneve(void **state)
{
	uint8_t inner[PB_MAX_FRAME], body[PB_MAX_FRAME], frame[PB_MAX_FRAME];
	uint32_t n = inner_frame(inner), len;
	struct dec d;

	(void)state;
	/* VXLAN: UDP to 4789, I flag, VNI 0x123456, inner Ethernet */
	memset(body, 0, 16);
	put16(body, 50000);
	put16(body + 2, 4789);
	put16(body + 4, (uint16_t)(16 + n));
	body[8] = 0x08;
	put32(body + 12, 0x123456u << 8);
	memcpy(body + 16, inner, n);
	len = outer_ipv4(frame, TW_PROTO_UDP, body, 16 + n);
	dec_run(&d, frame, len, TW_LINK_ETHERNET);
	assert_inner(&d, DECAP_VXLAN);
	assert_int_equal(d.pv.tunnel.id, 0x123456);
	assert_int_equal(d.pv.tunnel.outer_proto, TW_PROTO_UDP);
	assert_int_equal(d.pv.tunnel.src.b[15], 1);
	assert_int_equal(d.pv.tunnel.dst.b[15], 2);
	dec_free(&d);

	/* every truncation of it stays in bounds */
	for (uint32_t cut = 0; cut < len; cut++) {
		dec_run_wire(&d, frame, cut, len, TW_LINK_ETHERNET);
		if (d.rc == DECODE_OK)
			assert_view_in_bounds(&d);
		dec_free(&d);
	}

	/* Geneve with 12 bytes of options and an IPv4 payload (AWS GWLB) */
	memset(body, 0, 28);
	put16(body, 50000);
	put16(body + 2, 6081);
	put16(body + 4, (uint16_t)(8 + 20 + n - 14));
	body[8] = 3;                  /* option length: 3 words */
	put16(body + 10, 0x0800);
	put32(body + 12, 77u << 8);
	memcpy(body + 28, inner + 14, n - 14);
	len = outer_ipv4(frame, TW_PROTO_UDP, body, 28 + n - 14);
	dec_run(&d, frame, len, TW_LINK_ETHERNET);
	assert_inner(&d, DECAP_GENEVE);
	assert_int_equal(d.pv.tunnel.id, 77);
	dec_free(&d);
}

static void test_decap_gre_erspan(void **state)
{
	uint8_t inner[PB_MAX_FRAME], body[PB_MAX_FRAME], frame[PB_MAX_FRAME];
	uint32_t n = inner_frame(inner), len;
	struct dec d;

	(void)state;
	/* GRE with key 99 and sequence, IPv4 payload */
	memset(body, 0, 12);
	put16(body, 0x3000);
	put16(body + 2, 0x0800);
	put32(body + 4, 99);
	memcpy(body + 12, inner + 14, n - 14);
	len = outer_ipv4(frame, 47, body, 12 + n - 14);
	dec_run(&d, frame, len, TW_LINK_ETHERNET);
	assert_inner(&d, DECAP_GRE);
	assert_int_equal(d.pv.tunnel.id, 99);
	assert_true(d.pv.tunnel.has_id);
	dec_free(&d);

	/* ERSPAN type II: GRE with sequence, 0x88be, session 513 */
	memset(body, 0, 16);
	put16(body, 0x1000);
	put16(body + 2, 0x88be);
	put16(body + 8, 0x1000);
	put16(body + 10, 513);
	memcpy(body + 16, inner, n);
	len = outer_ipv4(frame, 47, body, 16 + n);
	dec_run(&d, frame, len, TW_LINK_ETHERNET);
	assert_inner(&d, DECAP_ERSPAN);
	assert_int_equal(d.pv.tunnel.id, 513);
	dec_free(&d);

	/* ERSPAN type III with the platform subheader (O bit) */
	memset(body, 0, 28);
	put16(body, 0x1000);
	put16(body + 2, 0x22eb);
	put16(body + 8, 0x2000);
	put16(body + 10, 5);
	body[8 + 11] = 0x01;
	memcpy(body + 28, inner, n);
	len = outer_ipv4(frame, 47, body, 28 + n);
	dec_run(&d, frame, len, TW_LINK_ETHERNET);
	assert_inner(&d, DECAP_ERSPAN);
	assert_int_equal(d.pv.tunnel.id, 5);
	dec_free(&d);

	/* PPTP's enhanced GRE (version 1) is not a tunnel we remove */
	put16(frame + 14 + 20, 0x3001);
	dec_run(&d, frame, len, TW_LINK_ETHERNET);
	assert_int_equal(d.rc, DECODE_OK);
	assert_int_equal(d.pv.proto, 47);
	assert_int_equal(d.pv.tunnel.left, DECAP_LEFT_MALFORMED);
	assert_int_equal(d.pv.tunnel.depth, 0);
	dec_free(&d);
}

static void test_decap_mpls_pppoe(void **state)
{
	uint8_t inner[PB_MAX_FRAME], frame[PB_MAX_FRAME];
	uint32_t n = inner_frame(inner);
	struct dec d;

	(void)state;
	/* two labels, IPv4 by its first nibble */
	memcpy(frame, inner, 12);
	put16(frame + 12, 0x8847);
	put32(frame + 14, 16u << 12 | 64);
	put32(frame + 18, 17u << 12 | 0x100 | 64);
	memcpy(frame + 22, inner + 14, n - 14);
	dec_run(&d, frame, n + 8, TW_LINK_ETHERNET);
	assert_inner(&d, DECAP_MPLS);
	assert_int_equal(d.pv.tunnel.id, 16);
	assert_int_equal(d.pv.tunnel.outer_proto, 0);
	dec_free(&d);

	/* Ethernet pseudowire behind a control word */
	put32(frame + 14, 18u << 12 | 0x100 | 64);
	memset(frame + 18, 0, 4);
	memcpy(frame + 22, inner, n);
	dec_run(&d, frame, 22 + n, TW_LINK_ETHERNET);
	assert_inner(&d, DECAP_MPLS);
	assert_int_equal(d.pv.tunnel.id, 18);
	dec_free(&d);

	/* PPPoE session 0x42, PPP IPv4 */
	put16(frame + 12, 0x8864);
	frame[14] = 0x11;
	frame[15] = 0;
	put16(frame + 16, 0x42);
	put16(frame + 18, (uint16_t)(n - 14 + 2));
	put16(frame + 20, 0x0021);
	memcpy(frame + 22, inner + 14, n - 14);
	dec_run(&d, frame, n + 8, TW_LINK_ETHERNET);
	assert_inner(&d, DECAP_PPPOE);
	assert_int_equal(d.pv.tunnel.id, 0x42);
	dec_free(&d);
}

/* Disabled kinds stay in place and say so; nesting stops at max_depth. */
static void test_decap_config_and_depth(void **state)
{
	uint8_t inner[PB_MAX_FRAME], body[PB_MAX_FRAME], frame[PB_MAX_FRAME];
	uint8_t nested[PB_MAX_FRAME];
	uint32_t n = inner_frame(inner), len, len2;
	struct decap_config dc;
	struct dec d;

	(void)state;
	/* IPv4 in IPv4 inside GRE: two layers */
	len = outer_ipv4(frame, 4, inner + 14, n - 14);
	memset(body, 0, 4);
	put16(body + 2, 0x0800);
	memcpy(body + 4, frame + 14, len - 14);
	len2 = outer_ipv4(nested, 47, body, 4 + len - 14);
	dec_run(&d, nested, len2, TW_LINK_ETHERNET);
	assert_inner(&d, DECAP_GRE);
	assert_int_equal(d.pv.tunnel.depth, 2);
	assert_true(d.pv.tunnel.layers & (1u << DECAP_IPIP));
	dec_free(&d);

	decap_config_defaults(&dc);
	dc.max_depth = 1;
	decap_configure(&dc);
	dec_run(&d, nested, len2, TW_LINK_ETHERNET);
	assert_int_equal(d.rc, DECODE_OK);
	assert_int_equal(d.pv.proto, 4);       /* the IP-in-IP packet */
	assert_int_equal(d.pv.tunnel.depth, 1);
	assert_int_equal(d.pv.tunnel.left, DECAP_LEFT_TOO_DEEP);
	dec_free(&d);

	decap_config_defaults(&dc);
	dc.enabled &= ~(1u << DECAP_GRE);
	decap_configure(&dc);
	dec_run(&d, nested, len2, TW_LINK_ETHERNET);
	assert_int_equal(d.rc, DECODE_OK);
	assert_int_equal(d.pv.proto, 47);
	assert_int_equal(d.pv.tunnel.depth, 0);
	assert_int_equal(d.pv.tunnel.left, DECAP_LEFT_DISABLED);
	dec_free(&d);

	decap_config_defaults(&dc);
	decap_configure(&dc);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ethernet_tcp_fields),
		cmocka_unit_test(test_decap_vxlan_geneve),
		cmocka_unit_test(test_decap_gre_erspan),
		cmocka_unit_test(test_decap_mpls_pppoe),
		cmocka_unit_test(test_decap_config_and_depth),
		cmocka_unit_test(test_link_types),
		cmocka_unit_test(test_null_loop_families),
		cmocka_unit_test(test_unknown_link_and_not_ip),
		cmocka_unit_test(test_vlan_qinq),
		cmocka_unit_test(test_ipv4_options),
		cmocka_unit_test(test_ipv4_bad_header),
		cmocka_unit_test(test_ethernet_padding),
		cmocka_unit_test(test_truncation_every_length),
		cmocka_unit_test(test_truncation_reasons),
		cmocka_unit_test(test_tcp_bad_header),
		cmocka_unit_test(test_udp_length),
		cmocka_unit_test(test_ipv4_fragments),
		cmocka_unit_test(test_ipv6_ext_headers),
		cmocka_unit_test(test_ipv6_bad_chains),
		cmocka_unit_test(test_ipv6_fragments_and_jumbo),
		cmocka_unit_test(test_ipv4_zero_total_length),
		cmocka_unit_test(test_icmp_echo),
		cmocka_unit_test(test_other_protocol),
		cmocka_unit_test(test_mutation_fuzz),
		cmocka_unit_test(test_pair_hash),
		cmocka_unit_test(test_ip_addr),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
