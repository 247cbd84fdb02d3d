import { pino } from 'pino';
import type { Config } from './config.js';

export type Logger = pino.Logger;

/** JSON logs, one line per entry; the API's Fastify instance logs through the same logger. */
export const createLogger = (config: Pick<Config, 'logLevel'>): Logger =>
  pino({ level: config.logLevel, base: { service: 'tributary' } });
