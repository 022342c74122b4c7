/* SPDX-License-Identifier: BSD-3-Clause */
/* SSH told from segment sizes when picked up mid-stream (ssh_mid.c):
 * encrypted SSH-sized segments both ways make SSH after 12 (SSH port) or
 * 24 (elsewhere); TLS records, text, zero-filled binary and sizes that
 * are no multiple of 4 end the watch at once. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "analyzers/ssh/ssh_mid.h"

static uint64_t lcg_state = 42;

static uint8_t rnd(void)
{
	lcg_state = lcg_state * 6364136223846793005ull + 1442695040888963407ull;
	return (uint8_t)(lcg_state >> 56);
}

/* n encrypted-looking segments of the given sizes, alternating sides. */
static enum ssh_mid_verdict feed(struct ssh_mid *m, const uint32_t *sizes,
				 unsigned n, bool ssh_port, unsigned *at)
{
	uint8_t buf[64];
	enum ssh_mid_verdict v = SSH_MID_UNDECIDED;

	for (unsigned i = 0; i < n && v == SSH_MID_UNDECIDED; i++) {
		for (unsigned k = 0; k < sizeof(buf); k++)
			buf[k] = rnd();
		v = ssh_mid_segment(m, i & 1, buf,
				    sizes[i] < sizeof(buf) ? sizes[i] : sizeof(buf),
				    sizes[i], ssh_port);
		*at = i + 1;
	}
	return v;
}

static void test_keystrokes_on_port_22(void **state)
{
	/* chacha20-poly1305: 36-byte keystrokes and echoes, a 44 and a 28 */
	uint32_t sizes[40];
	struct ssh_mid m = { 0 };
	unsigned at = 0;

	(void)state;
	for (unsigned i = 0; i < 40; i++)
		sizes[i] = i % 7 == 6 ? 44 : i % 11 == 10 ? 28 : 36;
	assert_int_equal(feed(&m, sizes, 40, true, &at), SSH_MID_SSH);
	assert_int_equal(at, SSH_MID_NEED_PORT);
}

static void test_elsewhere_needs_more(void **state)
{
	uint32_t sizes[40];
	struct ssh_mid m = { 0 };
	unsigned at = 0;

	(void)state;
	for (unsigned i = 0; i < 40; i++)
		sizes[i] = 52 + 16 * (i % 3);   /* AES-GCM/ETM sizes */
	assert_int_equal(feed(&m, sizes, 40, false, &at), SSH_MID_SSH);
	assert_int_equal(at, SSH_MID_NEED_OTHER);
}

static void test_bulk_and_tail_are_neutral(void **state)
{
	/* a 1448-byte run and its odd tail say nothing */
	uint32_t sizes[] = { 36, 36, 1448, 1448, 1448, 1448, 517, 36, 36,
			     36, 36, 36, 36, 36, 36, 36, 36, 36, 36 };
	struct ssh_mid m = { 0 };
	unsigned at = 0;

	(void)state;
	/* sides alternate: the bulk and tail of each side are neutral */
	assert_int_equal(feed(&m, sizes, sizeof(sizes) / sizeof(sizes[0]), true,
			      &at), SSH_MID_SSH);
}

static void test_odd_size_is_not_ssh(void **state)
{
	uint32_t sizes[] = { 36, 36, 36, 37 };
	struct ssh_mid m = { 0 };
	unsigned at = 0;

	(void)state;
	assert_int_equal(feed(&m, sizes, 4, true, &at), SSH_MID_NOT);
	assert_int_equal(at, 4);
	/* final: later segments change nothing */
	assert_int_equal(feed(&m, sizes, 3, true, &at), SSH_MID_NOT);
}

static void test_one_side_only_is_undecided(void **state)
{
	uint8_t buf[64];
	struct ssh_mid m = { 0 };

	(void)state;
	for (unsigned i = 0; i < 30; i++) {
		for (unsigned k = 0; k < sizeof(buf); k++)
			buf[k] = rnd();
		assert_int_equal(ssh_mid_segment(&m, 0, buf, 36, 36, true),
				 SSH_MID_UNDECIDED);
	}
	assert_int_equal(ssh_mid_segment(&m, 1, buf, 36, 36, true),
			 SSH_MID_SSH);
}

