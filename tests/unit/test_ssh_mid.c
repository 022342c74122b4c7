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
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
