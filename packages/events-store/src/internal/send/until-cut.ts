/** Waits for `promise` to settle, or until `cut` aborts, whichever comes first. */
export function untilCut(promise: Promise<unknown>, cut: AbortSignal): Promise<'done' | 'cut'> {
  if (cut.aborted) return Promise.resolve('cut');
  return new Promise((resolve) => {
    const onCut = () => resolve('cut');
    cut.addEventListener('abort', onCut, { once: true });
    const done = () => {
      cut.removeEventListener('abort', onCut);
      resolve('done');
    };
    promise.then(done, done);
  });
}
