/* SPDX-License-Identifier: BSD-3-Clause */
/* libFuzzer target: the SSH wire parser fed in chunks whose sizes come
 * from the input (banner, headers and KEXINIT split anywhere), then the
 * KEXINIT parser, HASSH and negotiation on whatever it completed, and
 * the KEXINIT parser on the raw input. Sanitizers do the checking: no
 * read past the input, no write past the lent buffer, no loop.
 * Build: clang -fsanitize=fuzzer,address,undefined -Idataplane
 *        tests/fuzz/fuzz_ssh.c dataplane/analyzers/ssh/ssh_wire.c -lcrypto */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "analyzers/ssh/ssh_wire.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void use_kexinit(const uint8_t *kex, uint32_t len)
{
	struct ssh_kexinit k;
	uint8_t md5[16];
	char s[64];

	if (ssh_kexinit_parse(kex, len, &k) != 0)
		return;
	ssh_hassh(&k, false, md5, s, sizeof(s));
	ssh_hassh(&k, true, md5, NULL, 0);
	for (int i = 0; i < SSH_L_COUNT; i++)
		ssh_negotiate(&k, &k, (enum ssh_list)i, s, sizeof(s));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uint8_t kex[512];     /* small: KEXINITs over it are skipped */
	struct ssh_kex_buf kb = { kex, sizeof(kex) };
	struct ssh_dir_parser p;
	struct ssh_kexinit k;
	size_t off = 0;

	memset(&p, 0, sizeof(p));
	p.no_prebanner = size > 0 && (data[0] & 1);
	while (off < size) {
		size_t chunk = 1 + data[off] % 97;

		if (chunk > size - off)
			chunk = size - off;
		if (ssh_dir_feed(&p, &kb, data + off, (uint32_t)chunk) &
		    SSH_EV_KEXINIT)
			use_kexinit(kex, p.kex_len);
		off += chunk;
	}
	ssh_kexinit_parse(data, (uint32_t)size, &k);
	return 0;
}
