/* sink_prom.c: --prom-file PATH, the stats in Prometheus' text exposition
 * format (version 0.0.4) for node_exporter's textfile collector.
 *
 * The file is written whole at each interim stats record (the running
 * figures: packets, drops, flows, the outputs) and at the end (every
 * figure of the summary), as PATH.tmp renamed over PATH, so a reader never
 * sees half a file.  Names follow Prometheus' rules: lyncwatch_ prefix,
 * snake_case, the unit in the name, _total on counters.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "output/sink.h"

/* Starts a metric family: its HELP and TYPE lines. */
static void fam(FILE *f, const char *name, const char *type, const char *help)
{
	fprintf(f, "# HELP lyncwatch_%s %s\n# TYPE lyncwatch_%s %s\n", name,
		help, name, type);
}

/* A sample without labels. */
static void val(FILE *f, const char *name, uint64_t v)
{
	fprintf(f, "lyncwatch_%s %" PRIu64 "\n", name, v);
}

static void one(FILE *f, const char *name, const char *type,
		const char *help, uint64_t v)
{
	fam(f, name, type, help);
	val(f, name, v);
}

/* A label value, escaped as the format wants (\\, \", \n). */
static void label_value(FILE *f, const char *s)
{
	for (; *s; s++) {
		if (*s == '\\' || *s == '"')
			fputc('\\', f);
		if (*s == '\n')
			fputs("\\n", f);
		else
			fputc(*s, f);
	}
}

/* A sample with one label (name="value"). */
static void val1(FILE *f, const char *metric, const char *label,
		 const char *value, uint64_t v)
{
	fprintf(f, "lyncwatch_%s{%s=\"", metric, label);
	label_value(f, value);
	fprintf(f, "\"} %" PRIu64 "\n", v);
}

static void prom_outputs(FILE *f, const struct out_counters *c)
{
	one(f, "output_records_total", "counter",
	    "Flow records handed to the record writer.", c->records);
	one(f, "output_queue_peak_records", "gauge",
	    "Most flow records waiting in the writer queue at once.", c->queue_peak);
	one(f, "output_queue_waits_total", "counter",
	    "Submissions that waited for room in the writer queue.", c->queue_waits);
	if (!c->redis)
		return;
	one(f, "redis_delivered_records_total", "counter",
	    "EVE records Redis acknowledged.", c->redis_delivered);
	one(f, "redis_dropped_records_total", "counter",
	    "EVE records given up (buffer full or Redis away at the end).",
	    c->redis_dropped);
	one(f, "redis_reconnects_total", "counter",
	    "Connections to Redis made again after a loss.", c->redis_reconnects);
	one(f, "redis_pending_records", "gauge",
	    "EVE records held back, not yet delivered.", c->redis_pending);
}

static void prom_capture(FILE *f, uint64_t received, uint64_t kernel,
			 uint64_t iface)
{
	one(f, "capture_received_packets_total", "counter",
	    "Packets the capture received (pcap_stats).", received);
	one(f, "capture_kernel_dropped_packets_total", "counter",
	    "Packets the kernel dropped (no room in the buffer).", kernel);
	one(f, "capture_interface_dropped_packets_total", "counter",
	    "Packets the interface or its driver dropped.", iface);
}

/* A traffic row's flows or bytes, labelled by table, role and service. */
static void row(FILE *f, const char *metric, const struct summary_row *r,
		const char *role, uint64_t v)
{
	fprintf(f, "lyncwatch_%s{table=\"", metric);
	label_value(f, r->table);
	fputs("\",role=\"", f);
	label_value(f, role ? role : r->role);
	fputs("\",service=\"", f);
	label_value(f, r->service);
	fprintf(f, "\"} %" PRIu64 "\n", v);
}

static void prom_rows(struct sink *s, FILE *f, const struct summary *sm,
		      bool bytes)
{
	const char *m = bytes ? "role_bytes_total" : "role_flows_total";

	fam(f, m, "counter", bytes ?
	    "Wire bytes of the flows labelled by a (table, role, service) group." :
	    "Flows labelled by a (table, role, service) group.");
	for (int i = 0; i < sm->nrows; i++)
		row(f, m, &sm->rows[i], sm->rows[i].no_rule ?
		    SINK_TR(s, "(no rule)", "(規則なし)") : NULL,
		    bytes ? sm->rows[i].bytes : sm->rows[i].flows);
	row(f, m, &sm->port_only, SINK_TR(s, "(by the port alone)", "(ポートのみ)"),
	    bytes ? sm->port_only.bytes : sm->port_only.flows);
}

