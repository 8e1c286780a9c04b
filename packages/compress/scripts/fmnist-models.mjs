// Shared by the diagnostic scripts: the shipped resnet18.fmnist, a seeded LeNet-5 and the first
// `perClass` Fashion-MNIST training images of each class with the normalization `tfzoo` uses.
import { fileURLToPath } from 'node:url';
import { FASHION_MNIST_PREPROCESSING, loadWeights, withSeed } from '@tfzoo/core';
import { compose, loadFashionMnist, normalize, Subset, toFloat } from '@tfzoo/datasets';
import { lenet5 } from '@tfzoo/lenet';
import { RESNET18_FMNIST, RESNET18_FMNIST_URL, resnet18 } from '@tfzoo/resnet';

export async function resnet18Fmnist() {
  const model = resnet18({ ...RESNET18_FMNIST.buildOptions, numClasses: 10 });
  await loadWeights(model, fileURLToPath(RESNET18_FMNIST_URL), { mapping: RESNET18_FMNIST.mapping });
  return model;
}

export const seededLenet5 = (seed) => withSeed(seed, () => lenet5({ inputShape: [28, 28, 1] }));

export async function fmnistTrain(perClass, root = '/usr/share/datasets/fashion-mnist') {
  const all = await loadFashionMnist({ split: 'train', root });
  const seen = new Array(10).fill(0);
  const keep = [];
  all.labels.forEach((label, i) => {
    if (seen[label] < perClass) {
      seen[label]++;
      keep.push(i);
    }
  });
  const { mean, std } = FASHION_MNIST_PREPROCESSING;
  return { dataset: new Subset(all, keep), transform: compose(toFloat(), normalize(mean, std)) };
}
