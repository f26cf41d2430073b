// ReportService (proto/survey/v1/report.proto). Synchronous: staff reads are
// rare and do blocking SQL. What may be released is decided in
// api/report_cells (with domain/disclosure.h); this layer checks roles,
// encodes and streams.
//
// Roles: HR and admin see everything; a manager sees their own department's
// employees and the cross-evaluation results about their own department; an
// employee sees their own figures and comments. Anything else is
// PERMISSION_DENIED.
#ifndef SURVEY_API_REPORT_SERVICE_H_
#define SURVEY_API_REPORT_SERVICE_H_

#include "api/audit_log.h"
#include "api/auth.h"
#include "api/report_cells.h"
#include "store/org_store.h"
#include "store/report_store.h"
#include "store/template_cache.h"
#include "survey/v1/report.grpc.pb.h"

namespace survey::api {

class ReportServiceImpl final : public v1::ReportService::Service {
 public:
  // Every pointer must outlive the service.
  // Every read and export is recorded in `audit` (fail closed: no record,
  // no report).
  ReportServiceImpl(const Authenticator* auth, const AuditLog* audit, store::OrgStore* org,
                    store::ReportStore* reports, store::TemplateCache* templates)
      : auth_(auth),
        audit_(audit),
        org_(org),
        reports_(reports),
        templates_(templates),
        cells_(org, reports, templates) {}

  grpc::Status GetSubjectReport(grpc::ServerContext* ctx,
                                const v1::SubjectReportRequest* req,
                                v1::SubjectReport* resp) override;
  grpc::Status GetDepartmentReport(grpc::ServerContext* ctx,
                                   const v1::DepartmentReportRequest* req,
                                   v1::DepartmentReport* resp) override;
  grpc::Status GetOrganisationReport(grpc::ServerContext* ctx,
                                     const v1::OrganisationReportRequest* req,
                                     v1::OrganisationReport* resp) override;
  grpc::Status GetCrossEvaluationReport(grpc::ServerContext* ctx,
                                        const v1::CrossEvaluationReportRequest* req,
                                        v1::CrossEvaluationReport* resp) override;
  grpc::Status GetComments(grpc::ServerContext* ctx, const v1::CommentsRequest* req,
                           v1::CommentsResponse* resp) override;
  grpc::Status ExportReport(grpc::ServerContext* ctx,
                            const v1::ExportReportRequest* req,
                            grpc::ServerWriter<v1::ExportChunk>* writer) override;
  grpc::Status ExportResponses(grpc::ServerContext* ctx,
                               const v1::ExportResponsesRequest* req,
                               grpc::ServerWriter<v1::ExportChunk>* writer) override;
  grpc::Status Verify(grpc::ServerContext* ctx, const v1::VerifyRequest* req,
                      v1::VerifyResponse* resp) override;

 private:
  // The views, after the role check; shared by the Get* RPCs and exports.
  absl::Status Subject(const Principal& p, const v1::SubjectReportRequest& req,
                       v1::SubjectReport* out);
  absl::Status Department(const Principal& p, const v1::DepartmentReportRequest& req,
                          v1::DepartmentReport* out);
  absl::Status Organisation(const Principal& p, const v1::OrganisationReportRequest& req,
                            bool all_pages, v1::OrganisationReport* out);
  absl::Status CrossEvaluation(const Principal& p,
                               const v1::CrossEvaluationReportRequest& req,
                               v1::CrossEvaluationReport* out);

  absl::Status Audit(const Principal& p, std::string_view action, const std::string& target,
                     const v1::PeriodRange* range) const;

  const Authenticator* auth_;
  const AuditLog* audit_;
  store::OrgStore* org_;
  store::ReportStore* reports_;
  store::TemplateCache* templates_;
  ReportCells cells_;
};

}  // namespace survey::api

#endif  // SURVEY_API_REPORT_SERVICE_H_
