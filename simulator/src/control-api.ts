// HTTP JSON control API that plays the phones and the contacts: scan a QR or enter a pairing code,
// send a contact message, read a contact's inbox, mark it read, and inject faults. Plain node:http
// on the same port as the WebSocket.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { SimulatorCore } from './core';
import { InvalidPhoneError, LidInUseError, phoneDigits } from './directory';
import { applyFault, clearFaults, FaultError } from './faults';
import { parseHistoryContacts, sendHistory } from './history-sync';
import { enterPairingCode } from './link-code';
import { LinkError, scanQr } from './linking';
import { buildMediaMessage, isMediaType } from './contact-media';
import { buildContactMessage, MessageRequestError } from './contact-messages';
import { AccountNotLinkedError, linkedAccount, markContactRead, newMessageId, sendContactMessage, sentByContact, type Addressing } from './messaging';

const MAX_BODY_BYTES = 1024 * 1024;

class ApiError extends Error {
  constructor(
    readonly statusCode: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

export interface ControlContext {
  core: SimulatorCore;
  wsUrl: () => string;
  rootPublicKey: Uint8Array;
  mediaCaPem: string;
}

function sendJson(res: ServerResponse, statusCode: number, body: unknown): void {
  const data = JSON.stringify(body);
  res.writeHead(statusCode, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(data) });
  res.end(data);
}

async function readJson(req: IncomingMessage): Promise<Record<string, unknown>> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY_BYTES) throw new ApiError(413, 'BODY_TOO_LARGE', 'request body is too large');
    chunks.push(chunk as Buffer);
  }
  const text = Buffer.concat(chunks).toString('utf8').trim();
  if (!text) return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new ApiError(400, 'INVALID_JSON', 'request body is not valid JSON');
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new ApiError(400, 'INVALID_JSON', 'request body must be a JSON object');
  return parsed as Record<string, unknown>;
}

function phone(value: unknown, field: string): string {
  try {
    return phoneDigits(value);
  } catch (error) {
    if (error instanceof InvalidPhoneError) throw new ApiError(400, 'INVALID_PHONE', `${field}: ${error.message}`);
    throw error;
  }
}

/** A list of phone numbers, returned in E.164. */
function phoneList(value: unknown, field: string): string[] {
  if (!Array.isArray(value)) throw new ApiError(400, 'INVALID_REQUEST', `${field} must be a list of phone numbers`);
  return value.map(item => `+${phone(item, field)}`);
}

function optionalString(value: unknown, field: string): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') throw new ApiError(400, 'INVALID_REQUEST', `${field} must be a string`);
  return value.trim() || undefined;
}

