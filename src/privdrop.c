/* privdrop.c: switching to an unprivileged user and clearing capabilities,
 * each verified afterwards, and opening output files safely.  Modelled on
 * p0f's drop_privs() (refuse root, switch, then check the switch took)
 * without its chroot: lyncwatch rereads its rule and inventory files.
 * See privdrop.h for the contracts. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE 1 /* setresuid, getresuid, initgroups */
#endif
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <limits.h>
#include <pwd.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <unistd.h>

#include <linux/capability.h>

#include "privdrop.h"

#define PW_BUF_MIN 16384u      /* first getpwnam_r buffer, bytes */
#define PW_BUF_MAX (1u << 20)  /* give up beyond this */

static int fail(char *err, size_t errlen, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int fail(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (err && errlen) {
		va_start(ap, fmt);
		vsnprintf(err, errlen, fmt, ap);
		va_end(ap);
	}
	return -1;
}

/* ------------------------------------------------ /proc/self/status */

enum { CAP_INH, CAP_PRM, CAP_EFF, CAP_AMB, CAP_NSETS };

static const char *const cap_field[CAP_NSETS] = {
	"CapInh:", "CapPrm:", "CapEff:", "CapAmb:"
};

struct proc_status {
	uint64_t cap[CAP_NSETS];  /* capability sets, bit n = capability n */
	unsigned seen;            /* bit i: cap[i] was read */
	long threads;             /* -1 when absent */
};

/* Parses the number, after blanks, that ends the line: hexadecimal digits
 * only for base 16 (no "0x", no sign), decimal digits for base 10. */
static int parse_field(const char *s, int base, unsigned long long *out)
{
	size_t n;

	s += strspn(s, " \t");
	n = strspn(s, base == 16 ? "0123456789abcdefABCDEF" : "0123456789");
	if (n == 0 || (s[n] != '\n' && s[n] != '\0'))
		return -1;
	errno = 0;
	*out = strtoull(s, NULL, base);
	return errno ? -1 : 0;
}

static int status_line(struct proc_status *ps, const char *line)
{
	unsigned long long v;

	for (int i = 0; i < CAP_NSETS; i++) {
		size_t n = strlen(cap_field[i]);

		if (strncmp(line, cap_field[i], n) == 0) {
			if (parse_field(line + n, 16, &v))
				return -1;
			ps->cap[i] = v;
			ps->seen |= 1u << i;
			return 0;
		}
	}
	if (strncmp(line, "Threads:", 8) == 0) {
		if (parse_field(line + 8, 10, &v) || v > LONG_MAX)
			return -1;
		ps->threads = (long)v;
	}
	return 0;
}

/* Reads the capability sets and the thread count.  A missing CapAmb (a
 * kernel before 4.3, which has no ambient set) reads as 0.  Returns 0, or
 * -1 with errno set (EINVAL: a field is missing or malformed). */
static int read_status(struct proc_status *ps)
{
	FILE *f = fopen("/proc/self/status", "re");
	char line[256];
	bool at_start = true;
	int bad = 0;

	memset(ps, 0, sizeof(*ps));
	ps->threads = -1;
	if (f == NULL)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		if (at_start && status_line(ps, line))
			bad = 1;
		at_start = strchr(line, '\n') != NULL; /* else a long line goes on */
	}
	if (ferror(f))
		bad = 1;
	fclose(f);
	ps->seen |= 1u << CAP_AMB;  /* absent before Linux 4.3: no ambient set */
	if (bad || ps->seen != (1u << CAP_NSETS) - 1 || ps->threads < 0) {
		errno = EINVAL;
		return -1;
	}
	return 0;
}

static int check_single_thread(const char *who, char *err, size_t errlen)
{
	struct proc_status ps;

	if (read_status(&ps))
		return fail(err, errlen, "%s: cannot read /proc/self/status: %s",
			    who, strerror(errno));
	if (ps.threads != 1)
		return fail(err, errlen, "%s: %ld threads are running; privileges "
			    "must be dropped before any thread is started", who,
			    ps.threads);
	return 0;
}

