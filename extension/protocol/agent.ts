// The agent ⇄ hub wire protocol (WebSocket /ws/agent, JSON text frames). The one definition: the hub
// validates with these schemas, the webview imports the inferred types, `npm run protocol:schema` writes
// them as JSON Schema (agent.schema.json, which the Python agent's tests validate every frame against)
// and the field tables of docs/protocol.md; test/vectors/ holds frames both sides test.
// `.meta({ id })` names a definition in the JSON Schema ($defs); `.describe()` is its documentation.
import { z } from 'zod';
import { ALLOWED_SIGNALS } from './constants';

export { ALLOWED_SIGNALS, type AllowedSignal } from './constants';

/** Major.minor. A hub refuses an agent whose major differs; minors only add optional fields. */
export const PROTOCOL_VERSION = '1.3';
export const PROTOCOL_MAJOR = 1;
/** Since 1.2 the hub names its protocol version in this header of its 101 answer on /ws/agent. An agent sends a
 * frame type newer than that version never (a hub validates every frame and closes on an unknown type); no
 * header: the hub is older than 1.2. */
export const PROTOCOL_HEADER = 'X-Gunicorn-Live-Protocol';

/** Largest frame the hub accepts from an agent, in bytes. */
export const MAX_AGENT_FRAME_BYTES = 1024 * 1024;

/** Bounds of a profile frame (since 1.2). A master sends as many profile frames per interval as it needs; each is
 * self-contained (its own frame and stack tables). */
export const PROFILE_LIMITS = {
  maxHz: 1000,
  maxFrames: 50_000,
  maxStacks: 20_000,
  maxStackDepth: 128,
  maxSamples: 50_000,
} as const;
/** The route of a sample taken on a thread that serves requests while it has none (waiting for one). */
export const PROFILE_IDLE_ROUTE = '(idle)';
/** The route of a sample taken on a thread that never serves requests (the app's own threads, the worker's housekeeping). */
export const PROFILE_NO_REQUEST_ROUTE = '(no request)';

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
    profileHz: z.number().positive().max(PROFILE_LIMITS.maxHz).nullable().optional()
      .describe('since 1.2: the rate (samples per second per thread) of the sampler in every worker; null when the profiler is off (GUNICORN_LIVE_PROFILE=off); absent from older agents'),
    stuckAfter: z.number().positive().nullable().optional()
      .describe('since 1.2: seconds after which a request in flight is reported as request_stuck (the worker timeout, or GUNICORN_LIVE_STUCK_AFTER); null when never'),
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
  aborted: count.optional().describe('since 1.3: of count, how many a worker was serving as it died (the master\'s timeout, a signal, the OOM killer): status 0, as no response was sent; their durations run from their start to the worker\'s death. Sent to hubs of 1.3 or later only'),
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

export const requestStuckEvent = z.strictObject({
  type: z.literal('request_stuck'),
  pid,
  method,
  route,
  elapsed: z.number().nonnegative().describe('seconds the request had been running when its stack was read'),
  stack: z.array(stackFrame).max(256).describe("the request's thread (or task) stack, outermost first, the agent's own frames cut off"),
  at: epochSeconds,
}).meta({ id: 'RequestStuckEvent', description: 'Since 1.2: a request has run longer than `stuckAfter`; sent once per request, on every worker class (the only trace a hung gthread request or a blocked event loop leaves).' });

export const requestExceptionEvent = z.strictObject({
  type: z.literal('request_exception'),
  pid: pid.describe('the worker that saw it last'),
  method,
  route,
  exception: z.string().min(1).max(512).describe('"Type: message", as in request examples: the exception that reached the framework (Flask, Django) or Gunicorn, the outermost of a chain'),
  stack: z.array(stackFrame).max(256).describe("its traceback, outermost first (from where it was caught to where it was raised), the agent's own frames cut off"),
  count: z.number().int().positive().describe("requests it failed since this master's previous event for the same exception, stack and route (the first event: since the master started)"),
  at: epochSeconds.describe('the latest of those'),
}).meta({ id: 'RequestExceptionEvent', description: 'Since 1.3: an exception failed requests. Each distinct one (exception, stack, method, route) is sent at its first sight, then at most every 10 s with the count since, never once per request.' });

export const lifecycleEvent = z.discriminatedUnion('type', [workerSpawnEvent, workerExitEvent, signalEvent, requestStuckEvent, requestExceptionEvent])
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

export const profileSample = z.strictObject({
  pid,
  method: method.describe("the request's method; empty for the (idle) and (no request) routes"),
  route: route.describe(`the request's route, or "${PROFILE_IDLE_ROUTE}" / "${PROFILE_NO_REQUEST_ROUTE}"`),
  stack: z.number().int().nonnegative().describe('index into `stacks`'),
  wall: z.number().int().positive().describe('samples of this stack in the interval (wall-clock: on CPU or waiting)'),
  cpu: count.describe('of `wall`, samples whose thread had used CPU since its previous sample (on-CPU)'),
}).meta({ id: 'ProfileSample', description: 'Since 1.2: how often one stack was seen for one route in one worker.' });

export const profileFrame = z.strictObject({
  type: z.literal('profile'),
  at: epochSeconds.describe('end of the interval the samples were taken in'),
  hz: z.number().positive().max(PROFILE_LIMITS.maxHz).describe('samples per second per thread: a count divided by hz is seconds'),
  frames: z.array(stackFrame).max(PROFILE_LIMITS.maxFrames).describe('the code locations the stacks name; `function` is the qualified name where Python has one (3.11+)'),
  stacks: z.array(z.array(z.number().int().nonnegative()).min(1).max(PROFILE_LIMITS.maxStackDepth))
    .max(PROFILE_LIMITS.maxStacks).describe('each a list of indexes into `frames`, outermost first'),
  samples: z.array(profileSample).max(PROFILE_LIMITS.maxSamples),
  truncated: z.array(z.strictObject({ pid, samples: z.number().int().positive() })).max(1024).optional()
    .describe("samples a worker took but could not keep (its table of distinct stacks was full for the interval): counted, stacks unknown"),
}).meta({ id: 'ProfileFrame', description: 'Since 1.2: stack samples from every worker, at most once per interval (several frames when one would be too big).' });

export const agentFrame = z.discriminatedUnion('type', [helloFrame, sampleFrame, eventFrame, ackFrame, profileFrame])
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
export type RequestStuckEvent = z.infer<typeof requestStuckEvent>;
export type RequestExceptionEvent = z.infer<typeof requestExceptionEvent>;
export type ProfileSample = z.infer<typeof profileSample>;
export type ProfileFrame = z.infer<typeof profileFrame>;
export type AgentFrame = z.infer<typeof agentFrame>;
export type CommandFrame = z.infer<typeof commandFrame>;

export function protocolMajor(version: string): number {
  return Number.parseInt(version.split('.')[0] ?? '', 10);
}
