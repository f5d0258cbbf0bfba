#!/usr/bin/env python3
"""Black-box tests of the border routes (docs/api.md) against a real `mmis serve`.

A temporary SQLite database made with `mmis init`; agencies, users of the border, analyst and
case worker roles and their tokens made with the CLI; then crossings, travellers, refusals,
overstayers, the daily summary, CSV imports and permissions through the API. Reuses the helpers
of apilib.py. Python standard library only; TAP on stdout. Needs $MMIS.
"""
import csv
import datetime
import io
import os
import re
import sys

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import apilib as base  # noqa: E402

ok = base.ok
iso = base.iso


def check_digit(s):
    total = 0
    for i, ch in enumerate(s):
        if ch.isdigit():
            v = int(ch)
        elif ch.isalpha():
            v = ord(ch) - 55
        else:
            v = 0
        total += v * (7, 3, 1)[i % 3]
    return str(total % 10)


def td3(state, surname, given, number, nationality, birth, sex, expiry):
    """A TD3 (passport) MRZ with correct check digits; dates as YYMMDD."""
    name = (surname + '<<' + given.replace(' ', '<')).ljust(39, '<')[:39]
    line1 = 'P<' + state.ljust(3, '<') + name
    num = number.ljust(9, '<')
    personal = ''.ljust(14, '<')
    pcheck = '<'
    body = (num + check_digit(num) + nationality.ljust(3, '<') + birth + check_digit(birth) + sex +
            expiry + check_digit(expiry) + personal + pcheck)
    composite = check_digit(body[0:10] + body[13:20] + body[21:43])
    return line1 + '\n' + body + composite


def main():
    base.main('mmis-api-border.', suite)


