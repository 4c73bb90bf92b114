// GET /api/servers/:id/profile?window=SECONDS&route=METHOD%20ROUTE&pid=PID&mode=wall|cpu&format=json|collapsed|speedscope
import type { ServerResponse } from 'node:http';
import { z } from 'zod';
import { HISTORY_SECONDS } from '../../protocol/constants';
import { PROFILE_MODES, type ProfileFileFormat } from '../../protocol/ui';
import type { Store } from '../store';
import { collapsed, speedscope } from './profileFormats';
import type { ProfileQuery, ProfileStore } from './profileStore';

export const PROFILE_FORMATS = ['json', 'collapsed', 'speedscope'] as const;
/** Without ?window: the dashboards' default window, 5 minutes. */
export const DEFAULT_PROFILE_WINDOW = 300;

const wholeNumber = (name: string, max: number) => z.string()
  .regex(/^\d{1,9}$/, `${name} must be a whole number`)
  .transform(Number)
  .refine((n) => n >= 1 && n <= max, `${name} must be from 1 to ${max}`);

const params = z.strictObject({
  window: wholeNumber('window', HISTORY_SECONDS).optional(),
  route: z.string().min(1, 'route must be "METHOD ROUTE", e.g. "GET /orders/{id}"').max(600).optional(),
  pid: wholeNumber('pid', 2 ** 22).optional(),
  mode: z.enum(PROFILE_MODES, { error: `mode must be one of ${PROFILE_MODES.join(', ')}` }).optional(),
  format: z.enum(PROFILE_FORMATS, { error: `format must be one of ${PROFILE_FORMATS.join(', ')}` }).optional(),
}, { error: (issue) => (issue.code === 'unrecognized_keys' ? `unknown parameter ${issue.keys.join(', ')}; known: window, route, pid, mode, format` : undefined) });

export type ProfileRequest = ProfileQuery & { format: (typeof PROFILE_FORMATS)[number] };

/** The query string as a profile request, or the one-line reason it is not one. */
export function parseProfileParams(search: URLSearchParams): ProfileRequest | { error: string } {
  const raw: Record<string, string> = {};
  for (const [key, value] of search) {
    if (key in raw) return { error: `${key} is given twice` };
    raw[key] = value;
  }
  const parsed = params.safeParse(raw);
  if (!parsed.success) return { error: parsed.error.issues[0].message };
  const p = parsed.data;
  return {
    window: p.window ?? DEFAULT_PROFILE_WINDOW, mode: p.mode ?? 'wall', format: p.format ?? 'json',
    ...(p.route === undefined ? {} : { route: p.route }), ...(p.pid === undefined ? {} : { pid: p.pid }),
  };
}

/** Answers for a known server `id`. */
export function sendProfile(store: Store, id: string, search: URLSearchParams, res: ServerResponse): void {
  const request = parseProfileParams(search);
  const profiles = store.profiles(id);
  if ('error' in request || !profiles) {
    const error = 'error' in request ? request.error : `no server with id ${id}`;
    res.writeHead('error' in request ? 400 : 404, { 'Content-Type': 'application/json; charset=utf-8', 'Cache-Control': 'no-store' });
    res.end(JSON.stringify({ error }));
    return;
  }
  const { format, ...query } = request;
  if (format === 'json') {
    send(res, 'application/json; charset=utf-8', JSON.stringify(profiles.query(id, query)));
  } else {
    const file = profileFile(profiles, id, query, format);
    send(res, file.contentType, file.body, file.filename);
  }
}

/** A window's profile as a file other tools read: for the API's downloads and VS Code's Save dialog. */
export function profileFile(profiles: ProfileStore, id: string, query: ProfileQuery, format: ProfileFileFormat): { body: string; filename: string; contentType: string } {
  const label = `${id}-${query.route === undefined ? 'all' : slug(query.route)}-${query.mode}-${query.window}s`;
  if (format === 'collapsed') {
    return { body: collapsed(profiles.table, profiles.counts(query)), filename: `${label}.collapsed.txt`, contentType: 'text/plain; charset=utf-8' };
  }
  const name = `${query.route ?? 'all routes'} · ${query.pid === undefined ? 'all workers' : `worker ${query.pid}`} · ${query.mode} · last ${query.window} s`;
  const file = speedscope(profiles.table, profiles.counts(query), profiles.hz, name, 'gunicorn-live');
  return { body: JSON.stringify(file), filename: `${label}.speedscope.json`, contentType: 'application/json; charset=utf-8' };
}

function send(res: ServerResponse, type: string, body: string, filename?: string): void {
  res.writeHead(200, {
    'Content-Type': type, 'Cache-Control': 'no-store',
    ...(filename ? { 'Content-Disposition': `attachment; filename="${filename}"` } : {}),
  });
  res.end(body);
}

/** A route as a file-name part: letters, digits, '-', '_' and '.' only. */
function slug(route: string): string {
  return route.replace(/[^A-Za-z0-9._-]+/g, '_').replace(/^_+|_+$/g, '').slice(0, 80) || 'route';
}
