#!/usr/bin/env python3
"""
gen.py - labelled synthetic test sets for the identity-matching engine (lib/match).

  gen.py screen --entries N --queries Q [--seed S] --out DIR
      DIR/list.csv       an alert list in `mmis watchlist import`'s native CSV:
                         id,name,aliases,birth_date,nationality,document_number
                         (several values separated by ';'; no field holds a comma or a quote)
      DIR/queries.jsonl  travellers, one JSON object a line: `mmis screen`'s input
                         {"id","name","birth_date","nationality","sex"} plus the label:
                         "kind"    exact script translit diacritics order typo missing joined
                                   (a listed person, "expect" = the entry's id), or
                                   neg_given neg_surname neg_dob neg_random (not listed,
                                   "expect" = null)
                         "culture" the naming culture (names.py), for the error analysis
  gen.py persons --records N [--seed S] --out DIR
      DIR/persons.csv    person records with planted duplicates, for de-duplication:
                         id,name,birth_date,sex,nationality,document_number,cluster,kind
                         (records of one cluster are one person; kind is how a duplicate was
                         written: orig for the first record, else a variant kind or "document")

Everything is synthetic (names.py: given names and surnames drawn independently) and
deterministic for a seed. List entries: 80% with a full birth date, 12% with the year only, 8%
with none (--year-only, --undated); 10% with a second nationality, 12% with an alias (another
given name, or for Arabic names a kunya "Abu X"), 20% with a document number; the same name and
birth date never twice. A listed traveller's query carries the entry's birth date (a full date
in the listed year when the list gives only the year, any date when it gives none), the
person's sex, and in 5% of queries another nationality than the listed one (a second passport).
The variant kinds:
  exact       the listed spelling (case may differ)
  script      written in the person's script: Serbian Cyrillic (also for Albanian names, as in
              Kosovo's Yugoslav-era documents), Russian or Ukrainian Cyrillic, Arabic script
  translit    another romanisation: Mohammed / Muhammad, Evgenii / Yevgeny, Djordjevic /
              Djordjevich, Krasniqi / Krasnici, Hanna / Ganna ...
  diacritics  diacritics added or removed: Đorđević / Dordevic / Djordjevic, Öztürk / Ozturk
  order       the surname first
  typo        one edit (keyboard neighbour, dropped, doubled or swapped letter)
  missing     a middle name (patronymic, father's name, second given name) dropped or added
  joined      particles joined or split: Abdel Kader / Abdelkader, Al Hassan / AlHassan
Hard negatives are different people of the listed person's nationality: the same given name
with another surname (neg_given), the same surname with another given name (neg_surname), the
same full name born in another year (neg_dob); neg_random are travellers drawn like the others.
A negative never has the given name and surname of a listed person whose birth date could be
theirs (same year, or none listed), so any hit on a negative is a false alarm.
"""

import argparse
import bisect
import itertools
import json
import os
import random
import sys

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import names as N  # noqa: E402

POSITIVE_KINDS = ["exact", "script", "translit", "diacritics", "order", "typo", "missing", "joined"]
NEGATIVE_KINDS = ["neg_given", "neg_surname", "neg_dob", "neg_random"]

# ---------------------------------------------------------------------------------------------
# Name parts and cultures


class Part:
    """One name part: its canonical key, its Latin spellings, its script form (or None)."""

    __slots__ = ("key", "forms", "script")

    def __init__(self, key, forms, script):
        self.key = key
        self.forms = forms
        self.script = script


def zipf_cum(n, q, s=1.0):
    cum, t = [], 0.0
    for r in range(n):
        t += 1.0 / (r + 1 + q) ** s
        cum.append(t)
    return cum


class Pool:
    def __init__(self, parts, q):
        self.parts = parts
        self.cum = zipf_cum(len(parts), q)

    def draw(self, rng, avoid=None):
        for _ in range(50):
            p = self.parts[bisect.bisect_right(self.cum, rng.random() * self.cum[-1])]
            if p is not avoid:
                return p
        return p


def _arabic_parts(lines):
    out = []
    for line in lines:
        line = line.strip()
        if not line:
            continue
        script, forms = line.split("=")
        out.append(Part(script, forms.split("|"), script))
    return out


