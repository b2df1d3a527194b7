/* test_privdrop.c: output files (mode 0640, truncation, symbolic and hard
 * links, appending, loose modes, devices, FIFOs refused) and dropping
 * root (refusals; as root, a forked child becomes nobody and is checked
 * from outside the module; a child made to look like a systemd service
 * with ambient capabilities clears them).  The root-only tests skip when
 * not run as root. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE 1
#endif
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include <pthread.h>

#include <linux/capability.h>

#include "privdrop.h"

/* ------------------------------------------------------------ helpers */

static void make_dir(char *tmpl, mode_t mode)
{
	assert_non_null(mkdtemp(tmpl));
	assert_int_equal(chmod(tmpl, mode), 0);
}

static void write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	fputs(text, f);
	assert_int_equal(fclose(f), 0);
}

static off_t file_size(const char *path)
{
	struct stat st;

	assert_int_equal(stat(path, &st), 0);
	return st.st_size;
}

static void rm_tree(const char *dir, const char *const *names, int n)
{
	char p[512];

	for (int i = 0; i < n; i++) {
		snprintf(p, sizeof(p), "%s/%s", dir, names[i]);
		unlink(p);
	}
	rmdir(dir);
}

/* A capability set from /proc/self/status ("CapEff:"), or ~0 when absent. */
static unsigned long long proc_caps(const char *field)
{
	FILE *f = fopen("/proc/self/status", "r");
	char line[256];
	unsigned long long v = ~0ull;

	if (f == NULL)
		return v;
	while (fgets(line, sizeof(line), f))
		if (strncmp(line, field, strlen(field)) == 0)
			v = strtoull(line + strlen(field), NULL, 16);
	fclose(f);
	return v;
}

/* ------------------------------------------------------------ output */

static void test_open_creates_0640(void **state)
{
	char dir[] = "/tmp/lw-pd-XXXXXX", path[64];
	const char *names[] = { "out.json" };
	mode_t old = umask(0);
	FILE *f = NULL;
	char err[256];
	struct stat st;

	(void)state;
	make_dir(dir, 0700);
	snprintf(path, sizeof(path), "%s/out.json", dir);
	assert_int_equal(privdrop_open_output(path, 0, &f, err, sizeof(err)), 0);
	assert_non_null(f);
	assert_true(fputs("{}\n", f) >= 0);
	assert_int_equal(fclose(f), 0);
	assert_int_equal(stat(path, &st), 0);
	assert_true(S_ISREG(st.st_mode));
	assert_int_equal(st.st_mode & 07777, 0640);
	assert_int_equal(st.st_size, 3);
	umask(old);
	rm_tree(dir, names, 1);
}

static void test_open_truncates(void **state)
{
	char dir[] = "/tmp/lw-pd-XXXXXX", path[64];
	const char *names[] = { "out.json" };
	FILE *f = NULL;
	char err[256];
	int fl;

	(void)state;
	make_dir(dir, 0755);
	snprintf(path, sizeof(path), "%s/out.json", dir);
	write_file(path, "old contents that must go\n");
	assert_int_equal(privdrop_open_output(path, PRIVDROP_TRUNCATE, &f, err,
					      sizeof(err)), 0);
	assert_int_equal(file_size(path), 0);
	fl = fcntl(fileno(f), F_GETFD);
	assert_true(fl >= 0 && (fl & FD_CLOEXEC));
	fputs("new\n", f);
	assert_int_equal(fclose(f), 0);
	assert_int_equal(file_size(path), 4);
	rm_tree(dir, names, 1);
}

/* Sticky and world-writable, like /tmp: a planted link is not followed and
 * its target keeps its contents. */
