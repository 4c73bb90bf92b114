// `gunicorn-live serve`: the hub alone, for agents started elsewhere (another terminal, a container).
import { agentEnvironment } from '../launch/agentEnv';
import { AGENT_SHIM } from '../launch/paths';
import { printHubLines, type HubFlags } from './hubOptions';
import { startHubFromFlags } from './run';

export async function serve(flags: HubFlags): Promise<number> {
  // Listen for stop signals before anything is printed: whoever reads the dashboard line may stop us
  // at once, and a signal with no handler yet would kill the process instead of closing the hub.
  const stopped = new Promise<void>((resolve) => {
    for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.once(signal, () => resolve());
  });
  const hub = await startHubFromFlags(flags);
  printHubLines(hub);
  console.log('Start Gunicorn elsewhere with this environment:');
  const env = agentEnvironment({ agentUrl: hub.agentUrl, token: hub.token });
  for (const name of ['GUNICORN_LIVE_URL', 'GUNICORN_LIVE_TOKEN', 'PYTHONPATH']) console.log(`${name}=${env[name]}`);
  console.log(`  gunicorn -c ${AGENT_SHIM} … (or call GunicornInstrumentor().instrument() in your gunicorn.conf.py)`);
  await stopped;
  await hub.close();
  return 0;
}
