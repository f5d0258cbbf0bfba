#!/usr/bin/env python3
"""Black-box tests of the protection routes (docs/api.md, docs/protection.md) against a real
`mmis serve`.

The access table is tested for every role and every route: the table the server applies (GET
/api/v1/protection/access) and the roles (GET /api/v1/roles) give, for each role and each relation
to a case (its own case, a case of its agency, a case referred to its agency with consent, a case
out of reach), the status each route must answer: 403 without the permission, 404 for a case out
of reach, 403 for a case in sight but an action not allowed, and otherwise the route's work
(2xx, or 409/422 for a state or an empty body). Then: the contract routes of issue 6, a referral
without consent (409 saying so), a supervisor's override (audited), what a receiving agency sees
field by field, the workflow's 409/403/422 changing nothing, formal identification by the team,
every read audited, analysts seeing nothing. Python standard library only; TAP on stdout.
Needs $MMIS; $MMIS_SOURCE_ROOT for docs/protection.md.
"""
import datetime
import os
import sys
import uuid

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import apilib as base  # noqa: E402

ok = base.ok
CASE = 'CSW'          # the agency whose cases the matrix is about
RECV = 'SHELTER'      # the agency cases are referred to
ROLE_AGENCY = {'A': CASE, 'B': RECV}


def main():
    base.main('mmis-api-protect.', suite)


