// Replies to the iqs Baileys sends after login, shaped like the real server's minimal healthy replies.
import { createHash } from 'node:crypto';
import type { BinaryNode } from './baileys';
import type { Connection } from './connection';
import type { SimulatorCore } from './core';
import { e164 } from './directory';
import { handleLinkCodeIq } from './link-code';
import { MEDIA_CONN_TTL_SECONDS } from './media-host';
import { buildKeyIndexList } from './pairing';
import { child, childBytes, childNodes, children, iqResult, node, readUIntBE, S_WHATSAPP_NET, uintBE, unixNow } from './nodes';
import type { PeerBundle } from './signal-peer';
import type { AccountState, DeviceState } from './state-store';

/** Prekey count below which the server sends an `encrypt` notification so the companion uploads more. */
const PREKEY_LOW_COUNT = 5;

const PRIVACY_DEFAULTS: Record<string, string> = {
  last: 'all',
  online: 'all',
  profile: 'all',
  status: 'all',
  groupadd: 'all',
  readreceipts: 'all',
  calladd: 'all',
  messages: 'all',
};

export async function handleIq(core: SimulatorCore, conn: Connection, iq: BinaryNode): Promise<void> {
  const { xmlns, type } = iq.attrs;
  const first = childNodes(iq)[0]?.tag;
  if (type === 'result' || type === 'error') return;
  if (xmlns === 'w:p' && first === 'ping') {
    if (!conn.pingsStopped) conn.send(iqResult(iq));
    return;
  }
  // Pairing-code linking runs before login, on the registering connection.
  if (xmlns === 'md' && type === 'set' && first === 'link_code_companion_reg') return handleLinkCodeIq(core, conn, iq);
  const login = conn.login;
  const account = login && core.directory.account(login.phone);
  const device = account?.devices[String(login!.deviceId)];
  if (!login || !account || !device) {
    core.log('debug', 'iq before login answered empty', { conn: conn.id, xmlns, first });
    conn.send(iqResult(iq));
    return;
  }
  const key = `${xmlns}:${type}:${first ?? ''}`;
  switch (key) {
    case 'encrypt:get:count':
      conn.send(iqResult(iq, [node('count', { value: String(Object.keys(device.preKeys).length) })]));
      return;
    case 'encrypt:set:registration':
      storeUploadedBundle(core, device, iq);
      conn.send(iqResult(iq));
      return;
    case 'encrypt:set:rotate':
      storeRotatedSignedPreKey(core, device, child(child(iq, 'rotate'), 'skey'));
      conn.send(iqResult(iq));
      return;
    case 'encrypt:get:digest':
      conn.send(iqResult(iq, [digestNode(device)]));
      return;
    case 'encrypt:get:key':
      conn.send(iqResult(iq, [keyBundles(core, account, child(iq, 'key'))]));
      return;
    case 'passive:set:active':
      conn.send(iqResult(iq));
      core.flushBacklog(conn);
      return;
    case 'passive:set:passive':
      conn.ready = false;
      conn.send(iqResult(iq));
      return;
    case 'abt:get:props':
      conn.send(iqResult(iq, [node('props', { protocol: '1', hash: 'sim-props-1' })]));
      return;
    case 'blocklist:get:':
    case 'blocklist:get:list':
      conn.send(iqResult(iq, [node('list', {})]));
      return;
    case 'privacy:get:privacy':
      conn.send(
        iqResult(iq, [node('privacy', {}, Object.entries(PRIVACY_DEFAULTS).map(([name, value]) => node('category', { name, value })))]),
      );
      return;
    case 'usync:get:usync':
      conn.send(usyncReply(core, account, iq));
      return;
    case 'w:sync:app:state:set:sync':
      conn.send(iqResult(iq, [appStateReply(child(iq, 'sync'))]));
      return;
    case 'w:m:set:media_conn':
      // The one upload and download host is the loopback media host, reachable with its test CA.
      conn.send(
        iqResult(iq, [
          node('media_conn', { auth: core.media.auth, ttl: String(MEDIA_CONN_TTL_SECONDS), auth_ttl: String(MEDIA_CONN_TTL_SECONDS), max_buckets: '12' }, [
            node('host', { hostname: core.media.hostname, maxContentLengthBytes: String(128 * 1024 * 1024) }),
          ]),
        ]),
      );
      return;
    case 'md:set:remove-companion-device':
      removeDevice(core, conn, account, child(iq, 'remove-companion-device'));
      conn.send(iqResult(iq));
      return;
    default:
      // Unknown queries get an empty result so the client does not wait for its timeout.
      core.log('debug', 'unknown iq answered empty', { conn: conn.id, xmlns, type, first });
      conn.send(iqResult(iq));
  }
}

