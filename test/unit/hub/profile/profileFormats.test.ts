import assert from 'node:assert/strict';
import { test } from 'node:test';
import { collapsed, speedscope } from '../../../../extension/hub/profile/profileFormats';
import { ProfileStore } from '../../../../extension/hub/profile/profileStore';
import { F, profileFrame } from './profileFrames';

function store(): ProfileStore {
  const s = new ProfileStore();
  s.add(profileFrame(100, [
    [11, 'GET', '/cpu', [F.main, F.burn], 90, 88],
    [11, 'GET', '/cpu', [F.main, { file: '/srv/we;ird.py', line: 3, function: 'odd' }], 4, 4],
    [12, 'GET', '/sleep', [F.main, F.sleep], 95, 2],
  ]));
  return s;
}

test('collapsed: one line per stack, outermost first, most samples first; no separator inside a frame', () => {
  const s = store();
  assert.equal(collapsed(s.table, s.counts({ window: 60, mode: 'wall' })), [
    'handle (/srv/app.py:40);nap (/srv/app.py:20) 95',
    'handle (/srv/app.py:40);burn (/srv/app.py:12) 90',
    'handle (/srv/app.py:40);odd (/srv/we,ird.py:3) 4',
    '',
  ].join('\n'));
  assert.equal(collapsed(s.table, s.counts({ window: 60, mode: 'cpu', route: 'GET /sleep' })), 'handle (/srv/app.py:40);nap (/srv/app.py:20) 2\n');
  assert.equal(collapsed(s.table, s.counts({ window: 60, mode: 'wall', route: 'GET /none' })), '');
});

test('speedscope: a sampled profile whose weights are the samples in seconds, frames listed once', () => {
  const s = store();
  const file = speedscope(s.table, s.counts({ window: 60, mode: 'wall', route: 'GET /cpu' }), 97, 'GET /cpu', 'gunicorn-live');
  assert.equal(file.$schema, 'https://www.speedscope.app/file-format-schema.json');
  assert.deepEqual(file.shared.frames.map((f) => f.name), ['handle', 'burn', 'odd']);
  const [p] = file.profiles;
  assert.equal(p.type, 'sampled');
  assert.equal(p.unit, 'seconds');
  assert.deepEqual(p.samples, [[0, 1], [0, 2]]);
  assert.deepEqual(p.weights, [90 / 97, 4 / 97]);
  assert.equal(p.endValue, 94 / 97);
  const unknownRate = speedscope(s.table, s.counts({ window: 60, mode: 'wall' }), null, 'all', 'x');
  assert.equal(unknownRate.profiles[0].unit, 'none');
  assert.equal(unknownRate.profiles[0].weights.reduce((a, b) => a + b), 189);
});
