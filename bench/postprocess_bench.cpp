// postprocess_bench: deep watershed (ours) vs scikit-image (deepcell-toolbox recipe) on DSB 2018 maps.
//
// Builds inner/outer distance maps for the first N images of the DSB 2018 test split with
// tests/oracle/skimage_make_maps.py (ground-truth masks -> DeepCell targets + noise + blur, seed 0),
// then per image times ck::deep_watershed (default parameters; median wall time of --reps runs after
// one warm-up) and tests/oracle/skimage_deep_watershed.py --time (median of --reps runs in one
// Python process), and checks the two label images pixel for pixel. Prints a per-image table and
// totals: megapixels, ms/MP for each, speed ratio (skimage time / ours), equal object counts.
//
//   postprocess_bench [--images N] [--reps R] [--data DIR] [--python EXE] [--keep-maps]
// Defaults: N = 20 (of 103), R = 5, DIR = <repo>/../shared/data, EXE = /usr/bin/python3.
#include <benchmark/benchmark.h>

#include <sys/utsname.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <regex>
#include <stdexcept>
#include <string>
#include <vector>

#include "postprocess/deep_watershed.h"

namespace fs = std::filesystem;

namespace {

// Minimal .npy (v1/v2, C order, 2-D) reader for '<f4' and '<u4' arrays.
template <typename T>
ck::Plane<T> read_npy(const std::string& path, const char* descr) {
  std::ifstream f(path, std::ios::binary);
  if (!f) throw std::runtime_error("cannot open " + path);
  char magic[8];
  f.read(magic, 8);
  if (std::memcmp(magic, "\x93NUMPY", 6) != 0) throw std::runtime_error(path + ": not a .npy file");
  uint32_t hlen = 0;
  if (magic[6] == 1) {
    uint16_t h16;
    f.read(reinterpret_cast<char*>(&h16), 2);
    hlen = h16;
  } else {
    f.read(reinterpret_cast<char*>(&hlen), 4);
  }
  std::string header(hlen, '\0');
  f.read(header.data(), hlen);
  if (header.find(std::string("'descr': '") + descr + "'") == std::string::npos || header.find("True") != std::string::npos)
    throw std::runtime_error(path + ": expected C-order " + descr + ", header " + header);
  std::smatch m;
  if (!std::regex_search(header, m, std::regex(R"('shape': \((\d+), (\d+)\))")))
    throw std::runtime_error(path + ": expected a 2-D array");
  ck::Plane<T> p(std::stoi(m[1]), std::stoi(m[2]));
  f.read(reinterpret_cast<char*>(p.data.data()), static_cast<std::streamsize>(p.size() * sizeof(T)));
  if (!f) throw std::runtime_error(path + ": truncated");
  return p;
}

std::string run_capture(const std::string& cmd) {
  FILE* pipe = popen(cmd.c_str(), "r");
  if (!pipe) throw std::runtime_error("cannot run: " + cmd);
  std::string out;
  char buf[4096];
  size_t n;
  while ((n = fread(buf, 1, sizeof buf, pipe)) > 0) out.append(buf, n);
  if (pclose(pipe) != 0) throw std::runtime_error("command failed: " + cmd + "\n" + out);
  return out;
}

double json_number(const std::string& json, const std::string& key) {
  std::smatch m;
  if (!std::regex_search(json, m, std::regex("\"" + key + "\": ([0-9.eE+-]+)")))
    throw std::runtime_error("no '" + key + "' in oracle output: " + json);
  return std::stod(m[1]);
}

uint32_t max_label(const ck::LabelImage& l) {
  return l.empty() ? 0 : *std::max_element(l.data.begin(), l.data.end());
}

struct Row {
  std::string name;
  int h = 0, w = 0;
  double ours_ms = 0, sk_ms = 0;
  uint32_t ours_n = 0, sk_n = 0;
  bool identical = false;
};

}  // namespace

