import { Controller, Get, HttpStatus, Res } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { DataSource } from 'typeorm';
import { schemaRef } from '../openapi/openapi.schemas';

/** `GET /health` and `/api/health`: Conductor's health body; unhealthy (503) when the database is not answering. */
@ApiTags('health')
@Controller()
export class HealthController {
  constructor(private readonly dataSource: DataSource) {}

  @Get(['health', 'api/health'])
  @ApiOperation({ summary: 'Whether the server can serve: healthy when its database answers' })
  @ApiOkResponse({ schema: schemaRef('HealthCheckStatus'), description: '`healthy: true`' })
  @ApiResponse({ status: 503, schema: schemaRef('HealthCheckStatus'), description: '`healthy: false`: the database does not answer' })
  async health(@Res() res: Response): Promise<void> {
    try {
      await this.dataSource.query('SELECT 1');
      res.status(HttpStatus.OK).json({ healthy: true, healthResults: [], suppressedHealthResults: [] });
    } catch (err) {
      res.status(HttpStatus.SERVICE_UNAVAILABLE).json({
        healthy: false,
        healthResults: [{ healthy: false, details: { database: (err as Error).message } }],
        suppressedHealthResults: [],
      });
    }
  }
}
