// What reports read: per-campaign aggregates, issued-invitation counts,
// comments and anonymised response rows. Read-only.
#ifndef SURVEY_STORE_REPORT_STORE_H_
#define SURVEY_STORE_REPORT_STORE_H_

namespace survey::store {

class ReportStore {
 public:
  virtual ~ReportStore() = default;
};

}  // namespace survey::store

#endif  // SURVEY_STORE_REPORT_STORE_H_
