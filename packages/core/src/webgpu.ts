/**
 * The WebGPU backend: `navigator.gpu` in browsers, Dawn (the npm package `webgpu`) in Node.
 *
 * `@tensorflow/tfjs-backend-webgpu` 4.22 asks `navigator.gpu` for an adapter itself, with no say in
 * which one, and never destroys its device. This module picks the adapter (power preference, and in
 * Node a Dawn adapter name), creates the device with the limits tfjs-backend-webgpu asks for,
 * registers the `webgpu` backend on that device, and releases it again ({@link releaseWebGpu}): a
 * Node process that holds a Dawn GPU does not exit by itself.
 *
 * In Node, Dawn needs a Vulkan driver (Linux), Metal (macOS) or D3D12 (Windows). On a Linux machine
 * without a GPU, SwiftShader's Vulkan driver (Debian's `chromium` ships it) works:
 * `VK_ICD_FILENAMES=/usr/lib/chromium/vk_swiftshader_icd.json`.
 */
import * as tf from '@tensorflow/tfjs-core';
import { invalidArgument } from './errors.js';

/** Which GPU to ask for when a machine has several (WebGPU's `powerPreference`). */
export type GpuPowerPreference = 'high-performance' | 'low-power';

/** Options of the WebGPU backend (`initBackend('webgpu', { webgpu })`). */
export interface WebGpuOptions {
  /** Passed to `requestAdapter` (default `'high-performance'`: the discrete GPU where there is one). */
  powerPreference?: GpuPowerPreference;
  /**
   * Node only: the Dawn adapter to use, by (part of) its name, e.g. `'NVIDIA'` or `'SwiftShader'`
   * (Dawn's `adapter=` option). An unknown name fails with the list of the adapters Dawn found.
   */
  adapter?: string;
  /**
   * Node only: more options for Dawn's `create()`, e.g. `'backend=vulkan'` or
   * `'enable-dawn-features=allow_unsafe_apis'`.
   */
  dawnOptions?: readonly string[];
}

/** What the WebGPU adapter in use says about itself. */
export interface GpuAdapterReport {
  /** Where the GPU came from: the page's `navigator.gpu` or Dawn in Node (the `webgpu` package). */
  source: 'navigator.gpu' | 'dawn';
  /** `GPUAdapterInfo.vendor` (e.g. `nvidia`, `google`). */
  vendor: string;
  /** `GPUAdapterInfo.architecture` (e.g. `hopper`, `swiftshader`). */
  architecture: string;
  /** `GPUAdapterInfo.device`. */
  device: string;
  /** `GPUAdapterInfo.description` (e.g. `NVIDIA H100 80GB HBM3`, `SwiftShader driver 5.0.0`). */
  description: string;
  /** Whether the adapter is a software fallback (SwiftShader is one; Dawn may not say). */
  isFallbackAdapter?: boolean;
  /** The power preference the adapter was asked with. */
  powerPreference: GpuPowerPreference;
  /** The adapter's features. */
  features: string[];
  /** The adapter's limits (`maxBufferSize`, `maxStorageBufferBindingSize`, …). */
  limits: Record<string, number>;
}

/* Structural types of the few WebGPU objects used here (no dependency on @webgpu/types). */
interface GpuAdapterInfoLike {
  vendor?: string;
  architecture?: string;
  device?: string;
  description?: string;
  isFallbackAdapter?: boolean;
}
interface GpuDeviceLike {
  destroy(): void;
}
interface GpuAdapterLike {
  features: { has(name: string): boolean } & Iterable<string>;
  limits: Record<string, number>;
  info?: GpuAdapterInfoLike;
  isFallbackAdapter?: boolean;
  requestDevice(descriptor?: unknown): Promise<GpuDeviceLike>;
}
interface GpuLike {
  requestAdapter(options?: { powerPreference?: GpuPowerPreference }): Promise<GpuAdapterLike | null>;
}
interface DawnModule {
  create(options: string[]): GpuLike;
  globals: Record<string, unknown>;
}
interface WebGpuBackendModule {
  WebGPUBackend: new (device: GpuDeviceLike, adapterInfo?: GpuAdapterInfoLike) => tf.KernelBackend;
}

/** The limits tfjs-backend-webgpu 4.22 requires of the device (its own factory asks for these). */
const REQUIRED_LIMITS = [
  'maxComputeWorkgroupStorageSize',
  'maxComputeWorkgroupsPerDimension',
  'maxStorageBufferBindingSize',
  'maxBufferSize',
  'maxComputeWorkgroupSizeX',
  'maxComputeInvocationsPerWorkgroup',
] as const;