def _latin_alt_parts(lines):
    """Pools written "Form1|Form2" without a script form (bn, hi)."""
    out = []
    for line in lines:
        line = line.strip()
        if line:
            forms = line.split("|")
            out.append(Part(forms[0], forms, None))
    return out


def _uniq(seq):
    seen, out = set(), []
    for x in seq:
        if x not in seen:
            seen.add(x)
            out.append(x)
    return out


class Culture:
    """
    systems: names of the spelling systems for "systematic" cultures (every part spelled by the
    same system, forms[k] = system k), with list weights; None for cultures whose parts have
    independent alternative spellings (Arabic, Persian, Urdu, Bengali, Indian names).
    """

    def __init__(self, code, male, female, surnames, systems=None, weights=None,
                 middle="given", middle_rate=0.0, female_surname=None, prefix=None,
                 prefix_rate=0.0, no_surname_rate=0.0, patronymic=None):
        self.code = code
        # Zipf-Mandelbrot weights 1/(rank + q): the most common given name is about 5-7% of a
        # culture's people, the most common surname 2-3%, as in the region's registers.
        self.male = Pool(male, 6)
        self.female = Pool(female, 6)
        self.surnames = Pool(surnames, 10)
        self.systems = systems
        self.weights = list(itertools.accumulate(weights)) if weights else None
        self.middle = middle
        self.middle_rate = middle_rate
        self.female_surname = female_surname
        self.prefix = prefix
        self.prefix_rate = prefix_rate
        self.no_surname_rate = no_surname_rate
        self.patronymic = patronymic  # (male pool, female pool) for ru / ua

    def given(self, rng, sex, avoid=None):
        return (self.male if sex == "M" else self.female).draw(rng, avoid)

    def surname(self, rng, sex, avoid=None):
        p = self.surnames.draw(rng, avoid)
        if sex == "F" and self.female_surname:
            p = self.female_surname(p)
        return p

    def middle_part(self, rng, sex, avoid=None):
        if self.middle == "patronymic":
            return self.patronymic[0 if sex == "M" else 1].draw(rng, avoid)
        if self.middle == "father":
            return self.male.draw(rng, avoid)
        return self.given(rng, sex, avoid)

    def style(self, rng):
        """The spelling system a document or a list uses (None: chosen part by part)."""
        if self.systems:
            return bisect.bisect_right(self.weights, rng.random() * self.weights[-1])
        return None  # chosen per part in choose()


def choose(rng, parts, systematic_k=None):
    if systematic_k is not None:
        return [systematic_k] * len(parts)
    out = []
    for p in parts:
        n = len(p.forms)
        out.append(0 if n == 1 or rng.random() < 0.5 else rng.randrange(1, n))
    return out


_part_cache = {}


def latin_part(code, name, fn):
    k = (code, name)
    p = _part_cache.get(k)
    if p is None:
        forms, script = fn(name)
        p = _part_cache[k] = Part(name, forms, script)
    return p


def cyr_part(code, name, fn):
    k = (code, name)
    p = _part_cache.get(k)
    if p is None:
        p = _part_cache[k] = Part(name, fn(name), name)
    return p


def ru_female(p):
    c = p.key
    for a, b in (("ский", "ская"), ("ов", "ова"), ("ев", "ева"), ("ёв", "ёва"), ("ин", "ина")):
        if c.endswith(a):
            return cyr_part("ru", c[: -len(a)] + b, N.ru_forms)
    return p


def ua_female(p):
    c = p.key
    for a, b in (("ський", "ська"), ("ов", "ова"), ("ев", "ева"), ("ін", "іна")):
        if c.endswith(a):
            return cyr_part("ua", c[: -len(a)] + b, N.ua_forms)
    return p


