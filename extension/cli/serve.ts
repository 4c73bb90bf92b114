// `gunicorn-live serve`: the hub alone, for agents started elsewhere (another terminal, a container).
import { printHubLines, type HubFlags } from './hubOptions';
import { AGENT_DIR, AGENT_SHIM } from './paths';
import { startHubFromFlags } from './run';

export async function serve(flags: HubFlags): Promise<number> {
  const hub = await startHubFromFlags(flags);
  printHubLines(hub);
  console.log('Start Gunicorn elsewhere with this environment:');
  console.log(`GUNICORN_LIVE_URL=${hub.agentUrl}`);
  console.log(`GUNICORN_LIVE_TOKEN=${hub.token}`);
  console.log(`PYTHONPATH=${AGENT_DIR}`);
  console.log(`  gunicorn -c ${AGENT_SHIM} … (or call GunicornInstrumentor().instrument() in your gunicorn.conf.py)`);
  await new Promise<void>((resolve) => {
    for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.once(signal, () => resolve());
  });
  await hub.close();
  return 0;
}
