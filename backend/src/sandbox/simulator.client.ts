import { HttpStatus, Injectable } from '@nestjs/common';
import { AppError } from '../common/app-error';
import { SimulatorHost } from './simulator-host';

export interface InboxEntry {
  waMessageId: string;
  from: string;
  to: string;
  type: string;
  content: string | null;
  timestamp: string;
  status: string;
  /** A media message's file as the contact decrypted it. */
  media?: { mimeType: string; size: number; sha256: string; fileName?: string; ptt?: boolean; error?: string };
}

/** Calls the simulator's control API; its error codes pass through to the caller. */
@Injectable()
export class SimulatorClient {
  constructor(private readonly host: SimulatorHost) {}

  scan(body: { qr: string; phoneNumber: string; pushName?: string }): Promise<{ phoneNumber: string; jid: string; lid: string }> {
    return this.request('POST', '/control/scan', body);
  }

  createContact(body: { phoneNumber: string; name: string; lid?: string }): Promise<{ phoneNumber: string; name: string; lid: string }> {
    return this.request('POST', '/control/contacts', body);
  }

  sendMessage(body: { from: string; to: string; content?: string; pushName?: string; [field: string]: unknown }): Promise<{ waMessageId: string }> {
    return this.request('POST', '/control/messages', body);
  }

  enterPairingCode(body: { phoneNumber: string; code: string }): Promise<unknown> {
    return this.request('POST', '/control/pairing-code', body);
  }

  injectFault(body: { kind: string; deviceJid?: string; qr?: string }): Promise<unknown> {
    return this.request('POST', '/control/faults', body);
  }

  markRead(body: { phoneNumber: string; from: string[] }): Promise<{ phoneNumber: string; read: number }> {
    return this.request('POST', '/control/read', body);
  }

  inbox(phoneNumber: string): Promise<InboxEntry[]> {
    return this.request('GET', `/control/inbox/${encodeURIComponent(phoneNumber)}`);
  }

  private async request<T>(method: 'GET' | 'POST', path: string, body?: unknown): Promise<T> {
    const response = await fetch(new URL(path, this.host.controlUrl), {
      method,
      headers: body ? { 'content-type': 'application/json' } : undefined,
      body: body ? JSON.stringify(body) : undefined,
      signal: AbortSignal.timeout(15_000),
    });
    const payload = (await response.json().catch(() => ({}))) as { code?: string; message?: string };
    if (!response.ok) {
      throw new AppError(
        response.status >= 500 ? HttpStatus.BAD_GATEWAY : (response.status as HttpStatus),
        payload.code ?? 'SIMULATOR_ERROR',
        payload.message ?? `The WhatsApp simulator answered ${response.status} to ${method} ${path}.`,
      );
    }
    return payload as T;
  }
}
