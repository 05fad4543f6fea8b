#!/usr/bin/python3
"""scikit-image regionprops oracle for tests/postprocess/test_region_props_oracle.cpp.

  skimage_regionprops.py LABELS.npy INTENSITY.npy OUT.csv
Writes one row per label: label, area, centroid (row, col), perimeter (neighbourhood 4), eccentricity,
solidity, equivalent_diameter, mean_intensity, max_intensity, with repr() precision.
"""
import sys

import numpy as np
from skimage.measure import regionprops


def main():
    labels = np.load(sys.argv[1]).astype(np.int64)
    inten = np.load(sys.argv[2]).astype(np.float32)
    with open(sys.argv[3], 'w') as f:
        f.write('label,area,cy,cx,perimeter,eccentricity,solidity,equivalent_diameter,mean_intensity,max_intensity\n')
        for r in regionprops(labels, intensity_image=inten):
            vals = [r.label, r.area, r.centroid[0], r.centroid[1], r.perimeter, r.eccentricity, r.solidity,
                    r.equivalent_diameter, r.mean_intensity, r.max_intensity]
            f.write(','.join(repr(float(v)) if not isinstance(v, (int, np.integer)) else str(int(v)) for v in vals) + '\n')


if __name__ == '__main__':
    main()
