// bytes -> damage to a small valid database file -> Engine::open and a few reads.
//
// Setup (once per process) makes the database: the engine on a VirtualClock deploys
// processes/landelijk.wth, starts three cases, completes a task and lets three days pass (timers
// fire, rungs escalate), then closes; its file's bytes are kept. Each input is a list of patches
// read front to back: an operation byte, then a page and an offset in it, then
//   0: xor one byte  1: overwrite 1..16 bytes  2: a 32-bit big-endian number (SQLite's page
//   numbers, counts and sizes)  3: cut the file there.
// An empty input opens the undamaged file. The result is written to a scratch file and opened;
// when it opens, cases(), tasks() (open and all), timers(), audit() and verify_audit() run.
//
// Invariant: no crash, leak or undefined behaviour. A damaged file is refused by Engine::open with
// a Status, or read; a damaged row that only a read reaches may throw std::exception, as the
// store's reads document (hosts catch it).
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

#include "engine/api/engine.h"
#include "engine/time/instant.h"
#include "fuzz_support.h"

namespace {

using termijn::Engine;
using termijn::EngineOptions;
using termijn::Json;
using termijn::fuzz::fail;

constexpr int kMaxPatches = 32;

termijn::Instant start_time() { return *termijn::parse_instant("2026-10-20 14:00"); }

struct World {
  termijn::fuzz::ScratchDir scratch{"store-fuzz"};
  termijn::VirtualClock clock{start_time()};
  std::string pristine;
  std::size_t page_size = 0;

  std::unique_ptr<Engine> open(const std::filesystem::path& db) {
    auto opened = Engine::open(EngineOptions{db.string(), &clock, {termijn::fuzz::source_dir() / "stdlib"}, /*durable=*/false});
    if (!opened.is_ok()) return nullptr;
    return std::move(opened.value());
  }

  World() {
    const auto seed = scratch.path() / "seed.db";
    {
      auto engine = open(seed);
      if (!engine) fail("cannot create the seed database");
      auto deployed = engine->deploy({(termijn::fuzz::source_dir() / "processes/landelijk.wth").string()});
      if (!deployed.ok()) fail("landelijk.wth does not deploy: " + termijn::render(deployed.diagnostics));
      for (int i = 0; i < 3; ++i) {
        auto started = engine->start_case("landelijk", Json{{"aanhouding", i != 1}, {"aangehouden_op", "2026-10-20 13:30"}, {"kindermishandeling", i == 2}});
        if (!started.is_ok()) fail("cannot start a case: " + started.status().message());
      }
      Json open_tasks = engine->tasks(termijn::store::TaskQuery{});
      if (!open_tasks.empty()) {
        (void)engine->complete_task(open_tasks[0]["id"].get<std::int64_t>(), open_tasks[0]["role"].get<std::string>(),
                                    Json{{"meerderjarig", true}, {"ernstig_en_onmiddellijk_gevaar", true},
                                         {"woont_anders_dan_incidenteel", true}});
      }
      engine->run_until(clock, start_time() + std::chrono::hours(72));
    }
    auto bytes = termijn::fuzz::read_file(seed);
    if (!bytes || bytes->size() < 100) fail("the seed database was not written");
    // The page size from the file's header (offset 16, big-endian; 1 stands for 65536): the
    // store chooses it (store.cc, kPageSize), and a patch addresses a page.
    const std::size_t size = static_cast<std::size_t>(static_cast<unsigned char>((*bytes)[16]) << 8 |
                                                      static_cast<unsigned char>((*bytes)[17]));
    page_size = size == 1 ? 65536 : size;
    if (page_size < 512 || bytes->size() < page_size) fail("the seed database has no whole page");
    if (std::filesystem::exists(seed.string() + "-wal")) fail("the seed database kept its WAL after closing");
    pristine = std::move(*bytes);
  }
};

World& world() {
  static World w;
  return w;
}

void put32(std::string& db, std::size_t at, std::uint32_t v) {
  for (int i = 0; i < 4 && at + i < db.size(); ++i) db[at + i] = static_cast<char>(v >> (24 - 8 * i));
}

std::string damaged(const std::uint8_t* data, std::size_t size) {
  std::string db = world().pristine;
  const std::size_t page_size = world().page_size;
  termijn::fuzz::ByteReader in(data, size);
  for (int n = 0; n < kMaxPatches && in.remaining() > 0 && !db.empty(); ++n) {
    std::uint8_t op = in.byte();
    std::size_t pages = (db.size() + page_size - 1) / page_size;
    std::size_t page = in.in_range(0, pages - 1);
    // Half the time near the page's start: the headers and cell pointers SQLite reads first.
    std::size_t span = (op & 0x80) != 0 ? 128 : page_size;
    std::size_t at = std::min(db.size() - 1, page * page_size + in.in_range(0, span - 1));
    switch (op % 4) {
      case 0: db[at] = static_cast<char>(db[at] ^ std::max<std::uint8_t>(1, in.byte())); break;
      case 1: {
        std::string bytes = in.bytes(in.in_range(1, 16));
        db.replace(at, std::min(bytes.size(), db.size() - at), bytes.substr(0, db.size() - at));
        break;
      }
      case 2: put32(db, at, in.u32()); break;
      case 3: db.resize(at); break;
    }
  }
  return db;
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int* /*argc*/, char*** /*argv*/) {
  world();
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  World& w = world();
  const auto db = w.scratch.path() / "damaged.db";
  termijn::fuzz::remove_database(db);
  termijn::fuzz::write_file(db, damaged(data, size));
  w.clock.set(start_time() + std::chrono::hours(72));
  std::unique_ptr<Engine> engine = w.open(db);
  if (engine) {
    // Damage the open checks cannot see (a changed byte inside a stored text, a page only a read
    // reaches) surfaces as an exception from that read, which hosts catch (the CLI exits 2 with
    // the reason, the API answers 500 with an incident id). A crash, a leak or undefined
    // behaviour is a finding; a caught exception is not.
    try {
      (void)engine->cases();
      (void)engine->tasks(termijn::store::TaskQuery{});
      termijn::store::TaskQuery all;
      all.open_only = false;
      (void)engine->tasks(all);
      (void)engine->timers(1);
      (void)engine->audit();
      (void)engine->verify_audit();
    } catch (const std::exception&) {
    }
  }
  engine.reset();
  termijn::fuzz::remove_database(db);
  return 0;
}
