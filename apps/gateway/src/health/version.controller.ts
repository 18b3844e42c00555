import { Controller, Get, Header } from '@nestjs/common';
import { BATON_VERSION } from '@app/contracts';

/** Conductor's `GET /api/version`: the server's version, as text. */
@Controller('api/version')
export class VersionController {
  @Get()
  @Header('Content-Type', 'text/plain')
  version(): string {
    return BATON_VERSION;
  }
}
