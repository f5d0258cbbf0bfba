#!/usr/bin/env python3
"""Black-box tests of the HTTP API (docs/api.md) against a real `mmis serve`.

Creates a temporary SQLite database and audit key with `mmis init`, starts the server on a free
loopback port, makes agencies, one user per role and their API tokens through the API, and checks
every route for every role against the role table, sessions and CSRF, tokens, errors, limits,
static files, OpenAPI, metrics, logs, garbage input and a graceful stop. Python standard library
only; TAP on stdout. Needs $MMIS (the binary); $MMIS_SOURCE_ROOT for docs/api.md.
"""
import json
import os
import random
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import uuid

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import apilib  # noqa: E402
from apilib import (SRC, Server, bail, clean_env, free_port, ok, raw_exchange, run,  # noqa: E402
                    skip, strong_password, write_secret)

CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
       "frame-ancestors 'none'; base-uri 'none'; form-action 'self'")
UUID7 = re.compile(r'^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$')


def docs_routes():
    """The (method, path) rows of the routes table in docs/api.md."""
    rows = set()
    path = os.path.join(SRC, 'docs', 'api.md')
    with open(path, encoding='utf-8') as f:
        for line in f:
            m = re.match(r'^\|\s*(GET|POST|PUT|PATCH|DELETE)\s*\|\s*(/\S+)\s*\|', line)
            if m:
                rows.add((m.group(1), m.group(2)))
    return rows


def concrete(path):
    path = path.replace('{username}', 'no-such-user-zz')
    return re.sub(r'\{[^}]+\}', str(uuid.uuid4()), path)


def main():
    apilib.main('mmis-api.', suite)


