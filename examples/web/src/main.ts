/**
 * The tfzoo page: pick a pretrained model from the registry, load its weights (verified, cached
 * with the Cache API, with a progress bar), classify a dropped or picked image or a Fashion-MNIST
 * sample (top-5), measure the accuracy on the 1,000-image sample, fine-tune a fresh head on images
 * the person labels with a live loss/accuracy chart and a stop button, and download the result as
 * safetensors (PyTorch names: `load_state_dict` takes it, and so does tfzoo's `loadWeights`).
 */
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { exportStateDict, type PretrainedConfig, writeSafetensors } from '@tfzoo/core';
import { createModel, getPretrainedConfig, listPretrained } from '@tfzoo/models';
import { type BackendChoice, chooseBackend, PAGE_BACKENDS, type PageBackend } from './backends.js';
import { drawChart } from './chart.js';
import { fineTuneHead, type StepReport } from './finetune.js';
import {
  drawPixels,
  loadFashionMnistSample,
  normalize,
  type PixelSet,
  pixelsOf,
  sampleBatch,
} from './images.js';
import './style.css';

const DEFAULT_MODEL = 'lenet5.fmnist';

const $ = <T extends HTMLElement>(id: string): T => document.getElementById(id) as T;

/** One class of the fine-tuning set: its name and its images at the model's input size. */
interface LabelledClass {
  name: string;
  images: PixelSet[];
}

const state: {
  backend?: BackendChoice;
  config?: PretrainedConfig;
  model?: tfl.LayersModel;
  labels: readonly string[];
  sample?: PixelSet;
  shown?: PixelSet;
  classes: LabelledClass[];
  stop: boolean;
  busy: boolean;
  tuned: boolean;
} = { labels: [], classes: [], stop: false, busy: false, tuned: false };

function setStatus(text: string, error = false): void {
  const status = $('status');
  status.textContent = text;
  status.classList.toggle('error', error);
}

function fail(error: unknown): void {
  setStatus(error instanceof Error ? error.message : String(error), true);
  document.body.dataset.error = 'true';
}

function megabytes(bytes: number): string {
  return `${(bytes / 1e6).toFixed(bytes < 1e6 ? 2 : 1)} MB`;
}

/** Runs one user action at a time; its errors go to the status line. */
function action(run: () => Promise<void>): () => void {
  return () => {
    if (state.busy) return;
    state.busy = true;
    document.body.dataset.busy = 'true';
    run()
      .catch(fail)
      .finally(() => {
        state.busy = false;
        document.body.dataset.busy = 'false';
      });
  };
}

async function selectBackend(name?: PageBackend): Promise<void> {
  // A loaded (maybe fine-tuned) model keeps its weights: they are read asynchronously on the old
  // backend and written on the new one. TF.js's own lazy move reads synchronously, which WebGPU
  // cannot do (the weights came back as zeros).
  const model = state.model;
  const saved = model
    ? await Promise.all(model.getWeights().map(async (weight) => ({ weight, values: await weight.data() })))
    : [];
  state.backend = await chooseBackend(name);
  if (model) {
    const moved = saved.map(({ weight, values }) => tf.tensor(values, weight.shape, weight.dtype));
    model.setWeights(moved);
    tf.dispose(moved);
  }
  $<HTMLSelectElement>('backend').value = state.backend.backend;
  document.body.dataset.backend = state.backend.backend;
  const skipped = state.backend.skipped.length ? ` (skipped ${state.backend.skipped.join('; ')})` : '';
  $('backend-info').textContent = `${tf.getBackend()} active${skipped}`;
}

