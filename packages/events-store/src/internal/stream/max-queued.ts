/** Unwritten events a send stream holds while (re)connecting, unless told otherwise. */
export const DEFAULT_MAX_QUEUED = 10_000;
