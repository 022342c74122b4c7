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

	(void)state;
	assert_int_equal(ssh_mid_segment(&m, 0, tls, 40, 40, true), SSH_MID_NOT);
	memset(&m, 0, sizeof(m));
	assert_int_equal(ssh_mid_segment(&m, 0, text, 40, 40, true), SSH_MID_NOT);
	memset(&m, 0, sizeof(m));
	assert_int_equal(ssh_mid_segment(&m, 0, zeros, 40, 40, true), SSH_MID_NOT);
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
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
