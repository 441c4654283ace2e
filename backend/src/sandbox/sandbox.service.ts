import { EntityManager } from '@mikro-orm/postgresql';
import { Injectable } from '@nestjs/common';
import { AppError } from '../common/app-error';
import { SessionsService } from '../whatsapp-sessions/sessions.service';
import { WhatsAppSession } from '../whatsapp-sessions/whatsapp-session.entity';
import { SandboxContactDto, SandboxFaultDto, SandboxMessageDto, SandboxPairingCodeDto, SandboxReadDto, SandboxScanDto } from './dto/sandbox.dto';
import { InboxEntry, SimulatorClient } from './simulator.client';

/** The sandbox's virtual phone and contacts, limited to what the caller's tenant owns. */
@Injectable()
export class SandboxService {
  constructor(
    private readonly em: EntityManager,
    private readonly sessions: SessionsService,
    private readonly simulator: SimulatorClient,
  ) {}

  async scan(tenantId: string, body: SandboxScanDto) {
    const sessions = await this.tenantSessions(tenantId);
    const owner = sessions.find((session) => this.sessions.currentQr(session)?.qr === body.qr);
    if (!owner) {
      throw AppError.notFound('QR_NOT_FOUND', 'This QR code is not the current QR of any of your sessions. It may have rotated: fetch GET /api/sessions/:id/qr again and scan the new one.');
    }
    return { sessionId: owner.id, ...(await this.simulator.scan(body)) };
  }

  async sendMessage(tenantId: string, body: SandboxMessageDto) {
    const sessions = await this.tenantSessions(tenantId);
    if (!sessions.some((session) => session.phoneNumber === body.to)) {
      throw AppError.unprocessable('NUMBER_NOT_LINKED', `${body.to} is not linked by any of your sessions. Link it first with POST /api/sandbox/scan.`);
    }
    return this.simulator.sendMessage({ ...body });
  }

  /** Creates a virtual customer; from then on its number is on WhatsApp in the sandbox. */
  createContact(body: SandboxContactDto) {
    return this.simulator.createContact(body);
  }

  async enterPairingCode(tenantId: string, body: SandboxPairingCodeDto) {
    const sessions = await this.tenantSessions(tenantId);
    const owner = sessions.find((session) => session.pairingCode === body.code);
    if (!owner) {
      throw AppError.notFound('PAIRING_CODE_NOT_FOUND', 'This code is not the current pairing code of any of your sessions. Request a new one with POST /api/sessions/:id/pairing-code.');
    }
    return { sessionId: owner.id, ...((await this.simulator.enterPairingCode(body)) as object) };
  }

  /** Makes the simulator misbehave towards one of the tenant's sessions, to try the recovery paths. */
  async injectFault(tenantId: string, body: SandboxFaultDto) {
    const session = await this.sessions.findOwned(tenantId, body.sessionId);
    if (body.kind === 'refresh-qr-refs') {
      const qr = this.sessions.currentQr(session)?.qr;
      if (!qr) throw AppError.conflict('SESSION_NOT_WAITING_FOR_SCAN', `Session ${session.id} shows no QR code; connect it first.`);
      return this.simulator.injectFault({ kind: body.kind, qr });
    }
    if (body.kind === 'pairing-reject') return this.simulator.injectFault({ kind: body.kind });
    if (!session.deviceJid) throw AppError.conflict('SESSION_NOT_LINKED', `Session ${session.id} was never linked, so there is no device to disturb. Link it first.`);
    return this.simulator.injectFault({ kind: body.kind, deviceJid: session.deviceJid });
  }

  /** The customer opens its chats with the tenant's numbers; each of those sessions gets read receipts. */
  async markRead(tenantId: string, body: SandboxReadDto) {
    const ownNumbers = (await this.tenantSessions(tenantId)).map((session) => session.phoneNumber).filter((phone): phone is string => Boolean(phone));
    if (ownNumbers.length === 0) return { phoneNumber: body.phoneNumber, read: 0 };
    return this.simulator.markRead({ phoneNumber: body.phoneNumber, from: ownNumbers });
  }

  async inbox(tenantId: string, phoneNumber: string): Promise<InboxEntry[]> {
    const ownNumbers = new Set((await this.tenantSessions(tenantId)).map((session) => session.phoneNumber).filter(Boolean));
    const entries = await this.simulator.inbox(phoneNumber);
    return entries.filter((entry) => ownNumbers.has(entry.from));
  }

  private tenantSessions(tenantId: string): Promise<WhatsAppSession[]> {
    return this.em.fork().find(WhatsAppSession, { tenantId, deletedAt: null });
  }
}
