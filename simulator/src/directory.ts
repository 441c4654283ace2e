// The simulated world behind the server: phone accounts (with their linked devices and the phone's
// own Signal client) and virtual contacts. Resolves JIDs in both PN and LID form to these entities.
import { randomInt } from 'node:crypto';
import type { Baileys } from './baileys';
import type { LogFn } from './log';
import { pinoAdapter } from './log';
import { createPeerState, SignalPeer } from './signal-peer';
import type { AccountState, ContactState, DeviceState, StateStore } from './state-store';

export type ResolvedJid =
  | { kind: 'account'; account: AccountState; deviceId: number; device?: DeviceState }
  | { kind: 'contact'; contact: ContactState; deviceId: number };

export class InvalidPhoneError extends Error {}
export class LidInUseError extends Error {}

/** Normalizes `+573000000001` or `573000000001` to digits; throws InvalidPhoneError otherwise. */
export function phoneDigits(input: unknown): string {
  if (typeof input !== 'string') throw new InvalidPhoneError('phone number must be a string');
  const trimmed = input.trim().replace(/[\s-]/g, '');
  const digits = trimmed.startsWith('+') ? trimmed.slice(1) : trimmed;
  if (!/^[1-9]\d{6,14}$/.test(digits)) throw new InvalidPhoneError(`invalid phone number: ${input}`);
  return digits;
}

export const e164 = (digits: string): string => `+${digits}`;

export class Directory {
  private readonly peers = new Map<string, SignalPeer>();

  constructor(
    private readonly wa: Baileys,
    private readonly store: StateStore,
    private readonly log: LogFn,
  ) {}

  get state() {
    return this.store.state;
  }

  changed(): void {
    this.store.markDirty();
  }

  /** LIDs are random 15-digit users, unique across accounts and contacts, stable once assigned. */
  private newLid(): string {
    const used = new Set([...Object.values(this.state.accounts), ...Object.values(this.state.contacts)].map(e => e.lid));
    for (;;) {
      const lid = `1${String(randomInt(0, 1e9)).padStart(9, '0')}${String(randomInt(0, 1e5)).padStart(5, '0')}`;
      if (!used.has(lid)) return lid;
    }
  }

  account(phone: string): AccountState | undefined {
    return this.state.accounts[phone];
  }

  getOrCreateAccount(phone: string): AccountState {
    let account = this.state.accounts[phone];
    if (!account) {
      account = {
        phone,
        lid: this.newLid(),
        createdAt: Math.floor(Date.now() / 1000),
        advRawId: randomInt(1, 2 ** 31),
        nextDeviceId: 1,
        nextKeyIndex: 1,
        // The phone's Signal identity is its ADV account key, so it can decrypt what companions send to device 0.
        peer: createPeerState(this.wa),
        devices: {},
      };
      this.state.accounts[phone] = account;
      this.changed();
      this.log('info', 'phone account created', { phone: e164(phone), lid: account.lid });
    }
    return account;
  }

  contact(phone: string): ContactState | undefined {
    return this.state.contacts[phone];
  }

  getOrCreateContact(phone: string, pushName?: string): ContactState {
    let contact = this.state.contacts[phone];
    if (!contact) {
      contact = { phone, lid: this.newLid(), pushName, peer: createPeerState(this.wa), inbox: [] };
      this.state.contacts[phone] = contact;
      this.changed();
      this.log('info', 'virtual contact created', { phone: e164(phone), lid: contact.lid });
    } else if (pushName && contact.pushName !== pushName) {
      contact.pushName = pushName;
      this.changed();
    }
    return contact;
  }

  /** Creates or updates a contact with a chosen (or random) LID; the LID must not belong to anyone else. */
  upsertContact(phone: string, name: string, lid?: string): ContactState {
    if (lid !== undefined) {
      const owner = [...Object.values(this.state.accounts), ...Object.values(this.state.contacts)].find(e => e.lid === lid);
      if (owner && owner.phone !== phone) throw new LidInUseError(`LID ${lid} belongs to +${owner.phone}`);
      if (this.state.accounts[phone]) throw new LidInUseError(`+${phone} is a linked account, not a contact`);
    }
    const contact = this.getOrCreateContact(phone, name);
    if (lid !== undefined && contact.lid !== lid) {
      this.log('info', 'virtual contact LID set', { phone: e164(phone), lid, previous: contact.lid });
      contact.lid = lid;
      this.changed();
    }
    return contact;
  }

  accountPeer(account: AccountState): SignalPeer {
    return this.peer(`account:${account.phone}`, account.peer);
  }

  contactPeer(contact: ContactState): SignalPeer {
    return this.peer(`contact:${contact.phone}`, contact.peer);
  }

  private peer(key: string, state: AccountState['peer']): SignalPeer {
    let peer = this.peers.get(key);
    if (!peer) {
      peer = new SignalPeer(this.wa, state, () => this.changed(), pinoAdapter(this.log, key));
      this.peers.set(key, peer);
    }
    return peer;
  }

  /**
   * Maps a PN or LID JID (with or without device) to an account device or a contact.
   * Unknown phone numbers become contacts on first sight, so an app can message any number;
   * unknown LIDs resolve to nothing.
   */
  resolve(jid: string, createContacts = true): ResolvedJid | undefined {
    const decoded = this.wa.jidDecode(jid);
    if (!decoded?.user) return undefined;
    const deviceId = decoded.device ?? 0;
    if (decoded.server === 'lid') {
      const account = Object.values(this.state.accounts).find(a => a.lid === decoded.user);
      if (account) return { kind: 'account', account, deviceId, device: account.devices[String(deviceId)] };
      const contact = Object.values(this.state.contacts).find(c => c.lid === decoded.user);
      return contact ? { kind: 'contact', contact, deviceId } : undefined;
    }
    if (decoded.server !== 's.whatsapp.net') return undefined;
    const account = this.state.accounts[decoded.user];
    // NOTE: a number that is a simulated account resolves to that account for every requester,
    // but messages between two simulated accounts are not routed yet.
    if (account) return { kind: 'account', account, deviceId, device: account.devices[String(deviceId)] };
    if (!/^\d{7,15}$/.test(decoded.user)) return undefined;
    const contact = createContacts ? this.getOrCreateContact(decoded.user) : this.state.contacts[decoded.user];
    return contact ? { kind: 'contact', contact, deviceId } : undefined;
  }

  deviceJid(account: AccountState, deviceId: number): string {
    return this.wa.jidEncode(account.phone, 's.whatsapp.net', deviceId || undefined);
  }

  deviceLid(account: AccountState, deviceId: number): string {
    return this.wa.jidEncode(account.lid, 'lid', deviceId || undefined);
  }

  close(): void {
    for (const peer of this.peers.values()) peer.close();
    this.peers.clear();
  }
}
