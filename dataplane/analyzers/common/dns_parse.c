/* SPDX-License-Identifier: BSD-3-Clause */
/* Bounded DNS message parser: see dns_parse.h for the guarantees. Every
 * read goes through need(), so no field is read past len; names are
 * decoded by one loop that follows only backward compression pointers and
 * at most DNS_MAX_POINTERS of them. */
#include "analyzers/common/dns_parse.h"

#include <arpa/inet.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

static bool need(size_t len, size_t off, size_t n)
{
	return off <= len && n <= len - off;
}

static uint16_t rd16(const uint8_t *p)
{
	return (uint16_t)((p[0] << 8) | p[1]);
}

static uint32_t rd32(const uint8_t *p)
{
	return ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) |
	       ((uint32_t)p[2] << 8) | p[3];
}

/* A label byte as the text shows it: '.' and bytes outside 0x21-0x7e
 * become '?'. A table: names are copied byte by byte, three analyzers
 * read each DNS message's question. */
#define NAME_CHAR(c) \
	(char)(((c) < 0x21 || (c) > 0x7e || (c) == '.') ? '?' : (c))
#define NAME_CHAR4(c) NAME_CHAR(c), NAME_CHAR((c) + 1), \
	NAME_CHAR((c) + 2), NAME_CHAR((c) + 3)
#define NAME_CHAR16(c) NAME_CHAR4(c), NAME_CHAR4((c) + 4), \
	NAME_CHAR4((c) + 8), NAME_CHAR4((c) + 12)
#define NAME_CHAR64(c) NAME_CHAR16(c), NAME_CHAR16((c) + 16), \
	NAME_CHAR16((c) + 32), NAME_CHAR16((c) + 48)

static const char name_char[256] = {
	NAME_CHAR64(0), NAME_CHAR64(64), NAME_CHAR64(128), NAME_CHAR64(192),
};

/* A name's text being built: kept in locals (the compiler holds them in
 * registers) and stored once at the end, rather than through the struct
 * per byte. */
struct name_text {
	char *text;                  /* NULL: the name is only checked */
	unsigned len, labels, longest;
};

/* Appends one label to the text form; the wire-length bound (255) keeps
 * the text inside DNS_NAME_TEXT_MAX. */
static void name_append_label(struct name_text *t, const uint8_t *label,
			      unsigned n)
{
	char *o;

	if (n > t->longest)
		t->longest = n;
	if (!t->text) {
		t->labels++;
		return;
	}
	o = t->text + t->len;
	if (t->labels++ > 0)
		*o++ = '.';
	for (unsigned i = 0; i < n; i++)
		o[i] = name_char[label[i]];
	t->len = (unsigned)(o + n - t->text);
}

static void name_text_store(const struct name_text *t, struct dns_name *out)
{
	if (!out)
		return;
	out->text[t->len] = '\0';
	out->len = (uint16_t)t->len;
	out->labels = (uint8_t)t->labels;
	out->longest_label = (uint8_t)t->longest;
}

/* The labels of the name at off into t; *next = the offset after its
 * wire form (after the first pointer when compressed). */
static int walk_labels(const uint8_t *msg, size_t len, size_t off,
		       struct name_text *t, size_t *next)
{
	unsigned wire = 0, pointers = 0;
	size_t pos = off, after = 0;
	bool jumped = false;

