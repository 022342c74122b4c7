/* SPDX-License-Identifier: BSD-3-Clause */
/* Bounded capture and rendering of mining texts: see mining_text.h. */
#include "analyzers/stratum/mining_text.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MARK_LONG '\x01'      /* token of 17-25 bytes */
#define MARK_WALLET '\x02'    /* token of 26 bytes or more */

static bool is_sep(uint8_t c)
{
	return c == '.' || c == '/' || c == '+' || c == '@' || c == ':' ||
	       c == ' ' || c == ',';
}

void mtext_clear(struct mtext *t)
{
	t->len = 0;
	t->tok = 0;
	t->s[0] = '\0';
}

static void append(struct mtext *t, char c)
{
	if (t->len >= MTEXT_MAX)
		return;
	t->s[t->len++] = c;
	t->s[t->len] = '\0';
}

void mtext_put(struct mtext *t, uint8_t c)
{
	if (is_sep(c)) {
		t->tok = 0;
		append(t, (char)c);
		return;
	}
	if (t->tok < 255)
		t->tok++;
	if (t->tok <= MTEXT_TOKEN_KEEP)
		append(t, (c < 0x20 || c > 0x7e) ? '?' : (char)c);
	else if (t->tok == MTEXT_TOKEN_KEEP + 1)
		append(t, MARK_LONG);
	else if (t->tok == MTEXT_WALLET_MIN && t->len > 0 &&
		 t->s[t->len - 1] == MARK_LONG)
		t->s[t->len - 1] = MARK_WALLET;
}

/* Writes the text, rendering each token through keep(): how many of its
 * kept bytes to show given its marker (0 = none). */
static void render(const struct mtext *t, bool redact, char *out, size_t len)
{
	size_t o = 0, start = 0;

	if (len == 0)
		return;
	for (size_t i = 0; i <= t->len; i++) {
		char c = i < t->len ? t->s[i] : '\0';
		size_t show;

		if (c != MARK_LONG && c != MARK_WALLET && c != '\0' &&
		    !is_sep((uint8_t)c))
			continue;
		/* token [start, i) */
		show = i - start;
		if (c == MARK_WALLET && redact && show > 4)
			show = 4;
		for (size_t k = 0; k < show && o + 1 < len; k++)
			out[o++] = t->s[start + k];
		if (c == MARK_LONG || c == MARK_WALLET)
			for (const char *e = c == MARK_WALLET && redact ?
				     "<redacted>" : "<...>";
			     *e && o + 1 < len; e++)
				out[o++] = *e;
		else if (c != '\0' && o + 1 < len)
			out[o++] = c;
		start = i + 1;
	}
	out[o] = '\0';
}

void mtext_plain(const struct mtext *t, char *out, size_t len)
{
	render(t, false, out, len);
}

void mtext_login(const struct mtext *t, bool redact, char *out, size_t len)
{
	render(t, redact, out, len);
}

double mtext_number(const struct mtext *t)
{
	char *end;
	double v;

	if (t->len == 0)
		return 0;
	v = strtod(t->s, &end);
	return end != t->s && isfinite(v) && v > 0 ? v : 0;
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* n hex digits as bytes in little-endian order -> value. */
static bool hex_le(const char *s, unsigned n, uint64_t *v)
{
	*v = 0;
	for (unsigned i = 0; i < n; i += 2) {
		int hi = hexval(s[i]), lo = hexval(s[i + 1]);

		if (hi < 0 || lo < 0)
			return false;
		*v |= (uint64_t)(hi << 4 | lo) << (4 * i);
	}
	return true;
}

double mtext_target_difficulty(const struct mtext *t)
{
	uint64_t v = 0;
	const char *s = t->s;
	unsigned n = t->len;

	if (n >= 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
		s += 2;
		n -= 2;
	}
	if ((n == 8 || n == 16) && hex_le(s, n, &v) && v)
		return ldexp(1.0, (int)n * 4) / (double)v;
	if (n > 16 && (s[16] == MARK_LONG || s[16] == MARK_WALLET)) {
		for (unsigned i = 0; i < 16; i++) {
			int h = hexval(s[i]);

			if (h < 0)
				return 0;
			v = v << 4 | (uint64_t)h;
		}
		return v ? ldexp(1.0, 64) / (double)v : 0;
	}
	return 0;
}
