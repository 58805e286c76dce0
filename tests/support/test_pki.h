// A throwaway public-key infrastructure for the TLS tests, made with the `openssl` tool as an
// operator would make theirs: a CA, a server certificate for 127.0.0.1 and localhost, one for
// another name, client certificates of two organisations and one naming none, and a second CA
// nobody trusts with a client certificate of its own; also a client certificate naming two
// organisations and a server certificate with its name only in the subject (no subjectAltName). EC P-256 keys, so it takes a moment.
#pragma once

#include <fmt/format.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <string>

namespace termijn::testing {

class TestPki {
 public:
  TestPki() : dir_(std::filesystem::temp_directory_path() / fmt::format("termijn-{}-pki", getpid())) {
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
    make_ca("ca", "Termijn Test CA");
    make_ca("rogue-ca", "Niemands CA");
    make_leaf("server", "ca", "/CN=localhost", "serverAuth", "subjectAltName=IP:127.0.0.1,DNS:localhost");
    make_leaf("elsewhere", "ca", "/CN=elders.example", "serverAuth", "subjectAltName=DNS:elders.example");
    make_leaf("testregio", "ca", "/O=Testregio/CN=zorgsysteem", "clientAuth", "");
    make_leaf("anderegio", "ca", "/O=Anderegio/CN=zorgsysteem", "clientAuth", "");
    make_leaf("nameless", "ca", "/CN=zonder-organisatie", "clientAuth", "");
    make_leaf("twice", "ca", "/O=Testregio/O=Anderegio/CN=zorgsysteem", "clientAuth", "");
    make_leaf("cn-only", "ca", "/CN=localhost", "serverAuth", "");
    make_leaf("rogue", "rogue-ca", "/O=Testregio/CN=indringer", "clientAuth", "");
  }
  ~TestPki() { std::filesystem::remove_all(dir_); }
  TestPki(const TestPki&) = delete;
  TestPki& operator=(const TestPki&) = delete;

  // "<name>.pem" and "<name>.key" of the certificates above.
  std::string cert(const std::string& name) const { return (dir_ / (name + ".pem")).string(); }
  std::string key(const std::string& name) const { return (dir_ / (name + ".key")).string(); }

 private:
  void run(const std::string& command) const {
    std::string line = fmt::format("cd '{}' && {} >/dev/null 2>&1", dir_.string(), command);
    if (std::system(line.c_str()) != 0) throw std::runtime_error("the test PKI could not be made: " + command);
  }
  void make_ca(const std::string& name, const std::string& cn) const {
    run(fmt::format("openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -keyout {0}.key "
                    "-out {0}.pem -days 30 -subj '/CN={1}' -addext basicConstraints=critical,CA:TRUE "
                    "-addext keyUsage=critical,keyCertSign",
                    name, cn));
  }
  void make_leaf(const std::string& name, const std::string& ca, const std::string& subject, const std::string& usage,
                 const std::string& san) const {
    std::ofstream(dir_ / (name + ".ext")) << "extendedKeyUsage=" << usage << "\n" << (san.empty() ? "" : san + "\n");
    run(fmt::format("openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -keyout {0}.key "
                    "-out {0}.csr -subj '{1}' && openssl x509 -req -in {0}.csr -CA {2}.pem -CAkey {2}.key "
                    "-CAcreateserial -days 30 -extfile {0}.ext -out {0}.pem && chmod 600 {0}.key",
                    name, subject, ca));
  }

  std::filesystem::path dir_;
};

}  // namespace termijn::testing
