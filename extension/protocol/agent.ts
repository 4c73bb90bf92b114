// The agent ⇄ hub wire protocol (WebSocket /ws/agent, JSON text frames).
// One definition: the hub validates with these schemas, the webview imports the inferred types,
// docs/protocol.md documents them for the Python agent, and test/vectors/ holds frames both sides test.
import { z } from 'zod';

/** Major.minor. A hub refuses an agent whose major differs; minors only add optional fields. */
export const PROTOCOL_VERSION = '1.1';
export const PROTOCOL_MAJOR = 1;

/** Largest frame the hub accepts from an agent, in bytes. */
export const MAX_AGENT_FRAME_BYTES = 1024 * 1024;

/** Signals the hub may ask a master to send itself; anything else is refused on both sides. */
export const ALLOWED_SIGNALS = ['HUP', 'USR1', 'USR2', 'TTIN', 'TTOU', 'QUIT', 'TERM'] as const;
export type AllowedSignal = (typeof ALLOWED_SIGNALS)[number];

const pid = z.number().int().positive();
/** Seconds since the Unix epoch, as Python's time.time(). */
const epochSeconds = z.number().nonnegative();
const count = z.number().int().nonnegative();
const bytes = z.number().int().nonnegative();

/**
 * Request durations as a base-2 exponential histogram (OpenTelemetry's ExponentialHistogram, Prometheus'
 * native-histogram schema) at one fixed scale: bucket i holds (2^(i/16), 2^((i+1)/16)] seconds, 4.4 % wide.
 * Indexes are clamped to [MIN, MAX] (about 1 ns to 12 days), so a histogram holds at most BUCKET_LIMIT.
 */
export const DURATION_HISTOGRAM = { SCALE: 4, MIN_INDEX: -480, MAX_INDEX: 319 } as const;
export const DURATION_BUCKET_LIMIT = DURATION_HISTOGRAM.MAX_INDEX - DURATION_HISTOGRAM.MIN_INDEX + 1;

/** Since 1.1: counts dense from `offset` (OpenTelemetry's positive buckets); durations ≤ 0 in `zeroCount`. */
export const durationHistogram = z.strictObject({
  scale: z.literal(DURATION_HISTOGRAM.SCALE),
  zeroCount: count,
  offset: z.number().int().min(DURATION_HISTOGRAM.MIN_INDEX).max(DURATION_HISTOGRAM.MAX_INDEX),
  counts: z.array(count).max(DURATION_BUCKET_LIMIT),
});

export const helloFrame = z.strictObject({
  type: z.literal('hello'),
  protocol: z.string().regex(/^\d+\.\d+$/),
  agent: z.strictObject({
    version: z.string().max(64),
    python: z.string().max(64),
    gunicorn: z.string().max(64),
  }),
  server: z.strictObject({
    masterPid: pid,
    host: z.string().max(255),
    app: z.string().max(1024),
    bind: z.array(z.string().max(1024)).max(64),
    workerClass: z.string().max(256),
    serviceName: z.string().max(256),
    startedAt: epochSeconds,
    targetWorkers: count,
    /** Seconds between samples. */
    interval: z.number().positive().max(3600),
    /** Upper bounds (seconds) of the request-duration histogram; buckets arrays have one more slot (+Inf). */
    durationBuckets: z.array(z.number().positive()).min(1).max(64),
    /** Since 1.1: the agent's request groups carry `durations` at this scale; the hub then derives classic
     * buckets with its own bounds, and `buckets` is only for hubs older than 1.1. */
    durationScale: z.literal(DURATION_HISTOGRAM.SCALE).optional(),
  }),
});

export const workerState = z.enum(['idle', 'busy']);

export const workerSample = z.strictObject({
  pid,
  /** Gunicorn's worker.age: a counter the arbiter increments for every worker it spawns. */
  age: count,
  bootedAt: epochSeconds,
  cpuPercent: z.number().nonnegative().nullable(),
  rssBytes: bytes.nullable(),
  pssBytes: bytes.nullable().optional(),
  /** Requests this worker has completed since it booted. */
  requests: count,
  state: workerState.nullable().optional(),
  /** The request a sync/gthread worker is handling now (the oldest, for gthread). */
  inFlight: z.strictObject({ method: z.string().max(32), route: z.string().max(512), elapsed: z.number().nonnegative() })
    .nullable().optional(),
  /** Requests being handled now (async workers report only this). */
  inFlightCount: count.optional(),
});

