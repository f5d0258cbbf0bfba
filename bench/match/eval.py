#!/usr/bin/env python3
"""
eval.py - recall, precision and false alarms of the identity-matching engine per kind of
variant, its threshold sweep, pg_trgm on the same names and queries as the baseline, speed,
memory, and de-duplication; prints Markdown tables (and writes the figures as JSON).

  eval.py screen --build BUILD [--entries N] [--queries Q] [--pg URL] [--pg-queries P]
                 [--work DIR] [--seed S] [--json FILE] [--misses K]
  eval.py dedup  --build BUILD [--records N] [--threads T] [--work DIR] [--seed S] [--json FILE]
  eval.py e2e    --build BUILD --mmis MMIS [--entries N] [--queries Q] [--work DIR] [--seed S]

BUILD is a meson build tree with bench/match_bench (bench/match_bench.c). Test sets come from
bench/match/gen.py. `screen` searches the list once at the bottom of the sweep (0.60, hits kept
for every threshold above it: the top LIMIT at a higher threshold are the same hits) and once at
the engine's default threshold, MATCH_DEFAULT_THRESHOLD in include/mmis/match.h, for the
latencies. With --pg it loads the engine's normalised names into PostgreSQL (a GIN index with
gin_trgm_ops) and runs the first P queries there too; the side-by-side table compares both on
those same P queries, pg_trgm at its default 0.3 and at the lowest similarity threshold whose
precision is at least the engine's.

Definitions (the same for both systems):
  recall        listed travellers whose entry is among the hits, per kind of variant
  precision     hits that are the traveller's own entry / all hits, over every query (listed
                travellers and not): depends on the share of listed travellers in the mix
  false alarms  non-listed travellers with at least one hit, per 1,000 such travellers
"""

import argparse
import collections
import json
import os
import re
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, HERE)
import gen  # noqa: E402

LIMIT = 10
SWEEP = [0.60, 0.65, 0.70, 0.75, 0.80, 0.85, 0.90, 0.95]
KIND_TEXT = {
    "exact": "exact (as listed)",
    "script": "script (Cyrillic, Arabic)",
    "translit": "another romanisation",
    "diacritics": "diacritics added / removed",
    "order": "surname first",
    "typo": "one typing error",
    "missing": "middle name dropped / added",
    "joined": "particles joined / split",
    "neg_given": "same given name, other surname",
    "neg_surname": "same surname, other given name",
    "neg_dob": "same name, other birth year",
    "neg_random": "random non-listed travellers",
}


def default_threshold():
    with open(os.path.join(ROOT, "include/mmis/match.h"), encoding="utf-8") as f:
        m = re.search(r"#define\s+MATCH_DEFAULT_THRESHOLD\s+([0-9.]+)", f.read())
    return float(m.group(1))


def run(cmd, **kw):
    t0 = time.monotonic()
    p = subprocess.run([str(c) for c in cmd], stdout=subprocess.PIPE, text=True, check=True,
                       **kw)
    return p.stdout, time.monotonic() - t0


def bench_json(cmd):
    out, _ = run(cmd)
    return json.loads(out)


def read_queries(path):
    with open(path, encoding="utf-8") as f:
        return [json.loads(line) for line in f]


def read_hits(path):
    """query id -> [(entry, score)], best first."""
    out = {}
    with open(path, encoding="utf-8") as f:
        for line in f:
            qid, _, hits = line.rstrip("\n").split("\t")
            lst = []
            for h in hits.split(";") if hits else []:
                e, s = h.rsplit(":", 1)
                lst.append((e, float(s)))
            out[qid] = lst
    return out


# ---------------------------------------------------------------------------------------------
# Metrics


