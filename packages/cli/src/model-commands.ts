/**
 * `tfzoo list`, `info`, `download`, `cache`, `predict` and `export` (`doctor` is in doctor-command.ts).
 */
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import {
  cacheClear,
  cacheDir,
  cacheList,
  cacheVerify,
  formatCount,
  formatSummary,
  getModelDefinition,
  initBackend,
  invalidArgument,
  listModels,
  listPretrained,
  optimizeForInference,
  type PretrainedConfig,
  prefetch,
  resolveModelId,
  summarize,
  tfjsFileHandler,
  ZooError,
} from '@tfzoo/core';
import { decodeImage, preprocessForPretrained, Rng } from '@tfzoo/datasets';
import { loadCheckpoint, readCheckpointManifest } from '@tfzoo/train';
import { type CommandIo, type OptionSpec, parse, parseJsonOption, parseNumber } from './args.js';
import { loadModel, setupBackend, shippedWeightsPath } from './runtime.js';

const JSON_OPTION: Record<string, OptionSpec> = { json: { type: 'boolean', help: 'print JSON' } };

function table(rows: string[][]): string {
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => r[c]!.length)));
  return `${rows
    .map((r) =>
      r
        .map((cell, c) => cell.padEnd(widths[c]!))
        .join('  ')
        .trimEnd(),
    )
    .join('\n')}\n`;
}

/** `tfzoo list [pattern] [--pretrained]`. */
export async function listCommand(argv: string[], io: CommandIo): Promise<number> {
  const { values, positionals } = parse(
    argv,
    {
      ...JSON_OPTION,
      pretrained: { type: 'boolean', help: 'list pretrained ids (arch.tag) instead of architectures' },
    },
    'list',
  );
  // A bare word matches anywhere in the id (`tfzoo list resnet`); globs are used as given.
  const filter = positionals.length ? positionals.map((p) => (/[*?]/.test(p) ? p : `*${p}*`)) : undefined;
  if (values.pretrained) {
    const ids = listPretrained(filter);
    if (values.json) {
      io.stdout.write(`${JSON.stringify(ids)}\n`);
      return 0;
    }
    const rows = [['id', 'classes', 'params', 'top-1', 'data set']];
    for (const id of ids) {
      const c = resolveModelId(id).pretrained!;
      const acc = c.measuredAccuracy ?? c.accuracy;
      rows.push([
        id,
        String(c.numClasses),
        formatCount(c.numParams),
        acc ? `${acc.top1.toFixed(2)}%` : '',
        acc?.dataset ?? '',
      ]);
    }
    io.stdout.write(table(rows));
    return 0;
  }
  const names = listModels(filter);
  if (values.json) {
    io.stdout.write(`${JSON.stringify(names)}\n`);
    return 0;
  }
  const rows = [['architecture', 'family', 'pretrained', 'description']];
  for (const name of names) {
    const d = getModelDefinition(name);
    rows.push([name, d.family, String(d.pretrained?.length ?? 0), d.description ?? '']);
  }
  io.stdout.write(table(rows));
  return 0;
}

function card(config: PretrainedConfig): string {
  const p = config.preprocessing;
  const lines = [
    `Pretrained ${config.id}`,
    `  weights      ${config.source.url}${config.source.mirrors?.length ? `\n               mirrors: ${config.source.mirrors.join(', ')}` : ''}`,
    `  format       ${config.source.format}${config.source.sha256 ? `, sha256 ${config.source.sha256}` : ''}`,
    `  classes      ${config.numClasses}${config.labels ? ` (${config.labels.slice(0, 5).join(', ')}${config.labels.length > 5 ? ', …' : ''})` : ''}`,
    `  params       ${formatCount(config.numParams)}`,
    `  input        ${p.inputSize.join('×')}, resize ${p.resizeSize}, crop ${p.cropFraction}, ${p.interpolation}, mean ${p.mean.join('/')}, std ${p.std.join('/')}`,
  ];
  if (config.accuracy)
    lines.push(
      `  accuracy     top-1 ${config.accuracy.top1}%${config.accuracy.top5 ? `, top-5 ${config.accuracy.top5}%` : ''} on ${config.accuracy.dataset} (${config.accuracy.source ?? 'published'})`,
    );
  if (config.measuredAccuracy)
    lines.push(
      `  measured     top-1 ${config.measuredAccuracy.top1}% on ${config.measuredAccuracy.dataset} (${config.measuredAccuracy.source ?? 'tfzoo'})`,
    );
  lines.push(`  license      ${config.license}`, `  source       ${config.sourceUrl}`);
  if (config.paperUrl) lines.push(`  paper        ${config.paperUrl}`);
  if (config.notes) lines.push(`  notes        ${config.notes}`);
  return `${lines.join('\n')}\n`;
}

