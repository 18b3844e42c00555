import { randomUUID } from 'node:crypto';
import { TestingModule } from '@nestjs/testing';
import { DataSource } from 'typeorm';
import { CommandReply, ErrorCode, ErrorPayload, MetadataCommand } from '@app/contracts';
import { DefinitionQueries } from '@app/persistence';
import { createMigratedDataSource, TestDatabase } from '../../../../test/support/database';
import { hostOnDatabase } from '../../../../test/support/executor-harness';
import { MetadataModule } from '../metadata.module';
import { MetadataCommandsConsumer } from './metadata-commands.consumer';

type Body<C> = C extends MetadataCommand ? Omit<C, 'commandId' | 'issuedAt'> : never;

const dag = (workspace: string, dagName: string) => `
workspace: ${workspace}
dagName: ${dagName}
type: flow
tasks:
  - name: only
    category: pass
`;

/**
 * Rill Flow's descriptor management through the metadata app's command handler, on real Postgres: the
 * listings registration fills, the modify_* commands, gray rules, and the back office's DAG list.
 */
describe('Rill Flow registry and gray rules on real Postgres', () => {
  let db: TestDatabase;
  let ds: DataSource;
  let moduleRef: TestingModule;
  let consumer: MetadataCommandsConsumer;
  let queries: DefinitionQueries;

  /** Sends a command as the bus delivers it; the reply as the gateway gets it. */
  const send = (command: Body<MetadataCommand>): Promise<CommandReply<unknown>> =>
    consumer.handle({ ...command, commandId: randomUUID(), issuedAt: Date.now() } as MetadataCommand);
  const ok = async (command: Body<MetadataCommand>): Promise<unknown> => {
    const reply = await send(command);
    if (!reply.ok) throw new Error(`${command.type} failed: ${JSON.stringify(reply.error)}`);
    return reply.result;
  };
  const failure = async (command: Body<MetadataCommand>): Promise<ErrorPayload> => {
    const reply = await send(command);
    if (reply.ok) throw new Error(`${command.type} succeeded: ${JSON.stringify(reply.result)}`);
    return reply.error;
  };
  const addDescriptor = (businessId: string, featureName: string, alias = 'release') =>
    ok({ type: 'rill.descriptor.add', businessId, featureName, alias, yaml: dag(businessId, featureName) });
  /** Every row of the registry's tables, to show a refused command wrote nothing. */
  const snapshot = async () => ({
    business: await ds.query('SELECT * FROM rill_business ORDER BY 1'),
    feature: await ds.query('SELECT * FROM rill_feature ORDER BY 1, 2'),
    alias: await ds.query('SELECT * FROM rill_descriptor_alias ORDER BY 1, 2, 3'),
    gray: await ds.query('SELECT * FROM rill_gray_rule ORDER BY 1, 2, 3'),
  });

  beforeAll(async () => {
    ({ db, dataSource: ds } = await createMigratedDataSource('baton_rillreg'));
    ({ moduleRef } = await hostOnDatabase(MetadataModule, ds));
    consumer = moduleRef.get(MetadataCommandsConsumer);
    queries = new DefinitionQueries(ds);
  });

  afterAll(async () => {
    await moduleRef?.close();
    await ds?.destroy();
    await db?.drop();
  });

  it('lists the business, feature and alias a registered descriptor names', async () => {
    await addDescriptor('shop', 'checkout');
    await addDescriptor('shop', 'checkout', 'gray');
    await addDescriptor('shop', 'refund');

    expect(await queries.rillBusinessIds()).toContain('shop');
    expect(await queries.rillFeatureNames('shop')).toEqual(['checkout', 'refund']);
    expect(await queries.rillAliases('shop', 'checkout')).toEqual([
      { alias: 'gray', version: 2 },
      { alias: 'release', version: 1 },
    ]);
  });

  it('adds and removes business ids; removing one only takes it out of the listing, as Rill Flow does', async () => {
    expect(await ok({ type: 'rill.business.modify', add: true, businessId: 'empty_biz' })).toEqual({ changed: true });
    expect(await ok({ type: 'rill.business.modify', add: true, businessId: 'empty_biz' })).toEqual({ changed: false });
    expect(await queries.rillBusinessIds()).toEqual(expect.arrayContaining(['empty_biz', 'shop']));

    expect(await ok({ type: 'rill.business.modify', add: false, businessId: 'shop' })).toEqual({ changed: true });
    expect(await queries.rillBusinessIds()).not.toContain('shop');
    // Its features and DAGs are still there and still resolve.
    expect(await queries.rillFeatureNames('shop')).toEqual(['checkout', 'refund']);
    expect((await queries.rillDescriptor('shop', 'checkout', { alias: 'release' }))?.version).toBe(1);
    // Removing what is not listed is no error (Rill Flow answers ret: true).
    expect(await ok({ type: 'rill.business.modify', add: false, businessId: 'shop' })).toEqual({ changed: false });

    // Registering a descriptor lists its business again.
    await addDescriptor('shop', 'checkout');
    expect(await queries.rillBusinessIds()).toContain('shop');
  });

  it('adds a feature with its business, and removes it from the listing only', async () => {
    expect(await ok({ type: 'rill.feature.modify', add: true, businessId: 'newbiz', featureName: 'f1' })).toEqual({ changed: true });
    expect(await queries.rillBusinessIds()).toContain('newbiz');
    expect(await queries.rillFeatureNames('newbiz')).toEqual(['f1']);

    await ok({ type: 'rill.feature.modify', add: false, businessId: 'shop', featureName: 'refund' });
    expect(await queries.rillFeatureNames('shop')).toEqual(['checkout']);
    expect((await queries.rillDescriptor('shop', 'refund', { alias: 'release' }))?.version).toBe(1);
  });

  it('registers an alias that points nowhere, points one at a version, and removes one with its gray rule', async () => {
    await ok({ type: 'rill.alias.modify', add: true, businessId: 'aliasbiz', featureName: 'flow', alias: 'preview' });
    expect(await queries.rillBusinessIds()).toContain('aliasbiz');
    expect(await queries.rillFeatureNames('aliasbiz')).toEqual(['flow']);
    expect(await queries.rillAliases('aliasbiz', 'flow')).toEqual([{ alias: 'preview', version: null }]);
    // An alias that points nowhere names no descriptor.
    expect(await queries.rillDescriptor('aliasbiz', 'flow', { alias: 'preview' })).toBeNull();

    // A descriptor registered under it gives it its version; registering the name again keeps that.
    await addDescriptor('aliasbiz', 'flow', 'preview');
    await addDescriptor('aliasbiz', 'flow');
    expect(await ok({ type: 'rill.alias.modify', add: true, businessId: 'aliasbiz', featureName: 'flow', alias: 'preview' })).toEqual({ changed: false });
    expect(await queries.rillAliases('aliasbiz', 'flow')).toEqual([
      { alias: 'preview', version: 1 },
      { alias: 'release', version: 2 },
    ]);

    // Baton's addition: point an alias at a version (a rollback).
    expect(await ok({ type: 'rill.alias.modify', add: true, businessId: 'aliasbiz', featureName: 'flow', alias: 'release', version: 1 })).toEqual({ changed: true });
    expect((await queries.rillDescriptor('aliasbiz', 'flow', { alias: 'release' }))?.version).toBe(1);
    expect(await ok({ type: 'rill.alias.modify', add: true, businessId: 'aliasbiz', featureName: 'flow', alias: 'release', version: 1 })).toEqual({ changed: false });

    // A version that does not exist: a 404 naming the field, nothing written.
    const before = await snapshot();
    const missing = await failure({ type: 'rill.alias.modify', add: true, businessId: 'aliasbiz', featureName: 'flow', alias: 'canary', version: 9 });
    expect(missing).toMatchObject({ code: ErrorCode.RillDescriptorNotFound, validationErrors: [expect.objectContaining({ path: 'version' })] });
    expect(await snapshot()).toEqual(before);

    // Removing an alias removes its gray rule, and its descriptor id no longer resolves.
    await ok({ type: 'rill.gray.modify', add: true, businessId: 'aliasbiz', featureName: 'flow', alias: 'preview', grayRule: 'rand(100) < 5' });
    expect(await ok({ type: 'rill.alias.modify', add: false, businessId: 'aliasbiz', featureName: 'flow', alias: 'preview' })).toEqual({ changed: true });
    expect(await queries.rillGrayRules('aliasbiz', 'flow')).toEqual([]);
    expect(await queries.rillDescriptor('aliasbiz', 'flow', { alias: 'preview' })).toBeNull();
    expect((await queries.rillDescriptor('aliasbiz', 'flow', { version: 1 }))?.version).toBe(1);
  });

  it('sets gray rules (registering the alias, feature and business), lists them in code-point order, and removes them', async () => {
    expect(await ok({ type: 'rill.gray.modify', add: true, businessId: 'graybiz', featureName: 'feat', alias: 'gray', grayRule: 'rand(100) < 10' })).toEqual({ changed: true });
    await ok({ type: 'rill.gray.modify', add: true, businessId: 'graybiz', featureName: 'feat', alias: 'Canary', grayRule: 'uid % 100 < 1' });
    await ok({ type: 'rill.gray.modify', add: true, businessId: 'graybiz', featureName: 'feat', alias: 'beta', grayRule: 'input.vip == true' });

    expect(await queries.rillBusinessIds()).toContain('graybiz');
    expect(await queries.rillFeatureNames('graybiz')).toEqual(['feat']);
    expect((await queries.rillAliases('graybiz', 'feat')).map((a) => a.alias)).toEqual(['Canary', 'beta', 'gray']);
    expect(await queries.rillGrayRules('graybiz', 'feat')).toEqual([
      { alias: 'Canary', rule: 'uid % 100 < 1' },
      { alias: 'beta', rule: 'input.vip == true' },
      { alias: 'gray', rule: 'rand(100) < 10' },
    ]);

    // The same rule again changes nothing; a new one replaces it.
    expect(await ok({ type: 'rill.gray.modify', add: true, businessId: 'graybiz', featureName: 'feat', alias: 'gray', grayRule: 'rand(100) < 10' })).toEqual({ changed: false });
    await ok({ type: 'rill.gray.modify', add: true, businessId: 'graybiz', featureName: 'feat', alias: 'gray', grayRule: 'rand(100) < 50' });
    expect((await queries.rillGrayRules('graybiz', 'feat')).find((r) => r.alias === 'gray')?.rule).toBe('rand(100) < 50');

    // Removing a rule keeps its alias; removing one that is not there is no error.
    expect(await ok({ type: 'rill.gray.modify', add: false, businessId: 'graybiz', featureName: 'feat', alias: 'beta' })).toEqual({ changed: true });
    expect(await ok({ type: 'rill.gray.modify', add: false, businessId: 'graybiz', featureName: 'feat', alias: 'beta' })).toEqual({ changed: false });
    expect((await queries.rillGrayRules('graybiz', 'feat')).map((r) => r.alias)).toEqual(['Canary', 'gray']);
    expect((await queries.rillAliases('graybiz', 'feat')).map((a) => a.alias)).toContain('beta');
  });

  it('refuses bad input with every problem named, and writes nothing', async () => {
    const before = await snapshot();
    const cases: Array<[Body<MetadataCommand>, string[]]> = [
      [{ type: 'rill.business.modify', add: true, businessId: '' }, ['business_id']],
      [{ type: 'rill.business.modify', add: 'yes' as unknown as boolean, businessId: 'a:b' }, ['add', 'business_id']],
      [{ type: 'rill.feature.modify', add: true, businessId: 'ok', featureName: 'has space' }, ['feature_name']],
      [{ type: 'rill.alias.modify', add: true, businessId: 'ok', featureName: 'ok', alias: 'v2' }, ['alias']],
      [{ type: 'rill.alias.modify', add: false, businessId: 'ok', featureName: 'ok', alias: 'gray', version: 1 }, ['version']],
      [{ type: 'rill.alias.modify', add: true, businessId: 'ok', featureName: 'ok', alias: 'gray', version: 0 }, ['version']],
      [{ type: 'rill.gray.modify', add: true, businessId: 'ok', featureName: 'ok', alias: 'gray', grayRule: '  ' }, ['gray_rule']],
      [{ type: 'rill.gray.modify', add: true, businessId: 'ok', featureName: 'ok', alias: 'gray', grayRule: 'x'.repeat(1025) }, ['gray_rule']],
      [{ type: 'rill.gray.modify', add: true, businessId: '', featureName: '', alias: '' }, ['business_id', 'feature_name', 'alias', 'gray_rule']],
    ];
    for (const [command, paths] of cases) {
      const error = await failure(command);
      expect(error.code).toBe(ErrorCode.ValidationFailed);
      expect((error.validationErrors ?? []).map((e) => e.path)).toEqual(paths);
    }
    expect(await snapshot()).toEqual(before);
  });

  it("pages the back office's DAG list: aliases that point at a version, of listed features, most recently pointed first", async () => {
    const { total, records } = await queries.rillDescriptorRecords(0, 1000);
    expect(total).toBe(records.length);
    const ids = records.map((r) => `${r.businessId}:${r.featureName}:${r.alias}:v${r.version}`);
    // Listed and pointing somewhere: in. An alias that points nowhere, or a feature taken out of the listing: out.
    expect(ids).toEqual(expect.arrayContaining(['shop:checkout:release:v3', 'shop:checkout:gray:v2', 'aliasbiz:flow:release:v1']));
    expect(ids.filter((id) => id.startsWith('graybiz:') || id.startsWith('shop:refund:'))).toEqual([]);
    const updates = records.map((r) => r.updateTime);
    expect(updates).toEqual([...updates].sort((a, b) => b - a));
    const checkout = records.find((r) => r.businessId === 'shop' && r.alias === 'release')!;
    expect(checkout.createTime).toBeLessThanOrEqual(checkout.updateTime);

    const [first, second] = [await queries.rillDescriptorRecords(0, 2), await queries.rillDescriptorRecords(2, 2)];
    expect(first.total).toBe(total);
    expect([...first.records, ...second.records]).toEqual(records.slice(0, 4));
    expect(await queries.rillDescriptorRecords(total + 10, 5)).toEqual({ total, records: [] });
  });
});
