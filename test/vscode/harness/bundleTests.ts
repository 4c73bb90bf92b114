// Bundles the extension-host suite (test/vscode/suite/*.ts) to CommonJS next to the extension's own
// bundle, so both runners (code-server and @vscode/test-electron) load the same files.
import { build } from 'esbuild';
import { readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';

export const ROOT = join(__dirname, '..', '..', '..');
export const SUITE_OUT = join(ROOT, 'dist', 'test', 'vscode', 'suite');
/** What VS Code loads as extensionTestsPath. */
export const SUITE_INDEX = join(SUITE_OUT, 'index.js');

export async function bundleSuite(): Promise<void> {
  const dir = join(ROOT, 'test', 'vscode', 'suite');
  const entries = readdirSync(dir).filter((f) => f === 'index.ts' || f.endsWith('.test.ts')).map((f) => join(dir, f));
  rmSync(SUITE_OUT, { recursive: true, force: true });
  await build({
    entryPoints: entries,
    outdir: SUITE_OUT,
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    sourcemap: 'inline',
    logLevel: 'warning',
    // `vscode` is the host's; mocha is loaded from the repo's node_modules by path resolution.
    external: ['vscode', 'mocha'],
  });
}
