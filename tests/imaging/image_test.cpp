// Images: PGM/PNG round trips and decoding of every accepted sample layout, errors on
// malformed files, the Shepp–Logan phantom against its ellipse table, error measures.
#include <array>
#include <cmath>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <limits>

#include <stb/stb_image_write.h>

#include "../support.hpp"
#include "rigornet/core/error.hpp"
#include "rigornet/imaging/image.hpp"

using namespace rigornet;

namespace {

/// A fresh path in a per-process temporary directory (removed at exit).
struct TempDir {
    std::filesystem::path dir;
    TempDir() {
        dir = std::filesystem::temp_directory_path() / ("rigornet-image-test-" + std::to_string(getpid()));
        std::filesystem::create_directories(dir);
    }
    ~TempDir() { std::filesystem::remove_all(dir); }
    std::string path(const std::string& name) const { return (dir / name).string(); }
};

const TempDir& tmp() {
    static TempDir t;
    return t;
}

std::string write_bytes(const std::string& name, const std::string& bytes) {
    std::string p = tmp().path(name);
    std::ofstream(p, std::ios::binary) << bytes;
    return p;
}

/// An image of random 8-bit levels k/255.
Image random_levels(std::mt19937_64& g, std::size_t w, std::size_t h) {
    Image img(w, h);
    for (double& v : img.pixels) v = static_cast<double>(g() % 256) / 255.0;
    return img;
}

// ---- a minimal PNG encoder for 16-bit gray, which stb_image_write cannot produce:
// one IDAT with a zlib stream of stored (uncompressed) deflate blocks.
std::uint32_t crc32(const std::string& s) {
    std::uint32_t c = 0xFFFFFFFFu;
    for (unsigned char b : s) {
        c ^= b;
        for (int k = 0; k < 8; ++k) c = (c >> 1) ^ (0xEDB88320u & (0u - (c & 1u)));
    }
    return c ^ 0xFFFFFFFFu;
}
std::string be32(std::uint32_t v) {
    return {char(v >> 24), char(v >> 16 & 0xFF), char(v >> 8 & 0xFF), char(v & 0xFF)};
}
std::string chunk(const std::string& type, const std::string& data) {
    return be32(static_cast<std::uint32_t>(data.size())) + type + data + be32(crc32(type + data));
}
std::string png16_gray(std::uint32_t w, std::uint32_t h, const std::vector<std::uint16_t>& samples) {
    std::string raw;  // filter byte 0 then big-endian samples, per row
    for (std::uint32_t j = 0; j < h; ++j) {
        raw += '\0';
        for (std::uint32_t i = 0; i < w; ++i) {
            raw += char(samples[j * w + i] >> 8);
            raw += char(samples[j * w + i] & 0xFF);
        }
    }
    std::uint32_t a = 1, b = 0;  // Adler-32
    for (unsigned char c : raw) {
        a = (a + c) % 65521;
        b = (b + a) % 65521;
    }
    const auto len = static_cast<std::uint16_t>(raw.size());
    std::string z = "\x78\x01";
    z += '\x01';  // final stored block
    z += {char(len & 0xFF), char(len >> 8), char(~len & 0xFF), char((~len >> 8) & 0xFF)};
    z += raw + be32((b << 16) | a);
    std::string ihdr = be32(w) + be32(h) + std::string{16, 0, 0, 0, 0};  // depth 16, gray
    return std::string("\x89PNG\r\n\x1a\n", 8) + chunk("IHDR", ihdr) + chunk("IDAT", z) + chunk("IEND", "");
}

template <class E>
void require_error(const std::string& path, const std::string& needle) {
    try {
        read_image(path);
        FAIL("no error reading " << path);
    } catch (const E& e) {
        INFO(e.what());
        CHECK(std::string(e.what()).find(path) != std::string::npos);
        CHECK(std::string(e.what()).find(needle) != std::string::npos);
    }
}

}  // namespace

TEST_CASE("8-bit PNG and PGM round trips are lossless", "[imaging][image]") {
    auto g = test::rng(1);
    for (int c = 0; c < test::cases(4); ++c) {
        const Image img = random_levels(g, 1 + g() % 40, 1 + g() % 40);
        write_png(img, tmp().path("a.png"));
        write_pgm(img, tmp().path("a.pgm"));
        for (const char* name : {"a.png", "a.pgm"}) {
            const Image back = read_image(tmp().path(name));
            INFO(name << " " << img.width << "x" << img.height);
            REQUIRE(back.width == img.width);
            REQUIRE(back.height == img.height);
            CHECK(back.pixels == img.pixels);
        }
    }
}

