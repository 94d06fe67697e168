// What a CLI job leaves behind: the result at --out and, with --save-stages, the working-size
// stages beside each other in a folder.
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { TauChoice } from '../../shared/protocol.js';
import type { Image } from '../image/image.js';
import { writeImage } from '../image/io.js';

export async function writeJobOutputs(out: string, image: Image, stages: Record<string, Image | undefined>, stagesDir?: string): Promise<void> {
  await writeImage(out, image);
  if (stagesDir) {
    await mkdir(stagesDir, { recursive: true });
    for (const [name, img] of Object.entries(stages)) if (img) await writeImage(join(stagesDir, `${name}.png`), img);
  }
  console.log(`Wrote ${out}`);
}

/** "τ 4.8 read from the painting (loose impressionist brushwork)". */
export function tauChoiceText(auto: TauChoice): string {
  return `τ ${auto.tau} read from the painting (${auto.words})`;
}
