// Runs the test companion as its own process for the end-to-end test, the way a user runs
// `painterly serve`: prints one JSON line {url, port, token} when listening, stops on SIGTERM.
//   node --import tsx test/plugin/support/companion-process.ts [--iteration-ms N]
import { parseArgs } from 'node:util';
import { startFakeCompanion } from './companion.js';

const { values } = parseArgs({ options: { 'iteration-ms': { type: 'string' }, port: { type: 'string' } } });
const companion = await startFakeCompanion({
  iterationMs: Number(values['iteration-ms'] ?? 10),
  port: values.port ? Number(values.port) : 0,
});
process.stdout.write(`${JSON.stringify({ url: companion.url, port: companion.server.port, token: companion.token })}\n`);
const stop = () => void companion.close().then(() => process.exit(0));
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
