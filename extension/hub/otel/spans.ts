// Spans from lifecycle events and request examples: `gunicorn.worker` lives from a worker's spawn to
// its exit; `gunicorn.request` is made only for the slow or failed requests the agent sampled.
import { SpanKind, SpanStatusCode, type Span, type Tracer } from '@opentelemetry/api';
import type { LifecycleEvent, SampleFrame } from '../../protocol/agent';

const ms = (seconds: number) => seconds * 1000;
/** Exits that mean something went wrong, so the span says ERROR. */
const FAILED_EXITS = new Set(['timeout', 'signal', 'crash']);

export class ServerSpans {
  private readonly workers = new Map<number, Span>();

  constructor(private readonly tracer: Tracer) {}

  onEvent(event: LifecycleEvent): void {
    if (event.type === 'worker_spawn') this.startWorker(event.pid, event.at);
    if (event.type !== 'worker_exit') return;
    const span = this.workers.get(event.pid) ?? this.startWorker(event.pid, event.at);
    span.addEvent('shutdown', {
      'gunicorn.exit.reason': event.reason,
      ...(event.signal ? { 'gunicorn.exit.signal': event.signal } : {}),
      ...(event.exitCode !== undefined ? { 'process.exit.code': event.exitCode } : {}),
    }, ms(event.at));
    if (FAILED_EXITS.has(event.reason)) span.setStatus({ code: SpanStatusCode.ERROR, message: `worker exit: ${event.reason}` });
    span.end(ms(event.at));
    this.workers.delete(event.pid);
  }

  onSample(frame: SampleFrame): void {
    // Workers that were running before the hub saw them get their span from their boot time.
    for (const w of frame.workers) if (!this.workers.has(w.pid)) this.startWorker(w.pid, w.bootedAt, w.age);
    for (const example of frame.examples ?? []) {
      const span = this.tracer.startSpan('gunicorn.request', {
        kind: SpanKind.SERVER,
        startTime: ms(example.at - example.duration),
        attributes: {
          'http.method': example.method, 'http.target': example.route, 'http.status_code': example.status, 'worker.pid': example.pid,
        },
      });
      if (example.exception) span.recordException({ name: 'exception', message: example.exception }, ms(example.at));
      if (example.exception || example.status >= 500) span.setStatus({ code: SpanStatusCode.ERROR });
      span.end(ms(example.at));
    }
  }

  /** The agent went away: close what is open, at that time. */
  endAll(at: number): void {
    for (const span of this.workers.values()) {
      span.addEvent('agent disconnected', {}, ms(at));
      span.end(ms(at));
    }
    this.workers.clear();
  }

  private startWorker(pid: number, at: number, age?: number): Span {
    const span = this.tracer.startSpan('gunicorn.worker', {
      startTime: ms(at),
      attributes: { 'worker.pid': pid, ...(age === undefined ? {} : { 'worker.id': age }) },
    });
    span.addEvent('start', {}, ms(at));
    this.workers.set(pid, span);
    return span;
  }
}
