import { Logger } from '@nestjs/common';
import { Client } from 'pg';

type Listener = (payload: string) => void;

/**
 * One dedicated connection per process that LISTENs on Postgres channels and fans notifications out to
 * in-process subscribers. NOTIFY sent inside a transaction is delivered at commit, so a subscriber never
 * hears about a row it cannot see yet. Reconnects (and re-LISTENs) when the connection drops; subscribers
 * are told via `onReconnect` so they re-check what they may have missed.
 */
export class PgNotificationHub {
  private readonly logger = new Logger(PgNotificationHub.name);
  private readonly listeners = new Map<string, Set<Listener>>();
  private readonly reconnectListeners = new Set<() => void>();
  private client: Client | null = null;
  private closed = false;
  private connecting: Promise<void> | null = null;

  constructor(private readonly url: string) {}

  async subscribe(channel: string, listener: Listener): Promise<() => void> {
    assertChannelName(channel);
    let set = this.listeners.get(channel);
    if (!set) {
      set = new Set();
      this.listeners.set(channel, set);
      await this.ensureConnected();
      await this.client?.query(`LISTEN ${channel}`);
    }
    set.add(listener);
    return () => set?.delete(listener);
  }

  onReconnect(listener: () => void): () => void {
    this.reconnectListeners.add(listener);
    return () => this.reconnectListeners.delete(listener);
  }

  async close(): Promise<void> {
    this.closed = true;
    const client = this.client;
    this.client = null;
    await client?.end().catch(() => undefined);
  }

  private ensureConnected(): Promise<void> {
    if (this.client) return Promise.resolve();
    this.connecting ??= this.connect().finally(() => (this.connecting = null));
    return this.connecting;
  }

  private async connect(): Promise<void> {
    const client = new Client({ connectionString: this.url, application_name: 'baton-listener' });
    client.on('notification', (n) => {
      for (const listener of this.listeners.get(n.channel) ?? []) listener(n.payload ?? '');
    });
    client.on('error', (err) => {
      this.logger.warn(`notification connection lost: ${err.message}`);
      void this.reconnect(client);
    });
    client.on('end', () => void this.reconnect(client));
    await client.connect();
    for (const channel of this.listeners.keys()) await client.query(`LISTEN ${channel}`);
    this.client = client;
  }

  private async reconnect(dead: Client): Promise<void> {
    if (this.closed || this.client !== dead) return;
    this.client = null;
    for (let delay = 100; !this.closed; delay = Math.min(delay * 2, 5000)) {
      try {
        await this.ensureConnected();
        this.reconnectListeners.forEach((l) => l());
        return;
      } catch (err) {
        this.logger.warn(`reconnecting notification listener in ${delay} ms: ${(err as Error).message}`);
        await new Promise((r) => setTimeout(r, delay));
      }
    }
  }
}

function assertChannelName(channel: string): void {
  if (!/^[a-z_][a-z0-9_]*$/.test(channel)) throw new Error(`invalid channel name: ${channel}`);
}
