// A stand-in hub for the render benchmark: the real dashboard page and bundle (the hub's own page and
// static-file code, same CSP), and a /ws/ui that sends the snapshot a dashboard gets on connect — 15 min
// of 1 Hz history for 64 workers — then one update per second, as the hub does, from SyntheticServer.
import { createServer, type Server } from 'node:http';
import { join } from 'node:path';
import { WebSocketServer, type WebSocket } from 'ws';
import { serveDashboardPage, serveStatic } from '../../extension/hub/static';
import { arrayHistory } from '../../extension/hub/historyRing';
import { connectMessages, DASHBOARD_MIN_SHARE } from '../../extension/hub/uiFeed';
import { ProfileStore } from '../../extension/hub/profile/profileStore';
import type { HistoryPoint, HubToUi, UiToHub } from '../../extension/protocol/ui';
import { frameAt, rng, stacksOf } from '../hub/profileCost';
import { SyntheticServer } from './syntheticData';

export interface SyntheticHub {
  url: string;
  /** Bytes of the snapshot message each dashboard gets when it connects. */
  snapshotBytes: number;
  /** Starts the live updates (one per second, each with a second of profile samples) for `seconds`; resolves after the last one. */
  live(seconds: number): Promise<number>;
  /** Profile requests answered so far. */
  profileAnswers(): number;
  close(): Promise<void>;
}

export async function startSyntheticHub(root: string, historySeconds: number): Promise<SyntheticHub> {
  const now = Math.floor(Date.now() / 1000);
  const sim = new SyntheticServer(now - historySeconds - 30);
  const history: HistoryPoint[] = [];
  let server = sim.sample(now - historySeconds).server;
  for (let t = now - historySeconds; t < now; t++) {
    if (t === now - 600) sim.reload(t); // ten minutes ago: every worker replaced
    if (t === now - 180) sim.timeout(t);
    const s = sim.sample(t);
    history.push(s.point);
    server = s.server;
  }
  // Profiles as the real hub keeps them: 64 workers at 97 Hz over 200 routes and 5,000 distinct stacks, the
  // last 5 minutes filled now and a new second added with every live update.
  const profiles = new ProfileStore();
  profiles.hello(97);
  const random = rng(11);
  const routeStacks = Array.from({ length: 200 }, (_, r) => stacksOf(r));
  const profileSeconds = Array.from({ length: 30 }, () => frameAt(0, random, routeStacks));
  for (let t = now - 300; t < now; t++) profiles.add({ ...profileSeconds[t % profileSeconds.length], at: t });
  let profileAnswers = 0;

  // What the real hub sends a dashboard on connect: the snapshot, then the older history in slices.
  const connect = [...connectMessages([server], () => arrayHistory(history))].map((m) => JSON.stringify(m));

  const sockets = new Set<WebSocket>();
  const wss = new WebSocketServer({ noServer: true });
  const http: Server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    if (path === '/') return serveDashboardPage(res, req.headers.host ?? '127.0.0.1');
    if (!serveStatic(req, res, join(root, 'dist', 'webview'), path)) {
      res.writeHead(404);
      res.end();
    }
  });
  http.on('upgrade', (req, socket, head) => {
    if (!req.url?.startsWith('/ws/ui')) return socket.destroy();
    wss.handleUpgrade(req, socket, head, (ws) => {
      sockets.add(ws);
      ws.on('close', () => sockets.delete(ws));
      // The Profile view asks every 2 s while it is open; answered from the store, as uiFeed.answerUi does.
      ws.on('message', (data) => {
        const m = JSON.parse((data as Buffer).toString()) as UiToHub;
        if (m.type !== 'profile') return;
        profileAnswers += 1;
        const query = { window: m.window, mode: m.mode, ...(m.route === undefined ? {} : { route: m.route }), ...(m.pid === undefined ? {} : { pid: m.pid }) };
        ws.send(JSON.stringify({ type: 'profile', id: m.id, profile: profiles.query(m.serverId, query, DASHBOARD_MIN_SHARE) } satisfies HubToUi));
      });
      for (const message of connect) ws.send(message);
    });
  });
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  const { port } = http.address() as { port: number };

  const broadcast = (msg: HubToUi) => {
    const text = JSON.stringify(msg);
    for (const ws of sockets) ws.send(text);
  };

  return {
    url: `http://127.0.0.1:${port}/#token=bench`,
    snapshotBytes: Buffer.byteLength(connect[0]),
    profileAnswers: () => profileAnswers,
    live: (seconds) => new Promise((resolve) => {
      let sent = 0;
      const timer = setInterval(() => {
        const at = Date.now() / 1000;
        // Something happens now and then, as on a real server: a worker added, one timed out.
        if (sent === Math.floor(seconds / 3)) {
          sim.addWorker(at);
          broadcast({ type: 'event', serverId: sim.id, event: { type: 'signal', signal: 'SIGTTIN', at } });
        }
        if (sent === Math.floor((2 * seconds) / 3)) sim.timeout(at);
        profiles.add({ ...profileSeconds[Math.floor(at) % profileSeconds.length], at });
        const { point, server: view } = sim.sample(at);
        broadcast({ type: 'update', server: view, point });
        sent += 1;
        if (sent >= seconds) {
          clearInterval(timer);
          resolve(sent);
        }
      }, 1000);
    }),
    close: async () => {
      for (const ws of sockets) ws.terminate();
      wss.close();
      await new Promise((r) => http.close(r));
    },
  };
}
