/* SPDX-License-Identifier: BSD-3-Clause */
/* Fully encrypted proxies (issue 12, item 4): VMess, Shadowsocks, obfs4
 * and their kin send random-looking bytes from the first byte on, so no
 * pattern names them. The Great Firewall of China flags such connections
 * by their client's first payload; Wu et al., "How the Great Firewall of
 * China Detects and Blocks Fully Encrypted Traffic", USENIX Security
 * 2023, section 4, give its rules. A first payload is EXEMPT when
 *   Ex1: its average popcount per byte is <= 3.4 or >= 4.6;
 *   Ex2: its first 6 bytes are printable ASCII (0x20-0x7e);
 *   Ex3: more than 50% of its bytes are printable;
 *   Ex4: it holds more than 20 contiguous printable bytes;
 *   Ex5: it starts like TLS (0x16-0x17, 0x03, 0x00-0x09) or HTTP
 *        ("GET ", "PUT ", "POST ", "HEAD ");
 * and fully encrypted otherwise. One exemption is ours:
 *   Ex6: a 2-byte big-endian length at offset 0, 1 or 2 (or a 4-byte one
 *        at 0) that equals the payload's length, with or without its own
 *        header: a cleartext frame header, as proprietary encrypted
 *        protocols have (benign_ndpi_jabber: type byte + length) and the
 *        proxies this looks for do not (they start with a random salt,
 *        nonce or key). A random start matches it about once in 10^4.
 * Here the rules are applied to the
 * originator's first in-order chunk of TCP flows whose handshake was seen,
 * that spoke first (server-first protocols such as SSH, SMTP or MySQL are
 * out: the server's greeting names them) and that no app pattern labelled.
 * stats.scan.fully_encrypted_checked / _tripped count them.
 *
 * One such flow is common enough (the paper measures the rule on about
 * 0.6% of ordinary connections); what a proxy adds is repetition: one new
 * connection per proxied request. tunnel.encrypted_proxy (medium) when
 * tunnel.encrypted_min_flows flows from one host to one destination
 * (address and port) tripped the rule and at most a quarter as many to it
 * were exempt: the destination speaks nothing recognisable to this host.
 * At a rare destination (verdict/prevalence.h: no other inside host
 * talks to it, or the host reached it by an address no DNS answer named)
 * the manager raises it to high (rare_severity).
 *
 * Memory: tunnel.encrypted_max_pairs entries of 40 bytes per worker. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#ifdef __SSE2__
#include <emmintrin.h>
#endif

#include "analyzers/analyzer.h"
#include "analyzers/fully_encrypted/fully_encrypted.h"
#include "config/config.h"
#include "base/bytes.h"
#include "base/mix.h"
#include "base/counters.h"

struct fep_pair {
	struct ip_addr host, dest;
	uint16_t port;
	uint16_t tripped;
	uint16_t exempt;
	uint8_t used;
	uint8_t reported;
};

struct fep_worker {
	struct fep_pair *pairs;
	uint32_t mask;             /* slots - 1, a power of two */
	uint32_t used;
	uint32_t max_used;         /* tunnel.encrypted_max_pairs */
};

struct fep_flow {
	uint8_t judged;
	uint8_t tripped;
	uint16_t first_len;
	uint16_t popcount_x100;    /* average popcount per byte, x100 */
};

static bool printable(uint8_t b)
{
	return b >= 0x20 && b <= 0x7e;
}

static bool tls_or_http_start(const uint8_t *d, uint32_t len)
{
	if (len >= 3 && (d[0] == 0x16 || d[0] == 0x17) && d[1] == 0x03 &&
	    d[2] <= 0x09)
		return true;
	return (len >= 4 && (memcmp(d, "GET ", 4) == 0 ||
			     memcmp(d, "PUT ", 4) == 0)) ||
	       (len >= 5 && (memcmp(d, "POST ", 5) == 0 ||
			     memcmp(d, "HEAD ", 5) == 0));
}

