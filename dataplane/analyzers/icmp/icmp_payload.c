/* SPDX-License-Identifier: BSD-3-Clause */
/* ICMP echo payload classifier. Ordinary tools fill the payload with a
 * pattern after an optional timestamp (8 or 16 bytes: a 32- or 64-bit
 * struct timeval):
 *   - iputils, BSD, macOS, busybox ping: byte i is i (incrementing);
 *   - Windows ping: "abcdefghijklmnopqrstuvw" repeated;
 *   - zeros or a short repeated pattern: ping -p, fping, traceroute -I,
 *     hping3 and nping by default.
 * A tunnel carries data instead: text, packets, encrypted bytes. ptunnel
 * (and ptunnel-ng, whose magic is configurable) is also known by its
 * 28-byte header: magic, destination, port, a state word with a user or
 * proxy flag bit, ack, data length, sequence and tunnel id. */
#include "analyzers/icmp/icmp_payload.h"

#include <stddef.h>

#include "analyzers/common/entropy.h"

#define PTUNNEL_NG_MAGIC 0xDEADC0DEu
#define PTUNNEL_HDR_LEN 28
#define PTUNNEL_USER_FLAG (1u << 30)
#define PTUNNEL_PROXY_FLAG (1u << 31)
#define PTUNNEL_STATE_MAX 16u

/* Timestamp prefixes tried, shortest first. */
static const uint32_t ts_prefix[] = { 0, 8, 16 };
/* Longest repeated unit of a fill pattern: ping -p takes 16 bytes, the
 * Windows alphabet is 23. */
#define FILL_PERIOD_MAX 32
/* Fewer bytes than this after a timestamp say nothing about a pattern. */
#define PATTERN_MIN_BYTES 8
/* Share of printable bytes for text, in 1/16ths. */
#define TEXT_MIN_SIXTEENTHS 15

static const char windows_alphabet[] = "abcdefghijklmnopqrstuvw";

static uint32_t rd32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	       (uint32_t)p[2] << 8 | p[3];
}

static uint32_t fnv1a(const uint8_t *p, uint32_t n)
{
	uint32_t h = 2166136261u;

	for (uint32_t i = 0; i < n; i++)
		h = (h ^ p[i]) * 16777619u;
	return h;
}

static bool is_ptunnel(const uint8_t *p, uint32_t n)
{
	uint32_t magic, state, flags, data_len;

	if (n < PTUNNEL_HDR_LEN)
		return false;
	magic = rd32(p);
	if (magic == PTUNNEL_MAGIC || magic == PTUNNEL_NG_MAGIC)
		return true;
	/* Any magic: the state word carries exactly one direction flag over
	 * a small state number, the port and length fit 16 bits. */
	state = rd32(p + 12);
	flags = state & (PTUNNEL_USER_FLAG | PTUNNEL_PROXY_FLAG);
	data_len = rd32(p + 20);
	return (flags == PTUNNEL_USER_FLAG || flags == PTUNNEL_PROXY_FLAG) &&
	       (state & ~flags) < PTUNNEL_STATE_MAX &&
	       rd32(p + 8) <= 0xffff && data_len <= 0xffff;
}

static bool is_incrementing(const uint8_t *b, uint32_t n)
{
	for (uint32_t i = 1; i < n; i++)
		if (b[i] != (uint8_t)(b[i - 1] + 1))
			return false;
	return true;
}

static bool is_windows(const uint8_t *b, uint32_t n)
{
	for (uint32_t i = 0; i < n; i++)
		if (b[i] != (uint8_t)windows_alphabet[i % 23])
			return false;
	return true;
}

static bool has_period(const uint8_t *b, uint32_t n, uint32_t per)
{
	for (uint32_t i = per; i < n; i++)
		if (b[i] != b[i - per])
			return false;
	return true;
}

/* A unit repeated at least twice (once for payloads shorter than two). */
static bool is_fill(const uint8_t *b, uint32_t n)
{
	for (uint32_t per = 1; per <= FILL_PERIOD_MAX && per < n; per++)
		if (2 * per <= n && has_period(b, n, per))
			return true;
	return false;
}

static enum icmp_pl_kind pattern_kind(const uint8_t *p, uint32_t n)
{
	for (size_t i = 0; i < sizeof(ts_prefix) / sizeof(ts_prefix[0]); i++) {
		const uint8_t *b = p + ts_prefix[i];
		uint32_t m;

		if (n < ts_prefix[i] + PATTERN_MIN_BYTES)
			break;
		m = n - ts_prefix[i];
		if (is_incrementing(b, m))
			return ICMP_PL_UNIX_PING;
		if (ts_prefix[i] == 0 && is_windows(b, m))
			return ICMP_PL_WINDOWS_PING;
		if (is_fill(b, m))
			return ICMP_PL_FILL;
	}
	return ICMP_PL_KIND_COUNT; /* none */
}

static bool is_text(const uint8_t *p, uint32_t n)
{
	uint32_t printable = 0;

	for (uint32_t i = 0; i < n; i++)
		if ((p[i] >= 0x20 && p[i] < 0x7f) || p[i] == '\n' ||
		    p[i] == '\r' || p[i] == '\t')
			printable++;
	return printable * 16 >= n * TEXT_MIN_SIXTEENTHS;
}

void icmp_payload_classify(const uint8_t *p, uint32_t len,
			   struct icmp_pl_class *out)
{
	uint32_t n = len < ICMP_PL_CLASSIFY_MAX ? len : ICMP_PL_CLASSIFY_MAX;
	uint32_t skip = n > 2 * 16 ? 16 : 0;
	enum icmp_pl_kind k;
	double max;

	out->judged = n;
	out->full_hash = fnv1a(p, n);
	/* A timestamp changes with every packet: content is what follows. */
	out->content_hash = fnv1a(p + skip, n - skip);
	out->entropy = shannon_entropy(p, n);
	max = shannon_entropy_max(n);
	out->entropy_ratio = max > 0.0 ? out->entropy / max : 0.0;
	if (n == 0) {
		out->kind = ICMP_PL_EMPTY;
		return;
	}
	if (is_ptunnel(p, n)) {
		out->kind = ICMP_PL_PTUNNEL;
		return;
	}
	if (n <= 16) {
		out->kind = ICMP_PL_SHORT;
		return;
	}
	k = pattern_kind(p, n);
	if (k != ICMP_PL_KIND_COUNT)
		out->kind = k;
	else
		out->kind = is_text(p, n) ? ICMP_PL_TEXT : ICMP_PL_BINARY;
}

bool icmp_pl_is_standard(enum icmp_pl_kind k)
{
	return k == ICMP_PL_EMPTY || k == ICMP_PL_SHORT ||
	       k == ICMP_PL_UNIX_PING || k == ICMP_PL_WINDOWS_PING ||
	       k == ICMP_PL_FILL;
}

const char *icmp_pl_kind_name(enum icmp_pl_kind k)
{
	static const char *const names[ICMP_PL_KIND_COUNT] = {
		[ICMP_PL_EMPTY] = "empty",
		[ICMP_PL_SHORT] = "short",
		[ICMP_PL_UNIX_PING] = "unix-ping",
		[ICMP_PL_WINDOWS_PING] = "windows-ping",
		[ICMP_PL_FILL] = "fill",
		[ICMP_PL_PTUNNEL] = "ptunnel",
		[ICMP_PL_TEXT] = "text",
		[ICMP_PL_BINARY] = "binary",
	};

	return (unsigned)k < ICMP_PL_KIND_COUNT ? names[k] : "unknown";
}
