export * from './message-bus';
export * from './bus.module';
export * from './in-process/in-process.broker';
export * from './in-process/in-process.bus';
export * from './in-process/in-process.server';
export * from './kafka/kafka.bus';
export * from './replies';
export * from './shard-ownership';
