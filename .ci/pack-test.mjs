#!/usr/bin/env node
// The packages as users get them: packs every public workspace package with `npm pack`, checks what
// each tarball holds, installs the tarballs into a fresh project outside the workspace (nothing else
// from the workspace; everything else from the npm registry) and uses them there:
//   - Node ESM: a family alone (@tfzoo/lenet + @tfzoo/core) and @tfzoo/models build LeNet-5, load the
//     shipped Fashion-MNIST weights and classify the Fashion-MNIST sample shipped in @tfzoo/datasets;
//   - `sideEffects`: importing a package after its dependencies changes a global registry exactly
//     when the package says it has side effects;
//   - a strict TypeScript consumer type-checks against the published types with
//     `moduleResolution: nodenext` and `bundler`;
//   - the `tfzoo` binary of the installed @tfzoo/cli lists the models and evaluates one;
//   - typedoc.json documents every public package under packages/ and no private one.
// Needs a build (`npm run build`) and the npm registry (npm's cache makes repeated runs quick).
//
//   node .ci/pack-test.mjs [--keep]     (--keep leaves the scratch project for inspection)
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, posix, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const keep = process.argv.includes('--keep');
const started = Date.now();
const failures = [];

function fail(message) {
  failures.push(message);
  console.error(`  FAIL ${message}`);
}

function section(title) {
  console.log(`\n-- ${title} (${((Date.now() - started) / 1000).toFixed(1)} s)`);
}

/** Runs a command; throws with its output when it fails. */
function sh(command, args, options = {}) {
  const result = spawnSync(command, args, { encoding: 'utf8', maxBuffer: 256 << 20, ...options });
  if (result.error) throw result.error;
  if (result.status !== 0) {
    throw new Error(
      `${command} ${args.join(' ')} exited with ${result.status}\n${result.stdout}\n${result.stderr}`,
    );
  }
  return result.stdout;
}

const readJson = (path) => JSON.parse(readFileSync(path, 'utf8'));

// ---- 1. the public packages, discovered from the workspaces -------------------------------------
const rootManifest = readJson(join(root, 'package.json'));
const workspaceDirs = JSON.parse(sh('npm', ['query', '.workspace', '--json'], { cwd: root })).map((w) =>
  join(root, w.location),
);
const packages = workspaceDirs
  .map((dir) => ({ dir, manifest: readJson(join(dir, 'package.json')) }))
  .filter(({ manifest }) => manifest.private !== true)
  .sort((a, b) => a.manifest.name.localeCompare(b.manifest.name));
const publicNames = new Set(packages.map((p) => p.manifest.name));
console.log(`${packages.length} public packages: ${[...publicNames].join(', ')}`);

// typedoc documents `packages/*` minus its `exclude` list: every public package, no private one.
const typedoc = readJson(join(root, 'typedoc.json'));
const excluded = new Set(typedoc.exclude ?? []);
for (const dir of workspaceDirs) {
  const relative = dir.slice(root.length + 1);
  if (!relative.startsWith('packages/')) continue;
  const isPublic = packages.some((p) => p.dir === dir);
  if (isPublic && excluded.has(relative)) fail(`typedoc.json excludes the public package ${relative}`);
  if (!isPublic && !excluded.has(relative))
    fail(`typedoc.json documents the private package ${relative}: add it to "exclude"`);
}

const scratch = mkdtempSync(join(tmpdir(), 'tfzoo-pack-'));
const tarballDir = join(scratch, 'tarballs');
const project = join(scratch, 'consumer');
mkdirSync(tarballDir);
mkdirSync(project);

