import { Inject, Injectable } from '@nestjs/common';
import type { AppConfig } from '../config/app-config';
import { APP_CONFIG } from '../config/config.module';
import { EncryptionKeyring, SealedValue } from './encryption-keyring';

/** Where a tenant secret is stored; decryption succeeds only for the same tenant, table and row. */
export interface SecretLocation {
  tenantId: string;
  /** The table and column, such as `webhook_endpoints.secret`. */
  column: string;
  /** The row's id, or the tenant id for a one-row-per-tenant table. */
  rowId: string;
}

/**
 * Seals secrets that tenants give Charla (model API keys, webhook signing secrets) under
 * ENCRYPTION_KEY with AES-256-GCM. Each value is bound to its tenant, column and row, so a value
 * copied to another row fails to open.
 */
@Injectable()
export class TenantSecrets {
  private keyring?: EncryptionKeyring;

  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {}

  seal(plaintext: string, location: SecretLocation): SealedValue {
    return this.currentKeyring().encrypt(Buffer.from(plaintext, 'utf8'), contextOf(location));
  }

  open(sealed: SealedValue, location: SecretLocation): string {
    return this.currentKeyring().decrypt(sealed, contextOf(location)).toString('utf8');
  }

  private currentKeyring(): EncryptionKeyring {
    if (this.keyring) return this.keyring;
    const { key, previousKey } = this.config.encryption;
    if (!key) throw new Error('ENCRYPTION_KEY is missing, so tenant secrets cannot be stored. Set ENCRYPTION_KEY.');
    this.keyring = new EncryptionKeyring(key, previousKey ? [previousKey] : []);
    return this.keyring;
  }
}

function contextOf(location: SecretLocation) {
  return {
    purpose: 'tenant-secret',
    scope: location.tenantId,
    associatedData: Buffer.from(JSON.stringify([location.column, location.tenantId, location.rowId]), 'utf8'),
  };
}
