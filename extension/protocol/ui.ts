// The hub ⇄ dashboard protocol: messages on /ws/ui in the browser, and the same objects through
// postMessage in the VS Code webview. The one definition: the hub validates what dashboards send with
// `uiToHub`, the webview imports only the inferred types (`import type`, so its bundle carries no zod),
// and `npm run protocol:schema` writes both directions as ui.schema.json and docs/protocol.md's tables.
import { z } from 'zod';
import { ALLOWED_SIGNALS, HISTORY_SECONDS, SNAPSHOT_SECONDS } from './constants';
import { lifecycleEvent } from './agent';

const nullableNumber = z.number().nullable();

export const workerView = z.strictObject({
  pid: z.number().int(),
  age: z.number().int(),
  bootedAt: z.number(),
  cpuPercent: nullableNumber,
  rssBytes: nullableNumber,
  pssBytes: nullableNumber,
  requests: z.number().int().describe('requests completed by this worker since it booted'),
  state: z.enum(['idle', 'busy']).nullable(),
  inFlight: z.strictObject({ method: z.string(), route: z.string(), elapsed: z.number() }).nullable().optional()
    .describe('the request a sync/gthread worker is handling now; null when idle; absent when unknown'),
  inFlightCount: z.number().int().optional().describe('requests in progress (async workers)'),
  lastExit: z.strictObject({
    pid: z.number().int(),
    reason: z.string(),
    signal: z.string().optional(),
    exitCode: z.number().int().optional(),
    at: z.number(),
  }).nullable().optional()
    .describe('how the worker this one replaced exited (Gunicorn has no slots: the oldest unmatched exit before this spawn)'),
}).meta({ id: 'WorkerView', description: 'One worker as every view shows it (the `workers[]` of GET /api/servers).' });

export const routeView = z.strictObject({
  method: z.string(),
  route: z.string(),
  count: z.number().int(),
  rps: z.number().describe('requests per second, smoothed over about a minute'),
  p50: nullableNumber.describe('seconds, estimated from the duration histogram; null before any request'),
  p95: nullableNumber,
  p99: nullableNumber,
  errors: z.number().int().describe('5xx answers plus requests whose app code raised, plus aborted ones'),
  aborted: z.number().int().optional()
    .describe('of count, requests a worker was serving as it died (the master\'s timeout, a signal, the OOM killer): no response was sent, and each counts its real duration, from its start to the death'),
}).meta({ id: 'RouteView', description: "One route's totals since the hub first saw the server." });

export const serverView = z.strictObject({
  id: z.string(),
  masterPid: z.number().int(),
  host: z.string(),
  app: z.string(),
  bind: z.array(z.string()),
  workerClass: z.string(),
  serviceName: z.string(),
  connected: z.boolean(),
  startedAt: z.number(),
  lastSampleAt: nullableNumber.describe('time of the newest sample, seconds since the epoch'),
  targetWorkers: z.number().int(),
  master: z.strictObject({ pid: z.number().int(), cpuPercent: nullableNumber, rssBytes: nullableNumber }).nullable(),
  workers: z.array(workerView)
    .describe("live workers: the current master's, then — after USR2, until the old master is stopped — the old master's, which still serve"),
  requestsTotal: z.number().int().describe('requests completed since the hub first saw this server (never decreases)'),
  reloads: z.number().int().optional().describe('reloads (HUP) the current master has performed, when the agent reports it'),
  samplesLost: z.number().int().optional()
    .describe('samples lost on the way (gaps the hub saw plus what the agent dropped while the hub was away)'),
  events: z.array(lifecycleEvent).describe('recent lifecycle events, newest last'),
  routes: z.array(routeView).optional().describe('per method and route, busiest first (at most 200)'),
}).meta({ id: 'ServerView', description: 'One server (one master and its workers): the elements of GET /api/servers → servers.' });

