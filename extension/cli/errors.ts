// A CliError is bad input or an unmet need: printed as one line, exit status 2, never a stack trace.
export class CliError extends Error {
  constructor(message: string, readonly exitCode = 2) {
    super(message);
  }
}

export function describeListenError(error: unknown, host: string, port: number): CliError {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  if (code === 'EADDRINUSE') return new CliError(`port ${port} on ${host} is already in use; pick another with --port (0 = any free port)`);
  if (code === 'EADDRNOTAVAIL') return new CliError(`cannot listen on ${host}: no such address on this machine`);
  if (code === 'EACCES') return new CliError(`not allowed to listen on ${host}:${port}`);
  return new CliError(`cannot start the hub on ${host}:${port}: ${(error as Error)?.message ?? String(error)}`);
}
