import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { SimulatorOptions, WhatsAppSimulator } from '@charla/simulator';
import { installLibsignalConsoleFilter } from '../../src/common/libsignal-console';

export interface TestSimulator {
  simulator: WhatsAppSimulator;
  /** Stops the simulator but keeps its state, as if WhatsApp's server went away. */
  stopServerOnly(): Promise<void>;
  /** Starts it again on the same port with the same state. */
  restartServerOnly(): Promise<void>;
  stop(): Promise<void>;
}

export type TestSimulatorOptions = Pick<SimulatorOptions, 'qrTimeoutMs' | 'qrRefCount' | 'untrustedCertRoot' | 'forgeAccountSignature'>;

/** A WhatsApp simulator on 127.0.0.1 that outlives app restarts within one test file. */
export async function startTestSimulator(options: TestSimulatorOptions = {}): Promise<TestSimulator> {
  const stateDir = mkdtempSync(join(tmpdir(), 'charla-sim-'));
  // The simulated phones run libsignal too; their session dumps stay out of the test output.
  installLibsignalConsoleFilter();
  const { startSimulator } = await import('@charla/simulator');
  const log = process.env.DUMP_SIMULATOR ? (level: string, message: string, fields?: object) => process.stderr.write(`SIM ${level} ${message} ${JSON.stringify(fields ?? {})}\n`) : undefined;
  let simulator = await startSimulator({ port: 0, stateDir, log, ...options });
  const port = Number(new URL(simulator.controlUrl).port);
  let running = true;

  const handle: TestSimulator = {
    get simulator() {
      return simulator;
    },
    stopServerOnly: async () => {
      await simulator.close();
      running = false;
    },
    restartServerOnly: async () => {
      simulator = await startSimulator({ port, stateDir, log, ...options });
      running = true;
    },
    stop: async () => {
      if (running) await simulator.close();
      rmSync(stateDir, { recursive: true, force: true });
    },
  };
  return handle;
}
