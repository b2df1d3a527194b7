/* stats.c: summary counters. */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "stats.h"

static bool same_group(const struct rule *a, const struct rule *b)
{
	return a->table == b->table &&
	       strcmp(a->text[TEXT_ROLE][LANG_EN], b->text[TEXT_ROLE][LANG_EN]) == 0 &&
	       strcmp(a->text[TEXT_SERVICE][LANG_EN],
		      b->text[TEXT_SERVICE][LANG_EN]) == 0;
}

int stats_init(struct stats *s, const struct ruleset *rs)
{
	memset(s, 0, sizeof(*s));
	s->nrules = rs->nrules;
	s->rule_group = calloc((size_t)rs->nrules + 1, sizeof(int));
	s->groups = calloc((size_t)rs->nrules + 1, sizeof(*s->groups));
	s->seen = calloc((size_t)rs->nrules + 1, sizeof(uint32_t));
	if (!s->rule_group || !s->groups || !s->seen)
		return -1;
	for (int i = 0; i < rs->nrules; i++) {
		int g = 0;

		while (g < s->ngroups &&
		       !same_group(&rs->rules[s->groups[g].rule], &rs->rules[i]))
			g++;
		if (g == s->ngroups)
			s->groups[s->ngroups++].rule = i;
		s->rule_group[i] = g;
	}
	s->wall_start = stats_now();
	return 0;
}

void stats_free(struct stats *s)
{
	free(s->rule_group);
	free(s->groups);
	free(s->seen);
	memset(s, 0, sizeof(*s));
}

void stats_flow(struct stats *s, const struct flow *f,
		const uint32_t *labels, int n, enum verdict v)
{
	uint64_t pkts = (uint64_t)f->pkts[0] + f->pkts[1];
	uint64_t bytes = f->bytes[0] + f->bytes[1];

	s->flows++;
	s->verdict[v]++;
	if (n == 0) {
		s->unlabelled_pkts += pkts;
		s->unlabelled_bytes += bytes;
		return;
	}
	s->seen_gen++;
	for (int i = 0; i < n; i++) {
		int g = s->rule_group[labels[i]];

		if (s->seen[g] == s->seen_gen)
			continue;
		s->seen[g] = s->seen_gen;
		s->groups[g].flows++;
		s->groups[g].pkts += pkts;
		s->groups[g].bytes += bytes;
	}
}

double stats_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}
