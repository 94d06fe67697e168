// Where each downloadable model comes from and how every download is checked. Sources are
// tried in order; the first is the canonical one. Each source is pinned by its size and a
// published checksum of the file(s), and every model except VGG-19 also by the digest of its
// converted tensors (tensor-digest.ts), so a conversion bug cannot install wrong weights.
//
// Provenance of the pinned values:
// - VGG-19 .h5: MD5 from Keras (`file_hash` in keras/applications/vgg19.py), size as Keras
//   downloads it. No SHA-256 is published; no tensor reference exists (the team kit holds only
//   conv1_1…conv3_4, from another conversion), so VGG-19 has no tensor digest.
// - squeezenet_v1.1.caffemodel: size and SHA-256 from OpenVINO's Open Model Zoo
//   (models/public/squeezenet1.1/model.yml, which pins the same file at forresti/SqueezeNet
//   commit a47b6f13d30985279789d08053d37013d67d131b).
// - bvlc_googlenet.caffemodel: SHA-1 from BVLC's model zoo readme (models/bvlc_googlenet/readme.md);
//   size and SHA-256 from Open Model Zoo (models/public/googlenet-v1/model.yml).
// - googlenet-12.onnx: size and SHA-256 as listed in issue 14 (the size matches the ONNX Model
//   Zoo's storage record of the file).
// - caffejs blobs: SHA-256 per file from the team kit's caffejs-SHA256SUMS (caffejs-sums.ts);
//   sizes follow from the tensor shapes.
// - Tensor digests: computed from the team kit's squeezenet1_1.safetensors and
//   googlenet.safetensors, which were converted from the same weights through caffejs.
import { PainterlyError } from '../../../shared/errors.js';
import { CAFFEJS_FOLDERS, caffejsFiles } from './caffejs.js';
import { CAFFEJS_COMMIT } from './caffejs-sums.js';
import { layoutBytes } from './layouts.js';

export interface Digests {
  sha256?: string;
  sha1?: string;
  md5?: string;
}

/** One file (with mirrors of the same bytes), converted after download. */
export interface FileSource extends Digests {
  kind: 'file';
  format: 'keras-vgg19-h5' | 'caffemodel' | 'onnx';
  title: string;
  /** Name of the downloaded file (also what users download by hand on offline machines). */
  fileName: string;
  /** Tried in order; all serve the same bytes. */
  urls: string[];
  /** Exact size of the file in bytes. */
  bytes: number;
}

/** caffejs's per-layer blobs: one small file per tensor, each pinned by SHA-256. */
export interface CaffejsSource {
  kind: 'caffejs';
  format: 'caffejs';
  title: string;
  /** URLs of caffejs's `models/` folder at the pinned commit; each file is tried on each in turn. */
  baseUrls: string[];
  /** Total size of the blobs. */
  bytes: number;
}

export type ModelSource = FileSource | CaffejsSource;

/** The models `painterly models fetch` can install. */
export const DOWNLOADABLE_MODELS = Object.freeze(['vgg19', 'squeezenet', 'googlenet'] as const);
export type DownloadableModel = (typeof DOWNLOADABLE_MODELS)[number];

export interface ModelCatalogEntry {
  name: DownloadableModel;
  title: string;
  license: string;
  /** "painterly-tensors-v1" digest of the converted tensors; absent where no reference exists. */
  tensorsSha256?: string;
  sources: readonly ModelSource[];
}

function caffejsSource(model: 'squeezenet' | 'googlenet'): CaffejsSource {
  const bytes = caffejsFiles(model).reduce((sum, f) => sum + f.bytes, 0);
  if (bytes !== layoutBytes(model)) throw new PainterlyError('INTERNAL', `caffejs file sizes of ${model} do not add up.`);
  return {
    kind: 'caffejs',
    format: 'caffejs',
    title: `caffejs per-layer blobs (chaosmail/caffejs@${CAFFEJS_COMMIT.slice(0, 7)}, models/${CAFFEJS_FOLDERS[model]})`,
    baseUrls: [
      `https://raw.githubusercontent.com/chaosmail/caffejs/${CAFFEJS_COMMIT}/models`,
      `https://cdn.jsdelivr.net/gh/chaosmail/caffejs@${CAFFEJS_COMMIT}/models`,
    ],
    bytes,
  };
}

export const VGG19_LICENSE =
  'CC BY 4.0 per the VGG project page (Simonyan & Zisserman); the Caffe Model Zoo entry of the same weights says CC BY-NC 4.0 (non-commercial)';

