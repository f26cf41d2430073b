#include "gateway/stream.h"

#include <grpcpp/support/byte_buffer.h>

namespace survey::gateway {
namespace {

// Operations run one at a time, so the tag only has to be non-null.
void* Tag() { return reinterpret_cast<void*>(1); }

}  // namespace

ConnectStream::ConnectStream(Call call, std::function<void(ConnectStream*)> on_close)
    : call_(std::move(call)), on_close_(std::move(on_close)), stub_(call_.channel) {
  ctx_.set_deadline(absl::ToChronoTime(call_.deadline));
  for (const auto& [key, value] : call_.metadata) ctx_.AddMetadata(key, value);
  rpc_ = stub_.PrepareCall(&ctx_, call_.method, &cq_);
  rpc_->StartCall(Tag());
  if (!Wait()) return;  // the call is dead: Next() reads its status
  grpc::Slice slice(call_.request_wire);
  grpc::ByteBuffer request(&slice, 1);
  // The one request message and the end of the request stream together.
  rpc_->WriteLast(request, grpc::WriteOptions(), Tag());
  Wait();
}

ConnectStream::~ConnectStream() {
  // First, so whoever may still Cancel() this stream stops knowing it.
  if (on_close_) on_close_(this);
  if (!finished_) {
    ctx_.TryCancel();
    grpc::Status ignored;
    rpc_->Finish(&ignored, Tag());
    Wait();
  }
  cq_.Shutdown();
  void* tag;
  bool ok;
  while (cq_.Next(&tag, &ok)) {
  }
}

bool ConnectStream::Wait() {
  void* tag = nullptr;
  bool ok = false;
  return cq_.Next(&tag, &ok) && ok;
}

void ConnectStream::Cancel() { ctx_.TryCancel(); }

bool ConnectStream::Next(std::string* envelope) {
  if (ended_) return false;
  if (!finished_) {
    grpc::ByteBuffer message;
    rpc_->Read(&message, Tag());
    if (Wait()) {
      std::vector<grpc::Slice> slices;
      std::string wire;
      if (message.Dump(&slices).ok()) {
        for (const grpc::Slice& s : slices) {
          wire.append(reinterpret_cast<const char*>(s.begin()), s.size());
        }
      }
      std::string body;
      if (EncodeResponse(call_.output, call_.codec, wire, &body).ok()) {
        *envelope = Envelope(0, body);
        return true;
      }
      // A message this build cannot show: the stream cannot go on whole.
      ctx_.TryCancel();
      failure_ = grpc::Status(grpc::StatusCode::INTERNAL, "response does not parse");
    }
  }
  *envelope = Envelope(kFlagEndStream, Finish());
  ended_ = true;
  return true;
}

std::string ConnectStream::Finish() {
  grpc::Status status;
  rpc_->Finish(&status, Tag());
  Wait();
  finished_ = true;
  Metadata trailers = CopyMetadata(ctx_.GetServerTrailingMetadata());
  if (!failure_.ok()) return EndStreamBody(failure_, {});
  if (!status.ok() && trailers.count("reason") == 0) {
    // The library's own failure (the server never answered the call).
    const std::string reason = LibraryFailureReason(status);
    if (!reason.empty()) trailers.emplace("reason", reason);
    if (reason == kReasonBusy && trailers.count("retry-after-ms") == 0) {
      trailers.emplace("retry-after-ms", "1000");
    }
  }
  return EndStreamBody(status, trailers);
}

}  // namespace survey::gateway