function storeUploadedBundle(core: SimulatorCore, device: DeviceState, iq: BinaryNode): void {
  const registrationId = readUIntBE(childBytes(iq, 'registration'));
  const identity = childBytes(iq, 'identity');
  if (registrationId !== undefined) device.registrationId = registrationId;
  if (identity?.length === 32) device.identityPublic = identity;
  let added = 0;
  for (const key of children(child(iq, 'list'), 'key')) {
    const id = readUIntBE(childBytes(key, 'id'));
    const value = childBytes(key, 'value');
    if (id !== undefined && value?.length === 32) {
      device.preKeys[String(id)] = value;
      added++;
    }
  }
  storeRotatedSignedPreKey(core, device, child(iq, 'skey'));
  core.directory.changed();
  core.log('debug', 'prekeys uploaded', { deviceId: device.id, added, total: Object.keys(device.preKeys).length });
}

function storeRotatedSignedPreKey(core: SimulatorCore, device: DeviceState, skey: BinaryNode | undefined): void {
  const id = readUIntBE(childBytes(skey, 'id'));
  const value = childBytes(skey, 'value');
  const signature = childBytes(skey, 'signature');
  if (id === undefined || value?.length !== 32 || signature?.length !== 64) return;
  device.signedPreKey = { id, public: value, signature };
  core.directory.changed();
}

function digestNode(device: DeviceState): BinaryNode {
  const ids = Object.keys(device.preKeys).map(Number).sort((a, b) => a - b);
  const hash = createHash('sha1')
    .update(Buffer.from(device.identityPublic))
    .update(Buffer.from(device.signedPreKey.public))
    .update(Buffer.from(device.signedPreKey.signature))
    .digest();
  return node('digest', {}, [
    node('registration', {}, uintBE(device.registrationId, 4)),
    node('type', {}, Buffer.from([5])),
    node('identity', {}, Buffer.from(device.identityPublic)),
    skeyNode({ id: device.signedPreKey.id, public: device.signedPreKey.public, signature: device.signedPreKey.signature }),
    node('list', {}, ids.map(id => node('id', {}, uintBE(id, 3)))),
    node('hash', {}, hash),
  ]);
}

function skeyNode(skey: PeerBundle['signedPreKey']): BinaryNode {
  return node('skey', {}, [
    node('id', {}, uintBE(skey.id, 3)),
    node('value', {}, Buffer.from(skey.public)),
    node('signature', {}, Buffer.from(skey.signature)),
  ]);
}

/** Builds a companion's bundle and uses up one of its uploaded one-time prekeys. */
export function takeDeviceBundle(core: SimulatorCore, account: AccountState, device: DeviceState): PeerBundle {
  const ids = Object.keys(device.preKeys).map(Number).sort((a, b) => a - b);
  const preKeyId = ids[0];
  let preKey: PeerBundle['preKey'];
  if (preKeyId !== undefined) {
    preKey = { id: preKeyId, public: device.preKeys[String(preKeyId)] };
    delete device.preKeys[String(preKeyId)];
    core.directory.changed();
  }
  const remaining = ids.length - (preKeyId === undefined ? 0 : 1);
  const conn = core.liveConnection(account.phone, device.id);
  if (conn && remaining < PREKEY_LOW_COUNT) {
    // Like the real server: a low prekey count makes the companion upload a fresh batch.
    conn.send(
      node('notification', { from: S_WHATSAPP_NET, type: 'encrypt', id: conn.nextId(), t: unixNow() }, [
        node('count', { value: String(remaining) }),
      ]),
    );
  }
  return {
    registrationId: device.registrationId,
    identity: device.identityPublic,
    signedPreKey: device.signedPreKey,
    preKey,
  };
}

function bundleNode(jid: string, bundle: PeerBundle): BinaryNode {
  const content: BinaryNode[] = [
    node('registration', {}, uintBE(bundle.registrationId, 4)),
    node('type', {}, Buffer.from([5])),
    node('identity', {}, Buffer.from(bundle.identity)),
  ];
  if (bundle.preKey) {
    content.push(node('key', {}, [node('id', {}, uintBE(bundle.preKey.id, 3)), node('value', {}, Buffer.from(bundle.preKey.public))]));
  }
  content.push(skeyNode(bundle.signedPreKey));
  return node('user', { jid }, content);
}

function keyBundles(core: SimulatorCore, requester: AccountState, keyNode: BinaryNode | undefined): BinaryNode {
  const users = children(keyNode, 'user').map(user => {
    const jid = user.attrs.jid;
    const resolved = core.directory.resolve(jid);
    if (resolved?.kind === 'contact' && resolved.deviceId === 0) {
      return bundleNode(jid, core.directory.contactPeer(resolved.contact).takeBundle());
    }
    if (resolved?.kind === 'account') {
      if (resolved.deviceId === 0) return bundleNode(jid, core.directory.accountPeer(resolved.account).takeBundle());
      if (resolved.device) return bundleNode(jid, takeDeviceBundle(core, resolved.account, resolved.device));
    }
    core.log('debug', 'key bundle requested for unknown device', { jid, requester: e164(requester.phone) });
    return node('user', { jid }, [node('error', { code: '404', text: 'item-not-found' })]);
  });
  return node('list', {}, users);
}

