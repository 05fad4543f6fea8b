#pragma once
// Bearer-token authentication of the REST frontend, and signed download URLs (so an `output_url` stays
// fetchable without headers, Kiosk client contract rule 6, while the server requires a token).
#include <cstdint>
#include <string>
#include <string_view>

namespace ck {

/// Compares two secrets in time independent of where they differ (the length still shows).
bool constant_time_equal(std::string_view a, std::string_view b);

/// True when `authorization` (the Authorization header value) is "Bearer <token>" (scheme case-insensitive).
bool bearer_matches(std::string_view authorization, std::string_view token);

/// True for addresses only this machine can reach: 127.0.0.0/8, ::1, "localhost".
bool is_loopback_host(std::string_view host);

/// Lowercase hex SHA-256 of `data` (FIPS 180-4).
std::string sha256_hex(std::string_view data);

/// Lowercase hex HMAC-SHA-256 (RFC 2104) of `message` under `key`.
std::string hmac_sha256_hex(std::string_view key, std::string_view message);

/// Signature of a bucket key for `?sig=` download URLs: the first 32 hex digits of
/// HMAC-SHA-256(token, "download:" + key), and with `expires` (Unix seconds) > 0 and a job key,
/// HMAC-SHA-256(token, "download:" + key + "\n" + expires + "\n" + job): an output_url then carries
/// `?exp=<expires>&job=<job>&sig=...`, and stops working at `expires` or when the job is gone. Empty when `token`
/// is empty.
std::string sign_download(std::string_view token, std::string_view key, int64_t expires = 0,
                          std::string_view job = {});

}  // namespace ck
