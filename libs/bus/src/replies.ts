import { Logger } from '@nestjs/common';
import { BatonError, CommandReply, ErrorCode, isExpired, replyError, replyOk } from '@app/contracts';

const logger = new Logger('CommandHandler');

// Postgres SQLSTATE classes that mean "try again": connection (08), resources (53), operator
// intervention such as a shutdown (57), serialization failures (40).
const TRANSIENT_SQLSTATE = /^(08|53|57|40)/;
const TRANSIENT_NODE_ERRORS = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND']);

/**
 * Turns whatever a command handler threw into a reply: a domain error keeps its code; a database or
 * network failure is UNAVAILABLE (the requester may retry); anything else is INTERNAL and logged, since
 * it is a bug.
 */
export function toErrorReply(err: unknown, what: string): CommandReply<never> {
  if (err instanceof BatonError) return replyError(err);
  const code = (err as { code?: unknown })?.code;
  if (typeof code === 'string' && code.startsWith('22')) {
    // A data exception (value too long, out of range, bad encoding): the input did not fit; nothing was written.
    logger.warn(`${what} rejected by the database: ${(err as Error).message}`);
    return replyError(new BatonError(ErrorCode.InvalidArgument, `Invalid input: ${(err as Error).message}`));
  }
  if (typeof code === 'string' && (TRANSIENT_SQLSTATE.test(code) || TRANSIENT_NODE_ERRORS.has(code))) {
    logger.warn(`${what} failed transiently: ${(err as Error).message}`);
    return replyError(new BatonError(ErrorCode.Unavailable, `Service temporarily unavailable: ${(err as Error).message}`));
  }
  logger.error(`${what} failed: ${(err as Error)?.stack ?? String(err)}`);
  return replyError(new BatonError(ErrorCode.Internal, `Internal error while handling ${what}`));
}

/**
 * Answers a command: refuses it if its requester already gave up (its deadline passed), otherwise runs it
 * and replies with the result or the error it ended in.
 */
export async function answerCommand<C extends { type?: string; deadline?: number }>(
  command: C,
  now: number,
  what: string,
  run: (command: C) => unknown,
): Promise<CommandReply<unknown>> {
  try {
    if (isExpired(command, now)) {
      throw new BatonError(ErrorCode.Unavailable, `${command.type} arrived after its requester stopped waiting; nothing was done`);
    }
    return replyOk(await run(command));
  } catch (err) {
    return toErrorReply(err, `${what} ${command?.type}`);
  }
}