def suite(tmp):
    inst = base.Instance(tmp)
    env, g = inst.env, inst.g
    inst.agencies(((CASE, 'social_work'), (RECV, 'ngo'), ('AT', 'police'), ('BP', 'police'),
                   ('OTHER', 'other')))
    tokens = inst.tokens
    user = inst.user

    user('admin-t', 'admin', 'ADMIN')
    for name, role, agency in (('owner', 'case_worker', CASE), ('owner2', 'case_worker', CASE),
                               ('sup', 'case_supervisor', CASE), ('shelterw', 'case_worker', RECV),
                               ('ident', 'identification_officer', 'AT'), ('atsup', 'case_supervisor', 'AT'),
                               ('border', 'border_officer', 'BP'), ('auditor', 'auditor', 'OTHER'),
                               ('analyst', 'analyst', 'OTHER')):
        user(name, role, agency)

    server = inst.serve()

    def req(method, path, body=None, who='owner'):
        return inst.req(method, path, body, who)

    r = req('PUT', f'/api/v1/agencies/{RECV}/services', {'services': ['shelter', 'psychosocial', 'legal_aid']}, 'admin-t')
    ok(r.status == 200 and r.json and r.json.get('services') == ['legal_aid', 'psychosocial', 'shelter'],
       'PUT /agencies/{code}/services: what a provider offers', r)
    r = req('PUT', '/api/v1/agencies/AT/services', {'services': ['spa']}, 'admin-t')
    ok(r.status == 422 and r.json.get('field') == 'services', 'an unknown service: 422 naming services', r)
    r = req('POST', '/api/v1/projects', {'code': 'VULN-MIG-WB', 'name': 'Enhancing Capacities and Mechanisms to '
            'Identify and Protect Vulnerable Migrants in the Western Balkans', 'donor': 'US Department of State PRM'}, 'admin-t')
    ok(r.status == 201, 'POST /projects: a project and its donor', r)
    r = req('GET', '/api/v1/projects')
    ok(r.status == 200 and r.json['items'][0]['donor'] == 'US Department of State PRM', 'GET /projects', r)

    # ---- the tables the server applies, and the docs
    r = req('GET', '/api/v1/protection/access', who='analyst')
    table = (r.json or {}).get('items', [])
    ok(r.status == 200 and len(table) >= 20 and (r.json or {}).get('workflow'),
       'GET /protection/access: the access table and the workflow', r)
    documented = []
    with open(os.path.join(base.SRC, 'docs', 'protection.md'), encoding='utf-8') as f:
        inside = False
        for line in f:
            if '<!-- access-table -->' in line:
                inside = True
            elif '<!-- /access-table -->' in line:
                inside = False
            elif inside and line.startswith('| ') and not line.startswith('| action') and not line.startswith('| ---'):
                documented.append([c.strip() for c in line.strip().strip('|').split('|')][:5])
    served = [[x['action'], x['method'], x['route'], x['permission'], ', '.join(x['reach'])] for x in table]
    ok(documented == served, 'docs/protection.md documents exactly the access table the server applies',
       f'{documented}\n{served}')
    r = req('GET', '/api/v1/roles', who='analyst')
    roles = {x['name']: x['permissions'] for x in (r.json or {}).get('items', [])}
    ok('identification_officer' in roles and roles['identification_officer'].get('case.identify') == 'agency' and
       roles['case_worker'].get('case.read') == 'agency' and roles['case_worker'].get('case.write') == 'own' and
       'case.read' not in roles['analyst'], 'the roles: the team identifies; workers read the agency\'s cases; '
       'analysts have no case.read', r)
    for role in roles:
        for side in ('A', 'B'):
            user(f'r-{role.replace("_", "-")}-{side.lower()}', role, ROLE_AGENCY[side])
    ok(all(f'r-{role.replace("_", "-")}-a' in tokens for role in roles), f'a user of every role ({len(roles)}) in both agencies')

    # The route permissions, as the server's own table says.
    r = req('GET', '/api/v1/openapi.json')
    route_perm = {}
    for p, item in (r.json or {}).get('paths', {}).items():
        for meth, op in item.items():
            route_perm[(meth.upper(), p)] = op.get('x-permission')

    today = datetime.date.today().isoformat()

    def open_case(who, extra=None):
        body = {'types': ['presumed_victim_of_trafficking'], 'surname': 'Testova', 'given_names': 'Marija',
                'citizenship': 'UKR', 'phone': '+382 67 111 222', 'story': 'A story', 'health': 'Asthma'}
        body.update(extra or {})
        r = req('POST', '/api/v1/cases', body, who)
        return r.json['id'] if r.status == 201 else None

    def consent(case_id, scopes, who='owner', agency=RECV):
        r = req('POST', f'/api/v1/cases/{case_id}/consents',
                {'to_agency': agency, 'scopes': scopes, 'given_by': 'person'}, who)
        return r.json['id'] if r.status == 201 else None

    def refer(case_id, who='owner', service='shelter'):
        r = req('POST', f'/api/v1/cases/{case_id}/referrals', {'to_agency': RECV, 'service': service}, who)
        return r.json['id'] if r.status == 201 else None

    def fixture(owner_name):
        """A case of the CSW owned by owner_name, with a consent, a referral and a follow-up."""
        cid = open_case(owner_name)
        kid = consent(cid, ['identity'], owner_name)
        rid = refer(cid, owner_name)
        r = req('POST', f'/api/v1/cases/{cid}/followups', {'due_on': today, 'text': 'Call'}, owner_name)
        fid = r.json['id'] if r.status == 201 else None
        return {'case': cid, 'consent': kid, 'referral': rid, 'followup': fid}

    # ---- every role, every route, every relation to a case
    def scope_of(role, perm):
        return roles[role].get(perm, 'none') if perm not in ('none',) else 'all'

    def may(role, row, rel, accepted):
        s = scope_of(role, row['permission'])
        if s == 'none':
            return False
        reach = set(row['reach'])
        if 'any' in reach or rel == 'nocase':
            return True
        if 'case' in reach and (s == 'all' or (s == 'agency' and rel in ('own', 'agency')) or (s == 'own' and rel == 'own')):
            return True
        if reach & {'referred', 'receiver'} and rel == 'referred':
            return True
        if 'accepted' in reach and rel == 'referred' and accepted:
            return True
        return False

    def sees(role, rel):
        s = roles[role].get('case.read', 'none')
        if s == 'none':
            return False
        return (rel == 'own') or (rel == 'agency' and s in ('agency', 'all')) or rel == 'referred'

    # Reads and harmless writes first; what ends a reach (withdrawing, completing) last.
    last = ['referral.decline', 'referral.accept', 'consent.withdraw', 'referral.withdraw', 'referral.complete']
    rows = sorted(table, key=lambda x: (x['action'] in last, last.index(x['action']) if x['action'] in last else 0))
    by_route = {}
    for row in table:
        by_route.setdefault((row['method'], row['route']), []).append(row)

    def concrete(route, fx):
        return (route.replace('{id}', fx['referral'] if route.startswith('/api/v1/referrals/') else
                              fx['followup'] if route.startswith('/api/v1/followups/') else fx['case'])
                .replace('{consent}', fx['consent']).replace('{form}', 'assessment'))

    checked = 0
    for role in sorted(roles):
        a_user = f'r-{role.replace("_", "-")}-a'
        b_user = f'r-{role.replace("_", "-")}-b'
        rels = {}
        if roles[role].get('case.write'):
            rels['own'] = (a_user, fixture(a_user))
        rels['agency'] = (a_user, fixture('owner'))
        fx = fixture('owner')
        req('POST', f'/api/v1/referrals/{fx["referral"]}/accept', None, 'shelterw')
        rels['referred'] = (b_user, fx)
        rels['none'] = (b_user, {'case': open_case('owner2'), 'consent': str(uuid.uuid4()),
                                  'referral': str(uuid.uuid4()), 'followup': str(uuid.uuid4())})
        done = set()
        for rel, (who, fx) in rels.items():
            seen = set()
            for row in rows:
                route = (row['method'], row['route'])
                if route in seen:
                    continue
                seen.add(route)
                nocase = '{id}' not in row['route']
                if nocase and (route in done):
                    continue
                if nocase:
                    done.add(route)
                path = concrete(row['route'], fx)
                body = {} if row['method'] in ('POST', 'PUT', 'PATCH') else None
                if row['action'] in ('referral.accept', 'referral.complete', 'referral.withdraw', 'followup.done',
                                     'consent.withdraw'):
                    body = None
                if row['action'] == 'referral.decline':
                    body = {'reason': 'full'}
                r = req(row['method'], path, body, who)
                perm = route_perm.get(route, 'none')
                rr = 'nocase' if nocase else rel
                allowed = any(may(role, x, rr, rel == 'referred') for x in by_route[route])
                if scope_of(role, perm) == 'none':
                    want, good = '403', r.status == 403
                elif allowed:
                    want, good = 'allowed', r.status not in (401, 403, 404) and r.status < 500
                elif not nocase and not sees(role, rel):
                    want, good = '404', r.status == 404
                else:
                    want, good = '403', r.status == 403
                checked += 1
                ok(good, f'{row["method"]} {row["route"]} as {role}, {"no case" if nocase else rel + " case"}: '
                   f'{want} ({r.status})', r)
    ok(checked >= 250, f'the access matrix: {checked} role x route x relation checks')

    # ---- the contract: screening, case, referral within consent, services, workflow
    answers = {'place': 'bcp', 'documents_held': True, 'debt': False, 'not_free_to_leave': False,
               'violence_or_threats': False, 'forced_begging_or_crime': False, 'sexual_exploitation': False,
               'deceived_about_work': True, 'excessive_hours': True, 'address_unknown': False,
               'someone_speaks_for_them': False, 'restricted_communication': False, 'fear_or_anxiety': False,
               'injuries': False, 'age_group': 'adult', 'serious_health_need': False, 'disability': False,
               'smuggled': False, 'language': 'Ukrainian', 'health_notes': 'asthma'}
    r = req('POST', '/api/v1/screenings', {'answers': answers, 'bcp': 'MNE-DBR'}, 'border')
    ok(r.status == 201 and [o['id'] for o in r.json['outcomes']] == ['refer_identification'] and
       r.json['case_types'] == ['presumed_victim_of_trafficking'] and r.json['indicators'] == {'strong': 1, 'total': 3},
       'POST /screenings: one strong indicator suggests the identification team', r)
    sid = (r.json or {}).get('id')
    r = req('POST', '/api/v1/screenings', {'answers': dict(answers, documents_held='yes')}, 'border')
    ok(r.status == 422 and r.json.get('field') == 'documents_held', 'a screening answer of the wrong type: 422 naming it', r)
    r = req('POST', '/api/v1/screenings', {'answers': dict(answers, care='unaccompanied')}, 'border')
    ok(r.status == 422 and r.json.get('field') == 'care', 'an answer to a question not asked: 422 naming it', r)
    r = req('POST', '/api/v1/screenings', {'answers': answers}, 'analyst')
    ok(r.status == 403, 'an analyst cannot screen: 403', r)
    r = req('POST', '/api/v1/cases', {'screening_id': sid, 'surname': 'Shevchenko', 'given_names': 'Olena',
                                       'citizenship': 'UKR', 'story': 'Recruited for hotel work',
                                       'exploitation': ['ForcedLabour'], 'means_of_control': ['WithholdsDocuments']},
            'border')
    ok(r.status == 201 and r.json['types'] == ['presumed_victim_of_trafficking'] and r.json['state'] == 'identified' and
       r.json['story']['trafficking_status'] == 'PossibleVictim' and r.json['reflection']['status'] == 'running',
       'POST /cases from the screening: presumed victim, PossibleVictim (HTCDS), a reflection period', r)
    cid = (r.json or {}).get('id')
    r = req('GET', f'/api/v1/cases/{cid}', who='border')
    ok(r.status == 200 and r.json['screening']['answers']['documents_held'] is True, 'GET /cases/{id}: the screening with the case', r)
    r = req('POST', f'/api/v1/cases/{cid}/referrals', {'to_agency': RECV, 'service': 'shelter'}, 'border')
    ok(r.status == 409 and r.json.get('field') == 'consent' and 'no recorded consent covers' in r.json.get('detail', '') and
       r.h.get('content-type', '').startswith('application/problem+json'),
       'a referral without covering consent: 409 problem+json saying so', r)
    r = req('POST', f'/api/v1/cases/{cid}/referrals', {'to_agency': RECV, 'service': 'shelter', 'override_reason': 'x',
                                                       'scopes': ['identity']}, 'border')
    ok(r.status == 403, 'a border officer cannot override the consent: 403', r)
    r = req('POST', f'/api/v1/cases/{cid}/consents', {'to_agency': RECV, 'scopes': ['identity', 'health'],
                                                      'given_by': 'person'}, 'border')
    ok(r.status == 201 and r.json['case']['consents'][0]['scopes'] == ['identity', 'health'],
       'POST /cases/{id}/consents: 201 with the case', r)
    r = req('POST', f'/api/v1/cases/{cid}/referrals', {'to_agency': RECV, 'service': 'shelter', 'note': 'tonight'}, 'border')
    ok(r.status == 201 and r.json['state'] == 'pending' and r.json['with_consent'] is True,
       'POST /cases/{id}/referrals {"to_agency","service"}: pending, with consent', r)
    rid = (r.json or {}).get('id')
    r = req('GET', f'/api/v1/cases/{cid}', who='shelterw')
    c = r.json or {}
    ok(r.status == 200 and c.get('access') == 'referred' and c.get('scopes') == ['identity', 'health'] and
       c['identity']['surname'] == 'Shevchenko' and 'story' not in c and 'contact' not in c and 'health' in c and
       'documents_held' not in c['screening']['answers'] and c['screening']['answers'].get('health_notes') == 'asthma' and
       'timeline' not in c and 'notes' not in c and 'consents' not in c,
       'the receiving agency sees identity and health, not the story, the indicators, notes or timeline', r)
    r = req('PATCH', f'/api/v1/cases/{cid}', {'phone': '1'}, 'shelterw')
    ok(r.status == 403, 'the receiving agency does not change the case: 403', r)
    r = req('POST', f'/api/v1/referrals/{rid}/accept', None, 'border')
    ok(r.status == 403 and 'receiving agency' in r.json.get('detail', ''), 'only the receiving agency accepts: 403', r)
    r = req('POST', f'/api/v1/referrals/{rid}/complete', None, 'shelterw')
    ok(r.status == 409, 'a pending referral cannot be completed: 409', r)
    r = req('POST', f'/api/v1/referrals/{rid}/decline', {}, 'shelterw')
    ok(r.status == 422 and r.json.get('field') == 'reason', 'declining needs a reason: 422 naming reason', r)
    r = req('POST', f'/api/v1/referrals/{rid}/accept', None, 'shelterw')
    ok(r.status == 200 and r.json['state'] == 'accepted', 'POST /referrals/{id}/accept: accepted', r)
    r = req('GET', '/api/v1/referrals?direction=in', who='shelterw')
    mine = [x for x in (r.json or {}).get('items', []) if x['id'] == rid]
    ok(r.status == 200 and mine and mine[0]['surname'] == 'Shevchenko' and mine[0]['scopes'] == ['identity', 'health'],
       'GET /referrals?direction=in: the inbox, with the person within the consent', r)
    r = req('POST', f'/api/v1/cases/{cid}/services', {'service': 'shelter', 'delivered_on': today,
                                                      'project': 'VULN-MIG-WB'}, 'shelterw')
    ok(r.status == 201 and r.json['case']['services'][0]['project'] == 'VULN-MIG-WB' and
       r.json['case']['services'][0]['provider'] == RECV, 'POST /cases/{id}/services: date, provider, project', r)
    r = req('POST', f'/api/v1/cases/{cid}/services', {'service': 'shelter', 'delivered_on': today, 'provider': CASE}, 'shelterw')
    ok(r.status == 403 and r.json.get('field') == 'provider', 'a receiving agency records its own services only', r)

    # Transfer to the identification team: out of the officer's reach.
    r = req('POST', f'/api/v1/cases/{cid}/transfer', {'to_agency': 'AT', 'reason': 'formal identification'}, 'border')
    ok(r.status == 200 and r.json.get('access') == 'none', 'POST /cases/{id}/transfer: the sender keeps no reach', r)
    r = req('GET', f'/api/v1/cases/{cid}', who='border')
    ok(r.status == 404 and r.json.get('detail') == 'no such case', 'the officer now gets 404, as if the case did not exist', r)
    r = req('POST', f'/api/v1/cases/{cid}/assignment', {'worker': 'ident'}, 'ident')
    ok(r.status == 200 and r.json['worker']['username'] == 'ident', 'the team member takes the unassigned case', r)

    # The workflow's refusals: 409 (state), 403 (role), 422 (requirement); nothing changes.
    before = req('GET', f'/api/v1/cases/{cid}', who='ident').json
    r = req('POST', f'/api/v1/cases/{cid}/transitions', {'to': 'services_implemented'}, 'ident')
    ok(r.status == 409 and r.json.get('field') == 'to' and 'identified cannot go to services_implemented' in r.json['detail'],
       'a transition not allowed from the state: 409 naming to and why', r)
    r = req('POST', f'/api/v1/cases/{cid}/transitions', {'to': 'assessment'}, 'atsup')
    ok(r.status == 200, 'the team lead moves it to assessment (agency scope)', r)
    r = req('POST', f'/api/v1/cases/{cid}/transitions', {'to': 'case_plan'}, 'ident')
    ok(r.status == 422 and r.json.get('field') == 'assessment', 'missing what the step requires: 422 naming it', r)
    r = req('POST', f'/api/v1/cases/{cid}/transitions', {'to': 'closed', 'closure_reason': 'lost_contact'}, 'owner')
    ok(r.status == 404, 'another agency\'s worker: 404', r)
    after = req('GET', f'/api/v1/cases/{cid}', who='ident').json
    steps = [e for e in after['timeline'] if e['kind'] == 'transition']
    ok(before['state'] == 'identified' and after['state'] == 'assessment' and len(steps) == 1,
       'the refused steps changed nothing (one transition in the timeline)', after.get('timeline'))
    r = req('POST', f'/api/v1/cases/{cid}/identification', {'outcome': 'victim'}, 'atsup')
    ok(r.status == 403, 'formal identification by a supervisor without case.identify: 403', r)
    r = req('POST', f'/api/v1/cases/{cid}/identification', {'outcome': 'victim', 'note': 'team decision'}, 'ident')
    ok(r.status == 200 and r.json['types'] == ['victim_of_trafficking'] and
       r.json['story']['trafficking_status'] == 'ActualVictim' and r.json['story']['identification']['outcome'] == 'victim',
       'POST /cases/{id}/identification by the team: ActualVictim', r)
    r = req('POST', f'/api/v1/cases/{cid}/forms/assessment', {'answers': {'risk_level': 'high', 'needs': ['shelter'],
                                                                          'wish': 'stay', 'summary': 'Safe now.'}}, 'ident')
    ok(r.status == 201 and r.json['case']['forms'][0]['form'] == 'assessment', 'POST /cases/{id}/forms/assessment', r)
    r = req('POST', f'/api/v1/cases/{cid}/forms/nothing', {'answers': {}}, 'ident')
    ok(r.status == 404, 'an unknown case form: 404', r)
    r = req('POST', f'/api/v1/cases/{cid}/transitions', {'to': 'closed'}, 'ident')
    ok(r.status == 422 and r.json.get('field') == 'closure_reason', 'closing without a reason: 422 naming closure_reason', r)
    r = req('POST', f'/api/v1/cases/{cid}/transitions', {'to': 'closed', 'closure_reason': 'objectives_met'}, 'ident')
    ok(r.status == 200 and r.json['state'] == 'closed', 'closed with a reason', r)
    r = req('POST', f'/api/v1/cases/{cid}/transitions', {'to': 'assessment', 'reason': 'came back'}, 'ident')
    ok(r.status == 403 and 'case supervisor' in r.json.get('detail', ''), 'reopening by a worker: 403 naming who may', r)
    r = req('POST', f'/api/v1/cases/{cid}/transitions', {'to': 'assessment', 'reason': 'came back'}, 'atsup')
    ok(r.status == 200 and r.json['state'] == 'assessment', 'reopened by the team lead', r)

    # A supervisor's override, with a reason; audited.
    c2 = open_case('owner')
    r = req('POST', f'/api/v1/cases/{c2}/referrals', {'to_agency': RECV, 'service': 'legal_aid', 'override_reason':
                                                      'Hearing tomorrow; consent to follow', 'scopes': ['identity']}, 'sup')
    ok(r.status == 201 and r.json['with_consent'] is False and r.json['override_scopes'] == ['identity'],
       'a case supervisor refers without consent, with a reason and what is shared', r)
    r = req('GET', '/api/v1/audit?action=referral.create&limit=50', who='auditor')
    ok(r.status == 200 and any('consent overridden' in (e.get('detail') or '') and 'Hearing tomorrow' in e['detail'] and
                               e['actor'] == 'sup' for e in r.json['items']), 'the override is in the audit trail', r)

    # Every read is audited, refused ones too; analysts reach nothing.
    r = req('GET', f'/api/v1/audit?action=case.read&object_id={cid}&limit=1000', who='auditor')
    outcomes = {e['outcome'] for e in (r.json or {}).get('items', [])}
    ok(r.status == 200 and {'ok', 'failed'} <= outcomes, 'every read of the case is audited, also the refused ones', outcomes)
    for path in (f'/api/v1/cases/{cid}', '/api/v1/cases', '/api/v1/referrals', '/api/v1/protection/dashboard'):
        r = req('GET', path, who='analyst')
        ok(r.status == 403 and 'Shevchenko' not in r.body.decode(), f'an analyst: GET {path} is 403, no name', r)

    # Listing: filters, paging, attention first.
    r = req('GET', '/api/v1/cases?state=assessment&type=victim_of_trafficking&limit=5', who='atsup')
    ok(r.status == 200 and [x['id'] for x in r.json['items']] == [cid] and r.json['total'] == 1,
       'GET /cases with state and type filters', r)
    r = req('GET', '/api/v1/cases?limit=0', who='atsup')
    ok(r.status == 400 and r.json.get('field') == 'limit', 'a bad limit: 400 naming it', r)
    r = req('GET', '/api/v1/cases?state=pondering', who='atsup')
    ok(r.status == 422 and r.json.get('field') == 'state', 'an unknown state: 422 naming it', r)
    r = req('GET', '/api/v1/cases?colour=red', who='atsup')
    ok(r.status == 400, 'an unknown query parameter: 400', r)
    r = req('GET', '/api/v1/protection/dashboard', who='atsup')
    ok(r.status == 200 and any(x['type'] == 'victim_of_trafficking' and x['state'] == 'assessment' and x['count'] == 1
                               for x in r.json['open_by_type_state']), 'GET /protection/dashboard: open cases by type and state', r)

    # Garbage never crashes.
    for body in ({'to': 5}, {'to': None}, {'to': 'closed', 'closure_reason': ['x']}, {'x' * 300: 1}):
        r = req('POST', f'/api/v1/cases/{cid}/transitions', body, 'atsup')
        ok(r.status in (400, 422), f'a bad transition body {str(body)[:40]}: 4xx', r)
    r = req('POST', '/api/v1/screenings', {'answers': {'place': 'bcp' * 5000}}, 'border')
    ok(r.status == 422, 'an oversized answer: 422', r)
    r = req('GET', '/api/v1/cases/not-a-uuid', who='atsup')
    ok(r.status == 404, 'a malformed case id: 404', r)

    rc = server.stop()
    ok(rc == 0, 'the server stops with 0')
    return server


if __name__ == '__main__':
    main()