TEST_CASE("writing clamps to [0, 1] and rounds to the nearest level", "[imaging][image]") {
    Image img(4, 1);
    img.pixels = {-0.5, 1.5, 0.5, 100.4 / 255.0};
    write_png(img, tmp().path("clamp.png"));
    const Image back = read_image(tmp().path("clamp.png"));
    CHECK(back.pixels == std::vector<double>{0.0, 1.0, 128.0 / 255.0, 100.0 / 255.0});  // 127.5 rounds up
    img.pixels[2] = std::numeric_limits<double>::quiet_NaN();
    CHECK_THROWS_AS(write_png(img, tmp().path("nan.png")), DomainError);
    CHECK_THROWS_AS(write_pgm(img, tmp().path("nan.pgm")), DomainError);
    Image fine(2, 2);
    CHECK_THROWS_AS(write_png(fine, tmp().path("no/such/dir.png")), ParseError);
}

TEST_CASE("PGM P2 and P5 at 8 and 16 bits decode to sample/maxval", "[imaging][image]") {
    const Image p2 = read_image(write_bytes("p2.pgm", "P2\n# a comment\n3 2 # trailing\n4\n0 1 2\n3 4 0\n"));
    REQUIRE(p2.width == 3);
    REQUIRE(p2.height == 2);
    CHECK(p2.pixels == std::vector<double>{0, 0.25, 0.5, 0.75, 1, 0});
    // maxval 1000 > 255: two big-endian bytes per sample (500 = 0x01F4, 1000 = 0x03E8).
    const Image p5 = read_image(write_bytes("p5.pgm", std::string("P5 2 1 1000\n\x01\xF4\x03\xE8", 16)));
    CHECK(p5.pixels == std::vector<double>{0.5, 1.0});
    const Image p5b = read_image(write_bytes("p5b.pgm", std::string("P5\n2 1\n2\n\x00\x01", 11)));
    CHECK(p5b.pixels == std::vector<double>{0.0, 0.5});
}

TEST_CASE("PNG gray, gray+alpha, RGB and 16-bit decode to the documented values", "[imaging][image]") {
    auto write = [](const std::string& name, int w, int comp, const std::vector<unsigned char>& px) {
        std::string p = tmp().path(name);
        REQUIRE(stbi_write_png(p.c_str(), w, 1, comp, px.data(), w * comp));
        return p;
    };
    const Image ga = read_image(write("ga.png", 2, 2, {51, 0, 204, 255}));  // alpha ignored
    CHECK(ga.pixels == std::vector<double>{0.2, 0.8});
    const Image rgb = read_image(write("rgb.png", 3, 3, {255, 0, 0, 0, 255, 0, 10, 20, 30}));
    CHECK(rgb.pixels[0] == Approx(0.299).epsilon(1e-15));
    CHECK(rgb.pixels[1] == Approx(0.587).epsilon(1e-15));
    CHECK(rgb.pixels[2] == Approx((2.99 + 11.74 + 3.42) / 255).epsilon(1e-15));
    const Image rgba = read_image(write("rgba.png", 1, 4, {0, 0, 255, 7}));
    CHECK(rgba.pixels[0] == Approx(0.114).epsilon(1e-15));
    const Image g16 = read_image(write_bytes("g16.png", png16_gray(3, 2, {0, 1, 32768, 65535, 257, 65534})));
    REQUIRE(g16.width == 3);
    REQUIRE(g16.height == 2);
    CHECK(g16.pixels == std::vector<double>{0.0, 1.0 / 65535, 32768.0 / 65535, 1.0, 257.0 / 65535, 65534.0 / 65535});
}

TEST_CASE("malformed image files are refused with the file and the problem named", "[imaging][image]") {
    require_error<ParseError>(tmp().path("missing.png"), "cannot open");
    require_error<ParseError>(write_bytes("text.pgm", "hello"), "not a PGM");
    require_error<ParseError>(write_bytes("maxval0.pgm", "P2 1 1 0 0"), "maxval");
    require_error<ParseError>(write_bytes("maxval.pgm", "P5 1 1 70000\n\x01\x01"), "maxval");
    require_error<ParseError>(write_bytes("sample.pgm", "P2 2 1 7 3 8"), "exceeds maxval");
    require_error<ParseError>(write_bytes("short2.pgm", "P2 2 2 7 3 4 5"), "end of the file");
    require_error<ParseError>(write_bytes("short5.pgm", "P5 2 2 255\nabc"), "truncated");
    require_error<ParseError>(write_bytes("letter.pgm", "P2 2 x"), "height");
    require_error<ParseError>(write_bytes("zero.pgm", "P5 0 4 255\n"), "positive");
    require_error<ResourceError>(write_bytes("huge.pgm", "P5 9000 2 255\n"), "8192");
    require_error<ParseError>(write_bytes("huge-number.pgm", "P2 99999999999 1 255 0"), "too large");
    const std::string png = png16_gray(2, 2, {1, 2, 3, 4});
    require_error<ParseError>(write_bytes("cut.png", png.substr(0, png.size() - 30)), "PNG");
    require_error<ResourceError>(write_bytes("wide.png", png16_gray(9000, 1, std::vector<std::uint16_t>(9000))),
                                 "8192");
    CHECK_THROWS_AS(Image(0, 3), ShapeError);
    CHECK_THROWS_AS(shepp_logan(max_image_side + 1), ResourceError);
}

