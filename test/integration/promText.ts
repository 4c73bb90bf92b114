// Reading Prometheus text the way a scraper does, for the tests' exact checks.
export type Series = Array<[Record<string, string>, number]>;

/** name{labels} value lines of one metric, as [labels, value]. */
export function series(text: string, name: string): Series {
  const out: Series = [];
  // Label values may hold braces (route="/items/{id}"): match quoted strings whole.
  for (const m of text.matchAll(new RegExp(`^${name}\\{((?:[^"}]|"(?:[^"\\\\]|\\\\.)*")*)\\} (\\S+)$`, 'gm'))) {
    const labels = Object.fromEntries([...m[1].matchAll(/(\w+)="([^"]*)"/g)].map((l) => [l[1], l[2]]));
    out.push([labels, Number(m[2])]);
  }
  return out;
}

export const sum = (rows: Series) => rows.reduce((a, [, v]) => a + v, 0);
