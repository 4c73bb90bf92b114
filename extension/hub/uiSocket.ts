// Dashboards on /ws/ui: a snapshot when they connect, then every update, event and ack as it happens
// (see uiFeed.ts). A dashboard may only ask for a snapshot, an allow-listed signal or a profile.
import type { WebSocket } from 'ws';
import { CLOSE_CODES } from '../protocol/constants';
import { uiToHub, type HubToUi } from '../protocol/ui';
import { RateLimiter } from './rateLimiter';
import type { Store } from './store';
import { answerUi, relayStore, sendSnapshot, type SendSignal } from './uiFeed';

const MESSAGES_PER_SECOND = 20;
/** A dashboard that stops reading is dropped rather than buffered without bound. */
const MAX_BUFFERED_BYTES = 8 * 1024 * 1024;

export class UiSockets {
  private readonly sockets = new Set<WebSocket>();
  private readonly stopRelay: () => void;

  constructor(private readonly store: Store, private readonly sendSignal: SendSignal) {
    // One relay for all sockets: each message is serialised once.
    this.stopRelay = relayStore(store, (message) => this.broadcast(message));
  }

  accept(socket: WebSocket): void {
    this.sockets.add(socket);
    const limiter = new RateLimiter(MESSAGES_PER_SECOND);
    socket.on('close', () => this.sockets.delete(socket));
    socket.on('error', () => socket.terminate());
    socket.on('message', (data) => {
      if (!limiter.take()) return socket.close(CLOSE_CODES.rateLimited, 'too many messages per second');
      void this.onMessage(socket, (data as Buffer).toString());
    });
    sendSnapshot(this.store, (message) => send(socket, message));
  }

  closeAll(): void {
    this.stopRelay();
    for (const socket of this.sockets) socket.close(CLOSE_CODES.goingAway, 'hub shutting down');
  }

  private async onMessage(socket: WebSocket, text: string): Promise<void> {
    let parsed;
    try {
      parsed = uiToHub.safeParse(JSON.parse(text));
    } catch {
      return socket.close(CLOSE_CODES.invalidFrame, 'message is not JSON');
    }
    if (!parsed.success || parsed.data.type === 'openFile' || parsed.data.type === 'saveProfile') return socket.close(CLOSE_CODES.invalidFrame, 'invalid message');
    await answerUi(parsed.data, this.store, this.sendSignal, (message) => send(socket, message));
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
  if (socket.readyState === socket.OPEN) socket.send(JSON.stringify(message));
}
