#!/usr/bin/env python3
"""score_deploy.py: scores lyncwatch's JSON records against the known
answers of a `pcapgen deploy` capture (the figures issue 13 is judged by).

    score_deploy.py ANSWERS RECORDS.json [--check] [--list N]

ANSWERS: the answers file of `pcapgen deploy` (one flow per line, tab-
separated: client_ip client_port server_ip server_port proto verdict
flags rule class).  RECORDS.json: `lyncwatch --json` output for the same
capture, with the scene's inventory.  Flows are matched by 5-tuple, either
way round.  Prints:

  violation precision  violations that the answers expect, with every
                       expected flag, over every violation record;
  violation recall     the same over every expected violation;
  unverified           records flagged `unverified` among the flows the
                       answers document (rule other than -; every flow of
                       the scene carries payload);
  server side          records whose dest_ip/dest_port is the answer's
                       server, over all flows and over peer-to-peer UDP
                       media (class media-p2p);
  intended row         flows whose answer names a row and whose record
                       carries that row among its labels;
  verdict              records with the expected verdict;
  non-Lync as Lync     flows the answers give no row (ordinary traffic)
                       whose record has a label supported by more than
                       the port (labels' "support" other than "port";
                       only when records carry it);
then the mismatches (the first N, 20 by default) and a count of them by
class.  With --check, exits 1 when a figure is below the thresholds of
issue 13 (precision and recall >= 0.99, unverified <= 1%, server side
>= 99.9%, peer-to-peer >= 99%, intended row >= 99%) or when fewer than
99% of the verdicts are the answers' (which also holds the scene to its
answers: media whose RTP clock did not follow the capture's read as
poor, jitter 90 ms and more), and 2 on bad input.
Flags are compared for violations only (every expected flag must be in
the record); a notice's flags are free (issue 13 leaves the name of the
catch-all notice open).  Only the standard library is used.
"""
import json
import sys
from collections import Counter

THRESHOLDS = [
    # (name, key, minimum or None, maximum or None)
    ("violation precision", "precision", 0.99, None),
    ("violation recall", "recall", 0.99, None),
    ("unverified share", "unverified", None, 0.01),
    ("server side", "server", 0.999, None),
    ("server side p2p", "p2p", 0.99, None),
    ("intended row", "row", 0.99, None),
    ("verdict", "verdict", 0.99, None),
]


def die(msg):
    sys.stderr.write("score_deploy: %s\n" % msg)
    sys.exit(2)


def key(proto, a_ip, a_port, b_ip, b_port):
    ends = sorted([(a_ip, int(a_port)), (b_ip, int(b_port))])
    return (proto.upper(), ends[0], ends[1])