export const historyPoint = z.strictObject({
  at: z.number(),
  rps: z.number().describe('requests per second over the interval, all workers'),
  workers: z.array(z.strictObject({
    pid: z.number().int(), cpuPercent: nullableNumber, rssBytes: nullableNumber, pssBytes: nullableNumber, rps: z.number(),
  })),
  latency: z.strictObject({ p50: z.number(), p95: z.number(), p99: z.number() }).nullable().optional()
    .describe('latency of the requests completed in the interval, seconds (estimated from the histogram); null if none'),
  status: z.strictObject({ '2xx': z.number(), '3xx': z.number(), '4xx': z.number(), '5xx': z.number() }).optional()
    .describe('requests per second by status class over the interval'),
  busy: z.number().int().optional()
    .describe("workers busy at the sample; absent when no worker's state is known (the worker class can't tell)"),
}).meta({ id: 'HistoryPoint', description: 'One sample on the shared time axis of the charts.' });

/** One frame of a profile tree: samples whose stacks pass through the same frames from the root down to here. */
export interface ProfileNode {
  name: string;
  file: string;
  line: number;
  self: number;
  total: number;
  children: ProfileNode[];
}
export const profileNode: z.ZodType<ProfileNode> = z.lazy(() => z.strictObject({
  name: z.string().describe('the function (its qualified name where Python has one); "(all)" at the root'),
  file: z.string(),
  line: z.number().int().describe('the line being run in this frame (for a caller: the line of the call)'),
  self: z.number().int().describe('samples whose innermost frame is this one'),
  total: z.number().int().describe('samples whose stack passes through this frame: self plus the children\'s totals'),
  children: z.array(profileNode).describe('by total, largest first'),
})).meta({ id: 'ProfileNode' });

export const PROFILE_MODES = ['wall', 'cpu'] as const;
export type ProfileMode = (typeof PROFILE_MODES)[number];

export const profileResult = z.strictObject({
  serverId: z.string(),
  window: z.number().int().positive().describe('seconds back from the newest profile the hub holds'),
  from: z.number().nullable().describe('start of the slices the answer covers (seconds since the epoch); null without samples'),
  to: z.number().nullable().describe('end of the newest slice covered'),
  mode: z.enum(PROFILE_MODES).describe('wall: every sample; cpu: only samples whose thread was on CPU'),
  route: z.string().nullable().describe('"METHOD ROUTE" the answer is filtered to; null: all routes'),
  pid: z.number().int().nullable().describe('the worker it is filtered to; null: all workers'),
  hz: z.number().nullable().describe('the agents\' sampling rate: samples ÷ hz = seconds; null when unknown'),
  profilerOn: z.boolean().describe('false when the current master said its profiler is off, or it predates profiles (protocol < 1.2)'),
  samples: z.number().int().describe('samples in the answer (the root\'s total)'),
  truncated: z.number().int().describe('samples the agents or the hub could not keep a stack for, in the window (all routes; pid filter applies)'),
  routes: z.array(z.strictObject({ method: z.string(), route: z.string(), samples: z.number().int(), cpu: z.number().int() }))
    .describe('every route with samples in the window and worker filter, most samples first (wall and cpu samples)'),
  pids: z.array(z.number().int()).describe('workers with samples in the window, ascending'),
  root: profileNode,
}).meta({ id: 'ProfileResult', description: 'A profile: what GET /api/servers/:id/profile?format=json answers.' });
export type ProfileResult = z.infer<typeof profileResult>;

export const PROFILE_FILE_FORMATS = ['speedscope', 'collapsed'] as const;

/** What a dashboard asks of a profile: the query of GET /api/servers/:id/profile, as message fields. */
const profileQueryFields = {
  serverId: z.string().min(1).max(64),
  window: z.number().int().min(1).max(HISTORY_SECONDS).describe('seconds back from the newest profile'),
  route: z.string().min(1).max(600).optional().describe('"METHOD ROUTE"; absent: all routes'),
  pid: z.number().int().positive().optional().describe('a worker; absent: all workers'),
  mode: z.enum(PROFILE_MODES),
};

