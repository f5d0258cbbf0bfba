#!/usr/bin/env python3
"""How well `mmis dedup` finds travellers recorded twice, and how fast, end to end.

Generates synthetic travellers (no real people): common names of the nationalities Montenegro's
border sees, each with a birth date, sex and a passport; a share of them recorded a second time
under a variant of their identity, labelled with the kind of variant:

  document    the same name on a new passport
  script      one record typed in Cyrillic, the other read from the MRZ (Russian, Serbian)
  translit    another romanisation (DMITRII / DMITRY, MOHAMED / MUHAMMAD, ABDALLA / ABDULLAH)
  diacritics  typed with the letters of the name, read without them (Đorđević / DJORDJEVIC)
  typo        one letter of the surname mistyped
  order       surname and given names typed in each other's fields
  year        the second record knows only the year of birth
  no_birth    the second record has no birth date (names alone: never proposed, by design)

Imports them as crossings (`mmis cross import`), runs `mmis dedup --dry-run --json` at the
lowest threshold, and reports, per threshold, the pairs proposed, pairwise precision and
recall, and recall per kind of variant; then the time of the detection. The second copy of a
traveller shares nothing with the first but the identity (a new passport number), so a pair
found is found by the names, dates, sex and nationality.

    bench/dedup_eval.py build/src/mmis [--persons 3000] [--share 0.25] [--seed 7] [--speed 100000]

Python standard library only. The database is SQLite in a temporary directory.
"""
import argparse
import datetime
import json
import os
import random
import sqlite3
import subprocess
import sys
import tempfile
import time

# (nationality, [(surname MRZ form, typed form)], [(given MRZ form, typed form)]); typed forms in
# the script or with the letters a record typed by hand would have.
NAMES = [
    ('RUS', [('IVANOV', 'Иванов'), ('SMIRNOV', 'Смирнов'), ('KUZNETSOV', 'Кузнецов'), ('POPOV', 'Попов'),
             ('SOKOLOV', 'Соколов'), ('VOLKOV', 'Волков'), ('MOROZOV', 'Морозов'), ('PETROV', 'Петров')],
     [('DMITRII', 'Дмитрий'), ('SERGEI', 'Сергей'), ('ALEKSANDR', 'Александр'), ('IVAN', 'Иван'),
      ('ANNA', 'Анна'), ('EKATERINA', 'Екатерина'), ('MIKHAIL', 'Михаил'), ('OLGA', 'Ольга')]),
    ('SRB', [('JOVANOVIC', 'Јовановић'), ('PETROVIC', 'Петровић'), ('NIKOLIC', 'Николић'),
             ('MARKOVIC', 'Марковић'), ('DJORDJEVIC', 'Ђорђевић'), ('STOJANOVIC', 'Стојановић'),
             ('ILIC', 'Илић'), ('PAVLOVIC', 'Павловић')],
     [('MARKO', 'Марко'), ('NIKOLA', 'Никола'), ('STEFAN', 'Стефан'), ('MILICA', 'Милица'),
      ('JELENA', 'Јелена'), ('ANA', 'Ана'), ('LUKA', 'Лука'), ('JOVANA', 'Јована')]),
    ('BIH', [('HODZIC', 'Hodžić'), ('HADZIC', 'Hadžić'), ('KOVACEVIC', 'Kovačević'), ('DELIC', 'Delić'),
             ('BEGIC', 'Begić'), ('BABIC', 'Babić'), ('MEHMEDOVIC', 'Mehmedović')],
     [('AMAR', 'Amar'), ('EMIR', 'Emir'), ('AMRA', 'Amra'), ('LEJLA', 'Lejla'), ('HARIS', 'Haris'),
      ('SELMA', 'Selma'), ('ADNAN', 'Adnan')]),
    ('TUR', [('YILMAZ', 'Yılmaz'), ('KAYA', 'Kaya'), ('DEMIR', 'Demir'), ('SAHIN', 'Şahin'), ('CELIK', 'Çelik'),
             ('OZTURK', 'Öztürk')],
     [('MEHMET', 'Mehmet'), ('AYSE', 'Ayşe'), ('MUSTAFA', 'Mustafa'), ('FATMA', 'Fatma'), ('EMRE', 'Emre'),
      ('ZEYNEP', 'Zeynep')]),
    ('SYR', [('ABDALLA', 'Abdalla'), ('ALHASSAN', 'Al-Hassan'), ('HADDAD', 'Haddad'), ('KHALIL', 'Khalil'),
             ('IBRAHIM', 'Ibrahim'), ('MANSOUR', 'Mansour')],
     [('MOHAMED', 'Mohamed'), ('AHMED', 'Ahmed'), ('OMAR', 'Omar'), ('YUSUF', 'Yusuf'), ('HUSSEIN', 'Hussein'),
      ('FATIMA', 'Fatima'), ('MARIAM', 'Mariam')]),
    ('ALB', [('HOXHA', 'Hoxha'), ('SHEHU', 'Shehu'), ('LEKA', 'Leka'), ('DERVISHI', 'Dervishi'), ('CELA', 'Çela'),
             ('MUCA', 'Muça')],
     [('ELIRA', 'Elira'), ('ARDIT', 'Ardit'), ('KLEA', 'Klea'), ('ERION', 'Erion'), ('ANISA', 'Anisa'),
      ('ENDRI', 'Endri')]),
    ('DEU', [('MUELLER', 'Müller'), ('SCHMIDT', 'Schmidt'), ('SCHNEIDER', 'Schneider'), ('FISCHER', 'Fischer'),
             ('WEBER', 'Weber'), ('BECKER', 'Becker')],
     [('LUKAS', 'Lukas'), ('ANNA', 'Anna'), ('JONAS', 'Jonas'), ('LEA', 'Lea'), ('FELIX', 'Felix'),
      ('MARIE', 'Marie')]),
]

