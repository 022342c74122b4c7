/* SPDX-License-Identifier: BSD-3-Clause */
/* The GFW's fully-encrypted-traffic rules (Wu et al., USENIX Security
 * 2023) as fully_encrypted.c applies them to a first payload. */
#ifndef TW_FULLY_ENCRYPTED_H
#define TW_FULLY_ENCRYPTED_H

#include <stdbool.h>
#include <stdint.h>

/* True when no exemption (Ex1-Ex5) applies: the bytes look fully
 * encrypted. *pop_x100: average popcount per byte, times 100. */
bool fep_looks_fully_encrypted(const uint8_t *d, uint32_t len,
			       uint32_t *pop_x100);

#endif