async function loadModel(): Promise<void> {
  const id = $<HTMLSelectElement>('model').value;
  const config = getPretrainedConfig(id);
  const progress = $<HTMLProgressElement>('progress');
  const progressText = $('progress-text');
  progress.value = 0;
  let downloaded = 0;
  setStatus(`Loading ${id}…`);
  const started = performance.now();
  const model = await createModel(id, {
    pretrained: true,
    onProgress: ({ loaded, total }) => {
      downloaded = loaded;
      progress.value = total ? loaded / total : 0;
      progressText.textContent = `${megabytes(loaded)}${total ? ` of ${megabytes(total)}` : ''}`;
    },
  });
  state.model?.dispose();
  state.model = model;
  state.config = config;
  state.labels = config.labels ?? Array.from({ length: config.numClasses }, (_, i) => `class ${i}`);
  state.tuned = false;
  progress.value = 1;
  const from =
    downloaded > 0 ? `downloaded ${megabytes(downloaded)}, sha256 verified` : 'from the browser cache';
  progressText.textContent = from;
  document.body.dataset.weights = downloaded > 0 ? 'network' : 'cache';
  document.body.dataset.model = id;
  const params = model.countParams().toLocaleString('en');
  $('model-info').textContent =
    `${id}: ${params} parameters, ${config.numClasses} classes, input ${config.preprocessing.inputSize.join('×')}` +
    (config.measuredAccuracy
      ? `, top-1 ${config.measuredAccuracy.top1}% on ${config.measuredAccuracy.dataset}`
      : '') +
    (config.accuracy ? `, top-1 ${config.accuracy.top1}% on ${config.accuracy.dataset}` : '');
  $<HTMLButtonElement>('evaluate').disabled = !isFashionMnist(config);
  setStatus(
    `${id} ready on ${tf.getBackend()} (${Math.round(performance.now() - started)} ms, weights ${from}).`,
  );
  if (state.shown) await classify(state.shown);
}

function isFashionMnist(config: PretrainedConfig): boolean {
  const [h, w, c] = config.preprocessing.inputSize;
  return h === 28 && w === 28 && c === 1 && config.numClasses === 10;
}

function requireModel(): { model: tfl.LayersModel; config: PretrainedConfig } {
  if (!state.model || !state.config) throw new Error('load a model first (section 1)');
  return { model: state.model, config: state.config };
}

/** Shows the top-5 classes of one image. */
async function classify(image: PixelSet): Promise<void> {
  state.shown = image;
  const preview = $('preview');
  preview.replaceChildren(drawPixels(image, 0, 4));
  if (!state.model || !state.config) return;
  const { model, config } = requireModel();
  const input = sampleBatch(image, 0, 1, config.preprocessing);
  const k = Math.min(5, state.labels.length);
  const { values, indices } = tf.tidy(() => tf.topk(tf.softmax(model.predict(input) as tf.Tensor2D), k));
  const [probabilities, classes] = await Promise.all([values.data(), indices.data()]);
  tf.dispose([input, values, indices]);
  const list = $('top5');
  list.replaceChildren(
    ...Array.from(classes, (index, rank) => {
      const item = document.createElement('li');
      const name = document.createElement('span');
      name.textContent = state.labels[index] ?? `class ${index}`;
      const bar = document.createElement('span');
      bar.className = 'bar';
      bar.style.width = `${Math.max(1, probabilities[rank]! * 100)}%`;
      const value = document.createElement('span');
      value.textContent = `${(probabilities[rank]! * 100).toFixed(1)}%`;
      item.append(name, bar, value);
      return item;
    }),
  );
}

/** Classifies the whole Fashion-MNIST sample; shows and records the accuracy and predictions. */
async function evaluateSample(): Promise<void> {
  const { model, config } = requireModel();
  const sample = state.sample!;
  const predictions: number[] = [];
  const started = performance.now();
  for (let start = 0; start < sample.labels.length; start += 100) {
    const batch = sampleBatch(sample, start, 100, config.preprocessing);
    const best = tf.tidy(() => tf.argMax(model.predict(batch) as tf.Tensor, -1));
    predictions.push(...(await best.data()));
    tf.dispose([batch, best]);
    setStatus(`Classified ${predictions.length} of ${sample.labels.length} sample images…`);
  }
  const correct = predictions.filter((p, i) => p === sample.labels[i]).length;
  const result = $('evaluation');
  result.textContent = `${correct} of ${predictions.length} correct: ${((100 * correct) / predictions.length).toFixed(1)}% accuracy`;
  result.dataset.correct = String(correct);
  result.dataset.predictions = predictions.join(',');
  setStatus(`Sample classified in ${Math.round(performance.now() - started)} ms on ${tf.getBackend()}.`);
}

