// Where a launch will listen, and the next free port when that one is taken (real sockets on loopback).
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { bindInConfig, bindsIn, bindsOfConfig, configComputesBind, formatBind, nextFreeBind, parseBind, portTaken } from '../../../extension/launch/bind';

const listen = (port = 0): Promise<Server> => new Promise((resolve) => {
  const s = createServer();
  s.listen(port, '127.0.0.1', () => resolve(s));
});
const portOf = (s: Server) => (s.address() as { port: number }).port;

describe('binds', () => {
  it('reads every spelling of --bind from a command line, stopping at --', () => {
    assert.deepEqual(bindsIn(['-b', 'a:1', '-bb:2', '--bind', 'c:3', '--bind=d:4', '--', '-b', 'e:5']), ['a:1', 'b:2', 'c:3', 'd:4']);
    assert.deepEqual(bindsIn(['--workers', '2', 'app:app']), []);
  });

  it('parses host:port, IPv6, a bare host and :port; not unix sockets', () => {
    assert.deepEqual(parseBind('127.0.0.1:8001'), { host: '127.0.0.1', port: 8001 });
    assert.deepEqual(parseBind('[::1]:9000'), { host: '::1', port: 9000 });
    assert.deepEqual(parseBind('localhost'), { host: 'localhost', port: 8000 });
    assert.deepEqual(parseBind(':8080'), { host: '0.0.0.0', port: 8080 });
    assert.equal(parseBind('unix:/run/app.sock'), null);
    assert.equal(formatBind({ host: '::1', port: 9000 }), '[::1]:9000');
  });

  it('reads a literal bind from a config file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'bind-'));
    writeFileSync(join(dir, 'a.py'), 'workers = 2\nbind = "127.0.0.1:8123"\n');
    writeFileSync(join(dir, 'b.py'), "bind = ['0.0.0.0:9001', 'unix:/x']\n");
    writeFileSync(join(dir, 'c.py'), 'import os\nbind = os.environ["BIND"]\n');
    assert.equal(bindInConfig(join(dir, 'a.py')), '127.0.0.1:8123');
    assert.equal(bindInConfig(join(dir, 'b.py')), '0.0.0.0:9001');
    assert.equal(bindInConfig(join(dir, 'c.py')), null);
    assert.equal(bindInConfig(join(dir, 'none.py')), null);
    assert.deepEqual(['a.py', 'b.py', 'c.py', 'none.py'].map((f) => configComputesBind(join(dir, f))), [false, false, true, false]);
  });

  it('runs a config that computes its bind, in its folder, as Gunicorn would (Debian\'s python3)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'bind-'));
    writeFileSync(join(dir, 'ports.py'), 'BASE = 8100\n');
    writeFileSync(join(dir, 'env.py'), 'import os\nfrom ports import BASE\nbind = os.environ.get("GL_UNSET_BIND", "127.0.0.1:%d" % (BASE + 7))\n');
    writeFileSync(join(dir, 'list.py'), 'bind = ["0.0.0.0:%d" % 9002, "unix:/tmp/x.sock"]\n');
    writeFileSync(join(dir, 'broken.py'), 'bind = undefined_name\n');
    writeFileSync(join(dir, 'nobind.py'), 'workers = 2\n');
    const of = (f: string) => bindsOfConfig('/usr/bin/python3', join(dir, f), dir);
    assert.deepEqual(await of('env.py'), ['127.0.0.1:8107']);
    assert.deepEqual(await of('list.py'), ['0.0.0.0:9002', 'unix:/tmp/x.sock']);
    assert.equal(await of('broken.py'), null);
    assert.equal(await of('nobind.py'), null);
    assert.equal(await bindsOfConfig('/nonexistent/python3', join(dir, 'env.py'), dir), null);
  });

  it('sees a taken port and finds the next free one after it', async () => {
    const a = await listen();
    const port = portOf(a);
    try {
      assert.equal(await portTaken({ host: '127.0.0.1', port }), true);
      const next = await nextFreeBind({ host: '127.0.0.1', port });
      assert.ok(next && next.port > port && next.port <= port + 50, `next free after ${port}: ${JSON.stringify(next)}`);
      assert.equal(await portTaken(next), false);
    } finally {
      a.close();
    }
    // A server on the wildcard address takes the port on loopback too.
    const b = await new Promise<Server>((resolve) => { const s = createServer(); s.listen(0, '0.0.0.0', () => resolve(s)); });
    try {
      assert.equal(await portTaken({ host: '127.0.0.1', port: portOf(b) }), true);
    } finally {
      b.close();
    }
  });
});