def suite(tmp):
    inst = base.Instance(tmp)
    env, g = inst.env, inst.g
    inst.agencies((('BP', 'police'), ('DM', 'government'), ('CSW', 'social_work')))
    tokens = inst.tokens
    inst.users((('officer', 'border_officer', 'BP'), ('officer2', 'border_officer', 'DM'),
                ('super', 'border_supervisor', 'BP'), ('analyst', 'analyst', 'DM'),
                ('caseworker', 'case_worker', 'CSW'), ('auditor', 'auditor', 'DM')),
               'users and tokens for border_officer, border_supervisor, analyst, case_worker, auditor')

    server = inst.serve()

    def req(method, path, body=None, who='officer', headers=None):
        return inst.req(method, path, body, who, headers)

    now = datetime.datetime.now(datetime.timezone.utc).replace(microsecond=0)

    # ---- reference data
    r = req('GET', '/api/v1/bcps')
    codes = {b.get('code'): b for b in (r.json or {}).get('items', [])}
    ok(r.status == 200 and codes.get('MNE-DBR', {}).get('neighbour') == 'HRV' and
       codes.get('MNE-TGD', {}).get('kind') == 'air' and codes.get('MNE-KUL', {}).get('neighbour') == 'RKS',
       'GET /bcps lists Montenegro\'s BCPs (Debeli Brijeg HRV, Podgorica air, Kula RKS)', r)

    # ---- a crossing, and the same document again
    person = {'document_type': 'P', 'issuing_state': 'SRB', 'document_number': 'AB1234567',
              'surname': 'Petrović', 'given_names': 'Marko', 'sex': 'M', 'birth_date': '1980-05',
              'nationality': 'SRB', 'expiry_date': '2034-01-01'}
    t_in = now - datetime.timedelta(days=3)
    r = req('POST', '/api/v1/crossings', dict(person, bcp='MNE-DOB', direction='entry', time=iso(t_in),
                                              transport='car', purpose='tourism'))
    ok(r.status == 201 and r.json and r.json['crossing']['direction'] == 'entry' and
       r.json['person']['birth_date'] == '1980-05' and r.json['status']['present'] is True and
       r.json['status']['days_used'] == 1 and r.json['flags'] == [] and r.json['warnings'] == [],
       'POST /crossings: an entry, with the stay status on its day', r)
    pid = (r.json or {}).get('person', {}).get('id')
    again = dict(person, document_number='ab-123 4567')
    t_out = now - datetime.timedelta(hours=1)
    r = req('POST', '/api/v1/crossings', dict(again, bcp='MNE-DOB', direction='exit', time=iso(t_out)))
    # entry and exit days both count (4, or 3 when run in the first hour of a UTC day)
    ok(r.status == 201 and r.json and r.json['person']['id'] == pid and r.json['flags'] == [] and
       r.json['status']['present'] is False and
       r.json['status']['days_used'] == (t_out.date() - t_in.date()).days + 1,
       'the same document (number written differently) finds the same person; the exit closes the stay', r)
    r = req('GET', f'/api/v1/persons/{pid}')
    ok(r.status == 200 and r.json and len(r.json.get('crossings', [])) == 2 and
       r.json['documents'][0]['number'] == 'AB1234567' and r.json['status']['present'] is False,
       'GET /persons/{id}: documents, crossing history and status', r)
    r = req('GET', '/api/v1/persons?document_number=AB1234567&issuing_state=SRB')
    ok(r.status == 200 and r.json and [p['id'] for p in r.json['items']] == [pid],
       'GET /persons?document_number&issuing_state finds the traveller', r)

    # ---- exit without entry: recorded, flagged
    r = req('POST', '/api/v1/crossings', {'document_type': 'P', 'issuing_state': 'ALB', 'document_number': 'BA0001',
                                          'surname': 'Hoxha', 'given_names': 'Elira', 'sex': 'F',
                                          'bcp': 'MNE-SUK', 'direction': 'exit'})
    ok(r.status == 201 and r.json and 'exit_without_entry' in r.json['flags'] and
       'exit_without_entry' in r.json['crossing']['flags'], 'an exit without a recorded entry: 201, flagged', r)

    # ---- refused input: nothing saved
    def nobody(number):
        q = req('GET', f'/api/v1/persons?document_number={number}', who='super')
        return q.status == 200 and q.json and q.json['items'] == []

    r = req('POST', '/api/v1/crossings', {'document_type': 'P', 'issuing_state': 'BIH', 'document_number': 'FUT001',
                                          'surname': 'Future', 'bcp': 'MNE-SIT', 'direction': 'entry',
                                          'time': iso(now + datetime.timedelta(hours=2))})
    ok(r.status == 422 and r.json and r.json.get('field') == 'time' and nobody('FUT001'),
       'a crossing in the future: 422 naming time, nothing saved', r)
    r = req('POST', '/api/v1/crossings', {'document_type': 'P', 'issuing_state': 'BIH', 'document_number': 'FUT002',
                                          'surname': 'Skew', 'bcp': 'MNE-SIT', 'direction': 'entry',
                                          'time': iso(now + datetime.timedelta(minutes=2))})
    ok(r.status == 201, 'two minutes ahead (clock skew) is accepted', r)
    r = req('POST', '/api/v1/crossings', {'document_type': 'P', 'issuing_state': 'BIH', 'document_number': 'UNK001',
                                          'surname': 'Nowhere', 'bcp': 'MNE-XXX', 'direction': 'entry'})
    ok(r.status == 422 and r.json and r.json.get('field') == 'bcp' and 'MNE-XXX' in r.json.get('detail', '') and
       nobody('UNK001'), 'an unknown BCP: 422 naming bcp, nothing saved', r)
    eb = {'document_type': 'I', 'issuing_state': 'RKS', 'document_number': 'EB0001', 'surname': 'Berisha',
          'given_names': 'Driton', 'sex': 'M', 'bcp': 'MNE-KUL'}
    r = req('POST', '/api/v1/crossings', dict(eb, direction='entry', time=iso(now - datetime.timedelta(hours=1))))
    ok(r.status == 201, 'an entry of a Kosovo (RKS) identity card', r)
    r = req('POST', '/api/v1/crossings', dict(eb, direction='exit', time=iso(now - datetime.timedelta(hours=2))))
    q = req('GET', '/api/v1/persons?document_number=EB0001')
    hist = req('GET', f"/api/v1/persons/{q.json['items'][0]['id']}") if q.json and q.json['items'] else None
    ok(r.status == 422 and r.json and r.json.get('field') == 'time' and hist is not None and
       len(hist.json['crossings']) == 1, 'an exit before its entry: 422 naming time, nothing saved', r)
    r = req('POST', '/api/v1/crossings', {'document_type': 'P', 'issuing_state': 'SRB', 'document_number': 'X1',
                                          'surname': 'Dir', 'bcp': 'MNE-DOB', 'direction': 'sideways'})
    ok(r.status == 422 and r.json and r.json.get('field') == 'direction', 'a bad direction: 422 naming direction', r)
    r = req('POST', '/api/v1/crossings', {'document_type': 'P', 'issuing_state': 'SRB', 'document_number': 'X1',
                                          'surname': 'Dir', 'bcp': 'MNE-DOB', 'direction': 'entry', 'colour': 'red'})
    ok(r.status == 422 and r.json and r.json.get('field') == 'colour', 'an unknown member: 422 naming it', r)

    # ---- an expired document: recorded with a warning
    r = req('POST', '/api/v1/crossings', {'document_type': 'P', 'issuing_state': 'TUR', 'document_number': 'U0EXP1',
                                          'surname': 'Yılmaz', 'given_names': 'Ayşe', 'sex': 'F',
                                          'expiry_date': '2020-01-01', 'bcp': 'MNE-TGD', 'direction': 'entry'})
    ok(r.status == 201 and r.json and any('expired' in w for w in r.json['warnings']) and
       'document_expired' in r.json['flags'], 'an expired document: 201 with a warning and a flag', r)

    # ---- MRZ
    mrz = td3('D', 'MUSTERMANN', 'ERIKA', 'C01X00T47', 'D', '830812', 'F', '310101')
    r = req('POST', '/api/v1/mrz/parse', {'mrz': mrz})
    ok(r.status == 200 and r.json is not None, 'POST /mrz/parse parses a TD3 MRZ', r)
    r = req('POST', '/api/v1/crossings', {'mrz': mrz, 'bcp': 'MNE-TIV', 'direction': 'entry', 'transport': 'aircraft'})
    ok(r.status == 201 and r.json and r.json['document']['issuing_state'] == 'DEU' and
       r.json['document']['number'] == 'C01X00T47' and r.json['person']['surname'] == 'MUSTERMANN',
       'POST /crossings with an MRZ (Germany D becomes DEU)', r)
    r = req('POST', '/api/v1/crossings', {'document_type': 'P', 'issuing_state': 'DEU', 'document_number': 'C01X00T47',
                                          'surname': 'Mustermann', 'bcp': 'MNE-TIV', 'direction': 'exit'})
    ok(r.status == 201 and r.json and r.json['flags'] == [], 'the same German passport typed by hand finds the person', r)

    # ---- refusals
    ref = {'document_type': 'P', 'issuing_state': 'UKR', 'document_number': 'FE000111', 'surname': 'Shevchenko',
           'given_names': 'Olena', 'sex': 'F', 'bcp': 'MNE-DBR'}
    r = req('POST', '/api/v1/refusals', dict(ref, grounds=['A', 'C'], note='no visa shown'))
    ok(r.status == 201 and r.json and [x['letter'] for x in r.json['refusal']['grounds']] == ['A', 'C'] and
       'travel document' in r.json['refusal']['grounds'][0]['text'], 'POST /refusals with grounds A and C', r)
    r = req('POST', '/api/v1/refusals', dict(ref, grounds=['Z']))
    ok(r.status == 422 and r.json and r.json.get('field') == 'grounds', 'a ground outside A..I: 422 naming grounds', r)
    r = req('POST', '/api/v1/refusals', dict(ref, grounds=[]))
    ok(r.status == 422 and r.json and r.json.get('field') == 'grounds', 'no ground: 422', r)
    r = req('GET', f'/api/v1/refusals?from={(now - datetime.timedelta(days=1)).date()}&to={now.date()}')
    ok(r.status == 200 and r.json and len(r.json['items']) == 1 and r.json['items'][0]['note'] == 'no visa shown',
       'GET /refusals?from&to lists it', r)
    r = req('GET', '/api/v1/refusals', who='officer2')
    ok(r.status == 200 and r.json and r.json['items'] == [], 'an officer of another agency does not see it', r)

    # ---- an overstayer
    over = {'document_type': 'P', 'issuing_state': 'RUS', 'document_number': '751234567', 'surname': 'Ivanov',
            'given_names': 'Ivan', 'sex': 'M', 'nationality': 'RUS', 'bcp': 'MNE-TGD'}
    r = req('POST', '/api/v1/crossings', dict(over, direction='entry', time=iso(now - datetime.timedelta(days=100))))
    ok(r.status == 201 and r.json and r.json['status']['days_used'] == 1, 'an entry 100 days ago', r)
    oid = (r.json or {}).get('person', {}).get('id')
    r = req('GET', '/api/v1/overstayers', who='super')
    items = (r.json or {}).get('items', [])
    mine = [o for o in items if o.get('person_id') == oid]
    ok(r.status == 200 and len(mine) == 1 and mine[0]['days_used'] == 101 and mine[0]['overstay_days'] == 11 and
       pid not in [o.get('person_id') for o in items], 'the overstayer appears, by 11 days (101 used)', r)
    r = req('GET', '/api/v1/overstayers?format=csv', who='super')
    rows = list(csv.reader(io.StringIO(r.body.decode()))) if r.status == 200 else []
    ok(r.status == 200 and r.h.get('content-type', '').startswith('text/csv') and rows and
       rows[0][0] == 'person_id' and any(row[0] == oid for row in rows[1:]), 'GET /overstayers?format=csv', r)
    r = req('GET', '/api/v1/overstayers', who='super', headers={'Accept': 'text/csv'})
    ok(r.status == 200 and r.h.get('content-type', '').startswith('text/csv'), 'GET /overstayers with Accept: text/csv', r)
    r = req('GET', f'/api/v1/overstayers?on={(now - datetime.timedelta(days=20)).date()}', who='super')
    ok(r.status == 200 and r.json and oid not in [o['person_id'] for o in r.json['items']],
       'not yet an overstayer 20 days ago (?on=)', r)
    r = req('GET', f'/api/v1/persons/{oid}')
    ok(r.status == 200 and r.json and r.json['status']['days_used'] == 101 and r.json['status']['present'] is True,
       'the traveller\'s status today', r)
    r = req('GET', '/api/v1/border/summary', who='super')
    ok(r.status == 200 and r.json and r.json['totals']['entries'] >= 2 and r.json['totals']['refusals'] == 1 and
       [x['count'] for x in r.json['refusals'] if x['ground'] in ('A', 'C')] == [1, 1],
       'GET /border/summary: today\'s crossings by BCP and refusals by ground', r)
    r = req('GET', '/api/v1/border/summary?date=2020-13-01', who='super')
    ok(r.status == 400 and r.json and r.json.get('field') == 'date', 'a bad date: 400 naming it', r)

    # ---- stay authorisations: a residence permit from 30 days ago takes the overstayer's last
    # 30 days out of the count (70 left) and decides the status
    day = lambda n: str((now + datetime.timedelta(days=n)).date())  # noqa: E731
    permit = {'kind': 'residence_permit', 'valid_from': day(-30), 'valid_to': day(335), 'number': 'RP-777'}
    path = f'/api/v1/persons/{oid}/authorisations'
    r = req('POST', path, permit)
    ok(r.status == 403 and r.json and r.json.get('status') == 403,
       'a border officer cannot record a stay authorisation (it needs border.supervise): 403', r)
    r = req('POST', path, permit, who='super')
    st = (r.json or {}).get('status', {})
    ok(r.status == 201 and st.get('basis') == 'residence_permit' and st.get('overstay_days') == 0 and
       st.get('summary') == f'residence permit valid until {day(335)}' and st.get('may_stay_until') == day(335) and
       [a.get('number') for a in r.json.get('stay_authorisations', [])] == ['RP777'],
       'POST /persons/{id}/authorisations: a residence permit, and the status it makes', r)
    r = req('GET', f'/api/v1/persons/{oid}', who='super')
    st = (r.json or {}).get('status', {})
    ok(r.status == 200 and st.get('basis') == 'residence_permit' and st.get('days_used') == 70,
       'the traveller\'s status reflects it: the permit\'s days do not count (70 of 101)', r)
    r = req('GET', '/api/v1/overstayers', who='super')
    ok(r.status == 200 and r.json is not None and oid not in [o['person_id'] for o in r.json['items']],
       'and the traveller is no longer an overstayer', r)
    r = req('POST', path, dict(permit, kind='tourist'), who='super')
    ok(r.status == 422 and r.json and r.json.get('field') == 'kind', 'an unknown kind: 422 naming kind', r)
    r = req('POST', path, {'kind': 'visa', 'valid_from': day(0), 'valid_to': day(9), 'days_allowed': 11},
            who='super')
    ok(r.status == 422 and r.json and r.json.get('field') == 'days_allowed',
       'a visa with more days than its validity: 422 naming days_allowed', r)
    r = req('POST', path, dict(permit, colour='red'), who='super')
    ok(r.status == 422 and r.json and r.json.get('field') == 'colour', 'an unknown member: 422 naming it', r)
    r = req('POST', '/api/v1/persons/01900000-0000-7000-8000-000000000000/authorisations', permit, who='super')
    ok(r.status == 404, 'an unknown traveller: 404', r)

    # ---- transport and purpose are codes from a table, not free text
    r = req('POST', '/api/v1/crossings', dict(person, bcp='MNE-DOB', direction='entry', transport='spaceship'))
    ok(r.status == 422 and r.json and r.json.get('field') == 'transport', 'an unknown transport code: 422 naming transport', r)
    r = req('POST', '/api/v1/crossings', dict(person, bcp='MNE-DOB', direction='entry', purpose='<b>fun</b>'))
    ok(r.status == 422 and r.json and r.json.get('field') == 'purpose', 'an unknown purpose code: 422 naming purpose', r)

    # ---- permissions
    r = req('GET', f'/api/v1/persons/{pid}', who='analyst')
    ok(r.status in (403, 404), 'an analyst cannot read a traveller', r)
    r = req('GET', f'/api/v1/persons/{pid}', who='caseworker')
    ok(r.status in (403, 404), 'a case worker cannot read a traveller', r)
    r = req('POST', '/api/v1/crossings', dict(person, bcp='MNE-DOB', direction='entry'), who='analyst')
    ok(r.status == 403, 'an analyst cannot record a crossing', r)
    r = req('GET', '/api/v1/overstayers')
    ok(r.status == 403, 'a border officer does not get the overstayers list (supervisors do)', r)
    r = req('GET', f'/api/v1/persons/{pid}', who='officer2')
    ok(r.status == 404, 'an officer of another agency: 404 for a traveller only BP has recorded', r)
    r = req('GET', f'/api/v1/persons/{pid}', who='super')
    ok(r.status == 200, 'a supervisor reads every traveller', r)
    r = req('GET', '/api/v1/audit?action=person.read&limit=1000', who='auditor')
    ok(r.status == 200 and r.json and any(e['object_id'] == pid and e['outcome'] == 'ok' for e in r.json['items']),
       'reads of travellers are audited', r)
    r = req('GET', '/api/v1/audit?action=crossing.create&limit=1000', who='auditor')
    ok(r.status == 200 and r.json and sum(e['outcome'] == 'failed' for e in r.json['items']) >= 3,
       'refused crossings are audited as failed', r)

    # ---- CSV import through the CLI: a bad date on line 7, nothing saved
    header = ('time,bcp,direction,document_type,issuing_state,document_number,surname,given_names,sex,'
              'birth_date,nationality,expiry_date,transport,purpose\n')
    lines = []
    for i in range(10):
        lines.append(f'{iso(now - datetime.timedelta(days=30 - i))},MNE-DBR,entry,P,HRV,IMP{i:04d},Horvat,Ivan,M,'
                     f'1975-02-03,HRV,2033-01-01,car,tourism\n')
    bad = list(lines)
    bad[5] = bad[5].replace(iso(now - datetime.timedelta(days=25))[:10], '2025-02-30')
    path = os.path.join(tmp, 'bad.csv')
    with open(path, 'w') as f:
        f.write(header + ''.join(bad))
    r = base.run(g + ['cross', 'import', path], env)
    err = r.stderr.decode()
    ok(r.returncode == 1 and re.search(r'line 7: .*(day|date)', err) and nobody('IMP0000'),
       'cross import: a bad date on line 7 names line 7 and saves nothing', err)
    path = os.path.join(tmp, 'good.csv')
    with open(path, 'w') as f:
        f.write(header + ''.join(lines))
    r = base.run(g + ['cross', 'import', path], env)
    ok(r.returncode == 0 and b'imported 10 crossings' in r.stdout and not nobody('IMP0009'),
       'cross import: the corrected file is imported', r.stdout + r.stderr)

    rc = server.stop()
    ok(rc == 0, 'the server stops with 0')
    return server


if __name__ == '__main__':
    main()
