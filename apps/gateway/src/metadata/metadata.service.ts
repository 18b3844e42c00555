import { Inject, Injectable } from '@nestjs/common';
import {
  BatonError,
  BulkResponse,
  CommandReply,
  ErrorCode,
  EventHandler,
  MetadataCommand,
  MetadataReplies,
  ResolvedTaskDef,
  TaskDef,
  Topic,
  unwrapReply,
  WorkflowDef,
  WorkflowDefSummary,
} from '@app/contracts';
import { MessageBus, ownerDeadlineMs } from '@app/bus';
import { DefinitionQueries } from '@app/persistence';
import { Clock, IdGenerator } from '@app/runtime';

/** The command whose `type` admits K (distributes over the union, so shared interfaces match too). */
type CommandOf<K, C = MetadataCommand> = C extends { type: infer T } ? (K extends T ? C : never) : never;
type CommandBody<K extends MetadataCommand['type']> = Omit<CommandOf<K>, 'type' | 'commandId' | 'issuedAt'>;

/** Definition writes go to the metadata app (its reply comes after its commit); reads come from the store. */
@Injectable()
export class MetadataService {
  constructor(
    @Inject(MessageBus) private readonly bus: MessageBus,
    private readonly query: DefinitionQueries,
    private readonly clock: Clock,
    private readonly ids: IdGenerator,
  ) {}

  // ---- commands (answered after the metadata app committed) -----------------------------------------

  async registerTaskDefs(taskDefs: TaskDef[]): Promise<void> {
    await this.send('taskdefs.register', nameOf(taskDefs[0], 'taskdefs'), { taskDefs });
  }

  async updateTaskDef(taskDef: TaskDef): Promise<void> {
    await this.send('taskdef.update', nameOf(taskDef, 'taskdef'), { taskDef });
  }

  async deleteTaskDef(name: string): Promise<void> {
    await this.send('taskdef.delete', name, { name });
  }

  async registerWorkflowDef(workflowDef: WorkflowDef, overwrite: boolean): Promise<void> {
    await this.send('workflowdef.register', nameOf(workflowDef, 'workflowdef'), { workflowDef, overwrite });
  }

  upsertWorkflowDefs(workflowDefs: WorkflowDef[]): Promise<BulkResponse<string>> {
    return this.send('workflowdefs.upsert', nameOf(workflowDefs[0], 'workflowdefs'), { workflowDefs });
  }

  async deleteWorkflowDef(name: string, version: number): Promise<void> {
    await this.send('workflowdef.delete', name, { name, version });
  }

  async validateWorkflowDef(workflowDef: WorkflowDef): Promise<void> {
    await this.send('workflowdef.validate', nameOf(workflowDef, 'workflowdef'), { workflowDef });
  }

  async addEventHandler(eventHandler: EventHandler): Promise<void> {
    await this.send('eventhandler.add', nameOf(eventHandler, 'eventhandler'), { eventHandler });
  }

  async updateEventHandler(eventHandler: EventHandler): Promise<void> {
    await this.send('eventhandler.update', nameOf(eventHandler, 'eventhandler'), { eventHandler });
  }

  async deleteEventHandler(name: string): Promise<void> {
    await this.send('eventhandler.delete', name, { name });
  }

  // ---- reads --------------------------------------------------------------------------------------------

  async workflowDef(name: string, version?: number): Promise<WorkflowDef> {
    const def = await this.query.workflowDef(name, version);
    if (!def) throw new BatonError(ErrorCode.WorkflowDefNotFound, `No such workflow found by name: ${name}, version: ${version ?? null}`);
    return def;
  }

  workflowDefs(): Promise<WorkflowDef[]> {
    return this.query.workflowDefs();
  }

  latestWorkflowDefs(): Promise<WorkflowDef[]> {
    return this.query.latestWorkflowDefs();
  }

  workflowNames(): Promise<string[]> {
    return this.query.workflowNames();
  }

  async namesAndVersions(): Promise<Record<string, WorkflowDefSummary[]>> {
    const byName: Record<string, WorkflowDefSummary[]> = {};
    for (const s of await this.query.workflowDefSummaries()) (byName[s.name] ??= []).push(s);
    return byName;
  }

  versions(name: string): Promise<WorkflowDefSummary[]> {
    return this.query.workflowDefSummaries(name);
  }

  async taskDef(name: string): Promise<ResolvedTaskDef> {
    const def = await this.query.taskDef(name);
    if (!def) throw new BatonError(ErrorCode.TaskDefNotFound, `No such taskType found by name: ${name}`);
    return def;
  }

  taskDefs(): Promise<ResolvedTaskDef[]> {
    return this.query.taskDefs();
  }

  eventHandlers(event?: string, activeOnly = false): Promise<EventHandler[]> {
    return this.query.eventHandlers(event, activeOnly);
  }

  private async send<K extends MetadataCommand['type']>(type: K, key: string, body: CommandBody<K>): Promise<MetadataReplies[K]> {
    const issuedAt = this.clock.now();
    const command = { ...body, type, commandId: this.ids.next(), issuedAt, deadline: issuedAt + ownerDeadlineMs(this.bus) } as unknown as MetadataCommand;
    const reply = await this.bus.request<CommandReply<MetadataReplies[K]>>({ topic: Topic.MetadataCommands, key, value: command });
    return unwrapReply(reply);
  }
}

/** The key a definition command travels under: its name, when it has a usable one. */
const nameOf = (def: unknown, fallback: string): string => {
  const name = (def as { name?: unknown } | undefined)?.name;
  return typeof name === 'string' && name ? name : fallback;
};
