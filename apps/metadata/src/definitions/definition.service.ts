import { Injectable, Logger } from '@nestjs/common';
import {
  AddRillDescriptorCommand,
  BatonError,
  buildDefinitionGraph,
  bulkResponse,
  DeleteEventHandlerCommand,
  DeleteTaskDefCommand,
  DeleteWorkflowDefCommand,
  ErrorCode,
  EventHandler,
  MetadataReplies,
  ModifyRillAliasCommand,
  ModifyRillBusinessCommand,
  ModifyRillFeatureCommand,
  ModifyRillGrayCommand,
  RegisterTaskDefsCommand,
  RegisterWorkflowDefCommand,
  SaveEventHandlerCommand,
  UpdateTaskDefCommand,
  UpsertWorkflowDefsCommand,
  ValidateWorkflowDefCommand,
  ValidationErrorItem,
  withTaskDefDefaults,
  withWorkflowDefDefaults,
  WorkflowDef,
} from '@app/contracts';
import { Clock } from '@app/runtime';
import { DataSource } from 'typeorm';
import { DefinitionRepository } from './definition.repository';
import { validateTaskDef, validateWorkflowDef } from './definition.validator';
import { validateEventHandler } from './event-handler.validator';
import { parseRillDescriptor } from '../rill-flow/rill-dag.parser';

const VALIDATION_FAILED = 'Validation failed, check below errors for detail.';

const invalid = (errors: ValidationErrorItem[]) => new BatonError(ErrorCode.ValidationFailed, VALIDATION_FAILED, errors);

/**
 * The definition registry. Every write validates first and then commits in one transaction, or writes
 * nothing. The write's transaction also sends a Postgres NOTIFY (NotificationChannel.Definitions) that every
 * process hears at commit, so caches of what changed are dropped then.
 */
@Injectable()
export class DefinitionService {
  private readonly logger = new Logger(DefinitionService.name);

  constructor(
    private readonly dataSource: DataSource,
    private readonly definitions: DefinitionRepository,
    private readonly clock: Clock,
  ) {}

  // ---- task definitions ------------------------------------------------------------------------------

  async registerTaskDefs(cmd: RegisterTaskDefsCommand): Promise<MetadataReplies['taskdefs.register']> {
    if (!Array.isArray(cmd.taskDefs) || !cmd.taskDefs.length) {
      throw invalid([{ path: 'taskDefs', message: 'TaskDefList cannot be empty or null' }]);
    }
    const errors = cmd.taskDefs.flatMap((def, i) => validateTaskDef(def, `[${i}]`));
    if (errors.length) throw invalid(errors);
    const now = this.clock.now();
    const defs = cmd.taskDefs.map((d) => withTaskDefDefaults({ ...d, createTime: now, updateTime: now, createdBy: d.createdBy ?? cmd.createdBy }));
    await this.dataSource.transaction((m) => this.definitions.upsertTaskDefs(m, defs, now));
    return { names: defs.map((d) => d.name) };
  }

  async updateTaskDef(cmd: UpdateTaskDefCommand): Promise<MetadataReplies['taskdef.update']> {
    const errors = validateTaskDef(cmd.taskDef);
    if (errors.length) throw invalid(errors);
    const now = this.clock.now();
    const def = withTaskDefDefaults({ ...cmd.taskDef, updateTime: now, updatedBy: cmd.taskDef.updatedBy ?? cmd.updatedBy });
    await this.dataSource.transaction(async (m) => {
      if (!(await this.definitions.taskDefExists(m, def.name))) {
        throw new BatonError(ErrorCode.TaskDefNotFound, `No such taskType found by name: ${def.name}`);
      }
      await this.definitions.upsertTaskDefs(m, [def], now);
    });
    return { name: def.name };
  }

  async deleteTaskDef(cmd: DeleteTaskDefCommand): Promise<MetadataReplies['taskdef.delete']> {
    const deleted = await this.dataSource.transaction((m) => this.definitions.deleteTaskDef(m, cmd.name));
    if (!deleted) throw new BatonError(ErrorCode.TaskDefNotFound, `No such taskType found by name: ${cmd.name}`);
    return { name: cmd.name };
  }

  // ---- workflow definitions --------------------------------------------------------------------------

  async registerWorkflowDef(cmd: RegisterWorkflowDefCommand): Promise<MetadataReplies['workflowdef.register']> {
    const def = await this.prepareWorkflowDef(cmd.workflowDef, cmd.createdBy);
    await this.dataSource.transaction(async (m) => {
      if (!cmd.overwrite && (await this.definitions.workflowDefExists(m, def.name, def.version))) {
        throw new BatonError(ErrorCode.DefinitionConflict, `Workflow with ${def.name}.${def.version} already exists!`);
      }
      await this.definitions.upsertWorkflowDef(m, def, def.createTime!);
    });
    return { name: def.name, version: def.version };
  }

