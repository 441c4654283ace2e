/**
 * libsignal (used by Baileys) prints whole session records through `console.info`/`console.log`
 * when it opens, closes or replaces a Signal session. Those records hold ratchet private keys and
 * root keys, so they must never reach the app's output. This filter drops exactly those calls and
 * lets every other console call through.
 */
const SESSION_DUMP_PREFIXES = ['Opening session', 'Closing session', 'Removing old closed session', 'Closing open session', 'Session already', 'Migrating session'];
const FILTERED_METHODS = ['log', 'info', 'warn', 'error', 'debug'] as const;

let installed = false;

export function isSessionRecordDump(args: unknown[]): boolean {
  const [first] = args;
  if (typeof first === 'string' && SESSION_DUMP_PREFIXES.some((prefix) => first.startsWith(prefix))) return true;
  return args.some((arg) => typeof arg === 'object' && arg !== null && arg.constructor?.name === 'SessionEntry');
}

export function installLibsignalConsoleFilter(): void {
  if (installed) return;
  installed = true;

  for (const method of FILTERED_METHODS) {
    const original = console[method].bind(console);
    console[method] = (...args: unknown[]) => {
      if (isSessionRecordDump(args)) return;
      original(...args);
    };
  }
}