def build_cultures():
    def lat(code, names, fn):
        return [latin_part(code, n, fn) for n in _uniq(names)]

    def ru(names):
        return [cyr_part("ru", n, N.ru_forms) for n in _uniq(names)]

    def ua(names):
        return [cyr_part("ua", n, N.ua_forms) for n in _uniq(names)]

    sh_tail = [s + x for s in N.SH_STEMS for x in N.SH_SUFFIXES]
    sq_tail = [s + x for s in N.SQ_STEMS for x in N.SQ_SUFFIXES]
    tr_tail = [(a + b)[0] + (a + b)[1:].lower() for a in N.TR_PREFIXES for b in N.TR_SUFFIXES]
    ru_tail = [s.replace("ё", "е") + x for s in N.RU_STEMS for x in N.RU_SUFFIXES]
    ua_stems = """Бонд Гнат Дем Зах Кирил Кост Лук Мар Мих Наз Остап Пан Прок Сав Сем Стас Тар
Фед Юр Гриц Дмитр Кравц Луц Панч Рудн Сич Хом Бойк Дац Зінч Кул Лит Олеш Павл Рад""".split()
    ua_tail = [s + x for s in ua_stems for x in ("енко", "чук", "ук", "ець")]
    ar_tail = []
    ar_keys = {line.split("=")[0] for line in N.AR_FAMILY}
    for line in N.AR_NISBA:
        script, forms = line.split("=")
        if "ال" + script in ar_keys:
            continue
        fs = forms.split("|")
        ar_tail.append(Part("ال" + script, ["Al " + fs[0], "Al-" + fs[0], "El " + fs[0],
                                            fs[0]] + ["Al " + f for f in fs[1:]], "ال" + script))

    sh_w = [45, 25, 20, 10]
    cultures = {
        "sh": Culture("sh", lat("sh", N.SH_MALE, N.sh_forms), lat("sh", N.SH_FEMALE, N.sh_forms),
                      lat("sh", N.SH_SURNAME + sh_tail, N.sh_forms), N.SH_SYSTEMS, sh_w,
                      middle_rate=0.05),
        "bs": Culture("bs", lat("bs", N.BS_MALE, N.sh_forms), lat("bs", N.BS_FEMALE, N.sh_forms),
                      lat("bs", N.BS_SURNAME + sh_tail[::3], N.sh_forms), N.SH_SYSTEMS, sh_w,
                      middle_rate=0.05),
        "sq": Culture("sq", lat("sq", N.SQ_MALE, N.sq_forms), lat("sq", N.SQ_FEMALE, N.sq_forms),
                      lat("sq", N.SQ_SURNAME + sq_tail, N.sq_forms), N.SQ_SYSTEMS,
                      [50, 35, 5, 10], middle="father", middle_rate=0.12),
        "tr": Culture("tr", lat("tr", N.TR_MALE, N.tr_forms), lat("tr", N.TR_FEMALE, N.tr_forms),
                      lat("tr", N.TR_SURNAME + tr_tail, N.tr_forms), N.TR_SYSTEMS,
                      [50, 40, 5, 5], middle_rate=0.12),
        "ru": Culture("ru", ru(N.RU_MALE), ru(N.RU_FEMALE), ru(N.RU_SURNAME + ru_tail),
                      N.RU_SYSTEMS, [40, 30, 20, 5, 5], middle="patronymic", middle_rate=0.4,
                      female_surname=ru_female,
                      patronymic=(Pool(ru(N.RU_PATRONYMIC), 6),
                                  Pool(ru([p[:-2] + "на" for p in N.RU_PATRONYMIC]), 6))),
        "ua": Culture("ua", ua(N.UA_MALE), ua(N.UA_FEMALE), ua(N.UA_SURNAME + ua_tail),
                      N.UA_SYSTEMS, [70, 30], middle="patronymic", middle_rate=0.3,
                      female_surname=ua_female,
                      patronymic=(Pool(ua(N.UA_PATRONYMIC), 6), Pool(ua(N.UA_PATRONYMIC_F), 6))),
        "ar": Culture("ar", _arabic_parts(N.AR_MALE), _arabic_parts(N.AR_FEMALE),
                      _arabic_parts(N.AR_FAMILY) + ar_tail, middle="father", middle_rate=0.6),
        "fa": Culture("fa", _arabic_parts(N.FA_MALE), _arabic_parts(N.FA_FEMALE),
                      _arabic_parts(N.FA_FAMILY), middle="father", middle_rate=0.2,
                      no_surname_rate=0.15),
        "ur": Culture("ur", _arabic_parts(N.UR_MALE)[1:], _arabic_parts(N.UR_FEMALE),
                      _arabic_parts(N.UR_FAMILY), middle="father", middle_rate=0.05,
                      prefix=_arabic_parts(N.UR_MALE)[0], prefix_rate=0.35),
        "bn": Culture("bn", _latin_alt_parts(N.BN_MALE)[2:], _latin_alt_parts(N.BN_FEMALE),
                      _latin_alt_parts(N.BN_FAMILY), middle="father", middle_rate=0.03,
                      prefix=_latin_alt_parts(N.BN_MALE)[0], prefix_rate=0.5),
        "hi": Culture("hi", _latin_alt_parts(_hi(N.HI_MALE)), _latin_alt_parts(_hi(N.HI_FEMALE)),
                      _latin_alt_parts(_hi(N.HI_SURNAME)), middle_rate=0.08),
    }
    return cultures


