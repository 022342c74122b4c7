/* SPDX-License-Identifier: BSD-3-Clause */
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

/* Rule M: (direction, record length) as recorded, the connection cut
 * after its handshakes (check_midstream's cuts); 0 client, 1 server. */
struct rec {
	uint8_t dir;
	uint16_t len;
};

static enum tin_mid_verdict feed_mid(struct tin_mid *m, const struct rec *r,
				     unsigned n, unsigned *at)
{
	enum tin_mid_verdict v = TIN_MID_UNDECIDED;
	bool fits;

	memset(m, 0, sizeof(*m));
	for (*at = 0; *at < n && v == TIN_MID_UNDECIDED; (*at)++)
		v = tin_mid_record(m, r[*at].dir, r[*at].len, &fits);
	return v;
}

/* hidden_ssh_in_tls cut after 30 packets (TLS 1.3, chacha20-poly1305
 * inside): every record 1 mod 4, the big ones (the nested session's
 * key exchange) skipped with the record after each */
static const struct rec tls13_ssh[] = {
	{ 0, 0x145 }, { 1, 0x2d }, { 0, 0x55 }, { 1, 0x121 }, { 0, 0x4d },
	{ 1, 0xad }, { 1, 0x2d }, { 1, 0x6d }, { 0, 0x3d }, { 1, 0x5d },
	{ 0, 0x5d }, { 1, 0x64d }, { 0, 0x475 }, { 1, 0x4ed }, { 0, 0x655 },
	{ 1, 0x45 }, { 1, 0x65 }, { 0, 0x65 }, { 1, 0x75 }, { 0, 0x65 },
	{ 1, 0xc5 }, { 0, 0x9d }, { 1, 0x16d }, { 0, 0x55 },
};

/* hidden_ssh_in_tls12 cut after 30 packets (TLS 1.2 AES-GCM: 24) */
static const struct rec tls12_ssh[] = {
	{ 1, 0x128 }, { 0, 0x54 }, { 1, 0xb4 }, { 1, 0x34 }, { 1, 0x74 },
	{ 0, 0x44 }, { 1, 0x64 }, { 0, 0x64 }, { 1, 0x654 }, { 0, 0x47c },
	{ 1, 0x4f4 }, { 0, 0x65c }, { 1, 0x4c }, { 1, 0x6c }, { 0, 0x6c },
	{ 1, 0x7c }, { 0, 0x6c }, { 1, 0xcc }, { 0, 0xa4 }, { 1, 0x174 },
	{ 0, 0x5c }, { 1, 0xac }, { 0, 0x14c }, { 0, 0x104 },
};

/* hidden_autossh_in_tls cut after 25 packets: the end of the login,
 * then autossh's keepalives (52 and 28 bytes inside, every 5 s) */
static const struct rec tls13_autossh[] = {
	{ 0, 0x3d }, { 1, 0x3d }, { 0, 0x4d }, { 1, 0x3d }, { 0, 0x9d },
	{ 1, 0x75 }, { 0, 0x145 }, { 1, 0x2d }, { 0, 0x91 }, { 1, 0x121 },
	{ 1, 0xc9 }, { 0, 0x45 }, { 1, 0x2d }, { 0, 0x45 }, { 1, 0x2d },
	{ 0, 0x45 }, { 1, 0x2d }, { 0, 0x45 }, { 1, 0x2d },
};

static void test_mid_ssh(void **state)
{
	struct tin_mid m;
	unsigned at;

	(void)state;
	assert_int_equal(feed_mid(&m, tls13_ssh, 24, &at), TIN_MID_SSH);
	assert_int_equal(m.residue, TIN_MID_TLS13);
	assert_int_equal(m.ok[0] + m.ok[1], TIN_MID_NEED);
	assert_int_equal(at, 22);   /* 16 fit, 4 bulk, 2 tails skipped */
	assert_int_equal(tin_mid_inner(&m, 0x3d), 44);
	assert_int_equal(feed_mid(&m, tls12_ssh, 24, &at), TIN_MID_SSH);
	assert_int_equal(m.residue, TIN_MID_TLS12);
	assert_int_equal(tin_mid_inner(&m, 0x34), 28);
	assert_int_equal(feed_mid(&m, tls13_autossh, 19, &at), TIN_MID_SSH);
	assert_int_equal(at, 16);
	/* final once decided */
	assert_int_equal(tin_mid_record(&m, 0, 3, &(bool){ 0 }), TIN_MID_SSH);
}

static void test_mid_not_ssh(void **state)
{
	/* benign_https_browsing cut after 10 packets: the server's first
	 * record (250, 2 mod 4) ends it */
	static const struct rec https[] = {
		{ 1, 0xfa }, { 1, 0xca }, { 0, 0x65 }, { 1, 0xcc },
	};
	/* HTTP/2 PINGs answered (9 + 8 bytes + 17): 34, 2 mod 4 */
	static const struct rec h2ping[] = { { 0, 34 }, { 1, 34 } };
	/* MQTT PINGREQ / PINGRESP in TLS 1.3: 2 + 17 */
	static const struct rec mqtt[] = { { 0, 19 }, { 1, 19 } };
	/* a TLS 1.2 record too short for an SSH packet under either AEAD */
	static const struct rec short12[] = { { 0, 0x44 }, { 1, 40 } };
	struct tin_mid m;
	struct rec mixed[24];
	unsigned at;

	(void)state;
	assert_int_equal(feed_mid(&m, https, 4, &at), TIN_MID_NOT);
	assert_int_equal(at, 1);
	assert_int_equal(feed_mid(&m, h2ping, 2, &at), TIN_MID_NOT);
	assert_int_equal(feed_mid(&m, mqtt, 2, &at), TIN_MID_NOT);
	assert_int_equal(feed_mid(&m, short12, 2, &at), TIN_MID_NOT);
	/* one overhead per flow: TLS 1.3's records then one 0 mod 4 */
	memcpy(mixed, tls13_ssh, 10 * sizeof(*mixed));
	mixed[10] = (struct rec){ 0, 0x54 };
	assert_int_equal(feed_mid(&m, mixed, 11, &at), TIN_MID_NOT);
	assert_int_equal(at, 11);
	/* one direction alone never decides */
	for (unsigned i = 0; i < 24; i++)
		mixed[i] = (struct rec){ 1, 0x45 };
	assert_int_equal(feed_mid(&m, mixed, 24, &at), TIN_MID_UNDECIDED);
	/* a bulk download is skipped until the cap: not SSH */
	memset(&m, 0, sizeof(m));
	for (unsigned i = 0; i < TIN_MID_MAX_RECORDS; i++)
		assert_int_equal(tin_mid_record(&m, 1, 16401, &(bool){ 0 }),
				 TIN_MID_UNDECIDED);
	assert_int_equal(tin_mid_record(&m, 1, 16401, &(bool){ 0 }),
			 TIN_MID_NOT);
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
		cmocka_unit_test(test_mid_ssh),
		cmocka_unit_test(test_mid_not_ssh),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
