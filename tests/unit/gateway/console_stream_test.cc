// survey-gateway --console, Connect server streams over real HTTP: framed
// in envelopes with the end-of-stream message, sent as they arrive, bounded
// in number, ended when the gateway stops; and the console's files under /c/.
#include <gtest/gtest.h>
#include <httplib.h>

#include <atomic>
#include <thread>

#include <nlohmann/json.hpp>

#include "console_fixture.h"

namespace survey::gateway::console_testing {
namespace {

// The envelopes of a streamed body: (flags, message) in order.
std::vector<std::pair<int, std::string>> Envelopes(const std::string& body) {
  std::vector<std::pair<int, std::string>> out;
  size_t at = 0;
  while (at + 5 <= body.size()) {
    const auto b = [&](size_t i) { return static_cast<uint8_t>(body[at + i]); };
    const size_t n = (size_t{b(1)} << 24) | (size_t{b(2)} << 16) | (size_t{b(3)} << 8) | b(4);
    if (at + 5 + n > body.size()) break;
    out.emplace_back(b(0), body.substr(at + 5, n));
    at += 5 + n;
  }
  EXPECT_EQ(at, body.size()) << "trailing bytes";
  return out;
}

httplib::Headers StreamHeaders(int port, const std::string& content_type) {
  return {{"Content-Type", content_type},
          {"Origin", absl::StrCat("http://127.0.0.1:", port)},
          {"x-survey-csrf", "1"},
          {"Connect-Protocol-Version", "1"}};
}

TEST_F(ConsoleGatewayTest, ServerStreamInProtoArrivesWholeThenEndStream) {
  Start();
  const int port = Serve();
  httplib::Client http("127.0.0.1", port);
  v1::ExportResponsesRequest req;
  req.set_campaign_id("ok:40");
  auto res = http.Post("/survey.v1.ReportService/ExportResponses",
                       StreamHeaders(port, "application/connect+proto"),
                       Envelope(0, req.SerializeAsString()), "application/connect+proto");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 200);
  EXPECT_EQ(res->get_header_value("Content-Type"), "application/connect+proto");
  EXPECT_EQ(res->get_header_value("Cache-Control"), "no-store");
  auto envelopes = Envelopes(res->body);
  ASSERT_EQ(envelopes.size(), 41u);
  for (int i = 0; i < 40; ++i) {
    EXPECT_EQ(envelopes[i].first, 0);
    v1::ExportChunk chunk;
    ASSERT_TRUE(chunk.ParseFromString(envelopes[i].second));
    EXPECT_EQ(chunk.data(), std::string(kChunkBytes, static_cast<char>('a' + i % 26)));
  }
  EXPECT_EQ(envelopes[40].first, kFlagEndStream);
  EXPECT_EQ(envelopes[40].second, "{}");
}

TEST_F(ConsoleGatewayTest, ServerStreamInJsonEndsWithTheErrorAndItsReason) {
  Start();
  const int port = Serve();
  httplib::Client http("127.0.0.1", port);
  auto res = http.Post("/survey.v1.ReportService/ExportResponses",
                       StreamHeaders(port, "application/connect+json"),
                       Envelope(0, R"({"campaignId":"fail:2"})"), "application/connect+json");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 200);
  auto envelopes = Envelopes(res->body);
  ASSERT_EQ(envelopes.size(), 3u);
  EXPECT_EQ(nlohmann::json::parse(envelopes[0].second)["data"].get<std::string>().size(),
            (kChunkBytes + 2) / 3 * 4);  // base64
  EXPECT_EQ(envelopes[2].first, kFlagEndStream);
  nlohmann::json end = nlohmann::json::parse(envelopes[2].second);
  EXPECT_EQ(end["error"]["code"], "failed_precondition");
  EXPECT_EQ(end["metadata"]["reason"], nlohmann::json::array({"CAMPAIGN_NOT_CLOSED"}));

  // The CSRF rule holds for streams too, before the upstream.
  const size_t before = seen_.Count();
  httplib::Headers cross = StreamHeaders(port, "application/connect+json");
  cross.erase("x-survey-csrf");
  auto refused = http.Post("/survey.v1.ReportService/ExportResponses", cross,
                           Envelope(0, R"({"campaignId":"ok:1"})"), "application/connect+json");
  ASSERT_TRUE(refused);
  EXPECT_EQ(refused->status, 403);
  EXPECT_EQ(refused->get_header_value("trailer-reason"), "CSRF_REFUSED");
  EXPECT_EQ(seen_.Count(), before);
}

