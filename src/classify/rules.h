/* rules.h: the rule model and the rule-file reader.
 *
 * A rule is one row of a vendor's port table: which table, which role,
 * which service, the L4 protocol(s), the port(s) or range(s), the
 * documented protocol text, the application protocol the row implies, and
 * the note, in English and Japanese.  Roles are declared in the same files
 * with the keys that an inventory uses.  The format is described in
 * classifiers/FORMAT and in lyncwatch(8).
 *
 * The reader (rules_read.c) collects every problem of a file and reports
 * each as "path:line: message"; a file with any problem adds nothing to the
 * set.  The model (rules.c) holds the set, finds rules and roles by name in
 * O(1) and walks implications; rules_lang.c holds the words of the format.
 */
#ifndef LW_RULES_H
#define LW_RULES_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "util/arena.h"

enum rule_table {
	TABLE_SERVER,  /* Required Server Ports (by Server Role) */
	TABLE_HLB,     /* Hardware Load Balancer Ports if Using Only HLB */
	TABLE_DNSLB,   /* Hardware Load Balancer Ports if Using DNS LB */
	TABLE_CLIENT,  /* Required Client Ports */
	TABLE_N
};

/* The application protocol a row implies; the audit maps each to the nDPI
 * protocols that confirm or contradict it. */
enum rule_app {
	APP_UNSPECIFIED,
	APP_TLS,
	APP_HTTP,
	APP_SIP,
	APP_STUN,
	APP_DCERPC,
	APP_SMB,
	APP_DHCP,
	APP_SQL_BROWSER,
	APP_MEDIA,
	APP_N
};

enum rule_status {
	STATUS_REQUIRED,
	STATUS_OPTIONAL, /* "optionally used" (e.g. static routes) */
	STATUS_LEGACY,   /* for previous versions' clients and servers */
	STATUS_N
};

enum lang { LANG_EN, LANG_JA, LANG_N };

/* Text fields of a rule, each in every language. */
enum rule_text { TEXT_ROLE, TEXT_SERVICE, TEXT_PROTOCOL, TEXT_NOTE, TEXT_N };

#define RULE_L4_TCP 0x1
#define RULE_L4_UDP 0x2

#define RULE_MAX_PORTS 4 /* port items on one rule: "P,Q" is two */
#define ROLE_MAX_IMPLIES 8
#define RULES_MAX_ROLES 1024 /* roles over all loaded files */
#define ROLE_MAX_LEARN 8   /* ports in one role's learn / learn-unless list */

struct port_range {
	uint16_t lo, hi; /* inclusive; lo == hi for a single port */
};

struct rule {
	const char *id;              /* unique across all loaded files */
	enum rule_table table;
	int role;                    /* index into ruleset.roles */
	const char *text[TEXT_N][LANG_N]; /* never NULL; "" when the page is empty */
	uint8_t l4;                  /* RULE_L4_* bits; 0 for a placeholder row */
	uint8_t nports;              /* 0 for a placeholder row */
	struct port_range ports[RULE_MAX_PORTS];
	enum rule_app app;
	enum rule_status status;
	bool fallback;               /* labels only where no other rule does */
	bool shared;                 /* the port is a general protocol's own
				      * (HTTPS, HTTP, SMB, ...): the port alone
				      * does not make a flow Lync traffic */
	int file;                    /* index into ruleset.files */
	int line;                    /* line of the [rule ...] header */
};

/* One L4 port, written PORT/tcp or PORT/udp in rule files. */
struct l4_port {
	uint8_t l4;                  /* RULE_L4_TCP or RULE_L4_UDP */
	uint16_t port;
};

struct role {
	const char *key;             /* e.g. "front-end" */
	const char *name[LANG_N];
	int implies[ROLE_MAX_IMPLIES]; /* role indexes this role also holds */
	int nimplies;
	/* Inventory learning: a host that served every `learn` port and none
	 * of the `learn_unless` ports holds this role (nlearn 0: never learnt). */
	struct l4_port learn[ROLE_MAX_LEARN];
	int nlearn;
	struct l4_port learn_unless[ROLE_MAX_LEARN];
	int nlearn_unless;
	int file, line;
};

