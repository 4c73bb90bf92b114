import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import test from 'node:test';
import { AGENT_DIR, AGENT_SHIM, GUNICORN_LAUNCHER, PACKAGE_ROOT, PREFLIGHT_PROBE } from '../../../extension/launch/paths';

const ROOT = join(__dirname, '..', '..', '..');

// From dist/ (the bundle's __dirname) the same files are found: test/integration/cliBadInput.test.ts runs the
// built CLI, whose refusals come from the preflight probe.
test('from source, the package root is the repository and every file the launch needs is there', () => {
  assert.equal(PACKAGE_ROOT, ROOT);
  assert.equal(AGENT_DIR, join(ROOT, 'server-agent'));
  for (const file of [AGENT_SHIM, GUNICORN_LAUNCHER, PREFLIGHT_PROBE]) assert.ok(existsSync(file), file);
});
