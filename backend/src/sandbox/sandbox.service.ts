import { EntityManager } from '@mikro-orm/postgresql';
import { Injectable } from '@nestjs/common';
import { AppError } from '../common/app-error';
import { SessionsService } from '../whatsapp-sessions/sessions.service';
import { WhatsAppSession } from '../whatsapp-sessions/whatsapp-session.entity';
import { SandboxMessageDto, SandboxScanDto } from './dto/sandbox.dto';
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
    return this.simulator.sendMessage(body);
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