/* ------------------------------------------------------------ steps */

/* Looks up user; returns 0, or -1 with err set. */
static int lookup_user(const char *who, const char *user, uid_t *uid,
		       gid_t *gid, char *err, size_t errlen)
{
	struct passwd pw, *res = NULL;
	size_t len = PW_BUF_MIN;
	char *buf = NULL, *nb;
	int rc;

	for (;;) {
		nb = realloc(buf, len);
		if (nb == NULL) {
			free(buf);
			return fail(err, errlen, "%s: out of memory", who);
		}
		buf = nb;
		rc = getpwnam_r(user, &pw, buf, len, &res);
		if (rc != ERANGE || len >= PW_BUF_MAX)
			break;
		len *= 4;
	}
	if (res) {
		*uid = pw.pw_uid;
		*gid = pw.pw_gid;
	}
	free(buf);
	if (res)
		return 0;
	if (rc == 0 || rc == ENOENT || rc == ESRCH || rc == EBADF || rc == EPERM)
		return fail(err, errlen, "%s: no such user", who);
	return fail(err, errlen, "%s: cannot look up the user: %s", who,
		    strerror(rc));
}

static bool ids_are(uid_t uid, gid_t gid)
{
	uid_t ru, eu, su;
	gid_t rg, eg, sg;

	if (getresuid(&ru, &eu, &su) || getresgid(&rg, &eg, &sg))
		return false;
	return ru == uid && eu == uid && su == uid && rg == gid && eg == gid &&
	       sg == gid;
}

/* Empties the bounding set, best effort: it needs CAP_SETPCAP, and only
 * matters for an execve, which no_new_privs already defuses. */
static void drop_bounding_set(void)
{
	for (unsigned long c = 0; c < 64; c++) {
		if (prctl(PR_CAPBSET_READ, c, 0, 0, 0) < 0)
			break;                  /* past the last capability */
		if (prctl(PR_CAPBSET_DROP, c, 0, 0, 0) != 0)
			break;                  /* EPERM: no CAP_SETPCAP */
	}
}

static int switch_ids(const char *who, const char *user, uid_t uid, gid_t gid,
		      char *err, size_t errlen)
{
	const char *hint;

	if (prctl(PR_SET_KEEPCAPS, 0, 0, 0, 0) != 0)
		return fail(err, errlen, "%s: clearing keepcaps: %s", who,
			    strerror(errno));
	drop_bounding_set();
	if (initgroups(user, gid) != 0) {
		hint = errno == EPERM ? " (switching users needs root)" : "";
		return fail(err, errlen, "%s: initgroups: %s%s", who,
			    strerror(errno), hint);
	}
	if (setresgid(gid, gid, gid) != 0)
		return fail(err, errlen, "%s: setresgid(%u): %s", who,
			    (unsigned)gid, strerror(errno));
	if (setresuid(uid, uid, uid) != 0)
		return fail(err, errlen, "%s: setresuid(%u): %s", who,
			    (unsigned)uid, strerror(errno));
	return 0;
}

/* Clears the ambient set, then inheritable, permitted and effective.  Only
 * ever lowers them, so it needs no privilege.  Affects this thread only. */
static int clear_caps(const char *who, char *err, size_t errlen)
{
	struct __user_cap_header_struct hdr;
	struct __user_cap_data_struct data[_LINUX_CAPABILITY_U32S_3];

#ifdef PR_CAP_AMBIENT
	if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) != 0 &&
	    errno != EINVAL)            /* EINVAL: no ambient set to clear */
		return fail(err, errlen, "%s: clearing ambient capabilities: %s",
			    who, strerror(errno));
