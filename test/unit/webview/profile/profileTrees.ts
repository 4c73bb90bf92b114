// Small profile trees as the hub builds them (children largest first), for the Profile view's tests.
import type { ProfileNode } from '../../../../extension/protocol/ui';

export const node = (name: string, file: string, line: number, self: number, children: ProfileNode[] = []): ProfileNode =>
  ({ name, file, line, self, total: self + children.reduce((s, c) => s + c.total, 0), children });

export const GUNICORN = '/usr/lib/python3/dist-packages/gunicorn/workers/sync.py';
export const APP = '/srv/app.py';

/**
 * 100 samples: handle (app) → burn (60 self) and → render (10 self) → burn (10 self, recursion through
 * render); accept (Gunicorn, 20 self) beside it.
 */
export function sampleTree(): ProfileNode {
  const handle = node('handle', APP, 40, 0, [
    node('burn', APP, 12, 60),
    node('render', APP, 30, 10, [node('burn', APP, 13, 10)]),
  ]);
  return node('(all)', '', 0, 0, [handle, node('SyncWorker.accept', GUNICORN, 33, 20)]);
}
