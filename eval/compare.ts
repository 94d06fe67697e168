// `npm run eval -- compare A.json B.json`: two results files of `npm run eval -- dph`, per example
// and overall, marking the differences larger than twice their combined spread.
import { PainterlyError } from '../shared/errors.js';
import { compareResults, formatComparison, readResults } from './dph-results.js';

export async function main(argv: string[]): Promise<void> {
  if (argv.length !== 2) throw new PainterlyError('BAD_ARGUMENT', 'Usage: npm run eval -- compare A.json B.json (two results files of `npm run eval -- dph`).');
  const [a, b] = await Promise.all(argv.map(readResults));
  for (const line of formatComparison(compareResults(a, b), argv[0], argv[1])) console.log(line);
}
