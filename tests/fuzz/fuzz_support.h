// What the fuzz targets share: where the source tree is, a private scratch folder, and how an
// invariant fails (an abort, so libFuzzer saves the input and the replay test fails).
#pragma once

#include <stdlib.h>  // mkdtemp

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <optional>
#include <string>
#include <system_error>

namespace termijn::fuzz {

// The source tree the target was built from (stdlib/, processes/, examples/).
inline std::filesystem::path source_dir() { return TERMIJN_SOURCE_DIR; }

[[noreturn]] inline void fail(const std::string& what) {
  std::fprintf(stderr, "\n==== fuzz invariant broken: %s\n", what.c_str());
  std::fflush(stderr);
  std::abort();
}

inline std::optional<std::string> read_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

inline void write_file(const std::filesystem::path& path, const std::string& bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  if (!out) fail("cannot write " + path.string());
}

// A folder of this process's own under $TMPDIR, removed when the process exits normally
// (tools/fuzz.sh points TMPDIR into the build folder and clears it after a crash).
class ScratchDir {
 public:
  explicit ScratchDir(const std::string& name) {
    std::error_code ec;
    std::filesystem::path base = std::filesystem::temp_directory_path(ec);
    if (ec) base = "/tmp";
    std::string pattern = (base / ("termijn-" + name + "-XXXXXX")).string();
    if (mkdtemp(pattern.data()) == nullptr) fail("cannot make a scratch folder under " + base.string());
    path_ = pattern;
  }
  ~ScratchDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  ScratchDir(const ScratchDir&) = delete;
  ScratchDir& operator=(const ScratchDir&) = delete;
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

// A SQLite database and its WAL and shared-memory files, gone.
inline void remove_database(const std::filesystem::path& path) {
  std::error_code ec;
  for (const char* suffix : {"", "-wal", "-shm", "-journal"}) std::filesystem::remove(path.string() + suffix, ec);
}

// Reads structured choices from the fuzzer's bytes, front to back (a small FuzzedDataProvider
// that GCC builds have too). Past the end every read gives zeros.
class ByteReader {
 public:
  ByteReader(const std::uint8_t* data, std::size_t size) : data_(data), size_(size) {}
  std::size_t remaining() const { return size_ - pos_; }
  std::uint8_t byte() { return pos_ < size_ ? data_[pos_++] : 0; }
  std::uint32_t u32() {
    std::uint32_t v = 0;
    for (int i = 0; i < 4; ++i) v = (v << 8) | byte();
    return v;
  }
  // A number in [lo, hi], from as few bytes as the range needs.
  std::size_t in_range(std::size_t lo, std::size_t hi) {
    std::size_t span = hi - lo;
    std::size_t v = 0;
    for (std::size_t seen = 0; seen < span; seen = (seen << 8) | 0xff) v = (v << 8) | byte();
    return span == static_cast<std::size_t>(-1) ? v : lo + v % (span + 1);
  }
  std::string bytes(std::size_t n) {
    n = n < remaining() ? n : remaining();
    std::string out(reinterpret_cast<const char*>(data_ + pos_), n);
    pos_ += n;
    return out;
  }

 private:
  const std::uint8_t* data_;
  std::size_t size_;
  std::size_t pos_ = 0;
};

}  // namespace termijn::fuzz
