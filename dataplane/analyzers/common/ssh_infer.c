/* SPDX-License-Identifier: BSD-3-Clause */
/* Encrypted-SSH inference from sizes and timing (see ssh_infer.h). The
 * ideas are packetStrider's and Zeek's (detection.md section 1), the
 * rules here our own: they use only the packet before, so each packet
 * costs a few comparisons and the state stays a few dozen bytes. */
#include "analyzers/common/ssh_infer.h"

#include <math.h>

#define NS_PER_MS 1000000ull
/* Gaps longer than this are pauses (thinking, waiting for output), not
 * typing rhythm: people type 100-400 ms apart within a word. */
#define TYPING_GAP_MAX_NS (1000 * NS_PER_MS)
#define TYPING_MIN_GAPS 5
/* Gaps after which typing is judged well enough to report while open. */
#define TYPING_SURE_GAPS 20
/* Coefficient of variation of inter-key gaps from which typing is
 * called human: people vary by half their mean and more, a script that
 * sleeps a fixed time by a few percent. */
#define TYPING_HUMAN_CV 0.25
/* A banner (USERAUTH_BANNER) is far larger than SERVICE_ACCEPT. */
#define AUTH_BANNER_EXTRA 256
/* Server packets watched for the outcome before giving up: the success
 * packet can arrive merged with the next message and never be seen. */
#define AUTH_MAX_SERVER_PKTS 16
/* A success packet is at least one cipher block smaller than accept. */
#define AUTH_SUCCESS_SMALLER 8
/* Reply packets allowed after a keepalive request. */
#define KEEPALIVE_REPLY_PKTS 2

static bool auth_over(const struct ssh_infer *s)
{
	return s->auth == SSH_AUTH_SUCCESS || s->auth == SSH_AUTH_UNKNOWN;
}

/* Returns SSH_INF_AUTH_DONE when the outcome becomes known. */
static unsigned auth_step(struct ssh_infer *s, enum ssh_side side,
			  uint32_t len, uint64_t ts)
{
	uint16_t l16 = len > UINT16_MAX ? UINT16_MAX : (uint16_t)len;

	switch (s->auth) {
	case SSH_AUTH_WAIT_CLIENT:
		if (side == SSH_CLIENT)
			s->auth = SSH_AUTH_WAIT_ACCEPT;
		return 0;
	case SSH_AUTH_WAIT_ACCEPT:
		if (side == SSH_SERVER) {
			s->accept_size = l16;
			s->auth = SSH_AUTH_RUNNING;
		}
		return 0;
	case SSH_AUTH_RUNNING:
		break;
	default:
		return 0;
	}
	if (side != SSH_SERVER)
		return 0;
	s->auth_server_pkts++;
	if ((uint32_t)l16 + AUTH_SUCCESS_SMALLER <= s->accept_size) {
		s->auth = SSH_AUTH_SUCCESS;
	} else if (l16 > s->accept_size + AUTH_BANNER_EXTRA) {
		/* a banner: neither success nor failure */
	} else if (s->failure_size == 0 && l16 > s->accept_size) {
		s->failure_size = l16;
		s->auth_failures = 1;
	} else if (l16 == s->failure_size && s->auth_failures < UINT16_MAX) {
		s->auth_failures++;
	}
	if (s->auth == SSH_AUTH_RUNNING &&
	    s->auth_server_pkts >= AUTH_MAX_SERVER_PKTS)
		s->auth = SSH_AUTH_UNKNOWN;
	if (!auth_over(s))
		return 0;
	s->auth_done_ns = ts;
	return SSH_INF_AUTH_DONE;
}

