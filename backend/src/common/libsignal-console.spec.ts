import { installLibsignalConsoleFilter, isSessionRecordDump } from './libsignal-console';

describe('libsignal console filter', () => {
  it('recognises session record dumps', () => {
    expect(isSessionRecordDump(['Opening session:', { currentRatchet: {} }])).toBe(true);
    expect(isSessionRecordDump(['Closing session:', {}])).toBe(true);
    expect(isSessionRecordDump(['Removing old closed session:', {}])).toBe(true);
    expect(isSessionRecordDump(['Server started on port', 3000])).toBe(false);
  });

  it('drops dumps and keeps other console output', () => {
    const written: unknown[][] = [];
    const spy = jest.spyOn(console, 'info').mockImplementation((...args: unknown[]) => void written.push(args));
    installLibsignalConsoleFilter();

    console.info('Opening session:', { rootKey: Buffer.from('secret-root-key') });
    console.info('an ordinary line');

    expect(written).toEqual([['an ordinary line']]);
    spy.mockRestore();
  });
});
