#pragma once
// Output names: one rule for `cellkiosk segment` and the service. Every input file (or zip member) gets a base
// name; a multi-page file's pages are `<base>_page<k>`, k from 1. Within one run (a `segment` batch) or one job
// (a zip), no two images share a name and no name is used twice, so no output can overwrite another:
//   - the base is the file stem ("sub/a.png" -> "a");
//   - a stem that several inputs share makes each of them use its folder-qualified path instead ("x/a.png" ->
//     "x_a", "y/a.png" -> "y_a"; a file at the root keeps "a");
//   - a name already used in the run (a page name "scan_page1" next to a file "scan_page1.png") moves the later
//     input to "<base>_2", "<base>_3", ... (all its pages together), skipping every name that is another input's
//     own ("a.jpg", "a.png", "a_2.png" -> "a", "a_3", "a_2").
#include <functional>
#include <map>
#include <set>
#include <string>
#include <vector>

namespace ck {

/// File stem of a path-like name made safe as a file name and bucket key segment: "dir/a.b.tif" -> "a.b";
/// control characters, ':' and '\\' become '_'; an empty result (or "." / "..") becomes "image".
std::string output_stem(const std::string& path);

/// Name suffixes of a file with `pages` pages: {""} for one page, else {"_page1", ..., "_page<N>"} (1-based, as
/// documented in the README).
std::vector<std::string> page_suffixes(size_t pages);

/// Name suffixes of an ImageJ/OME stack's planes in t-major order: {""} for one plane, "_z1".."_zZ",
/// "_t1".."_tT", or "_t<t>_z<z>" (1-based).
std::vector<std::string> plane_suffixes(int slices, int frames);

/// base + each of page_suffixes(pages).
std::vector<std::string> page_names(const std::string& base, size_t pages);

/// How the per-file routine asks for the output names of a file's images: given their suffixes, the names.
using NameImages = std::function<std::vector<std::string>(const std::vector<std::string>& suffixes)>;

/// Assigns output names for one run or one job (rules above). Not thread-safe; call from one thread.
class OutputNamer {
 public:
  /// `rel_paths`: every input's path relative to the folder or zip it came from ("a.png", "sub/a.png"), in
  /// input order. Decides which stems are shared (so those inputs use folder-qualified names).
  explicit OutputNamer(const std::vector<std::string>& rel_paths);
  /// Names for input `index` (into rel_paths) with `pages` pages (≥ 1): page_names(base) where base is its stem or
  /// qualified name, moved to base_2, base_3, ... until none of the page names was used before. Reserves them.
  std::vector<std::string> assign(size_t index, size_t pages);
  /// The same for any suffixes (pages, z/t planes): base + suffix for each, base moved to base_2, ... until all
  /// are new. Reserves them.
  std::vector<std::string> assign(size_t index, const std::vector<std::string>& suffixes);
  /// Reserves one exact name; false (and nothing reserved) if it was already used.
  bool reserve(const std::string& name);
  /// True if `name` was already used in this run.
  bool taken(const std::string& name) const { return used_.count(name) != 0; }

 private:
  std::vector<std::string> bases_;
  std::set<std::string> used_;
  std::map<std::string, size_t> owner_;  ///< an input's own unshared base name -> that input
};

}  // namespace ck