static void key_record(struct ssh_infer *s, enum ssh_side typer,
		       uint32_t len, uint64_t key_ns)
{
	uint64_t prev = s->key_last_ns[typer];
	/* only gaps between keys of one size: the pairs of a session's
	 * setup (channel open, inner banners) are no typing rhythm */
	bool same_size = s->key_last_len[typer] == len;

	/* majority vote: the size most keystrokes have, in O(1) */
	if (s->key_size_votes[typer] == 0) {
		s->key_size[typer] = (uint16_t)len;
		s->key_size_votes[typer] = 1;
	} else if (s->key_size[typer] == len) {
		if (s->key_size_votes[typer] < UINT16_MAX)
			s->key_size_votes[typer]++;
	} else {
		s->key_size_votes[typer]--;
	}
	if (s->keys[typer] < UINT32_MAX)
		s->keys[typer]++;
	if (prev && same_size && key_ns > prev &&
	    key_ns - prev <= TYPING_GAP_MAX_NS) {
		double ms = (double)(key_ns - prev) / (double)NS_PER_MS;

		s->gap_n[typer]++;
		s->gap_sum[typer] += ms;
		s->gap_sq[typer] += ms * ms;
	}
	s->key_last_ns[typer] = key_ns;
	s->key_last_len[typer] = (uint16_t)len;
	if (typer == SSH_SERVER && s->first_server_key_ns == 0)
		s->first_server_key_ns = key_ns;
}

/* Pairs this packet with the previous one when it echoes it. */
static void key_step(struct ssh_infer *s, const struct ssh_infer_cfg *cfg,
		     enum ssh_side side, uint32_t len, uint64_t ts)
{
	if (s->last_open && s->last_side != side && s->last_len == len &&
	    len <= cfg->keystroke_max_bytes && ts >= s->last_ns &&
	    ts - s->last_ns <= cfg->echo_max_ns) {
		key_record(s, (enum ssh_side)s->last_side, len, s->last_ns);
		s->last_open = 0;   /* an echo is not the next keystroke */
		return;
	}
	s->last_open = 1;
}

static bool keepalive_regular(const struct ssh_infer *s,
			      const struct ssh_infer_cfg *cfg)
{
	double mean;

	if (s->ka_events < cfg->keepalive_min_events + 1)
		return false;
	/* a check-in or two, not traffic between every keepalive */
	if ((uint64_t)s->ka_interrupts * 4 > s->ka_events)
		return false;
	mean = (double)s->ka_sum_ms / (double)(s->ka_events - 1);
	return mean > 0 &&
	       (double)(s->ka_max_ms - s->ka_min_ms) / mean <=
		       cfg->keepalive_max_jitter;
}

/* silent: nothing was sent either way for the keepalive period.
 * OpenSSH's ServerAliveInterval (and autossh's) fires after that long
 * without data from the peer: other traffic (an operator's check-in
 * through the tunnel) restarts the timer, it does not end the rhythm. */
static void keepalive_step(struct ssh_infer *s, enum ssh_side side,
			   uint32_t len, uint64_t ts, bool silent)
{
	if (!silent) {
		if (s->ka_events && side != s->ka_side && s->ka_reply_left) {
			s->ka_reply_left--;
			return;
		}
		if (s->ka_events) {
			s->ka_last_ns = ts;
			s->ka_reply_left = 0;
			if (!s->ka_in_burst && s->ka_interrupts < UINT32_MAX)
				s->ka_interrupts++;
			s->ka_in_burst = 1;
		}
		return;
	}
	s->ka_in_burst = 0;
	if (s->ka_events && side == s->ka_side && len == s->ka_size) {
		uint64_t ms64 = (ts - s->ka_last_ns) / NS_PER_MS;
		uint32_t ms = ms64 > UINT32_MAX ? UINT32_MAX : (uint32_t)ms64;

		if (ms < s->ka_min_ms)
			s->ka_min_ms = ms;
		if (ms > s->ka_max_ms)
			s->ka_max_ms = ms;
		s->ka_sum_ms += ms;
		s->ka_events++;
	} else {
		s->ka_events = 1;
		s->ka_side = (uint8_t)side;
		s->ka_size = len > UINT16_MAX ? UINT16_MAX : (uint16_t)len;
		s->ka_min_ms = UINT32_MAX;
		s->ka_max_ms = 0;
		s->ka_sum_ms = 0;
		s->ka_first_ns = ts;
		s->ka_interrupts = 0;
	}
	s->ka_last_ns = ts;
	s->ka_reply_left = KEEPALIVE_REPLY_PKTS;
}