export const MODEL_CATALOG: Readonly<Record<DownloadableModel, ModelCatalogEntry>> = Object.freeze({
  vgg19: {
    name: 'vgg19',
    title: 'VGG-19',
    license: VGG19_LICENSE,
    sources: [
      {
        kind: 'file',
        format: 'keras-vgg19-h5',
        title: 'Keras VGG-19 "notop" weights (Caffe-trained, HDF5)',
        fileName: 'vgg19_weights_tf_dim_ordering_tf_kernels_notop.h5',
        urls: [
          'https://github.com/fchollet/deep-learning-models/releases/download/v0.1/vgg19_weights_tf_dim_ordering_tf_kernels_notop.h5',
          'https://storage.googleapis.com/tensorflow/keras-applications/vgg19/vgg19_weights_tf_dim_ordering_tf_kernels_notop.h5',
        ],
        bytes: 80_134_624,
        md5: '253f8cb515780f3b799900260a226db6',
      },
    ],
  },
  squeezenet: {
    name: 'squeezenet',
    title: 'SqueezeNet 1.1',
    license: 'BSD-2-Clause (DeepScale/SqueezeNet)',
    tensorsSha256: 'dde55f6aab66bf8ff57af147385ec81a9e1629260a47cf22bfc956f2fbceff9c',
    sources: [
      {
        kind: 'file',
        format: 'caffemodel',
        title: 'official SqueezeNet v1.1 Caffe model (forresti/SqueezeNet)',
        fileName: 'squeezenet_v1.1.caffemodel',
        urls: [
          'https://github.com/forresti/SqueezeNet/raw/master/SqueezeNet_v1.1/squeezenet_v1.1.caffemodel',
          'https://github.com/forresti/SqueezeNet/raw/a47b6f13d30985279789d08053d37013d67d131b/SqueezeNet_v1.1/squeezenet_v1.1.caffemodel',
        ],
        bytes: 4_950_080,
        sha256: '72b912ace512e8621f8ff168a7d72af55910d3c7c9445af8dfbff4c2ee960142',
      },
      caffejsSource('squeezenet'),
    ],
  },
  googlenet: {
    name: 'googlenet',
    title: 'GoogLeNet (BVLC)',
    license: 'unrestricted use (BVLC model zoo); the ONNX Model Zoo redistributes it under BSD-3-Clause',
    tensorsSha256: '7a5e68e70de8da1e9a07d20c9efdd380bcf2668bbb506484087fb9bfb7452344',
    sources: [
      {
        kind: 'file',
        format: 'caffemodel',
        title: 'BVLC GoogLeNet Caffe model (Caffe model zoo)',
        fileName: 'bvlc_googlenet.caffemodel',
        urls: ['http://dl.caffe.berkeleyvision.org/bvlc_googlenet.caffemodel'],
        bytes: 53_533_754,
        sha1: '405fc5acd08a3bb12de8ee5e23a96bec22f08204',
        sha256: '6f7101e3a2183738a7125a0c5021ba82a1feb4228c5ca0924d991b6daf6f6fad',
      },
      {
        kind: 'file',
        format: 'onnx',
        title: 'ONNX Model Zoo googlenet-12.onnx (Hugging Face onnxmodelzoo/legacy_models)',
        fileName: 'googlenet-12.onnx',
        urls: [
          'https://huggingface.co/onnxmodelzoo/legacy_models/resolve/main/validated/vision/classification/inception_and_googlenet/googlenet/model/googlenet-12.onnx',
          'https://github.com/onnx/models/raw/main/validated/vision/classification/inception_and_googlenet/googlenet/model/googlenet-12.onnx',
        ],
        bytes: 28_021_836,
        sha256: 'c99c507058eaf41de8723408fdda7db8325cb57f0a89f2ee07a716d6e963e14e',
      },
      caffejsSource('googlenet'),
    ],
  },
});

/** Environment variable naming a mirror folder that holds the same files as the official hosts. */
export const MODEL_BASE_URL_ENV = 'PAINTERLY_MODEL_BASE_URL';

export function isDownloadableModel(name: string): name is DownloadableModel {
  return (DOWNLOADABLE_MODELS as readonly string[]).includes(name);
}

/** A catalogue entry; unknown names fail with the list of downloadable ones. */
export function getCatalogEntry(name: string): ModelCatalogEntry {
  if (!isDownloadableModel(name)) {
    const extra = name === 'vgg19-partial' ? ' vgg19-partial is installed by `npx painterly models import FILE` or by fetching vgg19.' : '';
    throw new PainterlyError('BAD_ARGUMENT', `No download is known for "${name}"; models that can be fetched: ${DOWNLOADABLE_MODELS.join(', ')}.${extra}`);
  }
  return MODEL_CATALOG[name];
}

/**
 * The sources of a model, in the order they are tried. With a mirror folder set
 * (`PAINTERLY_MODEL_BASE_URL=https://host/folder`), every source is read from it instead, under
 * the same names: `<folder>/<fileName>`, and `<folder>/<net>/weights/…` for caffejs blobs.
 */
export function getSources(name: string, env: NodeJS.ProcessEnv = process.env): ModelSource[] {
  const entry = getCatalogEntry(name);
  const base = env[MODEL_BASE_URL_ENV]?.replace(/\/+$/, '');
  if (!base) return [...entry.sources];
  return entry.sources.map((s) => (s.kind === 'file' ? { ...s, urls: [`${base}/${s.fileName}`] } : { ...s, baseUrls: [base] }));
}

/** The host of a source's first URL, for messages. */
export function sourceHost(source: ModelSource): string {
  return new URL(source.kind === 'file' ? source.urls[0] : source.baseUrls[0]).host;
}
