/* SPDX-License-Identifier: BSD-3-Clause */
/* struct tw_config -> text in the config file's own syntax, so that the
 * output loads back as the same config: one commented line per key, in
 * table order, a group per section. */
#include "config/config_keys.h"
#include "decode/decode.h"

#include <arpa/inet.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Prefixes hold IPv4 as ::ffff:a.b.c.d (config_lists.c); printed back as
 * written, dotted with the length counted over 32 bits. */
static const uint8_t v4_mapped_head[12] = {
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff
};

static void print_string(FILE *out, const char *s)
{
	fputc('"', out);
	for (; *s; s++) {
		if (*s == '"' || *s == '\\')
			fputc('\\', out);
		fputc(*s, out);
	}
	fputc('"', out);
}

/* Shortest text that reads back as the same double. */
static void print_double(FILE *out, double v)
{
	char buf[40];

	snprintf(buf, sizeof(buf), "%g", v);
	if (strtod(buf, NULL) != v)
		snprintf(buf, sizeof(buf), "%.17g", v);
	if (!strpbrk(buf, ".eEni"))
		strcat(buf, ".0");
	fputs(buf, out);
}

static void print_duration(FILE *out, uint64_t ns)
{
	if (ns % NS_PER_S == 0)
		fprintf(out, "%llu", (unsigned long long)(ns / NS_PER_S));
	else
		fprintf(out, "%llu.%09llu", (unsigned long long)(ns / NS_PER_S),
			(unsigned long long)(ns % NS_PER_S));
}

static void print_prefix(FILE *out, const struct ip_prefix *p)
{
	char text[INET6_ADDRSTRLEN];

	if (p->len >= 96 && memcmp(p->addr.b, v4_mapped_head, 12) == 0) {
		inet_ntop(AF_INET, p->addr.b + 12, text, sizeof(text));
		fprintf(out, "\"%s/%u\"", text, p->len - 96u);
	} else {
		inet_ntop(AF_INET6, p->addr.b, text, sizeof(text));
		fprintf(out, "\"%s/%u\"", text, p->len);
	}
}

static void print_value(FILE *out, const struct tw_config *cfg,
			const struct cfg_key *k)
{
	const void *f = cfg_cfield(cfg, k);
	const struct prefix_list *l = f;
	const struct string_list *sl = f;

	switch (k->type) {
	case CFG_UINT:
		fprintf(out, "%u", *(const uint32_t *)f);
		break;
	case CFG_DURATION:
		print_duration(out, *(const uint64_t *)f);
		break;
	case CFG_FLOAT:
		print_double(out, *(const double *)f);
		break;
	case CFG_BOOL:
		fputs(*(const bool *)f ? "true" : "false", out);
		break;
	case CFG_PATH:
		print_string(out, f);
		break;
	case CFG_PREFIXES:
		fputc('[', out);
		for (unsigned i = 0; i < l->n; i++) {
			fputs(i ? ", " : " ", out);
			print_prefix(out, &l->p[i]);
		}
		fputs(l->n ? " ]" : "]", out);
		break;
	case CFG_TEXT:
		print_string(out, f);
		break;
	case CFG_STRINGS:
		fputc('[', out);
		for (unsigned i = 0; i < sl->n; i++) {
			fputs(i ? ", " : " ", out);
			print_string(out, sl->s[i]);
		}
		fputs(sl->n ? " ]" : "]", out);
		break;
	case CFG_DECAP:
		fputc('[', out);
		for (unsigned b = 1, first = 1; b < DECAP_KINDS; b++) {
			if (!(*(const uint32_t *)f & (1u << b)))
				continue;
			fputs(first ? " " : ", ", out);
			print_string(out, decap_kind_name(b));
			first = 0;
		}
		fputs(*(const uint32_t *)f ? " ]" : "]", out);
		break;
	case CFG_PORTS:
		fputc('[', out);
		for (unsigned i = 0; i < ((const struct port_list *)f)->n; i++)
			fprintf(out, "%s%u", i ? ", " : " ",
				((const struct port_list *)f)->p[i]);
		fputs(((const struct port_list *)f)->n ? " ]" : "]", out);
		break;
	}
}

int config_print(const struct tw_config *cfg, FILE *out)
{
	const char *section = NULL;
	size_t slen = 0;

	fprintf(out, "# tunnelwatch configuration from %s\n",
		cfg->path[0] ? cfg->path : "built-in defaults");
	for (size_t i = 0; i < cfg_n_keys; i++) {
		const struct cfg_key *k = &cfg_keys[i];
		size_t len = cfg_section_len(k->name);

		if (!section || len != slen ||
		    strncmp(section, k->name, len) != 0) {
			if (section)
				fputs("};\n", out);
			section = k->name;
			slen = len;
			fprintf(out, "%.*s = {\n", (int)len, k->name);
		}
		fprintf(out, "\t%s = ", k->name + len + 1);
		print_value(out, cfg, k);
		fprintf(out, ";  # %s\n", k->help);
	}
	if (section)
		fputs("};\n", out);
	return ferror(out) ? -1 : 0;
}
