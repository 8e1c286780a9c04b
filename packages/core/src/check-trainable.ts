/**
 * `checkTrainable`: does the current backend have every kernel one training step of a model needs?
 *
 * A backend may run a model's forward pass and still lack a gradient kernel (tfjs-backend-wasm 4.22
 * has no `Conv2DBackpropFilter`, `DepthwiseConv2dNativeBackpropInput` or
 * `DepthwiseConv2dNativeBackpropFilter`), so `model.fit` fails only once the first backward pass
 * runs. This runs one tiny forward + backward pass on the pure-JS cpu backend, which has every
 * kernel, records the kernels it executes (`tf.profile`), and looks each one up in the target
 * backend's kernel registry (`tf.getKernel`).
 */
import * as tf from '@tensorflow/tfjs-core';
import type { LayersModel } from '@tensorflow/tfjs-layers';
import { describeValue, invalidArgument, ZooError } from './errors.js';

/** Options of {@link checkTrainable}. */
export interface CheckTrainableOptions {
  /** Backend whose kernel registry is checked (default: the active backend, `tf.getBackend()`). */
  backend?: string;
  /**
   * Shapes of the model's inputs, batch included, for models whose declared input shape has
   * unknown dimensions (default: the declared shapes with batch 1).
   */
  inputShapes?: number[][];
  /**
   * The loss of the recorded training step, from the model's outputs (default: the mean of the
   * squared outputs). Pass your real loss to cover its kernels too.
   */
  loss?: (outputs: tf.Tensor[]) => tf.Scalar;
  /** Throw a `ZooError` listing the missing kernels instead of returning a report (default false). */
  throwIfMissing?: boolean;
}

/** What {@link checkTrainable} found. */
export interface TrainableReport {
  /** Whether the backend has every kernel the training step used. */
  ok: boolean;
  /** The backend that was checked. */
  backend: string;
  /** Kernels the training step used that the backend lacks, sorted. */
  missing: string[];
  /** Every kernel the forward and backward pass used, sorted. */
  used: string[];
}

/** What to do about missing kernels, per backend, for the error message. */
function hintFor(backend: string, missing: readonly string[]): string {
  const provided = [
    'Conv2DBackpropFilter',
    'DepthwiseConv2dNativeBackpropInput',
    'DepthwiseConv2dNativeBackpropFilter',
  ];
  if (backend === 'wasm' && missing.some((k) => provided.includes(k))) {
    return ` import '@tfzoo/wasm-training' registers ${provided.join(', ')} for wasm.`;
  }
  return ' Train on a backend that has them (the cpu backend has every kernel), or register them with tf.registerKernel.';
}

function inputShapesOf(model: LayersModel, given: number[][] | undefined): number[][] {
  if (given !== undefined) {
    if (
      !Array.isArray(given) ||
      given.length !== model.inputs.length ||
      !given.every(
        (s, i) =>
          Array.isArray(s) &&
          s.length === model.inputs[i]!.shape.length &&
          s.every(
            (d, axis) => Number.isInteger(d) && d > 0 && [null, d].includes(model.inputs[i]!.shape[axis]!),
          ),
      )
    ) {
      throw invalidArgument(
        'options.inputShapes',
        given,
        `one shape per model input, batch included, matching ${describeValue(model.inputs.map((t) => t.shape))}`,
      );
    }
    return given;
  }
  return model.inputs.map((input, i) => {
    const shape = input.shape.map((d, axis) => (axis === 0 && d === null ? 1 : d));
    if (shape.some((d) => d === null)) {
      throw invalidArgument(
        'options.inputShapes',
        given,
        `concrete shapes: input ${i} of the model is ${describeValue(input.shape)}`,
      );
    }
    return shape as number[];
  });
}

/**
 * Lists the kernels one training step of `model` needs that a backend lacks, before `fit` fails
 * half way. Runs one forward (training mode) and backward pass with batch 1 on the cpu backend,
 * restores the model's weights (batch-norm statistics included) and the active backend afterwards.
 *
 * The recorded step covers the model and the loss; the optimizer's update kernels (`Mul`, `Sub`,
 * `Sqrt`, …) exist on every backend and are not recorded.
 *
 * @example
 * ```ts
 * const report = await checkTrainable(model);          // on the active backend
 * if (!report.ok) console.log(report.missing);          // e.g. ['Conv2DBackpropFilter', …] on wasm
 * await checkTrainable(model, { backend: 'wasm', throwIfMissing: true });
 * ```
 * @throws {@link ZooError} `INVALID_ARGUMENT` for an unknown backend or unusable input shapes;
 *   `UNSUPPORTED` listing the missing kernels when `throwIfMissing` is set.
 */
