#pragma once
// A terminal progress bar for long batch work (images done, images/s, MP/s, ETA).
#include <chrono>
#include <cstdio>
#include <string>

namespace ck {

/// Prints `[=====>    ] 42/103 images  2.1 img/s  1.8 MP/s  ETA 0:29` to stderr, redrawn in place on a terminal,
/// or one plain line per ~10 % of the work when stderr is not a terminal (logs, CI). Not thread-safe.
class ProgressBar {
 public:
  ProgressBar(int total, std::string unit, bool enabled);
  /// Marks one more item done, adding `megapixels` to the throughput.
  void tick(double megapixels, bool failed = false);
  /// Raises the total (e.g. when a multi-page file turns out to hold several images).
  void set_total(int total) { total_ = total > total_ ? total : total_; }
  /// Final line (always printed when enabled).
  void finish();

 private:
  void draw(bool final);
  int total_, done_ = 0, failed_ = 0, last_decile_ = -1;
  double mp_ = 0;
  std::string unit_;
  bool enabled_, tty_;
  std::chrono::steady_clock::time_point t0_;
};

}  // namespace ck
