/* replay.c: runs a fuzz harness over files, without libFuzzer.
 *
 * Linked with one harness (tests/fuzz/fuzz_*.c), it feeds each file named
 * on the command line, or each file of a directory named there (in name
 * order), to LLVMFuzzerTestOneInput() once, in a buffer of exactly the
 * file's size.  A crash, a sanitizer report or a broken invariant aborts
 * the program; otherwise it prints how many inputs ran and exits 0.
 * Exit status 2: a file could not be read.
 */
#include <dirent.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "fuzz.h"

#define REPLAY_MAX_INPUT (16u << 20) /* libFuzzer's corpora stay far below */

/* Reads a whole file into a malloc'd buffer of exactly its size. */
static int read_file(const char *path, uint8_t **buf, size_t *len)
{
	FILE *f = fopen(path, "rb");
	struct stat st;
	size_t n;

	*buf = NULL;
	*len = 0;
	if (f == NULL || fstat(fileno(f), &st) != 0 || st.st_size < 0 ||
	    (uint64_t)st.st_size > REPLAY_MAX_INPUT) {
		fprintf(stderr, "replay: %s: cannot read: %s\n", path,
			f ? "too large" : strerror(errno));
		if (f)
			fclose(f);
		return -1;
	}
	n = (size_t)st.st_size;
	*buf = malloc(n ? n : 1);
	if (*buf == NULL || fread(*buf, 1, n, f) != n) {
		fprintf(stderr, "replay: %s: read error\n", path);
		free(*buf);
		fclose(f);
		return -1;
	}
	fclose(f);
	*len = n;
	return 0;
}

static int run_file(const char *path)
{
	uint8_t *buf;
	size_t len;

	if (read_file(path, &buf, &len) != 0)
		return -1;
	LLVMFuzzerTestOneInput(buf, len);
	free(buf);
	return 0;
}

static int by_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Every regular file of a directory, in name order; returns the count run
 * or -1. */
static int run_dir(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	char **names = NULL, path[4096];
	size_t n = 0;
	int ran = 0;

	if (d == NULL) {
		fprintf(stderr, "replay: %s: %s\n", dir, strerror(errno));
		return -1;
	}
	while ((de = readdir(d)) != NULL) {
		char **p;

		if (de->d_name[0] == '.')
			continue;
		p = realloc(names, (n + 1) * sizeof(*names));
		if (p == NULL || (p[n] = strdup(de->d_name)) == NULL) {
			fprintf(stderr, "replay: out of memory\n");
			abort();
		}
		names = p;
		n++;
	}
	closedir(d);
	if (n > 0)
		qsort(names, n, sizeof(*names), by_name);
	for (size_t i = 0; i < n; i++) {
		struct stat st;

		snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
		if (stat(path, &st) == 0 && S_ISREG(st.st_mode)) {
			if (run_file(path) != 0)
				ran = -1;
			else if (ran >= 0)
				ran++;
		}
		free(names[i]);
	}
	free(names);
	return ran;
}

int main(int argc, char **argv)
{
	struct stat st;
	int total = 0, bad = 0;

	for (int i = 1; i < argc; i++) {
		int n;

		if (stat(argv[i], &st) == 0 && S_ISDIR(st.st_mode))
			n = run_dir(argv[i]);
		else
			n = run_file(argv[i]) == 0 ? 1 : -1;
		if (n < 0)
			bad = 1;
		else
			total += n;
	}
	printf("%s: %d input(s) replayed\n", argv[0], total);
	return bad ? 2 : 0;
}
