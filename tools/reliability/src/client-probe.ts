// Counts what a client holds, through what core exposes internally (clientInternals(client), the
// object every pattern package calls): open gRPC streams, reconnect hooks, tracked (drainable)
// resources and pending whenReady waits. It wraps those methods on the one client instance; attach
// it before any pattern package uses the client.
import type { KubemqClient } from '@kubemq/core';
import { clientInternals, type ClientInternals, type StreamCall, type StreamObserver } from '@kubemq/core/internal';

export interface ClientCounts {
  /** Server-streaming and bidirectional calls opened and not yet ended or cancelled. */
  openStreams: number;
  /** Streams opened in total. */
  streamsOpened: number;
  /** onReconnect hooks registered and not unregistered. */
  reconnectHooks: number;
  /** track()ed resources not untracked. */
  tracked: number;
  /** whenReady() calls still waiting. */
  waitingForReady: number;
}

export interface ClientProbe {
  counts(): ClientCounts;
  /** Open streams per operation (e.g. `events.subscribe`). */
  openByOperation(): Record<string, number>;
}

export function probeClient(client: KubemqClient): ClientProbe {
  const internals = clientInternals(client) as ClientInternals & Record<string, unknown>;
  const counts: ClientCounts = { openStreams: 0, streamsOpened: 0, reconnectHooks: 0, tracked: 0, waitingForReady: 0 };
  const byOperation = new Map<string, number>();

  const serverStream = internals.serverStream.bind(internals);
  const bidiStream = internals.bidiStream.bind(internals);
  const onReconnect = internals.onReconnect.bind(internals);
  const track = internals.track.bind(internals);
  const whenReady = internals.whenReady.bind(internals);

  /** Counts a stream as open until its observer hears the end, or it is cancelled. */
  function counted<T>(operation: string, observer: StreamObserver<T>): { observer: StreamObserver<T>; ended: () => void } {
    counts.openStreams++;
    counts.streamsOpened++;
    byOperation.set(operation, (byOperation.get(operation) ?? 0) + 1);
    let open = true;
    const ended = () => {
      if (!open) return;
      open = false;
      counts.openStreams--;
      byOperation.set(operation, (byOperation.get(operation) ?? 1) - 1);
    };
    return {
      ended,
      observer: {
        next: (v) => observer.next(v),
        error: (e) => {
          ended();
          observer.error(e);
        },
        complete: () => {
          ended();
          observer.complete();
        },
      },
    };
  }

  const withCancel = <C extends StreamCall>(call: C, ended: () => void): C => {
    const cancel = call.cancel.bind(call);
    // BidiCall has getters (writable): keep the object, replace only cancel.
    Object.defineProperty(call, 'cancel', { value: () => (ended(), cancel()), configurable: true, writable: true });
    return call;
  };

  Object.assign(internals, {
    serverStream: (method: never, request: never, observer: StreamObserver<unknown>, ctx: { operation: string }) => {
      const c = counted(ctx.operation, observer);
      return withCancel(serverStream(method, request, c.observer, ctx), c.ended);
    },
    bidiStream: (method: never, observer: StreamObserver<unknown>, ctx: { operation: string }) => {
      const c = counted(ctx.operation, observer);
      return withCancel(bidiStream(method, c.observer, ctx), c.ended);
    },
    onReconnect: (listener: () => void) => {
      counts.reconnectHooks++;
      const off = onReconnect(listener);
      let on = true;
      return () => {
        if (on) counts.reconnectHooks--;
        on = false;
        return off();
      };
    },
    track: (resource: { drain(): Promise<void> }) => {
      counts.tracked++;
      const off = track(resource);
      let on = true;
      return () => {
        if (on) counts.tracked--;
        on = false;
        return off();
      };
    },
    whenReady: (signal?: AbortSignal) => {
      counts.waitingForReady++;
      const done = () => counts.waitingForReady--;
      const p = whenReady(signal);
      p.then(done, done);
      return p;
    },
  });

  return {
    counts: () => ({ ...counts }),
    openByOperation: () => Object.fromEntries([...byOperation].filter(([, n]) => n !== 0)),
  };
}

/** `process.getActiveResourcesInfo()` as counts per kind (Timeout, TCPSocketWrap, …). */
export function activeResources(): Record<string, number> {
  const out: Record<string, number> = {};
  for (const kind of process.getActiveResourcesInfo()) out[kind] = (out[kind] ?? 0) + 1;
  return out;
}

/**
 * The handles that stay: `activeResources()` sampled every `everyMs` for `windowMs`, each kind at its
 * lowest count. A leaked handle is there in every sample; a timer that a live consumer arms and
 * clears around each poll is not, so one unlucky snapshot cannot pass for a leak.
 */
export async function lastingResources(windowMs = 2000, everyMs = 25): Promise<Record<string, number>> {
  let lowest = activeResources();
  for (const end = Date.now() + windowMs; Date.now() < end; ) {
    await new Promise((resolve) => setTimeout(resolve, everyMs));
    const now = activeResources();
    lowest = Object.fromEntries(Object.entries(lowest).map(([kind, n]) => [kind, Math.min(n, now[kind] ?? 0)]));
  }
  return Object.fromEntries(Object.entries(lowest).filter(([, n]) => n > 0));
}