static void test_open_refuses_symlink_in_open_dir(void **state)
{
	char pub[] = "/tmp/lw-pd-XXXXXX", safe[] = "/tmp/lw-pd-XXXXXX";
	char link[64], target[64], err[256];
	const char *pub_names[] = { "out.json" }, *safe_names[] = { "secret" };
	FILE *f = NULL;

	(void)state;
	make_dir(pub, 01777);
	make_dir(safe, 0755);
	snprintf(target, sizeof(target), "%s/secret", safe);
	snprintf(link, sizeof(link), "%s/out.json", pub);
	write_file(target, "precious\n");
	assert_int_equal(symlink(target, link), 0);
	assert_int_equal(privdrop_open_output(link, 0, &f, err, sizeof(err)), -1);
	assert_null(f);
	assert_non_null(strstr(err, link));
	assert_non_null(strstr(err, "symbolic link"));
	assert_int_equal(file_size(target), 9);
	/* a dangling link there is refused too, and creates nothing */
	unlink(target);
	assert_int_equal(privdrop_open_output(link, 0, &f, err, sizeof(err)), -1);
	assert_int_equal(access(target, F_OK), -1);
	rm_tree(pub, pub_names, 1);
	rm_tree(safe, safe_names, 1);
}

/* Group-writable without the sticky bit counts as open as well. */
static void test_open_refuses_symlink_in_group_dir(void **state)
{
	char pub[] = "/tmp/lw-pd-XXXXXX", link[64], err[256];
	const char *names[] = { "out.json" };
	FILE *f = NULL;

	(void)state;
	make_dir(pub, 0775);
	snprintf(link, sizeof(link), "%s/out.json", pub);
	assert_int_equal(symlink("/dev/null", link), 0);
	assert_int_equal(privdrop_open_output(link, 0, &f, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "symbolic link"));
	rm_tree(pub, names, 1);
}

/* A hard link to someone's file planted in /tmp-like directory. */
static void test_open_refuses_hardlink_in_open_dir(void **state)
{
	char pub[] = "/tmp/lw-pd-XXXXXX", safe[] = "/tmp/lw-pd-XXXXXX";
	char hl[64], target[64], err[256];
	const char *pub_names[] = { "out.json" }, *safe_names[] = { "secret" };
	FILE *f = NULL;

	(void)state;
	make_dir(pub, 01777);
	make_dir(safe, 0755);
	snprintf(target, sizeof(target), "%s/secret", safe);
	snprintf(hl, sizeof(hl), "%s/out.json", pub);
	write_file(target, "precious\n");
	if (link(target, hl) != 0) {
		rm_tree(pub, pub_names, 1);
		rm_tree(safe, safe_names, 1);
		skip();
	}
	assert_int_equal(privdrop_open_output(hl, 0, &f, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "link(s)"));
	assert_int_equal(file_size(target), 9);
	rm_tree(pub, pub_names, 1);
	rm_tree(safe, safe_names, 1);
}

/* By default an existing log is appended to, not emptied (a restart of
 * the service keeps yesterday's records). */
static void test_open_appends(void **state)
{
	char dir[] = "/tmp/lw-pd-XXXXXX", path[64], err[256];
	const char *names[] = { "out.json" };
	FILE *f = NULL;

	(void)state;
	make_dir(dir, 0755);
	snprintf(path, sizeof(path), "%s/out.json", dir);
	write_file(path, "yesterday\n");
	assert_int_equal(privdrop_open_output(path, 0, &f, err, sizeof(err)), 0);
	assert_int_equal(file_size(path), 10);
	fputs("today\n", f);
	assert_int_equal(fclose(f), 0);
	assert_int_equal(file_size(path), 16);
	rm_tree(dir, names, 1);
}

/* An existing file with a looser mode is cut to 0640, as promised. */
static void test_open_cuts_loose_mode(void **state)
{
	char dir[] = "/tmp/lw-pd-XXXXXX", path[64], err[256];
	const char *names[] = { "out.json" };
	struct stat st;
	FILE *f = NULL;

	(void)state;
	make_dir(dir, 0755);
	snprintf(path, sizeof(path), "%s/out.json", dir);
	write_file(path, "x\n");
	assert_int_equal(chmod(path, 0666), 0);
	assert_int_equal(privdrop_open_output(path, 0, &f, err, sizeof(err)), 0);
	assert_int_equal(fclose(f), 0);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0640);
	rm_tree(dir, names, 1);
}

