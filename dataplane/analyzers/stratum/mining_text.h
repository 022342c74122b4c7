/* SPDX-License-Identifier: BSD-3-Clause */
/* Short texts captured from mining messages byte by byte (agent, login,
 * target), bounded and safe to print. Long tokens are cut while they
 * stream: a wallet address (95 bytes for Monero) would otherwise push the
 * worker name after it out of the buffer. A token is a run of bytes
 * between '.', '/', '+', '@', ':', ' ' or ','; only its first
 * MTEXT_TOKEN_KEEP bytes are kept, then one marker byte that says how long
 * it was (17-25 bytes, or 26 and more: wallet-sized). */
#ifndef TW_MINING_TEXT_H
#define TW_MINING_TEXT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define MTEXT_MAX 47
#define MTEXT_TOKEN_KEEP 16
#define MTEXT_WALLET_MIN 26      /* shortest wallet-sized token */

struct mtext {
	char s[MTEXT_MAX + 1];
	uint8_t len;
	uint8_t tok;                 /* bytes of the current token so far */
};

void mtext_clear(struct mtext *t);
void mtext_put(struct mtext *t, uint8_t byte);

/* The text with long tokens as their first 16 bytes and "<...>". */
void mtext_plain(const struct mtext *t, char *out, size_t len);
/* A login: with redact, wallet-sized tokens become their first 4 bytes
 * and "<redacted>" (the worker name after them stays). */
void mtext_login(const struct mtext *t, bool redact, char *out, size_t len);

/* A decimal number (set_difficulty), 0 when there is none. */
double mtext_number(const struct mtext *t);
/* Share difficulty from a hex target: 8 or 16 hex digits are XMRig's
 * little-endian compact targets (difficulty = 2^32 / t or 2^64 / t); a
 * longer one is a 256-bit big-endian target whose first 16 digits give
 * 2^64 / t. 0 when it is no hex. */
double mtext_target_difficulty(const struct mtext *t);

#endif
