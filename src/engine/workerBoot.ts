// dist/worker-boot.js, what a worker process runs in a build: dist/worker.js through the V8 code cache
// (codeCache.ts), written when the process ends if it had none, with every function the worker compiled.
import * as path from 'node:path';
import { requireCached } from './codeCache';

const worker = requireCached(path.join(__dirname, 'worker.js'), module);
process.on('exit', () => worker.save());
