// Polls until `fn` gives a truthy value, which it returns, or `ms` pass (an error naming `what`): the
// tests' one way to wait for something a real process or socket does.
export type Truthy<T> = Exclude<T, false | null | undefined | 0 | ''>;

export async function until<T>(fn: () => T | Promise<T>, what: string, ms = 20_000, everyMs = 50): Promise<Truthy<T>> {
  const end = Date.now() + ms;
  for (;;) {
    const value = await fn();
    if (value) return value as Truthy<T>;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}
