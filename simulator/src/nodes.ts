// Small helpers over Baileys' BinaryNode shape, kept free of the ESM module so they stay synchronous.
import type { BinaryNode } from './baileys';

export const S_WHATSAPP_NET = '@s.whatsapp.net';

export function childNodes(node: BinaryNode | undefined): BinaryNode[] {
  return Array.isArray(node?.content) ? node.content : [];
}

export function child(node: BinaryNode | undefined, tag: string): BinaryNode | undefined {
  return childNodes(node).find(c => c.tag === tag);
}

export function children(node: BinaryNode | undefined, tag: string): BinaryNode[] {
  return childNodes(node).filter(c => c.tag === tag);
}

export function bytes(node: BinaryNode | undefined): Buffer | undefined {
  const content = node?.content;
  if (content instanceof Uint8Array) return Buffer.from(content);
  if (typeof content === 'string') return Buffer.from(content, 'utf8');
  return undefined;
}

export function childBytes(node: BinaryNode | undefined, tag: string): Buffer | undefined {
  return bytes(child(node, tag));
}

export function readUIntBE(buffer: Uint8Array | undefined): number | undefined {
  if (!buffer || buffer.length === 0 || buffer.length > 6) return undefined;
  return Buffer.from(buffer).readUIntBE(0, buffer.length);
}

export function uintBE(value: number, length: number): Buffer {
  const buffer = Buffer.alloc(length);
  buffer.writeUIntBE(value, 0, length);
  return buffer;
}

export const unixNow = (): string => String(Math.floor(Date.now() / 1000));

export function node(tag: string, attrs: Record<string, string | undefined> = {}, content?: BinaryNode[] | Uint8Array | string): BinaryNode {
  const clean: Record<string, string> = {};
  for (const [key, value] of Object.entries(attrs)) if (value !== undefined) clean[key] = value;
  return content === undefined ? { tag, attrs: clean } : { tag, attrs: clean, content };
}

/** Builds an iq result addressed the way the real server does (`from="@s.whatsapp.net"`). */
export function iqResult(request: BinaryNode, content?: BinaryNode[]): BinaryNode {
  return node('iq', { from: S_WHATSAPP_NET, type: 'result', id: request.attrs.id }, content);
}
