// The agent ⇄ hub wire protocol (WebSocket /ws/agent, JSON text frames). The one definition: the hub
// validates with these schemas, the webview imports the inferred types, `npm run protocol:schema` writes
// them as JSON Schema (agent.schema.json, which the Python agent's tests validate every frame against)
// and the field tables of docs/protocol.md; test/vectors/ holds frames both sides test.
// `.meta({ id })` names a definition in the JSON Schema ($defs); `.describe()` is its documentation.
import { z } from 'zod';
import { ALLOWED_SIGNALS } from './constants';

export { ALLOWED_SIGNALS, type AllowedSignal } from './constants';

/** Major.minor. A hub refuses an agent whose major differs; minors only add optional fields. */
export const PROTOCOL_VERSION = '1.1';
export const PROTOCOL_MAJOR = 1;

/** Largest frame the hub accepts from an agent, in bytes. */
export const MAX_AGENT_FRAME_BYTES = 1024 * 1024;

const pid = z.number().int().positive();
/** Seconds since the Unix epoch, as Python's time.time(). */
const epochSeconds = z.number().nonnegative();
const count = z.number().int().nonnegative();
const bytes = z.number().int().nonnegative();
const method = z.string().max(32);
const route = z.string().max(512);
const status = z.number().int().min(0).max(999);

/**
 * Request durations as a base-2 exponential histogram (OpenTelemetry's ExponentialHistogram, Prometheus'
 * native-histogram schema) at one fixed scale: bucket i holds (2^(i/16), 2^((i+1)/16)] seconds, 4.4 % wide.
 * Indexes are clamped to [MIN, MAX] (about 1 ns to 12 days), so a histogram holds at most BUCKET_LIMIT.
 */
export const DURATION_HISTOGRAM = { SCALE: 4, MIN_INDEX: -480, MAX_INDEX: 319 } as const;
export const DURATION_BUCKET_LIMIT = DURATION_HISTOGRAM.MAX_INDEX - DURATION_HISTOGRAM.MIN_INDEX + 1;
/** The classic bounds (seconds) of the duration histogram by default — the agent's `durationBuckets` and the
 * hub's /metrics buckets (GUNICORN_LIVE_BUCKETS) — from 0.25 ms, so fast requests resolve. */
export const DEFAULT_DURATION_BUCKETS: readonly number[] = [
  0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10,
];

export const durationHistogram = z.strictObject({
  scale: z.literal(DURATION_HISTOGRAM.SCALE),
  zeroCount: count.describe('requests that took no measurable time'),
  offset: z.number().int().min(DURATION_HISTOGRAM.MIN_INDEX).max(DURATION_HISTOGRAM.MAX_INDEX)
    .describe('the bucket index of counts[0]'),
  counts: z.array(count).max(DURATION_BUCKET_LIMIT)
    .describe('counts[j]: requests that took (2^((offset+j)/16), 2^((offset+j+1)/16)] seconds'),
}).meta({ id: 'DurationHistogram', description: 'Since 1.1: request durations as a base-2 exponential histogram at scale 4 (dense from offset, as OpenTelemetry\'s positive buckets). The index of a duration d > 0 is ceil(log2(d) * 16) - 1.' });

export const helloFrame = z.strictObject({
  type: z.literal('hello'),
  protocol: z.string().regex(/^\d+\.\d+$/).describe('major.minor; minors only add optional fields'),
  agent: z.strictObject({
    version: z.string().max(64),
    python: z.string().max(64),
    gunicorn: z.string().max(64),
  }).meta({ id: 'AgentInfo' }),
  server: z.strictObject({
    masterPid: pid,
    host: z.string().max(255),
    app: z.string().max(1024),
    bind: z.array(z.string().max(1024)).max(64),
    workerClass: z.string().max(256),
    serviceName: z.string().max(256),
    startedAt: epochSeconds,
    targetWorkers: count,
    interval: z.number().positive().max(3600).describe('seconds between samples'),
    durationBuckets: z.array(z.number().positive()).min(1).max(64)
      .describe('upper bounds (seconds) of the classic request-duration histogram; every buckets array has one more slot, for +Inf'),
    durationScale: z.literal(DURATION_HISTOGRAM.SCALE).optional()
      .describe('since 1.1: every request group carries `durations` at this scale; a 1.1 hub derives its own classic buckets from them, and `buckets` is for older hubs'),
  }).meta({ id: 'ServerInfo' }),
}).meta({ id: 'HelloFrame', description: 'The first frame on every connection.' });

export const workerState = z.enum(['idle', 'busy']);

export const workerSample = z.strictObject({
  pid,
  age: count.describe("Gunicorn's worker.age: a counter the arbiter increments for every worker it spawns"),
  bootedAt: epochSeconds,
  cpuPercent: z.number().nonnegative().nullable().describe('% of one core over the last interval; null on the first sample of a worker'),
  rssBytes: bytes.nullable(),
  pssBytes: bytes.nullable().optional(),
  requests: count.describe('requests this worker has completed since it booted'),
  state: workerState.nullable().optional().describe('where the worker class lets the agent know'),
  inFlight: z.strictObject({ method, route, elapsed: z.number().nonnegative() }).meta({ id: 'InFlight' })
    .nullable().optional().describe('the request a sync/gthread worker is handling now (the oldest, for gthread); null when idle'),
  inFlightCount: count.optional().describe('requests being handled now (async workers report only this)'),
}).meta({ id: 'WorkerSample', description: 'One live worker.' });

