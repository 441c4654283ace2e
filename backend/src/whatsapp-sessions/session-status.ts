import type { SessionError, SessionStatus } from './whatsapp-session.entity';

/** Statuses in which a session has or is opening a socket; `connect` is a no-op in these. */
export const ACTIVE_STATUSES: ReadonlySet<SessionStatus> = new Set(['connecting', 'qr', 'connected', 'reconnecting']);

/** Baileys `DisconnectReason` codes (Baileys 7 `Types/index.ts`). */
export const DisconnectCode = {
  connectionClosed: 428,
  connectionLost: 408,
  connectionReplaced: 440,
  loggedOut: 401,
  badSession: 500,
  restartRequired: 515,
  multideviceMismatch: 411,
  forbidden: 403,
  unavailableService: 503,
} as const;

export type CloseDecision =
  | { action: 'restart' }
  | { action: 'retry'; error: SessionErrorCode }
  | { action: 'stop'; status: SessionStatus; error: SessionErrorCode; deleteCredentials: boolean };

export interface SessionErrorCode {
  code: string;
  message: string;
}

/**
 * Baileys 7.0.0-rc14's error messages when the server's Noise certificate chain fails a check
 * (`Utils/noise-handler.js`: missing parts, a bad leaf or intermediate signature, a wrong issuer serial).
 */
const UNTRUSTED_CERTIFICATE_MESSAGE = /noise (leaf |intermediate )?certificate|certification match failed/i;

/**
 * Baileys 7.0.0-rc14's error messages when pair-success fails its HMAC check ("Invalid account
 * signature") or the phone's account signature check (`Utils/validate-connection.js`).
 */
const FORGED_PAIRING_MESSAGE = /invalid account signature|failed to verify account signature/i;

/**
 * Decides what a socket close means. 408 is both "connection lost" and "QR refs ended"; only the
 * message and the fact that no phone linked the device yet tell them apart.
 */
export function decideOnClose(statusCode: number | undefined, message: string, linked: boolean): CloseDecision {
  switch (statusCode) {
    case DisconnectCode.restartRequired:
      return { action: 'restart' };
    case DisconnectCode.loggedOut:
      return {
        action: 'stop',
        status: 'logged_out',
        deleteCredentials: true,
        error: { code: 'LOGGED_OUT', message: 'The linked device was removed from the phone. Connect again and scan a new QR code to link it.' },
      };
    case DisconnectCode.connectionReplaced:
      return {
        action: 'stop',
        status: 'replaced',
        deleteCredentials: false,
        error: { code: 'CONNECTION_REPLACED', message: 'Another client opened this WhatsApp session with the same credentials. Stop the other client, then connect again.' },
      };
    case DisconnectCode.forbidden:
      return {
        action: 'stop',
        status: 'failed',
        deleteCredentials: false,
        error: { code: 'FORBIDDEN', message: 'WhatsApp rejected this number (banned or blocked). Check the number in the WhatsApp app before connecting again.' },
      };
    case DisconnectCode.multideviceMismatch:
      return {
        action: 'stop',
        status: 'failed',
        deleteCredentials: false,
        error: { code: 'MULTIDEVICE_MISMATCH', message: 'WhatsApp asked this client to downgrade (multi-device mismatch). Disconnect and link the device again.' },
      };
    default:
      break;
  }

  // Neither failure goes away on a retry, because the other side is not the one this process trusts.
  if (UNTRUSTED_CERTIFICATE_MESSAGE.test(message)) {
    return {
      action: 'stop',
      status: 'failed',
      deleteCredentials: false,
      error: { code: 'UNTRUSTED_SERVER', message: `The WhatsApp server's certificate did not verify against the trusted root (${message}), so Charla did not connect. Check that nothing intercepts the connection to WhatsApp, then connect again.` },
    };
  }
  if (FORGED_PAIRING_MESSAGE.test(message)) {
    return {
      action: 'stop',
      status: 'failed',
      deleteCredentials: false,
      error: { code: 'PAIRING_REJECTED', message: `The phone's signature in the linking reply did not verify (${message}), so the device was not linked. Connect again and scan a new QR code.` },
    };
  }

  if (statusCode === DisconnectCode.connectionLost && !linked && /QR refs attempts ended/i.test(message)) {
    return {
      action: 'stop',
      status: 'qr_expired',
      deleteCredentials: false,
      error: { code: 'QR_EXPIRED', message: 'Nobody scanned the QR code in time. Connect again to get a new one.' },
    };
  }

  const code = statusCode === DisconnectCode.badSession ? 'BAD_SESSION' : 'CONNECTION_LOST';
  return { action: 'retry', error: { code, message: `The connection to WhatsApp closed (${statusCode ?? 'no code'}: ${message || 'no reason given'}).` } };
}

export function sessionError(error: SessionErrorCode): SessionError {
  return { ...error, at: new Date().toISOString() };
}

/** Exponential backoff with ±20% jitter, capped at `maxDelayMs`. */
export function backoffDelay(attempt: number, baseDelayMs: number, maxDelayMs: number, random = Math.random): number {
  const exponential = Math.min(maxDelayMs, baseDelayMs * 2 ** Math.max(0, attempt - 1));
  const jittered = exponential * (0.8 + 0.4 * random());
  return Math.round(Math.min(maxDelayMs, jittered));
}
