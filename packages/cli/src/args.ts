/** Argument parsing for the commands (`node:util` parseArgs), help texts and number checks. */
import { parseArgs } from 'node:util';
import { invalidArgument, ZooError } from '@tfzoo/core';

/** One command-line option. */
export interface OptionSpec {
  /** `string` takes a value, `boolean` is a flag. */
  type: 'string' | 'boolean';
  /** One-letter alias. */
  short?: string;
  /** Help text. */
  help: string;
  /** Repeatable (string options). */
  multiple?: boolean;
}

/** Where a command writes. */
export interface CommandIo {
  /** Results. */
  stdout: { write(text: string): unknown; isTTY?: boolean; columns?: number };
  /** Progress, messages. */
  stderr: { write(text: string): unknown; isTTY?: boolean; columns?: number };
}

/** Thrown by {@link parse} for `--help`: the runner prints the text and exits 0. */
export class HelpRequested extends Error {
  /** The help text. */
  readonly text: string;

  /** Wraps a help text. */
  constructor(text: string) {
    super('help requested');
    this.text = text;
  }
}

/** Renders the options of a command as help lines. */
export function formatOptions(options: Record<string, OptionSpec>): string {
  const rows = Object.entries(options).map(([name, spec]) => {
    const flag = `${spec.short ? `-${spec.short}, ` : ''}--${name}${spec.type === 'string' ? ' <value>' : ''}`;
    return [flag, spec.help] as const;
  });
  const width = Math.max(...rows.map(([f]) => f.length), 10);
  return rows.map(([f, h]) => `  ${f.padEnd(width)}  ${h}`).join('\n');
}

/** Usage lines and summaries of every command (for `--help`). */
export const USAGE: Record<string, { usage: string; summary: string }> = {
  list: {
    usage: 'tfzoo list [pattern] [--pretrained] [--json]',
    summary: 'list registered architectures or pretrained ids',
  },
  info: {
    usage: 'tfzoo info <id> [--json]',
    summary: 'summary table (params, MACs, shapes) and the pretrained card',
  },
  download: {
    usage: 'tfzoo download <id>… | tfzoo download --verify',
    summary: 'download and verify pretrained weights into the cache',
  },
  cache: { usage: 'tfzoo cache list|clear [--json]', summary: 'show or clear the weights cache' },
  predict: {
    usage: 'tfzoo predict <id> <image>… [--top k] [--no-optimize]',
    summary: 'top-k classes with labels for image files',
  },
  train: {
    usage: 'tfzoo train <id> [--data fashion-mnist] [options]',
    summary: 'train a model (from scratch unless --pretrained/--weights)',
  },
  finetune: {
    usage: 'tfzoo finetune <id.tag> --data <data> [options]',
    summary: 'fine-tune pretrained weights on new data (new head when classes differ)',
  },
  eval: {
    usage: 'tfzoo eval <id> [--data fashion-mnist] [--split test] [--no-optimize]',
    summary: 'accuracy, top-5 and loss on a data set split',
  },
  export: {
    usage: 'tfzoo export <id> <dir> [--weights f] [--checkpoint d]',
    summary: 'write a TF.js layers model (model.json + weights) for browsers',
  },
  doctor: {
    usage: 'tfzoo doctor [--json] [--no-train]',
    summary:
      'which backends load here, why the others do not, the WebGPU adapter, and whether a training step works',
  },
  prune: {
    usage: 'tfzoo prune <id> --sparsity S [--schedule polynomial] [--data …] [--epochs N] [--out DIR]',
    summary: 'magnitude-prune conv/dense kernels with a fine-tune; writes DIR/model.safetensors',
  },
  quantize: {
    usage: 'tfzoo quantize <id> <dir> --dtype int8|float16 [--weights f]',
    summary: 'post-training weight quantization to a TF.js model and safetensors',
  },
  distill: {
    usage: 'tfzoo distill --teacher <id> --student <id> [--data …] [--temperature T] [--alpha A] [--out DIR]',
    summary: 'train a student on a frozen teacher’s soft targets (knowledge distillation)',
  },
};

const COMMON: Record<string, OptionSpec> = {
  help: { type: 'boolean', short: 'h', help: 'show this help' },
  verbose: { type: 'boolean', help: 'print stack traces on errors' },
};

