// How numbers read on screen: one place, so the table, cards and chart axes agree.

const MiB = 1024 * 1024;

export function formatBytes(bytes: number | null | undefined): string {
  if (bytes === null || bytes === undefined) return '—';
  if (bytes >= 1024 * MiB) return `${(bytes / (1024 * MiB)).toFixed(2)} GiB`;
  if (bytes >= MiB) return `${(bytes / MiB).toFixed(1)} MiB`;
  if (bytes >= 1024) return `${(bytes / 1024).toFixed(0)} KiB`;
  return `${bytes} B`;
}

export function formatPercent(value: number | null | undefined): string {
  if (value === null || value === undefined) return '—';
  return `${value < 10 ? value.toFixed(1) : value.toFixed(0)} %`;
}

export function formatRate(perSecond: number | null | undefined): string {
  if (perSecond === null || perSecond === undefined) return '—';
  return perSecond < 10 ? perSecond.toFixed(1) : perSecond.toFixed(0);
}

/**
 * One formatter for all counts: toLocaleString builds a new one per call, which shows at 64 workers.
 * Made on first use, not as the bundle loads: the first Intl formatter loads locale data (~15 ms).
 */
let count: Intl.NumberFormat | undefined;

export function formatCount(n: number): string {
  count ??= new Intl.NumberFormat('en-US');
  return count.format(n);
}

/** A duration in seconds as "42 s", "3 min 5 s", "2 h 4 min". */
export function formatDuration(seconds: number): string {
  const s = Math.max(0, Math.floor(seconds));
  if (s < 60) return `${s} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min ${s % 60} s`;
  if (s < 86400) return `${Math.floor(s / 3600)} h ${Math.floor((s % 3600) / 60)} min`;
  return `${Math.floor(s / 86400)} d ${Math.floor((s % 86400) / 3600)} h`;
}

/** Clock time (24 h) of an epoch in milliseconds: the charts' x axis has no date adapter. */
export function formatClock(ms: number, withSeconds = true): string {
  const d = new Date(ms);
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${pad(d.getHours())}:${pad(d.getMinutes())}${withSeconds ? `:${pad(d.getSeconds())}` : ''}`;
}

/** A latency in seconds as "0.8 ms", "42 ms", "1.25 s". */
export function formatLatency(seconds: number | null | undefined): string {
  if (seconds === null || seconds === undefined) return '—';
  const ms = seconds * 1000;
  if (ms < 10) return `${ms.toFixed(1)} ms`;
  if (ms < 1000) return `${ms.toFixed(0)} ms`;
  return `${seconds.toFixed(seconds < 10 ? 2 : 1)} s`;
}

/** An exit as one short phrase: "timeout (SIGABRT)", "crash, exit code 3", "signal SIGKILL, out of memory". */
export function formatExit(exit: { reason: string; signal?: string; exitCode?: number; oom?: boolean }): string {
  const reason = exit.reason.replace('_', ' ');
  const parts = [exit.signal && exit.reason === 'signal' ? `${reason} ${exit.signal}` : reason];
  if (exit.oom) parts.push('out of memory');
  if (exit.signal && exit.reason !== 'signal') parts[0] += ` (${exit.signal})`;
  if (exit.exitCode !== undefined && exit.exitCode !== 0) parts.push(`exit code ${exit.exitCode}`);
  return parts.join(', ');
}

/** Exits that mean something went wrong, as opposed to one that was asked for. */
export function isBadExit(reason: string): boolean {
  return reason === 'timeout' || reason === 'crash' || reason === 'signal';
}
