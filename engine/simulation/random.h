// Random numbers for simulation with common random numbers: every draw comes from a stream named
// by (root seed, replication, case, purpose), so the same case gets the same data, durations and
// outcomes in every scenario, and 10 versus 14 days differ only in the term. Counter-based
// (SplitMix64 over a hash of the name), own transforms: the same seed gives the same numbers on
// every machine and standard library.
#pragma once

#include <cmath>
#include <cstdint>
#include <string_view>

namespace termijn::simulation {

inline std::uint64_t splitmix64(std::uint64_t x) {
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

// FNV-1a over `text`, continued from `h`: a purpose written in parts ("outputs:horen:" and then
// the draw's number) hashes as the whole text does, its first part hashed once.
inline constexpr std::uint64_t kFnvOffset = 0xcbf29ce484222325ULL;
inline std::uint64_t fnv1a(std::string_view text, std::uint64_t h = kFnvOffset) {
  for (unsigned char c : text) h = (h ^ c) * 0x100000001b3ULL;
  return h;
}

class Rng {
 public:
  // A stream named by its parts.
  Rng(std::uint64_t root, std::uint64_t replication, std::uint64_t case_index, std::string_view purpose)
      : Rng(root, replication, case_index, fnv1a(purpose)) {}
  // The same, with the purpose hashed already (fnv1a).
  Rng(std::uint64_t root, std::uint64_t replication, std::uint64_t case_index, std::uint64_t purpose_hash)
      : state_(splitmix64(splitmix64(splitmix64(root) ^ replication) ^ case_index) ^ purpose_hash) {}
  std::uint64_t next() { return splitmix64(state_++); }
  // In (0, 1): never exactly 0, so logarithms are safe.
  double uniform() { return (static_cast<double>(next() >> 11) + 0.5) * (1.0 / 9007199254740992.0); }
  double exponential(double mean) { return -mean * std::log(uniform()); }
  double normal() {  // Box-Muller
    double u = uniform(), v = uniform();
    return std::sqrt(-2.0 * std::log(u)) * std::cos(6.283185307179586 * v);
  }

 private:
  std::uint64_t state_;
};

}  // namespace termijn::simulation
