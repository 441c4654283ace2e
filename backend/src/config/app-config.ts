import { plainToInstance, Transform } from 'class-transformer';
import {
  IsBoolean,
  IsEmail,
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  Matches,
  Max,
  Min,
  MinLength,
  validateSync,
} from 'class-validator';
import { decodeEncryptionKey } from '../common/encryption-keyring';
import { resolveFromRoot } from '../common/repo-paths';

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];
export type WhatsAppMode = 'live' | 'sandbox';
export type AuthStateStoreKind = 'file' | 'database';
export type MediaStorageKind = 'local' | 's3';

/** Types WhatsApp clients send and play, plus WAV and WebM audio that browsers record and play. */
export const DEFAULT_MEDIA_MIME_TYPES = [
  'image/jpeg',
  'image/png',
  'image/webp',
  'image/gif',
  'video/mp4',
  'video/3gpp',
  'video/quicktime',
  'audio/ogg',
  'audio/mpeg',
  'audio/mp4',
  'audio/aac',
  'audio/amr',
  'audio/wav',
  'audio/webm',
  'application/pdf',
  'application/zip',
  'application/msword',
  'application/vnd.ms-excel',
  'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
  'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  'application/vnd.openxmlformats-officedocument.presentationml.presentation',
  'text/plain',
  'text/csv',
];

const toInt = ({ value }: { value: unknown }) => (value === undefined || value === '' ? undefined : Number(value));
const toBool = ({ value }: { value: unknown }) => {
  if (value === undefined || value === '') return undefined;
  if (value === 'true' || value === '1' || value === true) return true;
  if (value === 'false' || value === '0' || value === false) return false;
  return value;
};
const emptyToUndefined = ({ value }: { value: unknown }) => (value === '' ? undefined : value);

/** Raw environment variables, one property each; `.env.example` documents every one. */
class EnvironmentVariables {
  @IsOptional() @IsIn(['development', 'production', 'test'])
  NODE_ENV?: string;

  @Transform(toInt) @IsOptional() @IsInt() @Min(0) @Max(65535)
  PORT?: number;

  @Transform(emptyToUndefined) @IsOptional() @IsString()
  HOST?: string;

