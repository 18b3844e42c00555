import { Body, Controller, Get, HttpCode, Inject, Post, Query, UseFilters } from '@nestjs/common';
import { ApiBody, ApiConsumes, ApiOkResponse, ApiOperation, ApiQuery, ApiTags } from '@nestjs/swagger';
import {
  AddRillDescriptorCommand,
  BatonError,
  CommandReply,
  ErrorCode,
  MetadataReplies,
  ModifyRillAliasCommand,
  ModifyRillBusinessCommand,
  ModifyRillFeatureCommand,
  ModifyRillGrayCommand,
  Topic,
  unwrapReply,
  ValidationErrorItem,
} from '@app/contracts';
import { MessageBus, ownerDeadlineMs } from '@app/bus';
import { DefinitionQueries } from '@app/persistence';
import { Clock, IdGenerator } from '@app/runtime';
import { Params } from '../http/params';
import { intQuery, rillErrorResponses, schemaRef } from '../openapi/openapi.schemas';
import { DEFAULT_ALIAS, RillDescriptors } from './rill-descriptors';
import { RillFlowErrorFilter } from './rill-flow.filter';
import { compileGrayRule } from './rill-gray';

const MANAGE = 'manage/descriptor';

/** What a modify_*.json reads, from the query or (as Spring's @RequestParam does) a form body. */
const formFields = (...names: string[]) => ({
  required: false,
  description: 'The same parameters as a form (application/x-www-form-urlencoded) instead of the query; the query wins',
  schema: { type: 'object', properties: Object.fromEntries(names.map((n) => [n, { type: 'string' }])) },
});
const ADD_QUERY = { name: 'add', schema: { type: 'boolean' }, description: 'true to add, false to remove' } as const;

type Modify = ModifyRillBusinessCommand | ModifyRillFeatureCommand | ModifyRillAliasCommand | ModifyRillGrayCommand;

/**
 * Rill Flow's descriptor management (`/flow/bg/manage/descriptor`): register a YAML DAG, read it back by
 * descriptor id (`business:feature`, optionally `:alias` or `:v<version>`), list its versions; the business,
 * feature and alias listings and the aliases' gray rules; and the back office's DAG list
 * (`/flow/bg/get_descriptor_ids.json`). Writes go to the metadata app as commands; reads come from its
 * query module.
 */
@ApiTags('rill-flow')
@Controller('flow/bg')
@UseFilters(RillFlowErrorFilter)
export class RillFlowController {
  constructor(
    @Inject(MessageBus) private readonly bus: MessageBus,
    private readonly queries: DefinitionQueries,
    private readonly descriptors: RillDescriptors,
    private readonly clock: Clock,
    private readonly ids: IdGenerator,
  ) {}

