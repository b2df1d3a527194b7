/* summary.c: the summary model, built from the stats (see summary.h). */
#include <stdlib.h>
#include <string.h>

#include "output/summary.h"

static void build_rows(struct summary *sm, const struct stats *s,
		       enum lang lang)
{
	int l = (int)lang;

	for (int g = 0; g < s->ngroups; g++) {
		const struct stats_group *sg = &s->groups[g];
		const struct rule *r = sg->rule;

		if (sg->flows == 0)
			continue;
		sm->rows[sm->nrows++] = (struct summary_row){
			.table = rule_table_name(r->table),
			.role = r->text[TEXT_ROLE][l],
			.service = r->text[TEXT_SERVICE][l],
			.flows = sg->flows, .pkts = sg->pkts, .bytes = sg->bytes };
	}
	sm->rows[sm->nrows++] = (struct summary_row){
		.table = "-", .role = "", .service = "", .no_rule = true,
		.flows = s->unlabelled_flows, .pkts = s->unlabelled_pkts,
		.bytes = s->unlabelled_bytes };
}

static int build_viol(struct summary *sm, struct stats *s)
{
	uint32_t n;
	const struct viol_group *const *v = stats_violations(s, &n);

	sm->viol_not_kept = s->viol_dropped;
	if (n == 0)
		return v ? 0 : -1;
	sm->viol = malloc((size_t)n * sizeof(*sm->viol));
	if (sm->viol == NULL)
		return -1;
	for (uint32_t i = 0; i < n; i++)
		sm->viol[i] = *v[i];
	sm->nviol = n;
	return 0;
}

static void copy_counts(struct summary *sm, const struct stats *s)
{
	sm->pkts = s->pkts;
	sm->bytes = s->bytes;
	sm->inputs = s->files;
	sm->seconds = s->wall_end - s->wall_start;
	sm->pps = sm->seconds > 0 ? (double)s->pkts / sm->seconds : 0.0;
	sm->last_us = s->last_us;
	memcpy(sm->decode, s->decode, sizeof(sm->decode));
	sm->decode_errors = s->decode[DECODE_TRUNCATED] +
			    s->decode[DECODE_INVALID] +
			    s->decode[DECODE_UNSUPPORTED];
	sm->input_errors = s->input_errors;
	sm->errors = sm->decode_errors + sm->input_errors;
	sm->flows = s->flows;
	memcpy(sm->verdict, s->verdict, sizeof(sm->verdict));
	memcpy(sm->verdict_by, s->verdict_by, sizeof(sm->verdict_by));
	sm->port_only = (struct summary_row){ .table = "-", .role = "",
		.service = "", .flows = s->port_only_flows,
		.pkts = s->port_only_pkts, .bytes = s->port_only_bytes };
	memcpy(sm->flag_flows, s->flag_flows, sizeof(sm->flag_flows));
	sm->evicted = s->evicted;
	sm->media_limited = s->media_limited;
	sm->distinct = (struct summary_row){ .table = "all", .role = "",
		.service = "", .flows = s->flows, .pkts = s->flow_pkts,
		.bytes = s->flow_bytes };
}

/* The inferred servers, each with the id of the rule that showed it. */
static int build_hosts(struct summary *sm, const struct run_info *ri)
{
	sm->hosts = hosts_sorted(ri->hosts, &sm->nhosts);
	sm->hosts_not_kept = hosts_dropped(ri->hosts);
	if (sm->nhosts == 0)
		return 0;
	sm->host_rule = malloc(sm->nhosts * sizeof(*sm->host_rule));
	if (sm->host_rule == NULL)
		return -1;
	for (uint32_t i = 0; i < sm->nhosts; i++)
		sm->host_rule[i] = ri->rs && sm->hosts[i].rule < (uint32_t)ri->rs->nrules ?
				   ri->rs->rules[sm->hosts[i].rule].id : "?";
	return 0;
}

int summary_build(struct summary *sm, struct stats *s,
		  const struct run_info *ri, enum lang lang)
{
	memset(sm, 0, sizeof(*sm));
	copy_counts(sm, s);
	sm->peak_active = ri->flows_active_peak;
	sm->max_flows = ri->max_flows;
	sm->live = ri->live;
	sm->received = ri->received;
	sm->kernel_drops = ri->kernel_drops;
	sm->iface_drops = ri->iface_drops;
	if (ri->insp) {
		sm->dpi = true;
		sm->insp = *ri->insp;
	}
	if (build_hosts(sm, ri))
		return -1;
	sm->rows = malloc(((size_t)s->ngroups + 1) * sizeof(*sm->rows));
	if (sm->rows == NULL)
		return -1;
	build_rows(sm, s, lang);
	return build_viol(sm, s);
}

void summary_free(struct summary *sm)
{
	free(sm->rows);
	free(sm->viol);
	free(sm->hosts);
	free(sm->host_rule);
	memset(sm, 0, sizeof(*sm));
}
