// A window's counted stacks as the files other tools read: collapsed stacks (Brendan Gregg's format, read
// by flamegraph.pl, speedscope, Grafana, inferno) and speedscope's JSON file format (a sampled profile).
import type { StackFrame } from '../../protocol/agent';
import type { ProfileCounts } from './profileStore';
import type { StackTable } from './stackTable';

/** `function (file:line)`; the separators of the format (';', and the newline) cannot appear inside a frame. */
export function collapsedFrame(frame: StackFrame): string {
  return `${frame.function} (${frame.file}:${frame.line})`.replace(/[;\r\n]/g, ',');
}

/** One line per stack, `outermost;…;innermost COUNT`, most samples first. */
export function collapsed(table: StackTable, counts: ProfileCounts): string {
  const lines = [...counts.stacks].sort((a, b) => b[1] - a[1] || a[0] - b[0])
    .map(([stack, n]) => `${table.stacks[stack].map((f) => collapsedFrame(table.frames[f])).join(';')} ${n}`);
  return lines.length ? `${lines.join('\n')}\n` : '';
}

export const SPEEDSCOPE_SCHEMA = 'https://www.speedscope.app/file-format-schema.json';

export interface SpeedscopeFile {
  $schema: typeof SPEEDSCOPE_SCHEMA;
  name: string;
  exporter: string;
  activeProfileIndex: 0;
  shared: { frames: { name: string; file: string; line: number }[] };
  profiles: {
    type: 'sampled';
    name: string;
    unit: 'seconds' | 'none';
    startValue: number;
    endValue: number;
    samples: number[][];
    weights: number[];
  }[];
}

/**
 * A sampled profile: each distinct stack once, weighted by its samples — in seconds when the sampling
 * rate is known (samples ÷ hz), else in samples. Only the frames the stacks use are listed.
 */
export function speedscope(table: StackTable, counts: ProfileCounts, hz: number | null, name: string, exporter: string): SpeedscopeFile {
  const index = new Map<number, number>();
  const frames: SpeedscopeFile['shared']['frames'] = [];
  const samples: number[][] = [];
  const weights: number[] = [];
  for (const [stack, n] of [...counts.stacks].sort((a, b) => b[1] - a[1] || a[0] - b[0])) {
    samples.push(table.stacks[stack].map((f) => {
      let i = index.get(f);
      if (i === undefined) {
        i = frames.length;
        index.set(f, i);
        const frame = table.frames[f];
        frames.push({ name: frame.function, file: frame.file, line: frame.line });
      }
      return i;
    }));
    weights.push(hz ? n / hz : n);
  }
  const endValue = weights.reduce((a, b) => a + b, 0);
  return {
    $schema: SPEEDSCOPE_SCHEMA, name, exporter, activeProfileIndex: 0, shared: { frames },
    profiles: [{ type: 'sampled', name, unit: hz ? 'seconds' : 'none', startValue: 0, endValue, samples, weights }],
  };
}
