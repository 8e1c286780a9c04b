/**
 * The ImageNet class names (a data file, `imagenet-classes.json`) against torchvision's own list
 * (`torchvision.models._meta._IMAGENET_CATEGORIES`, Debian's python3-torchvision), and the
 * preprocessing defaults against torchvision's `ImageClassification` transform (resize 256, crop 224).
 */
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { IMAGENET_CLASSES, IMAGENET_MEAN, IMAGENET_STD, imagenetPreprocessing } from './imagenet.js';

describe('ImageNet-1k metadata', () => {
  it('names the 1000 classes exactly as torchvision does, frozen', () => {
    const python = spawnSync(
      '/usr/bin/python3',
      [
        '-c',
        'import json; from torchvision.models._meta import _IMAGENET_CATEGORIES as c; print(json.dumps(list(c)))',
      ],
      { encoding: 'utf8', timeout: 120_000 },
    );
    expect(python.status, python.stderr).toBe(0);
    expect(IMAGENET_CLASSES).toEqual(JSON.parse(python.stdout));
    expect(Object.isFrozen(IMAGENET_CLASSES)).toBe(true);
  });

  it('preprocesses like torchvision: resize 256, crop 224, its mean and std', () => {
    const p = imagenetPreprocessing();
    expect(p.inputSize).toEqual([224, 224, 3]);
    expect(p.resizeSize).toBe(256);
    expect([...IMAGENET_MEAN]).toEqual([0.485, 0.456, 0.406]);
    expect([...IMAGENET_STD]).toEqual([0.229, 0.224, 0.225]);
  });
});
