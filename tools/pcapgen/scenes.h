/* scenes.h: the scenes of pcapgen, one file each (main.c dispatches).
 * Each returns the exit status; errors are fatal (build.h). */
#ifndef LW_PCAPGEN_SCENES_H
#define LW_PCAPGEN_SCENES_H

int scene_demo(const char *pcap_path, const char *inv_path);
int scene_rows(const char *rules_path, const char *pcap_path);
int scene_linktypes(const char *dir);
int scene_flags(const char *pcap_path, const char *inv_path);
/* argv: OUT.pcap [PACKETS [FLOWS [WINDOW [GAP_US [PREFILL]]]]] */
int scene_bench(int argc, char **argv);
/* argv: OUT.pcap [N] */
int scene_flood(int argc, char **argv);
int scene_jumbo(int argc, char **argv);
int scene_marks(int argc, char **argv);
/* argv: OUT.pcap OUT.inventory OUT.answers [FLOWS] */
int scene_deploy(int argc, char **argv);

#endif
