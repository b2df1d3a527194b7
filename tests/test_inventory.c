/* test_inventory.c: the inventory parser and lookup: valid IPv4/IPv6 hosts
 * and networks, longest-prefix match, every error class with its
 * file:line, roll-back of a bad file, implied roles and the server scope.
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
#include <unistd.h>

#include "classify/inventory.h"
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

static int role(const char *key)
{
	int r = rules_role_find(&rs, key);

	if (r < 0)
		fail_msg("role %s not in the rules", key);
	return r;
}

/* Loads text as "t.inv"; returns the error count, messages in *msgs. */
static int load(struct inventory *inv, const char *name, const char *text,
		char **msgs)
{
	size_t len = 0;
	FILE *f = open_memstream(msgs, &len);
	int n = inventory_load_buffer(inv, name, text, strlen(text), f);

	fclose(f);
	return n;
}

static const struct inv_host *find(const struct inventory *inv,
				   const char *addr)
{
	uint8_t a[16] = { 0 };
	int v = strchr(addr, ':') ? 6 : 4;

	assert_int_equal(inet_pton(v == 4 ? AF_INET : AF_INET6, addr, a), 1);
	return inventory_lookup(inv, v, a);
}

/* The entry found for addr is the one written as `want` ("" for none). */
static void expect_match(const struct inventory *inv, const char *addr,
			 const char *want)
{
	const struct inv_host *h = find(inv, addr);
	char buf[64] = "";

	if (h)
		inventory_format(h, buf, sizeof(buf));
	if (strcmp(buf, want) != 0)
		fail_msg("%s: want '%s', got '%s'", addr, want, buf);
}

/* Expects exactly `want` as the whole error output, n lines of it, and
 * nothing loaded. */
static void expect_errors(const char *text, int n, const char *want)
{
	struct inventory *inv = inventory_new(&rs);
	char *msgs = NULL;
	int got = load(inv, "t.inv", text, &msgs);

	if (got != n || strcmp(msgs, want) != 0)
		fail_msg("want %d error(s):\n%sgot %d:\n%s", n, want, got, msgs);
	assert_int_equal(inventory_count(inv), 0);
	free(msgs);
	inventory_free(inv);
}

/* ------------------------------------------------------------ valid */

static void test_valid(void **state)
{
	static const char text[] =
		"# Lync pool, site A\n"
		"\n"
		"198.18.0.10      front-end,cms   fe1.example.test\n"
		"198.18.0.11\tfront-end          # no name\n"
		"  198.18.1.0/24  client\n"
		"2001:db8::10     director        dir1\n"
		"2001:db8:2::/48  client,phone\n"
		"198.18.0.20/32   mediation\r\n";
	struct inventory *inv = inventory_new(&rs);
	const struct inv_host *h;
	char *msgs = NULL;

	(void)state;
	assert_int_equal(load(inv, "t.inv", text, &msgs), 0);
	assert_string_equal(msgs, "");
	assert_int_equal(inventory_count(inv), 6);
	h = find(inv, "198.18.0.10");
	assert_non_null(h);
	assert_int_equal(h->ipver, 4);
	assert_int_equal(h->prefix, 32);
	assert_int_equal(h->nroles, 2);
	assert_int_equal(h->roles[0], role("front-end"));
	assert_int_equal(h->roles[1], role("cms"));
	assert_string_equal(h->name, "fe1.example.test");
	assert_int_equal(h->namelen, strlen(h->name));
	assert_string_equal(h->file, "t.inv");
	assert_int_equal(h->line, 3);
	assert_string_equal(find(inv, "198.18.0.11")->name, "");
	assert_int_equal(find(inv, "198.18.0.11")->namelen, 0);
	assert_int_equal(find(inv, "198.18.1.200")->prefix, 24);
	h = find(inv, "2001:db8::10");
	assert_non_null(h);
	assert_int_equal(h->ipver, 6);
	assert_int_equal(h->prefix, 128);
	assert_string_equal(h->name, "dir1");
	assert_int_equal(find(inv, "2001:db8:2:ffff::1")->nroles, 2);
	assert_int_equal(find(inv, "198.18.0.20")->line, 8);
	assert_null(find(inv, "198.18.0.12"));
	assert_null(find(inv, "2001:db8::11"));
	free(msgs);
	inventory_free(inv);
}

