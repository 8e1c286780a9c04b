/**
 * The benchmark's data: which models and runtimes it knows. Adding a model is adding a line here.
 */
import type { ModelSpec, RuntimeSpec } from './types.js';

/** The models of the CPU table, each with the torchvision constructor of the same architecture. */
export const MODELS: readonly ModelSpec[] = [
  { id: 'resnet18', label: 'ResNet-18', torchvision: 'resnet18', packages: ['@tfzoo/resnet'] },
  { id: 'resnet50', label: 'ResNet-50', torchvision: 'resnet50', packages: ['@tfzoo/resnet'] },
  { id: 'mobilenet_v2', label: 'MobileNetV2', torchvision: 'mobilenet_v2', packages: ['@tfzoo/mobilenet'] },
  {
    id: 'squeezenet1_1',
    label: 'SqueezeNet 1.1',
    torchvision: 'squeezenet1_1',
    packages: ['@tfzoo/squeezenet'],
  },
  {
    id: 'shufflenet_v2_x1_0',
    label: 'ShuffleNetV2 x1.0',
    torchvision: 'shufflenet_v2_x1_0',
    packages: ['@tfzoo/shufflenet'],
  },
  { id: 'vgg16', label: 'VGG-16', torchvision: 'vgg16', packages: ['@tfzoo/vgg'] },
];

/**
 * The runtimes the harness knows: the peers first, then tfzoo's TF.js backends. The CUDA rows are
 * for the GPU run (`gpu/run.sh`): strict fp32 eager, and a labelled TF32 + channels-last row.
 */
export const RUNTIMES: readonly RuntimeSpec[] = [
  { key: 'pytorch', label: 'PyTorch (2 thr)', kind: 'pytorch', threads: 2, trains: true },
  { key: 'onnxruntime', label: 'onnxruntime-node (2 thr)', kind: 'onnxruntime', threads: 2, trains: false },
  {
    key: 'pytorch-cuda',
    label: 'PyTorch CUDA (fp32, TF32 off)',
    kind: 'pytorch',
    threads: 1,
    trains: true,
    device: 'cuda',
    tf32: false,
  },
  {
    key: 'pytorch-cuda-tf32',
    label: 'PyTorch CUDA (TF32 + channels-last)',
    kind: 'pytorch',
    threads: 1,
    trains: true,
    device: 'cuda',
    tf32: true,
    channelsLast: true,
  },
  { key: 'wasm-2', label: 'tfzoo wasm (2 thr)', kind: 'tfjs', backend: 'wasm', threads: 2, trains: true },
  { key: 'wasm-1', label: 'tfzoo wasm (1 thr)', kind: 'tfjs', backend: 'wasm', threads: 1, trains: true },
  {
    key: 'wasm-2-opt',
    label: 'tfzoo wasm inference form (2 thr)',
    kind: 'tfjs',
    backend: 'wasm',
    threads: 2,
    trains: false,
    optimize: true,
  },
  {
    key: 'wasm-1-opt',
    label: 'tfzoo wasm inference form (1 thr)',
    kind: 'tfjs',
    backend: 'wasm',
    threads: 1,
    trains: false,
    optimize: true,
  },
  {
    key: 'wasm-2-gc',
    label: 'tfzoo wasm checkpointed (2 thr)',
    kind: 'tfjs',
    backend: 'wasm',
    threads: 2,
    trains: true,
    infers: false,
    gradCheckpointing: true,
  },
  {
    key: 'wasm-1-gc',
    label: 'tfzoo wasm checkpointed (1 thr)',
    kind: 'tfjs',
    backend: 'wasm',
    threads: 1,
    trains: true,
    infers: false,
    gradCheckpointing: true,
  },
  { key: 'cpu', label: 'tfzoo cpu (JS)', kind: 'tfjs', backend: 'cpu', threads: 1, trains: true },
  { key: 'webgpu', label: 'tfzoo WebGPU', kind: 'tfjs', backend: 'webgpu', threads: 1, trains: true },
  {
    key: 'tfjs-node',
    label: 'tfzoo tfjs-node',
    kind: 'tfjs',
    backend: 'tensorflow',
    threads: 1,
    trains: true,
  },
  {
    key: 'tfjs-node-gpu',
    label: 'tfzoo tfjs-node-gpu',
    kind: 'tfjs',
    backend: 'tensorflow-gpu',
    threads: 1,
    trains: true,
  },
];
