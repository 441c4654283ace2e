// A simulated Signal client (a phone's device 0 or a virtual contact) built on Baileys' own
// libsignal repository, so encryption and decryption are exactly what Baileys expects.
import type { Baileys, SignalDataSet, SignalDataTypeMap, SignalKeyStore } from './baileys';
import type { PeerState } from './state-store';
import type { KeyPair } from './noise';
import type { PinoLike } from './log';

const PREKEY_BATCH = 10;
const PREKEY_LOW_WATER = 3;

export interface PeerBundle {
  registrationId: number;
  identity: Uint8Array;
  signedPreKey: { id: number; public: Uint8Array; signature: Uint8Array };
  preKey?: { id: number; public: Uint8Array };
}

type Repository = ReturnType<Baileys['DEFAULT_CONNECTION_CONFIG']['makeSignalRepository']>;

export function createPeerState(wa: Baileys, identity?: KeyPair): PeerState {
  const signedIdentityKey = identity ?? wa.Curve.generateKeyPair();
  const state: PeerState = {
    creds: {
      signedIdentityKey,
      signedPreKey: wa.signedKeyPair(signedIdentityKey, 1),
      registrationId: wa.generateRegistrationId(),
    },
    keys: {},
    nextPreKeyId: 1,
    freePreKeyIds: [],
  };
  mintPreKeys(wa, state);
  return state;
}

function mintPreKeys(wa: Baileys, state: PeerState): void {
  const bucket = (state.keys['pre-key'] ??= {});
  for (let i = 0; i < PREKEY_BATCH; i++) {
    const id = state.nextPreKeyId++;
    bucket[String(id)] = wa.Curve.generateKeyPair();
    state.freePreKeyIds.push(id);
  }
}

export class SignalPeer {
  private readonly repository: Repository;

  constructor(
    private readonly wa: Baileys,
    readonly state: PeerState,
    private readonly onChange: () => void,
    logger: PinoLike,
  ) {
    const store: SignalKeyStore = {
      get: async <T extends keyof SignalDataTypeMap>(type: T, ids: string[]) => {
        const bucket = state.keys[type] ?? {};
        const result: { [id: string]: SignalDataTypeMap[T] } = {};
        for (const id of ids) {
          if (bucket[id] !== undefined && bucket[id] !== null) result[id] = bucket[id] as SignalDataTypeMap[T];
        }
        return result;
      },
      set: async (data: SignalDataSet) => {
        for (const [type, entries] of Object.entries(data)) {
          const bucket = (state.keys[type] ??= {});
          for (const [id, value] of Object.entries(entries ?? {})) {
            if (value === null || value === undefined) delete bucket[id];
            else bucket[id] = value;
          }
        }
        onChange();
      },
    };
    const keys = wa.addTransactionCapability(store, logger, { maxCommitRetries: 3, delayBetweenTriesMs: 10 });
    // The peer never resolves PN<->LID itself: it addresses every companion by its PN device JID.
    this.repository = wa.DEFAULT_CONNECTION_CONFIG.makeSignalRepository(
      { creds: state.creds as never, keys },
      logger,
      async () => [],
    );
  }

  get identityPublic(): Uint8Array {
    return this.state.creds.signedIdentityKey.public;
  }

  /** Hands out this peer's bundle with one fresh one-time prekey, minting more when the supply runs low. */
  takeBundle(): PeerBundle {
    const { creds } = this.state;
    if (this.state.freePreKeyIds.length <= PREKEY_LOW_WATER) mintPreKeys(this.wa, this.state);
    const preKeyId = this.state.freePreKeyIds.shift();
    const preKeyPair = preKeyId === undefined ? undefined : (this.state.keys['pre-key']?.[String(preKeyId)] as KeyPair | undefined);
    this.onChange();
    return {
      registrationId: creds.registrationId,
      identity: creds.signedIdentityKey.public,
      signedPreKey: {
        id: creds.signedPreKey.keyId,
        public: creds.signedPreKey.keyPair.public,
        signature: creds.signedPreKey.signature,
      },
      preKey: preKeyId !== undefined && preKeyPair ? { id: preKeyId, public: preKeyPair.public } : undefined,
    };
  }

  async hasSession(jid: string): Promise<boolean> {
    return (await this.repository.validateSession(jid)).exists;
  }

  /** Starts an outgoing session to `jid` from a bundle that device published. */
  async injectSession(jid: string, bundle: PeerBundle): Promise<void> {
    const pub = (key: Uint8Array) => this.wa.generateSignalPubKey(key);
    await this.repository.injectE2ESession({
      jid,
      session: {
        registrationId: bundle.registrationId,
        identityKey: pub(bundle.identity),
        signedPreKey: { keyId: bundle.signedPreKey.id, publicKey: pub(bundle.signedPreKey.public), signature: bundle.signedPreKey.signature },
        preKey: bundle.preKey ? { keyId: bundle.preKey.id, publicKey: pub(bundle.preKey.public) } : undefined,
      } as never,
    });
  }

  /** Drops the session with `jid`, so the next message starts a new one from a fresh bundle. */
  async deleteSession(jid: string): Promise<void> {
    await this.repository.deleteSession([jid]);
  }

  /** Encrypts an already encoded proto.Message (padding is added here). */
  async encryptMessage(jid: string, encodedMessage: Uint8Array): Promise<{ type: 'pkmsg' | 'msg'; ciphertext: Uint8Array }> {
    return this.repository.encryptMessage({ jid, data: this.wa.writeRandomPadMax16(encodedMessage) });
  }

  /** Decrypts and unpads one enc payload from `jid`, returning the decoded proto.Message. */
  async decryptMessage(jid: string, type: 'pkmsg' | 'msg', ciphertext: Uint8Array) {
    const plaintext = await this.repository.decryptMessage({ jid, type, ciphertext });
    return this.wa.proto.Message.decode(this.wa.unpadRandomMax16(plaintext));
  }

  close(): void {
    this.repository.close?.();
  }
}
