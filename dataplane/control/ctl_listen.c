/* SPDX-License-Identifier: BSD-3-Clause */
/* The control socket's file: claimed (a stale one from a crash removed,
 * a live instance's left alone), created 0660 with an optional group. */
#include "control/ctl_socket.h"

#include <errno.h>
#include <grp.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "config/config.h"

static int fill_addr(struct sockaddr_un *a, const char *path, char *err,
		     size_t errlen)
{
	memset(a, 0, sizeof(*a));
	a->sun_family = AF_UNIX;
	if (strlen(path) >= sizeof(a->sun_path)) {
		snprintf(err, errlen, "control.socket: %s: longer than %zu bytes",
			 path, sizeof(a->sun_path) - 1);
		return -1;
	}
	memcpy(a->sun_path, path, strlen(path) + 1);
	return 0;
}

/* A socket file at path: another instance's (refuse), or a stale one
 * from a crash (removed). Anything else there is not ours to delete. */
static int path_claim(const struct sockaddr_un *a, char *err, size_t errlen)
{
	struct stat st;
	int fd, rc, saved;

	if (lstat(a->sun_path, &st) != 0)
		return 0;
	if (!S_ISSOCK(st.st_mode)) {
		snprintf(err, errlen, "control.socket: %s exists and is not a "
			 "socket; not touching it", a->sun_path);
		return -1;
	}
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		snprintf(err, errlen, "control.socket: socket: %s",
			 strerror(errno));
		return -1;
	}
	rc = connect(fd, (const struct sockaddr *)a, sizeof(*a));
	saved = errno;
	close(fd);
	if (rc == 0) {
		snprintf(err, errlen, "control.socket: %s is in use by a "
			 "running tunnelwatch; stop it or choose another path",
			 a->sun_path);
		return -1;
	}
	if (saved != ECONNREFUSED) {
		snprintf(err, errlen, "control.socket: %s: %s", a->sun_path,
			 strerror(saved));
		return -1;
	}
	unlink(a->sun_path);
	return 0;
}

static int set_group(const char *path, const char *group, char *err,
		     size_t errlen)
{
	struct group gr, *res = NULL;
	char buf[4096];

	if (!group[0])
		return 0;
	if (getgrnam_r(group, &gr, buf, sizeof(buf), &res) != 0 || !res) {
		snprintf(err, errlen, "control.group: no group '%s'", group);
		return -1;
	}
	if (chown(path, (uid_t)-1, res->gr_gid) != 0) {
		snprintf(err, errlen, "control.group: chown %s to %s: %s", path,
			 group, strerror(errno));
		return -1;
	}
	return 0;
}

int ctl_listen(const struct tw_config *cfg, char *path, size_t pathlen,
	       char *err, size_t errlen)
{
	struct sockaddr_un a;
	mode_t old;
	int fd, rc;

	if (fill_addr(&a, cfg->control.socket, err, errlen) != 0 ||
	    path_claim(&a, err, errlen) != 0)
		return -1;
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		snprintf(err, errlen, "control.socket: socket: %s",
			 strerror(errno));
		return -1;
	}
	old = umask(0117); /* born 0660: never briefly open to others */
	rc = bind(fd, (const struct sockaddr *)&a, sizeof(a));
	umask(old);
	if (rc != 0) {
		snprintf(err, errlen, "control.socket: bind %s: %s",
			 a.sun_path, strerror(errno));
		close(fd);
		return -1;
	}
	snprintf(path, pathlen, "%s", a.sun_path);
	if (chmod(path, 0660) != 0) {
		snprintf(err, errlen, "control.socket: chmod %s: %s", path,
			 strerror(errno));
	} else if (set_group(path, cfg->control.group, err, errlen) == 0) {
		if (listen(fd, SOMAXCONN) == 0)
			return fd;
		snprintf(err, errlen, "control.socket: listen %s: %s", path,
			 strerror(errno));
	}
	close(fd);
	unlink(path);
	path[0] = '\0';
	return -1;
}