static bool length_header(const uint8_t *d, uint32_t len)
{
	for (uint32_t o = 0; o <= 2 && o + 2 <= len; o++) {
		uint32_t v = (uint32_t)(d[o] << 8 | d[o + 1]);

		if (v == len || v + o + 2 == len)
			return true;
	}
	if (len >= 4) {
		uint32_t v = (uint32_t)d[0] << 24 | (uint32_t)d[1] << 16 |
			     (uint32_t)d[2] << 8 | d[3];

		if (v == len || v + 4 == len)
			return true;
	}
	return false;
}

/* The high bit of each printable byte (0x20-0x7e) of v. */
static uint64_t printable_bits(uint64_t v)
{
	uint64_t low = v & ~BYTES_HIGHS;                      /* each byte < 0x80 */
	uint64_t ge20 = low + 0x6060606060606060ULL;    /* >= 0x20: 0x80 set */
	uint64_t le7e = ~(low + 0x0101010101010101ULL); /* <= 0x7e: 0x80 set */

	return ge20 & le7e & ~v & BYTES_HIGHS;
}

/* Bits set in each byte of v, a count per byte. The build targets no
 * popcnt instruction (__builtin_popcount per byte became a libgcc call
 * per byte). */
static uint64_t byte_popcounts(uint64_t v)
{
	v = v - ((v >> 1) & 0x5555555555555555ULL);
	v = (v & 0x3333333333333333ULL) + ((v >> 2) & 0x3333333333333333ULL);
	return (v + (v >> 4)) & 0x0f0f0f0f0f0f0f0fULL;
}

/* The sum of the bytes of v (each at most 255). */
static uint32_t byte_sum(uint64_t v)
{
	v = (v & 0x00ff00ff00ff00ffULL) + ((v >> 8) & 0x00ff00ff00ff00ffULL);
	return (uint32_t)((v * 0x0001000100010001ULL) >> 48);
}

/* What the rules count over the whole payload, in one pass of 8 bytes at
 * a time: bits set, printable bytes and the longest run of them (inside
 * a word only the runs that touch its ends can reach past 7). Per-byte
 * sums are kept in byte lanes and added up every 31 words (31 * 8 bits
 * fit a byte). */
static void byte_stats(const uint8_t *d, uint32_t len, uint32_t *bits,
		       uint32_t *printables, uint32_t *longest)
{
	uint64_t pop_lanes = 0, printable_lanes = 0;
	uint32_t pop = 0, count = 0, run = 0, best = 0, words = 0, i = 0;

#ifdef __SSE2__
	/* the same, 16 bytes at a time (SSE2 is baseline on x86-64) */
	const __m128i m55 = _mm_set1_epi8(0x55), m33 = _mm_set1_epi8(0x33);
	const __m128i m0f = _mm_set1_epi8(0x0f), zero = _mm_setzero_si128();
	const __m128i one = _mm_set1_epi8(1), space = _mm_set1_epi8(0x20);
	const __m128i flip = _mm_set1_epi8((char)0x80);
	const __m128i limit = _mm_set1_epi8((char)(0x5f ^ 0x80));
	__m128i pop_sums = zero, printable_sums = zero;

	for (; i + 16 <= len; i += 16) {
		__m128i v = _mm_loadu_si128((const __m128i *)(const void *)(d + i));
		__m128i c = _mm_sub_epi8(v, _mm_and_si128(_mm_srli_epi16(v, 1), m55));
		__m128i pm;
		unsigned np;

		c = _mm_add_epi8(_mm_and_si128(c, m33),
				 _mm_and_si128(_mm_srli_epi16(c, 2), m33));
		c = _mm_and_si128(_mm_add_epi8(c, _mm_srli_epi16(c, 4)), m0f);
		pop_sums = _mm_add_epi64(pop_sums, _mm_sad_epu8(c, zero));
		/* printable: b - 0x20 < 0x5f unsigned, a signed compare with
		 * the top bits flipped */
		pm = _mm_cmplt_epi8(_mm_xor_si128(_mm_sub_epi8(v, space), flip),
				    limit);
		printable_sums = _mm_add_epi64(printable_sums,
				_mm_sad_epu8(_mm_and_si128(pm, one), zero));
		np = ~(unsigned)_mm_movemask_epi8(pm) & 0xffffu;
		if (!np) {
			run += 16;
		} else {
			run += (uint32_t)__builtin_ctz(np);        /* leading */
			best = run > best ? run : best;
			run = (uint32_t)__builtin_clz(np) - 16;   /* trailing */
		}
	}
	pop = (uint32_t)_mm_cvtsi128_si32(pop_sums) +
	      (uint32_t)_mm_cvtsi128_si32(_mm_srli_si128(pop_sums, 8));
	count = (uint32_t)_mm_cvtsi128_si32(printable_sums) +
		(uint32_t)_mm_cvtsi128_si32(_mm_srli_si128(printable_sums, 8));
#endif
	for (; i < len; i += 8) {
		uint64_t v = 0, pb, np;

		if (i + 8 <= len)
			v = load64(d + i);
		else   /* zeros: no bits, not printable */
			memcpy(&v, d + i, len - i);
		pop_lanes += byte_popcounts(v);
		pb = printable_bits(v);
		printable_lanes += pb >> 7;
		np = ~pb & BYTES_HIGHS;                   /* the other bytes */
		if (!np) {
			run += 8;
		} else {
			run += (uint32_t)__builtin_ctzll(np) >> 3; /* leading */
			best = run > best ? run : best;
			run = (uint32_t)__builtin_clzll(np) >> 3;  /* trailing */
		}
		if (++words == 31) {
			pop += byte_sum(pop_lanes);
			count += byte_sum(printable_lanes);
			pop_lanes = printable_lanes = 0;
			words = 0;
		}
	}
	*bits = pop + byte_sum(pop_lanes);
	*printables = count + byte_sum(printable_lanes);
	*longest = run > best ? run : best;
}

