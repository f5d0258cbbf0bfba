#!/usr/bin/env python3
"""Black-box tests of the statistics routes (docs/api.md, docs/statistics.md) against a real
`mmis serve`.

A temporary SQLite database made with `mmis init`; synthetic crossings (known counts, some small
cells) imported with `mmis cross import`, official series with `mmis series import`. Then the
tables in JSON, CSV, SDMX-CSV and XLSX (read back: a zip of XML) must agree with counts made here
directly from the file that was imported; no published cell is below the minimum; an analyst
cannot lower the minimum; bad queries answer 4xx naming the parameter; every export is audited.
Uses the shared helpers of apilib.py. Python standard library only; TAP on stdout. Needs $MMIS.
"""
import collections
import csv
import datetime
import io
import os
import random
import re
import sys
import xml.etree.ElementTree as ET
import zipfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import apilib as base  # noqa: E402

ok = base.ok
K = 5
NATS = ['SRB'] * 12 + ['BIH'] * 5 + ['ALB'] * 2 + ['CHN', 'GRC', 'RKS']
BCPS = ['MNE-DBR', 'MNE-SUK', 'MNE-TGD']
ALPHA2 = {'SRB': 'RS', 'BIH': 'BA', 'ALB': 'AL', 'CHN': 'CN', 'GRC': 'EL', 'RKS': 'XK'}


def main():
    base.main('mmis-api-stats.', suite)


def synthetic_crossings(path):
    """400 entries in the first half of 2024, one per traveller; returns the list of (month, nat, bcp)."""
    rnd = random.Random(7)
    rows = []
    with open(path, 'w') as f:
        f.write('time,bcp,direction,document_type,issuing_state,document_number,surname,sex,nationality,'
                'birth_date\n')
        for i in range(400):
            nat = rnd.choice(NATS)
            month = rnd.randint(1, 6)
            bcp = rnd.choice(BCPS)
            f.write(f'2024-{month:02d}-{rnd.randint(1, 28):02d}T10:00:00Z,{bcp},entry,P,{nat},T{i:06d},DOE,'
                    f'{rnd.choice("FM")},{nat},{rnd.randint(1950, 2010)}-01-01\n')
            rows.append((f'2024-{month:02d}', nat, bcp))
    return rows


def read_xlsx(data):
    """The first sheet's rows (lists of strings) and the sheet names, from the workbook's XML."""
    ns = {'m': 'http://schemas.openxmlformats.org/spreadsheetml/2006/main'}
    z = zipfile.ZipFile(io.BytesIO(data))
    shared = []
    if 'xl/sharedStrings.xml' in z.namelist():
        for si in ET.fromstring(z.read('xl/sharedStrings.xml')).findall('m:si', ns):
            shared.append(''.join(t.text or '' for t in si.iter('{%s}t' % ns['m'])))
    names = [s.get('name') for s in ET.fromstring(z.read('xl/workbook.xml')).iter('{%s}sheet' % ns['m'])]

    def sheet(n):
        rows = []
        for row in ET.fromstring(z.read(f'xl/worksheets/sheet{n}.xml')).iter('{%s}row' % ns['m']):
            cells = {}
            for c in row.findall('m:c', ns):
                col = re.match(r'[A-Z]+', c.get('r')).group(0)
                v = c.find('m:v', ns)
                text = '' if v is None else v.text
                if c.get('t') == 's':
                    text = shared[int(text)]
                elif text and re.fullmatch(r'\d+(\.0+)?', text):
                    text = str(int(float(text)))
                cells[ord(col) - 65] = text
            width = max(cells) + 1 if cells else 0
            rows.append([cells.get(i, '') for i in range(width)])
        return rows
    return sheet(1), sheet(2), names


CASE_TYPES = ['presumed_victim_of_trafficking', 'victim_of_trafficking', 'unaccompanied_child', 'separated_child',
              'smuggled_migrant', 'other_vulnerable']  # lib/protect's order, the tables' order