export async function checkTrainable(
  model: LayersModel,
  options: CheckTrainableOptions = {},
): Promise<TrainableReport> {
  if (model === null || typeof model !== 'object' || !Array.isArray(model.inputs)) {
    throw invalidArgument('model', model, 'a tf.LayersModel');
  }
  const original = tf.engine().backendName as string | null;
  const backend = options.backend ?? tf.getBackend();
  if (typeof backend !== 'string' || tf.findBackendFactory(backend) === null) {
    throw invalidArgument(
      'options.backend',
      options.backend,
      `a registered backend (${describeRegistered()})`,
    );
  }
  const shapes = inputShapesOf(model, options.inputShapes);
  const loss =
    options.loss ??
    ((outputs: tf.Tensor[]) => tf.addN(outputs.map((o) => tf.mean(tf.square(o)))) as tf.Scalar);

  if (tf.findBackendFactory('cpu') === null) {
    try {
      await import('@tensorflow/tfjs-backend-cpu');
    } catch (error) {
      throw new ZooError(
        'BACKEND_UNAVAILABLE',
        `checkTrainable records the training step on the cpu backend, which did not load: ${String(error)}`,
        { received: 'no cpu backend', expected: '@tensorflow/tfjs-backend-cpu installed', cause: error },
      );
    }
  }
  const used = new Set<string>();
  const saved = tf.tidy(() => model.weights.map((w) => tf.clone(w.read())));
  let onCpu: tf.Tensor[] = [];
  try {
    // Read asynchronously on the model's backend (WebGPU has no synchronous read in Node), then
    // copy the weights to the cpu backend, so no data moves between backends mid-kernel.
    const values = await Promise.all(saved.map((w) => w.data()));
    await tf.setBackend('cpu');
    onCpu = saved.map((w, i) => tf.tensor(values[i]!, w.shape, w.dtype));
    model.setWeights(onCpu);
    const profile = await tf.profile(() => {
      const inputs = shapes.map((shape) => tf.randomUniform(shape, -1, 1, 'float32', 1));
      const { value, grads } = tf.variableGrads(
        () => {
          const out = model.apply(inputs, { training: true }) as tf.Tensor | tf.Tensor[];
          return loss(Array.isArray(out) ? out : [out]);
        },
        model.trainableWeights.map((w) => w.read() as tf.Variable),
      );
      tf.dispose([value, ...Object.values(grads), ...inputs]);
    });
    // Op-level wrappers of custom gradients (e.g. `fusedConv2d__op`) are not kernels; the kernels
    // they run are recorded on their own.
    for (const kernel of profile.kernels) {
      if (tf.getKernel(kernel.name, 'cpu') !== undefined) used.add(kernel.name);
    }
  } finally {
    // Back on the original backend first: the saved weights live there.
    if (original !== null && original !== 'cpu') await tf.setBackend(original);
    model.setWeights(saved);
    tf.dispose([...saved, ...onCpu]);
  }
  const sorted = [...used].sort();
  const missing = sorted.filter((name) => tf.getKernel(name, backend) === undefined);
  if (missing.length > 0 && options.throwIfMissing) {
    throw new ZooError(
      'UNSUPPORTED',
      `${model.name} cannot train on the ${backend} backend: it lacks the kernel${missing.length > 1 ? 's' : ''} ${missing.join(', ')}.${hintFor(backend, missing)}`,
      { received: missing, expected: `a backend that registers every kernel of the training step` },
    );
  }
  return { ok: missing.length === 0, backend, missing, used: sorted };
}

function describeRegistered(): string {
  const known = ['tensorflow', 'webgpu', 'webgl', 'wasm', 'cpu'].filter(
    (b) => tf.findBackendFactory(b) !== null,
  );
  return known.length > 0 ? `registered here: ${known.join(', ')}` : 'none is registered here';
}
