// `npm run lint`, and the lint suite of `npm test`: ESLint over the TypeScript and JavaScript
// (eslint.config.mjs), ruff over the Python agent and its tests (server-agent/ruff.toml).
// One result per linter; ends with `N passed, N failed`.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { root, ruff } from './bootstrap.mjs';

export function lint() {
  const linters = [
    ['eslint', [process.execPath, 'node_modules/eslint/bin/eslint.js', '--max-warnings=0', '.']],
    // ruff takes FORCE_COLOR=0 (set by scripts/test.mjs) as a wish for colour: say it plainly.
    ['ruff', [ruff(), 'check', '--no-cache', `--color=${process.stdout.isTTY ? 'auto' : 'never'}`, 'server-agent']],
  ];
  let passed = 0;
  for (const [name, [cmd, ...args]] of linters) {
    const started = Date.now();
    const r = spawnSync(cmd, args, { cwd: root, stdio: 'inherit' });
    const ok = r.status === 0;
    if (ok) passed += 1;
    console.log(`${name}: ${ok ? 'clean' : `findings (exit ${r.status ?? r.signal})`} in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  }
  console.log(`${passed} passed, ${linters.length - passed} failed`);
  return passed === linters.length;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) process.exit(lint() ? 0 : 1);
