/* SPDX-License-Identifier: BSD-3-Clause */
/* SSH wire parser: banners, binary packets up to NEWKEYS, KEXINIT split
 * at every byte, truncated / oversized / garbage input, HASSH against
 * MD5s computed independently (Python hashlib), algorithm negotiation. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "analyzers/ssh/ssh_wire.h"
#include "ssh_build.h"

#define BUF_MAX 4096

static uint32_t msg_packet(uint8_t *out, uint8_t msg)
{
	return ssh_packet(out, &msg, 1);
}

/* Banner, KEXINIT, ECDH_INIT (30), NEWKEYS, then "encrypted" bytes. */
static uint32_t client_stream(uint8_t *out)
{
	static const char banner[] = "SSH-2.0-OpenSSH_9.2p1 Debian-2\r\n";
	uint8_t payload[BUF_MAX];
	uint32_t n = (uint32_t)strlen(banner);

	memcpy(out, banner, n);
	n += ssh_packet(out + n, payload,
			ssh_kexinit_payload(payload, ssh_client_lists));
	n += msg_packet(out + n, SSH_MSG_KEX_30);
	n += msg_packet(out + n, SSH_MSG_NEWKEYS);
	memset(out + n, 0xff, 40);   /* not parsed: after NEWKEYS */
	return n + 40;
}

struct run {
	struct ssh_dir_parser p;
	uint8_t kex[BUF_MAX];
	unsigned ev;
};

static void feed_chunks(struct run *r, const uint8_t *data, uint32_t len,
			uint32_t chunk, uint32_t cap)
{
	struct ssh_kex_buf kb = { r->kex, cap };

	memset(&r->p, 0, sizeof(r->p));
	r->ev = 0;
	for (uint32_t off = 0; off < len; off += chunk) {
		uint32_t n = len - off < chunk ? len - off : chunk;

		r->ev |= ssh_dir_feed(&r->p, &kb, data + off, n);
	}
}

static void expect_client_run(const struct run *r)
{
	struct ssh_kexinit k;
	uint8_t md5[16];
	char hex[33], str[512];

	assert_int_equal(r->ev, SSH_EV_BANNER | SSH_EV_KEXINIT |
					SSH_EV_KEX_CLIENT | SSH_EV_NEWKEYS);
	assert_int_equal(r->p.phase, SSH_PH_ENCRYPTED);
	assert_string_equal(r->p.software, "OpenSSH_9.2p1");
	assert_int_equal(r->p.proto_major, 2);
	assert_int_equal(r->p.packets, 3);
	assert_int_equal(ssh_kexinit_parse(r->kex, r->p.kex_len, &k), 0);
	assert_int_equal(ssh_hassh(&k, false, md5, str, sizeof(str)), 0);
	ssh_md5_hex(md5, hex);
	assert_string_equal(hex, SSH_CLIENT_HASSH);
	assert_string_equal(str, "curve25519-sha256,diffie-hellman-group14-sha256;"
			    "chacha20-poly1305@openssh.com,aes128-ctr;"
			    "hmac-sha2-256,umac-64@openssh.com;"
			    "none,zlib@openssh.com");
	assert_int_equal(ssh_hassh(&k, true, md5, NULL, 0), 0);
	ssh_md5_hex(md5, hex);
	assert_string_equal(hex, SSH_SERVER_HASSH);
}

static void test_whole_stream(void **state)
{
	uint8_t s[BUF_MAX];
	uint32_t n = client_stream(s);
	struct run r;

	(void)state;
	feed_chunks(&r, s, n, n, BUF_MAX);
	expect_client_run(&r);
}

/* Every chunk size, 1 byte upwards: banner, header and KEXINIT body
 * straddle segment boundaries at every position. */
