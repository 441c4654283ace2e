import { createServer, IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface RecordedRequest {
  path: string;
  headers: IncomingMessage['headers'];
  body: any;
  /** The body as received, for checking a signature. */
  rawBody: string;
}

/** `ok` answers with `reply`; `fail` answers HTTP 500; `hang` never answers. */
export type FakeModelMode = 'ok' | 'fail' | 'hang';

/**
 * A model server on 127.0.0.1 that speaks the two HTTP APIs the LLM hook uses: OpenAI's
 * `POST /v1/chat/completions` and Anthropic's `POST /v1/messages`. `POST /hook` replies as a
 * webhook hook does, with `{"reply": …}`. It records every request.
 */
export class FakeModelServer {
  readonly requests: RecordedRequest[] = [];
  mode: FakeModelMode = 'ok';
  reply = 'Hola, soy el asistente.';
  private readonly server: Server;
  private readonly hanging = new Set<ServerResponse>();

  constructor() {
    this.server = createServer((request, response) => this.handle(request, response));
  }

  async start(): Promise<string> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  requestsTo(path: string): RecordedRequest[] {
    return this.requests.filter((request) => request.path === path);
  }

  async stop(): Promise<void> {
    for (const response of this.hanging) response.destroy();
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private handle(request: IncomingMessage, response: ServerResponse): void {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      this.requests.push({ path: request.url ?? '', headers: request.headers, body: text ? JSON.parse(text) : null, rawBody: text });
      if (this.mode === 'hang') {
        this.hanging.add(response);
        return;
      }
      if (this.mode === 'fail') {
        response.writeHead(500, { 'content-type': 'application/json' }).end(JSON.stringify({ error: { message: 'fake model failure', type: 'server_error' } }));
        return;
      }
      if (request.url === '/hook') {
        response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ reply: this.reply }));
        return;
      }
      const body =
        request.url === '/v1/messages'
          ? {
              id: 'msg_fake',
              type: 'message',
              role: 'assistant',
              model: 'claude-fake',
              content: [{ type: 'text', text: this.reply }],
              stop_reason: 'end_turn',
              stop_sequence: null,
              usage: { input_tokens: 120, output_tokens: 30 },
            }
          : {
              id: 'chatcmpl-fake',
              object: 'chat.completion',
              created: Math.floor(Date.now() / 1000),
              model: 'gpt-fake',
              choices: [{ index: 0, message: { role: 'assistant', content: this.reply }, finish_reason: 'stop' }],
              usage: { prompt_tokens: 100, completion_tokens: 20, total_tokens: 120 },
            };
      response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    });
  }
}
