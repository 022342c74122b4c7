/* SPDX-License-Identifier: BSD-3-Clause */
/* SSH wire parsing before encryption: identification string, binary
 * packet framing up to NEWKEYS, KEXINIT name-lists, HASSH and the
 * negotiated algorithms. Byte-at-a-time where a field may straddle two
 * segments (banner, packet header), bulk where it cannot matter (packet
 * bodies), so the cost is a few operations per inspected byte. */
#include "analyzers/ssh/ssh_wire.h"

#include <openssl/evp.h>
#include <stdio.h>
#include <string.h>

/* Banner-phase field index, kept in p->msg while no packet is read. */
enum { BF_PREFIX = 0, BF_PROTO, BF_SOFTWARE, BF_COMMENT };

static uint32_t be32(const uint8_t *b)
{
	return (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 |
	       (uint32_t)b[2] << 8 | b[3];
}

static unsigned parser_fail(struct ssh_dir_parser *p)
{
	p->phase = SSH_PH_DEAD;
	return SSH_EV_ERROR;
}

/* ---- identification string ---- */

static void banner_line_reset(struct ssh_dir_parser *p)
{
	p->line_len = 0;
	p->is_banner_line = 0;
	p->msg = BF_PREFIX;
	p->hdr_have = 0;
}

/* The protocol version gathered in p->hdr: "2.0" or "1.99" speak SSH-2;
 * anything else (1.5, garbage) is not parsed further. */
static bool banner_proto_ok(struct ssh_dir_parser *p)
{
	if (p->hdr_have == 3 && memcmp(p->hdr, "2.0", 3) == 0) {
		p->proto_major = 2;
		return true;
	}
	if (p->hdr_have == 4 && memcmp(p->hdr, "1.99", 4) == 0) {
		p->proto_major = 2;
		return true;
	}
	p->proto_major = 1;
	return false;
}

static void banner_field_byte(struct ssh_dir_parser *p, uint8_t c)
{
	size_t sw;

	switch (p->msg) {
	case BF_PROTO:
		if (c == '-')
			p->msg = BF_SOFTWARE;
		else if (p->hdr_have < sizeof(p->hdr))
			p->hdr[p->hdr_have++] = c;
		else
			p->hdr_have = sizeof(p->hdr); /* too long: refused */
		break;
	case BF_SOFTWARE:
		if (c == ' ' || c == '\r') {
			p->msg = BF_COMMENT;
			break;
		}
		sw = strnlen(p->software, sizeof(p->software));
		if (sw + 1 < sizeof(p->software) && c >= 0x21 && c < 0x7f) {
			p->software[sw] = (char)c;
			p->software[sw + 1] = '\0';
		}
		break;
	default:
		break;
	}
}

/* One byte of the banner phase: 0, SSH_EV_BANNER or an error. */
static unsigned banner_byte(struct ssh_dir_parser *p, uint8_t c)
{
	if (c == '\n') {
		if (p->is_banner_line) {
			if (!banner_proto_ok(p))
				return parser_fail(p);
			p->phase = SSH_PH_PACKETS;
			p->hdr_have = 0;
			p->msg = 0;
			return SSH_EV_BANNER;
		}
		p->prebanner = (uint16_t)(p->prebanner + p->line_len + 1);
		if (p->prebanner > SSH_PREBANNER_MAX)
			return parser_fail(p);
		banner_line_reset(p);
		return 0;
	}
	if (++p->line_len > SSH_BANNER_MAX)
		return parser_fail(p);
	if (p->line_len <= 4) {
		if (p->line_len == 1)
			p->is_banner_line = c == 'S';
		else if (c != "SSH-"[p->line_len - 1])
			p->is_banner_line = 0;
		if (p->line_len == 4 && p->is_banner_line)
			p->msg = BF_PROTO;
		if (!p->is_banner_line && p->no_prebanner)
			return parser_fail(p);
		return 0;
	}
	if (p->is_banner_line)
		banner_field_byte(p, c);
	return 0;
}

/* ---- binary packets ---- */

static unsigned packet_end(struct ssh_dir_parser *p)
{
	unsigned ev = 0;

	p->hdr_have = 0;
	if (p->packets < UINT32_MAX)
		p->packets++;
	switch (p->msg) {
	case SSH_MSG_KEXINIT:
		if (p->kex_len > 0 && p->kex_have == p->kex_len)
			ev |= SSH_EV_KEXINIT;
		break;
	case SSH_MSG_NEWKEYS:
		p->phase = SSH_PH_ENCRYPTED;
		ev |= SSH_EV_NEWKEYS;
		break;
	case SSH_MSG_KEX_30:
	case SSH_MSG_KEX_32:
	case SSH_MSG_KEX_34:
		ev |= SSH_EV_KEX_CLIENT;
		break;
	case SSH_MSG_KEX_31:
	case SSH_MSG_KEX_33:
		ev |= SSH_EV_KEX_SERVER;
		break;
	default:
		break;
	}
	return ev;
}

/* The 6-byte header is complete: validate it and set up the body. */
static unsigned packet_header_done(struct ssh_dir_parser *p,
				   const struct ssh_kex_buf *kb)
{
	uint32_t plen = be32(p->hdr);
	uint32_t pad = p->hdr[4];

	if (plen > SSH_PACKET_MAX || plen < pad + 2)
		return parser_fail(p);
	p->msg = p->hdr[5];
	p->body_left = plen - 2;
	if (p->msg == SSH_MSG_KEXINIT && p->kex_len == 0 && kb && kb->data &&
	    plen - pad - 1 <= kb->cap) {
		p->kex_len = plen - pad - 1;
		kb->data[0] = SSH_MSG_KEXINIT;
		p->kex_have = 1;
	}
	return p->body_left == 0 ? packet_end(p) : 0;
}

/* Copies what belongs to the KEXINIT payload from a body chunk. */
static void kexinit_copy(struct ssh_dir_parser *p, const struct ssh_kex_buf *kb,
			 const uint8_t *data, uint32_t n)
{
	uint32_t want;

	if (p->msg != SSH_MSG_KEXINIT || !kb || !kb->data ||
	    p->kex_have >= p->kex_len)
		return;
	want = p->kex_len - p->kex_have;
	if (n > want)
		n = want;
	memcpy(kb->data + p->kex_have, data, n);
	p->kex_have += n;
}

unsigned ssh_dir_feed(struct ssh_dir_parser *p, const struct ssh_kex_buf *kb,
		      const uint8_t *data, uint32_t len)
{
	unsigned ev = 0;
	uint32_t i = 0;

	while (i < len && p->phase < SSH_PH_ENCRYPTED) {
		if (p->phase == SSH_PH_BANNER) {
			ev |= banner_byte(p, data[i++]);
		} else if (p->body_left == 0) {
			p->hdr[p->hdr_have++] = data[i++];
			if (p->hdr_have == sizeof(p->hdr))
				ev |= packet_header_done(p, kb);
		} else {
			uint32_t n = len - i < p->body_left ? len - i :
							     p->body_left;

			kexinit_copy(p, kb, data + i, n);
			p->body_left -= n;
			i += n;
			if (p->body_left == 0)
				ev |= packet_end(p);
		}
	}
	return ev;
}

/* ---- KEXINIT ---- */

static bool name_list_ok(const uint8_t *s, uint32_t len)
{
	for (uint32_t i = 0; i < len; i++)
		if (s[i] < 0x21 || s[i] > 0x7e)
			return false;
	return true;
}

int ssh_kexinit_parse(const uint8_t *payload, uint32_t len,
		      struct ssh_kexinit *k)
{
	uint32_t off = 17; /* type byte, 16-byte cookie */

	if (len < off || payload[0] != SSH_MSG_KEXINIT)
		return -1;
	for (int i = 0; i < SSH_L_COUNT; i++) {
		uint32_t n;

		if (len - off < 4)
			return -1;
		n = be32(payload + off);
		off += 4;
		if (n > len - off || !name_list_ok(payload + off, n))
			return -1;
		k->list[i] = (const char *)payload + off;
		k->len[i] = n;
		off += n;
	}
	/* first_kex_packet_follows (1) and reserved (4) */
	return len - off >= 5 ? 0 : -1;
}

int ssh_hassh(const struct ssh_kexinit *k, bool server, uint8_t md5[16],
	      char *str, size_t str_len)
{
	static const enum ssh_list cli[] = { SSH_L_KEX, SSH_L_ENC_C2S,
					     SSH_L_MAC_C2S, SSH_L_CMP_C2S };
	static const enum ssh_list srv[] = { SSH_L_KEX, SSH_L_ENC_S2C,
					     SSH_L_MAC_S2C, SSH_L_CMP_S2C };
	const enum ssh_list *which = server ? srv : cli;
	char buf[SSH_HASSH_MAX];
	unsigned int md_len = 0;
	size_t n = 0;

	for (int i = 0; i < 4; i++) {
		uint32_t l = k->len[which[i]];

		if (n + l + 1 > sizeof(buf))
			return -1;
		if (i > 0)
			buf[n++] = ';';
		memcpy(buf + n, k->list[which[i]], l);
		n += l;
	}
	if (!EVP_Digest(buf, n, md5, &md_len, EVP_md5(), NULL) || md_len != 16)
		return -1;
	if (str && str_len > 0)
		snprintf(str, str_len, "%.*s", (int)n, buf);
	return 0;
}

void ssh_md5_hex(const uint8_t md5[16], char out[33])
{
	static const char hex[] = "0123456789abcdef";

	for (int i = 0; i < 16; i++) {
		out[2 * i] = hex[md5[i] >> 4];
		out[2 * i + 1] = hex[md5[i] & 15];
	}
	out[32] = '\0';
}

static bool list_has(const char *list, uint32_t len, const char *name,
		     uint32_t name_len)
{
	uint32_t i = 0;

	while (i < len) {
		const char *comma = memchr(list + i, ',', len - i);
		uint32_t end = comma ? (uint32_t)(comma - list) : len;

		if (end - i == name_len && memcmp(list + i, name, name_len) == 0)
			return true;
		i = end + 1;
	}
	return false;
}

bool ssh_negotiate(const struct ssh_kexinit *client,
		   const struct ssh_kexinit *server, enum ssh_list which,
		   char *out, size_t out_len)
{
	const char *l = client->list[which];
	uint32_t len = client->len[which], i = 0;

	if (out_len > 0)
		out[0] = '\0';
	while (i < len) {
		const char *comma = memchr(l + i, ',', len - i);
		uint32_t end = comma ? (uint32_t)(comma - l) : len;

		if (end > i && list_has(server->list[which],
					server->len[which], l + i, end - i)) {
			snprintf(out, out_len, "%.*s", (int)(end - i), l + i);
			return true;
		}
		i = end + 1;
	}
	return false;
}
