/* SPDX-License-Identifier: BSD-3-Clause */
/* A list of domain names loaded from a text file (patterns/pools.txt,
 * patterns/services.txt) and a suffix matcher over it: "pool.example"
 * matches pool.example and a.b.pool.example, never xpool.example.
 *
 * File format: one domain per line; '#' starts a comment (whole line or
 * after the name); blank lines ignored; a leading "*." or "." is accepted
 * and means the same as the bare name; names are case-insensitive, may
 * end with one '.', and use letters, digits, '-', '_' and '.' only.
 * Errors name FILE:LINE.
 *
 * Bounded: at most max_names names (a config key of the caller), held in
 * memory allocated at load only; lookups do no allocation and take about
 * one hash probe per label of the queried name. */
#ifndef TW_NAME_LIST_H
#define TW_NAME_LIST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define NAME_LIST_NAME_MAX 254   /* bytes of a name, NUL included */

struct name_list;

/* Loads path into a new list. Returns 0 and *out, or -1 with
 * "FILE:LINE: what is wrong" (or "FILE: ...") in err. A file with no
 * name is not an error (an empty list matches nothing). */
int name_list_load(const char *path, uint32_t max_names,
		   struct name_list **out, char *err, size_t errlen);
/* Builds a list from in-memory text, same format; label is what errors
 * name in place of the file (tests, built-in lists). */
int name_list_parse(const char *text, size_t len, const char *label,
		    uint32_t max_names, struct name_list **out, char *err,
		    size_t errlen);
void name_list_free(struct name_list *l);

uint32_t name_list_count(const struct name_list *l);

/* The listed name that name equals or ends with on a label boundary, or
 * NULL. name is dotted text, any case, an optional trailing dot; the
 * longest listed suffix wins. NULL or empty list: NULL. */
const char *name_list_match(const struct name_list *l, const char *name,
			    size_t len);

#endif
