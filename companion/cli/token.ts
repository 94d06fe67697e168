// `painterly token [--rotate]`: prints the pairing token (creating it on first use) or replaces it.
import { parseArgs } from 'node:util';
import { PainterlyError } from '../../shared/errors.js';
import { ensureToken, rotateToken, tokenPath } from '../server/token.js';
import type { Command } from './command.js';

const USAGE = `Usage: painterly token [--rotate] [--path]

Prints the pairing token to paste into the Photoshop panel.

Options:
  --rotate     replace it with a new token (panels paired with the old one must pair again;
               a running companion accepts only the new one for new connections)
  --path       print where the token is kept instead
  -h, --help   show this help`;

export const command: Command = {
  summary: 'Show or rotate the pairing token (painterly token [--rotate]).',
  async run(argv) {
    let values;
    try {
      ({ values } = parseArgs({ args: argv, options: { rotate: { type: 'boolean' }, path: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } }, strict: true }));
    } catch (e) {
      throw new PainterlyError('BAD_ARGUMENT', `${(e as Error).message}. Run \`painterly token --help\`.`);
    }
    if (values.help) {
      console.log(USAGE);
      return 0;
    }
    const file = tokenPath();
    if (values.path) {
      console.log(file);
      return 0;
    }
    const opts = { onFix: (m: string) => console.error(`painterly: ${m}`) };
    const token = values.rotate ? await rotateToken(file, opts) : await ensureToken(file, opts);
    console.log(token);
    if (values.rotate) console.error(`New pairing token written to ${file}; paste it into the Photoshop panel.`);
    return 0;
  },
};
