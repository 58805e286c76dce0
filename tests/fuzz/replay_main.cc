// The fuzz targets' main outside libFuzzer (as SerenityOS's EntryShim.cpp): replays files, so a
// GCC or ASan build runs the regressions and seeds as ordinary tests, and a crasher can be
// debugged without clang.
//
//   build/fuzz/wth_fuzzer [--suffix=.wth] FILE|FOLDER...   (no argument: one input from stdin)
//
// Folders are read recursively in name order; `--suffix=S` keeps only the files after it that
// end with S (`--suffix=` alone: every file again). Names starting with '.' and README files are
// skipped; a path that does not exist is reported and skipped (an empty regressions folder is
// not kept in git).
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <iterator>
#include <string>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size);
extern "C" __attribute__((weak)) int LLVMFuzzerInitialize(int* argc, char*** argv);

namespace {

namespace fs = std::filesystem;

bool wanted(const fs::path& path, const std::string& suffix) {
  std::string name = path.filename().string();
  if (name.empty() || name[0] == '.' || name.rfind("README", 0) == 0) return false;
  return suffix.empty() || (name.size() >= suffix.size() && name.compare(name.size() - suffix.size(), suffix.size(), suffix) == 0);
}

int run(const std::string& bytes, const std::string& label) {
  std::fprintf(stderr, "replay: %s (%zu bytes)\n", label.c_str(), bytes.size());
  // A copy of exactly the input's size, so ASan sees a read past its end.
  std::vector<std::uint8_t> copy(bytes.begin(), bytes.end());
  return LLVMFuzzerTestOneInput(copy.empty() ? nullptr : copy.data(), copy.size());
}

}  // namespace

int main(int argc, char** argv) {
  if (LLVMFuzzerInitialize != nullptr) LLVMFuzzerInitialize(&argc, &argv);
  if (argc < 2) {
    std::string bytes((std::istreambuf_iterator<char>(std::cin)), std::istreambuf_iterator<char>());
    run(bytes, "<stdin>");
    return 0;
  }
  std::vector<fs::path> files;
  std::string suffix;
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    if (arg.rfind("--suffix=", 0) == 0) {
      suffix = arg.substr(9);
      continue;
    }
    std::error_code ec;
    if (fs::is_directory(arg, ec)) {
      std::vector<fs::path> found;
      for (const auto& entry : fs::recursive_directory_iterator(arg, ec)) {
        if (entry.is_regular_file() && wanted(entry.path(), suffix)) found.push_back(entry.path());
      }
      std::sort(found.begin(), found.end());
      files.insert(files.end(), found.begin(), found.end());
    } else if (fs::is_regular_file(arg, ec)) {
      files.emplace_back(arg);
    } else {
      std::fprintf(stderr, "replay: %s does not exist; skipped\n", arg.c_str());
    }
  }
  for (const auto& file : files) {
    std::ifstream in(file, std::ios::binary);
    if (!in) {
      std::fprintf(stderr, "replay: cannot read %s\n", file.c_str());
      return 2;
    }
    run(std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()), file.string());
  }
  std::printf("replayed %zu inputs, none crashed\n", files.size());
  return 0;
}