def quarter(day):
    return f'{day[:4]}-Q{(int(day[5:7]) + 2) // 3}'


def protection(inst, server, get):
    """Cases opened through the API by two agencies' workers, with known facts; referrals and services.
    The tables agree with counts made here, never publish a cell below 11 (nor a line's hidden cells adding
    up to less), count a case of two types under both, and refuse a smaller minimum to everyone."""
    K = 11
    rnd = random.Random(11)
    req = inst.req
    r = req('PUT', '/api/v1/agencies/SHELTER/services', {'services': ['shelter', 'psychosocial', 'legal_aid']}, 'admin-t')
    ok(r.status == 200, 'the shelter offers shelter, psychosocial support and legal aid', r)
    r = req('POST', '/api/v1/projects', {'code': 'VULN-MIG-WB', 'name': 'Vulnerable migrants', 'donor': 'A donor'},
            'admin-t')
    ok(r.status == 201, 'a project', r)
    facts, made = [], 0
    weights = (['presumed_victim_of_trafficking'] * 4 + ['smuggled_migrant'] * 3 + ['unaccompanied_child'] * 2 +
               ['separated_child', 'other_vulnerable'])
    for i in range(90):
        types = [rnd.choice(weights)]
        if rnd.random() < 0.2:
            other = rnd.choice([t for t in ('unaccompanied_child', 'separated_child', 'other_vulnerable')
                                if t not in types])
            types.append(other)
        day = f'2024-{rnd.randint(1, 6):02d}-{rnd.randint(1, 28):02d}'
        who = 'csw' if rnd.random() < 0.6 else 'shelter'
        body = {'types': types, 'opened_on': day, 'surname': 'Secretname', 'given_names': 'Hidden',
                'citizenship': rnd.choice(['AFG', 'SYR', 'UKR']), 'sex': rnd.choice('FM'), 'birth_date': '1995-03-03'}
        r = req('POST', '/api/v1/cases', body, who)
        if r.status == 201:
            made += 1
            facts.append({'id': r.json['id'], 'types': types, 'day': day, 'agency': who.upper(), 'who': who,
                          'nat': body['citizenship'], 'sex': body['sex']})
    ok(made == 90, 'POST /cases: 90 cases opened by the workers of CSW and SHELTER', made)
    two = sum(1 for f in facts if len(f['types']) == 2)
    ok(two > 5, f'{two} of them have two types')

    def table(path, who='analyst'):
        r = get(path, who)
        return r, {tuple(v for k, v in row.items() if k not in ('count', 'conf_status')): row
                   for row in (r.json or {}).get('rows', [])}

    def safe(cells, true, what):
        """Published counts are the true ones, hidden ones are C without a count, none below K."""
        agree = all((v['conf_status'] is None and v['count'] == true.get(k, 0)) or
                    (v['conf_status'] == 'C' and v['count'] is None) for k, v in cells.items() if '_T' not in k)
        ok(agree, f'{what}: every published count equals the count made from the cases made')
        small = [k for k, v in cells.items() if v['count'] is not None and 0 < v['count'] < K]
        ok(not small, f'{what}: no published cell below 11', small)
        ok({k for k in cells if '_T' not in k} == set(true), f'{what}: one row per combination with cases', cells.keys())

    q = '/api/v1/stats/cases?from=2024-01-01&to=2024-06-30'
    true = collections.Counter((quarter(f['day']), t) for f in facts for t in f['types'])
    r, cells = table(q + '&by=quarter,case_type&totals=true')
    ok(r.status == 200 and r.json['source'] == 'cases' and r.json['min_cell'] == K and
       r.json['dimensions'] == ['quarter', 'case_type'], 'GET /stats/cases by quarter,case_type: min_cell 11 for the analyst', r)
    safe(cells, true, 'cases by quarter and type')
    ok(cells.get(('_T', '_T'), {}).get('count') == sum(len(f['types']) for f in facts) and
       sum(len(f['types']) for f in facts) == 90 + two, 'a case of two types counts under both: the total is the types, '
       f'{90 + two}', cells.get(('_T', '_T')))
    # the group rule: on a line whose total is published, the hidden cells add up to 0 or at least 11
    for dim in (0, 1):
        lines = collections.defaultdict(list)
        for k, v in cells.items():
            lines[k[1 - dim]].append((k, v))
        bad = []
        for other, vs in lines.items():
            total = [v for k, v in vs if k[dim] == '_T']
            hidden = sum(true.get(k, 0) for k, v in vs if k[dim] != '_T' and v['conf_status'] == 'C')
            if total and total[0]['count'] is not None and 0 < hidden < K:
                bad.append((other, hidden))
        ok(not bad, f'no line along {["quarter", "case_type"][dim]} lets its hidden cells add up to 1..10', bad)
    order = [k[1] for k in cells if k[0] == '2024-Q1' and k[1] != '_T']
    ok(order == [t for t in CASE_TYPES if t in order], 'case types in lib/protect\'s order', order)
    ok('Secretname' not in r.body.decode() and 'Hidden' not in r.body.decode(), 'the analyst sees counts, never a name')

    true = collections.Counter((f['agency'], f['nat']) for f in facts)
    r, cells = table(q + '&by=agency,nationality')
    safe(cells, true, 'cases by agency and nationality')
    ok(any(v['conf_status'] is None for v in cells.values()), 'some cells are published', cells)
    r = get(q + '&by=state,sex&format=csv')
    lines = r.body.decode().split('\r\n')
    ok(r.status == 200 and lines[0] == 'state,sex,count,conf_status' and
       'attachment; filename="cases.csv"' in r.h.get('content-disposition', ''), 'format=csv: state,sex,count,conf_status', r)
    want = collections.Counter(f['sex'] for f in facts)
    rows = {tuple(x.split(',')[:2]): x.split(',')[2:] for x in lines[1:] if x}
    ok(all((c == str(want[s]) and st == '') or (c == '' and st == 'C') for (state, s), (c, st) in rows.items()) and
       {s for _, s in rows} == set(want), 'the CSV rows: every case identified, by sex', rows)
    r = get(q + '&by=year,case_type&format=sdmx-csv')
    sd = list(csv.reader(io.StringIO(r.body.decode())))
    ok(r.status == 200 and sd[0] == ['STRUCTURE', 'STRUCTURE_ID', 'ACTION', 'freq', 'unit', 'case_type', 'geo',
                                      'TIME_PERIOD', 'OBS_VALUE', 'CONF_STATUS'] and
       all(row[1] == 'MMIS:CASES(1.0)' for row in sd[1:]), 'format=sdmx-csv: MMIS:CASES(1.0) with case_type', sd[:3])
    r = get(q + '&by=case_type&format=xlsx')
    sheet, notes, names = read_xlsx(r.body) if r.status == 200 else ([], [], [])
    notes_text = ' '.join(' '.join(x) for x in notes)
    ok(names == ['cases', 'notes'] and 'K = 11' in notes_text and 'protection case records' in notes_text and
       'counts once for each' in notes_text, 'format=xlsx: the notes give K = 11, the records and the definition',
       notes_text[:400])

    # referrals (made now) and services
    for f in facts[:24]:
        if f['who'] != 'csw':
            continue
        req('POST', f'/api/v1/cases/{f["id"]}/consents', {'to_agency': 'SHELTER', 'scopes': ['identity'],
            'given_by': 'guardian', 'guardian_name': 'A guardian'}, 'csw')
        r = req('POST', f'/api/v1/cases/{f["id"]}/referrals', {'to_agency': 'SHELTER', 'service': 'shelter'}, 'csw')
        f['referred'] = r.status == 201
    n_ref = sum(1 for f in facts if f.get('referred'))
    today = datetime.date.today().isoformat()
    r, cells = table(f'/api/v1/stats/referrals?from=2024-01-01&to={today}&by=provider,service,state&totals=true')
    ok(r.status == 200 and n_ref >= 11 and cells.get(('SHELTER', 'shelter', 'pending'), {}).get('count') == n_ref,
       f'GET /stats/referrals: {n_ref} referrals to SHELTER for shelter, waiting', r)
    n_srv = 0
    for k, f in enumerate(f for f in facts if f['who'] == 'shelter'):
        body = {'service': 'psychosocial', 'delivered_on': f['day'], 'provider': 'SHELTER'}
        if k % 4:
            body['project'] = 'VULN-MIG-WB'
        n_srv += req('POST', f'/api/v1/cases/{f["id"]}/services', body, 'shelter').status == 201
    r, cells = table('/api/v1/stats/services?from=2024-01-01&to=2024-06-30&by=project,service&totals=true')
    ok(r.status == 200 and cells.get(('_T', '_T'), {}).get('count') == n_srv and
       {k[0] for k in cells} <= {'VULN-MIG-WB', 'NONE', '_T'} and ('NONE', 'psychosocial') in cells,
       f'GET /stats/services: {n_srv} services by project (NONE without one) and service', r)
    ok(all(v['count'] is None or v['count'] >= K for v in cells.values()), 'services: nothing published below 11')

    # nobody lowers the minimum; the dimensions are the source's; analysts only
    r = get(q + '&by=case_type&min_cell=0')
    ok(r.status == 403 and r.json.get('field') == 'min_cell' and 'never published with cells below 11' in r.json.get('detail', ''),
       'min_cell=0 on cases: 403 naming min_cell, saying why', r)
    r = get(q + '&by=case_type&min_cell=4')
    ok(r.status == 403, 'min_cell=4 (below the deployment\'s) on cases: 403 too', r)
    r = get(q + '&by=case_type&min_cell=5')
    ok(r.status == 200 and r.json['min_cell'] == K, 'min_cell=5 (the deployment\'s): cases still at 11', r)
    r = get(q + '&by=case_type&min_cell=30')
    ok(r.status == 200 and r.json['min_cell'] == 30 and all(x['count'] is None or x['count'] >= 30 for x in r.json['rows']),
       'min_cell=30: allowed, nothing below 30', r)
    for path, field, what in (
            (q + '&by=bcp', 'by', 'cases by bcp'),
            (q + '&by=case_type,planet', 'by', 'an unknown dimension'),
            ('/api/v1/stats/referrals?from=2024-01-01&to=2024-06-30&by=project', 'by', 'referrals by project'),
            ('/api/v1/stats/services?from=2024-06-01&to=2024-01-01&by=service', 'from', 'services: from after to'),
            ('/api/v1/stats/cases?from=2024-01-01&by=year', 'to', 'cases without to'),
            (q + '&by=case_type&on=2024-01-01', 'on', 'cases on a day')):
        r = get(path)
        ok(400 <= r.status < 500 and r.json and r.json.get('field') == field, f'{what}: {r.status} naming {field}', r)
    r = get(q + '&by=case_type', who='officer')
    ok(r.status == 403, 'a border officer: 403', r)
    r = get(q + '&by=case_type', who='csw')
    ok(r.status == 403, 'a case worker has no statistics either: 403', r)
    r = server.request('GET', '/api/v1/audit?action=stats.cases&limit=1000', token=inst.tokens['auditor'])
    items = (r.json or {}).get('items', [])
    ok(any(e['outcome'] == 'denied' and 'never published with cells below 11' in e.get('detail', '') for e in items) and
       any('cases by quarter,case_type, 2024-01-01..2024-06-30, min cell 11, json' in e.get('detail', '') for e in items),
       'the case tables are audited with their query (the refused ones as denied)', items[:3])


