/* SPDX-License-Identifier: BSD-3-Clause */
/* A bounded DNS message parser (RFC 1035, EDNS0 of RFC 6891) for the
 * analyzers that read names: the mining analyzer (pool lookups) and the
 * DNS tunnel analyzer. It fills a caller-provided struct and never
 * allocates, so one per-worker scratch message serves every packet.
 *
 * Safety: every read is checked against the message length; compression
 * pointers must point strictly backwards and a name follows at most
 * DNS_MAX_POINTERS of them, so a pointer loop ends as DNS_ERR_LOOP; labels
 * over 63 bytes and names over 255 wire bytes are errors.
 *
 * Partial results: the parse stops at the first error, and what was
 * parsed before it stays valid (n_questions, n_answers count only complete
 * entries), so a snaplen-cut answer still yields its question. */
#ifndef TW_DNS_PARSE_H
#define TW_DNS_PARSE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define DNS_HEADER_LEN 12
#define DNS_LABEL_MAX 63          /* RFC 1035 2.3.4 */
#define DNS_NAME_WIRE_MAX 255     /* wire bytes of a name, root included */
#define DNS_NAME_TEXT_MAX 256     /* dotted text, NUL included */
#define DNS_MAX_POINTERS 16       /* compression pointers followed per name */
#define DNS_MAX_QUESTIONS 4       /* questions kept; more are skipped */
#define DNS_MAX_ANSWERS 16        /* answer records kept; more are skipped */

enum dns_type {
	DNS_TYPE_A = 1,
	DNS_TYPE_NS = 2,
	DNS_TYPE_CNAME = 5,
	DNS_TYPE_SOA = 6,
	DNS_TYPE_NULL = 10,
	DNS_TYPE_PTR = 12,
	DNS_TYPE_MX = 15,
	DNS_TYPE_TXT = 16,
	DNS_TYPE_AAAA = 28,
	DNS_TYPE_SRV = 33,
	DNS_TYPE_OPT = 41,
	DNS_TYPE_HTTPS = 65,
	DNS_TYPE_ANY = 255,
};

enum dns_status {
	DNS_OK = 0,
	DNS_NEED_MORE = 1,           /* TCP: the length prefix says more follows */
	DNS_ERR_TRUNCATED = -1,      /* the message ends inside a field */
	DNS_ERR_LOOP = -2,           /* compression pointer loop or forward ptr */
	DNS_ERR_LABEL = -3,          /* label over 63 bytes or reserved type */
	DNS_ERR_NAME_TOO_LONG = -4,  /* name over 255 wire bytes */
	DNS_ERR_FORMAT = -5,         /* anything else that is not DNS */
};

/* A domain name in dotted text form without the trailing dot ("" is the
 * root). Label bytes are copied as they are (case kept: encodings such as
 * base64 depend on it), except that '.' and bytes outside 0x21-0x7e inside
 * a label are written as '?', so the text is always printable. */
struct dns_name {
	char text[DNS_NAME_TEXT_MAX];
	uint16_t len;                /* strlen(text) */
	uint8_t labels;              /* label count, root excluded */
	uint8_t longest_label;       /* bytes of the longest label */
};

struct dns_header {
	uint16_t id;
	uint16_t flags;              /* raw second 16-bit word */
	uint16_t qdcount, ancount, nscount, arcount;
	bool qr;                     /* response */
	uint8_t opcode;
	uint8_t rcode;               /* low 4 bits; EDNS0 extends it */
	bool tc, rd, ra, aa;
};

struct dns_question {
	struct dns_name name;
	uint16_t qtype, qclass;
};

struct dns_rr {
	struct dns_name name;
	uint16_t type, rclass;
	uint32_t ttl;
	uint16_t rdlength;
	uint16_t rdata_off;          /* offset of the rdata in the message */
	union {
		uint8_t a[4];            /* DNS_TYPE_A */
		uint8_t aaaa[16];        /* DNS_TYPE_AAAA */
	} addr;
	/* CNAME/NS/PTR target; empty for other types. */
	struct dns_name target;
	uint16_t txt_bytes;          /* TXT: string bytes without length octets */
	uint8_t txt_strings;         /* TXT: character-strings in the rdata */
};

struct dns_msg {
	struct dns_header hdr;
	uint8_t n_questions;         /* parsed and kept, <= DNS_MAX_QUESTIONS */
	uint8_t n_answers;           /* parsed and kept, <= DNS_MAX_ANSWERS */
	uint16_t answers_seen;       /* answer records walked (kept or not) */
	struct dns_question q[DNS_MAX_QUESTIONS];
	struct dns_rr an[DNS_MAX_ANSWERS];
	bool edns;                   /* an OPT record was seen */
	uint16_t edns_udp_size;      /* its requestor's UDP payload size */
	uint8_t edns_version;
	uint16_t msg_len;            /* bytes of the DNS message parsed */
};

/* Parses one DNS message (a UDP payload). Returns DNS_OK or an error
 * (enum dns_status); on error m holds what came before it. */
int dns_parse(const uint8_t *msg, size_t len, struct dns_msg *m);

/* dns_parse up to the answers, for a caller that matches names per
 * packet: header, questions and answer records as dns_parse leaves them
 * (same checks, same partial results), except that the answers' owner
 * names are checked but left empty; the authority and additional sections
 * are not read (edns false, msg_len 0): about half the cost on a
 * typical answer. */
int dns_parse_answers(const uint8_t *msg, size_t len, struct dns_msg *m);

/* Parses the first message of a DNS-over-TCP byte stream: a 2-byte
 * big-endian length, then the message. Returns DNS_NEED_MORE when fewer
 * than 2 + length bytes are at hand (*consumed = the bytes needed), else
 * dns_parse's result with *consumed = 2 + length. */
int dns_parse_tcp(const uint8_t *data, size_t len, struct dns_msg *m,
		  size_t *consumed);

/* The A and AAAA addresses of the kept answers as "192.0.2.7,2001:db8::1"
 * (as many as fit in buf), their smallest TTL (0 when none) and the first
 * one, IPv4 as ::ffff:a.b.c.d, in first[16]. Returns how many there are. */
unsigned dns_answer_addrs(const struct dns_msg *m, char *buf, size_t len,
			  uint32_t *min_ttl, uint8_t first[16]);

/* "A", "TXT", "NULL" ...; "TYPE65399" style into buf for others. */
const char *dns_type_name(uint16_t type, char *buf, size_t len);

/* Reads one name at off: text into out, *next = offset after the name's
 * wire form (after the first pointer when compressed). For analyzers that
 * walk records themselves; dns_parse uses it. */
int dns_read_name(const uint8_t *msg, size_t len, size_t off,
		  struct dns_name *out, size_t *next);

#endif
