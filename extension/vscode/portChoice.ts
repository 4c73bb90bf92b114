// A launch whose port is taken (another server on 8000) moves to the next free one and says which:
// otherwise Gunicorn retries for five seconds and exits with "Connection in use".
import * as vscode from 'vscode';
import { bindsOfConfig, formatBind, nextFreeBind, parseBind, portTaken } from '../launch/bind';
import { log } from './log';
import { notify } from './notify';
import { plannedBinds, type GunicornTaskDefinition, type LaunchContext } from './taskPlan';

/** `def`, with `bind` set to a free port when the one it would use is taken. */
export async function withFreePort(def: GunicornTaskDefinition, ctx: LaunchContext, name: string): Promise<GunicornTaskDefinition> {
  const planned = plannedBinds(def, ctx);
  const binds = planned && 'computedIn' in planned ? await bindsOfConfig(ctx.python, planned.computedIn, planned.cwd) : planned;
  // Several binds, a unix socket, a config that would not run here: Gunicorn's own message will say.
  const wanted = binds?.length === 1 ? parseBind(binds[0]) : null;
  if (!wanted || !(await portTaken(wanted))) return def;
  const free = await nextFreeBind(wanted);
  if (!free) {
    log().warn(`${formatBind(wanted)} is in use and none of the next ports is free; launching "${name}" there anyway`);
    return def;
  }
  const bind = formatBind(free);
  log().info(`${formatBind(wanted)} is in use: "${name}" listens on ${bind} instead`);
  const host = ['0.0.0.0', '::'].includes(free.host) ? '127.0.0.1' : free.host.includes(':') ? `[${free.host}]` : free.host;
  notify('info', `Gunicorn Live: port ${wanted.port} is in use, so "${name}" listens on ${bind} instead (set gunicornLive.bind to choose).`, {
    'Open in Browser': async () => vscode.env.openExternal(await vscode.env.asExternalUri(vscode.Uri.parse(`http://${host}:${free.port}/`))),
  });
  return { ...def, bind };
}
