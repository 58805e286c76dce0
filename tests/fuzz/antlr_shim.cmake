# Clang and Debian's ANTLR 4.7.2 runtime headers: misc/InterpreterDataReader.h default-constructs
# a dfa::Vocabulary whose `const std::vector` members libstdc++ leaves without a user-provided
# constructor, which GCC accepts and clang rejects. For the clang fuzz build only, a copy of
# antlr4-runtime.h and a patched InterpreterDataReader.h go first on the include path; every other
# header still comes from /usr/include/antlr4-runtime.
set(shim ${CMAKE_BINARY_DIR}/antlr-shim)
set(runtime_headers /usr/include/antlr4-runtime)
file(READ ${runtime_headers}/misc/InterpreterDataReader.h reader)
string(REPLACE "InterpreterData() {};"
               "InterpreterData() : vocabulary(std::vector<std::string>(), std::vector<std::string>()) {}"
               reader "${reader}")
file(WRITE ${shim}/misc/InterpreterDataReader.h "${reader}")
file(COPY ${runtime_headers}/antlr4-runtime.h DESTINATION ${shim})
include_directories(BEFORE SYSTEM ${shim})
