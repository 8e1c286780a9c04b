"""Writes CIFAR-10 and CIFAR-100 binary archives in the original layout, with random records, plus
the expected decoded arrays (HWC uint8 images, labels) computed with numpy.

Usage: /usr/bin/python3 make_cifar.py OUT_DIR
"""
import io
import os
import sys
import tarfile

import numpy as np

out = sys.argv[1]
rng = np.random.default_rng(1234)


def add(tar, name, data):
    info = tarfile.TarInfo(name)
    info.size = len(data)
    info.mode = 0o644
    tar.addfile(info, io.BytesIO(data))


def records(count, label_columns, label_max):
    labels = np.stack([rng.integers(0, m, size=count, dtype=np.uint8) for m in label_max], axis=1)
    pixels = rng.integers(0, 256, size=(count, 3, 32, 32), dtype=np.uint8)  # CHW, as stored
    raw = np.concatenate([labels, pixels.reshape(count, -1)], axis=1).tobytes()
    return raw, labels, pixels.transpose(0, 2, 3, 1)  # expected HWC


def save(name, array):
    with open(os.path.join(out, name), "wb") as f:
        f.write(np.ascontiguousarray(array).tobytes())


# CIFAR-10: five train batches and one test batch (small), and the class names.
with tarfile.open(os.path.join(out, "cifar-10-binary.tar.gz"), "w:gz", format=tarfile.GNU_FORMAT) as tar:
    folder = tarfile.TarInfo("cifar-10-batches-bin")
    folder.type = tarfile.DIRTYPE
    folder.mode = 0o755
    tar.addfile(folder)
    train_images, train_labels = [], []
    for i in range(1, 6):
        raw, labels, hwc = records(3 + i, 1, [10])
        add(tar, f"cifar-10-batches-bin/data_batch_{i}.bin", raw)
        train_images.append(hwc)
        train_labels.append(labels[:, 0])
    raw, labels, hwc = records(5, 1, [10])
    add(tar, "cifar-10-batches-bin/test_batch.bin", raw)
    names = "airplane\nautomobile\nbird\ncat\ndeer\ndog\nfrog\nhorse\nship\ntruck\n\n"
    add(tar, "cifar-10-batches-bin/batches.meta.txt", names.encode())
    add(tar, "cifar-10-batches-bin/readme.html", b"<html></html>")
save("c10-train-images.bin", np.concatenate(train_images))
save("c10-train-labels.bin", np.concatenate(train_labels))
save("c10-test-images.bin", hwc)
save("c10-test-labels.bin", labels[:, 0])

# CIFAR-100: coarse then fine label byte; a long member name exercises the GNU long-name record.
with tarfile.open(os.path.join(out, "cifar-100-binary.tar.gz"), "w:gz", format=tarfile.GNU_FORMAT) as tar:
    raw, labels, hwc = records(9, 2, [20, 100])
    add(tar, "cifar-100-binary/train.bin", raw)
    save("c100-train-images.bin", hwc)
    save("c100-train-coarse.bin", labels[:, 0])
    save("c100-train-fine.bin", labels[:, 1])
    raw, labels, hwc = records(4, 2, [20, 100])
    add(tar, "cifar-100-binary/test.bin", raw)
    add(tar, "cifar-100-binary/fine_label_names.txt", "".join(f"fine{i}\n" for i in range(100)).encode())
    add(tar, "cifar-100-binary/coarse_label_names.txt", "".join(f"coarse{i}\n" for i in range(20)).encode())
    add(tar, "cifar-100-binary/" + "a-very-long-member-name-" * 6 + ".txt", b"long")

with tarfile.open(os.path.join(out, "cifar-100-binary.tar.gz")) as tar:
    tar.extractall(os.path.join(out, "extracted"))
