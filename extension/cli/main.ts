// The gunicorn-live command line: parses with commander, runs one subcommand, and turns every
// failure into one line on stderr and a non-zero exit.
import { Command, CommanderError, Option } from 'commander';
import { demo, type DemoFlags } from './demo';
import { CliError } from './errors';
import type { HubFlags } from './hubOptions';
import { run, type RunFlags } from './run';
import { serve } from './serve';

declare const GUNICORN_LIVE_VERSION: string | undefined;

const RUN_EXAMPLES = `
Examples:
  gunicorn-live run -w 2 --bind 127.0.0.1:8000 app:app
  gunicorn-live run --port 9000 -c gunicorn.conf.py   hub on port 9000, Gunicorn with -c gunicorn.conf.py
  gunicorn-live run -- -h                             Gunicorn's own help

The first word that is not one of run's options above starts Gunicorn's arguments
(-- may mark it); everything from there on is passed to Gunicorn unchanged.`;

function hubFlags(command: Command): Command {
  return command
    .addOption(new Option('--host <address>', 'address the hub listens on').default('127.0.0.1'))
    .addOption(new Option('--port <number>', 'port the hub listens on (0 = any free port)').default('0'))
    .addOption(new Option('--token <token>', 'the token agents and dashboards must present (default: $GUNICORN_LIVE_TOKEN, else 128 random bits)'))
    .addOption(new Option('--allow-remote', 'allow a --host that other machines can reach'));
}

function program(): Command {
  const cli = new Command('gunicorn-live')
    .description('Live Gunicorn worker telemetry: a hub with a dashboard, /metrics and an API, and Gunicorn with the agent inside.')
    .version(typeof GUNICORN_LIVE_VERSION === 'string' ? GUNICORN_LIVE_VERSION : 'dev')
    .showSuggestionAfterError(true)
    // Options of gunicorn-live itself (--version) only before the subcommand: run passes the rest on.
    .enablePositionalOptions()
    .exitOverride()
    .configureOutput({ outputError: (text, write) => write(`gunicorn-live: ${text.replace(/^error: /, '')}`) });

  // Like npx/uvx: run's own options come first; from the first word that is not one of them, everything is
  // Gunicorn's — also -h and words that look like run's options. `--` ends run's options explicitly.
  const runCommand = hubFlags(cli.command('run'))
    .description("start the hub, then Gunicorn with the agent injected; everything after run's own options is Gunicorn's")
    .usage('[options] [--] <gunicorn arguments…>')
    .option('--python <path>', 'the Python that runs Gunicorn (default: python3, then /usr/bin/python3)')
    // run's own help flag, so that a -h after Gunicorn's arguments reaches Gunicorn instead.
    .helpOption(false)
    .addOption(new Option('-h, --help', 'display help for command'))
    .argument('[gunicorn arguments...]', 'passed to Gunicorn unchanged, e.g. -w 2 --bind 127.0.0.1:8000 app:app')
    .passThroughOptions()
    .allowUnknownOption()
    .addHelpText('after', RUN_EXAMPLES)
    .action(async (gunicornArgs: string[], flags: RunFlags & { help?: boolean }) => {
      if (flags.help) runCommand.help();
      finish(await run(flags, gunicornArgs));
    });

  hubFlags(cli.command('serve'))
    .description('start the hub alone and print the environment an agent started elsewhere needs')
    .action(async (flags: HubFlags) => finish(await serve(flags)));

  hubFlags(cli.command('demo'))
    .description('run a bundled demo app with the agent and built-in traffic, so every chart moves')
    .option('--python <path>', 'the Python that runs Gunicorn')
    .option('--workers <n>', 'Gunicorn workers', '2')
    .option('--minutes <n>', 'how long the built-in traffic runs', '30')
    .option('--no-traffic', 'do not send requests to the demo app')
    .action(async (flags: DemoFlags) => finish(await demo(flags)));
  return cli;
}

function finish(code: number): never {
  process.exit(code);
}

async function main(): Promise<void> {
  try {
    await program().parseAsync(process.argv);
  } catch (error) {
    if (error instanceof CommanderError) process.exit(error.exitCode === 0 ? 0 : 2);
    const message = error instanceof CliError ? error.message : `unexpected error: ${(error as Error)?.message ?? error}`;
    console.error(`gunicorn-live: ${message}`);
    process.exit(error instanceof CliError ? error.exitCode : 1);
  }
}

void main();