function renderClasses(): void {
  const container = $('classes');
  container.replaceChildren(
    ...state.classes.map((labelled, index) => {
      const row = document.createElement('div');
      row.className = 'class-row';
      const name = document.createElement('input');
      name.type = 'text';
      name.value = labelled.name;
      name.setAttribute('aria-label', `name of class ${index + 1}`);
      name.addEventListener('input', () => {
        labelled.name = name.value;
      });
      const pick = document.createElement('label');
      pick.className = 'link';
      pick.textContent = 'add images';
      const input = document.createElement('input');
      input.type = 'file';
      input.accept = 'image/*';
      input.multiple = true;
      input.hidden = true;
      input.addEventListener('change', () =>
        action(async () => {
          for (const file of Array.from(input.files ?? [])) labelled.images.push(await readPicture(file));
          renderClasses();
        })(),
      );
      pick.append(input);
      const addShown = document.createElement('button');
      addShown.type = 'button';
      addShown.textContent = 'add shown image';
      addShown.addEventListener('click', () => {
        if (state.shown) labelled.images.push(state.shown);
        renderClasses();
      });
      const count = document.createElement('span');
      count.className = 'muted';
      count.textContent = `${labelled.images.length} image(s)`;
      row.append(
        name,
        pick,
        addShown,
        count,
        ...labelled.images.slice(0, 12).map((image) => drawPixels(image, 0, 1)),
      );
      return row;
    }),
  );
}

/** Decodes a picked or dropped picture into the model's input pixels. */
async function readPicture(file: Blob): Promise<PixelSet> {
  const { config } = requireModel();
  const bitmap = await createImageBitmap(file);
  try {
    return pixelsOf(bitmap, config.preprocessing);
  } finally {
    bitmap.close();
  }
}

/** Five sample images for each of the first three Fashion-MNIST classes. */
function fillWithSample(): void {
  const sample = state.sample!;
  const size = sample.height * sample.width;
  state.classes = ['T-shirt/top', 'Trouser', 'Pullover'].map((name, label) => {
    const images: PixelSet[] = [];
    for (let i = 0; i < sample.labels.length && images.length < 5; i++) {
      if (sample.labels[i] !== label) continue;
      images.push({ ...sample, pixels: sample.pixels.subarray(i * size, (i + 1) * size), labels: [label] });
    }
    return { name, images };
  });
  renderClasses();
}

async function train(): Promise<void> {
  const { config } = requireModel();
  const classes = state.classes.filter((c) => c.images.length > 0);
  if (classes.length < 2) throw new Error('label images of at least two classes first');
  const id = config.id;
  setStatus(`Building ${id} with a fresh ${classes.length}-class head…`);
  const model = await createModel(id, { pretrained: true, numClasses: classes.length });
  const head = (typeof config.classifier === 'string' ? [config.classifier] : [...config.classifier]).map(
    (name) => name.replaceAll('.', '_'),
  );
  const missing = head.filter((name) => !model.layers.some((layer) => layer.name === name));
  if (missing.length > 0) throw new Error(`${id}: no classifier layer named ${missing.join(', ')}`);
  const pixels = classes.flatMap((c) => c.images);
  const labels = classes.flatMap((c, index) => c.images.map(() => index));
  const [h, w, ch] = config.preprocessing.inputSize;
  const images = tf.tidy(() => {
    const raw = tf.stack(
      pixels.map((image) => tf.tensor3d(image.pixels, [h, w, ch], 'int32')),
    ) as tf.Tensor4D;
    return normalize(raw, config.preprocessing);
  });
  const reports: StepReport[] = [];
  const chart = $<HTMLCanvasElement>('chart');
  const log = $('train-log');
  state.stop = false;
  $<HTMLButtonElement>('stop').disabled = false;
  $<HTMLButtonElement>('download').disabled = true;
  setStatus(`Training the head on ${pixels.length} images…`);
  try {
    await fineTuneHead(model, images, labels, classes.length, {
      head,
      steps: Number($<HTMLInputElement>('steps').value) || 30,
      learningRate: Number($<HTMLInputElement>('learning-rate').value) || 0.01,
      shouldStop: () => state.stop,
      onStep: (report) => {
        reports.push(report);
        drawChart(chart, reports);
        log.textContent = `step ${report.step}: loss ${report.loss.toFixed(4)}, accuracy ${(report.accuracy * 100).toFixed(0)}%`;
        log.dataset.losses = JSON.stringify(reports.map((r) => r.loss));
      },
    });
  } finally {
    images.dispose();
    $<HTMLButtonElement>('stop').disabled = true;
  }
  state.model?.dispose();
  state.model = model;
  state.labels = classes.map((c) => c.name);
  state.tuned = true;
  $<HTMLButtonElement>('download').disabled = false;
  $<HTMLButtonElement>('evaluate').disabled = true;
  log.dataset.done = 'true';
  setStatus(
    `${state.stop ? 'Stopped' : 'Trained'} after ${reports.length} steps: the model now tells ${state.labels.join(', ')} apart.`,
  );
  if (state.shown) await classify(state.shown);
}