  @Transform(emptyToUndefined) @IsOptional() @Matches(/^postgres(ql)?:\/\//, { message: 'DATABASE_URL must be a postgres:// or postgresql:// URL' })
  DATABASE_URL?: string;

  @Transform(toInt) @IsOptional() @IsInt() @Min(1024) @Max(65535)
  EMBEDDED_POSTGRES_PORT?: number;

  @Transform(emptyToUndefined) @IsOptional() @IsString()
  DATA_DIR?: string;

  @Transform(emptyToUndefined) @IsOptional() @IsString()
  AUTH_SESSIONS_DIR?: string;

  @Transform(emptyToUndefined) @IsOptional() @IsString() @MinLength(32, { message: 'JWT_SECRET must be at least 32 characters long' })
  JWT_SECRET?: string;

  @Transform(emptyToUndefined) @IsOptional() @IsString()
  ENCRYPTION_KEY?: string;

  @Transform(emptyToUndefined) @IsOptional() @IsString()
  ENCRYPTION_KEY_PREVIOUS?: string;

  @Transform(emptyToUndefined) @IsOptional() @IsIn(['file', 'database'])
  AUTH_STATE_STORE?: AuthStateStoreKind;

  @Transform(emptyToUndefined) @IsOptional() @Matches(/^\d+[smhd]$/, { message: 'JWT_EXPIRES_IN must look like 15m, 12h or 7d' })
  JWT_EXPIRES_IN?: string;

  @Transform(emptyToUndefined) @IsOptional() @Matches(/^\d+[smhd]$/, { message: 'REFRESH_TOKEN_EXPIRES_IN must look like 12h, 7d or 30d' })
  REFRESH_TOKEN_EXPIRES_IN?: string;

  @Transform(toInt) @IsOptional() @IsInt() @Min(1)
  LOGIN_MAX_FAILURES?: number;

  @Transform(toInt) @IsOptional() @IsInt() @Min(1)
  LOGIN_MAX_FAILURES_PER_ADDRESS?: number;

  @Transform(emptyToUndefined) @IsOptional() @Matches(/^\d+[smhd]$/, { message: 'LOGIN_LOCKOUT must look like 30s, 15m or 1h' })
  LOGIN_LOCKOUT?: string;

  @Transform(toInt) @IsOptional() @IsInt() @Min(1)
  LOGIN_RATE_LIMIT?: number;

  @Transform(toInt) @IsOptional() @IsInt() @Min(1)
  SEND_RATE_LIMIT?: number;

  @Transform(emptyToUndefined) @IsOptional() @Matches(/^\d+(kb|mb)$/, { message: 'BODY_LIMIT must look like 512kb or 1mb' })
  BODY_LIMIT?: string;

  @Transform(emptyToUndefined) @IsOptional() @IsString()
  TRUST_PROXY?: string;

  @Transform(emptyToUndefined) @IsOptional() @IsEmail({ require_tld: false })
  ADMIN_EMAIL?: string;

  @Transform(emptyToUndefined) @IsOptional() @IsString() @MinLength(8, { message: 'ADMIN_PASSWORD must be at least 8 characters long' })
  ADMIN_PASSWORD?: string;

  @Transform(emptyToUndefined) @IsOptional() @IsString()
  ADMIN_NAME?: string;

  @Transform(emptyToUndefined) @IsOptional() @IsString()
  ADMIN_TENANT_NAME?: string;

  @Transform(emptyToUndefined) @IsOptional() @IsIn(['live', 'sandbox'])
  WHATSAPP_MODE?: WhatsAppMode;

  @Transform(emptyToUndefined) @IsOptional() @Matches(/^wss?:\/\//, { message: 'WHATSAPP_WS_URL must be a ws:// or wss:// URL' })
  WHATSAPP_WS_URL?: string;

  @Transform(emptyToUndefined) @IsOptional() @IsString() @MinLength(1)
  WHATSAPP_DEVICE_NAME?: string;

  @Transform(emptyToUndefined) @IsOptional() @Matches(/^https?:\/\//, { message: 'SIMULATOR_URL must be an http:// URL' })
  SIMULATOR_URL?: string;

  @Transform(toInt) @IsOptional() @IsInt() @Min(1000)
  QR_TIMEOUT_MS?: number;

  @Transform(toBool) @IsOptional() @IsBoolean()
  QR_TERMINAL?: boolean;

  @Transform(toBool) @IsOptional() @IsBoolean()
  WHATSAPP_VERIFY_SIGNATURES?: boolean;

  @Transform(toBool) @IsOptional() @IsBoolean()
  ALLOW_PRIVATE_NETWORK_URLS?: boolean;

  @Transform(toInt) @IsOptional() @IsInt() @Min(10)
  RECONNECT_BASE_DELAY_MS?: number;

  @Transform(toInt) @IsOptional() @IsInt() @Min(10)
  RECONNECT_MAX_DELAY_MS?: number;

  @Transform(toInt) @IsOptional() @IsInt() @Min(1)
  RECONNECT_MAX_ATTEMPTS?: number;

  @Transform(toInt) @IsOptional() @IsInt() @Min(0)
  OUTBOX_SESSION_GAP_MS?: number;

  @Transform(toInt) @IsOptional() @IsInt() @Min(0)
  OUTBOX_CHAT_GAP_MS?: number;

  @Transform(toInt) @IsOptional() @IsInt() @Min(0)
  OUTBOX_JITTER_MS?: number;

  @Transform(toInt) @IsOptional() @IsInt() @Min(1000)
  SYNC_WATCHDOG_MS?: number;

  @Transform(toInt) @IsOptional() @IsInt() @Min(500)
  WHATSAPP_KEEPALIVE_MS?: number;

  @Transform(toInt) @IsOptional() @IsInt() @Min(0)
  HISTORY_SYNC_DAYS?: number;

  @Transform(toInt) @IsOptional() @IsInt() @Min(500)
  LEASE_TTL_MS?: number;

  @Transform(toInt) @IsOptional() @IsInt() @Min(1) @Max(100)
  RESTORE_CONCURRENCY?: number;

  @Transform(emptyToUndefined) @IsOptional() @Matches(/^[A-Z]{2}$/, { message: 'DEFAULT_COUNTRY must be a two-letter ISO country code such as CO' })
  DEFAULT_COUNTRY?: string;

  @Transform(emptyToUndefined) @IsOptional() @IsIn(LOG_LEVELS as unknown as string[])
  LOG_LEVEL?: LogLevel;

  @Transform(emptyToUndefined) @IsOptional() @IsIn(LOG_LEVELS as unknown as string[])
  BAILEYS_LOG_LEVEL?: LogLevel;

  @Transform(emptyToUndefined) @IsOptional() @IsString()
  CORS_ORIGINS?: string;

  @Transform(emptyToUndefined) @IsOptional() @IsIn(['local', 's3'])
  MEDIA_STORAGE?: MediaStorageKind;

  @Transform(toInt) @IsOptional() @IsInt() @Min(1024) @Max(2 * 1024 * 1024 * 1024)
  MEDIA_MAX_BYTES?: number;

  @Transform(emptyToUndefined) @IsOptional() @Matches(/^[\w.+-]+\/[\w.+-]+(\s*,\s*[\w.+-]+\/[\w.+-]+)*$/, { message: 'MEDIA_ALLOWED_MIME_TYPES must be a comma-separated list such as image/jpeg,application/pdf' })
  MEDIA_ALLOWED_MIME_TYPES?: string;

  @Transform(toInt) @IsOptional() @IsInt() @Min(10) @Max(86_400)
  MEDIA_URL_TTL_SECONDS?: number;

  @Transform(toInt) @IsOptional() @IsInt() @Min(1000)
  MEDIA_FETCH_TIMEOUT_MS?: number;

  @Transform(emptyToUndefined) @IsOptional() @IsString()
  MEDIA_S3_BUCKET?: string;

  @Transform(emptyToUndefined) @IsOptional() @Matches(/^https?:\/\//, { message: 'MEDIA_S3_ENDPOINT must be an http:// or https:// URL' })
  MEDIA_S3_ENDPOINT?: string;

  @Transform(emptyToUndefined) @IsOptional() @IsString()
  MEDIA_S3_REGION?: string;

  @Transform(emptyToUndefined) @IsOptional() @IsString()
  MEDIA_S3_ACCESS_KEY_ID?: string;

  @Transform(emptyToUndefined) @IsOptional() @IsString()
  MEDIA_S3_SECRET_ACCESS_KEY?: string;

  @Transform(toBool) @IsOptional() @IsBoolean()
  MEDIA_S3_FORCE_PATH_STYLE?: boolean;

  @Transform(toInt) @IsOptional() @IsInt() @Min(50)
  HOOK_POLL_INTERVAL_MS?: number;

  @Transform(toInt) @IsOptional() @IsInt() @Min(10)
  HOOK_RETRY_BASE_DELAY_MS?: number;

  @Transform(toInt) @IsOptional() @IsInt() @Min(1) @Max(20)
  HOOK_MAX_ATTEMPTS?: number;

  @Transform(toInt) @IsOptional() @IsInt() @Min(10)
  WEBHOOK_RETRY_BASE_DELAY_MS?: number;

  @Transform(toInt) @IsOptional() @IsInt() @Min(1) @Max(20)
  WEBHOOK_MAX_ATTEMPTS?: number;

  @Transform(toInt) @IsOptional() @IsInt() @Min(100)
  WEBHOOK_TIMEOUT_MS?: number;
}

/** Typed, validated configuration; the only place that reads `process.env`. */
export interface AppConfig {
  env: 'development' | 'production' | 'test';
  http: { host: string; port: number; corsOrigins: string[] };
  paths: { dataDir: string; authSessionsDir: string };
  database: { url?: string; embeddedPort: number };
  auth: {
    jwtSecret?: string;
    /** Lifetime of an access token, such as `15m`. */
    jwtExpiresIn: string;
    /** Lifetime of each refresh token; every refresh issues a new one with a full lifetime. */
    refreshTokenTtlSeconds: number;
  };
  /** Abuse limits of the HTTP API. */
  limits: {
    /** Failed logins of one account, and of one client address, before logins from it are refused for `loginLockoutSeconds`. */
    loginMaxFailures: number;
    loginMaxFailuresPerAddress: number;
    loginLockoutSeconds: number;
    /** Login requests per minute from one client address, failed or not. */
    loginRequestsPerMinute: number;
    /** Messages one tenant may send per minute through the REST send routes. */
    sendRequestsPerMinute: number;
    /** Maximum size of a JSON or form request body, such as `1mb`. */
    bodyLimit: string;
    /** Express `trust proxy` setting, so client addresses come from X-Forwarded-For behind a reverse proxy. */
    trustProxy: boolean | number | string;
  };
  /** Root keys for data encrypted at rest. `key` seals new values and `previousKey` still opens older ones. */
  encryption: { key?: Buffer; previousKey?: Buffer };
  admin: { email: string; password?: string; name: string; tenantName: string };
  whatsapp: {
    mode: WhatsAppMode;
    /** Storage of Baileys credentials and Signal keys: files under `paths.authSessionsDir`, or encrypted database rows. */
    authStateStore: AuthStateStoreKind;
    wsUrl?: string;
    deviceName: string;
    simulatorUrl?: string;
    qrTimeoutMs?: number;
    printQrInTerminal: boolean;
    /** Checks the server's certificate chain and the phone's account signature (docs/security.md). */
    verifySignatures: boolean;
    reconnect: { baseDelayMs: number; maxDelayMs: number; maxAttempts: number };
    /** How long a connected session may go without finishing its initial sync before the watchdog acts. */
    syncWatchdogMs: number;
    /** History older than this many days is not stored after a link (0 stores none). */
    historySyncDays: number;
    /** Interval of the keep-alive pings. Baileys treats a connection as lost when no frame arrives for this long plus 5 s. */
    keepAliveMs: number;
  };
  outbox: { sessionGapMs: number; chatGapMs: number; jitterMs: number };
  cluster: { leaseTtlMs: number; restoreConcurrency: number };
  phone: { defaultCountry: string };
  logging: { level: LogLevel; baileysLevel: LogLevel };
  /** Every URL the app fetches or calls (media, webhooks, model servers) may reach private, loopback and link-local addresses. */
  allowPrivateNetworkUrls: boolean;
  media: {
    storage: MediaStorageKind;
    /** Largest file, in bytes, that is sent, fetched from a URL or downloaded from WhatsApp. */
    maxBytes: number;
    /** MIME types (without parameters) accepted in both directions. */
    allowedMimeTypes: string[];
    /** Lifetime of a signed media URL. */
    urlTtlSeconds: number;
    /** Time limit for fetching a file from a URL given with a send. */
    fetchTimeoutMs: number;
    s3?: { bucket: string; endpoint?: string; region: string; accessKeyId?: string; secretAccessKey?: string; forcePathStyle: boolean };
  };
  /** The worker that runs the automatic-reply hooks; a failed job waits `retryBaseDelayMs` doubled per attempt. */
  hooks: { pollIntervalMs: number; retryBaseDelayMs: number; maxAttempts: number };
  /** Outbound webhook deliveries: 5xx and timeouts are retried after `retryBaseDelayMs` doubled per attempt. */
  webhooks: { retryBaseDelayMs: number; maxAttempts: number; timeoutMs: number };
}

export class ConfigValidationError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n  - ${problems.join('\n  - ')}\nFix these environment variables (see .env.example) and start again.`);
    this.name = 'ConfigValidationError';
  }
}

/** Validates the environment once and maps it to `AppConfig`; lists every invalid variable in one error. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): AppConfig {
  const raw = plainToInstance(EnvironmentVariables, { ...env });
  const problems = validateSync(raw, { forbidUnknownValues: false }).flatMap((error) =>
    Object.values(error.constraints ?? {}).map((reason) => `${error.property}: ${reason} (got ${describeValue(error.property, error.value)})`),
  );

  const nodeEnv = (raw.NODE_ENV ?? 'development') as AppConfig['env'];
  const mode = raw.WHATSAPP_MODE ?? 'live';
  if (nodeEnv === 'production' && mode === 'sandbox') {
    problems.push('WHATSAPP_MODE: sandbox mode runs a simulated WhatsApp server and is refused when NODE_ENV=production');
  }
  if (nodeEnv === 'production' && !raw.JWT_SECRET) {
    problems.push('JWT_SECRET: required when NODE_ENV=production (at least 32 random characters)');
  }
  if (nodeEnv === 'production' && raw.JWT_SECRET && new Set(raw.JWT_SECRET).size < MIN_DISTINCT_SECRET_CHARACTERS) {
    problems.push(`JWT_SECRET: looks weak, with fewer than ${MIN_DISTINCT_SECRET_CHARACTERS} different characters; use random output such as \`openssl rand -base64 48\``);
  }
  const encryptionKey = decodeKeyVariable('ENCRYPTION_KEY', raw.ENCRYPTION_KEY, problems);
  const previousEncryptionKey = decodeKeyVariable('ENCRYPTION_KEY_PREVIOUS', raw.ENCRYPTION_KEY_PREVIOUS, problems);
  if (nodeEnv === 'production' && !raw.ENCRYPTION_KEY) {
    problems.push('ENCRYPTION_KEY: required when NODE_ENV=production (32 random bytes as base64 or hex, for example the output of `openssl rand -base64 32`)');
  }
  if ((raw.MEDIA_STORAGE ?? 'local') === 's3' && !raw.MEDIA_S3_BUCKET) {
    problems.push('MEDIA_S3_BUCKET: required when MEDIA_STORAGE=s3');
  }
  if (Boolean(raw.MEDIA_S3_ACCESS_KEY_ID) !== Boolean(raw.MEDIA_S3_SECRET_ACCESS_KEY)) {
    problems.push('MEDIA_S3_ACCESS_KEY_ID and MEDIA_S3_SECRET_ACCESS_KEY: set both, or neither to use the AWS SDK default credentials');
  }
  if (problems.length > 0) throw new ConfigValidationError(problems);

  return {
    env: nodeEnv,
    http: {
      host: raw.HOST ?? '0.0.0.0',
      port: raw.PORT ?? 3000,
      corsOrigins: (raw.CORS_ORIGINS ?? '').split(',').map((origin) => origin.trim()).filter(Boolean),
    },
    paths: {
      dataDir: resolveFromRoot(raw.DATA_DIR ?? '.data'),
      authSessionsDir: resolveFromRoot(raw.AUTH_SESSIONS_DIR ?? 'auth_sessions'),
    },
    database: { url: raw.DATABASE_URL, embeddedPort: raw.EMBEDDED_POSTGRES_PORT ?? 54329 },
    auth: {
      jwtSecret: raw.JWT_SECRET,
      jwtExpiresIn: raw.JWT_EXPIRES_IN ?? '15m',
      refreshTokenTtlSeconds: durationToSeconds(raw.REFRESH_TOKEN_EXPIRES_IN ?? '7d'),
    },
    limits: {
      loginMaxFailures: raw.LOGIN_MAX_FAILURES ?? 5,
      loginMaxFailuresPerAddress: raw.LOGIN_MAX_FAILURES_PER_ADDRESS ?? 20,
      loginLockoutSeconds: durationToSeconds(raw.LOGIN_LOCKOUT ?? '15m'),
      loginRequestsPerMinute: raw.LOGIN_RATE_LIMIT ?? 30,
      sendRequestsPerMinute: raw.SEND_RATE_LIMIT ?? 120,
      bodyLimit: raw.BODY_LIMIT ?? '1mb',
      trustProxy: parseTrustProxy(raw.TRUST_PROXY),
    },
    encryption: { key: encryptionKey, previousKey: previousEncryptionKey },
    admin: {
      email: (raw.ADMIN_EMAIL ?? 'admin@charla.local').toLowerCase(),
      password: raw.ADMIN_PASSWORD,
      name: raw.ADMIN_NAME ?? 'Administrador',
      tenantName: raw.ADMIN_TENANT_NAME ?? 'Mi negocio',
    },
    whatsapp: {
      mode,
      authStateStore: raw.AUTH_STATE_STORE ?? 'file',
      wsUrl: mode === 'live' ? raw.WHATSAPP_WS_URL : undefined,
      deviceName: raw.WHATSAPP_DEVICE_NAME ?? 'Charla',
      simulatorUrl: raw.SIMULATOR_URL,
      qrTimeoutMs: raw.QR_TIMEOUT_MS,
      printQrInTerminal: raw.QR_TERMINAL ?? true,
      verifySignatures: raw.WHATSAPP_VERIFY_SIGNATURES ?? true,
      reconnect: {
        baseDelayMs: raw.RECONNECT_BASE_DELAY_MS ?? 1000,
        maxDelayMs: raw.RECONNECT_MAX_DELAY_MS ?? 60000,
        maxAttempts: raw.RECONNECT_MAX_ATTEMPTS ?? 10,
      },
      syncWatchdogMs: raw.SYNC_WATCHDOG_MS ?? 60_000,
      keepAliveMs: raw.WHATSAPP_KEEPALIVE_MS ?? 30_000,
      historySyncDays: raw.HISTORY_SYNC_DAYS ?? 30,
    },
    outbox: {
      sessionGapMs: raw.OUTBOX_SESSION_GAP_MS ?? 1000,
      chatGapMs: raw.OUTBOX_CHAT_GAP_MS ?? 2500,
      jitterMs: raw.OUTBOX_JITTER_MS ?? 1000,
    },
    cluster: { leaseTtlMs: raw.LEASE_TTL_MS ?? 15_000, restoreConcurrency: raw.RESTORE_CONCURRENCY ?? 5 },
    phone: { defaultCountry: raw.DEFAULT_COUNTRY ?? 'CO' },
    logging: { level: raw.LOG_LEVEL ?? 'info', baileysLevel: raw.BAILEYS_LOG_LEVEL ?? 'warn' },
    allowPrivateNetworkUrls: raw.ALLOW_PRIVATE_NETWORK_URLS ?? false,
    media: {
      storage: raw.MEDIA_STORAGE ?? 'local',
      maxBytes: raw.MEDIA_MAX_BYTES ?? 16 * 1024 * 1024,
      allowedMimeTypes: raw.MEDIA_ALLOWED_MIME_TYPES ? raw.MEDIA_ALLOWED_MIME_TYPES.split(',').map((type) => type.trim().toLowerCase()) : DEFAULT_MEDIA_MIME_TYPES,
      urlTtlSeconds: raw.MEDIA_URL_TTL_SECONDS ?? 900,
      fetchTimeoutMs: raw.MEDIA_FETCH_TIMEOUT_MS ?? 15_000,
      s3: raw.MEDIA_S3_BUCKET
        ? {
            bucket: raw.MEDIA_S3_BUCKET,
            endpoint: raw.MEDIA_S3_ENDPOINT,
            region: raw.MEDIA_S3_REGION ?? 'us-east-1',
            accessKeyId: raw.MEDIA_S3_ACCESS_KEY_ID,
            secretAccessKey: raw.MEDIA_S3_SECRET_ACCESS_KEY,
            forcePathStyle: raw.MEDIA_S3_FORCE_PATH_STYLE ?? Boolean(raw.MEDIA_S3_ENDPOINT),
          }
        : undefined,
    },
    hooks: {
      pollIntervalMs: raw.HOOK_POLL_INTERVAL_MS ?? 1000,
      retryBaseDelayMs: raw.HOOK_RETRY_BASE_DELAY_MS ?? 5000,
      maxAttempts: raw.HOOK_MAX_ATTEMPTS ?? 4,
    },
    webhooks: {
      retryBaseDelayMs: raw.WEBHOOK_RETRY_BASE_DELAY_MS ?? 10_000,
      maxAttempts: raw.WEBHOOK_MAX_ATTEMPTS ?? 6,
      timeoutMs: raw.WEBHOOK_TIMEOUT_MS ?? 10_000,
    },
  };
}

// A random secret of 32 or more characters has far more; a typed pattern such as `aaaa…` or `1234…` has fewer.
const MIN_DISTINCT_SECRET_CHARACTERS = 10;

const DURATION_UNITS_IN_SECONDS: Record<string, number> = { s: 1, m: 60, h: 3_600, d: 86_400 };

/** Converts a validated duration such as `15m` or `7d` to seconds. */
export function durationToSeconds(duration: string): number {
  const unit = duration.slice(-1);
  return Number(duration.slice(0, -1)) * DURATION_UNITS_IN_SECONDS[unit];
}

/** Maps TRUST_PROXY to Express' setting: `true`, a number of proxy hops, or a list of trusted addresses. */
function parseTrustProxy(value: string | undefined): boolean | number | string {
  if (value === undefined || value === 'false') return false;
  if (value === 'true') return true;
  if (/^\d+$/.test(value)) return Number(value);
  return value;
}

const SECRET_VARIABLES = new Set(['JWT_SECRET', 'ENCRYPTION_KEY', 'ENCRYPTION_KEY_PREVIOUS', 'ADMIN_PASSWORD', 'DATABASE_URL', 'MEDIA_S3_SECRET_ACCESS_KEY']);

/** Decodes an optional key variable. An invalid value adds a problem that names the variable but not the value. */
function decodeKeyVariable(name: string, value: string | undefined, problems: string[]): Buffer | undefined {
  if (value === undefined) return undefined;
  try {
    return decodeEncryptionKey(value);
  } catch (error) {
    problems.push(`${name}: ${(error as Error).message}`);
    return undefined;
  }
}

function describeValue(name: string, value: unknown): string {
  if (SECRET_VARIABLES.has(name)) return 'a value that is not shown because it is secret';
  return JSON.stringify(value);
}
