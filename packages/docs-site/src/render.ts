/**
 * Markdown for the model cards (`docs/models/<arch>.md`) and the table of all models
 * (`docs/models/README.md`), rendered from {@link ModelFacts}. Deterministic: the same facts give
 * the same bytes, so a test can regenerate the cards and compare them with the committed files.
 */
import type { PretrainedConfig } from '@tfzoo/core';
import type { BenchmarkRecord } from './benchmarks.js';
import type { ModelFacts } from './facts.js';

const GENERATED =
  '<!-- Generated from the registry by `npm run cards -w @tfzoo/docs-site`; do not edit by hand. -->';

/** `1234567` → `1,234,567` (locale-independent). */
export function groupDigits(value: number): string {
  const [whole, fraction] = String(value).split('.');
  const grouped = (whole ?? '').replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  return fraction === undefined ? grouped : `${grouped}.${fraction}`;
}

/** Parameters in millions with two decimals (`11.69M`), or thousands below a million. */
export function formatParams(params: number): string {
  return params >= 1e6 ? `${(params / 1e6).toFixed(2)}M` : `${(params / 1e3).toFixed(1)}K`;
}

/** MACs in G with two decimals (`1.81G`), or M below 0.01 G. */
export function formatMacs(macs: number): string {
  return macs >= 1e7 ? `${(macs / 1e9).toFixed(2)}G` : `${(macs / 1e6).toFixed(2)}M`;
}

function cell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\n/g, ' ');
}

function table(rows: readonly (readonly [string, string])[]): string {
  return ['| | |', '| --- | --- |', ...rows.map(([key, value]) => `| ${key} | ${cell(value)} |`)].join('\n');
}

function shape([h, w, c]: readonly number[]): string {
  return `${h}×${w}×${c}`;
}

function bestTop1(facts: ModelFacts): PretrainedConfig | undefined {
  let best: PretrainedConfig | undefined;
  for (const config of facts.pretrained) {
    if (config.accuracy && (!best?.accuracy || config.accuracy.top1 > best.accuracy.top1)) best = config;
  }
  return best;
}

/** Images per second with three significant digits (0.0544, 5.01, 286). */
function rate(value: number): string {
  return value >= 100 ? value.toFixed(0) : value.toPrecision(3);
}

/** Our fastest inference row (training steps are not comparable with inference). */
function fastest(rows: readonly BenchmarkRecord[]): BenchmarkRecord | undefined {
  return rows
    .filter((row) => row.imagesPerSecond !== undefined && row.mode !== 'train')
    .reduce<BenchmarkRecord | undefined>(
      (best, row) => (!best || (row.imagesPerSecond ?? 0) > (best.imagesPerSecond ?? 0) ? row : best),
      undefined,
    );
}

function preprocessingText(config: PretrainedConfig): string {
  const p = config.preprocessing;
  const [h, w] = p.inputSize;
  const round = (values: readonly number[]) => `[${values.map((v) => Number(v.toFixed(4))).join(', ')}]`;
  return (
    `resize the shorter side to ${p.resizeSize} (${p.interpolation}), center-crop ${h}×${w}; ` +
    `${p.channelOrder} in [${p.inputRange[0]}, ${p.inputRange[1]}], subtract mean ${round(p.mean)}, ` +
    `divide by std ${round(p.std)}`
  );
}

function hashText(config: PretrainedConfig): string {
  const { sha256, sha256Prefix } = config.source;
  if (sha256) return `\`${sha256}\``;
  if (sha256Prefix)
    return `prefix \`${sha256Prefix}\` (the published part; the full hash is checked against it and recorded on first download)`;
  return 'not pinned: no hash is published for this file, so the first download is trusted and recorded';
}

function accuracyText(report: NonNullable<PretrainedConfig['accuracy']>): string {
  const top5 = report.top5 === undefined ? '' : ` / top-5 ${report.top5}%`;
  return `top-1 ${report.top1}%${top5} on ${report.dataset}${report.source ? ` (${report.source})` : ''}`;
}

