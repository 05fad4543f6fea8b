#pragma once
// Test fixture helper: builds zip archives in memory with libarchive.
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

/// Zip (deflate) with the given (entry path, bytes) pairs, in order.
std::vector<uint8_t> make_test_zip(const std::vector<std::pair<std::string, std::vector<uint8_t>>>& entries);
