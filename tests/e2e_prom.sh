#!/bin/sh
# --prom-file: the stats in Prometheus' text format, parsed by a real
# parser (python3-prometheus-client's), each value equal to the JSON stats
# record of the same run; written whole (no PATH.tmp left behind).
. "$(dirname "$0")/lib.sh"
need_jq
# Debian's package is for Debian's python3 (another python3 may come first
# in PATH).
PY=
for p in python3 /usr/bin/python3; do
	if "$p" -c 'import prometheus_client.parser' 2>/dev/null; then PY=$p; break; fi
done
[ -n "$PY" ] || skip "python3-prometheus-client is not installed"

for cap in demo flags; do
	"$LW" -r "$PCAPS/$cap.pcap" --inventory "$PCAPS/$cap.inventory" \
		--json "$TMP/$cap.json" --prom-file "$TMP/$cap.prom" \
		> /dev/null 2> "$TMP/err" || { cat "$TMP/err"; fail "$cap: run"; }
	check "$cap: no PATH.tmp left" [ ! -e "$TMP/$cap.prom.tmp" ]
	tail -1 "$TMP/$cap.json" > "$TMP/$cap.stats"
	if "$PY" - "$TMP/$cap.prom" "$TMP/$cap.stats" <<'PY'
import json, sys
from prometheus_client.parser import text_string_to_metric_families

samples = {}
for fam in text_string_to_metric_families(open(sys.argv[1]).read()):
    for s in fam.samples:
        key = (s.name, tuple(sorted(s.labels.items())))
        assert key not in samples, key
        samples[key] = s.value
st = json.load(open(sys.argv[2]))["stats"]

def get(name, **labels):
    return samples[("lyncwatch_" + name, tuple(sorted(labels.items())))]

want = {("packets_total", ()): st["packets"],
        ("packets_bytes_total", ()): st["bytes"],
        ("input_errors_total", ()): st["input_errors"],
        ("flows_evicted_total", ()): st["flows"]["evicted"],
        ("flows_active_peak", ()): st["flows"]["peak_active"]}
bad = 0
for (n, _), v in want.items():
    if get(n) != v:
        print("FAIL:", n, get(n), "!=", v); bad += 1
for outcome, v in st["decode"].items():
    if get("decoded_packets_total", outcome=outcome.replace("_", "-")) != v:
        print("FAIL: decode", outcome); bad += 1
for verdict in ("ok", "notice", "violation", "unclassified"):
    if get("flows_total", verdict=verdict) != st["flows"][verdict]:
        print("FAIL: verdict", verdict); bad += 1
for flag, v in st["flags"].items():
    if get("flagged_flows_total", flag=flag.replace("_", "-")) != v:
        print("FAIL: flag", flag); bad += 1
rows = 0
for r in st["traffic"]:
    lab = dict(table=r["table"], role=r["role"], service=r["service"])
    if get("role_flows_total", **lab) != r["flows"] or \
       get("role_bytes_total", **lab) != r["bytes"]:
        print("FAIL: row", lab); bad += 1
    rows += 1
n = sum(1 for k in samples if k[0] == "lyncwatch_role_flows_total")
if n != rows or rows < 2:
    print("FAIL: rows", n, rows); bad += 1
if st["flows"]["total"] != sum(st["flows"][v] for v in
                               ("ok", "notice", "violation", "unclassified")):
    print("FAIL: verdicts do not add up"); bad += 1
sys.exit(1 if bad else 0)
PY
	then pass; else fail "$cap: the Prometheus file differs from the stats record"; fi
done

# Names follow the rules: lyncwatch_ prefix, snake_case, counters in _total.
check "names: prefix and snake_case" \
	sh -c "! grep -v '^#' '$TMP/demo.prom' | grep -qv '^lyncwatch_[a-z_]*[{ ]'"
check "counters end in _total" \
	sh -c "! grep '^# TYPE .* counter' '$TMP/demo.prom' | grep -qv '_total counter'"

# A path that may not be written is an error at the end, not a silent loss.
expect_fail "unwritable --prom-file" 2 "prom-file" \
	"$LW" -r "$PCAPS/demo.pcap" --prom-file "$TMP/none/x.prom"
finish
