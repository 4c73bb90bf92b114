// GunicornMasters on real processes standing in for Gunicorn after USR2: a master leading its process
// group, a re-executed master (its child, GUNICORN_PID=old master in its environment, as Gunicorn's reexec
// sets it) and that one's worker (which inherits the same environment, but whose parent is not the old master).
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import test from 'node:test';
import { GunicornMasters } from '../../../extension/launch/masters';
import { until } from '../../until';

const children = (pid: number) => readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);

test('follows the master re-executed on USR2, never its worker or a process outside the group; stops them all', async () => {
  const old = spawn('sh', ['-c', 'GUNICORN_PID=$$ sh -c "sleep 60 & wait" & wait'], { detached: true, stdio: 'ignore' });
  const group = old.pid!;
  try {
    const reexecuted = await until(() => children(group)[0], 'the re-executed master', 5000);
    const worker = await until(() => children(reexecuted)[0], 'its worker', 5000);
    const masters = new GunicornMasters(group);
    assert.deepEqual(masters.running(), [group]);
    assert.equal(masters.follow(process.pid), false, 'this test process is in another group');
    assert.equal(masters.follow(group), false, 'already followed');
    assert.deepEqual(masters.discover(), [reexecuted]);
    assert.deepEqual(masters.running(), [group, reexecuted]);
    assert.equal(masters.follow(worker), true, 'a pid the hub names is followed when it is in the group');

    const stopped = new Promise((r) => old.once('exit', r));
    assert.deepEqual(masters.stop('SIGTERM').sort(), [group, reexecuted, worker].sort());
    await stopped;
    await until(() => masters.running().length === 0 || undefined, 'every master gone', 5000);
  } finally {
    try {
      process.kill(-group, 'SIGKILL');
    } catch { /* all gone */ }
  }
});
