import type { AppConfig } from '../config/app-config';
import { APP_CONFIG } from '../config/config.module';
import { SimulatorHost } from '../sandbox/simulator-host';
import { BAILEYS, type Baileys } from './baileys.provider';

/** The WebSocket that Baileys connects to: WhatsApp itself (live) or the simulator (sandbox). */
export interface WhatsAppTransport {
  mode: AppConfig['whatsapp']['mode'];
  /** Undefined means Baileys' default, WhatsApp's own server. */
  wsUrl?: string;
}

export const WHATSAPP_TRANSPORT = Symbol('WHATSAPP_TRANSPORT');

export const whatsappTransportProvider = {
  provide: WHATSAPP_TRANSPORT,
  inject: [APP_CONFIG, BAILEYS, SimulatorHost],
  useFactory: async (config: AppConfig, baileys: Baileys, simulator: SimulatorHost): Promise<WhatsAppTransport> => {
    if (config.whatsapp.mode === 'live') return { mode: 'live', wsUrl: config.whatsapp.wsUrl };

    const endpoint = await simulator.start();
    // Only sandbox mode trusts the simulator's certificate root; live mode keeps WhatsApp's.
    baileys.WA_CERT_DETAILS.PUBLIC_KEY = Buffer.from(endpoint.rootPublicKey);
    return { mode: 'sandbox', wsUrl: endpoint.wsUrl };
  },
};
