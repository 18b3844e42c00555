import { randomBytes } from 'node:crypto';
import { ConductorClient } from './conductor-client';

const docSample = (workspace: string, dagName: string) => `
version: 20230829
workspace: ${workspace}
dagName: ${dagName}
type: flow
tasks:
  - category: function
    name: startNode
    next: endNode
    resourceName: http://127.0.0.1:8080/flow/sample/start_node.json
    pattern: task_sync
    inputMappings:
      - target: $.input.right
        source: $.context.right
    outputMappings:
      - target: $.context.result_number
        source: $.output.result_number
  - category: pass
    name: endNode
`;

const everyCategory = `
type: flow
tasks:
  - name: fetch
    category: function
    resourceName: http://api.example/list
    pattern: task_async
    next: route, loop
    retry: { maxRetryTimes: 3, intervalInSeconds: 5, multiplier: 2 }
    outputMappings:
      - source: $.output.items
        target: $.context.items
  - name: route
    category: choice
    next: wait
    choices:
      - condition: $.input[?(@.kind == "video")]
        tasks:
          - name: transcode
            category: function
            resourceName: rillflow://media:transcode
            pattern: flow_sync
  - name: loop
    category: foreach
    next: wait
    iterationMapping: { collection: $.input.items, item: element }
    synchronization:
      conditions:
        - $.input[?(@.ok == true)]
      maxConcurrency: 5
    tasks:
      - name: each
        category: pass
  - name: wait
    category: suspense
    next: decide
    conditions:
      - $.input[?(@.approved == true)]
  - name: decide
    category: switch
    switches:
      - condition: $.input[?(@.done == true)]
        next: stop
      - condition: $.input[?(@.done == false)]
        next: finish
  - name: stop
    category: return
    conditions:
      - $.input[?(@.abort == true)]
  - name: finish
    category: pass
`;

/**
 * Rill Flow descriptor registration: versions, aliases, the translated model, and `{"ret": false}` errors.
 * Shared by both run modes.
 */
