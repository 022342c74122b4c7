/* SPDX-License-Identifier: BSD-3-Clause */
/* An SSH connection picked up after its banners and key exchange (the
 * sensor started while it was open): nothing in clear text is left, so
 * it is told from the sizes of its TCP segments and the look of their
 * bytes (ssh_mid.c). Pure state machine over (direction, size, first
 * bytes): no engine types, so unit tests feed it crafted segments.
 *
 * The sizes: an encrypted SSH packet is a 4-byte length, a payload padded
 * to the cipher block and a MAC or tag. With the ciphers every current
 * OpenSSH, Dropbear and PuTTY negotiate first, chacha20-poly1305
 * (4 + 8k + 16), AES-GCM (4 + 16k + 16) and AES-CTR with an
 * encrypt-then-MAC (4 + 16k + 32 or 64), one packet is 4 mod 8 bytes; an
 * AES-CTR packet with a classic MAC is 16k + 32 or 64. Segments carrying
 * one packet, or two or more sent together, are therefore a multiple of
 * 4 bytes, and never under 28 (chacha20's empty packet: a keepalive is
 * 28-44 bytes, a keystroke 36-52, its echo the same). Segments of 1024
 * bytes or more are parts of larger writes and say nothing (neither is
 * the tail that follows them). Random-sized traffic passes one segment
 * in four: 12 passes in a row are a 1 in 16 million chance, 24 one in
 * 2.8e14.
 *
 * The context: a segment that starts like a TLS record (type 20-23,
 * version 3.x) is TLS; one whose first bytes are printable text or
 * mostly zeros is a plaintext protocol; SSH's ciphertext is neither,
 * and its bytes average 4 set bits (the popcount of what was looked at
 * must lie within 3.4-4.6, Wu et al.'s fully-encrypted range). On an
 * SSH port (ssh.ports) 12 such segments with both directions sending
 * make the connection SSH; on any other port 24. Any other segment ends
 * the watch for good: not SSH, except a direction's first segment, which
 * may be the tail of a message begun before the pickup (a KEXINIT's
 * name-lists): it is let go once, unless it starts a TLS record.
 *
 * Picked up inside the cleartext key exchange (after the banners, before
 * NEWKEYS): a segment that starts with a cleartext binary packet of the
 * key exchange (ssh_mid_kex_packet: 4-byte length L, L + 4 a multiple of
 * 8, padding 4..255, message KEXINIT 20 with a name-list after its
 * cookie, NEWKEYS 21, or a key exchange message 30-34) counts as an SSH
 * segment without its bytes' popcount (they are not encrypted); one
 * longer than the segment makes the next segment a tail. NEWKEYS itself
 * (00 00 00 0c 0a 15 and 10 bytes of padding, its own packet at a
 * segment's start) makes the connection SSH at once, and what follows
 * is its login, as after a NEWKEYS seen whole (`newkeys` set).
 *
 * Behind a WebSocket upgrade that went before the pickup (websocat,
 * wstunnel) each segment is one or more whole frames (RFC 6455: FIN and
 * binary or continuation, no RSV bits, 7- or 16-bit length; masked one
 * way, the client's, and unmasked the other; a frame longer than its
 * segment makes the next segment a tail). When the first segment judged
 * is such frames, every later one must be too (`ws`), and the rules
 * above apply to the frames' payloads: their total length, and their
 * first bytes (unmasked) for text and popcount. A raw segment never
 * turns into frames or back. ssh.c then judges the packets' sizes
 * without their frame headers (ws_inner_len, frame_dec.h). */
#ifndef TW_SSH_MID_H
#define TW_SSH_MID_H

#include <stdbool.h>
#include <stdint.h>

#define SSH_MID_NEED_PORT 12     /* segments on an ssh.ports port */
#define SSH_MID_NEED_OTHER 24    /* elsewhere */
#define SSH_MID_MIN_LEN 28
#define SSH_MID_BULK_LEN 1024
#define SSH_MID_MAX_SEGMENTS 200 /* undecided after this many: not SSH */

enum ssh_mid_verdict { SSH_MID_UNDECIDED = 0, SSH_MID_SSH, SSH_MID_NOT };

/* 14 bytes: it fits where ssh.c kept a flow's first bytes (18). */
struct ssh_mid {
	uint8_t ok;              /* SSH-sized segments so far */
	uint8_t dirs;            /* bit per direction that sent one */
	uint8_t after_bulk;      /* bit per direction: next is a tail */
	uint8_t verdict;         /* enum ssh_mid_verdict */
	uint16_t seen;           /* data segments looked at */
	uint16_t pop_bytes;      /* bytes whose bits were counted (at most
				  * 16 x SSH_MID_MAX_SEGMENTS) */
	uint16_t pop_bits;       /* ... and their set bits */
	uint8_t first;           /* bit per direction: a segment looked at */
	uint8_t kex;             /* bit per direction: a cleartext key
				  * exchange packet seen */
	uint8_t newkeys;         /* the verdict came from a NEWKEYS */
	uint8_t ws;              /* SSH_MID_WS_* */
};

enum {
	SSH_MID_WS_RAW = 1,      /* decided: no WebSocket framing */
	SSH_MID_WS_FRAMED = 2,   /* decided: WebSocket frames ... */
	SSH_MID_WS_MASK0 = 4,    /* ... masked from direction 0 (else 1) */
};

/* The message type (20, 21, 30-34) of the cleartext key exchange packet
 * that starts at d (cap bytes captured), 0 if none does. */
unsigned ssh_mid_kex_packet(const uint8_t *d, uint32_t cap);

/* One data segment (no retransmission) of direction dir (0/1): wire is
 * its TCP payload length, data/cap its captured first bytes. Returns the
 * verdict, final once not UNDECIDED. */
enum ssh_mid_verdict ssh_mid_segment(struct ssh_mid *m, unsigned dir,
				     const uint8_t *data, uint32_t cap,
				     uint32_t wire, bool ssh_port);

#endif
