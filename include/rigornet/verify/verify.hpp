// rigornet — verification of a VNN-LIB property over an input box (DESIGN.md §10):
// holds ⇔ f(X) ∩ U = ∅ for the real-valued network with its exact rational weights.
#pragma once
#include <atomic>
#include <cstddef>
#include <functional>
#include <string>
#include <vector>

#include "rigornet/core/verdict.hpp"
#include "rigornet/lipschitz/lipschitz.hpp"
#include "rigornet/verify/neuron_merge.hpp"
#include "rigornet/verify/sound_bounds.hpp"
#include "rigornet/verify/vnnlib.hpp"

namespace rigornet {

/// How verify searches a case whose unsafe set has several conjunctions
/// (VerifyOptions::conjunctions).
enum class ConjunctionSearch { automatic, split, joint };

struct VerifyOptions {
    double timeout_seconds = 60;
    std::size_t max_nodes = 1000000;
    /// Uniform random starts of the counterexample search per node, besides the centre.
    std::size_t samples_per_node = 1;
    /// Projected signed-gradient steps per start (in double; candidates re-checked exactly).
    std::size_t attack_steps = 10;
    /// At the root node (the property's box, when its bounds do not decide): starts from
    /// the centre, every corner (2^n for n ≤ 10 inputs, else min(root_restarts/2, 1024)
    /// random corners), then root_restarts uniform random points, each with
    /// root_attack_steps steps; cut to about root_attack_work multiply-adds in all (ACAS
    /// Xu: every start, about 0.3 s; MNIST 784-256-256-10: a few starts).
    std::size_t root_restarts = 200;
    std::size_t root_attack_steps = 60;
    std::size_t root_attack_work = 2000000000;
    /// Then, when input splitting applies (at most input_split_max_dim inputs), chains of
    /// exact LPs over activation regions (the region's affine network, maximising the
    /// least slack of the conjunction's constraints; an optimum ≥ 0 is an exact
    /// counterexample) from this many of the least violated end points.
    std::size_t root_lp_starts = 5;
    unsigned long seed = 1;
    /// Worker threads sharing one depth-first stack of nodes (≥ 1).
    unsigned threads = 1;
    /// Input splitting when the network has at most this many inputs, ReLU splitting
    /// (input splitting once no unstable unit is left) otherwise.
    std::size_t input_split_max_dim = 16;
    /// α-CROWN steps per open output constraint at every node (BoundRefinement::alpha_steps;
    /// 0: off), with input splitting. Ignored with want_proof (the checker's forward
    /// procedure closes the nodes). ACAS Xu at 60 s, 2 threads: 27 of 27 decided, 55.7 s in
    /// all, against 26 of 27, 109.6 s without (4_2 p2: holds in 10799 nodes; docs/verify.md).
    std::size_t alpha_steps = 10;
    /// The same with ReLU splitting (more than input_split_max_dim inputs), where it pays:
    /// MNIST 256×2 prop_0 ε = 0.03 holds in 21 nodes with 10 steps and β, unknown after
    /// 1400 nodes without (docs/verify.md). With want_proof too: the leaves record the
    /// multipliers (certificate version 6).
    std::size_t relu_alpha_steps = 10;
    /// With α steps: β-CROWN multipliers for the ReLU splits' constraints too
    /// (BoundRefinement::beta; no effect without fixed phases).
    bool beta = true;
    /// With ReLU splitting and parent bounds (so not with want_proof): α-CROWN steps on the
    /// hidden units' own bounds (BoundRefinement::unit_alpha_steps) at the nodes of depth
    /// below relu_unit_alpha_depth, whose tightened bounds the nodes below inherit.
    std::size_t relu_unit_alpha_steps = 10;
    std::size_t relu_unit_alpha_depth = 1;
    /// Intersect each node's unit bounds with its parent's (BoundRefinement::parent; not
    /// with want_proof).
    bool reuse_parent_bounds = true;
    /// With ReLU splitting (more than input_split_max_dim inputs) and without want_proof,
    /// bound nodes by NeuronBounds::backward (no forward symbolic functions: on MNIST
    /// 784-256-256-10 they cost most of a node, docs/verify.md); false: back_substituted.
    bool backward_bounds = true;
    /// ReLU splits choose the unit of largest SymbolicBounds::split_score (BaBSR-like: what
    /// its chord costs the open constraints); false: of largest chord intercept u·(−l)/(u − l).
    bool relu_split_score = true;
    /// With relu_split_score: filtered smart branching among this many units of largest
    /// split_score (BoundRefinement::branch_candidates, SymbolicBounds::preferred_split;
    /// 0 or 1: the largest score alone).
    std::size_t relu_branch_candidates = 32;
    /// Without want_proof, how a case of several conjunctions is searched. split: one
    /// search per conjunction (the unsafe set is their union, so the property holds iff
    /// every conjunction is refuted over the box). joint: one tree for all; a node closes
    /// only when it refutes every conjunction. With ReLU splitting the conjunctions' trees
    /// split different units and the joint tree is about their product: MNIST 256×2
    /// prop_1 ε = 0.03 (9 conjunctions) had 4 % of its joint tree closed after 240 s and
    /// holds in 4612 nodes split. With input splitting the trees split the same few inputs
    /// and a joint node shares its forward pass: the given ACAS Xu properties of several
    /// conjunctions take 1.1–1.8 times longer split (docs/verify.md). automatic: split
    /// with ReLU splitting, joint with input splitting.
    ConjunctionSearch conjunctions = ConjunctionSearch::automatic;
    /// Record the proof tree and re-check it exactly (VerifyResult::proof).
    bool want_proof = false;
    /// Search on merge_neurons(c) (identical and constant units merged, dead ones dropped;
    /// the same function, neuron_merge.hpp) instead of c.
    bool merge = true;
    /// Set (e.g. by SIGINT) to stop: the verdict becomes unknown, reason "interrupted".
    const std::atomic<bool>* interrupt = nullptr;
    /// Called about every 2 s with (nodes processed, nodes pending, the share of the
    /// search tree closed so far — Σ 2^−depth over the closed nodes, 1 when every node
    /// is — and seconds).
    std::function<void(std::size_t, std::size_t, double, double)> progress;
};

/// One node of a proof tree (docs/certificates.md): an input split (x_dim ≤ at: first,
/// x_dim ≥ at: second), a ReLU split of unit `unit` of hidden layer `layer` (inactive:
/// first, active: second), or a leaf refuting conjunction k of the unsafe set by its
/// constraint refutes[k], with the lower slopes `slopes`: a dual leaf (certificate
/// version 3, its bound that of dual_bound.hpp) or a forward leaf (the checker's forward
/// procedure, check.hpp).
struct ProofNode {
    enum class Kind { input_split, relu_split, leaf } kind = Kind::leaf;
    std::size_t dim = 0, layer = 0, unit = 0;
    Rational at;
    std::size_t first = 0, second = 0;  // indices into VerifyResult::proof
    Slopes slopes;
    std::vector<std::size_t> refutes;
    /// Per conjunction: empty, or the multipliers λ ≥ 0 of the combination of its
    /// constraints (combine, vnnlib.hpp) that refutes it in place of constraint refutes[k]
    /// (SymbolicBounds::combination; certificate version 5).
    std::vector<std::vector<Rational>> combination;
    bool dual = false;
    /// A dual leaf whose ranges are also intersected with the forward procedure's
    /// (dual_forward_ranges, leaf kind "dual_forward", certificate version 4).
    bool forward_ranges = false;
    /// A dual leaf whose ranges are intersected with interval arithmetic instead
    /// (dual_interval_ranges, leaf kind "dual_interval", version 6: the search's bounds for
    /// wide inputs, NeuronBounds::backward), with per conjunction the α-β ascent's
    /// multipliers of its refuting constraint (SymbolicBounds::ascent; empty alpha: none),
    /// which the checker's bound also tries (DualRefinement, dual_bound.hpp).
    bool interval_ranges = false;
    std::vector<SymbolicBounds<double>::AscentPoint> refine;
};

class DualChain;

/// Whether leaf `leaf` of a proof tree passes the checker's dual procedure over the
/// region lo ≤ x ≤ hi with phases `fix` (check/dual_bound.hpp: dual_ranges, then
/// dual_constraint_lower_bound > d for some constraint of every conjunction, with the
/// leaf's slopes; with leaf.forward_ranges dual_forward_ranges and
/// dual_forward_constraint_lower_bound), or, where none does and leaf.combination[k] is
/// set, its combination; then leaf.refutes and leaf.combination name what refutes each. The functions `rigornet
/// check` runs, so a dual leaf that passes here passes there. Exact; true also when the
/// derived ranges show the region empty.
bool dual_leaf_holds(const DualChain& dual, const VnnlibProperty& p, ProofNode& leaf, const std::vector<Rational>& lo,
                     const std::vector<Rational>& hi, const PhaseFix& fix);

struct VerifyResult {
    Verdict verdict = Verdict::unknown;
    /// For unknown: "timeout", "node limit", "interrupted" or "cannot split" (a box
    /// narrower than binary64 resolution with no unstable unit left).
    std::string reason;
    /// For refuted: an exact input in the box and its exact outputs, (x, f(x)) ∈ U.
    std::vector<Rational> input, output;
    std::size_t nodes = 0;
    double seconds = 0;
    /// The share of the search closed: per search (input-box case, input_box_cases, or
    /// with split conjunctions (VerifyOptions::conjunctions) one conjunction of a case)
    /// Σ 2^−depth over its closed nodes (depth = splits from the search's root), summed exactly and
    /// rounded down, averaged over the searches. 1 for proved (every leaf of every search
    /// closed), below 1 otherwise: how far an unknown run got (a measure of the tree, not
    /// of the input volume).
    double closed_share = 0;
    /// With want_proof and proved: the proof tree, root at index 0, every leaf checked
    /// over its exact region by the checker's own procedure for its kind (dual leaves:
    /// verify_dual_ranges and dual_constraint_lower_bound of dual_bound.hpp) or, where a
    /// dual leaf fails, re-proved by symbolic_bounds_exact (a forward leaf). Empty
    /// when it could not be completed; proof_error then says why.
    std::vector<ProofNode> proof;
    std::string proof_error;
    /// The chain the search ran on and its map from c: merge_neurons(c) with
    /// VerifyOptions::merge, else merged = c (and an empty map). Relu splits and slopes of
    /// the proof tree refer to merge.merged.
    NeuronMerge merge;
};

/// Decides f(box) ∩ U = ∅ (proved: the property holds; refuted: violated) by branch and
/// bound, on the merged chain (VerifyOptions::merge; it computes the same f exactly, so
/// the verdict is about c). Each node (a sub-box with some ReLU phases fixed) is bounded by
/// symbolic_bounds_outward over its binary64 box (the property's box rounded outward,
/// then split at binary64 points), with back-substituted unit bounds (NeuronBounds::backward
/// with ReLU splitting, backward_bounds) intersected with the parent node's
/// (reuse_parent_bounds) and alpha_steps (relu_alpha_steps with ReLU splitting) of α-CROWN,
/// with β multipliers for the splits (beta) (none of these refinements when want_proof: the
/// checker re-derives each leaf from scratch): a conjunction is refuted
/// on the node when one of its constraints has bound > d rounded up, or the nonnegative
/// combination of its constraints the pass chose has combined_bound > combined_rhs
/// (SymbolicBounds::combination), a proof for the real-valued network on the node's
/// region (sound_bounds.hpp). proved: every node of a cover of the box (input
/// splits into two half-boxes, ReLU splits into the two phases) refuted every
/// conjunction. refuted: a double candidate (the centre, random points, the box corner
/// minimising the lower function of each open conjunction's least bounded constraint, at
/// the root also the corners, then projected signed-gradient steps on the conjunction's largest
/// violation) was converted to an exact rational point of the box, or an exact LP over
/// an activation region (root_lp_starts) gave an exact rational point, and the exact
/// output of the original c (ReluChain::evaluate) satisfies a conjunction exactly. Otherwise unknown with the reason. Splitting: input
/// splits at the binary64 midpoint of the side with the largest |coefficient|·width of
/// the lower function of the open constraint or combination closest to refutation
/// ("smear"; a combination's coefficients are Σλ_m·|coefficient of constraint m|); ReLU
/// splits on the unstable unit with the largest chord intercept u·(−l)/(u−l).
/// Without want_proof the search is split (exactly, lossless): one per input-box case
/// (input_box_cases) and, with split conjunctions (VerifyOptions::conjunctions), for a
/// case of several conjunctions its root node alone (bounds, and the root's counterexample
/// search over all of them), then if that decides nothing one search per conjunction
/// (their roots without the long counterexample search); proved iff every search proves
/// its part, refuted by the first counterexample. Time comes in passes: each search still
/// open gets an even share of the time left, at most 1 s in the first pass and twice the
/// previous cap in each next one (a search alone gets all of it), and one that runs out
/// of its share goes on from its pending nodes in the next pass. With want_proof, one tree
/// over p's box for all conjunctions.
/// Determinism: the verdict proved/refuted never depends on scheduling (both are proofs,
/// and they exclude each other); with threads = 1 the whole run, counterexample
/// included, is a function of the seed; with more threads the reported counterexample
/// and the node count may differ between runs (each counterexample is exactly checked).
/// Property and chain dimensions must agree (ShapeError).
VerifyResult verify(const ReluChain& c, const VnnlibProperty& p, const VerifyOptions& o);

}  // namespace rigornet
