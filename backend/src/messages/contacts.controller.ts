import { EntityManager } from '@mikro-orm/postgresql';
import { Controller, Get, Param, Query, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { AuthUser, CurrentUser } from '../auth/auth-user';
import { AppError } from '../common/app-error';
import { ListQueryDto, parseListQuery, setContentRange } from '../common/list-query';
import { Contact } from './contact.entity';
import { isUuid } from './messages.service';

export interface ContactListView {
  id: string;
  name: string | null;
  phoneNumber: string | null;
  createdAt: string;
}

function toContactView(contact: Contact): ContactListView {
  return { id: contact.id, name: contact.name, phoneNumber: contact.phoneNumber, createdAt: contact.createdAt.toISOString() };
}

@ApiTags('contacts')
@ApiBearerAuth()
@Controller('contacts')
export class ContactsController {
  constructor(private readonly em: EntityManager) {}

  @Get()
  async list(@CurrentUser() user: AuthUser, @Query() query: ListQueryDto, @Res({ passthrough: true }) response: Response): Promise<ContactListView[]> {
    const parsed = parseListQuery<{ q: string }>(query, { sortable: ['createdAt', 'name', 'phoneNumber'], defaultSort: ['name', 'ASC'], filters: ['q'] });
    const where: Record<string, unknown> = { tenantId: user.tenantId };
    if (parsed.filter.q) where.$or = [{ name: { $ilike: `%${parsed.filter.q}%` } }, { phoneNumber: { $like: `%${String(parsed.filter.q).replace(/[^\d+]/g, '')}%` } }];

    const [contacts, total] = await this.em.fork().findAndCount(Contact, where, {
      orderBy: { [parsed.sortField]: parsed.sortOrder, id: 'ASC' },
      limit: parsed.limit,
      offset: parsed.offset,
    });
    setContentRange(response, 'contacts', parsed.offset, contacts.length, total);
    return contacts.map(toContactView);
  }

  @Get(':id')
  async get(@CurrentUser() user: AuthUser, @Param('id') id: string): Promise<ContactListView> {
    const contact = isUuid(id) ? await this.em.fork().findOne(Contact, { id, tenantId: user.tenantId }) : null;
    if (!contact) throw AppError.notFound('CONTACT_NOT_FOUND', `Contact ${id.slice(0, 64)} was not found in your tenant.`);
    return toContactView(contact);
  }
}
