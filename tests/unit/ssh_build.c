/* SPDX-License-Identifier: BSD-3-Clause */
#include "ssh_build.h"

#include <string.h>

const char *const ssh_client_lists[SSH_L_COUNT] = {
	"curve25519-sha256,diffie-hellman-group14-sha256",
	"ssh-ed25519,rsa-sha2-512",
	"chacha20-poly1305@openssh.com,aes128-ctr",
	"aes128-ctr,aes256-ctr",
	"hmac-sha2-256,umac-64@openssh.com",
	"hmac-sha2-512",
	"none,zlib@openssh.com",
	"none",
	"",
	"",
};

void ssh_put32(uint8_t *b, uint32_t v)
{
	b[0] = (uint8_t)(v >> 24);
	b[1] = (uint8_t)(v >> 16);
	b[2] = (uint8_t)(v >> 8);
	b[3] = (uint8_t)v;
}

uint32_t ssh_kexinit_payload(uint8_t *out, const char *const lists[])
{
	uint32_t n = 0;

	out[n++] = SSH_MSG_KEXINIT;
	memset(out + n, 0xab, 16);  /* cookie */
	n += 16;
	for (int i = 0; i < SSH_L_COUNT; i++) {
		uint32_t l = (uint32_t)strlen(lists[i]);

		ssh_put32(out + n, l);
		memcpy(out + n + 4, lists[i], l);
		n += 4 + l;
	}
	out[n++] = 0;               /* first_kex_packet_follows */
	ssh_put32(out + n, 0);      /* reserved */
	return n + 4;
}

uint32_t ssh_packet(uint8_t *out, const uint8_t *payload, uint32_t len)
{
	uint32_t pad = 8 - (5 + len) % 8;

	if (pad < 4)
		pad += 8;
	ssh_put32(out, 1 + len + pad);
	out[4] = (uint8_t)pad;
	memcpy(out + 5, payload, len);
	memset(out + 5 + len, 0, pad);
	return 5 + len + pad;
}
