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
}