static void test_split_everywhere(void **state)
{
	uint8_t s[BUF_MAX];
	uint32_t n = client_stream(s);
	static struct run r;

	(void)state;
	for (uint32_t chunk = 1; chunk <= 64; chunk++) {
		feed_chunks(&r, s, n, chunk, BUF_MAX);
		expect_client_run(&r);
	}
	/* two segments, split at every offset */
	for (uint32_t cut = 1; cut < n; cut++) {
		struct ssh_kex_buf kb = { r.kex, BUF_MAX };

		memset(&r.p, 0, sizeof(r.p));
		r.ev = ssh_dir_feed(&r.p, &kb, s, cut);
		r.ev |= ssh_dir_feed(&r.p, &kb, s + cut, n - cut);
		expect_client_run(&r);
	}
}

static void test_server_lines_before_banner(void **state)
{
	static const char s[] = "Welcome\r\nplease behave\r\n"
				"SSH-1.99-Cisco-1.25\r\n";
	struct ssh_dir_parser p;

	(void)state;
	memset(&p, 0, sizeof(p));
	assert_int_equal(ssh_dir_feed(&p, NULL, (const uint8_t *)s,
				      (uint32_t)strlen(s)), SSH_EV_BANNER);
	assert_string_equal(p.software, "Cisco-1.25");
	assert_int_equal(p.proto_major, 2);
	assert_int_equal(p.phase, SSH_PH_PACKETS);
}

static unsigned feed_text(struct ssh_dir_parser *p, const char *s, size_t n)
{
	memset(p, 0, sizeof(*p));
	return ssh_dir_feed(p, NULL, (const uint8_t *)s, (uint32_t)n);
}

static void test_bad_banners(void **state)
{
	struct ssh_dir_parser p;
	char longline[400];

	(void)state;
	/* SSH-1 is not parsed */
	assert_int_equal(feed_text(&p, "SSH-1.5-old\r\n", 13), SSH_EV_ERROR);
	assert_int_equal(p.phase, SSH_PH_DEAD);
	/* oversized identification line */
	memset(longline, 'a', sizeof(longline));
	memcpy(longline, "SSH-2.0-", 8);
	assert_int_equal(feed_text(&p, longline, sizeof(longline)),
			 SSH_EV_ERROR);
	/* endless lines before any banner */
	memset(&p, 0, sizeof(p));
	for (int i = 0; i < SSH_PREBANNER_MAX && p.phase != SSH_PH_DEAD; i++)
		ssh_dir_feed(&p, NULL, (const uint8_t *)"x\n", 2);
	assert_int_equal(p.phase, SSH_PH_DEAD);
	/* garbage packet length after a good banner */
	assert_int_equal(feed_text(&p, "SSH-2.0-x\r\n\xff\xff\xff\xff\x04\x14",
				   17), SSH_EV_BANNER | SSH_EV_ERROR);
	/* padding longer than the packet */
	assert_int_equal(feed_text(&p, "SSH-2.0-x\n\x00\x00\x00\x0c\x20\x14",
				   16), SSH_EV_BANNER | SSH_EV_ERROR);
}

/* A KEXINIT larger than the lent buffer is skipped, not overrun, and the
 * parser still reaches NEWKEYS. */
static void test_kexinit_larger_than_buffer(void **state)
{
	uint8_t s[BUF_MAX];
	uint32_t n = client_stream(s);
	static struct run r;

	(void)state;
	memset(r.kex, 0x5a, sizeof(r.kex));
	feed_chunks(&r, s, n, 7, 64);
	assert_int_equal(r.ev, SSH_EV_BANNER | SSH_EV_KEX_CLIENT |
				       SSH_EV_NEWKEYS);
	for (size_t i = 64; i < sizeof(r.kex); i++)
		assert_int_equal(r.kex[i], 0x5a);
	/* no buffer at all */
	memset(&r.p, 0, sizeof(r.p));
	assert_int_equal(ssh_dir_feed(&r.p, NULL, s, n),
			 SSH_EV_BANNER | SSH_EV_KEX_CLIENT | SSH_EV_NEWKEYS);
}

