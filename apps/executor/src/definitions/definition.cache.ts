import { Inject, Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { NotificationChannel } from '@app/contracts';
import { PgNotificationHub } from '@app/persistence';
import { Clock } from '@app/runtime';

/** A safety net only: invalidation normally comes with the change itself. */
const TTL_MS = 5 * 60_000;
const MAX_ENTRIES = 10_000;

/**
 * Definitions the executor read recently, by `<kind>:<name>` and a sub-key (a version, `latest`). The
 * metadata app NOTIFYs every change in its own transaction, so an entry is dropped as soon as its change
 * commits; after a lost listener connection everything is dropped, since notifications may have been missed.
 */
@Injectable()
export class DefinitionCache implements OnModuleInit {
  private readonly logger = new Logger(DefinitionCache.name);
  private readonly entries = new Map<string, Map<string, { value: unknown; expiresAt: number }>>();
  /** Bumped on every invalidation: a load that began before one may hold what it invalidated. */
  private readonly generations = new Map<string, number>();
  private epoch = 0;
  private size = 0;

  constructor(
    @Inject(PgNotificationHub) private readonly hub: PgNotificationHub,
    private readonly clock: Clock,
  ) {}

  async onModuleInit(): Promise<void> {
    await this.hub.subscribe(NotificationChannel.Definitions, (changed) => {
      this.invalidate(changed);
      // `<kind>:*` holds what was read across a kind (every active event handler): any change of the kind drops it.
      this.invalidate(`${changed.slice(0, changed.indexOf(':'))}:*`);
    });
    this.hub.onReconnect(() => this.clear());
  }

  async get<T>(owner: string, key: string, load: () => Promise<T>): Promise<T> {
    const hit = this.entries.get(owner)?.get(key);
    if (hit && hit.expiresAt > this.clock.now()) return hit.value as T;
    const generation = this.generationOf(owner);
    const value = await load();
    if (value !== null && value !== undefined && this.generationOf(owner) === generation) this.put(owner, key, value);
    return value;
  }

  invalidate(owner: string): void {
    this.generations.set(owner, (this.generations.get(owner) ?? 0) + 1);
    const dropped = this.entries.get(owner);
    if (!dropped) return;
    this.size -= dropped.size;
    this.entries.delete(owner);
  }

  clear(): void {
    this.epoch++;
    this.entries.clear();
    this.generations.clear();
    this.size = 0;
  }

  private generationOf(owner: string): string {
    return `${this.epoch}.${this.generations.get(owner) ?? 0}`;
  }

  private put(owner: string, key: string, value: unknown): void {
    if (this.size >= MAX_ENTRIES) {
      this.logger.debug(`definition cache full (${this.size}); starting over`);
      this.clear();
    }
    let byKey = this.entries.get(owner);
    if (!byKey) this.entries.set(owner, (byKey = new Map()));
    if (!byKey.has(key)) this.size++;
    byKey.set(key, { value, expiresAt: this.clock.now() + TTL_MS });
  }
}
