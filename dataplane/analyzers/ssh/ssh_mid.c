/* SPDX-License-Identifier: BSD-3-Clause */
/* SSH told from segment sizes and the look of its bytes (ssh_mid.h). */
#include "analyzers/ssh/ssh_mid.h"

/* Bytes of a segment's start that are looked at. */
#define LOOK_BYTES 16
/* Average set bits per byte, times 100, of fully encrypted bytes. */
#define POP_MIN_X100 340
#define POP_MAX_X100 460

static const uint8_t nibble_bits[16] = { 0, 1, 1, 2, 1, 2, 2, 3,
					 1, 2, 2, 3, 2, 3, 3, 4 };

/* A TLS record header: content type 20-23, version 3.0-3.4. */
static bool tls_record(const uint8_t *d, uint32_t cap)
{
	return cap >= 3 && d[0] >= 0x14 && d[0] <= 0x17 && d[1] == 0x03 &&
	       d[2] <= 0x04;
}

/* Printable text or mostly zeros at the start: a plaintext protocol. */
static bool plain_start(const uint8_t *d, uint32_t n)
{
	uint32_t text = 0, zero = 0;

	for (uint32_t i = 0; i < n; i++) {
		if ((d[i] >= 0x20 && d[i] < 0x7f) || d[i] == '\r' ||
		    d[i] == '\n' || d[i] == '\t')
			text++;
		if (d[i] == 0)
			zero++;
	}
	return n >= 8 && (text == n || zero * 2 >= n);
}

static uint32_t be32(const uint8_t *d)
{
	return (uint32_t)d[0] << 24 | (uint32_t)d[1] << 16 |
	       (uint32_t)d[2] << 8 | d[3];
}

unsigned ssh_mid_kex_packet(const uint8_t *d, uint32_t cap)
{
	uint32_t len, pad, msg, list;

	if (cap < 6)
		return 0;
	len = be32(d);
	pad = d[4];
	msg = d[5];
	if (len < 12 || len > 35000 || (len + 4) % 8 != 0 || pad < 4 ||
	    pad + 2 > len)
		return 0;
	if (msg == 21)   /* NEWKEYS: the type byte and padding only */
		return len == 12 && pad == 10 ? msg : 0;
	if (msg == 20) {
		/* a 16-byte cookie, then the kex name-list: a length that
		 * fits and a lower-case algorithm name */
		if (cap < 27)
			return 0;
		list = be32(d + 22);
		return list >= 4 && list + 22 < len && d[26] >= 'a' &&
		       d[26] <= 'z' ? msg : 0;
	}
	return msg >= 30 && msg <= 34 ? msg : 0;
}

/* The WebSocket frames that make up a segment (ssh_mid.h): their
 * payloads' total length into *inner and up to LOOK_BYTES of the first
 * one's first bytes, unmasked, into look (*nlook); 1 when the frames end
 * with the segment, 2 when the last goes on past it, 0 when the bytes
 * are no such frames. masked: 1 masked, 0 unmasked, -1 either. */
static int ws_frames(const uint8_t *d, uint32_t cap, uint32_t wire, int masked,
		     bool *was_masked, uint32_t *inner, uint8_t *look,
		     uint32_t *nlook)
{
	uint32_t at = 0;

	*inner = 0;
	*nlook = 0;
	while (at < wire) {
		uint32_t h, plen;
		bool m;

		if (at + 2 > cap)
			return 0;
		/* FIN and binary to start framing; binary or continuation,
		 * FIN or not, once framed */
		if (masked < 0 ? d[at] != 0x82 :
				 ((d[at] & 0x70) || ((d[at] & 0x0f) != 2 &&
						     (d[at] & 0x0f) != 0)))
			return 0;
		m = (d[at + 1] & 0x80) != 0;
		if ((masked >= 0 && m != (masked == 1)) ||
		    (at && m != *was_masked))
			return 0;
		*was_masked = m;
		plen = d[at + 1] & 0x7f;
		h = 2;
		if (plen == 127)
			return 0;
		if (plen == 126) {
			if (at + 4 > cap)
				return 0;
			plen = (uint32_t)d[at + 2] << 8 | d[at + 3];
			if (plen < 126)
				return 0;
			h = 4;
		}
		h += m ? 4 : 0;
		if (at + h > cap || plen == 0)
			return 0;
		if (at == 0)
			for (uint32_t i = 0; i < plen && at + h + i < cap &&
					     i < LOOK_BYTES; i++)
				look[(*nlook)++] = d[at + h + i] ^
						   (m ? d[at + h - 4 + (i & 3)] : 0);
		*inner += plen;
		at += h + plen;
	}
	return at == wire ? 1 : 2;
}

static enum ssh_mid_verdict decide(struct ssh_mid *m, enum ssh_mid_verdict v)
{
	m->verdict = (uint8_t)v;
	return v;
}

