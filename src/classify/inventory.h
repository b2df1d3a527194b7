/* inventory.h: the inventory file, address or network -> role keys.
 *
 * One host or network per line:
 *
 *     ADDRESS[/PREFIX]  ROLE[,ROLE...]  [NAME]     # comment
 *
 * IPv4 or IPv6; PREFIX defaults to 32 or 128 and the address must have no
 * bits set beyond it; every ROLE must be a key declared in the loaded rule
 * files; NAME is one word.  '#' starts a comment anywhere on a line; blank
 * lines are ignored.  As with rule files, every problem is reported as
 * "path:line: message" and a file with any problem adds nothing.
 *
 * A lookup returns the entry with the longest prefix that contains the
 * address.  Entries are kept sorted by (IP version, prefix length longest
 * first, address); for each prefix length present, a binary search finds
 * the entry, so a lookup costs O(L log n) for L distinct prefix lengths
 * (usually 1 to 3).
 */
#ifndef LW_INVENTORY_H
#define LW_INVENTORY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "classify/rules.h"

#define INV_MAX_ROLES 8           /* role keys on one line */
#define INV_MAX_HOSTS (1u << 20)  /* entries over all loaded files */

struct inv_host {
	int ipver;                 /* 4 or 6 */
	uint8_t addr[16];          /* network order, host bits zero; IPv4 in
				    * the first 4 bytes, the rest zero */
	int prefix;                /* 0..32 or 0..128 */
	int roles[INV_MAX_ROLES];  /* role indexes into the ruleset, line order */
	int nroles;                /* >= 1 */
	const char *name;          /* "" when the line has none */
	size_t namelen;            /* strlen(name) */
	const char *file;          /* the file's name as given to the loader */
	int line;
	uint32_t seq;              /* position in load order, 0-based */
};

struct inventory;

/*
 * An empty inventory over rs.  rs must be complete (every rule file loaded)
 * and outlive the inventory.  Returns NULL when out of memory.
 */
struct inventory *inventory_new(const struct ruleset *rs);
void inventory_free(struct inventory *inv);

/*
 * Adds the entries of one file.  Problems go to `errs` (may be NULL) as
 * "path:line: message", one line each: first those found line by line, then
 * duplicate entries (the same address and prefix as an earlier line or
 * file).  Returns the number of problems; when it is not 0 nothing of this
 * file is kept.
 */
int inventory_load_file(struct inventory *inv, const char *path, FILE *errs);

/* The same over an in-memory buffer; `name` is used in messages. */
int inventory_load_buffer(struct inventory *inv, const char *name,
			  const char *buf, size_t len, FILE *errs);

/* The entry with the longest prefix containing addr (16 bytes, network
 * order, IPv4 in the first 4), or NULL. */
const struct inv_host *inventory_lookup(const struct inventory *inv,
					int ipver, const uint8_t addr[16]);

/* A small direct-mapped memo of inventory_lookup's answers (found or not)
 * for one thread: an engine's classifier.  The inventory is immutable once
 * loaded; whoever switches to another one clears the cache first. */
#define INV_CACHE_BITS 12
#define INV_CACHE_SLOTS (1u << INV_CACHE_BITS)

struct inv_cache {
	struct {
		uint8_t addr[16];
		uint8_t ipver;          /* 0: the slot is empty */
		const struct inv_host *h;
	} slot[INV_CACHE_SLOTS];
};

void inventory_cache_clear(struct inv_cache *ic);

/* inventory_lookup(inv, ipver, addr), answered from ic when it holds addr
 * (ic NULL: no cache). */
const struct inv_host *inventory_lookup_cached(const struct inventory *inv,
					       struct inv_cache *ic, int ipver,
					       const uint8_t addr[16]);

/* Entries in lookup order (IPv4 first; longest prefix first; address). */
size_t inventory_count(const struct inventory *inv);
const struct inv_host *inventory_host(const struct inventory *inv, size_t i);

/* True when one of h's roles is `want` or implies it (transitively). */
bool inventory_host_has_role(const struct ruleset *rs,
			     const struct inv_host *h, int want);

/*
 * True when the role is a Lync server role, decided from the rules: the
 * role, or one it implies, holds a rule with ports in the server, hlb or
 * dnslb table.  With lync2013.rules: every server key (through
 * all-servers) and the three load-balancer keys; not pstn-gateway, edge,
 * reverse-proxy, client, phone (no such rows) nor unknown (a portless row).
 */
bool inventory_role_is_server(const struct inventory *inv, int role);

/* True when any of h's roles is a server role (the audit's scope). */
bool inventory_host_is_server(const struct inventory *inv,
			      const struct inv_host *h);

/* Formats "198.18.0.0/24", or the bare address for a /32 or /128. */
void inventory_format(const struct inv_host *h, char *buf, size_t len);

#endif