	for (;;) {
		uint8_t b;

		if (!need(len, pos, 1))
			return DNS_ERR_TRUNCATED;
		b = msg[pos];
		if ((b & 0xc0) == 0xc0) {
			size_t target;

			if (!need(len, pos, 2))
				return DNS_ERR_TRUNCATED;
			target = (size_t)(rd16(msg + pos) & 0x3fff);
			/* Backward only: with the bounded count this ends
			 * every loop, self-pointers included. */
			if (target >= pos || ++pointers > DNS_MAX_POINTERS)
				return DNS_ERR_LOOP;
			if (!jumped)
				after = pos + 2;
			jumped = true;
			pos = target;
			continue;
		}
		if (b & 0xc0)           /* 0x40, 0x80: extended label types */
			return DNS_ERR_LABEL;
		wire += 1u + b;
		if (wire > DNS_NAME_WIRE_MAX)
			return DNS_ERR_NAME_TOO_LONG;
		if (b == 0) {
			if (!jumped)
				after = pos + 1;
			break;
		}
		if (!need(len, pos + 1, b))
			return DNS_ERR_TRUNCATED;
		name_append_label(t, msg + pos + 1, b);
		pos += 1u + b;
	}
	if (next)
		*next = after;
	return DNS_OK;
}

/* dns_read_name; out NULL checks the name the same way without writing
 * its text (owner names nobody reads). On error out holds the labels
 * read before it. */
static int name_walk(const uint8_t *msg, size_t len, size_t off,
		     struct dns_name *out, size_t *next)
{
	struct name_text t = { out ? out->text : NULL, 0, 0, 0 };
	int rc = walk_labels(msg, len, off, &t, next);

	name_text_store(&t, out);
	return rc;
}

int dns_read_name(const uint8_t *msg, size_t len, size_t off,
		  struct dns_name *out, size_t *next)
{
	return name_walk(msg, len, off, out, next);
}

static void header_read(const uint8_t *p, struct dns_header *h)
{
	h->id = rd16(p);
	h->flags = rd16(p + 2);
	h->qdcount = rd16(p + 4);
	h->ancount = rd16(p + 6);
	h->nscount = rd16(p + 8);
	h->arcount = rd16(p + 10);
	h->qr = (h->flags >> 15) & 1;
	h->opcode = (uint8_t)((h->flags >> 11) & 0xf);
	h->aa = (h->flags >> 10) & 1;
	h->tc = (h->flags >> 9) & 1;
	h->rd = (h->flags >> 8) & 1;
	h->ra = (h->flags >> 7) & 1;
	h->rcode = (uint8_t)(h->flags & 0xf);
}

static int question_read(const uint8_t *msg, size_t len, size_t *off,
			 struct dns_question *q)
{
	size_t next;
	int rc = dns_read_name(msg, len, *off, &q->name, &next);

	if (rc != DNS_OK)
		return rc;
	if (!need(len, next, 4))
		return DNS_ERR_TRUNCATED;
	q->qtype = rd16(msg + next);
	q->qclass = rd16(msg + next + 2);
	*off = next + 4;
	return DNS_OK;
}

/* TXT rdata: a sequence of <length, bytes> strings filling rdlength. */
static int txt_measure(const uint8_t *rd, uint16_t n, struct dns_rr *rr)
{
	unsigned pos = 0, bytes = 0, strings = 0;

	while (pos < n) {
		unsigned l = rd[pos];

		if (l > n - pos - 1u)
			return DNS_ERR_FORMAT;
		bytes += l;
		strings++;
		pos += 1u + l;
	}
	rr->txt_bytes = (uint16_t)bytes;
	rr->txt_strings = strings > 255 ? 255 : (uint8_t)strings;
	return DNS_OK;
}

/* The caller has checked that the rdata lies inside the message. */
static int rdata_read(const uint8_t *msg, struct dns_rr *rr)
{
	const uint8_t *rd = msg + rr->rdata_off;

	switch (rr->type) {
	case DNS_TYPE_A:
		if (rr->rdlength != 4)
			return DNS_ERR_FORMAT;
		memcpy(rr->addr.a, rd, 4);
		return DNS_OK;
	case DNS_TYPE_AAAA:
		if (rr->rdlength != 16)
			return DNS_ERR_FORMAT;
		memcpy(rr->addr.aaaa, rd, 16);
		return DNS_OK;
	case DNS_TYPE_CNAME:
	case DNS_TYPE_NS:
	case DNS_TYPE_PTR:
		/* The name may point back into the message, so it is read
		 * against the whole message, bounded by the rdata's end. */
		return dns_read_name(msg, rr->rdata_off + rr->rdlength,
				     rr->rdata_off, &rr->target, NULL);
	case DNS_TYPE_TXT:
		return txt_measure(rd, rr->rdlength, rr);
	default:
		return DNS_OK;
	}
}

