// The read-only HTTP server of the dashboard and /metrics. Loopback by default; GET and HEAD only; every
// file it can send is named in a fixed table (no request path ever reaches the file system); small requests,
// short timeouts, a bounded number of event streams. Nothing it answers changes anything.
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { isIP } from 'node:net';
import type { Duplex } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { isListenAddress } from '../config/address.js';
import type { DaemonConfig } from '../config/types.js';
import type { Host } from '../host/host.js';
import { HostReadError, NoSuchProcessError, OomguardError, UsageError } from '../model/errors.js';
import type { EventBus } from './events.js';
import type { HistoryEntry } from './history.js';
import { OomguardMetrics } from './metrics.js';
import { LiveState, type StateSettings, type StateView } from './state.js';

/** Where `oomguard serve` listens unless told otherwise. */
export const DEFAULT_LISTEN = '127.0.0.1:9707';

/** Limits of what one client may ask. */
const MAX_URL_LENGTH = 2048;
const MAX_HEADER_BYTES = 16 * 1024;
const HEADERS_TIMEOUT_MS = 10_000;
const REQUEST_TIMEOUT_MS = 15_000;
const MAX_CONNECTIONS = 128;
export const MAX_EVENT_STREAMS = 32;
/** A stream whose client reads slower than this much piles up is dropped rather than kept in memory. */
const MAX_STREAM_BACKLOG = 1024 * 1024;

export const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self'",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

const ALLOW = 'GET, HEAD';

export interface ListenAddress {
  readonly host: string;
  readonly port: number;
}

/** "HOST:PORT" or "[IPv6]:PORT" → its parts; a usage error naming the value otherwise. */
export function parseListen(value: string): ListenAddress {
  if (!isListenAddress(value)) {
    throw new UsageError(`--listen: expected HOST:PORT (e.g. 127.0.0.1:9707 or [::1]:9707), got "${value}"`);
  }
  const at = value.lastIndexOf(':');
  const host = value.slice(0, at).replace(/^\[(.*)\]$/, '$1');
  return { host, port: Number(value.slice(at + 1)) };
}

function isLoopbackName(host: string): boolean {
  const h = host.toLowerCase();
  return h === 'localhost' || h === '::1' || (isIP(h) === 4 && h.startsWith('127.'));
}

/** The hostname of a Host header ("example:80", "[::1]:80"). */
function hostHeaderName(value: string): string {
  const m = /^\[([^\]]*)\](?::\d*)?$/.exec(value);
  if (m) return m[1] as string;
  return value.replace(/:\d*$/, '');
}

interface Asset {
  readonly body: Buffer;
  readonly type: string;
  readonly etag: string;
}

/** The dashboard's own files: beside this module (src/, or dist/ when the build copied them), else in src/. */
export function dashboardDir(): string {
  for (const rel of ['./dashboard/', '../../src/observe/dashboard/']) {
    const dir = fileURLToPath(new URL(rel, import.meta.url));
    if (existsSync(`${dir}index.html`)) return dir;
  }
  throw new OomguardError(
    'the dashboard files (observe/dashboard/index.html) are missing from this installation',
  );
}

/** Every file the server can send, by URL path. Nothing outside this table is ever read. */
function loadAssets(): Map<string, Asset> {
  const dir = dashboardDir();
  const require = createRequire(import.meta.url);
  const files: [string, string, string][] = [
    ['/', `${dir}index.html`, 'text/html; charset=utf-8'],
    ['/static/dashboard.js', `${dir}dashboard.js`, 'text/javascript; charset=utf-8'],
    ['/static/dashboard.css', `${dir}dashboard.css`, 'text/css; charset=utf-8'],
    ['/static/favicon.svg', `${dir}favicon.svg`, 'image/svg+xml'],
    [
      '/static/uPlot.iife.min.js',
      require.resolve('uplot/dist/uPlot.iife.min.js'),
      'text/javascript; charset=utf-8',
    ],
    ['/static/uPlot.min.css', require.resolve('uplot/dist/uPlot.min.css'), 'text/css; charset=utf-8'],
  ];
  const assets = new Map<string, Asset>();
  for (const [path, file, type] of files) {
    let body: Buffer;
    try {
      body = readFileSync(file);
    } catch (e) {
      throw new OomguardError(`dashboard file ${file} cannot be read: ${(e as Error).message}`);
    }
    const etag = `"${createHash('sha256').update(body).digest('base64url').slice(0, 22)}"`;
    assets.set(path, { body, type, etag });
  }
  return assets;
}

export interface ServerOptions {
  /** "HOST:PORT"; default DEFAULT_LISTEN. Port 0 picks a free port (see the returned address). */
  readonly listen?: string;
  readonly state: LiveState;
  readonly metrics: OomguardMetrics;
}

