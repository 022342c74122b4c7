/* SPDX-License-Identifier: BSD-3-Clause */
/* SSH messages for tests: cleartext binary packets and KEXINITs, built as
 * RFC 4253 lays them out (test_ssh_wire, test_ssh_analyzer). */
#ifndef TW_SSH_BUILD_H
#define TW_SSH_BUILD_H

#include <stdint.h>

#include "analyzers/ssh/ssh_wire.h"

/* A client's ten algorithm lists, and its HASSH computed independently:
 * hashlib.md5(b"curve25519-sha256,diffie-hellman-group14-sha256;"
 * b"chacha20-poly1305@openssh.com,aes128-ctr;hmac-sha2-256,"
 * b"umac-64@openssh.com;none,zlib@openssh.com") */
extern const char *const ssh_client_lists[SSH_L_COUNT];
#define SSH_CLIENT_HASSH "60f5f700e7edc49c0cc1ba3ef7203d3f"
/* The same message's s2c lists:
 * "...;aes128-ctr,aes256-ctr;hmac-sha2-512;none" */
#define SSH_SERVER_HASSH "5adba48b6cfc80360610a7db4e3985b6"

void ssh_put32(uint8_t *b, uint32_t v);
/* A KEXINIT payload (type byte first) from ten lists; returns its length. */
uint32_t ssh_kexinit_payload(uint8_t *out, const char *const lists[]);
/* Wraps a payload into a cleartext binary packet; returns its length. */
uint32_t ssh_packet(uint8_t *out, const uint8_t *payload, uint32_t len);

#endif
