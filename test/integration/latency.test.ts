// Exact latency on a real Gunicorn: routes that take a known time, timed again by the user's own request
// hooks (the ground truth); the hub's quantiles are within 5 % of the truth's, for fast and slow routes
// and a two-valued mix, and every view reads the same numbers.
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { RouteWindowView } from '../../extension/hub/routeStats';
import { httpGet } from './proc';
import { APPS, startRealServer, type RealServer } from './realServer';

const N = 300;
const ROUTES = ['/wait-100', '/wait-1000', '/wait-30000', '/mix'];

/** The exact q-quantile (nearest rank) of a list. */
const exact = (q: number, values: number[]) => [...values].sort((a, b) => a - b)[Math.ceil(q * values.length) - 1];

describe('exact latency on a real Gunicorn', () => {
  let server: RealServer;
  const truthDir = mkdtempSync(join(tmpdir(), 'gl-latency-'));
  before(async () => {
    process.env.LATENCY_TRUTH_DIR = truthDir;
    server = await startRealServer(['-c', join(APPS, 'latency.conf.py'), 'latency:app']);
    await server.waitFor((s) => s.workers.length === 1, 'one worker');
  });
  after(() => server?.stop());

  test(`${N} requests per route: p50, p95 and p99 within 5 % of the truth the hooks measured`, async () => {
    for (const route of ROUTES) for (let i = 0; i < N; i++) assert.equal(await httpGet(server.appPort, route), 200);
    const s = await server.waitFor((v) => v.requestsTotal === N * ROUTES.length, `${N * ROUTES.length} requests`);
    const truth = new Map<string, number[]>();
    for (const file of readdirSync(truthDir)) {
      for (const line of readFileSync(join(truthDir, file), 'utf8').trim().split('\n')) {
        const [path, seconds] = line.split(' ');
        truth.set(path, [...(truth.get(path) ?? []), Number(seconds)]);
      }
    }
    const res = await fetch(`${server.hub.url}/api/servers/${s.id}/routes?window=600`, { headers: { Authorization: `Bearer ${server.hub.token}` } });
    const routes = ((await res.json()) as { routes: RouteWindowView[] }).routes;
    const table = server.hub.store.servers()[0].routes ?? [];
    const errors: string[] = [];
    for (const route of ROUTES) {
      const r = routes.find((x) => x.route === route);
      const t = truth.get(route) ?? [];
      assert.ok(r, `${route} in /routes`);
      assert.equal(r.count, N);
      assert.equal(t.length, N);
      const row = table.find((x) => x.route === route)!;
      for (const [q, key] of [[0.5, 'p50'], [0.95, 'p95'], [0.99, 'p99']] as const) {
        const want = exact(q, t);
        const got: number = r[key]!;
        const error = (got - want) / want;
        console.log(`# ${route} ${key}: reported ${(got * 1e3).toFixed(4)} ms, truth ${(want * 1e3).toFixed(4)} ms, error ${(error * 100).toFixed(2)} %`);
        // Within 5 % of the truth at its rank, or of the truths one rank either side: in a sparse tail (p99 of
        // 300 is the 297th of 300) the truth's own neighbours can be further apart than the histogram's error.
        const sorted = [...t].sort((a, b) => a - b);
        const rank = Math.ceil(q * t.length) - 1;
        const low = sorted[Math.max(0, rank - 1)] * 0.95;
        const high = sorted[Math.min(t.length - 1, rank + 1)] * 1.05;
        if (Math.abs(error) > 0.05 && !(got >= low && got <= high)) errors.push(`${route} ${key} ${got} vs ${want}`);
        assert.equal(row[key], got, `${route} ${key}: the routes table reads the same number`);
      }
      // The agent's min and max are its own clock's, a hook inside the truth's on either side.
      assert.ok(r.min! <= Math.min(...t) && r.min! >= Math.min(...t) * 0.9, `${route} min ${r.min}`);
      // One truth outlier (a thread switch between the agent's hook and the user's) must not fail the max.
      assert.ok(r.max! <= Math.max(...t) && r.max! >= exact(0.99, t) * 0.95, `${route} max ${r.max}`);
    }
    assert.deepEqual(errors, []);
  });
});
