/* SPDX-License-Identifier: BSD-3-Clause */
/* SSH findings: the wording and the evidence each one carries. The host
 * is always the TCP originator (finding_init's default): the inside host
 * that dialled out runs the tunnel, whichever side serves SSH. */
#include <stdio.h>
#include <string.h>

#include "analyzers/ssh/ssh_flow.h"
#include "config/config.h"

#define NS_PER_S 1000000000.0
/* A keystroke this much larger than SERVICE_ACCEPT carries a second SSH
 * packet inside a channel: the outer framing adds about 40 bytes. */
#define NESTED_EXTRA_BYTES 24

static const char *software_or(const struct ssh_dir_parser *p)
{
	return p->software[0] ? p->software : "?";
}

static const struct ssh_dir_parser *client_parser(const struct ssh_flow *st)
{
	return &st->parser[st->server_is_orig ? FLOW_DIR_RESP : FLOW_DIR_ORIG];
}

static const struct ssh_dir_parser *server_parser(const struct ssh_flow *st)
{
	return &st->parser[st->server_is_orig ? FLOW_DIR_ORIG : FLOW_DIR_RESP];
}

static void add_md5(struct finding *fd, const char *key, bool has,
		    const uint8_t md5[16])
{
	char hex[33];

	if (!has)
		return;
	ssh_md5_hex(md5, hex);
	finding_add_str(fd, key, hex);
}

/* Banners and fingerprints: what identifies both programs. */
static void add_identity(struct finding *fd, const struct ssh_flow *st)
{
	finding_add_str(fd, "client_software", software_or(client_parser(st)));
	finding_add_str(fd, "server_software", software_or(server_parser(st)));
	add_md5(fd, "hassh", st->has_hassh, st->hassh);
	add_md5(fd, "hassh_server", st->has_hassh_server, st->hassh_server);
	if (st->cipher[0])
		finding_add_str(fd, "cipher", st->cipher);
}

/* AEAD ciphers authenticate themselves: the negotiated MAC is unused. */
static bool aead(const char *cipher)
{
	return strstr(cipher, "poly1305") || strstr(cipher, "gcm");
}

static const char *addr_str(const struct ip_addr *a, char *buf, unsigned len)
{
	return ip_addr_format(a, buf, len);
}

void ssh_report_role_inversion(struct an_ctx *c, const struct flow *f,
			       const struct ssh_flow *st)
{
	char peer[64];
	struct finding fd;

	finding_init(&fd, f, FK_SSH_ROLE_INVERSION, SEV_HIGH);
	finding_summary(&fd, "dialled out to %s:%u and serves SSH (%s) to it: connect-back",
			addr_str(&f->resp_addr, peer, sizeof(peer)),
			flow_service_port(f), software_or(server_parser(st)));
	an_add_nesting(c, f, &fd);   /* first: kept when the detail is full */
	finding_add_int(&fd, "port", flow_service_port(f));
	finding_add_str(&fd, "ssh_server", "originator");
	add_identity(&fd, st);
	if (st->mac[0])
		finding_add_str(&fd, "mac", aead(st->cipher) ? "implicit" :
							       st->mac);
	an_emit(c, &fd);
}

void ssh_report_nonstandard_port(struct an_ctx *c, const struct flow *f,
				 const struct ssh_flow *st)
{
	bool evasive = port_list_contains(&c->cfg->ssh.evasive_ports,
					  flow_service_port(f));
	char peer[64];
	struct finding fd;

	finding_init(&fd, f, FK_SSH_NONSTANDARD_PORT,
		     evasive ? SEV_HIGH : SEV_MEDIUM);
	finding_summary(&fd, "SSH to %s on port %u%s",
			addr_str(&f->resp_addr, peer, sizeof(peer)),
			flow_service_port(f),
			evasive ? ", a port most firewalls pass" : "");
	an_add_nesting(c, f, &fd);   /* first: kept when the detail is full */
	finding_add_int(&fd, "port", flow_service_port(f));
	finding_add_bool(&fd, "evasive_port", evasive);
	finding_add_str(&fd, "ssh_server",
			!st->role_known ? "unknown" :
			st->server_is_orig ? "originator" : "responder");
	add_identity(&fd, st);
	an_emit(c, &fd);
}

