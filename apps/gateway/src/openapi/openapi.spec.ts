import 'reflect-metadata';
import { spawnSync } from 'node:child_process';
import { INestApplication, RequestMethod, Type } from '@nestjs/common';
import { HEADERS_METADATA, HTTP_CODE_METADATA, METHOD_METADATA, MODULE_METADATA, ROUTE_ARGS_METADATA } from '@nestjs/common/constants';
import { RouteParamtypes } from '@nestjs/common/enums/route-paramtypes.enum';
import { DECORATORS, OpenAPIObject } from '@nestjs/swagger';
import type { OperationObject, ParameterObject } from '@nestjs/swagger/dist/interfaces/open-api-spec.interface';
import { Test } from '@nestjs/testing';
import { GatewayModule } from '../gateway.module';
import { buildOpenApiDocument } from './openapi.setup';

/**
 * The OpenAPI document against the app it describes, built in memory: the gateway's controllers with
 * every dependency a stub (no database, no bus: nothing here is called, only registered). The route list
 * comes from what Express actually registered, so a route added without documentation fails here.
 */

/** `@seriousme/openapi-schema-validator` is ESM only; Jest runs CommonJS, so it runs in a node of its own. */
const VALIDATE = `
import { Validator } from '@seriousme/openapi-schema-validator';
let input = '';
for await (const chunk of process.stdin) input += chunk;
process.stdout.write(JSON.stringify(await new Validator().validate(JSON.parse(input))));
`;

function validateOpenApi(document: unknown): { valid: boolean; errors?: unknown } {
  const run = spawnSync(process.execPath, ['--input-type=module', '--eval', VALIDATE], { cwd: __dirname, input: JSON.stringify(document), encoding: 'utf8' });
  if (run.status !== 0) throw new Error(`the validator did not run: ${run.stderr}`);
  return JSON.parse(run.stdout) as { valid: boolean; errors?: unknown };
}

const HTTP_METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'] as const;

interface ExpressLayer {
  readonly route?: { readonly path: string; readonly methods: Record<string, boolean> };
}

/** Every `METHOD /path` Express serves, in OpenAPI's path notation (`/:id` → `/{id}`). */
function registeredRoutes(app: INestApplication): string[] {
  const express = app.getHttpAdapter().getInstance() as { router: { stack: ExpressLayer[] } };
  return express.router.stack.flatMap((layer) =>
    layer.route
      ? Object.keys(layer.route.methods)
          .filter((m) => layer.route!.methods[m])
          .map((m) => `${m.toUpperCase()} ${layer.route!.path.replace(/:(\w+)/g, '{$1}')}`)
      : [],
  );
}

function documentedRoutes(document: OpenAPIObject): string[] {
  return Object.entries(document.paths).flatMap(([path, item]) => HTTP_METHODS.filter((m) => item[m]).map((m) => `${m.toUpperCase()} ${path}`));
}

/** The operations of each handler, by the id Swagger gives it (`Controller_method`, `…[i]` for each of several paths). */
function operationsById(document: OpenAPIObject): Map<string, OperationObject[]> {
  const ops = new Map<string, OperationObject[]>();
  for (const item of Object.values(document.paths)) {
    for (const m of HTTP_METHODS) {
      const op = item[m];
      if (!op?.operationId) continue;
      const id = op.operationId.replace(/\[\d+\]$/, '');
      ops.set(id, [...(ops.get(id) ?? []), op]);
    }
  }
  return ops;
}

interface Handler {
  readonly id: string;
  readonly controller: Type<unknown>;
  readonly method: string;
}

/** The route handlers of the gateway's controllers, by the operation id Swagger gives each. */
function handlers(controllers: readonly Type<unknown>[]): Handler[] {
  return controllers.flatMap((controller) =>
    Object.getOwnPropertyNames(controller.prototype)
      .filter((method) => method !== 'constructor' && Reflect.getMetadata(METHOD_METADATA, controller.prototype[method]) !== undefined)
      .map((method) => ({ id: `${controller.name}_${method}`, controller, method })),
  );
}

/** What a handler binds: `@Query('x')`, `@Body()`, `@Res()`, … */
function boundArgs(h: Handler): Array<{ type: RouteParamtypes; name?: string }> {
  const args = (Reflect.getMetadata(ROUTE_ARGS_METADATA, h.controller, h.method) ?? {}) as Record<string, { data?: unknown }>;
  return Object.entries(args).map(([key, arg]) => ({ type: Number(key.split(':')[0]) as RouteParamtypes, ...(typeof arg.data === 'string' ? { name: arg.data } : {}) }));
}

