/* Event log: one Suricata-EVE-shaped `alert` JSON object per finding. */
#ifndef TW_EVE_H
#define TW_EVE_H

#include "verdict/findings.h"

struct eve;

struct eve *eve_open(const char *path, char *err, unsigned errlen);
/* host_is_orig says which side the manager took as the host. */
int eve_write(struct eve *e, const struct finding *f, int host_is_orig);
int eve_close(struct eve *e); /* flushes; -1 on a write error */

#endif
