/* SPDX-License-Identifier: BSD-3-Clause */
/* Application labels: pattern ids 1-99 of patterns/app.hs name the
 * application a flow speaks, whatever its port. */
#ifndef TW_APP_ID_H
#define TW_APP_ID_H

#include <stdbool.h>
#include <stdint.h>

#include "flow/flow.h"

#define APP_ID_FIRST 1
#define APP_ID_LAST 99

/* "ssh", "tls", ...; "unknown" when payload was inspected and nothing
 * matched, "none" when the flow carried no payload yet. */
const char *app_label(const struct flow *f);
/* Name of an app id, NULL when the id names no application. */
const char *app_name(uint16_t id);
/* The label was guessed (a port, or a weak pattern backed by the ports),
 * not read from a protocol's own opening bytes. */
bool app_is_guess(uint16_t app);
/* A label found by pattern (not guessed by port) whose stream is
 * encrypted or binary from there on (TLS, SSH, QUIC, DNS): no pattern of
 * any family can match the rest, so the worker stops scanning the flow. */
bool app_ends_scan(uint16_t app);
/* SSH, TLS, QUIC, HTTP or no label: a protocol that can carry a tunnel,
 * so a tunnel's shape on it is worth a verdict once more evidence joins. */
bool app_carries_tunnels(const struct flow *f);

#endif
