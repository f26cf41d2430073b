// ReportService (proto/survey/v1/report.proto). Synchronous: staff reads are
// rare and do blocking SQL. The disclosure rules live in
// domain/disclosure.h; this layer only checks roles, loads and encodes.
#ifndef SURVEY_API_REPORT_SERVICE_H_
#define SURVEY_API_REPORT_SERVICE_H_

#include "api/auth.h"
#include "store/org_store.h"
#include "store/report_store.h"
#include "store/template_cache.h"
#include "survey/v1/report.grpc.pb.h"

namespace survey::api {

class ReportServiceImpl final : public v1::ReportService::Service {
 public:
  // Every pointer must outlive the service.
  ReportServiceImpl(const Authenticator* auth, store::OrgStore* org,
                    store::ReportStore* reports, store::TemplateCache* templates)
      : auth_(auth), org_(org), reports_(reports), templates_(templates) {}

 private:
  const Authenticator* auth_;
  store::OrgStore* org_;
  store::ReportStore* reports_;
  store::TemplateCache* templates_;
};

}  // namespace survey::api

#endif  // SURVEY_API_REPORT_SERVICE_H_
