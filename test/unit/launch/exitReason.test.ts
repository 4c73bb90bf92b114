// Gunicorn's reason for an early exit, from real stderr of Debian's Gunicorn 20.1.0 run by our launcher
// (fixtures/stderr-*.txt: a port in use, a module that is not there, an attribute that is not there).
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { exitReason } from '../../../extension/launch/exitReason';

const fixture = (name: string) => readFileSync(join(__dirname, 'fixtures', `stderr-${name}.txt`), 'utf8');

describe('exitReason', () => {
  it('a port in use: the "Connection in use" line, not the retries that follow it', () => {
    assert.equal(exitReason(fixture('inuse')), "Connection in use: ('127.0.0.1', 18765)");
  });
  it('an app whose module does not import: the exception line of the worker\'s traceback', () => {
    assert.equal(exitReason(fixture('nomod')), "ModuleNotFoundError: No module named 'nope_missing'");
  });
  it('an app Gunicorn cannot find in its module: the line Gunicorn prints for it', () => {
    assert.equal(exitReason(fixture('noattr')), "Failed to find attribute 'nothere' in 'okapp'.");
  });
  it('otherwise the master\'s reason, and null for nothing', () => {
    assert.equal(exitReason('[2026-12-04 17:43:45 +0000] [1] [INFO] Shutting down: Master\n[2026-12-04 17:43:45 +0000] [1] [INFO] Reason: Worker failed to boot.\n'), 'Worker failed to boot.');
    assert.equal(exitReason('\n'), null);
  });
});
