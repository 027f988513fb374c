// What the daemon tells the world. One event type per thing that happened; every number behind a
// decision travels with it, so logs, metrics, hooks and the dashboard all read the same facts.

export type Level = 'debug' | 'info' | 'notice' | 'warning' | 'error';

export type EventName =
  | 'start'
  | 'report'
  | 'trigger'
  | 'select'
  | 'no-victim'
  | 'stand-down'
  | 'signal'
  | 'exit'
  | 'still-alive'
  | 'release'
  | 'recovered'
  | 'hook'
  | 'cooldown'
  | 'kernel-oom'
  | 'warning'
  | 'error'
  | 'stop';

export interface DaemonEvent {
  readonly event: EventName;
  readonly level: Level;
  /** One line for people. */
  readonly message: string;
  /** Every figure behind the event (pid, comm, signal, reason, rssBytes, availability...). */
  readonly fields?: Readonly<Record<string, unknown>>;
}

export type EventSink = (e: DaemonEvent) => void;

/** Fan one event out to several sinks (log, metrics, history); a failing sink never stops the others. */
export class EventBus {
  private readonly sinks: EventSink[] = [];
  subscribe(sink: EventSink): () => void {
    this.sinks.push(sink);
    return () => {
      const i = this.sinks.indexOf(sink);
      if (i >= 0) this.sinks.splice(i, 1);
    };
  }
  emit(e: DaemonEvent): void {
    for (const s of this.sinks) {
      try {
        s(e);
      } catch {
        // A broken sink (closed pipe, full disk) must not stop the kill path.
      }
    }
  }
}
