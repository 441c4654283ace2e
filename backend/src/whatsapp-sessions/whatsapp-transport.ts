import { Logger } from '@nestjs/common';
import type { AppConfig } from '../config/app-config';
import { APP_CONFIG } from '../config/config.module';
import { SimulatorHost } from '../sandbox/simulator-host';
import { BAILEYS, type Baileys } from './baileys.provider';
import { pinCertificateRoot, setStrictSignatureChecks, WHATSAPP_ROOT_PUBLIC_KEY } from './transport-trust';

/** The WebSocket that Baileys connects to: WhatsApp itself (live) or the simulator (sandbox). */
export interface WhatsAppTransport {
  mode: AppConfig['whatsapp']['mode'];
  /** Undefined means Baileys' default, WhatsApp's own server. */
  wsUrl?: string;
  /**
   * Sandbox only: the simulator's test certificate authority, trusted for media uploads and downloads
   * and nothing else. Live mode leaves it unset and uses the system's trusted roots.
   */
  mediaCaPem?: string;
}

export const WHATSAPP_TRANSPORT = Symbol('WHATSAPP_TRANSPORT');

const logger = new Logger('WhatsAppTransport');

export const whatsappTransportProvider = {
  provide: WHATSAPP_TRANSPORT,
  inject: [APP_CONFIG, BAILEYS, SimulatorHost],
  useFactory: async (config: AppConfig, baileys: Baileys, simulator: SimulatorHost): Promise<WhatsAppTransport> => {
    setStrictSignatureChecks(config.whatsapp.verifySignatures);
    if (!config.whatsapp.verifySignatures) {
      logger.warn('WHATSAPP_VERIFY_SIGNATURES=false: the WhatsApp server certificate and the phone signature at pairing are not checked');
    }

    if (config.whatsapp.mode === 'live') {
      // Set even though it is Baileys' default, so a root pinned earlier in this process never carries over.
      pinCertificateRoot(baileys, WHATSAPP_ROOT_PUBLIC_KEY);
      logger.log({ mode: 'live', rootPublicKey: WHATSAPP_ROOT_PUBLIC_KEY.toString('hex') }, "Trusting WhatsApp's Noise certificate root");
      return { mode: 'live', wsUrl: config.whatsapp.wsUrl };
    }

    const endpoint = await simulator.start();
    // Only sandbox mode trusts the simulator's certificate root. Live mode trusts WhatsApp's alone.
    pinCertificateRoot(baileys, endpoint.rootPublicKey);
    logger.log({ mode: 'sandbox', rootPublicKey: Buffer.from(endpoint.rootPublicKey).toString('hex') }, "Trusting the simulator's Noise certificate root");
    return { mode: 'sandbox', wsUrl: endpoint.wsUrl, mediaCaPem: endpoint.mediaCaPem };
  },
};
