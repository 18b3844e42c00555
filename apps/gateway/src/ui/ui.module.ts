import { Module } from '@nestjs/common';
import { resolve } from 'node:path';
import { UI_ROOT, UiController } from './ui.controller';

/**
 * The web UI at /ui. Built into dist/ui beside the compiled apps (dist/apps/gateway/src/ui/ → dist/ui),
 * so the same relative path holds for `npm start`, the container image and a build into another outDir.
 */
@Module({
  controllers: [UiController],
  providers: [{ provide: UI_ROOT, useValue: resolve(__dirname, '../../../../ui') }],
})
export class UiModule {}
