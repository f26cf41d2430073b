// One server-streaming call forwarded from a Connect request to the
// upstream gRPC server (the CSV exports, issued invitations, activation
// codes). The gateway holds at most one message at a time: the HTTP layer
// asks for the next envelope only after it wrote the previous one to the
// socket, and only then is the next message read from gRPC, so a slow
// browser slows the server down through gRPC's flow control instead of
// filling the gateway's memory.
//
// Driven synchronously on its own completion queue by the one HTTP worker
// thread that serves the request; every operation ends by the call's
// deadline at the latest.
#ifndef SURVEY_GATEWAY_STREAM_H_
#define SURVEY_GATEWAY_STREAM_H_

#include <google/protobuf/descriptor.h>
#include <grpcpp/channel.h>
#include <grpcpp/client_context.h>
#include <grpcpp/completion_queue.h>
#include <grpcpp/generic/generic_stub.h>

#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/time/time.h"
#include "gateway/connect.h"

namespace survey::gateway {

class ConnectStream {
 public:
  struct Call {
    std::shared_ptr<grpc::Channel> channel;
    std::string method;  // "/survey.v1.ReportService/ExportReport"
    const google::protobuf::Descriptor* output = nullptr;
    Codec codec = Codec::kJson;
    std::string request_wire;  // the one request message, binary protobuf
    absl::Time deadline;
    std::vector<std::pair<std::string, std::string>> metadata;
  };

  // Starts the call and sends its request. `on_close` runs once, first
  // thing when the stream is destroyed (the gateway counts and forgets open
  // streams with it).
  ConnectStream(Call call, std::function<void(ConnectStream*)> on_close);
  ~ConnectStream();
  ConnectStream(const ConnectStream&) = delete;
  ConnectStream& operator=(const ConnectStream&) = delete;

  // The next envelope for the browser: a message, or at the end the
  // EndStreamResponse (the upstream's status and trailers). False once the
  // end was handed out.
  bool Next(std::string* envelope);
  // The browser went away, or the gateway stops: the upstream call is
  // cancelled and a Next() waiting for it returns. Any thread.
  void Cancel();

 private:
  bool Wait();  // the one outstanding operation completed successfully
  std::string Finish();

  Call call_;
  std::function<void(ConnectStream*)> on_close_;
  grpc::ClientContext ctx_;
  grpc::CompletionQueue cq_;
  grpc::GenericStub stub_;
  std::unique_ptr<grpc::GenericClientAsyncReaderWriter> rpc_;
  grpc::Status failure_;  // the gateway's own, overriding the upstream's
  bool finished_ = false;
  bool ended_ = false;  // the EndStreamResponse was handed out
};

}  // namespace survey::gateway

#endif  // SURVEY_GATEWAY_STREAM_H_
