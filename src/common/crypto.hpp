// Hashing, random identifiers and constant-time comparison (OpenSSL underneath).
#pragma once

#include <string>
#include <string_view>

namespace ats {

// Lower-case hex SHA-256 of the bytes.
std::string Sha256Hex(std::string_view data);

// Raw 32-byte HMAC-SHA256 of data under key.
std::string HmacSha256(std::string_view key, std::string_view data);

// `n` bytes from the operating system's CSPRNG. Aborts if the generator fails (never expected).
std::string RandomBytes(size_t n);

// A random UUID v4 in canonical lower-case form.
std::string NewUuid();

// URL-safe base64 without padding.
std::string Base64UrlEncode(std::string_view data);

// Lower-case hex of raw bytes.
std::string HexEncode(std::string_view data);

// Compares in time that depends only on the lengths, not on where the inputs differ.
bool ConstantTimeEquals(std::string_view a, std::string_view b);

}  // namespace ats