/* Wu et al.'s rules and Ex6; true when the payload is fully encrypted (not
 * exempt). *pop_x100 gets the average popcount per byte times 100 when
 * the rules get that far (the constant-time exemptions come first). */
bool fep_looks_fully_encrypted(const uint8_t *d, uint32_t len,
			       uint32_t *pop_x100)
{
	uint32_t bits, printables, longest;

	*pop_x100 = 0;
	if (len == 0)
		return false;
	if (len >= 6) {
		bool all = true;

		for (unsigned i = 0; i < 6; i++)
			all = all && printable(d[i]);
		if (all)
			return false;                           /* Ex2 */
	}
	if (tls_or_http_start(d, len))
		return false;                                   /* Ex5 */
	byte_stats(d, len, &bits, &printables, &longest);
	*pop_x100 = (uint32_t)((uint64_t)bits * 100 / len);
	if (bits * 10 <= 34 * len || bits * 10 >= 46 * len)
		return false;                                   /* Ex1 */
	if (printables * 2 > len)
		return false;                                   /* Ex3 */
	if (longest > 20)
		return false;                                   /* Ex4 */
	return !length_header(d, len);                          /* Ex6 */
}

static uint32_t pair_hash(const struct flow *f)
{
	uint64_t h = f->resp_port;

	for (unsigned i = 0; i < 16; i += 8)
		h = mix64(h ^ load64(f->orig_addr.b + i));
	for (unsigned i = 0; i < 16; i += 8)
		h = mix64(h ^ load64(f->resp_addr.b + i));
	return (uint32_t)h;
}

static bool same_addr(const struct ip_addr *a, const struct ip_addr *b)
{
	return memcmp(a->b, b->b, sizeof(a->b)) == 0;
}

/* The pair's entry; created when create is set and there is room. */
static struct fep_pair *pair_find(struct fep_worker *w, const struct flow *f,
				  bool create)
{
	uint32_t i = pair_hash(f) & w->mask;

	for (uint32_t probes = 0; probes <= w->mask; probes++) {
		struct fep_pair *p = &w->pairs[i];

		if (!p->used) {
			if (!create || w->used >= w->max_used)
				return NULL;
			p->used = 1;
			p->host = f->orig_addr;
			p->dest = f->resp_addr;
			p->port = f->resp_port;
			w->used++;
			return p;
		}
		if (p->port == f->resp_port &&
		    same_addr(&p->host, &f->orig_addr) &&
		    same_addr(&p->dest, &f->resp_addr))
			return p;
		i = (i + 1) & w->mask;
	}
	return NULL;
}

