/* SPDX-License-Identifier: BSD-3-Clause */
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

/* An established session picked up mid-stream (no SYN seen, so no
 * handshake): SSH from its application records' lengths alone (rule M,
 * tls_inner.c). Records of TIN_MID_BULK bytes or more, and the record
 * after one in the same direction, are skipped; every other record must
 * fit; TIN_MID_NEED records with both directions make it SSH. */
#define TIN_MID_NEED 16
#define TIN_MID_BULK 1024
#define TIN_MID_MAX_RECORDS 96   /* undecided after this many: not SSH */
#define TIN_MID_MIN_INNER 28     /* chacha20-poly1305's empty packet */
#define TIN_OVERHEAD_12_CHACHA 16

#define TIN_MID_NEED_DIR 4       /* ... at least this many each way */

enum tin_mid_verdict { TIN_MID_UNDECIDED = 0, TIN_MID_SSH, TIN_MID_NOT };

/* The overhead the record lengths revealed, one per flow. */
enum { TIN_MID_TLS13 = 1, TIN_MID_TLS12 = 2 };

struct tin_mid {
	uint8_t ok[2];       /* records that fit so far, by direction */
	uint8_t after_bulk;  /* bit per direction: the next record is a tail */
	uint8_t residue;     /* 0 unknown, TIN_MID_TLS13 (len = 1 mod 4) or
			      * TIN_MID_TLS12 (len = 0 mod 4) */
	uint8_t seen;        /* records looked at */
	uint8_t verdict;     /* enum tin_mid_verdict */
};

/* One application record of direction dir (0/1), len its header's
 * length field. Returns the verdict, final once not UNDECIDED; fits is
 * set when the record counted (it is an SSH packet's size). */
enum tin_mid_verdict tin_mid_record(struct tin_mid *m, unsigned dir,
				    uint32_t len, bool *fits);

/* The plaintext bytes of a record under a residue tin_mid_record chose. */
static inline uint32_t tin_mid_inner(const struct tin_mid *m, uint32_t len)
{
	uint32_t o = m->residue == TIN_MID_TLS13 ? TIN_OVERHEAD_13 : TIN_OVERHEAD_12;

	return len > o ? len - o : len;
}

#endif