function usyncReply(core: SimulatorCore, requester: AccountState, iq: BinaryNode): BinaryNode {
  const usync = child(iq, 'usync');
  const protocols = childNodes(child(usync, 'query')).map(p => p.tag);
  const users = children(child(usync, 'list'), 'user').map(user => {
    const phone = childBytes(user, 'contact')?.toString('utf8');
    const jid = user.attrs.jid ?? (phone ? `${phone.replace(/\D/g, '')}${S_WHATSAPP_NET}` : undefined);
    if (!jid) return node('user', {});
    // A number is on WhatsApp once it is a contact or an account. An existence check alone (onWhatsApp)
    // must not create the contact; the other protocols (devices for a send) still create it on sight.
    const known = core.directory.resolve(jid, false);
    const existenceOnly = protocols.every(p => p === 'contact');
    const resolved = existenceOnly ? known : core.directory.resolve(jid);
    const isLidQuery = jid.endsWith('@lid');
    const content: BinaryNode[] = [];
    for (const protocol of protocols) {
      if (protocol === 'contact') {
        content.push(node('contact', { type: known ? 'in' : 'out' }));
        continue;
      }
      if (!resolved) break;
      switch (protocol) {
        case 'devices':
          content.push(devicesNode(core, resolved.kind === 'account' ? resolved.account : undefined));
          break;
        case 'lid':
          if (!isLidQuery) {
            const lid = resolved.kind === 'account' ? resolved.account.lid : resolved.contact.lid;
            content.push(node('lid', { val: `${lid}@lid` }));
          }
          break;
        case 'status':
          content.push(node('status', { t: '0' }, Buffer.from('Hey there! I am using WhatsApp.')));
          break;
        case 'disappearing_mode':
          content.push(node('disappearing_mode', { duration: '0', t: '0' }));
          break;
        default:
          break;
      }
    }
    return node('user', { jid }, content);
  });
  core.log('debug', 'usync answered', { requester: e164(requester.phone), protocols, users: users.length });
  return iqResult(iq, [
    node('usync', { ...(usync?.attrs ?? {}) }, [
      node('result', {}, protocols.map(p => node(p, {}))),
      node('list', {}, users),
    ]),
  ]);
}

/**
 * Replies to an app-state resync with every requested collection at its current version and no
 * patches. Baileys keeps asking for a collection the reply leaves out, so an empty result would loop.
 */
function appStateReply(sync: BinaryNode | undefined): BinaryNode {
  const collections = children(sync, 'collection').map(collection =>
    node('collection', { name: collection.attrs.name, version: collection.attrs.version ?? '0' }),
  );
  return node('sync', {}, collections);
}

/** Builds the device list: device 0 for everyone, plus an account's linked companions with their key index. */
function devicesNode(core: SimulatorCore, account: AccountState | undefined): BinaryNode {
  const devices = account ? Object.values(account.devices).sort((a, b) => a.id - b.id) : [];
  const list = [node('device', { id: '0' }), ...devices.map(d => node('device', { id: String(d.id), 'key-index': String(d.keyIndex) }))];
  const content = [node('device-list', {}, list)];
  if (account && devices.length) {
    const signedList = buildKeyIndexList(core.wa, account.peer.creds.signedIdentityKey, account.advRawId, devices.map(d => d.keyIndex));
    content.push(node('key-index-list', { ts: unixNow() }, Buffer.from(signedList)));
  }
  return node('devices', {}, content);
}

function removeDevice(core: SimulatorCore, conn: Connection, account: AccountState, request: BinaryNode | undefined): void {
  const decoded = request?.attrs.jid ? core.wa.jidDecode(request.attrs.jid) : undefined;
  const deviceId = decoded?.device ?? conn.login?.deviceId;
  if (!decoded || decoded.user !== account.phone || deviceId === undefined || !account.devices[String(deviceId)]) {
    core.log('warn', 'remove-companion-device for an unknown device', { jid: request?.attrs.jid });
    return;
  }
  delete account.devices[String(deviceId)];
  core.directory.changed();
  core.log('info', 'companion device removed', { phone: e164(account.phone), deviceId, reason: request?.attrs.reason });
  for (const other of [...core.connections]) {
    if (other !== conn && other.login?.phone === account.phone && other.login.deviceId === deviceId) {
      other.streamError('401', node('conflict', { type: 'device_removed' }));
    }
  }
}
