/* SPDX-License-Identifier: BSD-3-Clause */
/* tunnelwatch-ctl: an answer of the control socket as text for people. */
#ifndef TW_CTL_PRINT_H
#define TW_CTL_PRINT_H

#include <jansson.h>

/* --wide: cells are not cut at 60 characters. */
void print_set_wide(int wide);
/* follow: one findings table per batch, the header only when asked. */
void print_findings_rows(json_t *findings, int header);
/* Prints doc, the answer to command cmd, on stdout. */
void print_answer(const char *cmd, json_t *doc);

#endif
