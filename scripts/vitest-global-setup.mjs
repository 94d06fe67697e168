// Vitest global setup: builds the companion first, so the suites that run `painterly` as a
// process (bin/painterly.js runs build/) test the sources as they are now.
import { buildCompanion } from './build-companion.mjs';

export default async function setup() {
  await buildCompanion();
}
