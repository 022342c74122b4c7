/* SSH inside TLS from record sizes (tls_inner.c rules R1-R4): the
 * handshake shapes OpenSSH produces through socat/stunnel, and HTTPS
 * shapes that must not pass. Lengths are TLS record lengths. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "analyzers/tls_inner/tls_inner.h"

#define O13 TIN_OVERHEAD_13

static struct tin_records recs(const uint16_t *c, unsigned nc,
			       const uint16_t *s, unsigned ns)
{
	struct tin_records r;

	memset(&r, 0, sizeof(r));
	memcpy(r.len[0], c, nc * sizeof(*c));
	memcpy(r.len[1], s, ns * sizeof(*s));
	/* the server's records arrive first (test_client_does_not_wait
	 * sets its own order) */
	for (unsigned i = 0; i < TIN_RECORDS; i++) {
		r.order[1][i] = (uint8_t)i;
		r.order[0][i] = (uint8_t)(100 + i);
	}
	r.n[0] = (uint8_t)nc;
	r.n[1] = (uint8_t)ns;
	return r;
}

/* OpenSSH 9.2 client and server through socat's TLS 1.3, as recorded
 * in hidden_ssh_in_tls: banner 41, KEXINIT 1560/1088, sntrup761x25519
 * init 1208, reply + NEWKEYS + EXT_INFO 1564 (4 mod 8); two session
 * tickets from the server first. */
static const uint16_t ssh_c[] = { 41 + O13, 1560 + O13, 1208 + O13,
				  16 + O13, 44 + O13, 60 + O13 };
static const uint16_t ssh_s[] = { 233 + O13, 233 + O13, 41 + O13,
				  1088 + O13, 1564 + O13, 44 + O13 };

static void test_ssh_tls13(void **state)
{
	struct tin_records r = recs(ssh_c, 6, ssh_s, 6);
	struct tin_shape s;

	(void)state;
	assert_true(tin_ssh_handshake(&r, true, &s));
	assert_int_equal(s.client_banner, 41);
	assert_int_equal(s.server_banner, 41);
	assert_int_equal(s.client_kexinit, 1560);
	assert_int_equal(s.server_kex, 1564);
	assert_int_equal(s.tickets, 2);
	assert_int_equal(s.congruent, 4);
	assert_int_equal(s.merged, 0);
}

/* The server's banner and KEXINIT read at once: one record. */
static void test_ssh_merged(void **state)
{
	static const uint16_t s_merged[] = { 233 + O13, 41 + 1088 + O13,
					     1564 + O13, 44 + O13 };
	struct tin_records r = recs(ssh_c, 6, s_merged, 4);
	struct tin_shape s;

	(void)state;
	assert_true(tin_ssh_handshake(&r, true, &s));
	assert_int_equal(s.merged, 2);
	assert_int_equal(s.congruent, 3);
}

/* The client's banner and KEXINIT in one record: OpenSSH never writes
 * them together (it waits for the server's banner), HTTP requests may
 * look like it. */
static void test_client_merged_is_not_ssh(void **state)
{
	static const uint16_t c_merged[] = { 41 + 1560 + O13, 1208 + O13,
					     16 + O13, 44 + O13 };
	struct tin_records r = recs(c_merged, 4, ssh_s, 6);

	(void)state;
	assert_false(tin_ssh_handshake(&r, true, NULL));
}

/* The order of arrival as recorded: ticket, client banner, ticket,
 * server banner and KEXINIT, client KEXINIT ... passes; a client whose
 * KEXINIT does not wait for the server's banner (as an HTTP/2 client
 * sends its requests) does not. */
static void test_client_waits_for_banner(void **state)
{
	static const uint8_t oc[] = { 1, 5, 6, 8, 9, 11 };
	static const uint8_t os[] = { 0, 2, 3, 4, 7, 10 };
	struct tin_records r = recs(ssh_c, 6, ssh_s, 6);

	(void)state;
	memcpy(r.order[0], oc, sizeof(oc));
	memcpy(r.order[1], os, sizeof(os));
	assert_true(tin_ssh_handshake(&r, true, NULL));
	r.order[0][1] = 2;      /* the client's KEXINIT before the banner */
	r.order[1][1] = 1;
	r.order[1][2] = 3;
	assert_false(tin_ssh_handshake(&r, true, NULL));
}