function pretrainedSection(facts: ModelFacts, config: PretrainedConfig): string {
  const { source } = config;
  const built = facts.cost.trainableParams;
  // A file: URL points into the installed package (its path differs per machine): show the file
  // name and link the first download mirror instead.
  const shipped = source.url.startsWith('file:');
  const name = source.url.split('/').pop() ?? source.url;
  const link = shipped ? source.mirrors?.[0] : source.url;
  const rows: [string, string][] = [
    [
      'File',
      `${link ? `[${name}](${link})` : name}${shipped ? ' (shipped inside the package, used offline)' : ''}`,
    ],
    ['Format', source.format],
    ['Revision', source.revision ?? 'none (the URL is immutable)'],
    ['sha256', hashText(config)],
  ];
  if (source.sizeBytes !== undefined) rows.push(['Size', `${groupDigits(source.sizeBytes)} bytes`]);
  const mirrors = shipped ? (source.mirrors ?? []).slice(1) : (source.mirrors ?? []);
  if (mirrors.length > 0) rows.push(['Mirrors', mirrors.join(', ')]);
  rows.push(['License', config.license], ['Weights page', `<${config.sourceUrl}>`]);
  rows.push(['Name mapping', `\`${config.mapping}\``], ['Classes', String(config.numClasses)]);
  if (config.buildOptions && Object.keys(config.buildOptions).length > 0) {
    rows.push(['Build options', `\`${JSON.stringify(config.buildOptions)}\``]);
  }
  rows.push(['Preprocessing', preprocessingText(config)]);
  if (config.accuracy) rows.push(['Upstream accuracy', accuracyText(config.accuracy)]);
  if (config.measuredAccuracy) rows.push(['Measured by tfzoo', accuracyText(config.measuredAccuracy)]);
  rows.push([
    'Declared parameters',
    config.numParams === built
      ? `${groupDigits(config.numParams)} (equals the built model)`
      : `${groupDigits(config.numParams)} (the model built with default options has ${groupDigits(built)})`,
  ]);
  if (config.notes) rows.push(['Notes', config.notes]);
  const isDefault = config.tag === facts.defaultTag ? ' (default)' : '';
  return [
    `### \`${config.id}\`${isDefault}`,
    '',
    table(rows),
    '',
    '```ts',
    `const model = await createModel('${config.id}', { pretrained: true });`,
    '```',
  ].join('\n');
}

function paritySection(facts: ModelFacts): string {
  if (facts.parity.length === 0) {
    return 'No test compares this family with a reference implementation yet.';
  }
  const lines = facts.parity.map((entry) => {
    const scope = entry.coversThisVariant
      ? `compares \`${facts.definition.name}\` directly`
      : `compares ${entry.variants.map((v) => `\`${v}\``).join(', ')} — not this variant, which shares their builder and mapping`;
    const also = entry.also ? ` Also: ${entry.also}.` : '';
    return `- \`${entry.file}\` ${scope} with ${entry.reference}, at ${entry.inputSize}×${entry.inputSize}: ${entry.bound}.${also}`;
  });
  return lines.join('\n');
}

function speedSection(rows: readonly BenchmarkRecord[]): string {
  const lines = [
    '| model | backend | case | batch | input | images/s | latency (ms) | vs PyTorch | device | file |',
    '| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |',
  ];
  for (const row of rows) {
    const values = [
      `\`${row.model}\``,
      row.backend ?? '',
      row.mode === 'train' ? 'training step' : row.mode === 'inference' ? 'inference' : '',
      row.batchSize === undefined ? '' : String(row.batchSize),
      row.inputSize === undefined ? '' : `${row.inputSize}×${row.inputSize}`,
      row.imagesPerSecond === undefined ? '' : rate(row.imagesPerSecond),
      row.latencyMs === undefined ? '' : row.latencyMs.toFixed(1),
      row.vsPytorch === undefined ? '' : `${row.vsPytorch.toPrecision(2)}×`,
      row.device ?? '',
      `docs/benchmarks/${row.file}`,
    ];
    lines.push(`| ${values.map(cell).join(' | ')} |`);
  }
  return lines.join('\n');
}

/** The card of one architecture; `family` is every architecture of its family (for the variants table). */
export function renderModelCard(facts: ModelFacts, family: readonly ModelFacts[]): string {
  const { definition, cost } = facts;
  const name = definition.name;
  const [h, w] = cost.inputShape;
  const rows: [string, string][] = [
    ['Family', `\`@tfzoo/${definition.family}\``],
    ['Paper', definition.paper ? `[${definition.paper.title}](${definition.paper.url})` : 'none recorded'],
    ['Reference implementation', definition.reference ? `\`${definition.reference}\`` : 'none recorded'],
    ['Default input', shape(cost.inputShape)],
    [
      'Parameters',
      `${groupDigits(cost.trainableParams)} trainable (${formatParams(cost.trainableParams)}); ` +
        `${groupDigits(cost.totalParams)} with batch-norm statistics`,
    ],
    ['MACs', `${groupDigits(cost.macs)} (${formatMacs(cost.macs)}) at ${h}×${w}, batch 1`],
    [
      'Pretrained weights',
      facts.pretrained.length === 0
        ? 'none registered'
        : facts.pretrained.map((c) => `\`${c.id}\``).join(', '),
    ],
  ];
  const usageId = facts.defaultTag ? `${name}.${facts.defaultTag}` : name;
  const usage = facts.defaultTag
    ? `const model = await createModel('${usageId}', { pretrained: true });\nconst finetune = await createModel('${name}', { pretrained: true, numClasses: 5 });`
    : `const model = await createModel('${name}');`;
  const variantRows = family.map((other) => {
    const link =
      other.definition.name === name
        ? `**${name}**`
        : `[${other.definition.name}](${other.definition.name}.md)`;
    const tags = other.pretrained.map((c) => c.tag).join(', ') || '—';
    return `| ${link} | ${formatParams(other.cost.trainableParams)} | ${formatMacs(other.cost.macs)} | ${shape(other.cost.inputShape)} | ${tags} |`;
  });
  const sections = [
    '---',
    `title: ${name}`,
    '---',
    '',
    GENERATED,
    '',
    `# ${name}`,
    '',
    definition.description ?? `${name} from the ${definition.family} family.`,
    '',
    table(rows),
    '',
    '```ts',
    "import { createModel } from '@tfzoo/models';",
    usage,
    '```',
    '',
    `## Variants of the ${definition.family} family`,
    '',
    '| model | params | MACs | input | pretrained tags |',
    '| --- | --- | --- | --- | --- |',
    ...variantRows,
    '',
    '## Pretrained weights',
    '',
    facts.pretrained.length === 0
      ? 'No pretrained weights are registered for this architecture: build it and train it (see the fine-tuning guide).'
      : facts.pretrained.map((config) => pretrainedSection(facts, config)).join('\n\n'),
    '',
    '## Parity evidence',
    '',
    paritySection(facts),
    '',
  ];
  if (facts.benchmarks.length > 0) {
    sections.push('## Our measured speed', '', speedSection(facts.benchmarks), '');
  }
  return sections.join('\n');
}