def suite(tmp):
    inst = base.Instance(tmp)
    env, g = inst.env, inst.g
    inst.agencies((('BP', 'police'), ('DM', 'government'), ('CSW', 'social_work'), ('SHELTER', 'ngo'),
                   ('ADMIN', 'government')))
    inst.users((('analyst', 'analyst', 'DM'), ('officer', 'border_officer', 'BP'),
                ('exchange', 'exchange_officer', 'DM'), ('auditor', 'auditor', 'DM'),
                ('csw', 'case_worker', 'CSW'), ('shelter', 'case_worker', 'SHELTER'), ('admin-t', 'admin', 'ADMIN'),
                ('statunit', 'internal_analyst', 'DM')),
               'users and tokens: analyst, border officer, exchange officer, auditor, case workers, administrator, internal analyst')
    tokens = inst.tokens

    rows = synthetic_crossings(os.path.join(tmp, 'x.csv'))
    r = base.run(g + ['cross', 'import', os.path.join(tmp, 'x.csv')], env)
    ok(r.returncode == 0 and b'imported 400 crossings' in r.stdout, 'the synthetic crossings are imported',
       r.stdout + r.stderr)
    series = os.path.join(tmp, 's.csv')
    with open(series, 'w') as f:
        f.write('indicator,period,value,source,unit\n'
                'population,2011,620029,MONSTAT Census 2011,persons\n'
                'immigrants,2011,3000,Test,persons\nemigrants,2011,3496,Test,persons\n'
                'remittances_usd,2011,441000000,World Bank,USD\n')
    r = base.run(g + ['series', 'import', series], env)
    ok(r.returncode == 0, 'series import', r.stderr)
    with open(series, 'w') as f:
        f.write('country,indicator,period,value,source,unit\nSRB,population,2011,7186862,RZS,persons\n')
    r = base.run(g + ['series', 'import', series], env)
    ok(r.returncode == 0, 'series import of a neighbour\'s series (country column)', r.stderr)

    server = inst.serve()

    def get(path, who='analyst'):
        return server.request('GET', path, token=tokens[who])

    true = collections.Counter((m, n) for m, n, _ in rows)
    q = '/api/v1/stats/flows?from=2024-01-01&to=2024-06-30&by=month,nationality'

    # ---- JSON: published cells are the true counts; none below K; the hidden ones marked
    r = get(q + '&totals=true')
    doc = r.json or {}
    ok(r.status == 200 and doc.get('dimensions') == ['month', 'nationality'] and doc.get('min_cell') == K,
       'GET /stats/flows: JSON with its dimensions and the minimum cell', r)
    cells = {(x['month'], x['nationality']): x for x in doc.get('rows', [])}
    base_cells = {k: v for k, v in cells.items() if '_T' not in k}
    ok(set(base_cells) == set(true), 'one row per month and nationality with crossings (zeros left out)',
       f'{sorted(set(base_cells) ^ set(true))}')
    agree = all((v['count'] == true[k] and v['conf_status'] is None) or
                (v['count'] is None and v['conf_status'] == 'C') for k, v in base_cells.items())
    ok(agree, 'every published count equals the count made from the file; hidden ones are C with no count')
    small = [k for k, v in cells.items() if v['count'] is not None and 0 < v['count'] < K]
    ok(not small, 'no published cell (margins included) is below K', small)
    hidden = [k for k, v in base_cells.items() if v['conf_status'] == 'C']
    ok(any(true[k] < K for k in hidden) and all(true[k] >= K or k in hidden for k in true),
       'every cell below K is hidden (and some are)')
    # no hidden cell can be worked out from its row or column and their published totals
    for dim in (0, 1):
        lines = collections.defaultdict(list)
        for k, v in cells.items():
            other = k[1 - dim]
            lines[other].append((k, v))
        alone = [o for o, vs in lines.items() if sum(1 for _, v in vs if v['count'] is None) == 1]
        ok(not alone, f'no line along {["month", "nationality"][dim]} holds exactly one hidden cell', alone)
    tot = cells.get(('_T', '_T'), {})
    ok(tot.get('count') == 400, 'the grand total is 400', tot)

    # ---- CSV: the contract's columns and order; the same numbers as JSON
    r = get(q + '&totals=true&format=csv')
    text = r.body.decode()
    lines = text.split('\r\n')
    ok(r.status == 200 and r.h.get('content-type', '').startswith('text/csv') and
       lines[0] == 'month,nationality,count,conf_status' and 'attachment' in r.h.get('content-disposition', ''),
       'format=csv: month,nationality,count,conf_status as an attachment', r)
    parsed = list(csv.reader(io.StringIO(text)))[1:]
    same = all(cells[(m, n)]['count'] == (int(c) if c else None) and
               (cells[(m, n)]['conf_status'] or '') == s for m, n, c, s in parsed)
    ok(len(parsed) == len(cells) and same, 'the CSV rows are the JSON rows', parsed[:5])
    ok(all(re.fullmatch(r'2024-0[1-6]|_T', m) for m, *_ in parsed), 'months are YYYY-MM, margins _T')

    # ---- SDMX-CSV
    r = get(q + '&format=sdmx-csv')
    sd = list(csv.reader(io.StringIO(r.body.decode())))
    ok(r.status == 200 and sd[0] == ['STRUCTURE', 'STRUCTURE_ID', 'ACTION', 'freq', 'unit', 'citizen', 'geo',
                                      'TIME_PERIOD', 'OBS_VALUE', 'CONF_STATUS'],
       'format=sdmx-csv: STRUCTURE, STRUCTURE_ID, ACTION, freq, unit, citizen, geo, TIME_PERIOD, OBS_VALUE, '
       'CONF_STATUS', sd[:2])
    inv = {v: k for k, v in ALPHA2.items()}
    sd_ok = all(row[0] == 'dataflow' and row[1] == 'MMIS:CROSSINGS(1.0)' and row[2] == 'I' and row[3] == 'M' and
                row[6] == 'ME' and ((row[9] == 'F' and int(row[8]) == true[(row[7], inv[row[5]])]) or
                                    (row[9] == 'C' and row[8] == 'NaN' and
                                     cells[(row[7], inv[row[5]])]['conf_status'] == 'C'))
                for row in sd[1:])
    ok(len(sd) - 1 == len(base_cells) and sd_ok,
       'SDMX-CSV observations equal the counts (citizen as Eurostat codes: EL, XK; hidden: NaN, C)')

    # ---- XLSX, read back
    r = get(q + '&totals=true&format=xlsx')
    ok(r.status == 200 and r.body[:2] == b'PK' and 'spreadsheetml' in r.h.get('content-type', ''),
       'format=xlsx: a workbook', r.h)
    try:
        sheet, notes, names = read_xlsx(r.body)
    except Exception as e:  # noqa: BLE001
        sheet, notes, names = [], [], []
        ok(False, 'the workbook reads back', repr(e))
    ok(names == ['crossings', 'notes'], 'one sheet for the table and a notes sheet', names)
    ok(sheet and sheet[0] == ['month', 'nationality', 'count', 'conf_status'], 'the sheet\'s header', sheet[:1])
    xl = [(row + ['', '', '', ''])[:4] for row in sheet[1:]]
    ok(sorted(map(tuple, xl)) == sorted(map(tuple, parsed)), 'the XLSX rows are the CSV rows')
    notes_text = ' '.join(' '.join(r) for r in notes)
    ok('Suppression' in notes_text and 'K = 5' in notes_text and 'Definition' in notes_text and
       'Source' in notes_text, 'the notes sheet: source, definition, suppression rule', notes_text[:300])

    # ---- quarters, and other tables
    r = get('/api/v1/stats/flows?from=2024-01-01&to=2024-06-30&by=quarter,bcp&format=csv')
    ok(r.status == 200 and re.search(r'\r\n2024-Q1,MNE-DBR,\d+,\r\n', r.body.decode()), 'quarters are YYYY-Qn', r)
    r = get('/api/v1/stats/refusals?from=2024-01-01&to=2024-06-30&by=ground')
    ok(r.status == 200 and r.json and r.json.get('rows') == [], 'refusals: an empty table when there are none', r)
    r = get('/api/v1/stats/overstays?by=nationality,sex')
    ok(r.status == 200 and r.json and r.json.get('dimensions') == ['nationality', 'sex'], 'overstays by nationality, sex', r)

    # ---- the analyst cannot lower the minimum; may raise it
    r = get(q + '&min_cell=0')
    ok(r.status == 403 and r.json and r.json.get('field') == 'min_cell', 'an analyst asking min_cell=0: 403', r)
    r = get(q + '&min_cell=2')
    ok(r.status == 403, 'an analyst asking a minimum below the deployment\'s: 403', r)
    r = get(q + '&min_cell=50')
    ok(r.status == 200 and r.json and r.json['min_cell'] == 50 and
       all(x['count'] is None or x['count'] >= 50 for x in r.json['rows']), 'min_cell=50: nothing below 50', r)
    # ---- the statistical unit's internal analyst may turn suppression off, audited as such
    r = get(q + '&min_cell=0', who='statunit')
    ok(r.status == 200 and r.json and r.json['min_cell'] == 0 and
       {(x['month'], x['nationality']): x['count'] for x in r.json['rows']} == dict(true),
       'an internal analyst asking min_cell=0: every count, equal to the file\'s', r)
    r = get('/api/v1/stats/cases?from=2024-01-01&to=2024-06-30&by=case_type&min_cell=0', who='statunit')
    ok(r.status == 403 and r.json and r.json.get('field') == 'min_cell',
       'cases below 11 are refused even to an internal analyst', r)
    r = get(q, who='officer')
    ok(r.status == 403, 'a border officer: 403', r)
    r = get(q, who='exchange')
    ok(r.status == 200, 'an exchange officer reads suppressed statistics', r)

    # ---- bad queries: 4xx naming the parameter
    for path, field, what in (
            ('/api/v1/stats/flows?from=2024-01-01&to=2024-06-30&by=month,planet', 'by', 'an unknown dimension'),
            ('/api/v1/stats/flows?from=2024-06-30&to=2024-01-01&by=month', 'from', 'from after to'),
            ('/api/v1/stats/flows?from=2024-13-01&to=2024-12-31&by=month', 'from', 'month 13'),
            ('/api/v1/stats/flows?from=2024-01-01&to=2024-06-30&by=month&format=pdf', 'format', 'an unknown format'),
            ('/api/v1/stats/flows?from=2024-01-01&to=2024-06-30&by=month&totals=maybe', 'totals', 'totals=maybe'),
            ('/api/v1/stats/flows?to=2024-06-30&by=month', 'from', 'no from'),
            ('/api/v1/stats/flows?from=2024-01-01&to=2024-06-30&by=month,month', 'by', 'a repeated dimension'),
            ('/api/v1/stats/refusals?from=2024-01-01&to=2024-06-30&by=transport', 'by', 'a dimension refusals lack'),
            ('/api/v1/stats/indicators?year=24', 'year', 'a two-digit year'),
            ('/api/v1/stats/indicators', 'year', 'no year'),
            ('/api/v1/stats/trends/alerts?month=2024-13', 'month', 'month 13'),
            ('/api/v1/stats/flows?from=2024-01-01&to=2024-06-30&by=month&colour=red', 'colour', 'an unknown parameter')):
        r = get(path)
        ok(400 <= r.status < 500 and r.json and r.json.get('field') == field,
           f'{what}: {r.status} naming {field}', r)

    # ---- indicators, series, regional, alerts
    r = get('/api/v1/stats/indicators?year=2011')
    nmr = (r.json or {}).get('net_migration_rate') or {}
    ok(r.status == 200 and nmr.get('value') == -0.8 and -0.8 < nmr.get('exact', 0) < -0.79 and
       nmr.get('period') == '2011' and 'MONSTAT' in nmr.get('source', ''), 'indicators 2011: -0.8 per 1,000, exact, source', r)
    ok(r.json and r.json.get('remittances_usd', {}).get('value') == 441000000 and
       r.json.get('women_pct_immigrants') is None, 'remittances with their source; women among immigrants null', r)
    r = get('/api/v1/stats/indicators?year=2011&country=SRB')
    ok(r.status == 200 and r.json and r.json['net_migration_rate'] is None and r.json['long_term'] is None and
       r.json['population']['value'] == 7186862, 'a neighbour\'s indicators (inputs missing: null)', r)
    r = get('/api/v1/stats/series?country=MNE')
    ok(r.status == 200 and r.json and len(r.json['items']) == 4, 'GET /stats/series?country=MNE', r)
    r = get('/api/v1/stats/regional?from=2011&to=2011')
    ok(r.status == 200 and r.json and {x['country'] for x in r.json['items']} == {'MNE', 'SRB'},
       'GET /stats/regional: Montenegro and Serbia side by side', r)
    r = get('/api/v1/stats/trends/alerts?month=2024-06')
    ok(r.status == 200 and r.json and r.json.get('month') == '2024-06' and r.json.get('alerts') == [],
       'GET /stats/trends/alerts: no alert without earlier years', r)

    protection(inst, server, get)

    # ---- every export is in the audit trail
    r = server.request('GET', '/api/v1/audit?action=stats.crossings&limit=1000', token=tokens['auditor'])
    details = ' | '.join(e.get('detail', '') for e in (r.json or {}).get('items', []))
    ok(r.status == 200 and all(f in details for f in (', csv:', ', sdmx-csv:', ', xlsx:', ', json:')),
       'every table and export is audited with its format', details[:600])
    ok('min cell 0 (below the deployment\'s)' in details, 'the unsuppressed table is audited as below the deployment\'s minimum', details[:600])
    ok(re.search(r'denied', ' '.join(e.get('outcome', '') for e in r.json['items'])) is not None,
       'the refused minimum is audited as denied')

    # ---- the CLI as the system: unsuppressed exports agree with the file too
    out = os.path.join(tmp, 'all.csv')
    r = base.run(g + ['stats', 'flows', '--from', '2024-01-01', '--to', '2024-06-30', '--by', 'month,nationality',
                      '--min-cell', '0', '--output', out], env)
    with open(out) as f:
        allrows = list(csv.reader(f))[1:]
    ok(r.returncode == 0 and {(m, n): int(c) for m, n, c, _ in allrows} == dict(true),
       'mmis stats flows --min-cell 0: every count equals the file\'s', r.stderr)
    xout = os.path.join(tmp, 'all.xlsx')
    r = base.run(g + ['stats', 'flows', '--from', '2024-01-01', '--to', '2024-06-30', '--by', 'month,nationality',
                      '--min-cell', '0', '--format', 'xlsx', '--output', xout], env)
    with open(xout, 'rb') as f:
        xsheet, _, _ = read_xlsx(f.read())
    ok(r.returncode == 0 and {(m, n): int(c) for m, n, c, *_ in xsheet[1:]} == dict(true),
       'mmis stats flows --format xlsx --min-cell 0: every count equals the file\'s', r.stderr)

    rc = server.stop()
    ok(rc == 0, 'the server stops with 0')
    return server


if __name__ == '__main__':
    main()
