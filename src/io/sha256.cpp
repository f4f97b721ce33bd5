// rigornet — SHA-256 of a file (sha256.hpp), by Nettle.
#include "rigornet/sha256.hpp"

#include <fstream>
#include <vector>

#include <nettle/sha2.h>

#include "rigornet/error.hpp"

namespace rigornet {

std::string sha256_file(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw ParseError(path + ": cannot be read");
    sha256_ctx ctx;
    sha256_init(&ctx);
    std::vector<char> buf(1 << 16);
    while (in) {
        in.read(buf.data(), static_cast<std::streamsize>(buf.size()));
        const std::streamsize got = in.gcount();
        if (got > 0) sha256_update(&ctx, static_cast<std::size_t>(got), reinterpret_cast<const uint8_t*>(buf.data()));
    }
    if (in.bad()) throw ParseError(path + ": read error");
    uint8_t digest[SHA256_DIGEST_SIZE];
    sha256_digest(&ctx, SHA256_DIGEST_SIZE, digest);
    static const char* hex = "0123456789abcdef";
    std::string s;
    for (uint8_t b : digest) {
        s += hex[b >> 4];
        s += hex[b & 15];
    }
    return s;
}

}  // namespace rigornet
