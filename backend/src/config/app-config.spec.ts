import { randomBytes } from 'node:crypto';
import { ConfigValidationError, loadConfig } from './app-config';

describe(loadConfig.name, () => {
  const production = { NODE_ENV: 'production', JWT_SECRET: randomBytes(36).toString('base64') };

  function problemsOf(env: NodeJS.ProcessEnv): string[] {
    try {
      loadConfig(env);
      return [];
    } catch (error) {
      return (error as ConfigValidationError).problems;
    }
  }

  it('requires ENCRYPTION_KEY in production', () => {
    expect(problemsOf(production)).toEqual([expect.stringMatching(/^ENCRYPTION_KEY: required when NODE_ENV=production/)]);
  });

  it('rejects a patterned JWT_SECRET in production', () => {
    const key = randomBytes(32).toString('base64');
    expect(problemsOf({ ...production, ENCRYPTION_KEY: key, JWT_SECRET: 'x'.repeat(40) })).toEqual([expect.stringMatching(/^JWT_SECRET: looks weak/)]);
    expect(problemsOf({ ...production, ENCRYPTION_KEY: key })).toEqual([]);
  });

  it('defaults to 15-minute access tokens and 7-day refresh tokens', () => {
    const config = loadConfig({});
    expect(config.auth.jwtExpiresIn).toBe('15m');
    expect(config.auth.refreshTokenTtlSeconds).toBe(7 * 86_400);
    expect(config.limits).toMatchObject({ loginMaxFailures: 5, sendRequestsPerMinute: 120, bodyLimit: '1mb', trustProxy: false });
  });

  it('decodes ENCRYPTION_KEY and ENCRYPTION_KEY_PREVIOUS', () => {
    const key = randomBytes(32);
    const previous = randomBytes(32);
    const config = loadConfig({ ...production, ENCRYPTION_KEY: key.toString('base64'), ENCRYPTION_KEY_PREVIOUS: previous.toString('hex') });

    expect(config.encryption.key).toEqual(key);
    expect(config.encryption.previousKey).toEqual(previous);
  });

  it('reports a weak key without showing it', () => {
    const weak = Buffer.alloc(32, 1).toString('hex');
    const problems = problemsOf({ ENCRYPTION_KEY: weak, ENCRYPTION_KEY_PREVIOUS: 'short' });

    expect(problems).toEqual([expect.stringMatching(/^ENCRYPTION_KEY: is not random enough/), expect.stringMatching(/^ENCRYPTION_KEY_PREVIOUS: must be 32 random bytes/)]);
    expect(problems.join('\n')).not.toContain(weak);
  });

  it('keeps credentials in files unless AUTH_STATE_STORE says otherwise', () => {
    expect(loadConfig({}).whatsapp.authStateStore).toBe('file');
    expect(loadConfig({ AUTH_STATE_STORE: 'database' }).whatsapp.authStateStore).toBe('database');
    expect(problemsOf({ AUTH_STATE_STORE: 'redis' })).toEqual([expect.stringMatching(/^AUTH_STATE_STORE: /)]);
  });
});
