import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import test from 'node:test';
import { startTraffic, type TrafficMix } from '../../../extension/cli/traffic';

/** A loopback server that records each request's path; runs traffic against it until `count` requests came. */
async function pathsFrom(mix: TrafficMix | undefined, count: number): Promise<string[]> {
  const paths: string[] = [];
  let done: () => void = () => {};
  const enough = new Promise<void>((resolve) => { done = resolve; });
  const server: Server = createServer((req, res) => {
    paths.push(req.url ?? '');
    if (paths.length >= count) done();
    res.end('ok');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const traffic = startTraffic({ port: (server.address() as AddressInfo).port, concurrency: 2, pauseMs: 0, durationMs: 10_000, mix });
  await enough;
  traffic.stop();
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
  return paths.slice(0, count);
}

test('traffic with a mix sends only its paths, {n} as a number 0–999, in proportion to the weights', async () => {
  const paths = await pathsFrom([['/products/{n}', 3], ['/report', 1], ['/never', 0]], 400);
  assert.ok(paths.every((p) => /^\/products\/\d{1,3}$/.test(p) || p === '/report'), `unexpected paths: ${paths.filter((p) => !/^\/products\/|^\/report$/.test(p)).slice(0, 5).join(', ')}`);
  const reports = paths.filter((p) => p === '/report').length;
  // 1 in 4 expected: 100 ± 5 σ (σ ≈ 8.7) of 400.
  assert.ok(reports > 55 && reports < 145, `${reports} of 400 requests to /report, expected ~100`);
});

test("traffic without a mix sends the demo app's endpoints", async () => {
  const paths = await pathsFrom(undefined, 200);
  const demo = /^\/(fast|slow|cpu|memory|missing|error|raise|items\/\d{1,3})$/;
  assert.deepEqual(paths.filter((p) => !demo.test(p)), []);
  assert.ok(paths.includes('/fast'));
});
