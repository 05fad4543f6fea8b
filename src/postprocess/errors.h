#pragma once
// Exception type thrown by the post-processing module (deep watershed and its building blocks).
#include <stdexcept>
#include <string>

namespace ck {

/// Bad input to a post-processing function (shape mismatch, NaN in a map, invalid parameter).
/// The message is one line naming the function and what was wrong.
struct PostprocessError : std::invalid_argument {
  explicit PostprocessError(const std::string& what) : std::invalid_argument(what) {}
};

}  // namespace ck
