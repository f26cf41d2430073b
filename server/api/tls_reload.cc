#include "api/tls_reload.h"

#include <openssl/pem.h>
#include <openssl/x509.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <grpcpp/security/server_credentials.h>
#include <grpcpp/security/tls_certificate_provider.h>
#include <grpcpp/security/tls_credentials_options.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "absl/strings/str_cat.h"
#include "crypto/secret_file.h"

namespace survey::api {
namespace {

absl::StatusOr<std::string> ReadFile(const std::string& path,
                                     std::string_view what) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return absl::FailedPreconditionError(
        absl::StrCat(std::string(what), ": cannot read ", path));
  }
  std::stringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

// FailedPrecondition unless `cert` holds a certificate whose public key
// belongs to `key` (caught at start, not at the first handshake). The
// messages name the flags, never the key material.
absl::Status CheckKeyPair(const std::string& cert, const std::string& key) {
  BIO* cert_bio = BIO_new_mem_buf(cert.data(), static_cast<int>(cert.size()));
  X509* x509 = cert_bio == nullptr
                   ? nullptr
                   : PEM_read_bio_X509(cert_bio, nullptr, nullptr, nullptr);
  BIO_free(cert_bio);
  BIO* key_bio = BIO_new_mem_buf(key.data(), static_cast<int>(key.size()));
  EVP_PKEY* pkey =
      key_bio == nullptr
          ? nullptr
          : PEM_read_bio_PrivateKey(key_bio, nullptr, nullptr, nullptr);
  BIO_free(key_bio);
  absl::Status status;
  if (x509 == nullptr) {
    status = absl::FailedPreconditionError("--tls-cert: no PEM certificate");
  } else if (pkey == nullptr) {
    status = absl::FailedPreconditionError(
        "--tls-key: no PEM private key (encrypted keys are not supported)");
  } else if (X509_check_private_key(x509, pkey) != 1) {
    status = absl::FailedPreconditionError(
        "--tls-key does not belong to the certificate of --tls-cert");
  }
  X509_free(x509);
  EVP_PKEY_free(pkey);
  return status;
}

// Writes `data` to `path`, readable by the owner only.
absl::Status WritePrivate(const std::string& path, const std::string& data) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  if (!out) return absl::InternalError(absl::StrCat("cannot write ", path));
  chmod(path.c_str(), 0600);
  out << data;
  out.close();
  if (!out) return absl::InternalError(absl::StrCat("cannot write ", path));
  return absl::OkStatus();
}

std::string CopiesParent() {
  for (const char* var : {"RUNTIME_DIRECTORY", "TMPDIR"}) {
    const char* dir = getenv(var);
    // systemd may list several runtime directories separated by ':'.
    if (dir != nullptr && *dir != '\0') {
      std::string first(dir);
      return first.substr(0, first.find(':'));
    }
  }
  return "/tmp";
}

}  // namespace

absl::StatusOr<TlsMaterial> ReadTlsFiles(const TlsFiles& files) {
  TlsMaterial m;
  absl::StatusOr<std::string> cert = ReadFile(files.cert, "--tls-cert");
  if (!cert.ok()) return cert.status();
  m.cert = *std::move(cert);
  // The private key is held to the pepper's rule: a file that group or
  // others may read is refused (crypto::ReadSecretFile; fix: chmod 600).
  absl::StatusOr<std::string> key = crypto::ReadSecretFile(files.key, 1);
  if (!key.ok()) {
    return absl::Status(key.status().code(),
                        absl::StrCat("--tls-key: ", key.status().message()));
  }
  m.key = *std::move(key);
  m.key.push_back('\n');  // ReadSecretFile drops the PEM's last newline
  if (absl::Status s = CheckKeyPair(m.cert, m.key); !s.ok()) return s;
  if (!files.client_ca.empty()) {
    absl::StatusOr<std::string> ca = ReadFile(files.client_ca, "--tls-client-ca");
    if (!ca.ok()) return ca.status();
    m.ca = *std::move(ca);
  }
  return m;
}

absl::StatusOr<std::unique_ptr<ReloadableTls>> ReloadableTls::Create(
    TlsFiles files) {
  absl::StatusOr<TlsMaterial> m = ReadTlsFiles(files);
  if (!m.ok()) return m.status();
  std::unique_ptr<ReloadableTls> tls(new ReloadableTls(std::move(files)));
  std::string pattern = CopiesParent() + "/survey-tls-XXXXXX";
  if (mkdtemp(pattern.data()) == nullptr) {
    return absl::InternalError(
        absl::StrCat("cannot create a private directory under ", CopiesParent()));
  }
  tls->dir_ = pattern;
  {
    absl::MutexLock lock(&tls->mu_);
    if (absl::Status s = tls->Install(m->cert, m->key, m->ca); !s.ok()) return s;
  }
  const std::string current = tls->dir_ + "/current/";
  // Reads the files at once, then every second.
  auto provider =
      std::make_shared<grpc::experimental::FileWatcherCertificateProvider>(
          current + "key.pem", current + "cert.pem",
          tls->files_.client_ca.empty() ? "" : current + "ca.pem", 1);
  grpc::experimental::TlsServerCredentialsOptions options(provider);
  options.watch_identity_key_cert_pairs();
  if (!tls->files_.client_ca.empty()) {
    // Staff present certificates; the mobile app does not, so a client
    // certificate is requested and verified but not required.
    options.watch_root_certs();
    options.set_cert_request_type(GRPC_SSL_REQUEST_CLIENT_CERTIFICATE_AND_VERIFY);
  }
  // TLS 1.2 is the floor: grpc_tls_credentials_options' minimum is TLS 1.2
  // by default in 1.51 (tests/integration/transport_test.cc checks that
  // TLS 1.0 and 1.1 clients are refused).
  tls->credentials_ = grpc::experimental::TlsServerCredentials(options);
  return tls;
}

ReloadableTls::~ReloadableTls() {
  std::error_code ignored;
  if (!dir_.empty()) std::filesystem::remove_all(dir_, ignored);
}

absl::Status ReloadableTls::Install(const std::string& cert,
                                    const std::string& key,
                                    const std::string& ca) {
  const int next = generation_ + 1;
  const std::string gen = absl::StrCat(dir_, "/g", next);
  std::error_code ec;
  std::filesystem::remove_all(gen, ec);
  if (mkdir(gen.c_str(), 0700) != 0) {
    return absl::InternalError(absl::StrCat("cannot create ", gen));
  }
  for (auto [name, data] : {std::pair<const char*, const std::string*>{"cert.pem", &cert},
                            {"key.pem", &key}, {"ca.pem", &ca}}) {
    if (absl::Status s = WritePrivate(gen + "/" + name, *data); !s.ok()) return s;
  }
  // One rename switches all three files.
  const std::string link = dir_ + "/current.new";
  unlink(link.c_str());
  if (symlink(absl::StrCat("g", next).c_str(), link.c_str()) != 0 ||
      rename(link.c_str(), (dir_ + "/current").c_str()) != 0) {
    return absl::InternalError(absl::StrCat("cannot switch ", dir_, "/current"));
  }
  // The generation before the previous one: the watcher may still be
  // reading the previous one, never that.
  std::filesystem::remove_all(absl::StrCat(dir_, "/g", next - 2), ec);
  generation_ = next;
  return absl::OkStatus();
}

absl::Status ReloadableTls::Reload() {
  absl::StatusOr<TlsMaterial> m = ReadTlsFiles(files_);
  if (!m.ok()) return m.status();
  absl::MutexLock lock(&mu_);
  return Install(m->cert, m->key, m->ca);
}

}  // namespace survey::api