/** The table of all models (`docs/models/README.md`), like torchvision's and timm's. */
export function renderModelTable(all: readonly ModelFacts[]): string {
  const withSpeed = all.some((facts) => fastest(facts.benchmarks) !== undefined);
  const header = ['model', 'family', 'params', 'MACs', 'input', 'pretrained weights', 'best upstream top-1'];
  if (withSpeed) header.push('our fastest measured (images/s)');
  const lines = [`| ${header.join(' | ')} |`, `| ${header.map(() => '---').join(' | ')} |`];
  for (const facts of all) {
    const best = bestTop1(facts);
    const speed = fastest(facts.benchmarks);
    const values = [
      `[${facts.definition.name}](${facts.definition.name}.md)`,
      facts.definition.family,
      formatParams(facts.cost.trainableParams),
      formatMacs(facts.cost.macs),
      shape(facts.cost.inputShape),
      facts.pretrained.map((c) => `\`${c.tag}\``).join(', ') || '—',
      best?.accuracy ? `${best.accuracy.top1}% (\`${best.tag}\`)` : '—',
    ];
    if (withSpeed) {
      values.push(
        speed
          ? `${rate(speed.imagesPerSecond ?? 0)} (${speed.backend ?? '?'}, batch ${speed.batchSize ?? '?'})`
          : '—',
      );
    }
    lines.push(`| ${values.map(cell).join(' | ')} |`);
  }
  const families = [...new Set(all.map((facts) => facts.definition.family))].sort();
  const weights = all.reduce((sum, facts) => sum + facts.pretrained.length, 0);
  const example = all.find((facts) => facts.defaultTag !== undefined);
  const exampleId = example ? `${example.definition.name}.${example.defaultTag}` : all[0]?.definition.name;
  return [
    '---',
    'title: Models',
    'children:',
    ...all.map((facts) => `  - ./${facts.definition.name}.md`),
    '---',
    '',
    GENERATED,
    '',
    '# Models',
    '',
    `${all.length} architectures in ${families.length} families (${families.join(', ')}), ${weights} sets of pretrained weights. ` +
      'Parameters are the trainable weights (what torchvision and timm publish); MACs are the multiply-accumulates of one ' +
      'image at the default input size, both from `summarize()` of the built model. Top-1 figures are the upstream ' +
      "publishers' ImageNet-1k validation results. Each model's card lists its weights (source, revision, sha256, license, " +
      'preprocessing) and the tests that compare it with its reference implementation.',
    '',
    '```ts',
    "import { createModel, listModels, listPretrained } from '@tfzoo/models';",
    'listModels(); // every architecture id',
    'listPretrained(); // every arch.tag with weights',
    example
      ? `const model = await createModel('${exampleId}', { pretrained: true });`
      : `const model = await createModel('${exampleId}');`,
    '```',
    '',
    ...lines,
    '',
  ].join('\n');
}

/** Renders every card and the table: file name (relative to `docs/models/`) → markdown. */
export function renderModelDocs(all: readonly ModelFacts[]): Map<string, string> {
  const files = new Map<string, string>();
  files.set('README.md', renderModelTable(all));
  for (const facts of all) {
    const family = all.filter((other) => other.definition.family === facts.definition.family);
    files.set(`${facts.definition.name}.md`, renderModelCard(facts, family));
  }
  return files;
}
