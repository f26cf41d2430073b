#include "metrics/metrics.h"

#include <gtest/gtest.h>

#include <string>
#include <thread>
#include <vector>

#include "metrics/server_metrics.h"

namespace survey::metrics {
namespace {

TEST(MetricsTest, CounterAndGaugeExposition) {
  TextWriter w;
  w.Counter("x_total", "things \\ done\nsecond line", 3, {{"code", "OK"}});
  w.Counter("x_total", "ignored: HELP once per family", 4,
            {{"code", "a\"b\\c\nd"}});
  w.Gauge("y", "level", -2.5);
  EXPECT_EQ(w.text(),
            "# HELP x_total things \\\\ done\\nsecond line\n"
            "# TYPE x_total counter\n"
            "x_total{code=\"OK\"} 3\n"
            "x_total{code=\"a\\\"b\\\\c\\nd\"} 4\n"
            "# HELP y level\n"
            "# TYPE y gauge\n"
            "y -2.5\n");
}

TEST(MetricsTest, HistogramBucketsAreCumulativeWithInf) {
  Histogram h{1, 2.5, 10};
  for (double v : {0.5, 1.0, 2.0, 3.0, 100.0}) h.Observe(v);
  TextWriter w;
  w.Histogram("h_seconds", "latency", h);
  EXPECT_EQ(w.text(),
            "# HELP h_seconds latency\n"
            "# TYPE h_seconds histogram\n"
            "h_seconds_bucket{le=\"1\"} 2\n"  // 1.0 goes in le=1 (<=)
            "h_seconds_bucket{le=\"2.5\"} 3\n"
            "h_seconds_bucket{le=\"10\"} 4\n"
            "h_seconds_bucket{le=\"+Inf\"} 5\n"
            "h_seconds_sum 106.5\n"
            "h_seconds_count 5\n");
}

TEST(MetricsTest, ConcurrentUpdatesAreAllCounted) {
  Counter c;
  Histogram h{1};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 10000; ++i) {
        c.Add();
        h.Observe(0.5);
      }
    });
  }
  for (std::thread& t : threads) t.join();
  EXPECT_EQ(c.value(), 40000u);
  EXPECT_EQ(h.counts()[0], 40000u);
  EXPECT_DOUBLE_EQ(h.sum(), 20000);
}

TEST(MetricsTest, FormatValue) {
  EXPECT_EQ(FormatValue(0), "0");
  EXPECT_EQ(FormatValue(12345678901), "12345678901");
  EXPECT_EQ(FormatValue(0.005), "0.005");
  EXPECT_EQ(FormatValue(1.0 / 0.0), "+Inf");
}

TEST(MetricsTest, ServerExpositionHasEverySeries) {
  Server().submit_by_code[0].Add(2);
  Server().submit_by_code[6].Add();  // ALREADY_EXISTS
  std::string text = RenderServerMetrics();
  for (const char* line :
       {"survey_build_info{version=\"", "survey_health_serving ",
        "survey_submit_total{code=\"OK\"} 2\n",
        "survey_submit_total{code=\"ALREADY_EXISTS\"} 1\n",
        "survey_ingest_queue_depth 0\n", "survey_ingest_batch_size_bucket{le=\"1\"}",
        "survey_ingest_commit_seconds_count ", "survey_db_commits_in_doubt_total 0\n",
        "survey_db_pool_connections_in_use 0\n",
        "survey_abuse_refusals_total{limit=\"invalid_token\"} 0\n",
        "survey_abuse_refusals_total{limit=\"staff_auth_failure\"} 0\n"}) {
    EXPECT_NE(text.find(line), std::string::npos) << line << "\n" << text;
  }
  // Codes that never happened are left out, except OK.
  EXPECT_EQ(text.find("code=\"DATA_LOSS\""), std::string::npos);
  // One HELP/TYPE per family, even with two samples.
  size_t first = text.find("# TYPE survey_abuse_refusals_total");
  EXPECT_EQ(text.find("# TYPE survey_abuse_refusals_total", first + 1), std::string::npos);
}

}  // namespace
}  // namespace survey::metrics
