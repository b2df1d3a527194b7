/* certs.h: the certificates each TLS server presented, and what is wrong
 * with them.
 *
 * Fed one flow record at a time (certs_add, on the writer thread or under
 * the output's caller, never per packet) with what nDPI read of the
 * server's hello and certificate; read once at the end (certs_finish) for
 * the summary and the `tls_server` JSON records.  One entry per (server
 * address, port, transport, certificate fingerprint), at most CERTS_MAX;
 * the entries refused at the cap are counted.
 *
 * Findings are facts about an entry, never verdicts on flows: a flow's
 * verdict says whether its traffic is what the Lync role should carry; a
 * finding says the certificate it presented is expired, mismatched, ...
 */
#ifndef LW_CERTS_H
#define LW_CERTS_H

#include <stdbool.h>
#include <stdint.h>

#include "classify/rules.h"
#include "inspect/inspect.h"

#define CERTS_MAX 4096            /* entries kept, at most */
#define CERTS_DEFAULT_WARN_DAYS 30
#define CERTS_ROLE_LEN 32
#define CERTS_SNI_LEN 128
#define CERTS_HOST_LEN 64

struct flow_record;

enum cert_finding {
	CERT_EXPIRED,        /* not_after before the entry was last seen */
	CERT_EXPIRES_SOON,   /* within warn_days of the capture's last packet */
	CERT_NOT_YET_VALID,  /* not_before after the entry was first seen */
	CERT_SELF_SIGNED,    /* subject == issuer */
	CERT_NAME_MISMATCH,  /* a client's SNI, or the server's inventory
			      * name, is not among the names */
	CERT_OBSOLETE_TLS,   /* negotiated SSL 3.0, TLS 1.0 or 1.1 */
	CERT_WEAK_CIPHER,    /* a suite nDPI rates weak or insecure */
	CERT_ROTATED,        /* the server (address, port) presented several */
	CERT_POOL_DIFFERS,   /* another server of the same role and port
			      * presented another certificate */
	CERT_NFINDINGS
};

struct cert_entry {
	uint8_t addr[16];            /* the server, network order */
	uint8_t ipver, l4;
	uint16_t port;               /* the server's, host order */
	char role[CERTS_ROLE_LEN];   /* role key of the server-table label of a
				      * flow whose labels rest on more than the
				      * port (host seen, inventory), or "" */
	struct inspect_tls t;        /* the certificate (as first read) */
	uint64_t first_us, last_us;  /* packet times of its flows */
	uint64_t flows;
	uint16_t min_version;        /* lowest version negotiated; 0: unknown */
	uint8_t weak;                /* worst cipher rating seen (0 safe) */
	uint64_t sni_flows;          /* flows whose client named a server */
	uint64_t mismatch_flows;     /* ... a name not among the certificate's */
	char mismatch_sni[CERTS_SNI_LEN]; /* the first such name */
	char host_name[CERTS_HOST_LEN]; /* the server's inventory name, or "" */
	bool host_mismatch;          /* host_name is not among the names */
	uint64_t client_cert_flows;  /* flows whose client presented one */
	uint32_t findings;           /* bit n: enum cert_finding n (certs_finish) */
	uint32_t rotated_with;       /* other certificates on this server/port */
	uint32_t pool_others;        /* ... on other servers of its role/port */
};

/* The table's counters beside its entries. */
struct certs_counts {
	uint64_t not_kept;           /* entries refused at CERTS_MAX */
	uint64_t handshakes;         /* flows with a TLS handshake seen */
	uint64_t with_cert;          /* ... whose certificate nDPI read */
	uint64_t tls13;              /* ... TLS 1.3: certificate encrypted */
	uint64_t no_cert;            /* ... other, none read: resumed, cut
				      * off before it, or in a lost segment */
};

struct certs;

struct certs *certs_new(void);
void certs_free(struct certs *c);

/* Counts the TLS handshake of r, if any, and files its certificate. */
void certs_add(struct certs *c, const struct flow_record *r);

/* Sets the findings (capture time: last_us, the last packet, µs) and
 * sorts the entries by server, port, fingerprint.  Returns them (n in
 * *n; NULL when none) and the counters in *cc, valid until the next
 * certs_add (which may follow: the table goes on). */
const struct cert_entry *certs_finish(struct certs *c, uint64_t last_us,
				      unsigned warn_days, uint32_t *n,
				      struct certs_counts *cc);

/* Stable snake_case name of a finding ("expired", ...). */
const char *certs_finding_name(enum cert_finding f);

/* The sentence of a finding for people, in `lang`. */
const char *certs_finding_text(enum cert_finding f, enum lang lang);

/* The evidence of finding f on e, language-neutral ("not_after
 * 2016-10-09T15:55:47Z, last seen 2017-01-01T00:00:00Z"), in buf.
 * end_us: the capture's last packet. */
const char *certs_finding_evidence(const struct cert_entry *e,
				   enum cert_finding f, uint64_t end_us,
				   char *buf, size_t len);

/* Seconds since the epoch as RFC 3339 UTC, whole seconds, in buf. */
const char *certs_time(int64_t sec, char buf[32]);

/* 40 lower-case hex digits of sha1 in out; returns out. */
const char *certs_sha1_hex(const uint8_t sha1[20], char out[41]);

/* Whether `host` (an SNI) is among the certificate's names: its subject
 * alternative names, or its subject's CN when it has none (RFC 6125).
 * Case-insensitive; "*.a.b" covers exactly one more label. */
bool certs_name_matches(const struct inspect_tls *t, const char *host);

/* Whether an inventory's host name is among the certificate's names: as
 * certs_name_matches for a name with a dot; a name without one (a short
 * host name) matches a name whose first label it is, or a wildcard. */
bool certs_host_matches(const struct inspect_tls *t, const char *name);

#endif
