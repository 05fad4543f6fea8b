#pragma once
// CLI11 validators shared by the subcommands. Each answers a non-number with "<value> is not a number" instead of
// letting std::stod throw past CLI11 (which would abort the process).
#include <CLI/CLI.hpp>
#include <functional>
#include <string>

namespace ck::cli {

/// Validator from a predicate on the parsed number: `ok(v)` true = valid, else `why` is the message.
inline CLI::Validator number_check(std::function<bool(double)> ok, std::string why, std::string name) {
  return CLI::Validator(
      [ok = std::move(ok), why = std::move(why)](std::string& s) -> std::string {
        double v = 0;
        size_t used = 0;
        try {
          v = std::stod(s, &used);
        } catch (const std::exception&) {
          return "'" + s + "' is not a number";
        }
        if (used != s.size()) return "'" + s + "' is not a number";
        return ok(v) ? std::string() : why;
      },
      std::move(name));
}

/// v ≥ 0.
inline CLI::Validator non_negative() { return number_check([](double v) { return v >= 0; }, "must be >= 0", ">=0"); }
/// v > 0.
inline CLI::Validator positive() { return number_check([](double v) { return v > 0; }, "must be > 0", ">0"); }
/// 0 ≤ v ≤ 1.
inline CLI::Validator unit_interval() {
  return number_check([](double v) { return v >= 0 && v <= 1; }, "must be in [0, 1]", "0..1");
}

}  // namespace ck::cli
