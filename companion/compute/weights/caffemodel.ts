// Reads the weight blobs of a Caffe `.caffemodel` (a binary caffe.NetParameter) with protobufjs.
// Only the messages and fields needed for weights are declared, with the field numbers of
// BVLC Caffe's caffe.proto; every other field is skipped by the decoder. Three generations of
// the format exist and all are read:
//   current  NetParameter.layer (100)  -> LayerParameter { name 1, blobs 7 }
//   V1       NetParameter.layers (2)   -> V1LayerParameter { name 4, blobs 6 }   (2014 models, e.g. BVLC GoogLeNet)
//   V0       V1LayerParameter.layer (1) -> V0LayerParameter { name 1, blobs 50 }
// A blob is BlobProto { shape 7 (BlobShape { dim 1 }), data 5, double_data 8 } or, in old files,
// the 4-D legacy dims num 1, channels 2, height 3, width 4. `data` is `repeated float [packed]`,
// which Caffe always writes packed: that is a length-delimited run of float32 LE, so it is declared
// as bytes here and viewed as a Float32Array instead of becoming a JS array of numbers (a
// 550 MB VGG caffemodel would need gigabytes that way).
import protobuf from 'protobufjs';
import { PainterlyError } from '../../../shared/errors.js';
import { MODEL_LAYOUTS, type LayoutModel } from './layouts.js';
import type { Tensor } from './safetensors.js';

const repeated = (type: string, id: number) => ({ rule: 'repeated', type, id });
const optional = (type: string, id: number) => ({ type, id });

const root = protobuf.Root.fromJSON({
  nested: {
    caffe: {
      nested: {
        BlobShape: { fields: { dim: repeated('int64', 1) } },
        BlobProto: {
          fields: {
            shape: optional('BlobShape', 7),
            data: optional('bytes', 5),
            double_data: optional('bytes', 8),
            num: optional('int32', 1),
            channels: optional('int32', 2),
            height: optional('int32', 3),
            width: optional('int32', 4),
          },
        },
        LayerParameter: { fields: { name: optional('string', 1), blobs: repeated('BlobProto', 7) } },
        V0LayerParameter: { fields: { name: optional('string', 1), blobs: repeated('BlobProto', 50) } },
        V1LayerParameter: {
          fields: { layer: optional('V0LayerParameter', 1), name: optional('string', 4), blobs: repeated('BlobProto', 6) },
        },
        NetParameter: {
          fields: { name: optional('string', 1), layers: repeated('V1LayerParameter', 2), layer: repeated('LayerParameter', 100) },
        },
      },
    },
  },
});
const NetParameter = root.lookupType('caffe.NetParameter');

type Int64 = number | { toNumber(): number };
interface BlobMessage {
  shape?: { dim?: Int64[] };
  data?: Uint8Array;
  double_data?: Uint8Array;
  num?: number;
  channels?: number;
  height?: number;
  width?: number;
}
interface LayerMessage {
  name?: string;
  blobs?: BlobMessage[];
  layer?: LayerMessage;
}

export interface CaffeBlob {
  dims: number[];
  /** The values as float32, converted on demand (unused blobs, e.g. VGG's fc6, are never copied). */
  values(): Float32Array;
  /** True when the dims came from the legacy num/channels/height/width fields. */
  legacy: boolean;
}

function toNumber(v: Int64): number {
  return typeof v === 'number' ? v : v.toNumber();
}

function floats(bytes: Uint8Array, width: 4 | 8, source: string): Float32Array {
  if (bytes.byteLength % width !== 0) {
    throw new PainterlyError('WEIGHTS_UNREADABLE', `${source}: a blob holds ${bytes.byteLength} bytes, not a whole number of values.`);
  }
  // A copy of the bytes, so the values are aligned and exact (little-endian hosts, as Node runs on).
  if (width === 4) return new Float32Array(Uint8Array.prototype.slice.call(bytes).buffer);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return Float32Array.from({ length: bytes.byteLength / 8 }, (_, i) => view.getFloat64(i * 8, true));
}

function readBlob(b: BlobMessage, source: string): CaffeBlob {
  const values = (): Float32Array =>
    b.data && b.data.byteLength > 0 ? floats(b.data, 4, source) : b.double_data && b.double_data.byteLength > 0 ? floats(b.double_data, 8, source) : new Float32Array(0);
  if (b.shape?.dim && b.shape.dim.length > 0) return { dims: b.shape.dim.map(toNumber), values, legacy: false };
  return { dims: [b.num ?? 0, b.channels ?? 0, b.height ?? 0, b.width ?? 0], values, legacy: true };
}

/** The blobs of every layer that has any, by layer name, in file order. */
export function readCaffemodel(bytes: Uint8Array, source: string): Map<string, CaffeBlob[]> {
  let net: { layer?: LayerMessage[]; layers?: LayerMessage[] };
  try {
    net = NetParameter.decode(bytes) as unknown as typeof net;
  } catch (e) {
    throw new PainterlyError('WEIGHTS_UNREADABLE', `${source} is not a Caffe model (.caffemodel): ${(e as Error).message}.`);
  }
  const layers = new Map<string, CaffeBlob[]>();
  const all = [...(net.layer ?? []), ...(net.layers ?? []).map((l) => (l.name || !l.layer ? l : l.layer))];
  for (const l of all) {
    if (!l.name || !l.blobs || l.blobs.length === 0) continue;
    layers.set(l.name, l.blobs.map((b) => readBlob(b, source)));
  }
  if (layers.size === 0) {
    throw new PainterlyError('WEIGHTS_UNREADABLE', `${source} holds no layer with weights: it is not a trained Caffe model.`);
  }
  return layers;
}

function withoutLeadingOnes(dims: number[]): string {
  let i = 0;
  while (i < dims.length - 1 && dims[i] === 1) i++;
  return dims.slice(i).join();
}

/**
 * Caffe blobs -> our tensors for `model`: blob 0 is `<layer>.weight`, blob 1 `<layer>.bias`.
 * Caffe stores conv weights OIHW and inner products (out, in) already; legacy 4-D dims such as
 * (1, 1, 1, out) for a bias are matched to the expected shape when only leading 1s differ.
 * Layers the model does not have are ignored; missing ones are left for checkLayout to name.
 */
export function caffeTensors(model: LayoutModel, layers: Map<string, CaffeBlob[]>, source: string): Map<string, Tensor> {
  const tensors = new Map<string, Tensor>();
  for (const { layer, weight } of MODEL_LAYOUTS[model]) {
    const blobs = layers.get(layer);
    if (!blobs) continue;
    if (blobs.length < 2) {
      throw new PainterlyError('MODEL_LAYERS_MISSING', `${source}: layer ${layer} has ${blobs.length} blob(s); a weight and a bias were expected.`);
    }
    ([['weight', weight], ['bias', [weight[0]]]] as const).forEach(([kind, expected], i) => {
      const b = blobs[i];
      const shape = withoutLeadingOnes(b.dims) === withoutLeadingOnes([...expected]) ? [...expected] : b.dims;
      tensors.set(`${layer}.${kind}`, { shape, data: b.values() });
    });
  }
  return tensors;
}

/** Which network a caffemodel holds, from its layer names (for `models import`). */
export function caffeModelKind(layers: Map<string, CaffeBlob[]>): LayoutModel | undefined {
  if (layers.has('fire2/squeeze1x1')) return 'squeezenet';
  if (layers.has('inception_3a/1x1')) return 'googlenet';
  if (layers.has('conv1_1') && layers.has('conv5_4')) return 'vgg19';
  return undefined;
}
