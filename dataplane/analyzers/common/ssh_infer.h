/* SPDX-License-Identifier: BSD-3-Clause */
/* What an encrypted SSH session does, from sizes, directions and timing
 * alone (after NEWKEYS nothing else is visible):
 *  - authentication outcome, after Zeek's size method: the server's
 *    first packet after the client's first one is SERVICE_ACCEPT; a
 *    later server packet clearly smaller is USERAUTH_SUCCESS, packets of
 *    one repeated larger size are USERAUTH_FAILUREs;
 *  - keystrokes: a small packet answered by a packet of the same size
 *    from the other side within an echo delay; the side that sent the
 *    first one types. Typing from the SSH server's side is a reverse
 *    session (an operator driving the client through the tunnel);
 *  - keepalive-only sessions: exchanges of one constant size, started by
 *    one side after silence at a fixed period, and nothing else.
 *
 * Pure state machine over (side, size, time): no engine types, so the
 * unit tests feed it crafted sequences. Sizes are TCP payload bytes. */
#ifndef TW_SSH_INFER_H
#define TW_SSH_INFER_H

#include <stdbool.h>
#include <stdint.h>

enum ssh_side { SSH_CLIENT = 0, SSH_SERVER = 1 };

enum ssh_auth {
	SSH_AUTH_WAIT_CLIENT = 0,  /* no client packet yet */
	SSH_AUTH_WAIT_ACCEPT,      /* next server packet is SERVICE_ACCEPT */
	SSH_AUTH_RUNNING,
	SSH_AUTH_SUCCESS,
	SSH_AUTH_UNKNOWN,          /* gave up: no clear success seen */
};

struct ssh_infer_cfg {
	uint32_t keystroke_max_bytes;
	uint64_t echo_max_ns;
	uint32_t reverse_min_keystrokes;
	uint32_t keepalive_min_events;
	uint64_t keepalive_min_interval_ns;
	double keepalive_max_jitter;
};

struct tw_config;

/* The thresholds above as the ssh.* config keys set them (ssh.c). */
struct ssh_infer_cfg ssh_infer_cfg_of(const struct tw_config *cfg);

/* Events returned by ssh_infer_packet (bits), each at most once. */
enum ssh_infer_event {
	SSH_INF_AUTH_DONE = 1u << 0,    /* success or given up */
	SSH_INF_REVERSE = 1u << 1,      /* reverse session, typing judged */
	SSH_INF_KEEPALIVE = 1u << 2,    /* keepalive-only thresholds met */
};

struct ssh_infer {
	/* authentication */
	uint8_t auth;               /* enum ssh_auth */
	uint8_t reported;           /* enum ssh_infer_event bits already given */
	uint16_t accept_size;       /* SERVICE_ACCEPT packet */
	uint16_t failure_size;      /* USERAUTH_FAILURE packet */
	uint16_t auth_failures;
	uint16_t auth_server_pkts;
	uint64_t auth_done_ns;
	/* the last data packet, a keystroke candidate until paired */
	uint64_t last_ns;
	uint32_t last_len;
	uint8_t last_side;
	uint8_t last_open;          /* may still be paired with an echo */
	/* keystrokes by the side that typed */
	uint32_t keys[2];
	uint16_t key_size[2];       /* that side's most common keystroke size */
	uint16_t key_size_votes[2]; /* majority vote (Boyer-Moore) */
	uint64_t key_last_ns[2];
	uint16_t key_last_len[2];
	uint64_t first_server_key_ns;
	uint32_t gap_n[2];          /* inter-keystroke gaps under 5 s */
	double gap_sum[2], gap_sq[2];
	/* keepalive exchanges */
	uint64_t ka_last_ns;        /* start of the last exchange */
	uint64_t ka_first_ns;
	uint32_t ka_events;         /* exchanges in the current run */
	uint32_t ka_min_ms, ka_max_ms;
	uint64_t ka_sum_ms;
	uint16_t ka_size;
	uint8_t ka_side;
	uint8_t ka_reply_left;      /* reply packets still allowed */
	uint8_t ka_in_burst;        /* other traffic since the last exchange */
	uint32_t ka_interrupts;     /* bursts of other traffic in the run */
	/* volume */
	uint64_t bytes[2];
	uint32_t pkts[2];
};

/* One encrypted data packet (payload > 0, no retransmission). Returns
 * ssh_infer_event bits that became true with this packet. */
unsigned ssh_infer_packet(struct ssh_infer *s, const struct ssh_infer_cfg *cfg,
			  enum ssh_side side, uint32_t len, uint64_t ts_ns);

/* The flow ends: a reverse session not reported yet (too little typing
 * to judge it while open) is reported now. Returns SSH_INF_REVERSE or 0. */
unsigned ssh_infer_finish(struct ssh_infer *s, const struct ssh_infer_cfg *cfg);

/* "human", "scripted" or "unknown" (too few gaps) for side's typing;
 * cv gets the gaps' coefficient of variation (0 when unknown). */
const char *ssh_infer_typing(const struct ssh_infer *s, enum ssh_side side,
			     double *cv);
/* "success", "failure" (failures and no success), or "unknown". */
const char *ssh_infer_auth_name(const struct ssh_infer *s);

#endif
