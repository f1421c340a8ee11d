import { AsyncLocalStorage } from 'node:async_hooks';
import winston from 'winston';

export type Logger = winston.Logger;
export type LogContext = { requestId?: string; jobId?: string };

const context = new AsyncLocalStorage<LogContext>();

/**
 * Runs `fn` with fields (a request id, a job id) that every log line written inside it carries,
 * however deep the call: no logger has to be threaded through by hand.
 */
export function withLogContext<T>(fields: LogContext, fn: () => T): T {
  return context.run({ ...context.getStore(), ...fields }, fn);
}

export function currentLogContext(): LogContext {
  return context.getStore() ?? {};
}

const addContext = winston.format((info) => Object.assign(info, context.getStore()));

/** Structured JSON logs (one object per line) so log shippers can index fields without parsing. */
export function createLogger(service: string, level = 'info'): Logger {
  return winston.createLogger({
    level,
    defaultMeta: { service },
    format: winston.format.combine(addContext(), winston.format.timestamp(), winston.format.errors({ stack: true }), winston.format.json()),
    transports: [new winston.transports.Console({ stderrLevels: ['error', 'warn', 'info', 'debug'] })],
  });
}

/** For library callers and tests that want no output. */
export function createSilentLogger(): Logger {
  return winston.createLogger({ silent: true, transports: [new winston.transports.Console()] });
}
