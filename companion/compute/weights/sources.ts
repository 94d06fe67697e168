// Models that `painterly models fetch` can download, with where from and how to check them.
// Only VGG-19 has an official distribution we can pin; SqueezeNet and GoogLeNet are imported
// (`painterly models import FILE`) from safetensors files.
import { PainterlyError } from '../../../shared/errors.js';

export interface Digests {
  sha256?: string;
  md5?: string;
}

export interface ModelSource extends Digests {
  /** Cache name of the model this source installs. */
  name: string;
  title: string;
  /** Name of the downloaded file (also what users download by hand on offline machines). */
  fileName: string;
  /** Tried in order; the first is the official one, the rest are mirrors of the same bytes. */
  urls: string[];
  /** Exact size of the file in bytes. */
  bytes: number;
  format: 'keras-vgg19-h5';
  license: string;
}

/**
 * VGG-19 ("very deep", Simonyan & Zisserman 2014), the Caffe-trained ImageNet weights as
 * Keras distributes them without the classifier ("notop"): 16 conv layers, 80 MB of HDF5.
 *
 * Checksum: Keras pins this file with MD5 `253f8cb515780f3b799900260a226db6`
 * (`file_hash` in keras/applications/vgg19.py, for both URLs below); the size, 80,134,624
 * bytes, is what Keras prints while downloading it. No published SHA-256 of this file could
 * be found, so the MD5 is what we verify against. After a verified download the file's
 * SHA-256 is computed and stored in the converted model's metadata (`source_sha256`), and
 * `painterly models list` shows it; once confirmed on a real download it should be added here
 * (`sha256: '…'`), and the downloader then checks both.
 */
const VGG19: ModelSource = {
  name: 'vgg19',
  title: 'VGG-19 (Caffe ImageNet weights, Keras "notop" distribution)',
  fileName: 'vgg19_weights_tf_dim_ordering_tf_kernels_notop.h5',
  urls: [
    'https://github.com/fchollet/deep-learning-models/releases/download/v0.1/vgg19_weights_tf_dim_ordering_tf_kernels_notop.h5',
    'https://storage.googleapis.com/tensorflow/keras-applications/vgg19/vgg19_weights_tf_dim_ordering_tf_kernels_notop.h5',
  ],
  bytes: 80_134_624,
  md5: '253f8cb515780f3b799900260a226db6',
  format: 'keras-vgg19-h5',
  license: 'CC BY 4.0 (Simonyan & Zisserman, VGG-19)',
};

export const MODEL_SOURCES: Readonly<Record<string, ModelSource>> = Object.freeze({ vgg19: VGG19 });

/** Environment variable naming a mirror folder: `<base>/<fileName>` is downloaded instead. */
export const MODEL_BASE_URL_ENV = 'PAINTERLY_MODEL_BASE_URL';

/** The source of a model; unknown names fail with the list of downloadable ones. */
export function getSource(name: string, env: NodeJS.ProcessEnv = process.env): ModelSource {
  const source = MODEL_SOURCES[name];
  if (!source) {
    const known = Object.keys(MODEL_SOURCES).join(', ');
    const extra =
      name === 'squeezenet' || name === 'googlenet'
        ? ` ${name} has no download source: install a safetensors file with \`npx painterly models import FILE\`.`
        : '';
    throw new PainterlyError('BAD_ARGUMENT', `No download is known for "${name}"; models that can be fetched: ${known}.${extra}`);
  }
  const base = env[MODEL_BASE_URL_ENV];
  if (!base) return source;
  // A mirror serves the same file, so the size and checksums still apply.
  return { ...source, urls: [`${base.replace(/\/+$/, '')}/${source.fileName}`] };
}
