/* test_learn.c: --learn-inventory: the roles learnt from the ports hosts
 * served (front-end, director, mediation, persistent-chat, front-end with
 * a collocated mediation), unanswered flows, the written file and that it
 * loads back, the port and host caps, and independence from the seed.
 *
 * The roles come from classifiers/lync2013.rules, found through argv[1]
 * (the repository root), else $top_srcdir, else the current directory. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "classify/inventory.h"
#include "classify/learn.h"
#include "classify/rules.h"
#include "shipped.h"

static const char *top;          /* argv[1], else shipped.h's default */
static struct ruleset rs;

static int load_rules(void **state)
{
	(void)state;
	return load_shipped_rules(&rs, top) ? -1 : 0;
}

static int free_rules(void **state)
{
	(void)state;
	ruleset_free(&rs);
	return 0;
}

static int addr(const char *s, uint8_t out[16])
{
	int v = strchr(s, ':') ? 6 : 4;

	memset(out, 0, 16);
	assert_int_equal(inet_pton(v == 4 ? AF_INET : AF_INET6, s, out), 1);
	return v;
}

/* An answered flow from client:50000 to server:port; the server is
 * endpoint b, or endpoint a when server_is_a. */
static struct flow mkflow(const char *client, const char *server, uint8_t l4,
			  uint16_t port, bool server_is_a)
{
	struct flow f;
	uint8_t *c = server_is_a ? f.key.b : f.key.a;
	uint8_t *s = server_is_a ? f.key.a : f.key.b;

	memset(&f, 0, sizeof(f));
	f.key.ipver = (uint8_t)addr(client, c);
	addr(server, s);
	f.key.l4 = l4;
	f.key.pa = server_is_a ? port : 50000;
	f.key.pb = server_is_a ? 50000 : port;
	f.server_dir = server_is_a ? DIR_BA : DIR_AB;
	f.pkts[DIR_AB] = 4;
	f.pkts[DIR_BA] = 3;
	if (l4 == L4_TCP)
		f.tcp_seen[DIR_AB] = f.tcp_seen[DIR_BA] = TCPF_SYN | TCPF_ACK;
	return f;
}

/* `times` answered flows to server:port, alternating endpoint order. */
static void serve(struct learner *l, const char *server, uint8_t l4,
		  uint16_t port, int times)
{
	for (int i = 0; i < times; i++) {
		const char *client = strchr(server, ':') ? "2001:db8:ff::1" :
				     "198.18.200.1";
		struct flow f = mkflow(client, server, l4, port, i & 1);

		learn_flow(l, &f);
	}
}

static char *write_text(const struct learner *l)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);

	assert_int_equal(learn_write(l, f), 0);
	fclose(f);
	return text;
}

/* The roles of addr in inv, as "a,b", or "" when it is not listed. */
static void roles_of(const struct inventory *inv, const char *a, char *buf,
		     size_t len)
{
	uint8_t x[16];
	int v = addr(a, x);
	const struct inv_host *h = inventory_lookup(inv, v, x);

	buf[0] = '\0';
	for (int i = 0; h && i < h->nroles; i++)
		snprintf(buf + strlen(buf), len - strlen(buf), "%s%s", i ? "," : "",
			 rs.roles[h->roles[i]].key);
}

/* The written file loads with no problem; addr has exactly `want`. */
static void expect_roles(const char *text, const char *a, const char *want)
{
	struct inventory *inv = inventory_new(&rs);
	char buf[256];

	assert_int_equal(inventory_load_buffer(inv, "learnt.inv", text,
					       strlen(text), stderr), 0);
	roles_of(inv, a, buf, sizeof(buf));
	if (strcmp(buf, want) != 0)
		fail_msg("%s: want roles '%s', got '%s'", a, want, buf);
	inventory_free(inv);
}

/* The lync2013 servers of the brief, one of each, plus a client. */
static void serve_site(struct learner *l)
{
	serve(l, "198.18.0.10", L4_TCP, 5061, 12);   /* front-end */
	serve(l, "198.18.0.10", L4_TCP, 444, 3);
	serve(l, "198.18.0.10", L4_TCP, 8057, 2);
	serve(l, "198.18.0.20", L4_TCP, 5061, 5);    /* director */
	serve(l, "198.18.0.20", L4_TCP, 444, 1);
	serve(l, "198.18.0.30", L4_TCP, 5070, 2);    /* mediation */
	serve(l, "198.18.0.30", L4_TCP, 5067, 1);
	serve(l, "198.18.0.30", L4_UDP, 49152, 1);
	serve(l, "2001:db8::40", L4_TCP, 5041, 4);   /* persistent-chat */
	serve(l, "198.18.0.50", L4_TCP, 5061, 1);    /* front-end + mediation */
	serve(l, "198.18.0.50", L4_TCP, 444, 1);
	serve(l, "198.18.0.50", L4_TCP, 8057, 1);
	serve(l, "198.18.0.50", L4_TCP, 5070, 1);
	serve(l, "198.18.0.50", L4_TCP, 5067, 1);
	serve(l, "198.18.1.7", L4_UDP, 50010, 2);    /* a client's media */
}

