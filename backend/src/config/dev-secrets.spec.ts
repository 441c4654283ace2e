import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from './app-config';
import { withDevelopmentSecrets } from './dev-secrets';

describe(withDevelopmentSecrets.name, () => {
  let dataDir: string;

  beforeEach(() => {
    dataDir = mkdtempSync(join(tmpdir(), 'charla-secrets-'));
  });

  afterEach(() => rmSync(dataDir, { recursive: true, force: true }));

  it('generates an encryption key once and reuses it', () => {
    const first = withDevelopmentSecrets(loadConfig({ DATA_DIR: dataDir }));
    const second = withDevelopmentSecrets(loadConfig({ DATA_DIR: dataDir }));

    expect(first.encryption.key).toHaveLength(32);
    expect(second.encryption.key).toEqual(first.encryption.key);
    expect(second.auth.jwtSecret).toBe(first.auth.jwtSecret);
    expect(statSync(join(dataDir, 'secrets.json')).mode & 0o777).toBe(0o600);
  });

  it('extends an older secrets file', () => {
    writeFileSync(join(dataDir, 'secrets.json'), JSON.stringify({ jwtSecret: 'kept-from-an-earlier-version-of-charla' }), { mode: 0o600 });

    const config = withDevelopmentSecrets(loadConfig({ DATA_DIR: dataDir }));

    expect(config.auth.jwtSecret).toBe('kept-from-an-earlier-version-of-charla');
    const stored = JSON.parse(readFileSync(join(dataDir, 'secrets.json'), 'utf8'));
    expect(stored).toEqual({ jwtSecret: 'kept-from-an-earlier-version-of-charla', encryptionKey: config.encryption.key!.toString('base64') });
  });

  it('prefers the environment and writes nothing then', () => {
    const key = randomBytes(32);
    const config = withDevelopmentSecrets(loadConfig({ DATA_DIR: dataDir, JWT_SECRET: 'y'.repeat(40), ENCRYPTION_KEY: key.toString('hex') }));

    expect(config.encryption.key).toEqual(key);
    expect(() => statSync(join(dataDir, 'secrets.json'))).toThrow();
  });
});
