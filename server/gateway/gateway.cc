// The calls: Connect requests checked, forwarded to the upstream and
// answered (the HTTP server and the static files are in http.cc).
#include "gateway/gateway.h"

#include <grpcpp/generic/generic_stub.h>
#include <grpcpp/grpcpp.h>

#include <future>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "gateway/session.h"
#include "survey/v1/account.pb.h"
#include "survey/v1/admin.pb.h"
#include "survey/v1/appraisal.pb.h"
#include "survey/v1/report.pb.h"

namespace survey::gateway {
namespace {

namespace pb = google::protobuf;

// AccountService methods whose answers carry or end the session.
constexpr char kSignIn[] = "/survey.v1.AccountService/SignIn";
constexpr char kActivate[] = "/survey.v1.AccountService/Activate";
constexpr char kSignOut[] = "/survey.v1.AccountService/SignOut";

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

// A stream that ends before it began: HTTP 200 and the EndStreamResponse
// alone, as the protocol has every streaming answer.
HttpReply EndStreamReply(Codec codec, const grpc::Status& status, const std::string& reason) {
  HttpReply reply;
  reply.content_type = StreamContentType(codec);
  Metadata trailers;
  if (!reason.empty()) trailers.emplace("reason", reason);
  if (reason == kReasonBusy) trailers.emplace("retry-after-ms", "1000");
  reply.body = Envelope(kFlagEndStream, EndStreamBody(status, trailers));
  return reply;
}

std::vector<std::string> Values(const Metadata& headers, const std::string& name) {
  std::vector<std::string> out;
  auto [begin, end] = headers.equal_range(name);
  for (auto it = begin; it != end; ++it) out.push_back(it->second);
  return out;
}

}  // namespace

absl::StatusOr<std::unique_ptr<Gateway>> Gateway::Create(GatewayOptions options) {
  if (options.upstream == nullptr) return absl::InvalidArgumentError("no upstream");
  if (options.console) {
    // The generated descriptors are found by name only once linked in.
    (void)v1::SignInRequest::descriptor();
    (void)v1::IssueInvitationsRequest::descriptor();
    (void)v1::ExportReportRequest::descriptor();
    (void)v1::ListSheetsRequest::descriptor();
    for (const char* name : kConsoleServices) {
      if (std::find(options.services.begin(), options.services.end(), name) ==
          options.services.end()) {
        options.services.push_back(name);
      }
    }
    if (options.console_root.empty()) {
      if (options.web_root.empty()) {
        return absl::InvalidArgumentError("--console: give --console-root or --web-root");
      }
      options.console_root = options.web_root + "/console";
    }
  }
  std::unique_ptr<Gateway> g(new Gateway(std::move(options)));
  const pb::DescriptorPool* pool = pb::DescriptorPool::generated_pool();
  for (const std::string& name : g->options_.services) {
    const pb::ServiceDescriptor* service = pool->FindServiceByName(name);
    if (service == nullptr) {
      return absl::InvalidArgumentError(absl::StrCat("unknown service: ", name));
    }
    for (int i = 0; i < service->method_count(); ++i) {
      const pb::MethodDescriptor* m = service->method(i);
      if (m->client_streaming()) continue;  // browsers over HTTP/1.1 cannot
      Method method;
      method.descriptor = m;
      method.staff = name != kRespondService;
      method.streaming = m->server_streaming();
      const std::string path = absl::StrCat("/", service->full_name(), "/", m->name());
      if (path == kSignIn || path == kActivate) method.kind = Kind::kSignIn;
      if (path == kSignOut) method.kind = Kind::kSignOut;
      g->methods_[path] = method;
    }
  }
  if (!g->options_.web_root.empty()) {
    if (absl::Status s = g->LoadStatic(g->options_.web_root, "/a/"); !s.ok()) return s;
  }
  if (g->options_.console) {
    if (absl::Status s = g->LoadStatic(g->options_.console_root, "/c/"); !s.ok()) return s;
  }
  return g;
}

bool Gateway::Https() const { return options_.hsts || !options_.tls_cert_file.empty(); }

bool Gateway::IsStreaming(const std::string& path) const {
  auto it = methods_.find(path);
  return it != methods_.end() && it->second.streaming;
}

std::optional<HttpReply> Gateway::Admit(const HttpCall& call, bool streaming,
                                        Prepared* out) const {
  auto it = methods_.find(call.path);
  if (it == methods_.end() || it->second.streaming != streaming) {
    return ErrorReply(grpc::Status(grpc::StatusCode::UNIMPLEMENTED, "unknown method"),
                      kReasonUnknownMethod);
  }
  out->method = &it->second;
  if (out->method->staff) {
    // Before anything else: a cross-site request learns nothing, not even
    // whether its body would have parsed, and never reaches the server.
    grpc::Status csrf = CheckCsrf(Values(call.headers, kCsrfHeader),
                                  Values(call.headers, "origin"),
                                  Values(call.headers, "host").empty()
                                      ? std::string()
                                      : Values(call.headers, "host").front(),
                                  Https());
    if (!csrf.ok()) return ErrorReply(csrf, kReasonCsrfRefused);
  }
  std::optional<Codec> codec =
      streaming ? StreamCodecFor(call.content_type) : CodecFor(call.content_type);
  if (!codec) {
    HttpReply r = ErrorReply(
        grpc::Status(grpc::StatusCode::UNIMPLEMENTED,
                     streaming ? "content-type: use application/connect+json or "
                                 "application/connect+proto"
                               : "content-type: use application/json or application/proto"),
        "");
    r.status = 415;
    r.headers.emplace_back("Accept-Post", streaming
                                              ? "application/connect+json, application/connect+proto"
                                              : "application/json, application/proto");
    return r;
  }
  out->codec = *codec;
  return std::nullopt;
}

grpc::Status Gateway::Build(const HttpCall& call, Prepared* out, std::string* reason) const {
  *reason = kReasonMessageMalformed;
  if (!call.protocol_version.empty() && call.protocol_version != "1") {
    return grpc::Status(grpc::StatusCode::INVALID_ARGUMENT,
                        "connect-protocol-version: must be 1");
  }
  if (call.body.size() > options_.max_request_bytes) {
    *reason = kReasonMessageTooLarge;
    return grpc::Status(grpc::StatusCode::RESOURCE_EXHAUSTED,
                        absl::StrCat("request body: larger than ", options_.max_request_bytes,
                                     " bytes"));
  }
  const bool streaming = out->method->streaming;
  absl::Duration timeout = streaming ? options_.stream_timeout : options_.default_timeout;
  if (!call.timeout_ms.empty()) {
    int64_t ms = 0;
    if (call.timeout_ms.size() > 10 || !absl::SimpleAtoi(call.timeout_ms, &ms) || ms <= 0) {
      return grpc::Status(grpc::StatusCode::INVALID_ARGUMENT,
                          "connect-timeout-ms: not a positive integer");
    }
    timeout = absl::Milliseconds(ms);
  }
  timeout = std::min(timeout, streaming ? options_.stream_timeout : options_.max_timeout);
  out->deadline = absl::Now() + timeout;

  std::string message = call.body;
  if (streaming) {
    grpc::Status enveloped = ParseRequestEnvelope(call.body, &message);
    if (!enveloped.ok()) return enveloped;
  }
  grpc::Status decoded =
      DecodeRequest(out->method->descriptor->input_type(), out->codec, message, &out->wire);
  if (!decoded.ok()) return decoded;

  out->metadata.emplace_back(kClientAddressKey, call.client.ToString());
  if (out->method->staff && out->method->kind != Kind::kSignIn) {
    // The only credential that goes upstream: the browser's own
    // `authorization` (or any other header) is never passed on.
    if (std::optional<std::string> token = SessionFromCookies(Values(call.headers, "cookie"))) {
      out->metadata.emplace_back("authorization", absl::StrCat("Bearer ", *token));
    }
  }
  reason->clear();
  return grpc::Status::OK;
}

HttpReply Gateway::Unary(const HttpCall& call) {
  Prepared prepared;
  if (std::optional<HttpReply> refused = Admit(call, /*streaming=*/false, &prepared)) {
    return *refused;
  }
  std::string reason;
  if (grpc::Status built = Build(call, &prepared, &reason); !built.ok()) {
    return ErrorReply(built, reason);
  }
  const Method& method = *prepared.method;

  grpc::ClientContext ctx;
  ctx.set_deadline(absl::ToChronoTime(prepared.deadline));
  for (const auto& [key, value] : prepared.metadata) ctx.AddMetadata(key, value);
  grpc::Slice slice(prepared.wire);
  grpc::ByteBuffer request(&slice, 1);
  grpc::ByteBuffer response;
  std::promise<grpc::Status> done;
  grpc::GenericStub stub(options_.upstream);
  stub.UnaryCall(&ctx, call.path, grpc::StubOptions(), &request, &response,
                 [&done](grpc::Status s) { done.set_value(std::move(s)); });
  grpc::Status status = done.get_future().get();

  Metadata initial = CopyMetadata(ctx.GetServerInitialMetadata());
  Metadata trailers = CopyMetadata(ctx.GetServerTrailingMetadata());
  std::vector<std::pair<std::string, std::string>> headers =
      ResponseHeaders(initial, trailers);
  // Signing out ends the browser's session whatever the server said (it
  // may have ended already, or the server may be unreachable).
  if (method.kind == Kind::kSignOut) headers.emplace_back("Set-Cookie", ExpiredSessionCookie());
  if (!status.ok()) {
    const std::string library_reason =
        trailers.count("reason") > 0 ? "" : LibraryFailureReason(status);
    if (library_reason == kReasonBusy && trailers.count("retry-after-ms") == 0) {
      headers.emplace_back("trailer-retry-after-ms", "1000");
    }
    return ErrorReply(status, library_reason, std::move(headers));
  }
  std::vector<grpc::Slice> slices;
  std::string out_wire;
  if (response.Dump(&slices).ok()) {
    for (const grpc::Slice& s : slices) {
      out_wire.append(reinterpret_cast<const char*>(s.begin()), s.size());
    }
  }
  if (method.kind == Kind::kSignIn) {
    std::string token;
    int64_t expires_at = 0;
    grpc::Status taken =
        TakeSessionToken(method.descriptor->output_type(), &out_wire, &token, &expires_at);
    if (!taken.ok()) return ErrorReply(taken, "");
    if (!PlausibleToken(token)) {
      return ErrorReply(grpc::Status(grpc::StatusCode::INTERNAL, "no session"), "");
    }
    const int64_t max_age = expires_at - absl::ToUnixSeconds(absl::Now());
    headers.emplace_back("Set-Cookie", SessionCookie(token, max_age));
  }
  HttpReply reply;
  grpc::Status encoded =
      EncodeResponse(method.descriptor->output_type(), prepared.codec, out_wire, &reply.body);
  if (!encoded.ok()) return ErrorReply(encoded, "");
  reply.content_type = ContentType(prepared.codec);
  reply.headers = std::move(headers);
  return reply;
}

StreamReply Gateway::Stream(const HttpCall& call) {
  StreamReply reply;
  Prepared prepared;
  if (std::optional<HttpReply> refused = Admit(call, /*streaming=*/true, &prepared)) {
    reply.head = std::move(*refused);
    return reply;
  }
  std::string reason;
  if (grpc::Status built = Build(call, &prepared, &reason); !built.ok()) {
    reply.head = EndStreamReply(prepared.codec, built, reason);
    return reply;
  }
  if (open_streams_.fetch_add(1) >= options_.max_streams) {
    open_streams_.fetch_sub(1);
    reply.head = EndStreamReply(
        prepared.codec,
        grpc::Status(grpc::StatusCode::UNAVAILABLE, "too many downloads at once; retry"),
        kReasonBusy);
    return reply;
  }
  ConnectStream::Call upstream;
  upstream.channel = options_.upstream;
  upstream.method = call.path;
  upstream.output = prepared.method->descriptor->output_type();
  upstream.codec = prepared.codec;
  upstream.request_wire = std::move(prepared.wire);
  upstream.deadline = prepared.deadline;
  upstream.metadata = std::move(prepared.metadata);
  // Known to Stop() from before the call starts until its destruction.
  auto stream = std::make_unique<ConnectStream>(
      std::move(upstream), [this](ConnectStream* closing) {
        std::lock_guard<std::mutex> lock(streams_mu_);
        streams_.erase(closing);
        open_streams_.fetch_sub(1);
      });
  {
    std::lock_guard<std::mutex> lock(streams_mu_);
    if (!stopping_) streams_.insert(stream.get());
    else stream->Cancel();  // the gateway is stopping: end at once
  }
  reply.stream = std::move(stream);
  reply.head.content_type = StreamContentType(prepared.codec);
  return reply;
}

}  // namespace survey::gateway
