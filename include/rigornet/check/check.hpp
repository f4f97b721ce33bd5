// rigornet — the independent checker of verification certificates (docs/certificates.md).
// A certificate claims that a VNN-LIB property holds (a split tree whose every leaf is
// refuted by forward symbolic interval bounds) or is violated (an exact counterexample).
// The checker re-derives every claim in exact rationals. It shares no code with the
// search (src/verify/): it trusts only the readers (network, VNN-LIB, JSON, rationals),
// extract_relu_chain with ReluChain::activate, and the exact evaluator evaluate<ExactArith>.
#pragma once
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "rigornet/lipschitz/lipschitz.hpp"
#include "rigornet/network/network.hpp"
#include "rigornet/verify/vnnlib.hpp"

namespace rigornet {

/// A linear function of the network input: coef·x + constant (exact rationals).
struct LinearFunction {
    std::vector<Rational> coef;
    Rational constant;
};

/// min over the box lo ≤ x ≤ hi of f(x), exact: each coefficient picks the box end
/// (lo_i for coef_i > 0, hi_i for coef_i < 0), which minimises its term separately.
Rational min_over_box(const LinearFunction& f, const std::vector<Rational>& lo, const std::vector<Rational>& hi);
/// max over the box of f(x), exact (the same with the ends swapped).
Rational max_over_box(const LinearFunction& f, const std::vector<Rational>& lo, const std::vector<Rational>& hi);

/// How a relu split on the path to a leaf fixed a hidden unit.
enum class UnitFix : unsigned char { free, inactive, active };

/// Linear lower and upper functions of each network output, valid on a region.
struct LeafBounds {
    std::vector<LinearFunction> lower, upper;
};

/// Significant bits of the dyadic numbers the relaxation of an unstable unit is rounded
/// to (outward, so the bound stays valid): exact chords u/(u − l) make the bit size of the
/// coefficients grow geometrically with depth (each layer mixes the denominators of all
/// its units), which makes a 6-layer network like ACAS Xu infeasible; rounded, the sizes
/// grow by about this many bits per layer.
constexpr long bound_precision = 64;

/// Forward symbolic interval bounds (the ReluVal/Neurify relaxation, exact rationals) of
/// the outputs of chain c over the region R = {x ∈ [lo, hi] : z_rk(x) ≤ 0 for every unit
/// fixed inactive, z_rk(x) ≥ 0 for every unit fixed active}: for every x ∈ R and every
/// output j, lower[j](x) ≤ f_j(x) ≤ upper[j](x). fixed[r][k] and slopes[r][k] (α ∈ [0, 1])
/// are indexed by 0-based hidden layer r and unit k and must have the hidden widths.
/// Why it holds, by induction over the layers (docs/certificates.md, "Soundness"): an
/// affine map with W_ij > 0 takes lower to lower and with W_ij < 0 upper to lower; for a
/// ReLU with concrete bounds l ≤ z ≤ u on the box, l ≥ 0 gives σ = z, u ≤ 0 gives 0, and
/// for l < 0 < u the chord u(z − l)/(u − l) ≥ relu(z) on [l, u] (convexity) and α·z ≤
/// relu(z) for α ∈ [0, 1] (both increasing in z, so they apply to the bounds of z); a
/// fixed unit is exact on its half of R (σ = z where z ≥ 0, σ = 0 where z ≤ 0); a capped
/// unit min(max(z, 0), cap) is z when 0 ≤ l ≤ u ≤ cap; when 0 ≤ l < cap < u with
/// overshoot u − cap ≤ cap − l it lies between z − (u − cap) and z (σ = cap ≥ z − (u − cap)
/// for cap ≤ z ≤ u); when l < 0 < u ≤ cap it is relu on [l, u] (the ReLU relaxation);
/// otherwise, being increasing, σ(l) ≤ σ(z) ≤ σ(u). Rounding (bound_precision bits, outward): for an unstable ReLU the
/// chord slope λ = u/(u − l) is rounded up to λ′ and l down to l′, the slope α down to α′
/// (λ′(z − l′) ≥ 0 at z = l and ≥ u at z = u, so it is still above relu on [l, u]; α′ ∈
/// [0, 1]); for a capped unit the constants are σ(l′) and σ(u′) with l′ ≤ l, u′ ≥ u. So the
/// bounds are those of the stated relaxation loosened by at most a relative 2^−63 per
/// rounding, never tighter. All arithmetic is exact rational. Throws DomainError for a fixed capped
/// unit or an α outside [0, 1], ShapeError for wrong shapes (the checker tests both first
/// and reports them with their place in the certificate).
///
/// `tighten`, when set, is called at every hidden layer r with the concrete ranges l_k =
/// min_B L_z, u_k = max_B U_z of all its units (fixed ones included) and the layer's
/// slopes (a copy of slopes[r]) before the layer is relaxed; it may replace the ranges by
/// tighter ones that still contain z_rk(x) for every x of R and the slopes by others in
/// [0, 1] (the relaxations above are valid for any such range and slope, so the bounds
/// stay valid); when it returns false (R shown empty) the result is empty (no functions).
using RangeHook = std::function<bool(std::size_t r, std::vector<Rational>& l, std::vector<Rational>& u, std::vector<Rational>& alpha)>;
LeafBounds symbolic_bounds(const ReluChain& c, const std::vector<Rational>& lo, const std::vector<Rational>& hi,
                               const std::vector<std::vector<UnitFix>>& fixed,
                               const std::vector<std::vector<Rational>>& slopes, const RangeHook& tighten = {});

/// A lower bound of a·x + c·y over the region of `b` (y = f(x)): min over the box of
/// a·x + Σ_j (c_j > 0 ? c_j·lower_j : c_j·upper_j), exact. Why: the sum is a linear
/// function ≤ a·x + c·f(x) at every x of the region, and its minimum over the box (which
/// contains the region) is ≤ its value there.
Rational constraint_lower_bound(const LinearConstraint& k, const LeafBounds& b, const std::vector<Rational>& lo,
                                const std::vector<Rational>& hi);

/// The limits of the certificate reader; exceeding one makes the certificate invalid (it
/// is not read further), so a hostile file cannot exhaust memory, stack or time.
namespace certificate_limits {
/// Largest certificate file read.
constexpr std::uintmax_t max_file_bytes = std::uintmax_t{1} << 28;
/// Deepest split tree (the JSON nesting is refused while parsing beyond this plus a few).
constexpr std::size_t max_depth = 10000;
/// Most tree nodes (splits and leaves).
constexpr std::size_t max_nodes = 10000000;
}  // namespace certificate_limits

/// What the certificate must be about: the network as the checker read it and the
/// property, identified by the SHA-256 (lowercase hex) of their files' bytes.
struct CertificateSubject {
    const Network& net;
    std::string semantics;  // the reading the network was read with, e.g. "nnet-decimal"
    std::string net_sha256;
    const VnnlibProperty& prop;
    std::string prop_sha256;
};

struct CheckOptions {
    /// Called about every 2 s while leaves are checked, with (leaves so far, seconds).
    std::function<void(std::size_t, double)> progress;
    /// When set and true, checking stops (result: interrupted).
    const std::atomic<bool>* interrupt = nullptr;
    /// Checking stops (result: interrupted) after this many seconds.
    double timeout_seconds = 1e300;
};

/// The checker's verdict. valid: every claim of the certificate was re-derived exactly
/// (a proof of `holds`, or an exact counterexample of `violated`). Not valid: `reason`
/// says what failed and where (a JSON path such as "tree.below.above"), or that checking
/// was interrupted (then nothing is claimed either way).
struct CheckResult {
    bool valid = false;
    bool interrupted = false;
    std::string result;  // the claim: "holds", "violated", or "" when unreadable
    std::string reason;
    std::size_t leaves = 0;
    double seconds = 0;
};

/// Parses certificate text: JSON nested at most certificate_limits::max_depth + 8 deep
/// (refused while parsing, before the document is built). Throws ParseError naming
/// `source` and the byte where the text stops being JSON (a truncated file), and
/// ResourceError for nesting beyond the limit.
nlohmann::json parse_certificate(const std::string& text, const std::string& source);
/// Reads and parses a certificate file (at most certificate_limits::max_file_bytes).
nlohmann::json read_certificate(const std::string& path);

/// Checks certificate `cert` against the subject, in exact rational arithmetic only:
/// format and version (1 or 2), the SHA-256 of network and property, the semantics,
/// dimensions, every rational; for "holds" with a merge map (version 2), that every claim
/// of the map holds for the network's chain (members: bias and class-summed weights s
/// times the representative's, s > 0, caps s times; constants: no class-summed weight;
/// dead units: a zero column above), which proves by induction over the layers that the
/// merged chain built from it computes the same function (docs/certificates.md), and then
/// the tree on that merged chain; for "holds" that the tree covers the input box (input splits strictly
/// inside the current box, relu splits on plain ReLU units not fixed on the path) and that
/// at every leaf, for every conjunction k of the unsafe set, constraint refutes[k] has
/// constraint_lower_bound > its right-hand side (so no point of the leaf's region is
/// unsafe; the leaves' regions cover the box, so no point of the box is); for
/// "violated" that the input is in the box, the stated output is the exact
/// evaluate<ExactArith>(net, input), and that (input, output) satisfies every constraint
/// of some conjunction. Never throws for a bad certificate: the reason is returned.
CheckResult check_certificate(const nlohmann::json& cert, const CertificateSubject& subject,
                              const CheckOptions& options = {});

}  // namespace rigornet