export function createControlHandler(ctx: ControlContext) {
  const { core } = ctx;
  const routes = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const path = url.pathname.replace(/\/+$/, '');
    const method = req.method ?? 'GET';

    if (method === 'GET' && path === '/control/info') {
      return sendJson(res, 200, { wsUrl: ctx.wsUrl(), rootPublicKey: Buffer.from(ctx.rootPublicKey).toString('base64'), mediaCa: ctx.mediaCaPem });
    }
    if (method === 'POST' && path === '/control/scan') {
      const body = await readJson(req);
      if (typeof body.qr !== 'string' || !body.qr) throw new ApiError(400, 'INVALID_QR', 'qr must be the QR string the companion shows');
      const result = await scanQr(core, body.qr, phone(body.phoneNumber, 'phoneNumber'), optionalString(body.pushName, 'pushName'));
      return sendJson(res, 200, result);
    }
    if (method === 'POST' && path === '/control/messages') {
      const body = await readJson(req);
      const from = phone(body.from, 'from');
      const to = phone(body.to, 'to');
      if (from === to) throw new ApiError(400, 'INVALID_PHONE', 'from and to must be different numbers');
      const addressing = body.addressing ?? 'pn';
      if (addressing !== 'pn' && addressing !== 'lid' && addressing !== 'lid-without-pn') {
        throw new ApiError(400, 'INVALID_REQUEST', "addressing must be 'pn', 'lid' or 'lid-without-pn'");
      }
      const pushName = optionalString(body.pushName, 'pushName');
      const account = linkedAccount(core, to);
      const contact = core.directory.contact(from);
      // Quotes, reactions and votes name the account and the contact the way this message addresses them.
      const lid = addressing !== 'pn';
      const accountJid = lid ? `${account.lid}@lid` : `${account.phone}@s.whatsapp.net`;
      // Without a stored contact nothing can be referenced yet, so its PN is only a placeholder then.
      const contactJid = lid && contact ? `${contact.lid}@lid` : `${from}@s.whatsapp.net`;
      const stanza = { addressing: addressing as Addressing };
      if (isMediaType(body.type)) {
        if (body.replyTo !== undefined && body.replyTo !== null) throw new ApiError(400, 'INVALID_REQUEST', 'replyTo is not supported for media messages');
        const media = buildMediaMessage(core, body.type, body);
        const id = newMessageId();
        // Kept before the send, so a re-upload request that arrives at once finds the file.
        core.mediaSent.set(id, media.sent);
        const waMessageId = await sendContactMessage(core, { fromPhone: from, toPhone: to, message: media.message, pushName, stanza: { ...stanza, stanzaType: 'media' }, id });
        return sendJson(res, 201, { waMessageId });
      }
      const built = buildContactMessage(
        { wa: core.wa, contact, contactJid, account: account.phone, accountJid, voterJid: contactJid, creatorJidOf: e => (e.fromContact ? contactJid : accountJid) },
        body,
      );
      const waMessageId = await sendContactMessage(core, {
        fromPhone: from,
        toPhone: to,
        message: built.message,
        pushName,
        stanza: { ...stanza, stanzaType: built.stanzaType, edit: built.edit },
      });
      return sendJson(res, 201, { waMessageId });
    }
    if (method === 'POST' && path === '/control/contacts') {
      const body = await readJson(req);
      const digits = phone(body.phoneNumber, 'phoneNumber');
      if (typeof body.name !== 'string' || !body.name.trim()) throw new ApiError(400, 'INVALID_REQUEST', 'name must be a non-empty string');
      let lid: string | undefined;
      if (body.lid !== undefined && body.lid !== null) {
        lid = typeof body.lid === 'string' ? body.lid.replace(/@lid$/, '') : '';
        if (!/^[1-9]\d{5,19}$/.test(lid)) throw new ApiError(400, 'INVALID_LID', 'lid must be digits, optionally with @lid');
      }
      const contact = core.directory.upsertContact(digits, body.name.trim(), lid);
      return sendJson(res, 201, { phoneNumber: `+${contact.phone}`, name: contact.pushName, lid: contact.lid });
    }
    if (method === 'POST' && path === '/control/history') {
      const body = await readJson(req);
      const digits = phone(body.phoneNumber, 'phoneNumber');
      if (body.syncType !== undefined && body.syncType !== 'initial' && body.syncType !== 'full') {
        throw new ApiError(400, 'INVALID_REQUEST', "syncType must be 'initial' or 'full'");
      }
      const result = await sendHistory(core, digits, parseHistoryContacts(body.contacts), body.syncType === 'full');
      return sendJson(res, 201, { phoneNumber: `+${digits}`, ...result });
    }
    const inbox = /^\/control\/inbox\/([^/]+)$/.exec(path);
    if (method === 'GET' && inbox) {
      const contact = core.directory.contact(phone(decodeURIComponent(inbox[1]), 'phoneNumber'));
      return sendJson(res, 200, contact ? contact.inbox : []);
    }
    const media = /^\/control\/media\/([^/]+)$/.exec(path);
    if (method === 'GET' && media) {
      const waMessageId = decodeURIComponent(media[1]);
      const file = core.receivedFiles.get(waMessageId);
      const entry = Object.values(core.directory.state.contacts)
        .flatMap(contact => contact.inbox)
        .find(item => item.waMessageId === waMessageId);
      if (!file || !entry?.media) throw new ApiError(404, 'MEDIA_NOT_FOUND', `no decrypted file for message ${waMessageId} (files are kept in memory until the simulator stops)`);
      res.writeHead(200, { 'content-type': entry.media.mimeType, 'content-length': file.length });
      res.end(file);
      return;
    }
    const sent = /^\/control\/sent\/([^/]+)$/.exec(path);
    if (method === 'GET' && sent) {
      return sendJson(res, 200, sentByContact(core, phone(decodeURIComponent(sent[1]), 'phoneNumber')));
    }
    if (method === 'POST' && path === '/control/read') {
      const body = await readJson(req);
      const digits = phone(body.phoneNumber, 'phoneNumber');
      const from = body.from === undefined ? undefined : phoneList(body.from, 'from');
      return sendJson(res, 200, { phoneNumber: `+${digits}`, read: markContactRead(core, digits, from) });
    }
    if (method === 'POST' && path === '/control/faults') {
      return sendJson(res, 200, applyFault(core, await readJson(req)));
    }
    if (method === 'POST' && path === '/control/faults/clear') {
      return sendJson(res, 200, clearFaults(core, await readJson(req)));
    }
    if (method === 'POST' && path === '/control/pairing-code') {
      const body = await readJson(req);
      const result = await enterPairingCode(core, phone(body.phoneNumber, 'phoneNumber'), body.code, optionalString(body.pushName, 'pushName'));
      return sendJson(res, 200, result);
    }
    throw new ApiError(404, 'NOT_FOUND', `no route for ${method} ${path}`);
  };

  return (req: IncomingMessage, res: ServerResponse): void => {
    routes(req, res).catch(error => {
      let apiError: ApiError;
      if (error instanceof ApiError) apiError = error;
      else if (error instanceof LinkError || error instanceof FaultError || error instanceof MessageRequestError) apiError = new ApiError(error.statusCode, error.code, error.message);
      else if (error instanceof LidInUseError) apiError = new ApiError(409, 'LID_IN_USE', error.message);
      else if (error instanceof AccountNotLinkedError) apiError = new ApiError(404, 'ACCOUNT_NOT_LINKED', error.message);
      else {
        core.log('error', 'control request failed', { url: req.url, error: String((error as Error)?.stack ?? error) });
        apiError = new ApiError(500, 'INTERNAL', 'internal simulator error');
      }
      if (apiError.code !== 'INTERNAL') {
        const level = apiError.statusCode < 500 ? 'debug' : 'warn';
        core.log(level, 'control request rejected', { method: req.method, url: req.url, code: apiError.code, message: apiError.message });
      }
      if (!res.headersSent) sendJson(res, apiError.statusCode, { statusCode: apiError.statusCode, code: apiError.code, message: apiError.message });
      else res.end();
    });
  };
}