void ssh_report_unexpected(struct an_ctx *c, const struct flow *f,
			   const struct ssh_flow *st,
			   const struct ip_addr *client,
			   const struct ip_addr *server)
{
	const struct tw_config *cfg = c->cfg;
	bool bad_client = cfg->ssh.allowed_clients.n &&
			  !prefix_list_contains(&cfg->ssh.allowed_clients,
						client);
	char cbuf[64], sbuf[64];
	struct finding fd;

	finding_init(&fd, f, FK_SSH_UNEXPECTED_DESTINATION, SEV_MEDIUM);
	addr_str(client, cbuf, sizeof(cbuf));
	addr_str(server, sbuf, sizeof(sbuf));
	finding_summary(&fd, "SSH from %s to %s: %s not in ssh.%s", cbuf, sbuf,
			bad_client ? cbuf : sbuf,
			bad_client ? "allowed_clients" : "allowed_servers");
	an_add_nesting(c, f, &fd);   /* first: kept when the detail is full */
	finding_add_str(&fd, "client", cbuf);
	finding_add_str(&fd, "server", sbuf);
	finding_add_str(&fd, "not_allowed", bad_client ? "client" : "server");
	finding_add_int(&fd, "port", flow_service_port(f));
	add_identity(&fd, st);
	an_emit(c, &fd);
}

void ssh_report_reverse(struct an_ctx *c, const struct flow *f,
			const struct ssh_flow *st)
{
	const struct ssh_infer *s = &st->inf;
	uint32_t ks = s->key_size[SSH_SERVER];
	bool nested = s->accept_size &&
		      ks >= (uint32_t)s->accept_size + NESTED_EXTRA_BYTES;
	char peer[64], when[40];
	const char *typing;
	struct finding fd;
	double cv;

	typing = ssh_infer_typing(s, SSH_SERVER, &cv);
	finding_init(&fd, f, FK_SSH_REVERSE_SESSION, SEV_HIGH);
	fd.first_ns = s->first_server_key_ns;
	finding_summary(&fd, "reverse SSH session over the connection to %s:%u: %u keystrokes typed from the server side (%u B%s), %s typing",
			addr_str(&f->resp_addr, peer, sizeof(peer)),
			flow_service_port(f), s->keys[SSH_SERVER], ks,
			nested ? ", nested session" : "", typing);
	an_add_nesting(c, f, &fd);   /* first: kept when the detail is full */
	finding_add_int(&fd, "server_keystrokes", s->keys[SSH_SERVER]);
	finding_add_int(&fd, "client_keystrokes", s->keys[SSH_CLIENT]);
	finding_add_int(&fd, "keystroke_bytes", ks);
	finding_add_bool(&fd, "nested", nested);
	finding_add_str(&fd, "inner_session_start",
			time_format_rfc3339(s->first_server_key_ns, when,
					    sizeof(when)));
	finding_add_str(&fd, "typing", typing);
	finding_add_double(&fd, "typing_gap_cv", cv);
	finding_add_str(&fd, "auth", ssh_infer_auth_name(s));
	if (st->by_size)
		finding_add_str(&fd, "identified_by", "packet_sizes");
	finding_add_str(&fd, "client_software", software_or(client_parser(st)));
	add_md5(&fd, "hassh", st->has_hassh, st->hassh);
	an_emit(c, &fd);
}

void ssh_report_keepalive(struct an_ctx *c, const struct flow *f,
			  const struct ssh_flow *st)
{
	const struct ssh_infer *s = &st->inf;
	bool odd_port = !port_list_contains(&c->cfg->ssh.ports, flow_service_port(f));
	double mean = (double)s->ka_sum_ms / 1000.0 / (double)(s->ka_events - 1);
	char peer[64];
	struct finding fd;

	finding_init(&fd, f, FK_SSH_KEEPALIVE_TUNNEL,
		     odd_port ? SEV_HIGH : SEV_MEDIUM);
	fd.first_ns = s->auth_done_ns ? s->auth_done_ns : f->first_ns;
	finding_summary(&fd, "idle SSH tunnel to %s:%u: only %u B keepalives every %.1f s from the %s, no typing",
			addr_str(&f->resp_addr, peer, sizeof(peer)),
			flow_service_port(f), s->ka_size, mean,
			s->ka_side == SSH_CLIENT ? "client" : "server");
	an_add_nesting(c, f, &fd);   /* first: kept when the detail is full */
	finding_add_double(&fd, "interval_s", mean);
	finding_add_double(&fd, "interval_spread_s",
			   (double)(s->ka_max_ms - s->ka_min_ms) / 1000.0);
	finding_add_int(&fd, "keepalives", s->ka_events);
	finding_add_int(&fd, "keepalive_bytes", s->ka_size);
	finding_add_str(&fd, "sent_by", s->ka_side == SSH_CLIENT ? "client" :
								   "server");
	finding_add_str(&fd, "auth", ssh_infer_auth_name(s));
	finding_add_int(&fd, "bytes_client", (int64_t)s->bytes[SSH_CLIENT]);
	finding_add_int(&fd, "bytes_server", (int64_t)s->bytes[SSH_SERVER]);
	finding_add_int(&fd, "port", flow_service_port(f));
	if (st->by_size)
		finding_add_str(&fd, "identified_by", "packet_sizes");
	add_md5(&fd, "hassh", st->has_hassh, st->hassh);
	an_emit(c, &fd);
}
