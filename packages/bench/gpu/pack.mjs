#!/usr/bin/env node
/**
 * Packs what the GPU benchmark needs into one folder that can travel to a machine with an NVIDIA
 * GPU, CUDA, PyTorch and timm but no Node and no package registry (within 64 MiB):
 *
 *   node.xz        this machine's Node binary (x86-64), xz-compressed
 *   app.tar.xz     the built tfzoo packages the bench needs and a minimal node_modules: the
 *                  tfjs node bundles (core, layers, cpu, webgpu) and Dawn's linux-x64 dawn.node only
 *   debs/          Debian's Vulkan loader (libvulkan1) and the libraries NVIDIA's Vulkan driver
 *                  links (libglvnd0, libx11-6, libxext6, libxcb1, …), unpacked there when missing
 *   run.sh         unpacks, finds the Vulkan driver, checks the WebGPU logits against the cpu
 *                  backend and times WebGPU against PyTorch on CUDA (see run.sh)
 *
 * Usage (after `npm run build`): node packages/bench/gpu/pack.mjs [folder] (default: .gpu-pack at
 * the repository root, which git ignores).
 */
import { execFileSync } from 'node:child_process';
import {
  chmodSync,
  cpSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, '../../..');
const out = resolve(process.argv[2] ?? join(root, '.gpu-pack'));
const LIMIT = 64 * 2 ** 20;

/** Debian packages unpacked on the GPU machine when its own libraries are missing. */
export const DEBS = [
  'libvulkan1',
  'libglvnd0',
  'libx11-6',
  'libxext6',
  'libxcb1',
  'libxau6',
  'libxdmcp6',
  'libbsd0',
  'libmd0',
];

/** tfzoo packages left out: the bench imports wasm-training only when it is there (not on the GPU run). */
const SKIP = new Set(['@tfzoo/wasm-training']);

/** npm packages taken as their Node bundle only: name → files (besides package.json). */
const BUNDLES = {
  '@tensorflow/tfjs-core': ['dist/tf-core.node.js'],
  '@tensorflow/tfjs-layers': ['dist/tf-layers.node.js'],
  '@tensorflow/tfjs-backend-cpu': ['dist/tf-backend-cpu.node.js'],
  '@tensorflow/tfjs-backend-webgpu': ['dist/tf-backend-webgpu.node.js'],
  seedrandom: ['index.js', 'seedrandom.js', 'lib'],
  webgpu: ['index.js', 'dist/linux-x64/dawn.node'],
};

function log(text) {
  process.stderr.write(`[gpu-pack] ${text}\n`);
}

function mib(bytes) {
  return `${(bytes / 2 ** 20).toFixed(1)} MiB`;
}

function sizeOf(path) {
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.size;
  return readdirSync(path).reduce((sum, name) => sum + sizeOf(join(path, name)), 0);
}

/** The workspace packages the bench needs at run time: its dependencies, transitively. */
function workspaceClosure() {
  const byName = new Map();
  for (const dir of readdirSync(join(root, 'packages'))) {
    const file = join(root, 'packages', dir, 'package.json');
    if (existsSync(file))
      byName.set(JSON.parse(readFileSync(file, 'utf8')).name, join(root, 'packages', dir));
  }
  const seen = new Set();
  const visit = (name) => {
    if (seen.has(name) || SKIP.has(name) || !byName.has(name)) return;
    seen.add(name);
    const json = JSON.parse(readFileSync(join(byName.get(name), 'package.json'), 'utf8'));
    for (const dep of Object.keys(json.dependencies ?? {})) visit(dep);
  };
  visit('@tfzoo/bench');
  return [...seen].map((name) => ({ name, dir: byName.get(name) }));
}

/** Copies a built workspace package: package.json, dist/**.js (no tests, maps or declarations), shipped data. */
function copyWorkspacePackage(dir, target) {
  if (!existsSync(join(dir, 'dist')))
    throw new Error(`${relative(root, dir)}/dist is missing: run npm run build first`);
  mkdirSync(target, { recursive: true });
  cpSync(join(dir, 'package.json'), join(target, 'package.json'));
  cpSync(join(dir, 'dist'), join(target, 'dist'), {
    recursive: true,
    filter: (source) =>
      statSync(source).isDirectory() ||
      (source.endsWith('.js') && !/\.test\.js$/.test(source) && !source.includes('/test/')),
  });
  for (const data of ['weights', 'data']) {
    if (existsSync(join(dir, data))) cpSync(join(dir, data), join(target, data), { recursive: true });
  }
}

