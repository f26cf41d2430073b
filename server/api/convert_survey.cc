#include "api/convert_survey.h"

namespace survey::api {
namespace {

domain::LocalizedText FromProto(const v1::LocalizedText& t) {
  return {t.zh(), t.en()};
}

void ToProto(const domain::LocalizedText& t, v1::LocalizedText* out) {
  out->set_zh(t.zh);
  out->set_en(t.en);
}

}  // namespace

domain::Template FromProto(const v1::Template& t) {
  domain::Template out;
  out.key = t.key();
  out.version = t.version();
  out.name = FromProto(t.name());
  for (const v1::Indicator& ind : t.indicators()) {
    domain::Indicator i;
    i.key = ind.key();
    i.label = FromProto(ind.label());
    i.weight_percent = ind.weight_percent();
    for (const v1::SubIndicator& sub : ind.sub_indicators()) {
      i.subs.push_back(
          {sub.key(), FromProto(sub.label()), FromProto(sub.description())});
    }
    out.indicators.push_back(std::move(i));
  }
  for (const v1::ScaleBand& band : t.bands()) {
    out.bands.push_back({band.low(), band.high(), FromProto(band.label())});
  }
  return out;
}

void ToProto(const domain::Template& t, bool in_use, v1::Template* out) {
  out->set_key(t.key);
  out->set_version(t.version);
  ToProto(t.name, out->mutable_name());
  for (const domain::Indicator& ind : t.indicators) {
    v1::Indicator* i = out->add_indicators();
    i->set_key(ind.key);
    ToProto(ind.label, i->mutable_label());
    i->set_weight_percent(ind.weight_percent);
    for (const domain::SubIndicator& sub : ind.subs) {
      v1::SubIndicator* s = i->add_sub_indicators();
      s->set_key(sub.key);
      ToProto(sub.label, s->mutable_label());
      ToProto(sub.description, s->mutable_description());
    }
  }
  for (const domain::ScaleBand& band : t.bands) {
    v1::ScaleBand* b = out->add_bands();
    b->set_low(band.low);
    b->set_high(band.high);
    ToProto(band.label, b->mutable_label());
  }
  out->set_in_use(in_use);
}

absl::StatusOr<domain::Campaign> FromProto(const v1::Campaign& c) {
  domain::Campaign out;
  switch (c.kind()) {
    case v1::CAMPAIGN_KIND_CUSTOMER_SATISFACTION:
      out.kind = domain::CampaignKind::kCustomerSatisfaction;
      break;
    case v1::CAMPAIGN_KIND_CROSS_EVALUATION:
      out.kind = domain::CampaignKind::kCrossEvaluation;
      break;
    default:
      return absl::InvalidArgumentError("campaign.kind: required");
  }
  out.period = c.period();
  out.template_key = c.template_key();
  out.template_version = c.template_version();
  out.title = FromProto(c.title());
  out.anonymity_k = c.anonymity_k();
  out.comment_k = c.comment_k();
  out.state = domain::CampaignState::kDraft;
  return out;
}

void ToProto(const domain::Campaign& c, v1::Campaign* out) {
  out->set_id(c.id);
  out->set_kind(ToProto(c.kind));
  out->set_period(c.period);
  out->set_template_key(c.template_key);
  out->set_template_version(c.template_version);
  ToProto(c.title, out->mutable_title());
  out->set_anonymity_k(c.anonymity_k);
  out->set_comment_k(c.comment_k);
  out->set_state(ToProto(c.state));
}

v1::CampaignKind ToProto(domain::CampaignKind kind) {
  switch (kind) {
    case domain::CampaignKind::kCustomerSatisfaction:
      return v1::CAMPAIGN_KIND_CUSTOMER_SATISFACTION;
    case domain::CampaignKind::kCrossEvaluation:
      return v1::CAMPAIGN_KIND_CROSS_EVALUATION;
  }
  return v1::CAMPAIGN_KIND_UNSPECIFIED;
}

v1::CampaignState ToProto(domain::CampaignState state) {
  switch (state) {
    case domain::CampaignState::kDraft:
      return v1::CAMPAIGN_STATE_DRAFT;
    case domain::CampaignState::kOpen:
      return v1::CAMPAIGN_STATE_OPEN;
    case domain::CampaignState::kClosed:
      return v1::CAMPAIGN_STATE_CLOSED;
  }
  return v1::CAMPAIGN_STATE_UNSPECIFIED;
}

std::optional<domain::CampaignState> FromProto(v1::CampaignState state) {
  switch (state) {
    case v1::CAMPAIGN_STATE_DRAFT:
      return domain::CampaignState::kDraft;
    case v1::CAMPAIGN_STATE_OPEN:
      return domain::CampaignState::kOpen;
    case v1::CAMPAIGN_STATE_CLOSED:
      return domain::CampaignState::kClosed;
    default:
      return std::nullopt;
  }
}

}  // namespace survey::api
