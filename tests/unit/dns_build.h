/* SPDX-License-Identifier: BSD-3-Clause */
/* DNS wire bits for the tests that feed DNS messages (dns_parse,
 * dns_tunnel, tunnel_service, pool_names). */
#ifndef TW_TEST_DNS_BUILD_H
#define TW_TEST_DNS_BUILD_H

#include <stdint.h>

/* Writes dotted ("www.example.com", "" for the root) at p as length-
 * prefixed labels and the root byte, labels taken as they are; returns
 * the bytes written (strlen(dotted) + 2 at most). */
uint32_t db_name(uint8_t *p, const char *dotted);

#endif