/* No symbolic link is followed, even in a directory only its owner can
 * write to: neither the last component nor a directory on the way. */
static void test_open_refuses_symlink_in_safe_dir(void **state)
{
	char dir[] = "/tmp/lw-pd-XXXXXX", safe[] = "/tmp/lw-pd-XXXXXX";
	char link[64], target[64], dlink[64], via[80], made[80], err[256];
	const char *names[] = { "out.json", "real.json", "d" };
	FILE *f = NULL;

	(void)state;
	make_dir(dir, 0755);
	make_dir(safe, 0700);
	snprintf(target, sizeof(target), "%s/real.json", dir);
	snprintf(link, sizeof(link), "%s/out.json", dir);
	write_file(target, "yesterday\n");
	assert_int_equal(symlink("real.json", link), 0);
	assert_int_equal(privdrop_open_output(link, 0, &f, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "symbolic link"));
	assert_int_equal(file_size(target), 10);
	/* a directory component: dir/d -> safe; nothing created in safe */
	snprintf(dlink, sizeof(dlink), "%s/d", dir);
	assert_int_equal(symlink(safe, dlink), 0);
	snprintf(via, sizeof(via), "%s/x.json", dlink);
	snprintf(made, sizeof(made), "%s/x.json", safe);
	assert_int_equal(privdrop_open_output(via, PRIVDROP_TRUNCATE, &f, err,
					      sizeof(err)), -1);
	assert_non_null(strstr(err, "is a symbolic link"));
	assert_non_null(strstr(err, dlink));
	assert_int_equal(access(made, F_OK), -1);
	assert_null(f);
	rm_tree(dir, names, 3);
	rmdir(safe);
}

static void test_open_devices(void **state)
{
	FILE *f = NULL;
	char err[256];

	(void)state;
	assert_int_equal(privdrop_open_output("/dev/null", 0, &f, err, sizeof(err)), 0);
	fputs("discarded\n", f);
	assert_int_equal(fclose(f), 0);
	f = NULL;
	assert_int_equal(privdrop_open_output("/dev/full", 0, &f, err, sizeof(err)), 0);
	assert_non_null(f);
	fclose(f);                      /* a write error, seen at fclose */
}

/* A FIFO is refused, with a reader or without one (then opening would
 * block for ever without O_NONBLOCK: alarm() ends a hung test). */
static void test_open_refuses_fifo(void **state)
{
	char dir[] = "/tmp/lw-pd-XXXXXX", path[64], err[256];
	const char *names[] = { "fifo" };
	FILE *f = NULL;
	int rd;

	(void)state;
	make_dir(dir, 0700);
	snprintf(path, sizeof(path), "%s/fifo", dir);
	assert_int_equal(mkfifo(path, 0600), 0);
	alarm(10);
	assert_int_equal(privdrop_open_output(path, 0, &f, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "FIFO"));
	rd = open(path, O_RDONLY | O_NONBLOCK);
	assert_true(rd >= 0);
	assert_int_equal(privdrop_open_output(path, 0, &f, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "FIFO"));
	alarm(0);
	assert_null(f);
	close(rd);
	rm_tree(dir, names, 1);
}

static void test_open_refuses_other_types(void **state)
{
	char dir[] = "/tmp/lw-pd-XXXXXX", blk[64], err[256];
	const char *names[] = { "blk" };
	FILE *f = NULL;

	(void)state;
	make_dir(dir, 0700);
	assert_int_equal(privdrop_open_output(dir, 0, &f, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "is a directory"));
	assert_int_equal(privdrop_open_output("/nonexistent-lw/x.json", 0, &f, err,
					      sizeof(err)), -1);
	assert_non_null(strstr(err, "/nonexistent-lw/x.json: directory /nonexistent-lw"));
	assert_int_equal(privdrop_open_output("", 0, &f, err, sizeof(err)), -1);
	snprintf(blk, sizeof(blk), "%s/blk", dir);
	if (mknod(blk, S_IFBLK | 0600, makedev(7, 200)) == 0) {
		assert_int_equal(privdrop_open_output(blk, 0, &f, err, sizeof(err)), -1);
		assert_non_null(strstr(err, "not a regular file or a character device"));
	}
	assert_null(f);
	rm_tree(dir, names, 1);
}

