#include "rigornet/io/sha256.hpp"

#include <cstdint>
#include <filesystem>
#include <fstream>

#include <nettle/sha2.h>

#include "rigornet/core/error.hpp"

namespace rigornet {

namespace {

// The digest of what ctx has absorbed, as lowercase hex (sha256_digest also resets ctx).
std::string finish(sha256_ctx& ctx) {
    std::uint8_t digest[SHA256_DIGEST_SIZE];
    sha256_digest(&ctx, SHA256_DIGEST_SIZE, digest);
    static const char* digits = "0123456789abcdef";
    std::string s;
    for (std::uint8_t b : digest) {
        s += digits[b >> 4];
        s += digits[b & 15];
    }
    return s;
}

}  // namespace

std::string sha256_hex(std::string_view bytes) {
    sha256_ctx ctx;
    sha256_init(&ctx);
    sha256_update(&ctx, bytes.size(), reinterpret_cast<const std::uint8_t*>(bytes.data()));
    return finish(ctx);
}

std::string sha256_file_hex(const std::string& path) {
    std::error_code ec;
    if (std::filesystem::is_directory(path, ec)) throw ParseError(path + ": is a directory, expected a file");
    std::ifstream in(path, std::ios::binary);
    if (!in) throw ParseError(path + ": cannot open file");
    sha256_ctx ctx;
    sha256_init(&ctx);
    char buf[1 << 16];
    while (in.read(buf, sizeof buf) || in.gcount() > 0)
        sha256_update(&ctx, static_cast<std::size_t>(in.gcount()), reinterpret_cast<const std::uint8_t*>(buf));
    if (in.bad()) throw ParseError(path + ": read error");
    return finish(ctx);
}

}  // namespace rigornet
