#!/usr/bin/env python3
"""check_allowlist.py ANSWERS ALLOW.csv RECORDS.json

The allow-list (--allow-list) of a capture whose answer is known
(tools/pcapgen deploy: one line per flow with the verdict, flags and row it
must get):

- each documented flow of the answers (a row named, verdict ok or a notice
  other than unexpected-app) is covered by exactly one row of the CSV
  (source network holds the client, destination is the server, same
  protocol, server port in the row's port or range), for at least MIN of
  them (lyncwatch's audit agrees with the answers to issue 13's 99%), and
  no flow is covered twice;
- no row without a flow: every row covers at least one flow of the
  capture, and its flow count is that of the documented flows of the
  records it covers (RECORDS.json, the same run) - exactly.
Prints the figures and each problem; exits 1 on any problem.
"""
import csv
import ipaddress
import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from check_report import expected_allow  # noqa: E402

MIN = 0.99


def covers(row, client, server, proto, port):
    lo, _, hi = row["port"].partition("-")
    return (ipaddress.ip_address(client) in ipaddress.ip_network(row["source"], strict=False)
            and row["destination"] == server and row["proto"] == proto
            and int(lo) <= port <= int(hi or lo))


def main():
    rows = list(csv.DictReader(open(sys.argv[2])))
    flows = [json.loads(l) for l in open(sys.argv[3])]
    flows = [f for f in flows if f["event_type"] == "flow"]
    index = {}
    for r in rows:
        index.setdefault((r["destination"], r["proto"]), []).append(r)
    bad, documented, once, used = [], 0, 0, set()
    for line in open(sys.argv[1]):
        if line.startswith("#"):
            continue
        c = line.rstrip("\n").split("\t")
        cip, sip, sport, proto, verdict, flags, rule = \
            c[0], c[2], int(c[3]), c[4], c[5], c[6], c[7]
        hits = [r for r in index.get((sip, proto), [])
                if covers(r, cip, sip, proto, sport)]
        for r in hits:
            used.add(id(r))
        if rule == "-" or verdict not in ("ok", "notice") or \
                "unexpected-app" in flags.split(","):
            continue
        documented += 1
        if len(hits) == 1:
            once += 1
        elif len(hits) > 1:
            bad.append("flow %s:%s covered by %d rows" % (sip, sport, len(hits)))
    for r in rows:
        if id(r) not in used:
            bad.append("row without a flow: %s" % ",".join(r.values()))
    got = sorted(((r["source"], r["destination"], r["proto"], r["port"],
                   r["rule"]), int(r["flows"])) for r in rows)
    if got != sorted(expected_allow(flows).items()):
        bad.append("the rows differ from the documented flows of the records")
    share = once / documented if documented else 0.0
    if share < MIN:
        bad.append("documented flows covered once: %.4f < %.2f" % (share, MIN))
    for b in bad[:20]:
        print("allow-list:", b)
    print("allow-list: %d rows; %d of %d documented flows of the answers "
          "covered by exactly one row (%.4f); %d problems" %
          (len(rows), once, documented, share, len(bad)))
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
