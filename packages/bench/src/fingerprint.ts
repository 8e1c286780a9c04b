/**
 * The environment fingerprint recorded with every benchmark: CPU model and flags, cores, memory,
 * load, and the versions of every runtime measured.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import * as os from 'node:os';

/** What `/proc/cpuinfo` says about the CPU. */
export interface CpuInfo {
  /** `model name` of the first processor. */
  model: string;
  /** Logical processors listed. */
  logicalProcessors: number;
  /** The first processor's feature flags. */
  flags: string[];
  /** The SIMD extensions among the flags that matter to the kernels measured (avx2, avx512f, fma, …). */
  simd: string[];
}

const SIMD_FLAGS = [
  'sse4_1',
  'sse4_2',
  'avx',
  'avx2',
  'fma',
  'f16c',
  'avx512f',
  'avx512bw',
  'avx512vl',
  'avx512_vnni',
  'avx512_bf16',
  'amx_tile',
  'neon',
  'asimd',
];

/** Parses the text of `/proc/cpuinfo` (x86 `model name`/`flags` or Arm `Features`). */
export function parseCpuInfo(text: string): CpuInfo {
  const blocks = text.split(/\n\s*\n/).filter((block) => /\S/.test(block));
  const field = (block: string, name: string): string | undefined => {
    for (const line of block.split('\n')) {
      const colon = line.indexOf(':');
      if (colon > 0 && line.slice(0, colon).trim() === name) return line.slice(colon + 1).trim();
    }
    return undefined;
  };
  const first = blocks[0] ?? '';
  const flags = (field(first, 'flags') ?? field(first, 'Features') ?? '').split(/\s+/).filter(Boolean);
  return {
    model: field(first, 'model name') ?? field(first, 'Hardware') ?? field(first, 'CPU part') ?? 'unknown',
    logicalProcessors: blocks.filter((block) => field(block, 'processor') !== undefined).length,
    flags,
    simd: SIMD_FLAGS.filter((flag) => flags.includes(flag)),
  };
}

/** Parses `/proc/loadavg` into its 1, 5 and 15 minute load averages. */
export function parseLoadAvg(text: string): [number, number, number] {
  const [one, five, fifteen] = text.trim().split(/\s+/).map(Number);
  if (![one, five, fifteen].every((value) => Number.isFinite(value))) {
    throw new Error(
      `/proc/loadavg must start with three numbers; received ${JSON.stringify(text.slice(0, 60))}`,
    );
  }
  return [one as number, five as number, fifteen as number];
}

/** The machine load now: `/proc/loadavg` where it exists, else `os.loadavg()`. */
export function readLoad(): { at: string; loadavg: [number, number, number] } {
  let loadavg: [number, number, number];
  try {
    loadavg = parseLoadAvg(readFileSync('/proc/loadavg', 'utf8'));
  } catch {
    loadavg = os.loadavg() as [number, number, number];
  }
  return { at: new Date().toISOString(), loadavg };
}

/** The machine part of the fingerprint. */
export interface MachineFingerprint {
  /** The CPU. */
  cpu: CpuInfo;
  /** Cores Node sees (`os.availableParallelism()`). */
  cores: number;
  /** Total memory in bytes. */
  memoryBytes: number;
  /** `os.platform()`-`os.arch()` and the kernel release. */
  os: string;
  /** Node.js version. */
  node: string;
}

/** Reads the machine fingerprint. */
export function machineFingerprint(): MachineFingerprint {
  let cpu: CpuInfo;
  try {
    cpu = parseCpuInfo(readFileSync('/proc/cpuinfo', 'utf8'));
  } catch {
    const first = os.cpus()[0];
    cpu = { model: first?.model ?? 'unknown', logicalProcessors: os.cpus().length, flags: [], simd: [] };
  }
  return {
    cpu,
    cores: typeof os.availableParallelism === 'function' ? os.availableParallelism() : os.cpus().length,
    memoryBytes: os.totalmem(),
    os: `${os.platform()}-${os.arch()} ${os.release()}`,
    node: process.version,
  };
}

/** One NVIDIA GPU as `nvidia-smi` describes it. */
export interface GpuInfo {
  /** Product name (e.g. `NVIDIA H100 80GB HBM3`). */
  name: string;
  /** Driver version. */
  driver: string;
  /** Total memory as nvidia-smi prints it (e.g. `81559 MiB`). */
  memory: string;
  /** Compute capability (e.g. `9.0`), where nvidia-smi reports it. */
  computeCapability: string;
  /** PCI bus id. */
  pciBusId: string;
}

/** Parses `nvidia-smi --query-gpu=name,driver_version,memory.total,compute_cap,pci.bus_id --format=csv,noheader`. */
export function parseNvidiaSmi(text: string): GpuInfo[] {
  return text
    .split('\n')
    .map((line) => line.trim())
    .filter(Boolean)
    .map((line) => {
      const [name = '', driver = '', memory = '', computeCapability = '', pciBusId = ''] = line
        .split(',')
        .map((field) => field.trim());
      return { name, driver, memory, computeCapability, pciBusId };
    });
}

/** The NVIDIA GPUs of this machine (`nvidia-smi`), or why they could not be listed. */
export function gpuFingerprint(): GpuInfo[] | { error: string } {
  try {
    const text = execFileSync(
      'nvidia-smi',
      ['--query-gpu=name,driver_version,memory.total,compute_cap,pci.bus_id', '--format=csv,noheader'],
      { encoding: 'utf8', timeout: 20_000, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    return parseNvidiaSmi(text);
  } catch (error) {
    return { error: `nvidia-smi: ${(error as Error).message.split('\n')[0]}` };
  }
}
