import { DeleteObjectCommand, GetObjectCommand, NoSuchKey, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { Logger } from '@nestjs/common';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { AppConfig } from '../config/app-config';
import { APP_CONFIG } from '../config/config.module';

/** Storage of media files. Keys are `<tenantId>/<mediaId>`, both UUIDs the app made, never names a user gave. */
export interface MediaStorage {
  readonly kind: 'local' | 's3';
  put(key: string, bytes: Buffer, mimeType: string): Promise<void>;
  /** Returns the file, or undefined when no file has that key. */
  get(key: string): Promise<Buffer | undefined>;
  delete(key: string): Promise<void>;
}

export const MEDIA_STORAGE = Symbol('MEDIA_STORAGE');

const UUID = '[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}';
const KEY_PATTERN = new RegExp(`^${UUID}/${UUID}$`);

export function mediaKey(tenantId: string, mediaId: string): string {
  const key = `${tenantId}/${mediaId}`;
  // A guard, so no caller can turn a key into a path outside the media folder.
  if (!KEY_PATTERN.test(key)) throw new Error(`Invalid media key ${key}: tenant and media ids must be UUIDs`);
  return key;
}

/** Files under `DATA_DIR/media/<tenantId>/<mediaId>`, folders 0700 and files 0600. */
export class LocalMediaStorage implements MediaStorage {
  readonly kind = 'local';

  constructor(private readonly root: string) {}

  async put(key: string, bytes: Buffer): Promise<void> {
    const path = this.pathOf(key);
    await mkdir(dirname(path), { recursive: true, mode: 0o700 });
    // Written under a temporary name and renamed, so a reader never sees half a file.
    const temporary = `${path}.${process.pid}.tmp`;
    await writeFile(temporary, bytes, { mode: 0o600 });
    await rename(temporary, path);
  }

  async get(key: string): Promise<Buffer | undefined> {
    try {
      return await readFile(this.pathOf(key));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw error;
    }
  }

  async delete(key: string): Promise<void> {
    await rm(this.pathOf(key), { force: true });
  }

  private pathOf(key: string): string {
    if (!KEY_PATTERN.test(key)) throw new Error(`Invalid media key ${key}`);
    return join(this.root, ...key.split('/'));
  }
}

/** Objects in an S3-compatible bucket, under the same keys, written with their content type. */
export class S3MediaStorage implements MediaStorage {
  readonly kind = 's3';

  constructor(
    private readonly client: S3Client,
    private readonly bucket: string,
  ) {}

  async put(key: string, bytes: Buffer, mimeType: string): Promise<void> {
    await this.client.send(new PutObjectCommand({ Bucket: this.bucket, Key: key, Body: bytes, ContentType: mimeType, ContentLength: bytes.length }));
  }

  async get(key: string): Promise<Buffer | undefined> {
    try {
      const object = await this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key: key }));
      return object.Body ? Buffer.from(await object.Body.transformToByteArray()) : Buffer.alloc(0);
    } catch (error) {
      if (error instanceof NoSuchKey || (error as { name?: string }).name === 'NoSuchKey') return undefined;
      throw error;
    }
  }

  async delete(key: string): Promise<void> {
    await this.client.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: key }));
  }
}

export function createMediaStorage(config: AppConfig): MediaStorage {
  const logger = new Logger('MediaStorage');
  if (config.media.storage === 's3') {
    const s3 = config.media.s3!;
    const client = new S3Client({
      region: s3.region,
      endpoint: s3.endpoint,
      forcePathStyle: s3.forcePathStyle,
      ...(s3.accessKeyId && s3.secretAccessKey ? { credentials: { accessKeyId: s3.accessKeyId, secretAccessKey: s3.secretAccessKey } } : {}),
    });
    logger.log({ bucket: s3.bucket, endpoint: s3.endpoint ?? 'AWS', region: s3.region }, 'Media files are stored in S3');
    return new S3MediaStorage(client, s3.bucket);
  }
  const root = join(config.paths.dataDir, 'media');
  logger.log({ root }, 'Media files are stored in a local folder');
  return new LocalMediaStorage(root);
}

export const mediaStorageProvider = { provide: MEDIA_STORAGE, inject: [APP_CONFIG], useFactory: createMediaStorage };