def metrics(queries, hits, threshold, entry_dob=None):
    """Recall per positive kind, false alarms per negative kind, pairwise precision; with
    entry_dob, also the false alarms left when hits on entries without a birth date are not
    counted (what a list with a birth date on every entry would raise)."""
    n = collections.Counter()
    found = collections.Counter()
    alarms = collections.Counter()
    alarms_dated = collections.Counter()
    tp = fp = 0
    for q in queries:
        hs = [e for e, s in hits.get(q["id"], []) if s >= threshold - 1e-9]
        kind = q["kind"]
        n[kind] += 1
        if q["expect"]:
            ok = q["expect"] in hs
            found[kind] += ok
            tp += ok
            fp += len(hs) - ok
        else:
            alarms[kind] += bool(hs)
            if entry_dob is not None:
                alarms_dated[kind] += any(entry_dob[e] for e in hs)
            fp += len(hs)
    pos = [k for k in gen.POSITIVE_KINDS if n[k]]
    neg = [k for k in gen.NEGATIVE_KINDS if n[k]]
    npos = sum(n[k] for k in pos)
    nneg = sum(n[k] for k in neg)
    return {
        "threshold": threshold,
        "n": dict(n),
        "recall": {k: found[k] / n[k] for k in pos},
        "recall_all": sum(found[k] for k in pos) / npos if npos else None,
        "found": sum(found[k] for k in pos),
        "positives": npos,
        "alarms_per_1000": {k: 1000.0 * alarms[k] / n[k] for k in neg},
        "alarms_per_1000_all": 1000.0 * sum(alarms[k] for k in neg) / nneg if nneg else None,
        "alarms_dated_per_1000": {k: 1000.0 * alarms_dated[k] / n[k] for k in neg}
        if entry_dob is not None else None,
        "hits_true": tp,
        "hits_false": fp,
        "precision": tp / (tp + fp) if tp + fp else 1.0,
    }


def dob_relation(a, b):
    """How two birth dates relate: what a false hit had to get past."""
    if not a or not b:
        return "a birth date missing"
    if a == b:
        return "same birth date"
    if (len(a) < 10 or len(b) < 10) and a[:4] == b[:4]:
        return "same year, one year only"
    if a[:4] == b[:4]:
        return "same year, other day"
    return "other year"


DOB_RELATIONS = ["same birth date", "same year, one year only", "same year, other day",
                 "other year", "a birth date missing"]


def false_hit_dobs(queries, hits, threshold, entry_dob):
    """Non-listed travellers' best hit at `threshold`, counted by birth-date relation."""
    c = collections.Counter()
    for q in queries:
        if q["expect"]:
            continue
        hs = [e for e, s in hits.get(q["id"], []) if s >= threshold - 1e-9]
        if hs:
            c[dob_relation(q.get("birth_date") or "", entry_dob[hs[0]])] += 1
    return dict(c)


def list_dobs(path):
    out = {}
    with open(path, encoding="utf-8") as f:
        next(f)
        for line in f:
            fl = line.split(",", 4)
            out[fl[0]] = fl[3]
    return out


def pct(x):
    return "%.1f%%" % (100 * x)


def fnum(x, d=1):
    return ("%%.%df" % d) % x


