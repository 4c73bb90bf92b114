// The hub: one HTTP server with the agents' and dashboards' WebSockets, /metrics, the JSON API and
// the browser dashboard. No `vscode` import: the CLI and the extension both run it.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { BlockList, isIP, type AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { join } from 'node:path';
import { WebSocketServer } from 'ws';
import { MAX_AGENT_FRAME_BYTES, PROTOCOL_HEADER, PROTOCOL_VERSION, type AllowedSignal } from '../protocol/agent';
import { AgentRegistry, type AgentTraffic, type SignalResult } from './agentSocket';
import { handleApi, sendJson } from './api';
import { createMetrics } from './metrics/index';
import { startOtelExport } from './otel/otelExport';
import { serveDashboardPage, serveStatic } from './static';
import { Store, type StoreOptions } from './store';
import { generateToken, requestToken, tokensMatch } from './token';
import { UiSockets } from './uiSocket';

export interface HubOptions extends StoreOptions {
  host?: string;
  /** 0 picks a free port. */
  port?: number;
  token?: string;
  /** Where the dashboard bundle is (dist/webview). */
  staticDir?: string;
  /** OTEL_* variables for OpenTelemetry export (default: process.env); null turns export off. */
  otelEnv?: NodeJS.ProcessEnv | null;
  /** Where the hub says things worth one line (OpenTelemetry notes). Default: stderr. */
  log?: (line: string) => void;
}

export interface Hub {
  readonly host: string;
  readonly port: number;
  readonly token: string;
  /** http://HOST:PORT */
  readonly url: string;
  /** The browser dashboard, token included. */
  readonly dashboardUrl: string;
  /** Where agents connect (GUNICORN_LIVE_URL). */
  readonly agentUrl: string;
  readonly store: Store;
  /** Frames received from agents and how many were refused. */
  readonly agentTraffic: AgentTraffic;
  sendSignal(serverId: string, signal: AllowedSignal): Promise<SignalResult>;
  /** Lets pages from `origin` read /ws/ui too: the hub seen through a proxy (VS Code's asExternalUri). */
  allowOrigin(origin: string): void;
  close(): Promise<void>;
}

const MAX_UI_MESSAGE_BYTES = 64 * 1024;

/** dist/webview next to the bundled dist/cli.js or dist/extension.js. */
const DEFAULT_STATIC_DIR = join(__dirname, 'webview');

