import { EntityManager } from '@mikro-orm/postgresql';
import { HttpStatus, Inject, Injectable } from '@nestjs/common';
import { createHash, createHmac, hkdfSync, randomUUID, timingSafeEqual } from 'node:crypto';
import { AppError } from '../common/app-error';
import type { AppConfig } from '../config/app-config';
import { APP_CONFIG } from '../config/config.module';
import { MEDIA_STORAGE, mediaKey, type MediaStorage } from './media-storage';

/** A stored file as messages show it in `data.media`. */
export interface MediaInfo {
  id: string;
  mimeType: string;
  size: number;
  sha256: string;
  fileName?: string;
}

interface MediaRow {
  id: string;
  tenant_id: string;
  storage_key: string;
  mime_type: string;
  size: string;
  sha256: string;
  file_name: string | null;
}

export interface MediaFile {
  bytes: Buffer;
  mimeType: string;
  fileName: string | null;
}

const UUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function tooLarge(what: string, size: number | string, maxBytes: number): AppError {
  return new AppError(HttpStatus.PAYLOAD_TOO_LARGE, 'MEDIA_TOO_LARGE', `${what} has ${size} bytes; the limit is ${maxBytes} bytes (MEDIA_MAX_BYTES). Send a smaller file.`, { maxBytes });
}

/**
 * Stores media files per tenant and serves them through short-lived signed URLs. A URL's signature
 * is an HMAC over the tenant id, the media id and the expiry, under a key derived from
 * ENCRYPTION_KEY, so a URL opens exactly one file of one tenant until it expires.
 */
@Injectable()
export class MediaService {
  private readonly signingKey: Buffer;

  constructor(
    private readonly em: EntityManager,
    @Inject(MEDIA_STORAGE) private readonly storage: MediaStorage,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {
    const root = config.encryption.key ?? (config.auth.jwtSecret ? Buffer.from(config.auth.jwtSecret) : undefined);
    if (!root) throw new Error('Media URLs need ENCRYPTION_KEY (or JWT_SECRET) to sign with; neither is set.');
    this.signingKey = Buffer.from(hkdfSync('sha256', root, Buffer.alloc(0), 'charla media url signing v1', 32));
  }

  get maxBytes(): number {
    return this.config.media.maxBytes;
  }

  get allowedMimeTypes(): string[] {
    return this.config.media.allowedMimeTypes;
  }

  /** Stores a checked file for a tenant and returns what messages record about it. */
  async save(tenantId: string, bytes: Buffer, mimeType: string, fileName?: string | null): Promise<MediaInfo> {
    if (bytes.length > this.maxBytes) throw tooLarge('The file', bytes.length, this.maxBytes);
    const id = randomUUID();
    const key = mediaKey(tenantId, id);
    const sha256 = createHash('sha256').update(bytes).digest('hex');
    await this.storage.put(key, bytes, mimeType);
    await this.em
      .fork()
      .getConnection()
      .execute('insert into media_files (id, tenant_id, storage_key, mime_type, size, sha256, file_name) values (?, ?, ?, ?, ?, ?, ?)', [
        id,
        tenantId,
        key,
        mimeType,
        bytes.length,
        sha256,
        fileName ?? null,
      ]);
    return { id, mimeType, size: bytes.length, sha256, ...(fileName ? { fileName } : {}) };
  }

  /** Reads a file of this tenant; 404 `MEDIA_NOT_FOUND` when the tenant has no such file. */
  async read(tenantId: string, mediaId: string): Promise<MediaFile> {
    const row = await this.findRow(mediaId);
    if (!row || row.tenant_id !== tenantId) throw AppError.notFound('MEDIA_NOT_FOUND', `Media ${mediaId.slice(0, 64)} was not found in your tenant.`);
    return this.load(row);
  }

  /** Returns a URL that opens this file without a token until it expires. */
  signedUrl(tenantId: string, mediaId: string, now = Date.now()): string {
    const expires = Math.floor(now / 1000) + this.config.media.urlTtlSeconds;
    return `/api/media/${mediaId}?expires=${expires}&signature=${this.sign(tenantId, mediaId, expires)}`;
  }

  /**
   * Opens a file from a signed URL. A signature that does not match this file and its tenant gets
   * 403 `MEDIA_SIGNATURE_INVALID`, unknown ids included, so a URL reveals nothing about other files.
   * A valid signature past its expiry gets 410 `MEDIA_URL_EXPIRED`.
   */
  async openSigned(mediaId: string, expires: string, signature: string, now = Date.now()): Promise<MediaFile & { expiresAt: number }> {
    const row = UUID_PATTERN.test(mediaId) ? await this.findRow(mediaId) : undefined;
    const expiresAt = /^\d{1,12}$/.test(expires) ? Number(expires) : NaN;
    if (!row || !Number.isFinite(expiresAt) || !this.matches(this.sign(row.tenant_id, row.id, expiresAt), signature)) {
      throw new AppError(HttpStatus.FORBIDDEN, 'MEDIA_SIGNATURE_INVALID', 'This media URL is not valid. Get a fresh URL from the message (data.media.url).');
    }
    if (expiresAt * 1000 < now) {
      throw AppError.gone('MEDIA_URL_EXPIRED', `This media URL expired at ${new Date(expiresAt * 1000).toISOString()}. Load the message again for a fresh URL.`);
    }
    return { ...(await this.load(row)), expiresAt };
  }

  /** Adds a signed `url` to a message's `data.media` when its file is stored. */
  withUrl<T extends { data: Record<string, unknown> | null }>(view: T, tenantId: string): T {
    const media = view.data?.media as (MediaInfo & { status?: string; url?: string }) | undefined;
    if (!media?.id || (media.status && media.status !== 'stored')) return view;
    return { ...view, data: { ...view.data, media: { ...media, url: this.signedUrl(tenantId, media.id) } } };
  }

  private sign(tenantId: string, mediaId: string, expires: number): string {
    return createHmac('sha256', this.signingKey).update(`${tenantId}\n${mediaId}\n${expires}`).digest('base64url');
  }

  private matches(expected: string, given: string): boolean {
    const a = Buffer.from(expected);
    const b = Buffer.from(given);
    return a.length === b.length && timingSafeEqual(a, b);
  }

  private async findRow(mediaId: string): Promise<MediaRow | undefined> {
    if (!UUID_PATTERN.test(mediaId)) return undefined;
    const [row] = await this.em
      .fork()
      .getConnection()
      .execute<MediaRow[]>('select id, tenant_id, storage_key, mime_type, size, sha256, file_name from media_files where id = ?', [mediaId]);
    return row;
  }

  private async load(row: MediaRow): Promise<MediaFile> {
    const bytes = await this.storage.get(row.storage_key);
    if (!bytes) throw AppError.notFound('MEDIA_FILE_MISSING', `The file of media ${row.id} is missing from the media storage (${this.storage.kind}). It may have been deleted there.`);
    return { bytes, mimeType: row.mime_type, fileName: row.file_name };
  }
}