# Other romanisations documents use (either way round).
TRANSLIT = {
    'DMITRII': 'DMITRY', 'SERGEI': 'SERGEY', 'ALEKSANDR': 'ALEXANDER', 'EKATERINA': 'YEKATERINA',
    'MIKHAIL': 'MICHAIL', 'MOHAMED': 'MUHAMMAD', 'ABDALLA': 'ABDULLAH', 'HUSSEIN': 'HUSAYN',
    'YUSUF': 'YOUSSEF', 'AHMED': 'AHMAD', 'OMAR': 'UMAR', 'ALHASSAN': 'AL HASSAN', 'DJORDJEVIC': 'DORDEVIC',
    'MUELLER': 'MULLER', 'OZTURK': 'OEZTUERK', 'KHALIL': 'KHALEEL', 'MANSOUR': 'MANSUR',
    'IVANOV': 'IVANOFF', 'OLGA': 'OLGHA', 'MARIAM': 'MARYAM',
}
CYRILLIC = {'RUS', 'SRB'}
KINDS = ['document', 'script', 'translit', 'diacritics', 'typo', 'order', 'year', 'no_birth']
HEADER = ('time,bcp,direction,document_type,issuing_state,document_number,surname,given_names,sex,'
          'birth_date,nationality,expiry_date,transport,purpose\n')


def typo(rng, s):
    i = rng.randrange(1, len(s) - 1)
    letters = 'ABCDEFGHIJKLMNOPRSTUVZ'
    c = rng.choice([x for x in letters if x != s[i]])
    return s[:i] + c + s[i + 1:]


def variant(rng, kind, ident):
    """The second record of an identity: (surname, given, birth) as the CSV gets them."""
    nat, (s_mrz, s_typed), (g_mrz, g_typed), birth = ident
    if kind == 'document':
        return s_mrz, g_mrz, birth
    if kind == 'script':
        return s_typed, g_typed, birth
    if kind == 'translit':
        s2, g2 = TRANSLIT.get(s_mrz), TRANSLIT.get(g_mrz)
        if not s2 and not g2:
            return None
        return s2 or s_mrz, g2 or g_mrz, birth
    if kind == 'diacritics':
        if s_typed.upper() == s_mrz and g_typed.upper() == g_mrz:
            return None
        return s_typed, g_typed, birth
    if kind == 'typo':
        return (typo(rng, s_mrz), g_mrz, birth) if len(s_mrz) >= 5 else None
    if kind == 'order':
        return g_mrz, s_mrz, birth
    if kind == 'year':
        return s_mrz, g_mrz, birth[:4]
    if kind == 'no_birth':
        return s_mrz, g_mrz, ''
    raise ValueError(kind)


def kinds_for(nat):
    return [k for k in KINDS if k != 'script' or nat in CYRILLIC]


def generate(n, share, seed):
    rng = random.Random(seed)
    today = datetime.date.today()
    rows, truth, kind_of = [], {}, {}
    number = 0

    def row(ident_no, surname, given, sex, birth, nat, day):
        nonlocal number
        number += 1
        doc = f'EV{number:07d}'
        truth[doc] = ident_no
        at = datetime.datetime.combine(today - datetime.timedelta(days=day), datetime.time(10, rng.randrange(60)))
        rows.append(f'{at.strftime("%Y-%m-%dT%H:%M:%SZ")},MNE-TGD,entry,P,{nat},{doc},{surname},{given},{sex},'
                    f'{birth},{nat},{(today + datetime.timedelta(days=2000)).isoformat()},aircraft,tourism\n')

    for i in range(n):
        nat, surnames, givens = rng.choice(NAMES)
        ident = (nat, rng.choice(surnames), rng.choice(givens),
                 (today - datetime.timedelta(days=rng.randrange(18 * 365, 75 * 365))).isoformat())
        sex = rng.choice('FM')
        row(i, ident[1][0], ident[2][0], sex, ident[3], nat, rng.randrange(200, 365))
        if rng.random() < share:
            for _ in range(8):
                kind = rng.choice(kinds_for(nat))
                v = variant(rng, kind, ident)
                if v:
                    break
            else:
                continue
            kind_of[i] = kind
            row(i, v[0], v[1], sex, v[2], nat, rng.randrange(1, 199))
    return HEADER + ''.join(rows), truth, kind_of