  /**
   * Creates or replaces many definitions. Each stands alone, as in Conductor: a bad one is reported in
   * `bulkErrorResults` under its name and the others are still stored.
   */
  async upsertWorkflowDefs(cmd: UpsertWorkflowDefsCommand): Promise<MetadataReplies['workflowdefs.upsert']> {
    if (!Array.isArray(cmd.workflowDefs) || !cmd.workflowDefs.length) {
      throw invalid([{ path: 'workflowDefs', message: 'WorkflowDef list name cannot be null or empty' }]);
    }
    const successes: string[] = [];
    const errors: Record<string, string> = {};
    for (const [i, raw] of cmd.workflowDefs.entries()) {
      const key = typeof (raw as { name?: unknown })?.name === 'string' && (raw as WorkflowDef).name ? (raw as WorkflowDef).name : `[${i}]`;
      try {
        const def = await this.prepareWorkflowDef(raw, cmd.updatedBy);
        await this.dataSource.transaction((m) => this.definitions.upsertWorkflowDef(m, def, def.createTime!));
        successes.push(def.name);
      } catch (err) {
        // Each definition stands alone: whatever stopped this one is reported under its name.
        if (err instanceof BatonError) {
          errors[key] = err.validationErrors.length ? err.validationErrors.map((e) => `${e.path}: ${e.message}`).join('; ') : err.message;
        } else {
          this.logger.warn(`bulk upsert of ${key} failed: ${(err as Error).message}`);
          errors[key] = `could not be stored: ${(err as Error).message}`;
        }
      }
    }
    return bulkResponse(successes, errors);
  }

  async deleteWorkflowDef(cmd: DeleteWorkflowDefCommand): Promise<MetadataReplies['workflowdef.delete']> {
    const deleted = await this.dataSource.transaction((m) => this.definitions.deleteWorkflowDef(m, cmd.name, cmd.version));
    if (!deleted) throw new BatonError(ErrorCode.WorkflowDefNotFound, `No such workflow definition: ${cmd.name} version: ${cmd.version}`);
    return { name: cmd.name, version: cmd.version };
  }

  async validateWorkflowDef(cmd: ValidateWorkflowDefCommand): Promise<MetadataReplies['workflowdef.validate']> {
    const errors = await this.validateAgainstRegistry(cmd.workflowDef);
    if (errors.length) throw invalid(errors);
    return { valid: true };
  }

  // ---- event handlers ---------------------------------------------------------------------------------

  async saveEventHandler(cmd: SaveEventHandlerCommand): Promise<{ name: string }> {
    const errors = validateEventHandler(cmd.eventHandler);
    if (errors.length) throw invalid(errors);
    const handler: EventHandler = { ...cmd.eventHandler, active: cmd.eventHandler.active ?? true };
    await this.dataSource.transaction(async (m) => {
      const exists = await this.definitions.eventHandlerExists(m, handler.name);
      if (cmd.type === 'eventhandler.add' && exists) {
        throw new BatonError(ErrorCode.DefinitionConflict, `EventHandler with name ${handler.name} already exists!`);
      }
      if (cmd.type === 'eventhandler.update' && !exists) {
        throw new BatonError(ErrorCode.EventHandlerNotFound, `EventHandler with name ${handler.name} not found!`);
      }
      await this.definitions.saveEventHandler(m, handler, this.clock.now());
    });
    return { name: handler.name };
  }

  async deleteEventHandler(cmd: DeleteEventHandlerCommand): Promise<{ name: string }> {
    const deleted = await this.dataSource.transaction((m) => this.definitions.deleteEventHandler(m, cmd.name));
    if (!deleted) throw new BatonError(ErrorCode.EventHandlerNotFound, `EventHandler with name ${cmd.name} not found!`);
    return { name: cmd.name };
  }

  // ---- Rill Flow descriptors --------------------------------------------------------------------------------

