// A small stand-in for the Charla backend, for trying the built panel in a browser before the real
// server serves it. It keeps everything in memory and listens on 127.0.0.1 only.
//   node admin/e2e/mock-api.mjs [port]   then open http://127.0.0.1:PORT/dashboard/
import { createReadStream, existsSync, statSync } from 'node:fs';
import { createServer } from 'node:http';
import { extname, join, normalize } from 'node:path';
import { fileURLToPath } from 'node:url';
import { randomUUID } from 'node:crypto';
import { Server } from 'socket.io';

const port = Number(process.argv[2] ?? process.env.MOCK_PORT ?? 3999);
const dist = fileURLToPath(new URL('../dist/', import.meta.url));
const TOKEN = 'mock-token';
const USERS = {
    'admin@charla.test': { id: 'u-admin', email: 'admin@charla.test', name: 'Ana Admin', role: 'admin', tenantId: 't1', active: true, createdAt: '2026-01-01T00:00:00Z' },
    'agent@charla.test': { id: 'u-agent', email: 'agent@charla.test', name: 'Luis Agente', role: 'agent', tenantId: 't1', active: true, createdAt: '2026-01-02T00:00:00Z' },
    'super@charla.test': { id: 'u-super', email: 'super@charla.test', name: 'Sara Super', role: 'superadmin', tenantId: 't1', active: true, createdAt: '2026-01-01T00:00:00Z' },
};
const now = () => new Date().toISOString();
const sessions = [
    { id: 's1', name: 'Ventas', status: 'connected', phoneNumber: '+573000000001', pushName: 'Panadería Luz', isDefault: true, lastError: null, reconnectAttempts: 0, nextAttemptAt: null, createdAt: '2026-01-01T00:00:00Z' },
    { id: 's2', name: 'Soporte', status: 'logged_out', phoneNumber: null, pushName: null, isDefault: false, lastError: { code: 'LOGGED_OUT', message: 'removed', at: now() }, reconnectAttempts: 0, nextAttemptAt: null, createdAt: '2026-01-02T00:00:00Z' },
];
const contacts = [
    { id: 'c1', name: 'María Gómez', phoneNumber: '+573001112233', createdAt: '2026-01-03T00:00:00Z' },
    { id: 'c2', name: 'José Pérez', phoneNumber: '+573004445566', createdAt: '2026-01-04T00:00:00Z' },
];
const conversations = [
    { id: 'v1', sessionId: 's1', contact: contacts[0], lastMessageAt: now(), lastMessagePreview: '¿Tienen pan integral hoy?', unreadCount: 2 },
    { id: 'v2', sessionId: 's1', contact: contacts[1], lastMessageAt: new Date(Date.now() - 3600e3).toISOString(), lastMessagePreview: 'Gracias, llegó bien', unreadCount: 0 },
];
const messages = [
    { id: 'm1', sessionId: 's1', conversationId: 'v1', waMessageId: 'W1', direction: 'in', type: 'text', content: 'Hola, buenos días', status: 'received', error: null, timestamp: new Date(Date.now() - 120e3).toISOString(), senderName: 'María' },
    { id: 'm2', sessionId: 's1', conversationId: 'v1', waMessageId: 'W2', direction: 'out', type: 'text', content: '¡Hola María! ¿En qué le ayudo?', status: 'read', error: null, timestamp: new Date(Date.now() - 90e3).toISOString() },
    { id: 'm3', sessionId: 's1', conversationId: 'v1', waMessageId: 'W3', direction: 'in', type: 'text', content: '¿Tienen pan integral hoy?', status: 'received', error: null, timestamp: new Date(Date.now() - 60e3).toISOString(), senderName: 'María' },
    { id: 'm4', sessionId: 's1', conversationId: 'v2', waMessageId: 'W4', direction: 'out', type: 'text', content: 'Su pedido va en camino', status: 'delivered', error: null, timestamp: new Date(Date.now() - 3700e3).toISOString() },
    { id: 'm5', sessionId: 's1', conversationId: 'v2', waMessageId: 'W5', direction: 'in', type: 'text', content: 'Gracias, llegó bien', status: 'received', error: null, timestamp: new Date(Date.now() - 3600e3).toISOString(), senderName: 'José' },
];
let settings = { name: 'Panadería Luz', timeZone: 'America/Bogota', language: 'es', currency: 'COP' };
const inbox = new Map();
const qrBySession = new Map();
const qrTimers = new Map();

