// What an audit entry records: the engine's whole vocabulary, in one place. The store writes each
// kind's text (to_string), which is what the audit table, its hash chain and its readers see;
// the engine itself compares kinds, not texts.
#pragma once

#include <cstdint>
#include <initializer_list>

namespace termijn::runtime {

enum class AuditKind : std::uint8_t {
  // A case's course (the runtime).
  kCaseStarted,
  kCaseEnded,
  kCaseDataSet,      // a `set` step
  kCaseDataUpdated,  // new data from outside, through the runtime
  kStageEntered,
  kStageEnded,  // its term passed
  kMilestoneReached,
  kDecided,
  kSelected,  // `for each ... where`
  kAccepted,
  kRefused,  // a `refuse` step, or a command the engine refused
  kSignalled,
  kNotification,
  kNotNotified,
  kEventReceived,
  kEventHandled,
  kSubProcessStarted,
  kSubProcessEnded,
  kTaskOpened,
  kTaskCompleted,
  kTaskCancelled,
  kInstrumentScored,
  kEscalated,
  kTimerSet,
  kTimerMoved,
  kTimerFired,
  kDeadlineMoved,
  kIncidentOpened,
  kIncidentRetried,
  kIncidentDismissed,
  kIncidentClosed,
  // The engine around the runtime (api, store).
  kCaseDataChanged,
  kCaseDataPurged,
  kPersonalDataRead,
  kProcessesDeployed,
  kTokenIssued,
  kTokenRevoked,
  kAuditLogKeyed,
};

constexpr const char* to_string(AuditKind kind) {
  switch (kind) {
    case AuditKind::kCaseStarted: return "case started";
    case AuditKind::kCaseEnded: return "case ended";
    case AuditKind::kCaseDataSet: return "case data set";
    case AuditKind::kCaseDataUpdated: return "case data updated";
    case AuditKind::kStageEntered: return "stage entered";
    case AuditKind::kStageEnded: return "stage ended";
    case AuditKind::kMilestoneReached: return "milestone reached";
    case AuditKind::kDecided: return "decided";
    case AuditKind::kSelected: return "selected";
    case AuditKind::kAccepted: return "accepted";
    case AuditKind::kRefused: return "refused";
    case AuditKind::kSignalled: return "signalled";
    case AuditKind::kNotification: return "notification";
    case AuditKind::kNotNotified: return "not notified";
    case AuditKind::kEventReceived: return "event received";
    case AuditKind::kEventHandled: return "event handled";
    case AuditKind::kSubProcessStarted: return "sub-process started";
    case AuditKind::kSubProcessEnded: return "sub-process ended";
    case AuditKind::kTaskOpened: return "task opened";
    case AuditKind::kTaskCompleted: return "task completed";
    case AuditKind::kTaskCancelled: return "task cancelled";
    case AuditKind::kInstrumentScored: return "instrument scored";
    case AuditKind::kEscalated: return "escalated";
    case AuditKind::kTimerSet: return "timer set";
    case AuditKind::kTimerMoved: return "timer moved";
    case AuditKind::kTimerFired: return "timer fired";
    case AuditKind::kDeadlineMoved: return "deadline moved";
    case AuditKind::kIncidentOpened: return "incident opened";
    case AuditKind::kIncidentRetried: return "incident retried";
    case AuditKind::kIncidentDismissed: return "incident dismissed";
    case AuditKind::kIncidentClosed: return "incident closed";
    case AuditKind::kCaseDataChanged: return "case data changed";
    case AuditKind::kCaseDataPurged: return "case data purged";
    case AuditKind::kPersonalDataRead: return "personal data read";
    case AuditKind::kProcessesDeployed: return "processes deployed";
    case AuditKind::kTokenIssued: return "token issued";
    case AuditKind::kTokenRevoked: return "token revoked";
    case AuditKind::kAuditLogKeyed: return "audit log keyed";
  }
  return "?";
}

// A set of kinds: those a reader of the facts reads (Runtime::set_recording).
class AuditKinds {
 public:
  constexpr AuditKinds() = default;  // none
  constexpr AuditKinds(std::initializer_list<AuditKind> kinds) {
    for (AuditKind kind : kinds) add(kind);
  }
  static constexpr AuditKinds all() {
    AuditKinds every;
    every.bits_ = ~std::uint64_t{0};
    return every;
  }
  constexpr void add(AuditKind kind) { bits_ |= bit(kind); }
  constexpr bool has(AuditKind kind) const { return (bits_ & bit(kind)) != 0; }

 private:
  static constexpr std::uint64_t bit(AuditKind kind) { return std::uint64_t{1} << static_cast<unsigned>(kind); }
  std::uint64_t bits_ = 0;
};
static_assert(static_cast<unsigned>(AuditKind::kAuditLogKeyed) < 64, "AuditKinds holds a kind in a bit of 64");

}  // namespace termijn::runtime