  @Post(`${MANAGE}/add_descriptor.json`)
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
    const { descriptorId, version } = await this.send<AddRillDescriptorCommand>(
      {
        type: 'rill.descriptor.add',
        businessId: businessId ?? '',
        featureName: featureName ?? '',
        alias: alias || DEFAULT_ALIAS,
        // JSON is YAML: a client that posts the DAG as JSON is served too.
        yaml: typeof body === 'string' ? body : body && typeof body === 'object' && Object.keys(body).length ? JSON.stringify(body) : '',
      },
      `${businessId ?? ''}:${featureName ?? ''}`,
    );
    return { ret: true, descriptor_id: descriptorId, version };
  }

  @Get(`${MANAGE}/get_descriptor.json`)
  @ApiOperation({ summary: 'A registered DAG: its YAML and its translation into Baton’s model' })
  @ApiQuery({ name: 'descriptor_id', description: '<business>:<feature>[:<alias>|:v<version>]' })
  @ApiOkResponse({ schema: schemaRef('RillDescriptor') })
  @rillErrorResponses(400, 404)
  async getDescriptor(@Query('descriptor_id') descriptorId?: string) {
    const found = await this.descriptors.resolve(descriptorId);
    return { ret: true, descriptor_id: found.descriptorId, version: found.version, create_time: found.createTime, descriptor: found.yaml, dag: found.dag };
  }

  @Get(`${MANAGE}/get_version.json`)
  @ApiOperation({ summary: 'Versions of a DAG and the aliases pointing at each' })
  @ApiQuery({ name: 'business_id' })
  @ApiQuery({ name: 'feature_name' })
  @ApiOkResponse({ schema: schemaRef('RillDescriptorVersions') })
  @rillErrorResponses(400, 404)
  async getVersions(@Query('business_id') businessId?: string, @Query('feature_name') featureName?: string) {
    requireAll({ business_id: businessId, feature_name: featureName });
    const versions = await this.queries.rillDescriptorVersions(businessId!, featureName!);
    if (!versions.length) throw new BatonError(ErrorCode.RillDescriptorNotFound, `No descriptor found for ${businessId}:${featureName}`);
    return { ret: true, descriptor_id: `${businessId}:${featureName}`, versions: versions.map((v) => ({ version: v.version, create_time: v.createTime, aliases: v.aliases })) };
  }

  // ---- business, feature and alias listings ----------------------------------------------------------------

  @Get(`${MANAGE}/get_business.json`)
  @ApiOperation({ summary: 'The business ids: each one added, or with a DAG registered under it' })
  @ApiOkResponse({ schema: schemaRef('RillBusinessIds') })
  async getBusiness() {
    return { ret: true, business_ids: await this.queries.rillBusinessIds() };
  }

  @Post(`${MANAGE}/modify_business.json`)
  @HttpCode(200)
  @ApiOperation({ summary: 'Add a business id, or take one out of the listing (its DAGs stay registered, as in Rill Flow)' })
  @ApiQuery(ADD_QUERY)
  @ApiQuery({ name: 'business_id' })
  @ApiBody(formFields('add', 'business_id'))
  @ApiConsumes('application/x-www-form-urlencoded', 'application/json')
  @ApiOkResponse({ schema: schemaRef('RillModified') })
  @rillErrorResponses(400, 503)
  async modifyBusiness(@Body() body: unknown, @Query('add') add?: string, @Query('business_id') businessId?: string) {
    const p = new FormParams(body);
    const command = { type: 'rill.business.modify', add: p.add(add), businessId: p.text('business_id', businessId) } as const;
    p.check();
    await this.send<ModifyRillBusinessCommand>(command, command.businessId);
    return { ret: true };
  }

  @Get(`${MANAGE}/get_feature.json`)
  @ApiOperation({ summary: 'The features of a business' })
  @ApiQuery({ name: 'business_id' })
  @ApiOkResponse({ schema: schemaRef('RillFeatures') })
  @rillErrorResponses(400)
  async getFeature(@Query('business_id') businessId?: string) {
    requireAll({ business_id: businessId });
    return { ret: true, business_id: businessId, features: await this.queries.rillFeatureNames(businessId!) };
  }

  @Post(`${MANAGE}/modify_feature.json`)
  @HttpCode(200)
  @ApiOperation({ summary: 'Add a feature (and its business), or take one out of the listing (its DAG stays registered, as in Rill Flow)' })
  @ApiQuery(ADD_QUERY)
  @ApiQuery({ name: 'business_id' })
  @ApiQuery({ name: 'feature_name' })
  @ApiBody(formFields('add', 'business_id', 'feature_name'))
  @ApiConsumes('application/x-www-form-urlencoded', 'application/json')
  @ApiOkResponse({ schema: schemaRef('RillModified') })
  @rillErrorResponses(400, 503)
  async modifyFeature(@Body() body: unknown, @Query('add') add?: string, @Query('business_id') businessId?: string, @Query('feature_name') featureName?: string) {
    const p = new FormParams(body);
    const command = { type: 'rill.feature.modify', add: p.add(add), businessId: p.text('business_id', businessId), featureName: p.text('feature_name', featureName) } as const;
    p.check();
    await this.send<ModifyRillFeatureCommand>(command, `${command.businessId}:${command.featureName}`);
    return { ret: true };
  }

  @Get(`${MANAGE}/get_alias.json`)
  @ApiOperation({ summary: 'The aliases of a DAG (and, Baton’s addition, the version each points at)' })
  @ApiQuery({ name: 'business_id' })
  @ApiQuery({ name: 'feature_name' })
  @ApiOkResponse({ schema: schemaRef('RillAliases') })
  @rillErrorResponses(400)
  async getAlias(@Query('business_id') businessId?: string, @Query('feature_name') featureName?: string) {
    requireAll({ business_id: businessId, feature_name: featureName });
    const aliases = await this.queries.rillAliases(businessId!, featureName!);
    return {
      ret: true,
      business_id: businessId,
      feature: featureName,
      aliases: aliases.map((a) => a.alias),
      alias_versions: Object.fromEntries(aliases.map((a) => [a.alias, a.version])),
    };
  }

  @Post(`${MANAGE}/modify_alias.json`)
  @HttpCode(200)
  @ApiOperation({ summary: 'Add an alias (pointing it at a version when one is given), or remove one and its gray rule' })
  @ApiQuery(ADD_QUERY)
  @ApiQuery({ name: 'business_id' })
  @ApiQuery({ name: 'feature_name' })
  @ApiQuery({ name: 'alias' })
  @ApiQuery({
    name: 'version',
    required: false,
    schema: { type: 'integer', minimum: 1 },
    description: "Baton's addition, with add=true: the version the alias then points at (a rollback, a promotion). Without it a new alias points nowhere until a DAG is registered under it",
  })
  @ApiBody(formFields('add', 'business_id', 'feature_name', 'alias', 'version'))
  @ApiConsumes('application/x-www-form-urlencoded', 'application/json')
  @ApiOkResponse({ schema: schemaRef('RillModified') })
  @rillErrorResponses(400, 404, 503)
  async modifyAlias(
    @Body() body: unknown,
    @Query('add') add?: string,
    @Query('business_id') businessId?: string,
    @Query('feature_name') featureName?: string,
    @Query('alias') alias?: string,
    @Query('version') version?: string,
  ) {
    const p = new FormParams(body);
    const command = {
      type: 'rill.alias.modify',
      add: p.add(add),
      businessId: p.text('business_id', businessId),
      featureName: p.text('feature_name', featureName),
      alias: p.text('alias', alias),
      version: p.version(version),
    } as const;
    p.check();
    await this.send<ModifyRillAliasCommand>(command, `${command.businessId}:${command.featureName}`);
    return { ret: true };
  }

  // ---- gray rules ----------------------------------------------------------------------------------------

  @Get(`${MANAGE}/get_gray.json`)
  @ApiOperation({ summary: 'The gray rules of a DAG, by alias' })
  @ApiQuery({ name: 'business_id' })
  @ApiQuery({ name: 'feature_name' })
  @ApiOkResponse({ schema: schemaRef('RillGray') })
  @rillErrorResponses(400)
  async getGray(@Query('business_id') businessId?: string, @Query('feature_name') featureName?: string) {
    requireAll({ business_id: businessId, feature_name: featureName });
    const rules = await this.queries.rillGrayRules(businessId!, featureName!);
    return { ret: true, business_id: businessId, feature: featureName, gray: Object.fromEntries(rules.map((r) => [r.alias, r.rule])) };
  }

  @Post(`${MANAGE}/modify_gray.json`)
  @HttpCode(200)
  @ApiOperation({
    summary:
      'Set the gray rule of an alias (registering the alias), or remove it. A submit naming no alias runs the first alias, in alias order, whose rule holds; release when none does',
  })
  @ApiQuery(ADD_QUERY)
  @ApiQuery({ name: 'business_id' })
  @ApiQuery({ name: 'feature_name' })
  @ApiQuery({ name: 'alias' })
  @ApiQuery({
    name: 'gray_rule',
    required: false,
    description:
      'Required with add=true. An Aviator-style boolean expression over uid and input.<field> (the submitted context): literals, nil, ! && || == != < <= > >= + - * / % ? :, and rand(), rand(n), long, double, str, math.abs, string.contains, string.startsWith, string.endsWith, string.length. E.g. rand(100) < 10',
  })
  @ApiQuery({ name: 'identity', required: false, description: 'Who made the change (Rill Flow mails it); accepted, not used' })
  @ApiBody(formFields('add', 'business_id', 'feature_name', 'alias', 'gray_rule', 'identity'))
  @ApiConsumes('application/x-www-form-urlencoded', 'application/json')
  @ApiOkResponse({ schema: schemaRef('RillModified') })
  @rillErrorResponses(400, 503)
  async modifyGray(
    @Body() body: unknown,
    @Query('add') add?: string,
    @Query('business_id') businessId?: string,
    @Query('feature_name') featureName?: string,
    @Query('alias') alias?: string,
    @Query('gray_rule') grayRule?: string,
  ) {
    const p = new FormParams(body);
    const target = { add: p.add(add), businessId: p.text('business_id', businessId), featureName: p.text('feature_name', featureName), alias: p.text('alias', alias) };
    // Rill Flow reads the rule only to add one. (`identity` names who made the change in Rill Flow's mails: Baton sends none.)
    const rule = target.add ? p.grayRule(p.optional('gray_rule', grayRule)) : undefined;
    const command = { type: 'rill.gray.modify', ...target, ...(rule !== undefined ? { grayRule: rule } : {}) } as const;
    p.check();
    await this.send<ModifyRillGrayCommand>(command, `${command.businessId}:${command.featureName}`);
    return { ret: true };
  }

  // ---- the back office's DAG list -----------------------------------------------------------------------------

  @Get('get_descriptor_ids.json')
  @ApiOperation({ summary: 'The back office’s DAG list: each alias pointing at a version, most recently pointed first, a page at a time' })
  @intQuery('current', { default: 1, minimum: 1 }, 'The page, from 1')
  @intQuery('pageSize', { default: 20, minimum: 1, maximum: 1000 }, 'Rows per page')
  @ApiOkResponse({ schema: schemaRef('RillDescriptorRecords') })
  @rillErrorResponses(400)
  async getDescriptorIds(@Query('current') current?: string, @Query('pageSize') pageSize?: string) {
    const p = new Params();
    const page = p.int('current', current, { min: 1, fallback: 1 }) ?? 1;
    const size = p.int('pageSize', pageSize, { min: 1, max: 1000, fallback: 20 }) ?? 20;
    p.check();
    const { total, records } = await this.queries.rillDescriptorRecords((page - 1) * size, size);
    return {
      ret: true,
      total,
      items: records.map((r) => ({
        businessId: r.businessId,
        featureId: r.featureName,
        alias: r.alias,
        descriptorId: `${r.businessId}:${r.featureName}:v${r.version}`,
        createTime: r.createTime,
        updateTime: r.updateTime,
      })),
    };
  }

  /** Sends a command to the metadata app and waits for its answer (after its commit). */
  private async send<C extends AddRillDescriptorCommand | Modify>(
    command: Omit<C, 'commandId' | 'issuedAt' | 'deadline'>,
    key: string,
  ): Promise<MetadataReplies[C['type']]> {
    const now = this.clock.now();
    const reply = await this.bus.request<CommandReply<MetadataReplies[C['type']]>>({
      topic: Topic.MetadataCommands,
      key,
      value: { ...command, commandId: this.ids.next(), issuedAt: now, deadline: now + ownerDeadlineMs(this.bus) },
    });
    return unwrapReply(reply);
  }
}

