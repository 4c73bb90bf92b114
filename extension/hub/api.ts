// The JSON API under /api (Bearer token checked by the caller). Each route answers one question.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { ALLOWED_SIGNALS, allowedSignal, type AllowedSignal } from '../protocol/constants';
import type { SignalResult } from './agentSocket';
import { MAX_ROUTE_WINDOW_SECONDS } from './routeStats';
import { sendProfile } from './profile/profileApi';
import type { Store } from './store';

const MAX_BODY_BYTES = 4096;
/** /routes without ?window: the last minute. */
const DEFAULT_ROUTE_WINDOW_SECONDS = 60;

export interface ApiContext {
  store: Store;
  sendSignal(serverId: string, signal: AllowedSignal): Promise<SignalResult>;
}

export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8', 'Cache-Control': 'no-store' });
  res.end(text);
}

/** Routes /api/…; false when no route matches (the caller answers 404). */
export async function handleApi(ctx: ApiContext, req: IncomingMessage, res: ServerResponse, url: URL): Promise<boolean> {
  if (url.pathname === '/api/servers') {
    if (req.method !== 'GET') sendJson(res, 405, { error: `${req.method} is not allowed on ${url.pathname}` });
    else {
      // ?events=N: each server's newest N lifecycle events, up to all the hub keeps (default 200).
      const raw = url.searchParams.get('events');
      const kept = ctx.store.eventsKept;
      const events = raw === null ? undefined : /^\d{1,9}$/.test(raw) ? Number(raw) : NaN;
      if (events !== undefined && !(events <= kept)) sendJson(res, 400, { error: `events must be a whole number from 0 to ${kept} (the events the hub keeps per server)` });
      else sendJson(res, 200, { servers: ctx.store.servers(events) });
    }
    return true;
  }
  const match = /^\/api\/servers\/([A-Za-z0-9_-]{1,64})\/(history|routes|signal|profile)$/.exec(url.pathname);
  if (!match) return false;
  const [, id, action] = match;
  if (!ctx.store.server(id)) {
    sendJson(res, 404, { error: `no server with id ${id}` });
    return true;
  }
  if (action === 'history' && req.method === 'GET') {
    const raw = url.searchParams.get('window');
    const window = raw === null ? undefined : Number(raw);
    if (window !== undefined && !(Number.isFinite(window) && window > 0)) {
      sendJson(res, 400, { error: 'window must be a positive number of seconds' });
      return true;
    }
    sendJson(res, 200, { serverId: id, points: ctx.store.history(id, window) });
    return true;
  }
  if (action === 'routes' && req.method === 'GET') {
    const raw = url.searchParams.get('window');
    const window = raw === null ? DEFAULT_ROUTE_WINDOW_SECONDS : Number(raw);
    if (!(Number.isInteger(window) && window > 0 && window <= MAX_ROUTE_WINDOW_SECONDS)) {
      sendJson(res, 400, { error: `window must be a whole number of seconds from 1 to ${MAX_ROUTE_WINDOW_SECONDS}` });
      return true;
    }
    sendJson(res, 200, { serverId: id, window, routes: ctx.store.routeWindow(id, window) });
    return true;
  }
  if (action === 'profile' && req.method === 'GET') {
    sendProfile(ctx.store, id, url.searchParams, res);
    return true;
  }
  if (action === 'signal' && req.method === 'POST') {
    const body = await readJson(req);
    const signal = allowedSignal(body?.signal);
    if (!signal) {
      sendJson(res, 400, { error: `signal must be one of ${ALLOWED_SIGNALS.join(', ')}` });
      return true;
    }
    const result = await ctx.sendSignal(id, signal);
    sendJson(res, result.ok ? 200 : 502, result);
    return true;
  }
  sendJson(res, 405, { error: `${req.method} is not allowed on ${url.pathname}` });
  return true;
}

async function readJson(req: IncomingMessage): Promise<Record<string, unknown> | null> {
  let size = 0;
  const chunks: Buffer[] = [];
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY_BYTES) return null;
    chunks.push(chunk as Buffer);
  }
  try {
    const value: unknown = JSON.parse(Buffer.concat(chunks).toString('utf8'));
    return value && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}