static void prom_flows(FILE *f, const struct summary *sm)
{
	fam(f, "flows_total", "counter", "Flows ended, by verdict.");
	for (int v = 0; v < VERDICT_N; v++)
		val1(f, "flows_total", "verdict", verdict_name((enum verdict)v),
		     sm->verdict[v]);
	fam(f, "flagged_flows_total", "counter", "Flows ended, by audit flag.");
	for (int b = 0; b < FLAG_N; b++)
		val1(f, "flagged_flows_total", "flag", audit_flag_name(b),
		     sm->flag_flows[b]);
	one(f, "flows_evicted_total", "counter",
	    "Flows pushed out of the flow table (--max-flows).", sm->evicted);
	one(f, "flows_active_peak", "gauge",
	    "Most flows tracked at once.", sm->peak_active);
}

static void prom_summary_body(struct sink *s, FILE *f, const struct summary *sm)
{
	one(f, "packets_total", "counter", "Packets read.", sm->pkts);
	one(f, "packets_bytes_total", "counter", "Wire bytes of the packets read.",
	    sm->bytes);
	if (sm->live)
		prom_capture(f, sm->received, sm->kernel_drops, sm->iface_drops);
	fam(f, "decoded_packets_total", "counter", "Packets by decode outcome.");
	for (int i = 0; i < DECODE_NSTATUS; i++)
		val1(f, "decoded_packets_total", "outcome",
		     decode_status_name((enum decode_status)i), sm->decode[i]);
	one(f, "decode_errors_total", "counter",
	    "Packets truncated, invalid or unsupported.", sm->decode_errors);
	one(f, "input_errors_total", "counter",
	    "Inputs not opened or not read to their end.", sm->input_errors);
	prom_flows(f, sm);
	prom_rows(s, f, sm, false);
	prom_rows(s, f, sm, true);
	one(f, "violations_not_kept_total", "counter",
	    "Violations in groups not kept.", sm->viol_not_kept);
	prom_outputs(f, &sm->out);
}

static void prom_interim_body(FILE *f, const struct interim *in)
{
	one(f, "packets_total", "counter", "Packets read.", in->pkts);
	one(f, "packets_bytes_total", "counter", "Wire bytes of the packets read.",
	    in->bytes);
	prom_capture(f, in->received, in->kernel_drops, in->iface_drops);
	one(f, "decode_errors_total", "counter",
	    "Packets truncated, invalid or unsupported.", in->decode_errors);
	one(f, "flows_ended_total", "counter", "Flows ended.", in->flows_ended);
	one(f, "flows_evicted_total", "counter",
	    "Flows pushed out of the flow table (--max-flows).", in->evicted);
	one(f, "flows_active", "gauge", "Flows tracked now.", in->active_flows);
	one(f, "violation_flows_total", "counter",
	    "Flows ended with the verdict violation.", in->violations);
	prom_outputs(f, &in->out);
}

/* Opens PATH.tmp (emptied); the caller renames it over PATH. */
static FILE *prom_begin(struct sink *s, char **tmp)
{
	char err[512];
	size_t n = strlen(s->cfg->prom) + 5;
	FILE *f = NULL;

	*tmp = malloc(n);
	if (*tmp == NULL)
		return NULL;
	snprintf(*tmp, n, "%s.tmp", s->cfg->prom);
	if (s->cfg->open_file(*tmp, OUTPUT_TRUNCATE, &f, err, sizeof(err)) != 0) {
		fprintf(stderr, "lyncwatch: --prom-file: %s\n", err);
		free(*tmp);
		*tmp = NULL;
		return NULL;
	}
	return f;
}

/* Closes PATH.tmp and renames it over PATH; counts a failure. */
static void prom_end(struct sink *s, FILE *f, char *tmp)
{
	bool bad = ferror(f) != 0;

	if (fclose(f) != 0)
		bad = true;
	if (!bad && rename(tmp, s->cfg->prom) != 0)
		bad = true;
	if (bad) {
		fprintf(stderr, "lyncwatch: --prom-file %s: write error\n",
			s->cfg->prom);
		s->write_errors++;
		(void)remove(tmp);
	}
	free(tmp);
}

static void prom_summary(struct sink *s, const struct summary *sm)
{
	char *tmp;
	FILE *f = prom_begin(s, &tmp);

	if (f == NULL) {
		s->write_errors++;
		return;
	}
	prom_summary_body(s, f, sm);
	prom_end(s, f, tmp);
}

static void prom_interim(struct sink *s, const struct interim *in)
{
	char *tmp;
	FILE *f = prom_begin(s, &tmp);

	if (f == NULL) {
		s->write_errors++;
		return;
	}
	prom_interim_body(f, in);
	prom_end(s, f, tmp);
}

/* Checks at the start that PATH.tmp can be written (a wrong path is an
 * error now, not at the end of a run): -1 with a message when not. */
static int prom_open(struct sink *s)
{
	char *tmp;
	FILE *f;

	if (s->cfg->prom == NULL || s->cfg->open_file == NULL)
		return 0;
	if ((f = prom_begin(s, &tmp)) == NULL)
		return -1;
	fclose(f);
	(void)remove(tmp);
	free(tmp);
	return 1;
}

const struct sink_ops sink_prom_ops = {
	.name = "prom",
	.open = prom_open,
	.interim = prom_interim,
	.summary = prom_summary,
};
