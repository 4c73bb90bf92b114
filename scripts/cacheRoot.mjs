// Where installs the tests need (code-server, its Node, the linters' venv) live: outside the work tree,
// so clones share them. $GUNICORN_LIVE_CACHE, else ~/.cache/gunicorn-live.
import { homedir } from 'node:os';
import { join } from 'node:path';

export const cacheRoot = () => process.env.GUNICORN_LIVE_CACHE || join(homedir(), '.cache', 'gunicorn-live');
