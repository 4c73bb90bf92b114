// Runs a callback in a task of its own, as soon as the event loop gets to it: work split this way
// never makes one long task, and (unlike setTimeout) is not clamped to 4 ms once nested.
const queue: Array<() => void> = [];
const channel = new MessageChannel();
channel.port1.onmessage = () => queue.shift()?.();

export function nextTask(callback: () => void): void {
  queue.push(callback);
  channel.port2.postMessage(null);
}
