#!/usr/bin/env node
// The CLI is TypeScript run through tsx's loader, like every flowq entry point.
import { register } from 'tsx/esm/api';

register();
await import('../src/main.ts');
