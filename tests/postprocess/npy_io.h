#pragma once
// Test helper: minimal NumPy .npy (v1.0, C order, 2-D) reader/writer for float32, uint8, uint32
// and int32/int64 label arrays, to exchange maps and labels with the scikit-image oracle scripts.
#include <cstdint>
#include <cstring>
#include <fstream>
#include <regex>
#include <stdexcept>
#include <string>
#include <vector>

#include "image/plane.h"

namespace ck::test {

template <typename T> const char* npy_descr();
template <> inline const char* npy_descr<float>() { return "<f4"; }
template <> inline const char* npy_descr<uint8_t>() { return "|u1"; }
template <> inline const char* npy_descr<uint32_t>() { return "<u4"; }

template <typename T>
void write_npy(const std::string& path, const Plane<T>& p) {
  std::string header = std::string("{'descr': '") + npy_descr<T>() + "', 'fortran_order': False, 'shape': (" +
                       std::to_string(p.height) + ", " + std::to_string(p.width) + "), }";
  const size_t total = 10 + header.size() + 1;
  header.append((64 - total % 64) % 64, ' ');
  header.push_back('\n');
  std::ofstream f(path, std::ios::binary);
  if (!f) throw std::runtime_error("write_npy: cannot open " + path);
  f.write("\x93NUMPY\x01\x00", 8);
  const uint16_t len = static_cast<uint16_t>(header.size());
  f.write(reinterpret_cast<const char*>(&len), 2);
  f.write(header.data(), header.size());
  f.write(reinterpret_cast<const char*>(p.data.data()), p.data.size() * sizeof(T));
}

struct NpyArray {
  std::string descr;
  int height = 0, width = 0;
  std::vector<char> bytes;
};

inline NpyArray read_npy_raw(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  if (!f) throw std::runtime_error("read_npy: cannot open " + path);
  char magic[8];
  f.read(magic, 8);
  if (std::memcmp(magic, "\x93NUMPY", 6) != 0) throw std::runtime_error("read_npy: not a .npy file: " + path);
  size_t hlen = 0;
  if (magic[6] == 1) { uint16_t l; f.read(reinterpret_cast<char*>(&l), 2); hlen = l; }
  else { uint32_t l; f.read(reinterpret_cast<char*>(&l), 4); hlen = l; }
  std::string header(hlen, '\0');
  f.read(header.data(), hlen);
  std::smatch m;
  if (!std::regex_search(header, m, std::regex("'descr': '([^']+)'"))) throw std::runtime_error("read_npy: no descr");
  NpyArray a;
  a.descr = m[1];
  if (header.find("'fortran_order': False") == std::string::npos) throw std::runtime_error("read_npy: fortran order");
  if (!std::regex_search(header, m, std::regex("'shape': \\((\\d+), (\\d+)\\)"))) throw std::runtime_error("read_npy: not 2-D");
  a.height = std::stoi(m[1]);
  a.width = std::stoi(m[2]);
  a.bytes.assign(std::istreambuf_iterator<char>(f), {});
  return a;
}

template <typename Src, typename T>
Plane<T> convert_npy(const NpyArray& a) {
  Plane<T> p(a.height, a.width);
  if (a.bytes.size() != p.size() * sizeof(Src)) throw std::runtime_error("read_npy: truncated data");
  const Src* s = reinterpret_cast<const Src*>(a.bytes.data());
  for (size_t i = 0; i < p.size(); ++i) p.data[i] = static_cast<T>(s[i]);
  return p;
}

/// Reads a 2-D .npy of dtype float32/uint8/uint32/int32/int64 into Plane<T> (values cast to T).
template <typename T>
Plane<T> read_npy(const std::string& path) {
  const NpyArray a = read_npy_raw(path);
  if (a.descr == "<f4") return convert_npy<float, T>(a);
  if (a.descr == "|u1") return convert_npy<uint8_t, T>(a);
  if (a.descr == "<u4") return convert_npy<uint32_t, T>(a);
  if (a.descr == "<i4") return convert_npy<int32_t, T>(a);
  if (a.descr == "<i8") return convert_npy<int64_t, T>(a);
  throw std::runtime_error("read_npy: unsupported dtype " + a.descr + " in " + path);
}

}  // namespace ck::test
