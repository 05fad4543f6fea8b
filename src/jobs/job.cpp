// Job record helpers (see job.h).
#include "jobs/job.h"

#include <sys/random.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <ctime>
#include <random>

namespace ck {

bool is_terminal_status(std::string_view s) { return s == status::kDone || s == status::kFailed; }

std::string iso_now() {
  using namespace std::chrono;
  const auto now = system_clock::now();
  const auto us = duration_cast<microseconds>(now.time_since_epoch()).count();
  std::time_t secs = static_cast<std::time_t>(us / 1000000);
  long frac = static_cast<long>(us % 1000000);
  if (frac < 0) {  // before 1970: keep the fraction positive
    frac += 1000000;
    --secs;
  }
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[64];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%06ld+00:00", tm.tm_year + 1900, tm.tm_mon + 1,
                tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, frac);
  return buf;
}

std::string make_uuid() {
  // 128 bits from the kernel's CSPRNG (getrandom(2)): job keys and upload ids cannot be predicted from earlier ones.
  uint64_t r[2] = {0, 0};
  size_t got = 0;
  while (got < sizeof r) {
    const ssize_t n = ::getrandom(reinterpret_cast<char*>(r) + got, sizeof r - got, 0);
    if (n > 0) got += static_cast<size_t>(n);
    else if (n < 0 && errno != EINTR) throw std::runtime_error("getrandom failed: " + std::string(std::strerror(errno)));
  }
  uint64_t hi = r[0], lo = r[1];
  hi = (hi & 0xFFFFFFFFFFFF0FFFull) | 0x0000000000004000ull;  // version 4
  lo = (lo & 0x3FFFFFFFFFFFFFFFull) | 0x8000000000000000ull;  // variant 10xx
  char buf[37];
  std::snprintf(buf, sizeof buf, "%08x-%04x-%04x-%04x-%012llx", static_cast<unsigned>(hi >> 32),
                static_cast<unsigned>((hi >> 16) & 0xFFFF), static_cast<unsigned>(hi & 0xFFFF),
                static_cast<unsigned>(lo >> 48), static_cast<unsigned long long>(lo & 0xFFFFFFFFFFFFull));
  return buf;
}

std::string make_job_key(std::string_view queue, std::string_view image_name) {
  std::string k;
  k.reserve(queue.size() + image_name.size() + 38);
  k.append(queue).append(":").append(image_name).append(":").append(make_uuid());
  return k;
}

std::string processing_list_name(std::string_view queue, std::string_view consumer_id) {
  std::string k = "processing-";
  k.append(queue).append(":").append(consumer_id);
  return k;
}

std::string format_seconds(double s) {
  if (std::isnan(s)) return "nan";
  if (std::isinf(s)) return s > 0 ? "inf" : "-inf";
  if (s == 0) return "0";
  const double a = std::fabs(s);
  char buf[64];
  if (a < 1e-6) {
    std::snprintf(buf, sizeof buf, "%.6g", s);
    return buf;
  }
  // 6 significant digits in fixed notation, trailing zeros trimmed.
  const int exp10 = static_cast<int>(std::floor(std::log10(a)));
  const int decimals = std::max(0, 5 - exp10);
  std::snprintf(buf, sizeof buf, "%.*f", decimals, s);
  std::string out = buf;
  if (out.find('.') != std::string::npos) {
    while (!out.empty() && out.back() == '0') out.pop_back();
    if (!out.empty() && out.back() == '.') out.pop_back();
  }
  if (out == "-0") out = "0";
  return out;
}

std::vector<std::string> split_commas(std::string_view s) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start < s.size()) {
    size_t end = s.find(',', start);
    if (end == std::string_view::npos) end = s.size();
    if (end > start) out.emplace_back(s.substr(start, end - start));
    start = end + 1;
  }
  return out;
}

}  // namespace ck
