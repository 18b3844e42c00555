import { Body, Controller, Delete, Get, HttpCode, Param, Post, Put, Query } from '@nestjs/common';
import { ApiBody, ApiOkResponse, ApiOperation, ApiQuery, ApiTags } from '@nestjs/swagger';
import type { EventHandler } from '@app/contracts';
import { Params } from '../http/params';
import { MetadataService } from '../metadata/metadata.service';
import { errorResponses, schemaRef } from '../openapi/openapi.schemas';

/** Conductor's `/api/event`: event handlers. */
@ApiTags('event')
@Controller('api/event')
export class EventController {
  constructor(private readonly metadata: MetadataService) {}

  @Post()
  @HttpCode(200)
  @ApiOperation({ summary: 'Add an event handler (409 if the name exists)' })
  @ApiBody({ schema: schemaRef('EventHandler') })
  @errorResponses(400, 409, 503)
  @ApiOkResponse({ description: 'Added' })
  async add(@Body() body: unknown): Promise<void> {
    await this.metadata.addEventHandler(body as EventHandler);
  }

  @Put()
  @ApiOperation({ summary: 'Update an event handler' })
  @ApiBody({ schema: schemaRef('EventHandler') })
  @errorResponses(400, 404, 503)
  @ApiOkResponse({ description: 'Updated' })
  async update(@Body() body: unknown): Promise<void> {
    await this.metadata.updateEventHandler(body as EventHandler);
  }

  @Get()
  @ApiOperation({ summary: 'All event handlers' })
  @ApiOkResponse({ schema: { type: 'array', items: schemaRef('EventHandler') } })
  all(): Promise<EventHandler[]> {
    return this.metadata.eventHandlers();
  }

  @Get(':event')
  @ApiOperation({ summary: 'Event handlers for an event' })
  @ApiQuery({ name: 'activeOnly', required: false, type: Boolean })
  @ApiOkResponse({ schema: { type: 'array', items: schemaRef('EventHandler') } })
  byEvent(@Param('event') event: string, @Query('activeOnly') activeOnly?: string): Promise<EventHandler[]> {
    const p = new Params();
    const active = p.bool('activeOnly', activeOnly, true);
    p.check();
    return this.metadata.eventHandlers(event, active);
  }

  @Delete(':name')
  @ApiOperation({ summary: 'Delete an event handler' })
  @errorResponses(404, 503)
  @ApiOkResponse({ description: 'Deleted' })
  async remove(@Param('name') name: string): Promise<void> {
    await this.metadata.deleteEventHandler(name);
  }
}