def _hi(names):
    return [n + ("|" + N.HI_ALT[n] if n in N.HI_ALT else "") for n in names]


# Nationality, weight on the alert list, weight among travellers, cultures with weights.
ORIGINS = [
    ("MNE", 8, 30, [("sh", 80), ("bs", 10), ("sq", 10)]),
    ("SRB", 10, 15, [("sh", 90), ("bs", 5), ("sq", 5)]),
    ("BIH", 7, 10, [("bs", 55), ("sh", 45)]),
    ("ALB", 8, 6, [("sq", 100)]),
    ("RKS", 6, 5, [("sq", 92), ("sh", 8)]),
    ("SYR", 7, 3, [("ar", 100)]),
    ("AFG", 7, 3, [("fa", 100)]),
    ("PAK", 6, 2, [("ur", 100)]),
    ("IRQ", 4, 1, [("ar", 100)]),
    ("MAR", 5, 2, [("ar", 100)]),
    ("DZA", 4, 1, [("ar", 100)]),
    ("TUR", 6, 8, [("tr", 100)]),
    ("RUS", 6, 6, [("ru", 100)]),
    ("UKR", 4, 4, [("ua", 70), ("ru", 30)]),
    ("BGD", 4, 1, [("bn", 100)]),
    ("IND", 3, 1, [("hi", 100)]),
    ("IRN", 3, 1, [("fa", 100)]),
    ("EGY", 3, 1, [("ar", 100)]),
    ("TUN", 3, 1, [("ar", 100)]),
]
OTHER_NATIONALITIES = ["TUR", "DEU", "AUT", "SWE", "FRA", "ITA", "GRC", "HRV", "SVN", "MKD"]

# ---------------------------------------------------------------------------------------------
# Identities


class Identity:
    __slots__ = ("culture", "sex", "given", "middle", "surname", "dob", "nats")

    def parts(self):
        return self.given + self.middle + self.surname

    def name_key(self):
        """Given names and surnames, order-free: two identities with the same key are namesakes."""
        return tuple(sorted(p.key for p in self.given + self.surname))


def rand_date(rng, y0, y1):
    y = rng.randint(y0, y1)
    m = rng.randint(1, 12)
    d = rng.randint(1, 28 if m == 2 else 30 if m in (4, 6, 9, 11) else 31)
    return "%04d-%02d-%02d" % (y, m, d)


