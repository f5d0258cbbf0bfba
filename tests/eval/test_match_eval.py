#!/usr/bin/env python3
"""
test_match_eval.py - the matching engine's recall and false alarms on a small labelled test
set, so that a regression in lib/match shows up in `make check` (the full evaluation is
`make bench`, bench/README.md).

bench/match/gen.py writes a 3,000-entry alert list and 600 labelled travellers (fixed seed);
bench/match_bench (env MATCH_BENCH) screens them through the C API at MATCH_DEFAULT_THRESHOLD;
bench/match/eval.py's metrics() counts. The bounds are well under what the engine reaches (see
BOUNDS): they catch a kind of variant that stops matching or a flood of false alarms, not a
point of noise. Output is TAP.
"""

import hashlib
import json
import os
import subprocess
import sys
import tempfile

ROOT = os.environ.get("MMIS_SOURCE_ROOT") or os.path.dirname(os.path.dirname(
    os.path.dirname(os.path.abspath(__file__))))
sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, os.path.join(ROOT, "bench", "match"))
import eval as ev  # noqa: E402
import gen  # noqa: E402

MATCH_BENCH = os.environ.get("MATCH_BENCH", "")
ENTRIES, QUERIES, SEED = 3000, 600, 11

# Lowest recall per kind of variant and highest false alarms per 1,000 non-listed travellers at
# the default threshold, well under / over what the engine reaches on this set (engine of
# 2026-11-28 after the scoring change of birth dates and common names, in the comments).
MIN_RECALL = {
    "exact": 0.94,       # 100%
    "script": 0.60,      # 91.7%
    "translit": 0.75,    # 97.2%
    "diacritics": 0.85,  # 100%
    "order": 0.90,       # 100%
    "typo": 0.75,        # 97.2%
    "missing": 0.70,     # 94.4%
    "joined": 0.80,      # 100%
}
MAX_ALARMS = {
    "neg_given": 150.0,    # 0.0
    "neg_surname": 200.0,  # 0.0
    "neg_dob": 150.0,      # 55.6 (944.4 at 0.80 before birth dates years apart cost 0.30)
    "neg_random": 80.0,    # 0.0
}
MIN_PRECISION = 0.65       # 98.3%

# Bounds the engine does not meet by design, each with the reason: reported as skipped while
# over the bound, plain "ok" as soon as the engine meets it (bench/README.md, docs/matching.md).
KNOWN = {}

n_test = 0
failed = 0


def ok(cond, what, detail="", known=None):
    global n_test, failed
    n_test += 1
    if not cond and known:
        print("ok %d - %s # SKIP %s (%s)" % (n_test, what, known, detail))
    else:
        if not cond:
            failed += 1
        print("%s %d - %s%s" % ("ok" if cond else "not ok", n_test, what,
                                " # " + detail if detail else ""))
    sys.stdout.flush()


def sha(path):
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


def gen_screen(out, seed=SEED, entries=ENTRIES, queries=QUERIES):
    subprocess.run([sys.executable, os.path.join(ROOT, "bench/match/gen.py"), "screen",
                    "--entries", str(entries), "--queries", str(queries), "--seed", str(seed),
                    "--out", out], check=True)


def main():
    if not MATCH_BENCH or not os.access(MATCH_BENCH, os.X_OK):
        print("1..1")
        print("not ok 1 - MATCH_BENCH (the built bench/match_bench) is set # %r" % MATCH_BENCH)
        return 1
    with tempfile.TemporaryDirectory(prefix="mmis-match-eval.") as tmp:
        a, b, c = (os.path.join(tmp, x) for x in "abc")
        gen_screen(a)
        gen_screen(b)
        gen_screen(c, seed=SEED + 1)
        ok(sha(os.path.join(a, "list.csv")) == sha(os.path.join(b, "list.csv")) and
           sha(os.path.join(a, "queries.jsonl")) == sha(os.path.join(b, "queries.jsonl")),
           "gen.py is deterministic for a seed")
        ok(sha(os.path.join(a, "list.csv")) != sha(os.path.join(c, "list.csv")),
           "another seed gives another list")
        queries = ev.read_queries(os.path.join(a, "queries.jsonl"))
        kinds = {q["kind"] for q in queries}
        ok(kinds == set(gen.POSITIVE_KINDS + gen.NEGATIVE_KINDS),
           "every kind of variant and negative is generated", ",".join(sorted(kinds)))
        ok(all(q["expect"] for q in queries if q["kind"] in gen.POSITIVE_KINDS) and
           not any(q["expect"] for q in queries if q["kind"] in gen.NEGATIVE_KINDS),
           "listed travellers name their entry, the others none")

        tdef = ev.default_threshold()
        res = os.path.join(a, "hits.tsv")
        out = subprocess.run([MATCH_BENCH, "screen", os.path.join(a, "list.csv"),
                              os.path.join(a, "queries.jsonl"), res, str(ev.LIMIT), str(tdef)],
                             stdout=subprocess.PIPE, text=True)
        ok(out.returncode == 0, "match_bench screens the list", "exit %d" % out.returncode)
        if out.returncode:
            print("1..%d" % n_test)
            return 1
        st = json.loads(out.stdout)
        ok(st["entries"] == ENTRIES and st["refused_entries"] == 0,
           "every list entry is indexed", "%d entries, %d refused"
           % (st["entries"], st["refused_entries"]))
        ok(st["passes"][0]["refused"] == 0, "every query is searched",
           "%d refused" % st["passes"][0]["refused"])
        m = ev.metrics(queries, ev.read_hits(res), tdef)
        for k in gen.POSITIVE_KINDS:
            r = m["recall"][k]
            ok(r >= MIN_RECALL[k], "recall of %s at %.2f is at least %.0f%%"
               % (k, tdef, 100 * MIN_RECALL[k]), "%.1f%% of %d" % (100 * r, m["n"][k]),
               KNOWN.get(k))
        for k in gen.NEGATIVE_KINDS:
            f = m["alarms_per_1000"][k]
            ok(f <= MAX_ALARMS[k], "false alarms on %s at most %.0f per 1,000"
               % (k, MAX_ALARMS[k]), "%.1f of %d" % (f, m["n"][k]), KNOWN.get(k))
        ok(m["precision"] >= MIN_PRECISION, "precision at least %.0f%%" % (100 * MIN_PRECISION),
           "%.1f%%" % (100 * m["precision"]))
    print("1..%d" % n_test)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
