// A server's code locations and stacks, each stored once: profile frames repeat the same frames and stacks
// every second from every worker, so slices hold small integer ids instead. Bounded: past the limits a
// new stack gets no id and its samples count as truncated.
import type { StackFrame } from '../../protocol/agent';

/** Distinct stacks one server may hold (5,000 is a busy app's hour; the excess is counted, not kept). */
export const MAX_STACKS = 50_000;
/** Distinct frames one server may hold. */
export const MAX_FRAMES = 100_000;

export class StackTable {
  readonly frames: StackFrame[] = [];
  /** Each stack as frame ids, outermost first. */
  readonly stacks: number[][] = [];
  private readonly frameIds = new Map<string, number>();
  private readonly stackIds = new Map<string, number>();

  constructor(private readonly maxStacks = MAX_STACKS, private readonly maxFrames = MAX_FRAMES) {}

  /** The id of a frame, or -1 when the table is full. */
  frameId(frame: StackFrame): number {
    const key = `${frame.function}\u0000${frame.file}\u0000${frame.line}`;
    let id = this.frameIds.get(key);
    if (id === undefined) {
      if (this.frames.length >= this.maxFrames) return -1;
      id = this.frames.length;
      this.frames.push({ file: frame.file, line: frame.line, function: frame.function });
      this.frameIds.set(key, id);
    }
    return id;
  }

  /** The id of a stack given as this table's frame ids (outermost first), or -1 when the table is full. */
  stackId(frameIds: readonly number[]): number {
    if (frameIds.includes(-1)) return -1;
    const key = frameIds.join(',');
    let id = this.stackIds.get(key);
    if (id === undefined) {
      if (this.stacks.length >= this.maxStacks) return -1;
      id = this.stacks.length;
      this.stacks.push([...frameIds]);
      this.stackIds.set(key, id);
    }
    return id;
  }
}
