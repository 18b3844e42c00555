import { Controller, Get, Inject, Req, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { existsSync, statSync } from 'node:fs';
import { extname, join, normalize, sep } from 'node:path';
import type { Request, Response } from 'express';

/** Where the built web UI is (`npm run build:ui` → dist/ui). */
export const UI_ROOT = Symbol('UI_ROOT');

const NOT_BUILT = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Baton UI not built</title></head>
<body style="font-family:system-ui,sans-serif;max-width:40em;margin:4em auto;line-height:1.5">
<h1>The Baton web UI has not been built</h1>
<p>This server found no <code>dist/ui/index.html</code>. Build it with <code>npm run build:ui</code>
(or <code>npm run build</code>, which includes it) and reload. The API is at <a href="/api">/api</a>, its docs at <a href="/swagger-ui">/swagger-ui</a>.</p>
</body></html>`;

/**
 * Serves the web UI at /ui: its files as built, and for any other path under /ui the SPA's index.html, so
 * client routes (`/ui/execution/<id>`) survive a reload. A missing file that looks like one (has an
 * extension, or is under assets/) is a 404, not the index. Hashed assets are cached for good; the index never.
 */
@ApiExcludeController()
@Controller('ui')
export class UiController {
  constructor(@Inject(UI_ROOT) private readonly root: string) {}

  @Get()
  index(@Res() res: Response): void {
    this.sendIndex(res);
  }

  @Get('*path')
  file(@Req() req: Request, @Res() res: Response): void {
    const rel = decoded(req.path.replace(/^\/ui\/?/, ''));
    const full = rel === undefined ? '' : normalize(join(this.root, rel));
    if (rel === undefined || !full.startsWith(this.root.endsWith(sep) ? this.root : this.root + sep) || rel.includes('\0')) {
      res.status(404).type('text/plain').send('Not found');
      return;
    }
    if (isFile(full)) {
      const immutable = rel.startsWith('assets/');
      // Relative to `root`: express checks dot segments in the served part only (the root may be under .scratch).
      res.sendFile(rel, { root: this.root, dotfiles: 'deny', maxAge: immutable ? '1y' : 0, immutable });
      return;
    }
    if (rel.startsWith('assets/') || extname(rel) !== '') {
      res.status(404).type('text/plain').send(`Not found: /ui/${rel}`);
      return;
    }
    this.sendIndex(res);
  }

  private sendIndex(res: Response): void {
    const index = join(this.root, 'index.html');
    if (!isFile(index)) {
      res.status(404).type('html').send(NOT_BUILT);
      return;
    }
    res.setHeader('Cache-Control', 'no-cache');
    res.sendFile('index.html', { root: this.root });
  }
}

/** The path as a file name, or undefined when it is not valid percent-encoding (a 404, not a 500). */
function decoded(path: string): string | undefined {
  try {
    return decodeURIComponent(path);
  } catch {
    return undefined;
  }
}

function isFile(path: string): boolean {
  return existsSync(path) && statSync(path).isFile();
}
