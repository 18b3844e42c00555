import { Controller, Get, HttpStatus, Res } from '@nestjs/common';
import type { Response } from 'express';
import { DataSource } from 'typeorm';

/** `GET /health` and `/api/health`: Conductor's health body; unhealthy (503) when the database is not answering. */
@Controller()
export class HealthController {
  constructor(private readonly dataSource: DataSource) {}

  @Get(['health', 'api/health'])
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
