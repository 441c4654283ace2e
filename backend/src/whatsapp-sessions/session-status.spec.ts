import { backoffDelay, decideOnClose } from './session-status';

describe('decideOnClose', () => {
  it('restarts at once on 515', () => {
    expect(decideOnClose(515, 'Stream Errored (restart required)', true)).toEqual({ action: 'restart' });
  });

  it('deletes the credentials on 401', () => {
    expect(decideOnClose(401, 'Connection Failure', true)).toMatchObject({ action: 'stop', status: 'logged_out', deleteCredentials: true });
  });

  it('keeps the credentials on 440', () => {
    expect(decideOnClose(440, 'Stream Errored (conflict)', true)).toMatchObject({ action: 'stop', status: 'replaced', deleteCredentials: false });
  });

  it('tells QR expiry apart from a lost connection', () => {
    expect(decideOnClose(408, 'QR refs attempts ended', false)).toMatchObject({ action: 'stop', status: 'qr_expired' });
    expect(decideOnClose(408, 'Connection was lost', true)).toMatchObject({ action: 'retry' });
  });

  it.each([403, 411])('fails without retry on %i', (code) => {
    expect(decideOnClose(code, '', true)).toMatchObject({ action: 'stop', status: 'failed' });
  });

  it.each(['noise intermediate certificate signature invalid', 'noise certificate signature invalid', 'certification match failed', 'invalid noise leaf certificate'])(
    'stops on an untrusted certificate: %s',
    (message) => {
      expect(decideOnClose(400, message, true)).toMatchObject({ action: 'stop', status: 'failed', error: { code: 'UNTRUSTED_SERVER' } });
    },
  );

  it.each(['Failed to verify account signature', 'Invalid account signature'])('stops on a rejected pairing: %s', (message) => {
    expect(decideOnClose(500, message, false)).toMatchObject({ action: 'stop', status: 'failed', error: { code: 'PAIRING_REJECTED' } });
  });

  it.each([428, 503, 500, undefined])('retries on %p', (code) => {
    expect(decideOnClose(code, 'Connection Terminated', true)).toMatchObject({ action: 'retry' });
  });
});

describe('backoffDelay', () => {
  it('doubles from the base delay and stops at the cap', () => {
    const middle = () => 0.5;
    expect([1, 2, 3, 4, 7, 20].map((attempt) => backoffDelay(attempt, 1000, 60_000, middle))).toEqual([1000, 2000, 4000, 8000, 60_000, 60_000]);
  });

  it('stays within 20% jitter and under the cap', () => {
    expect(backoffDelay(3, 1000, 60_000, () => 0)).toBe(3200);
    expect(backoffDelay(3, 1000, 60_000, () => 1)).toBe(4800);
    expect(backoffDelay(10, 1000, 60_000, () => 1)).toBe(60_000);
  });
});
