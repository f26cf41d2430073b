#include "gateway/gateway.h"

#include <grpcpp/generic/generic_stub.h>
#include <grpcpp/grpcpp.h>
#include <httplib.h>
#include <spdlog/spdlog.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <future>
#include <sstream>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"

namespace survey::gateway {
namespace {

namespace pb = google::protobuf;
namespace fs = std::filesystem;

// The app lives under this path; the link is https://HOST/a/#TOKEN.
constexpr char kAppPrefix[] = "/a/";

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

HttpReply ErrorReply(const grpc::Status& status, absl::string_view reason,
                     std::vector<std::pair<std::string, std::string>> headers = {}) {
  HttpReply reply;
  reply.status = HttpStatus(status.error_code());
  reply.content_type = "application/json";
  reply.body = ErrorBody(status);
  reply.headers = std::move(headers);
  if (!reason.empty()) reply.headers.emplace_back("trailer-reason", std::string(reason));
  return reply;
}

Metadata Copy(const std::multimap<grpc::string_ref, grpc::string_ref>& in) {
  Metadata out;
  for (const auto& [k, v] : in) {
    out.emplace(std::string(k.data(), k.size()), std::string(v.data(), v.size()));
  }
  return out;
}

}  // namespace

Gateway::Gateway(GatewayOptions options) : options_(std::move(options)) {}
Gateway::~Gateway() = default;

absl::StatusOr<std::unique_ptr<Gateway>> Gateway::Create(GatewayOptions options) {
  if (options.upstream == nullptr) return absl::InvalidArgumentError("no upstream");
  std::unique_ptr<Gateway> g(new Gateway(std::move(options)));
  const pb::DescriptorPool* pool = pb::DescriptorPool::generated_pool();
  for (const std::string& name : g->options_.services) {
    const pb::ServiceDescriptor* service = pool->FindServiceByName(name);
    if (service == nullptr) {
      return absl::InvalidArgumentError(absl::StrCat("unknown service: ", name));
    }
    for (int i = 0; i < service->method_count(); ++i) {
      const pb::MethodDescriptor* m = service->method(i);
      if (m->client_streaming() || m->server_streaming()) continue;  // unary only
      g->methods_[absl::StrCat("/", service->full_name(), "/", m->name())] = m;
    }
  }
  if (!g->options_.web_root.empty()) {
    if (absl::Status s = g->LoadStatic(); !s.ok()) return s;
  }
  return g;
}

absl::Status Gateway::LoadStatic() {
  const fs::path root(options_.web_root);
  std::error_code ec;
  if (!fs::is_regular_file(root / "index.html", ec)) {
    return absl::InvalidArgumentError(
        absl::StrCat("--web-root ", options_.web_root, ": no index.html (build clients/web)"));
  }
  // Read once at start: the app is small, and nothing outside the
  // directory can ever be served (no path from a request touches the disk).
  for (const fs::directory_entry& e : fs::recursive_directory_iterator(root, ec)) {
    if (!e.is_regular_file()) continue;
    const std::string rel = fs::relative(e.path(), root).generic_string();
    if (rel.empty() || rel.front() == '.') continue;
    std::ifstream in(e.path(), std::ios::binary);
    std::stringstream buf;
    buf << in.rdbuf();
    StaticFile file{ContentTypeOfFile(e.path()), buf.str(), ""};
    file.etag = Fnv1a(file.body);
    static_[kAppPrefix + rel] = std::move(file);
  }
  if (ec) return absl::InvalidArgumentError(absl::StrCat("--web-root: ", ec.message()));
  static_[kAppPrefix] = static_[std::string(kAppPrefix) + "index.html"];
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

HttpReply Gateway::Unary(const HttpCall& call) {
  auto it = methods_.find(call.path);
  if (it == methods_.end()) {
    return ErrorReply(grpc::Status(grpc::StatusCode::UNIMPLEMENTED, "unknown method"),
                      kReasonUnknownMethod);
  }
  const pb::MethodDescriptor* method = it->second;
  std::optional<Codec> codec = CodecFor(call.content_type);
  if (!codec) {
    HttpReply r = ErrorReply(
        grpc::Status(grpc::StatusCode::UNIMPLEMENTED,
                     "content-type: use application/json or application/proto"),
        "");
    r.status = 415;
    r.headers.emplace_back("Accept-Post", "application/json, application/proto");
    return r;
  }
  if (!call.protocol_version.empty() && call.protocol_version != "1") {
    return ErrorReply(grpc::Status(grpc::StatusCode::INVALID_ARGUMENT,
                                   "connect-protocol-version: must be 1"),
                      kReasonMessageMalformed);
  }
  if (call.body.size() > options_.max_request_bytes) {
    return ErrorReply(
        grpc::Status(grpc::StatusCode::RESOURCE_EXHAUSTED,
                     absl::StrCat("request body: larger than ",
                                  options_.max_request_bytes, " bytes")),
        kReasonMessageTooLarge);
  }
  absl::Duration timeout = options_.default_timeout;
  if (!call.timeout_ms.empty()) {
    int64_t ms = 0;
    if (call.timeout_ms.size() > 10 || !absl::SimpleAtoi(call.timeout_ms, &ms) || ms <= 0) {
      return ErrorReply(grpc::Status(grpc::StatusCode::INVALID_ARGUMENT,
                                     "connect-timeout-ms: not a positive integer"),
                        kReasonMessageMalformed);
    }
    timeout = absl::Milliseconds(ms);
  }
  timeout = std::min(timeout, options_.max_timeout);

  std::string wire;
  grpc::Status decoded = DecodeRequest(method->input_type(), *codec, call.body, &wire);
  if (!decoded.ok()) return ErrorReply(decoded, kReasonMessageMalformed);

  grpc::ClientContext ctx;
  ctx.set_deadline(absl::ToChronoTime(absl::Now() + timeout));
  ctx.AddMetadata(kClientAddressKey, call.client.ToString());
  grpc::Slice slice(wire);
  grpc::ByteBuffer request(&slice, 1);
  grpc::ByteBuffer response;
  std::promise<grpc::Status> done;
  grpc::GenericStub stub(options_.upstream);
  stub.UnaryCall(&ctx, call.path, grpc::StubOptions(), &request, &response,
                 [&done](grpc::Status s) { done.set_value(std::move(s)); });
  grpc::Status status = done.get_future().get();

  Metadata initial = Copy(ctx.GetServerInitialMetadata());
  Metadata trailers = Copy(ctx.GetServerTrailingMetadata());
  std::vector<std::pair<std::string, std::string>> headers =
      ResponseHeaders(initial, trailers);
  if (!status.ok()) {
    const std::string reason =
        trailers.count("reason") > 0 ? "" : LibraryFailureReason(status);
    if (reason == kReasonBusy && trailers.count("retry-after-ms") == 0) {
      headers.emplace_back("trailer-retry-after-ms", "1000");
    }
    return ErrorReply(status, reason, std::move(headers));
  }
  std::vector<grpc::Slice> slices;
  std::string out_wire;
  if (response.Dump(&slices).ok()) {
    for (const grpc::Slice& s : slices) {
      out_wire.append(reinterpret_cast<const char*>(s.begin()), s.size());
    }
  }
  HttpReply reply;
  grpc::Status encoded = EncodeResponse(method->output_type(), *codec, out_wire, &reply.body);
  if (!encoded.ok()) return ErrorReply(encoded, "");
  reply.content_type = ContentType(*codec);
  reply.headers = std::move(headers);
  return reply;
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

  http_->Post(R"(/[A-Za-z_][A-Za-z0-9_.]*/[A-Za-z_][A-Za-z0-9_]*)",
              [this](const httplib::Request& req, httplib::Response& res) {
    HttpCall call;
    call.path = req.path;
    call.content_type = req.get_header_value("Content-Type");
    call.protocol_version = req.get_header_value("Connect-Protocol-Version");
    call.timeout_ms = req.get_header_value("Connect-Timeout-Ms");
    call.body = req.body;
    std::optional<net::Ip> peer = net::ParseIp(req.remote_addr);
    std::vector<std::string> hops;
    for (size_t i = 0, n = req.get_header_value_count("X-Forwarded-For"); i < n; ++i) {
      hops.push_back(req.get_header_value("X-Forwarded-For", i));
    }
    call.client = net::ClientAddress(peer.value_or(net::Ip{}), absl::StrJoin(hops, ","),
                                     options_.trusted_proxies);
    HttpReply reply = Unary(call);
    res.status = reply.status;
    for (auto& [k, v] : reply.headers) res.set_header(k, v);
    res.set_header("Cache-Control", "no-store");
    res.set_content(reply.body, reply.content_type.c_str());
    spdlog::debug("{} {}", call.path, reply.status);
  });
}

}  // namespace survey::gateway
