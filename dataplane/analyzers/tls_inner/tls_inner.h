/* SSH inside TLS from the first application records' sizes (tls_inner.c,
 * which documents the rules R1-R4). The verdict is a pure function over
 * the record lengths, unit-tested on its own. */
#ifndef TW_TLS_INNER_H
#define TW_TLS_INNER_H

#include <stdbool.h>
#include <stdint.h>

#define TIN_RECORDS 8        /* application records kept per direction */
#define TIN_JUDGE_AT 6       /* judged once both sides sent this many */
#define TIN_BANNER_MAX 100   /* an SSH banner record's plaintext, at most */
#define TIN_KEXINIT_MIN 300
#define TIN_KEXINIT_MAX 4096
#define TIN_OVERHEAD_13 17   /* TLS 1.3: AEAD tag + inner content type */
#define TIN_OVERHEAD_12 24   /* TLS 1.2 AES-GCM: explicit nonce + tag */

/* The first application records' lengths (record header's length field)
 * of each direction, originator first, and their order of arrival across
 * both directions (0, 1, 2 ...). */
struct tin_records {
	uint16_t len[2][TIN_RECORDS];
	uint8_t order[2][TIN_RECORDS];
	uint8_t n[2];
};

/* What the verdict read, plaintext bytes (for the finding's detail). */
struct tin_shape {
	uint32_t client_banner, server_banner;     /* 0: merged */
	uint32_t client_kexinit, server_kexinit;
	uint32_t client_kex, server_kex;
	uint32_t congruent;    /* record lengths checked modulo 8 */
	uint32_t tickets;      /* server records skipped before the banner */
	uint32_t merged;       /* 2: the server's banner and KEXINIT in one */
};

/* Do these records carry an SSH handshake (rules R1-R4)? out, if not
 * NULL, gets the sizes read when they do. */
bool tin_ssh_handshake(const struct tin_records *r, bool tls13,
		       struct tin_shape *out);

/* Could the records seen so far still be an SSH handshake (R1-R3 on the
 * prefix)? False ends the walk early. */
bool tin_may_be_ssh(const struct tin_records *r, bool tls13);

#endif