export interface RunningServer {
  readonly address: ListenAddress;
  /** http://HOST:PORT/ as a browser would be pointed at it. */
  readonly url: string;
  close(): Promise<void>;
}

export async function startServer(opts: ServerOptions): Promise<RunningServer> {
  const { host, port } = parseListen(opts.listen ?? DEFAULT_LISTEN);
  const assets = loadAssets();
  const loopbackOnly = isLoopbackName(host);
  const streams = new Set<ServerResponse>();

  const send = (
    req: IncomingMessage,
    res: ServerResponse,
    status: number,
    type: string,
    body: string | Buffer,
    headers: Record<string, string> = {},
  ) => {
    const buf = typeof body === 'string' ? Buffer.from(body) : body;
    res.writeHead(status, {
      'Content-Type': type,
      'Content-Length': String(buf.length),
      'Cache-Control': 'no-store',
      ...headers,
    });
    res.end(req.method === 'HEAD' ? undefined : buf);
  };
  const json = (req: IncomingMessage, res: ServerResponse, status: number, value: unknown) =>
    send(req, res, status, 'application/json; charset=utf-8', `${JSON.stringify(value)}\n`);
  const text = (req: IncomingMessage, res: ServerResponse, status: number, msg: string, h = {}) =>
    send(req, res, status, 'text/plain; charset=utf-8', `${msg}\n`, h);

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    for (const [k, v] of Object.entries(SECURITY_HEADERS)) res.setHeader(k, v);
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      return text(req, res, 405, 'method not allowed: this server is read-only', { Allow: ALLOW });
    }
    const url = req.url ?? '/';
    if (url.length > MAX_URL_LENGTH) return text(req, res, 414, 'URL too long');
    if (req.headers['transfer-encoding'] !== undefined || Number(req.headers['content-length'] ?? 0) > 0) {
      return text(req, res, 413, 'no request body is accepted');
    }
    // DNS rebinding: a web page must not reach a loopback-only dashboard through a name of its own.
    const hostHeader = req.headers.host;
    if (loopbackOnly && hostHeader !== undefined && !isLoopbackName(hostHeaderName(hostHeader))) {
      return text(req, res, 403, 'this server answers only to loopback host names');
    }
    const path = url.split('?', 1)[0] as string;
    const asset = assets.get(path);
    if (asset !== undefined) {
      const cache = { ETag: asset.etag, 'Cache-Control': 'no-cache' };
      if (req.headers['if-none-match'] === asset.etag) {
        res.writeHead(304, cache);
        res.end();
        return;
      }
      return send(req, res, 200, asset.type, asset.body, cache);
    }
    switch (path) {
      case '/metrics':
        return send(req, res, 200, opts.metrics.contentType, await opts.metrics.scrape());
      case '/api/state':
        return json(req, res, 200, { ...opts.state.view(), series: opts.state.points() });
      case '/events':
        return openStream(req, res);
    }
    const explain = /^\/api\/explain\/([^/]*)$/.exec(path);
    if (explain) {
      const arg = explain[1] as string;
      const pid = Number(arg);
      if (!/^\d{1,10}$/.test(arg) || pid < 1) {
        return json(req, res, 400, { error: 'expected a process id (a positive whole number)' });
      }
      try {
        return json(req, res, 200, opts.state.explain(pid));
      } catch (e) {
        if (e instanceof NoSuchProcessError || e instanceof UsageError) {
          return json(req, res, 404, { error: e.message });
        }
        // The watched cgroup gone, /proc unreadable: nothing the client did wrong, and maybe not for long.
        if (e instanceof HostReadError) return json(req, res, 503, { error: e.message });
        throw e;
      }
    }
    return text(req, res, 404, 'not found');
  };

  const openStream = (req: IncomingMessage, res: ServerResponse) => {
    if (streams.size >= MAX_EVENT_STREAMS) {
      return text(req, res, 503, 'too many event streams', { 'Retry-After': '5' });
    }
    res.writeHead(200, {
      'Content-Type': 'text/event-stream; charset=utf-8',
      'Cache-Control': 'no-store',
      'X-Accel-Buffering': 'no',
    });
    if (req.method === 'HEAD') {
      res.end();
      return;
    }
    res.write('retry: 3000\n\n');
    res.write(sse('state', opts.state.view()));
    streams.add(res);
    follow();
    req.socket.setTimeout(0);
    res.on('close', () => {
      streams.delete(res);
      unfollowIfIdle();
    });
  };

  const broadcast = (chunk: string) => {
    for (const res of streams) {
      // Destroying emits 'close', which forgets the stream.
      if (res.writableLength > MAX_STREAM_BACKLOG) res.destroy();
      else res.write(chunk);
    }
  };
  // Subscribed only while a stream is open: each update costs a ranking (a read of every process).
  let offUpdate: (() => void) | null = null;
  const follow = () => {
    offUpdate ??= opts.state.onUpdate((v: StateView) => broadcast(sse('state', v)));
  };
  const unfollowIfIdle = () => {
    if (streams.size > 0 || offUpdate === null) return;
    offUpdate();
    offUpdate = null;
  };
  const offEvent = opts.state.onEvent((e) => {
    if (streams.size > 0) broadcast(sse('daemon', e));
  });

  // Check the header and request deadlines every second (Node's default: every 30 s), so a client that
  // trickles its headers (slowloris) is cut off close to HEADERS_TIMEOUT_MS.
  const server = createServer(
    { maxHeaderSize: MAX_HEADER_BYTES, connectionsCheckingInterval: 1000 },
    (req, res) => {
      handle(req, res).catch((e: unknown) => {
        if (res.headersSent) res.destroy();
        else text(req, res, 500, `internal error: ${(e as Error).message}`);
      });
    },
  );
  // CONNECT and protocol upgrades bypass the request handler: refuse them the same way.
  const refuseRaw = (_req: IncomingMessage, socket: Duplex) => {
    socket.end(
      `HTTP/1.1 405 Method Not Allowed\r\nAllow: ${ALLOW}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n`,
    );
  };
  server.on('connect', refuseRaw);
  server.on('upgrade', refuseRaw);
  server.headersTimeout = HEADERS_TIMEOUT_MS;
  server.requestTimeout = REQUEST_TIMEOUT_MS;
  server.maxConnections = MAX_CONNECTIONS;

  await new Promise<void>((resolve, reject) => {
    const onError = (e: NodeJS.ErrnoException) => {
      offEvent();
      reject(new OomguardError(`cannot listen on ${host}:${port}: ${e.code ?? e.message}`));
    };
    server.once('error', onError);
    server.listen({ host, port }, () => {
      server.off('error', onError);
      resolve();
    });
  });
  const addr = server.address() as AddressInfo;
  const address = { host: addr.address, port: addr.port };
  const urlHost = addr.family === 'IPv6' ? `[${addr.address}]` : addr.address;
  return {
    address,
    url: `http://${urlHost}:${addr.port}/`,
    close: () =>
      new Promise<void>((resolve) => {
        offEvent();
        for (const res of streams) res.end();
        streams.clear();
        unfollowIfIdle();
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

const SECURITY_HEADERS: Record<string, string> = {
  'Content-Security-Policy': CONTENT_SECURITY_POLICY,
  'X-Content-Type-Options': 'nosniff',
  'X-Frame-Options': 'DENY',
  'Referrer-Policy': 'no-referrer',
  'Cross-Origin-Resource-Policy': 'same-origin',
};

function sse(event: string, data: unknown): string {
  // JSON.stringify never emits a raw newline, so one data line carries the whole message.
  return `event: ${event}\ndata: ${JSON.stringify(data)}\n\n`;
}

export interface AttachOptions {
  readonly host: Host;
  readonly config: StateSettings & Pick<DaemonConfig, 'listen'>;
  /** The daemon's events (`run --listen`); absent for `oomguard serve`. */
  readonly bus?: EventBus;
  /** Kills recorded on disk (`oomguard serve`, which has no daemon in its process). */
  readonly recordedKills?: () => readonly HistoryEntry[];
  readonly users?: ReadonlyMap<number, string>;
  /** Overrides config.listen. */
  readonly listen?: string;
}

export interface AttachedServer extends RunningServer {
  readonly state: LiveState;
  readonly metrics: OomguardMetrics;
}

/** The dashboard and /metrics for a host (and a daemon's events): state, metrics and server, started together. */
export async function attachServer(opts: AttachOptions): Promise<AttachedServer> {
  const state = new LiveState({
    host: opts.host,
    settings: opts.config,
    ...(opts.bus ? { bus: opts.bus } : {}),
    ...(opts.recordedKills ? { recordedKills: opts.recordedKills } : {}),
    ...(opts.users ? { users: opts.users } : {}),
  });
  const metrics = new OomguardMetrics({ sample: () => state.view(), ...(opts.bus ? { bus: opts.bus } : {}) });
  state.start();
  let server: RunningServer;
  try {
    server = await startServer({
      listen: opts.listen ?? opts.config.listen ?? DEFAULT_LISTEN,
      state,
      metrics,
    });
  } catch (e) {
    state.stop();
    metrics.close();
    throw e;
  }
  return {
    ...server,
    state,
    metrics,
    close: async () => {
      await server.close();
      state.stop();
      metrics.close();
    },
  };
}
