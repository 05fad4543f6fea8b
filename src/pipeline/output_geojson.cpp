#include "pipeline/output_geojson.h"

#include <cmath>
#include <cstdlib>
#include <stdexcept>

namespace ck {

namespace {

void append_ring(std::string& s, const OutlineRing& ring) {
  s += '[';
  for (size_t i = 0; i <= ring.size(); ++i) {  // closed: the first vertex again at the end
    const CornerPoint& p = ring[i % ring.size()];
    if (i) s += ',';
    s += '[';
    s += std::to_string(p.x);
    s += ',';
    s += std::to_string(p.y);
    s += ']';
  }
  s += ']';
}

void append_polygon(std::string& s, const OutlinePolygon& poly) {
  s += '[';
  append_ring(s, poly.outer);
  for (const auto& h : poly.holes) {
    s += ',';
    append_ring(s, h);
  }
  s += ']';
}

/// True if `cell` (as the table printed it) is a finite number, i.e. valid JSON number text.
bool finite_number(const std::string& cell) {
  if (cell.empty()) return false;
  char* end = nullptr;
  const double v = std::strtod(cell.c_str(), &end);
  return end == cell.c_str() + cell.size() && std::isfinite(v);
}

}  // namespace

std::string objects_geojson(const std::vector<ObjectOutline>& outlines, const ObjectTable& table) {
  if (table.rows.size() != outlines.size())
    throw std::invalid_argument("objects_geojson: " + std::to_string(outlines.size()) + " outlines but " +
                                std::to_string(table.rows.size()) + " table rows");
  std::string s = "{\"type\":\"FeatureCollection\",\"features\":[";
  for (size_t i = 0; i < outlines.size(); ++i) {
    const ObjectOutline& o = outlines[i];
    s += i ? ",\n" : "\n";
    s += "{\"type\":\"Feature\",\"geometry\":";
    if (o.pieces.empty()) {
      s += "null";
    } else if (o.pieces.size() == 1) {
      s += "{\"type\":\"Polygon\",\"coordinates\":";
      append_polygon(s, o.pieces[0]);
      s += '}';
    } else {
      s += "{\"type\":\"MultiPolygon\",\"coordinates\":[";
      for (size_t k = 0; k < o.pieces.size(); ++k) {
        if (k) s += ',';
        append_polygon(s, o.pieces[k]);
      }
      s += "]}";
    }
    const std::string id = std::to_string(o.label);
    s += ",\"properties\":{\"objectType\":\"detection\",\"name\":\"" + id + "\",\"label\":" + id +
         ",\"isLocked\":false,\"classification\":{\"name\":\"Nucleus\",\"color\":[255,255,0]},\"measurements\":{";
    bool first = true;
    const auto& row = table.rows[i];
    for (size_t c = 0; c < table.columns.size() && c < row.size(); ++c) {
      if (table.columns[c] == "label" || !finite_number(row[c])) continue;
      if (!first) s += ',';
      first = false;
      s += '"' + table.columns[c] + "\":" + row[c];
    }
    s += "}}}";
  }
  s += "\n]}\n";
  return s;
}

}  // namespace ck
