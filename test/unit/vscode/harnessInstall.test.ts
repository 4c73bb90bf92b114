// The code-server install runs npm from inside `npm test`'s own `npm run`: the inner npm must read its own
// config, not the outer npm's exported npm_config_* (a fresh machine failed on exactly that).
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import test from 'node:test';
import { innerNpmEnv } from '../../vscode/harness/install';

/** The environment a real `npm run` gives its script, as the harness sees it. */
function outerNpmRunEnv(): NodeJS.ProcessEnv {
  const outer = mkdtempSync(join(tmpdir(), 'gl-outer-npm-'));
  writeFileSync(join(outer, 'package.json'), JSON.stringify({ name: 'outer', private: true, scripts: { env: 'node -p "JSON.stringify(process.env)"' } }));
  const r = spawnSync('npm', ['run', '--silent', 'env'], { cwd: outer, encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  return JSON.parse(r.stdout);
}

/** What a package script (code-server's postinstall, say) sees when the inner npm runs it. */
function innerScriptSees(env: NodeJS.ProcessEnv, cwd: string): { userAgent: string; localPrefix: string } {
  const r = spawnSync('npm', ['run', '--silent', 'sees'], { cwd, env, encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  const [userAgent, localPrefix] = r.stdout.trim().split('|');
  return { userAgent, localPrefix };
}

test('an inner npm started from `npm run` reads its own node version and project, not the outer npm\'s', () => {
  const outer = outerNpmRunEnv();
  assert.match(outer.npm_config_user_agent ?? '', /node\/v/, 'npm run exports its user agent');
  // As on a fresh machine: the outer npm ran on another Node than the inner one will.
  outer.npm_config_user_agent = 'npm/11.0.0 node/v20.0.0 linux x64 workspaces/false';
  const inner = mkdtempSync(join(tmpdir(), 'gl-inner-npm-'));
  writeFileSync(join(inner, 'package.json'), JSON.stringify({ name: 'inner', private: true,
    scripts: { sees: 'node -p "process.env.npm_config_user_agent + \'|\' + process.env.npm_config_local_prefix"' } }));
  const env = innerNpmEnv(outer);
  const sees = innerScriptSees(env, inner);
  assert.match(sees.userAgent, new RegExp(`node/${process.version} `));
  assert.equal(sees.localPrefix, inner);
  // The old way (the outer environment passed on) fails exactly as the fresh machine did.
  assert.match(innerScriptSees(outer, inner).userAgent, /node\/v20\.0\.0 /);
  const left = Object.keys(env).filter((k) => /^npm_/i.test(k));
  assert.deepEqual(left.filter((k) => !/^npm_config_(registry|cache|cafile|ca|strict_ssl|proxy|https_proxy|noproxy)$/.test(k)), []);
  // What says where packages come from is kept.
  assert.equal(innerNpmEnv({ npm_config_registry: 'http://127.0.0.1:9/' }).npm_config_registry, 'http://127.0.0.1:9/');
});