/** A 400 naming each required query parameter that is missing. */
function requireAll(params: Record<string, string | undefined>): void {
  const missing = Object.entries(params).filter(([, v]) => !v);
  if (missing.length) {
    throw new BatonError(
      ErrorCode.ValidationFailed,
      `${missing.map(([name]) => name).join(' and ')} ${missing.length > 1 ? 'are' : 'is'} required`,
      missing.map(([name]) => ({ path: name, message: `${name} is required` })),
    );
  }
}

/**
 * A modify_*.json's parameters, from the query or else the form body, checked together: one 400 lists
 * every problem. The ids' form is the metadata app's to check (it answers for `add_descriptor.json` too).
 */
class FormParams {
  private readonly params = new Params();
  private readonly problems: ValidationErrorItem[] = [];
  private readonly form: Record<string, unknown>;

  constructor(body: unknown) {
    this.form = body && typeof body === 'object' && !Array.isArray(body) ? (body as Record<string, unknown>) : {};
  }

  optional(name: string, fromQuery: string | undefined): string | undefined {
    if (fromQuery !== undefined) return fromQuery;
    const value = this.form[name];
    return typeof value === 'string' ? value : typeof value === 'number' || typeof value === 'boolean' ? String(value) : undefined;
  }

  text(name: string, fromQuery: string | undefined): string {
    const value = this.optional(name, fromQuery);
    if (!value) this.problems.push({ path: name, message: `${name} is required` });
    return value ?? '';
  }

