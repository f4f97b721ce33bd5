// rigornet — the NNet text format of the verification community (ACAS Xu, Reluplex,
// Marabou), read into the network model with its normalisation made explicit.
#pragma once
#include <string>
#include <vector>

#include "rigornet/network/network.hpp"

namespace rigornet {

/// How decimal literals in a file become rationals.
///  decimal:  "0.1" is exactly 1/10 — the network as written;
///  binary64: "0.1" is the double nearest to 1/10, exactly — the network as deployed
///            by a program that parses the file into doubles.
enum class NumberReading { decimal, binary64 };

/// The raw content of an NNet file.
struct NNetFile {
    std::vector<std::size_t> sizes;  // input size, hidden sizes…, output size
    std::vector<Rational> input_min, input_max;
    std::vector<Rational> mean, range;  // inputs, then the output's (last entry)
    std::vector<std::vector<Rational>> weights;  // layer k: sizes[k+1] × sizes[k], row-major
    std::vector<std::vector<Rational>> biases;   // layer k: sizes[k+1]
    std::vector<std::string> warnings;           // "SOURCE:LINE: …", file accepted anyway
};

/// Parses NNet text. Errors (ParseError) read "SOURCE:LINE: expected …, found …";
/// absurd sizes (more than 10^4 layers, 10^6 units in a layer, or 5·10^7 weights) are
/// refused with ResourceError before anything is allocated. A maxLayerSize smaller than
/// the widest layer is not an error (the sizes line is authoritative; TwinStream files do
/// this): it is recorded in `warnings`.
NNetFile parse_nnet(const std::string& text, const std::string& source, NumberReading reading);

/// The network computing exactly what the format defines for input x:
///   x̃_i = (clip(x_i, min_i, max_i) − mean_i) / range_i,
///   z = ReLU layers on x̃ (no ReLU after the last layer),
///   output_j = z_j · range_out + mean_out.
/// Built in the model of network.hpp: clip(x, a, b) = a + ReLU(x − a) − ReLU(x − b)
/// (valid for a ≤ b) is a first affine+ReLU pair; the normalisation is folded into the
/// first NNet layer and the output scaling into the last, all exactly. So the result
/// has 2 + 2·(number of NNet layers) − 1 layers. Throws ParseError for min > max or a
/// zero range.
Network nnet_to_network(const NNetFile& f, const std::string& source);

/// read + parse + convert; the parser's warnings are printed to stderr as
/// "rigornet: warning: …". Throws ParseError if the file cannot be read.
Network read_nnet(const std::string& path, NumberReading reading);

}  // namespace rigornet