function qrDataUrl(seed) {
    let cells = '';
    let value = [...seed].reduce((acc, char) => (acc * 31 + char.charCodeAt(0)) >>> 0, 7);
    for (let y = 0; y < 25; y += 1) {
        for (let x = 0; x < 25; x += 1) {
            value = (value * 1103515245 + 12345) >>> 0;
            const finder = (x < 7 && y < 7) || (x > 17 && y < 7) || (x < 7 && y > 17);
            if (finder ? x % 6 === 0 || y % 6 === 0 || x % 24 === 18 || y % 24 === 18 || ((x % 18) > 1 && (x % 18) < 5 && (y % 18) > 1 && (y % 18) < 5) : value % 2) {
                cells += `<rect x="${x}" y="${y}" width="1" height="1"/>`;
            }
        }
    }
    const svg = `<svg xmlns="http://www.w3.org/2000/svg" viewBox="-2 -2 29 29" shape-rendering="crispEdges"><rect x="-2" y="-2" width="29" height="29" fill="#fff"/>${cells}</svg>`;
    return `data:image/svg+xml;base64,${Buffer.from(svg).toString('base64')}`;
}

function send(res, status, body, headers = {}) {
    res.writeHead(status, { 'Content-Type': 'application/json', ...headers });
    res.end(body === undefined ? '' : JSON.stringify(body));
}
const fail = (res, status, code) => send(res, status, { statusCode: status, code, message: code });

function list(res, name, items, query) {
    const filter = JSON.parse(query.get('filter') || '{}');
    const [field, order] = JSON.parse(query.get('sort') || '["id","ASC"]');
    const [start, end] = JSON.parse(query.get('range') || '[0,24]');
    let rows = items.filter(item =>
        Object.entries(filter).every(([key, value]) => {
            if (key === 'q') return JSON.stringify(item).toLowerCase().includes(String(value).toLowerCase());
            if (key === 'id') return [].concat(value).includes(item.id);
            if (key === 'contactId') return item.contact?.id === value;
            return item[key] === value;
        })
    );
    rows = [...rows].sort((a, b) => String(a[field]).localeCompare(String(b[field])) * (order === 'DESC' ? -1 : 1));
    const page = rows.slice(start, end + 1);
    send(res, 200, page, { 'Content-Range': `${name} ${start}-${start + page.length - 1}/${rows.length}` });
}

async function body(req) {
    let raw = '';
    for await (const chunk of req) raw += chunk;
    return raw ? JSON.parse(raw) : {};
}

