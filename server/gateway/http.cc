// The HTTP side of the gateway: the server (cpp-httplib), its routes, the
// static files of the respondent app (/a/) and of the staff console (/c/),
// and the security headers.
#include <httplib.h>
#include <spdlog/spdlog.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "gateway/gateway.h"

namespace survey::gateway {
namespace {

namespace fs = std::filesystem;

// The respondent app lives under /a/ (links are https://HOST/a/#TOKEN),
// the staff console under /c/.
constexpr char kAppPrefix[] = "/a/";
constexpr char kConsolePrefix[] = "/c/";

std::string ContentTypeOfFile(const fs::path& path) {
  const std::string ext = path.extension().string();
  if (ext == ".html") return "text/html; charset=utf-8";
  if (ext == ".js" || ext == ".mjs") return "text/javascript; charset=utf-8";
  if (ext == ".css") return "text/css; charset=utf-8";
  if (ext == ".json") return "application/json";
  if (ext == ".webmanifest") return "application/manifest+json";
  if (ext == ".svg") return "image/svg+xml";
  if (ext == ".png") return "image/png";
  if (ext == ".ico") return "image/x-icon";
  if (ext == ".txt") return "text/plain; charset=utf-8";
  return "application/octet-stream";
}

std::string Fnv1a(const std::string& data) {
  uint64_t h = 1469598103934665603ull;
  for (unsigned char c : data) {
    h ^= c;
    h *= 1099511628211ull;
  }
  std::ostringstream out;
  out << '"' << std::hex << h << '"';
  return out.str();
}

void SetHeader(httplib::Response& res, const std::string& key, const std::string& value) {
  // Default headers are already in place; a route's own value replaces them.
  res.headers.erase(key);
  res.set_header(key, value);
}

}  // namespace

// Here, where httplib::Server is a complete type.
Gateway::Gateway(GatewayOptions options) : options_(std::move(options)) {}
Gateway::~Gateway() = default;

absl::Status Gateway::LoadStatic(const std::string& root_dir, const std::string& prefix) {
  const fs::path root(root_dir);
  std::error_code ec;
  if (!fs::is_regular_file(root / "index.html", ec)) {
    return absl::InvalidArgumentError(absl::StrCat(
        prefix == kConsolePrefix ? "--console-root " : "--web-root ", root_dir,
        ": no index.html (build clients/web)"));
  }
  // Read once at start: the apps are small, and nothing outside the
  // directory can ever be served (no path from a request touches the disk).
  for (const fs::directory_entry& e : fs::recursive_directory_iterator(root, ec)) {
    if (!e.is_regular_file()) continue;
    const std::string rel = fs::relative(e.path(), root).generic_string();
    if (rel.empty() || rel.front() == '.') continue;
    // The console's build sits inside the web app's; it is served under
    // /c/ only (with its own policy), never as part of the respondent app.
    if (prefix == kAppPrefix && absl::StartsWith(rel, "console/")) continue;
    std::ifstream in(e.path(), std::ios::binary);
    std::stringstream buf;
    buf << in.rdbuf();
    StaticFile file{ContentTypeOfFile(e.path()), buf.str(), ""};
    file.etag = Fnv1a(file.body);
    static_[prefix + rel] = std::move(file);
  }
  if (ec) return absl::InvalidArgumentError(absl::StrCat(root_dir, ": ", ec.message()));
  static_[prefix] = static_[prefix + "index.html"];
  return absl::OkStatus();
}

const StaticFile* Gateway::FindStatic(const std::string& path) const {
  auto it = static_.find(path);
  return it == static_.end() ? nullptr : &it->second;
}

std::vector<std::pair<std::string, std::string>> Gateway::SecurityHeaders() const {
  std::vector<std::pair<std::string, std::string>> h = {
      // Only our own origin, for everything: scripts, styles, fetches,
      // the service worker, the manifest. No inline script or style.
      {"Content-Security-Policy",
       "default-src 'self'; base-uri 'none'; form-action 'none'; "
       "frame-ancestors 'none'; object-src 'none'"},
      {"Referrer-Policy", "no-referrer"},
      {"X-Content-Type-Options", "nosniff"},
      {"X-Frame-Options", "DENY"},
      {"Cross-Origin-Opener-Policy", "same-origin"},
      {"Cross-Origin-Resource-Policy", "same-origin"},
      {"Permissions-Policy",
       "camera=(), microphone=(), geolocation=(), payment=(), usb=()"},
  };
  if (options_.hsts) {
    h.emplace_back("Strict-Transport-Security", "max-age=31536000; includeSubDomains");
  }
  return h;
}

const char* Gateway::ConsoleContentSecurityPolicy() {
  // Scripts and styles from our origin only: no inline code, no eval (no
  // 'unsafe-inline', no 'unsafe-eval'). Images may also be data: and blob:
  // URLs the console draws itself (QR codes, chart exports); fetches go to
  // our origin only, and the console may not be framed.
  return "default-src 'self'; script-src 'self'; style-src 'self'; "
         "img-src 'self' data: blob:; connect-src 'self'; font-src 'self'; "
         "object-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";
}

absl::StatusOr<int> Gateway::Bind(const std::string& host, int port) {
  if (!options_.tls_cert_file.empty()) {
    auto tls = std::make_unique<httplib::SSLServer>(options_.tls_cert_file.c_str(),
                                                    options_.tls_key_file.c_str());
    if (!tls->is_valid()) return absl::InvalidArgumentError("cannot load the TLS key pair");
    http_ = std::move(tls);
  } else {
    http_ = std::make_unique<httplib::Server>();
  }
  const int threads = options_.threads;
  http_->new_task_queue = [threads] { return new httplib::ThreadPool(threads); };
  http_->set_payload_max_length(std::max<size_t>(options_.max_request_bytes * 4, 1 << 20));
  http_->set_read_timeout(std::chrono::seconds(20));
  // A browser that stops reading a download gives its worker back.
  http_->set_write_timeout(std::chrono::seconds(20));
  http_->set_keep_alive_timeout(30);
  // Replies go out as headers then body: with Nagle on, the body waits for
  // the client's delayed ACK of the headers (40 ms on Linux), every call.
  http_->set_tcp_nodelay(true);
  Route();
  int bound = port;
  if (port == 0) {
    bound = http_->bind_to_any_port(host);
  } else if (!http_->bind_to_port(host, port)) {
    bound = -1;
  }
  if (bound <= 0) return absl::UnavailableError(absl::StrCat("cannot listen on ", host, ":", port));
  return bound;
}

bool Gateway::Serve() { return http_ != nullptr && http_->listen_after_bind(); }

void Gateway::Stop() {
  if (http_ != nullptr) http_->stop();
  // Streams still open end now with the upstream's CANCELLED in their
  // end-of-stream message, rather than at their deadline.
  std::lock_guard<std::mutex> lock(streams_mu_);
  stopping_ = true;
  for (ConnectStream* stream : streams_) stream->Cancel();
}

void Gateway::Route() {
  httplib::Headers defaults;
  for (auto& [k, v] : SecurityHeaders()) defaults.emplace(k, v);
  http_->set_default_headers(defaults);

  http_->Get("/", [](const httplib::Request&, httplib::Response& res) {
    res.set_redirect(kAppPrefix);
  });
  http_->Get("/a", [](const httplib::Request&, httplib::Response& res) {
    res.set_redirect(kAppPrefix);
  });
  auto serve_static = [this](const httplib::Request& req, httplib::Response& res) {
    const StaticFile* file = FindStatic(req.path);
    if (file == nullptr) {
      res.status = 404;
      res.set_content("not found\n", "text/plain; charset=utf-8");
      return;
    }
    if (absl::StartsWith(req.path, kConsolePrefix)) {
      SetHeader(res, "Content-Security-Policy", ConsoleContentSecurityPolicy());
    }
    res.set_header("ETag", file->etag);
    // Always revalidated: a new build reaches phones at once, and the
    // service worker keeps the app working offline.
    res.set_header("Cache-Control", "no-cache");
    if (req.get_header_value("If-None-Match") == file->etag) {
      res.status = 304;
      return;
    }
    res.set_content(file->body, file->content_type.c_str());
  };
  http_->Get("/a/.*", serve_static);
  if (options_.console) {
    http_->Get("/c", [](const httplib::Request&, httplib::Response& res) {
      res.set_redirect(kConsolePrefix);
    });
    http_->Get("/c/.*", serve_static);
  }

  http_->Post(R"(/[A-Za-z_][A-Za-z0-9_.]*/[A-Za-z_][A-Za-z0-9_]*)",
              [this](const httplib::Request& req, httplib::Response& res) {
    HttpCall call;
    call.path = req.path;
    call.content_type = req.get_header_value("Content-Type");
    call.protocol_version = req.get_header_value("Connect-Protocol-Version");
    call.timeout_ms = req.get_header_value("Connect-Timeout-Ms");
    call.body = req.body;
    for (const auto& [key, value] : req.headers) {
      call.headers.emplace(absl::AsciiStrToLower(key), value);
    }
    std::optional<net::Ip> peer = net::ParseIp(req.remote_addr);
    std::vector<std::string> hops;
    for (size_t i = 0, n = req.get_header_value_count("X-Forwarded-For"); i < n; ++i) {
      hops.push_back(req.get_header_value("X-Forwarded-For", i));
    }
    call.client = net::ClientAddress(peer.value_or(net::Ip{}), absl::StrJoin(hops, ","),
                                     options_.trusted_proxies);
    // Nothing a call answers may be kept by a browser or a proxy (staff
    // answers hold names and scores; respondents' hold their survey).
    res.set_header("Cache-Control", "no-store");
    if (IsStreaming(call.path)) {
      StreamReply reply = Stream(call);
      res.status = reply.head.status;
      for (auto& [k, v] : reply.head.headers) res.set_header(k, v);
      if (reply.stream == nullptr) {
        res.set_content(reply.head.body, reply.head.content_type.c_str());
        return;
      }
      // Headers go out now; each envelope as the upstream sends it, one
      // at a time (ConnectStream::Next reads the next message only when
      // asked). The stream is released when the response is.
      std::shared_ptr<ConnectStream> stream = std::move(reply.stream);
      res.set_chunked_content_provider(
          reply.head.content_type,
          [stream](size_t, httplib::DataSink& sink) {
            std::string envelope;
            if (!stream->Next(&envelope)) {
              sink.done();
              return true;
            }
            if (!sink.write(envelope.data(), envelope.size())) {
              stream->Cancel();  // the browser went away
              return false;
            }
            return true;
          },
          [stream](bool) mutable { stream.reset(); });
      spdlog::debug("{} stream", call.path);
      return;
    }
    HttpReply reply = Unary(call);
    res.status = reply.status;
    for (auto& [k, v] : reply.headers) res.set_header(k, v);
    res.set_content(reply.body, reply.content_type.c_str());
    spdlog::debug("{} {}", call.path, reply.status);
  });
}

}  // namespace survey::gateway