/* TLS 1.2 (overhead unknown): the congruences are relative. */
static void test_ssh_tls12(void **state)
{
	uint16_t c[6], s[6];

	(void)state;
	for (unsigned i = 0; i < 6; i++) {
		c[i] = (uint16_t)(ssh_c[i] - O13 + 24);
		s[i] = (uint16_t)(ssh_s[i + 0] - O13 + 24);
	}
	/* no tickets in 1.2 */
	struct tin_records r = recs(c, 6, s + 2, 4);

	assert_true(tin_ssh_handshake(&r, false, NULL));
	/* one KEXINIT a byte off (not a multiple of 8): no */
	r.len[1][1]++;
	assert_false(tin_ssh_handshake(&r, false, NULL));
}

/* R4 alone refuses: sizes in the windows, lengths not multiples of 8. */
static void test_not_congruent(void **state)
{
	uint16_t c[6];
	struct tin_records r;

	(void)state;
	memcpy(c, ssh_c, sizeof(c));
	c[2] = (uint16_t)(c[2] + 3);
	r = recs(c, 6, ssh_s, 6);
	assert_false(tin_ssh_handshake(&r, true, NULL));
	/* the server's reply 2 mod 4: no */
	r = recs(ssh_c, 6, ssh_s, 6);
	r.len[1][4] = (uint16_t)(r.len[1][4] + 2);
	assert_false(tin_ssh_handshake(&r, true, NULL));
}

/* HTTPS shapes: a request and a 16 kB answer; HTTP/2's preface, a
 * SETTINGS answer then headers and data; too few records. */
static void test_https_shapes(void **state)
{
	static const uint16_t c1[] = { 90 + O13, 90 + O13, 90 + O13 };
	static const uint16_t s1[] = { 250 + O13, 250 + O13, 16384 + O13,
				       16384 + O13, 16384 + O13 };
	static const uint16_t c2[] = { 63 + O13, 412 + O13, 38 + O13,
				       26 + O13 };
	static const uint16_t s2[] = { 45 + O13, 9 + O13, 1377 + O13,
				       4096 + O13 };
	struct tin_records r;

	(void)state;
	r = recs(c1, 3, s1, 5);
	assert_false(tin_ssh_handshake(&r, true, NULL));
	r = recs(c2, 4, s2, 4);
	assert_false(tin_ssh_handshake(&r, true, NULL));
	r = recs(ssh_c, 2, ssh_s, 6);
	assert_false(tin_ssh_handshake(&r, true, NULL));
	/* the prefixes: SSH's may go on, HTTPS ends at its first records */
	for (unsigned n = 0; n <= 6; n++) {
		r = recs(ssh_c, n, ssh_s, n);
		assert_true(tin_may_be_ssh(&r, true));
	}
	r = recs(c1, 1, s1, 0);
	assert_true(tin_may_be_ssh(&r, true));   /* curl's GET: banner-sized */
	r = recs(c1, 2, s1, 3);
	assert_false(tin_may_be_ssh(&r, true));
	r = recs(c2, 0, s2, 1);
	assert_true(tin_may_be_ssh(&r, true));   /* SETTINGS: banner-sized */
	r = recs(c2, 0, s2, 2);
	assert_false(tin_may_be_ssh(&r, true));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ssh_tls13),
		cmocka_unit_test(test_ssh_merged),
		cmocka_unit_test(test_client_merged_is_not_ssh),
		cmocka_unit_test(test_client_waits_for_banner),
		cmocka_unit_test(test_ssh_tls12),
		cmocka_unit_test(test_not_congruent),
		cmocka_unit_test(test_https_shapes),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