def read_answers(path):
    answers = {}
    with open(path, encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            if line.startswith("#") or not line.strip():
                continue
            c = line.rstrip("\n").split("\t")
            if len(c) != 9:
                die("%s:%d: %d columns, want 9" % (path, n, len(c)))
            a = {"client": (c[0], int(c[1])), "server": (c[2], int(c[3])),
                 "proto": c[4], "verdict": c[5],
                 "flags": [] if c[6] == "-" else c[6].split(","),
                 "rule": c[7], "cls": c[8], "line": n}
            k = key(c[4], c[0], c[1], c[2], c[3])
            if k in answers:
                die("%s:%d: the 5-tuple of line %d again" %
                    (path, n, answers[k]["line"]))
            answers[k] = a
    return answers


def read_records(path):
    recs, dup = {}, 0
    with open(path, encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            try:
                r = json.loads(line)
            except ValueError:
                die("%s:%d: not JSON" % (path, n))
            if r.get("event_type") != "flow":
                continue
            k = key(r["proto"], r["src_ip"], r["src_port"], r["dest_ip"],
                    r["dest_port"])
            if k in recs:
                dup += 1
                continue
            recs[k] = r
    return recs, dup


def ratio(a, b):
    return a / b if b else 1.0


def judge(a, r):
    """The ways record r differs from answer a (a list of words)."""
    ly = r.get("lync", {})
    flags = ly.get("flags", [])
    ids = [lab.get("id") for lab in ly.get("labels", [])]
    bad = []
    if ly.get("verdict") != a["verdict"]:
        bad.append("verdict")
    elif a["verdict"] == "violation" and not set(a["flags"]) <= set(flags):
        bad.append("flags")
    if (r["dest_ip"], r["dest_port"]) != a["server"]:
        bad.append("server")
    if a["rule"] != "-" and a["rule"] not in ids:
        bad.append("row")
    return bad


def score(answers, recs):
    s = Counter()
    mism = []
    for k, a in answers.items():
        r = recs.get(k)
        if r is None:
            s["missing"] += 1
            mism.append((a, None, ["missing"]))
            continue
        ly = r.get("lync", {})
        flags = ly.get("flags", [])
        got_v = ly.get("verdict") == "violation"
        want_v = a["verdict"] == "violation"
        s["flows"] += 1
        s["want_v"] += want_v
        s["got_v"] += got_v
        if got_v and want_v and set(a["flags"]) <= set(flags):
            s["tp"] += 1
        if a["rule"] != "-":
            s["documented"] += 1
            s["unverified"] += "unverified" in flags
            s["row_total"] += 1
        if a["cls"] == "media-p2p":
            s["p2p_total"] += 1
        labels = ly.get("labels", [])
        if any("support" in lab for lab in labels):
            s["support_seen"] += 1
        if a["rule"] == "-" and any(lab.get("support", "port") != "port"
                                    for lab in labels):
            s["nonlync_as_lync"] += 1
        bad = judge(a, r)
        s["verdict_ok"] += "verdict" not in bad
        s["server_ok"] += "server" not in bad
        s["row_ok"] += a["rule"] != "-" and "row" not in bad
        s["p2p_ok"] += a["cls"] == "media-p2p" and "server" not in bad
        if bad:
            mism.append((a, r, bad))
    extra = [r for k, r in recs.items() if k not in answers]
    s["extra"] = len(extra)
    s["got_v"] += sum(1 for r in extra
                      if r.get("lync", {}).get("verdict") == "violation")
    fig = {
        "precision": ratio(s["tp"], s["got_v"]),
        "recall": ratio(s["tp"], s["want_v"]),
        "unverified": ratio(s["unverified"], s["documented"]),
        "server": ratio(s["server_ok"], s["flows"]),
        "p2p": ratio(s["p2p_ok"], s["p2p_total"]),
        "row": ratio(s["row_ok"], s["row_total"]),
        "verdict": ratio(s["verdict_ok"], s["flows"]),
    }
    return s, fig, mism


def show(a, r, bad):
    want = "%s %s %s" % (a["verdict"], ",".join(a["flags"]) or "-",
                         a["rule"])
    if r is None:
        got = "(no record)"
    else:
        ly = r.get("lync", {})
        got = "%s %s %s side=%s:%s (%s) | %s" % (
            ly.get("verdict"), ",".join(ly.get("flags", [])) or "-",
            ",".join(lab.get("id", "?") for lab in ly.get("labels", []))
            or "-", r["dest_ip"], r["dest_port"], r.get("app_proto"),
            ly.get("reason", ""))
    return "  %s %s:%d > %s:%d %s [%s]: want %s; got %s" % (
        a["cls"], a["client"][0], a["client"][1], a["server"][0],
        a["server"][1], a["proto"], ",".join(bad), want, got)


def main(argv):
    check, nlist, args = False, 20, []
    it = iter(argv[1:])
    for x in it:
        if x == "--check":
            check = True
        elif x == "--list":
            nlist = int(next(it, "20"))
        else:
            args.append(x)
    if len(args) != 2:
        die("usage: score_deploy.py ANSWERS RECORDS.json [--check] "
            "[--list N]")
    answers = read_answers(args[0])
    recs, dup = read_records(args[1])
    s, fig, mism = score(answers, recs)
    print("flows: %d answers, %d records matched, %d missing, %d extra, "
          "%d repeated 5-tuples" % (len(answers), s["flows"], s["missing"],
                                    s["extra"], dup))
    print("violation precision: %.4f (%d of %d violation records)" %
          (fig["precision"], s["tp"], s["got_v"]))
    print("violation recall:    %.4f (%d of %d expected violations)" %
          (fig["recall"], s["tp"], s["want_v"]))
    print("unverified:          %.4f (%d of %d documented flows)" %
          (fig["unverified"], s["unverified"], s["documented"]))
    print("server side:         %.4f (%d of %d)" %
          (fig["server"], s["server_ok"], s["flows"]))
    print("server side p2p UDP: %.4f (%d of %d)" %
          (fig["p2p"], s["p2p_ok"], s["p2p_total"]))
    print("intended row:        %.4f (%d of %d)" %
          (fig["row"], s["row_ok"], s["row_total"]))
    print("verdict:             %.4f (%d of %d)" %
          (fig["verdict"], s["verdict_ok"], s["flows"]))
    if s["support_seen"]:
        print("non-Lync as Lync:    %d of %d flows without a row" %
              (s["nonlync_as_lync"], s["flows"] - s["row_total"]))
    else:
        print("non-Lync as Lync:    (records carry no label support)")
    if mism:
        print("mismatches: %d (first %d):" % (len(mism), min(nlist,
                                                             len(mism))))
        for m in mism[:nlist]:
            print(show(*m))
        by = Counter((a["cls"], ",".join(bad)) for a, _, bad in mism)
        print("mismatches by class:")
        for (cls, bad), n in sorted(by.items(), key=lambda x: -x[1]):
            print("  %6d  %s [%s]" % (n, cls, bad))
    failed = []
    for name, k, lo, hi in THRESHOLDS:
        if (lo is not None and fig[k] < lo) or \
           (hi is not None and fig[k] > hi):
            failed.append("%s %.4f" % (name, fig[k]))
    if s["missing"] or s["extra"]:
        failed.append("%d flows missing, %d extra" % (s["missing"],
                                                      s["extra"]))
    if failed:
        print("below the thresholds: " + "; ".join(failed))
    return 1 if check and failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