def suite(tmp):
    env = clean_env()
    db = os.path.join(tmp, 'mmis.db')
    key = os.path.join(tmp, 'audit.key')
    web = os.path.join(tmp, 'web')
    os.makedirs(os.path.join(web, 'css'))
    with open(os.path.join(web, 'index.html'), 'w') as f:
        f.write('<!doctype html><title>mmis</title><p>index</p>\n')
    with open(os.path.join(web, 'app.js'), 'w') as f:
        f.write('export const x = 1;\n')
    with open(os.path.join(web, 'css', 'site.css'), 'w') as f:
        f.write('body { color: black; }\n')
    with open(os.path.join(web, '.secret'), 'w') as f:
        f.write('hidden\n')
    outside = os.path.join(tmp, 'outside.txt')
    with open(outside, 'w') as f:
        f.write('outside the web directory\n')
    os.symlink(outside, os.path.join(web, 'leak.txt'))
    os.symlink(os.path.join(web, 'app.js'), os.path.join(web, 'alias.js'))

    admin_pw = strong_password()
    pwfile = write_secret(os.path.join(tmp, 'admin.pw'), admin_pw)
    g = ['--db', db, '--audit-key', key]
    r = run(g + ['init', '--admin-password-file', pwfile], env)
    if not ok(r.returncode == 0, 'mmis init with --admin-password-file', r.stderr.decode()):
        bail('cannot create the database')

    # The route table as the binary prints it, and as docs/api.md states it.
    r = run(['serve', '--print-routes'], env)
    printed = set()
    for line in r.stdout.decode().splitlines():
        m, _, p = line.partition(' ')
        printed.add((m, p))
    ok(r.returncode == 0 and len(printed) > 0, 'serve --print-routes lists the route table')
    documented = docs_routes()
    ok(printed == documented, 'the route table is exactly the table of docs/api.md',
       f'only in the server: {sorted(printed - documented)}\nonly in the docs: {sorted(documented - printed)}')

    port = free_port()
    server = Server(g + ['serve', '--listen', f'127.0.0.1:{port}', '--web', web, '--threads', '1'],
                    env, os.path.join(tmp, 'server.log'), port)
    if not ok(server.wait_ready(), 'the server starts and answers healthz'):
        server.stop()
        with open(server.log_path, 'rb') as f:
            print('# ' + f.read().decode(errors='replace').replace('\n', '\n# '))
        bail('the server did not start')

    # ---- health, headers, errors
    r = server.request('GET', '/api/v1/healthz')
    ok(r.status == 200 and r.json and r.json.get('status') == 'ok' and
       isinstance(r.json.get('version'), str) and isinstance(r.json.get('schema_version'), int),
       'healthz answers status, version and schema_version', r)

    def security_headers(resp, api=True):
        good = (resp.h.get('content-security-policy') == CSP and
                resp.h.get('x-content-type-options') == 'nosniff' and
                resp.h.get('referrer-policy') == 'no-referrer' and
                resp.h.get('x-frame-options') == 'DENY' and
                UUID7.match(resp.h.get('x-request-id', '')) is not None and
                'strict-transport-security' not in resp.h)
        if api:
            good = good and resp.h.get('cache-control') == 'no-store'
        return good

    ok(security_headers(r), 'security headers and a UUIDv7 X-Request-Id on a 200', r)
    r = server.request('GET', '/api/v1/nope')
    ok(r.status == 404 and r.h.get('content-type') == 'application/problem+json' and r.json and
       r.json.get('status') == 404 and r.json.get('type') == 'about:blank' and r.json.get('title'),
       'unknown route: 404 problem+json', r)
    ok(security_headers(r), 'security headers on an error', r)
    r = server.request('PATCH', '/api/v1/me')
    ok(r.status == 405 and r.h.get('allow') == 'GET' and r.json and r.json.get('status') == 405,
       'wrong method: 405 with Allow', r)
    r = server.request('PUT', '/api/v1/session')
    allow = set(a.strip() for a in r.h.get('allow', '').split(','))
    ok(r.status == 405 and allow == {'POST', 'DELETE'}, '405 lists every method of the path', r)
    r = server.request('GET', '/api/v1/me')
    ok(r.status == 401 and r.json and r.json.get('status') == 401, 'no credentials: 401', r)
    r = server.request('GET', '/api/v1/me', headers={'Authorization': 'Basic YWRtaW46eA=='})
    ok(r.status == 401, 'a Basic authorization is refused', r)

    # ---- login as admin
    r = server.request('POST', '/api/v1/session', {'username': 'admin', 'password': admin_pw})
    ok(r.status == 201 and r.json and r.json.get('user', {}).get('username') == 'admin' and
       r.json.get('csrf_token') and r.json.get('expires_at'), 'admin signs in: 201 with user and csrf_token', r)
    cookies = r.all('set-cookie')
    cookie = cookies[0] if cookies else ''
    attrs = [a.strip() for a in cookie.split(';')]
    m = re.match(r'mmis_session=([^;]+)', cookie)
    admin_sess = m.group(1) if m else ''
    admin_csrf = (r.json or {}).get('csrf_token', '')
    max_age = [int(a.split('=')[1]) for a in attrs if a.lower().startswith('max-age=')]
    ok(admin_sess and 'HttpOnly' in attrs and 'SameSite=Strict' in attrs and 'Path=/' in attrs and
       'Secure' not in attrs and max_age and 0 < max_age[0] <= 12 * 3600,
       'session cookie: HttpOnly; SameSite=Strict; Path=/; Max-Age to expiry; no Secure over HTTP', cookie)
    r = server.request('GET', '/api/v1/me', session=admin_sess)
    me = r.json or {}
    ok(r.status == 200 and me.get('username') == 'admin' and me.get('via') == 'session' and
       me.get('csrf_token') == admin_csrf and me.get('permissions', {}).get('users.admin') == 'all' and
       isinstance(me.get('agency'), dict), 'GET /me with the cookie: the admin, via session', r)
    ok(security_headers(r), 'security headers on an authenticated answer', r)

    # ---- roles, agencies, one user and one token per role (through the API)
    r = server.request('GET', '/api/v1/roles', session=admin_sess)
    roles = (r.json or {}).get('items', [])
    names = sorted(x.get('name') for x in roles)
    ok(r.status == 200 and {'admin', 'auditor', 'border_officer', 'case_worker', 'analyst'} <= set(names),
       'GET /roles lists the roles with their permissions', r)
    perms_of = {x['name']: set(x.get('permissions', {}).keys()) for x in roles}

    agencies = [('BP', 'Border Police', 'police'), ('CSW-PG', 'Centre for Social Work Podgorica', 'social_work')]
    good = True
    for code, name, kind in agencies:
        r = server.request('POST', '/api/v1/agencies', {'code': code, 'name': name, 'kind': kind},
                           session=admin_sess, csrf=admin_csrf)
        good = good and r.status == 201 and r.json and r.json.get('code') == code and r.json.get('id')
        if not good:
            break
    ok(good, 'POST /agencies with the CSRF token creates agencies', r)

    users = {}
    good = True
    for role in names:
        uname = 'u-' + role.replace('_', '-')
        pw = strong_password()
        agency = 'CSW-PG' if role.startswith('case') else 'BP'
        r = server.request('POST', '/api/v1/users', {'username': uname, 'display_name': role.title(),
                                                      'role': role, 'agency': agency, 'password': pw},
                           session=admin_sess, csrf=admin_csrf)
        if r.status != 201 or not r.json or r.json.get('username') != uname:
            good = False
            break
        users[role] = {'username': uname, 'password': pw}
    ok(good, f'POST /users creates one user per role ({len(users)})', r)
    good = True
    for role, u in users.items():
        r = server.request('POST', '/api/v1/tokens', {'username': u['username'], 'name': 'api test'},
                           session=admin_sess, csrf=admin_csrf)
        if r.status != 201 or not r.json or not str(r.json.get('token', '')).startswith('mmis_'):
            good = False
            break
        u['token'] = r.json['token']
        u['token_id'] = r.json['id']
    ok(good, 'POST /tokens makes a token per user, shown once', r)
    r = server.request('GET', '/api/v1/tokens', session=admin_sess)
    ok(r.status == 200 and r.json and len(r.json.get('items', [])) >= len(users) and
       all('token' not in t for t in r.json['items']), 'GET /tokens lists tokens without the secret', r)
    r = server.request('GET', '/api/v1/users', session=admin_sess)
    ok(r.status == 200 and r.json and {u['username'] for u in users.values()} <=
       {x.get('username') for x in r.json.get('items', [])}, 'GET /users lists the users', r)

    # ---- OpenAPI
    r = server.request('GET', '/api/v1/openapi.json')
    doc = r.json or {}
    ops = {}
    for p, item in doc.get('paths', {}).items():
        for meth, op in item.items():
            ops[(meth.upper(), p)] = op
    ok(r.status == 200 and str(doc.get('openapi', '')).startswith('3.1'), 'openapi.json is OpenAPI 3.1', r)
    ok(set(ops) == printed, 'openapi.json lists exactly the route table',
       f'{sorted(set(ops) ^ printed)}')
    ok(all('x-permission' in op and (op['x-permission'] == 'none') == (op.get('security') == [])
           for op in ops.values()), 'every operation names its permission and security')

    # ---- every route for every role, as the role table says
    for (meth, path), op in sorted(ops.items()):
        want = op.get('x-permission')
        body = {} if 'requestBody' in op else None
        target = concrete(path)
        if want != 'none':
            r = server.request(meth, target, body)
            ok(r.status == 401, f'{meth} {path} without credentials: 401', r)
        for role in names:
            if role not in users or 'token' not in users[role]:
                continue
            allowed = want == 'none' or want in perms_of.get(role, set())
            r = server.request(meth, target, body, token=users[role]['token'])
            if allowed:
                ok(r.status not in (401, 403) and r.status < 500,
                   f'{meth} {path} as {role}: allowed ({r.status})', r)
            else:
                ok(r.status == 403 and r.json and r.json.get('status') == 403,
                   f'{meth} {path} as {role}: refused (403)', r)
    auditor = users.get('auditor', {}).get('token')
    r = server.request('GET', '/api/v1/audit?action=request.denied&limit=1000', token=auditor)
    ok(r.status == 200 and r.json and len(r.json.get('items', [])) > 0 and
       all(e.get('outcome') == 'denied' for e in r.json['items']), 'refusals are in the audit trail', r)

    # ---- CSRF
    r = server.request('POST', '/api/v1/agencies', {'code': 'CSRF1', 'name': 'No', 'kind': 'other'},
                       session=admin_sess)
    ok(r.status == 403 and r.json and r.json.get('detail') == 'missing or wrong CSRF token',
       'a cookie POST without X-CSRF-Token: 403', r)
    r = server.request('POST', '/api/v1/agencies', {'code': 'CSRF2', 'name': 'No', 'kind': 'other'},
                       session=admin_sess, csrf='x' * len(admin_csrf))
    ok(r.status == 403, 'a cookie POST with a wrong X-CSRF-Token: 403', r)
    r = server.request('GET', '/api/v1/agencies', session=admin_sess)
    codes = {a.get('code') for a in (r.json or {}).get('items', [])}
    ok(r.status == 200 and 'CSRF1' not in codes and 'CSRF2' not in codes and 'BP' in codes,
       'nothing was created by the refused requests', r)
    r = server.request('GET', '/api/v1/audit?action=request.csrf', token=auditor)
    ok(r.status == 200 and r.json and len(r.json.get('items', [])) >= 2, 'CSRF refusals are audited', r)
    r = server.request('POST', '/api/v1/agencies', {'code': 'TOK1', 'name': 'Via token', 'kind': 'other'},
                       token=users['admin']['token'])
    ok(r.status == 201, 'a bearer token needs no CSRF token', r)

    # ---- wrong password and unknown user look the same
    r1 = server.request('POST', '/api/v1/session', {'username': users['analyst']['username'], 'password': 'wrong-' + strong_password()})
    r2 = server.request('POST', '/api/v1/session', {'username': 'nobody-here', 'password': 'wrong-' + strong_password()})
    ok(r1.status == 401 and r2.status == 401 and r1.body == r2.body and not r1.all('set-cookie'),
       'wrong password and unknown user: the same 401 body', f'{r1}\n{r2}')

    # ---- bodies and validation
    big = b'{"code":"' + b'A' * (1024 * 1024 + 16) + b'"}'
    # The answer comes before the body is read: send the headers and a little, then read.
    status, raw = raw_exchange(server.port,
                               b'POST /api/v1/agencies HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n'
                               b'Authorization: Bearer ' + users['admin']['token'].encode() + b'\r\n'
                               b'Content-Length: ' + str(len(big)).encode() + b'\r\n\r\n' + big[:4096])
    ok(status == 413 and b'application/problem+json' in raw, 'a body over 1 MiB: 413 before it is read', raw[:300])
    r = server.request('POST', '/api/v1/agencies', big, headers={'Content-Type': 'application/json'},
                       token=users['admin']['token'], chunked=True)
    ok(r.status == 413, 'a chunked body over 1 MiB: 413', r)
    r = server.request('POST', '/api/v1/agencies', '{"code": "X1",\n "name": }',
                       headers={'Content-Type': 'application/json'}, token=users['admin']['token'])
    ok(r.status == 400 and r.json and re.search(r'line 2, column \d+', r.json.get('detail', '')),
       'malformed JSON: 400 naming line and column', r)
    r = server.request('POST', '/api/v1/agencies', {'code': 5, 'name': 'Five', 'kind': 'x'},
                       token=users['admin']['token'])
    ok(r.status == 422 and r.json and r.json.get('field') == 'code', 'a field of the wrong type: 422 naming it', r)
    r = server.request('POST', '/api/v1/agencies', {'code': 'X2', 'name': 'Two', 'kind': 'x', 'boss': 1},
                       token=users['admin']['token'])
    ok(r.status == 422 and r.json and r.json.get('field') == 'boss', 'an unknown member: 422 naming it', r)
    r = server.request('POST', '/api/v1/agencies', 'code=X3', headers={'Content-Type': 'application/x-www-form-urlencoded'},
                       token=users['admin']['token'])
    ok(r.status == 415, 'a body that is not JSON: 415', r)
    r = server.request('POST', '/api/v1/agencies', '[1, 2]', headers={'Content-Type': 'application/json'},
                       token=users['admin']['token'])
    ok(r.status == 400, 'a JSON body that is not an object: 400', r)
    r = server.request('POST', '/api/v1/users', {'username': 'u-bad-role', 'display_name': 'X', 'role': 'boss',
                                                  'agency': 'BP', 'password': strong_password()},
                       token=users['admin']['token'])
    ok(r.status == 422 and r.json and r.json.get('field') == 'role', 'an unknown role: 422 naming role', r)
    r = server.request('GET', '/api/v1/audit?limit=0', token=auditor)
    ok(r.status == 400 and r.json and r.json.get('field') == 'limit', 'a bad query parameter: 400 naming it', r)
    r = server.request('GET', '/api/v1/audit?colour=red', token=auditor)
    ok(r.status == 400 and r.json and r.json.get('field') == 'colour', 'an unknown query parameter: 400 naming it', r)
    r = server.request('GET', '/api/v1/audit?limit=2', token=auditor)
    items = (r.json or {}).get('items', [])
    ok(r.status == 200 and len(items) == 2 and r.json.get('next_before') == items[-1].get('seq'),
       'audit paging: limit and next_before', r)
    if r.status == 200 and r.json.get('next_before'):
        r2 = server.request('GET', f'/api/v1/audit?limit=2&before={r.json["next_before"]}', token=auditor)
        seqs = [e.get('seq') for e in (r2.json or {}).get('items', [])]
        ok(r2.status == 200 and seqs and all(s < r.json['next_before'] for s in seqs), 'audit: the next page is older', r2)
    r = server.request('GET', '/api/v1/audit/verify', token=auditor)
    ok(r.status == 200 and r.json and r.json.get('intact') is True and r.json.get('checked', 0) > 0,
       'the audit chain verifies', r)

    # ---- tokens: revoked is refused
    u = users['analyst']
    r = server.request('GET', '/api/v1/me', token=u['token'])
    ok(r.status == 200 and r.json and r.json.get('via') == 'token' and 'csrf_token' not in r.json,
       'a token authenticates: /me via token, no csrf_token', r)
    r = server.request('DELETE', f'/api/v1/tokens/{u["token_id"]}', token=users['admin']['token'])
    ok(r.status == 204 and r.body == b'', 'DELETE /tokens/{id}: 204', r)
    r = server.request('GET', '/api/v1/me', token=u['token'])
    ok(r.status == 401, 'a revoked token: 401', r)

    # ---- a disabled user's session and token end
    cw = users['case_worker']
    r = server.request('POST', '/api/v1/session', {'username': cw['username'], 'password': cw['password']})
    m = re.match(r'mmis_session=([^;]+)', (r.all('set-cookie') or [''])[0])
    cw_sess = m.group(1) if m else ''
    r = server.request('GET', '/api/v1/me', session=cw_sess)
    ok(r.status == 200 and r.json and r.json.get('username') == cw['username'], 'a case worker signs in', r)
    r = server.request('POST', f'/api/v1/users/{cw["username"]}/disable', session=admin_sess, csrf=admin_csrf)
    ok(r.status == 200 and r.json and r.json.get('disabled') is True, 'admin disables the user: 200, disabled', r)
    r = server.request('GET', '/api/v1/me', session=cw_sess)
    ok(r.status == 401, "the disabled user's session has ended", r)
    r = server.request('GET', '/api/v1/me', token=cw['token'])
    ok(r.status == 401, "the disabled user's token is refused", r)
    r = server.request('POST', '/api/v1/session', {'username': cw['username'], 'password': cw['password']})
    ok(r.status == 401, 'a disabled user cannot sign in', r)
    r = server.request('POST', f'/api/v1/users/{cw["username"]}/enable', session=admin_sess, csrf=admin_csrf)
    ok(r.status == 200 and r.json and r.json.get('disabled') is False, 'admin enables the user again', r)

    # ---- passwords
    bo = users['border_officer']
    new_pw = strong_password()
    r = server.request('POST', '/api/v1/me/password', {'old_password': bo['password'], 'new_password': new_pw},
                       token=bo['token'])
    ok(r.status == 204, 'POST /me/password changes one\'s own password', r)
    r = server.request('POST', '/api/v1/session', {'username': bo['username'], 'password': new_pw})
    ok(r.status == 201, 'the new password signs in', r)
    reset_pw = strong_password()
    r = server.request('PUT', f'/api/v1/users/{bo["username"]}/password', {'password': reset_pw},
                       session=admin_sess, csrf=admin_csrf)
    ok(r.status == 204, 'PUT /users/{username}/password resets it', r)
    r = server.request('PUT', f'/api/v1/users/{bo["username"]}/password', {'password': 'short'},
                       session=admin_sess, csrf=admin_csrf)
    ok(r.status == 422 and r.json and r.json.get('field') == 'password', 'a weak password: 422 naming password', r)

    # ---- static files
    r = server.request('GET', '/')
    ok(r.status == 200 and r.h.get('content-type', '').startswith('text/html') and b'index' in r.body
       and security_headers(r, api=False), '/ serves index.html with the security headers', r)
    r = server.request('GET', '/app.js')
    ok(r.status == 200 and r.h.get('content-type', '').startswith('text/javascript'), 'a .js file is text/javascript', r)
    r = server.request('GET', '/css/site.css')
    ok(r.status == 200 and r.h.get('content-type', '').startswith('text/css'), 'a .css file in a folder', r)
    r = server.request('GET', '/alias.js')
    ok(r.status == 200, 'a symbolic link within the web directory is served', r)
    bad = ['/leak.txt', '/.secret', '/../outside.txt', '/%2e%2e/outside.txt', '/css/../../outside.txt',
           '/css/', '/nothing-here.html', '//etc/passwd']
    res = [(p, server.request('GET', p).status) for p in bad]
    ok(all(s == 404 for _, s in res), 'no file outside the web directory, no dot-file, no folder', res)
    r = server.request('POST', '/index.html')
    ok(r.status == 405 and 'GET' in r.h.get('allow', ''), 'static files: POST is 405', r)

    # ---- metrics
    def healthz_count():
        r = server.request('GET', '/metrics')
        m = re.search(r'^mmis_http_requests_total\{route="/api/v1/healthz",method="GET",status="200"\} (\d+)$',
                      r.body.decode(), re.M)
        return r, int(m.group(1)) if m else -1
    r, before = healthz_count()
    for _ in range(5):
        server.request('GET', '/api/v1/healthz')
    r, after = healthz_count()
    text = r.body.decode()
    ok(r.status == 200 and after == before + 5, 'metrics count requests by route pattern', f'{before} -> {after}')
    ok(re.search(r'^mmis_up 1$', text, re.M) and re.search(r'^mmis_sessions_open \d+$', text, re.M),
       'metrics: mmis_up and mmis_sessions_open', text[:500])
    ok(re.search(r'^mmis_http_request_duration_seconds_bucket\{route="/api/v1/healthz",le="\+Inf"\} \d+$', text, re.M)
       and 'route="/api/v1/users/{username}/disable"' in text and 'no-such-user-zz' not in text,
       'metrics: a latency histogram per route, labelled by pattern', text[:500])

    # ---- logout
    r = server.request('DELETE', '/api/v1/session', session=admin_sess)
    ok(r.status == 403, 'logout without the CSRF token: 403', r)
    r = server.request('DELETE', '/api/v1/session', session=admin_sess, csrf=admin_csrf)
    cookie = (r.all('set-cookie') or [''])[0]
    ok(r.status == 204 and 'Max-Age=0' in cookie, 'logout: 204 and the cookie is cleared', r)
    r = server.request('GET', '/api/v1/me', session=admin_sess)
    ok(r.status == 401, 'the old session is gone', r)

    # ---- repeated failures are answered later, without holding a worker (one thread here)
    target = users['exchange_officer']['username'] if 'exchange_officer' in users else users['analyst']['username']
    statuses = []
    for _ in range(3):
        statuses.append(server.request('POST', '/api/v1/session', {'username': target, 'password': 'nope-' + strong_password()}).status)
    import threading
    result = {}

    def slow_login():
        t0 = time.time()
        rr = server.request('POST', '/api/v1/session', {'username': target, 'password': 'nope-' + strong_password()})
        result['r'] = rr
        result['t'] = time.time() - t0
    th = threading.Thread(target=slow_login)
    th.start()
    time.sleep(0.3)
    t0 = time.time()
    h = server.request('GET', '/api/v1/healthz')
    healthz_t = time.time() - t0
    th.join(60)
    rr = result.get('r')
    ok(statuses == [401, 401, 401] and rr is not None and rr.status == 429 and
       int(rr.h.get('retry-after', '0')) >= 1 and result['t'] >= 0.9,
       'after three failures the fourth is answered later, 429 with Retry-After', f'{statuses} {rr} {result.get("t")}')
    ok(h.status == 200 and healthz_t < 0.5, 'other requests are answered meanwhile', f'{h.status} {healthz_t}')

    # ---- garbage on raw sockets
    rnd = random.Random(1234)
    junk_kinds = [
        lambda: bytes(rnd.getrandbits(8) for _ in range(rnd.randint(1, 3000))),
        lambda: b'GET /' + bytes(rnd.getrandbits(8) for _ in range(rnd.randint(1, 200))) + b' HTTP/1.1\r\n\r\n',
        lambda: b'POST /api/v1/session HTTP/1.1\r\nHost: x\r\nContent-Length: ' + str(rnd.randint(0, 10**12)).encode() + b'\r\n\r\n{"a',
        lambda: b'GET /api/v1/healthz HTTP/1.1\r\n' + b'X-A: ' + b'a' * rnd.randint(1, 200000) + b'\r\n\r\n',
        lambda: b'POST /api/v1/agencies HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nContent-Type: application/json\r\n\r\nzz\r\n' + bytes(rnd.getrandbits(8) for _ in range(50)),
        lambda: b'\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03' + bytes(rnd.getrandbits(8) for _ in range(100)),
        lambda: b'GET /api/v1/me HTTP/1.1\r\nCookie: mmis_session=' + bytes(rnd.choice(b'abc;=\x00\xff"') for _ in range(100)) + b'\r\n\r\n',
        lambda: b'GET /api/v1/me HTTP/1.1\r\nAuthorization: Bearer ' + bytes(rnd.getrandbits(8) for _ in range(100)).replace(b'\r', b'').replace(b'\n', b'') + b'\r\n\r\n',
        lambda: b'DELETE /api/v1/tokens/' + bytes(rnd.choice(b'%/..\x00-abc') for _ in range(60)) + b' HTTP/1.1\r\nHost: x\r\n\r\n',
        lambda: b'GET /api/v1/audit?' + bytes(rnd.choice(b'&=%limt0123456789fromtobefore') for _ in range(200)) + b' HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ' + auditor.encode() + b'\r\n\r\n',
    ]
    for i in range(200):
        payload = junk_kinds[i % len(junk_kinds)]()
        try:
            with socket.create_connection(('127.0.0.1', server.port), timeout=2) as s:
                s.sendall(payload)
                s.shutdown(socket.SHUT_WR)
                try:
                    s.recv(65536)
                except OSError:
                    pass
        except OSError:
            pass
    r = server.request('GET', '/api/v1/healthz')
    ok(server.proc.poll() is None and r.status == 200, 'the server survives 200 garbage requests and answers healthz', r)

    # ---- the log: one JSON object per request, never a secret
    with open(server.log_path, 'rb') as f:
        log = f.read().decode('utf-8', errors='replace')
    lines = [l for l in log.splitlines() if l.strip()]
    parsed, bad_lines = [], []
    for l in lines:
        try:
            parsed.append(json.loads(l))
        except ValueError:
            bad_lines.append(l)
    reqs = [p for p in parsed if 'status' in p]
    ok(not bad_lines and reqs and all({'ts', 'id', 'method', 'path', 'status', 'ms', 'bytes', 'user'} <= set(p) for p in reqs),
       'the log is JSON lines with ts, id, method, path, status, ms, bytes, user', bad_lines[:3])
    secrets_seen = [s for s in [admin_pw, admin_sess, admin_csrf] + [u['token'] for u in users.values()] +
                    [u['password'] for u in users.values()] if s and s in log]
    ok(not secrets_seen, 'no password, session, CSRF token or API token in the log', len(secrets_seen))
    ok(all('?' not in p['path'] for p in reqs), 'logged paths carry no query string')

    # ---- graceful stop during a slow request
    body = json.dumps({'username': users['auditor']['username'], 'password': 'still-wrong-' + strong_password()}).encode()
    s = socket.create_connection(('127.0.0.1', server.port), timeout=30)
    s.sendall(b'POST /api/v1/session HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n'
              b'Content-Length: ' + str(len(body)).encode() + b'\r\n\r\n' + body[:10])
    time.sleep(0.3)
    server.proc.send_signal(signal.SIGTERM)
    time.sleep(0.5)
    refused = False
    try:
        socket.create_connection(('127.0.0.1', server.port), timeout=1).close()
    except OSError:
        refused = True
    ok(refused and server.proc.poll() is None, 'on SIGTERM new connections are refused while a request is in flight')
    s.sendall(body[10:])
    data = b''
    try:
        while True:
            chunk = s.recv(65536)
            if not chunk:
                break
            data += chunk
    except OSError:
        pass
    s.close()
    ok(data.startswith(b'HTTP/1.1 401'), 'the request in flight is answered', data[:200])
    rc = server.stop()
    ok(rc == 0, 'the server exits 0 after SIGTERM', rc)

    demo_and_tls(tmp, env)
    return server


