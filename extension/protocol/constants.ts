// Values both ends of the protocols share, with no zod: the webview bundle imports these, and a value
// import of agent.ts or ui.ts would bring the validator along.

/** Signals the hub may ask a master to send itself; anything else is refused on both sides. */
export const ALLOWED_SIGNALS = ['HUP', 'USR1', 'USR2', 'TTIN', 'TTOU', 'QUIT', 'TERM'] as const;
export type AllowedSignal = (typeof ALLOWED_SIGNALS)[number];

/** 'SIGHUP' → 'HUP': Gunicorn's docs and the allow-list name signals without the prefix; Python's signal module and dashboards may use it. */
export function withoutSigPrefix(name: string): string {
  return name.replace(/^SIG/, '');
}

/** The allow-listed signal `name` means (with or without the SIG prefix), or null. */
export function allowedSignal(name: unknown): AllowedSignal | null {
  if (typeof name !== 'string') return null;
  const short = withoutSigPrefix(name);
  return (ALLOWED_SIGNALS as readonly string[]).includes(short) ? (short as AllowedSignal) : null;
}

/** WebSocket close codes the hub uses, towards agents (/ws/agent) and dashboards (/ws/ui) alike. */
export const CLOSE_CODES = {
  /** The hub is shutting down (RFC 6455 "going away"). */
  goingAway: 1001,
  /** The hello's major protocol version is not one this hub speaks. */
  unsupportedProtocol: 4002,
  /** A frame or message failed validation, or an agent's came before hello. */
  invalidFrame: 4003,
  /** Too many frames (messages) per second. */
  rateLimited: 4008,
} as const;

/** The longest window the dashboards offer, seconds: the hub keeps this much history and so does a dashboard. */
export const HISTORY_SECONDS = 60 * 60;
/** History points kept per server: an hour at intervals down to 0.25 s; faster agents get a shorter span,
 *  so memory stays bounded (an hour of 64 workers at 1 s is ~5 MiB; this cap allows four times that). */
export const MAX_HISTORY_POINTS = 4 * HISTORY_SECONDS;
/** History in the snapshot a dashboard gets on connect: enough for the default 5-minute window. */
export const SNAPSHOT_SECONDS = 5 * 60;

/** Stack frames of Python itself, installed packages and the agent's own launcher, as opposed to the app's
 *  (the dashboards fold them away; VS Code's Problems skip them to find the user's frame). */
export function isLibraryFile(file: string): boolean {
  return file === '' || file.startsWith('<') || /[\\/](site-packages|dist-packages)[\\/]/.test(file)
    || /[\\/]lib[\\/]python\d(\.\d+)?[\\/]/.test(file) || /[\\/]server-agent[\\/](launcher|gunicorn_live)[\\/]/.test(file);
}
