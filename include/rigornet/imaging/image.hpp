// rigornet — grayscale images for the compressed-sensing work of DESIGN.md §5: reading
// and writing PGM/PNG, the Shepp–Logan phantom, and the usual error measures.
//
// Images are data, not certificates: pixels are binary64 values, nominally in [0, 1],
// and the error measures here are floating-point estimates (a certified reconstruction
// error is computed from the network's ball or exact output, not from these).
#pragma once
#include <cstddef>
#include <string>
#include <vector>

namespace rigornet {

/// Largest accepted width or height; larger files are refused with ResourceError
/// (an 8192×8192 image is already 512 MiB of doubles).
inline constexpr std::size_t max_image_side = 8192;

/// A grayscale image, row-major: pixel (column i, row j) is pixels[j·width + i], row 0
/// at the top. Invariant kept by the constructor: pixels.size() == width·height.
struct Image {
    std::size_t width = 0, height = 0;
    std::vector<double> pixels;

    Image() = default;
    /// A width×height image filled with `value`; ShapeError if either side is 0,
    /// ResourceError if either exceeds max_image_side.
    Image(std::size_t width, std::size_t height, double value = 0.0);
    double& at(std::size_t i, std::size_t j) { return pixels[j * width + i]; }
    double at(std::size_t i, std::size_t j) const { return pixels[j * width + i]; }
};

/// Reads a PGM (P2 ASCII or P5 binary, maxval 1…65535; 16-bit samples big-endian) or a
/// PNG (8- or 16-bit, gray or RGB with optional alpha, which is ignored). The format is
/// recognised by its magic bytes, not by the file name. Pixel = sample / maxval, so
/// every value lies in [0, 1]; RGB becomes luma 0.299 R + 0.587 G + 0.114 B (ITU-R
/// BT.601). Throws ParseError naming the file and what was wrong (unknown format,
/// malformed header, truncated data, a sample above maxval), ResourceError for a side
/// above max_image_side or a file above 1 GiB.
Image read_image(const std::string& path);

/// Writes an 8-bit grayscale PNG: each pixel is clamped to [0, 1] and becomes
/// round(255·v). Lossless for images whose pixels are k/255 (e.g. read from 8-bit files).
/// Throws DomainError for a NaN pixel (named by position), ShapeError for an empty image,
/// ParseError naming the file if it cannot be written.
void write_png(const Image& image, const std::string& path);

/// Writes a binary PGM (P5, maxval 255), pixels converted as in write_png; same errors.
void write_pgm(const Image& image, const std::string& path);

/// The modified Shepp–Logan phantom (Toft's variant of Shepp & Logan 1974: the ten
/// ellipses with contrasts 1, −0.8, −0.2, −0.2, 0.1 ×6) sampled at the centres of an n×n
/// grid over [−1, 1]², y pointing up; each pixel is the sum of the contrasts of the
/// ellipses containing its centre, clipped to [0, 1]. Background 0, skull 1, brain 0.2.
/// Not mirror-symmetric: the ventricles (ellipses 3, 4) and two bottom spots (8, 10)
/// differ left and right; elsewhere pixel (i, j) equals pixel (n−1−i, j) exactly.
/// ShapeError for n = 0, ResourceError for n > max_image_side.
Image shepp_logan(std::size_t n);

/// Peak signal-to-noise ratio in dB, 10·log10(1 / MSE) for the nominal peak 1 of
/// [0, 1] images; +∞ when the images are equal. A floating-point estimate.
/// ShapeError if the sizes differ.
double psnr(const Image& reference, const Image& test);

/// ‖test − reference‖₂ / ‖reference‖₂ over all pixels, in double (an estimate).
/// ShapeError if the sizes differ, DomainError if the reference is zero.
double relative_l2_error(const Image& reference, const Image& test);

}  // namespace rigornet
