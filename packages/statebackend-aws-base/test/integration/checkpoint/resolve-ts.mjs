// Registers ts-hooks.mjs: `node --import ./resolve-ts.mjs child.ts` runs TypeScript sources.
import { register } from 'node:module';

register('./ts-hooks.mjs', import.meta.url);
