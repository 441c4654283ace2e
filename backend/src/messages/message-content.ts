import type { proto } from '@whiskeysockets/baileys';

export interface ExtractedContent {
  type: string;
  content: string | null;
}

/** Wrappers WhatsApp puts around the real message; their inner `message` holds the content. */
const WRAPPER_KEYS = [
  'ephemeralMessage',
  'viewOnceMessage',
  'viewOnceMessageV2',
  'viewOnceMessageV2Extension',
  'documentWithCaptionMessage',
  'editedMessage',
  'deviceSentMessage',
] as const;

/** Keys that carry no conversation content and are never stored as a message. */
const SIGNALING_KEYS = new Set(['protocolMessage', 'senderKeyDistributionMessage', 'messageContextInfo', 'keepInChatMessage']);

export function unwrapMessage(message: proto.IMessage | null | undefined): proto.IMessage | undefined {
  let current = message ?? undefined;
  for (let depth = 0; current && depth < 5; depth += 1) {
    const wrapper = WRAPPER_KEYS.find((key) => (current as Record<string, { message?: proto.IMessage } | undefined>)[key]?.message);
    if (!wrapper) return current;
    current = (current as Record<string, { message?: proto.IMessage }>)[wrapper].message;
  }
  return current;
}

/**
 * Finds the type and text of a message through its wrappers. Returns undefined for signalling-only
 * messages (protocol or key distribution) that are not part of the conversation.
 */
export function extractContent(message: proto.IMessage | null | undefined): ExtractedContent | undefined {
  const inner = unwrapMessage(message);
  if (!inner) return { type: 'unknown', content: null };

  if (inner.conversation) return { type: 'text', content: inner.conversation };
  if (inner.extendedTextMessage?.text) return { type: 'text', content: inner.extendedTextMessage.text };

  const contentKeys = Object.keys(inner).filter((key) => (inner as Record<string, unknown>)[key] && !SIGNALING_KEYS.has(key));
  if (contentKeys.length === 0) return undefined;

  const [key] = contentKeys;
  const body = (inner as Record<string, { caption?: string | null; text?: string | null }>)[key];
  return { type: key.replace(/Message$/, '') || 'unknown', content: body?.caption ?? body?.text ?? null };
}
