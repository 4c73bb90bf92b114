// A fresh copy of test/vscode/workspace for one run, so what the extension writes (remembered settings)
// never lands in the repo; its gunicorn.conf.py binds a free loopback port and carries a user hook
// the agent's shim must keep.
import { cpSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { freePort } from '../../../extension/cli/freePort';

// The CLI's own loopback probe for a free port, for the harness and the suites.
export { freePort };

export const SOURCE_WORKSPACE = join(__dirname, '..', 'workspace');

export interface TestWorkspace {
  dir: string;
  /** Where the test app's Gunicorn listens. */
  appPort: number;
}

/** `timeout`: Gunicorn's worker timeout in the copy (the UI test lets a request outlive a short one). */
export async function prepareWorkspace(timeout = 30, parent = tmpdir()): Promise<TestWorkspace> {
  const dir = mkdtempSync(join(parent, 'gunicorn-live-ws-'));
  cpSync(SOURCE_WORKSPACE, dir, { recursive: true });
  const appPort = await freePort();
  writeFileSync(
    join(dir, 'gunicorn.conf.py'),
    [
      '# Written by the test harness: a free port, and a hook of the user\'s own that must keep running.',
      `bind = "127.0.0.1:${appPort}"`,
      'workers = 2',
      `timeout = ${timeout}`,
      // A file for Reopen Logs (USR1) to reopen, as after a logrotate.
      `accesslog = "${join(dir, 'access.log')}"`,
      '',
      '',
      'def when_ready(server):',
      '    server.log.info("user hook when_ready ran")',
      '',
    ].join('\n'),
  );
  return { dir, appPort };
}