static void test_tls_text_and_zeros_are_not_ssh(void **state)
{
	static const uint8_t tls[40] = { 0x17, 0x03, 0x03, 0x00, 0x23 };
	static const uint8_t text[40] = "{\"id\":4,\"method\":\"submit\",\"params\"";
	static const uint8_t zeros[40] = { 0x00, 0x00, 0x00, 0x24, 0x01 };
	struct ssh_mid m = { 0 };

	uint8_t enc[40];

	(void)state;
	for (unsigned k = 0; k < sizeof(enc); k++)
		enc[k] = rnd();
	assert_int_equal(ssh_mid_segment(&m, 0, tls, 40, 40, true), SSH_MID_NOT);
	/* text or zeros: a direction's first segment may be the end of a
	 * message begun before the pickup; a later one ends the watch */
	memset(&m, 0, sizeof(m));
	assert_int_equal(ssh_mid_segment(&m, 0, text, 40, 40, true),
			 SSH_MID_UNDECIDED);
	assert_int_equal(ssh_mid_segment(&m, 0, text, 40, 40, true), SSH_MID_NOT);
	memset(&m, 0, sizeof(m));
	assert_int_equal(ssh_mid_segment(&m, 0, enc, 40, 40, true),
			 SSH_MID_UNDECIDED);
	assert_int_equal(ssh_mid_segment(&m, 0, zeros, 40, 40, true), SSH_MID_NOT);
	memset(&m, 0, sizeof(m));
	assert_int_equal(ssh_mid_segment(&m, 1, zeros, 40, 40, true),
			 SSH_MID_UNDECIDED);
	assert_int_equal(ssh_mid_segment(&m, 1, zeros, 40, 40, true), SSH_MID_NOT);
}

/* ssh_reverse_operator.pcap (OpenSSH 9.2), the cleartext key exchange:
 * the client's KEXINIT (its first 48 of 1448 bytes), the tail of that
 * KEXINIT (name-lists), the server's ECDH reply start, NEWKEYS. */
static const uint8_t kexinit_c[48] = {
	0x00, 0x00, 0x06, 0x14, 0x08, 0x14, 0x89, 0xd9, 0xee, 0x28, 0x43, 0xd6,
	0x48, 0xc9, 0xb2, 0x61, 0xb6, 0xf7, 0x44, 0x91, 0xb5, 0xbd, 0x00, 0x00,
	0x01, 0x48, 's', 'n', 't', 'r', 'u', 'p', '7', '6', '1', 'x',
	'2', '5', '5', '1', '9', '-', 's', 'h', 'a', '5', '1', '2',
};
static const uint8_t kexinit_tail[48] =
	"ha2-256,hmac-sha2-512,hmac-sha1\0\0\0\x1anone,zlib@ope";
static const uint8_t ecdh_reply[24] = {
	0x00, 0x00, 0x04, 0xcc, 0x09, 0x1f, 0x00, 0x00, 0x00, 0x33, 0x00, 0x00,
	0x00, 0x0b, 's', 's', 'h', '-', 'e', 'd', '2', '5', '5', '1',
};
static const uint8_t newkeys[16] = { 0x00, 0x00, 0x00, 0x0c, 0x0a, 0x15 };

static void test_kex_packets(void **state)
{
	uint8_t bad[48];

	(void)state;
	assert_int_equal(ssh_mid_kex_packet(kexinit_c, 48), 20);
	assert_int_equal(ssh_mid_kex_packet(ecdh_reply, 24), 31);
	assert_int_equal(ssh_mid_kex_packet(newkeys, 16), 21);
	assert_int_equal(ssh_mid_kex_packet(kexinit_tail, 48), 0);
	assert_int_equal(ssh_mid_kex_packet(newkeys, 5), 0);
	/* KEXINIT without a name-list after the cookie */
	memcpy(bad, kexinit_c, sizeof(bad));
	bad[26] = 0xc3;
	assert_int_equal(ssh_mid_kex_packet(bad, 48), 0);
	/* length not a multiple of 8 with its own 4 bytes */
	memcpy(bad, newkeys, 16);
	bad[3] = 0x0d;
	assert_int_equal(ssh_mid_kex_packet(bad, 16), 0);
	/* NEWKEYS with another padding */
	memcpy(bad, newkeys, 16);
	bad[4] = 0x06;
	assert_int_equal(ssh_mid_kex_packet(bad, 16), 0);
	/* a message outside the key exchange (USERAUTH_REQUEST 50) */
	memcpy(bad, ecdh_reply, 24);
	bad[5] = 50;
	assert_int_equal(ssh_mid_kex_packet(bad, 24), 0);
}