try {
  // ---- 2. npm pack ------------------------------------------------------------------------------
  section('npm pack');
  const packed = JSON.parse(
    sh(
      'npm',
      [
        'pack',
        '--json',
        '--pack-destination',
        tarballDir,
        ...packages.flatMap((p) => ['--workspace', p.manifest.name]),
      ],
      { cwd: root },
    ),
  );
  const byName = new Map(packed.map((entry) => [entry.name, entry]));
  const kib = (bytes) => `${(bytes / 1024).toFixed(1)} KiB`;
  console.log('package                      tarball     unpacked   files');
  let total = 0;
  for (const { manifest } of packages) {
    const entry = byName.get(manifest.name);
    if (!entry) {
      fail(`npm pack produced no tarball for ${manifest.name}`);
      continue;
    }
    total += entry.size;
    console.log(
      `${manifest.name.padEnd(28)} ${kib(entry.size).padStart(11)} ${kib(entry.unpackedSize).padStart(11)} ${String(entry.entryCount).padStart(6)}`,
    );
  }
  console.log(`${'all'.padEnd(28)} ${kib(total).padStart(11)}`);

  // ---- 3. what each tarball holds ---------------------------------------------------------------
  section('tarball contents');
  const bareImportsOf = new Map();
  for (const { dir, manifest } of packages) {
    const entry = byName.get(manifest.name);
    if (entry)
      bareImportsOf.set(manifest.name, checkContents(dir, manifest, new Set(entry.files.map((f) => f.path))));
  }
  console.log(failures.length === 0 ? 'every tarball holds what it needs and nothing else' : '');

  // ---- 4. a fresh project with the tarballs and registry packages only --------------------------
  section('install into a fresh project');
  const tarballOf = (name) => `file:${join(tarballDir, byName.get(name).filename)}`;
  const dev = rootManifest.devDependencies;
  const consumerManifest = {
    name: 'tfzoo-consumer',
    private: true,
    type: 'module',
    dependencies: {
      ...Object.fromEntries([...publicNames].map((name) => [name, tarballOf(name)])),
      '@tensorflow/tfjs-core': dev['@tensorflow/tfjs-core'],
      '@tensorflow/tfjs-layers': dev['@tensorflow/tfjs-layers'],
      '@tensorflow/tfjs-backend-cpu': dev['@tensorflow/tfjs-backend-cpu'],
      typescript: dev.typescript,
      '@types/node': dev['@types/node'],
    },
    // One copy of each tfzoo package, the packed one, wherever a tarball depends on it.
    overrides: Object.fromEntries([...publicNames].map((name) => [name, `$${name}`])),
  };
  writeFileSync(join(project, 'package.json'), `${JSON.stringify(consumerManifest, null, 2)}\n`);
  sh('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', '--loglevel=error'], {
    cwd: project,
  });
  const lock = readJson(join(project, 'package-lock.json'));
  for (const [path, entry] of Object.entries(lock.packages)) {
    if (!path.includes('node_modules/@tfzoo/')) continue;
    const name = path.slice(path.lastIndexOf('node_modules/') + 'node_modules/'.length);
    if (!publicNames.has(name)) fail(`${path} is installed but is not a public workspace package`);
    else if (!String(entry.resolved ?? '').startsWith('file:') || path !== `node_modules/${name}`) {
      fail(`${path} does not come from its tarball (resolved: ${entry.resolved})`);
    }
  }
  const installed = Object.keys(lock.packages).filter((p) => p.startsWith('node_modules/')).length;
  console.log(`installed ${installed} packages in ${project}`);

  // ---- 5. Node ESM: a family alone, then @tfzoo/models --------------------------------------------
  section('Node ESM: build, load the shipped weights, predict');
  writeFileSync(join(project, 'predict.mjs'), predictScript());
  const env = { ...process.env, TFZOO_HOME: join(scratch, 'tfzoo-home'), TFZOO_OFFLINE: '1' };
  try {
    process.stdout.write(sh('node', ['predict.mjs'], { cwd: project, env }));
  } catch (error) {
    fail(`predict.mjs: ${error.message}`);
  }

  // ---- 6. sideEffects ---------------------------------------------------------------------------
  // A package has side effects when importing it registers something (a kernel, a gradient, a
  // serializable class, a backend, a model, a global) beyond what its dependencies register, or when
  // its code imports a module only for that module's side effects (`import '@tfzoo/lenet'`): a bundler
  // that believed `sideEffects: false` would drop both.
  section('sideEffects: what importing each package registers beyond its dependencies');
  writeFileSync(join(project, 'side-effects.mjs'), sideEffectsScript());
  for (const { manifest } of packages) {
    const says = manifest.sideEffects;
    if (typeof says !== 'boolean') {
      fail(`${manifest.name}: sideEffects is ${JSON.stringify(says)}; this check knows true and false`);
      continue;
    }
    const deps = Object.keys(manifest.dependencies ?? {}).filter((d) => publicNames.has(d));
    try {
      const changed = JSON.parse(
        sh('node', ['side-effects.mjs', manifest.name, ...deps], { cwd: project, env }),
      );
      const bare = [...(bareImportsOf.get(manifest.name) ?? [])];
      const has = changed.length > 0 || bare.length > 0;
      const what = [
        changed.length > 0
          ? `registers ${changed.slice(0, 3).join(', ')}${changed.length > 3 ? `, … (${changed.length})` : ''}`
          : '',
        bare.length > 0
          ? `imports for effect ${bare.slice(0, 3).join(', ')}${bare.length > 3 ? `, … (${bare.length})` : ''}`
          : '',
      ].filter(Boolean);
      console.log(
        `${manifest.name.padEnd(28)} sideEffects: ${String(says).padEnd(5)} ${has === says ? 'true to it' : 'UNTRUE'}: ${what.join('; ') || 'registers nothing'}`,
      );
      if (has !== says)
        fail(
          `${manifest.name} says sideEffects: ${says}, but importing it ${what.join('; ') || 'registers nothing'}`,
        );
    } catch (error) {
      fail(`${manifest.name}: importing it failed: ${error.message}`);
    }
  }

  // ---- 7. strict TypeScript consumers -----------------------------------------------------------
  section('TypeScript: a strict consumer of the published types');
  writeFileSync(join(project, 'consumer.ts'), consumerSource([...publicNames]));
  const resolutions = {
    nodenext: { module: 'nodenext', moduleResolution: 'nodenext' },
    bundler: { module: 'esnext', moduleResolution: 'bundler' },
  };
  for (const [label, options] of Object.entries(resolutions)) {
    const tsconfig = {
      compilerOptions: {
        ...options,
        target: 'es2022',
        lib: ['es2022', 'dom'],
        types: ['node'],
        strict: true,
        noEmit: true,
        skipLibCheck: false,
        exactOptionalPropertyTypes: true,
        noUncheckedIndexedAccess: true,
        verbatimModuleSyntax: true,
      },
      files: ['consumer.ts'],
    };
    writeFileSync(join(project, `tsconfig.${label}.json`), JSON.stringify(tsconfig, null, 2));
    // TF.js's own declarations do not pass skipLibCheck: false (missing `Long` and `EmscriptenModule`
    // types, a strictness mismatch in tfjs-layers); ours and the consumer must.
    const result = spawnSync(join(project, 'node_modules/.bin/tsc'), ['-p', `tsconfig.${label}.json`], {
      cwd: project,
      encoding: 'utf8',
    });
    const errors = result.stdout.split('\n').filter((line) => /^\S.*\(\d+,\d+\): error TS/.test(line));
    const theirs = errors.filter((line) => line.startsWith('node_modules/@tensorflow/'));
    const ours = errors.filter((line) => !line.startsWith('node_modules/@tensorflow/'));
    if (ours.length > 0 || (result.status !== 0 && errors.length === 0)) {
      fail(`moduleResolution ${label}: tsc reports\n${ours.join('\n') || result.stdout + result.stderr}`);
    } else {
      console.log(
        `moduleResolution ${label}: no errors in consumer.ts or @tfzoo's types (${theirs.length} in TF.js's own .d.ts files)`,
      );
    }
  }

  // ---- 8. the tfzoo binary ----------------------------------------------------------------------
  section('the tfzoo binary of the installed @tfzoo/cli');
  const bin = join(project, 'node_modules/.bin/tfzoo');
  try {
    const list = sh(bin, ['list'], { cwd: project, env });
    const ids = ['lenet5', 'resnet50', 'mobilenet_v3_large', 'shufflenet_v2_x1_0', 'legacy_xception'];
    const missing = ids.filter((id) => !new RegExp(`^${id}\\b`, 'm').test(list));
    if (missing.length > 0) fail(`tfzoo list does not list ${missing.join(', ')}`);
    console.log(`tfzoo list: ${list.trim().split('\n').length} lines`);
    const evaluation = sh(bin, ['eval', 'lenet5.fmnist', '--data', 'fashion-mnist-sample'], {
      cwd: project,
      env,
    });
    process.stdout.write(`tfzoo eval lenet5.fmnist --data fashion-mnist-sample:\n${evaluation}`);
    const top1 = /accuracy\s+([\d.]+)%/.exec(evaluation);
    if (!top1) fail('tfzoo eval printed no accuracy');
    else if (Number(top1[1]) < 85) fail(`tfzoo eval: accuracy ${top1[1]}% (expected ≥ 85%)`);
  } catch (error) {
    fail(`tfzoo: ${error.message}`);
  }
} finally {
  if (keep) console.log(`\nkept ${scratch}`);
  else rmSync(scratch, { recursive: true, force: true });
}

