#pragma once
// Object outlines and measurements as GeoJSON (RFC 7946), in the form QuPath imports (File > Import objects):
// a FeatureCollection with one Feature per object.
#include <string>
#include <vector>

#include "pipeline/output_outlines.h"
#include "pipeline/output_set.h"

namespace ck {

/// The FeatureCollection of `outlines` (trace_outlines) with the measurements of `table` (object_table; row i
/// belongs to outlines[i]). Each Feature: geometry a Polygon (one piece) or MultiPolygon (several), rings closed
/// (last vertex = first), coordinates in input pixels at pixel corners (x right, y down: QuPath's convention),
/// exterior rings counterclockwise as the numbers read and holes clockwise (RFC 7946 §3.1.6); properties
/// `objectType` "detection", `name` (the label as text), `label` (number), `isLocked` false, `classification`
/// {"name": "Nucleus", "color": [255, 255, 0]}, and `measurements` {column: value} for every table column but
/// `label` (a value that is not finite is left out). One Feature per line.
std::string objects_geojson(const std::vector<ObjectOutline>& outlines, const ObjectTable& table);

}  // namespace ck
