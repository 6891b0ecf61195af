// Imported first by main.ts, before any heavy module loads: Node keeps the compiled code of the modules loaded after
// this in the user's cache folder, so the next start skips compiling them (BENCHMARKS.md, start-up).
import * as os from 'node:os';
import { enableModuleCompileCache } from '@imagegen/common';

enableModuleCompileCache({ env: process.env, platform: process.platform, homeDirectory: os.homedir() });