const server = createServer(async (req, res) => {
    const url = new URL(req.url, `http://127.0.0.1:${port}`);
    const path = url.pathname;
    if (path === '/' || path === '/dashboard') {
        res.writeHead(302, { Location: '/dashboard/' });
        return res.end();
    }
    if (path.startsWith('/dashboard/')) {
        const file = normalize(join(dist, path.slice('/dashboard/'.length) || 'index.html'));
        const target = file.startsWith(dist) && existsSync(file) && statSync(file).isFile() ? file : join(dist, 'index.html');
        const types = { '.html': 'text/html', '.js': 'text/javascript', '.css': 'text/css', '.svg': 'image/svg+xml' };
        res.writeHead(200, { 'Content-Type': types[extname(target)] ?? 'application/octet-stream' });
        return createReadStream(target).pipe(res);
    }
    if (!path.startsWith('/api/')) return fail(res, 404, 'NOT_FOUND');
    const route = path.slice(5);
    const method = req.method;

    if (route === 'auth/login' && method === 'POST') {
        const { email, password } = await body(req);
        const user = USERS[email];
        if (!user || password !== 'charla123') return fail(res, 401, 'INVALID_CREDENTIALS');
        return send(res, 200, { accessToken: `${TOKEN}:${email}`, user });
    }
    if (!req.headers.authorization?.startsWith(`Bearer ${TOKEN}`)) return fail(res, 401, 'UNAUTHORIZED');

    const parts = route.split('/');
    if (route === 'config') return send(res, 200, { whatsappMode: 'sandbox' });
    if (route === 'dashboard') {
        const byStatus = {};
        for (const session of sessions) byStatus[session.status] = (byStatus[session.status] ?? 0) + 1;
        return send(res, 200, { sessionsByStatus: byStatus, waitingConversations: 1, messagesToday: { in: 3, out: 2 } });
    }
    if (route === 'settings') {
        if (method === 'PATCH') settings = { ...settings, ...(await body(req)) };
        return send(res, 200, settings);
    }
    if (parts[0] === 'sessions') {
        const session = sessions.find(item => item.id === parts[1]);
        if (parts.length === 1 && method === 'GET') return list(res, 'sessions', sessions, url.searchParams);
        if (parts.length === 1 && method === 'POST') {
            const created = { id: randomUUID(), name: (await body(req)).name, status: 'disconnected', phoneNumber: null, pushName: null, isDefault: false, lastError: null, reconnectAttempts: 0, nextAttemptAt: null, createdAt: now() };
            sessions.push(created);
            return send(res, 201, created);
        }
        if (!session) return fail(res, 404, 'SESSION_NOT_FOUND');
        if (parts.length === 2 && method === 'GET') return send(res, 200, session);
        if (parts.length === 2 && method === 'DELETE') {
            sessions.splice(sessions.indexOf(session), 1);
            return send(res, 204);
        }
        if (parts[2] === 'connect') {
            session.status = 'connecting';
            session.lastError = null;
            emitStatus(session);
            setTimeout(() => rotateQr(session), 500);
            return send(res, 202, session);
        }
        if (parts[2] === 'qr') {
            const qr = qrBySession.get(session.id);
            if (!qr || session.status !== 'qr') return fail(res, 404, 'QR_NOT_AVAILABLE');
            return send(res, 200, qr);
        }
        if (parts[2] === 'disconnect') {
            session.status = 'disconnected';
            session.phoneNumber = null;
            emitStatus(session);
            return send(res, 200, session);
        }
        return fail(res, 404, 'NOT_FOUND');
    }
    if (parts[0] === 'conversations') {
        const conversation = conversations.find(item => item.id === parts[1]);
        if (parts.length === 1) {
            return list(res, 'conversations', conversations, url.searchParams);
        }
        if (!conversation) return fail(res, 404, 'CONVERSATION_NOT_FOUND');
        if (parts.length === 2) return send(res, 200, conversation);
        if (parts[2] === 'read') {
            conversation.unreadCount = 0;
            io.emit('conversation.updated', { conversation });
            return send(res, 200, conversation);
        }
        if (parts[2] === 'messages' && method === 'GET') {
            return list(res, 'messages', messages.filter(item => item.conversationId === conversation.id), url.searchParams);
        }
        if (parts[2] === 'messages' && method === 'POST') {
            const { content } = await body(req);
            if (content.length > 4096) return fail(res, 400, 'MESSAGE_TOO_LONG');
            const message = { id: randomUUID(), sessionId: conversation.sessionId, conversationId: conversation.id, waMessageId: `W${Date.now()}`, direction: 'out', type: 'text', content, status: 'pending', error: null, timestamp: now() };
            messages.push(message);
            Object.assign(conversation, { lastMessageAt: message.timestamp, lastMessagePreview: content });
            setTimeout(() => io.emit('message.created', { sessionId: message.sessionId, conversationId: conversation.id, message }), 50);
            setTimeout(() => io.emit('conversation.updated', { conversation }), 60);
            for (const [delay, status] of [[700, 'sent'], [1400, 'delivered'], [2500, 'read']]) {
                setTimeout(() => {
                    message.status = status;
                    io.emit('message.updated', { sessionId: message.sessionId, conversationId: conversation.id, id: message.id, status });
                }, delay);
            }
            const box = inbox.get(conversation.contact.phoneNumber) ?? [];
            box.push({ waMessageId: message.waMessageId, from: '+573000000001', to: conversation.contact.phoneNumber, type: 'text', content, timestamp: message.timestamp, status: 'delivered' });
            inbox.set(conversation.contact.phoneNumber, box);
            return send(res, 201, { id: message.id, waMessageId: message.waMessageId, status: message.status, conversationId: conversation.id });
        }
    }
    if (parts[0] === 'contacts') {
        if (parts.length === 1) return list(res, 'contacts', contacts, url.searchParams);
        const contact = contacts.find(item => item.id === parts[1]);
        return contact ? send(res, 200, contact) : fail(res, 404, 'CONTACT_NOT_FOUND');
    }
    if (parts[0] === 'users') {
        const users = Object.values(USERS);
        if (parts.length === 1 && method === 'GET') return list(res, 'users', users, url.searchParams);
        const user = users.find(item => item.id === parts[1]);
        if (!user) return fail(res, 404, 'USER_NOT_FOUND');
        if (method === 'PATCH') Object.assign(user, await body(req));
        return send(res, 200, user);
    }
    if (parts[0] === 'tenants') {
        const tenants = [{ id: 't1', name: 'Panadería Luz', status: 'active', createdAt: '2026-01-01T00:00:00Z' }];
        return parts.length === 1 ? list(res, 'tenants', tenants, url.searchParams) : send(res, 200, tenants[0]);
    }
    if (parts[0] === 'sandbox') {
        if (parts[1] === 'scan') {
            const { qr, phoneNumber, pushName } = await body(req);
            const session = sessions.find(item => qrBySession.get(item.id)?.qr === qr);
            if (!session) return fail(res, 404, 'QR_NOT_FOUND');
            Object.assign(session, { status: 'connected', phoneNumber, pushName });
            clearTimeout(qrTimers.get(session.id));
            emitStatus(session);
            return send(res, 200, { ok: true });
        }
        if (parts[1] === 'messages') {
            const { from, content, pushName } = await body(req);
            let contact = contacts.find(item => item.phoneNumber === from);
            if (!contact) {
                contact = { id: randomUUID(), name: pushName ?? null, phoneNumber: from, createdAt: now() };
                contacts.push(contact);
            }
            let conversation = conversations.find(item => item.contact.id === contact.id);
            if (!conversation) {
                conversation = { id: randomUUID(), sessionId: 's1', contact, lastMessageAt: now(), lastMessagePreview: '', unreadCount: 0 };
                conversations.push(conversation);
            }
            const message = { id: randomUUID(), sessionId: 's1', conversationId: conversation.id, waMessageId: `W${Date.now()}`, direction: 'in', type: 'text', content, status: 'received', error: null, timestamp: now(), senderName: pushName ?? null };
            messages.push(message);
            Object.assign(conversation, { lastMessageAt: message.timestamp, lastMessagePreview: content, unreadCount: conversation.unreadCount + 1 });
            io.emit('message.created', { sessionId: 's1', conversationId: conversation.id, message });
            io.emit('conversation.updated', { conversation });
            return send(res, 201, { waMessageId: message.waMessageId });
        }
        if (parts[1] === 'inbox') return send(res, 200, inbox.get(decodeURIComponent(parts[2])) ?? []);
    }
    return fail(res, 404, 'NOT_FOUND');
});

