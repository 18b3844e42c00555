import { Inject, Injectable } from '@nestjs/common';
import {
  BatonError,
  CommandReply,
  ErrorCode,
  MetadataCommand,
  MetadataReplies,
  ResolvedTaskDef,
  TaskDef,
  Topic,
  unwrapReply,
  WorkflowDef,
} from '@app/contracts';
import { MessageBus } from '@app/bus';
import { Clock, IdGenerator } from '@app/runtime';
import { DefinitionQueryRepository } from './definition-query.repository';

/** Definition writes go to the metadata app (its reply comes after its commit); reads come from the store. */
@Injectable()
export class MetadataService {
  constructor(
    @Inject(MessageBus) private readonly bus: MessageBus,
    private readonly query: DefinitionQueryRepository,
    private readonly clock: Clock,
    private readonly ids: IdGenerator,
  ) {}

  async registerTaskDefs(taskDefs: TaskDef[]): Promise<void> {
    await this.send<'taskdefs.register'>(taskDefs[0]?.name ?? 'taskdefs', {
      type: 'taskdefs.register',
      commandId: this.ids.next(),
      issuedAt: this.clock.now(),
      taskDefs,
    });
  }

  async registerWorkflowDef(workflowDef: WorkflowDef, overwrite: boolean): Promise<void> {
    await this.send<'workflowdef.register'>(typeof workflowDef.name === 'string' ? workflowDef.name : 'workflowdef', {
      type: 'workflowdef.register',
      commandId: this.ids.next(),
      issuedAt: this.clock.now(),
      workflowDef,
      overwrite,
    });
  }

  async workflowDef(name: string, version?: number): Promise<WorkflowDef> {
    const def = await this.query.workflowDef(name, version);
    if (!def) throw new BatonError(ErrorCode.WorkflowDefNotFound, `No such workflow found by name: ${name}, version: ${version ?? null}`);
    return def;
  }

  async taskDef(name: string): Promise<ResolvedTaskDef> {
    const def = await this.query.taskDef(name);
    if (!def) throw new BatonError(ErrorCode.TaskDefNotFound, `No such taskType found by name: ${name}`);
    return def;
  }

  taskDefs(): Promise<ResolvedTaskDef[]> {
    return this.query.taskDefs();
  }

  private async send<K extends keyof MetadataReplies>(key: string, command: MetadataCommand): Promise<MetadataReplies[K]> {
    const reply = await this.bus.request<CommandReply<MetadataReplies[K]>>({ topic: Topic.MetadataCommands, key, value: command });
    return unwrapReply(reply);
  }
}
