import type { Provider } from '@nestjs/common';
import type { AppConfig } from '../config/app-config';
import { APP_CONFIG } from '../config/config.module';
import { AuthStateStore, FileAuthStateStore } from './auth-state.store';
import { DatabaseAuthStateStore } from './database-auth-state.store';

/** Provides `AuthStateStore` as the store that AUTH_STATE_STORE names; this is the only place that chooses. */
export const authStateStoreProvider: Provider = {
  provide: AuthStateStore,
  inject: [APP_CONFIG, FileAuthStateStore, DatabaseAuthStateStore],
  useFactory: (config: AppConfig, file: FileAuthStateStore, database: DatabaseAuthStateStore): AuthStateStore =>
    config.whatsapp.authStateStore === 'database' ? database : file,
};