/** Requests completed in the interval, grouped; counts are deltas, never totals. */
export const requestGroup = z.strictObject({
  method: z.string().max(32),
  route: z.string().max(512),
  status: z.number().int().min(0).max(999),
  count: z.number().int().positive(),
  durationSum: z.number().nonnegative(),
  /** Per-bucket (not cumulative) counts, one per durationBuckets bound plus the last for +Inf. */
  buckets: z.array(count).max(65),
  responseBytes: bytes,
  /** Of `count`, how many raised an exception in the app (a failure even if Gunicorn answered). */
  exceptions: count.optional(),
  /** Since 1.1: the same requests' durations, exactly mergeable; `count` of them in all. */
  durations: durationHistogram.optional(),
  /** Since 1.1: the longest duration of the interval (seconds). */
  durationMax: z.number().nonnegative().optional(),
});

/** A single slow or failed request, kept as an example (a few per interval at most, never all). */
export const requestExample = z.strictObject({
  pid,
  method: z.string().max(32),
  route: z.string().max(512),
  status: z.number().int().min(0).max(999),
  duration: z.number().nonnegative(),
  at: epochSeconds,
  exception: z.string().max(512).optional(),
});

export const sampleFrame = z.strictObject({
  type: z.literal('sample'),
  /** Increases by one per sample from the same master, so the hub can see gaps. */
  seq: count,
  at: epochSeconds,
  master: z.strictObject({
    pid,
    cpuPercent: z.number().nonnegative().nullable(),
    rssBytes: bytes.nullable(),
  }),
  targetWorkers: count,
  workers: z.array(workerSample).max(1024),
  requests: z.array(requestGroup).max(4096),
  /** Requests the client abandoned (broken pipe, reset) during the interval: not failures of the app. */
  clientDisconnects: count.optional(),
  examples: z.array(requestExample).max(64).optional(),
  /** Samples the agent dropped while the hub was unreachable, since it started. */
  dropped: count.optional(),
  /** Reloads (HUP) this master has performed since it started. */
  reloads: count.optional(),
});

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
});

export const lifecycleEvent = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('worker_spawn'), pid, at: epochSeconds }),
  z.strictObject({
    type: z.literal('worker_exit'),
    pid,
    reason: z.enum(EXIT_REASONS),
    signal: z.string().max(16).optional(),
    exitCode: z.number().int().optional(),
    stack: z.array(stackFrame).max(256).optional(),
    /** SIGKILL exits only: whether the kernel counted an OOM kill in the worker's memory cgroup as it died. */
    oom: z.boolean().optional(),
    at: epochSeconds,
  }),
  z.strictObject({ type: z.literal('signal'), signal: z.enum(SIGNAL_NAMES), at: epochSeconds }),
]);

export const eventFrame = z.strictObject({
  type: z.literal('event'),
  event: lifecycleEvent,
});

export const ackFrame = z.strictObject({
  type: z.literal('ack'),
  id: z.string().min(1).max(64),
  ok: z.boolean(),
  error: z.string().max(1024).optional(),
});

export const agentFrame = z.discriminatedUnion('type', [helloFrame, sampleFrame, eventFrame, ackFrame]);

/** Hub → agent. */
export const commandFrame = z.strictObject({
  type: z.literal('command'),
  id: z.string().min(1).max(64),
  command: z.literal('signal'),
  signal: z.enum(ALLOWED_SIGNALS),
});

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

/** WebSocket close codes the hub uses towards agents. */
export const CLOSE_CODES = {
  /** The hello's major protocol version is not one this hub speaks. */
  unsupportedProtocol: 4002,
  /** A frame failed validation or arrived before hello. */
  invalidFrame: 4003,
  /** Too many frames per second. */
  rateLimited: 4008,
} as const;

export function protocolMajor(version: string): number {
  return Number.parseInt(version.split('.')[0] ?? '', 10);
}