/** `tfzoo info <id>`: the summary table and the pretrained card. */
export async function infoCommand(argv: string[], io: CommandIo): Promise<number> {
  const { values, positionals } = parse(
    argv,
    { ...JSON_OPTION, 'model-options': { type: 'string', help: 'JSON build options' } },
    'info',
  );
  if (positionals.length !== 1)
    throw invalidArgument('model id', positionals, 'exactly one model id, e.g. tfzoo info resnet18');
  const resolved = resolveModelId(positionals[0]!);
  const config = resolved.pretrained;
  await initBackend(['cpu']);
  const model = await loadModel(positionals[0]!, {
    buildOptions: { ...parseJsonOption('--model-options', values['model-options']), skipInit: true },
  });
  const summary = summarize(model);
  model.dispose();
  if (values.json) {
    io.stdout.write(
      `${JSON.stringify({ id: positionals[0], summary: { ...summary, layers: undefined }, pretrained: config ?? null })}\n`,
    );
    return 0;
  }
  const d = resolved.definition;
  io.stdout.write(`${d.name} (${d.family})${d.description ? ` — ${d.description}` : ''}\n`);
  if (d.paper) io.stdout.write(`paper: ${d.paper.title} ${d.paper.url}\n`);
  io.stdout.write(`\n${formatSummary(summary)}\n`);
  if (config) io.stdout.write(`\n${card(config)}`);
  else if (d.pretrained?.length)
    io.stdout.write(`\npretrained tags: ${d.pretrained.map((p) => p.tag).join(', ')}\n`);
  return 0;
}

/**
 * `tfzoo download <id>…`: fills the cache (shipped weights need no download). `--verify` re-hashes
 * every cached file, removes those that no longer match their hash and exits 1 if there were any.
 */
export async function downloadCommand(argv: string[], io: CommandIo): Promise<number> {
  const { values, positionals } = parse(
    argv,
    { verify: { type: 'boolean', help: 're-hash every cached file; remove and report corrupt ones' } },
    'download',
  );
  if (values.verify === true) {
    if (positionals.length > 0)
      throw invalidArgument('tfzoo download --verify', positionals, 'no ids: it verifies the whole cache');
    const report = await cacheVerify({
      remove: true,
      onFile: (entry, ok) => {
        if (!ok) io.stdout.write(`corrupt, removed: ${entry.path} (${entry.urls.join(', ') || 'no URL'})\n`);
      },
    });
    io.stdout.write(
      `${report.checked} files (${(report.bytes / 2 ** 20).toFixed(1)} MiB) re-hashed: ${report.checked - report.corrupt.length} intact, ${report.corrupt.length} corrupt\n`,
    );
    return report.corrupt.length > 0 ? 1 : 0;
  }
  if (positionals.length === 0)
    throw invalidArgument('model ids', positionals, 'one or more pretrained ids (tfzoo list --pretrained)');
  for (const id of positionals) {
    const config = resolveModelId(id).pretrained;
    if (!config) {
      throw new ZooError(
        'NOT_FOUND',
        `${id} names no pretrained weights; expected an id listed by tfzoo list --pretrained`,
        {
          received: id,
          expected: 'a pretrained id (arch.tag)',
        },
      );
    }
    const local = shippedWeightsPath(config);
    if (local) {
      io.stdout.write(`${config.id}: ships with its package at ${local}\n`);
      continue;
    }
    const [result] = await prefetch(config.id, {
      onProgress: (p) => {
        if (io.stderr.isTTY && p.total)
          io.stderr.write(`\r${config.id}: ${((100 * p.loaded) / p.total).toFixed(0)}%`);
      },
    });
    if (io.stderr.isTTY) io.stderr.write('\n');
    io.stdout.write(`${config.id}: ${result!.path}\n`);
  }
  return 0;
}

/** `tfzoo cache list|clear`. */
export async function cacheCommand(argv: string[], io: CommandIo): Promise<number> {
  const { values, positionals } = parse(argv, JSON_OPTION, 'cache');
  const action = positionals[0];
  if (action === 'list') {
    const entries = await cacheList();
    if (values.json) {
      io.stdout.write(`${JSON.stringify(entries)}\n`);
      return 0;
    }
    io.stdout.write(`cache: ${cacheDir()}\n`);
    if (entries.length === 0) io.stdout.write('(empty)\n');
    else {
      const rows = [['sha256', 'size', 'url']];
      for (const e of entries)
        rows.push([e.sha256.slice(0, 16), formatCount(e.size).replace(/$/, 'B'), e.urls[0] ?? '']);
      io.stdout.write(table(rows));
    }
    return 0;
  }
  if (action === 'clear') {
    const freed = await cacheClear();
    io.stdout.write(`cleared ${cacheDir()}: ${(freed / 1e6).toFixed(1)} MB freed\n`);
    return 0;
  }
  throw invalidArgument('cache action', action, 'list or clear');
}

