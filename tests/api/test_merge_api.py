#!/usr/bin/env python3
"""Black-box tests of the duplicate-person routes (docs/api.md, docs/dedup.md) against a real
`mmis serve`.

A temporary SQLite database made with `mmis init`; agencies, border officers and supervisors of
two agencies, a case worker and an auditor with their tokens, made with the CLI. Travellers
recorded twice through the API; then detection (dry run and real), the queue and paging, one
proposal side by side, accept (the merged crossings make an overstay), revert (it goes away),
reject (never proposed again), reach (another agency's supervisor gets 404), permissions (403),
and bad input (400 for the query, 422 naming the field, 409 for the wrong state), the server
serving on. Reuses the helpers of apilib.py. Python standard library only; TAP on stdout.
"""
import datetime
import os
import sys
import uuid

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import apilib as base  # noqa: E402

ok = base.ok
iso = base.iso


def main():
    base.main('mmis-api-merge.', suite)


def suite(tmp):
    inst = base.Instance(tmp)
    inst.agencies((('BP', 'police'), ('BP2', 'police'), ('CSW', 'social_work'), ('DM', 'government')))
    tokens = inst.tokens
    accounts = (('officer', 'border_officer', 'BP'), ('super', 'border_supervisor', 'BP'),
                ('officer2', 'border_officer', 'BP2'), ('super2', 'border_supervisor', 'BP2'),
                ('caseworker', 'case_worker', 'CSW'), ('auditor', 'auditor', 'DM'))
    inst.users(accounts, 'users and tokens for officers, supervisors, case worker, auditor')

    server = inst.serve()

    def req(method, path, body=None, who='super', headers=None):
        return inst.req(method, path, body, who, headers)

    now = datetime.datetime.now(datetime.timezone.utc).replace(microsecond=0)

    def cross(number, surname, given, birth, direction, days_ago, who='officer', state='RUS'):
        body = {'document_type': 'P', 'issuing_state': state, 'document_number': number, 'surname': surname,
                'given_names': given, 'sex': 'M', 'nationality': state, 'bcp': 'MNE-TGD',
                'direction': direction, 'time': iso(now - datetime.timedelta(days=days_ago))}
        if birth:
            body['birth_date'] = birth
        r = req('POST', '/api/v1/crossings', body, who=who)
        return r.json['person']['id'] if r.status == 201 and r.json else None

    # One traveller on two passports: 61 days on the first, 71 (and still present) on the second.
    a = cross('R1000001', 'Smirnov', 'Dmitry', '1984-06-12', 'entry', 150)
    cross('R1000001', 'Smirnov', 'Dmitry', '1984-06-12', 'exit', 90)
    b = cross('R2000002', 'Smirnov', 'Dmitry', '1984-06-12', 'entry', 70)
    # Another on two passports, and a stranger.
    c = cross('R3000003', 'Ivanov', 'Ivan', '1970-01-02', 'entry', 40)
    d = cross('R4000004', 'Ivanov', 'Ivan', '1970-01-02', 'entry', 10)
    cross('S5000005', 'Jovanović', 'Ana', '1990-01-30', 'entry', 5, state='SRB')
    ok(all([a, b, c, d]) and len({a, b, c, d}) == 4, 'five travellers recorded, two of them twice')

    def overstaying(pid):
        r = req('GET', '/api/v1/overstayers')
        return r.status == 200 and r.json is not None and pid in [o['person_id'] for o in r.json['items']]

    ok(not overstaying(a) and not overstaying(b), 'neither record of Smirnov overstays alone')

    # ---- detection
    r = req('GET', '/api/v1/merges')
    ok(r.status == 200 and r.json == {'items': [], 'total': 0, 'limit': 50, 'offset': 0},
       'GET /merges: an empty queue', r)
    r = req('POST', '/api/v1/merges/detect', {}, who='officer')
    ok(r.status == 403 and r.json and r.json.get('status') == 403, 'a border officer cannot run a detection: 403', r)
    r = req('POST', '/api/v1/merges/detect', {'dry_run': True})
    pairs = (r.json or {}).get('pairs', [])
    ok(r.status == 200 and r.json['dry_run'] is True and r.json['persons'] == 5 and r.json['proposed'] == 2 and
       len(pairs) == 2 and all(p['merge_id'] is None and p['status'] == 'new' for p in pairs),
       'POST /merges/detect {dry_run}: two pairs it would propose, with their reasons', r)
    r = req('GET', '/api/v1/merges')
    ok(r.status == 200 and r.json['total'] == 0, 'a dry run stores nothing', r)
    r = req('POST', '/api/v1/merges/detect', {'threshold': 0.85})
    ok(r.status == 200 and r.json['proposed'] == 2 and r.json['found'] == 2 and 'pairs' not in r.json,
       'POST /merges/detect stores two proposals', r)
    r = req('POST', '/api/v1/merges/detect', {})
    ok(r.status == 200 and r.json['proposed'] == 0 and r.json['refreshed'] == 2,
       'detecting again refreshes them, proposes nothing twice', r)
    for body, field in (({'threshold': 0.2}, 'threshold'), ({'threshold': 'high'}, 'threshold'),
                        ({'threshold': 1.5}, 'threshold'), ({'dry_run': 'yes'}, 'dry_run'),
                        ({'colour': 'red'}, 'colour')):
        r = req('POST', '/api/v1/merges/detect', body)
        ok(r.status == 422 and r.json and r.json.get('field') == field,
           f'detect with {body}: 422 naming {field}', r)
    r = req('POST', '/api/v1/merges/detect', '{"threshold": ', headers={'Content-Type': 'application/json'})
    ok(r.status == 400, 'detect with broken JSON: 400', r)

    # ---- the queue
    r = req('GET', '/api/v1/merges')
    items = (r.json or {}).get('items', [])
    ok(r.status == 200 and r.json['total'] == 2 and all(m['open'] and m['status'] == 'proposed' for m in items) and
       items[0]['score'] >= items[1]['score'] >= 0.85,
       'the queue: two open proposals, best score first', r)

    def proposal(x, y):
        r = req('GET', '/api/v1/merges?status=all&limit=500')
        for m in (r.json or {}).get('items', []):
            if {p['id'] for p in m['persons']} == {x, y}:
                return m['id']
        return None

    ab, cd = proposal(a, b), proposal(c, d)
    ok(ab and cd, 'each pair has its proposal')
    r = req('GET', '/api/v1/merges?limit=1')
    r2 = req('GET', '/api/v1/merges?limit=1&offset=1')
    ok(r.status == 200 and r2.status == 200 and len(r.json['items']) == 1 and len(r2.json['items']) == 1 and
       r.json['items'][0]['id'] != r2.json['items'][0]['id'] and r.json['total'] == 2,
       'paging with limit and offset', (r, r2))
    for q, field in (('status=maybe', 'status'), ('limit=0', 'limit'), ('limit=501', 'limit'),
                     ('limit=ten', 'limit'), ('offset=-1', 'offset'), ('colour=red', 'colour')):
        r = req('GET', f'/api/v1/merges?{q}')
        ok(r.status == 400 and r.json and r.json.get('field') == field, f'GET /merges?{q}: 400 naming {field}', r)

    # ---- one proposal, side by side
    r = req('GET', f'/api/v1/merges/{ab}')
    m = r.json or {}
    persons = {p['id']: p for p in m.get('persons', [])}
    ok(r.status == 200 and set(persons) == {a, b} and m.get('reasons') and
       persons[a]['counts']['crossing'] == 2 and persons[b]['counts']['crossing'] == 1 and
       [x['number'] for x in persons[a]['documents']] == ['R1000001'] and persons[a]['last_crossing_at'],
       'GET /merges/{id}: both persons with documents, crossing counts and the explanation', r)
    ok(all({'field', 'how', 'text'} <= set(x) for x in m.get('reasons', [])),
       'every reason says what was compared, how, and in words', m.get('reasons'))
    r = req('GET', f'/api/v1/merges/{ab}', who='super2')
    ok(r.status == 404 and r.json and r.json.get('status') == 404,
       'a supervisor of another agency: 404 (outside reach, no hint it exists)', r)
    r = req('GET', '/api/v1/merges', who='super2')
    ok(r.status == 200 and r.json['total'] == 0, 'and an empty queue', r)
    for bad in ('not-a-uuid', str(uuid.uuid4())):
        r = req('GET', f'/api/v1/merges/{bad}')
        ok(r.status == 404, f'GET /merges/{bad}: 404', r)
    for who in ('officer', 'caseworker', 'auditor'):
        r = req('GET', f'/api/v1/merges/{ab}', who=who)
        ok(r.status == 403, f'GET /merges/{{id}} as {who}: 403', r)

    # ---- accept: bad input first, nothing changes
    for body, field in (({'survivor': str(uuid.uuid4())}, 'survivor'), ({'note': 42}, 'note'),
                        ({'note': 'x' * 2001}, 'note'), ({'note': 'bell\u0007'}, 'note'),
                        ({'colour': 'red'}, 'colour')):
        r = req('POST', f'/api/v1/merges/{ab}/accept', body)
        ok(r.status == 422 and r.json and r.json.get('field') == field, f'accept with {list(body)}: 422 naming {field}', r)
    r = req('POST', f'/api/v1/merges/{ab}/accept', {}, who='officer')
    ok(r.status == 403, 'a border officer cannot accept: 403', r)
    r = req('POST', f'/api/v1/merges/{ab}/accept', {}, who='super2')
    ok(r.status == 404, 'another agency\'s supervisor cannot accept: 404', r)
    r = req('POST', f'/api/v1/merges/{ab}/revert', {'note': 'too early'})
    ok(r.status == 409 and r.json and r.json.get('status') == 409, 'revert of a proposal not accepted: 409', r)
    r = req('GET', f'/api/v1/persons/{b}')
    ok(r.status == 200 and r.json['merged_into'] is None and len(r.json['crossings']) == 1, 'nothing changed', r)

    # ---- accept
    r = req('POST', f'/api/v1/merges/{ab}/accept', {'note': 'same face in both passports'})
    m = r.json or {}
    ok(r.status == 200 and m.get('status') == 'accepted' and m.get('survivor_id') == a and m.get('merged_id') == b and
       m.get('decided_by') == 'super' and m.get('note') == 'same face in both passports' and
       m.get('moved', {}).get('crossing') == 1 and m.get('moved', {}).get('travel_document') == 1,
       'POST /merges/{id}/accept: merged into the record made first, what moved counted', r)
    r = req('GET', f'/api/v1/persons/{a}')
    p = r.json or {}
    ok(r.status == 200 and len(p.get('documents', [])) == 2 and len(p.get('crossings', [])) == 3 and
       [x['id'] for x in p.get('merged_records', [])] == [b] and p['status']['days_used'] == 132 and
       p['status']['overstay_days'] == 42,
       'the survivor holds both passports and every crossing: 132 days in 180, 42 over', r)
    ok(overstaying(a), 'and is on the overstayers list')
    r = req('GET', f'/api/v1/persons/{b}')
    ok(r.status == 200 and r.json['merged_into'] == a and r.json['crossings'] == [],
       'the merged record is kept, marked merged into the survivor', r)
    r = req('POST', f'/api/v1/merges/{ab}/accept', {})
    ok(r.status == 409, 'accepting again: 409', r)
    r = req('POST', f'/api/v1/merges/{ab}/reject', {})
    ok(r.status == 409, 'rejecting a merged proposal: 409', r)
    r = req('GET', '/api/v1/merges?status=decided')
    ok(r.status == 200 and [x['id'] for x in r.json['items']] == [ab], 'the history lists it', r)

    # ---- revert
    r = req('POST', f'/api/v1/merges/{ab}/revert', {})
    ok(r.status == 422 and r.json and r.json.get('field') == 'note', 'revert without a note: 422 naming note', r)
    r = req('POST', f'/api/v1/merges/{ab}/revert', {'note': 'brothers, one name and one birthday'})
    ok(r.status == 200 and r.json['status'] == 'reverted' and r.json['reverted_by'] == 'super' and
       r.json['revert_note'] == 'brothers, one name and one birthday', 'POST /merges/{id}/revert undoes it', r)
    r = req('GET', f'/api/v1/persons/{b}')
    ok(r.status == 200 and r.json['merged_into'] is None and len(r.json['crossings']) == 1 and
       [x['number'] for x in r.json['documents']] == ['R2000002'], 'the merged person has their records back', r)
    ok(not overstaying(a), 'and nobody overstays any more')

    # ---- reject: never proposed again
    r = req('POST', f'/api/v1/merges/{cd}/reject', {'note': 'different fathers\' names'})
    ok(r.status == 200 and r.json['status'] == 'rejected', 'POST /merges/{id}/reject', r)
    r = req('POST', '/api/v1/merges/detect', {})
    ok(r.status == 200 and r.json['proposed'] == 0 and r.json['skipped'] == 2 and r.json['refreshed'] == 0,
       'a detection proposes neither the rejected nor the reverted pair again', r)
    r = req('GET', '/api/v1/merges')
    ok(r.status == 200 and r.json['total'] == 0, 'the queue is empty', r)

    # ---- audit and the server serving on
    r = req('GET', '/api/v1/audit?action=merge.&limit=1000', who='auditor')
    acts = [e['action'] for e in (r.json or {}).get('items', [])]
    ok(r.status == 200 and {'merge.detect', 'merge.list', 'merge.read', 'merge.accept', 'merge.reject',
                            'merge.revert'} <= set(acts) and
       any(e['outcome'] == 'failed' and e['action'] == 'merge.accept' for e in r.json['items']),
       'detections, reads and decisions are in the audit trail, failed ones too', r)
    r = req('GET', '/api/v1/audit?action=request.denied&limit=1000', who='auditor')
    ok(r.status == 200 and any(e['actor'] == 'officer' and 'merges' in (e['object_id'] or '')
                               for e in r.json['items']),
       'and the officer\'s refused requests', r)
    r = server.request('GET', '/api/v1/healthz')
    ok(r.status == 200, 'the server still serves', r)
    rc = server.stop()
    ok(rc == 0, 'the server stops with 0')
    return server


if __name__ == '__main__':
    main()
