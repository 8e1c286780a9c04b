/**
 * Pretrained entries for the hosts the world already uses, built one way for every family:
 * torchvision's `.pth` files on download.pytorch.org and timm's files (safetensors on the Hugging
 * Face Hub, legacy `.pth` on timm's GitHub releases). A family states the facts of its files (name,
 * hash, parameter count, accuracy); the URL, format, hash prefix, license and labels follow from the host.
 */
import { IMAGENET_CLASSES, imagenetPreprocessing } from './imagenet.js';
import type { AccuracyReport, Preprocessing, PretrainedConfig, WeightSource } from './registry.js';

/** Where torchvision hosts its weights. */
export const TORCHVISION_WEIGHTS_URL = 'https://download.pytorch.org/models/';
/** Where timm's legacy `.pth` files are released (`v0.1-weights/…`, `v0.1-cadene/…`). */
export const TIMM_RELEASES_URL = 'https://github.com/rwightman/pytorch-image-models/releases/download/';
/** The Hugging Face Hub's root, where timm hosts `timm/<arch>.<tag>`. */
export const HUGGING_FACE_URL = 'https://huggingface.co/';

/** An accuracy figure; `dataset` defaults to `imagenet-1k-val`. */
export type HostedAccuracy = Omit<AccuracyReport, 'dataset'> & { dataset?: string };

/** The facts every hosted entry states; the rest follows from the host. */
export interface HostedPretrainedSpec {
  /** Architecture id (the registry name). */
  arch: string;
  /** Weight tag; the id is `arch.tag`. */
  tag: string;
  /** Id of the mapping that loads the file (`family/source`, see `familyMappingId`). */
  mapping: string;
  /** Build options the weights require, merged under user options. */
  buildOptions?: Readonly<Record<string, unknown>>;
  /** Classes of the stored classifier (default 1000). */
  numClasses?: number;
  /** Reference module name(s) of the classifier. */
  classifier: string | readonly string[];
  /** Class labels (default the ImageNet-1k classes). */
  labels?: readonly string[];
  /** Parameter count as the reference counts it. */
  numParams: number;
  /** Input preparation (default `imagenetPreprocessing()`). */
  preprocessing?: Preprocessing;
  /** Accuracy reported upstream. */
  accuracy?: HostedAccuracy;
  /** License (default the host's: BSD-3-Clause for torchvision, Apache-2.0 for timm). */
  license?: string;
  /** Where the weights are described (a model page or the reference code). */
  sourceUrl?: string;
  /** The paper introducing the architecture. */
  paperUrl?: string;
  /** Free-form notes. */
  notes?: string;
}

/** A torchvision file: its name on download.pytorch.org, e.g. `vgg16-397923af.pth`. */
export interface TorchvisionPretrainedSpec extends HostedPretrainedSpec {
  /** File name; the hex digits after its last `-` are the published sha256 prefix. */
  file: string;
  /** Full sha256, when known. */
  sha256?: string;
  /** Where the weights are described (torchvision's model source or docs page). */
  sourceUrl: string;
}

/** A timm file: `timm/<hubId>` on the Hub (safetensors) or a legacy `.pth` on timm's GitHub releases. */
export interface TimmPretrainedSpec extends HostedPretrainedSpec {
  /** Hub repository under `timm/` (default `arch.tag`); ignored when `release` is given. */
  hubId?: string;
  /** Hub revision (default `main`, until a commit id is recorded). */
  revision?: string;
  /** A `.pth` on timm's GitHub releases instead of the Hub, e.g. `v0.1-cadene/xception-43020ad28.pth`. */
  release?: string;
  /** Full sha256, when known. */
  sha256?: string;
}

/** The hex digits after the last `-` of a `.pth` file name (torchvision's and timm's convention). */
export function sha256PrefixOf(file: string): string | undefined {
  return /-([0-9a-f]{6,})\.pth$/.exec(file)?.[1];
}

function entry(
  spec: HostedPretrainedSpec,
  source: WeightSource,
  license: string,
  sourceUrl: string,
): PretrainedConfig {
  const config: PretrainedConfig = {
    id: `${spec.arch}.${spec.tag}`,
    arch: spec.arch,
    tag: spec.tag,
    source,
    mapping: spec.mapping,
    ...(spec.buildOptions ? { buildOptions: spec.buildOptions } : {}),
    numClasses: spec.numClasses ?? 1000,
    classifier: spec.classifier,
    labels: spec.labels ?? IMAGENET_CLASSES,
    numParams: spec.numParams,
    preprocessing: spec.preprocessing ?? imagenetPreprocessing(),
    ...(spec.accuracy
      ? {
          accuracy: {
            top1: spec.accuracy.top1,
            ...(spec.accuracy.top5 === undefined ? {} : { top5: spec.accuracy.top5 }),
            dataset: spec.accuracy.dataset ?? 'imagenet-1k-val',
            ...(spec.accuracy.source === undefined ? {} : { source: spec.accuracy.source }),
          },
        }
      : {}),
    license: spec.license ?? license,
    sourceUrl: spec.sourceUrl ?? sourceUrl,
    ...(spec.paperUrl ? { paperUrl: spec.paperUrl } : {}),
    ...(spec.notes ? { notes: spec.notes } : {}),
  };
  return Object.freeze(config);
}

/** A pretrained entry for a torchvision `.pth` on download.pytorch.org (BSD-3-Clause, ImageNet labels). */
export function torchvisionPretrained(spec: TorchvisionPretrainedSpec): PretrainedConfig {
  const prefix = sha256PrefixOf(spec.file);
  const source: WeightSource = {
    url: `${TORCHVISION_WEIGHTS_URL}${spec.file}`,
    format: 'pth',
    ...(prefix === undefined ? {} : { sha256Prefix: prefix }),
    ...(spec.sha256 === undefined ? {} : { sha256: spec.sha256 }),
  };
  return entry(spec, source, 'BSD-3-Clause', spec.sourceUrl);
}

/**
 * A pretrained entry for a timm file: `model.safetensors` of `timm/<hubId>` on the Hugging Face Hub,
 * or a legacy `.pth` on timm's GitHub releases (which send no CORS header). Apache-2.0 by default.
 */
export function timmPretrained(spec: TimmPretrainedSpec): PretrainedConfig {
  const hubId = spec.hubId ?? `${spec.arch}.${spec.tag}`;
  const modelPage = `${HUGGING_FACE_URL}timm/${hubId}`;
  if (spec.release !== undefined) {
    const prefix = sha256PrefixOf(spec.release);
    const source: WeightSource = {
      url: `${TIMM_RELEASES_URL}${spec.release}`,
      format: 'pth',
      ...(prefix === undefined ? {} : { sha256Prefix: prefix }),
      ...(spec.sha256 === undefined ? {} : { sha256: spec.sha256 }),
    };
    return entry(spec, source, 'Apache-2.0', modelPage);
  }
  const revision = spec.revision ?? 'main';
  const source: WeightSource = {
    url: `${modelPage}/resolve/${revision}/model.safetensors`,
    format: 'safetensors',
    revision,
    ...(spec.sha256 === undefined ? {} : { sha256: spec.sha256 }),
  };
  return entry(spec, source, 'Apache-2.0', modelPage);
}
