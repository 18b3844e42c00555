import { Body, Controller, Get, HttpCode, Inject, Post, Query, UseFilters } from '@nestjs/common';
import { ApiBody, ApiConsumes, ApiOkResponse, ApiOperation, ApiQuery, ApiTags } from '@nestjs/swagger';
import { AddRillDescriptorCommand, BatonError, CommandReply, ErrorCode, MetadataReplies, Topic, unwrapReply } from '@app/contracts';
import { MessageBus, ownerDeadlineMs } from '@app/bus';
import { DefinitionQueries } from '@app/persistence';
import { Clock, IdGenerator } from '@app/runtime';
import { rillErrorResponses, schemaRef } from '../openapi/openapi.schemas';
import { DEFAULT_ALIAS, RillDescriptors } from './rill-descriptors';
import { RillFlowErrorFilter } from './rill-flow.filter';


/**
 * Rill Flow's descriptor management (`/flow/bg/manage/descriptor`): register a YAML DAG, read it back by
 * descriptor id (`business:feature`, optionally `:alias` or `:v<version>`), list its versions.
 */
@ApiTags('rill-flow')
@Controller('flow/bg/manage/descriptor')
@UseFilters(RillFlowErrorFilter)
export class RillFlowController {
  constructor(
    @Inject(MessageBus) private readonly bus: MessageBus,
    private readonly queries: DefinitionQueries,
    private readonly descriptors: RillDescriptors,
    private readonly clock: Clock,
    private readonly ids: IdGenerator,
  ) {}

  @Post('add_descriptor.json')
  @HttpCode(200)
  @ApiOperation({ summary: 'Register a Rill Flow DAG (YAML body); returns {"ret": true, "descriptor_id": "<business>:<feature>"}' })
  @ApiQuery({ name: 'business_id' })
  @ApiQuery({ name: 'feature_name' })
  @ApiQuery({ name: 'alias', required: false, description: `defaults to ${DEFAULT_ALIAS}` })
  @ApiBody({ description: 'The DAG as YAML (a JSON object is taken too: JSON is YAML)', schema: { type: 'string' } })
  @ApiConsumes('text/plain', 'application/yaml')
  @ApiOkResponse({ schema: schemaRef('RillDescriptorAdded') })
  @rillErrorResponses(400, 503)
  async addDescriptor(
    @Body() body: unknown,
    @Query('business_id') businessId?: string,
    @Query('feature_name') featureName?: string,
    @Query('alias') alias?: string,
  ): Promise<{ ret: true; descriptor_id: string; version: number }> {
    const command: AddRillDescriptorCommand = {
      type: 'rill.descriptor.add',
      commandId: this.ids.next(),
      issuedAt: this.clock.now(),
      deadline: this.clock.now() + ownerDeadlineMs(this.bus),
      businessId: businessId ?? '',
      featureName: featureName ?? '',
      alias: alias || DEFAULT_ALIAS,
      // JSON is YAML: a client that posts the DAG as JSON is served too.
      yaml: typeof body === 'string' ? body : body && typeof body === 'object' && Object.keys(body).length ? JSON.stringify(body) : '',
    };
    const reply = await this.bus.request<CommandReply<MetadataReplies['rill.descriptor.add']>>({
      topic: Topic.MetadataCommands,
      key: `${command.businessId}:${command.featureName}`,
      value: command,
    });
    const { descriptorId, version } = unwrapReply(reply);
    return { ret: true, descriptor_id: descriptorId, version };
  }

  @Get('get_descriptor.json')
  @ApiOperation({ summary: 'A registered DAG: its YAML and its translation into Baton’s model' })
  @ApiQuery({ name: 'descriptor_id', description: '<business>:<feature>[:<alias>|:v<version>]' })
  @ApiOkResponse({ schema: schemaRef('RillDescriptor') })
  @rillErrorResponses(400, 404)
  async getDescriptor(@Query('descriptor_id') descriptorId?: string) {
    const found = await this.descriptors.resolve(descriptorId);
    return { ret: true, descriptor_id: found.descriptorId, version: found.version, create_time: found.createTime, descriptor: found.yaml, dag: found.dag };
  }

  @Get('get_version.json')
  @ApiOperation({ summary: 'Versions of a DAG and the aliases pointing at each' })
  @ApiQuery({ name: 'business_id' })
  @ApiQuery({ name: 'feature_name' })
  @ApiOkResponse({ schema: schemaRef('RillDescriptorVersions') })
  @rillErrorResponses(400, 404)
  async getVersions(@Query('business_id') businessId?: string, @Query('feature_name') featureName?: string) {
    if (!businessId || !featureName) {
      throw new BatonError(ErrorCode.ValidationFailed, 'business_id and feature_name are required', [
        ...(businessId ? [] : [{ path: 'business_id', message: 'business_id is required' }]),
        ...(featureName ? [] : [{ path: 'feature_name', message: 'feature_name is required' }]),
      ]);
    }
    const versions = await this.queries.rillDescriptorVersions(businessId, featureName);
    if (!versions.length) throw new BatonError(ErrorCode.RillDescriptorNotFound, `No descriptor found for ${businessId}:${featureName}`);
    return { ret: true, descriptor_id: `${businessId}:${featureName}`, versions: versions.map((v) => ({ version: v.version, create_time: v.createTime, aliases: v.aliases })) };
  }
}