function download(): void {
  const { model, config } = requireModel();
  const bytes = writeSafetensors(exportStateDict(model), {
    source: `tfzoo web page, ${config.id} with a fine-tuned head`,
    labels: JSON.stringify(state.labels),
  });
  const url = URL.createObjectURL(
    new Blob([bytes as Uint8Array<ArrayBuffer>], { type: 'application/octet-stream' }),
  );
  const link = document.createElement('a');
  link.href = url;
  link.download = `${config.id}-finetuned.safetensors`;
  link.click();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

function wireDrop(): void {
  const drop = $('drop');
  drop.addEventListener('dragover', (event) => {
    event.preventDefault();
    drop.classList.add('over');
  });
  drop.addEventListener('dragleave', () => drop.classList.remove('over'));
  drop.addEventListener('drop', (event) => {
    event.preventDefault();
    drop.classList.remove('over');
    const file = event.dataTransfer?.files[0];
    if (file) action(async () => classify(await readPicture(file)))();
  });
  const input = $<HTMLInputElement>('file');
  input.addEventListener('change', () => {
    const file = input.files?.[0];
    if (file) action(async () => classify(await readPicture(file)))();
  });
}

async function main(): Promise<void> {
  const backendSelect = $<HTMLSelectElement>('backend');
  for (const name of PAGE_BACKENDS) backendSelect.add(new Option(name, name));
  const modelSelect = $<HTMLSelectElement>('model');
  for (const id of listPretrained()) modelSelect.add(new Option(id, id));
  const params = new URLSearchParams(location.search);
  modelSelect.value = params.get('model') ?? DEFAULT_MODEL;
  const forced = params.get('backend') as PageBackend | null;
  await selectBackend(forced && (PAGE_BACKENDS as readonly string[]).includes(forced) ? forced : undefined);

  backendSelect.addEventListener(
    'change',
    action(async () => selectBackend(backendSelect.value as PageBackend)),
  );
  $('load').addEventListener('click', action(loadModel));
  $('evaluate').addEventListener('click', action(evaluateSample));
  $('add-class').addEventListener('click', () => {
    state.classes.push({ name: `class ${state.classes.length + 1}`, images: [] });
    renderClasses();
  });
  $('use-sample').addEventListener('click', fillWithSample);
  $('train').addEventListener('click', action(train));
  $('stop').addEventListener('click', () => {
    state.stop = true;
  });
  $('download').addEventListener('click', download);
  wireDrop();

  state.sample = await loadFashionMnistSample();
  const strip = $('samples');
  for (let i = 0; i < 24; i++) {
    const thumb = drawPixels(state.sample, i, 2);
    thumb.title = `sample ${i}`;
    thumb.dataset.index = String(i);
    const size = state.sample.height * state.sample.width;
    const one: PixelSet = {
      ...state.sample,
      pixels: state.sample.pixels.subarray(i * size, (i + 1) * size),
      labels: [state.sample.labels[i]!],
    };
    thumb.addEventListener(
      'click',
      action(async () => classify(one)),
    );
    strip.append(thumb);
  }
  state.classes = [
    { name: 'class 1', images: [] },
    { name: 'class 2', images: [] },
  ];
  renderClasses();
  setStatus(`Ready on ${tf.getBackend()}: load a model.`);
  document.body.dataset.ready = 'true';
}

main().catch(fail);
