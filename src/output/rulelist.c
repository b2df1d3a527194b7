/* rulelist.c: --list-rules, the loaded rules as a table or JSON Lines. */
#include "output/output.h"
#include "util/jsonw.h"

static void rule_json(FILE *f, struct jsonw *w, const struct ruleset *rs,
		      const struct rule *r)
{
	static const char *const k[TEXT_N][LANG_N] = {
		{ "role_en", "role_ja" }, { "service_en", "service_ja" },
		{ "protocol_en", "protocol_ja" }, { "note_en", "note_ja" } };
	char ports[64], loc[300];

	rule_ports_format(r, ports, sizeof(ports));
	sink_rule_location(rs, r, loc, sizeof(loc));
	jw_reset(w);
	jw_obj_begin(w);
	JW_KSTR(w, "id", r->id);
	JW_KSTR(w, "table", rule_table_name(r->table));
	JW_KSTR(w, "role_key", rs->roles[r->role].key);
	jw_kstr(w, "l4", rule_l4_name(r->l4));
	JW_KSTR(w, "port", ports);
	JW_KSTR(w, "app", rule_app_name(r->app));
	JW_KSTR(w, "status", rule_status_name(r->status));
	JW_KEY(w, "fallback");
	jw_bool(w, r->fallback);
	for (int l = 0; l < LANG_N; l++)
		for (int t = 0; t < TEXT_N; t++)
			jw_kstr(w, k[t][l], r->text[t][l]);
	JW_KSTR(w, "rule", loc);
	jw_obj_end(w);
	jw_write_line(w, f);
}

static void rule_text(FILE *f, const struct rule *r, enum lang lang)
{
	const char *svc = r->text[TEXT_SERVICE][lang];
	const char *proto = r->text[TEXT_PROTOCOL][lang];
	char ports[64];

	rule_ports_format(r, ports, sizeof(ports));
	fprintf(f, "%-10s %-6s %-7s %-12s %-11s %-8s %s / %s / %s%s\n",
		r->id, rule_table_name(r->table), rule_l4_name(r->l4), ports,
		rule_app_name(r->app), rule_status_name(r->status),
		r->text[TEXT_ROLE][lang], *svc ? svc : "-", *proto ? proto : "-",
		r->fallback ? " (fallback)" : "");
}

void output_rules(FILE *f, const struct ruleset *rs, enum lang lang,
		  bool json)
{
	struct jsonw w;

	jw_init(&w);
	if (!json)
		fprintf(f, "%-10s %-6s %-7s %-12s %-11s %-8s %s\n", "id", "table",
			"l4", "port", "app", "status", "role / service / protocol");
	for (int i = 0; i < rs->nrules; i++) {
		if (json)
			rule_json(f, &w, rs, &rs->rules[i]);
		else
			rule_text(f, &rs->rules[i], lang);
	}
	jw_free(&w);
}
