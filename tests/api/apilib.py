"""The helpers the API tests share: TAP output, a temporary database made with `mmis init`, its
users and their API tokens made with the CLI, a real `mmis serve` on a free loopback port, and
requests to it. Python standard library only. Not a test itself: the test_*.py files import it.

Needs $MMIS (the binary); $MMIS_SOURCE_ROOT for the docs (default: this file's ../..).
"""
import http.client
import json
import os
import re
import secrets
import shutil
import signal
import socket
import ssl
import subprocess
import sys
import tempfile
import time

MMIS = os.environ.get('MMIS')
SRC = os.environ.get('MMIS_SOURCE_ROOT', os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..'))

n_tests = 0
n_failed = 0


def ok(cond, name, diag=None):
    global n_tests, n_failed
    n_tests += 1
    if cond:
        print(f'ok {n_tests} - {name}')
    else:
        n_failed += 1
        print(f'not ok {n_tests} - {name}')
        if diag is not None:
            for line in str(diag).splitlines()[:30]:
                print(f'#   {line}')
    sys.stdout.flush()
    return cond


def skip(name, why):
    global n_tests
    n_tests += 1
    print(f'ok {n_tests} - {name} # SKIP {why}')


def bail(msg):
    print(f'Bail out! {msg}')
    sys.exit(1)


def free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(('127.0.0.1', 0))
        return s.getsockname()[1]


class Resp:
    def __init__(self, status, headers, body):
        self.status = status
        self.headers = headers            # list of (name, value)
        self.body = body
        self.h = {k.lower(): v for k, v in headers}
        self.json = None
        ctype = self.h.get('content-type', '')
        if 'json' in ctype and body:
            try:
                self.json = json.loads(body)
            except ValueError:
                pass

    def all(self, name):
        return [v for k, v in self.headers if k.lower() == name.lower()]

    def __repr__(self):
        return f'{self.status} {self.h} {self.body[:400]!r}'


class Server:
    def __init__(self, args, env, log_path, port, tls=False):
        self.port = port
        self.tls = tls
        self.log_path = log_path
        self.log = open(log_path, 'wb')
        self.proc = subprocess.Popen([MMIS] + args, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                     stderr=self.log, env=env)

    def conn(self, timeout=30):
        if self.tls:
            ctx = ssl.create_default_context()
            ctx.check_hostname = False
            ctx.verify_mode = ssl.CERT_NONE
            return http.client.HTTPSConnection('127.0.0.1', self.port, timeout=timeout, context=ctx)
        return http.client.HTTPConnection('127.0.0.1', self.port, timeout=timeout)

    def request(self, method, path, body=None, headers=None, token=None, session=None,
                csrf=None, timeout=30, chunked=False):
        h = dict(headers or {})
        if token:
            h['Authorization'] = 'Bearer ' + token
        if session:
            h['Cookie'] = 'mmis_session=' + session
        if csrf:
            h['X-CSRF-Token'] = csrf
        if isinstance(body, (dict, list)):
            body = json.dumps(body).encode()
            h.setdefault('Content-Type', 'application/json')
        elif isinstance(body, str):
            body = body.encode()
        c = self.conn(timeout)
        try:
            if chunked:
                c.request(method, path, body=iter([body]), headers=h, encode_chunked=True)
            else:
                c.request(method, path, body=body, headers=h)
            r = c.getresponse()
            data = r.read()
            return Resp(r.status, r.getheaders(), data)
        finally:
            c.close()

    def wait_ready(self, seconds=30):
        end = time.time() + seconds
        while time.time() < end:
            if self.proc.poll() is not None:
                return False
            try:
                r = self.request('GET', '/api/v1/healthz', timeout=2)
                if r.status == 200:
                    return True
            except OSError:
                pass
            time.sleep(0.1)
        return False

    def stop(self, timeout=20):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
        try:
            rc = self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            rc = self.proc.wait()
        self.log.close()
        return rc


def run(args, env, stdin=None):
    return subprocess.run([MMIS] + args, input=stdin, capture_output=True, env=env, timeout=120)


def raw_exchange(port, data, timeout=10):
    """Send raw bytes, read the answer until the server closes or stops; (status, bytes)."""
    out = b''
    with socket.create_connection(('127.0.0.1', port), timeout=timeout) as s:
        try:
            s.sendall(data)
        except OSError:
            pass
        try:
            while True:
                chunk = s.recv(65536)
                if not chunk:
                    break
                out += chunk
                if b'\r\n\r\n' in out:
                    head, _, rest = out.partition(b'\r\n\r\n')
                    m = re.search(rb'content-length:\s*(\d+)', head, re.I)
                    if m and len(rest) >= int(m.group(1)):
                        break
        except OSError:
            pass
    m = re.match(rb'HTTP/1\.[01] (\d{3})', out)
    return (int(m.group(1)) if m else 0), out


def strong_password():
    """A random password cracklib accepts every time: it calls a password "simplistic/systematic"
    when several neighbouring characters are equal or one apart (ab, ba, aa, case folded), which a
    random string of 28 characters does about once in 500 draws, so such draws are skipped."""
    while True:
        pw = 'Vq7-' + secrets.token_urlsafe(18)
        low = pw.lower()
        if all(abs(ord(a) - ord(b)) > 1 for a, b in zip(low, low[1:])):
            return pw



def iso(dt):
    """A datetime as the API writes times: UTC ISO 8601 with milliseconds."""
    return dt.strftime('%Y-%m-%dT%H:%M:%S.000Z')


def write_secret(path, text):
    """A file only its owner reads, holding one line (a password); its path."""
    with open(path, 'w') as f:
        f.write(text + '\n')
    os.chmod(path, 0o600)
    return path


def clean_env():
    """The environment without the variables that would point mmis elsewhere."""
    env = dict(os.environ)
    for k in ('MMIS_DB', 'MMIS_AUDIT_KEY', 'MMIS_WEB_DIR', 'MMIS_MIN_CELL'):
        env.pop(k, None)
    return env


def main(prefix, suite):
    """Run suite(tmp) in a new temporary directory (kept when a test failed), kill the server it
    returns if still running, print the TAP plan and exit 0 or 1."""
    if not MMIS or not os.access(MMIS, os.X_OK):
        bail('$MMIS must name the mmis binary')
    tmp = tempfile.mkdtemp(prefix=prefix)
    os.chmod(tmp, 0o755)
    server = None
    try:
        server = suite(tmp)
    finally:
        if server and server.proc.poll() is None:
            server.proc.kill()
            server.proc.wait()
        if n_failed == 0:
            shutil.rmtree(tmp, ignore_errors=True)
        else:
            print(f'# kept {tmp} for inspection')
    print(f'1..{n_tests}')
    sys.exit(1 if n_failed else 0)


class Instance:
    """A new database in `tmp` made by `mmis init` (a test named `name`) with the administrator's
    password in the file `pwname`; users and their tokens made with the CLI; its server."""

    def __init__(self, tmp, name='mmis init', pwname='pw'):
        self.tmp = tmp
        self.env = clean_env()
        self.db = os.path.join(tmp, 'mmis.db')
        self.key = os.path.join(tmp, 'audit.key')
        self.g = ['--db', self.db, '--audit-key', self.key]
        self.pw = strong_password()
        self.pwfile = write_secret(os.path.join(tmp, pwname), self.pw)
        self.tokens = {}
        self.server = None
        r = self.mmis('init', '--admin-password-file', self.pwfile)
        if not ok(r.returncode == 0, name, r.stderr.decode()):
            bail('cannot create the database')

    def mmis(self, *args):
        """The mmis command line on this database."""
        return run(self.g + list(args), self.env)

    def agencies(self, pairs):
        """Agencies from (code, kind) pairs, each named "CODE agency"."""
        for code, kind in pairs:
            self.mmis('agency', 'add', code, '--name', code + ' agency', '--kind', kind)

    def user(self, name, role, agency):
        """A user with the administrator's password and an API token in self.tokens; the
        `user add` result."""
        r = self.mmis('user', 'add', name, '--role', role, '--agency', agency, '--password-file', self.pwfile)
        t = self.mmis('token', 'create', '--user', name, '--name', 'test')
        m = re.search(rb'(mmis_[A-Za-z0-9_-]{43})', t.stdout)
        if m:
            self.tokens[name] = m.group(1).decode()
        return r

    def users(self, accounts, what):
        """Users from (name, role, agency) triples; a test named `what` that each has a token."""
        r = None
        for name, role, agency in accounts:
            r = self.user(name, role, agency)
        if not ok(all(a[0] in self.tokens for a in accounts), what, r.stderr.decode() if r else None):
            bail('no users')

    def serve(self):
        """`mmis serve` on a free loopback port with two threads, once it answers its health check."""
        port = free_port()
        self.server = Server(self.g + ['serve', '--listen', f'127.0.0.1:{port}', '--threads', '2'],
                             self.env, os.path.join(self.tmp, 'server.log'), port)
        if not ok(self.server.wait_ready(), 'the server starts'):
            bail('the server did not start')
        return self.server

    def req(self, method, path, body=None, who=None, headers=None):
        """A request with `who`'s API token."""
        return self.server.request(method, path, body, token=self.tokens[who], headers=headers)
