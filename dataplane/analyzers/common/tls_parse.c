/* SPDX-License-Identifier: BSD-3-Clause */
/* Bounded TLS ClientHello parser: see tls_parse.h. The handshake bytes are
 * first joined from the records' fragments into a stack buffer (the hello
 * is rarely split over records, but nothing forbids it), then read by a
 * cursor whose every step is checked against what is there. */
#include "analyzers/common/tls_parse.h"

#include <string.h>

#define TLS_RECORD_HEADER 5
#define TLS_HANDSHAKE 22
#define TLS_CLIENT_HELLO 1

struct cur {
	const uint8_t *p;
	size_t len, off;
	bool short_input;   /* a read failed because the input stopped */
	bool whole;         /* len is the whole hello, not a cut of it */
};

static bool cur_take(struct cur *c, size_t n, const uint8_t **out)
{
	if (c->off > c->len || n > c->len - c->off) {
		c->short_input = true;
		return false;
	}
	*out = c->p + c->off;
	c->off += n;
	return true;
}

static bool cur_u8(struct cur *c, unsigned *v)
{
	const uint8_t *p;

	if (!cur_take(c, 1, &p))
		return false;
	*v = p[0];
	return true;
}

static bool cur_u16(struct cur *c, unsigned *v)
{
	const uint8_t *p;

	if (!cur_take(c, 2, &p))
		return false;
	*v = (unsigned)(p[0] << 8 | p[1]);
	return true;
}

static uint16_t rd16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

/* GREASE values (RFC 8701) are 0x?a?a with both bytes equal. */
static bool is_grease(uint16_t v)
{
	return (v & 0x0f0f) == 0x0a0a && (v >> 8) == (v & 0xff);
}

static void copy_printable(char *dst, size_t dstlen, const uint8_t *src,
			   size_t n)
{
	if (n >= dstlen)
		n = dstlen - 1;
	for (size_t i = 0; i < n; i++)
		dst[i] = (src[i] < 0x21 || src[i] > 0x7e) ? '?' : (char)src[i];
	dst[n] = '\0';
}

/* server_name (RFC 6066 3): list of <type, name>; the first host_name. */
static int ext_sni(const uint8_t *d, size_t n, struct tls_client_hello *ch)
{
	size_t pos = 2, list;

	if (n < 2)
		return TLS_ERR_FORMAT;
	list = rd16(d);
	if (list > n - 2)
		return TLS_ERR_FORMAT;
	while (pos + 3 <= 2 + list) {
		unsigned type = d[pos];
		size_t l = rd16(d + pos + 1);

		if (l > 2 + list - pos - 3)
			return TLS_ERR_FORMAT;
		if (type == 0 && !ch->has_sni) {
			copy_printable(ch->sni, sizeof(ch->sni), d + pos + 3, l);
			ch->sni_len = (uint16_t)strlen(ch->sni);
			ch->has_sni = true;
		}
		pos += 3 + l;
	}
	return TLS_OK;
}

/* application_layer_protocol_negotiation (RFC 7301 3.1). */
static int ext_alpn(const uint8_t *d, size_t n, struct tls_client_hello *ch)
{
	size_t pos = 2, list;

	if (n < 2)
		return TLS_ERR_FORMAT;
	list = rd16(d);
	if (list > n - 2)
		return TLS_ERR_FORMAT;
	while (pos < 2 + list) {
		size_t l = d[pos];

		if (l > 2 + list - pos - 1)
			return TLS_ERR_FORMAT;
		if (ch->n_alpn < TLS_ALPN_MAX && l > 0)
			copy_printable(ch->alpn[ch->n_alpn++], TLS_ALPN_LEN_MAX,
				       d + pos + 1, l);
		pos += 1 + l;
	}
	return TLS_OK;
}

/* supported_versions (RFC 8446 4.2.1), client form: 1-byte list length. */
static int ext_versions(const uint8_t *d, size_t n,
			struct tls_client_hello *ch)
{
	size_t list;

	if (n < 1)
		return TLS_ERR_FORMAT;
	list = d[0];
	if (list > n - 1 || list % 2)
		return TLS_ERR_FORMAT;
	for (size_t pos = 1; pos + 1 < 1 + list; pos += 2) {
		uint16_t v = rd16(d + pos);

		if (!is_grease(v) && v > ch->max_version)
			ch->max_version = v;
	}
	return TLS_OK;
}

static int extensions_read(struct cur *c, struct tls_client_hello *ch)
{
	unsigned total;
	size_t end;

	if (!cur_u16(c, &total))
		return TLS_NEED_MORE;
	end = c->off + total;
	while (c->off < end) {
		const uint8_t *d;
		unsigned type, n;
		int rc = TLS_OK;

		if (end - c->off < 4)
			return TLS_ERR_FORMAT;
		if (!cur_u16(c, &type) || !cur_u16(c, &n))
			return TLS_NEED_MORE;
		if (n > end - c->off)
			return TLS_ERR_FORMAT;
		if (!cur_take(c, n, &d))
			return TLS_NEED_MORE;
		ch->n_extensions++;
		if (type == TLS_EXT_SERVER_NAME)
			rc = ext_sni(d, n, ch);
		else if (type == TLS_EXT_ALPN)
			rc = ext_alpn(d, n, ch);
		else if (type == TLS_EXT_SUPPORTED_VERSIONS)
			rc = ext_versions(d, n, ch);
		else if (type == TLS_EXT_ECH)
			ch->has_ech = true;
		if (rc != TLS_OK)
			return rc;
	}
	return TLS_OK;
}

