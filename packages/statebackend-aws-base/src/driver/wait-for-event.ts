/** A wake-up the driver's loop can be interrupted with (a failure, an earlier processing timer). */
export interface Wakeable {
  wake: (() => void) | undefined;
}

/** What woke the driver's loop. */
export type LoopEvent<R> =
  | { readonly kind: 'record'; readonly result: IteratorResult<R> }
  | { readonly kind: 'abort' }
  | { readonly kind: 'wake' };

/**
 * Waits for the next record, the abort signal, the deadline `wakeAt` (processing clock) or a
 * wake-up, whichever comes first. The record promise is not consumed when something else wins:
 * the caller keeps it and waits on it again.
 */
export function nextEvent<R>(
  next: Promise<IteratorResult<R>>,
  signal: AbortSignal | undefined,
  wakeAt: number | undefined,
  wakeable: Wakeable,
  now: () => number,
): Promise<LoopEvent<R>> {
  if (signal?.aborted === true) return Promise.resolve({ kind: 'abort' });
  return new Promise<LoopEvent<R>>((resolve, reject) => {
    let timer: ReturnType<typeof setTimeout> | undefined;
    let settled = false;
    const end = (): boolean => {
      if (settled) return false;
      settled = true;
      if (timer !== undefined) clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      wakeable.wake = undefined;
      return true;
    };
    const settle = (event: LoopEvent<R>): void => {
      if (end()) resolve(event);
    };
    const onAbort = (): void => settle({ kind: 'abort' });
    signal?.addEventListener('abort', onAbort, { once: true });
    wakeable.wake = () => settle({ kind: 'wake' });
    if (wakeAt !== undefined) {
      timer = setTimeout(() => settle({ kind: 'wake' }), Math.max(0, wakeAt - now()));
    }
    next.then(
      (result) => settle({ kind: 'record', result }),
      (error: unknown) => {
        if (end()) reject(error);
      },
    );
  });
}
