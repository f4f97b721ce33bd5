// rigornet — exact merging of hidden units that compute the same function up to a
// positive factor (issue 7: TwinStream networks, whose two identical streams are
// subtracted, collapse to a constant). The simplified chain computes exactly the same
// function on R^n; the map from the original units to the merged ones is what a
// certificate records (docs/certificates.md, "merge"), so that the checker can re-check it
// against the original network with its own code.
#pragma once
#include <cstddef>
#include <vector>

#include "rigornet/lipschitz/lipschitz.hpp"

namespace rigornet {

/// Where unit k of hidden layer r of the original chain went.
struct UnitMap {
    /// member: h_k(x) = scale · h_rep(x) for every x (rep == k, scale 1: a representative);
    /// constant: h_k(x) = σ_k(b′_k) for every x (all its class-summed weights are 0).
    enum class Kind : unsigned char { member, constant } kind = Kind::member;
    std::size_t rep = 0;
    Rational scale{1};
};

/// A chain with its duplicated, constant and dead hidden units removed, and the map.
struct NeuronMerge {
    ReluChain merged;
    /// map[r][k] for every unit k of hidden layer r of the original chain.
    std::vector<std::vector<UnitMap>> map;
    /// dead[r]: the representatives of hidden layer r (original indices, increasing)
    /// dropped because their outgoing weights in the merged chain are all zero.
    std::vector<std::vector<std::size_t>> dead;
    /// Units removed: members with rep ≠ k, constants, dead representatives.
    std::size_t merged_units = 0, constant_units = 0, dead_units = 0;
    std::size_t removed() const { return merged_units + constant_units + dead_units; }
};

/// Simplifies chain c exactly, layer by layer (all arithmetic exact rational).
/// Sources of hidden layer r: the inputs (r = 0, each its own class, scale 1) or the
/// classes of layer r − 1. For unit k with weights W_kj and bias b_k:
///   b′_k = b_k + Σ_{j constant} W_kj·σ_j(b′_j),  v_k[C] = Σ_{j ∈ C} W_kj·s_j,
/// so z_k = Σ_C v_k[C]·h_rep(C) + b′_k. If v_k = 0 the unit is constant (except unit 0 of
/// a layer whose units are all constant: it stays, a representative with t = 1). Otherwise t_k =
/// |first nonzero v_k[C]| > 0 and the key is (v_k/t_k, b′_k/t_k, cap_k/t_k or "no cap");
/// units with equal keys form one class, represented by its first unit r, and
/// s_k = t_k/t_r. Why h_k = s_k·h_r, by induction on the layers: the hypothesis for
/// layer r − 1 gives z_k = t_k·ẑ with ẑ the key's normalised pre-activation, equal for
/// the class, so z_k = s_k·z_r; and for s > 0, relu(s·z) = s·relu(z) and
/// min(max(s·z, 0), s·c) = s·min(max(z, 0), c) (cap_k = s_k·cap_r by the key).
/// The merged chain has one unit per class (the representative's row v_r over the kept
/// classes of the previous layer, bias b′_r, cap_r), in the order of the representatives'
/// original indices; its output layer is the original one with class-summed weights and
/// b′. Then, from the last hidden layer back, a unit whose outgoing column is all zero is
/// dropped (it contributes nothing to any later value), except the first unit of a layer
/// that would become empty (every layer keeps width ≥ 1). So merged.evaluate(x) = c.evaluate(x) for every x ∈ R^n, and
/// a TwinStream network (output weights w, −w on identical streams) gets all output weights 0: a constant output,
/// decided exactly by any forward bound. Neurons are merged only when their keys are exactly equal: nothing is
/// approximated, and units whose functions agree only on part of R^n are not merged.
NeuronMerge merge_neurons(const ReluChain& c);

}  // namespace rigornet
