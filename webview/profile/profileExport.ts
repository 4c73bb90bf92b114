// Export in the browser: the hub's API formats the file (speedscope JSON or collapsed stacks, the same
// code as `GET /api/servers/:id/profile?format=…`); the page fetches it with its token and hands it to
// the browser as a download. (VS Code's webview cannot download: there the host saves — saveProfile.)
import type { ProfileFileFormat, ProfileRequestMessage } from '../../extension/protocol/ui';

export type ProfileQueryFields = Omit<ProfileRequestMessage, 'type' | 'id'>;

/** The API path (relative to the page) of a profile in a file format. */
export function profileUrl(q: ProfileQueryFields, format: ProfileFileFormat): string {
  const params = new URLSearchParams({ window: String(q.window), mode: q.mode, format });
  if (q.route !== undefined) params.set('route', q.route);
  if (q.pid !== undefined) params.set('pid', String(q.pid));
  return `api/servers/${encodeURIComponent(q.serverId)}/profile?${params.toString()}`;
}

export async function downloadProfile(token: string, q: ProfileQueryFields, format: ProfileFileFormat): Promise<void> {
  const res = await fetch(new URL(profileUrl(q, format), location.href).href, { headers: { Authorization: `Bearer ${token}` }, cache: 'no-store' });
  if (!res.ok) throw new Error(`the hub answered ${res.status}`);
  const filename = /filename="([^"]+)"/.exec(res.headers.get('Content-Disposition') ?? '')?.[1] ?? `profile.${format === 'speedscope' ? 'json' : 'txt'}`;
  const url = URL.createObjectURL(await res.blob());
  const a = document.createElement('a');
  a.href = url;
  a.download = filename;
  a.hidden = true;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}
