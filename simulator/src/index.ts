export { startSimulator } from './server';
export type { SimulatorOptions, WhatsAppSimulator } from './server';
export type { LogFn, LogLevel } from './log';
