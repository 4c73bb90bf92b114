// One agent's WebSocket: validates every frame against the protocol, feeds the store, and carries
// signal commands to the master with their acks back.
import type { RawData, WebSocket } from 'ws';
import {
  agentFrame, PROTOCOL_MAJOR, PROTOCOL_VERSION, protocolMajor,
  type AckFrame, type AllowedSignal, type CommandFrame,
} from '../protocol/agent';
import { CLOSE_CODES } from '../protocol/constants';
import { RateLimiter } from './rateLimiter';
import type { Store } from './store';

/** How long a command waits for the master's ack. */
const ACK_TIMEOUT_MS = 5000;
/** Frames per second an agent may send (samples are ~1/s; events come in bursts on reload). */
const FRAMES_PER_SECOND = 200;

export interface SignalResult {
  ok: boolean;
  error?: string;
}

/** What the hub has seen from agents, for its own health (and the fuzz test). */
export interface AgentTraffic {
  frames: number;
  /** Frames refused: not JSON, not valid, before hello, over the rate. */
  refused: number;
}

/** The agents connected now, by server id. After USR2 a server has two masters, each with its own
 * connection, until the old one is stopped; signals go to the store's current master. */
export class AgentRegistry {
  private readonly byServer = new Map<string, Set<AgentConnection>>();
  readonly traffic: AgentTraffic = { frames: 0, refused: 0 };

  constructor(private readonly store: Store) {}

  accept(socket: WebSocket): void {
    new AgentConnection(socket, this.store, this);
  }

  /** The connection speaks for its master; an earlier one of the same master (a reconnect) is ignored from now on. */
  attach(id: string, connection: AgentConnection): void {
    let connections = this.byServer.get(id);
    if (!connections) this.byServer.set(id, (connections = new Set()));
    for (const other of connections) {
      if (other !== connection && other.masterPid === connection.masterPid) {
        connections.delete(other);
        other.supersede();
      }
    }
    connections.add(connection);
  }

  detach(id: string, connection: AgentConnection): void {
    const connections = this.byServer.get(id);
    if (!connections?.delete(connection)) return;
    if (connections.size === 0) this.byServer.delete(id);
    this.store.disconnect(id, Date.now(), connection.masterPid ?? undefined);
  }

  async sendSignal(serverId: string, signal: AllowedSignal): Promise<SignalResult> {
    const current = this.store.summary(serverId)?.masterPid;
    const connection = [...(this.byServer.get(serverId) ?? [])].find((c) => c.masterPid === current);
    if (!connection) return { ok: false, error: `server ${serverId} is not connected` };
    return connection.command(signal);
  }

  closeAll(): void {
    for (const connections of this.byServer.values()) for (const connection of connections) connection.close(CLOSE_CODES.goingAway, 'hub shutting down');
  }
}

class AgentConnection {
  private serverId: string | null = null;
  /** The master this agent runs in, from its hello. */
  masterPid: number | null = null;
  private closing = false;
  private superseded = false;
  private nextCommand = 1;
  private readonly pending = new Map<string, (ack: SignalResult) => void>();
  private readonly limiter = new RateLimiter(FRAMES_PER_SECOND);

  constructor(
    private readonly socket: WebSocket,
    private readonly store: Store,
    private readonly registry: AgentRegistry,
  ) {
    socket.on('message', (data, isBinary) => this.onMessage(data, isBinary));
    socket.on('close', () => this.onClose());
    socket.on('error', () => socket.terminate());
  }

  command(signal: AllowedSignal): Promise<SignalResult> {
    const id = `c${this.nextCommand++}`;
    const frame: CommandFrame = { type: 'command', id, command: 'signal', signal };
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        resolve({ ok: false, error: `no answer from the agent within ${ACK_TIMEOUT_MS / 1000} s` });
      }, ACK_TIMEOUT_MS);
      this.pending.set(id, (ack) => {
        clearTimeout(timer);
        resolve(ack);
      });
      this.socket.send(JSON.stringify(frame));
    });
  }

  /** A newer connection of the same master took over (a reconnect): keep reading, stop reporting. */
  supersede(): void {
    this.superseded = true;
  }

  close(code: number, reason: string): void {
    // Frames already on the wire still arrive after a refusal; they are counted and dropped.
    this.closing = true;
    this.socket.close(code, reason);
  }

  private onMessage(data: RawData, isBinary: boolean): void {
    const traffic = this.registry.traffic;
    traffic.frames += 1;
    const refused = this.refuse(data, isBinary);
    if (refused) {
      traffic.refused += 1;
      this.close(refused[0], refused[1]);
    }
  }

  /** Handles one frame; returns the close code and reason when it must be refused. */
  private refuse(data: RawData, isBinary: boolean): [number, string] | undefined {
    if (!this.limiter.take()) return [CLOSE_CODES.rateLimited, 'too many frames per second'];
    if (this.closing) return [CLOSE_CODES.invalidFrame, 'frame after the connection was refused'];
    if (isBinary) return [CLOSE_CODES.invalidFrame, 'binary frames are not part of the protocol'];
    let json: unknown;
    try {
      json = JSON.parse((data as Buffer).toString());
    } catch {
      return [CLOSE_CODES.invalidFrame, 'frame is not JSON'];
    }
    const parsed = agentFrame.safeParse(json);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      // A close reason may hold at most 123 bytes.
      return [CLOSE_CODES.invalidFrame, `invalid frame: ${issue.path.join('.') || '(root)'}: ${issue.message}`.slice(0, 100)];
    }
    const frame = parsed.data;
    if (frame.type === 'hello') {
      if (protocolMajor(frame.protocol) !== PROTOCOL_MAJOR) {
        return [CLOSE_CODES.unsupportedProtocol, `unsupported protocol ${frame.protocol}; this hub speaks ${PROTOCOL_VERSION}`];
      }
      // After USR2 the old and the new master both report until the old one is stopped: the store keeps
      // the newer one as the server and still counts what the older one's workers serve.
      const previous = this.serverId;
      if (previous !== null && this.masterPid !== frame.server.masterPid) this.registry.detach(previous, this);
      this.masterPid = frame.server.masterPid;
      this.serverId = this.store.connect(frame);
      if (previous !== null && previous !== this.serverId) this.registry.detach(previous, this);
      this.registry.attach(this.serverId, this);
      return undefined;
    }
    if (this.superseded) return undefined;
    if (this.serverId === null) return [CLOSE_CODES.invalidFrame, 'the first frame must be hello'];
    if (frame.type === 'sample') this.store.sample(this.serverId, frame, this.masterPid ?? undefined);
    else if (frame.type === 'event') this.store.event(this.serverId, frame.event);
    else if (frame.type === 'profile') this.store.profileFrame(this.serverId, frame);
    else this.onAck(frame);
    return undefined;
  }

  private onAck(ack: AckFrame): void {
    this.pending.get(ack.id)?.({ ok: ack.ok, ...(ack.error === undefined ? {} : { error: ack.error }) });
    this.pending.delete(ack.id);
  }

  private onClose(): void {
    for (const resolve of this.pending.values()) resolve({ ok: false, error: 'the agent disconnected' });
    this.pending.clear();
    if (this.serverId !== null) this.registry.detach(this.serverId, this);
  }
}
