#!/usr/bin/python3
"""GeoJSON checker for tests/pipeline/output_formats_test.cpp (Debian python3-jsonschema, python3-shapely).

  check_geojson.py SCHEMA.json FILE.geojson
Validates FILE against SCHEMA (Draft 7), then checks that every ring is closed (first = last position: JSON Schema
cannot say it, and shapely closes rings silently), every feature's geometry with shapely (is_valid, with the
reason when not) and its area against the feature's measurements.area_px. Prints "ok: N features" and exits 0, or the
first problems and exits 1.
"""
import json
import sys

import jsonschema
from shapely.geometry import shape
from shapely.validation import explain_validity


def main():
    schema = json.load(open(sys.argv[1]))
    doc = json.load(open(sys.argv[2]))
    jsonschema.Draft7Validator.check_schema(schema)
    errors = sorted(jsonschema.Draft7Validator(schema).iter_errors(doc), key=lambda e: list(e.path))
    if errors:
        for e in errors[:5]:
            print('schema: %s at %s' % (e.message, '/'.join(str(p) for p in e.path)))
        sys.exit(1)
    problems = []
    for i, f in enumerate(doc['features']):
        geom = f['geometry']
        polygons = [geom['coordinates']] if geom['type'] == 'Polygon' else geom['coordinates']
        for ring in (r for p in polygons for r in p):
            if ring[0] != ring[-1]:  # shapely would close it silently
                problems.append('feature %d (label %s): ring not closed' % (i, f['properties'].get('label')))
        g = shape(geom)
        if not g.is_valid:
            problems.append('feature %d (label %s): %s' % (i, f['properties'].get('label'), explain_validity(g)))
        area = f['properties']['measurements'].get('area_px')
        if area is not None and abs(g.area - area) > 1e-9:
            problems.append('feature %d: polygon area %g != area_px %g' % (i, g.area, area))
    if problems:
        print('\n'.join(problems[:10]))
        sys.exit(1)
    print('ok: %d features' % len(doc['features']))


if __name__ == '__main__':
    main()
