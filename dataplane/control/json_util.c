/* SPDX-License-Identifier: BSD-3-Clause */
/* Shared JSON building blocks (see json_util.h). */
#include "control/json_util.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "decode/decode.h"

struct proto_names {
	uint8_t proto;
	const char *lower;
	const char *suricata;
};

static const struct proto_names proto_names[] = {
	{ TW_PROTO_TCP, "tcp", "TCP" },
	{ TW_PROTO_UDP, "udp", "UDP" },
	{ TW_PROTO_ICMP, "icmp", "ICMP" },
	{ TW_PROTO_ICMPV6, "icmpv6", "IPv6-ICMP" },
};

const char *json_proto_name(uint8_t proto, bool suricata, char *buf,
			    unsigned len)
{
	for (size_t i = 0; i < sizeof(proto_names) / sizeof(proto_names[0]);
	     i++) {
		if (proto_names[i].proto == proto)
			return suricata ? proto_names[i].suricata :
					  proto_names[i].lower;
	}
	if (buf && len > 0)
		snprintf(buf, len, "%u", (unsigned)proto);
	return buf;
}

json_t *json_text(const char *s)
{
	json_t *j;
	char *copy;

	if (!s)
		s = "";
	j = json_string(s);
	if (j)
		return j;
	/* Not UTF-8 (bytes from the wire): keep ASCII, mark the rest. */
	copy = strdup(s);
	if (!copy)
		return NULL;
	for (char *p = copy; *p; p++) {
		if ((unsigned char)*p >= 0x80)
			*p = '?';
	}
	j = json_string(copy);
	free(copy);
	return j;
}

json_t *json_real3(double v)
{
	if (!isfinite(v))
		return json_null();
	return json_real(round(v * 1000.0) / 1000.0);
}

json_int_t json_int_u64(uint64_t v)
{
	return v > INT64_MAX ? INT64_MAX : (json_int_t)v;
}

json_t *json_u64(uint64_t v)
{
	return json_integer(json_int_u64(v));
}

static json_t *detail_value(const struct finding_kv *kv)
{
	switch (kv->type) {
	case DETAIL_INT:
		return json_integer(kv->v.i);
	case DETAIL_DOUBLE:
		return json_real3(kv->v.d);
	case DETAIL_STR:
		return json_text(kv->v.s);
	case DETAIL_BOOL:
		return json_boolean(kv->v.i != 0);
	default:
		return json_null();
	}
}

json_t *json_finding_detail(const struct finding *f)
{
	json_t *obj = json_object();
	unsigned n = f->n_detail;

	if (!obj)
		return NULL;
	if (n > FINDING_DETAIL_MAX)
		n = FINDING_DETAIL_MAX;
	for (unsigned i = 0; i < n; i++) {
		const struct finding_kv *kv = &f->detail[i];

		if (!kv->key)
			continue;
		if (json_object_set_new(obj, kv->key, detail_value(kv)) < 0) {
			json_decref(obj);
			return NULL;
		}
	}
	return obj;
}

static const char *tunnel_id_key(uint8_t kind)
{
	switch (kind) {
	case DECAP_VXLAN:
	case DECAP_GENEVE:
		return "vni";
	case DECAP_ERSPAN:
		return "erspan_session";
	case DECAP_GRE:
		return "gre_key";
	case DECAP_MPLS:
		return "mpls_label";
	case DECAP_PPPOE:
		return "pppoe_session";
	default:
		return "id";
	}
}

/* Suricata's names for the protocols that carry tunnels. */
static const char *outer_proto_name(uint8_t proto, char *buf, unsigned len)
{
	switch (proto) {
	case 4:
		return "IPv4";
	case 41:
		return "IPv6";
	case 47:
		return "GRE";
	default:
		return json_proto_name(proto, true, buf, len);
	}
}

json_t *json_tunnel(const struct pkt_tunnel *t)
{
	char src[64], dst[64], proto[8];
	json_t *obj;

	if (!t->depth)
		return NULL;
	obj = json_pack("{s:s, s:i}", "type", decap_kind_name(t->kind),
			"depth", (int)t->depth);
	if (!obj)
		return NULL;
	if (t->outer_proto &&
	    (json_object_set_new(obj, "src_ip", json_string(ip_addr_format(
				 &t->src, src, sizeof(src)))) ||
	     json_object_set_new(obj, "dest_ip", json_string(ip_addr_format(
				 &t->dst, dst, sizeof(dst)))) ||
	     json_object_set_new(obj, "proto", json_string(outer_proto_name(
				 t->outer_proto, proto, sizeof(proto)))))) {
		json_decref(obj);
		return NULL;
	}
	if (t->has_id &&
	    json_object_set_new(obj, tunnel_id_key(t->kind),
				json_integer(t->id))) {
		json_decref(obj);
		return NULL;
	}
	return obj;
}

json_t *json_vlan(const struct pkt_tunnel *t)
{
	json_t *arr;

	if (!t->n_vlan)
		return NULL;
	arr = json_array();
	for (unsigned i = 0; arr && i < t->n_vlan && i < 2; i++)
		json_array_append_new(arr, json_integer(t->vlan[i]));
	return arr;
}

int json_add_tunnel(json_t *obj, const struct pkt_tunnel *t)
{
	if (!obj)
		return -1;
	if (t->depth && json_object_set_new(obj, "tunnel", json_tunnel(t)))
		return -1;
	if (t->n_vlan && json_object_set_new(obj, "vlan", json_vlan(t)))
		return -1;
	return 0;
}

json_t *json_time(uint64_t ts_ns)
{
	char buf[40];

	return json_string(time_format_rfc3339(ts_ns, buf, sizeof(buf)));
}

char *json_line(json_t *doc)
{
	char *text = doc ? json_dumps(doc, TW_JSON_DUMP_FLAGS) : NULL;
	char *line;
	size_t n;

	json_decref(doc);
	if (!text)
		return NULL;
	n = strlen(text);
	line = realloc(text, n + 2);
	if (!line) {
		free(text);
		return NULL;
	}
	memcpy(line + n, "\n", 2);
	return line;
}

json_t *json_finding(const struct finding *f, const struct ip_addr *peer,
		     uint16_t peer_port)
{
	char family[32], peer_text[64], proto[8];
	json_t *obj;

	obj = json_pack(
		"{s:s, s:s, s:s, s:s, s:i, s:s, s:o, s:o, s:I, s:o, s:o}",
		"family", finding_family(f->kind, family, sizeof(family)),
		"kind", f->kind ? f->kind : "",
		"severity", severity_name((enum severity)f->severity),
		"peer_ip", ip_addr_format(peer, peer_text, sizeof(peer_text)),
		"peer_port", (int)peer_port,
		"proto", json_proto_name(f->proto, false, proto, sizeof(proto)),
		"first_seen", json_time(f->first_ns),
		"last_seen", json_time(f->last_ns),
		"count", (json_int_t)f->count,
		"summary", json_text(f->summary),
		"detail", json_finding_detail(f));
	if (obj && json_add_tunnel(obj, &f->tunnel) != 0) {
		json_decref(obj);
		return NULL;
	}
	return obj;
}