static void test_longest_prefix(void **state)
{
	/* Longest first in the file, so file order cannot be what decides. */
	static const char text[] =
		"198.19.0.10      front-end\n"
		"2001:db8:1::10   front-end\n"
		"198.19.0.0/16    director\n"
		"2001:db8:1::/48  director\n"
		"198.18.0.0/15    client\n"
		"2001:db8::/32    client\n"
		"0.0.0.0/0        phone\n";
	struct inventory *inv = inventory_new(&rs);
	char *msgs = NULL;

	(void)state;
	assert_int_equal(load(inv, "t.inv", text, &msgs), 0);
	expect_match(inv, "198.19.0.10", "198.19.0.10");
	expect_match(inv, "198.19.0.11", "198.19.0.0/16");
	expect_match(inv, "198.19.255.255", "198.19.0.0/16");
	expect_match(inv, "198.18.0.10", "198.18.0.0/15");
	expect_match(inv, "203.0.113.1", "0.0.0.0/0");
	expect_match(inv, "2001:db8:1::10", "2001:db8:1::10");
	expect_match(inv, "2001:db8:1::11", "2001:db8:1::/48");
	expect_match(inv, "2001:db8:2::10", "2001:db8::/32");
	expect_match(inv, "2001:db9::1", "");   /* 0.0.0.0/0 is IPv4 only */
	assert_int_equal(find(inv, "198.19.0.10")->roles[0], role("front-end"));
	assert_int_equal(find(inv, "198.19.0.9")->roles[0], role("director"));
	free(msgs);
	inventory_free(inv);
}

/* An IPv4 lookup ignores bytes 4..15 of the address. */
static void test_lookup_ipv4_tail(void **state)
{
	struct inventory *inv = inventory_new(&rs);
	uint8_t a[16] = { 198, 18, 0, 1, 0xff, 0xff };
	char *msgs = NULL;

	(void)state;
	assert_int_equal(load(inv, "t.inv", "198.18.0.1 client\n", &msgs), 0);
	assert_non_null(inventory_lookup(inv, 4, a));
	free(msgs);
	inventory_free(inv);
}

/* The memo answers as the lookup does, for addresses found and not, in
 * both families, over more addresses than it has slots (so slots are
 * reused), asked twice; cleared, it answers for another inventory. */
static void test_lookup_cached(void **state)
{
	static struct inv_cache ic;
	struct inventory *inv = inventory_new(&rs), *inv2 = inventory_new(&rs);
	char *msgs = NULL, *msgs2 = NULL;

	(void)state;
	assert_int_equal(load(inv, "t.inv", "198.19.0.10 front-end\n"
			      "198.19.0.0/24 director\n2001:db8::/32 client\n",
			      &msgs), 0);
	assert_int_equal(load(inv2, "u.inv", "198.19.0.7 edge\n", &msgs2), 0);
	inventory_cache_clear(&ic);
	for (int round = 0; round < 2; round++)
		for (unsigned i = 0; i < 4 * INV_CACHE_SLOTS; i++) {
			uint8_t a[16] = { 198, 19, (uint8_t)(i >> 8), (uint8_t)i };
			uint8_t b[16] = { 0x20, 0x01, 0x0d, (uint8_t)(0xb8 + (i & 1)),
					  [15] = (uint8_t)i };

			assert_ptr_equal(inventory_lookup_cached(inv, &ic, 4, a),
					 inventory_lookup(inv, 4, a));
			assert_ptr_equal(inventory_lookup_cached(inv, &ic, 6, b),
					 inventory_lookup(inv, 6, b));
			assert_ptr_equal(inventory_lookup_cached(inv, NULL, 4, a),
					 inventory_lookup(inv, 4, a));
		}
	inventory_cache_clear(&ic);
	for (unsigned i = 0; i < 16; i++) {
		uint8_t a[16] = { 198, 19, 0, (uint8_t)i };

		assert_ptr_equal(inventory_lookup_cached(inv2, &ic, 4, a),
				 inventory_lookup(inv2, 4, a));
	}
	free(msgs);
	free(msgs2);
	inventory_free(inv);
	inventory_free(inv2);
}

