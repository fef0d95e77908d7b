import { EventEmitter } from 'node:events';
import { Logger } from '@nestjs/common';
import { Client } from 'pg';
import { SqlExecutor } from './sql-client';
import type { ConnectionOptions } from 'node:tls';

/** Wakes dispatchers when tasks became runnable, so they need not poll tightly. */
export interface RunnableNotifier {
  notify(): Promise<void>;
  subscribe(listener: () => void): Promise<() => void>;
  close(): Promise<void>;
}

const EVENT = 'runnable';

/** PGlite lives in one process, so an in-process event is all it takes. */
export class LocalRunnableNotifier implements RunnableNotifier {
  private readonly events = new EventEmitter();

  async notify(): Promise<void> {
    this.events.emit(EVENT);
  }

  async subscribe(listener: () => void): Promise<() => void> {
    this.events.on(EVENT, listener);
    return () => this.events.off(EVENT, listener);
  }

  async close(): Promise<void> {
    this.events.removeAllListeners();
  }
}

export const RUNNABLE_CHANNEL = 'dane_runnable';
/** Shown in pg_stat_activity; the pid tells replicas (and test processes) apart. */
export const LISTENER_APPLICATION_NAME = `dane-runnable-listener pid ${process.pid}`;
const FIRST_RETRY_MS = 200;
const MAX_RETRY_MS = 30_000;

/**
 * PostgreSQL NOTIFY/LISTEN across processes. LISTEN needs a connection of its own (a pooled one
 * would be handed to other queries), opened at the first subscription. When it drops it is opened
 * again with exponential back-off; listeners are then woken once, as notifications sent while it
 * was down are lost.
 */
export class PostgresRunnableNotifier implements RunnableNotifier {
  private readonly logger = new Logger('PostgresStore');
  private readonly events = new EventEmitter();
  private client: Client | null = null;
  private connecting: Promise<void> | null = null;
  private retryTimer: NodeJS.Timeout | null = null;
  private retryMs = FIRST_RETRY_MS;
  private closed = false;

  constructor(
    private readonly url: string,
    private readonly where: string,
    private readonly db: SqlExecutor,
    private readonly ssl?: ConnectionOptions,
  ) {}

  async notify(): Promise<void> {
    await this.db.query(`NOTIFY ${RUNNABLE_CHANNEL}`);
  }

  async subscribe(listener: () => void): Promise<() => void> {
    this.events.on(EVENT, listener);
    if (!this.client && !this.retryTimer) await (this.connecting ??= this.listen());
    return () => this.events.off(EVENT, listener);
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.retryTimer = null;
    await this.connecting;
    const client = this.client;
    this.client = null;
    this.events.removeAllListeners();
    await client?.end().catch(() => undefined);
  }

  private async listen(): Promise<void> {
    const client = new Client({ connectionString: this.url, application_name: LISTENER_APPLICATION_NAME, ...(this.ssl ? { ssl: this.ssl } : {}) });
    client.on('notification', () => this.events.emit(EVENT));
    client.on('error', (err) => this.dropped(client, err));
    client.on('end', () => this.dropped(client));
    try {
      await client.connect();
      await client.query(`LISTEN ${RUNNABLE_CHANNEL}`);
      if (this.closed) {
        await client.end();
        return;
      }
      this.client = client;
      this.retryMs = FIRST_RETRY_MS;
    } catch (err) {
      client.removeAllListeners('end');
      await client.end().catch(() => undefined);
      this.logger.warn(`Cannot LISTEN on ${this.where}: ${(err as Error).message}; retrying in ${this.retryMs} ms`);
      this.scheduleRetry();
    } finally {
      this.connecting = null;
    }
  }

  private dropped(client: Client, err?: Error): void {
    if (client !== this.client) return;
    this.client = null;
    client.end().catch(() => undefined);
    if (this.closed) return;
    this.logger.warn(`LISTEN connection to ${this.where} lost${err ? `: ${err.message}` : ''}; reconnecting`);
    this.scheduleRetry();
  }

  private scheduleRetry(): void {
    if (this.closed || this.retryTimer) return;
    const delay = this.retryMs;
    this.retryMs = Math.min(this.retryMs * 2, MAX_RETRY_MS);
    this.retryTimer = setTimeout(() => {
      this.retryTimer = null;
      this.connecting = this.listen().then(() => {
        if (this.client) {
          this.logger.log(`LISTEN on ${this.where} restored`);
          this.events.emit(EVENT);
        }
      });
    }, delay);
    this.retryTimer.unref();
  }
}
