import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { WhatsAppSimulator } from '@charla/simulator';

/** A WhatsApp simulator on 127.0.0.1 that outlives app restarts within one test file. */
export async function startTestSimulator(): Promise<{ simulator: WhatsAppSimulator; stop(): Promise<void> }> {
  const stateDir = mkdtempSync(join(tmpdir(), 'charla-sim-'));
  const { startSimulator } = await import('@charla/simulator');
  const simulator = await startSimulator({ port: 0, stateDir });
  return {
    simulator,
    stop: async () => {
      await simulator.close();
      rmSync(stateDir, { recursive: true, force: true });
    },
  };
}
