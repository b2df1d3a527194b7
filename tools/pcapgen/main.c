/* main.c: pcapgen, the writer of the deterministic test captures of
 * pcaps/ and of the bench: one scene per file of tools/pcapgen/, on the
 * builder of build.h.
 *
 *   pcapgen demo OUT.pcap [OUT.inventory]  the demo scene (+ its hosts)
 *   pcapgen rows RULES_FILE OUT.pcap       one flow per rule port and L4
 *   pcapgen linktypes OUTDIR               one exchange per link type
 *   pcapgen flags OUT.pcap [OUT.inventory] each audit flag raised and not
 *   pcapgen bench OUT.pcap [PACKETS [FLOWS [WINDOW [GAP_US [PREFILL]]]]]
 *                                          a large Lync-like mix (bench/)
 *   pcapgen flood OUT.pcap [N]             N packets, N distinct 5-tuples
 *   pcapgen jumbo OUT.pcap [N]             N datagrams of up to 60,000 bytes
 *   pcapgen marks OUT.pcap [N]             N media flows ended by a sweep
 *                                          right after their servers' marks
 *   pcapgen deploy OUT.pcap OUT.inventory OUT.answers [FLOWS]
 *                                          a deployment, known answers
 *
 * Every address is in 198.18.0.0/15 or 2001:db8::/32 and every MAC is
 * locally administered (02:00:...).  Any error exits with status 2.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "scenes.h"

static void usage(void)
{
	fputs("usage: pcapgen demo OUT.pcap [OUT.inventory]\n"
	      "       pcapgen rows RULES_FILE OUT.pcap\n"
	      "       pcapgen linktypes OUTDIR\n"
	      "       pcapgen flags OUT.pcap [OUT.inventory]\n"
	      "       pcapgen bench OUT.pcap [PACKETS [FLOWS [WINDOW [GAP_US "
	      "[PREFILL]]]]]\n"
	      "       pcapgen flood OUT.pcap [N]\n"
	      "       pcapgen jumbo OUT.pcap [N]\n"
	      "       pcapgen marks OUT.pcap [N]\n"
	      "       pcapgen deploy OUT.pcap OUT.inventory OUT.answers "
	      "[FLOWS]\n", stderr);
	exit(2);
}

int main(int argc, char **argv)
{
	if (argc >= 3 && argc <= 4 && strcmp(argv[1], "demo") == 0)
		return scene_demo(argv[2], argc == 4 ? argv[3] : NULL);
	if (argc == 4 && strcmp(argv[1], "rows") == 0)
		return scene_rows(argv[2], argv[3]);
	if (argc == 3 && strcmp(argv[1], "linktypes") == 0)
		return scene_linktypes(argv[2]);
	if (argc >= 3 && argc <= 4 && strcmp(argv[1], "flags") == 0)
		return scene_flags(argv[2], argc == 4 ? argv[3] : NULL);
	if (argc >= 3 && argc <= 8 && strcmp(argv[1], "bench") == 0)
		return scene_bench(argc - 2, argv + 2);
	if (argc >= 3 && argc <= 4 && strcmp(argv[1], "flood") == 0)
		return scene_flood(argc - 2, argv + 2);
	if (argc >= 3 && argc <= 4 && strcmp(argv[1], "jumbo") == 0)
		return scene_jumbo(argc - 2, argv + 2);
	if (argc >= 3 && argc <= 4 && strcmp(argv[1], "marks") == 0)
		return scene_marks(argc - 2, argv + 2);
	if (argc >= 5 && argc <= 6 && strcmp(argv[1], "deploy") == 0)
		return scene_deploy(argc - 2, argv + 2);
	usage();
}
