// A fixed-capacity FIFO: history stays bounded however long a server runs.
export class RingBuffer<T> {
  private readonly items: (T | undefined)[];
  private start = 0;
  private size = 0;

  constructor(readonly capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new RangeError(`capacity must be a positive integer, got ${capacity}`);
    this.items = new Array<T | undefined>(capacity);
  }

  get length(): number {
    return this.size;
  }

  push(item: T): void {
    const end = (this.start + this.size) % this.capacity;
    this.items[end] = item;
    if (this.size < this.capacity) this.size += 1;
    else this.start = (this.start + 1) % this.capacity;
  }

  /** Oldest first; `last` limits to the newest `last` items. */
  toArray(last = this.size): T[] {
    const n = Math.min(last, this.size);
    const out = new Array<T>(n);
    for (let i = 0; i < n; i++) out[i] = this.items[(this.start + this.size - n + i) % this.capacity] as T;
    return out;
  }

  newest(): T | undefined {
    return this.size === 0 ? undefined : this.items[(this.start + this.size - 1) % this.capacity];
  }
}
