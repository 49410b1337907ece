/** `npm run blocks:dev [-- --port 3001 --host 127.0.0.1]`: the local Blocks API without the frontend. */
import { parseArgs } from 'node:util';
import { startBlocksDevServer } from './server.js';

const { values } = parseArgs({
  options: {
    port: { type: 'string', default: process.env.PORT ?? '3001' },
    host: { type: 'string', default: '127.0.0.1' },
    entry: { type: 'string' },
  },
});

const port = Number(values.port);
if (!Number.isInteger(port) || port < 0 || port > 65535) {
  console.error(`Invalid --port "${values.port}"`);
  process.exit(2);
}

const server = await startBlocksDevServer({
  port,
  host: values.host,
  ...(values.entry !== undefined && { entry: values.entry }),
});
console.info(`Blocks API (local): POST ${server.apiUrl}`);
if (server.console) console.info(`Blocks console: ${server.url}/_blocks/`);
console.info('Edits to aws-blocks/ apply on the next request. Ctrl+C to stop.');

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    void server.close().then(() => process.exit(0));
  });
}