static void report(struct an_ctx *c, const struct flow *f,
		   const struct fep_pair *p, const struct fep_flow *s)
{
	char peer[64];
	struct finding fd;

	finding_init(&fd, f, FK_TUNNEL_ENCRYPTED_PROXY, SEV_MEDIUM);
	/* a destination no other inside host talks to (or no DNS answer
	 * named) makes it high: the manager's prevalence table decides */
	fd.rare_severity = SEV_HIGH;
	ip_addr_format(&f->resp_addr, peer, sizeof(peer));
	finding_summary(&fd, "%u connections to %s:%u open with fully encrypted bytes and no protocol (GFW rules, Wu et al. 2023): an encrypted proxy such as VMess, Shadowsocks or obfs4",
			p->tripped, peer, f->resp_port);
	an_add_nesting(c, f, &fd);
	finding_add_int(&fd, "flows", p->tripped);
	finding_add_int(&fd, "exempt_flows", p->exempt);
	finding_add_int(&fd, "port", f->resp_port);
	finding_add_int(&fd, "first_payload_bytes", s->first_len);
	finding_add_double(&fd, "popcount_per_byte", s->popcount_x100 / 100.0);
	an_emit(c, &fd);
}

static void fep_on_payload(struct an_ctx *c, struct flow *f, void *state,
			   enum flow_dir_id dir, const uint8_t *data,
			   uint32_t len, bool gap)
{
	struct fep_flow *s = state;
	struct fep_worker *w = c->wstate;
	struct fep_pair *p;
	uint32_t pop = 0;

	an_payload_done(c, f);   /* one chunk is all the rules read */
	if (s->judged || gap || dir != FLOW_DIR_ORIG || !f->handshake_seen ||
	    f->side[FLOW_DIR_ORIG].stream.inspected != 0 ||
	    f->side[FLOW_DIR_RESP].stream.inspected != 0)
		return;
	s->judged = 1;
	an_count(c, TW_CTR_FEP_CHECKED);
	s->tripped = !f->app && fep_looks_fully_encrypted(data, len, &pop);
	s->first_len = (uint16_t)(len > UINT16_MAX ? UINT16_MAX : len);
	s->popcount_x100 = (uint16_t)pop;
	if (s->tripped)
		an_count(c, TW_CTR_FEP_TRIPPED);
	p = pair_find(w, f, s->tripped);
	if (!p)
		return;
	if (!s->tripped) {
		if (p->exempt < UINT16_MAX)
			p->exempt++;
		return;
	}
	if (p->tripped < UINT16_MAX)
		p->tripped++;
	if (!p->reported && p->tripped >= c->cfg->tunnel.encrypted_min_flows &&
	    p->exempt * 4 <= p->tripped) {
		p->reported = 1;
		report(c, f, p, s);
	}
}

static unsigned fep_flow_classes(const struct tw_config *cfg)
{
	(void)cfg;
	return AN_FLOWS_TCP;
}

static void fep_worker_fini(void *wstate)
{
	struct fep_worker *w = wstate;

	free(w->pairs);
	memset(w, 0, sizeof(*w));
}

static int fep_worker_init(void *wstate, const struct tw_config *cfg)
{
	struct fep_worker *w = wstate;
	uint32_t slots = 16;

	if (!cfg->tunnel.enabled)
		return 0;
	/* load at most one half: probes stay short */
	while (slots < 2 * cfg->tunnel.encrypted_max_pairs)
		slots *= 2;
	w->pairs = calloc(slots, sizeof(*w->pairs));
	if (!w->pairs)
		return -ENOMEM;
	w->mask = slots - 1;
	w->max_used = cfg->tunnel.encrypted_max_pairs;
	return 0;
}

static bool fep_enabled(const struct tw_config *cfg)
{
	return cfg->tunnel.enabled;
}

const struct analyzer fully_encrypted_analyzer = {
	.name = "fully_encrypted",
	.enabled = fep_enabled,
	.flow_state_size = sizeof(struct fep_flow),
	.worker_state_size = sizeof(struct fep_worker),
	.worker_init = fep_worker_init,
	.worker_fini = fep_worker_fini,
	.flow_classes = fep_flow_classes,
	.on_payload = fep_on_payload,
};