TEST_CASE("Shepp-Logan phantom matches its ellipse table", "[imaging][phantom]") {
    const std::size_t n = 256;
    const Image p = shepp_logan(n);
    REQUIRE(p.width == n);
    REQUIRE(p.height == n);
    // The pixel whose centre is nearest (x, y) ∈ [−1, 1]², y up.
    auto at = [&](double x, double y) {
        auto i = static_cast<std::size_t>(std::floor((x + 1) * n / 2));
        auto j = static_cast<std::size_t>(std::floor((1 - y) * n / 2));
        return p.at(i, j);
    };
    const double eps = 1e-12;  // sums of the table's contrasts in double
    CHECK(at(0.0, 0.0) == Approx(0.2).margin(eps));     // brain: 1 − 0.8
    CHECK(at(0.0, 0.35) == Approx(0.3).margin(eps));    // ellipse 5 inside the brain
    CHECK(at(0.0, 0.12) == Approx(0.4).margin(eps));    // ellipses 5 and 6 overlap
    CHECK(at(0.0, 0.9) == Approx(1.0).margin(eps));     // skull: inside 1, outside 2
    CHECK(at(0.22, 0.0) == Approx(0.0).margin(eps));    // right ventricle
    CHECK(at(-0.22, 0.0) == Approx(0.0).margin(eps));   // left ventricle
    CHECK(at(0.0, -0.606) == Approx(0.3).margin(eps));  // ellipse 9
    CHECK(at(0.0, -0.95) == 0.0);                       // below the skull
    CHECK(p.at(0, 0) == 0.0);
    CHECK(p.at(n - 1, n - 1) == 0.0);
    double lo = 1, hi = 0;
    for (double v : p.pixels) lo = std::min(lo, v), hi = std::max(hi, v);
    CHECK(lo == 0.0);
    CHECK(hi == 1.0);
    // Mirror symmetry about the vertical axis, exact, in the rows that avoid the
    // asymmetric ellipses (3, 4 reach |y| ≤ 0.41; 8, 10 lie in −0.65 ≤ y ≤ −0.56).
    std::size_t compared = 0, differ = 0;
    for (std::size_t j = 0; j < n; ++j) {
        const double y = (n - 1.0 - 2.0 * j) / n;
        const bool symmetric_row = y > 0.45 || (y < -0.45 && y > -0.55) || y < -0.7;
        for (std::size_t i = 0; i < n; ++i) {
            if (symmetric_row) {
                CHECK(p.at(i, j) == p.at(n - 1 - i, j));
                ++compared;
            } else if (p.at(i, j) != p.at(n - 1 - i, j)) {
                ++differ;
            }
        }
    }
    CHECK(compared > n * n / 3);
    CHECK(differ > 0);  // the two ventricles differ in size
}

TEST_CASE("PSNR and relative error", "[imaging][image]") {
    Image a(8, 4, 0.5), b(8, 4, 0.6), z(8, 4, 0.0);
    CHECK(psnr(a, a) == std::numeric_limits<double>::infinity());
    CHECK(psnr(a, b) == Approx(20.0).epsilon(1e-12));  // MSE 0.01
    CHECK(relative_l2_error(a, b) == Approx(0.2).epsilon(1e-12));
    CHECK(relative_l2_error(a, a) == 0.0);
    CHECK(psnr(a, z) == Approx(-10 * std::log10(0.25)).epsilon(1e-12));
    CHECK_THROWS_AS(relative_l2_error(z, a), DomainError);
    CHECK_THROWS_AS(psnr(a, Image(4, 8)), ShapeError);
    CHECK_THROWS_AS(relative_l2_error(a, Image(8, 5)), ShapeError);
}
