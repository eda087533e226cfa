import { RoutingEngine } from '../domain/routing-engine';
import type { RoutingInput } from '../domain/routing-inputs';
import type { RoutingDecision } from '../domain/routing-decision.events';
import { queueStateOf, type QueueStateView } from '../domain/queue-state';

/** Where decisions go once made (the event store and outbox in production). */
export interface DecisionSink {
  record(decisions: readonly RoutingDecision[]): Promise<void>;
}

/**
 * The one in-process engine of this replica. Inputs are applied strictly one after another (the engine is
 * synchronous); decisions are handed to the sink in the order they were made.
 */
export class LiveRouter {
  readonly engine = new RoutingEngine();
  private readonly listeners = new Set<() => void>();
  private recording: Promise<void> = Promise.resolve();

  constructor(private readonly sink: DecisionSink, readonly clock: () => number) {}

  apply(input: RoutingInput): Promise<readonly RoutingDecision[]> {
    const decisions = this.engine.handle(input);
    this.listeners.forEach((l) => l());
    const recorded = this.recording.then(() => this.sink.record(decisions));
    this.recording = recorded.catch(() => undefined);
    return recorded.then(() => decisions);
  }

  queueState(queueId: string): QueueStateView {
    return queueStateOf(this.engine.book, queueId, this.clock());
  }

  knownQueueIds(): string[] {
    const ids = new Set<string>();
    for (const c of this.engine.book.calls.values()) ids.add(c.queueId);
    for (const a of this.engine.book.agents.values()) a.queueIds.forEach((q) => ids.add(q));
    return [...ids].sort();
  }

  onChange(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}