def mmis(binary, db, key, *args):
    return subprocess.run([binary, '--db', db, '--audit-key', key, *args], capture_output=True, check=True,
                          timeout=3600)


def evaluate(binary, n, share, seed, work):
    db, key = os.path.join(work, f'eval-{n}.db'), os.path.join(work, 'audit.key')
    pw = os.path.join(work, 'pw')
    with open(pw, 'w') as f:
        f.write('Correct-Horse-Battery-9\n')
    mmis(binary, db, key, 'init', '--admin-password-file', pw)
    text, truth, kind_of = generate(n, share, seed)
    path = os.path.join(work, 'x.csv')
    with open(path, 'w') as f:
        f.write(text)
    mmis(binary, db, key, 'cross', 'import', path)
    with sqlite3.connect(db) as c:
        ident_of = {pid: truth[num] for pid, num in c.execute('SELECT person_id, number FROM travel_document')}
    started = time.monotonic()
    out = json.loads(mmis(binary, db, key, 'dedup', '--dry-run', '--json', '--threshold', '0.5').stdout)
    elapsed = time.monotonic() - started
    found = []
    for p in out['pairs']:
        a, b = (ident_of[x['id']] for x in p['persons'])
        found.append((p['score'], a == b, a))
    return out, found, kind_of, elapsed


def report(out, found, kind_of):
    dup_total = len(kind_of)
    print(f'{out["persons"]} persons, {dup_total} of them recorded twice; {out["names_only"]} more pairs alike '
          f'in name alone (not proposed, by design)\n')
    thresholds = [0.70, 0.75, 0.80, 0.85, 0.90, 0.95]
    print('| threshold | proposed | true | false | precision | recall |')
    print('| --- | ---: | ---: | ---: | ---: | ---: |')
    for t in thresholds:
        sel = [f for f in found if f[0] >= t - 1e-9]
        tp = sum(1 for f in sel if f[1])
        fp = len(sel) - tp
        prec = tp / len(sel) if sel else 1.0
        print(f'| {t:.2f} | {len(sel)} | {tp} | {fp} | {prec:.3f} | {tp / dup_total:.3f} |')
    print()
    print('| variant | pairs | ' + ' | '.join(f'recall at {t:.2f}' for t in thresholds) + ' |')
    print('| --- | ---: | ' + ' | '.join('---:' for _ in thresholds) + ' |')
    for kind in KINDS:
        idents = {i for i, k in kind_of.items() if k == kind}
        if not idents:
            continue
        cells = []
        for t in thresholds:
            hit = {f[2] for f in found if f[1] and f[0] >= t - 1e-9} & idents
            cells.append(f'{len(hit) / len(idents):.2f}')
        print(f'| {kind} | {len(idents)} | ' + ' | '.join(cells) + ' |')
    print()


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('mmis')
    ap.add_argument('--persons', type=int, default=3000)
    ap.add_argument('--share', type=float, default=0.25)
    ap.add_argument('--seed', type=int, default=7)
    ap.add_argument('--speed', type=int, default=0, help='also time a detection over this many persons')
    a = ap.parse_args()
    with tempfile.TemporaryDirectory(prefix='mmis-dedup-eval.') as work:
        out, found, kind_of, _ = evaluate(a.mmis, a.persons, a.share, a.seed, work)
        report(out, found, kind_of)
        if a.speed:
            out, found, kind_of, elapsed = evaluate(a.mmis, a.speed, a.share, a.seed + 1, work)
            print(f'`mmis dedup --dry-run --json` over {out["persons"]} persons ({len(kind_of)} recorded twice): '
                  f'the detection {out["elapsed_ms"] / 1000:.1f} s (reading the database, indexing, comparing '
                  f'on {os.cpu_count()} cores; {len(found)} pairs at 0.5 or more, {out["names_only"]} more '
                  f'alike in name alone), {elapsed:.1f} s with the process and its JSON; '
                  f'{out["persons"] / (out["elapsed_ms"] / 1000):,.0f} persons per second')
    return 0


if __name__ == '__main__':
    sys.exit(main())
