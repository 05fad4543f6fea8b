#include "pipeline/progress.h"

#include <unistd.h>

#include <algorithm>

namespace ck {

ProgressBar::ProgressBar(int total, std::string unit, bool enabled)
    : total_(std::max(total, 0)), unit_(std::move(unit)), enabled_(enabled), tty_(isatty(STDERR_FILENO)),
      t0_(std::chrono::steady_clock::now()) {}

void ProgressBar::tick(double megapixels, bool failed) {
  ++done_;
  failed_ += failed ? 1 : 0;
  mp_ += megapixels;
  if (!enabled_) return;
  const int decile = total_ > 0 ? done_ * 10 / total_ : 10;
  if (tty_ || decile != last_decile_) {
    last_decile_ = decile;
    draw(false);
  }
}

void ProgressBar::finish() {
  if (enabled_) draw(true);
}

void ProgressBar::draw(bool final) {
  const double el = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0_).count();
  const double rate = done_ / std::max(el, 1e-9);
  const int eta = rate > 0 ? static_cast<int>((total_ - done_) / rate) : 0;
  constexpr int kWidth = 24;
  const int fill = total_ > 0 ? done_ * kWidth / total_ : kWidth;
  std::string bar(kWidth, ' ');
  for (int i = 0; i < fill; ++i) bar[i] = '=';
  if (fill < kWidth) bar[fill] = '>';
  std::fprintf(stderr, "%s[%s] %d/%d %s  %.2f %s/s  %.2f MP/s  %s %d:%02d%s%s", tty_ ? "\r" : "", bar.c_str(), done_,
               total_, unit_.c_str(), rate, unit_ == "images" ? "img" : unit_.c_str(), mp_ / std::max(el, 1e-9),
               final ? "elapsed" : "ETA", (final ? static_cast<int>(el) : eta) / 60,
               (final ? static_cast<int>(el) : eta) % 60,
               failed_ ? ("  (" + std::to_string(failed_) + " failed)").c_str() : "", (!tty_ || final) ? "\n" : "");
  std::fflush(stderr);
}

}  // namespace ck