/* ------------------------------------------------------------ privdrop_to */

static void test_drop_refuses_root(void **state)
{
	char err[256];

	(void)state;
	/* refused before anything changes: safe whoever runs the test */
	assert_int_equal(privdrop_to("root", err, sizeof(err)), -1);
	assert_string_equal(err, "-Z root: refusing to drop privileges to root "
			    "(uid 0, gid 0)");
}

static void test_drop_refuses_unknown_and_empty(void **state)
{
	char err[256];

	(void)state;
	assert_int_equal(privdrop_to("lw-no-such-user-0x5a", err, sizeof(err)), -1);
	assert_string_equal(err, "-Z lw-no-such-user-0x5a: no such user");
	assert_int_equal(privdrop_to("", err, sizeof(err)), -1);
	assert_string_equal(err, "-Z: no user name given");
	assert_int_equal(privdrop_to(NULL, err, sizeof(err)), -1);
}

/* Runs fn in a child; returns its exit status (-1: it did not exit). */
static int in_child(int (*fn)(void))
{
	pid_t pid = fork();
	int st;

	assert_true(pid >= 0);
	if (pid == 0)
		_exit(fn());
	assert_int_equal(waitpid(pid, &st, 0), pid);
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static uid_t nobody_uid;
static gid_t nobody_gid;

/* Exit status: 0 dropped and verified here; 2.. which check failed. */
static int child_drop_nobody(void)
{
	char err[256];
	gid_t groups[4];

	if (privdrop_to("nobody", err, sizeof(err)) != 0) {
		fprintf(stderr, "child: %s\n", err);
		return 2;
	}
	if (getuid() != nobody_uid || geteuid() != nobody_uid ||
	    getgid() != nobody_gid || getegid() != nobody_gid)
		return 3;
	if (proc_caps("CapEff:") != 0 || proc_caps("CapPrm:") != 0 ||
	    proc_caps("CapAmb:") != 0)
		return 4;
	if (setuid(0) == 0 || errno != EPERM)
		return 5;
	if (prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0) != 1)
		return 6;
	if (open("/etc/shadow", O_RDONLY) >= 0)
		return 7;
	if (getgroups(4, groups) < 0)
		return 8;
	/* again, now already that user: accepted */
	if (privdrop_to("nobody", err, sizeof(err)) != 0) {
		fprintf(stderr, "child (again): %s\n", err);
		return 9;
	}
	/* root stays refused when not root */
	if (privdrop_to("root", err, sizeof(err)) != -1)
		return 10;
	return 0;
}

static bool root_and_nobody(void)
{
	struct passwd *pw = getpwnam("nobody");

	if (geteuid() != 0 || pw == NULL || pw->pw_uid == 0 || pw->pw_gid == 0)
		return false;
	nobody_uid = pw->pw_uid;
	nobody_gid = pw->pw_gid;
	return true;
}

static void test_drop_to_nobody(void **state)
{
	(void)state;
	if (!root_and_nobody())
		skip();
	assert_int_equal(in_child(child_drop_nobody), 0);
}

/* privdrop_caps refuses uid 0, even with no capabilities left. */
static int child_caps_as_root(void)
{
	char err[256];

	if (privdrop_caps(err, sizeof(err)) != -1)
		return 2;
	return strstr(err, "running as root") ? 0 : 3;
}

static int set_caps(uint32_t eff, uint32_t prm, uint32_t inh)
{
	struct __user_cap_header_struct h = { _LINUX_CAPABILITY_VERSION_3, 0 };
	struct __user_cap_data_struct d[2];

	memset(d, 0, sizeof(d));
	d[0].effective = eff;
	d[0].permitted = prm;
	d[0].inheritable = inh;
	return (int)syscall(SYS_capset, &h, d);
}

