#pragma once
// PreprocessError: the one exception type thrown by src/preprocess/ on bad input
// (channel out of range, NaN/Inf pixels, invalid sizes or mpp, inconsistent tiles).
#include <stdexcept>
#include <string>

namespace ck {

/// Thrown by the preprocessing functions; `what()` is a one-line message naming the offending value.
class PreprocessError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

}  // namespace ck