/* Cut 8 packets into ssh_reverse_operator: the client's KEXINIT tail
 * (112 bytes of text) first, the server's KEXINIT (1088), the client's
 * sntrup761 init (1208), the server's reply (1448 + 116 with NEWKEYS and
 * EXT_INFO), then the client's NEWKEYS alone: SSH, the login next. */
static void test_picked_up_in_key_exchange(void **state)
{
	uint8_t tail116[48];
	struct ssh_mid m = { 0 };

	(void)state;
	for (unsigned k = 0; k < sizeof(tail116); k++)
		tail116[k] = rnd();
	assert_int_equal(ssh_mid_segment(&m, 0, kexinit_tail, 48, 112, true),
			 SSH_MID_UNDECIDED);
	assert_int_equal(ssh_mid_segment(&m, 1, kexinit_c, 48, 1088, true),
			 SSH_MID_UNDECIDED);
	assert_int_equal(ssh_mid_segment(&m, 0, kexinit_c, 48, 1208, true),
			 SSH_MID_UNDECIDED);
	assert_int_equal(ssh_mid_segment(&m, 1, ecdh_reply, 24, 1448, true),
			 SSH_MID_UNDECIDED);
	assert_int_equal(ssh_mid_segment(&m, 1, tail116, 48, 116, true),
			 SSH_MID_UNDECIDED);
	assert_int_equal(ssh_mid_segment(&m, 0, newkeys, 16, 16, true),
			 SSH_MID_SSH);
	assert_int_equal(m.newkeys, 1);
	/* a later text segment changes nothing: final */
	assert_int_equal(ssh_mid_segment(&m, 0, kexinit_tail, 48, 112, true),
			 SSH_MID_SSH);
	/* a short key exchange message counts as an SSH segment (no
	 * popcount: it is clear text), one longer than its segment makes
	 * the next segment of that side a tail */
	memset(&m, 0, sizeof(m));
	assert_int_equal(ssh_mid_segment(&m, 1, ecdh_reply, 24, 600, true),
			 SSH_MID_UNDECIDED);
	assert_int_equal(m.ok, 1);
	assert_int_equal(m.pop_bytes, 0);
	assert_int_equal(ssh_mid_segment(&m, 1, kexinit_tail, 48, 35, true),
			 SSH_MID_UNDECIDED);
	assert_int_equal(ssh_mid_segment(&m, 1, kexinit_tail, 48, 35, true),
			 SSH_MID_NOT);
}

static void test_low_popcount_is_not_ssh(void **state)
{
	/* sizes right, bytes not random (few bits set) but neither text
	 * nor mostly zeros */
	uint8_t buf[40];
	struct ssh_mid m = { 0 };
	enum ssh_mid_verdict v = SSH_MID_UNDECIDED;

	(void)state;
	for (unsigned k = 0; k < sizeof(buf); k++)
		buf[k] = (uint8_t)(0x80 | (k & 1) | ((k % 5) == 0 ? 2 : 0));
	for (unsigned i = 0; i < 20 && v == SSH_MID_UNDECIDED; i++)
		v = ssh_mid_segment(&m, i & 1, buf, 40, 40, true);
	assert_int_equal(v, SSH_MID_NOT);
}

static void test_headers_only_capture_is_not_ssh(void **state)
{
	struct ssh_mid m = { 0 };
	enum ssh_mid_verdict v = SSH_MID_UNDECIDED;

	(void)state;
	for (unsigned i = 0; i < 20 && v == SSH_MID_UNDECIDED; i++)
		v = ssh_mid_segment(&m, i & 1, NULL, 0, 36, true);
	assert_int_equal(v, SSH_MID_NOT);
}

/* hidden_ssh_websocket.pcap cut after 30 packets (websocat, SSH
 * inside): server frames unmasked (82 1c: 28 bytes), client frames
 * masked (82 c4: 68 bytes and a mask); the first 64 bytes of each. */
