// Internal: reading a whole text file with a size guard.
#pragma once
#include <filesystem>
#include <fstream>
#include <string>

#include "rigornet/core/error.hpp"

namespace rigornet::detail {

/// The content of `path`; ParseError if it cannot be opened or read, ResourceError if
/// it holds more than max_bytes. The bound holds whatever the file is: a regular file is
/// refused by its size before reading; a device or pipe (/dev/zero, a FIFO) is read in
/// chunks and refused as soon as max_bytes are exceeded, so at most max_bytes + 64 KiB
/// are ever held.
inline std::string read_text_file(const std::string& path, std::uintmax_t max_bytes) {
    std::error_code ec;
    if (std::filesystem::is_directory(path, ec)) throw ParseError(path + ": is a directory, expected a file");
    std::ifstream in(path, std::ios::binary);
    if (!in) throw ParseError(path + ": cannot open file");
    auto refuse = [&](const std::string& size) {
        return ResourceError(path + ": file of " + size + " bytes refused (limit " + std::to_string(max_bytes) + ")");
    };
    if (auto size = std::filesystem::file_size(path, ec); !ec && size > max_bytes) throw refuse(std::to_string(size));
    std::string text;
    char buf[1 << 16];
    while (in.read(buf, sizeof buf) || in.gcount() > 0) {
        text.append(buf, static_cast<std::size_t>(in.gcount()));
        if (text.size() > max_bytes) throw refuse("more than " + std::to_string(max_bytes));
    }
    if (in.bad()) throw ParseError(path + ": read error");
    return text;
}

}  // namespace rigornet::detail
