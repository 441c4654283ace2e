// libsignal prints whole session records (private keys included) on every session change.
// Keep that out of the test output; everything else passes through.
const SECRET_PREFIXES = ['Opening session', 'Closing session', 'Removing old closed session', 'Closing open session', 'Session already closed'];

for (const method of ['info', 'log', 'warn'] as const) {
  const original = console[method].bind(console);
  console[method] = (...args: unknown[]) => {
    if (typeof args[0] === 'string' && SECRET_PREFIXES.some(prefix => (args[0] as string).startsWith(prefix))) return;
    original(...args);
  };
}

// Baileys rc14 races every pre-key upload against a 30 s timer it never clears
// (Socket/socket.js, UPLOAD_TIMEOUT), which would keep jest alive for 30 s after the last upload.
// Unref only timers of exactly that length; the simulator itself uses no 30 s timer.
const BAILEYS_UPLOAD_TIMEOUT_MS = 30_000;
const originalSetTimeout = globalThis.setTimeout;
globalThis.setTimeout = ((handler: (...args: unknown[]) => void, delay?: number, ...args: unknown[]) => {
  const timer = originalSetTimeout(handler, delay, ...args);
  if (delay === BAILEYS_UPLOAD_TIMEOUT_MS) timer.unref();
  return timer;
}) as typeof setTimeout;