export const requestGroup = z.strictObject({
  method,
  route,
  status,
  count: z.number().int().positive(),
  durationSum: z.number().nonnegative(),
  buckets: z.array(count).max(65).describe('per-bucket (not cumulative) counts, one per durationBuckets bound plus the last for +Inf'),
  responseBytes: bytes,
  exceptions: count.optional().describe('of count, how many raised an exception in the app (a failure even if Gunicorn answered)'),
  durations: durationHistogram.optional().describe('since 1.1: the same requests\' durations, exactly mergeable; count of them in all'),
  durationMin: z.number().nonnegative().optional().describe('since 1.1: the shortest request of the interval, seconds'),
  durationMax: z.number().nonnegative().optional().describe('since 1.1: the longest request of the interval, seconds'),
}).meta({ id: 'RequestGroup', description: 'Requests completed in the interval, grouped; counts are deltas, never totals.' });

export const requestExample = z.strictObject({
  pid,
  method,
  route,
  status,
  duration: z.number().nonnegative(),
  at: epochSeconds,
  exception: z.string().max(512).optional(),
}).meta({ id: 'RequestExample', description: 'A single slow or failed request, kept as an example (a few per interval at most, never all).' });

export const sampleFrame = z.strictObject({
  type: z.literal('sample'),
  seq: count.describe('increases by one per sample from the same master, so the hub can see gaps'),
  at: epochSeconds,
  master: z.strictObject({
    pid,
    cpuPercent: z.number().nonnegative().nullable(),
    rssBytes: bytes.nullable(),
  }).meta({ id: 'MasterSample' }),
  targetWorkers: count,
  workers: z.array(workerSample).max(1024),
  requests: z.array(requestGroup).max(4096),
  clientDisconnects: count.optional()
    .describe('requests the client abandoned (broken pipe, reset) during the interval: not failures of the app'),
  examples: z.array(requestExample).max(64).optional(),
  dropped: count.optional().describe('samples the agent dropped while the hub was unreachable, since it started'),
  reloads: count.optional().describe('reloads (HUP) this master has performed since it started'),
}).meta({ id: 'SampleFrame', description: 'Every `interval` seconds.' });

export const SIGNAL_NAMES = [
  'SIGHUP', 'SIGUSR1', 'SIGUSR2', 'SIGTTIN', 'SIGTTOU', 'SIGCHLD', 'SIGINT', 'SIGQUIT', 'SIGTERM', 'SIGWINCH',
] as const;

export const EXIT_REASONS = [
  'timeout', 'max_requests', 'signal', 'crash', 'reload', 'scale_down', 'shutdown', 'unknown',
] as const;

export const stackFrame = z.strictObject({
  file: z.string().max(4096),
  line: z.number().int().nonnegative(),
  function: z.string().max(512),
}).meta({ id: 'StackFrame' });

export const workerSpawnEvent = z.strictObject({ type: z.literal('worker_spawn'), pid, at: epochSeconds })
  .meta({ id: 'WorkerSpawnEvent' });

export const workerExitEvent = z.strictObject({
  type: z.literal('worker_exit'),
  pid,
  reason: z.enum(EXIT_REASONS),
  signal: z.string().max(16).optional().describe('with reason signal: the signal that ended the worker, e.g. "SIGKILL"'),
  exitCode: z.number().int().optional().describe('with reason crash: the exit status'),
  stack: z.array(stackFrame).max(256).optional(),
  oom: z.boolean().optional().describe("SIGKILL exits only: whether the kernel counted an OOM kill in the worker's memory cgroup as it died"),
  at: epochSeconds,
}).meta({ id: 'WorkerExitEvent' });

export const signalEvent = z.strictObject({ type: z.literal('signal'), signal: z.enum(SIGNAL_NAMES), at: epochSeconds })
  .meta({ id: 'SignalEvent', description: 'A signal the master received.' });

export const lifecycleEvent = z.discriminatedUnion('type', [workerSpawnEvent, workerExitEvent, signalEvent])
  .meta({ id: 'LifecycleEvent' });

export const eventFrame = z.strictObject({
  type: z.literal('event'),
  event: lifecycleEvent,
}).meta({ id: 'EventFrame', description: 'As it happens.' });

export const ackFrame = z.strictObject({
  type: z.literal('ack'),
  id: z.string().min(1).max(64).describe("the command's id"),
  ok: z.boolean(),
  error: z.string().max(1024).optional(),
}).meta({ id: 'AckFrame', description: 'The answer to a command.' });

export const agentFrame = z.discriminatedUnion('type', [helloFrame, sampleFrame, eventFrame, ackFrame])
  .meta({ id: 'AgentFrame', description: 'Agent → hub.' });

export const commandFrame = z.strictObject({
  type: z.literal('command'),
  id: z.string().min(1).max(64),
  command: z.literal('signal'),
  signal: z.enum(ALLOWED_SIGNALS).describe('the agent refuses anything else with an ack whose ok is false, whatever the hub sent'),
}).meta({ id: 'CommandFrame', description: 'Hub → agent.' });

export type HelloFrame = z.infer<typeof helloFrame>;
export type SampleFrame = z.infer<typeof sampleFrame>;
export type WorkerSample = z.infer<typeof workerSample>;
export type RequestGroup = z.infer<typeof requestGroup>;
export type DurationHistogram = z.infer<typeof durationHistogram>;
export type RequestExample = z.infer<typeof requestExample>;
export type LifecycleEvent = z.infer<typeof lifecycleEvent>;
export type StackFrame = z.infer<typeof stackFrame>;
export type EventFrame = z.infer<typeof eventFrame>;
export type AckFrame = z.infer<typeof ackFrame>;
export type AgentFrame = z.infer<typeof agentFrame>;
export type CommandFrame = z.infer<typeof commandFrame>;

export function protocolMajor(version: string): number {
  return Number.parseInt(version.split('.')[0] ?? '', 10);
}