/* Keystrokes an operator's check-in through a known keepalive tunnel
 * needs: a command or two is reverse use once the tunnel is known. */
#define CHECKIN_MIN_KEYS 3

/* Typed from the server side: enough keystrokes, and at least twice
 * what the client typed (a forward session's stray server-first pairs
 * stay under that); or, inside a session already known as a keepalive
 * tunnel whose client never typed, a short check-in. */
static bool reverse_met(const struct ssh_infer *s,
			const struct ssh_infer_cfg *cfg)
{
	if ((s->reported & SSH_INF_KEEPALIVE) && s->keys[SSH_CLIENT] == 0 &&
	    s->keys[SSH_SERVER] >= CHECKIN_MIN_KEYS)
		return true;
	return s->keys[SSH_SERVER] >= cfg->reverse_min_keystrokes &&
	       s->keys[SSH_SERVER] >= 2 * (uint64_t)s->keys[SSH_CLIENT];
}

static unsigned report_once(struct ssh_infer *s, unsigned ev)
{
	ev &= ~(unsigned)s->reported;
	s->reported |= (uint8_t)ev;
	return ev;
}

unsigned ssh_infer_packet(struct ssh_infer *s, const struct ssh_infer_cfg *cfg,
			  enum ssh_side side, uint32_t len, uint64_t ts_ns)
{
	bool silent = s->pkts[0] + s->pkts[1] > 0 && ts_ns >= s->last_ns &&
		      ts_ns - s->last_ns >= cfg->keepalive_min_interval_ns;
	unsigned ev = 0;

	s->bytes[side] += len;
	if (s->pkts[side] < UINT32_MAX)
		s->pkts[side]++;
	if (!auth_over(s)) {
		ev |= auth_step(s, side, len, ts_ns);
	} else {
		key_step(s, cfg, side, len, ts_ns);
		keepalive_step(s, side, len, ts_ns, silent);
	}
	s->last_ns = ts_ns;
	s->last_len = len;
	s->last_side = (uint8_t)side;
	if (ev & SSH_INF_AUTH_DONE)
		s->last_open = 0;
	/* reported while open once the typing can be judged too */
	if (reverse_met(s, cfg) &&
	    (s->gap_n[SSH_SERVER] >= TYPING_SURE_GAPS ||
	     s->keys[SSH_SERVER] >= 4 * (uint64_t)cfg->reverse_min_keystrokes))
		ev |= SSH_INF_REVERSE;
	/* the tunnel's own client never types: an admin's idle session with
	 * keepalives does */
	if (s->keys[SSH_CLIENT] == 0 && keepalive_regular(s, cfg))
		ev |= SSH_INF_KEEPALIVE;
	return report_once(s, ev);
}

unsigned ssh_infer_finish(struct ssh_infer *s, const struct ssh_infer_cfg *cfg)
{
	return report_once(s, reverse_met(s, cfg) ? SSH_INF_REVERSE : 0);
}

const char *ssh_infer_typing(const struct ssh_infer *s, enum ssh_side side,
			     double *cv)
{
	double n = s->gap_n[side], mean, var;

	*cv = 0;
	if (s->gap_n[side] < TYPING_MIN_GAPS)
		return "unknown";
	mean = s->gap_sum[side] / n;
	var = s->gap_sq[side] / n - mean * mean;
	if (mean <= 0)
		return "unknown";
	*cv = var > 0 ? sqrt(var) / mean : 0;
	return *cv >= TYPING_HUMAN_CV ? "human" : "scripted";
}

const char *ssh_infer_auth_name(const struct ssh_infer *s)
{
	if (s->auth == SSH_AUTH_SUCCESS)
		return "success";
	if (s->auth_failures >= 2)
		return "failure";
	return "unknown";
}
