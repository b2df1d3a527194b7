/* fuzz_inventory.c: the inventory parser and the longest-prefix lookup,
 * against the roles of classifiers/lync2013.rules (loaded once).
 *
 * The input is loaded as an inventory file, then once more as a second
 * file (every entry is then a duplicate, so the roll-back runs).  Checked:
 * a file with problems adds nothing; every entry is found by a lookup of
 * its own address, with a prefix at least as long; entries stay in lookup
 * order.
 */
#include <stdint.h>
#include <string.h>

#include "fuzz.h"
#include "classify/inventory.h"
#include "classify/rules.h"

static struct ruleset rs;
static int loaded;

static void check_hosts(const struct inventory *inv)
{
	size_t n = inventory_count(inv);
	char buf[80];

	for (size_t i = 0; i < n; i++) {
		const struct inv_host *h = inventory_host(inv, i);
		const struct inv_host *found;

		FUZZ_CHECK(h != NULL);
		FUZZ_CHECK(h->ipver == 4 || h->ipver == 6);
		FUZZ_CHECK(h->prefix >= 0 && h->prefix <= (h->ipver == 4 ? 32 : 128));
		FUZZ_CHECK(h->nroles >= 1 && h->nroles <= INV_MAX_ROLES);
		if (i > 0)
			FUZZ_CHECK(inventory_host(inv, i - 1)->ipver <= h->ipver);
		found = inventory_lookup(inv, h->ipver, h->addr);
		FUZZ_CHECK(found != NULL && found->prefix >= h->prefix);
		for (int r = 0; r < h->nroles; r++)
			FUZZ_CHECK(inventory_host_has_role(&rs, h, h->roles[r]));
		(void)inventory_host_is_server(inv, h);
		inventory_format(h, buf, sizeof(buf));
	}
	FUZZ_CHECK(inventory_host(inv, n) == NULL);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *buf = (const char *)data;
	struct inventory *inv;
	size_t n;

	if (!loaded) {
		fuzz_load_rules(&rs);
		loaded = 1;
	}
	inv = inventory_new(&rs);
	if (inv == NULL)
		return 0;
	if (inventory_load_buffer(inv, "fuzz.inv", buf, size, fuzz_devnull()) != 0)
		FUZZ_CHECK(inventory_count(inv) == 0);
	n = inventory_count(inv);
	if (inventory_load_buffer(inv, "again.inv", buf, size, fuzz_devnull()) != 0)
		FUZZ_CHECK(inventory_count(inv) == n);
	check_hosts(inv);
	inventory_free(inv);
	return 0;
}
