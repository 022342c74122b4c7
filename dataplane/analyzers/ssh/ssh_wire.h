/* SPDX-License-Identifier: BSD-3-Clause */
/* SSH on the wire before encryption (RFC 4253): the identification
 * string, the binary packets of the key exchange and the KEXINIT
 * message, parsed incrementally from in-order TCP payload so a message
 * split across segments is read whole. Also HASSH / HASSHServer
 * (Salesforce's client and server fingerprints) and the cipher and MAC
 * both sides agree on.
 *
 * One parser per direction. It keeps only what it needs between calls
 * (a 6-byte packet header and counters); the KEXINIT body is copied into
 * a buffer the caller lends (a per-worker pool), or skipped when none. */
#ifndef TW_SSH_WIRE_H
#define TW_SSH_WIRE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define SSH_SOFTWARE_MAX 32      /* software field kept from the banner */
#define SSH_BANNER_MAX 255       /* RFC 4253 4.2, CR LF included */
#define SSH_PREBANNER_MAX 1024   /* other lines a server may send first */
#define SSH_PACKET_MAX 35000     /* RFC 4253 6.1: what must be accepted */
#define SSH_HASSH_MAX 16384      /* longest HASSH input string hashed */

enum ssh_msg {
	SSH_MSG_KEXINIT = 20,
	SSH_MSG_NEWKEYS = 21,
	SSH_MSG_KEX_30 = 30,     /* KEXDH_INIT, KEX_ECDH_INIT: client */
	SSH_MSG_KEX_31 = 31,     /* KEXDH_REPLY, ECDH_REPLY, GEX_GROUP: server */
	SSH_MSG_KEX_32 = 32,     /* KEX_DH_GEX_INIT: client */
	SSH_MSG_KEX_33 = 33,     /* KEX_DH_GEX_REPLY: server */
	SSH_MSG_KEX_34 = 34,     /* KEX_DH_GEX_REQUEST: client */
};

enum ssh_phase {
	SSH_PH_BANNER = 0,       /* waiting for "SSH-" line */
	SSH_PH_PACKETS,          /* cleartext binary packets */
	SSH_PH_ENCRYPTED,        /* NEWKEYS passed: sizes only from here */
	SSH_PH_DEAD,             /* lost bytes or not SSH: parser stopped */
};

/* What one call to ssh_dir_feed saw (bits). */
enum ssh_event {
	SSH_EV_BANNER = 1u << 0,       /* identification string complete */
	SSH_EV_KEXINIT = 1u << 1,      /* KEXINIT complete in the buffer */
	SSH_EV_KEX_CLIENT = 1u << 2,   /* a message only a client sends */
	SSH_EV_KEX_SERVER = 1u << 3,   /* a message only a server sends */
	SSH_EV_NEWKEYS = 1u << 4,
	SSH_EV_ERROR = 1u << 5,        /* garbage: parser now DEAD */
};

struct ssh_dir_parser {
	uint8_t phase;              /* enum ssh_phase */
	uint8_t hdr_have;           /* header bytes gathered */
	uint8_t hdr[6];             /* packet_length(4) padding(1) msg(1) */
	uint8_t msg;                /* message type of the current packet */
	uint8_t line_start;         /* at the start of a banner-phase line */
	uint8_t is_banner_line;     /* the current line starts with "SSH-" */
	uint8_t proto_major;        /* 2 for "2.0", 1 for "1.99"/"1.5" */
	uint8_t no_prebanner;       /* set by the caller: the banner comes
				     * first (RFC 4253 4.2 lets only the
				     * server send other lines before it) */
	uint16_t line_len;          /* bytes of the current banner-phase line */
	uint16_t prebanner;         /* bytes of lines before the banner */
	uint32_t body_left;         /* bytes of the current packet to come */
	uint32_t kex_len;           /* KEXINIT payload bytes wanted */
	uint32_t kex_have;          /* KEXINIT payload bytes copied */
	uint32_t packets;           /* cleartext packets seen */
	char software[SSH_SOFTWARE_MAX]; /* "OpenSSH_9.2p1", NUL-ended */
};

/* Where a KEXINIT payload (message type byte first) may be copied. */
struct ssh_kex_buf {
	uint8_t *data;              /* NULL: KEXINIT is skipped, not parsed */
	uint32_t cap;
};

/* Feeds in-order bytes of one direction; returns enum ssh_event bits.
 * Stops reading at NEWKEYS (what follows is encrypted). */
unsigned ssh_dir_feed(struct ssh_dir_parser *p, const struct ssh_kex_buf *kb,
		      const uint8_t *data, uint32_t len);

/* The ten name-lists of a KEXINIT, pointing into its payload. */
enum ssh_list {
	SSH_L_KEX = 0, SSH_L_HOSTKEY, SSH_L_ENC_C2S, SSH_L_ENC_S2C,
	SSH_L_MAC_C2S, SSH_L_MAC_S2C, SSH_L_CMP_C2S, SSH_L_CMP_S2C,
	SSH_L_LANG_C2S, SSH_L_LANG_S2C, SSH_L_COUNT
};

struct ssh_kexinit {
	const char *list[SSH_L_COUNT];
	uint32_t len[SSH_L_COUNT];
};

/* payload starts with the message type byte (20). 0, or -1 when it is
 * not a well-formed KEXINIT. */
int ssh_kexinit_parse(const uint8_t *payload, uint32_t len,
		      struct ssh_kexinit *k);

/* HASSH (client, server false): MD5 of "kex;enc_c2s;mac_c2s;cmp_c2s";
 * HASSHServer (server true): of "kex;enc_s2c;mac_s2c;cmp_s2c". The
 * string is optional (NULL). 0, or -1 when too long or MD5 failed. */
int ssh_hassh(const struct ssh_kexinit *k, bool server, uint8_t md5[16],
	      char *str, size_t str_len);
/* 32 lowercase hex digits and a NUL into out (33 bytes). */
void ssh_md5_hex(const uint8_t md5[16], char out[33]);

/* RFC 4253 7.1: the first algorithm of the client's list that the server
 * also lists, written into out; false when none (out ""). */
bool ssh_negotiate(const struct ssh_kexinit *client,
		   const struct ssh_kexinit *server, enum ssh_list which,
		   char *out, size_t out_len);

#endif
