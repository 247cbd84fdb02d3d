#!/usr/bin/env node
// The CLI runs the TypeScript sources directly through tsx: no build step between a checkout
// and `npm run dev`.
import { register } from 'tsx/esm/api';

register();
await import('../src/cli/main.ts');
