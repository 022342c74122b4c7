/* SPDX-License-Identifier: BSD-3-Clause */
/* A bounded TLS ClientHello parser: protocol versions, SNI and ALPN, for
 * the analyzers that recognise services by name (mining pools, tunnel
 * services). Reads a contiguous copy of the first bytes a client sent
 * (TLS records of RFC 8446 5.1, handshake of 4.1.2); it never allocates.
 *
 * A ClientHello may span TCP segments (post-quantum key shares make it
 * ~1.8 KB) and, rarely, several records: the records' fragments are joined
 * up to TLS_HELLO_MAX bytes. When the input stops early the result is
 * TLS_NEED_MORE with *need = the total bytes the hello takes, so a caller
 * that buffers can try again; a caller that does not may still use what
 * was filled in (the SNI is often early). */
#ifndef TW_TLS_PARSE_H
#define TW_TLS_PARSE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define TLS_SNI_MAX 256          /* host name bytes kept, NUL included */
#define TLS_ALPN_MAX 8           /* ALPN protocols kept */
#define TLS_ALPN_LEN_MAX 32      /* bytes of one kept protocol, NUL included */
#define TLS_HELLO_MAX 16384      /* handshake bytes looked at */

enum tls_status {
	TLS_OK = 0,
	TLS_NEED_MORE = 1,          /* input ends before the hello does */
	TLS_NOT_TLS = -1,           /* not a TLS handshake record */
	TLS_NOT_CLIENT_HELLO = -2,  /* a handshake, but not a ClientHello */
	TLS_ERR_FORMAT = -3,        /* inner lengths do not add up */
};

enum {
	TLS_EXT_SERVER_NAME = 0,
	TLS_EXT_ALPN = 16,
	TLS_EXT_SUPPORTED_VERSIONS = 43,
	TLS_EXT_ECH = 0xfe0d,
};

struct tls_client_hello {
	uint16_t record_version;     /* of the first record, e.g. 0x0301 */
	uint16_t legacy_version;     /* ClientHello.legacy_version, 0x0303 */
	uint16_t max_version;        /* highest of supported_versions (GREASE
					* skipped), else legacy_version */
	uint16_t n_ciphers;
	uint16_t n_extensions;
	bool has_sni;
	bool has_ech;                /* encrypted_client_hello: the SNI is
					* the outer (public) name */
	char sni[TLS_SNI_MAX];       /* host_name, NUL-terminated; bytes
					* outside 0x21-0x7e written as '?' */
	uint16_t sni_len;
	uint8_t n_alpn;              /* kept, <= TLS_ALPN_MAX */
	char alpn[TLS_ALPN_MAX][TLS_ALPN_LEN_MAX];
};

/* Parses the ClientHello at the start of data. Returns TLS_OK,
 * TLS_NEED_MORE (*need set; ch holds what was parsed so far when the
 * extensions were reached), or an error; need may be NULL. */
int tls_parse_client_hello(const uint8_t *data, size_t len,
			   struct tls_client_hello *ch, size_t *need);

#endif
