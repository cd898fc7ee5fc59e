#include "base/input_files.h"

#include <fcntl.h>
#include <poll.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "base/limits.h"

namespace calm {

namespace {

constexpr int kPipeTimeoutMs = 10000;

const char* file_kind(mode_t m) {
  return S_ISDIR(m)    ? "a directory"
         : S_ISFIFO(m) ? "a FIFO"
         : S_ISCHR(m)  ? "a character device"
         : S_ISBLK(m)  ? "a block device"
         : S_ISSOCK(m) ? "a socket"
                       : "not a regular file";
}

}  // namespace

bool read_text_file(const std::string& path, std::string& text, Diagnostics& diags) {
  SourceLocation at{path, 0, 0};
  text.clear();
  if (path.find('\0') != std::string::npos) {
    diags.error("calm-io-error", "the file name holds a NUL byte", at);
    return false;
  }
  // Opened without blocking (a FIFO with no writer would wait forever) and checked
  // on the open descriptor: only regular files are read.
  int fd = ::open(path.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
  if (fd < 0) {
    int err = errno;
    diags.error("calm-io-error",
                err == ENOENT ? std::string("no such file")
                              : "cannot open for reading: " + std::string(std::strerror(err)),
                at);
    return false;
  }
  struct stat st;
  if (::fstat(fd, &st) != 0) {
    diags.error("calm-io-error", "cannot read: " + std::string(std::strerror(errno)), at);
    ::close(fd);
    return false;
  }
  const bool pipe = S_ISFIFO(st.st_mode);  // `--facts <(...)`, a named pipe
  if (!S_ISREG(st.st_mode) && !pipe) {
    diags.error("calm-io-error",
                S_ISDIR(st.st_mode)
                    ? std::string("is a directory, not a file")
                    : std::string("is ") + file_kind(st.st_mode) + ", not a regular file; not read",
                at);
    ::close(fd);
    return false;
  }
  if (uint64_t(st.st_size) > kMaxInputBytes) {
    diags.error("calm-io-error",
                "file is too large (" + std::to_string(st.st_size) + " bytes; the limit is " +
                    std::to_string(kMaxInputBytes) + ")",
                at);
    ::close(fd);
    return false;
  }
  // A regular file is read in blocking mode; a pipe stays non-blocking: with no writer
  // it reads as empty, and a writer that sends nothing for kPipeTimeoutMs is an error.
  if (!pipe) ::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) & ~O_NONBLOCK);
  // Reads at most the limit (the file may grow while it is read).
  text.resize(size_t(st.st_size));
  size_t got = 0;
  for (;;) {
    if (got == text.size()) {
      if (text.size() >= kMaxInputBytes + 1) break;
      text.resize(std::min(kMaxInputBytes + 1, std::max<size_t>(4096, text.size() * 2)));
    }
    ssize_t n = ::read(fd, text.data() + got, text.size() - got);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && pipe && (errno == EAGAIN || errno == EWOULDBLOCK)) {
      struct pollfd p = {fd, POLLIN, 0};
      int ready = ::poll(&p, 1, kPipeTimeoutMs);
      if (ready == 0) {
        diags.error("calm-io-error",
                    "a pipe that sent nothing for " + std::to_string(kPipeTimeoutMs / 1000) +
                        " seconds; not read",
                    at);
        ::close(fd);
        text.clear();
        return false;
      }
      continue;
    }
    if (n < 0) {
      diags.error("calm-io-error", "read failed: " + std::string(std::strerror(errno)), at);
      ::close(fd);
      text.clear();
      return false;
    }
    if (n == 0) break;
    got += size_t(n);
  }
  ::close(fd);
  text.resize(got);
  if (got > kMaxInputBytes) {
    diags.error("calm-io-error",
                "file is too large (more than " + std::to_string(kMaxInputBytes) + " bytes)", at);
    text.clear();
    return false;
  }
  return true;
}

bool read_source_file(const std::string& path, std::string& text, Diagnostics& diags) {
  return read_text_file(path, text, diags) && validate_source_text(path, text, diags);
}

bool validate_source_text(const std::string& path, std::string& text, Diagnostics& diags) {
  if (size_t nul = text.find('\0'); nul != std::string::npos) {
    diags.error("calm-parse-error", "binary file (NUL byte); not a Ruby source file",
                location_at(path, text, nul));
    text.clear();
    return false;
  }
  if (size_t bad = invalid_utf8_at(text); bad != std::string::npos) {
    diags.error("calm-parse-error", "invalid UTF-8 in source file", location_at(path, text, bad));
    text.clear();
    return false;
  }
  return true;
}

}  // namespace calm