// The first envelope reaches the browser while the upstream is still in
// the middle of its stream: nothing waits for the whole answer.
TEST_F(ConsoleGatewayTest, ServerStreamIsSentAsItArrives) {
  Start();
  const int port = Serve();
  httplib::Client http("127.0.0.1", port);
  httplib::Request req;
  req.method = "POST";
  req.path = "/survey.v1.ReportService/ExportResponses";
  req.headers = StreamHeaders(port, "application/connect+json");
  req.body = Envelope(0, R"({"campaignId":"gated:1"})");
  std::string received;
  bool first_before_end = false;
  req.content_receiver = [&](const char* data, size_t n, uint64_t, uint64_t) {
    received.append(data, n);
    if (!first_before_end && received.size() >= 5 + kChunkBytes) {
      std::lock_guard<std::mutex> lock(seen_.mu);
      first_before_end = !seen_.release;
      seen_.release = true;
      seen_.cv.notify_all();
    }
    return true;
  };
  auto res = http.send(req);
  ASSERT_TRUE(res);
  EXPECT_TRUE(first_before_end) << "the first chunk waited for the end of the stream";
  auto envelopes = Envelopes(received);
  ASSERT_EQ(envelopes.size(), 3u);
  EXPECT_EQ(envelopes[2].second, "{}");
}

// Stopping the gateway ends a stream whose upstream is still busy, instead
// of waiting for it (the gated upstream would hold it 20 s).
TEST_F(ConsoleGatewayTest, StopEndsOpenStreams) {
  Gateway& g = Start();
  const int port = Serve();
  std::atomic<bool> first{false};
  std::thread download([&] {
    httplib::Client http("127.0.0.1", port);
    httplib::Request req;
    req.method = "POST";
    req.path = "/survey.v1.ReportService/ExportResponses";
    req.headers = StreamHeaders(port, "application/connect+json");
    req.body = Envelope(0, R"({"campaignId":"gated:1"})");
    req.content_receiver = [&](const char*, size_t, uint64_t, uint64_t) {
      first = true;
      return true;
    };
    http.send(req);
  });
  const absl::Time deadline = absl::Now() + absl::Seconds(10);
  while (!first && absl::Now() < deadline) absl::SleepFor(absl::Milliseconds(10));
  ASSERT_TRUE(first);
  const absl::Time stop = absl::Now();
  g.Stop();
  serving_.join();
  EXPECT_LT(absl::Now() - stop, absl::Seconds(5)) << "Stop() waited for the upstream";
  download.join();
  {
    std::lock_guard<std::mutex> lock(seen_.mu);
    seen_.release = true;  // let the fake upstream finish
  }
  seen_.cv.notify_all();
}

TEST_F(ConsoleGatewayTest, StreamsBeyondTheLimitAreToldToRetry) {
  Gateway& g = Start(false, /*max_streams=*/1);
  HttpCall call = StaffCall("/survey.v1.ReportService/ExportResponses",
                            Envelope(0, R"({"campaignId":"ok:1"})"));
  call.content_type = "application/connect+json";
  StreamReply first = g.Stream(call);
  ASSERT_NE(first.stream, nullptr);
  StreamReply second = g.Stream(call);
  ASSERT_EQ(second.stream, nullptr);
  EXPECT_EQ(second.head.status, 200);
  auto envelopes = Envelopes(second.head.body);
  ASSERT_EQ(envelopes.size(), 1u);
  nlohmann::json end = nlohmann::json::parse(envelopes[0].second);
  EXPECT_EQ(end["error"]["code"], "unavailable");
  EXPECT_EQ(end["metadata"]["reason"], nlohmann::json::array({"BUSY"}));
  first.stream.reset();  // done: the slot is free again
  EXPECT_NE(g.Stream(call).stream, nullptr);
}

TEST_F(ConsoleGatewayTest, ConsoleFilesUnderCWithTheirOwnPolicy) {
  Start(/*https=*/true);
  const int port = Serve();
  httplib::Client http("127.0.0.1", port);
  auto page = http.Get("/c/");
  ASSERT_TRUE(page);
  EXPECT_EQ(page->status, 200);
  EXPECT_NE(page->body.find("console"), std::string::npos);
  EXPECT_EQ(page->get_header_value_count("Content-Security-Policy"), 1u);
  const std::string csp = page->get_header_value("Content-Security-Policy");
  EXPECT_NE(csp.find("script-src 'self'"), std::string::npos);
  EXPECT_NE(csp.find("style-src 'self'"), std::string::npos);
  EXPECT_NE(csp.find("frame-ancestors 'none'"), std::string::npos);
  EXPECT_EQ(csp.find("unsafe"), std::string::npos);
  EXPECT_EQ(page->get_header_value("Referrer-Policy"), "no-referrer");
  EXPECT_NE(page->get_header_value("Strict-Transport-Security"), "");
  auto js = http.Get("/c/console.js");
  ASSERT_TRUE(js);
  EXPECT_EQ(js->status, 200);
  EXPECT_EQ(js->get_header_value("Content-Type"), "text/javascript; charset=utf-8");
  // The console is not part of the respondent app.
  auto inside_app = http.Get("/a/console/index.html");
  ASSERT_TRUE(inside_app);
  EXPECT_EQ(inside_app->status, 404);
}

}  // namespace
}  // namespace survey::gateway::console_testing
