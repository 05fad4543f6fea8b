#include "pipeline/output_names.h"

#include <map>
#include <stdexcept>

namespace ck {

namespace {
std::string sanitize(const std::string& s) {
  std::string out;
  for (unsigned char c : s) out += (c < 0x20 || c == 0x7f || c == ':' || c == '\\' || c == '/') ? '_' : static_cast<char>(c);
  return out;
}

/// "x/y/a.png" -> "x_y_a" (the extension of the last component dropped).
std::string qualified(const std::string& rel) {
  std::string dir;
  const size_t slash = rel.find_last_of('/');
  if (slash != std::string::npos) dir = rel.substr(0, slash);
  std::string stem = output_stem(rel);
  if (dir.empty()) return stem;
  std::string d;
  for (char c : dir) d += c == '/' ? '_' : c;
  return sanitize(d) + "_" + stem;
}
}  // namespace

std::string output_stem(const std::string& path) {
  const size_t slash = path.find_last_of("/\\");
  std::string base = path.substr(slash == std::string::npos ? 0 : slash + 1);
  const size_t dot = base.rfind('.');
  if (dot != std::string::npos && dot > 0) base = base.substr(0, dot);
  std::string out = sanitize(base);
  if (out.empty() || out == "." || out == "..") out = "image";
  return out;
}

std::vector<std::string> page_suffixes(size_t pages) {
  if (pages <= 1) return {""};
  std::vector<std::string> v;
  for (size_t k = 1; k <= pages; ++k) v.push_back("_page" + std::to_string(k));
  return v;
}

std::vector<std::string> plane_suffixes(int slices, int frames) {
  std::vector<std::string> v;
  for (int t = 1; t <= std::max(1, frames); ++t)
    for (int z = 1; z <= std::max(1, slices); ++z) {
      std::string s;
      if (frames > 1) s += "_t" + std::to_string(t);
      if (slices > 1) s += "_z" + std::to_string(z);
      v.push_back(s);
    }
  return v;
}

std::vector<std::string> page_names(const std::string& base, size_t pages) {
  std::vector<std::string> v;
  for (const auto& s : page_suffixes(pages)) v.push_back(base + s);
  return v;
}

OutputNamer::OutputNamer(const std::vector<std::string>& rel_paths) {
  std::map<std::string, int> count;
  for (const auto& p : rel_paths) ++count[output_stem(p)];
  for (const auto& p : rel_paths) bases_.push_back(count[output_stem(p)] > 1 ? qualified(p) : output_stem(p));
  // A real file's own name is kept for it: a generated "<base>_2" never takes the name of another input
  // ("a.jpg", "a.png", "a_2.png" -> "a", "a_3", "a_2").
  std::map<std::string, int> base_count;
  for (const auto& b : bases_) ++base_count[b];
  for (size_t i = 0; i < bases_.size(); ++i)
    if (base_count[bases_[i]] == 1) owner_.emplace(bases_[i], i);
}

std::vector<std::string> OutputNamer::assign(size_t index, size_t pages) { return assign(index, page_suffixes(pages)); }

std::vector<std::string> OutputNamer::assign(size_t index, const std::vector<std::string>& suffixes) {
  if (index >= bases_.size()) throw std::out_of_range("OutputNamer: no input " + std::to_string(index));
  const std::string& base = bases_[index];
  for (int n = 1;; ++n) {
    const std::string b = n == 1 ? base : base + "_" + std::to_string(n);
    std::vector<std::string> names;
    for (const auto& s : suffixes) names.push_back(b + s);
    const auto owned_by_other = [&](const std::string& nm) {
      const auto it = owner_.find(nm);
      return it != owner_.end() && it->second != index;
    };
    bool free = true;
    for (const auto& nm : names) free = free && !taken(nm) && !owned_by_other(nm);
    if (!free) continue;
    for (const auto& nm : names) used_.insert(nm);
    return names;
  }
}

bool OutputNamer::reserve(const std::string& name) { return used_.insert(name).second; }

}  // namespace ck
