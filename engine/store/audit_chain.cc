#include "engine/store/audit_chain.h"

#include <fmt/format.h>

#include <algorithm>

#include "engine/base/json_text.h"
#include "engine/base/secret_file.h"
#include "engine/base/sha256.h"
#include "engine/store/sqlite.h"

namespace termijn::store {

namespace {

// Fewer bytes than a SHA-256 output weaken the HMAC; a file far larger than any key is the wrong
// file (a database, a log) given by mistake.
constexpr std::size_t kMinKeyBytes = 32;
constexpr std::size_t kMaxKeyBytes = 4096;

constexpr const char* kFingerprintLabel = "termijn audit key fingerprint v1";

std::string short_fingerprint(const std::string& fingerprint) { return fingerprint.substr(0, 16); }

}  // namespace

AuditKey AuditKey::from_file(const std::string& path) {
  // Whoever can read the key can re-chain a rewritten log: only its owner may.
  Result<std::string> secret = read_secret_file(path, "audit key", kMinKeyBytes, kMaxKeyBytes);
  if (!secret.is_ok()) throw SqliteError(secret.status().message());
  return AuditKey(std::move(*secret));
}

std::string AuditKey::fingerprint() const { return hmac_sha256_hex(secret_, kFingerprintLabel); }

ChainKeying read_keying(Database& db, const std::optional<AuditKey>& key) {
  Statement s(db.handle(), "SELECT fingerprint, from_seq FROM audit_keying WHERE id = 1");
  if (!s.step()) {
    if (key) {
      throw SqliteError("its audit log is not keyed, yet an audit key was given: key the log first with "
                        "'termijn audit key' (if it was keyed before, its keying was removed: restore from a backup)");
    }
    return ChainKeying{};
  }
  std::string recorded = s.text(0);
  std::int64_t from_seq = s.integer(1);
  if (from_seq < 1) throw SqliteError(fmt::format("its audit keying names entry {}, which cannot be", from_seq));
  if (!key) {
    throw SqliteError(fmt::format("its audit log is keyed (key {}…) from entry {}: termijn needs that key to open "
                                  "or verify it (--audit-key FILE or TERMIJN_AUDIT_KEY_FILE)",
                                  short_fingerprint(recorded), from_seq));
  }
  if (key->fingerprint() != recorded) {
    throw SqliteError(fmt::format("the audit key given ({}…) is not the key its audit log is keyed with ({}…)",
                                  short_fingerprint(key->fingerprint()), short_fingerprint(recorded)));
  }
  return ChainKeying{from_seq, key};
}

Sha256Digest chain_link(const ChainKeying& keying, std::string_view prev, std::int64_t seq, std::int64_t case_id,
                        std::int64_t at, const std::string& kind, const Sha256Digest& detail_hash) {
  // Appended, not formatted, as every audit entry written makes one.
  std::string message;
  message.reserve(2 * prev.size() + kind.size() + 2 * detail_hash.size() + 3 * 21 + 5);
  message += to_hex(prev);
  message += '|';
  append_decimal(message, seq);
  message += '|';
  append_decimal(message, case_id);
  message += '|';
  append_decimal(message, at);
  message += '|';
  message += kind;
  message += '|';
  message += to_hex(detail_hash);
  if (keying.from_seq == 0 || seq < keying.from_seq) return sha256(message);
  // read_keying never gives a keyed database without its key.
  return hmac_sha256(keying.key->secret(), message);
}

AuditCheck verify_chain(Database& db, const ChainKeying& keying, std::int64_t first) {
  AuditCheck check;
  check.keyed_from = keying.from_seq;
  auto broken = [&check](std::string problem) {
    check.ok = false;
    check.problem = std::move(problem);
    return check;
  };
  // Schema 9 on stores links and kept hashes as their 32 bytes. A database from before, as a
  // backup is checked before it is restored (and migrated only when opened), holds them as 64 hex
  // digits, every entry's detail hash beside it and a purged flag.
  const bool hex = db.scalar("SELECT COUNT(*) FROM pragma_table_info('audit') WHERE name = 'purged'") > 0;
  auto as_stored = [hex](std::string_view bytes) { return hex ? to_hex(bytes) : std::string(bytes); };
  std::string prev;  // the link before, in bytes
  if (first > 1) {
    Statement before(db.handle(), "SELECT hash FROM audit WHERE seq = ?");
    before.bind(1, first - 1);
    if (!before.step()) return broken(fmt::format("entry {} is missing", first - 1));
    prev = before.blob(0);
    if (hex) {
      std::optional<Sha256Digest> link = digest_from_hex(prev);
      if (!link) return broken(fmt::format("entry {} was changed after it was written", first - 1));
      prev = std::string(bytes_of(*link));
    }
  }
  Statement s(db.handle(), hex ? "SELECT seq, case_id, at, kind, detail, hash, CASE WHEN purged <> 0 THEN detail_hash "
                                 "END FROM audit WHERE seq >= ? ORDER BY seq"
                               : "SELECT seq, case_id, at, kind, detail, hash, detail_hash FROM audit WHERE seq >= ? "
                                 "ORDER BY seq");
  s.bind(1, first);
  std::int64_t expected_seq = first;
  while (s.step()) {
    std::int64_t seq = s.integer(0);
    if (seq != expected_seq) return broken(fmt::format("entry {} is missing", expected_seq));
    // A purged entry has lost its detail by design and keeps the hash of the one it had; its
    // link binds that hash, and its place in the chain. The link is computed over the link
    // before it: an entry taken out, or put in, breaks it.
    const std::string detail = s.text(4);
    std::optional<Sha256Digest> detail_hash;
    if (s.is_null(6)) {
      detail_hash = sha256(detail);
    } else if (detail == "null") {
      const std::string kept = s.blob(6);
      if (hex) {
        detail_hash = digest_from_hex(kept);
      } else if (kept.size() == Sha256Digest().size()) {
        detail_hash.emplace();
        std::copy(kept.begin(), kept.end(), detail_hash->begin());
      }
    }
    if (!detail_hash) return broken(fmt::format("entry {} was changed after it was written", seq));
    const Sha256Digest link = chain_link(keying, prev, seq, s.integer(1), s.integer(2), s.text(3), *detail_hash);
    if (s.blob(5) != as_stored(bytes_of(link))) return broken(fmt::format("entry {} was changed after it was written", seq));
    if (seq == keying.from_seq && s.text(3) != kAuditKeyedKind) {
      return broken(fmt::format("the log is keyed from entry {}, which is not the entry that keyed it", seq));
    }
    prev = std::string(bytes_of(link));
    ++expected_seq;
    ++check.entries;
  }
  Statement head(db.handle(), "SELECT seq, hash FROM audit_head WHERE id = 1");
  std::int64_t last = expected_seq - 1;
  if (head.step() && (head.integer(0) != last || head.blob(1) != as_stored(prev))) {
    return broken(fmt::format("the log ends at entry {}, but {} entries were written", last, head.integer(0)));
  }
  // A keying point moved past the end would leave every entry to the plain chain.
  if (keying.from_seq > last) {
    return broken(fmt::format("the log is keyed from entry {}, but ends at entry {}", keying.from_seq, last));
  }
  return check;
}

}  // namespace termijn::store
