// Bundles the three outputs with esbuild: the extension host (CommonJS), the CLI (CommonJS) and the
// dashboard (one browser bundle shared by the VS Code webview and the hub's browser dashboard).
import { build } from 'esbuild';
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const dist = join(root, 'dist');
const watch = process.argv.includes('--watch');
const common = { bundle: true, sourcemap: true, logLevel: 'warning', absWorkingDir: root };

const { version } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
const node = { ...common, platform: 'node', target: 'node20', format: 'cjs', define: { GUNICORN_LIVE_VERSION: JSON.stringify(version) } };
const targets = [
  { ...node, entryPoints: ['extension/cli/main.ts'], outfile: 'dist/cli.js' },
  // ES modules split into chunks: dashboard.js (state, connection, views) evaluates in a short task and
  // first paints; Chart.js and the components load by import() and evaluate in tasks of their own.
  { ...common, platform: 'browser', target: 'es2022', format: 'esm', splitting: true, metafile: true,
    entryPoints: { dashboard: 'webview/main.ts' }, outdir: 'dist/webview', minify: true, loader: { '.css': 'css', '.ttf': 'file' } },
];
if (existsSync(join(root, 'extension/vscode/extension.ts'))) {
  targets.push({ ...node, entryPoints: ['extension/vscode/extension.ts'], outfile: 'dist/extension.js', external: ['vscode'] });
}

// The protocol's JSON Schema and docs/protocol.md's tables are generated from the zod source.
if (spawnSync(process.execPath, ['--import', 'tsx', 'scripts/protocolSchema.ts'], { cwd: root, stdio: 'inherit' }).status !== 0) {
  process.exit(1);
}

mkdirSync(join(dist, 'webview'), { recursive: true });
// Static files the dashboard page loads next to the bundle.
for (const [from, to] of [
  ['node_modules/@vscode/codicons/dist/codicon.css', 'webview/codicon.css'],
  ['node_modules/@vscode/codicons/dist/codicon.ttf', 'webview/codicon.ttf'],
]) {
  if (existsSync(join(root, from))) cpSync(join(root, from), join(dist, to));
}

try {
  if (watch) {
    const { context } = await import('esbuild');
    for (const t of targets) await (await context(t)).watch();
  } else {
    const results = await Promise.all(targets.map((t) => build(t)));
    removeStaleChunks(results.find((r) => r.metafile)?.metafile);
  }
} catch {
  // esbuild has already printed the errors it found.
  process.exit(1);
}

/** Chunk names carry a hash: drop the chunks earlier builds left in dist/webview (after writing, never before). */
function removeStaleChunks(metafile) {
  if (!metafile) return;
  const dir = join(dist, 'webview');
  const fresh = new Set(Object.keys(metafile.outputs).map((out) => join(root, out)));
  for (const name of readdirSync(dir)) {
    if (/\.js(\.map)?$/.test(name) && !fresh.has(join(dir, name))) rmSync(join(dir, name));
  }
}