static void name_clear(struct dns_name *n)
{
	n->text[0] = '\0';
	n->len = 0;
	n->labels = 0;
	n->longest_label = 0;
}

/* Every field empty, without writing the two name buffers whole (a
 * memset of the record is most of the cost of reading an A record). */
static void rr_clear(struct dns_rr *rr)
{
	name_clear(&rr->name);
	rr->type = rr->rclass = 0;
	rr->ttl = 0;
	rr->rdlength = rr->rdata_off = 0;
	memset(&rr->addr, 0, sizeof(rr->addr));
	name_clear(&rr->target);
	rr->txt_bytes = 0;
	rr->txt_strings = 0;
}

/* One resource record at *off; rr may be a scratch record (not kept).
 * keep_owner false: the owner name is checked but its text not kept. */
static int rr_read(const uint8_t *msg, size_t len, size_t *off,
		   struct dns_rr *rr, bool keep_owner)
{
	size_t next;
	int rc;

	rr_clear(rr);
	rc = name_walk(msg, len, *off, keep_owner ? &rr->name : NULL, &next);
	if (rc != DNS_OK)
		return rc;
	if (!need(len, next, 10))
		return DNS_ERR_TRUNCATED;
	rr->type = rd16(msg + next);
	rr->rclass = rd16(msg + next + 2);
	rr->ttl = rd32(msg + next + 4);
	rr->rdlength = rd16(msg + next + 8);
	rr->rdata_off = (uint16_t)(next + 10);
	if (!need(len, next + 10, rr->rdlength))
		return DNS_ERR_TRUNCATED;
	*off = next + 10 + rr->rdlength;
	return rdata_read(msg, rr);
}

/* Only the OPT record matters in the additional section (RFC 6891 6.1.2:
 * its class is the requestor's UDP size, the TTL carries the version). */
static void edns_note(struct dns_msg *m, const struct dns_rr *rr)
{
	if (rr->type != DNS_TYPE_OPT || m->edns)
		return;
	m->edns = true;
	m->edns_udp_size = rr->rclass;
	m->edns_version = (uint8_t)((rr->ttl >> 16) & 0xff);
}

/* full false: dns_parse_answers (questions and answers only). */
static int parse_msg(const uint8_t *msg, size_t len, struct dns_msg *m,
		     bool full)
{
	struct dns_rr scratch;
	size_t off = DNS_HEADER_LEN;
	int rc;

	memset(m, 0, offsetof(struct dns_msg, q));
	m->n_questions = m->n_answers = 0;
	m->edns = false;
	m->edns_udp_size = 0;
	m->edns_version = 0;
	m->msg_len = 0;
	if (!msg || len < DNS_HEADER_LEN)
		return DNS_ERR_TRUNCATED;
	if (len > 65535)
		len = 65535;
	header_read(msg, &m->hdr);

	for (unsigned i = 0; i < m->hdr.qdcount; i++) {
		struct dns_question tmp;
		struct dns_question *q = m->n_questions < DNS_MAX_QUESTIONS ?
			&m->q[m->n_questions] : &tmp;

		rc = question_read(msg, len, &off, q);
		if (rc != DNS_OK)
			return rc;
		if (q != &tmp)
			m->n_questions++;
	}
	for (unsigned i = 0; i < m->hdr.ancount; i++) {
		struct dns_rr *rr = m->n_answers < DNS_MAX_ANSWERS ?
			&m->an[m->n_answers] : &scratch;

		rc = rr_read(msg, len, &off, rr, full);
		if (rc != DNS_OK)
			return rc;
		m->answers_seen++;
		if (rr != &scratch)
			m->n_answers++;
	}
	if (!full)
		return DNS_OK;
	for (unsigned i = 0; i < m->hdr.nscount; i++) {
		rc = rr_read(msg, len, &off, &scratch, true);
		if (rc != DNS_OK)
			return rc;
	}
	for (unsigned i = 0; i < m->hdr.arcount; i++) {
		rc = rr_read(msg, len, &off, &scratch, true);
		if (rc != DNS_OK)
			return rc;
		edns_note(m, &scratch);
	}
	m->msg_len = (uint16_t)off;
	return DNS_OK;
}

