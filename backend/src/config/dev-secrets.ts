import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { AppConfig } from './app-config';

interface StoredSecrets {
  jwtSecret: string;
}

/**
 * Outside production, a missing JWT_SECRET is generated once and kept in `DATA_DIR/secrets.json`
 * (mode 0600), so tokens survive restarts without any default secret in the code.
 */
export function withDevelopmentSecrets(config: AppConfig): AppConfig {
  if (config.auth.jwtSecret) return config;
  if (config.env === 'production') throw new Error('JWT_SECRET must be set when NODE_ENV=production');

  const path = join(config.paths.dataDir, 'secrets.json');
  let secrets: StoredSecrets | undefined;
  if (existsSync(path)) secrets = JSON.parse(readFileSync(path, 'utf8')) as StoredSecrets;

  if (!secrets?.jwtSecret) {
    secrets = { jwtSecret: randomBytes(48).toString('base64url') };
    // The folder stays traversable (0755): embedded PostgreSQL runs as another user under it. The file is 0600.
    mkdirSync(config.paths.dataDir, { recursive: true });
    writeFileSync(path, JSON.stringify(secrets, null, 2), { mode: 0o600 });
  }

  return { ...config, auth: { ...config.auth, jwtSecret: secrets.jwtSecret } };
}