/* The ClientHello body (after the 4-byte handshake header). */
static int hello_body_read(struct cur *c, struct tls_client_hello *ch)
{
	const uint8_t *skip;
	unsigned v, n;

	if (!cur_u16(c, &v))
		return TLS_NEED_MORE;
	ch->legacy_version = (uint16_t)v;
	ch->max_version = (uint16_t)v;
	if (!cur_take(c, 32, &skip) || !cur_u8(c, &n) || !cur_take(c, n, &skip))
		return TLS_NEED_MORE;        /* random, session id */
	if (!cur_u16(c, &n))
		return TLS_NEED_MORE;
	if (n % 2)
		return TLS_ERR_FORMAT;
	ch->n_ciphers = (uint16_t)(n / 2);
	if (!cur_take(c, n, &skip) || !cur_u8(c, &n) || !cur_take(c, n, &skip))
		return TLS_NEED_MORE;        /* ciphers, compression methods */
	if (c->off == c->len && c->whole)
		return TLS_OK;               /* no extensions at all (old SSL) */
	return extensions_read(c, ch);
}

/* Joins handshake fragments of consecutive handshake records into buf
 * (at most cap bytes). Returns the bytes joined. */
static size_t records_join(const uint8_t *data, size_t len, uint8_t *buf,
			   size_t cap)
{
	size_t pos = 0, got = 0;

	while (pos + TLS_RECORD_HEADER <= len && got < cap) {
		size_t rl = rd16(data + pos + 3), take;

		if (data[pos] != TLS_HANDSHAKE)
			break;
		take = rl;
		if (take > len - pos - TLS_RECORD_HEADER)
			take = len - pos - TLS_RECORD_HEADER;
		if (take > cap - got)
			take = cap - got;
		memcpy(buf + got, data + pos + TLS_RECORD_HEADER, take);
		got += take;
		pos += TLS_RECORD_HEADER + rl;
	}
	return got;
}

/* Every field empty; the text buffers only get their first byte (they
 * are read up to sni_len and n_alpn). */
static void hello_clear(struct tls_client_hello *ch)
{
	ch->record_version = ch->legacy_version = ch->max_version = 0;
	ch->n_ciphers = ch->n_extensions = 0;
	ch->has_sni = ch->has_ech = false;
	ch->sni[0] = '\0';
	ch->sni_len = 0;
	ch->n_alpn = 0;
}

/* The first record alone gives what records_join would: the input ends
 * inside it, or it holds the whole hello. Then the hello is read where it
 * lies, without the copy. */
static bool first_record_enough(const uint8_t *data, size_t len)
{
	size_t rl = rd16(data + 3);
	size_t hs_len = (size_t)data[6] << 16 | (size_t)data[7] << 8 | data[8];

	return rl >= 4 && rl <= TLS_HELLO_MAX &&
	       (len - TLS_RECORD_HEADER <= rl || 4 + hs_len <= rl);
}

int tls_parse_client_hello(const uint8_t *data, size_t len,
			   struct tls_client_hello *ch, size_t *need)
{
	uint8_t buf[TLS_HELLO_MAX];
	const uint8_t *hs;
	size_t hs_len, joined, body;
	struct cur c;
	int rc;

	hello_clear(ch);
	if (need)
		*need = 0;
	if (len >= 1 && data[0] != TLS_HANDSHAKE)
		return TLS_NOT_TLS;
	if (len >= 2 && data[1] != 3)
		return TLS_NOT_TLS;
	if (len >= 3 && data[2] > 4)
		return TLS_NOT_TLS;
	if (len < TLS_RECORD_HEADER + 4) {
		if (need)
			*need = TLS_RECORD_HEADER + 4;
		return TLS_NEED_MORE;
	}
	ch->record_version = rd16(data + 1);
	if (data[TLS_RECORD_HEADER] != TLS_CLIENT_HELLO)
		return TLS_NOT_CLIENT_HELLO;
	if (first_record_enough(data, len)) {
		hs = data + TLS_RECORD_HEADER;
		joined = len - TLS_RECORD_HEADER < rd16(data + 3) ?
				 len - TLS_RECORD_HEADER : rd16(data + 3);
	} else {
		hs = buf;
		joined = records_join(data, len, buf, sizeof(buf));
	}
	if (joined < 4) {
		if (need)
			*need = len + 1;
		return TLS_NEED_MORE;
	}
	hs_len = (size_t)hs[1] << 16 | (size_t)hs[2] << 8 | hs[3];
	body = hs_len < sizeof(buf) - 4 ? hs_len : sizeof(buf) - 4;

	c = (struct cur){ .p = hs + 4, .len = joined - 4 < body ?
						joined - 4 : body,
			  .whole = joined - 4 >= body };
	rc = hello_body_read(&c, ch);
	if (rc == TLS_NEED_MORE && joined - 4 >= body)
		return TLS_ERR_FORMAT;  /* the hello said it was this long */
	if (rc == TLS_NEED_MORE && need) {
		/* one record holding the whole hello: the common case */
		size_t rl = rd16(data + 3);

		*need = 4 + hs_len > rl ? TLS_RECORD_HEADER + 4 + hs_len :
					  TLS_RECORD_HEADER + rl;
		if (*need <= len)
			*need = len + 1;  /* split over records: more follows */
	}
	return rc;
}
