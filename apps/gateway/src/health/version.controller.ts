import { Controller, Get, Header } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { BATON_VERSION } from '@app/contracts';
import { textResponse } from '../openapi/openapi.schemas';

/** Conductor's `GET /api/version`: the server's version, as text. */
@ApiTags('version')
@Controller('api/version')
export class VersionController {
  @Get()
  @Header('Content-Type', 'text/plain')
  @ApiOperation({ summary: "The server's version, as text" })
  @textResponse('The version')
  version(): string {
    return BATON_VERSION;
  }
}
