// Options every subcommand that starts a hub shares, and the lines it prints once the hub listens.
import { isIP } from 'node:net';
import { durationBoundsFrom } from '../hub/durationBounds';
import { isLoopbackHost, type Hub } from '../hub/hub';
import { CliError } from './errors';

export interface HubFlags {
  host: string;
  port: string;
  token?: string;
  allowRemote?: boolean;
}

export function hubOptions(flags: HubFlags): { host: string; port: number; token?: string; durationBounds: number[] } {
  const port = Number(flags.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new CliError(`--port must be 0–65535, got '${flags.port}'`);
  const host = flags.host;
  if (host !== 'localhost' && isIP(host) === 0) throw new CliError(`--host must be an IP address or localhost, got '${host}'`);
  if (!isLoopbackHost(host)) {
    if (!flags.allowRemote) {
      throw new CliError(`--host ${host} would expose the hub beyond this machine; add --allow-remote if you mean it`);
    }
    console.warn(`gunicorn-live: warning: the hub listens on ${host}, reachable from other machines; anyone with the token can signal your servers`);
  }
  const token = flags.token ?? process.env.GUNICORN_LIVE_TOKEN ?? undefined;
  if (token !== undefined && !/^[\x21-\x7e]{16,256}$/.test(token)) {
    throw new CliError('the token must be 16–256 printable ASCII characters without spaces');
  }
  let durationBounds: number[];
  try {
    durationBounds = durationBoundsFrom(process.env);
  } catch (err) {
    throw new CliError((err as Error).message);
  }
  return { host, port, token, durationBounds };
}

export function printHubLines(hub: Hub): void {
  console.log(`dashboard: ${hub.dashboardUrl}`);
  console.log(`metrics: ${hub.url}/metrics`);
}