def demo_and_tls(tmp, env):
    # ---- mmis demo: a new database with demo data, then served
    db = os.path.join(tmp, 'demo.db')
    key = os.path.join(tmp, 'demo.key')
    port = free_port()
    demo = Server(['--db', db, '--audit-key', key, 'demo', '--seed', '7', '--listen', f'127.0.0.1:{port}'],
                  env, os.path.join(tmp, 'demo.log'), port)
    up = demo.wait_ready(60)
    ok(up and os.path.exists(db) and os.path.exists(key), 'mmis demo creates the database and key and serves it')
    out = b''
    if up:
        r = demo.request('GET', '/api/v1/healthz')
        ok(r.status == 200, 'the demo answers healthz', r)
    rc = demo.stop()
    out = demo.proc.stdout.read().decode(errors='replace')
    ok(rc == 0, 'the demo server stops on SIGTERM with 0', rc)
    accounts = re.findall(r'^\s+(\S+)\s+(\S+)\s+(\S+)\s+(\S+)$', out, re.M)
    accounts = [a for a in accounts if a[0] != 'username']
    ok(len(accounts) >= 5, 'mmis demo prints the demo accounts', out)
    if accounts and up:
        port = free_port()
        again = Server(['--db', db, '--audit-key', key, 'demo', '--listen', f'127.0.0.1:{port}'],
                       env, os.path.join(tmp, 'demo2.log'), port)
        up2 = again.wait_ready(30)
        u, _, _, pw = accounts[0]
        r = again.request('POST', '/api/v1/session', {'username': u, 'password': pw}) if up2 else None
        ok(up2 and r is not None and r.status == 201, 'a second mmis demo serves the existing database; a demo account signs in', r)
        again.stop()
        out2 = again.proc.stdout.read().decode(errors='replace')
        ok('password' not in out2.lower() or 'existing' in out2, 'the second run does not seed again', out2)

    # ---- HTTPS: Secure cookie and HSTS
    if not shutil.which('openssl'):
        skip('HTTPS', 'no openssl to make a certificate')
        return
    cert = os.path.join(tmp, 'cert.pem')
    keyf = os.path.join(tmp, 'key.pem')
    r = subprocess.run(['openssl', 'req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', keyf, '-out', cert,
                        '-days', '2', '-subj', '/CN=127.0.0.1'], capture_output=True)
    if r.returncode != 0:
        skip('HTTPS', 'openssl could not make a certificate')
        return
    port = free_port()
    tls = Server(['--db', db, '--audit-key', key, 'serve', '--listen', f'127.0.0.1:{port}',
                  '--tls-cert', cert, '--tls-key', keyf], env, os.path.join(tmp, 'tls.log'), port, tls=True)
    if not ok(tls.wait_ready(30), 'serve --tls-cert/--tls-key answers over HTTPS'):
        tls.stop()
        return
    r = tls.request('GET', '/api/v1/healthz')
    ok(r.h.get('strict-transport-security', '').startswith('max-age='), 'HTTPS answers carry Strict-Transport-Security', r)
    if accounts:
        u, _, _, pw = accounts[0]
        r = tls.request('POST', '/api/v1/session', {'username': u, 'password': pw})
        cookie = (r.all('set-cookie') or [''])[0]
        ok(r.status == 201 and 'Secure' in [a.strip() for a in cookie.split(';')], 'over HTTPS the cookie is Secure', r)
    ok(tls.stop() == 0, 'the HTTPS server stops with 0')


if __name__ == '__main__':
    main()
