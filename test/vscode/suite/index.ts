// Runs the mocha suite inside the extension host (VS Code calls run()) and writes the results to a file:
// more robust than reading the host's console, which reaches the runner only as formatted page logs.
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import Mocha from 'mocha';

export interface SuiteResults {
  passed: number;
  failed: number;
  tests: Array<{ title: string; state: 'passed' | 'failed'; ms: number; error?: string }>;
}

/** Where the runner reads results: its env var, else test-output/ of the repo this bundle lives in. */
function resultsFile(): string {
  return process.env.GUNICORN_LIVE_VSCODE_RESULTS ?? join(__dirname, '..', '..', '..', '..', 'test-output', 'vscode-suite.json');
}

export function run(): Promise<void> {
  const mocha = new Mocha({ ui: 'bdd', color: false, timeout: 60_000, reporter: 'spec' });
  const grep = process.env.GUNICORN_LIVE_VSCODE_GREP;
  if (grep) mocha.grep(grep);
  // launch.test.js first: its first tests check the window before anything started a hub; the rest by name.
  const first = (f: string) => (f === 'launch.test.js' ? 0 : 1);
  const files = readdirSync(__dirname).filter((f) => f.endsWith('.test.js')).sort((a, b) => first(a) - first(b) || a.localeCompare(b));
  for (const f of files) mocha.addFile(join(__dirname, f));
  const results: SuiteResults = { passed: 0, failed: 0, tests: [] };
  const write = () => {
    const file = resultsFile();
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, `${JSON.stringify(results, null, 2)}\n`);
  };
  return new Promise((resolve, reject) => {
    const runner = mocha.run((failures) => {
      write();
      if (failures > 0) reject(new Error(`${failures} extension-host tests failed`));
      else resolve();
    });
    runner.on('pass', (t) => {
      results.passed += 1;
      results.tests.push({ title: t.fullTitle(), state: 'passed', ms: t.duration ?? 0 });
    });
    runner.on('fail', (t, err: Error) => {
      results.failed += 1;
      results.tests.push({ title: t.fullTitle(), state: 'failed', ms: t.duration ?? 0, error: String(err?.stack ?? err).slice(0, 4000) });
      write();
    });
  });
}
