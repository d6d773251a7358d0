// The queue's one entry: bundled alone as dist/queue.js, so that the CLI loads BullMQ and ioredis only for a
// command that names a queue (src/cli/queue.ts). Without `--queue`, nothing about Redis is loaded.
export { parseQueueUrl, redactedUrl, QueueUrlError, type QueueTarget } from './connection';
export { QueueTransport } from './transport';
export { QueueServer, defaultDataDir, type ServeOptions } from './serve';