/* What systemd leaves for User=nobody AmbientCapabilities=CAP_NET_RAW:
 * not root, CAP_NET_RAW in every set.  Returns 0 when so. */
static int become_service(void)
{
	const uint32_t raw = 1u << CAP_NET_RAW;

	if (prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0) ||
	    setresgid(nobody_gid, nobody_gid, nobody_gid) || setgroups(0, NULL) ||
	    setresuid(nobody_uid, nobody_uid, nobody_uid) ||
	    set_caps(raw, raw, raw) ||
	    prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, CAP_NET_RAW, 0, 0))
		return -1;
	return proc_caps("CapEff:") == raw && proc_caps("CapAmb:") == raw ? 0 : -1;
}

static int no_caps_left(void)
{
	return proc_caps("CapEff:") == 0 && proc_caps("CapPrm:") == 0 &&
	       proc_caps("CapInh:") == 0 && proc_caps("CapAmb:") == 0 &&
	       getuid() == nobody_uid && prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0) == 1;
}

/* privdrop_caps clears them all. */
static int child_service_caps(void)
{
	char err[256];

	if (become_service())
		return 2;
	if (privdrop_caps(err, sizeof(err)) != 0) {
		fprintf(stderr, "child: %s\n", err);
		return 3;
	}
	return no_caps_left() ? 0 : 4;
}

/* "-Z nobody" when already nobody (the unit's User=): no switch, and the
 * capabilities go all the same. */
static int child_service_z(void)
{
	char err[256];

	if (become_service())
		return 2;
	if (privdrop_to("nobody", err, sizeof(err)) != 0) {
		fprintf(stderr, "child: %s\n", err);
		return 3;
	}
	return no_caps_left() ? 0 : 4;
}

static void *idle_thread(void *arg)
{
	pause();
	return arg;
}

/* A second thread would keep its capabilities: refused before any change. */
static int child_threads(void)
{
	pthread_t t;
	char err[256];
	uid_t before = geteuid();

	if (pthread_create(&t, NULL, idle_thread, NULL) != 0)
		return 2;
	if (privdrop_to("nobody", err, sizeof(err)) != -1)
		return 3;
	if (strstr(err, "2 threads are running") == NULL) {
		fprintf(stderr, "child: %s\n", err);
		return 4;
	}
	return geteuid() == before ? 0 : 5;       /* nothing changed */
}

static void test_drop_refuses_threads(void **state)
{
	(void)state;
	if (getpwnam("nobody") == NULL)
		skip();
	assert_int_equal(in_child(child_threads), 0);
}

static void test_caps(void **state)
{
	(void)state;
	if (!root_and_nobody())
		skip();
	assert_int_equal(in_child(child_caps_as_root), 0);
	assert_int_equal(in_child(child_service_caps), 0);
	assert_int_equal(in_child(child_service_z), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_open_creates_0640),
		cmocka_unit_test(test_open_truncates),
		cmocka_unit_test(test_open_refuses_symlink_in_open_dir),
		cmocka_unit_test(test_open_refuses_symlink_in_group_dir),
		cmocka_unit_test(test_open_refuses_hardlink_in_open_dir),
		cmocka_unit_test(test_open_appends),
		cmocka_unit_test(test_open_cuts_loose_mode),
		cmocka_unit_test(test_open_refuses_symlink_in_safe_dir),
		cmocka_unit_test(test_open_devices),
		cmocka_unit_test(test_open_refuses_fifo),
		cmocka_unit_test(test_open_refuses_other_types),
		cmocka_unit_test(test_drop_refuses_root),
		cmocka_unit_test(test_drop_refuses_unknown_and_empty),
		cmocka_unit_test(test_drop_to_nobody),
		cmocka_unit_test(test_drop_refuses_threads),
		cmocka_unit_test(test_caps),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