  /**
   * Registers a Rill Flow YAML DAG: parsed, validated and translated into Baton's model (kept beside the
   * original YAML), stored as a new version that `alias` then points at.
   */
  async addRillDescriptor(cmd: AddRillDescriptorCommand): Promise<MetadataReplies['rill.descriptor.add']> {
    const idErrors = [
      ...rillIdProblems('business_id', cmd.businessId),
      ...rillIdProblems('feature_name', cmd.featureName),
      ...rillAliasProblems(cmd.alias),
    ];
    if ((cmd.yaml ?? '').includes('\u0000')) idErrors.push({ path: '$', message: 'the descriptor may not contain the NUL character' });
    if (idErrors.length) throw invalid(idErrors);
    const parsed = parseRillDescriptor(cmd.yaml ?? '', { businessId: cmd.businessId, featureName: cmd.featureName });
    if (!parsed.ok) throw invalid(parsed.errors);
    for (const warning of parsed.warnings ?? []) this.logger.warn(`descriptor ${cmd.businessId}:${cmd.featureName}: ${warning}`);
    const version = await this.dataSource.transaction((m) =>
      this.definitions.addRillDescriptorVersion(m, { ...cmd, dag: parsed.dag }, this.clock.now()),
    );
    const descriptorId = `${cmd.businessId}:${cmd.featureName}`;
    return { descriptorId, version };
  }

  /**
   * Rill Flow's business listing. Taking a business out leaves its features and descriptors registered and
   * runnable, as Rill Flow does; registering a descriptor lists its business again.
   */
  async modifyRillBusiness(cmd: ModifyRillBusinessCommand): Promise<MetadataReplies['rill.business.modify']> {
    const errors = [...addProblems(cmd.add), ...rillIdProblems('business_id', cmd.businessId)];
    if (errors.length) throw invalid(errors);
    const now = this.clock.now();
    const changed = await this.dataSource.transaction((m) =>
      cmd.add ? this.definitions.listRillBusiness(m, cmd.businessId, now) : this.definitions.unlistRillBusiness(m, cmd.businessId),
    );
    return { changed };
  }

  /** A business's feature listing (adding one lists its business); taking one out keeps its descriptors. */
  async modifyRillFeature(cmd: ModifyRillFeatureCommand): Promise<MetadataReplies['rill.feature.modify']> {
    const errors = [...addProblems(cmd.add), ...rillIdProblems('business_id', cmd.businessId), ...rillIdProblems('feature_name', cmd.featureName)];
    if (errors.length) throw invalid(errors);
    const now = this.clock.now();
    const changed = await this.dataSource.transaction((m) =>
      cmd.add ? this.definitions.listRillFeature(m, cmd.businessId, cmd.featureName, now) : this.definitions.unlistRillFeature(m, cmd.businessId, cmd.featureName),
    );
    return { changed };
  }

  /**
   * Adds an alias (listing its feature and business), pointing it at `version` when one is given; or
   * removes it and its gray rule. A descriptor id naming a removed alias no longer resolves.
   */
  async modifyRillAlias(cmd: ModifyRillAliasCommand): Promise<MetadataReplies['rill.alias.modify']> {
    const errors = [...addProblems(cmd.add), ...rillIdProblems('business_id', cmd.businessId), ...rillIdProblems('feature_name', cmd.featureName), ...rillAliasProblems(cmd.alias)];
    if (cmd.version !== undefined) {
      if (!Number.isInteger(cmd.version) || cmd.version < 1 || cmd.version > 2_147_483_647) errors.push({ path: 'version', message: 'version must be a positive integer', invalidValue: cmd.version });
      else if (cmd.add === false) errors.push({ path: 'version', message: 'version only goes with add=true (it says what the alias points at)', invalidValue: cmd.version });
    }
    if (errors.length) throw invalid(errors);
    const { businessId, featureName, alias, version } = cmd;
    const now = this.clock.now();
    const changed = await this.dataSource.transaction(async (m) => {
      // One writer at a time per DAG: a version being added, an alias pointed, a rule set on an alias being removed.
      await this.definitions.lockRillFeature(m, businessId, featureName);
      if (!cmd.add) return this.definitions.removeRillAlias(m, businessId, featureName, alias);
      if (version !== undefined && !(await this.definitions.rillVersionExists(m, businessId, featureName, version))) {
        throw new BatonError(ErrorCode.RillDescriptorNotFound, `No descriptor found for ${businessId}:${featureName}:v${version}`, [
          { path: 'version', message: `${businessId}:${featureName} has no version ${version}`, invalidValue: version },
        ]);
      }
      const listed = await this.definitions.listRillFeature(m, businessId, featureName, now);
      const aliased =
        version === undefined
          ? await this.definitions.registerRillAlias(m, businessId, featureName, alias, now)
          : await this.definitions.pointRillAlias(m, businessId, featureName, alias, version, now);
      return listed || aliased;
    });
    return { changed };
  }