static void test_roles_learnt(void **state)
{
	struct learner *l = learn_new(&rs, 0, 1);
	char *text;

	(void)state;
	serve_site(l);
	text = write_text(l);
	expect_roles(text, "198.18.0.10", "front-end");
	expect_roles(text, "198.18.0.20", "director");
	expect_roles(text, "198.18.0.30", "mediation");
	expect_roles(text, "2001:db8::40", "persistent-chat");
	expect_roles(text, "198.18.0.50", "front-end,front-end-mediation");
	expect_roles(text, "198.18.1.7", "");
	expect_roles(text, "198.18.200.1", "");
	free(text);
	learn_free(l);
}

/* The whole file, to pin its form: header, evidence, sorted hosts. */
static void test_written_file(void **state)
{
	static const char want[] =
		"# Inventory learnt by lyncwatch --learn-inventory.\n"
		"# Each host is given every role whose `learn` ports it served,\n"
		"# and none of whose `learn-unless` ports (the [role] sections of\n"
		"# the rule files).  Check every line before using it with\n"
		"# --inventory; hosts that matched no role are comments.\n"
		"# flows: 38 counted, 0 unanswered (not counted), 0 dropped\n"
		"# hosts: 6 (5 with a role), 0 pruned; port entries evicted: 0\n"
		"\n"
		"# 198.18.0.10: served 5061/tcp (12 flows), 444/tcp (3), 8057/tcp (2)\n"
		"198.18.0.10      front-end\n"
		"\n"
		"# 198.18.0.20: served 5061/tcp (5 flows), 444/tcp (1)\n"
		"198.18.0.20      director\n"
		"\n"
		"# 198.18.0.30: served 5070/tcp (2 flows), 5067/tcp (1), 49152/udp (1)\n"
		"198.18.0.30      mediation\n"
		"\n"
		"# 198.18.0.50: served 444/tcp (1 flow), 5061/tcp (1), 5067/tcp (1),\n"
		"#   5070/tcp (1), 8057/tcp (1)\n"
		"198.18.0.50      front-end,front-end-mediation\n"
		"\n"
		"# 198.18.1.7: served 50010/udp (2 flows)\n"
		"#   (no role learnt)\n"
		"\n"
		"# 2001:db8::40: served 5041/tcp (4 flows)\n"
		"2001:db8::40     persistent-chat\n";
	struct learner *l = learn_new(&rs, 0, 1);
	char *text;

	(void)state;
	serve_site(l);
	text = write_text(l);
	if (strcmp(text, want) != 0)
		fail_msg("want:\n%s\ngot:\n%s", want, text);
	free(text);
	learn_free(l);
}

/* learn-unless: 8057 keeps a 5061+444 host from being a Director and a
 * 5070+5067 host from being a stand-alone Mediation Server. */
static void test_learn_unless(void **state)
{
	struct learner *l = learn_new(&rs, 0, 1);
	char *text;

	(void)state;
	serve(l, "198.18.0.60", L4_TCP, 5070, 1);
	serve(l, "198.18.0.60", L4_TCP, 5067, 1);
	serve(l, "198.18.0.60", L4_TCP, 8057, 1);
	serve(l, "198.18.0.60", L4_TCP, 5061, 1);
	serve(l, "198.18.0.61", L4_UDP, 5061, 1);   /* wrong L4: not 5061/tcp */
	serve(l, "198.18.0.61", L4_TCP, 444, 1);
	text = write_text(l);
	expect_roles(text, "198.18.0.60", "front-end-mediation");
	expect_roles(text, "198.18.0.61", "");
	free(text);
	learn_free(l);
}

/* Flows the server never answered are not counted. */
static void test_unanswered(void **state)
{
	struct learner *l = learn_new(&rs, 0, 1);
	struct learn_stats st;
	struct flow syn = mkflow("198.18.200.1", "198.18.0.70", L4_TCP, 5041, false);
	struct flow rst = syn, udp = mkflow("198.18.200.1", "198.18.0.70", L4_UDP,
					    5041, false);
	struct flow mid = syn;

	(void)state;
	syn.pkts[DIR_BA] = 0;                 /* no answer at all */
	syn.tcp_seen[DIR_BA] = 0;
	rst.tcp_seen[DIR_BA] = TCPF_RST | TCPF_ACK; /* refused */
	udp.pkts[DIR_BA] = 0;
	mid.tcp_seen[DIR_AB] = mid.tcp_seen[DIR_BA] = TCPF_ACK; /* mid-stream */
	learn_flow(l, &syn);
	learn_flow(l, &rst);
	learn_flow(l, &udp);
	learn_get_stats(l, &st);
	assert_int_equal(st.flows_unanswered, 3);
	assert_int_equal(st.flows, 0);
	assert_int_equal(st.hosts, 0);
	learn_flow(l, &mid);
	learn_get_stats(l, &st);
	assert_int_equal(st.flows, 1);
	assert_int_equal(st.hosts, 1);
	learn_free(l);
}

