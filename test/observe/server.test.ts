// The HTTP server: read-only (GET and HEAD, 405 otherwise), loopback by default, only the files of its table,
// security headers, the JSON API and the event stream.
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { connect } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { DEFAULT_CONFIG } from '../../src/config/defaults.js';
import { UsageError } from '../../src/model/errors.js';
import { EventBus } from '../../src/observe/events.js';
import { OomguardMetrics } from '../../src/observe/metrics.js';
import {
  CONTENT_SECURITY_POLICY,
  parseListen,
  type RunningServer,
  startServer,
} from '../../src/observe/server.js';
import { LiveState } from '../../src/observe/state.js';
import { FakeHost } from '../helpers/fake-host.js';
import { GIB } from '../helpers/snapshot-builder.js';
import { metricValue } from './promtool.js';

interface Reply {
  readonly status: number;
  readonly headers: Record<string, string | string[] | undefined>;
  readonly body: string;
}

/** A raw request: the path is sent exactly as given (fetch would normalize `..`). */
function send(
  server: RunningServer,
  path: string,
  opts: { method?: string; headers?: Record<string, string>; body?: string } = {},
): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: server.address.host,
        port: server.address.port,
        method: opts.method ?? 'GET',
        path,
        headers: opts.headers ?? {},
      },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (d: string) => {
          body += d;
        });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
      },
    );
    // CONNECT and upgrade answers arrive as these events, with the socket handed over.
    const raw = (res: { statusCode?: number; headers: Reply['headers'] }, socket: { destroy(): void }) => {
      socket.destroy();
      resolve({ status: res.statusCode ?? 0, headers: res.headers, body: '' });
    };
    req.on('connect', raw);
    req.on('upgrade', raw);
    req.on('error', reject);
    req.end(opts.body);
  });
}

function makeState(bus: EventBus) {
  let now = 1_700_000_000_000;
  const host = new FakeHost({ now: () => now, memTotal: 8 * GIB, memAvailable: 6 * GIB });
  host.add({ pid: 42, comm: '<img src=x>', anonPages: 500 });
  host.add({ pid: 43, comm: 'worker', anonPages: 100 });
  const state = new LiveState({ host, bus, settings: DEFAULT_CONFIG, now: () => now });
  return { state, host, advance: (ms: number) => (now += ms) };
}