/** The limits reported by {@link GpuAdapterReport.limits}. */
const REPORTED_LIMITS = [
  ...REQUIRED_LIMITS,
  'maxComputeWorkgroupSizeY',
  'maxComputeWorkgroupSizeZ',
  'maxStorageBuffersPerShaderStage',
  'maxUniformBufferBindingSize',
] as const;

const OPTION_KEYS = ['powerPreference', 'adapter', 'dawnOptions'];

/** What this module set up, so that {@link releaseWebGpu} can take it down again. */
interface WebGpuState {
  device: GpuDeviceLike;
  report: GpuAdapterReport;
  /** Names this module defined on `globalThis` (Dawn's `GPUBufferUsage`, … and `navigator`). */
  definedGlobals: string[];
  /** Whether `gpu` was added to an existing `navigator` object. */
  addedNavigatorGpu: boolean;
}

let state: WebGpuState | null = null;

/** Dawn's GPU objects by configuration (see {@link installDawn}). */
const dawnInstances = new Map<string, GpuLike>();

/** Checks {@link WebGpuOptions}: unknown keys and bad values are refused with what was received. */
export function validateWebGpuOptions(options: unknown): WebGpuOptions {
  if (options === undefined) return {};
  if (options === null || typeof options !== 'object' || Array.isArray(options)) {
    throw invalidArgument(
      'webgpu options',
      options,
      'an object { powerPreference?, adapter?, dawnOptions? }',
    );
  }
  for (const key of Object.keys(options)) {
    if (!OPTION_KEYS.includes(key)) {
      throw invalidArgument('webgpu options', key, `one of ${OPTION_KEYS.join(', ')}`);
    }
  }
  const { powerPreference, adapter, dawnOptions } = options as WebGpuOptions;
  if (
    powerPreference !== undefined &&
    powerPreference !== 'high-performance' &&
    powerPreference !== 'low-power'
  ) {
    throw invalidArgument('webgpu.powerPreference', powerPreference, "'high-performance' or 'low-power'");
  }
  if (adapter !== undefined && (typeof adapter !== 'string' || adapter.length === 0)) {
    throw invalidArgument('webgpu.adapter', adapter, 'a non-empty part of a Dawn adapter name');
  }
  if (
    dawnOptions !== undefined &&
    !(Array.isArray(dawnOptions) && dawnOptions.every((o) => typeof o === 'string' && o.includes('=')))
  ) {
    throw invalidArgument('webgpu.dawnOptions', dawnOptions, "an array of 'name=value' strings");
  }
  return options as WebGpuOptions;
}

function firstLine(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).split('\n')[0] ?? '';
}

/** Whether this is Node (where Dawn may supply a GPU), not a browser or a worker. */
function isNode(): boolean {
  const proc = (globalThis as { process?: { versions?: { node?: string } } }).process;
  return typeof proc?.versions?.node === 'string';
}

/**
 * Imports a module by a name the bundlers cannot see (a browser build must not try to bundle Dawn
 * or Node built-ins; this code only runs in Node).
 */
async function importByName(specifier: string): Promise<unknown> {
  return import(/* @vite-ignore */ specifier);
}

/**
 * Why Dawn found no adapter in Node on Linux: the Vulkan loader and the Vulkan drivers (ICDs) it can
 * see. Dawn itself only prints warnings; this names what to install.
 */
async function diagnoseVulkan(): Promise<string> {
  const env = (globalThis as { process: { env: Record<string, string | undefined>; platform: string } })
    .process;
  if (env.platform !== 'linux') {
    return `Dawn found no ${env.platform === 'darwin' ? 'Metal' : 'D3D12 or Vulkan'} adapter`;
  }
  const fs = (await importByName('node:fs')) as typeof import('node:fs');
  const loaderDirs = [
    ...(env.env.LD_LIBRARY_PATH ?? '').split(':').filter(Boolean),
    '/usr/lib/x86_64-linux-gnu',
    '/usr/lib/aarch64-linux-gnu',
    '/usr/lib64',
    '/usr/lib',
    '/usr/local/lib',
  ];
  const loader = loaderDirs.find((dir) => fs.existsSync(`${dir}/libvulkan.so.1`));
  if (!loader) {
    return 'no Vulkan loader: libvulkan.so.1 is not installed (Debian/Ubuntu: apt-get install libvulkan1)';
  }
  const listed = env.env.VK_ICD_FILENAMES ?? env.env.VK_DRIVER_FILES;
  let drivers: string[];
  if (listed) {
    drivers = listed.split(':').filter(Boolean);
    const missing = drivers.filter((file) => !fs.existsSync(file));
    if (missing.length > 0) {
      return `the Vulkan driver file(s) named by VK_ICD_FILENAMES do not exist: ${missing.join(', ')}`;
    }
  } else {
    const dirs = ['/etc/vulkan/icd.d', '/usr/share/vulkan/icd.d', '/usr/local/share/vulkan/icd.d'];
    drivers = dirs.flatMap((dir) =>
      fs.existsSync(dir)
        ? fs
            .readdirSync(dir)
            .filter((name) => name.endsWith('.json'))
            .map((name) => `${dir}/${name}`)
        : [],
    );
  }
  const swiftshader = '/usr/lib/chromium/vk_swiftshader_icd.json';
  const hint = fs.existsSync(swiftshader)
    ? `without a GPU, use SwiftShader: VK_ICD_FILENAMES=${swiftshader}`
    : "without a GPU, install Debian's chromium for its SwiftShader driver and set VK_ICD_FILENAMES=/usr/lib/chromium/vk_swiftshader_icd.json";
  if (drivers.length === 0) {
    return `no Vulkan driver: the loader (${loader}/libvulkan.so.1) found no driver (ICD) file; with an NVIDIA GPU install its driver's Vulkan part; ${hint}`;
  }
  return `no Vulkan driver gave Dawn an adapter; drivers tried: ${drivers.join(', ')} (Mesa's lavapipe before 23 is too old for Dawn; ${hint})`;
}

