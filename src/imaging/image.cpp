#include "rigornet/imaging/image.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <fstream>
#include <limits>
#include <memory>
#include <numbers>

#include <stb/stb_image.h>
#include <stb/stb_image_write.h>

#include "../io/text_file.hpp"
#include "rigornet/core/error.hpp"

namespace rigornet {

namespace {

constexpr std::uintmax_t max_image_file_bytes = std::uintmax_t(1) << 30;

void check_sides(std::size_t width, std::size_t height, const std::string& where) {
    if (width == 0 || height == 0)
        throw ShapeError(where + "image of size " + std::to_string(width) + "x" + std::to_string(height) +
                         " has no pixels");
    if (width > max_image_side || height > max_image_side)
        throw ResourceError(where + "image of size " + std::to_string(width) + "x" + std::to_string(height) +
                            " refused (largest side accepted: " + std::to_string(max_image_side) + ")");
}

// ------------------------------------------------------------------ PGM

/// Reads the P2/P5 tokens of `data`: unsigned decimal integers separated by whitespace,
/// with '#' comments running to the end of the line.
class PgmReader {
public:
    PgmReader(const std::string& data, const std::string& path) : data_(data), path_(path) {}

    ParseError error(const std::string& what) const { return ParseError(path_ + ": PGM " + what); }
    ParseError error(const char* what, std::size_t sample, const std::string& found) const {
        return error(std::string(what) + (sample ? " " + std::to_string(sample) : "") + ": " + found);
    }

    /// The next integer; `what` (and the 1-based sample number, if any) names it in
    /// errors. An integer above 2^32 is an error.
    std::uint64_t number(const char* what, std::size_t sample = 0) {
        skip_space();
        if (pos_ >= data_.size()) throw error(what, sample, "expected a number, found the end of the file");
        if (!is_digit(data_[pos_]))
            throw error(what, sample,
                        "expected a number, found '" + std::string(1, data_[pos_]) + "' at byte " + std::to_string(pos_));
        std::uint64_t v = 0;
        while (pos_ < data_.size() && is_digit(data_[pos_])) {
            v = v * 10 + static_cast<std::uint64_t>(data_[pos_++] - '0');
            if (v > (std::uint64_t(1) << 32)) throw error(what, sample, "number too large at byte " + std::to_string(pos_));
        }
        return v;
    }

    /// P5: exactly one whitespace byte separates maxval from the raster.
    void single_whitespace() {
        if (pos_ >= data_.size() || !is_space(data_[pos_]))
            throw error("header: expected one whitespace byte after maxval");
        ++pos_;
    }

