// `termijn fmt --diff`: the lines that change, as `diff -u` shows them, found with Myers' O(ND)
// algorithm ("An O(ND) difference algorithm and its variations", 1986).
#include <fmt/format.h>

#include <algorithm>
#include <optional>
#include <string_view>
#include <vector>

#include "engine/format/format.h"

namespace termijn::format {
namespace {

// Past this many changed lines the edit script is not searched for (its trace grows with the
// square): the differing middle is shown as one replaced block instead.
constexpr int kMaxEdits = 2000;
constexpr std::size_t kContext = 3;

// The lines of `text`, each with its '\n' (the last one without, when the text lacks it).
std::vector<std::string_view> lines_of(const std::string& text) {
  std::vector<std::string_view> out;
  for (std::size_t begin = 0; begin < text.size();) {
    std::size_t end = text.find('\n', begin);
    end = end == std::string::npos ? text.size() : end + 1;
    out.push_back(std::string_view(text).substr(begin, end - begin));
    begin = end;
  }
  return out;
}

enum class Op { kKeep, kRemove, kAdd };
struct Edit {
  Op op;
  std::size_t a, b;  // the line in each text at which it happens
};

// The shortest edit script from a to b, or nothing when it is longer than kMaxEdits.
std::optional<std::vector<Edit>> myers(const std::vector<std::string_view>& a, const std::vector<std::string_view>& b) {
  const int n = static_cast<int>(a.size()), m = static_cast<int>(b.size());
  const int limit = std::min(n + m, kMaxEdits);
  const int offset = limit + 1;
  std::vector<int> v(2 * static_cast<std::size_t>(limit) + 3, 0);
  std::vector<std::vector<int>> trace;
  int found = -1;
  for (int d = 0; d <= limit && found < 0; ++d) {
    trace.push_back(v);
    for (int k = -d; k <= d; k += 2) {
      int x = (k == -d || (k != d && v[k - 1 + offset] < v[k + 1 + offset])) ? v[k + 1 + offset] : v[k - 1 + offset] + 1;
      int y = x - k;
      while (x < n && y < m && a[x] == b[y]) ++x, ++y;
      v[k + offset] = x;
      if (x >= n && y >= m) {
        found = d;
        break;
      }
    }
  }
  if (found < 0) return std::nullopt;
  std::vector<Edit> edits;
  int x = n, y = m;
  for (int d = found; d >= 0; --d) {
    const std::vector<int>& before = trace[d];
    int k = x - y;
    int prev_k = (k == -d || (k != d && before[k - 1 + offset] < before[k + 1 + offset])) ? k + 1 : k - 1;
    int prev_x = d == 0 ? 0 : before[prev_k + offset];
    int prev_y = prev_x - prev_k;
    for (; x > prev_x && y > prev_y; --x, --y) edits.push_back({Op::kKeep, std::size_t(x - 1), std::size_t(y - 1)});
    if (d > 0) edits.push_back(x == prev_x ? Edit{Op::kAdd, std::size_t(x), std::size_t(y - 1)}
                                           : Edit{Op::kRemove, std::size_t(x - 1), std::size_t(y)});
    x = prev_x;
    y = prev_y;
  }
  std::reverse(edits.begin(), edits.end());
  return edits;
}

// The edit script when myers gives up: the common lines at both ends kept, the middle replaced.
std::vector<Edit> replace_middle(const std::vector<std::string_view>& a, const std::vector<std::string_view>& b) {
  std::size_t head = 0;
  while (head < a.size() && head < b.size() && a[head] == b[head]) ++head;
  std::size_t tail = 0;
  while (tail < a.size() - head && tail < b.size() - head && a[a.size() - 1 - tail] == b[b.size() - 1 - tail]) ++tail;
  std::vector<Edit> edits;
  for (std::size_t i = 0; i < head; ++i) edits.push_back({Op::kKeep, i, i});
  for (std::size_t i = head; i < a.size() - tail; ++i) edits.push_back({Op::kRemove, i, head});
  for (std::size_t j = head; j < b.size() - tail; ++j) edits.push_back({Op::kAdd, a.size() - tail, j});
  for (std::size_t i = 0; i < tail; ++i) edits.push_back({Op::kKeep, a.size() - tail + i, b.size() - tail + i});
  return edits;
}

void print_line(std::string& out, char mark, std::string_view line) {
  out += mark;
  out += line;
  if (line.empty() || line.back() != '\n') out += "\n\\ No newline at end of file\n";
}

// "-3,4": where a hunk starts in one text and how many lines it covers there.
std::string span(std::size_t first, std::size_t count) {
  return count == 0 ? fmt::format("{},0", first) : fmt::format("{},{}", first + 1, count);
}

}  // namespace

std::string unified_diff(const std::string& path, const std::string& before, const std::string& after) {
  if (before == after) return {};
  std::vector<std::string_view> a = lines_of(before), b = lines_of(after);
  std::vector<Edit> edits = myers(a, b).value_or(std::vector<Edit>{});
  if (edits.empty()) edits = replace_middle(a, b);
  std::string out = fmt::format("--- {}\n+++ {}\n", path, path);
  for (std::size_t i = 0; i < edits.size();) {
    if (edits[i].op == Op::kKeep) {
      ++i;
      continue;
    }
    // A hunk: from kContext lines before this change to kContext after the last change that
    // lies within 2 * kContext kept lines of the one before it.
    std::size_t begin = i >= kContext ? i - kContext : 0;
    std::size_t end = i;
    for (std::size_t kept = 0; end < edits.size() && kept <= 2 * kContext; ++end) {
      kept = edits[end].op == Op::kKeep ? kept + 1 : 0;
    }
    while (end > i && edits[end - 1].op == Op::kKeep) --end;
    end = std::min(edits.size(), end + kContext);
    std::size_t from_a = 0, from_b = 0;
    for (std::size_t j = begin; j < end; ++j) {
      from_a += edits[j].op != Op::kAdd ? 1 : 0;
      from_b += edits[j].op != Op::kRemove ? 1 : 0;
    }
    out += fmt::format("@@ -{} +{} @@\n", span(edits[begin].a, from_a), span(edits[begin].b, from_b));
    for (std::size_t j = begin; j < end; ++j) {
      const Edit& e = edits[j];
      print_line(out, e.op == Op::kKeep ? ' ' : e.op == Op::kRemove ? '-' : '+', e.op == Op::kAdd ? b[e.b] : a[e.a]);
    }
    i = end;
  }
  return out;
}

}  // namespace termijn::format
