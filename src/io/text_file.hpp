// Internal: reading a whole text file with a size guard.
#pragma once
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "rigornet/error.hpp"

namespace rigornet::detail {

/// The content of `path`; ParseError if it cannot be read, ResourceError if it is larger
/// than max_bytes (checked before reading).
inline std::string read_text_file(const std::string& path, std::uintmax_t max_bytes) {
    std::error_code ec;
    if (std::filesystem::is_directory(path, ec)) throw ParseError(path + ": is a directory, expected a file");
    std::ifstream in(path, std::ios::binary);
    if (!in) throw ParseError(path + ": cannot open file");
    auto size = std::filesystem::file_size(path, ec);
    if (!ec && size > max_bytes)
        throw ResourceError(path + ": file of " + std::to_string(size) + " bytes refused (limit " +
                            std::to_string(max_bytes) + ")");
    std::ostringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

}  // namespace rigornet::detail