/** Defines `name` on `globalThis` when absent; returns whether it did. */
function defineGlobal(name: string, value: unknown): boolean {
  if (name in globalThis) return false;
  Object.defineProperty(globalThis, name, { value, configurable: true, writable: true });
  return true;
}

/** Dawn's GPU in Node, installed as `navigator.gpu` with the `GPU*` constants tfjs-backend-webgpu reads. */
async function installDawn(options: WebGpuOptions): Promise<{
  gpu: GpuLike;
  definedGlobals: string[];
  addedNavigatorGpu: boolean;
}> {
  let dawn: DawnModule;
  try {
    dawn = (await importByName('webgpu')) as DawnModule;
  } catch (error) {
    throw new Error(
      `no WebGPU in this Node: the \`webgpu\` package (Dawn) is not installed or does not load (npm install webgpu): ${firstLine(error)}`,
    );
  }
  const flags = [...(options.adapter ? [`adapter=${options.adapter}`] : []), ...(options.dawnOptions ?? [])];
  // One Dawn instance per configuration for the life of the process: GPU objects collected after
  // their instance was freed crash Node, so instances are reused, never dropped. The Vulkan loader
  // reads its variables when an instance is created: they are part of the configuration.
  const env = (globalThis as { process: { env: Record<string, string | undefined> } }).process.env;
  const key = JSON.stringify([flags, env.VK_ICD_FILENAMES ?? '', env.VK_DRIVER_FILES ?? '']);
  let gpu = dawnInstances.get(key);
  if (gpu === undefined) {
    try {
      gpu = dawn.create(flags);
    } catch (error) {
      throw new Error(`Dawn's create(${JSON.stringify(flags)}) failed: ${firstLine(error)}`);
    }
    dawnInstances.set(key, gpu);
  }
  const definedGlobals = Object.entries(dawn.globals)
    .filter(([name]) => name.startsWith('GPU'))
    .filter(([name, value]) => defineGlobal(name, value))
    .map(([name]) => name);
  const holder = globalThis as { navigator?: { gpu?: unknown } };
  let addedNavigatorGpu = false;
  if (holder.navigator === undefined) {
    defineGlobal('navigator', { gpu });
    definedGlobals.push('navigator');
  } else {
    Object.defineProperty(holder.navigator, 'gpu', { value: gpu, configurable: true, writable: true });
    addedNavigatorGpu = true;
  }
  return { gpu, definedGlobals, addedNavigatorGpu };
}

function undoGlobals(definedGlobals: readonly string[], addedNavigatorGpu: boolean): void {
  if (addedNavigatorGpu) delete (globalThis as { navigator?: { gpu?: unknown } }).navigator?.gpu;
  for (const name of definedGlobals) delete (globalThis as Record<string, unknown>)[name];
}

function adapterReport(
  adapter: GpuAdapterLike,
  source: GpuAdapterReport['source'],
  powerPreference: GpuPowerPreference,
): GpuAdapterReport {
  const info = adapter.info ?? {};
  const limits: Record<string, number> = {};
  for (const name of REPORTED_LIMITS) {
    const value = adapter.limits[name];
    if (typeof value === 'number') limits[name] = value;
  }
  const fallback = info.isFallbackAdapter ?? adapter.isFallbackAdapter;
  return {
    source,
    vendor: info.vendor ?? '',
    architecture: info.architecture ?? '',
    device: info.device ?? '',
    description: info.description ?? '',
    ...(typeof fallback === 'boolean' ? { isFallbackAdapter: fallback } : {}),
    powerPreference,
    features: [...adapter.features].sort(),
    limits,
  };
}

