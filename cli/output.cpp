#include "cli/output.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <iostream>
#include <random>
#include <sstream>

namespace fs = std::filesystem;

namespace calm::cli {

namespace {

std::string reason(int err) { return std::strerror(err); }

/// Writes all of `content` to `fd`; 0 or the errno of the failure.
int write_all(int fd, const std::string& content) {
  const char* p = content.data();
  size_t left = content.size();
  while (left > 0) {
    ssize_t n = ::write(fd, p, left);
    if (n < 0) {
      if (errno == EINTR) continue;
      return errno;
    }
    p += n;
    left -= size_t(n);
  }
  return 0;
}

/// Follows a chain of symbolic links to the path they finally name (which may not
/// exist yet: `-o link` with a dangling link creates the link's target).
bool resolve_links(fs::path& p, std::string& error, const std::string& shown) {
  for (int hops = 0;; ++hops) {
    struct stat st;
    if (::lstat(p.c_str(), &st) != 0 || !S_ISLNK(st.st_mode)) return true;
    if (hops == 40) {
      error = shown + ": " + reason(ELOOP);
      return false;
    }
    std::error_code ec;
    fs::path t = fs::read_symlink(p, ec);
    if (ec) {
      error = shown + ": cannot read the symbolic link: " + ec.message();
      return false;
    }
    p = t.is_absolute() ? t : p.parent_path() / t;
  }
}

/// Writes straight into a target that is not a regular file (a device, a FIFO).
bool write_through(const std::string& shown, const fs::path& p, const std::string& content,
                   std::string& error) {
  int fd = ::open(p.c_str(), O_WRONLY | O_CLOEXEC | O_NOCTTY);
  if (fd < 0) {
    error = shown + ": cannot open for writing: " + reason(errno);
    return false;
  }
  int err = write_all(fd, content);
  if (::close(fd) != 0 && err == 0 && errno != EINTR) err = errno;
  if (err) {
    error = shown + ": write failed: " + reason(err);
    return false;
  }
  return true;
}

}  // namespace

bool write_output(const std::string& path, const std::string& content, std::string& error) {
  if (path.empty() || path == "-") {
    errno = 0;
    std::cout << content;
    std::cout.flush();
    if (!std::cout) {
      int err = errno;
      error = "standard output: write failed" + (err ? ": " + reason(err) : std::string());
      return false;
    }
    return true;
  }
  if (path.find('\0') != std::string::npos) {
    error = "output path holds a NUL byte";
    return false;
  }
  // What the path finally names (links followed): a device or pipe is opened by the
  // path itself (`/dev/stdout` is a link to `/proc/self/fd/1`, whose target may be a
  // pipe with no name).
  struct stat st;
  bool exists = ::stat(path.c_str(), &st) == 0;
  if (!exists && errno != ENOENT) {
    error = path + ": " + reason(errno);
    return false;
  }
  if (exists && S_ISDIR(st.st_mode)) {
    error = path + ": " + reason(EISDIR);
    return false;
  }
  if (exists && !S_ISREG(st.st_mode)) return write_through(path, fs::path(path), content, error);
  // A regular file or a new one: the file a chain of links ends at is replaced.
  fs::path target(path);
  if (!resolve_links(target, error, path)) return false;
  if (exists && ::access(target.c_str(), W_OK) != 0) {
    error = path + ": cannot write: " + reason(errno);
    return false;
  }

  fs::path dir = target.has_parent_path() ? target.parent_path() : fs::path(".");
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) {
    error = path + ": directory '" + dir.string() + "' does not exist";
    return false;
  }
  // A regular file (or a new one): a temporary file beside it, renamed over it only
  // when every byte is written, so a failure leaves the old file as it was.
  std::random_device rd;
  fs::path tmp;
  int fd = -1;
  for (int attempt = 0; fd < 0 && attempt < 100; ++attempt) {
    tmp = dir / ("." + target.filename().string() + ".tmp" + std::to_string(rd()));
    fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
    if (fd < 0 && errno != EEXIST) break;
  }
  if (fd < 0) {
    error = path + ": cannot write into '" + dir.string() + "': " + reason(errno);
    return false;
  }
  int err = write_all(fd, content);
  if (!err && exists) {
    // Keep the old file's permissions (and, when allowed, its owner).
    if (::fchmod(fd, st.st_mode & 07777) != 0) err = errno;
    if (!err && (st.st_uid != ::geteuid() || st.st_gid != ::getegid()))
      (void)!::fchown(fd, st.st_uid, st.st_gid);
  }
  if (!err && ::fsync(fd) != 0 && errno != EINVAL && errno != EROFS) err = errno;
  if (::close(fd) != 0 && !err && errno != EINTR) err = errno;
  if (err) {
    ::unlink(tmp.c_str());
    error = path + ": write failed: " + reason(err);
    return false;
  }
  if (::rename(tmp.c_str(), target.c_str()) != 0) {
    err = errno;
    ::unlink(tmp.c_str());
    error = path + ": cannot replace the file: " + reason(err);
    return false;
  }
  return true;
}

namespace {
std::string source_line(const std::map<std::string, std::string>& sources,
                        const SourceLocation& l) {
  auto it = sources.find(l.file);
  if (it == sources.end() || l.line <= 0) return "";
  std::istringstream in(it->second);
  std::string line;
  for (int i = 1; std::getline(in, line); ++i)
    if (i == l.line) return line;
  return "";
}

void append_located(std::string& out, const std::string& severity, const std::string& message,
                    const SourceLocation& loc) {
  std::string where = to_string(loc);
  out += (where.empty() ? std::string("calm") : where) + ": " + severity + ": " + message;
}

void append_snippet(std::string& out, const SourceLocation& loc,
                    const std::map<std::string, std::string>& sources) {
  std::string line = source_line(sources, loc);
  if (line.empty()) return;
  // A long line (minified JSON, a generated program) shows a window around the column.
  constexpr size_t kWindow = 80;
  size_t col = size_t(std::max(loc.column, 1)) - 1;
  std::string prefix, suffix;
  if (line.size() > 2 * kWindow) {
    size_t from = col > kWindow ? col - kWindow : 0;
    size_t to = std::min(line.size(), from + 2 * kWindow);
    auto boundary = [&](size_t i) {  // never cut a UTF-8 sequence
      while (i > 0 && i < line.size() && (static_cast<unsigned char>(line[i]) & 0xC0) == 0x80) --i;
      return i;
    };
    from = boundary(from);
    to = boundary(to);
    if (from > 0) prefix = "...";
    if (to < line.size()) suffix = "...";
    line = prefix + line.substr(from, to - from) + suffix;
    col = col - from + prefix.size();
  }
  out += "  " + line + "\n  ";
  for (size_t i = 0; i < col && i < line.size(); ++i) out += line[i] == '\t' ? '\t' : ' ';
  out += "^\n";
}
}  // namespace

std::string format_diagnostic(const Diagnostic& d,
                              const std::map<std::string, std::string>& sources) {
  std::string out;
  append_located(out, to_string(d.severity), d.message, d.location);
  if (!d.check.empty()) out += " [" + d.check + "]";
  out += "\n";
  append_snippet(out, d.location, sources);
  for (const auto& n : d.notes) {
    append_located(out, to_string(Severity::Note), n.message, n.location);
    out += "\n";
  }
  return out;
}

}  // namespace calm::cli
