// Baileys rc14 races every pre-key upload against a 30 s timer it never clears, and waits 20 s for
// the initial history sync after a first login. Neither matters to the running app, but both would
// keep jest alive after the last test, so timers of exactly those lengths do not hold the process.
const BAILEYS_LINGERING_TIMEOUTS_MS = new Set([20_000, 30_000]);
const originalSetTimeout = globalThis.setTimeout;

globalThis.setTimeout = ((handler: (...args: unknown[]) => void, delay?: number, ...args: unknown[]) => {
  const timer = originalSetTimeout(handler, delay, ...args);
  if (delay !== undefined && BAILEYS_LINGERING_TIMEOUTS_MS.has(delay)) timer.unref?.();
  return timer;
}) as typeof setTimeout;

