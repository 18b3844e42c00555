import { Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';

/** The wall clock, injectable so services can be tested at a fixed time. */
@Injectable()
export class Clock {
  now(): number {
    return Date.now();
  }
}

/** Random ids (workflow ids, event ids), injectable for the same reason. */
@Injectable()
export class IdGenerator {
  next(): string {
    return randomUUID();
  }
}