/**
 * Whether an adapter is a software rasterizer on the CPU (SwiftShader, llvmpipe, lavapipe, WARP):
 * `isFallbackAdapter`, or, where the platform does not say, its architecture or description.
 * Such an adapter runs WebGPU correctly but slower than wasm, so `initBackend()` passes it over
 * unless WebGPU is asked for by name.
 */
export function isSoftwareAdapter(report: GpuAdapterReport): boolean {
  if (report.isFallbackAdapter === true) return true;
  const text = `${report.architecture} ${report.device} ${report.description}`;
  return /swiftshader|llvmpipe|lavapipe|microsoft basic render|\bwarp\b/i.test(text);
}

/**
 * Brings up a GPU device and registers the `webgpu` backend of TF.js on it (not yet made active).
 * Called by `initBackend('webgpu')`; a second call while one is up returns the adapter in use.
 *
 * @throws Error naming what was tried: no `navigator.gpu` and no `webgpu` package, no Vulkan
 * driver, no adapter, or a device that could not be created.
 */
export async function setUpWebGpu(options: WebGpuOptions = {}): Promise<GpuAdapterReport> {
  validateWebGpuOptions(options);
  if (state !== null && tf.findBackendFactory('webgpu') !== null) return state.report;
  const powerPreference = options.powerPreference ?? 'high-performance';
  const existing = (globalThis as { navigator?: { gpu?: GpuLike } }).navigator?.gpu;
  let gpu: GpuLike;
  let source: GpuAdapterReport['source'];
  let definedGlobals: string[] = [];
  let addedNavigatorGpu = false;
  if (existing) {
    gpu = existing;
    source = 'navigator.gpu';
  } else if (isNode()) {
    ({ gpu, definedGlobals, addedNavigatorGpu } = await installDawn(options));
    source = 'dawn';
  } else {
    throw new Error('navigator.gpu is not available: this browser has no WebGPU (or it is disabled)');
  }
  try {
    let adapter: GpuAdapterLike | null;
    try {
      adapter = await gpu.requestAdapter({ powerPreference });
    } catch (error) {
      // Dawn's `adapter=` option with an unknown name lands here, listing the adapters it found.
      throw new Error(`requestAdapter failed: ${(error as Error).message ?? String(error)}`.trim());
    }
    if (adapter === null) {
      const why = source === 'dawn' ? await diagnoseVulkan() : 'the browser offers no WebGPU adapter';
      throw new Error(`no WebGPU adapter (powerPreference ${powerPreference}): ${why}`);
    }
    // tfjs-backend-webgpu reads navigator.gpu when it is imported (to register its own factory) and
    // in WebGPUBackend's constructor: import it only now that navigator.gpu exists.
    const module = (await importByName('@tensorflow/tfjs-backend-webgpu').catch((error: unknown) => {
      throw new Error(
        `could not import @tensorflow/tfjs-backend-webgpu (npm install @tensorflow/tfjs-backend-webgpu): ${firstLine(error)}`,
      );
    })) as WebGpuBackendModule;
    const requiredFeatures = ['timestamp-query'].filter((name) => adapter.features.has(name));
    const requiredLimits: Record<string, number> = {};
    for (const name of REQUIRED_LIMITS) {
      const value = adapter.limits[name];
      if (typeof value === 'number') requiredLimits[name] = value;
    }
    const device = await adapter.requestDevice({ requiredFeatures, requiredLimits });
    const report = adapterReport(adapter, source, powerPreference);
    const info = adapter.info;
    if (tf.findBackendFactory('webgpu') !== null) tf.removeBackend('webgpu');
    tf.registerBackend('webgpu', () => new module.WebGPUBackend(device, info), 3);
    state = { device, report, definedGlobals, addedNavigatorGpu };
    return report;
  } catch (error) {
    undoGlobals(definedGlobals, addedNavigatorGpu);
    throw error;
  }
}

/** The adapter of the WebGPU device set up by `initBackend('webgpu')`, or null when none is up. */
export function webGpuAdapter(): GpuAdapterReport | null {
  return state?.report ?? null;
}

/**
 * Disposes the `webgpu` backend, destroys its device and removes what was installed for Dawn
 * (`navigator.gpu`, the `GPU*` constants), so that a Node process can exit. TF.js then falls back
 * to the next registered backend; call `initBackend` again to choose one. Does nothing when no
 * WebGPU device is up.
 */
export function releaseWebGpu(): void {
  if (state === null) return;
  const { device, definedGlobals, addedNavigatorGpu } = state;
  state = null;
  if (tf.findBackendFactory('webgpu') !== null) tf.removeBackend('webgpu');
  device.destroy();
  undoGlobals(definedGlobals, addedNavigatorGpu);
}