class Gen:
    def __init__(self, seed):
        self.rng = random.Random(seed)
        self.cultures = build_cultures()
        self.list_cum = list(itertools.accumulate(o[1] for o in ORIGINS))
        self.trav_cum = list(itertools.accumulate(o[2] for o in ORIGINS))

    def origin(self, travellers):
        cum = self.trav_cum if travellers else self.list_cum
        o = ORIGINS[bisect.bisect_right(cum, self.rng.random() * cum[-1])]
        cw = list(itertools.accumulate(w for _, w in o[3]))
        c = o[3][bisect.bisect_right(cw, self.rng.random() * cw[-1])][0]
        return o[0], self.cultures[c]

    def identity(self, travellers, male_share, y0, y1, nat=None, cul=None, sex=None):
        rng = self.rng
        if cul is None:
            nat, cul = self.origin(travellers)
        i = Identity()
        i.culture = cul
        i.sex = sex or ("M" if rng.random() < male_share else "F")
        i.given = [cul.given(rng, i.sex)]
        if cul.prefix and i.sex == "M" and rng.random() < cul.prefix_rate:
            i.given.insert(0, cul.prefix)
        i.middle = []
        if rng.random() < cul.middle_rate:
            i.middle = [cul.middle_part(rng, i.sex, i.given[-1])]
        i.surname = []
        if rng.random() >= cul.no_surname_rate:
            i.surname = [cul.surname(rng, i.sex)]
        elif not i.middle:
            i.middle = [cul.middle_part(rng, i.sex, i.given[-1])]
        i.dob = rand_date(rng, y0, y1)
        i.nats = [nat]
        return i

    def spelling(self, ident):
        """A form index per part: how one document or list writes this identity's name."""
        return choose(self.rng, ident.parts(), ident.culture.style(self.rng))


def render(parts, choice):
    return " ".join(p.forms[c] for p, c in zip(parts, choice))


def case(rng, s):
    return s.upper() if rng.random() < 0.5 else s


# ---------------------------------------------------------------------------------------------
# Variants. Each returns the variant's name or None when the identity has no such variant.

KEYBOARD = {}
for row in ("qwertyuiop", "asdfghjkl", "zxcvbnm"):
    for i, ch in enumerate(row):
        KEYBOARD[ch] = (row[i - 1] if i else "") + (row[i + 1] if i + 1 < len(row) else "")


def typo(rng, s):
    letters = [i for i, ch in enumerate(s) if ch.isalpha() and ch.isascii()]
    if len(letters) < 4:
        return None
    for _ in range(20):
        i = rng.choice(letters)
        ch = s[i]
        low = ch.lower()
        op = rng.randrange(4)
        if op == 0 and KEYBOARD.get(low):  # a neighbouring key
            r = rng.choice(KEYBOARD[low])
            out = s[:i] + (r.upper() if ch.isupper() else r) + s[i + 1:]
        elif op == 1:  # a letter dropped
            out = s[:i] + s[i + 1:]
        elif op == 2:  # a letter doubled
            out = s[:i] + ch + s[i:]
        else:  # two letters swapped
            if i + 1 >= len(s) or not s[i + 1].isalpha():
                continue
            out = s[:i] + s[i + 1] + ch + s[i + 2:]
        if out != s and " " not in (out[0], out[-1]) and "  " not in out:
            return out
    return None


PARTICLES = ("abdel", "abdul", "abdol", "abd", "abu", "abou", "al", "el", "ben", "bin", "ibn",
             "noor", "nur", "nour", "gul", "gol", "ul", "ud")
SPLIT_PREFIXES = ("abdel", "abdul", "abdol", "abdur", "abder")
JOINED_CULTURES = ("ar", "fa", "ur", "bn")


def joined(rng, s):
    tokens = s.replace("-", " - ").split()
    # Join a particle with the next word ("Al Hassan" -> "AlHassan", "Al-Hassan" -> "Alhassan").
    cands = [i for i, t in enumerate(tokens[:-1]) if t.lower() in PARTICLES and tokens[i + 1] != "-"
             or t == "-" and i > 0 and tokens[i - 1].lower() in PARTICLES]
    if cands:
        i = rng.choice(cands)
        if tokens[i] == "-":
            tokens[i - 1:i + 2] = [tokens[i - 1] + tokens[i + 1].lower()]
        else:
            nxt = tokens[i + 1]
            tokens[i:i + 2] = [tokens[i] + (nxt if rng.random() < 0.5 or tokens[i].isupper()
                                            else nxt.lower())]
        return " ".join(tokens).replace(" - ", "-")
    # Split a word that starts with a particle ("Abdelkader" -> "Abdel Kader").
    for i, t in enumerate(tokens):
        low = t.lower()
        for p in SPLIT_PREFIXES:
            if low.startswith(p) and len(low) >= len(p) + 3 and low[len(p):] not in ("lah", "llah"):
                rest = t[len(p):]
                tokens[i:i + 1] = [t[:len(p)], rest[0].upper() + rest[1:]]
                return " ".join(tokens).replace(" - ", "-")
    return None