static const struct ws_seg { unsigned dir; uint32_t wire; uint8_t b[64]; } ws_ssh[] = {
	{ 1, 30, { 0x82, 0x1c, 0x10, 0x36, 0xb1, 0xb1, 0xf9, 0x29, 0x00, 0x8a, 0x33, 0xc0, 0x5f, 0x7f, 0xe6, 0xc5, 0xf9, 0xd2, 0x82, 0x69, 0x8c, 0xaa, 0xd8, 0xac, 0x24, 0x24, 0xeb, 0xa8, 0x3c, 0xab } },
	{ 0, 74, { 0x82, 0xc4, 0x41, 0xe3, 0x16, 0x5e, 0x66, 0x36, 0x72, 0x48, 0x60, 0xe3, 0x69, 0x83, 0xb7, 0x51, 0xb7, 0x4d, 0x04, 0x6d, 0xe9, 0x62, 0x37, 0xf7, 0x8b, 0x93, 0xfb, 0xdf, 0xbe, 0xa4, 0x17, 0x5e, 0xc9, 0x45, 0xdb, 0xdb, 0x6d, 0x85, 0xd7, 0xeb, 0xff, 0x9b, 0x9c, 0x37, 0x58, 0xf4, 0xb4, 0xcb, 0x06, 0x07, 0x5c, 0x26, 0x32, 0xbf, 0x53, 0x1a, 0xc1, 0xf5, 0xd3, 0x23, 0xf7, 0x6d, 0x02, 0x8d } },
	{ 0, 66, { 0x82, 0xbc, 0xb0, 0x4c, 0xfa, 0xa9, 0xb7, 0xc2, 0x33, 0xf4, 0xa5, 0x87, 0xd6, 0xbc, 0x4a, 0x79, 0x44, 0x1d, 0x9b, 0x4f, 0xf4, 0x90, 0xd4, 0x4f, 0x31, 0xf9, 0x26, 0x70, 0xc4, 0x40, 0x58, 0xcd, 0x91, 0x54, 0x0a, 0x80, 0x85, 0x49, 0xfc, 0x0a, 0x5b, 0x17, 0x9b, 0x5a, 0x04, 0x67, 0xbd, 0xa7, 0x7c, 0x8c, 0xc5, 0x9c, 0x12, 0xf8, 0x6e, 0x56, 0x1e, 0x1f, 0x33, 0xa4, 0x42, 0x56, 0xd2, 0xd1 } },
	{ 1, 30, { 0x82, 0x1c, 0x85, 0xc8, 0xbb, 0x99, 0xcf, 0x6f, 0x66, 0x6e, 0xc6, 0xfb, 0x1b, 0xb4, 0x6a, 0x07, 0x46, 0x01, 0xef, 0xf2, 0x0d, 0xd3, 0x89, 0x0b, 0xdf, 0x28, 0xe8, 0x13, 0xc9, 0xc8 } },
	{ 1, 94, { 0x82, 0x5c, 0xab, 0x62, 0xc4, 0xc4, 0x5f, 0xde, 0x51, 0x82, 0x21, 0x11, 0x39, 0x6c, 0x69, 0x02, 0x7a, 0x4c, 0x68, 0xa5, 0xd7, 0x9b, 0xe7, 0x59, 0x17, 0x0f, 0xb0, 0xba, 0xf6, 0xca, 0x0b, 0xed, 0xb3, 0x42, 0xa6, 0x99, 0x8f, 0x64, 0x3a, 0xde, 0xcd, 0xd8, 0xcd, 0xdd, 0xe9, 0xa3, 0x0e, 0xb8, 0xc0, 0x11, 0x9d, 0x97, 0x76, 0x76, 0x17, 0x92, 0x8b, 0xe6, 0x39, 0xa3, 0x6b, 0x86, 0xd0, 0x4a } },
	{ 0, 50, { 0x82, 0xac, 0xfa, 0x32, 0x1e, 0x11, 0xae, 0x66, 0x21, 0xf9, 0x8c, 0x54, 0x4a, 0xf5, 0x44, 0xc3, 0x0e, 0x8c, 0x62, 0xa8, 0xbd, 0x6e, 0x5c, 0xb1, 0x7e, 0x35, 0x32, 0x41, 0x6f, 0x5a, 0x3c, 0x0e, 0xb4, 0xe0, 0xcf, 0x4e, 0x99, 0x23, 0xb3, 0xcf, 0x53, 0xaa, 0x4e, 0x92, 0xac, 0x16, 0xbb, 0xe5, 0xf9, 0x32 } },
};

static enum ssh_mid_verdict ws_feed(struct ssh_mid *m, unsigned rounds)
{
	enum ssh_mid_verdict v = SSH_MID_UNDECIDED;
	unsigned n = sizeof(ws_ssh) / sizeof(ws_ssh[0]);