/** `tfzoo predict <id> <image>…`: top-k classes with their labels. */
export async function predictCommand(argv: string[], io: CommandIo): Promise<number> {
  const { values, positionals } = parse(
    argv,
    {
      ...JSON_OPTION,
      top: { type: 'string', short: 'k', help: 'how many classes to print (default 5)' },
      weights: { type: 'string', help: 'weight file instead of the pretrained weights' },
      backend: { type: 'string', help: 'auto | wasm | cpu | … (default auto)' },
      'no-optimize': {
        type: 'boolean',
        help: 'run the model as built, without folding batch-norm and fusing activations',
      },
    },
    'predict',
  );
  if (positionals.length < 2)
    throw invalidArgument('arguments', positionals, 'a pretrained id and one or more image files');
  const [id, ...images] = positionals as [string, ...string[]];
  const config = resolveModelId(id).pretrained;
  if (!config) {
    throw new ZooError(
      'NOT_FOUND',
      `${id} has no pretrained config (labels and preprocessing); expected an id listed by tfzoo list --pretrained`,
      {
        received: id,
        expected: 'a pretrained id',
      },
    );
  }
  const k = parseNumber('--top', values.top, 5, { integer: true, min: 1 });
  const channels = config.preprocessing.inputSize[2] === 1 ? 1 : 3;
  // Decode everything first: a bad file fails before the model is built.
  const decoded = [];
  for (const path of images) decoded.push(await decodeImage(path, { channels }));
  await setupBackend(String(values.backend ?? 'auto'));
  const model = await loadModel(id, {
    pretrained: values.weights === undefined,
    ...(values.weights ? { weights: String(values.weights) } : {}),
  });
  const transform = preprocessForPretrained(config.preprocessing);
  const results = [];
  // The inference form (batch-norm folded, fused kernels) unless asked not to: same logits.
  const fast = values['no-optimize'] === true ? undefined : optimizeForInference(model);
  try {
    for (let i = 0; i < images.length; i++) {
      const image = transform(decoded[i]!, new Rng(0));
      const probs = tf.tidy(() => {
        const x = tf.tensor4d(image.data as Float32Array, [1, image.height, image.width, image.channels]);
        return tf.softmax((fast ?? model).predict(x) as tf.Tensor2D);
      });
      const values = Array.from(await probs.data());
      probs.dispose();
      const top = values
        .map((p, c) => ({ class: c, label: config.labels?.[c] ?? String(c), probability: p }))
        .sort((a, b) => b.probability - a.probability)
        .slice(0, k);
      results.push({ image: images[i]!, top });
    }
  } finally {
    fast?.dispose();
    model.dispose();
  }
  if (values.json) io.stdout.write(`${JSON.stringify(results)}\n`);
  else {
    for (const r of results) {
      io.stdout.write(`${r.image}\n`);
      for (const t of r.top)
        io.stdout.write(`  ${(100 * t.probability).toFixed(2).padStart(6)}%  ${t.label} (${t.class})\n`);
    }
  }
  return 0;
}

/** `tfzoo export <id> <dir>`: a TF.js layers model (model.json + weights.bin). */
export async function exportCommand(argv: string[], io: CommandIo): Promise<number> {
  const { values, positionals } = parse(
    argv,
    {
      weights: { type: 'string', help: "weight file to export (default: the id's pretrained weights)" },
      checkpoint: { type: 'string', help: 'checkpoint directory to export (e.g. run/best)' },
      'model-options': { type: 'string', help: 'JSON build options' },
      random: { type: 'boolean', help: 'export the untrained architecture (no weights loaded)' },
    },
    'export',
  );
  if (positionals.length !== 2)
    throw invalidArgument('arguments', positionals, 'a model id and an output directory');
  const [id, dir] = positionals as [string, string];
  await initBackend(['cpu']);
  const buildOptions = parseJsonOption('--model-options', values['model-options']);
  let model: tfl.LayersModel;
  if (values.checkpoint) {
    const meta = (await readCheckpointManifest(String(values.checkpoint))).metadata as {
      buildOptions?: Record<string, unknown>;
      numClasses?: number;
    };
    model = await loadModel(id, {
      buildOptions: { ...(meta.buildOptions ?? {}), ...buildOptions },
      ...(meta.numClasses ? { numClasses: meta.numClasses } : {}),
    });
    await loadCheckpoint(String(values.checkpoint), model);
  } else {
    const pretrained =
      values.random !== true && values.weights === undefined && resolveModelId(id).pretrained !== undefined;
    model = await loadModel(id, {
      pretrained,
      buildOptions,
      ...(values.weights ? { weights: String(values.weights) } : {}),
    });
  }
  await mkdir(dir, { recursive: true });
  try {
    await model.save(tfjsFileHandler(join(dir, 'model.json')));
  } finally {
    model.dispose();
  }
  io.stdout.write(`${join(dir, 'model.json')}\n`);
  return 0;
}
