#!/usr/bin/python3
"""Single scikit-image 0.19 / scipy building blocks, the oracle for tests/postprocess.

  skimage_blocks.py gaussian --in F --out F --sigma S [--mode nearest|reflect]
      nearest: skimage.filters.gaussian(img, sigma, preserve_range=True) (its default mode)
      reflect: scipy.ndimage.gaussian_filter(img, sigma) (what deepcell uses)
  skimage_blocks.py h_maxima --in F --out F --h H --radius R   -> uint8 mask
  skimage_blocks.py peak_local_max --in F --out F --h T --radius R -> uint8 mask (exclude_border=False)
Files are .npy; inputs are cast to float32.
"""
import argparse

import numpy as np
import scipy.ndimage as nd
from skimage.feature import peak_local_max
from skimage.filters import gaussian
from skimage.morphology import disk, h_maxima


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('op', choices=['gaussian', 'h_maxima', 'peak_local_max'])
    ap.add_argument('--in', dest='inp', required=True)
    ap.add_argument('--out', required=True)
    ap.add_argument('--sigma', type=float, default=1.0)
    ap.add_argument('--mode', default='nearest', choices=['nearest', 'reflect'])
    ap.add_argument('--h', type=float, default=0.1)
    ap.add_argument('--radius', type=int, default=10)
    a = ap.parse_args()
    img = np.load(a.inp).astype(np.float32)
    if a.op == 'gaussian':
        if a.mode == 'nearest':
            out = gaussian(img, a.sigma, preserve_range=True).astype(np.float32)
        else:
            out = nd.gaussian_filter(img, a.sigma).astype(np.float32)
    elif a.op == 'h_maxima':
        out = h_maxima(img, a.h, footprint=disk(a.radius)).astype(np.uint8)
    else:
        coords = peak_local_max(img, min_distance=a.radius, threshold_abs=a.h, exclude_border=False)
        out = np.zeros(img.shape, np.uint8)
        out[tuple(coords.T)] = 1
    np.save(a.out, out)


if __name__ == '__main__':
    main()
