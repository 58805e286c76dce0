// The keyed audit chain: a key file only its owner may read, a database that records its key's
// fingerprint, and a rewrite that re-computes the plain SHA-256 chain caught by the key.
#include "engine/base/json_text.h"
#include "engine/store/audit_chain.h"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <functional>
#include <tuple>
#include <vector>

#include "engine/base/sha256.h"
#include "engine/store/store.h"
#include "tests/unit/lifecycle_support.h"

namespace termijn {
namespace {

using testing::temp_path;
using testing::write_key_file;

const std::string kSecret(32, 'k');
const std::string kOtherSecret(48, 'o');

std::string error_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const std::exception& e) {
    return e.what();
  }
  return "";
}

void add_entries(store::Store& s, std::int64_t case_id, int count) {
  runtime::Changes changes;
  for (int i = 0; i < count; ++i) {
    changes.audit.push_back(runtime::AuditEntry{case_id, from_millis(1000 + i), runtime::AuditKind::kTaskCompleted,
                                                json_text(runtime::Json{{"door", fmt::format("medewerker {}", i)}})});
  }
  s.commit(changes, {});
}

// A database with three plain entries, then keyed (entry 4), then two keyed entries.
std::string keyed_database(const std::string& name, const store::AuditKey& key) {
  std::string path = temp_path(name);
  store::Store s(path);
  add_entries(s, 1, 3);
  s.key_audit_log(key, from_millis(5000), runtime::Json{{"host", true}, {"name", "beheerder"}});
  add_entries(s, 1, 2);
  return path;
}

TEST(AuditKeyFile, IsRefusedWhenOthersMayReadItOrItIsTooShort) {
  EXPECT_NE(error_of([] { store::AuditKey::from_file(write_key_file("key-0644", kSecret, 0644)); })
                .find("can be read or written by others (mode 0644); make it the owner's only: chmod 600"),
            std::string::npos);
  EXPECT_NE(error_of([] { store::AuditKey::from_file(write_key_file("key-0640", kSecret, 0640)); }).find("mode 0640"),
            std::string::npos);
  EXPECT_NE(error_of([] { store::AuditKey::from_file(write_key_file("key-short", std::string(31, 'k'))); })
                .find("holds 31 bytes; it needs at least 32"),
            std::string::npos);
  EXPECT_NE(error_of([] { store::AuditKey::from_file(temp_path("key-missing")); }).find("cannot read the audit key file"),
            std::string::npos);
  EXPECT_NE(error_of([] { store::AuditKey::from_file(write_key_file("key-huge", std::string(5000, 'k'))); })
                .find("is it the right file?"),
            std::string::npos);
  store::AuditKey key = store::AuditKey::from_file(write_key_file("key-ok", kSecret, 0400));
  // The fingerprint names the key without being it, or a plain hash of it.
  EXPECT_EQ(key.fingerprint(), hmac_sha256_hex(kSecret, "termijn audit key fingerprint v1"));
  EXPECT_EQ(key.fingerprint().find(kSecret), std::string::npos);
  EXPECT_NE(key.fingerprint(), sha256_hex(kSecret));
}

TEST(KeyedAuditChain, VerifiesWithTheKeyAndRecordsOnlyItsFingerprint) {
  store::AuditKey key = store::AuditKey::from_file(write_key_file("key-verify", kSecret));
  std::string path = keyed_database("keyed-verify.db", key);
  store::Store s(path, true, false, key);
  store::AuditCheck check = s.verify_audit();
  EXPECT_TRUE(check.ok) << check.problem;
  EXPECT_EQ(check.entries, 6);
  EXPECT_EQ(check.keyed_from, 4);
  runtime::Json log = s.audit_log(std::nullopt);
  EXPECT_EQ(log[3]["kind"], "audit log keyed");
  EXPECT_EQ(log[3]["detail"]["fingerprint"], key.fingerprint());
  store::Database raw(path);
  EXPECT_EQ(raw.scalar("SELECT COUNT(*) FROM audit_keying WHERE fingerprint = '" + key.fingerprint() + "'"), 1);
  // New writes go on with the key, one entry or many in a transaction (written 32 rows to a
  // statement, and the rest one by one).
  add_entries(s, 2, 1);
  EXPECT_TRUE(s.verify_audit().ok);
  add_entries(s, 3, 70);
  check = s.verify_audit();
  EXPECT_TRUE(check.ok) << check.problem;
  EXPECT_EQ(check.entries, 6 + 1 + 70);
  // Keying twice is refused.
  EXPECT_NE(error_of([&] { s.key_audit_log(key, from_millis(9000), runtime::Json::object()); }).find("keyed already"),
            std::string::npos);
}

