#!/usr/bin/env python3
"""Black-box tests of the screening routes (docs/api.md) against a real `mmis serve`.

A temporary SQLite database made with `mmis init`; alert lists imported with the CLI (one while
the server runs, which it must notice by itself); users of the border, screening-client, analyst
and auditor roles with their tokens. Then POST /api/v1/screen (one query, a batch, bad input that
must be a 4xx naming the field while the server keeps serving), GET /api/v1/watchlists, the hits
raised on crossings, their confirmation and dismissal, and permissions by role. Reuses the helpers
of apilib.py. Python standard library only; TAP on stdout. Needs $MMIS.
"""
import os
import re
import sys
import time

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import apilib as base  # noqa: E402

ok = base.ok

ALERTS = ('id,name,aliases,birth_date,nationality,document_number\n'
          'NA-1,Мухамед Абдулах,محمد عبد الله,1984-06-15,JOR,\n'
          'NA-2,Radomir Vukašinović,,1969-02-11,SRB,X123456\n')


def main():
    base.main('mmis-api-screen.', suite)


def suite(tmp):
    inst = base.Instance(tmp)
    env, g = inst.env, inst.g
    inst.agencies((('BP', 'police'), ('DM', 'government')))
    tokens = inst.tokens
    users = (('officer', 'border_officer', 'BP'), ('officer2', 'border_officer', 'BP'),
             ('super', 'border_supervisor', 'BP'), ('other', 'border_officer', 'DM'),
             ('client', 'screening_client', 'DM'), ('analyst', 'analyst', 'DM'),
             ('auditor', 'auditor', 'DM'))
    inst.users(users, 'users and tokens for every role')
    path = os.path.join(tmp, 'alerts.csv')
    with open(path, 'w', encoding='utf-8') as f:
        f.write(ALERTS)
    r = base.run(g + ['watchlist', 'import', path, '--list', 'national-alerts', '--category', 'entry_ban',
                      '--action', 'refuse_entry'], env)
    ok(r.returncode == 0, 'a list imported before the server starts', r.stderr.decode())

    server = inst.serve()

    def req(method, path, body=None, who='officer', headers=None):
        return inst.req(method, path, body, who, headers)

    def problem(r, status, field):
        return (r.status == status and r.json and r.json.get('field') == field and
                'problem+json' in r.h.get('content-type', ''))

    # ---- one query, a batch
    r = req('POST', '/api/v1/screen', {'id': 'q1', 'name': 'MOHAMMED ABDULLAH', 'birth_date': '1984',
                                       'nationality': 'JOR'}, who='client')
    hits = (r.json or {}).get('hits', [])
    ok(r.status == 200 and r.json.get('id') == 'q1' and len(hits) == 1 and hits[0]['entry_id'] == 'NA-1' and
       hits[0]['list'] == 'national-alerts' and hits[0]['action'] == 'refuse_entry' and
       hits[0]['name'] == 'Мухамед Абдулах' and hits[0]['score'] >= 0.8 and len(hits[0]['reasons']) >= 2,
       'a screening client screens a Latin name against a Cyrillic entry, with reasons', r)
    r = req('POST', '/api/v1/screen', {'queries': [{'id': 1, 'name': 'Radomir Vukasinovic'},
                                                   {'id': 2, 'name': 'Ivana Horvat'},
                                                   {'id': 3, 'document_number': 'x-123 456'}],
                                       'threshold': 0.85, 'limit': 5}, who='client')
    res = (r.json or {}).get('results', [])
    ok(r.status == 200 and [x['id'] for x in res] == [1, 2, 3] and res[0]['hits'][0]['entry_id'] == 'NA-2' and
       res[1]['hits'] == [] and res[2]['hits'][0]['score'] == 1.0,
       'a batch: one result per query, in order (a document number hits exactly)', r)
    r = req('POST', '/api/v1/screen', {'name': 'Radomir Vukasinovic', 'threshold': 1.0})
    ok(r.status == 200 and all(h['score'] >= 1.0 for h in r.json['hits']), 'threshold in a single query', r)

    # ---- bad input: 4xx naming the field, and the server keeps serving
    r = req('POST', '/api/v1/screen', {'name': ''})
    ok(problem(r, 422, 'name'), 'an empty name: 422 naming name', r)
    r = req('POST', '/api/v1/screen', {'name': '—.,;!?'})
    ok(problem(r, 422, 'name') and 'no letters' in r.json.get('detail', ''), 'a name of punctuation only: 422', r)
    r = req('POST', '/api/v1/screen', {'name': 'a' * 10240})
    ok(problem(r, 422, 'name') and '1024' in r.json.get('detail', ''), 'a 10 kB name: 422', r)
    r = req('POST', '/api/v1/screen', b'{"name":"Bad \xff\xfe UTF-8"}', headers={'Content-Type': 'application/json'})
    ok(r.status == 400 and r.json and 'decode byte 0xff' in r.json.get('detail', ''), 'invalid UTF-8: 400', r)
    r = req('POST', '/api/v1/screen', {'name': 'Ivan', 'dob': '1980'})
    ok(problem(r, 422, 'dob'), 'an unknown member: 422 naming it', r)
    r = req('POST', '/api/v1/screen', {'id': 'x'})
    ok(problem(r, 422, 'name'), 'no name and no document number: 422 naming name', r)
    r = req('POST', '/api/v1/screen', {'queries': [{'name': 'Ivan Petrov'}, {'name': '...'}]})
    ok(problem(r, 422, 'queries[1].name') and r.json['detail'].startswith('queries[1]: '),
       'a bad query in a batch: 422 naming queries[1].name', r)
    r = req('POST', '/api/v1/screen', {'queries': []})
    ok(problem(r, 422, 'queries'), 'an empty batch: 422', r)
    r = req('POST', '/api/v1/screen', {'queries': [{'name': 'A B'}] * 1001})
    ok(problem(r, 422, 'queries'), 'more than 1000 queries: 422', r)
    r = req('POST', '/api/v1/screen', {'name': 'Ivan', 'threshold': 0})
    ok(problem(r, 422, 'threshold'), 'threshold 0: 422', r)
    r = req('POST', '/api/v1/screen', {'name': 'Ivan', 'limit': 0})
    ok(problem(r, 422, 'limit'), 'limit 0: 422', r)
    r = req('POST', '/api/v1/screen', {'name': 'Ivan', 'sex': 'male'})
    ok(problem(r, 422, 'sex'), 'a bad sex: 422', r)
    r = req('POST', '/api/v1/screen', 'not json', headers={'Content-Type': 'application/json'})
    ok(r.status == 400, 'not JSON: 400', r)
    r = req('GET', '/api/v1/healthz')
    ok(r.status == 200, 'the server keeps serving', r)

    # ---- permissions
    r = req('POST', '/api/v1/screen', {'name': 'Ivan Petrov'}, who='analyst')
    ok(r.status == 403, 'an analyst may not screen', r)
    r = req('POST', '/api/v1/screen', {'name': 'Ivan Petrov'}, who='super')
    ok(r.status == 200, 'a border supervisor may', r)
    r = req('GET', '/api/v1/hits', who='client')
    ok(r.status == 403, 'a screening client reads no hits', r)
    r = req('POST', '/api/v1/crossings', {'document_type': 'P', 'issuing_state': 'JOR', 'document_number': 'Q1',
                                          'surname': 'X', 'bcp': 'MNE-TGD', 'direction': 'entry'}, who='client')
    ok(r.status == 403, 'nor records crossings', r)

    # ---- the lists, and a list imported while the server runs
    r = req('GET', '/api/v1/watchlists', who='client')
    items = (r.json or {}).get('items', [])
    ok(r.status == 200 and [x['name'] for x in items] == ['national-alerts'] and items[0]['entry_count'] == 2 and
       r.json['screening']['entries'] == 2, 'GET /watchlists: the lists and the index', r)
    path = os.path.join(tmp, 'second.csv')
    with open(path, 'w', encoding='utf-8') as f:
        f.write('id,name,birth_date\nW-1,Ivana Horvat,1992-09-09\n')
    r = base.run(g + ['watchlist', 'import', path, '--list', 'wanted', '--category', 'wanted', '--action', 'detain'], env)
    ok(r.returncode == 0, 'a second list imported by the CLI while the server runs', r.stderr.decode())
    found = False
    end = time.time() + 20
    while time.time() < end and not found:
        r = req('POST', '/api/v1/screen', {'name': 'Ivana Horvat'}, who='client')
        found = r.status == 200 and any(h['entry_id'] == 'W-1' for h in r.json['hits'])
        if not found:
            time.sleep(0.2)
    ok(found, 'the server screens against it within seconds, without a restart', r)
    r = req('GET', '/api/v1/watchlists', who='client')
    ok(r.status == 200 and r.json['screening']['lists'] == 2 and r.json['screening']['entries'] == 3 and
       r.json['screening']['rebuilding'] is False, 'the index has both lists', r)

    # ---- hits on crossings
    listed = {'document_type': 'P', 'issuing_state': 'JOR', 'document_number': 'DM4417205', 'surname': 'ABDULLAH',
              'given_names': 'MOHAMMED', 'sex': 'M', 'birth_date': '1984-06-15', 'nationality': 'JOR',
              'bcp': 'MNE-TGD', 'direction': 'entry'}
    r = req('POST', '/api/v1/crossings', listed)
    hits = (r.json or {}).get('hits', [])
    ok(r.status == 201 and len(hits) == 1 and hits[0]['action'] == 'refuse_entry' and hits[0]['status'] == 'pending' and
       hits[0]['entry']['names'][0] == 'Мухамед Абдулах' and hits[0]['entry']['birth_dates'] == ['1984-06-15'] and
       len(hits[0]['reasons']) >= 2 and r.json['screening']['current'] is True,
       'a crossing of a listed traveller answers the hit with the entry and the reasons', r)
    hid = hits[0]['id'] if hits else 'none'
    crossing_id = (r.json or {}).get('crossing', {}).get('id')
    ok(hits and hits[0]['crossing_id'] == crossing_id, 'the hit belongs to the crossing')
    r = req('POST', '/api/v1/crossings', dict(listed, document_number='HR7766554', surname='Horvat',
                                              given_names='Ivana', sex='F', birth_date='1992-09-09',
                                              nationality='HRV', issuing_state='HRV'))
    ok(r.status == 201 and len(r.json['hits']) == 1 and r.json['hits'][0]['action'] == 'detain',
       'another traveller hits the list imported later', r)
    hid2 = r.json['hits'][0]['id'] if r.status == 201 and r.json['hits'] else 'none'
    r = req('POST', '/api/v1/crossings', dict(listed, document_number='AT1112223', surname='Gruber',
                                              given_names='Lukas', issuing_state='AUT', nationality='AUT',
                                              birth_date='1990-01-01'))
    ok(r.status == 201 and r.json['hits'] == [], 'a traveller on no list: no hits', r)

    r = req('GET', '/api/v1/hits?status=pending')
    ok(r.status == 200 and {h['id'] for h in r.json['items']} == {hid, hid2}, 'GET /hits?status=pending', r)
    r = req('GET', '/api/v1/hits?status=maybe')
    ok(problem(r, 400, 'status'), 'an unknown status: 400 naming status', r)
    r = req('GET', '/api/v1/hits?limit=0')
    ok(problem(r, 400, 'limit'), 'a bad limit: 400', r)
    r = req('GET', f'/api/v1/hits/{hid}')
    ok(r.status == 200 and r.json['id'] == hid and r.json['list'] == 'national-alerts', 'GET /hits/{id}', r)
    r = req('GET', f'/api/v1/hits/{hid}', who='other')
    ok(r.status == 404, 'an officer of another agency: 404', r)
    r = req('GET', '/api/v1/hits', who='other')
    ok(r.status == 200 and r.json['items'] == [], 'and an empty list', r)
    r = req('GET', '/api/v1/hits/01900000-0000-7000-8000-000000000000')
    ok(r.status == 404, 'an unknown hit: 404', r)

    r = req('POST', f'/api/v1/hits/{hid}/dismiss', {})
    ok(problem(r, 422, 'note'), 'dismissing needs a note: 422 naming note', r)
    r = req('POST', f'/api/v1/hits/{hid}/dismiss', {'note': 'x' * 2001})
    ok(problem(r, 422, 'note'), 'a note longer than 2000 bytes: 422', r)
    r = req('POST', f'/api/v1/hits/{hid}/dismiss', {'note': 'no', 'extra': 1})
    ok(problem(r, 422, 'extra'), 'an unknown member: 422', r)
    r = req('POST', f'/api/v1/hits/{hid}/dismiss', {'note': 'not him'}, who='officer2')
    ok(r.status == 403, "another officer may not decide the officer's hit", r)
    r = req('POST', f'/api/v1/hits/{hid}/dismiss', {'note': 'not him'}, who='other')
    ok(r.status == 404, 'an officer of another agency: 404', r)
    r = req('POST', f'/api/v1/hits/{hid}/dismiss', {'note': "Different father's name in the ID card."})
    ok(r.status == 200 and r.json['status'] == 'dismissed' and r.json['decided_by'] == 'officer' and
       r.json['note'].startswith('Different') and r.json['decided_at'], 'the officer dismisses it with a note', r)
    r = req('POST', f'/api/v1/hits/{hid}/confirm', {})
    ok(r.status == 409, 'a decided hit: 409', r)
    r = req('POST', f'/api/v1/hits/{hid2}/confirm', {'note': 'Detained, supervisor informed.'}, who='super')
    ok(r.status == 200 and r.json['status'] == 'confirmed' and r.json['decided_by'] == 'super',
       "the supervisor confirms a hit of the agency's officer", r)
    r = req('POST', '/api/v1/crossings', dict(listed, direction='exit'))
    ok(r.status == 201 and r.json['hits'] == [], 'the dismissed pair is not raised again for the same document', r)
    r = req('POST', '/api/v1/crossings', dict(listed, document_number='DM0000001', person_id=r.json['person']['id']))
    ok(r.status == 201 and len(r.json['hits']) == 1, 'another document of the same traveller is screened afresh', r)

    # ---- audited
    r = req('GET', '/api/v1/audit?action=screening_hit.dismiss&limit=100', who='auditor')
    ok(r.status == 200 and any(e['object_id'] == hid and e['outcome'] == 'ok' for e in r.json['items']),
       'a dismissal is audited', r)
    r = req('GET', '/api/v1/audit?action=screen.query&limit=1000', who='auditor')
    ok(r.status == 200 and sum(e['outcome'] == 'ok' for e in r.json['items']) >= 3 and
       any(re.search(r'1 query, 1 hits at 0\.85', e.get('detail') or '') for e in r.json['items']),
       'screening queries are audited with their counts', r)
    r = req('GET', '/api/v1/audit?action=request.denied&limit=1000', who='auditor')
    ok(r.status == 200 and any(e['actor'] == 'analyst' and e.get('object_id') == 'POST /api/v1/screen'
                               for e in r.json['items']), "the analyst's refused screening too", r)
    r = req('GET', '/api/v1/audit?action=crossing.create&limit=100', who='auditor')
    ok(r.status == 200 and any('alert-list hit' in (e.get('detail') or '') for e in r.json['items']),
       "a crossing's event counts its hits", r)

    rc = server.stop()
    ok(rc == 0, 'the server stops with 0')
    return server


if __name__ == '__main__':
    main()
