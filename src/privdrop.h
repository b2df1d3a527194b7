/* privdrop.h: giving up root after the capture is open (-Z USER), giving up
 * the capabilities a service was started with, and opening output files
 * without being tricked into writing through a planted link.
 *
 * Linux only (capabilities, prctl, /proc/self/status).  Every function
 * fails closed: on -1 the process may have given up some of its rights but
 * not all, and the caller must exit.  Each writes its reason into err as
 * one line without a trailing newline.
 */
#ifndef LW_PRIVDROP_H
#define LW_PRIVDROP_H

#include <stddef.h>
#include <stdio.h>

/*
 * Becomes `user` for good: refuses a user whose uid or gid is 0 or who is a
 * member of group 0; sets the supplementary groups of that user
 * (initgroups), then the real, effective and saved gid and uid; clears the
 * ambient, inheritable, permitted and effective capabilities (and, while
 * still root, the bounding set); sets no_new_privs.  Then verifies: all
 * three uids and gids are the target's, setuid(0) and setgid(0) fail, and
 * CapEff, CapPrm, CapInh and CapAmb in /proc/self/status are 0.
 *
 * Already running as exactly that user (uid and gid, real, effective and
 * saved) is accepted: the switch is skipped and the rest is done.
 *
 * Must be called while the process has one thread (capabilities and
 * no_new_privs are per thread); it checks Threads: in /proc/self/status and
 * refuses otherwise.  Returns 0, or -1 with err = "-Z USER: reason".
 */
int privdrop_to(const char *user, char *err, size_t errlen);

/*
 * For a process that is not root but holds capabilities (a systemd service
 * with User= and AmbientCapabilities=): clears the ambient, inheritable,
 * permitted and effective sets, sets no_new_privs, and verifies as above.
 * Refuses when any uid is 0 (root without capabilities still owns root's
 * files: use privdrop_to).  Single thread only, as privdrop_to.  Returns 0,
 * or -1 with err = "dropping capabilities: reason".
 */
int privdrop_caps(char *err, size_t errlen);

#define PRIVDROP_TRUNCATE 0x1 /* empty an existing file (else: append) */

/*
 * Opens `path` for writing: an existing regular file is appended to (with
 * PRIVDROP_TRUNCATE: emptied), a new one created with mode 0640 (less the
 * umask).  The directories are walked one component at a time from / (or
 * the working directory) with O_NOFOLLOW: no component, the last one
 * included, may be a symbolic link.  Only a regular file or a character
 * device (/dev/null; devices cannot be planted without privileges) is
 * accepted; a FIFO, a socket, a block device or a directory is refused
 * before it is opened and again after (fstat), and opening never blocks
 * (O_NONBLOCK, cleared once the checks pass).  When the directory that
 * holds it is writable by group or others, or owned by a user other than
 * root or the caller, an existing file there must be the caller's with a
 * single link.  An existing regular file that the caller owns (or any,
 * for root) loses any mode bits beyond 0640.  "-" is not special here:
 * the caller maps it to stdout.
 *
 * Returns 0 with *out a stream (close-on-exec) that the caller fcloses, or
 * -1 with err = "PATH: reason" and *out untouched.
 */
int privdrop_open_output(const char *path, int flags, FILE **out, char *err,
			 size_t errlen);

#endif