	for (unsigned i = 0; i < rounds * n && v == SSH_MID_UNDECIDED; i++) {
		const struct ws_seg *s = &ws_ssh[i % n];
		uint32_t cap = s->wire < 64 ? s->wire : 64;

		v = ssh_mid_segment(m, s->dir, s->b, cap, s->wire, false);
	}
	return v;
}

static void test_websocket_frames(void **state)
{
	struct ssh_mid m = { 0 };
	struct ws_seg raw;

	(void)state;
	/* the frames' payloads (28, 68, 60, 28, 92, 44) are SSH's sizes */
	assert_int_equal(ws_feed(&m, 1), SSH_MID_UNDECIDED);
	assert_int_equal(m.ws, SSH_MID_WS_FRAMED | SSH_MID_WS_MASK0);
	assert_int_equal(m.ok, 6);
	assert_int_equal(ws_feed(&m, 4), SSH_MID_SSH);
	assert_int_equal(m.ok, SSH_MID_NEED_OTHER);
	/* framed: a later raw segment is no frame, and ends the watch */
	memset(&m, 0, sizeof(m));
	assert_int_equal(ws_feed(&m, 1), SSH_MID_UNDECIDED);
	raw = ws_ssh[4];
	raw.b[0] = 0x5d;
	assert_int_equal(ssh_mid_segment(&m, 1, raw.b, 64, 92, false),
			 SSH_MID_NOT);
	/* masked the wrong way: the server's frames masked */
	memset(&m, 0, sizeof(m));
	assert_int_equal(ws_feed(&m, 1), SSH_MID_UNDECIDED);
	assert_int_equal(ssh_mid_segment(&m, 1, ws_ssh[1].b, 64, 74, false),
			 SSH_MID_NOT);
	/* a frame's payload that is no SSH size (27 of 29 bytes) */
	memset(&m, 0, sizeof(m));
	raw = ws_ssh[0];
	raw.b[1] = 0x1b;
	assert_int_equal(ssh_mid_segment(&m, 1, raw.b, 29, 29, false),
			 SSH_MID_UNDECIDED);   /* a direction's first: let go */
	assert_int_equal(ssh_mid_segment(&m, 1, raw.b, 29, 29, false),
			 SSH_MID_NOT);
}

/* benign_websocket_chat.pcap cut after 10 packets: text frames
 * compressed (permessage-deflate: c1, RSV1) of 9 to 20 bytes: no
 * frames for this rule, and no SSH sizes either */
static void test_websocket_chat_is_not_ssh(void **state)
{
	static const uint8_t c1[] = { 0xc1, 0x89, 0x41, 0x64, 0xc5, 0x54, 0x6b,
				      0xad, 0x8d, 0x98, 0x8a, 0x4a, 0x93, 0x50,
				      0x41 };
	static const uint8_t s1[] = { 0xc1, 0x0c, 0xca, 0xcf, 0x86, 0x49, 0x26,
				      0xe6, 0x65, 0x17, 0x2b, 0x6a, 0x02, 0x00 };
	static const uint8_t c2[] = { 0xc1, 0x84, 0xb9, 0x3a, 0x74, 0x49, 0x73,
				      0xf5, 0x72, 0x49 };
	struct ssh_mid m = { 0 };

	(void)state;
	assert_int_equal(ssh_mid_segment(&m, 0, c1, 15, 15, false),
			 SSH_MID_UNDECIDED);
	assert_int_equal(ssh_mid_segment(&m, 1, s1, 14, 14, false),
			 SSH_MID_UNDECIDED);
	assert_int_equal(ssh_mid_segment(&m, 0, c2, 10, 10, false),
			 SSH_MID_NOT);
	assert_int_equal(m.ws, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_keystrokes_on_port_22),
		cmocka_unit_test(test_elsewhere_needs_more),
		cmocka_unit_test(test_bulk_and_tail_are_neutral),
		cmocka_unit_test(test_odd_size_is_not_ssh),
		cmocka_unit_test(test_one_side_only_is_undecided),
		cmocka_unit_test(test_tls_text_and_zeros_are_not_ssh),
		cmocka_unit_test(test_low_popcount_is_not_ssh),
		cmocka_unit_test(test_headers_only_capture_is_not_ssh),
		cmocka_unit_test(test_kex_packets),
		cmocka_unit_test(test_picked_up_in_key_exchange),
		cmocka_unit_test(test_websocket_frames),
		cmocka_unit_test(test_websocket_chat_is_not_ssh),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