/* ------------------------------------------------------------ errors */

static void test_error_address(void **state)
{
	(void)state;
	expect_errors("198.18.0.256 client\n", 1,
		      "t.inv:1: bad address '198.18.0.256' (want an IPv4 or IPv6 "
		      "address)\n");
	expect_errors("\nfe1 front-end\n", 1,
		      "t.inv:2: bad address 'fe1' (want an IPv4 or IPv6 address)\n");
	expect_errors("2001:db8::1::2 client\n", 1,
		      "t.inv:1: bad address '2001:db8::1::2' (want an IPv4 or "
		      "IPv6 address)\n");
}

static void test_error_prefix(void **state)
{
	(void)state;
	expect_errors("198.18.0.0/33 client\n", 1,
		      "t.inv:1: bad prefix length '/33' (want 0-32)\n");
	expect_errors("2001:db8::/129 client\n", 1,
		      "t.inv:1: bad prefix length '/129' (want 0-128)\n");
	expect_errors("198.18.0.0/x client\n", 1,
		      "t.inv:1: bad prefix length '/x' (want 0-32)\n");
	expect_errors("198.18.0.0/ client\n", 1,
		      "t.inv:1: bad prefix length '/' (want 0-32)\n");
	expect_errors("198.18.0.0/-1 client\n", 1,
		      "t.inv:1: bad prefix length '/-1' (want 0-32)\n");
}

static void test_error_host_bits(void **state)
{
	(void)state;
	expect_errors("198.18.0.1/24 client\n", 1,
		      "t.inv:1: host bits set in '198.18.0.1/24' (the network "
		      "is 198.18.0.0/24)\n");
	expect_errors("2001:db8::1/64 client\n", 1,
		      "t.inv:1: host bits set in '2001:db8::1/64' (the network "
		      "is 2001:db8::/64)\n");
	expect_errors("198.19.0.0/15 client\n", 1,
		      "t.inv:1: host bits set in '198.19.0.0/15' (the network "
		      "is 198.18.0.0/15)\n");
}

/* A two-role ruleset, so that the list of known keys is short. */
static void test_error_unknown_role(void **state)
{
	static const char roles[] =
		"[role front-end]\nname.en = a\nname.ja = a\n"
		"[role client]\nname.en = b\nname.ja = b\n";
	struct ruleset small;
	struct inventory *inv;
	char *msgs = NULL;

	(void)state;
	ruleset_init(&small);
	assert_int_equal(rules_load_buffer(&small, "s.rules", roles,
					   strlen(roles), stderr), 0);
	inv = inventory_new(&small);
	assert_int_equal(load(inv, "t.inv", "198.18.0.1 client,frontend x\n",
			      &msgs), 1);
	assert_string_equal(msgs, "t.inv:1: unknown role 'frontend' (known: "
			    "front-end, client)\n");
	assert_int_equal(inventory_count(inv), 0);
	free(msgs);
	inventory_free(inv);
	ruleset_free(&small);
}

static void test_error_roles(void **state)
{
	(void)state;
	expect_errors("198.18.0.1\n", 1,
		      "t.inv:1: missing role (want ADDRESS[/PREFIX] "
		      "ROLE[,ROLE...] [NAME])\n");
	expect_errors("198.18.0.1   # front-end\n", 1,
		      "t.inv:1: missing role (want ADDRESS[/PREFIX] "
		      "ROLE[,ROLE...] [NAME])\n");
	expect_errors("198.18.0.1 front-end, cms\n", 1,
		      "t.inv:1: empty role in 'front-end,' (separate roles with "
		      "',' and no blanks)\n");
	expect_errors("198.18.0.1 front-end,,cms\n", 1,
		      "t.inv:1: empty role in 'front-end,,cms' (separate roles "
		      "with ',' and no blanks)\n");
	expect_errors("198.18.0.1 cms,cms\n", 1,
		      "t.inv:1: role 'cms' given twice\n");
	expect_errors("198.18.0.1 client,phone,edge,cms,director,mediation,"
		      "front-end,front-end-lb,director-lb\n", 1,
		      "t.inv:1: more than 8 roles\n");
	expect_errors("198.18.0.1 front-end fe1 pool\n", 1,
		      "t.inv:1: unexpected 'pool' after the name (a name is one "
		      "word; want ADDRESS[/PREFIX] ROLE[,ROLE...] [NAME])\n");
}

