/* rules_lang.c: the words of the rule-file language and their printing
 * (table names and titles in each language, app and status names). */
#include <string.h>

#include "classify/rules_lang.h"

const char *const rules_text_key[TEXT_N] = {
	"role", "service", "protocol", "note"
};
const char *const rules_lang_suffix[LANG_N] = { "en", "ja" };

const char *const rules_table_names[TABLE_N] = {
	"server", "hlb", "dnslb", "client"
};
static const char *const table_titles[TABLE_N][LANG_N] = {
	{ "Required Server Ports (by Server Role)",
	  "必要なサーバー ポート (サーバー役割別)" },
	{ "Hardware Load Balancer Ports if Using Only Hardware Load Balancing",
	  "ハードウェア負荷分散のみを使用する場合のハードウェア ロード バランサー" },
	{ "Hardware Load Balancer Ports if Using DNS Load Balancing",
	  "DNS 負荷分散を使用する場合のハードウェア ロード バランサー" },
	{ "Required Client Ports", "必要なクライアント ポート" },
};
const char *const rules_app_names[APP_N] = {
	"unspecified", "tls", "http", "sip", "stun", "dcerpc", "smb", "dhcp",
	"sql-browser", "media"
};
const char *const rules_status_names[STATUS_N] = {
	"required", "optional", "legacy"
};

int rules_word_index(const char *const *names, int n, const char *v)
{
	for (int i = 0; i < n; i++)
		if (strcmp(names[i], v) == 0)
			return i;
	return -1;
}

const char *rule_table_name(enum rule_table t)
{
	return (unsigned)t < TABLE_N ? rules_table_names[t] : "?";
}

const char *rule_table_title(enum rule_table t, enum lang lang)
{
	return (unsigned)t < TABLE_N && (unsigned)lang < LANG_N ?
	       table_titles[t][lang] : "?";
}

const char *rule_app_name(enum rule_app a)
{
	return (unsigned)a < APP_N ? rules_app_names[a] : "?";
}

const char *rule_status_name(enum rule_status s)
{
	return (unsigned)s < STATUS_N ? rules_status_names[s] : "?";
}

const char *rule_l4_name(uint8_t l4bits)
{
	switch (l4bits & (RULE_L4_TCP | RULE_L4_UDP)) {
	case RULE_L4_TCP: return "tcp";
	case RULE_L4_UDP: return "udp";
	case RULE_L4_TCP | RULE_L4_UDP: return "tcp/udp";
	default: return "none";
	}
}