#endif
	memset(&hdr, 0, sizeof(hdr));
	memset(data, 0, sizeof(data));
	hdr.version = _LINUX_CAPABILITY_VERSION_3;
	hdr.pid = 0;
	if (syscall(SYS_capset, &hdr, data) != 0)
		return fail(err, errlen, "%s: clearing capabilities: %s", who,
			    strerror(errno));
	return 0;
}

/* Fails when group 0 is among the supplementary groups. */
static int check_groups(const char *who, char *err, size_t errlen)
{
	int n = getgroups(0, NULL), got;
	gid_t *groups;
	bool root = false;

	if (n < 0)
		return fail(err, errlen, "%s: getgroups: %s", who, strerror(errno));
	groups = malloc(((size_t)n + 1) * sizeof(*groups));
	if (groups == NULL)
		return fail(err, errlen, "%s: out of memory", who);
	got = getgroups(n, groups);
	for (int i = 0; i < got; i++)
		root |= groups[i] == 0;
	free(groups);
	if (got < 0)
		return fail(err, errlen, "%s: getgroups: %s", who, strerror(errno));
	if (root)
		return fail(err, errlen, "%s: refusing to run as a member of "
			    "group 0 (root)", who);
	return 0;
}

/* Checks that the process is uid/gid everywhere, cannot get root back and
 * holds no capability. */
static int verify(const char *who, uid_t uid, gid_t gid, char *err,
		  size_t errlen)
{
	struct proc_status ps;

	if (!ids_are(uid, gid))
		return fail(err, errlen, "%s: the real, effective and saved ids "
			    "are not all %u:%u", who, (unsigned)uid, (unsigned)gid);
	if (check_groups(who, err, errlen))
		return -1;
	if (prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0) != 1)
		return fail(err, errlen, "%s: no_new_privs is not set", who);
	if (read_status(&ps))
		return fail(err, errlen, "%s: cannot read /proc/self/status: %s",
			    who, strerror(errno));
	for (int i = 0; i < CAP_NSETS; i++)
		if (ps.cap[i] != 0)
			return fail(err, errlen, "%s: %s is %016llx, not 0", who,
				    cap_field[i], (unsigned long long)ps.cap[i]);
	if (ps.threads != 1)
		return fail(err, errlen, "%s: %ld threads are running", who,
			    ps.threads);
	if (setuid(0) == 0 || setgid(0) == 0)
		return fail(err, errlen, "%s: root can still be regained", who);
	return 0;
}

/* The steps every successful call ends with. */
static int finish(const char *who, uid_t uid, gid_t gid, char *err,
		  size_t errlen)
{
	if (clear_caps(who, err, errlen))
		return -1;
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0)
		return fail(err, errlen, "%s: setting no_new_privs: %s", who,
			    strerror(errno));
	return verify(who, uid, gid, err, errlen);
}

int privdrop_to(const char *user, char *err, size_t errlen)
{
	char who[300];
	uid_t uid = (uid_t)-1;
	gid_t gid = (gid_t)-1;

	if (user == NULL || *user == '\0')
		return fail(err, errlen, "-Z: no user name given");
	snprintf(who, sizeof(who), "-Z %s", user);
	if (lookup_user(who, user, &uid, &gid, err, errlen))
		return -1;
	if (uid == 0 || gid == 0)
		return fail(err, errlen, "%s: refusing to drop privileges to root "
			    "(uid %u, gid %u)", who, (unsigned)uid, (unsigned)gid);
	if (check_single_thread(who, err, errlen))
		return -1;
	if (!ids_are(uid, gid) && switch_ids(who, user, uid, gid, err, errlen))
		return -1;
	return finish(who, uid, gid, err, errlen);
}

int privdrop_caps(char *err, size_t errlen)
{
	const char *who = "dropping capabilities";
	uid_t uid = getuid();
	gid_t gid = getgid();

	if (uid == 0 || geteuid() == 0)
		return fail(err, errlen, "%s: running as root: give -Z USER", who);
	if (gid == 0)
		return fail(err, errlen, "%s: refusing to run with gid 0", who);
	if (!ids_are(uid, gid))
		return fail(err, errlen, "%s: the real, effective and saved ids "
			    "differ (set-id program?)", who);
	if (check_single_thread(who, err, errlen))
		return -1;
	return finish(who, uid, gid, err, errlen);
}

