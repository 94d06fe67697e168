// `painterly tau --painting P`: the style strength τ a job with `--tau auto` would read from this
// painting (companion/tau/, docs/tau.md). The last line is the number alone, for scripts.
import { PainterlyError } from '../../shared/errors.js';
import type { Command } from './command.js';
import { parseOptions } from './options.js';

const HELP = `Usage: painterly tau --painting FILE [--verbose]

Prints the style strength τ that \`--tau auto\` (the default) reads from a painting, with what it
took the painting for; its last line is the number alone (e.g. 4.8). How it decides: docs/tau.md.

  --painting FILE       the painting (.png, .jpg, .tif, .webp)
  --verbose             also print the measurements it decided on
  -h, --help            show this help`;

export const command: Command = {
  summary: 'Print the style strength τ read from a painting (painterly tau --painting P).',
  async run(argv) {
    const { values: v } = parseOptions('tau', {
      args: argv,
      options: { painting: { type: 'string' }, verbose: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } },
      strict: true,
    });
    if (v.help) {
      console.log(HELP);
      return 0;
    }
    if (!v.painting) throw new PainterlyError('BAD_ARGUMENT', '--painting is required. See `painterly tau --help`.');
    const [{ readImage }, { estimateTau }] = await Promise.all([import('../image/io.js'), import('../tau/estimate.js')]);
    const painting = await readImage(v.painting);
    const e = estimateTau(painting);
    console.log(`${v.painting}: ${e.kind}, ${e.words}`);
    if (v.verbose) for (const [name, value] of Object.entries(e.features)) console.log(`  ${name.padEnd(24)} ${Number(value.toPrecision(4))}`);
    console.log(String(e.tau));
    return 0;
  },
};