def variant(g, kind, ident, choice):
    rng = g.rng
    cul = ident.culture
    parts = ident.parts()
    listed = render(parts, choice)
    if kind == "exact":
        return case(rng, listed)
    if kind == "script":
        if any(p.script is None for p in parts):
            return None
        return case(rng, " ".join(p.script for p in parts))
    if kind == "translit":
        if cul.systems:
            k = choice[0]
            alts = [j for j in range(len(cul.systems))
                    if j != k and N.fold(render(parts, [j] * len(parts))) != N.fold(listed)]
            if not alts:
                return None
            return case(rng, render(parts, [rng.choice(alts)] * len(parts)))
        cand = [i for i, p in enumerate(parts)
                if any(N.fold(f) != N.fold(p.forms[choice[i]]) for f in p.forms)]
        if not cand:
            return None
        c = list(choice)
        for i in rng.sample(cand, 2 if len(cand) > 1 and rng.random() < 0.3 else 1):
            p = parts[i]
            c[i] = rng.choice([j for j, f in enumerate(p.forms)
                               if N.fold(f) != N.fold(p.forms[choice[i]])])
        return case(rng, render(parts, c))
    if kind == "diacritics":
        if cul.code in ("sh", "bs", "sq", "tr"):
            out = render(parts, [1 if choice[0] == 0 else 0] * len(parts))
        else:
            out = " ".join(_toggle_diacritics(p, c) for p, c in zip(parts, choice))
        return case(rng, out) if out != listed else None
    if kind == "order":
        if len(parts) < 2:
            return None
        if ident.surname:
            order = list(range(len(parts) - len(ident.surname), len(parts))) + \
                list(range(len(parts) - len(ident.surname)))
        else:
            order = [1, 0] + list(range(2, len(parts)))
        return case(rng, " ".join(parts[i].forms[choice[i]] for i in order))
    if kind == "typo":
        out = typo(rng, listed)
        return case(rng, out) if out else None
    if kind == "missing":
        if ident.middle:
            keep = [(p, c) for p, c in zip(parts, choice) if not any(p is m for m in ident.middle)]
            return case(rng, " ".join(p.forms[c] for p, c in keep))
        m = cul.middle_part(rng, ident.sex, ident.given[-1])
        mc = choice[0] if cul.systems else 0
        pieces = [p.forms[c] for p, c in zip(ident.given, choice)] + [m.forms[mc]] + \
            [p.forms[c] for p, c in zip(ident.surname, choice[len(ident.given):])]
        return case(rng, " ".join(pieces))
    if kind == "joined":
        if cul.code not in JOINED_CULTURES:
            return None
        out = joined(rng, listed)
        return case(rng, out) if out else None
    raise ValueError(kind)


def _toggle_diacritics(p, c):
    f = p.forms[c]
    if not f.isascii():
        return N.strip_diacritics(f)
    for g in p.forms:
        if g != f and not g.isascii() and N.strip_diacritics(g) == f:
            return g
    return f


# ---------------------------------------------------------------------------------------------
# Alert list and travellers


