import { Injectable } from '@nestjs/common';
import { graphOf, mapWorkflowTasks, ResolvedTaskDef, traitsOf, WorkflowDef, WorkflowTask } from '@app/contracts';
import { DefinitionQueries } from '@app/persistence';
import { EntityManager } from 'typeorm';
import type { TaskDefLookup } from '../decider/task-defs';
import { DefinitionCache } from './definition.cache';

/**
 * Reads the definitions a run needs through the metadata app's published queries (metadata is the only
 * writer of their tables), in the caller's transaction, behind a cache the metadata app invalidates as it
 * commits. A run pins its definition at start:
 * the workflow definition with each task's registered TaskDef attached (control-flow operators aside), as Conductor does
 * (MetadataMapperService.populateTaskDefinitions).
 */
@Injectable()
export class DefinitionReader {
  constructor(
    private readonly cache: DefinitionCache,
    private readonly definitions: DefinitionQueries,
  ) {}

  workflowDef(m: EntityManager, name: string, version?: number): Promise<WorkflowDef | null> {
    return this.cache.get(`workflowdef:${name}`, version ? `v${version}` : 'latest', () => this.definitions.workflowDef(name, version, m));
  }

  /**
   * Every registered task definition, by name: what tasks given at run time (a dynamic fork's branches)
   * run with. Read once and kept until any task definition changes (the `taskdef:*` entry).
   */
  async taskDefCatalog(): Promise<TaskDefLookup> {
    const all = await this.cache.get('taskdef:*', 'all', async () => new Map((await this.definitions.taskDefs()).map((d) => [d.name, d])));
    return (name) => all.get(name);
  }

  /** The definition with each worker task's registered TaskDef attached, at any depth (cases, branches, loops). */
  async withTaskDefs(m: EntityManager, def: WorkflowDef): Promise<WorkflowDef> {
    // Conductor attaches a registered TaskDef to every task of its name that is not a control-flow operator:
    // an HTTP or SUB_WORKFLOW task is retried and timed by the definition registered under its name.
    const names = [...new Set(graphOf(def).all.filter((n) => !n.task.taskDefinition && !traitsOf(n.task.type).controlFlow).map((n) => n.task.name))];
    if (!names.length) return def;
    // One after the other: they share the caller's connection, and pg queues (and deprecates) overlapping
    // queries on one client.
    const found: Array<ResolvedTaskDef | null> = [];
    for (const name of names) found.push(await this.cache.get(`taskdef:${name}`, 'current', () => this.definitions.taskDef(name, m)));
    const byName = new Map<string, ResolvedTaskDef>();
    found.forEach((d) => d && byName.set(d.name, d));
    const attach = (t: WorkflowTask): WorkflowTask =>
      !t.taskDefinition && byName.has(t.name) ? { ...t, taskDefinition: byName.get(t.name) } : t;
    return mapWorkflowTasks(def, attach);
  }
}
