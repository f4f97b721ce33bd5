// rigornet — SHA-256 digests (Nettle's sha2), which identify the exact files a
// certificate is about.
#pragma once
#include <string>
#include <string_view>

namespace rigornet {

/// The SHA-256 of `bytes` as 64 lowercase hex digits (FIPS 180-4, computed by Nettle).
std::string sha256_hex(std::string_view bytes);

/// The SHA-256 of the bytes of file `path`, read in chunks (any size, constant memory).
/// Throws ParseError naming the file if it cannot be opened or read, or is a directory.
std::string sha256_file_hex(const std::string& path);

}  // namespace rigornet