/* ------------------------------------------------------------ output */

/* A directory that someone besides root and us may change. */
static bool dir_untrusted(const struct stat *d)
{
	return (d->st_mode & (S_IWGRP | S_IWOTH)) != 0 ||
	       (d->st_uid != 0 && d->st_uid != geteuid());
}

/* Why an object of mode m cannot be an output (NULL: it can). */
static const char *type_problem(mode_t m)
{
	if (S_ISREG(m) || S_ISCHR(m))
		return NULL;
	if (S_ISDIR(m))
		return "is a directory";
	if (S_ISLNK(m))
		return "is a symbolic link: refusing to follow it";
	if (S_ISFIFO(m))
		return "is a FIFO: refusing it (write to a regular file, or to "
		       "standard output with -)";
	return "is not a regular file or a character device";
}

/* The error of openat(dirfd, name) in the walk of path, whose first
 * plen bytes lead to name. */
static int walk_error(const char *path, size_t plen, int dirfd,
		      const char *name, char *err, size_t errlen)
{
	int e = errno;
	struct stat st;

	if ((e == ENOTDIR || e == ELOOP) &&
	    fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW) == 0)
		return fail(err, errlen, "%s: directory %.*s %s", path, (int)plen,
			    path, S_ISLNK(st.st_mode) ? "is a symbolic link: refusing "
			    "to follow it" : "is not a directory");
	return fail(err, errlen, "%s: directory %.*s: %s", path, (int)plen,
		    path, strerror(e));
}

/* Opens (O_PATH) the directory that holds path, one component at a time
 * from / or the working directory, following no symbolic link; *base is
 * set to the last component.  Returns the descriptor, or -1 with err. */
