/* tunnelwatch-ctl: an answer of the control socket as text for people. */
#ifndef TW_CTL_PRINT_H
#define TW_CTL_PRINT_H

#include <jansson.h>

/* Prints doc, the answer to command cmd, on stdout. */
void print_answer(const char *cmd, json_t *doc);

#endif
