import * as path from 'node:path';

/** The monorepo root, two levels above this project. */
export const workspaceRoot = path.resolve(__dirname, '..', '..', '..');