static int open_parent(const char *path, const char **base, char *err,
		       size_t errlen)
{
	const char *p = path, *slash;
	char name[NAME_MAX + 1];
	int fd = open(*path == '/' ? "/" : ".", O_PATH | O_DIRECTORY | O_CLOEXEC);

	if (fd < 0)
		return fail(err, errlen, "%s: %s", path, strerror(errno));
	while ((slash = strchr(p, '/')) != NULL) {
		size_t n = (size_t)(slash - p);
		int nfd;

		if (n > NAME_MAX) {
			close(fd);
			return fail(err, errlen, "%s: name too long", path);
		}
		memcpy(name, p, n);
		name[n] = '\0';
		p = slash + 1;
		if (n == 0)
			continue;       /* the root, or "//" */
		nfd = openat(fd, name, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (nfd < 0) {
			walk_error(path, (size_t)(slash - path), fd, name, err, errlen);
			close(fd);
			return -1;
		}
		close(fd);
		fd = nfd;
	}
	*base = p;
	if (*p == '\0' || strlen(p) > NAME_MAX) {
		close(fd);
		return fail(err, errlen, "%s: %s", path, *p ? "name too long" :
			    "is a directory");
	}
	return fd;
}

/* Before opening: refuses a symbolic link and any existing object of the
 * wrong type (opening some devices has effects). */
static int precheck(const char *path, int dirfd, const char *base, char *err,
		    size_t errlen)
{
	struct stat st;
	const char *why;

	if (fstatat(dirfd, base, &st, AT_SYMLINK_NOFOLLOW) != 0) {
		if (errno == ENOENT)
			return 0;       /* to be created */
		return fail(err, errlen, "%s: %s", path, strerror(errno));
	}
	why = type_problem(st.st_mode);
	return why ? fail(err, errlen, "%s: %s", path, why) : 0;
}

/* After opening: the authoritative checks, before anything is written;
 * then blocking writes again, the mode cut to 0640 and, with
 * PRIVDROP_TRUNCATE, the file emptied. */
static int postcheck(const char *path, int fd, bool untrusted, int flags,
		     char *err, size_t errlen)
{
	struct stat st;
	const char *why;
	int fl;

	if (fstat(fd, &st) != 0)
		return fail(err, errlen, "%s: %s", path, strerror(errno));
	why = type_problem(st.st_mode);
	if (why)
		return fail(err, errlen, "%s: %s", path, why);
	if (untrusted && (st.st_uid != geteuid() ||
			  (S_ISREG(st.st_mode) && st.st_nlink != 1)))
		return fail(err, errlen, "%s: refusing a file owned by uid %u "
			    "with %lu link(s) in a directory that another user "
			    "can write to", path, (unsigned)st.st_uid,
			    (unsigned long)st.st_nlink);
	if ((fl = fcntl(fd, F_GETFL)) < 0 ||
	    fcntl(fd, F_SETFL, fl & ~O_NONBLOCK) != 0)
		return fail(err, errlen, "%s: %s", path, strerror(errno));
	if (!S_ISREG(st.st_mode))
		return 0;
	if ((st.st_mode & 07777 & ~(mode_t)0640) &&
	    (st.st_uid == geteuid() || geteuid() == 0) &&
	    fchmod(fd, st.st_mode & 0640) != 0)
		return fail(err, errlen, "%s: cannot set mode 0640: %s", path,
			    strerror(errno));
	if ((flags & PRIVDROP_TRUNCATE) && ftruncate(fd, 0) != 0)
		return fail(err, errlen, "%s: cannot truncate: %s", path,
			    strerror(errno));
	return 0;
}

static int open_error(const char *path, char *err, size_t errlen)
{
	int e = errno;

	if (e == ELOOP)
		return fail(err, errlen, "%s: is a symbolic link: refusing to "
			    "follow it", path);
	if (e == ENXIO)
		return fail(err, errlen, "%s: is a FIFO or a socket: refusing it",
			    path);
	return fail(err, errlen, "%s: cannot open for writing: %s", path,
		    strerror(e));
}

/* Opens base in dirfd for writing after the checks; returns the
 * descriptor, or -1 with err. */
static int open_in(const char *path, int dirfd, const char *base, int flags,
		   char *err, size_t errlen)
{
	struct stat dst;
	int fd;

	if (fstat(dirfd, &dst) != 0)
		return fail(err, errlen, "%s: %s", path, strerror(errno));
	if (precheck(path, dirfd, base, err, errlen))
		return -1;
	/* Never blocks (a FIFO without a reader fails with ENXIO); no
	 * O_TRUNC: a file is emptied only once postcheck accepted it. */
	fd = openat(dirfd, base, O_WRONLY | O_CREAT | O_NOFOLLOW | O_NONBLOCK |
		    O_CLOEXEC | O_NOCTTY |
		    (flags & PRIVDROP_TRUNCATE ? 0 : O_APPEND), 0640);
	if (fd < 0)
		return open_error(path, err, errlen);
	if (postcheck(path, fd, dir_untrusted(&dst), flags, err, errlen)) {
		close(fd);
		return -1;
	}
	return fd;
}

int privdrop_open_output(const char *path, int flags, FILE **out, char *err,
			 size_t errlen)
{
	const char *base = path;
	int dirfd, fd;
	FILE *f;

	if (path == NULL || *path == '\0')
		return fail(err, errlen, "(empty name): no file name given");
	if ((dirfd = open_parent(path, &base, err, errlen)) < 0)
		return -1;
	fd = open_in(path, dirfd, base, flags, err, errlen);
	close(dirfd);
	if (fd < 0)
		return -1;
	f = fdopen(fd, flags & PRIVDROP_TRUNCATE ? "w" : "a");
	if (f == NULL) {
		fail(err, errlen, "%s: %s", path, strerror(errno));
		close(fd);
		return -1;
	}
	*out = f;
	return 0;
}
