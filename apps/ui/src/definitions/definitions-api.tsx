// A .tsx without JSX on purpose (as api.tsx): the root tsconfig, which type-checks the model's .ts files
// without JSX or the DOM, must not reach api.tsx through here.
import type { WorkflowDef, WorkflowDefSummary } from '@app/contracts';
import { call } from '../api';
import type { RillDescriptorItem } from './definition-model';

const enc = encodeURIComponent;

/** `GET /flow/bg/manage/descriptor/get_descriptor.json`: a registered Rill Flow DAG, its YAML as written and its parse. */
export interface RillDescriptor {
  readonly descriptor_id: string;
  readonly version: number;
  readonly create_time?: number;
  /** The YAML, as registered. */
  readonly descriptor: string;
  readonly dag: unknown;
}

/** `GET /flow/bg/manage/descriptor/get_version.json`: a DAG's versions, oldest first, with the aliases pointing at each. */
export interface RillVersion {
  readonly version: number;
  readonly create_time?: number;
  readonly aliases: readonly string[];
}

const RILL_MANAGE = '/flow/bg/manage/descriptor';

/** The workflow-definition and Rill Flow descriptor calls the definitions pages make. */
export const defsApi = {
  /** The latest version of every workflow definition. */
  latest: (): Promise<WorkflowDef[]> => call('GET', '/api/metadata/workflow/latest-versions'),
  /** Every name's versions (summaries). */
  namesAndVersions: (): Promise<Record<string, WorkflowDefSummary[]>> => call('GET', '/api/metadata/workflow/names-and-versions'),
  /** One name's versions; empty for an unknown name. */
  versions: (name: string): Promise<WorkflowDefSummary[]> => call('GET', `/api/metadata/workflow/${enc(name)}/versions`),
  get: (name: string, version?: number): Promise<WorkflowDef> => call('GET', `/api/metadata/workflow/${enc(name)}${version ? `?version=${version}` : ''}`),
  /** 400 with Conductor's validationErrors when it is not valid. */
  validate: (def: unknown): Promise<void> => call('POST', '/api/metadata/workflow/validate', def),
  /**
   * Stores one definition: 400 with per-field validationErrors when it is invalid (the bulk `PUT` would fold
   * them into one string per definition), 409 when the version exists and `overwrite` is not set.
   */
  save: (def: unknown, overwrite: boolean): Promise<void> => call('POST', `/api/metadata/workflow${overwrite ? '?overwrite=true' : ''}`, def),
  remove: (name: string, version: number): Promise<void> => call('DELETE', `/api/metadata/workflow/${enc(name)}/${version}`),
  /** Starts a workflow; the answer is its id (plain text). */
  start: (req: { name: string; version?: number; input: Record<string, unknown>; correlationId?: string }): Promise<string> => call('POST', '/api/workflow', req),

  /** A Rill Flow DAG by `<business>:<feature>[:<alias>|:v<version>]`. */
  rillDescriptor: (descriptorId: string): Promise<RillDescriptor> => call('GET', `${RILL_MANAGE}/get_descriptor.json?descriptor_id=${enc(descriptorId)}`),
  rillVersions: async (id: string): Promise<RillVersion[]> => {
    const [businessId, featureName] = id.split(':');
    const res = await call<{ versions: RillVersion[] }>('GET', `${RILL_MANAGE}/get_version.json?business_id=${enc(businessId)}&feature_name=${enc(featureName ?? '')}`);
    return res.versions ?? [];
  },
  /** The back office's DAG list: every alias pointing at a version (the first 1000). */
  rillDescriptorIds: async (): Promise<RillDescriptorItem[]> => {
    const res = await call<{ items?: RillDescriptorItem[] }>('GET', '/flow/bg/get_descriptor_ids.json?current=1&pageSize=1000');
    return res.items ?? [];
  },
  /** Runs a Rill Flow DAG with `context`; the answer names the execution (`<business>:<feature>_c_<workflow id>`). */
  rillSubmit: (descriptorId: string, context: Record<string, unknown>): Promise<{ execution_id: string }> => call('POST', `/flow/submit.json?descriptor_id=${enc(descriptorId)}`, context),
};
