import { PartitionMetadata, Partitioners } from 'kafkajs';
import { laneOf } from './in-process/in-process.broker';

/**
 * Which shards (Kafka partitions, or in-process lanes) of a topic this process owns, and which shard a key
 * falls on. State that is owned like the messages of a key — durable timers, expiring leases — is tagged
 * with its key's shard, so the process that consumes the key is the one that looks after it, and a
 * rebalance hands it over with the partition.
 */
export abstract class ShardOwnership {
  /** Shards per topic (the partition or lane count). */
  abstract readonly count: number;
  /** The shard `key` falls on: the same on every process, as the producer's partitioner computes it. */
  abstract shardOf(key: string): number;
  /** The shards of `topic` this process consumes now (empty before the first assignment). */
  abstract owned(topic: string): readonly number[];
}

/** In-process: one process consumes every lane. */
export class InProcessShardOwnership extends ShardOwnership {
  private readonly all: readonly number[];

  constructor(readonly count: number) {
    super();
    this.all = Array.from({ length: count }, (_, i) => i);
  }

  shardOf(key: string): number {
    return laneOf(key, this.count);
  }

  owned(): readonly number[] {
    return this.all;
  }
}

/**
 * Kafka: shards are partitions, computed with the producer's own (Java-compatible murmur2) partitioner;
 * ownership follows the consumer group's assignment, updated after every rebalance.
 */
export class KafkaShardOwnership extends ShardOwnership {
  private readonly partitioner = Partitioners.DefaultPartitioner();
  private readonly partitionMetadata: PartitionMetadata[];
  private assignment = new Map<string, readonly number[]>();

  constructor(readonly count: number) {
    super();
    this.partitionMetadata = Array.from({ length: count }, (_, partitionId) => ({ partitionId, leader: 0, partitionErrorCode: 0, replicas: [0], isr: [0] }));
  }

  shardOf(key: string): number {
    return this.partitioner({ topic: '', partitionMetadata: this.partitionMetadata, message: { key, value: null } });
  }

  owned(topic: string): readonly number[] {
    return this.assignment.get(topic) ?? [];
  }

  /** Called with the contract topic names (prefix removed) after each rebalance. */
  assigned(assignment: ReadonlyMap<string, readonly number[]>): void {
    this.assignment = new Map(assignment);
  }

  /** This member left the group (shutdown or a lost session): it owns nothing until it rejoins. */
  revoked(): void {
    this.assignment = new Map();
  }
}