function run(command, args, options = {}) {
  return execFileSync(command, args, { stdio: ['ignore', 'pipe', 'inherit'], ...options });
}

rmSync(out, { recursive: true, force: true });
mkdirSync(out, { recursive: true });
const stage = join(out, '.stage');
const app = join(stage, 'app');

// 1. The built workspace packages, linked from node_modules/@tfzoo as npm workspaces do.
const packages = workspaceClosure();
for (const { name, dir } of packages) {
  const target = join(app, 'packages', relative(join(root, 'packages'), dir));
  copyWorkspacePackage(dir, target);
  const link = join(app, 'node_modules', name);
  mkdirSync(dirname(link), { recursive: true });
  symlinkSync(relative(dirname(link), target), link);
}
log(`${packages.length} tfzoo packages: ${packages.map((p) => p.name.replace('@tfzoo/', '')).join(', ')}`);

// 2. The npm packages, Node bundles only.
for (const [name, files] of Object.entries(BUNDLES)) {
  const source = join(root, 'node_modules', name);
  if (!existsSync(source)) throw new Error(`${name} is not installed: run npm ci`);
  const target = join(app, 'node_modules', name);
  mkdirSync(target, { recursive: true });
  cpSync(join(source, 'package.json'), join(target, 'package.json'));
  for (const file of files) {
    if (!existsSync(join(source, file))) continue;
    mkdirSync(dirname(join(target, file)), { recursive: true });
    cpSync(join(source, file), join(target, file), { recursive: true });
  }
}
writeFileSync(
  join(app, 'package.json'),
  `${JSON.stringify({ name: 'tfzoo-gpu-bench', private: true, type: 'module' }, null, 1)}\n`,
);
mkdirSync(join(app, 'docs', 'benchmarks'), { recursive: true });
log(`app: ${mib(sizeOf(app))} before compression`);
run('tar', ['-C', stage, '-cJf', join(out, 'app.tar.xz'), 'app'], {
  env: { ...process.env, XZ_OPT: '-9 -T2' },
});

// 3. Node itself.
log(`compressing ${process.execPath} (${process.version}, ${mib(statSync(process.execPath).size)})`);
writeFileSync(join(out, 'node.xz'), run('xz', ['-9', '-T2', '-c', process.execPath], { maxBuffer: 2 ** 30 }));

// 4. The Vulkan loader and friends, as Debian packages.
mkdirSync(join(out, 'debs'));
run('apt-get', ['download', ...DEBS], { cwd: join(out, 'debs'), stdio: ['ignore', 'ignore', 'ignore'] });

// 5. The run script and a manifest.
cpSync(join(here, 'run.sh'), join(out, 'run.sh'));
chmodSync(join(out, 'run.sh'), 0o755);
rmSync(stage, { recursive: true, force: true });
const commit = (() => {
  try {
    return run('git', ['-C', root, 'rev-parse', 'HEAD']).toString().trim();
  } catch {
    return 'unknown';
  }
})();
const files = readdirSync(out).flatMap((name) =>
  statSync(join(out, name)).isDirectory()
    ? readdirSync(join(out, name)).map((inner) => join(name, inner))
    : [name],
);
const manifest = {
  commit,
  node: process.version,
  packedAt: new Date().toISOString(),
  files: Object.fromEntries(files.map((name) => [name, statSync(join(out, name)).size])),
};
writeFileSync(join(out, 'manifest.json'), `${JSON.stringify(manifest, null, 1)}\n`);
const total = sizeOf(out);
log(`${out}: ${mib(total)} (limit ${mib(LIMIT)})`);
for (const [name, size] of Object.entries(manifest.files)) log(`  ${name.padEnd(48)} ${mib(size)}`);
if (total > LIMIT) {
  log(`too large: ${mib(total)} > ${mib(LIMIT)}`);
  process.exit(1);
}