describe('the HTTP server', () => {
  const bus = new EventBus();
  const { state } = makeState(bus);
  const metrics = new OomguardMetrics({ sample: () => state.view(), bus });
  let server: RunningServer;
  before(async () => {
    state.tick();
    server = await startServer({ listen: '127.0.0.1:0', state, metrics });
  });
  after(async () => {
    await server.close();
    state.stop();
    metrics.close();
  });

  test('answers only GET and HEAD: every other method is 405 with an Allow header', async () => {
    for (const method of ['POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS', 'TRACE', 'CONNECT']) {
      for (const path of ['/', '/metrics', '/api/state', '/nowhere']) {
        const r = await send(server, path, { method, ...(method === 'POST' ? { body: 'x=1' } : {}) });
        assert.equal(r.status, 405, `${method} ${path}`);
        assert.equal(r.headers.allow, 'GET, HEAD', `${method} ${path}`);
      }
    }
  });

  test('a client that never finishes its headers (slowloris) is cut off after about 10 s', async () => {
    const started = Date.now();
    const { closedAfterMs, reply } = await new Promise<{ closedAfterMs: number; reply: string }>(
      (resolve, reject) => {
        const socket = connect(server.address.port, server.address.host, () => {
          socket.write('GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ');
        });
        let reply = '';
        socket.setEncoding('utf8');
        socket.on('data', (d: string) => {
          reply += d;
        });
        socket.on('close', () => resolve({ closedAfterMs: Date.now() - started, reply }));
        socket.on('error', reject);
        // Far past the server's limit: if the server never closes, the test fails on this rather than hanging.
        setTimeout(
          () => socket.destroy(new Error('the server kept a half-sent request open for 30 s')),
          30_000,
        ).unref();
      },
    );
    assert.ok(closedAfterMs >= 9_000 && closedAfterMs < 13_000, `closed after ${closedAfterMs} ms`);
    assert.match(reply, /^HTTP\/1\.1 408 /, 'answered 408 Request Timeout');
  });

  test('a protocol upgrade (WebSocket) is refused too', async () => {
    const r = await send(server, '/events', { headers: { Connection: 'Upgrade', Upgrade: 'websocket' } });
    assert.equal(r.status, 405);
  });

  test('HEAD has the headers of GET and no body', async () => {
    const get = await send(server, '/static/dashboard.css');
    const head = await send(server, '/static/dashboard.css', { method: 'HEAD' });
    assert.equal(head.status, 200);
    assert.equal(head.body, '');
    assert.equal(head.headers['content-length'], String(Buffer.byteLength(get.body)));
    assert.equal(head.headers['content-type'], 'text/css; charset=utf-8');
  });

  test('no path leaves the table of files: traversal and unknown names are 404', async () => {
    for (const path of [
      '/static/../../etc/passwd',
      '/static/..%2f..%2fetc%2fpasswd',
      '/static/%2e%2e/%2e%2e/etc/passwd',
      '/static//etc/passwd',
      '/static/dashboard.js/../../../etc/passwd',
      '/../../../../etc/passwd',
      '/static/',
      '/static',
      '/index.html',
      '/static/server.ts',
      '/api/explain/1/2',
    ]) {
      const r = await send(server, path);
      assert.equal(r.status, 404, path);
      assert.ok(!r.body.includes('root:'), path);
    }
  });

  test('the dashboard page: CSP without inline scripts, nosniff, no framing; every resource local', async () => {
    const r = await send(server, '/');
    assert.equal(r.status, 200);
    assert.equal(r.headers['content-type'], 'text/html; charset=utf-8');
    const csp = String(r.headers['content-security-policy']);
    assert.equal(csp, CONTENT_SECURITY_POLICY);
    assert.match(csp, /(^|; )default-src 'self'(;|$)/);
    assert.match(csp, /(^|; )script-src 'self'(;|$)/);
    assert.ok(!csp.includes('unsafe-inline') && !csp.includes('unsafe-eval'));
    assert.equal(r.headers['x-content-type-options'], 'nosniff');
    assert.equal(r.headers['x-frame-options'], 'DENY');
    assert.equal(r.headers['cache-control'], 'no-cache');
    assert.ok(
      !/<script>|<script [^>]*>[^<]/.test(r.body.replace(/<script src="[^"]+" defer><\/script>/g, '')),
    );
    const refs = [...r.body.matchAll(/(?:src|href)="([^"]+)"/g)].map((m) => m[1] as string);
    assert.ok(refs.length >= 5);
    for (const ref of refs) {
      assert.match(ref, /^\/static\//, `${ref} is served by oomguard itself`);
      assert.equal((await send(server, ref)).status, 200, ref);
    }
  });

  test('static files carry an ETag and answer 304 when unchanged', async () => {
    const r = await send(server, '/static/uPlot.iife.min.js');
    assert.equal(r.status, 200);
    assert.equal(r.headers['content-type'], 'text/javascript; charset=utf-8');
    assert.match(r.body, /uPlot/);
    const again = await send(server, '/static/uPlot.iife.min.js', {
      headers: { 'If-None-Match': String(r.headers.etag) },
    });
    assert.equal(again.status, 304);
    assert.equal(again.body, '');
  });

  test('a loopback server answers only to loopback host names (DNS rebinding)', async () => {
    assert.equal((await send(server, '/api/state', { headers: { Host: 'evil.example:80' } })).status, 403);
    for (const host of ['localhost:1', '127.0.0.1', '127.1.2.3:5', '[::1]:80', 'LOCALHOST']) {
      assert.equal((await send(server, '/api/state', { headers: { Host: host } })).status, 200, host);
    }
  });

  test('a request with a body is refused; so is an overlong URL', async () => {
    const r = await send(server, '/api/state', { headers: { 'Content-Length': '3' }, body: 'abc' });
    assert.equal(r.status, 413);
    assert.equal((await send(server, `/api/state?${'x'.repeat(3000)}`)).status, 414);
  });

  test('/api/state: memory, candidates with escaped names, the series; no-store', async () => {
    const r = await send(server, '/api/state');
    assert.equal(r.status, 200);
    assert.equal(r.headers['content-type'], 'application/json; charset=utf-8');
    assert.equal(r.headers['cache-control'], 'no-store');
    const s = JSON.parse(r.body);
    assert.equal(s.memory.availableBytes, 6 * GIB);
    assert.equal(s.memory.sizeBytes, 8 * GIB);
    assert.deepEqual(
      s.candidates.map((c: { pid: number; comm: string }) => [c.pid, c.comm]),
      [
        [42, '<img src=x>'],
        [43, 'worker'],
      ],
    );
    assert.ok(s.series.length >= 1);
    assert.equal(s.series.at(-1).memAvailableBytes, 6 * GIB);
  });

  test('/api/explain/PID: the explanation; 400 for a bad pid, 404 for a missing process', async () => {
    const ok = await send(server, '/api/explain/43');
    assert.equal(ok.status, 200);
    const body = JSON.parse(ok.body);
    assert.equal(body.explanation.candidate.pid, 43);
    assert.equal(body.explanation.ahead.pid, 42);
    assert.match(body.text, /^pid 43 \(worker\)/);
    for (const bad of ['', 'abc', '0', '-1', '1e3', '12345678901']) {
      assert.equal((await send(server, `/api/explain/${bad}`)).status, 400, bad);
    }
    const missing = await send(server, '/api/explain/999');
    assert.equal(missing.status, 404);
    assert.deepEqual(JSON.parse(missing.body), { error: 'no such process: 999' });
  });

  test('/metrics: the Prometheus text format, counters that move with a kill event', async () => {
    const before = await send(server, '/metrics');
    assert.equal(before.status, 200);
    assert.equal(before.headers['content-type'], 'text/plain; version=0.0.4; charset=utf-8');
    assert.equal(metricValue(before.body, 'oomguard_kills_total{signal="SIGKILL",unit="cgroup"}'), undefined);
    bus.emit({
      event: 'signal',
      level: 'notice',
      message: 'sent SIGKILL to cgroup /x',
      fields: { pid: 42, comm: 'x', signal: 'SIGKILL', unit: 'cgroup', pids: [42, 43] },
    });
    const afterKill = await send(server, '/metrics');
    assert.equal(metricValue(afterKill.body, 'oomguard_kills_total{signal="SIGKILL",unit="cgroup"}'), 1);
  });

  test('/events: the state at once, then each daemon event as it happens', async () => {
    const controller = new AbortController();
    const res = await fetch(`${server.url}events`, { signal: controller.signal });
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('content-type'), 'text/event-stream; charset=utf-8');
    assert.equal(res.headers.get('cache-control'), 'no-store');
    const reader = (res.body as ReadableStream<Uint8Array>).getReader();
    const decoder = new TextDecoder();
    let buffer = '';
    const nextEvent = async (name: string): Promise<unknown> => {
      for (;;) {
        const m = new RegExp(`event: ${name}\\ndata: (.*)\\n\\n`).exec(buffer);
        if (m) {
          buffer = buffer.slice((m.index ?? 0) + m[0].length);
          return JSON.parse(m[1] as string);
        }
        const { value, done } = await reader.read();
        if (done) throw new Error('stream ended');
        buffer += decoder.decode(value, { stream: true });
      }
    };
    const first = (await nextEvent('state')) as { candidates: unknown[] };
    assert.equal(first.candidates.length, 2);
    bus.emit({
      event: 'exit',
      level: 'notice',
      message: 'pid 42 exited',
      fields: { pid: 42, comm: '<img src=x>', signal: 'SIGTERM', afterMs: 20 },
    });
    const e = (await nextEvent('daemon')) as { event: string; kill: { pid: number; comm: string } };
    assert.equal(e.event, 'exit');
    assert.equal(e.kill.pid, 42);
    assert.equal(e.kill.comm, '<img src=x>');
    state.tick();
    await nextEvent('state');
    controller.abort();
  });
});

describe('a watched cgroup that goes away', () => {
  test('/api/state shows why; /api/explain is 503, not a crash', async () => {
    const host = new FakeHost({ now: () => 0 });
    host.addCgroup('/job', { limit: 64 * 1024 * 1024, usage: 1024 * 1024 });
    host.add({ pid: 7, comm: 'inside', anonPages: 10, cgroup: '/job' });
    const state = new LiveState({ host, settings: { ...DEFAULT_CONFIG, scopeCgroup: '/job' } });
    const metrics = new OomguardMetrics({ sample: () => state.view() });
    state.tick();
    const server = await startServer({ listen: '127.0.0.1:0', state, metrics });
    try {
      assert.equal((await send(server, '/api/explain/7')).status, 200);
      host.removeCgroup('/job');
      state.tick();
      const s = JSON.parse((await send(server, '/api/state')).body);
      assert.match(s.error, /^cannot read memory: .*\/job/);
      const r = await send(server, '/api/explain/7');
      assert.equal(r.status, 503);
      assert.match(JSON.parse(r.body).error, /\/job/);
      assert.equal((await send(server, '/metrics')).status, 200);
    } finally {
      await server.close();
    }
  });
});

describe('listening', () => {
  test('binds 127.0.0.1 unless told otherwise', async () => {
    const bus = new EventBus();
    const { state } = makeState(bus);
    const metrics = new OomguardMetrics({ sample: () => state.view() });
    const server = await startServer({ state, metrics });
    try {
      assert.deepEqual(server.address, { host: '127.0.0.1', port: 9707 });
      assert.equal(server.url, 'http://127.0.0.1:9707/');
    } finally {
      await server.close();
    }
  });

  test('IPv6 loopback', async () => {
    const { state } = makeState(new EventBus());
    const metrics = new OomguardMetrics({ sample: () => state.view() });
    const server = await startServer({ listen: '[::1]:0', state, metrics });
    try {
      assert.equal(server.address.host, '::1');
      assert.match(server.url, /^http:\/\/\[::1\]:\d+\/$/);
      assert.equal((await fetch(`${server.url}api/state`)).status, 200);
    } finally {
      await server.close();
    }
  });

  test('a port in use is a clear error', async () => {
    const { state } = makeState(new EventBus());
    const metrics = new OomguardMetrics({ sample: () => state.view() });
    const one = await startServer({ listen: '127.0.0.1:0', state, metrics });
    try {
      await assert.rejects(
        startServer({ listen: `127.0.0.1:${one.address.port}`, state, metrics }),
        new RegExp(`^OomguardError: cannot listen on 127\\.0\\.0\\.1:${one.address.port}: EADDRINUSE$`),
      );
    } finally {
      await one.close();
    }
  });

  test('parseListen', () => {
    assert.deepEqual(parseListen('127.0.0.1:9707'), { host: '127.0.0.1', port: 9707 });
    assert.deepEqual(parseListen('[::1]:80'), { host: '::1', port: 80 });
    assert.deepEqual(parseListen('localhost:0'), { host: 'localhost', port: 0 });
    for (const bad of ['9707', '127.0.0.1', '127.0.0.1:65536', ':80', 'a b:1', '::1:80']) {
      assert.throws(() => parseListen(bad), UsageError, bad);
    }
  });
});
