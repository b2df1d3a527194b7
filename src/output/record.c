/* record.c: a flow record filled from the flow as it ends (see record.h). */
#include <stddef.h>
#include <string.h>

#include "inspect/wireflow.h"
#include "output/record.h"

/* Copies s into r->names at *used and notes where (NULL: none). */
static void keep(struct flow_record *r, enum rec_name n, const char *s,
		 size_t *used)
{
	size_t len;

	r->name_at[n] = 0;
	if (s == NULL)
		return;
	len = strlen(s);
	if (len + 1 > sizeof(r->names) - *used)
		return;
	memcpy(r->names + *used, s, len + 1);
	r->name_at[n] = (uint16_t)(*used + 1);
	*used += len + 1;
}

static void fill_view(struct flow_record *r, const struct inspect_view *iv)
{
	size_t used = 0;

	r->dpi = true;
	r->risks = iv->risks;
	keep(r, REC_APP_PROTO, iv->app_proto, &used);
	keep(r, REC_APP_MASTER, iv->app_master, &used);
	keep(r, REC_GUESS, iv->guess, &used);
	keep(r, REC_CONFIDENCE, iv->confidence, &used);
	keep(r, REC_HOST, iv->host, &used);
	keep(r, REC_TLS_VERSION, iv->tls_version, &used);
	keep(r, REC_JA3, iv->ja3, &used);
	keep(r, REC_JA3S, iv->ja3s, &used);
	r->names_used = (uint16_t)used;
	r->tls = iv->tls;
	if (iv->tls)
		r->tls_facts = iv->tls_facts;
}

/* *src with its reason of n bytes and the NUL (the last field). */
static void copy_audit(struct audit_result *dst, const struct audit_result *src,
		       size_t n)
{
	_Static_assert(sizeof(struct audit_result) - AUDIT_REASON_MAX -
		       offsetof(struct audit_result, reason) <
		       _Alignof(struct audit_result), "reason is audit_result's last field");
	memcpy(dst, src, offsetof(struct audit_result, reason));
	memcpy(dst->reason, src->reason, n + 1);
}

static void fill_flow(struct flow_record *r, const struct flow *f)
{
	int ts = flow_toserver_dir(f);

	r->id = f->id;
	r->key = f->key;
	memcpy(r->client_addr, flow_client_addr(f), 16);
	memcpy(r->server_addr, flow_server_addr(f), 16);
	r->client_port = flow_client_port(f);
	r->server_port = flow_server_port(f);
	r->vlan[0] = f->key.vlan[0];
	r->vlan[1] = f->key.vlan[1];
	r->nvlan = f->nvlan;
	r->ipver = f->key.ipver;
	r->l4 = f->key.l4;
	r->state = f->state;
	r->side_by = f->side_by;
	r->first_us = f->first_us;
	r->last_us = f->last_us;
	r->pkts_toserver = f->pkts[ts];
	r->pkts_toclient = f->pkts[1 - ts];
	r->bytes_toserver = f->bytes[ts];
	r->bytes_toclient = f->bytes[1 - ts];
}

void record_fill(struct flow_record *r, const struct flow *f,
		 enum flow_end why, const struct ruleset *rs,
		 const uint32_t *labels, int n, const struct audit_result *ar,
		 const struct inspect_view *iv)
{
	if (n > CLASSIFY_MAX_LABELS)
		n = CLASSIFY_MAX_LABELS;
	if (n < 0)
		n = 0;
	fill_flow(r, f);
	r->why = (uint8_t)why;
	r->rs = rs;
	if (n > 0)
		memcpy(r->labels, labels, (size_t)n * sizeof(r->labels[0]));
	r->nlabels = n;
	copy_audit(&r->audit, ar, ar->reason_len);
	r->toserver_dir = (uint8_t)flow_toserver_dir(f);
	r->media.n = 0;
	r->media.capped = 0;
	r->dpi = false;
	r->risks = 0;
	r->tls = false;
	r->tls_client_cert = (uint8_t)wireflow_client_cert(f);
	r->server_name[0] = '\0';
	memset(r->name_at, 0, sizeof(r->name_at));
	r->names_used = 0;
	if (iv)
		fill_view(r, iv);
}

void record_server_name(struct flow_record *r, const struct inv_host *h)
{
	size_t n;

	r->server_name[0] = '\0';
	if (h == NULL || h->prefix != (h->ipver == 4 ? 32 : 128))
		return;
	n = h->namelen;
	if (n < sizeof(r->server_name))
		memcpy(r->server_name, h->name, n + 1);
}

void record_media(struct flow_record *r, const struct flow *f,
		  const struct media_summary *ms)
{
	r->toserver_dir = (uint8_t)flow_toserver_dir(f);
	r->media.n = ms->n;
	r->media.capped = ms->capped;
	if (ms->n > 0)
		memcpy(r->media.s, ms->s, ms->n * sizeof(ms->s[0]));
}

void record_copy(struct flow_record *dst, const struct flow_record *src)
{
	_Static_assert(offsetof(struct flow_record, audit) >
		       offsetof(struct flow_record, nlabels), "see record.h");
	_Static_assert(offsetof(struct flow_record, labels) >
		       offsetof(struct flow_record, media), "labels come last");
	memcpy(dst, src, offsetof(struct flow_record, audit));
	copy_audit(&dst->audit, &src->audit, src->audit.reason_len);
	dst->dpi = src->dpi;
	dst->risks = src->risks;
	dst->tls_client_cert = src->tls_client_cert;
	memcpy(dst->server_name, src->server_name, strlen(src->server_name) + 1);
	dst->tls = src->tls;
	if (src->tls)
		dst->tls_facts = src->tls_facts;
	memcpy(dst->name_at, src->name_at, sizeof(dst->name_at));
	dst->names_used = src->names_used;
	memcpy(dst->names, src->names, src->names_used);
	dst->toserver_dir = src->toserver_dir;
	dst->media.n = src->media.n;
	dst->media.capped = src->media.capped;
	memcpy(dst->media.s, src->media.s, src->media.n * sizeof(src->media.s[0]));
	memcpy(dst->labels, src->labels,
	       (size_t)src->nlabels * sizeof(src->labels[0]));
}