  /**
   * Sets an alias's gray rule (registering the alias, its feature and its business, as Rill Flow does), or
   * removes it. The rule's grammar is the gateway's to check, where rules are evaluated; here it is only
   * held to what the column stores.
   */
  async modifyRillGray(cmd: ModifyRillGrayCommand): Promise<MetadataReplies['rill.gray.modify']> {
    const errors = [...addProblems(cmd.add), ...rillIdProblems('business_id', cmd.businessId), ...rillIdProblems('feature_name', cmd.featureName), ...rillAliasProblems(cmd.alias)];
    if (cmd.add === true) {
      if (typeof cmd.grayRule !== 'string' || !cmd.grayRule.trim()) errors.push({ path: 'gray_rule', message: 'gray_rule can not be empty when add gray' });
      else if (cmd.grayRule.length > GRAY_RULE_MAX_LENGTH) errors.push({ path: 'gray_rule', message: `gray_rule must be at most ${GRAY_RULE_MAX_LENGTH} characters`, invalidValue: `${cmd.grayRule.slice(0, 40)}…` });
      else if (cmd.grayRule.includes('\u0000')) errors.push({ path: 'gray_rule', message: 'gray_rule may not contain the NUL character' });
    }
    if (errors.length) throw invalid(errors);
    const { businessId, featureName, alias } = cmd;
    const now = this.clock.now();
    const changed = await this.dataSource.transaction(async (m) => {
      await this.definitions.lockRillFeature(m, businessId, featureName);
      if (!cmd.add) return this.definitions.removeRillGrayRule(m, businessId, featureName, alias);
      const listed = await this.definitions.listRillFeature(m, businessId, featureName, now);
      const registered = await this.definitions.registerRillAlias(m, businessId, featureName, alias, now);
      const set = await this.definitions.setRillGrayRule(m, businessId, featureName, alias, cmd.grayRule as string, now);
      return listed || registered || set;
    });
    return { changed };
  }

  // ---- helpers ------------------------------------------------------------------------------------------

  /** Validates, fills Conductor's defaults and stamps the audit fields; throws on an invalid definition. */
  private async prepareWorkflowDef(raw: WorkflowDef, by?: string): Promise<WorkflowDef & { version: number }> {
    const errors = await this.validateAgainstRegistry(raw);
    if (errors.length) throw invalid(errors);
    const now = this.clock.now();
    const def = withWorkflowDefDefaults({ ...raw, createTime: now, updateTime: now, createdBy: raw.createdBy ?? by });
    return { ...def, version: def.version ?? 1 };
  }

  /** Validates with the registered task definitions at hand (a task may take its request from one). */
  private async validateAgainstRegistry(raw: unknown): Promise<ValidationErrorItem[]> {
    const taskDefs = await this.definitions.inputTemplates(this.dataSource.manager, taskNamesIn(raw));
    return validateWorkflowDef(raw, { taskDefs });
  }
}

/** Rill Flow ids are path-like keys: letters, digits, `_` and `-`, and no `:` (the id separator). */
function rillIdProblems(param: string, value: unknown): ValidationErrorItem[] {
  if (typeof value !== 'string' || !value) return [{ path: param, message: `${param} is required` }];
  if (!/^[A-Za-z0-9_-]{1,255}$/.test(value)) {
    return [{ path: param, message: `${param} may only contain letters, digits, "_" and "-" (at most 255)`, invalidValue: value }];
  }
  return [];
}

/** An alias is a Rill Flow id that does not look like a version (descriptor ids use `v<number>` for versions). */
function rillAliasProblems(value: unknown): ValidationErrorItem[] {
  const problems = rillIdProblems('alias', value);
  if (!problems.length && /^v\d+$/.test(value as string)) {
    problems.push({ path: 'alias', message: 'an alias may not look like a version (v<number>): descriptor ids use that form for versions', invalidValue: value });
  }
  return problems;
}

/** Rill Flow's `add`: true to add, false to remove. */
function addProblems(add: unknown): ValidationErrorItem[] {
  return typeof add === 'boolean' ? [] : [{ path: 'add', message: 'add must be true or false', invalidValue: add }];
}

/** What `rill_gray_rule.rule` holds. */
const GRAY_RULE_MAX_LENGTH = 1024;

/** Names of every task in a (possibly invalid) definition, at any depth, inline sub-workflows included. */
function taskNamesIn(value: unknown, names = new Set<string>()): string[] {
  const tasks = value && typeof value === 'object' ? (value as { tasks?: unknown }).tasks : undefined;
  if (!Array.isArray(tasks)) return [...names];
  for (const node of buildDefinitionGraph(tasks).all) {
    if (node.name && node.ref) names.add(node.name);
    const inline = node.task.subWorkflowParam?.workflowDefinition;
    if (inline && typeof inline === 'object') taskNamesIn(inline, names);
  }
  return [...names];
}