int main(int argc, char** argv) {
  const fs::path repo = fs::path(__FILE__).parent_path().parent_path();
  fs::path data = repo.parent_path() / "shared" / "data";
  std::string python = "/usr/bin/python3";
  int images = 20, reps = 5;
  bool keep = false;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    auto next = [&]() -> std::string {
      if (i + 1 >= argc) { std::fprintf(stderr, "%s needs a value\n", a.c_str()); std::exit(2); }
      return argv[++i];
    };
    if (a == "--images") images = std::stoi(next());
    else if (a == "--reps") reps = std::stoi(next());
    else if (a == "--data") data = next();
    else if (a == "--python") python = next();
    else if (a == "--keep-maps") keep = true;
    else {
      std::fprintf(stderr, "usage: %s [--images N] [--reps R] [--data DIR] [--python EXE] [--keep-maps]\n", argv[0]);
      return a == "--help" || a == "-h" ? 0 : 2;
    }
  }
  if (images < 1 || reps < 1) { std::fprintf(stderr, "--images and --reps must be >= 1\n"); return 2; }

  try {
    std::ifstream split(data / "dsb2018-fluo" / "splits" / "test.txt");
    if (!split) throw std::runtime_error("missing " + (data / "dsb2018-fluo/splits/test.txt").string());
    std::vector<std::string> names;
    std::string masks;
    for (std::string line; static_cast<int>(names.size()) < images && std::getline(split, line);)
      if (!line.empty()) {
        names.push_back(line);
        masks += " " + (data / "dsb2018-fluo" / "masks" / (line + ".png")).string();
      }

    utsname un{};
    uname(&un);
    double load[3] = {0, 0, 0};
    getloadavg(load, 3);
    std::printf("machine: %s, %ld CPUs (nproc), load average %.2f %.2f %.2f\n", un.nodename,
                sysconf(_SC_NPROCESSORS_ONLN), load[0], load[1], load[2]);
    std::printf("deep_watershed defaults (h_maxima h=0.1 disk(10), interior_smooth 1, threshold 0.01); "
                "%zu DSB 2018 test images, median of %d runs each, wall time\n", names.size(), reps);

    char tmpl[] = "/tmp/ck_postprocess_bench_XXXXXX";
    if (!mkdtemp(tmpl)) throw std::runtime_error("mkdtemp failed");
    const fs::path dir = tmpl;
    const std::string oracle = (repo / "tests" / "oracle").string() + "/";
    std::printf("building maps with skimage_make_maps.py in %s ...\n", dir.c_str());
    std::fflush(stdout);
    run_capture(python + " " + oracle + "skimage_make_maps.py --seed 0 --out-dir " + dir.string() + masks + " 2>&1");

    std::printf("\n%-10s %9s %10s %12s %7s %9s %s\n", "image", "HxW", "ours ms", "skimage ms", "ratio",
                "objects", "labels");
    std::vector<Row> rows;
    for (const std::string& n : names) {
      Row r;
      r.name = n;
      const std::string in_path = (dir / (n + "_inner.npy")).string(), out_path = (dir / (n + "_outer.npy")).string();
      const ck::FloatPlane inner = read_npy<float>(in_path, "<f4"), outer = read_npy<float>(out_path, "<f4");
      r.h = inner.height;
      r.w = inner.width;

      ck::LabelImage ours = ck::deep_watershed(inner, outer);  // warm-up
      std::vector<double> t;
      for (int k = 0; k < reps; ++k) {
        const auto a = std::chrono::steady_clock::now();
        ck::LabelImage l = ck::deep_watershed(inner, outer);
        benchmark::DoNotOptimize(l.data.data());
        t.push_back(std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - a).count());
      }
      std::sort(t.begin(), t.end());
      r.ours_ms = t[t.size() / 2];
      r.ours_n = max_label(ours);

      const std::string labels_path = (dir / (n + "_labels.npy")).string();
      const std::string json = run_capture(python + " " + oracle + "skimage_deep_watershed.py --inner " + in_path +
                                           " --outer " + out_path + " --out " + labels_path + " --time " +
                                           std::to_string(reps));
      r.sk_ms = 1000.0 * json_number(json, "median_s");
      const ck::LabelImage ref = read_npy<uint32_t>(labels_path, "<u4");
      r.sk_n = max_label(ref);
      r.identical = ref == ours;
      std::printf("%-10.10s %4dx%-4d %10.2f %12.2f %6.1fx %4u/%-4u %s\n", n.c_str(), r.h, r.w, r.ours_ms, r.sk_ms,
                  r.sk_ms / r.ours_ms, r.ours_n, r.sk_n, r.identical ? "identical" : "DIFFER");
      std::fflush(stdout);
      rows.push_back(r);
    }

    double mp = 0, ours = 0, sk = 0;
    bool counts_equal = true, all_identical = true;
    for (const Row& r : rows) {
      mp += r.h * static_cast<double>(r.w) / 1e6;
      ours += r.ours_ms;
      sk += r.sk_ms;
      counts_equal &= r.ours_n == r.sk_n;
      all_identical &= r.identical;
    }
    std::printf("\n%-28s %s\n", "machine", un.nodename);
    std::printf("%-28s %ld\n", "nproc", sysconf(_SC_NPROCESSORS_ONLN));
    std::printf("%-28s %zu\n", "images", rows.size());
    std::printf("%-28s %.3f\n", "total megapixels", mp);
    std::printf("%-28s %.1f\n", "ours ms/MP", ours / mp);
    std::printf("%-28s %.1f\n", "skimage ms/MP", sk / mp);
    std::printf("%-28s %.1fx\n", "speed ratio (skimage/ours)", sk / ours);
    std::printf("%-28s %s\n", "object counts equal", counts_equal ? "yes" : "no");
    std::printf("%-28s %s\n", "label images identical", all_identical ? "yes" : "no");
    if (keep) std::printf("maps kept in %s\n", dir.c_str());
    else fs::remove_all(dir);
    return counts_equal ? 0 : 1;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "postprocess_bench: %s\n", e.what());
    return 1;
  }
}