/* Names to indexes: open addressing, -1 marks an empty slot; cap is a
 * power of two, at least twice the number of names. */
struct rules_index {
	int *slot;
	unsigned cap;
};

struct ruleset {
	/* Unique among the rulesets of the process (from 1): a cache keyed by
	 * it cannot mistake a new ruleset for a freed one at the same address. */
	uint64_t serial;
	struct rule *rules;
	int nrules, caprules;
	struct role *roles;
	int nroles, caproles;
	char **files;
	int nfiles;
	struct arena *arena;         /* owns every string */
	struct rules_index rule_ids; /* rule id -> index into rules */
	struct rules_index role_keys; /* role key -> index into roles */
	int unknown_roles;           /* role names that rules or implies lists
				      * gave and no loaded file declared: counted
				      * by the reader, kept across roll-backs */
};

void ruleset_init(struct ruleset *rs);
void ruleset_free(struct ruleset *rs);

/* What a set held at one moment, to roll a failed file back to. */
struct ruleset_mark {
	int nrules, nroles, nfiles;
	struct arena_mark arena;
};

/* Building a set (the reader's side).  Each returns -1 when out of memory,
 * the set then unchanged.  A rule or role is appended zeroed (role -1),
 * with its id or key copied and indexed; duplicates are the caller's to
 * refuse (they are indexed too, the first one is found). */
int rules_new_rule(struct ruleset *rs, const char *id);   /* its index */
int rules_new_role(struct ruleset *rs, const char *key);  /* its index */
int rules_add_file(struct ruleset *rs, const char *name); /* its index */
struct ruleset_mark ruleset_get_mark(const struct ruleset *rs);
void ruleset_rollback(struct ruleset *rs, struct ruleset_mark m);

/* Index of the rule with that id, or -1.  O(1) on average. */
int rules_rule_find(const struct ruleset *rs, const char *id);

/*
 * Reads one rule file into rs.  Problems are written to `errs` as
 * "path:line: message", one line each.  Returns the number of problems; when
 * it is not 0 nothing of this file is kept (rs is as before the call).
 */
int rules_load_file(struct ruleset *rs, const char *path, FILE *errs);

/* The same over an in-memory buffer; `name` is used in messages. */
int rules_load_buffer(struct ruleset *rs, const char *name,
		      const char *buf, size_t len, FILE *errs);

/* Checks what needs every file: at least one rule with a port.  Returns
 * the number of problems, written to `errs` as "FILE[, FILE...]: message". */
int rules_finish(struct ruleset *rs, FILE *errs);

/* Index of the role with that key, or -1.  O(1) on average. */
int rules_role_find(const struct ruleset *rs, const char *key);

/* True when a host holding role `held` answers to rules of role `want`
 * (the same role, or one that `held` implies, transitively; cycles are
 * allowed).  Costs O(roles + implications) at most. */
bool rules_role_covers(const struct ruleset *rs, int held, int want);

/* True when rule r covers (l4 bit, port). */
bool rule_covers(const struct rule *r, unsigned l4bit, uint16_t port);

/* Names as used in rule files and JSON, e.g. "server", "tls", "optional". */
const char *rule_table_name(enum rule_table t);
const char *rule_table_title(enum rule_table t, enum lang lang);
const char *rule_app_name(enum rule_app a);
const char *rule_status_name(enum rule_status s);
const char *rule_l4_name(uint8_t l4bits); /* "tcp", "udp", "tcp/udp" */

/* Formats a rule's ports as "P", "P,Q" or "P-Q" (comma-joined) into buf. */
void rule_ports_format(const struct rule *r, char *buf, size_t len);

#endif
