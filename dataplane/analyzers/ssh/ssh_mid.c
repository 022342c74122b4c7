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

	if (m->verdict != SSH_MID_UNDECIDED || wire == 0)
		return (enum ssh_mid_verdict)m->verdict;
	if (++m->seen > SSH_MID_MAX_SEGMENTS)
		return decide(m, SSH_MID_NOT);
	if (wire >= SSH_MID_BULK_LEN) {
		m->after_bulk |= bit;
		return SSH_MID_UNDECIDED;
	}
	if (m->after_bulk & bit) {
		m->after_bulk &= (uint8_t)~bit;
		return SSH_MID_UNDECIDED;
	}
	if (wire % 4 != 0 || wire < SSH_MID_MIN_LEN ||
	    tls_record(data, cap) || plain_start(data, n))
		return decide(m, SSH_MID_NOT);
	for (uint32_t i = 0; i < n; i++)
		m->pop_bits = (uint16_t)(m->pop_bits + nibble_bits[data[i] & 15] +
					 nibble_bits[data[i] >> 4]);
	m->pop_bytes = (uint16_t)(m->pop_bytes + n);
	m->dirs |= bit;
	m->ok++;
	if (m->ok < need || m->dirs != 3)
		return SSH_MID_UNDECIDED;
	/* the bytes looked at as a whole: encrypted, or not SSH */
	if (m->pop_bytes < 64 ||
	    (uint32_t)m->pop_bits * 100 < POP_MIN_X100 * (uint32_t)m->pop_bytes ||
	    (uint32_t)m->pop_bits * 100 > POP_MAX_X100 * (uint32_t)m->pop_bytes)
		return decide(m, SSH_MID_NOT);
	return decide(m, SSH_MID_SSH);
}
