// `gunicorn-live serve`: the hub alone, for agents started elsewhere (another terminal, a container).
import { printHubLines, type HubFlags } from './hubOptions';
import { AGENT_DIR, AGENT_SHIM } from './paths';
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
  console.log(`GUNICORN_LIVE_URL=${hub.agentUrl}`);
  console.log(`GUNICORN_LIVE_TOKEN=${hub.token}`);
  console.log(`PYTHONPATH=${AGENT_DIR}`);
  console.log(`  gunicorn -c ${AGENT_SHIM} … (or call GunicornInstrumentor().instrument() in your gunicorn.conf.py)`);
  await stopped;
  await hub.close();
  return 0;
}