static void test_error_duplicate(void **state)
{
	(void)state;
	expect_errors("198.18.0.1 front-end\n"
		      "198.18.0.0/24 client\n"
		      "198.18.0.1/32 director\n"
		      "2001:db8::/32 client\n"
		      "2001:0db8:0::/32 client\n"
		      "198.18.0.1 cms\n", 3,
		      "t.inv:3: duplicate entry 198.18.0.1 (first at t.inv:1)\n"
		      "t.inv:5: duplicate entry 2001:db8::/32 (first at t.inv:4)\n"
		      "t.inv:6: duplicate entry 198.18.0.1 (first at t.inv:1)\n");
}

/* Every problem of a file is reported, in line order, duplicates last. */
static void test_all_errors(void **state)
{
	(void)state;
	expect_errors("198.18.0.1 front-end\n"
		      "198.18.0.1 front-end\n"
		      "198.18.0.300 client\n"
		      "198.18.0.0/40 phone\n"
		      "198.18.0.5\n", 4,
		      "t.inv:3: bad address '198.18.0.300' (want an IPv4 or IPv6 "
		      "address)\n"
		      "t.inv:4: bad prefix length '/40' (want 0-32)\n"
		      "t.inv:5: missing role (want ADDRESS[/PREFIX] "
		      "ROLE[,ROLE...] [NAME])\n"
		      "t.inv:2: duplicate entry 198.18.0.1 (first at t.inv:1)\n");
}

static void test_error_nul(void **state)
{
	struct inventory *inv = inventory_new(&rs);
	static const char text[] = "198.18.0.1 client\n198.18.0.2 cl\0ient\n";
	size_t len = 0;
	char *msgs = NULL;
	FILE *f = open_memstream(&msgs, &len);

	(void)state;
	assert_int_equal(inventory_load_buffer(inv, "t.inv", text,
					       sizeof(text) - 1, f), 1);
	fclose(f);
	assert_string_equal(msgs, "t.inv:2: NUL byte in line\n");
	assert_int_equal(inventory_count(inv), 0);
	free(msgs);
	inventory_free(inv);
}

/* A bad second file leaves the first as it was; a duplicate across files
 * names the first file. */
static void test_rollback_and_cross_file(void **state)
{
	struct inventory *inv = inventory_new(&rs);
	char *msgs = NULL;

	(void)state;
	assert_int_equal(load(inv, "a.inv", "# a\n198.18.0.1 front-end\n"
			      "198.18.0.0/24 client\n", &msgs), 0);
	free(msgs);
	assert_int_equal(load(inv, "b.inv", "198.18.1.0/24 phone\n"
			      "198.18.0.1 director\n", &msgs), 1);
	assert_string_equal(msgs, "b.inv:2: duplicate entry 198.18.0.1 (first "
			    "at a.inv:2)\n");
	free(msgs);
	assert_int_equal(inventory_count(inv), 2);
	assert_null(find(inv, "198.18.1.1"));
	assert_int_equal(find(inv, "198.18.0.1")->roles[0], role("front-end"));
	expect_match(inv, "198.18.0.7", "198.18.0.0/24");
	assert_int_equal(load(inv, "c.inv", "198.18.1.0/24 phone\n", &msgs), 0);
	free(msgs);
	assert_int_equal(inventory_count(inv), 3);
	expect_match(inv, "198.18.1.1", "198.18.1.0/24");
	assert_string_equal(find(inv, "198.18.1.1")->file, "c.inv");
	assert_int_equal(find(inv, "198.18.1.1")->seq, 2);
	inventory_free(inv);
}

