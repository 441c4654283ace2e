import request from 'supertest';
import type { RunningServer } from '../../src/bootstrap';
import { eventually, FeedClient } from './test-app';

/** Creates a session, shows its QR and lets the sandbox's virtual phone scan it; resolves when connected. */
export async function linkNewSession(server: RunningServer, token: string, feed: FeedClient, phoneNumber: string, name = 'Tienda'): Promise<string> {
  const auth = { Authorization: `Bearer ${token}` };
  const created = await request(server.url).post('/api/sessions').set(auth).send({ name }).expect(201);
  const sessionId = created.body.id as string;

  await request(server.url).post(`/api/sessions/${sessionId}/connect`).set(auth).expect(202);
  await feed.waitFor('session.qr', (payload) => payload.sessionId === sessionId);
  // The latest QR, since short QR lifetimes in some tests rotate it while the first event travels.
  const qr = await request(server.url).get(`/api/sessions/${sessionId}/qr`).set(auth).expect(200);
  const scan = await request(server.url).post('/api/sandbox/scan').set(auth).send({ qr: qr.body.qr, phoneNumber, pushName: name });
  if (scan.status !== 200) throw new Error(`Scan failed with ${scan.status}: ${JSON.stringify(scan.body)}`);
  await feed.waitFor('session.status', (payload) => payload.sessionId === sessionId && payload.status === 'connected');
  return sessionId;
}

/** What a virtual contact received, once `predicate` holds for it. */
export async function waitForInbox(server: RunningServer, token: string, contact: string, predicate: (entries: any[]) => boolean, timeoutMs = 20_000): Promise<any[]> {
  return eventually(async () => {
    const inbox = await request(server.url).get(`/api/sandbox/inbox/${contact}`).set({ Authorization: `Bearer ${token}` }).expect(200);
    return predicate(inbox.body) ? inbox.body : undefined;
  }, timeoutMs);
}

export async function sessionStatus(server: RunningServer, token: string, sessionId: string): Promise<any> {
  return (await request(server.url).get(`/api/sessions/${sessionId}`).set({ Authorization: `Bearer ${token}` }).expect(200)).body;
}
