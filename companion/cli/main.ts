// Command-line entry: parses the command name and delegates, importing each command lazily
// so that `--help` is instant.
import { isPainterlyError } from '../../shared/errors.js';
import type { Command } from './command.js';

const COMMANDS: Record<string, { summary: string; load: () => Promise<Command> }> = {
  harmonize: { summary: 'Harmonize a pasted object into a painting (files in, file out).', load: () => import('./harmonize.js').then((m) => m.command) },
  'photo-style': { summary: 'Restyle a photo after a reference photo, keeping it photorealistic.', load: () => import('./photo-style.js').then((m) => m.command) },
  batch: { summary: 'Harmonize many composites (a folder or a JSON/CSV manifest) with the model loaded once.', load: () => import('./batch.js').then((m) => m.command) },
  serve: { summary: 'Start the companion that the Photoshop panel talks to.', load: () => import('./serve.js').then((m) => m.command) },
  tau: { summary: 'Print the style strength τ read from a painting (painterly tau --painting P).', load: () => import('./tau.js').then((m) => m.command) },
  worker: { summary: 'Serve a studio queue: run jobs from Redis on this machine (painterly worker --queue URL).', load: () => import('./worker.js').then((m) => m.command) },
  token: { summary: 'Show or rotate the pairing token (painterly token [--rotate]).', load: () => import('./token.js').then((m) => m.command) },
  client: { summary: 'Send a job to a running companion (painterly client harmonize ...).', load: () => import('./client.js').then((m) => m.command) },
  models: { summary: 'Manage model weights (painterly models fetch|import|list).', load: () => import('./models.js').then((m) => m.command) },
};

export function usage(): string {
  const lines = ['Usage: painterly <command> [options]', '', 'Commands:'];
  for (const [name, c] of Object.entries(COMMANDS)) lines.push(`  ${name.padEnd(12)} ${c.summary}`);
  lines.push('', 'Run `painterly <command> --help` for the options of a command.');
  return lines.join('\n');
}

export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    console.log(usage());
    return 0;
  }
  if (name === '--version' || name === '-v') {
    const { VERSION } = await import('../../shared/version.js');
    console.log(VERSION);
    return 0;
  }
  const entry = COMMANDS[name];
  if (!entry) {
    console.error(`painterly: unknown command '${name}'. Commands: ${Object.keys(COMMANDS).join(', ')}.`);
    return 2;
  }
  try {
    const command = await entry.load();
    return await command.run(rest);
  } catch (e) {
    if (isPainterlyError(e)) {
      console.error(`painterly: ${e.code}: ${e.message}`);
      return e.code === 'CANCELLED' ? 130 : 1;
    }
    console.error(`painterly: ${(e as Error)?.stack ?? String(e)}`);
    return 1;
  }
}
