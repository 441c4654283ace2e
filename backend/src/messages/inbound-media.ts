import type { proto, WAMessage } from '@whiskeysockets/baileys';
import { EntityManager } from '@mikro-orm/postgresql';
import { Injectable, Logger, OnModuleDestroy } from '@nestjs/common';
import { AppError } from '../common/app-error';
import { tenantParam } from '../common/tenant-context';
import { MediaService } from '../media/media.service';
import { baseMimeType, checkMediaType, type MediaMessageType } from '../media/mime-sniff';
import { RealtimeEvents } from '../realtime/realtime-events';
import { ConnectionManager } from '../whatsapp-sessions/connection-manager.service';
import { MediaExpiredError } from '../whatsapp-sessions/media-transfer';
import { toMessageView, type MessageRow } from './message.views';
import { MESSAGE_COLUMNS } from './messages.repository';
import { unwrapMessage } from './message-content';

/** The record of a message's file, kept in `data.media`. */
export interface MessageMedia {
  /** The stored file's id, once it is stored. */
  id?: string;
  mimeType: string;
  size: number | null;
  sha256?: string;
  fileName?: string;
  ptt?: boolean;
  /** `pending` while downloading, then `stored`, or `too_large`, `rejected`, `expired`, `failed` with a `reason`. */
  status: 'pending' | 'stored' | 'too_large' | 'rejected' | 'expired' | 'failed';
  reason?: string;
}

const MEDIA_FIELDS: Record<string, MediaMessageType> = {
  imageMessage: 'image',
  videoMessage: 'video',
  ptvMessage: 'video',
  audioMessage: 'audio',
  documentMessage: 'document',
  stickerMessage: 'sticker',
};

type MediaContent = proto.Message.IImageMessage & { fileName?: string | null; ptt?: boolean | null };

/** Finds the media content of a received message and its type, through WhatsApp's wrappers. */
export function findMediaContent(message: proto.IMessage | null | undefined): { type: MediaMessageType; media: MediaContent } | undefined {
  const inner = unwrapMessage(message) as Record<string, unknown> | undefined;
  if (!inner) return undefined;
  for (const [field, type] of Object.entries(MEDIA_FIELDS)) {
    const media = inner[field] as MediaContent | null | undefined;
    if (media) return { type, media };
  }
  return undefined;
}

/** Builds the `data.media` of a message whose file is still to be downloaded. */
export function pendingMedia(message: proto.IMessage | null | undefined): MessageMedia | undefined {
  const found = findMediaContent(message);
  if (!found) return undefined;
  const { media } = found;
  const size = media.fileLength === null || media.fileLength === undefined ? null : Number(media.fileLength);
  return {
    mimeType: media.mimetype ?? 'application/octet-stream',
    size,
    ...(media.fileName ? { fileName: media.fileName } : {}),
    ...(media.ptt ? { ptt: true } : {}),
    status: 'pending',
  };
}

/**
 * Downloads the files of received media messages after their rows are stored, so a slow or failed
 * download never delays or loses a message. Each outcome is written to `data.media` and announced
 * as `message.updated`: the stored file, or why there is none.
 */
@Injectable()
export class InboundMediaDownloader implements OnModuleDestroy {
  private readonly logger = new Logger(InboundMediaDownloader.name);
  private readonly inFlight = new Set<Promise<void>>();

  constructor(
    private readonly em: EntityManager,
    private readonly media: MediaService,
    private readonly connections: ConnectionManager,
    private readonly realtime: RealtimeEvents,
  ) {}

  start(tenantId: string, sessionId: string, row: MessageRow, message: WAMessage): void {
    const task = this.download(tenantId, sessionId, row, message).catch((error: Error) =>
      this.logger.error({ sessionId, messageId: row.id, err: error }, 'Failed to record the outcome of a media download'),
    );
    this.inFlight.add(task);
    void task.finally(() => this.inFlight.delete(task));
  }

  /** Resolves when every download started so far has finished. */
  async idle(): Promise<void> {
    await Promise.all([...this.inFlight]);
  }

  onModuleDestroy(): Promise<void> {
    return this.idle();
  }

  private async download(tenantId: string, sessionId: string, row: MessageRow, message: WAMessage): Promise<void> {
    const found = findMediaContent(message.message);
    const pending = pendingMedia(message.message);
    if (!found || !pending) return;
    const { maxBytes, allowedMimeTypes } = this.media;

    let outcome: MessageMedia;
    if (pending.size !== null && pending.size > maxBytes) {
      outcome = { ...pending, status: 'too_large', reason: `The file has ${pending.size} bytes; the limit is ${maxBytes} bytes (MEDIA_MAX_BYTES).` };
    } else if (!allowedMimeTypes.includes(baseMimeType(pending.mimeType))) {
      outcome = { ...pending, status: 'rejected', reason: `${baseMimeType(pending.mimeType)} is not an allowed type (MEDIA_ALLOWED_MIME_TYPES).` };
    } else {
      outcome = await this.fetchAndStore(tenantId, sessionId, row.id, found.type, pending, message);
    }

    const [updated] = await this.em
      .fork()
      .getConnection()
      .execute<MessageRow[]>(`update messages set data = jsonb_set(coalesce(data, '{}'::jsonb), '{media}', ?::jsonb), updated_at = now() where tenant_id = ? and id = ? returning ${MESSAGE_COLUMNS}`, [
        JSON.stringify(outcome),
        tenantParam(tenantId, 'Recording the outcome of a media download'),
        row.id,
      ]);
    if (!updated) return;
    if (outcome.status !== 'stored') this.logger.warn({ sessionId, messageId: row.id, status: outcome.status, reason: outcome.reason }, 'Stored a media message without its file');
    const view = this.media.withUrl(toMessageView(updated), tenantId);
    this.realtime.publish(tenantId, 'message.updated', { sessionId, conversationId: updated.conversation_id, id: updated.id, data: view.data });
  }

  private async fetchAndStore(tenantId: string, sessionId: string, messageId: string, type: MediaMessageType, pending: MessageMedia, message: WAMessage): Promise<MessageMedia> {
    let bytes: Buffer;
    try {
      bytes = await this.connections.downloadMedia(sessionId, message);
    } catch (error) {
      const expired = error instanceof MediaExpiredError;
      this.logger.warn({ sessionId, messageId, reason: (error as Error).message }, expired ? 'Media expired on WhatsApp' : 'Media download failed');
      return { ...pending, status: expired ? 'expired' : 'failed', reason: (error as Error).message };
    }
    if (bytes.length > this.media.maxBytes) {
      return { ...pending, size: bytes.length, status: 'too_large', reason: `The file has ${bytes.length} bytes; the limit is ${this.media.maxBytes} bytes (MEDIA_MAX_BYTES).` };
    }

    let mimeType: string;
    try {
      mimeType = checkMediaType({ bytes, messageType: type, declaredMimeType: pending.mimeType, allowedMimeTypes: this.media.allowedMimeTypes, source: 'the received file' });
    } catch (error) {
      if (!(error instanceof AppError)) throw error;
      return { ...pending, size: bytes.length, status: 'rejected', reason: error.message };
    }
    const stored = await this.media.save(tenantId, bytes, mimeType, pending.fileName);
    return { ...pending, ...stored, status: 'stored' };
  }
}
