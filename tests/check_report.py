#!/usr/bin/env python3
"""check_report.py DOM.html RECORDS.json RULES.json ALLOW.csv

Checks the counts of an audit report (--report), as a browser rendered it
(chromium --dump-dom), against the JSON records and the stats record of
the same run (--json), the loaded rules (--list-rules --json) and the
allow-list CSV (--allow-list): flows by verdict and by flag, packets,
every violation group, every allow-list row, every coverage row, every
unclassified (proto, port) row.  The page must have run its one line of
script (data-js="ok").  Prints each mismatch; exits 1 on any, 0 otherwise.
"""
import csv
import ipaddress
import json
import sys
from collections import Counter
from html.parser import HTMLParser


class Dom(HTMLParser):
    """Every element's data-* attributes, with its tag and class."""

    def __init__(self):
        super().__init__()
        self.els = []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if any(k.startswith("data-") for k in a):
            a["tag"] = tag
            self.els.append(a)


def by_class(dom, cls):
    return [e for e in dom.els if e.get("class") == cls]


def section(dom, ident):
    return next(e for e in dom.els if e.get("id") == ident)


def port_item(label, port):
    for item in label["port"].split(","):
        lo, _, hi = item.partition("-")
        lo, hi = int(lo), int(hi or lo)
        if lo <= port <= hi:
            return str(lo) if lo == hi else "%d-%d" % (lo, hi)
    return str(port)


def network(addr):
    ip = ipaddress.ip_address(addr)
    n = ipaddress.ip_network("%s/%d" % (addr, 24 if ip.version == 4 else 64),
                             strict=False)
    return "%s/%d" % (n.network_address, n.prefixlen)


def allowed(f):
    v = f["lync"]["verdict"]
    return f["lync"]["labels"] and (v == "ok" or (
        v == "notice" and "unexpected-app" not in f["lync"]["flags"]))


def expected_allow(flows):
    rows = Counter()
    for f in flows:
        if allowed(f):
            lab = f["lync"]["labels"][0]
            rows[(network(f["src_ip"]), f["dest_ip"], f["proto"],
                  port_item(lab, f["dest_port"]), lab["id"])] += 1
    return rows


def main():
    dom = Dom()
    dom.feed(open(sys.argv[1], encoding="utf-8").read())
    recs = [json.loads(l) for l in open(sys.argv[2])]
    rules = [json.loads(l) for l in open(sys.argv[3])]
    csvrows = list(csv.DictReader(open(sys.argv[4])))
    flows = [r for r in recs if r["event_type"] == "flow"]
    st = [r for r in recs if r["event_type"] == "stats"][-1]["stats"]
    bad = []

    def eq(what, got, want):
        if str(got) != str(want):
            bad.append("%s: page %s, want %s" % (what, got, want))

    body = next(e for e in dom.els if e["tag"] == "body")
    eq("script ran (data-js)", body.get("data-js"), "ok")
    eq("final page", body.get("data-final"), "1")
    eq("packets", next(e for e in dom.els if "data-packets" in e)["data-packets"],
       st["packets"])
    for e in dom.els:
        if "data-verdict" in e:
            v = e["data-verdict"]
            eq("flows " + v, e["data-flows"],
               st["flows"]["total" if v == "total" else v])
        if e.get("tag") == "tr" and "data-flag" in e and e.get("class") != "viol":
            eq("flag " + e["data-flag"], e["data-flows"],
               st["flags"][e["data-flag"].replace("-", "_")])

    viol = [(e["data-flag"], e["data-server"], e["data-port"], e["data-proto"],
             e["data-flows"], e["data-pkts"]) for e in by_class(dom, "viol")]
    want = [(v["flag"], v["dest_ip"], str(v["dest_port"]), v["proto"],
             str(v["flows"]), str(v["pkts"])) for v in st["violations"]]
    eq("violation groups", viol, want)
    eq("violation groups (count)", section(dom, "violations")["data-groups"], len(want))

    rows = Counter()
    for e in by_class(dom, "allow"):
        rows[(e["data-src"], e["data-dst"], e["data-proto"], e["data-port"],
              e["data-rule"])] += int(e["data-flows"])
    eq("allow-list rows (page)", sorted(rows.items()),
       sorted(expected_allow(flows).items()))
    eq("allow-list rows (count)", section(dom, "allow")["data-rows"], len(csvrows))
    eq("allow-list rows (CSV)", sorted(rows.items()), sorted(
        ((r["source"], r["destination"], r["proto"], r["port"], r["rule"]),
         int(r["flows"])) for r in csvrows))

    labelled = Counter(l["id"] for f in flows for l in f["lync"]["labels"])
    cov = {e["data-rule"]: e["data-flows"] for e in by_class(dom, "cov")}
    eq("coverage rows", sorted(cov), sorted(r["id"] for r in rules))
    eq("coverage rows (count)", section(dom, "coverage")["data-rows"], len(rules))
    for r in rules:
        eq("coverage " + r["id"], cov.get(r["id"]), labelled.get(r["id"], 0))

    unc = Counter((f["proto"], str(f["dest_port"])) for f in flows
                  if not f["lync"]["labels"])
    page = {(e["data-proto"], e["data-port"]): int(e["data-flows"])
            for e in by_class(dom, "unc")}
    eq("unclassified rows", sorted(page.items()), sorted(unc.items()))
    # the first "-" row is the flows no rule labels, in either language
    norule = [t for t in st["traffic"] if t["table"] == "-"]
    eq("unclassified flows", section(dom, "unclassified")["data-flows"],
       norule[0]["flows"] if norule else 0)

    for b in bad:
        print("report:", b)
    print("report: %d checks failed; %d violation groups, %d allow-list rows, "
          "%d coverage rows, %d unclassified rows" %
          (len(bad), len(viol), len(rows), len(cov), len(page)))
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