describe('the OpenAPI document', () => {
  const controllers = Reflect.getMetadata(MODULE_METADATA.CONTROLLERS, GatewayModule) as Type<unknown>[];
  let app: INestApplication;
  let document: OpenAPIObject;

  beforeAll(async () => {
    const moduleRef = await Test.createTestingModule({ controllers }).useMocker(() => ({})).compile();
    app = moduleRef.createNestApplication({ logger: false });
    await app.init();
    document = buildOpenApiDocument(app);
  });

  afterAll(async () => {
    await app?.close();
  });

  it('is a valid OpenAPI 3 document, every $ref resolving', () => {
    expect(validateOpenApi(document)).toEqual({ valid: true });
  });

  it('documents every route the gateway serves, with its method, and nothing it does not serve', () => {
    const routes = registeredRoutes(app);
    expect(routes.length).toBeGreaterThan(50);
    expect(documentedRoutes(document).sort()).toEqual([...new Set(routes)].sort());
  });

  it('gives every operation a summary, a tag and its path parameters', () => {
    const problems: string[] = [];
    for (const [path, item] of Object.entries(document.paths)) {
      for (const m of HTTP_METHODS) {
        const op = item[m];
        if (!op) continue;
        const where = `${m.toUpperCase()} ${path}`;
        if (!op.summary) problems.push(`${where}: no summary`);
        if (!op.tags?.length) problems.push(`${where}: no tag`);
        const params = (op.parameters ?? []) as ParameterObject[];
        for (const [, name] of path.matchAll(/\{(\w+)\}/g)) {
          if (!params.some((p) => p.in === 'path' && p.name === name && p.required)) problems.push(`${where}: path parameter ${name} not documented`);
        }
      }
    }
    expect(problems).toEqual([]);
  });

  it("documents each handler's query parameters, body, success status and content type as the handler serves them", () => {
    const ops = operationsById(document);
    const problems: string[] = [];
    for (const h of handlers(controllers)) {
      const found = ops.get(h.id);
      if (!found) {
        problems.push(`${h.id}: no operation`);
        continue;
      }
      // A handler on several paths has one operation per path, from the same decorators.
      const op = found[0];
      const fn = (h.controller.prototype as Record<string, object>)[h.method];
      const args = boundArgs(h);
      // Swagger lists a bound query parameter by itself, as a required string: only @ApiQuery says what it is.
      const declared = ((Reflect.getMetadata(DECORATORS.API_PARAMETERS, fn) ?? []) as ParameterObject[]).filter((p) => p.in === 'query').map((p) => p.name);
      for (const q of args.filter((a) => a.type === RouteParamtypes.QUERY)) {
        if (!q.name || !declared.includes(q.name)) problems.push(`${h.id}: query parameter ${q.name ?? '(all)'} has no @ApiQuery`);
      }
      if (args.some((a) => a.type === RouteParamtypes.BODY) && !op.requestBody) problems.push(`${h.id}: reads a body it does not document`);

      const statuses = Object.keys(op.responses);
      const success = statuses.filter((s) => /^2\d\d$/.test(s));
      if (args.some((a) => a.type === RouteParamtypes.RESPONSE)) {
        // It answers by hand (200 or 204, say): at least one success documented.
        if (!success.length) problems.push(`${h.id}: no success response documented`);
      } else if (!statuses.includes('501')) {
        const expected = String(Reflect.getMetadata(HTTP_CODE_METADATA, fn) ?? (Reflect.getMetadata(METHOD_METADATA, fn) === RequestMethod.POST ? 201 : 200));
        if (!statuses.includes(expected)) problems.push(`${h.id}: answers ${expected}, documents ${statuses.join(', ') || 'nothing'}`);
        const headers = (Reflect.getMetadata(HEADERS_METADATA, fn) ?? []) as Array<{ name: string; value: string }>;
        const contentType = headers.find((x) => x.name.toLowerCase() === 'content-type')?.value;
        const documented = Object.keys((op.responses[expected] as { content?: object } | undefined)?.content ?? {});
        if (contentType && !documented.includes(contentType)) problems.push(`${h.id}: answers ${contentType}, documents ${documented.join(', ') || 'no content'}`);
      }
    }
    expect(problems).toEqual([]);
  });

  it('carries the request and response models', () => {
    expect(Object.keys(document.components?.schemas ?? {})).toEqual(
      expect.arrayContaining(['StartWorkflowRequest', 'RerunWorkflowRequest', 'TaskResult', 'WorkflowTestRequest', 'SkipTaskRequest', 'Workflow', 'Task', 'TaskExecLog', 'PollData', 'SignalResponse', 'WorkflowRun', 'TaskRun', 'WorkflowStatus', 'SearchResultTask', 'BulkResponse', 'HealthCheckStatus', 'ErrorResponse']),
    );
  });
});
