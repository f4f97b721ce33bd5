// rigornet — SHA-256 of a file's bytes (certificates name the files they are about;
// docs/certificates.md). Computed by Nettle (FIPS 180-4).
#pragma once
#include <string>

namespace rigornet {

/// Lower-case hex SHA-256 of the bytes of the file at path; ParseError naming the path
/// when it cannot be read.
std::string sha256_file(const std::string& path);

}  // namespace rigornet
