// The audit log's hash chain. Each entry's link covers the link before it, its number, case,
// moment and kind, and the hash of its detail (so retention can erase a detail and the chain
// still proves nothing else changed). A plain SHA-256 chain finds damage, but whoever can write
// the database file can rewrite an entry and re-chain everything after it. A *keyed* database
// links its entries with HMAC-SHA256 under a key kept outside the database, from a recorded entry
// on; without the key no one can compute a link, so a rewrite shows.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "engine/base/sha256.h"
#include "engine/runtime/audit_kind.h"

namespace termijn::store {

class Database;

// The secret of a keyed audit chain: 32 bytes or more, from a file only its owner may read.
class AuditKey {
 public:
  // Throws SqliteError naming the file and what is wrong with it.
  static AuditKey from_file(const std::string& path);
  // Names the key without giving it away: an HMAC under the key of a fixed label.
  std::string fingerprint() const;
  const std::string& secret() const { return secret_; }

 private:
  explicit AuditKey(std::string secret) : secret_(std::move(secret)) {}
  std::string secret_;
};

struct AuditCheck {
  bool ok = true;
  std::int64_t entries = 0;
  std::string problem;        // the first broken link, when not ok
  std::int64_t keyed_from = 0;  // the first entry linked with the key; 0: the log is not keyed
};

// The kind of the entry that keys a log; it is the first keyed entry, so the keying point cannot be
// moved without forging a link.
inline constexpr const char* kAuditKeyedKind = runtime::to_string(runtime::AuditKind::kAuditLogKeyed);

// How a database's links are computed: SHA-256 before `from_seq`, HMAC-SHA256 under `key` from it
// on (from_seq 0: never keyed).
struct ChainKeying {
  std::int64_t from_seq = 0;
  std::optional<AuditKey> key;
};

// Reads how `db` is keyed (table audit_keying) and holds `key` to it. Throws SqliteError when the
// database is keyed and `key` is missing or another, and when a key is given for a database that
// records none: either it was never keyed (key it with `termijn audit key`) or its keying was
// removed, and verifying it without the key would prove nothing.
ChainKeying read_keying(Database& db, const std::optional<AuditKey>& key);

// An entry's link: SHA-256 (HMAC-SHA256 in a keyed log) of "prev|seq|case|at|kind|detail_hash",
// `prev` the link before as stored (empty before the first entry) and both hashes in lowercase
// hex. Since migration 9 a link is stored as its 32 bytes, no longer as 64 hex digits; its message
// is the same, so links written before verify as they did.
Sha256Digest chain_link(const ChainKeying& keying, std::string_view prev, std::int64_t seq, std::int64_t case_id,
                        std::int64_t at, const std::string& kind, const Sha256Digest& detail_hash);

// Checks the entries from `first` to the end, that the head names the last, and that a keyed log
// holds its keying entry where the keying says. An entry's detail is checked against the link,
// through its hash; a purged entry keeps the hash of the detail it had (column detail_hash, NULL
// for every other entry) and only that detail, 'null', is accepted beside it.
AuditCheck verify_chain(Database& db, const ChainKeying& keying, std::int64_t first);

}  // namespace termijn::store
