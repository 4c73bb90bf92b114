import assert from 'node:assert/strict';
import { test } from 'node:test';
import { formatShare, heatLevel, lineHeat, type HeatSource } from '../../../../extension/hub/profile/lineHeat';
import { ProfileStore } from '../../../../extension/hub/profile/profileStore';
import type { StackFrame } from '../../../../extension/protocol/agent';
import { F, profileFrame } from './profileFrames';

const T = 1_000_000;
/** A second line in burn (a loop body), called from handle. */
const burnLoop = { file: '/srv/app.py', line: 14, function: 'burn' } satisfies StackFrame;

function store(): ProfileStore {
  const s = new ProfileStore();
  s.hello(97);
  s.add(profileFrame(T + 1, [
    [11, 'GET', '/cpu', [F.main, F.burn], 60, 58],
    [11, 'GET', '/cpu', [F.main, burnLoop], 30, 30],
    [12, 'GET', '/orders/{id}', [F.main, F.burn], 10, 9],
    [12, 'GET', '/sleep', [F.main, F.sleep], 95, 2],
    [12, '', '(idle)', [F.accept], 400, 0],
  ]));
  return s;
}

const source = (s: ProfileStore, mode: 'wall' | 'cpu', requestsOnly = true): HeatSource =>
  ({ frames: s.table.frames, stacks: s.table.stacks, byRoute: s.stacksByRoute({ window: 60, mode }, requestsOnly) });

test('stacksByRoute: samples per route and stack, in the mode; requests only leaves (idle) out', () => {
  const s = store();
  const wall = s.stacksByRoute({ window: 60, mode: 'wall' }, true);
  assert.deepEqual([...wall.keys()].sort(), ['GET /cpu', 'GET /orders/{id}', 'GET /sleep']);
  assert.deepEqual([...wall.get('GET /cpu')!.values()], [60, 30]);
  assert.deepEqual([...s.stacksByRoute({ window: 60, mode: 'cpu' }).get('GET /sleep')!.values()], [2]);
  assert.deepEqual([...s.stacksByRoute({ window: 60, mode: 'wall' }).get('(idle)')!.values()], [400]);
  assert.equal(s.stacksByRoute({ window: 60, mode: 'wall', pid: 11 }).size, 1);
});

test('a line\'s total counts the samples passing through it, self those ending there, by route', () => {
  const heat = lineHeat([source(store(), 'wall')]);
  assert.equal(heat.samples, 60 + 30 + 10 + 95);
  const app = heat.files.get('/srv/app.py')!;
  assert.deepEqual(app.lines.get(F.main.line), {
    self: 0, total: 195,
    routes: [{ route: 'GET /sleep', samples: 95 }, { route: 'GET /cpu', samples: 90 }, { route: 'GET /orders/{id}', samples: 10 }],
  });
  assert.deepEqual(app.lines.get(F.burn.line), { self: 70, total: 70, routes: [{ route: 'GET /cpu', samples: 60 }, { route: 'GET /orders/{id}', samples: 10 }] });
  assert.deepEqual(app.lines.get(burnLoop.line), { self: 30, total: 30, routes: [{ route: 'GET /cpu', samples: 30 }] });
  assert.equal(heat.files.has(F.accept.file), false, '(idle) samples were left out');
});

test('functions add up their lines, start at their smallest sampled line, most samples first', () => {
  const app = lineHeat([source(store(), 'wall')]).files.get('/srv/app.py')!;
  assert.deepEqual(app.functions.map((f) => [f.function, f.firstLine, f.self, f.total]), [
    ['handle', 40, 0, 195],
    ['burn', 12, 100, 100],
    ['nap', 20, 95, 95],
  ]);
  assert.deepEqual(app.functions.find((f) => f.function === 'burn')!.routes.map((r) => r.route), ['GET /cpu', 'GET /orders/{id}']);
});

test('cpu mode counts on-CPU samples only', () => {
  const heat = lineHeat([source(store(), 'cpu')]);
  assert.equal(heat.samples, 58 + 30 + 9 + 2);
  assert.equal(heat.files.get('/srv/app.py')!.lines.get(F.sleep.line)!.total, 2);
});

test('recursion counts a stack once per line and per function; servers add up', () => {
  const frames: StackFrame[] = [F.main, { file: '/srv/tree.py', line: 5, function: 'walk' }, { file: '/srv/tree.py', line: 7, function: 'walk' }];
  const one: HeatSource = { frames, stacks: [[0, 1, 1, 2]], byRoute: new Map([['GET /tree', new Map([[0, 10]])]]) };
  const heat = lineHeat([one, one]);
  assert.equal(heat.samples, 20);
  const tree = heat.files.get('/srv/tree.py')!;
  assert.deepEqual([tree.lines.get(5)!.total, tree.lines.get(5)!.self, tree.lines.get(7)!.self], [20, 0, 20]);
  assert.deepEqual(tree.functions.map((f) => [f.function, f.firstLine, f.self, f.total]), [['walk', 5, 20, 20]]);
});

test('shares and heat levels', () => {
  assert.deepEqual([formatShare(38, 100), formatShare(1, 300), formatShare(1, 5000), formatShare(0, 0)], ['38 %', '0.3 %', '<0.1 %', '0 %']);
  assert.deepEqual([0, 1, 20, 21, 60, 100].map((n) => heatLevel(n, 100)), [0, 1, 1, 2, 3, 5]);
});
