#!/usr/bin/python3
"""Reference deep watershed: deepcell-toolbox `deep_watershed` (0.12) rebuilt from scikit-image 0.19
and scipy building blocks. The oracle for tests/postprocess (run it with /usr/bin/python3, the Debian
python that has python3-skimage) and a baseline a benchmark can time on the same maps.

Usage:
  skimage_deep_watershed.py --inner inner.npy --outer outer.npy --out labels.npy [--time N] [params]
Maps are H×W float32 .npy or .tif files; labels are written as uint32 .npy (or .tif).
With --time N the pipeline runs N times and {"median_s": ..., "runs": N, "objects": K} is printed.
"""
import argparse
import json
import statistics
import sys
import time

import numpy as np
import scipy.ndimage as nd
from skimage.feature import peak_local_max
from skimage.measure import label, regionprops
from skimage.morphology import disk, h_maxima, remove_small_holes, remove_small_objects
from skimage.segmentation import find_boundaries, relabel_sequential, watershed


def erode_edges(mask, erosion_width):
    """deepcell_toolbox.utils.erode_edges for a 2-D label image."""
    mask = np.copy(mask)
    for _ in range(erosion_width):
        boundaries = find_boundaries(mask, mode='inner')
        mask[boundaries > 0] = 0
    return mask


def fill_holes(label_img, size=10, connectivity=1):
    """deepcell_toolbox.utils.fill_holes."""
    output_image = np.copy(label_img)
    props = regionprops(np.squeeze(label_img.astype('int')), cache=False)
    for prop in props:
        if prop.euler_number < 1:
            patch = output_image[prop.slice]
            filled = remove_small_holes(ar=(patch == prop.label), area_threshold=size,
                                        connectivity=connectivity)
            output_image[prop.slice] = np.where(filled, prop.label, patch)
    return output_image


def deep_watershed(inner, outer, radius=10, maxima_threshold=0.1, interior_threshold=0.01,
                   maxima_smooth=0, interior_smooth=1, small_objects_threshold=0,
                   fill_holes_threshold=0, label_erosion=0, maxima_algorithm='h_maxima'):
    """One image of deepcell_toolbox.deep_watershed.deep_watershed (2-D, no pixel_expansion)."""
    maxima = inner
    interior = outer
    if maxima_smooth:
        maxima = nd.gaussian_filter(maxima, maxima_smooth)
    if interior_smooth:
        interior = nd.gaussian_filter(interior, interior_smooth)
    if maxima_algorithm == 'peak_local_max':
        coords = peak_local_max(maxima, min_distance=radius, threshold_abs=maxima_threshold,
                                exclude_border=False)
        markers = np.zeros_like(maxima)
        markers[tuple(coords[:, i] for i in range(coords.shape[1]))] = 1
    else:
        markers = h_maxima(image=maxima, h=maxima_threshold, footprint=disk(radius))
    markers = label(markers)
    label_image = watershed(-1 * interior, markers, mask=interior > interior_threshold,
                            watershed_line=0)
    if label_erosion:
        label_image = erode_edges(label_image, label_erosion)
    if small_objects_threshold:
        label_image = remove_small_objects(label_image, min_size=small_objects_threshold)
    if fill_holes_threshold > 0:
        label_image = fill_holes(label_image, size=fill_holes_threshold)
    label_image, _, _ = relabel_sequential(label_image)
    return label_image


def load_map(path):
    if path.endswith('.npy'):
        arr = np.load(path)
    else:
        import tifffile
        arr = tifffile.imread(path)
    arr = np.squeeze(arr)
    if arr.ndim != 2:
        sys.exit(f'{path}: expected a 2-D map, got shape {arr.shape}')
    return arr.astype(np.float32, copy=False)


def save_labels(path, labels):
    labels = labels.astype(np.uint32)
    if path.endswith('.npy'):
        np.save(path, labels)
    else:
        import tifffile
        tifffile.imwrite(path, labels)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('--inner', required=True, help='inner-distance map (.npy/.tif, H×W float32)')
    ap.add_argument('--outer', required=True, help='outer-distance map (.npy/.tif, H×W float32)')
    ap.add_argument('--out', help='output label image (.npy uint32 or .tif)')
    ap.add_argument('--time', type=int, default=0, metavar='N', help='run N times, print median seconds as JSON')
    ap.add_argument('--radius', type=int, default=10)
    ap.add_argument('--maxima-threshold', type=float, default=0.1)
    ap.add_argument('--interior-threshold', type=float, default=0.01)
    ap.add_argument('--maxima-smooth', type=float, default=0)
    ap.add_argument('--interior-smooth', type=float, default=1)
    ap.add_argument('--small-objects-threshold', type=int, default=0)
    ap.add_argument('--fill-holes-threshold', type=int, default=0)
    ap.add_argument('--label-erosion', type=int, default=0)
    ap.add_argument('--maxima-algorithm', default='h_maxima', choices=['h_maxima', 'peak_local_max'])
    a = ap.parse_args()
    inner, outer = load_map(a.inner), load_map(a.outer)
    if inner.shape != outer.shape:
        sys.exit(f'inner {inner.shape} and outer {outer.shape} differ in shape')
    kw = dict(radius=a.radius, maxima_threshold=a.maxima_threshold,
              interior_threshold=a.interior_threshold, maxima_smooth=a.maxima_smooth,
              interior_smooth=a.interior_smooth, small_objects_threshold=a.small_objects_threshold,
              fill_holes_threshold=a.fill_holes_threshold, label_erosion=a.label_erosion,
              maxima_algorithm=a.maxima_algorithm)
    labels = deep_watershed(inner, outer, **kw)
    if a.out:
        save_labels(a.out, labels)
    if a.time > 0:
        times = []
        for _ in range(a.time):
            t0 = time.perf_counter()
            deep_watershed(inner, outer, **kw)
            times.append(time.perf_counter() - t0)
        print(json.dumps({'median_s': statistics.median(times), 'runs': a.time,
                          'objects': int(labels.max())}))


if __name__ == '__main__':
    main()
