import { Injectable } from '@nestjs/common';
import { BatonError, ErrorCode, RillDag } from '@app/contracts';
import { DefinitionQueries } from '@app/persistence';
import { MAX_SUBFLOW_DEPTH, RillDescriptorVersion, subFlowIdsOf } from './rill-workflow';

/** The alias a descriptor id without one names (Rill Flow's default). */
export const DEFAULT_ALIAS = 'release';

/** A descriptor id read: `<business>:<feature>`, then an alias or `v<version>` (the default alias when absent). */
export interface DescriptorRef {
  readonly businessId: string;
  readonly featureName: string;
  readonly ref: { readonly alias: string } | { readonly version: number };
  /** Whether the id named its alias or version (else the default alias stands in). */
  readonly named: boolean;
}

/** Reads `<business>:<feature>[:<alias>|:v<version>]`; a 400 naming `field` when it is not one. */
export function parseDescriptorId(descriptorId: string | undefined, field = 'descriptor_id'): DescriptorRef {
  const [businessId, featureName, selector, ...rest] = (descriptorId ?? '').split(':');
  if (!businessId || !featureName || rest.length) {
    throw new BatonError(ErrorCode.ValidationFailed, `${field} must look like <business>:<feature>[:<alias>|:v<version>]`, [
      { path: field, message: 'malformed descriptor id', invalidValue: descriptorId },
    ]);
  }
  const version = /^v(\d{1,10})$/.exec(selector ?? '');
  return { businessId, featureName, ref: version ? { version: Number(version[1]) } : { alias: selector || DEFAULT_ALIAS }, named: !!selector };
}

/** Registered Rill Flow descriptors, as executions run them. */
@Injectable()
export class RillDescriptors {
  constructor(private readonly queries: DefinitionQueries) {}

  /** The descriptor an id names (its alias's version, or the version it names); 404 when there is none. */
  async resolve(descriptorId: string | undefined, field = 'descriptor_id'): Promise<RillDescriptorVersion & { readonly yaml: string; readonly createTime: number }> {
    const { businessId, featureName, ref } = parseDescriptorId(descriptorId, field);
    // A version beyond what is stored (32-bit) cannot exist.
    const found = 'version' in ref && ref.version > 2_147_483_647 ? null : await this.queries.rillDescriptor(businessId, featureName, ref);
    if (!found) throw new BatonError(ErrorCode.RillDescriptorNotFound, `No descriptor found for ${descriptorId}`);
    return { descriptorId: `${businessId}:${featureName}`, version: found.version, dag: found.dag as unknown as RillDag, yaml: found.yaml, createTime: found.createTime };
  }

  /**
   * Every descriptor the DAG's `rillflow://` sub-flows name, theirs too, by the id as written (a missing one
   * is left out: the translation reports it where it is named). Bounded like the nesting it feeds.
   */
  async subFlowsOf(dag: RillDag): Promise<Map<string, RillDescriptorVersion>> {
    const found = new Map<string, RillDescriptorVersion>();
    let wanted = subFlowIdsOf(dag);
    for (let depth = 0; wanted.length && depth < MAX_SUBFLOW_DEPTH; depth++) {
      const next: string[] = [];
      for (const id of wanted) {
        if (found.has(id)) continue;
        const descriptor = await this.resolve(id, 'resourceName').catch((err: unknown) => {
          if (err instanceof BatonError) return undefined;
          throw err;
        });
        if (!descriptor) continue;
        found.set(id, descriptor);
        next.push(...subFlowIdsOf(descriptor.dag));
      }
      wanted = next;
    }
    return found;
  }
}
