// Where the team kit lives (../shared beside the repository) and the test weights in it.
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
export const KIT = process.env.PAINTERLY_KIT ?? resolve(REPO_ROOT, '../shared');

/** The kit's weights file for a backbone, when the kit has one (VGG-19 is only partial there). */
export function kitWeights(backbone: string): string | undefined {
  const files: Record<string, string> = {
    squeezenet: 'squeezenet1_1.safetensors',
    googlenet: 'googlenet.safetensors',
    'vgg19-shallow': 'vgg19-conv1_1-to-conv3_4.safetensors',
  };
  const f = files[backbone] && join(KIT, 'weights', files[backbone]);
  return f && existsSync(f) ? f : undefined;
}
