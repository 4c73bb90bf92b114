// "Gunicorn Live: Profile Route…": the routes of the running servers by time spent (profile samples in the
// hot lines' window), and the dashboard panel's Profile view filtered to the one picked. A CodeLens passes
// its route and skips the pick.
import * as vscode from 'vscode';
import { formatShare } from '../hub/profile/lineHeat';
import { routeName } from '../hub/profile/profileStore';
import type { HubHost } from './hubHost';
import { hotLinesSettings } from './hotLines/hotLinesSettings';
import type { DashboardPanel } from './panel';

export interface RouteChoice {
  serverId: string;
  route: string;
  samples: number;
}

/** Every route of every connected server with samples in the window, most first. */
export function routesByTime(hubs: HubHost): RouteChoice[] {
  const hub = hubs.current;
  if (!hub) return [];
  const { window, mode } = hotLinesSettings();
  const out: RouteChoice[] = [];
  for (const server of hub.store.summaries()) {
    if (!server.connected) continue;
    const routes = hub.store.profiles(server.id)?.counts({ window, mode }).routes ?? [];
    for (const r of routes) {
      const samples = mode === 'cpu' ? r.cpu : r.samples;
      if (r.method && samples > 0) out.push({ serverId: server.id, route: routeName(r.method, r.route), samples });
    }
  }
  return out.sort((a, b) => b.samples - a.samples || a.route.localeCompare(b.route));
}

/** Picks a route (or takes `route`), opens the panel on its profile; what was shown, or undefined. */
export async function profileRoute(hubs: HubHost, openPanel: () => Promise<DashboardPanel>, route?: string): Promise<RouteChoice | undefined> {
  const choices = routesByTime(hubs);
  if (choices.length === 0) {
    void vscode.window.showInformationMessage('Gunicorn Live: no route has profile samples yet. Launch a server (its profiler is on by default) and send it some requests.');
    return undefined;
  }
  let choice = route === undefined ? undefined : choices.find((c) => c.route === route);
  if (!choice) {
    const total = choices.reduce((a, c) => a + c.samples, 0);
    const hub = hubs.current!;
    const several = new Set(choices.map((c) => c.serverId)).size > 1;
    const picked = await vscode.window.showQuickPick(choices.map((c) => ({
      label: c.route,
      description: `${formatShare(c.samples, total)} of request time`,
      detail: several ? hub.store.summary(c.serverId)?.app : undefined,
      choice: c,
    })), { title: 'Gunicorn Live: Profile Route', placeHolder: `Routes by time spent in the last ${windowText(hotLinesSettings().window)}`, matchOnDescription: true });
    choice = picked?.choice;
  }
  if (!choice) return undefined;
  const panel = await openPanel();
  panel.showProfile(choice.serverId, choice.route);
  return choice;
}

const windowText = (seconds: number) => (seconds < 120 ? `${seconds} s` : `${Math.round(seconds / 60)} min`);
