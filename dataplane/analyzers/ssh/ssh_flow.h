/* SPDX-License-Identifier: BSD-3-Clause */
/* The state of one watched SSH flow (a session, in ssh.c's per-worker
 * table), shared by ssh.c (which fills it) and ssh_report.c (which turns
 * it into findings). */
#ifndef TW_SSH_FLOW_H
#define TW_SSH_FLOW_H

#include <stdint.h>

#include "analyzers/analyzer.h"
#include "analyzers/common/ssh_infer.h"
#include "analyzers/ssh/ssh_wire.h"

#define SSH_ALGO_MAX 32

struct ssh_flow {
	struct ssh_dir_parser parser[2];   /* by flow direction */
	struct ssh_infer inf;
	uint32_t slot;              /* KEXINIT pool slot, index + 1; 0 none */
	uint8_t no_slot;            /* pool was empty: no fingerprints */
	uint8_t banner[2];          /* identification string seen, by dir */
	uint8_t kexinit[2];         /* KEXINIT copied whole, by dir */
	uint8_t newkeys_pkt[2];     /* the next packet carried NEWKEYS */
	uint8_t role_known;         /* a key-exchange message told the roles */
	uint8_t server_is_orig;     /* the TCP originator is the SSH server */
	uint8_t fp_done;            /* fingerprints attempted */
	uint8_t has_hassh, has_hassh_server;
	uint8_t handshake_reported;
	uint8_t broken;             /* a side sent no banner: not followed */
	uint8_t by_size;            /* picked up mid-stream, SSH by its sizes
				     * (ssh_mid.c): no banner or KEXINIT */
	uint8_t fed[2];             /* bytes of this direction parsed */
	uint8_t hassh[16], hassh_server[16];
	char cipher[SSH_ALGO_MAX], mac[SSH_ALGO_MAX];
};

/* ssh_report.c: one finding each, the host being the TCP originator. */
void ssh_report_role_inversion(struct an_ctx *c, const struct flow *f,
			       const struct ssh_flow *st);
void ssh_report_nonstandard_port(struct an_ctx *c, const struct flow *f,
				 const struct ssh_flow *st);
void ssh_report_unexpected(struct an_ctx *c, const struct flow *f,
			   const struct ssh_flow *st,
			   const struct ip_addr *client,
			   const struct ip_addr *server);
void ssh_report_reverse(struct an_ctx *c, const struct flow *f,
			const struct ssh_flow *st);
void ssh_report_keepalive(struct an_ctx *c, const struct flow *f,
			  const struct ssh_flow *st);

#endif