export const hubToUi = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('snapshot'), servers: z.array(serverView), history: z.record(z.string(), z.array(historyPoint)) })
    .meta({ id: 'SnapshotMessage', description: `On connect, and in answer to ready: every server, with the last ${SNAPSHOT_SECONDS / 60} minutes of its history.` }),
  z.strictObject({ type: z.literal('history'), serverId: z.string(), points: z.array(historyPoint) })
    .meta({ id: 'HistoryMessage', description: 'Right after a snapshot: older history, newest slice first; each goes before the points already held.' }),
  z.strictObject({ type: z.literal('update'), server: serverView, point: historyPoint })
    .meta({ id: 'UpdateMessage', description: "Every sample: the server's new state and one history point." }),
  z.strictObject({ type: z.literal('server'), server: serverView })
    .meta({ id: 'ServerMessage', description: 'A change with no new sample: an agent connected or went away.' }),
  z.strictObject({ type: z.literal('removed'), serverId: z.string() })
    .meta({ id: 'RemovedMessage', description: 'A server disconnected long ago (15 min) is no longer shown.' }),
  z.strictObject({ type: z.literal('event'), serverId: z.string(), event: lifecycleEvent })
    .meta({ id: 'EventMessage', description: "Each lifecycle event, as the agent's event frame." }),
  z.strictObject({ type: z.literal('ack'), id: z.string(), ok: z.boolean(), error: z.string().optional() })
    .meta({ id: 'AckMessage', description: 'The agent answered a signal.' }),
  z.strictObject({
    type: z.literal('showProfile'),
    serverId: z.string(),
    route: z.string().nullable().describe('"METHOD ROUTE" to filter to; null: all routes'),
  }).meta({ id: 'ShowProfileMessage', description: 'VS Code only ("Profile Route…", a hot function\'s CodeLens): select the server and open its Profile view on the route.' }),
  z.strictObject({
    type: z.literal('profile'),
    id: z.string().describe("the request's id"),
    profile: profileResult.nullable().describe('null when the server is not known (then `error` says so)'),
    error: z.string().optional(),
  }).meta({ id: 'ProfileMessage', description: 'The answer to a profile request, to the dashboard that asked only.' }),
]).meta({ id: 'HubToUi', description: 'Hub → dashboard.' });

const sigPrefixed = ALLOWED_SIGNALS.map((s) => `SIG${s}` as const);

export const uiToHub = z.discriminatedUnion('type', [
  z.strictObject({
    type: z.literal('signal'),
    id: z.string().min(1).max(64),
    serverId: z.string().min(1).max(64),
    signal: z.enum([...ALLOWED_SIGNALS, ...sigPrefixed]).describe('allow-listed, with or without the SIG prefix'),
  }).meta({ id: 'SignalMessage', description: 'Send a signal to a master; answered by an ack.' }),
  z.strictObject({ type: z.literal('ready') })
    .meta({ id: 'ReadyMessage', description: "The webview's script listens now: the VS Code host answers with a snapshot (the browser needs none)." }),
  z.strictObject({ type: z.literal('openFile'), file: z.string().min(1).max(4096), line: z.number().int().nonnegative() })
    .meta({ id: 'OpenFileMessage', description: "VS Code only (the browser's socket refuses it): open `file` at `line`." }),
  z.strictObject({ type: z.literal('profile'), id: z.string().min(1).max(64), ...profileQueryFields })
    .meta({ id: 'ProfileRequestMessage', description: 'Asks for a profile (as GET /api/servers/:id/profile?format=json); answered by a profile message. The Profile view asks every 2 s while it is shown.' }),
  z.strictObject({ type: z.literal('saveProfile'), ...profileQueryFields, format: z.enum(PROFILE_FILE_FORMATS) })
    .meta({ id: 'SaveProfileMessage', description: "VS Code only (the browser downloads from the API instead): save the profile as a file the user picks." }),
]).meta({ id: 'UiToHub', description: 'Dashboard → hub.' });

export type WorkerView = z.infer<typeof workerView>;
export type RouteView = z.infer<typeof routeView>;
export type ServerView = z.infer<typeof serverView>;
export type HistoryPoint = z.infer<typeof historyPoint>;
export type HubToUi = z.infer<typeof hubToUi>;
export type UiToHub = z.infer<typeof uiToHub>;
export type ProfileRequestMessage = Extract<UiToHub, { type: 'profile' }>;
export type ProfileFileFormat = (typeof PROFILE_FILE_FORMATS)[number];
