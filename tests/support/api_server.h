// An engine with its HTTP API on a background thread, as `termijn serve` runs it: one io_context
// thread owns the engine, the server and the notification delivery. Tests reach the engine only
// through on_engine(), which runs on that thread.
#pragma once

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/post.hpp>

#include <future>
#include <memory>
#include <stdexcept>
#include <string>
#include <thread>

#include "engine/api/engine.h"
#include "engine/api/http/api.h"
#include "engine/api/http/delivery.h"
#include "engine/api/http/monitor.h"
#include "engine/api/http/server.h"
#include "engine/api/group_commit.h"
#include "engine/api/real_time.h"

namespace termijn::testing {

class ApiServer {
 public:
  ApiServer(const std::string& db_path, Clock& clock, const std::string& processes, const std::string& stdlib,
            http::ServerOptions options = {}, http::DeliveryOptions delivery = {}, bool durable = true,
            http::MonitorOptions monitor = {})
      : clock_(clock), work_(io_.get_executor()) {
    auto opened = Engine::open(EngineOptions{db_path, &clock, {stdlib}, durable});
    if (!opened.is_ok()) throw std::runtime_error(opened.status().message());
    engine_ = std::move(opened.value());
    if (!processes.empty()) {
      DeployResult deployed = engine_->deploy({processes});
      if (!deployed.ok()) throw std::runtime_error(render(deployed.diagnostics));
    }
    delivery_ = std::make_unique<http::OutboxDelivery>(io_, engine_->store(), delivery);
    engine_->subscribe([this](const runtime::Notification&) { delivery_->kick(); });
    monitor_ = std::make_unique<http::Monitor>(*engine_, monitor);
    monitor_->recovery_done();
    group_commit_ = std::make_unique<GroupCommit>(*engine_, io_);
    api_ = std::make_unique<http::HttpApi>(*engine_, http::ApiHooks{{}, monitor_.get(), Logger(),
                                                                     [this] { group_commit_->schedule(); }});
    options.port = 0;
    server_ = std::make_unique<http::HttpServer>(io_, *api_, options);
    auto port = server_->listen();
    if (!port.is_ok()) throw std::runtime_error(port.status().message());
    port_ = *port;
    thread_ = std::thread([this] { io_.run(); });
  }

  ~ApiServer() {
    on_engine([this] {
      server_->close();
      return 0;
    });
    work_.reset();
    io_.stop();
    thread_.join();
  }

  unsigned short port() const { return port_; }

  // Runs `f` on the engine's thread and returns its result. The engine commits what `f` does
  // before it returns, as a host's own commands are (the API's commands go in groups).
  template <typename F>
  auto on_engine(F f) -> decltype(f()) {
    std::packaged_task<decltype(f())()> task(std::move(f));
    auto result = task.get_future();
    boost::asio::post(io_, [this, &task] {
      engine_->defer_commits(false);
      task();
      engine_->defer_commits(true);
    });
    return result.get();
  }

  // A token for `role` (one a deployed process declares, or beheer), held by `organisation`.
  std::string token(const std::string& role, const std::string& organisation = "Testregio") {
    auto issued = on_engine([&] {
      return http::issue_token(*engine_, store::TokenHolder{role + "-" + std::to_string(++tokens_), organisation, role},
                               Actor::host("test"));
    });
    if (!issued.is_ok()) throw std::runtime_error(issued.status().message());
    return *issued;
  }

  // Runs the real-time timer loop on the engine's clock (virtual in tests): it wakes at the next
  // due moment or after a minute, and is what /readyz watches. Until then the server is not ready.
  void drive_timers() {
    on_engine([this] {
      driver_ = std::make_unique<RealTimeDriver>(*engine_, clock_, io_);
      monitor_->watch(*driver_);
      driver_->schedule();
      return 0;
    });
  }

  void add_sink(std::unique_ptr<http::NotificationSink> sink) {
    on_engine([&] {
      delivery_->add(std::move(sink));
      return 0;
    });
  }

  // Delivers every notification to the webhook at `url`.
  void add_webhook(const std::string& url, http::WebhookOptions options) {
    auto sink = http::make_webhook_sink(io_, url, std::move(options));
    if (!sink.is_ok()) throw std::runtime_error(sink.status().message());
    add_sink(std::move(sink.value()));
  }

  Engine& engine() { return *engine_; }  // only inside on_engine()
  boost::asio::io_context& io() { return io_; }

 private:
  Clock& clock_;
  boost::asio::io_context io_;
  boost::asio::executor_work_guard<boost::asio::io_context::executor_type> work_;
  std::unique_ptr<Engine> engine_;
  std::unique_ptr<GroupCommit> group_commit_;  // after the engine: it stops deferring before the engine goes
  std::unique_ptr<http::OutboxDelivery> delivery_;
  std::unique_ptr<http::Monitor> monitor_;
  std::unique_ptr<RealTimeDriver> driver_;
  std::unique_ptr<http::HttpApi> api_;
  std::unique_ptr<http::HttpServer> server_;
  unsigned short port_ = 0;
  int tokens_ = 0;
  std::thread thread_;
};

}  // namespace termijn::testing
