// `npm test`: bootstraps, then runs every suite and ends with one line `N passed, N failed`.
// Usage: npm test [-- suite-name …]   (names: typecheck, lint, unit, agent, compat, integration, browser, vscode)
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { bootstrap, packageJson, root } from './bootstrap.mjs';
import { cacheRoot } from './cacheRoot.mjs';

/** The Python that can import gunicorn: $GUNICORN_LIVE_PYTHON, python3 on PATH, then Debian's. */
function agentPython() {
  for (const candidate of [process.env.GUNICORN_LIVE_PYTHON, 'python3', '/usr/bin/python3']) {
    if (candidate && spawnSync(candidate, ['-c', 'import gunicorn'], { stdio: 'ignore' }).status === 0) return candidate;
  }
  return '/usr/bin/python3';
}

function testFiles(dir) {
  const abs = join(root, dir);
  if (!existsSync(abs)) return [];
  return readdirSync(abs, { recursive: true })
    .filter((f) => /\.test\.(ts|mjs)$/.test(f))
    .sort()
    .map((f) => join(dir, f));
}

const nodeTests = (dir, concurrency) => {
  const files = testFiles(dir);
  return files.length === 0 ? null : [process.execPath, '--import', 'tsx', '--test', '--test-reporter=tap',
    `--test-concurrency=${concurrency}`, ...files];
};

const suites = [
  { name: 'typecheck', cmd: () => [process.execPath, 'node_modules/typescript/bin/tsc', '-p', 'tsconfig.json'],
    then: () => [process.execPath, 'node_modules/typescript/bin/tsc', '-p', 'webview/tsconfig.json'] },
  { name: 'lint', cmd: () => [process.execPath, 'scripts/lint.mjs'] },
  { name: 'unit', cmd: () => nodeTests('test/unit', 2) },
  // server-agent/tests/unit (no Gunicorn process) and tests/e2e (real Gunicorn): discover finds both.
  // Then the peers benchmark's arithmetic and parsing (bench/agent/peers/test_report.py: no Gunicorn, no timing).
  { name: 'agent', cmd: () => [agentPython(), '-m', 'unittest', 'discover', '-s', 'server-agent/tests', '-t', 'server-agent', '-v'],
    then: () => [agentPython(), '-m', 'unittest', 'discover', '-s', 'bench/agent', '-p', 'test_*.py', '-v'] },
  // The agent's wheel on Gunicorn releases from the package index, in venvs under the cache root.
  { name: 'compat', cmd: () => [agentPython(), 'test/compat/run.py'] },
  { name: 'integration', cmd: () => nodeTests('test/integration', 1) },
  { name: 'browser', cmd: () => nodeTests('test/browser', 1) },
  { name: 'vscode', cmd: () => (packageJson().scripts['test:vscode'] ? ['npm', 'run', '--silent', 'test:vscode'] : null) },
];

/** Reads the counts a runner printed: node's TAP summary, unittest's, or a plain `N passed, N failed`. */
export function countResults(output) {
  const tapPass = output.match(/^# pass (\d+)$/m);
  const tapFail = output.match(/^# fail (\d+)$/m);
  if (tapPass && tapFail) return { passed: +tapPass[1], failed: +tapFail[1] };
  const ran = output.match(/^Ran (\d+) tests? in/m);
  if (ran) {
    const total = +ran[1];
    const bad = output.match(/^FAILED \((.*)\)$/m);
    let failed = 0;
    let skipped = 0;
    // unittest writes e.g. `FAILED (failures=1, errors=2, expected failures=1, unexpected successes=1)`.
    for (const [, k, v] of (bad?.[1] ?? output.match(/^OK \((.*)\)$/m)?.[1] ?? '').matchAll(/(?:^|, )([a-z_ ]+)=(\d+)/g)) {
      if (k === 'failures' || k === 'errors' || k === 'unexpected successes' || k === 'unexpected_successes') failed += +v;
      if (k === 'skipped') skipped += +v;
    }
    return { passed: total - failed - skipped, failed };
  }
  const plain = [...output.matchAll(/^(\d+) passed, (\d+) failed/gm)].pop();
  if (plain) return { passed: +plain[1], failed: +plain[2] };
  return null;
}

function runSuite(argv, env) {
  return new Promise((resolve) => {
    const child = spawn(argv[0], argv.slice(1), { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    const take = (stream, sink) => stream.on('data', (d) => { output += d; sink.write(d); });
    take(child.stdout, process.stdout);
    take(child.stderr, process.stderr);
    child.on('close', (code) => resolve({ code: code ?? 1, output }));
  });
}

const wanted = process.argv.slice(2);
const startedAt = Date.now();
bootstrap('test');
mkdirSync(join(root, 'test-output'), { recursive: true });
const env = { ...process.env, GUNICORN_LIVE_PYTHON: agentPython(), GUNICORN_LIVE_CACHE: cacheRoot(), FORCE_COLOR: '0' };
let passed = 0;
let failed = 0;
const lines = [];
for (const suite of suites.filter((s) => wanted.length === 0 || wanted.includes(s.name))) {
  const steps = [suite.cmd(), suite.then?.()].filter(Boolean);
  if (steps.length === 0) continue;
  console.log(`\n=== ${suite.name} ===`);
  let suitePassed = 0;
  let suiteFailed = 0;
  for (const argv of steps) {
    const { code, output } = await runSuite(argv, env);
    const counts = suite.name === 'typecheck' ? { passed: code === 0 ? 1 : 0, failed: code === 0 ? 0 : 1 } : countResults(output);
    if (counts) {
      suitePassed += counts.passed;
      suiteFailed += counts.failed;
    }
    // A runner that died without reporting, or exited non-zero with no failure counted, is one failure.
    if (!counts || (code !== 0 && counts.failed === 0)) suiteFailed += 1;
  }
  passed += suitePassed;
  failed += suiteFailed;
  lines.push(`${suite.name}: ${suitePassed} passed, ${suiteFailed} failed`);
}
console.log(`\n${lines.join('\n')}`);
console.log(`npm test took ${Math.round((Date.now() - startedAt) / 1000)} s, installs included`);
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed === 0 && passed > 0 ? 0 : 1);
