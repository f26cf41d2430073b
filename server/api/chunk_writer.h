// The streaming export's writer (ReportService.Export*, AppraisalService.
// ExportSheets): text is buffered and sent as ExportChunk messages of about
// 32 KiB, so a large export never sits whole in memory or in one message.
#ifndef SURVEY_API_CHUNK_WRITER_H_
#define SURVEY_API_CHUNK_WRITER_H_

#include <grpcpp/grpcpp.h>

#include <string>
#include <string_view>

#include "survey/v1/report.pb.h"

namespace survey::api {

class ChunkWriter {
 public:
  explicit ChunkWriter(grpc::ServerWriter<v1::ExportChunk>* writer) : writer_(writer) {}
  // False once the client has gone (stop writing).
  bool Add(std::string_view text) {
    buffer_.append(text.data(), text.size());
    return buffer_.size() < kChunk || Flush();
  }
  bool Flush() {
    if (buffer_.empty()) return true;
    v1::ExportChunk chunk;
    chunk.set_data(std::move(buffer_));
    buffer_.clear();
    return writer_->Write(chunk);
  }

 private:
  static constexpr size_t kChunk = 32 * 1024;
  grpc::ServerWriter<v1::ExportChunk>* writer_;
  std::string buffer_;
};

}  // namespace survey::api

#endif  // SURVEY_API_CHUNK_WRITER_H_
