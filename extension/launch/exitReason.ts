// Gunicorn's own reason for exiting before it served, from what it wrote to stderr (a copy of it, see
// server-agent/gunicorn_live/stderr_copy.py): the line a developer would look for in its terminal.

/** `[2026-01-01 10:00:00 +0000] [123] [ERROR] message` */
const LOG_LINE = /^\[[^\]]+\] \[\d+\] \[([A-Z]+)\] (.*)$/;
/** The last line of a traceback: `ModuleNotFoundError: No module named 'x'`, `gunicorn.errors.HaltServer: …`. */
const EXCEPTION_LINE = /^(?:[A-Za-z_][\w]*\.)*[A-Za-z_]\w*(?:Error|Exception|Exit|Interrupt|Server)(?::\s.*)?$/;
/** Error lines that follow the one that matters. */
const FOLLOW_UPS = [/^Retrying in /, /^Can't connect to /, /^Exception in worker process$/, /^Worker \(pid:\d+\) exited/, /^Shutting down/];

export function exitReason(stderr: string): string | null {
  const lines = stderr.split(/\r?\n/).map((l) => l.trimEnd()).filter(Boolean);
  if (lines.length === 0) return null;
  const last = <T>(pick: (line: string) => T | null | undefined): T | null => {
    for (let i = lines.length - 1; i >= 0; i--) {
      const v = pick(lines[i]);
      if (v) return v;
    }
    return null;
  };
  const logged = (line: string) => LOG_LINE.exec(line);
  const inUse = lines.map((l) => logged(l)?.[2]).find((m) => m?.startsWith('Connection in use'));
  return (
    last((l) => (!logged(l) && EXCEPTION_LINE.test(l) ? l : null)) ??
    inUse ??
    // Gunicorn prints an app it cannot load as a bare line ("Failed to find attribute 'app' in 'app'.").
    last((l) => (!logged(l) && !/^\s/.test(l) && !l.startsWith('Traceback') ? l : null)) ??
    last((l) => {
      const m = logged(l);
      return m && (m[1] === 'ERROR' || m[1] === 'CRITICAL') && !FOLLOW_UPS.some((f) => f.test(m[2])) ? m[2] : null;
    }) ??
    last((l) => logged(l)?.[2].match(/^Reason: (.*)$/)?.[1]) ??
    lines[lines.length - 1]
  );
}
