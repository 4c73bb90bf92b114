// Dashboards on /ws/ui: a snapshot when they connect, then every update, event and ack as it happens.
// The only thing a dashboard may send is a signal command, checked against the allow-list.
import type { WebSocket } from 'ws';
import { z } from 'zod';
import { ALLOWED_SIGNALS, type AllowedSignal, type LifecycleEvent } from '../protocol/agent';
import type { HistoryPoint, HubToUi, ServerView } from '../protocol/ui';
import { RateLimiter } from './rateLimiter';
import type { Store } from './store';

/** History a dashboard receives on connect: the longest window it offers. */
export const SNAPSHOT_SECONDS = 3600;
const MESSAGES_PER_SECOND = 20;
/** A dashboard that stops reading is dropped rather than buffered without bound. */
const MAX_BUFFERED_BYTES = 8 * 1024 * 1024;

const uiToHub = z.discriminatedUnion('type', [
  z.strictObject({
    type: z.literal('signal'),
    id: z.string().min(1).max(64),
    serverId: z.string().min(1).max(64),
    signal: z.enum(ALLOWED_SIGNALS).or(z.enum(ALLOWED_SIGNALS.map((s) => `SIG${s}`) as [string, ...string[]])),
  }),
  z.strictObject({ type: z.literal('ready') }),
]);

export type SendSignal = (serverId: string, signal: AllowedSignal) => Promise<{ ok: boolean; error?: string }>;

export class UiSockets {
  private readonly sockets = new Set<WebSocket>();

  constructor(private readonly store: Store, private readonly sendSignal: SendSignal) {
    store.on('update', (server: ServerView, point: HistoryPoint) => this.broadcast({ type: 'update', server, point }));
    store.on('server', (server: ServerView) => this.broadcast({ type: 'server', server }));
    store.on('event', (serverId: string, event: LifecycleEvent) => this.broadcast({ type: 'event', serverId, event }));
    store.on('removed', (serverId: string) => this.broadcast({ type: 'removed', serverId }));
  }

  accept(socket: WebSocket): void {
    this.sockets.add(socket);
    const limiter = new RateLimiter(MESSAGES_PER_SECOND);
    socket.on('close', () => this.sockets.delete(socket));
    socket.on('error', () => socket.terminate());
    socket.on('message', (data) => {
      if (!limiter.take()) return socket.close(4008, 'too many messages per second');
      void this.onMessage(socket, data.toString());
    });
    send(socket, this.snapshot());
  }

  snapshot(): HubToUi {
    const servers = this.store.servers();
    const history = Object.fromEntries(servers.map((s) => [s.id, this.store.history(s.id, SNAPSHOT_SECONDS)]));
    return { type: 'snapshot', servers, history };
  }

  closeAll(): void {
    for (const socket of this.sockets) socket.close(1001, 'hub shutting down');
  }

  private async onMessage(socket: WebSocket, text: string): Promise<void> {
    let parsed;
    try {
      parsed = uiToHub.safeParse(JSON.parse(text));
    } catch {
      return socket.close(4003, 'message is not JSON');
    }
    if (!parsed.success) return socket.close(4003, 'invalid message');
    if (parsed.data.type === 'ready') return send(socket, this.snapshot());
    const { id, serverId, signal } = parsed.data;
    const result = await this.sendSignal(serverId, signal.replace(/^SIG/, '') as AllowedSignal);
    send(socket, { type: 'ack', id, ...result });
  }

  private broadcast(message: HubToUi): void {
    if (this.sockets.size === 0) return;
    const text = JSON.stringify(message);
    for (const socket of this.sockets) {
      if (socket.bufferedAmount > MAX_BUFFERED_BYTES) socket.terminate();
      else socket.send(text);
    }
  }
}

function send(socket: WebSocket, message: HubToUi): void {
  socket.send(JSON.stringify(message));
}