static void test_server_messages(void **state)
{
	uint8_t s[256];
	uint32_t n = 0;
	struct ssh_dir_parser p;

	(void)state;
	memcpy(s, "SSH-2.0-srv\r\n", 13);
	n = 13;
	n += msg_packet(s + n, SSH_MSG_KEX_31);
	n += msg_packet(s + n, SSH_MSG_NEWKEYS);
	memset(&p, 0, sizeof(p));
	assert_int_equal(ssh_dir_feed(&p, NULL, s, n),
			 SSH_EV_BANNER | SSH_EV_KEX_SERVER | SSH_EV_NEWKEYS);
	/* GEX reply */
	n = 13 + msg_packet(s + 13, SSH_MSG_KEX_33);
	memset(&p, 0, sizeof(p));
	assert_int_equal(ssh_dir_feed(&p, NULL, s, n),
			 SSH_EV_BANNER | SSH_EV_KEX_SERVER);
}

static void test_kexinit_truncated_and_garbage(void **state)
{
	uint8_t pl[BUF_MAX];
	uint32_t n = ssh_kexinit_payload(pl, ssh_client_lists);
	struct ssh_kexinit k;

	(void)state;
	assert_int_equal(ssh_kexinit_parse(pl, n, &k), 0);
	assert_int_equal(k.len[SSH_L_LANG_C2S], 0);
	for (uint32_t cut = 0; cut < n; cut++)
		assert_int_equal(ssh_kexinit_parse(pl, cut, &k), -1);
	/* a list length pointing past the end */
	ssh_put32(pl + 17, 0x7fffffff);
	assert_int_equal(ssh_kexinit_parse(pl, n, &k), -1);
	/* control bytes inside a name-list */
	n = ssh_kexinit_payload(pl, ssh_client_lists);
	pl[17 + 4 + 3] = '\n';
	assert_int_equal(ssh_kexinit_parse(pl, n, &k), -1);
	/* not a KEXINIT */
	n = ssh_kexinit_payload(pl, ssh_client_lists);
	pl[0] = 21;
	assert_int_equal(ssh_kexinit_parse(pl, n, &k), -1);
}

static void test_negotiate(void **state)
{
	static const char *const server_lists[SSH_L_COUNT] = {
		"curve25519-sha256", "ssh-ed25519",
		"aes128-ctr,chacha20-poly1305@openssh.com", "aes128-ctr",
		"umac-64@openssh.com", "hmac-sha2-512", "none", "none", "", "",
	};
	uint8_t cp[BUF_MAX], sp[BUF_MAX];
	struct ssh_kexinit c, s;
	char out[64];

	(void)state;
	assert_int_equal(ssh_kexinit_parse(cp, ssh_kexinit_payload(cp, ssh_client_lists),
					   &c), 0);
	assert_int_equal(ssh_kexinit_parse(sp, ssh_kexinit_payload(sp, server_lists),
					   &s), 0);
	/* the client's order decides */
	assert_true(ssh_negotiate(&c, &s, SSH_L_ENC_C2S, out, sizeof(out)));
	assert_string_equal(out, "chacha20-poly1305@openssh.com");
	assert_true(ssh_negotiate(&c, &s, SSH_L_MAC_C2S, out, sizeof(out)));
	assert_string_equal(out, "umac-64@openssh.com");
	/* a prefix of a name is no match */
	assert_false(ssh_negotiate(&c, &s, SSH_L_LANG_C2S, out, sizeof(out)));
	assert_string_equal(out, "");
	/* a match longer than out is cut, not overrun */
	assert_true(ssh_negotiate(&s, &c, SSH_L_HOSTKEY, out, 4));
	assert_string_equal(out, "ssh");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_whole_stream),
		cmocka_unit_test(test_split_everywhere),
		cmocka_unit_test(test_server_lines_before_banner),
		cmocka_unit_test(test_bad_banners),
		cmocka_unit_test(test_kexinit_larger_than_buffer),
		cmocka_unit_test(test_server_messages),
		cmocka_unit_test(test_kexinit_truncated_and_garbage),
		cmocka_unit_test(test_negotiate),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
