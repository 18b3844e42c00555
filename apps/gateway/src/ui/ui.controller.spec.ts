import { INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import { UI_ROOT, UiController } from './ui.controller';

/** Serving the built UI: files, the SPA fallback for client routes, and what must not be served. */
describe('UiController', () => {
  const built = mkdtempSync(join(tmpdir(), 'baton-ui-'));
  const empty = mkdtempSync(join(tmpdir(), 'baton-ui-none-'));
  let app: INestApplication;
  let bare: INestApplication;

  const appFor = async (root: string) => {
    const moduleRef = await Test.createTestingModule({ controllers: [UiController], providers: [{ provide: UI_ROOT, useValue: root }] }).compile();
    const nest = moduleRef.createNestApplication({ logger: false });
    await nest.init();
    return nest;
  };

  beforeAll(async () => {
    mkdirSync(join(built, 'assets'));
    writeFileSync(join(built, 'index.html'), '<!doctype html><div id="root"></div>');
    writeFileSync(join(built, 'assets', 'index-abc.js'), 'console.log(1)');
    writeFileSync(join(tmpdir(), 'outside.txt'), 'secret');
    [app, bare] = await Promise.all([appFor(built), appFor(empty)]);
  });

  afterAll(async () => {
    await Promise.all([app?.close(), bare?.close()]);
    rmSync(built, { recursive: true, force: true });
    rmSync(empty, { recursive: true, force: true });
  });

  it('serves the index, never cached, at /ui and for client routes', async () => {
    for (const path of ['/ui', '/ui/', '/ui/execution/0d9c']) {
      const res = await request(app.getHttpServer()).get(path);
      expect(res.status).toBe(200);
      expect(res.text).toContain('id="root"');
      expect(res.headers['cache-control']).toBe('no-cache');
    }
  });

  it('serves hashed assets cached for good, and answers 404 for a missing one', async () => {
    const asset = await request(app.getHttpServer()).get('/ui/assets/index-abc.js');
    expect(asset.status).toBe(200);
    expect(asset.headers['cache-control']).toContain('immutable');
    expect((await request(app.getHttpServer()).get('/ui/assets/nope.js')).status).toBe(404);
    expect((await request(app.getHttpServer()).get('/ui/missing.css')).status).toBe(404);
  });

  it('serves nothing outside its directory, and no 500 for a malformed path', async () => {
    for (const path of ['/ui/..%2foutside.txt', '/ui/%2e%2e/%2e%2e/etc/passwd', '/ui/%E0%A4%A', '/ui/a%00b']) {
      const res = await request(app.getHttpServer()).get(path);
      // A path Express cannot decode is its 400; everything else outside the UI is a 404.
      expect([400, 404]).toContain(res.status);
      expect(res.text).not.toContain('secret');
    }
  });

  it('says the UI is not built when there is no index', async () => {
    const res = await request(bare.getHttpServer()).get('/ui/');
    expect(res.status).toBe(404);
    expect(res.text).toContain('npm run build:ui');
  });
});