int dns_parse(const uint8_t *msg, size_t len, struct dns_msg *m)
{
	return parse_msg(msg, len, m, true);
}

int dns_parse_answers(const uint8_t *msg, size_t len, struct dns_msg *m)
{
	return parse_msg(msg, len, m, false);
}

int dns_parse_tcp(const uint8_t *data, size_t len, struct dns_msg *m,
		  size_t *consumed)
{
	size_t mlen;

	if (len < 2) {
		*consumed = 2;
		return DNS_NEED_MORE;
	}
	mlen = rd16(data);
	if (len - 2 < mlen) {
		*consumed = 2 + mlen;
		return DNS_NEED_MORE;
	}
	*consumed = 2 + mlen;
	return dns_parse(data + 2, mlen, m);
}

unsigned dns_answer_addrs(const struct dns_msg *m, char *buf, size_t len,
			  uint32_t *min_ttl, uint8_t first[16])
{
	static const uint8_t v4_head[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
					     0xff, 0xff };
	unsigned n_addrs = 0;
	size_t o = 0;

	buf[0] = '\0';
	*min_ttl = UINT32_MAX;
	for (unsigned i = 0; i < m->n_answers; i++) {
		const struct dns_rr *rr = &m->an[i];
		bool v4 = rr->type == DNS_TYPE_A;
		char text[64];
		int n;

		if (!v4 && rr->type != DNS_TYPE_AAAA)
			continue;
		if (rr->ttl < *min_ttl)
			*min_ttl = rr->ttl;
		if (n_addrs++ == 0) {
			memcpy(first, v4 ? v4_head : rr->addr.aaaa, v4 ? 12 : 16);
			if (v4)
				memcpy(first + 12, rr->addr.a, 4);
		}
		inet_ntop(v4 ? AF_INET : AF_INET6, v4 ? (const void *)rr->addr.a :
			  (const void *)rr->addr.aaaa, text, sizeof(text));
		n = snprintf(buf + o, len - o, "%s%s", o ? "," : "", text);
		if (n < 0 || (size_t)n >= len - o) {
			buf[o] = '\0';
			break;
		}
		o += (size_t)n;
	}
	if (*min_ttl == UINT32_MAX)
		*min_ttl = 0;
	return n_addrs;
}

const char *dns_type_name(uint16_t type, char *buf, size_t len)
{
	static const struct {
		uint16_t type;
		const char *name;
	} names[] = {
		{ DNS_TYPE_A, "A" }, { DNS_TYPE_NS, "NS" },
		{ DNS_TYPE_CNAME, "CNAME" }, { DNS_TYPE_SOA, "SOA" },
		{ DNS_TYPE_NULL, "NULL" }, { DNS_TYPE_PTR, "PTR" },
		{ DNS_TYPE_MX, "MX" }, { DNS_TYPE_TXT, "TXT" },
		{ DNS_TYPE_AAAA, "AAAA" }, { DNS_TYPE_SRV, "SRV" },
		{ DNS_TYPE_OPT, "OPT" }, { DNS_TYPE_HTTPS, "HTTPS" },
		{ DNS_TYPE_ANY, "ANY" },
	};

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (names[i].type == type)
			return names[i].name;
	snprintf(buf, len, "TYPE%u", type);
	return buf;
}