static void test_load_file(void **state)
{
	char path[] = "/tmp/test_inventory_XXXXXX";
	int fd = mkstemp(path);
	FILE *f = fdopen(fd, "w");
	struct inventory *inv = inventory_new(&rs);
	size_t len = 0;
	char *msgs = NULL;
	FILE *errs = open_memstream(&msgs, &len);

	(void)state;
	fputs("\xef\xbb\xbf" "198.18.0.1 front-end fe1\n", f);
	fclose(f);
	assert_int_equal(inventory_load_file(inv, path, errs), 0);
	assert_int_equal(inventory_load_file(inv, "/nonexistent/x.inv", errs), 1);
	fclose(errs);
	unlink(path);
	assert_string_equal(find(inv, "198.18.0.1")->name, "fe1");
	assert_non_null(strstr(msgs, "/nonexistent/x.inv: cannot open"));
	free(msgs);
	inventory_free(inv);
}

/* ------------------------------------------------------------ roles */

static void test_implied_roles(void **state)
{
	struct inventory *inv = inventory_new(&rs);
	const struct inv_host *h;
	char *msgs = NULL;

	(void)state;
	assert_int_equal(load(inv, "t.inv", "198.18.0.10 front-end-mediation\n"
			      "198.18.0.11 cms\n", &msgs), 0);
	h = find(inv, "198.18.0.10");
	assert_true(inventory_host_has_role(&rs, h, role("front-end-mediation")));
	assert_true(inventory_host_has_role(&rs, h, role("front-end")));
	assert_true(inventory_host_has_role(&rs, h, role("all-servers")));
	assert_false(inventory_host_has_role(&rs, h, role("mediation")));
	assert_false(inventory_host_has_role(&rs, h, role("director")));
	h = find(inv, "198.18.0.11");
	assert_true(inventory_host_has_role(&rs, h, role("front-end")));
	assert_false(inventory_host_has_role(&rs, h, role("front-end-mediation")));
	free(msgs);
	inventory_free(inv);
}

static void test_server_scope(void **state)
{
	static const char *const servers[] = {
		"all-servers", "front-end", "front-end-mediation", "cms",
		"director", "mediation", "persistent-chat", "office-web-apps",
		"front-end-lb", "director-lb", "mediation-lb",
	};
	static const char *const others[] = {
		"pstn-gateway", "edge", "reverse-proxy", "client", "phone", "unknown",
	};
	struct inventory *inv = inventory_new(&rs);
	char *msgs = NULL;

	(void)state;
	for (size_t i = 0; i < sizeof(servers) / sizeof(servers[0]); i++)
		if (!inventory_role_is_server(inv, role(servers[i])))
			fail_msg("%s should be a server role", servers[i]);
	for (size_t i = 0; i < sizeof(others) / sizeof(others[0]); i++)
		if (inventory_role_is_server(inv, role(others[i])))
			fail_msg("%s should not be a server role", others[i]);
	assert_false(inventory_role_is_server(inv, -1));
	assert_int_equal(load(inv, "t.inv", "198.18.0.1 client,front-end-lb\n"
			      "198.18.0.2 client,phone\n", &msgs), 0);
	assert_true(inventory_host_is_server(inv, find(inv, "198.18.0.1")));
	assert_false(inventory_host_is_server(inv, find(inv, "198.18.0.2")));
	free(msgs);
	inventory_free(inv);
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_valid),
		cmocka_unit_test(test_longest_prefix),
		cmocka_unit_test(test_lookup_ipv4_tail),
		cmocka_unit_test(test_lookup_cached),
		cmocka_unit_test(test_error_address),
		cmocka_unit_test(test_error_prefix),
		cmocka_unit_test(test_error_host_bits),
		cmocka_unit_test(test_error_unknown_role),
		cmocka_unit_test(test_error_roles),
		cmocka_unit_test(test_error_duplicate),
		cmocka_unit_test(test_all_errors),
		cmocka_unit_test(test_error_nul),
		cmocka_unit_test(test_rollback_and_cross_file),
		cmocka_unit_test(test_load_file),
		cmocka_unit_test(test_implied_roles),
		cmocka_unit_test(test_server_scope),
	};

	if (argc > 1)
		top = argv[1];
	return cmocka_run_group_tests(tests, load_rules, free_rules);
}