export function rillFlowApiSuite(api: () => ConductorClient): void {
  const base = '/flow/bg/manage/descriptor';
  const unique = () => `biz${randomBytes(3).toString('hex')}`;
  const add = (businessId: string, featureName: string, yaml: string, alias?: string) =>
    api().call<Record<string, unknown>>(
      'POST',
      `${base}/add_descriptor.json?business_id=${businessId}&feature_name=${featureName}${alias ? `&alias=${alias}` : ''}`,
      undefined,
      yaml,
      'text/plain',
    );

  it('registers the API-doc descriptor and serves it back with its translation', async () => {
    const biz = unique();
    const r = await add(biz, 'demoTest', docSample(biz, 'demoTest'));
    expect(r.status).toBe(200);
    expect(r.body).toEqual({ ret: true, descriptor_id: `${biz}:demoTest`, version: 1 });

    const got = await api().call<{ ret: boolean; descriptor: string; dag: { tasks: Array<{ name: string; category: string; next: string[] }> } }>('GET', `${base}/get_descriptor.json?descriptor_id=${biz}:demoTest`);
    expect(got.status).toBe(200);
    expect(got.body.descriptor).toBe(docSample(biz, 'demoTest'));
    expect(got.body.dag.tasks.map((t) => [t.name, t.category, t.next])).toEqual([
      ['startNode', 'function', ['endNode']],
      ['endNode', 'pass', []],
    ]);
  });

  it('keeps versions and moves aliases: release by default, others on request', async () => {
    const biz = unique();
    await add(biz, 'feat', docSample(biz, 'feat'));
    const second = await add(biz, 'feat', everyCategory, 'gray');
    expect(second.body).toMatchObject({ ret: true, version: 2 });

    const release = await api().call<{ version: number }>('GET', `${base}/get_descriptor.json?descriptor_id=${biz}:feat`);
    const gray = await api().call<{ version: number }>('GET', `${base}/get_descriptor.json?descriptor_id=${biz}:feat:gray`);
    const v2 = await api().call<{ version: number }>('GET', `${base}/get_descriptor.json?descriptor_id=${biz}:feat:v2`);
    expect([release.body.version, gray.body.version, v2.body.version]).toEqual([1, 2, 2]);
    const versions = await api().call<{ versions: Array<{ version: number; aliases: string[] }> }>('GET', `${base}/get_version.json?business_id=${biz}&feature_name=feat`);
    expect(versions.body.versions.map((v) => [v.version, v.aliases])).toEqual([
      [1, ['release']],
      [2, ['gray']],
    ]);
  });

  it('translates a DAG using every category into the engine model', async () => {
    const biz = unique();
    expect((await add(biz, 'all', everyCategory)).status).toBe(200);
    const got = await api().call<{ dag: { workspace: string; dagName: string; tasks: Array<{ name: string; category: string; next: string[] }> } }>('GET', `${base}/get_descriptor.json?descriptor_id=${biz}:all`);
    expect(got.body.dag).toMatchObject({ workspace: biz, dagName: 'all' });
    expect(got.body.dag.tasks.map((t) => t.category).sort()).toEqual(['choice', 'foreach', 'function', 'pass', 'return', 'suspense', 'switch']);
    expect(got.body.dag.tasks.find((t) => t.name === 'decide')?.next).toEqual(['stop', 'finish']);
  });

  it('answers malformed YAML, an invalid DAG and missing ids with {"ret": false} and a 400, storing nothing', async () => {
    const biz = unique();
    const syntax = await add(biz, 'bad', 'tasks: [unclosed');
    expect(syntax.status).toBe(400);
    expect(syntax.body).toMatchObject({ ret: false, errors: [expect.objectContaining({ path: '$', message: expect.stringMatching(/YAML syntax error at line \d+, column \d+/) })] });

    const dangling = await add(biz, 'bad', 'type: flow\ntasks:\n  - name: a\n    category: pass\n    next: nowhere\n');
    expect(dangling.status).toBe(400);
    expect(dangling.body).toMatchObject({ ret: false, errors: [expect.objectContaining({ path: 'tasks[0].next' })] });

    const noIds = await add('', '', docSample('x', 'y'));
    expect(noIds.status).toBe(400);
    expect((noIds.body.errors as Array<{ path: string }>).map((e) => e.path)).toEqual(expect.arrayContaining(['business_id', 'feature_name']));

    const missing = await api().call<Record<string, unknown>>('GET', `${base}/get_descriptor.json?descriptor_id=${biz}:bad`);
    expect(missing.status).toBe(404);
    expect(missing.body).toMatchObject({ ret: false });
  });

  // ---- business, feature and alias listings; gray rules; the back office's list -------------------------------

  type Listing = Record<string, unknown> & { ret: boolean };
  const get = (path: string) => api().call<Listing>('GET', `${base}/${path}`);
  /** A modify_*.json with its parameters in the query, as Rill Flow's clients send them. */
  const modify = (endpoint: string, params: Record<string, string>) => api().call<Listing>('POST', `${base}/${endpoint}?${new URLSearchParams(params)}`);
  /** The same with the parameters as a form body (Spring's @RequestParam reads either). */
  const modifyByForm = (endpoint: string, params: Record<string, string>) =>
    api().call<Listing>('POST', `${base}/${endpoint}`, undefined, new URLSearchParams(params).toString(), 'application/x-www-form-urlencoded');
  /** A DAG of one pass task, named so a run shows which version it is. */
  const onePass = (workspace: string, dagName: string, task: string) => `workspace: ${workspace}\ndagName: ${dagName}\ntype: flow\ntasks:\n  - name: ${task}\n    category: pass\n`;

  it('lists the businesses, features and aliases registration records, and adds and removes them as Rill Flow does', async () => {
    const biz = unique();
    await add(biz, 'feat', onePass(biz, 'feat', 'one'));
    await add(biz, 'feat', onePass(biz, 'feat', 'two'), 'gray');

    expect((await get('get_business.json')).body.business_ids).toContain(biz);
    expect((await get(`get_feature.json?business_id=${biz}`)).body).toEqual({ ret: true, business_id: biz, features: ['feat'] });
    expect((await get(`get_alias.json?business_id=${biz}&feature_name=feat`)).body).toEqual({
      ret: true,
      business_id: biz,
      feature: 'feat',
      aliases: ['gray', 'release'],
      alias_versions: { gray: 2, release: 1 },
    });

    expect((await modify('modify_feature.json', { add: 'true', business_id: biz, feature_name: 'later' })).body).toEqual({ ret: true });
    expect((await get(`get_feature.json?business_id=${biz}`)).body.features).toEqual(['feat', 'later']);

    // An alias pointed at a version (Baton's `version`), by form; removed, its descriptor id no longer resolves.
    expect((await modifyByForm('modify_alias.json', { add: 'true', business_id: biz, feature_name: 'feat', alias: 'canary', version: '1' })).status).toBe(200);
    expect((await api().call<{ version: number }>('GET', `${base}/get_descriptor.json?descriptor_id=${biz}:feat:canary`)).body.version).toBe(1);
    expect((await modify('modify_alias.json', { add: 'false', business_id: biz, feature_name: 'feat', alias: 'canary' })).body).toEqual({ ret: true });
    expect((await api().call('GET', `${base}/get_descriptor.json?descriptor_id=${biz}:feat:canary`)).status).toBe(404);
    // An alias registered before any DAG is given it points nowhere.
    await modify('modify_alias.json', { add: 'true', business_id: biz, feature_name: 'feat', alias: 'preview' });
    expect((await get(`get_alias.json?business_id=${biz}&feature_name=feat`)).body.alias_versions).toEqual({ gray: 2, preview: null, release: 1 });

    // Taking a business out of the listing leaves its DAGs registered.
    expect((await modify('modify_business.json', { add: 'false', business_id: biz })).body).toEqual({ ret: true });
    expect((await get('get_business.json')).body.business_ids).not.toContain(biz);
    expect((await api().call('GET', `${base}/get_descriptor.json?descriptor_id=${biz}:feat`)).status).toBe(200);
    expect((await modify('modify_business.json', { add: 'true', business_id: biz })).status).toBe(200);
    expect((await get('get_business.json')).body.business_ids).toContain(biz);
  });

  it('sets, lists and removes gray rules, refusing with a 400 naming gray_rule a rule it could not evaluate', async () => {
    const biz = unique();
    await add(biz, 'feat', onePass(biz, 'feat', 'one'));
    expect((await modify('modify_gray.json', { add: 'true', business_id: biz, feature_name: 'feat', alias: 'gray', gray_rule: 'rand(100) < 10' })).body).toEqual({ ret: true });
    expect((await get(`get_gray.json?business_id=${biz}&feature_name=feat`)).body).toEqual({ ret: true, business_id: biz, feature: 'feat', gray: { gray: 'rand(100) < 10' } });
    // Setting a rule registers its alias (pointing nowhere until a DAG is registered under it).
    expect((await get(`get_alias.json?business_id=${biz}&feature_name=feat`)).body.alias_versions).toEqual({ gray: null, release: 1 });

    const hostile = await modify('modify_gray.json', { add: 'true', business_id: biz, feature_name: 'feat', alias: 'gray', gray_rule: 'process.exit(1)' });
    expect(hostile.status).toBe(400);
    expect(hostile.body).toMatchObject({ ret: false, errors: [expect.objectContaining({ path: 'gray_rule', message: expect.stringMatching(/unknown function process.exit/) })] });
    const mistyped = await modify('modify_gray.json', { add: 'true', business_id: biz, feature_name: 'feat', alias: 'gray', gray_rule: 'rand(100) < "10"' });
    expect(mistyped.status).toBe(400);
    const empty = await modify('modify_gray.json', { add: 'true', business_id: biz, feature_name: 'feat', alias: 'gray' });
    expect(empty.body).toMatchObject({ ret: false, errors: [expect.objectContaining({ path: 'gray_rule', message: 'gray_rule can not be empty when add gray' })] });
    const noAdd = await modify('modify_gray.json', { business_id: biz, feature_name: 'feat', alias: '', gray_rule: 'true' });
    expect(noAdd.status).toBe(400);
    expect(((noAdd.body.errors ?? []) as Array<{ path: string }>).map((e) => e.path)).toEqual(['add', 'alias']);
    expect((await get(`get_gray.json?business_id=${biz}&feature_name=feat`)).body.gray).toEqual({ gray: 'rand(100) < 10' });

    expect((await modify('modify_gray.json', { add: 'false', business_id: biz, feature_name: 'feat', alias: 'gray' })).body).toEqual({ ret: true });
    expect((await get(`get_gray.json?business_id=${biz}&feature_name=feat`)).body.gray).toEqual({});
    expect((await get('get_gray.json?business_id=' + biz)).status).toBe(400);
  });

  it('runs, for a descriptor id naming no alias, the version of the first alias whose gray rule holds for the context', async () => {
    const biz = unique();
    await add(biz, 'feat', onePass(biz, 'feat', 'one'));
    await add(biz, 'feat', onePass(biz, 'feat', 'two'), 'gray');
    await modify('modify_gray.json', { add: 'true', business_id: biz, feature_name: 'feat', alias: 'gray', gray_rule: 'input.canary == true' });
    const ran = async (descriptorId: string, context: Record<string, unknown>) => {
      const submitted = await api().call<{ execution_id: string }>('POST', `/flow/submit.json?descriptor_id=${descriptorId}`, context);
      expect(submitted.status).toBe(200);
      const got = await api().call<{ ret: { tasks: Record<string, unknown> } }>('GET', `/flow/get.json?execution_id=${encodeURIComponent(submitted.body.execution_id)}`);
      return Object.keys(got.body.ret.tasks);
    };
    expect(await ran(`${biz}:feat`, { canary: true })).toEqual(['two']);
    expect(await ran(`${biz}:feat`, { canary: false })).toEqual(['one']);
    expect(await ran(`${biz}:feat`, {})).toEqual(['one']);
    // An id that names an alias or a version is taken as it is.
    expect(await ran(`${biz}:feat:release`, { canary: true })).toEqual(['one']);
    expect(await ran(`${biz}:feat:v2`, {})).toEqual(['two']);
  });

  it("pages the back office's DAG list, the alias most recently pointed first", async () => {
    const biz = unique();
    await add(biz, 'first', onePass(biz, 'first', 'one'));
    await add(biz, 'second', onePass(biz, 'second', 'one'));
    type Records = { ret: boolean; total: number; items: Array<{ businessId: string; featureId: string; alias: string; descriptorId: string; createTime: number; updateTime: number }> };
    const page = await api().call<Records>('GET', '/flow/bg/get_descriptor_ids.json?current=1&pageSize=2');
    expect(page.status).toBe(200);
    expect(page.body.total).toBeGreaterThanOrEqual(2);
    expect(page.body.items.map((i) => i.descriptorId)).toEqual([`${biz}:second:v1`, `${biz}:first:v1`]);
    expect(page.body.items[0]).toEqual({ businessId: biz, featureId: 'second', alias: 'release', descriptorId: `${biz}:second:v1`, createTime: expect.any(Number), updateTime: expect.any(Number) });
    const next = await api().call<Records>('GET', '/flow/bg/get_descriptor_ids.json?current=2&pageSize=2');
    expect(next.body.total).toBe(page.body.total);
    expect(next.body.items.map((i) => i.descriptorId)).not.toContain(`${biz}:first:v1`);
    const bad = await api().call<Listing>('GET', '/flow/bg/get_descriptor_ids.json?current=0&pageSize=5000');
    expect(bad.status).toBe(400);
    expect(((bad.body.errors ?? []) as Array<{ path: string }>).map((e) => e.path)).toEqual(['current', 'pageSize']);
  });
}
