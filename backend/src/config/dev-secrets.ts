import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { decodeEncryptionKey } from '../common/encryption-keyring';
import type { AppConfig } from './app-config';

interface StoredSecrets {
  jwtSecret?: string;
  /** Base64 of 32 random bytes. */
  encryptionKey?: string;
}

/**
 * Outside production, a missing JWT_SECRET or ENCRYPTION_KEY is generated once and kept in
 * `DATA_DIR/secrets.json` (mode 0600), so tokens and encrypted credentials survive restarts without
 * any default secret in the code. Losing that file makes data encrypted under its key unreadable.
 */
export function withDevelopmentSecrets(config: AppConfig): AppConfig {
  if (config.auth.jwtSecret && config.encryption.key) return config;
  if (config.env === 'production') throw new Error('JWT_SECRET and ENCRYPTION_KEY must be set when NODE_ENV=production');

  const secrets = readOrCreateSecrets(config);
  const encryptionKey = config.encryption.key ?? decodeStoredKey(secrets.encryptionKey!, config.paths.dataDir);
  return {
    ...config,
    auth: { ...config.auth, jwtSecret: config.auth.jwtSecret ?? secrets.jwtSecret },
    encryption: { ...config.encryption, key: encryptionKey },
  };
}

/** Reads `secrets.json` and adds the secrets that neither the environment nor the file has yet. */
function readOrCreateSecrets(config: AppConfig): StoredSecrets {
  const path = join(config.paths.dataDir, 'secrets.json');
  const stored: StoredSecrets = existsSync(path) ? (JSON.parse(readFileSync(path, 'utf8')) as StoredSecrets) : {};

  const secrets = { ...stored };
  if (!config.auth.jwtSecret) secrets.jwtSecret ??= randomBytes(48).toString('base64url');
  if (!config.encryption.key) secrets.encryptionKey ??= randomBytes(32).toString('base64');
  if (secrets.jwtSecret === stored.jwtSecret && secrets.encryptionKey === stored.encryptionKey) return secrets;

  // The folder stays traversable (0755): embedded PostgreSQL runs as another user under it. The file is 0600.
  mkdirSync(config.paths.dataDir, { recursive: true });
  // A new file replaces the old one in one rename, so a crash never leaves the stored key half written.
  const temporary = `${path}.${process.pid}.tmp`;
  writeFileSync(temporary, JSON.stringify(secrets, null, 2), { mode: 0o600 });
  renameSync(temporary, path);
  return secrets;
}

function decodeStoredKey(text: string, dataDir: string): Buffer {
  try {
    return decodeEncryptionKey(text);
  } catch (error) {
    throw new Error(`The encryptionKey in ${join(dataDir, 'secrets.json')} ${(error as Error).message}. Restore the file from a backup or set ENCRYPTION_KEY.`);
  }
}
