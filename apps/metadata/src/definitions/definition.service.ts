import { Injectable } from '@nestjs/common';
import {
  BatonError,
  ErrorCode,
  MetadataReplies,
  RegisterTaskDefsCommand,
  RegisterWorkflowDefCommand,
  withTaskDefDefaults,
  withWorkflowDefDefaults,
} from '@app/contracts';
import { Clock } from '@app/runtime';
import { DataSource } from 'typeorm';
import { DefinitionRepository } from './definition.repository';
import { validateTaskDef, validateWorkflowDef } from './definition.validator';

/** Registers definitions: validate everything first, then write in one transaction, or write nothing. */
@Injectable()
export class DefinitionService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly definitions: DefinitionRepository,
    private readonly clock: Clock,
  ) {}

  async registerTaskDefs(cmd: RegisterTaskDefsCommand): Promise<MetadataReplies['taskdefs.register']> {
    if (!Array.isArray(cmd.taskDefs) || !cmd.taskDefs.length) {
      throw new BatonError(ErrorCode.ValidationFailed, 'Validation failed, check below errors for detail.', [
        { path: 'taskDefs', message: 'TaskDefList cannot be empty or null' },
      ]);
    }
    const errors = cmd.taskDefs.flatMap((def, i) => validateTaskDef(def, `[${i}]`));
    if (errors.length) throw new BatonError(ErrorCode.ValidationFailed, 'Validation failed, check below errors for detail.', errors);
    const now = this.clock.now();
    const defs = cmd.taskDefs.map((d) =>
      withTaskDefDefaults({ ...d, createTime: now, updateTime: now, createdBy: d.createdBy ?? cmd.createdBy }),
    );
    await this.dataSource.transaction((m) => this.definitions.upsertTaskDefs(m, defs, now));
    return { names: defs.map((d) => d.name) };
  }

  async registerWorkflowDef(cmd: RegisterWorkflowDefCommand): Promise<MetadataReplies['workflowdef.register']> {
    const errors = validateWorkflowDef(cmd.workflowDef);
    if (errors.length) throw new BatonError(ErrorCode.ValidationFailed, 'Validation failed, check below errors for detail.', errors);
    const now = this.clock.now();
    const def = withWorkflowDefDefaults({ ...cmd.workflowDef, createTime: now, updateTime: now, createdBy: cmd.workflowDef.createdBy ?? cmd.createdBy });
    const version = def.version ?? 1;
    await this.dataSource.transaction(async (m) => {
      if (!cmd.overwrite && (await this.definitions.workflowDefExists(m, def.name, version))) {
        throw new BatonError(ErrorCode.DefinitionConflict, `Workflow with ${def.name}.${version} already exists!`);
      }
      await this.definitions.upsertWorkflowDef(m, { ...def, version }, now);
    });
    return { name: def.name, version };
  }
}
