/* SPDX-License-Identifier: BSD-3-Clause */
/* DNS label classifier. A label is judged by its characters:
 *   - a byte no hostname may hold (dns_parse writes it as '?') or '+',
 *     '/', '=' (base64's alphabet): binary or base64 at once;
 *   - all hex digits with both digits and letters: hex;
 *   - mixed case with digits: base64 (DNS 0x20 case randomisation only
 *     happens between resolvers and authorities, not from stubs);
 *   - one case, letters and digits (at least DNS_DIGITS_MIN digits and no
 *     '-'), whose characters spread like random ones: base32.
 * "Spread like random" is the Shannon entropy of the label against the
 * entropy n characters drawn from an alphabet of size a would have at
 * best, log2(min(n, a)); words and CDN tokens repeat letters and score
 * lower. Labels under min_len are too short to tell and stay plain. */
#include "analyzers/dns_tunnel/dns_label.h"

#include <string.h>

#include "analyzers/common/entropy.h"

#define DNS_DIGITS_MIN 2
/* Share of the best possible entropy from which a label looks random.
 * Short labels tell little: random 12-32 character base32 scores 0.85-0.95
 * (iodine's "lackqicltkbnmudp4sbdetxpq0dwiuha" 0.85), but so do many words;
 * what separates them is mostly the digits rule, so this only drops
 * repetitive labels ("vaaaakaukdm" 0.64, "ec2541442151" 0.69). */
#define RANDOM_ENTROPY_SHARE 0.80

struct char_mix {
	unsigned upper, lower, digit, hexletter, hyphen, underscore;
	unsigned b64sym, other;
};

static void mix_count(const char *s, size_t n, struct char_mix *m)
{
	memset(m, 0, sizeof(*m));
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c >= 'A' && c <= 'Z') {
			m->upper++;
			m->hexletter += c <= 'F';
		} else if (c >= 'a' && c <= 'z') {
			m->lower++;
			m->hexletter += c <= 'f';
		} else if (c >= '0' && c <= '9') {
			m->digit++;
		} else if (c == '-') {
			m->hyphen++;
		} else if (c == '_') {
			m->underscore++;
		} else if (c == '+' || c == '/' || c == '=') {
			m->b64sym++;
		} else {
			m->other++;
		}
	}
}

static bool looks_random(const char *s, size_t n, double h, unsigned alphabet)
{
	double best = shannon_entropy_max((uint32_t)(n < alphabet ? n :
							   alphabet));

	(void)s;
	return best > 0 && h >= RANDOM_ENTROPY_SHARE * best;
}

void dns_label_classify(const char *label, size_t len, size_t min_len,
			struct dns_label_class *out)
{
	struct char_mix m;
	double h;

	out->kind = DNS_LABEL_PLAIN;
	out->len = (uint16_t)(len > UINT16_MAX ? UINT16_MAX : len);
	out->entropy = 0;
	if (len == 0 || len < min_len)
		return;
	h = shannon_entropy((const uint8_t *)label, (uint32_t)len);
	out->entropy = h;
	mix_count(label, len, &m);
	if (m.other) {
		out->kind = DNS_LABEL_BINARY;
	} else if (m.b64sym) {
		out->kind = DNS_LABEL_BASE64;
	} else if (m.hexletter == m.upper + m.lower && m.digit &&
		   m.upper + m.lower && !m.hyphen && !m.underscore) {
		out->kind = DNS_LABEL_HEX;
	} else if (m.upper && m.lower && m.digit) {
		out->kind = DNS_LABEL_BASE64;
	} else if (m.digit >= DNS_DIGITS_MIN && !m.hyphen &&
		   looks_random(label, len, h, 36)) {
		out->kind = DNS_LABEL_BASE32;
	}
}

const char *dns_label_kind_name(enum dns_label_kind k)
{
	static const char *const names[DNS_LABEL_KIND_COUNT] = {
		[DNS_LABEL_PLAIN] = "plain",
		[DNS_LABEL_HEX] = "hex",
		[DNS_LABEL_BASE32] = "base32",
		[DNS_LABEL_BASE64] = "base64",
		[DNS_LABEL_BINARY] = "binary",
	};

	return (unsigned)k < DNS_LABEL_KIND_COUNT ? names[k] : "unknown";
}

static const unsigned kind_rank[DNS_LABEL_KIND_COUNT] = {
	[DNS_LABEL_PLAIN] = 0, [DNS_LABEL_HEX] = 1, [DNS_LABEL_BASE32] = 2,
	[DNS_LABEL_BASE64] = 3, [DNS_LABEL_BINARY] = 4,
};

void dns_name_classify(const char *name, size_t sub_len, size_t min_len,
		       struct dns_name_class *out)
{
	size_t start = 0;

	memset(out, 0, sizeof(*out));
	out->sub_len = (uint16_t)(sub_len > UINT16_MAX ? UINT16_MAX : sub_len);
	while (start < sub_len) {
		const char *dot = memchr(name + start, '.', sub_len - start);
		size_t end = dot ? (size_t)(dot - name) : sub_len;
		struct dns_label_class lc;

		dns_label_classify(name + start, end - start, min_len, &lc);
		out->sub_labels++;
		if (lc.len > out->longest_label)
			out->longest_label = lc.len;
		if (kind_rank[lc.kind] > kind_rank[out->kind] ||
		    (lc.kind == out->kind && lc.len > out->label_len)) {
			out->kind = lc.kind;
			out->label_len = lc.len;
		}
		start = end + 1;
	}
}
