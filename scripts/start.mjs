// `npm start`: bootstraps what the demo needs, then runs `gunicorn-live demo` (extra args pass through:
// `npm start -- --workers 4`).
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { bootstrap, root } from './bootstrap.mjs';

bootstrap('start');
const child = spawn(process.execPath, [join(root, 'bin', 'gunicorn-live.js'), 'demo', ...process.argv.slice(2)], { stdio: 'inherit' });
// A terminal's Ctrl-C already reaches the CLI (same process group), which stops Gunicorn gracefully;
// forwarding it too would count as a second Ctrl-C (quick stop). SIGTERM is sent to us alone: pass it on.
process.on('SIGINT', () => {});
process.on('SIGTERM', () => child.kill('SIGTERM'));
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
