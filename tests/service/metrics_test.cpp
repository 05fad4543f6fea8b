// PrometheusRegistry: exact Prometheus text exposition (0.0.4) for counters, gauges and histograms.
#include <gtest/gtest.h>

#include <cmath>
#include <thread>
#include <vector>

#include "service/prometheus.h"

namespace ck {
namespace {

TEST(Metrics, CountersAndGaugesRenderExactly) {
  PrometheusRegistry reg;
  reg.inc("cellkiosk_jobs_finished_total", "Jobs finished", {{"queue", "segmentation"}, {"status", "done"}});
  reg.inc("cellkiosk_jobs_finished_total", "Jobs finished", {{"queue", "segmentation"}, {"status", "done"}}, 2);
  reg.inc("cellkiosk_jobs_finished_total", "Jobs finished", {{"queue", "segmentation"}, {"status", "failed"}});
  reg.inc("cellkiosk_bytes_total", "Bytes", {{"direction", "in"}}, 1048576);
  reg.set_gauge("cellkiosk_queue_depth", "Queued", 3, {{"queue", "segmentation"}});
  reg.set_gauge("cellkiosk_queue_depth", "Queued", 0.5, {{"queue", "segmentation"}});
  reg.set_gauge("up", "Up", 1);
  EXPECT_EQ(reg.render(),
            "# HELP cellkiosk_bytes_total Bytes\n"
            "# TYPE cellkiosk_bytes_total counter\n"
            "cellkiosk_bytes_total{direction=\"in\"} 1048576\n"
            "# HELP cellkiosk_jobs_finished_total Jobs finished\n"
            "# TYPE cellkiosk_jobs_finished_total counter\n"
            "cellkiosk_jobs_finished_total{queue=\"segmentation\",status=\"done\"} 3\n"
            "cellkiosk_jobs_finished_total{queue=\"segmentation\",status=\"failed\"} 1\n"
            "# HELP cellkiosk_queue_depth Queued\n"
            "# TYPE cellkiosk_queue_depth gauge\n"
            "cellkiosk_queue_depth{queue=\"segmentation\"} 0.5\n"
            "# HELP up Up\n"
            "# TYPE up gauge\n"
            "up 1\n");
}

TEST(Metrics, EscapesLabelValuesAndHelp) {
  PrometheusRegistry reg;
  reg.inc("x_total", "Help with \\ and\nnewline", {{"path", "a\"b\\c\nd"}});
  EXPECT_EQ(reg.render(),
            "# HELP x_total Help with \\\\ and\\nnewline\n"
            "# TYPE x_total counter\n"
            "x_total{path=\"a\\\"b\\\\c\\nd\"} 1\n");
}

TEST(Metrics, HistogramBucketsAreCumulativeWithInf) {
  PrometheusRegistry reg;
  const MetricLabels l = {{"stage", "predict"}};
  for (double v : {0.05, 0.1, 0.3, 2.0, 100.0}) reg.observe("cellkiosk_stage_seconds", "Stage time", v, l, {1, 0.1, 0.5});
  EXPECT_EQ(reg.render(),
            "# HELP cellkiosk_stage_seconds Stage time\n"
            "# TYPE cellkiosk_stage_seconds histogram\n"
            "cellkiosk_stage_seconds_bucket{stage=\"predict\",le=\"0.1\"} 2\n"
            "cellkiosk_stage_seconds_bucket{stage=\"predict\",le=\"0.5\"} 3\n"
            "cellkiosk_stage_seconds_bucket{stage=\"predict\",le=\"1\"} 3\n"
            "cellkiosk_stage_seconds_bucket{stage=\"predict\",le=\"+Inf\"} 5\n"
            "cellkiosk_stage_seconds_sum{stage=\"predict\"} 102.45\n"
            "cellkiosk_stage_seconds_count{stage=\"predict\"} 5\n");
}

TEST(Metrics, DefaultLatencyBuckets) {
  PrometheusRegistry reg;
  reg.observe("t_seconds", "T", 0.007);
  const std::string out = reg.render();
  EXPECT_NE(out.find("t_seconds_bucket{le=\"0.005\"} 0\n"), std::string::npos) << out;
  EXPECT_NE(out.find("t_seconds_bucket{le=\"0.01\"} 1\n"), std::string::npos) << out;
  EXPECT_NE(out.find("t_seconds_bucket{le=\"60\"} 1\n"), std::string::npos) << out;
  EXPECT_NE(out.find("t_seconds_bucket{le=\"+Inf\"} 1\n"), std::string::npos) << out;
  EXPECT_NE(out.find("t_seconds_count 1\n"), std::string::npos) << out;
  // 13 finite buckets + Inf
  std::size_t n = 0;
  for (std::size_t p = 0; (p = out.find("t_seconds_bucket", p)) != std::string::npos; ++p) ++n;
  EXPECT_EQ(n, 14u);
}

TEST(Metrics, SpecialValues) {
  PrometheusRegistry reg;
  reg.set_gauge("g", "G", std::nan(""), {{"k", "nan"}});
  reg.set_gauge("g", "G", INFINITY, {{"k", "pinf"}});
  reg.set_gauge("g", "G", -INFINITY, {{"k", "ninf"}});
  reg.set_gauge("g", "G", 1e-7, {{"k", "small"}});
  EXPECT_EQ(reg.render(),
            "# HELP g G\n# TYPE g gauge\n"
            "g{k=\"nan\"} NaN\ng{k=\"ninf\"} -Inf\ng{k=\"pinf\"} +Inf\ng{k=\"small\"} 1e-07\n");
}

TEST(Metrics, MisuseThrows) {
  PrometheusRegistry reg;
  reg.inc("a_total", "A");
  EXPECT_THROW(reg.set_gauge("a_total", "A", 1), std::invalid_argument);
  EXPECT_THROW(reg.inc("bad name", "B"), std::invalid_argument);
  EXPECT_THROW(reg.inc("0abc", "B"), std::invalid_argument);
  EXPECT_THROW(reg.inc("b_total", "B", {{"bad-label", "x"}}), std::invalid_argument);
  EXPECT_THROW(reg.inc("b_total", "B", {}, -1), std::invalid_argument);
  EXPECT_THROW(reg.observe("h", "H", 1, {{"le", "1"}}), std::invalid_argument);
  reg.clear();
  EXPECT_EQ(reg.render(), "");
  EXPECT_NO_THROW(reg.set_gauge("a_total", "A", 1));  // forgotten by clear()
}

TEST(Metrics, ThreadSafeCounting) {
  PrometheusRegistry reg;
  std::vector<std::thread> ts;
  for (int t = 0; t < 4; ++t)
    ts.emplace_back([&] {
      for (int i = 0; i < 1000; ++i) {
        reg.inc("n_total", "N");
        reg.observe("d_seconds", "D", 0.01);
      }
    });
  for (auto& t : ts) t.join();
  const std::string out = reg.render();
  EXPECT_NE(out.find("n_total 4000\n"), std::string::npos);
  EXPECT_NE(out.find("d_seconds_count 4000\n"), std::string::npos);
}

TEST(Metrics, GlobalIsOneRegistry) { EXPECT_EQ(&PrometheusRegistry::global(), &PrometheusRegistry::global()); }

}  // namespace
}  // namespace ck
