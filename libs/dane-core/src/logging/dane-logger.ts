import { ConsoleLogger, LogLevel } from '@nestjs/common';
import { DaneConfig } from '@dane/protocol';

const LEVELS: Record<string, LogLevel[]> = {
  DEBUG: ['fatal', 'error', 'warn', 'log', 'debug', 'verbose'],
  INFO: ['fatal', 'error', 'warn', 'log'],
  WARNING: ['fatal', 'error', 'warn'],
  ERROR: ['fatal', 'error'],
};

/** Our log calls pass `JSON.stringify({event, …})`: emit those as objects, not as strings inside JSON. */
class StructuredLogger extends ConsoleLogger {
  override log(message: unknown, ...rest: unknown[]) {
    super.log(structured(message), ...rest);
  }
  override warn(message: unknown, ...rest: unknown[]) {
    super.warn(structured(message), ...rest);
  }
  override error(message: unknown, ...rest: unknown[]) {
    super.error(structured(message), ...rest);
  }
  override debug(message: unknown, ...rest: unknown[]) {
    super.debug(structured(message), ...rest);
  }
  override fatal(message: unknown, ...rest: unknown[]) {
    super.fatal(structured(message), ...rest);
  }
}

function structured(message: unknown): unknown {
  if (typeof message !== 'string' || !message.startsWith('{')) return message;
  try {
    return JSON.parse(message);
  } catch {
    return message;
  }
}

/**
 * The process logger of every app: one JSON object per line (LOGGING.FORMAT `json`, the default) at
 * LOGGING.LEVEL (DEBUG, INFO, WARNING, ERROR, as in the original's config).
 */
export function daneLogger(config: DaneConfig): ConsoleLogger {
  const level = String(config.LOGGING?.LEVEL ?? 'INFO').toUpperCase();
  return new StructuredLogger({ json: config.LOGGING?.FORMAT !== 'text', logLevels: LEVELS[level] ?? LEVELS.INFO });
}