  /** Rill Flow's required `add`, read as Spring reads a boolean (true/false, on/off, yes/no, 1/0). */
  add(fromQuery: string | undefined): boolean {
    const raw = this.optional('add', fromQuery);
    if (raw === undefined || raw === '') {
      this.problems.push({ path: 'add', message: 'add is required: true to add, false to remove' });
      return false;
    }
    return this.params.bool('add', raw, false);
  }

  version(fromQuery: string | undefined): number | undefined {
    return this.params.int('version', this.optional('version', fromQuery), { min: 1 });
  }

  /** A gray rule checked against the grammar RillGray evaluates: refused now rather than never holding later. */
  grayRule(rule: string | undefined): string | undefined {
    if (rule === undefined || !rule.trim()) {
      this.problems.push({ path: 'gray_rule', message: 'gray_rule can not be empty when add gray' });
      return undefined;
    }
    const compiled = compileGrayRule(rule);
    if (!compiled.ok) this.problems.push(...compiled.errors);
    return rule;
  }

  check(): void {
    try {
      this.params.check();
    } catch (err) {
      if (!(err instanceof BatonError)) throw err;
      this.problems.push(...err.validationErrors);
    }
    if (this.problems.length) throw new BatonError(ErrorCode.ValidationFailed, 'Validation failed, check below errors for detail.', this.problems);
  }
}
