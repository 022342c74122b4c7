/* SPDX-License-Identifier: BSD-3-Clause */
/* libFuzzer target: the config loader (config.c and its key table) on
 * any text: libconfig's parser, then every key's type and range check and
 * the cross-key checks. Written to a memory file and loaded by path as
 * --config FILE is. An error must come with a message. */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

#include "config/config.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct tw_config cfg;
	char path[64], err[1024] = "";
	int fd = memfd_create("fuzz_config", MFD_CLOEXEC);

	if (fd < 0)
		abort();
	if (size && write(fd, data, size) != (ssize_t)size)
		abort();
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	config_defaults(&cfg);
	if (config_load(path, &cfg, err, sizeof(err)) != 0 && !err[0])
		abort(); /* refused without saying why */
	close(fd);
	return 0;
}