TEST(KeyedAuditChain, ARewriteThatRechainsWithPlainSha256IsFoundWithTheKey) {
  store::AuditKey key = store::AuditKey::from_file(write_key_file("key-attack", kSecret));
  std::string path = keyed_database("keyed-attack.db", key);
  {
    // Whoever can write the file edits entry 5's detail and re-computes every link from there on
    // as the plain chain would: new detail hash, new hashes, new head.
    store::Database db(path);
    db.exec("UPDATE audit SET detail = '{\"door\":\"iemand anders\"}' WHERE seq = 5");
    store::Statement read(db.handle(), "SELECT seq, case_id, at, kind, detail FROM audit WHERE seq >= 5 ORDER BY seq");
    std::string prev;
    {
      store::Statement before(db.handle(), "SELECT hash FROM audit WHERE seq = 4");
      ASSERT_TRUE(before.step());
      prev = before.blob(0);
    }
    std::int64_t last = 0;
    std::vector<std::pair<std::int64_t, std::string>> rewritten;
    while (read.step()) {
      Sha256Digest hash = sha256(fmt::format("{}|{}|{}|{}|{}|{}", to_hex(prev), read.integer(0), read.integer(1),
                                             read.integer(2), read.text(3), sha256_hex(read.text(4))));
      prev = std::string(bytes_of(hash));
      rewritten.emplace_back(read.integer(0), prev);
      last = read.integer(0);
    }
    for (const auto& [seq, hash] : rewritten) {
      store::Statement w(db.handle(), "UPDATE audit SET hash = ? WHERE seq = ?");
      w.bind_blob_unowned(1, hash).bind(2, seq).run();
    }
    store::Statement head(db.handle(), "UPDATE audit_head SET seq = ?, hash = ? WHERE id = 1");
    head.bind(1, last).bind_blob_unowned(2, prev).run();
  }
  // As a plain chain the rewritten entries hold together (an unkeyed log rewritten so passes);
  // with the key they do not.
  store::Database raw(path);
  EXPECT_TRUE(store::verify_chain(raw, store::ChainKeying{}, 5).ok);
  store::Store s(path, true, false, key);
  store::AuditCheck check = s.verify_audit();
  EXPECT_FALSE(check.ok);
  EXPECT_EQ(check.problem, "entry 5 was changed after it was written");
}

TEST(KeyedAuditChain, MovingTheKeyingPointPastTheRewriteIsFound) {
  store::AuditKey key = store::AuditKey::from_file(write_key_file("key-move", kSecret));
  std::string path = keyed_database("keyed-move.db", key);
  {
    store::Database db(path);
    db.exec("UPDATE audit_keying SET from_seq = 7");
  }
  store::Database raw(path);
  store::AuditCheck check = store::verify_chain(raw, store::read_keying(raw, key), 1);
  EXPECT_FALSE(check.ok);
  {
    store::Database db(path);
    db.exec("UPDATE audit_keying SET from_seq = 5");
  }
  check = store::verify_chain(raw, store::read_keying(raw, key), 1);
  EXPECT_FALSE(check.ok);
}

TEST(KeyedAuditChain, AWrongOrMissingKeyIsAClearErrorNotASilentPass) {
  store::AuditKey key = store::AuditKey::from_file(write_key_file("key-right", kSecret));
  store::AuditKey other = store::AuditKey::from_file(write_key_file("key-wrong", kOtherSecret));
  std::string path = keyed_database("keyed-wrong.db", key);
  EXPECT_NE(error_of([&] { store::Store s(path, true, false, other); }).find("is not the key its audit log is keyed with"),
            std::string::npos);
  EXPECT_NE(error_of([&] { store::Store s(path); }).find("its audit log is keyed"), std::string::npos);
  // A key given for a log that records none: never keyed, or its keying removed.
  std::string plain = temp_path("unkeyed.db");
  { store::Store s(plain); }
  EXPECT_NE(error_of([&] { store::Store s(plain, true, false, key); }).find("is not keyed, yet an audit key was given"),
            std::string::npos);
  // An unkeyed database opens and verifies as before.
  store::Store s(plain);
  EXPECT_TRUE(s.verify_audit().ok);
  EXPECT_EQ(s.verify_audit().keyed_from, 0);
}

TEST(KeyedAuditChain, ABrokenLogIsNotKeyed) {
  store::AuditKey key = store::AuditKey::from_file(write_key_file("key-broken", kSecret));
  std::string path = temp_path("broken-unkeyed.db");
  store::Store s(path);
  add_entries(s, 1, 2);
  {
    store::Database db(path);
    db.exec("UPDATE audit SET detail = '{}' WHERE seq = 1");
  }
  EXPECT_NE(error_of([&] { s.key_audit_log(key, from_millis(1), runtime::Json::object()); }).find("does not verify"),
            std::string::npos);
  EXPECT_EQ(s.verify_audit().keyed_from, 0);
}

}  // namespace
}  // namespace termijn