    std::size_t pos() const { return pos_; }

private:
    static bool is_digit(char c) { return c >= '0' && c <= '9'; }
    static bool is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f'; }
    void skip_space() {
        while (pos_ < data_.size()) {
            if (is_space(data_[pos_])) ++pos_;
            else if (data_[pos_] == '#')
                while (pos_ < data_.size() && data_[pos_] != '\n') ++pos_;
            else break;
        }
    }
    const std::string& data_;
    const std::string& path_;
    std::size_t pos_ = 2;  // after the magic number
};

Image parse_pgm(const std::string& data, const std::string& path) {
    PgmReader in(data, path);
    const bool binary = data[1] == '5';
    const std::uint64_t width = in.number("width"), height = in.number("height");
    if (width == 0 || height == 0) throw in.error("header: width and height must be positive");
    check_sides(width, height, path + ": PGM ");
    const std::uint64_t maxval = in.number("maxval");
    if (maxval == 0 || maxval > 65535) throw in.error("maxval must be 1..65535, found " + std::to_string(maxval));
    Image img(width, height);
    const std::size_t n = img.pixels.size();
    auto store = [&](std::size_t k, std::uint64_t v) {
        if (v > maxval)
            throw in.error("sample " + std::to_string(v) + " at column " + std::to_string(k % width) + ", row " +
                           std::to_string(k / width) + " exceeds maxval " + std::to_string(maxval));
        img.pixels[k] = static_cast<double>(v) / static_cast<double>(maxval);
    };
    if (!binary) {
        for (std::size_t k = 0; k < n; ++k) store(k, in.number("raster (truncated?) sample", k + 1));
        return img;
    }
    in.single_whitespace();
    const std::size_t bytes = maxval > 255 ? 2 : 1, start = in.pos();
    if (data.size() - start < n * bytes)
        throw in.error("raster truncated: expected " + std::to_string(n * bytes) + " bytes, found " +
                       std::to_string(data.size() - start));
    const auto* raster = reinterpret_cast<const unsigned char*>(data.data() + start);
    for (std::size_t k = 0; k < n; ++k)
        store(k, bytes == 1 ? raster[k] : (std::uint64_t(raster[2 * k]) << 8 | raster[2 * k + 1]));
    return img;
}

// ------------------------------------------------------------------ PNG

/// Frees a buffer returned by stb_image.
struct StbiFree {
    void operator()(void* p) const { stbi_image_free(p); }
};

template <class Sample>
void fill_from(Image& img, const Sample* s, int channels, double maxval) {
    for (std::size_t k = 0; k < img.pixels.size(); ++k) {
        const Sample* p = s + k * static_cast<std::size_t>(channels);
        img.pixels[k] = channels == 1 ? p[0] / maxval : (0.299 * p[0] + 0.587 * p[1] + 0.114 * p[2]) / maxval;
    }
}

Image parse_png(const std::string& data, const std::string& path) {
    if (data.size() > static_cast<std::size_t>(std::numeric_limits<int>::max()))
        throw ResourceError(path + ": PNG file too large");
    const auto* bytes = reinterpret_cast<const stbi_uc*>(data.data());
    const int len = static_cast<int>(data.size());
    int w = 0, h = 0, comp = 0;
    if (!stbi_info_from_memory(bytes, len, &w, &h, &comp))
        throw ParseError(path + ": PNG header unreadable (" + stbi_failure_reason() + ")");
    check_sides(static_cast<std::size_t>(w), static_cast<std::size_t>(h), path + ": PNG ");
    // Gray and gray+alpha decode to one channel, RGB and RGBA to three; alpha is dropped.
    const int channels = comp <= 2 ? 1 : 3;
    Image img(static_cast<std::size_t>(w), static_cast<std::size_t>(h));
    int w2 = 0, h2 = 0, comp2 = 0;
    if (stbi_is_16_bit_from_memory(bytes, len)) {
        std::unique_ptr<stbi_us, StbiFree> px(stbi_load_16_from_memory(bytes, len, &w2, &h2, &comp2, channels));
        if (!px) throw ParseError(path + ": PNG data unreadable (" + stbi_failure_reason() + ")");
        fill_from(img, px.get(), channels, 65535.0);
    } else {
        std::unique_ptr<stbi_uc, StbiFree> px(stbi_load_from_memory(bytes, len, &w2, &h2, &comp2, channels));
        if (!px) throw ParseError(path + ": PNG data unreadable (" + stbi_failure_reason() + ")");
        fill_from(img, px.get(), channels, 255.0);
    }
    return img;
}

// ------------------------------------------------------------------ writing

/// The pixels as 8-bit samples round(255·clamp(v, 0, 1)); DomainError for NaN.
std::vector<unsigned char> to_bytes(const Image& image, const std::string& path) {
    check_sides(image.width, image.height, path + ": cannot write ");
    if (image.pixels.size() != image.width * image.height)
        throw ShapeError(path + ": cannot write: " + std::to_string(image.pixels.size()) + " pixels for a " +
                         std::to_string(image.width) + "x" + std::to_string(image.height) + " image");
    std::vector<unsigned char> out(image.pixels.size());
    for (std::size_t k = 0; k < out.size(); ++k) {
        const double v = image.pixels[k];
        if (std::isnan(v))
            throw DomainError(path + ": pixel at column " + std::to_string(k % image.width) + ", row " +
                              std::to_string(k / image.width) + " is NaN");
        out[k] = static_cast<unsigned char>(std::lround(255.0 * std::clamp(v, 0.0, 1.0)));
    }
    return out;
}

void write_file(const std::string& path, const std::string& content) {
    std::ofstream f(path, std::ios::binary);
    if (!f) throw ParseError(path + ": cannot open file for writing");
    f.write(content.data(), static_cast<std::streamsize>(content.size()));
    f.close();
    if (!f) throw ParseError(path + ": write failed");
}

void append_to_string(void* context, void* data, int size) {
    static_cast<std::string*>(context)->append(static_cast<const char*>(data), static_cast<std::size_t>(size));
}

}  // namespace

Image::Image(std::size_t w, std::size_t h, double value) : width(w), height(h) {
    check_sides(w, h, "");
    pixels.assign(w * h, value);
}

Image read_image(const std::string& path) {
    const std::string data = detail::read_text_file(path, max_image_file_bytes);
    if (data.size() >= 2 && data[0] == 'P' && (data[1] == '2' || data[1] == '5')) return parse_pgm(data, path);
    if (data.compare(0, 8, "\x89PNG\r\n\x1a\n", 8) == 0) return parse_png(data, path);
    throw ParseError(path + ": not a PGM (P2/P5) or PNG file (unrecognised first bytes)");
}

void write_png(const Image& image, const std::string& path) {
    const std::vector<unsigned char> bytes = to_bytes(image, path);
    std::string png;
    const int w = static_cast<int>(image.width), h = static_cast<int>(image.height);
    if (!stbi_write_png_to_func(append_to_string, &png, w, h, 1, bytes.data(), w))
        throw ParseError(path + ": PNG encoding failed");
    write_file(path, png);
}

void write_pgm(const Image& image, const std::string& path) {
    const std::vector<unsigned char> bytes = to_bytes(image, path);
    std::string pgm = "P5\n" + std::to_string(image.width) + " " + std::to_string(image.height) + "\n255\n";
    pgm.append(bytes.begin(), bytes.end());
    write_file(path, pgm);
}

// ------------------------------------------------------------------ phantom

Image shepp_logan(std::size_t n) {
    // Modified Shepp–Logan table (Toft 1996): contrast, semi-axes a (x) and b (y),
    // centre (x0, y0), rotation in degrees counter-clockwise.
    struct Ellipse {
        double contrast, a, b, x0, y0, degrees;
    };
    static constexpr std::array<Ellipse, 10> table{{
        {1.0, 0.69, 0.92, 0.0, 0.0, 0.0},
        {-0.8, 0.6624, 0.874, 0.0, -0.0184, 0.0},
        {-0.2, 0.11, 0.31, 0.22, 0.0, -18.0},
        {-0.2, 0.16, 0.41, -0.22, 0.0, 18.0},
        {0.1, 0.21, 0.25, 0.0, 0.35, 0.0},
        {0.1, 0.046, 0.046, 0.0, 0.1, 0.0},
        {0.1, 0.046, 0.046, 0.0, -0.1, 0.0},
        {0.1, 0.046, 0.023, -0.08, -0.605, 0.0},
        {0.1, 0.023, 0.023, 0.0, -0.606, 0.0},
        {0.1, 0.023, 0.046, 0.06, -0.605, 0.0},
    }};
    // cos and sin of each ellipse's angle, once (the same doubles as per pixel)
    std::array<double, table.size()> cosines{}, sines{};
    for (std::size_t k = 0; k < table.size(); ++k) {
        const double t = table[k].degrees * std::numbers::pi / 180.0;
        cosines[k] = std::cos(t);
        sines[k] = std::sin(t);
    }
    Image img(n, n);
    const double side = static_cast<double>(n);
    for (std::size_t j = 0; j < n; ++j) {
        // Pixel centres; the integer numerators make x(i) = −x(n−1−i) exactly, so the
        // ellipses centred on x = 0 give exactly mirror-symmetric pixels.
        const double y = (side - 1.0 - 2.0 * static_cast<double>(j)) / side;
        for (std::size_t i = 0; i < n; ++i) {
            const double x = (2.0 * static_cast<double>(i) + 1.0 - side) / side;
            double v = 0.0;
            for (std::size_t k = 0; k < table.size(); ++k) {
                const Ellipse& e = table[k];
                const double c = cosines[k], s = sines[k];
                const double dx = x - e.x0, dy = y - e.y0;
                const double u = (dx * c + dy * s) / e.a, w = (dy * c - dx * s) / e.b;
                if (u * u + w * w <= 1.0) v += e.contrast;
            }
            img.at(i, j) = std::clamp(v, 0.0, 1.0);
        }
    }
    return img;
}

// ------------------------------------------------------------------ error measures

namespace {

void check_same_size(const Image& a, const Image& b, const char* what) {
    if (a.width != b.width || a.height != b.height || a.pixels.size() != b.pixels.size())
        throw ShapeError(std::string(what) + ": images of sizes " + std::to_string(a.width) + "x" +
                         std::to_string(a.height) + " and " + std::to_string(b.width) + "x" +
                         std::to_string(b.height) + " differ");
}

double squared_distance(const Image& a, const Image& b) {
    double s = 0.0;
    for (std::size_t k = 0; k < a.pixels.size(); ++k) s += (a.pixels[k] - b.pixels[k]) * (a.pixels[k] - b.pixels[k]);
    return s;
}

}  // namespace

double psnr(const Image& reference, const Image& test) {
    check_same_size(reference, test, "psnr");
    const double mse = squared_distance(reference, test) / static_cast<double>(reference.pixels.size());
    return mse == 0.0 ? std::numeric_limits<double>::infinity() : -10.0 * std::log10(mse);
}

double relative_l2_error(const Image& reference, const Image& test) {
    check_same_size(reference, test, "relative_l2_error");
    double ref = 0.0;
    for (double v : reference.pixels) ref += v * v;
    if (ref == 0.0) throw DomainError("relative_l2_error: the reference image is zero");
    return std::sqrt(squared_distance(reference, test) / ref);
}

}  // namespace rigornet