/**
 * Parses `argv` for `command` with strict options (unknown options are errors naming the command's
 * options). `--help` throws {@link HelpRequested}.
 */
export function parse(
  argv: string[],
  options: Record<string, OptionSpec>,
  command: string,
): { values: Record<string, string | boolean | string[] | undefined>; positionals: string[] } {
  const all = { ...options, ...COMMON };
  const config = Object.fromEntries(
    Object.entries(all).map(([name, spec]) => [
      name,
      {
        type: spec.type,
        ...(spec.short ? { short: spec.short } : {}),
        ...(spec.multiple ? { multiple: true } : {}),
      },
    ]),
  );
  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs({
      args: joinNegativeValues(argv, all),
      options: config,
      allowPositionals: true,
      strict: true,
    });
  } catch (error) {
    throw new ZooError(
      'INVALID_ARGUMENT',
      `tfzoo ${command}: ${(error as Error).message}; see tfzoo ${command} --help`,
      {
        received: argv,
        expected: `the options of tfzoo ${command}`,
      },
    );
  }
  if (parsed.values.help) {
    const usage = USAGE[command];
    throw new HelpRequested(
      `${usage ? `${usage.usage}\n\n${usage.summary}\n\n` : ''}Options:\n${formatOptions(all)}\n`,
    );
  }
  return parsed as { values: Record<string, string | boolean | string[] | undefined>; positionals: string[] };
}

/** A number as a person types it: decimal digits, an optional fraction and exponent. No hex, no `Infinity`. */
const NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

/**
 * `--lr -1` is one option and its value: parseArgs would read `-1` as an unknown flag ("argument is
 * ambiguous"), so a number after an option that takes a value is joined to it (`--lr=-1`), and the
 * range check can name the option and the value.
 */
function joinNegativeValues(argv: string[], options: Record<string, OptionSpec>): string[] {
  const takesValue = new Set<string>();
  for (const [name, spec] of Object.entries(options)) {
    if (spec.type !== 'string') continue;
    takesValue.add(`--${name}`);
    if (spec.short) takesValue.add(`-${spec.short}`);
  }
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const next = argv[i + 1];
    if (takesValue.has(arg) && next?.startsWith('-') && NUMBER.test(next)) {
      out.push(`${arg.startsWith('--') ? arg : `--${longName(arg, options)}`}=${next}`);
      i++;
    } else out.push(arg);
  }
  return out;
}

function longName(short: string, options: Record<string, OptionSpec>): string {
  return Object.entries(options).find(([, spec]) => `-${spec.short}` === short)![0];
}

/**
 * Parses a numeric option, with `fallback` when absent. Only decimal notation is accepted
 * (`16`, `0.5`, `1e-3`); `0x10`, `1_000`, `Infinity` and the empty string are refused with the
 * option's name, the value and the accepted range.
 */
export function parseNumber(
  name: string,
  value: unknown,
  fallback: number,
  bounds: { integer?: boolean; min?: number; max?: number } = {},
): number {
  if (value === undefined) return fallback;
  const number = typeof value === 'string' && NUMBER.test(value.trim()) ? Number(value) : Number.NaN;
  const ok =
    Number.isFinite(number) &&
    (!bounds.integer || Number.isInteger(number)) &&
    (bounds.min === undefined || number >= bounds.min) &&
    (bounds.max === undefined || number <= bounds.max);
  if (!ok) {
    const what = `${bounds.integer ? 'an integer' : 'a decimal number'}${bounds.min !== undefined ? ` ≥ ${bounds.min}` : ''}${bounds.max !== undefined ? ` ≤ ${bounds.max}` : ''}`;
    throw invalidArgument(name, value, what);
  }
  return number;
}

/** Parses a JSON object option (`--model-options`). */
export function parseJsonOption(name: string, value: unknown): Record<string, unknown> {
  if (value === undefined) return {};
  try {
    const parsed = JSON.parse(String(value)) as unknown;
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed))
      throw new Error('not an object');
    return parsed as Record<string, unknown>;
  } catch {
    throw invalidArgument(name, value, 'a JSON object, e.g. \'{"inputShape":[28,28,1]}\'');
  }
}
