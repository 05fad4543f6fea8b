#!/usr/bin/python3
"""Builds realistic deep-watershed inputs from ground-truth label masks (oracle test data).

For each mask PNG: outer = per-cell Euclidean distance transform / the cell's maximum;
inner = 1 / (1 + d² / sqrt(area)), d = distance to the cell's centroid (the DeepCell targets);
then both get Gaussian noise (std --noise) and a Gaussian blur (sigma --blur) so that the maps look
like network predictions rather than clean targets. Writes <out-dir>/<name>_inner.npy and
<name>_outer.npy (H×W float32).

  skimage_make_maps.py --out-dir D --seed 0 mask1.png [mask2.png ...]
"""
import argparse
import os

import numpy as np
import scipy.ndimage as nd
from skimage import io


def targets(labels):
    inner = np.zeros(labels.shape, np.float64)
    outer = np.zeros(labels.shape, np.float64)
    for i, slc in enumerate(nd.find_objects(labels), start=1):
        if slc is None:
            continue
        slc = tuple(slice(max(s.start - 1, 0), s.stop + 1) for s in slc)
        cell = labels[slc] == i
        edt = nd.distance_transform_edt(np.pad(cell, 1))[1:-1, 1:-1]
        outer[slc][cell] = edt[cell] / edt.max()
        ys, xs = np.nonzero(cell)
        cy, cx = ys.mean(), xs.mean()
        d2 = (ys - cy) ** 2 + (xs - cx) ** 2
        inner[slc][ys, xs] = 1.0 / (1.0 + d2 / np.sqrt(cell.sum()))
    return inner, outer


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('masks', nargs='+')
    ap.add_argument('--out-dir', required=True)
    ap.add_argument('--seed', type=int, default=0)
    ap.add_argument('--noise', type=float, default=0.02)
    ap.add_argument('--blur', type=float, default=1.0)
    a = ap.parse_args()
    rng = np.random.default_rng(a.seed)
    for path in a.masks:
        labels = io.imread(path)
        if labels.ndim == 3:
            labels = labels[..., 0]
        inner, outer = targets(labels.astype(np.int64))
        name = os.path.splitext(os.path.basename(path))[0]
        for kind, m in (('inner', inner), ('outer', outer)):
            m = m + rng.normal(0.0, a.noise, m.shape)
            m = nd.gaussian_filter(m, a.blur)
            np.save(os.path.join(a.out_dir, f'{name}_{kind}.npy'), m.astype(np.float32))


if __name__ == '__main__':
    main()