const io = new Server(server, { path: '/socket.io' });
io.use((socket, next) => (socket.handshake.auth?.token?.startsWith(TOKEN) ? next() : next(new Error('UNAUTHORIZED: bad token'))));

function emitStatus(session) {
    io.emit('session.status', { sessionId: session.id, status: session.status, phoneNumber: session.phoneNumber, reason: null });
}

function rotateQr(session, round = 0) {
    if (session.status !== 'connecting' && session.status !== 'qr') return;
    if (round >= 5) {
        session.status = 'qr_expired';
        session.lastError = { code: 'QR_EXPIRED', message: 'expired', at: now() };
        return emitStatus(session);
    }
    const qr = { qr: `2@${session.id}-${round}-${Date.now()}`, qrDataUrl: qrDataUrl(`${session.id}-${round}`), expiresAt: new Date(Date.now() + 20000).toISOString() };
    qrBySession.set(session.id, qr);
    if (session.status !== 'qr') {
        session.status = 'qr';
        emitStatus(session);
    }
    io.emit('session.qr', { sessionId: session.id, ...qr });
    qrTimers.set(session.id, setTimeout(() => rotateQr(session, round + 1), 20000));
}

server.listen(port, '127.0.0.1', () => process.stdout.write(`mock Charla API on http://127.0.0.1:${port}/dashboard/\n`));
