import { Inject, Injectable, Logger, OnApplicationShutdown } from '@nestjs/common';
import { join } from 'node:path';
import type { AppConfig } from '../config/app-config';
import { APP_CONFIG } from '../config/config.module';

/** The addresses of the WhatsApp Web simulator and the root key its certificate chain is signed with. */
export interface SimulatorEndpoint {
  wsUrl: string;
  controlUrl: string;
  rootPublicKey: Uint8Array;
  /** PEM certificate of the test authority behind the simulator's HTTPS media host. */
  mediaCaPem: string;
}

/**
 * The simulator behind sandbox mode: started in this process with its state under
 * `DATA_DIR/sandbox/`, or reached at `SIMULATOR_URL` when one already runs (`npm run simulator`).
 */
@Injectable()
export class SimulatorHost implements OnApplicationShutdown {
  private readonly logger = new Logger(SimulatorHost.name);
  private endpoint?: SimulatorEndpoint;
  private stopInProcess?: () => Promise<void>;

  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {}

  get enabled(): boolean {
    return this.config.whatsapp.mode === 'sandbox';
  }

  async start(): Promise<SimulatorEndpoint> {
    if (this.endpoint) return this.endpoint;

    if (this.config.whatsapp.simulatorUrl) {
      this.endpoint = await this.fetchInfo(this.config.whatsapp.simulatorUrl);
      this.logger.log({ controlUrl: this.endpoint.controlUrl }, 'Sandbox mode: using the running WhatsApp simulator');
      return this.endpoint;
    }

    const { startSimulator } = await import('@charla/simulator');
    const simulator = await startSimulator({
      port: 0,
      stateDir: join(this.config.paths.dataDir, 'sandbox'),
      log: (level, message, fields) => this.logger[level === 'info' ? 'log' : level === 'warn' ? 'warn' : level === 'error' ? 'error' : 'debug']({ ...fields }, `simulator: ${message}`),
    });
    this.stopInProcess = () => simulator.close();
    this.endpoint = { wsUrl: simulator.wsUrl, controlUrl: simulator.controlUrl, rootPublicKey: simulator.rootPublicKey, mediaCaPem: simulator.mediaCaPem };
    this.logger.log({ wsUrl: simulator.wsUrl }, 'Sandbox mode: started the WhatsApp simulator in this process');
    return this.endpoint;
  }

  get controlUrl(): string {
    if (!this.endpoint) throw new Error('The simulator has not been started');
    return this.endpoint.controlUrl;
  }

  async onApplicationShutdown(): Promise<void> {
    await this.stopInProcess?.();
    this.stopInProcess = undefined;
  }

  private async fetchInfo(baseUrl: string): Promise<SimulatorEndpoint> {
    const url = new URL('/control/info', baseUrl);
    let body: { wsUrl: string; rootPublicKey: string; mediaCa: string };
    try {
      const response = await fetch(url, { signal: AbortSignal.timeout(5000) });
      if (!response.ok) throw new Error(`HTTP ${response.status}`);
      body = (await response.json()) as typeof body;
    } catch (error) {
      throw new Error(`SIMULATOR_URL ${baseUrl} did not respond to ${url.pathname} (${(error as Error).message}). Start it with "npm run simulator" or unset SIMULATOR_URL to run one in this process.`);
    }
    return { wsUrl: body.wsUrl, controlUrl: new URL(baseUrl).origin, rootPublicKey: new Uint8Array(Buffer.from(body.rootPublicKey, 'base64')), mediaCaPem: body.mediaCa };
  }
}