def doc_number(i):
    # Unique for i < 10^7 * 676: two letters, seven digits, not in counting order.
    return "%s%s%07d" % (chr(65 + (i // 26) % 26), chr(65 + i % 26), (i * 7919 + 12345) % 10 ** 7)


def gen_screen(args):
    g = Gen(args.seed)
    rng = g.rng
    os.makedirs(args.out, exist_ok=True)
    entries = []  # (id, ident, choice, dob as listed)
    taken = {}  # name key -> birth years listed (None: no birth date)
    seen = set()
    while len(entries) < args.entries:
        ident = g.identity(False, 0.8, 1955, 2006)
        u = (ident.name_key(), ident.dob)
        if u in seen:
            continue
        seen.add(u)
        r = rng.random()
        dob = ident.dob if r < 1 - args.year_only - args.undated else \
            ident.dob[:4] if r < 1 - args.undated else ""
        if rng.random() < 0.1:
            ident.nats.append(rng.choice([o[0] for o in ORIGINS if o[0] != ident.nats[0]] +
                                         OTHER_NATIONALITIES))
        choice = g.spelling(ident)
        eid = "W%07d" % (len(entries) + 1)
        entries.append((eid, ident, choice, dob))
        taken.setdefault(ident.name_key(), []).append(int(dob[:4]) if dob else None)

    with open(os.path.join(args.out, "list.csv"), "w", encoding="utf-8", newline="\n") as f:
        f.write("id,name,aliases,birth_date,nationality,document_number\n")
        for n, (eid, ident, choice, dob) in enumerate(entries):
            name = case(rng, render(ident.parts(), choice))
            aliases = ""
            if rng.random() < 0.12:
                aliases = alias(g, ident, choice)
            doc = doc_number(n) if rng.random() < 0.2 else ""
            row = [eid, name, aliases, dob, ";".join(ident.nats), doc]
            assert not any("," in x or '"' in x or "\n" in x for x in row), row
            f.write(",".join(row) + "\n")

    # Query mix: each positive kind 6%, each hard negative 6%, random travellers the rest.
    plan = []
    for kind in POSITIVE_KINDS + NEGATIVE_KINDS[:3]:
        plan += [kind] * round(args.queries * 0.06)
    plan += ["neg_random"] * (args.queries - len(plan))
    rng.shuffle(plan)

    def free(key, dob):
        years = taken.get(key)
        return not years or all(y is not None and y != int(dob[:4]) for y in years)

    with open(os.path.join(args.out, "queries.jsonl"), "w", encoding="utf-8") as f:
        for qn, kind in enumerate(plan):
            q = query(g, kind, entries, free)
            q = {"id": "Q%07d" % (qn + 1), **q}
            f.write(json.dumps(q, ensure_ascii=False) + "\n")


def alias(g, ident, choice):
    """A name the person also used: another given name (for Arabic names a kunya, Abu X)."""
    rng = g.rng
    cul = ident.culture
    other = cul.given(rng, ident.sex, ident.given[-1])
    c0 = choice[0] if cul.systems else 0
    if cul.code == "ar" and ident.sex == "M" and rng.random() < 0.5:
        return "Abu " + cul.male.draw(rng).forms[0]
    sur = " ".join(p.forms[c] for p, c in zip(ident.surname, choice[-len(ident.surname):])) \
        if ident.surname else ""
    return (other.forms[c0] + " " + sur).strip()


def query(g, kind, entries, free):
    rng = g.rng
    while True:
        eid, ident, choice, dob = entries[rng.randrange(len(entries))]
        if kind in POSITIVE_KINDS:
            name = variant(g, kind, ident, choice)
            if name is None:
                continue
            if dob and len(dob) == 10:
                qdob = dob
            elif dob:
                qdob = rand_date(rng, int(dob), int(dob))
            else:
                qdob = ident.dob
            nat = ident.nats[0] if rng.random() < 0.95 else rng.choice(OTHER_NATIONALITIES)
            return {"name": name, "birth_date": qdob, "nationality": nat, "sex": ident.sex,
                    "kind": kind, "expect": eid, "culture": ident.culture.code}
        cul = ident.culture
        if kind == "neg_random":
            t = g.identity(True, 0.55, 1945, 2020)
        elif kind == "neg_given":
            t = g.identity(True, 0.55, 1945, 2020, ident.nats[0], cul, ident.sex)
            t.given = list(ident.given)
            t.surname = [cul.surname(rng, ident.sex, ident.surname[0] if ident.surname else None)]
            if ident.surname and t.surname[0] is ident.surname[0]:
                continue
        elif kind == "neg_surname":
            if not ident.surname:
                continue
            t = g.identity(True, 0.55, 1945, 2020, ident.nats[0], cul, ident.sex)
            t.surname = list(ident.surname)
            if t.given[-1] is ident.given[-1]:
                continue
        else:  # neg_dob: the same name, born years apart
            if not dob:
                continue
            y = int(dob[:4]) + rng.choice([-1, 1]) * rng.randint(2, 25)
            t = g.identity(True, 0.55, y, y, ident.nats[0], cul, ident.sex)
            t.given, t.middle, t.surname = ident.given, ident.middle, ident.surname
        if not free(t.name_key(), t.dob):
            continue
        spell = choice if kind == "neg_dob" and rng.random() < 0.7 else g.spelling(t)
        return {"name": case(rng, render(t.parts(), spell)), "birth_date": t.dob,
                "nationality": t.nats[0], "sex": t.sex, "kind": kind, "expect": None,
                "culture": t.culture.code}


# ---------------------------------------------------------------------------------------------
# Person records with planted duplicates

DUP_KINDS = ["exact", "script", "translit", "diacritics", "order", "typo", "missing", "joined"]


def gen_persons(args):
    g = Gen(args.seed)
    rng = g.rng
    os.makedirs(args.out, exist_ok=True)
    # About 15% of people are registered twice and 3% three times.
    base_n = int(args.records / 1.21)
    seen = set()
    records = []  # (name, dob, sex, nat, doc, cluster, kind)
    docs = itertools.count()
    cluster = 0
    while len(records) < args.records:
        ident = g.identity(True, 0.6, 1945, 2022)
        u = (ident.name_key(), ident.dob)
        if u in seen:
            continue
        seen.add(u)
        cluster += 1
        choice = g.spelling(ident)
        doc = doc_number(next(docs)) if rng.random() < 0.6 else ""
        dob = ident.dob if rng.random() < 0.9 else ident.dob[:4]
        records.append((case(rng, render(ident.parts(), choice)), dob, ident.sex, ident.nats[0],
                        doc, cluster, "orig"))
        if len(records) >= args.records or cluster > base_n:
            continue
        r = rng.random()
        copies = 2 if r < 0.03 else 1 if r < 0.18 else 0
        for _ in range(copies):
            if len(records) >= args.records:
                break
            kind = rng.choice(DUP_KINDS)
            name = variant(g, kind, ident, choice)
            if name is None:
                kind = "typo"
                name = variant(g, kind, ident, choice) or case(rng, render(ident.parts(), choice))
            r = rng.random()
            ddoc = doc if r < 0.3 else doc_number(next(docs)) if r < 0.7 else ""
            if ddoc and ddoc == doc:
                kind = "document"
            ddob = ident.dob if rng.random() < 0.9 else ident.dob[:4]
            nat = ident.nats[0] if rng.random() < 0.95 else rng.choice(OTHER_NATIONALITIES)
            records.append((name, ddob, ident.sex, nat, ddoc, cluster, kind))
    rng.shuffle(records)
    with open(os.path.join(args.out, "persons.csv"), "w", encoding="utf-8", newline="\n") as f:
        f.write("id,name,birth_date,sex,nationality,document_number,cluster,kind\n")
        for n, rec in enumerate(records):
            row = ["P%07d" % (n + 1)] + [str(x) for x in rec]
            assert not any("," in x or '"' in x for x in row), row
            f.write(",".join(row) + "\n")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest="cmd", required=True)
    s = sub.add_parser("screen", help="an alert list and labelled travellers")
    s.add_argument("--entries", type=int, default=100000)
    s.add_argument("--queries", type=int, default=10000)
    s.add_argument("--seed", type=int, default=5)
    s.add_argument("--undated", type=float, default=0.08,
                   help="share of list entries without a birth date (default 0.08)")
    s.add_argument("--year-only", type=float, default=0.12,
                   help="share of list entries with a birth year only (default 0.12)")
    s.add_argument("--out", required=True)
    p = sub.add_parser("persons", help="person records with planted duplicates")
    p.add_argument("--records", type=int, default=100000)
    p.add_argument("--seed", type=int, default=5)
    p.add_argument("--out", required=True)
    args = ap.parse_args()
    if args.cmd == "screen":
        if args.entries < 10 or args.queries < 20:
            ap.error("--entries must be at least 10 and --queries at least 20")
        if not (0 <= args.undated and 0 <= args.year_only and args.undated + args.year_only <= 1):
            ap.error("--undated and --year-only are shares from 0 to 1, together at most 1")
        gen_screen(args)
    else:
        if args.records < 10:
            ap.error("--records must be at least 10")
        gen_persons(args)


if __name__ == "__main__":
    main()
