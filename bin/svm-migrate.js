#!/usr/bin/env node
// `npx svm-migrate`: runs the TypeScript CLI through tsx, so no build step is needed.
require('tsx/cjs');
require('./svm-migrate.ts');
