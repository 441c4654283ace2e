import { ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';

/** The compiled app (`backend/dist/main.js`) as a separate process, for signal and restart tests. */
export class AppProcess {
  readonly output: string[] = [];
  private child?: ChildProcess;
  url = '';

  constructor(private readonly env: NodeJS.ProcessEnv) {}

  async start(): Promise<void> {
    const main = join(__dirname, '../../dist/main.js');
    if (!existsSync(main)) throw new Error(`${main} is missing: build the backend first with "npm run build -w backend" (the root "npm test" does).`);
    const port = await freePort();
    this.url = `http://127.0.0.1:${port}`;
    this.child = spawn(process.execPath, [main], {
      env: { PATH: process.env.PATH, ...this.env, PORT: String(port) },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.child.stdout!.on('data', (chunk: Buffer) => this.output.push(chunk.toString()));
    this.child.stderr!.on('data', (chunk: Buffer) => this.output.push(chunk.toString()));

    const deadline = Date.now() + 30_000;
    while (!this.output.join('').includes('Charla is listening')) {
      if (this.child.exitCode !== null) throw new Error(`The app exited with ${this.child.exitCode}:\n${this.output.join('')}`);
      if (Date.now() > deadline) throw new Error(`The app did not start in 30 s:\n${this.output.join('')}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  /** Sends SIGTERM and resolves with the exit code. */
  async terminate(): Promise<number | null> {
    const child = this.child;
    if (!child || child.exitCode !== null) return child?.exitCode ?? null;
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    child.kill('SIGTERM');
    return exited;
  }
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}
