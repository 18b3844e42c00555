import { Type } from 'class-transformer';
import { IsInt, IsOptional, Max, Min } from 'class-validator';
import { parseEnv } from '@app/runtime';

/** The change stream's settings (`GET /api/workflow/{id}/stream`), from the environment. */
class StreamEnv {
  /**
   * With no change for this long, a comment line keeps proxies from closing the stream and the workflow is
   * read once more (a notification lost to a database reconnect is caught here). The e2e suites set it far
   * out, so a change that reaches a client can only have been pushed.
   */
  @IsOptional()
  @Type(() => Number)
  @IsInt({ message: 'BATON_STREAM_HEARTBEAT_MS must be an integer' })
  @Min(1000)
  @Max(3_600_000)
  BATON_STREAM_HEARTBEAT_MS = 15_000;
}

export interface StreamConfig {
  readonly heartbeatMs: number;
}

export const STREAM_CONFIG = Symbol('StreamConfig');

export function streamConfigFrom(env: NodeJS.ProcessEnv): StreamConfig {
  return { heartbeatMs: parseEnv(StreamEnv, env, 'gateway').BATON_STREAM_HEARTBEAT_MS };
}
