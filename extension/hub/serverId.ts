// A server's identity: what names it across restarts and USR2 re-execs.
import { createHash } from 'node:crypto';
import type { HelloFrame } from '../protocol/agent';

/** A server keeps its id across restarts and USR2 re-execs: host, service and binds name it, not the pid. */
export function serverId(hello: HelloFrame): string {
  const { host, serviceName, app, bind, masterPid } = hello.server;
  const key = bind.length > 0 ? [host, serviceName, app, ...bind].join('\n') : `${host}\n${masterPid}`;
  return createHash('sha256').update(key).digest('hex').slice(0, 12);
}
