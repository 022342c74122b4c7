/* SPDX-License-Identifier: BSD-3-Clause */
/* Event log: one Suricata-EVE-shaped `alert` JSON object per finding. */
#ifndef TW_EVE_H
#define TW_EVE_H

#include <stdint.h>

#include "findings/findings.h"

struct eve;

/* Opens path for appending (created when missing); NULL with
 * "event log PATH: cannot open for appending: why" in err. */
struct eve *eve_open(const char *path, char *err, unsigned errlen);
/* host_is_orig says which side the manager took as the host. Writes an
 * event when the finding is new or its severity rose, else folds it into
 * the one written (0). One write per line; -1 when it failed (counted, errno in eve_last_error), and the
 * next line is tried afresh. */
int eve_write(struct eve *e, const struct finding *f, int host_is_orig);
/* Opens the path again (logrotate moved the file away) and switches to
 * it, forgetting which findings were logged (the new file stands alone); -1 with err and the old file kept when it cannot be opened. */
int eve_reopen(struct eve *e, char *err, unsigned errlen);
/* Live: the ports, as in_iface on every event. */
void eve_set_iface(struct eve *e, const char *in_iface);
/* Reports folded into an event already written (same finding, no
 * higher severity). */
uint64_t eve_repeats(const struct eve *e);
const char *eve_path(const struct eve *e);
uint64_t eve_write_errors(const struct eve *e);
int eve_last_error(const struct eve *e);
/* -1 when any write failed (errno: the first failure's) */
int eve_close(struct eve *e);

#endif