enum ssh_mid_verdict ssh_mid_segment(struct ssh_mid *m, unsigned dir,
				     const uint8_t *data, uint32_t cap,
				     uint32_t wire, bool ssh_port)
{
	uint8_t bit = (uint8_t)(1u << (dir & 1));
	uint32_t n = cap < LOOK_BYTES ? cap : LOOK_BYTES;
	uint32_t need = ssh_port ? SSH_MID_NEED_PORT : SSH_MID_NEED_OTHER;
	unsigned kex;
	uint8_t look[LOOK_BYTES];
	uint32_t inner;

	if (m->verdict != SSH_MID_UNDECIDED || wire == 0)
		return (enum ssh_mid_verdict)m->verdict;
	if (++m->seen > SSH_MID_MAX_SEGMENTS)
		return decide(m, SSH_MID_NOT);
	/* a cleartext key exchange packet starts here (a packet
	 * boundary, whatever came before) */
	kex = ssh_mid_kex_packet(data, cap);
	if (kex) {
		m->first |= bit;
		m->kex |= bit;
		m->dirs |= bit;
		m->ok++;
		m->after_bulk &= (uint8_t)~bit;
		if (kex == 21 && wire >= 16) {
			m->newkeys = 1;
			return decide(m, SSH_MID_SSH);
		}
		if (be32(data) + 4 > wire)   /* goes on in the next segment */
			m->after_bulk |= bit;
		goto judge;
	}
	if (m->after_bulk & bit) {
		/* the tail of a larger write: the next segment under
		 * SSH_MID_BULK_LEN (bulk goes on) */
		if (wire < SSH_MID_BULK_LEN)
			m->after_bulk &= (uint8_t)~bit;
		m->first |= bit;
		return SSH_MID_UNDECIDED;
	}
	if (!(m->ws & SSH_MID_WS_RAW)) {
		/* WebSocket frames (undecided, or decided so) */
		int masked = !(m->ws & SSH_MID_WS_FRAMED) ? -1 :
			     ((m->ws & SSH_MID_WS_MASK0) != 0) == (dir == 0);
		bool was_masked = false;
		int fr = ws_frames(data, cap, wire, masked, &was_masked,
				   &inner, look, &n);

		if (fr == 2 && !(m->ws & SSH_MID_WS_FRAMED))
			fr = 0;   /* frames start a flow only whole */
		if (fr) {
			if (!(m->ws & SSH_MID_WS_FRAMED))
				m->ws = (uint8_t)(SSH_MID_WS_FRAMED |
					(was_masked == (dir == 0) ?
					 SSH_MID_WS_MASK0 : 0));
			data = look;
			cap = n;
			wire = inner;
			if (fr == 2) {   /* the last frame goes on */
				m->first |= bit;
				m->after_bulk |= bit;
				return SSH_MID_UNDECIDED;
			}
		} else if (m->ws & SSH_MID_WS_FRAMED) {
			if (m->first & bit)
				return decide(m, SSH_MID_NOT);
			m->first |= bit;   /* the end of a frame */
			return SSH_MID_UNDECIDED;
		}
	}
	if (wire >= SSH_MID_BULK_LEN) {
		m->first |= bit;
		m->after_bulk |= bit;
		return SSH_MID_UNDECIDED;
	}
	if (wire % 4 != 0 || wire < SSH_MID_MIN_LEN ||
	    tls_record(data, cap) || plain_start(data, n)) {
		/* a direction's first segment may end a message begun
		 * before the pickup */
		if (!(m->first & bit) && !tls_record(data, cap)) {
			m->first |= bit;
			return SSH_MID_UNDECIDED;
		}
		return decide(m, SSH_MID_NOT);
	}
	m->first |= bit;
	if (!(m->ws & SSH_MID_WS_FRAMED))
		m->ws = SSH_MID_WS_RAW;   /* raw SSH-sized: no frames later */
	for (uint32_t i = 0; i < n; i++)
		m->pop_bits = (uint16_t)(m->pop_bits + nibble_bits[data[i] & 15] +
					 nibble_bits[data[i] >> 4]);
	m->pop_bytes = (uint16_t)(m->pop_bytes + n);
	m->dirs |= bit;
	m->ok++;
judge:
	if (m->ok < need || m->dirs != 3)
		return SSH_MID_UNDECIDED;
	/* the bytes looked at as a whole: encrypted, or not SSH */
	if (m->pop_bytes < 64 ||
	    (uint32_t)m->pop_bits * 100 < POP_MIN_X100 * (uint32_t)m->pop_bytes ||
	    (uint32_t)m->pop_bits * 100 > POP_MAX_X100 * (uint32_t)m->pop_bytes)
		return decide(m, SSH_MID_NOT);
	return decide(m, SSH_MID_SSH);
}
