// Runs a callback in a task of its own, as soon as the event loop gets to it: work split this way
// never makes one long task, and (unlike setTimeout) is not clamped to 4 ms once nested.
const queue: Array<() => void> = [];
const channel = new MessageChannel();
channel.port1.onmessage = () => queue.shift()?.();

export function nextTask(callback: () => void): void {
  queue.push(callback);
  channel.port2.postMessage(null);
}

/**
 * Runs a callback in a task after the next frame, so that a big redraw split in two is also laid out
 * in two frames. A hidden page draws no frames: the timer then runs it anyway.
 */
export function afterFrame(callback: () => void): void {
  let done = false;
  const run = () => {
    if (done) return;
    done = true;
    callback();
  };
  requestAnimationFrame(() => nextTask(run));
  setTimeout(run, 200);
}
