// Template versions never change once stored, so they are loaded once and
// shared. Thread-safe.
#ifndef SURVEY_STORE_TEMPLATE_CACHE_H_
#define SURVEY_STORE_TEMPLATE_CACHE_H_

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <utility>

#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "domain/form.h"

namespace survey::store {

class TemplateCache {
 public:
  using Loader = std::function<absl::StatusOr<domain::Template>(
      const std::string& key, int version)>;
  explicit TemplateCache(Loader loader) : loader_(std::move(loader)) {}

  // The template (key, version), loading it on first use. Errors of the
  // loader are returned and not cached. REQUIRES: version > 0.
  absl::StatusOr<std::shared_ptr<const domain::Template>> Get(
      const std::string& key, int version) {
    {
      absl::MutexLock lock(&mu_);
      auto it = cache_.find({key, version});
      if (it != cache_.end()) return it->second;
    }
    absl::StatusOr<domain::Template> loaded = loader_(key, version);
    if (!loaded.ok()) return loaded.status();
    auto shared = std::make_shared<const domain::Template>(std::move(*loaded));
    absl::MutexLock lock(&mu_);
    return cache_.try_emplace({key, version}, shared).first->second;
  }

 private:
  Loader loader_;
  absl::Mutex mu_;
  std::map<std::pair<std::string, int>, std::shared_ptr<const domain::Template>>
      cache_ ABSL_GUARDED_BY(mu_);
};

}  // namespace survey::store

#endif  // SURVEY_STORE_TEMPLATE_CACHE_H_