def percentile_summary(t):
    t = sorted(t)
    n = len(t)
    return {"median_us": t[n // 2], "p90_us": t[n * 90 // 100], "p99_us": t[n * 99 // 100],
            "max_us": t[-1], "mean_us": sum(t) / n}


def latency(p):
    return {k: p[k] for k in ("median_us", "p90_us", "p99_us", "max_us", "mean_us")}


# ---------------------------------------------------------------------------------------------
# screen


def cmd_screen(a):
    tdef = default_threshold()
    mb = os.path.join(a.build, "bench", "match_bench")
    os.makedirs(a.work, exist_ok=True)
    lst = os.path.join(a.work, "list.csv")
    qf = os.path.join(a.work, "queries.jsonl")
    t0 = time.monotonic()
    run([sys.executable, os.path.join(HERE, "gen.py"), "screen", "--entries", a.entries,
         "--queries", a.queries, "--seed", a.seed, "--out", a.work])
    gen_s = time.monotonic() - t0
    queries = read_queries(qf)

    res = os.path.join(a.work, "mmis.tsv")
    floor = min(SWEEP[0], tdef)
    st = bench_json([mb, "screen", lst, qf, res, LIMIT, floor, tdef])
    hits = read_hits(res)
    edob = list_dobs(lst)
    at_default = metrics(queries, hits, tdef, edob)
    sweep = [metrics(queries, hits, t, edob) for t in SWEEP]
    at_default["false_hit_dobs"] = false_hit_dobs(queries, hits, tdef, edob)
    report = {
        "entries": st["entries"], "queries": len(queries), "seed": a.seed,
        "default_threshold": tdef, "generate_s": gen_s,
        "mmis": {"build_s": st["build_s"], "index_bytes": st["index_bytes"],
                 "vmhwm_kb": st["vmhwm_end_kb"], "vmhwm_start_kb": st["vmhwm_start_kb"],
                 "refused_entries": st["refused_entries"],
                 "latency_default": latency(st["passes"][1]),
                 "latency_floor": latency(st["passes"][0]),
                 "cpu_default": latency(st["passes"][1]["cpu"]),
                 "cpu_floor": latency(st["passes"][0]["cpu"]),
                 "refused_queries": st["passes"][1]["refused"],
                 "default": at_default, "sweep": sweep},
    }

    # Where the misses come from: the true pair's own score (match_compare, no index).
    cmp_path = os.path.join(a.work, "compare.jsonl")
    if a.misses:
        bench_json([mb, "compare", lst, qf, cmp_path])
        report["misses"] = misses(queries, hits, tdef, lst, cmp_path, a.misses)
        report["false_alarms"] = false_alarms(mb, queries, hits, tdef, lst, a.work, a.misses)

    if a.pg:
        names = os.path.join(a.work, "names.tsv")
        qnames = os.path.join(a.work, "qnames.tsv")
        norm = bench_json([mb, "normalise", lst, qf, names, qnames])
        sub = queries[: a.pg_queries]
        ids = {q["id"] for q in sub}
        qsub = os.path.join(a.work, "qnames-pg.tsv")
        with open(qnames, encoding="utf-8") as f, open(qsub, "w", encoding="utf-8") as g:
            for line in f:
                if line.split("\t", 1)[0] in ids:
                    g.write(line)
        pres = os.path.join(a.work, "pg.tsv")
        pst = bench_json([mb, "pgtrgm", a.pg, names, qsub, pres, LIMIT, 0.3])
        phits = read_hits(pres)
        mm_sub = metrics(sub, hits, tdef)
        pg03 = metrics(sub, phits, 0.3)
        mm_sub["false_hit_dobs"] = false_hit_dobs(sub, hits, tdef, edob)
        pg03["false_hit_dobs"] = false_hit_dobs(sub, phits, 0.3, edob)
        # The lowest pg_trgm threshold with precision at least the engine's.
        grid = [round(0.30 + 0.01 * i, 2) for i in range(71)]
        pg_grid = [metrics(sub, phits, t) for t in grid]
        eq = next((m for m in pg_grid if m["precision"] >= mm_sub["precision"]), None)
        best = max(pg_grid, key=lambda m: (m["precision"], m["recall_all"]))
        for m in (eq, best):
            if m:
                m["false_hit_dobs"] = false_hit_dobs(sub, phits, m["threshold"], edob)
        pg = {"load_s": pst["load_s"], "index_s": pst["index_s"],
              "index_bytes": pst["index_bytes"], "table_bytes": pst["table_bytes"],
              "names": pst["names"], "round_trip_median_us": pst["round_trip_median_us"],
              "latency_03": latency(pst["passes"][0]), "at_03": pg03,
              "equal_precision": eq, "best_precision": best,
              "normalise_us_per_name": norm["us_per_name"]}
        if eq and eq["threshold"] != 0.3:
            pst2 = bench_json([mb, "pgtrgm", a.pg, "-", qsub, os.path.join(a.work, "pg2.tsv"),
                               LIMIT, eq["threshold"]])
            pg["latency_eq"] = latency(pst2["passes"][0])
        elif eq:
            pg["latency_eq"] = pg["latency_03"]
        # The engine's latency on the same queries, from its pass at the default threshold.
        lat = []
        with open(res + ".lat", encoding="utf-8") as f:
            for line in f:
                fl = line.split("\t")
                if fl[0] in ids:
                    lat.append(float(fl[2]))
        pg["mmis_latency_same_queries"] = percentile_summary(lat)
        report["pg"] = pg
        report["mmis_on_pg_queries"] = mm_sub
        report["pg_queries"] = len(sub)
    print_screen(report)
    if a.json:
        with open(a.json, "w", encoding="utf-8") as f:
            json.dump(report, f, indent=1)
    return report


def misses(queries, hits, tdef, lst, cmp_path, k):
    names = {}
    with open(lst, encoding="utf-8") as f:
        next(f)
        for line in f:
            fl = line.rstrip("\n").split(",")
            names[fl[0]] = (fl[1], fl[2], fl[3], fl[4])
    scores = {}
    with open(cmp_path, encoding="utf-8") as f:
        for line in f:
            o = json.loads(line)
            scores[o["id"]] = o
    out = collections.defaultdict(list)
    counts = collections.Counter()
    for q in queries:
        if not q["expect"]:
            continue
        hs = [e for e, s in hits.get(q["id"], []) if s >= tdef]
        if q["expect"] in hs:
            continue
        c = scores.get(q["id"], {})
        why = "low score" if c.get("score", 0) < tdef else "not a candidate"
        counts[(q["kind"], why)] += 1
        if len(out[q["kind"]]) < k:
            e = names[q["expect"]]
            out[q["kind"]].append({
                "query": q["name"], "birth_date": q["birth_date"],
                "nationality": q["nationality"], "entry": e[0], "aliases": e[1],
                "entry_birth_date": e[2], "entry_nationality": e[3],
                "score": c.get("score"), "why": why,
                "reasons": [r.get("text") for r in (c.get("reasons") or [])],
                "top_hit": (hits.get(q["id"]) or [None])[0]})
    return {"examples": out, "counts": {"%s/%s" % kw: n for kw, n in counts.items()}}


def false_alarms(mb, queries, hits, tdef, lst, work, k):
    """Examples of non-listed travellers with a hit, with the reasons of their best hit."""
    picked = collections.defaultdict(list)
    for q in queries:
        if q["expect"] or len(picked[q["kind"]]) >= k:
            continue
        hs = [(e, s) for e, s in hits.get(q["id"], []) if s >= tdef]
        if hs:
            picked[q["kind"]].append(dict(q, expect=hs[0][0], n_hits=len(hs)))
    qpath = os.path.join(work, "false-alarms.jsonl")
    cpath = os.path.join(work, "false-alarms-compare.jsonl")
    with open(qpath, "w", encoding="utf-8") as f:
        for qs in picked.values():
            for q in qs:
                f.write(json.dumps(q, ensure_ascii=False) + "\n")
    bench_json([mb, "compare", lst, qpath, cpath])
    names = {}
    with open(lst, encoding="utf-8") as f:
        next(f)
        for line in f:
            fl = line.rstrip("\n").split(",")
            names[fl[0]] = fl
    cmp = {}
    with open(cpath, encoding="utf-8") as f:
        for line in f:
            o = json.loads(line)
            cmp[o["id"]] = o
    out = {}
    for kind, qs in picked.items():
        out[kind] = [{"query": q["name"], "birth_date": q["birth_date"],
                      "nationality": q["nationality"], "hits": q["n_hits"],
                      "entry": names[q["expect"]][1], "aliases": names[q["expect"]][2],
                      "entry_birth_date": names[q["expect"]][3],
                      "entry_nationality": names[q["expect"]][4],
                      "score": cmp[q["id"]]["score"],
                      "reasons": [x.get("text") for x in cmp[q["id"]].get("reasons") or []]}
                     for q in qs]
    return out


def print_screen(r):
    m = r["mmis"]
    d = m["default"]
    tdef = r["default_threshold"]
    print("Alert list of %d entries, %d labelled queries (gen.py seed %s), threshold %.2f "
          "(MATCH_DEFAULT_THRESHOLD), at most %d hits a query.\n"
          % (r["entries"], r["queries"], r["seed"], tdef, LIMIT))
    print("### Per kind of variant, mmis at the default threshold\n")
    print("| kind | queries | recall |")
    print("| --- | ---: | ---: |")
    for k in gen.POSITIVE_KINDS:
        if k in d["recall"]:
            print("| %s | %d | %s |" % (KIND_TEXT[k], d["n"][k], pct(d["recall"][k])))
    print("| **all listed travellers** | %d | **%s** |" % (d["positives"], pct(d["recall_all"])))
    print()
    print("| not listed | queries | false alarms per 1,000 | of them on entries with a birth "
          "date |")
    print("| --- | ---: | ---: | ---: |")
    for k in gen.NEGATIVE_KINDS:
        if k in d["alarms_per_1000"]:
            print("| %s | %d | %s | %s |" % (KIND_TEXT[k], d["n"][k],
                                            fnum(d["alarms_per_1000"][k]),
                                            fnum(d["alarms_dated_per_1000"][k])))
    print("| **all non-listed travellers** | %d | **%s** | |"
          % (sum(d["n"][k] for k in d["alarms_per_1000"]), fnum(d["alarms_per_1000_all"])))
    print()
    print("Precision over all hits: %s (%d right, %d wrong).\n"
          % (pct(d["precision"]), d["hits_true"], d["hits_false"]))
    fd = d["false_hit_dobs"]
    print("Non-listed travellers with a hit, by how the best hit's birth date relates to "
          "theirs: " + "; ".join("%s %d" % (k, fd[k]) for k in DOB_RELATIONS if k in fd) +
          ".\n")
    print("### Threshold sweep (mmis)\n")
    kinds = [k for k in gen.POSITIVE_KINDS if k in d["recall"]]
    print("| threshold | recall | precision | false alarms / 1,000 random | of them on dated "
          "entries | / 1,000 hard negatives | " + " | ".join(kinds) + " |")
    print("| ---: | ---: | ---: | ---: | ---: | ---: | " + " | ".join("---:" for _ in kinds) +
          " |")
    for s in m["sweep"]:
        hard = [s["alarms_per_1000"][k] * s["n"][k] for k in ("neg_given", "neg_surname",
                                                               "neg_dob") if k in s["n"]]
        nhard = sum(s["n"][k] for k in ("neg_given", "neg_surname", "neg_dob") if k in s["n"])
        print("| %s%.2f%s | %s | %s | %s | %s | %s | %s |" % (
            "**" if abs(s["threshold"] - tdef) < 1e-9 else "", s["threshold"],
            "**" if abs(s["threshold"] - tdef) < 1e-9 else "",
            pct(s["recall_all"]), pct(s["precision"]),
            fnum(s["alarms_per_1000"].get("neg_random", 0)),
            fnum(s["alarms_dated_per_1000"].get("neg_random", 0)),
            fnum(sum(hard) / nhard if nhard else 0),
            " | ".join(pct(s["recall"][k]) for k in kinds)))
    print()
    print("### Speed and memory (mmis, one core)\n")
    print("| figure | value |")
    print("| --- | ---: |")
    print("| index built (%d entries, read from CSV) | %.1f s |" % (r["entries"], m["build_s"]))
    print("| match_index_memory | %.0f MiB |" % (m["index_bytes"] / 2 ** 20))
    print("| peak resident set of the process (VmHWM) | %.0f MiB |" % (m["vmhwm_kb"] / 1024))
    for what, key, t in (("wall clock", "latency", tdef), ("CPU time", "cpu", tdef),
                         ("wall clock", "latency", SWEEP[0]), ("CPU time", "cpu", SWEEP[0])):
        lat = m["%s_%s" % (key, "default" if t == tdef else "floor")]
        print("| search at %.2f, %s: median / p90 / p99 / max | %.3f / %.3f / %.3f / %.1f ms |"
              % (t, what, lat["median_us"] / 1000, lat["p90_us"] / 1000, lat["p99_us"] / 1000,
                 lat["max_us"] / 1000))
    print()
    if "pg" in r:
        print_pg(r)
    if "misses" in r:
        print("### Misses at the default threshold (counts by kind and cause)\n")
        for kw, n in sorted(r["misses"]["counts"].items()):
            print("- %s: %d" % (kw, n))
        print()
        for kind, exs in r["misses"]["examples"].items():
            print("%s:" % kind)
            for e in exs:
                print("  - %s (%s, %s) vs entry %s%s (%s, %s): score %s, %s; top hit %s" % (
                    e["query"], e["birth_date"], e["nationality"], e["entry"],
                    " a.k.a. " + e["aliases"] if e["aliases"] else "", e["entry_birth_date"],
                    e["entry_nationality"],
                    "%.3f" % e["score"] if e["score"] is not None else "-", e["why"],
                    e["top_hit"]))
                for t in e["reasons"]:
                    print("      %s" % t)
        print()
    if r.get("false_alarms"):
        print("### False alarms at the default threshold (examples, best hit)\n")
        for kind, exs in r["false_alarms"].items():
            print("%s:" % kind)
            for e in exs:
                print("  - %s (%s, %s), %d hits; best: %s%s (%s, %s) score %.3f" % (
                    e["query"], e["birth_date"], e["nationality"], e["hits"], e["entry"],
                    " a.k.a. " + e["aliases"] if e["aliases"] else "", e["entry_birth_date"],
                    e["entry_nationality"], e["score"]))
                for t in e["reasons"]:
                    print("      %s" % t)
        print()


def print_pg(r):
    pg = r["pg"]
    mm = r["mmis_on_pg_queries"]
    tdef = r["default_threshold"]
    print("### Side by side with pg_trgm (the same %d queries, the same normalised names)\n"
          % r["pg_queries"])
    cols = [("mmis %.2f" % tdef, mm), ("pg_trgm 0.30 (default)", pg["at_03"])]
    eq = pg["equal_precision"]
    if eq:
        cols.append(("pg_trgm %.2f (equal precision)" % eq["threshold"], eq))
    else:
        b = pg["best_precision"]
        cols.append(("pg_trgm %.2f (its best precision)" % b["threshold"], b))
    print("| | " + " | ".join(c[0] for c in cols) + " |")
    print("| --- | " + " | ".join("---:" for _ in cols) + " |")
    for k in gen.POSITIVE_KINDS:
        if k in mm["recall"]:
            print("| recall: %s (%d) | " % (KIND_TEXT[k], mm["n"][k]) +
                  " | ".join(pct(c[1]["recall"][k]) for c in cols) + " |")
    print("| **recall, all listed travellers** (%d) | " % mm["positives"] +
          " | ".join("**%s**" % pct(c[1]["recall_all"]) for c in cols) + " |")
    print("| true matches found | " + " | ".join(str(c[1]["found"]) for c in cols) + " |")
    print("| precision (all hits) | " + " | ".join(pct(c[1]["precision"]) for c in cols) + " |")
    for k in gen.NEGATIVE_KINDS:
        if k in mm["alarms_per_1000"]:
            print("| false alarms / 1,000: %s (%d) | " % (KIND_TEXT[k], mm["n"][k]) +
                  " | ".join(fnum(c[1]["alarms_per_1000"][k]) for c in cols) + " |")
    print("| non-listed with a hit: " + "; ".join(DOB_RELATIONS) + " | " +
          " | ".join(" / ".join(str(c[1]["false_hit_dobs"].get(k, 0)) for k in DOB_RELATIONS)
                     for c in cols) + " |")
    lm = pg["mmis_latency_same_queries"]
    l03 = pg["latency_03"]
    leq = pg.get("latency_eq")
    print("| latency median (ms) | %.3f | %.2f | %s |" % (
        lm["median_us"] / 1000, l03["median_us"] / 1000,
        "%.2f" % (leq["median_us"] / 1000) if leq else "-"))
    print("| latency p99 (ms) | %.3f | %.2f | %s |" % (
        lm["p99_us"] / 1000, l03["p99_us"] / 1000,
        "%.2f" % (leq["p99_us"] / 1000) if leq else "-"))
    print("| speed ratio (pg_trgm median / mmis median) | 1 | %.1f× | %s |" % (
        l03["median_us"] / lm["median_us"],
        "%.1f×" % (leq["median_us"] / lm["median_us"]) if leq else "-"))
    print()
    print("pg_trgm: %d names loaded in %.1f s, GIN index built in %.1f s (%.0f MiB, table "
          "%.0f MiB); a loopback round trip (SELECT 1) takes %.0f µs of each pg_trgm query. "
          "Both latencies are over the same %d queries, each timed alone from the caller "
          "(mmis: the C call; pg_trgm: libpq's PQexecPrepared, one server backend).\n"
          % (pg["names"], pg["load_s"], pg["index_s"], pg["index_bytes"] / 2 ** 20,
             pg["table_bytes"] / 2 ** 20, pg["round_trip_median_us"], r["pg_queries"]))
    if not eq:
        print("pg_trgm never reaches the engine's precision (%s): its best is %s at %.2f.\n"
              % (pct(mm["precision"]), pct(pg["best_precision"]["precision"]),
                 pg["best_precision"]["threshold"]))


# ---------------------------------------------------------------------------------------------
# dedup


def cmd_dedup(a):
    tdef = default_threshold()
    mb = os.path.join(a.build, "bench", "match_bench")
    os.makedirs(a.work, exist_ok=True)
    t0 = time.monotonic()
    run([sys.executable, os.path.join(HERE, "gen.py"), "persons", "--records", a.records,
         "--seed", a.seed, "--out", a.work])
    gen_s = time.monotonic() - t0
    persons = os.path.join(a.work, "persons.csv")
    floor = min(0.70, tdef)
    pairs_path = os.path.join(a.work, "pairs.tsv")
    st = bench_json([mb, "dedup", persons, a.threads, floor, pairs_path])

    cluster, kind, orig, dob = {}, {}, {}, {}
    sizes = collections.Counter()
    with open(persons, encoding="utf-8") as f:
        next(f)
        for line in f:
            fl = line.rstrip("\n").split(",")
            cluster[fl[0]] = fl[6]
            kind[fl[0]] = fl[7]
            dob[fl[0]] = fl[2]
            sizes[fl[6]] += 1
            if fl[7] == "orig":
                orig[fl[6]] = fl[0]
    true_pairs = sum(n * (n - 1) // 2 for n in sizes.values())
    found = []
    with open(pairs_path, encoding="utf-8") as f:
        for line in f:
            x, y, s = line.rstrip("\n").split("\t")
            found.append((x, y, float(s)))
    rows = []
    for t in [0.70, 0.75, 0.80, 0.85, 0.90]:
        if t < floor - 1e-9:
            continue
        tp = fp = 0
        per_kind = collections.Counter()
        wrong_dobs = collections.Counter()
        for x, y, s in found:
            if s < t - 1e-9:
                continue
            if cluster[x] != cluster[y]:
                wrong_dobs[dob_relation(dob[x], dob[y])] += 1
            if cluster[x] == cluster[y]:
                tp += 1
                # Recall per kind: the pair of the first record and the duplicate.
                for u, v in ((x, y), (y, x)):
                    if kind[u] == "orig":
                        per_kind[kind[v]] += 1
            else:
                fp += 1
        rows.append({"threshold": t, "true_found": tp, "false_found": fp,
                     "precision": tp / (tp + fp) if tp + fp else 1.0,
                     "recall": tp / true_pairs if true_pairs else 1.0,
                     "recall_by_kind": dict(per_kind), "wrong_by_dob": dict(wrong_dobs)})
    dup_kinds = collections.Counter(k for k in kind.values() if k != "orig")
    report = {"records": st["records"], "people": len(sizes), "true_pairs": true_pairs,
              "threads": a.threads, "build_s": st["build_s"], "dedup_s": st["dedup_s"],
              "dedup_cpu_s": st["dedup_cpu_s"],
              "index_bytes": st["index_bytes"], "vmhwm_kb": st["vmhwm_end_kb"],
              "generate_s": gen_s, "default_threshold": tdef, "rows": rows,
              "duplicates_by_kind": dict(dup_kinds)}
    print("%d person records of %d people (%d planted duplicate pairs), %d threads.\n"
          % (report["records"], report["people"], true_pairs, a.threads))
    print("| figure | value |")
    print("| --- | ---: |")
    print("| index built | %.1f s |" % st["build_s"])
    print("| match_dedup at %.2f, %d threads | %.1f s (%.1f s of CPU) |"
          % (floor, a.threads, st["dedup_s"], st["dedup_cpu_s"]))
    print("| total (build + dedup) | %.1f s |" % (st["build_s"] + st["dedup_s"]))
    print("| match_index_memory / peak RSS | %.0f / %.0f MiB |"
          % (st["index_bytes"] / 2 ** 20, st["vmhwm_end_kb"] / 1024))
    print()
    print("| threshold | pairs found | right | wrong | pairwise precision | pairwise recall |")
    print("| ---: | ---: | ---: | ---: | ---: | ---: |")
    for r in rows:
        b = "**" if abs(r["threshold"] - tdef) < 1e-9 else ""
        print("| %s%.2f%s | %d | %d | %d | %s | %s |" % (
            b, r["threshold"], b, r["true_found"] + r["false_found"], r["true_found"],
            r["false_found"], pct(r["precision"]), pct(r["recall"])))
    print()
    d = next((r for r in rows if abs(r["threshold"] - tdef) < 1e-9), rows[0])
    # Pairs (first record, duplicate) per kind of duplicate: how many exist, how many found.
    exist = collections.Counter()
    for p in cluster:
        if kind[p] != "orig":
            exist[kind[p]] += 1
    print("| duplicate written as | pairs with the first record | found at %.2f |"
          % d["threshold"])
    print("| --- | ---: | ---: |")
    for k in sorted(exist):
        print("| %s | %d | %s |" % (k, exist[k], pct(d["recall_by_kind"].get(k, 0) / exist[k])))
    print()
    print("Wrong pairs at %.2f by birth dates: " % d["threshold"] +
          "; ".join("%s %d" % (k, d["wrong_by_dob"][k]) for k in DOB_RELATIONS
                    if k in d["wrong_by_dob"]) + ".\n")
    report["pairs_by_kind"] = dict(exist)
    if a.json:
        with open(a.json, "w", encoding="utf-8") as f:
            json.dump(report, f, indent=1)
    return report


# ---------------------------------------------------------------------------------------------
# e2e: `mmis watchlist import` and `mmis screen` on the same files


def cmd_e2e(a):
    """The product end to end: a new SQLite database, the list imported with `mmis watchlist
    import`, the queries screened by `mmis screen` (loading the lists, then JSON lines in and
    out), and its hits compared with match_bench's on the same files."""
    tdef = default_threshold()
    mb = os.path.join(a.build, "bench", "match_bench")
    os.makedirs(a.work, exist_ok=True)
    run([sys.executable, os.path.join(HERE, "gen.py"), "screen", "--entries", a.entries,
         "--queries", a.queries, "--seed", a.seed, "--out", a.work])
    lst = os.path.join(a.work, "list.csv")
    qf = os.path.join(a.work, "queries.jsonl")
    queries = read_queries(qf)
    stripped = os.path.join(a.work, "screen-in.jsonl")
    with open(stripped, "w", encoding="utf-8") as f:
        for q in queries:
            f.write(json.dumps({k: q[k] for k in ("id", "name", "birth_date", "nationality",
                                                  "sex")}, ensure_ascii=False) + "\n")
    db = os.path.join(a.work, "e2e.db")
    env = dict(os.environ, MMIS_AUDIT_KEY=os.path.join(a.work, "audit.key"))
    env.pop("MMIS_DB", None)
    pw = os.path.join(a.work, "pw")
    with open(pw, "w", encoding="utf-8") as f:
        f.write("Correct-Horse-Battery-9\n")
    mmis = [a.mmis, "--db", db]
    run(mmis + ["init", "--admin-password-file", pw], env=env, stderr=subprocess.DEVNULL)
    _, import_s = run(mmis + ["watchlist", "import", lst, "--list", "bench"], env=env,
                      stderr=subprocess.DEVNULL)
    with open(os.devnull, encoding="utf-8") as empty:
        _, load_s = run(mmis + ["screen"], env=env, stdin=empty, stderr=subprocess.DEVNULL)
    with open(stripped, encoding="utf-8") as inp:
        out, screen_s = run(mmis + ["screen", "--threshold", tdef, "--limit", LIMIT], env=env,
                            stdin=inp, stderr=subprocess.DEVNULL)
    hits = {}
    for line in out.splitlines():
        o = json.loads(line)
        hits[o["id"]] = [(h["entry_id"], h["score"]) for h in o["hits"]]
    m = metrics(queries, hits, tdef)
    res = os.path.join(a.work, "bench.tsv")
    bench_json([mb, "screen", lst, qf, res, LIMIT, tdef])
    ref = read_hits(res)
    same = sum(1 for q in queries
               if [e for e, _ in hits.get(q["id"], [])] == [e for e, _ in ref.get(q["id"], [])])
    report = {"entries": a.entries, "queries": len(queries), "import_s": import_s,
              "load_s": load_s, "screen_s": screen_s, "answered": len(hits),
              "same_hits_as_match_bench": same, "recall_all": m["recall_all"],
              "alarms_per_1000_all": m["alarms_per_1000_all"], "precision": m["precision"]}
    print("`mmis watchlist import` and `mmis screen` (SQLite, threshold %.2f, limit %d) on the "
          "same files: %d entries, %d queries.\n" % (tdef, LIMIT, a.entries, len(queries)))
    print("| step | time |")
    print("| --- | ---: |")
    print("| mmis watchlist import (%d entries) | %.1f s |" % (a.entries, import_s))
    print("| mmis screen, no queries (start, load the lists, build the index) | %.1f s |" % load_s)
    print("| mmis screen, %d queries | %.1f s (%.2f ms a query beyond the loading) |"
          % (len(queries), screen_s, max(screen_s - load_s, 0) * 1000 / len(queries)))
    print()
    print("Answers: %d of %d queries; the same hits, in the same order, as match_bench's for %d "
          "(%s); recall %s, false alarms %.1f per 1,000 non-listed travellers.\n"
          % (len(hits), len(queries), same, pct(same / len(queries)), pct(m["recall_all"]),
             m["alarms_per_1000_all"]))
    if a.json:
        with open(a.json, "w", encoding="utf-8") as f:
            json.dump(report, f, indent=1)
    return report


# ---------------------------------------------------------------------------------------------


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest="cmd", required=True)
    s = sub.add_parser("screen")
    s.add_argument("--build", required=True)
    s.add_argument("--entries", type=int, default=100000)
    s.add_argument("--queries", type=int, default=10000)
    s.add_argument("--seed", type=int, default=5)
    s.add_argument("--work", required=True)
    s.add_argument("--pg", help="PostgreSQL URL for the pg_trgm baseline (a throwaway server)")
    s.add_argument("--pg-queries", type=int, default=2000)
    s.add_argument("--misses", type=int, default=0, help="examples of misses per kind")
    s.add_argument("--json")
    d = sub.add_parser("dedup")
    d.add_argument("--build", required=True)
    d.add_argument("--records", type=int, default=100000)
    d.add_argument("--threads", type=int, default=2)
    d.add_argument("--seed", type=int, default=5)
    d.add_argument("--work", required=True)
    d.add_argument("--json")
    e = sub.add_parser("e2e")
    e.add_argument("--build", required=True)
    e.add_argument("--mmis", required=True, help="the built mmis program")
    e.add_argument("--entries", type=int, default=100000)
    e.add_argument("--queries", type=int, default=2000)
    e.add_argument("--seed", type=int, default=5)
    e.add_argument("--work", required=True)
    e.add_argument("--json")
    a = ap.parse_args()
    {"screen": cmd_screen, "dedup": cmd_dedup, "e2e": cmd_e2e}[a.cmd](a)


if __name__ == "__main__":
    main()