/* Many media ports do not push the signature ports out. */
static void test_port_cap(void **state)
{
	struct learner *l = learn_new(&rs, 0, 1);
	struct learn_stats st;
	char *text;

	(void)state;
	serve(l, "198.18.0.80", L4_TCP, 5070, 1);
	serve(l, "198.18.0.80", L4_TCP, 5067, 1);
	serve(l, "198.18.0.80", L4_UDP, 49152, 5);
	for (int p = 0; p < 100; p++)
		serve(l, "198.18.0.80", L4_UDP, (uint16_t)(49200 + p), 1);
	learn_get_stats(l, &st);
	assert_int_equal(st.ports_evicted, 100 - (LEARN_MAX_PORTS - 3));
	text = write_text(l);
	expect_roles(text, "198.18.0.80", "mediation");
	assert_non_null(strstr(text, "# 198.18.0.80: served 49152/udp (5 flows), "
			       "5067/tcp (1), 5070/tcp (1),"));
	assert_non_null(strstr(text, "#   and 71 flows to ports not kept\n"));
	free(text);
	learn_free(l);
}

static void serve_hosts(struct learner *l, const char *prefix, int n,
			uint8_t l4, uint16_t port)
{
	char a[64];

	for (int i = 0; i < n; i++) {
		snprintf(a, sizeof(a), "%s%d", prefix, i);
		serve(l, a, l4, port, 1);
	}
}

/* A full table prunes an eighth of its hosts: those without a signature
 * port first, then those with the fewest flows. */
static void test_host_cap(void **state)
{
	struct learner *l = learn_new(&rs, 16, 1);
	struct learn_stats st;
	char *text;

	(void)state;
	serve_hosts(l, "198.18.1.", 16, L4_UDP, 50010);
	serve(l, "198.18.0.10", L4_TCP, 5041, 1);
	learn_get_stats(l, &st);
	assert_int_equal(st.hosts_pruned, 2);
	assert_int_equal(st.hosts, 15);
	text = write_text(l);
	expect_roles(text, "198.18.0.10", "persistent-chat");
	free(text);
	serve_hosts(l, "198.18.2.", 15, L4_TCP, 5041);
	learn_get_stats(l, &st);
	assert_int_equal(st.hosts, 16);
	assert_int_equal(st.hosts_pruned, 16);
	serve(l, "198.18.2.0", L4_TCP, 5041, 1);  /* 2 flows: kept */
	serve(l, "198.18.3.1", L4_TCP, 5041, 1);
	learn_get_stats(l, &st);
	assert_int_equal(st.flows_dropped, 0);
	assert_int_equal(st.hosts_pruned, 18);
	assert_int_equal(st.hosts, 15);
	text = write_text(l);
	expect_roles(text, "198.18.0.10", "");   /* fewest flows, lowest address */
	expect_roles(text, "198.18.2.0", "persistent-chat");
	expect_roles(text, "198.18.2.1", "");
	expect_roles(text, "198.18.2.2", "persistent-chat");
	expect_roles(text, "198.18.3.1", "persistent-chat");
	free(text);
	learn_free(l);
}

/* The seed changes the hash, not the output. */
static void test_seed_independent(void **state)
{
	struct learner *a = learn_new(&rs, 64, 1), *b = learn_new(&rs, 64, 99);
	char *ta, *tb;

	(void)state;
	serve_hosts(a, "198.18.1.", 100, L4_UDP, 50010);
	serve_hosts(b, "198.18.1.", 100, L4_UDP, 50010);
	serve_site(a);
	serve_site(b);
	ta = write_text(a);
	tb = write_text(b);
	assert_string_equal(ta, tb);
	free(ta);
	free(tb);
	learn_free(a);
	learn_free(b);
}

static void test_empty(void **state)
{
	struct learner *l = learn_new(&rs, 0, 1);
	char *text;

	(void)state;
	text = write_text(l);
	assert_non_null(strstr(text, "# hosts: 0 (0 with a role)"));
	expect_roles(text, "198.18.0.1", "");
	free(text);
	learn_free(l);
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_roles_learnt),
		cmocka_unit_test(test_written_file),
		cmocka_unit_test(test_learn_unless),
		cmocka_unit_test(test_unanswered),
		cmocka_unit_test(test_port_cap),
		cmocka_unit_test(test_host_cap),
		cmocka_unit_test(test_seed_independent),
		cmocka_unit_test(test_empty),
	};

	if (argc > 1)
		top = argv[1];
	return cmocka_run_group_tests(tests, load_rules, free_rules);
}