section(failures.length === 0 ? 'all checks passed' : `${failures.length} failure(s)`);
for (const failure of failures) console.error(`- ${failure}`);
process.exitCode = failures.length === 0 ? 0 : 1;

// -------------------------------------------------------------------------------------------------

/** The package's own files: what must be in the tarball and what must not. */
function checkContents(dir, manifest, files) {
  const name = manifest.name;
  for (const file of files) {
    const forbidden =
      /(^|\/)(test|tests|__tests__|fixtures)\//.test(file) ||
      /\.(test|spec)\.[cm]?[jt]s$/.test(file) ||
      (/\.[cm]?ts$/.test(file) && !/\.d\.[cm]?ts$/.test(file)) ||
      /\.map$/.test(file) ||
      /tsbuildinfo$/.test(file) ||
      /(^|\/)tsconfig[^/]*\.json$/.test(file) ||
      /^src\//.test(file) ||
      /^scripts\//.test(file);
    if (forbidden) fail(`${name}: the tarball holds ${file}, which users do not need`);
  }
  const need = (file, why) => {
    const path = posix.normalize(file).replace(/^\.\//, '');
    if (!files.has(path)) fail(`${name}: ${why} points at ${file}, which is not in the tarball`);
  };
  for (const file of ['package.json', 'README.md']) need(file, 'npm');
  if (manifest.main) need(manifest.main, '"main"');
  if (manifest.types) need(manifest.types, '"types"');
  for (const target of Object.values(manifest.bin ?? {})) need(target, '"bin"');
  const walk = (value, where) => {
    if (typeof value === 'string') {
      if (value.includes('*')) {
        // A subpath pattern ("./data/*"): at least one shipped file must match it.
        const [head, tail] = posix.normalize(value).replace(/^\.\//, '').split('*');
        if (![...files].some((file) => file.startsWith(head) && file.endsWith(tail ?? ''))) {
          fail(`${name}: ${where} (${value}) matches no file in the tarball`);
        }
      } else need(value, where);
    } else if (value && typeof value === 'object') {
      const keys = Object.keys(value);
      if (keys.includes('types') && keys[0] !== 'types') fail(`${name}: ${where}: "types" must come first`);
      for (const [key, inner] of Object.entries(value)) walk(inner, `${where}.${key}`);
    }
  };
  walk(manifest.exports, '"exports"');
  // Package-internal imports ("#weights-platform"): the same rules as exports.
  if (manifest.imports) walk(manifest.imports, '"imports"');
  if (!manifest.exports) fail(`${name}: no "exports" map`);

  // Every module the shipped JavaScript imports is in the tarball, a declared dependency, or a
  // Node built-in; every file it reads next to itself (`new URL('…', import.meta.url)`) is shipped.
  // TypeScript's parser reads the imports, so comments and strings that mention one do not count.
  const declared = new Set([
    ...Object.keys(manifest.dependencies ?? {}),
    ...Object.keys(manifest.peerDependencies ?? {}),
    ...Object.keys(manifest.optionalDependencies ?? {}),
  ]);
  const builtins = new Set(builtinModules);
  const bareImports = new Set();
  for (const file of files) {
    if (!/\.[cm]?js$/.test(file)) continue;
    const source = ts.createSourceFile(
      file,
      readFileSync(join(dir, file), 'utf8'),
      ts.ScriptTarget.Latest,
      true,
    );
    const visit = (node) => {
      let specifier;
      if ((ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) && node.moduleSpecifier) {
        specifier = node.moduleSpecifier.text;
        if (ts.isImportDeclaration(node) && !node.importClause) bareImports.add(specifier);
      } else if (
        ts.isCallExpression(node) &&
        node.expression.kind === ts.SyntaxKind.ImportKeyword &&
        node.arguments[0] &&
        ts.isStringLiteralLike(node.arguments[0])
      ) {
        specifier = node.arguments[0].text;
      } else if (
        ts.isNewExpression(node) &&
        node.expression.getText() === 'URL' &&
        node.arguments?.length === 2 &&
        node.arguments[1].getText() === 'import.meta.url'
      ) {
        const first = node.arguments[0];
        const relative = ts.isStringLiteralLike(first)
          ? first.text
          : ts.isTemplateExpression(first)
            ? first.head.text.slice(0, first.head.text.lastIndexOf('/') + 1)
            : undefined;
        if (relative?.startsWith('.')) {
          const target = posix.normalize(posix.join(posix.dirname(file), relative));
          if (relative.endsWith('/')) {
            if (![...files].some((f) => f.startsWith(target))) {
              fail(`${name}: ${file} reads files under ${target}, which the tarball does not hold`);
            }
          } else need(target, `new URL() in ${file}`);
        }
      }
      if (specifier !== undefined) {
        if (specifier.startsWith('.')) {
          need(posix.join(posix.dirname(file), specifier), `an import in ${file}`);
        } else if (specifier.startsWith('#')) {
          if (!manifest.imports?.[specifier])
            fail(`${name}: ${file} imports ${specifier}, which "imports" does not map`);
        } else if (!specifier.startsWith('node:') && !builtins.has(specifier)) {
          const pkg = specifier.startsWith('@')
            ? specifier.split('/').slice(0, 2).join('/')
            : specifier.split('/')[0];
          if (pkg !== name && !declared.has(pkg)) {
            fail(`${name}: ${file} imports ${specifier}, which is not among its dependencies`);
          }
        }
      }
      ts.forEachChild(node, visit);
    };
    visit(source);
  }
  return bareImports;
}

/** A strict consumer that touches every public package and some typed API. */
function consumerSource(names) {
  const alias = (name) => name.replace('@tfzoo/', '').replace(/\W(\w)/g, (_, c) => c.toUpperCase());
  const star = names.map((name) => `import * as ${alias(name)} from '${name}';`).join('\n');
  return `${star}
import * as tf from '@tensorflow/tfjs-core';
import { createModel, type CreateModelOptions } from '@tfzoo/models';
import { lenet5, LENET5_FMNIST } from '@tfzoo/lenet';
import { ZooError, type PretrainedConfig } from '@tfzoo/core';
import { run } from '@tfzoo/cli';

/** Every public package, so that each one's types are loaded and checked. */
export const modules = [${names.map(alias).join(', ')}] as const;

export async function classify(images: tf.Tensor4D): Promise<number[]> {
  const options: CreateModelOptions = { pretrained: true };
  const model = await createModel('lenet5.fmnist', options);
  const logits = model.predict(images) as tf.Tensor2D;
  const predicted = tf.argMax(logits, -1);
  const classes = await predicted.data();
  tf.dispose([logits, predicted]);
  return Array.from(classes);
}

export const family = lenet5({ inputShape: [28, 28, 1], numClasses: 10 });
export const config: PretrainedConfig = LENET5_FMNIST;
export const id: string = config.id;
export const isZooError = (error: unknown): error is ZooError => error instanceof ZooError;
export const exitCode: Promise<number> = run(['list']);

// The types are real, not \`any\`: wrongly typed options and arguments do not compile.
// @ts-expect-error pretrained is a boolean or a tag
export const wrongOption: CreateModelOptions = { pretrained: 42 };
// @ts-expect-error a model id is a string
export const wrongArgument = createModel(42);
`;
}

function predictScript() {
  return `
// A family alone, then @tfzoo/models, as a user's Node ESM program.
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { FASHION_MNIST_PREPROCESSING, loadWeights } from '@tfzoo/core';
import { fileURLToPath } from 'node:url';
import { lenet5, LENET5_FMNIST, LENET5_FMNIST_URL } from '@tfzoo/lenet';
const LENET5_FMNIST_PATH = fileURLToPath(LENET5_FMNIST_URL);
import { loadFashionMnistSample } from '@tfzoo/datasets';

await tf.setBackend('cpu');
const sample = await loadFashionMnistSample();
const [height, width, channels] = sample.shape;
const count = sample.length;
// Normalised by hand from the published mean and std (not through the library's transforms).
const { mean, std } = FASHION_MNIST_PREPROCESSING;
const pixels = Float32Array.from(sample.images, (v) => (v / 255 - mean[0]) / std[0]);
const images = tf.tensor4d(pixels, [count, height, width, channels]);

async function accuracy(model) {
  const before = tf.memory().numTensors;
  const predicted = tf.tidy(() => tf.argMax(model.predict(images, { batchSize: 250 }), -1));
  const classes = await predicted.data();
  predicted.dispose();
  if (tf.memory().numTensors !== before) throw new Error('predict leaked tensors');
  let right = 0;
  for (let i = 0; i < count; i++) if (classes[i] === sample.labels[i]) right++;
  return { top1: right / count, classes };
}

// 1. The family package alone: build LeNet-5 as the pretrained config says, load the shipped file.
const family = lenet5(LENET5_FMNIST.buildOptions);
await loadWeights(family, LENET5_FMNIST_PATH, { mapping: LENET5_FMNIST.mapping });
const alone = await accuracy(family);
console.log('@tfzoo/lenet alone: lenet5 + ' + LENET5_FMNIST_PATH.split('node_modules/')[1] + ': top-1 ' + (alone.top1 * 100).toFixed(1) + '% on ' + count + ' Fashion-MNIST test images (published on 10,000: ' + LENET5_FMNIST.measuredAccuracy.top1 + '%)');

// 2. @tfzoo/models: the registry builds it by id and finds the shipped weights itself.
const { createModel, listModels } = await import('@tfzoo/models');
const model = await createModel('lenet5.fmnist', { pretrained: true });
const viaRegistry = await accuracy(model);
console.log('@tfzoo/models: createModel("lenet5.fmnist", { pretrained: true }): top-1 ' + (viaRegistry.top1 * 100).toFixed(1) + '%; ' + listModels().length + ' models registered');

if (alone.top1 < 0.85) throw new Error('LeNet-5 top-1 ' + alone.top1 + ' is far below the published figure');
for (let i = 0; i < count; i++) {
  if (alone.classes[i] !== viaRegistry.classes[i]) throw new Error('the two routes disagree on image ' + i);
}
images.dispose();
`;
}

function sideEffectsScript() {
  return `
// node side-effects.mjs <package> <its tfzoo dependencies…>: imports the dependencies, takes a
// snapshot of every global registry, imports the package and prints what changed (JSON).
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-layers';
import '@tensorflow/tfjs-backend-cpu';
const [name, ...deps] = process.argv.slice(2);
for (const dep of ['@tfzoo/core', ...deps]) await import(dep);
const { listModels } = await import('@tfzoo/core');

function snapshot() {
  const globals = globalThis._tfGlobals ?? new Map();
  const keys = (map) => (map instanceof Map ? [...map.keys()] : Object.keys(map ?? {}));
  return new Set([
    ...keys(globals.get('kernelRegistry')).map((k) => 'kernel ' + k),
    ...keys(globals.get('gradRegistry')).map((k) => 'gradient ' + k),
    ...Object.keys(tf.serialization.SerializationMap.getMap().classNameMap).map((k) => 'class ' + k),
    ...Object.keys(tf.engine().registryFactory).map((k) => 'backend ' + k),
    ...listModels().map((m) => 'model ' + (typeof m === 'string' ? m : m.name ?? m.id ?? JSON.stringify(m))),
    ...Object.getOwnPropertyNames(globalThis).map((k) => 'global ' + k),
  ]);
}

const before = snapshot();
await import(name);
const after = snapshot();
console.log(JSON.stringify([...after].filter((k) => !before.has(k))));
`;
}
