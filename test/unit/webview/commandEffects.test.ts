// What the dashboard's controls say a signal did, and when its effect is done.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { LifecycleEvent } from '../../../extension/protocol/agent';
import type { ServerView } from '../../../extension/protocol/ui';
import { progress, startEffect } from '../../../webview/commandEffects';

const server = (pids: number[], connected = true) => ({ id: 's1', workers: pids.map((pid) => ({ pid })), connected }) as unknown as ServerView;
const signal = (name: string, at: number): LifecycleEvent => ({ type: 'signal', signal: name as 'SIGHUP', at });

test('HUP is done when every old worker is gone and new ones came', () => {
  const effect = startEffect('HUP', server([11, 12]), []);
  assert.deepEqual(progress(effect, server([11, 12, 21]), []), { done: false, text: '1 new worker (21), 0 of 2 old exited' });
  assert.deepEqual(progress(effect, server([21, 22]), []), { done: true, text: '2 new workers (21, 22), 2 of 2 old exited' });
});

test('TTIN, TTOU, USR1 and QUIT each wait for their own effect', () => {
  assert.deepEqual(progress(startEffect('TTIN', server([1]), []), server([1, 2]), []), { done: true, text: 'worker 2 added' });
  assert.deepEqual(progress(startEffect('TTOU', server([1, 2]), []), server([2]), []), { done: true, text: 'worker 1 stopped' });
  const usr1 = startEffect('USR1', server([1]), [signal('SIGUSR1', 1)]);
  assert.equal(progress(usr1, server([1]), [signal('SIGUSR1', 1)]).done, false, 'an earlier SIGUSR1 is not this one');
  assert.deepEqual(progress(usr1, server([1]), [signal('SIGUSR1', 1), signal('SIGUSR1', 2)]),
    { done: true, text: 'the master received SIGUSR1 and reopened its logs' });
  assert.deepEqual(progress(startEffect('QUIT', server([1]), []), server([], false), []), { done: true, text: 'the server stopped' });
});