export async function startHub(options: HubOptions = {}): Promise<Hub> {
  const host = options.host ?? '127.0.0.1';
  const token = options.token ?? generateToken();
  const staticDir = options.staticDir ?? DEFAULT_STATIC_DIR;
  const store = new Store(options);
  const agents = new AgentRegistry(store);
  const sendSignal = (id: string, signal: AllowedSignal) => agents.sendSignal(id, signal);
  const uis = new UiSockets(store, sendSignal);
  const metrics = createMetrics(store);
  const log = options.log ?? ((line: string) => console.error(`gunicorn-live: ${line}`));
  const otel = options.otelEnv === null ? null : startOtelExport(store, options.otelEnv ?? process.env, log);
  const pruning = setInterval(() => store.prune(), 60_000);
  pruning.unref();
  const agentWss = new WebSocketServer({ noServer: true, maxPayload: MAX_AGENT_FRAME_BYTES });
  agentWss.on('headers', (headers) => headers.push(`${PROTOCOL_HEADER}: ${PROTOCOL_VERSION}`));
  const uiWss = new WebSocketServer({ noServer: true, maxPayload: MAX_UI_MESSAGE_BYTES });
  let origins: Set<string> = new Set();
  // Bound beyond loopback (an explicit opt-in), browsers reach the hub by names we cannot list: a page
  // the hub served itself (Origin = http:// + the request's own Host) may read the feed. A page from
  // another site still cannot: its browser sends that site's Origin with the hub's Host.
  const remote = !isLoopbackHost(host);

  const server = createServer((req, res) => {
    handleRequest(req, res).catch(() => {
      if (!res.headersSent) sendJson(res, 500, { error: 'internal error' });
      else res.destroy();
    });
  });

  async function handleRequest(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://hub');
    const path = url.pathname;
    if (path.startsWith('/api/')) {
      if (!tokensMatch(requestToken(req, url), token)) return unauthorized(res);
      if (await handleApi({ store, sendSignal }, req, res, url)) return;
      return sendJson(res, 404, { error: `no route ${path}` });
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') return sendJson(res, 405, { error: `${req.method} is not allowed` });
    if (path === '/metrics') {
      res.writeHead(200, { 'Content-Type': metrics.contentType });
      return void res.end(await metrics.text());
    }
    if (path === '/healthz') return sendJson(res, 200, { ok: true });
    if (path === '/' || path === '/index.html') return serveDashboardPage(res, pageHost(req.headers.host, `${hostForUrl(host)}:${port}`));
    if (!serveStatic(req, res, staticDir, path)) sendJson(res, 404, { error: `no route ${path}` });
  }

  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    const url = new URL(req.url ?? '/', 'http://hub');
    const refuse = (status: string) => {
      socket.end(`HTTP/1.1 ${status}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
    };
    if (url.pathname !== '/ws/agent' && url.pathname !== '/ws/ui') return refuse('404 Not Found');
    if (!tokensMatch(requestToken(req, url), token)) return refuse('401 Unauthorized');
    if (url.pathname === '/ws/agent') {
      return agentWss.handleUpgrade(req, socket, head, (ws) => agents.accept(ws));
    }
    // A page from another site must not read the dashboard feed even if it learned the token.
    const origin = req.headers.origin;
    const servedHere = remote && req.headers.host !== undefined && origin === `http://${req.headers.host}`;
    if (origin !== undefined && !origins.has(origin) && !servedHere) return refuse('403 Forbidden');
    uiWss.handleUpgrade(req, socket, head, (ws) => uis.accept(ws));
  });

  const port = await new Promise<number>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => {
      server.off('error', reject);
      resolve((server.address() as AddressInfo).port);
    });
  });
  origins = new Set([`http://${hostForUrl(host)}:${port}`, `http://localhost:${port}`, `http://127.0.0.1:${port}`, `http://[::1]:${port}`]);
  const base = `http://${hostForUrl(host)}:${port}`;

  return {
    host,
    port,
    token,
    url: base,
    dashboardUrl: `${base}/#token=${token}`,
    agentUrl: `ws://${hostForUrl(host)}:${port}/ws/agent`,
    store,
    agentTraffic: agents.traffic,
    sendSignal,
    allowOrigin(origin: string) {
      origins.add(new URL(origin).origin);
    },
    async close() {
      clearInterval(pruning);
      agents.closeAll();
      uis.closeAll();
      agentWss.close();
      uiWss.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await otel?.shutdown();
    },
  };
}

function unauthorized(res: ServerResponse): void {
  res.setHeader('WWW-Authenticate', 'Bearer');
  sendJson(res, 401, { error: 'missing or wrong token' });
}

/** The host the page was loaded from, so its CSP allows the WebSocket back to the same place. */
function pageHost(header: string | undefined, fallback: string): string {
  return header && /^[A-Za-z0-9.-]+(:\d+)?$|^\[[0-9a-fA-F:]+\](:\d+)?$/.test(header) ? header : fallback;
}

const LOOPBACK = new BlockList();
LOOPBACK.addSubnet('127.0.0.0', 8, 'ipv4');
LOOPBACK.addAddress('::1', 'ipv6');

/** `localhost` or a loopback address: a hub there is reachable from this machine only. */
export function isLoopbackHost(host: string): boolean {
  const family = isIP(host);
  return host === 'localhost' || (family !== 0 && LOOPBACK.check(host, family === 4 ? 'ipv4' : 'ipv6'));
}

function hostForUrl(host: string): string {
  return host.includes(':') ? `[${host}]` : host;
}
