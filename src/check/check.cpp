// The certificate checker (check.hpp; format and argument in docs/certificates.md).
// Exact rationals only; nothing from src/verify/ but the VNN-LIB reader.
#include "rigornet/check/check.hpp"

#include <chrono>
#include <optional>
#include <set>
#include <span>

#include <nlohmann/json.hpp>

#include "rigornet/check/dual_bound.hpp"
#include "rigornet/number/arith.hpp"
#include "rigornet/core/error.hpp"
#include "rigornet/network/evaluate.hpp"
#include "../io/text_file.hpp"

using nlohmann::json;

namespace rigornet {

// ------------------------------------------------------------------ symbolic bounds

Rational min_over_box(const LinearFunction& f, const std::vector<Rational>& lo, const std::vector<Rational>& hi) {
    Rational m = f.constant;
    for (std::size_t i = 0; i < f.coef.size(); ++i) {
        const int s = f.coef[i].sign();
        if (s != 0) fmpq_addmul(m.get(), f.coef[i].get(), (s > 0 ? lo[i] : hi[i]).get());
    }
    return m;
}

Rational max_over_box(const LinearFunction& f, const std::vector<Rational>& lo, const std::vector<Rational>& hi) {
    return min_over_box(f, hi, lo);
}

namespace {

LinearFunction zero_function(std::size_t n) { return {std::vector<Rational>(n), Rational(0)}; }

// acc += w·f, exact.
void add_scaled(LinearFunction& acc, const fmpq* w, const LinearFunction& f) {
    for (std::size_t i = 0; i < f.coef.size(); ++i) fmpq_addmul(acc.coef[i].get(), w, f.coef[i].get());
    fmpq_addmul(acc.constant.get(), w, f.constant.get());
}

LinearFunction constant_function(std::size_t n, const Rational& v) { return {std::vector<Rational>(n), v}; }

}  // namespace

LeafBounds symbolic_bounds(const ReluChain& c, const std::vector<Rational>& lo, const std::vector<Rational>& hi,
                               const std::vector<std::vector<UnitFix>>& fixed,
                               const std::vector<std::vector<Rational>>& slopes, const RangeHook& tighten) {
    const std::size_t n = c.input_dim, depth = c.depth();
    if (lo.size() != n || hi.size() != n || fixed.size() != depth || slopes.size() != depth)
        throw ShapeError("symbolic_bounds: box, fixes or slopes do not match the chain");
    // the input layer: L = U = x_i
    std::vector<LinearFunction> hl(n, zero_function(n));
    for (std::size_t i = 0; i < n; ++i) hl[i].coef[i] = Rational(1);
    std::vector<LinearFunction> hu = hl;
    for (std::size_t r = 0;; ++r) {
        const RationalMatrix& w = c.weights[r];
        const std::size_t rows = w.rows();
        std::vector<LinearFunction> zl(rows, zero_function(n)), zu(rows, zero_function(n));
        for (std::size_t i = 0; i < rows; ++i) {
            zl[i].constant = zu[i].constant = c.biases[r][i];
            for (std::size_t j = 0; j < w.cols(); ++j) {
                const fmpq* wij = fmpq_mat_entry(w.get(), i, j);
                const int s = fmpq_sgn(wij);
                if (s == 0) continue;
                add_scaled(zl[i], wij, s > 0 ? hl[j] : hu[j]);
                add_scaled(zu[i], wij, s > 0 ? hu[j] : hl[j]);
            }
        }
        if (r == depth) return {std::move(zl), std::move(zu)};
        if (fixed[r].size() != rows || slopes[r].size() != rows)
            throw ShapeError("symbolic_bounds: fixes or slopes of hidden layer " + std::to_string(r) +
                             " do not have its width " + std::to_string(rows));
        // the concrete ranges l_k = min_B L_z, u_k = max_B U_z (then the hook's tightening)
        std::vector<Rational> ls(rows), us(rows);
        for (std::size_t k = 0; k < rows; ++k)
            if (tighten || fixed[r][k] == UnitFix::free) {
                ls[k] = min_over_box(zl[k], lo, hi);
                us[k] = max_over_box(zu[k], lo, hi);
            }
        std::vector<Rational> alphas = slopes[r];
        if (tighten && !tighten(r, ls, us, alphas)) return {};
        hl.assign(rows, zero_function(n));
        hu.assign(rows, zero_function(n));
        for (std::size_t k = 0; k < rows; ++k) {
            const Rational& alpha = alphas[k];
            if (alpha.sign() < 0 || alpha > Rational(1))
                throw DomainError("symbolic_bounds: slope " + alpha.str() + " outside [0, 1]");
            const Rational* cap = c.cap(r, k);
            if (fixed[r][k] != UnitFix::free) {
                if (cap) throw DomainError("symbolic_bounds: a capped unit cannot be fixed");
                // σ = z on the half z ≥ 0, σ = 0 on the half z ≤ 0
                if (fixed[r][k] == UnitFix::active) {
                    hl[k] = std::move(zl[k]);
                    hu[k] = std::move(zu[k]);
                }
                continue;
            }
            const Rational &l = ls[k], &u = us[k];
            if (u.sign() <= 0) continue;  // σ = 0 on the box (for both kinds of unit)
            if (l.sign() >= 0 && (!cap || u <= *cap)) {  // σ = z on the box
                hl[k] = std::move(zl[k]);
                hu[k] = std::move(zu[k]);
            } else if (cap && l.sign() >= 0 && l < *cap && u - *cap <= *cap - l) {
                // overshoot u − cap ≤ cap − l: z − (u − cap) ≤ σ(z) ≤ z for l ≤ z ≤ u
                // (σ(z) = z below the cap; above it σ = cap ≥ z − (u − cap) as z ≤ u)
                zl[k].constant -= u - *cap;
                hl[k] = std::move(zl[k]);
                hu[k] = std::move(zu[k]);
            } else if (cap && !(l.sign() < 0 && u <= *cap)) {  // σ increasing: σ(l′) ≤ σ(l) ≤ σ(z) ≤ σ(u) ≤ σ(u′)
                hl[k] = constant_function(n, c.activate(r, k, round_dyadic(l, bound_precision, Round::down)));
                hu[k] = constant_function(n, c.activate(r, k, round_dyadic(u, bound_precision, Round::up)));
            } else {  // l < 0 < u (≤ cap for a capped unit, where σ = relu on [l, u]):
                      // α′·L_z below, λ′·(U_z − l′) above (λ′ ≥ u/(u − l), l′ ≤ l)
                const Rational lambda = round_dyadic(u / (u - l), bound_precision, Round::up);
                zu[k].constant -= round_dyadic(l, bound_precision, Round::down);
                add_scaled(hu[k], lambda.get(), zu[k]);
                add_scaled(hl[k], round_dyadic(alpha, bound_precision, Round::down).get(), zl[k]);
            }
        }
    }
}

Rational constraint_lower_bound(const LinearConstraint& k, const LeafBounds& b, const std::vector<Rational>& lo,
                                const std::vector<Rational>& hi) {
    LinearFunction g{k.ax, Rational(0)};
    for (std::size_t j = 0; j < k.ay.size(); ++j) {
        const int s = k.ay[j].sign();
        if (s != 0) add_scaled(g, k.ay[j].get(), s > 0 ? b.lower[j] : b.upper[j]);
    }
    return min_over_box(g, lo, hi);
}

// ------------------------------------------------------------------ reading certificates

json parse_certificate(const std::string& text, const std::string& source) {
    const int max_nesting = static_cast<int>(certificate_limits::max_depth) + 8;
    json::parser_callback_t limit = [&](int depth, json::parse_event_t, json&) {
        if (depth > max_nesting)
            throw ResourceError(source + ": JSON nested deeper than " + std::to_string(max_nesting) +
                                " (the split tree is limited to depth " +
                                std::to_string(certificate_limits::max_depth) + ")");
        return true;
    };
    try {
        return json::parse(text, limit);
    } catch (const json::parse_error& e) {
        throw ParseError(source + ": not a JSON document (truncated or damaged?): " + e.what());
    }
}

json read_certificate(const std::string& path) {
    return parse_certificate(detail::read_text_file(path, certificate_limits::max_file_bytes), path);
}

// ------------------------------------------------------------------ checking

namespace {

// A certificate that fails a check: `where` is the JSON path of the offending value.
struct Invalid : Error {
    Invalid(const std::string& where, const std::string& what) : Error(where + ": " + what) {}
};

std::string item(const std::string& path, std::size_t i) { return path + "[" + std::to_string(i) + "]"; }

// Refuses keys of an object other than `allowed` (and a non-object).
void only_keys(const json& v, const std::string& path, std::initializer_list<const char*> allowed) {
    if (!v.is_object()) throw Invalid(path, "expected a JSON object");
    for (const auto& [key, value] : v.items()) {
        bool known = false;
        for (const char* a : allowed) known = known || key == a;
        if (!known) throw Invalid(path, "unknown key \"" + key + "\"");
    }
}

const json& field(const json& v, const std::string& path, const char* key) {
    auto it = v.find(key);
    if (it == v.end()) throw Invalid(path, std::string("missing \"") + key + "\"");
    return *it;
}

std::string string_field(const json& v, const std::string& path, const char* key) {
    const json& s = field(v, path, key);
    if (!s.is_string()) throw Invalid(path + "." + key, "expected a string");
    return s.get<std::string>();
}

// A JSON non-negative integer < bound.
std::size_t index(const json& v, const std::string& path, std::size_t bound) {
    if (!v.is_number_integer() || v.get<long long>() < 0 || static_cast<unsigned long long>(v.get<long long>()) >= bound)
        throw Invalid(path, "expected an integer from 0 to " + std::to_string(bound) + " − 1, found " + v.dump());
    return static_cast<std::size_t>(v.get<long long>());
}

Rational rational(const json& v, const std::string& path) {
    if (!v.is_string()) throw Invalid(path, "expected an exact rational as a string (\"p/q\"), found " + v.dump());
    try {
        return parse_rational(v.get<std::string>());
    } catch (const Error& e) {
        throw Invalid(path, e.what());
    }
}

std::vector<Rational> rational_array(const json& v, const std::string& path, std::size_t size) {
    if (!v.is_array() || v.size() != size)
        throw Invalid(path, "expected an array of " + std::to_string(size) + " rationals");
    std::vector<Rational> r;
    for (std::size_t i = 0; i < size; ++i) r.push_back(rational(v[i], item(path, i)));
    return r;
}

// The walk over a holds tree: one box and one fix pattern, changed on the way down and
// restored on the way up (an explicit stack, so the depth costs no call stack).
class TreeCheck {
public:
    TreeCheck(const ReluChain& c, const VnnlibProperty& p, const CheckOptions& o, CheckResult& result,
              std::chrono::steady_clock::time_point start, int version)
        : c_(c), p_(p), o_(o), result_(result), start_(start), lo_(p.lower), hi_(p.upper),
          dual_forward_(version >= 4), combinations_(version >= 5), dual_interval_(version >= 6) {
        if (version >= 3) dual_.emplace(c);
        for (std::size_t r = 0; r < c.depth(); ++r) fixed_.emplace_back(c.weights[r].rows(), UnitFix::free);
    }

    // Checks the tree; false when interrupted.
    bool run(const json& tree) {
        push(&tree, "tree");
        auto last_progress = start_;
        std::size_t nodes = 0;
        while (!stack_.empty()) {
            Frame& f = stack_.back();
            if (f.stage == 0) {
                if (++nodes > certificate_limits::max_nodes)
                    throw Invalid(path(), "more than " + std::to_string(certificate_limits::max_nodes) + " tree nodes");
                if (stack_.size() > certificate_limits::max_depth)
                    throw Invalid(path(), "tree deeper than " + std::to_string(certificate_limits::max_depth));
                if (!f.node->is_object()) throw Invalid(path(), "expected a tree node (a JSON object)");
                if (f.node->contains("leaf")) {
                    leaf(*f.node);
                    pop();
                    ++result_.leaves;
                    const auto now = std::chrono::steady_clock::now();
                    const double s = std::chrono::duration<double>(now - start_).count();
                    if ((o_.interrupt && o_.interrupt->load()) || s > o_.timeout_seconds) return false;
                    if (o_.progress && now - last_progress > std::chrono::seconds(2)) {
                        o_.progress(result_.leaves, s);
                        last_progress = now;
                    }
                } else {
                    descend_first(f);
                }
            } else if (f.stage == 1) {
                descend_second(f);
            } else {
                if (f.input) lo_[f.index] = std::move(f.saved);
                else fixed_[f.layer][f.index] = UnitFix::free;
                pop();
            }
        }
        return true;
    }

private:
    struct Frame {
        Frame(const json* n, const char* l) : node(n), label(l) {}
        const json* node;
        const char* label;
        int stage = 0;       // 0: not visited; 1: first child done; 2: both done
        bool input = false;  // an input split (else a relu split)
        std::size_t layer = 0, index = 0;
        Rational at, saved;
        std::size_t path_length = 0;  // of the parent's path
    };

    // The JSON path of the node on top of the stack, kept as the stack changes.
    const std::string& path() const { return path_; }
    void push(const json* node, const char* label) {
        stack_.emplace_back(node, label);
        stack_.back().path_length = path_.size();
        if (!path_.empty()) path_ += '.';
        path_ += label;
    }
    void pop() {
        path_.resize(stack_.back().path_length);
        stack_.pop_back();
    }

    // Visits a split node: validates it, restricts to its first child and enters it.
    void descend_first(Frame& f) {
        const json& v = *f.node;
        const std::string& here = path();
        const std::string kind = string_field(v, here, "split");
        const json* child;
        const char* label;
        if (kind == "input") {
            only_keys(v, here, {"split", "dim", "at", "below", "above"});
            f.input = true;
            f.index = index(field(v, here, "dim"), here + ".dim", c_.input_dim);
            f.at = rational(field(v, here, "at"), here + ".at");
            if (!(lo_[f.index] < f.at && f.at < hi_[f.index]))
                throw Invalid(here + ".at", "split value " + f.at.str() + " is not strictly inside [" +
                                                lo_[f.index].str() + ", " + hi_[f.index].str() + "] of dim " +
                                                std::to_string(f.index));
            field(v, here, "above");  // both children present before descending
            f.saved = hi_[f.index];
            hi_[f.index] = f.at;  // below: x_i ≤ at
            child = &field(v, here, "below");
            label = "below";
        } else if (kind == "relu") {
            only_keys(v, here, {"split", "layer", "unit", "inactive", "active"});
            f.layer = index(field(v, here, "layer"), here + ".layer", c_.depth());
            f.index = index(field(v, here, "unit"), here + ".unit", fixed_[f.layer].size());
            if (c_.cap(f.layer, f.index))
                throw Invalid(here, "relu split of a capped (clip) unit " + std::to_string(f.index) + " of layer " +
                                        std::to_string(f.layer));
            if (fixed_[f.layer][f.index] != UnitFix::free)
                throw Invalid(here, "unit " + std::to_string(f.index) + " of layer " + std::to_string(f.layer) +
                                        " is split twice on one path");
            field(v, here, "active");
            fixed_[f.layer][f.index] = UnitFix::inactive;
            child = &field(v, here, "inactive");
            label = "inactive";
        } else {
            throw Invalid(here + ".split", "expected \"input\" or \"relu\", found \"" + kind + "\"");
        }
        f.stage = 1;
        push(child, label);  // invalidates f
    }

    // Back from the first child: restricts to the second one and enters it.
    void descend_second(Frame& f) {
        const json* child;
        const char* label;
        if (f.input) {
            hi_[f.index] = std::move(f.saved);
            f.saved = lo_[f.index];
            lo_[f.index] = f.at;  // above: x_i ≥ at
            child = &f.node->at("above");
            label = "above";
        } else {
            fixed_[f.layer][f.index] = UnitFix::active;
            child = &f.node->at("active");
            label = "active";
        }
        f.stage = 2;
        push(child, label);
    }

    void leaf(const json& v) {
        const std::string& here = path();
        const std::string kind = string_field(v, here, "leaf");
        if (kind == "dual" && dual_) return dual_leaf(v, false);
        if (kind == "dual_forward" && dual_forward_) return dual_leaf(v, true);
        if (kind == "dual_interval" && dual_interval_) return dual_interval_leaf(v);
        only_keys(v, here, {"leaf", "slopes", "refutes"});
        if (kind != "bound")
            throw Invalid(here + ".leaf",
                          dual_interval_  ? "expected \"bound\", \"dual\", \"dual_forward\" or \"dual_interval\""
                          : dual_forward_ ? "expected \"bound\", \"dual\" or \"dual_forward\" (\"dual_interval\" needs version 6)"
                          : dual_         ? "expected \"bound\" or \"dual\" (\"dual_forward\" needs version 4)"
                                          : "expected \"bound\" (\"dual\" needs version 3)");
        const std::vector<std::vector<Rational>> slopes = leaf_slopes(v);
        const std::vector<Refuting> cons = leaf_refutes(v);
        const LeafBounds b = symbolic_bounds(c_, lo_, hi_, fixed_, slopes);
        for (std::size_t k = 0; k < p_.unsafe.size(); ++k)
            refuted(k, cons[k], constraint_lower_bound(cons[k].con, b, lo_, hi_));
    }

    // A leaf of kind "dual" (version 3): the unit ranges derived by the Lagrangian bound
    // layer by layer from the box and the fixed phases, then the refuting constraints by
    // the same bound (dual_bound.hpp).
    // A "dual_forward" leaf (version 4, with_forward): the ranges and the bound of
    // dual_forward_ranges and dual_forward_constraint_lower_bound instead.
    void dual_leaf(const json& v, bool with_forward) {
        const std::string& here = path();
        only_keys(v, here, {"leaf", "slopes", "refutes"});
        const std::vector<std::vector<Rational>> slopes = leaf_slopes(v);
        const std::vector<Refuting> cons = leaf_refutes(v);
        std::vector<std::vector<Rational>> lower, upper;
        LeafBounds outputs;
        if (with_forward ? !dual_forward_ranges(*dual_, lo_, hi_, fixed_, slopes, lower, upper, outputs)
                         : !dual_ranges(*dual_, lo_, hi_, fixed_, slopes, lower, upper))
            return;  // an empty region
        for (std::size_t k = 0; k < p_.unsafe.size(); ++k) {
            const LinearConstraint& con = cons[k].con;
            refuted(k, cons[k],
                    with_forward ? dual_forward_constraint_lower_bound(*dual_, con, lo_, hi_, lower, upper, slopes, outputs)
                                 : dual_constraint_lower_bound(*dual_, con, lo_, hi_, lower, upper, slopes));
        }
    }

    // A "dual_interval" leaf (version 6): the ranges of dual_interval_ranges, and each
    // refuting constraint bounded by dual_constraint_lower_bound with the leaf's slopes, α = 0
    // and, where the leaf's "refine" gives them for the conjunction, its α and β, all with
    // kink_slopes (a unit fixed active takes its slope too).
    void dual_interval_leaf(const json& v) {
        const std::string& here = path();
        only_keys(v, here, {"leaf", "slopes", "refutes", "refine"});
        const std::vector<std::vector<Rational>> slopes = leaf_slopes(v);
        const std::vector<Refuting> cons = leaf_refutes(v);
        const std::vector<std::optional<DualRefinement>> refine = leaf_refine(v, slopes);
        std::vector<std::vector<Rational>> lower, upper;
        if (!dual_interval_ranges(*dual_, lo_, hi_, fixed_, slopes, lower, upper)) return;  // an empty region
        for (std::size_t k = 0; k < p_.unsafe.size(); ++k)
            refuted(k, cons[k],
                    dual_constraint_lower_bound(*dual_, cons[k].con, lo_, hi_, lower, upper, slopes,
                                                refine[k] ? &*refine[k] : nullptr, true));
    }

    // "refine": one entry per conjunction, null or {"alpha": [[r, k, "α"], ...], "beta": [[r,
    // k, "β"], ...]}: α ∈ [0, 1] replaces the leaf's slope of unit k of hidden layer r, β is
    // added to the multiplier of a unit fixed by a relu split on this path (only there:
    // the dual bound needs the lower end of such a unit's range, lower_bounds); each unit
    // at most once per list. Absent: no refinement.
    std::vector<std::optional<DualRefinement>> leaf_refine(const json& v,
                                                           const std::vector<std::vector<Rational>>& slopes) const {
        std::vector<std::optional<DualRefinement>> out(p_.unsafe.size());
        if (!v.contains("refine")) return out;
        const std::string at = path() + ".refine";
        const json& refine = v.at("refine");
        if (!refine.is_array() || refine.size() != p_.unsafe.size())
            throw Invalid(at, "expected one entry (null or an object) per conjunction (" +
                                  std::to_string(p_.unsafe.size()) + ")");
        for (std::size_t k = 0; k < p_.unsafe.size(); ++k) {
            const std::string here = item(at, k);
            if (refine[k].is_null()) continue;
            if (!refine[k].is_object()) throw Invalid(here, "expected null or an object");
            only_keys(refine[k], here, {"alpha", "beta"});
            DualRefinement d;
            d.alpha = slopes;
            for (const auto& row : slopes) d.beta.emplace_back(row.size());
            for (const char* name : {"alpha", "beta"}) {
                const bool alpha = name[0] == 'a';
                const std::string list = here + "." + name;
                const json& entries = field(refine[k], here, name);
                if (!entries.is_array()) throw Invalid(list, "expected an array of [layer, unit, \"value\"]");
                std::set<std::pair<std::size_t, std::size_t>> seen;
                for (std::size_t e = 0; e < entries.size(); ++e) {
                    const std::string where = item(list, e);
                    if (!entries[e].is_array() || entries[e].size() != 3)
                        throw Invalid(where, "expected [layer, unit, \"value\"]");
                    const std::size_t r = index(entries[e][0], where + "[0]", c_.depth());
                    const std::size_t j = index(entries[e][1], where + "[1]", fixed_[r].size());
                    const Rational value = rational(entries[e][2], where + "[2]");
                    if (!seen.insert({r, j}).second)
                        throw Invalid(where, "unit " + std::to_string(j) + " of layer " + std::to_string(r) + " listed twice");
                    if (alpha) {
                        if (value.sign() < 0 || value > Rational(1))
                            throw Invalid(where, "slope " + value.str() + " outside [0, 1]");
                        d.alpha[r][j] = value;
                    } else {
                        if (fixed_[r][j] == UnitFix::free)
                            throw Invalid(where, "beta for unit " + std::to_string(j) + " of layer " + std::to_string(r) +
                                                     ", which no relu split on this path fixes");
                        d.beta[r][j] = value;
                    }
                }
            }
            out[k] = std::move(d);
        }
        return out;
    }

    // The refuting constraint of each conjunction k: refutes[k] is a constraint index m
    // (constraint m of conjunction k) or, from version 5, an array of one nonnegative
    // rational λ_m per constraint of conjunction k, not all zero: the combination
    // Σλ_m·(constraint m) (combine, vnnlib.hpp), which every point of the conjunction
    // satisfies, so refuting it refutes the conjunction.
    struct Refuting {
        LinearConstraint con;
        std::string name;  // for messages
    };
    std::vector<Refuting> leaf_refutes(const json& v) const {
        const std::string at = path() + ".refutes";
        const json& refutes = field(v, path(), "refutes");
        if (!refutes.is_array() || refutes.size() != p_.unsafe.size())
            throw Invalid(at, "expected one entry (a constraint index or, version 5, multipliers) per conjunction (" +
                                  std::to_string(p_.unsafe.size()) + ")");
        std::vector<Refuting> cons;
        for (std::size_t k = 0; k < p_.unsafe.size(); ++k) {
            const std::string here = item(at, k);
            if (!refutes[k].is_array()) {
                const std::size_t m = index(refutes[k], here, p_.unsafe[k].size());
                cons.push_back({p_.unsafe[k][m], "constraint " + std::to_string(m)});
                continue;
            }
            if (!combinations_) throw Invalid(here, "a combination of constraints needs version 5");
            const std::vector<Rational> lambda = rational_array(refutes[k], here, p_.unsafe[k].size());
            try {
                cons.push_back({combine(p_.unsafe[k], lambda), "the combination of its constraints"});
            } catch (const DomainError& e) {
                throw Invalid(here, e.what());
            }
        }
        return cons;
    }

    // The refuting constraint con of conjunction k has lower bound `lower` over the leaf:
    // it must exceed con's right-hand side.
    void refuted(std::size_t k, const Refuting& r, const Rational& lower) const {
        if (!(lower > r.con.rhs))
            throw Invalid(path(), "leaf does not refute conjunction " + std::to_string(k) + " (lower bound " +
                                      lower.str() + " ≤ " + r.con.rhs.str() + " of " + r.name + ")");
    }

    std::vector<std::vector<Rational>> leaf_slopes(const json& v) const {
        const std::string& here = path();
        const json& s = field(v, here, "slopes");
        if (!s.is_array() || s.size() != c_.depth())
            throw Invalid(here + ".slopes", "expected one array per hidden layer (" + std::to_string(c_.depth()) + ")");
        std::vector<std::vector<Rational>> slopes;
        for (std::size_t r = 0; r < c_.depth(); ++r) {
            const std::string at = item(here + ".slopes", r);
            slopes.push_back(rational_array(s[r], at, fixed_[r].size()));
            for (std::size_t k = 0; k < slopes[r].size(); ++k)
                if (slopes[r][k].sign() < 0 || slopes[r][k] > Rational(1))
                    throw Invalid(item(at, k), "slope " + slopes[r][k].str() + " outside [0, 1]");
        }
        return slopes;
    }

    const ReluChain& c_;
    const VnnlibProperty& p_;
    const CheckOptions& o_;
    CheckResult& result_;
    std::chrono::steady_clock::time_point start_;
    std::vector<Rational> lo_, hi_;
    std::vector<std::vector<UnitFix>> fixed_;
    std::vector<Frame> stack_;
    std::string path_;
    std::optional<DualChain> dual_;  // version 3: the chain over common denominators
    bool dual_forward_;              // version 4: "dual_forward" leaves
    bool combinations_;              // version 5: combinations of constraints in refutes
    bool dual_interval_;             // version 6: "dual_interval" leaves with α-β refinements
};

// The merged chain of a certificate's "merge" map (docs/certificates.md), re-derived from
// the original chain c with the checker's own code; Invalid naming the entry when a claim
// fails. Each claim is checked as stated there, so, by induction over the layers, every
// unit of c computes scale·(its representative) or a constant, and the chain built from
// the representatives computes the same function as c.
ReluChain merged_chain(const ReluChain& c, const json& merge) {
    const std::size_t depth = c.depth();
    if (!merge.is_array() || merge.size() != depth)
        throw Invalid("merge", "expected one entry per hidden layer (" + std::to_string(depth) + ")");
    ReluChain m;
    m.input_dim = c.input_dim;
    // the previous layer's units: column of their class in the merged chain (or constant)
    std::vector<bool> constant(c.input_dim, false);
    std::vector<std::size_t> column(c.input_dim);
    std::vector<Rational> scale(c.input_dim, Rational(1)), value(c.input_dim);
    for (std::size_t i = 0; i < c.input_dim; ++i) column[i] = i;
    std::size_t width = c.input_dim;
    std::vector<std::vector<std::size_t>> reps(depth);  // per layer: representatives, in order
    for (std::size_t r = 0; r <= depth; ++r) {
        const RationalMatrix& w = c.weights[r];
        const std::size_t rows = w.rows();
        // weights summed per class of sources (times their scales), constants into the bias
        std::vector<std::vector<Rational>> sum(rows, std::vector<Rational>(width));
        std::vector<Rational> bias = c.biases[r];
        for (std::size_t i = 0; i < rows; ++i)
            for (std::size_t j = 0; j < w.cols(); ++j) {
                const Rational wij = w.at(i, j);
                if (constant[j]) bias[i] += wij * value[j];
                else sum[i][column[j]] += wij * scale[j];
            }
        if (r == depth) {
            RationalMatrix out(rows, width);
            for (std::size_t i = 0; i < rows; ++i)
                for (std::size_t j = 0; j < width; ++j) out.set(i, j, sum[i][j]);
            m.weights.push_back(std::move(out));
            m.biases.push_back(std::move(bias));
            break;
        }
        const std::string at = item("merge", r);
        only_keys(merge[r], at, {"units", "dead"});
        const json& units = field(merge[r], at, "units");
        if (!units.is_array() || units.size() != rows)
            throw Invalid(at + ".units", "expected one entry per unit of the layer (" + std::to_string(rows) + ")");
        std::vector<bool> next_constant(rows, false);
        std::vector<std::size_t> next_column(rows);
        std::vector<Rational> next_scale(rows, Rational(1)), next_value(rows);
        std::vector<std::size_t> column_of(rows, rows);  // a representative's column
        for (std::size_t k = 0; k < rows; ++k) {
            const std::string here = item(at + ".units", k);
            const json& u = units[k];
            const Rational* cap = c.cap(r, k);
            if (u == "constant") {
                for (std::size_t j = 0; j < width; ++j)
                    if (!sum[k][j].is_zero())
                        throw Invalid(here, "unit " + std::to_string(k) + " of layer " + std::to_string(r) +
                                                " is not constant: weight " + sum[k][j].str() + " from class " +
                                                std::to_string(j) + " of the layer below");
                next_constant[k] = true;
                next_value[k] = c.activate(r, k, bias[k]);  // z = bias on R^n
                continue;
            }
            only_keys(u, here, {"rep", "scale"});
            const std::size_t rep = index(field(u, here, "rep"), here + ".rep", k + 1);
            const Rational s = rational(field(u, here, "scale"), here + ".scale");
            if (s.sign() <= 0) throw Invalid(here + ".scale", "scale " + s.str() + " is not positive");
            if (rep == k) {
                if (s != Rational(1)) throw Invalid(here + ".scale", "a representative has scale 1, found " + s.str());
                column_of[k] = reps[r].size();
                reps[r].push_back(k);
            } else {
                if (column_of[rep] == rows)
                    throw Invalid(here + ".rep", "unit " + std::to_string(rep) + " is not a representative");
                // z_k = s·z_rep: every class-summed weight and the bias scale by s
                if (bias[k] != s * bias[rep])
                    throw Invalid(here, "bias " + bias[k].str() + " of unit " + std::to_string(k) + " is not " +
                                            s.str() + " × " + bias[rep].str() + " (unit " + std::to_string(rep) + ")");
                for (std::size_t j = 0; j < width; ++j)
                    if (sum[k][j] != s * sum[rep][j])
                        throw Invalid(here, "weight " + sum[k][j].str() + " of unit " + std::to_string(k) +
                                                " from class " + std::to_string(j) + " is not " + s.str() + " × " +
                                                sum[rep][j].str() + " (unit " + std::to_string(rep) + ")");
                // σ_k(s·z) = s·σ_rep(z): both plain ReLU, or cap_k = s·cap_rep
                const Rational* rep_cap = c.cap(r, rep);
                if (!cap != !rep_cap || (cap && *cap != s * *rep_cap))
                    throw Invalid(here, "the activation of unit " + std::to_string(k) + " is not " + s.str() +
                                            " × that of unit " + std::to_string(rep) + " (caps differ)");
            }
            next_column[k] = column_of[rep];
            next_scale[k] = s;
        }
        if (reps[r].empty()) throw Invalid(at + ".units", "no representative: the layer would be empty");
        RationalMatrix mw(reps[r].size(), width);
        std::vector<Rational> mb;
        std::vector<std::optional<Rational>> mc;
        for (std::size_t n = 0; n < reps[r].size(); ++n) {
            const std::size_t k = reps[r][n];
            for (std::size_t j = 0; j < width; ++j) mw.set(n, j, sum[k][j]);
            mb.push_back(bias[k]);
            mc.push_back(c.cap(r, k) ? std::optional<Rational>(*c.cap(r, k)) : std::nullopt);
        }
        m.weights.push_back(std::move(mw));
        m.biases.push_back(std::move(mb));
        m.caps.push_back(std::move(mc));
        constant = std::move(next_constant);
        column = std::move(next_column);
        scale = std::move(next_scale);
        value = std::move(next_value);
        width = reps[r].size();
    }
    // dead representatives, from the last hidden layer back: a unit whose column of the
    // next layer is zero contributes nothing, so dropping it keeps the function
    for (std::size_t r = depth; r-- > 0;) {
        const std::string at = item("merge", r) + ".dead";
        const json& dead = field(merge[r], item("merge", r), "dead");
        if (!dead.is_array()) throw Invalid(at, "expected an array of unit indices");
        std::vector<bool> keep(reps[r].size(), true);
        std::size_t previous = 0;
        for (std::size_t d = 0; d < dead.size(); ++d) {
            const std::size_t k = index(dead[d], item(at, d), c.weights[r].rows());
            if (d > 0 && k <= previous) throw Invalid(item(at, d), "dead units must be listed in increasing order");
            previous = k;
            std::size_t n = 0;
            while (n < reps[r].size() && reps[r][n] != k) ++n;
            if (n == reps[r].size()) throw Invalid(item(at, d), "unit " + std::to_string(k) + " is not a representative");
            const RationalMatrix& after = m.weights[r + 1];
            for (std::size_t i = 0; i < after.rows(); ++i)
                if (!after.at(i, n).is_zero())
                    throw Invalid(item(at, d), "unit " + std::to_string(k) + " of layer " + std::to_string(r) +
                                                   " is not dead: weight " + after.at(i, n).str() + " into unit " +
                                                   std::to_string(i) + " of the merged layer above");
            keep[n] = false;
        }
        std::vector<std::size_t> kept;
        for (std::size_t n = 0; n < keep.size(); ++n)
            if (keep[n]) kept.push_back(n);
        if (kept.empty()) throw Invalid(at, "every unit of layer " + std::to_string(r) + " dead: the layer would be empty");
        if (kept.size() == keep.size()) continue;
        const RationalMatrix& after = m.weights[r + 1];
        RationalMatrix cols(after.rows(), kept.size()), rows(kept.size(), m.weights[r].cols());
        std::vector<Rational> mb;
        std::vector<std::optional<Rational>> mc;
        for (std::size_t n = 0; n < kept.size(); ++n) {
            for (std::size_t i = 0; i < after.rows(); ++i) cols.set(i, n, after.at(i, kept[n]));
            for (std::size_t j = 0; j < rows.cols(); ++j) rows.set(n, j, m.weights[r].at(kept[n], j));
            mb.push_back(m.biases[r][kept[n]]);
            mc.push_back(m.caps[r][kept[n]]);
        }
        m.weights[r + 1] = std::move(cols);
        m.weights[r] = std::move(rows);
        m.biases[r] = std::move(mb);
        m.caps[r] = std::move(mc);
    }
    return m;
}

void check_counterexample(const json& ce, const CertificateSubject& s) {
    only_keys(ce, "counterexample", {"input", "output"});
    const std::vector<Rational> x = rational_array(field(ce, "counterexample", "input"), "counterexample.input",
                                                   s.net.input_dim());
    const std::vector<Rational> y = rational_array(field(ce, "counterexample", "output"), "counterexample.output",
                                                   s.net.output_dim());
    for (std::size_t i = 0; i < x.size(); ++i)
        if (x[i] < s.prop.lower[i] || x[i] > s.prop.upper[i])
            throw Invalid(item("counterexample.input", i), x[i].str() + " is outside the box [" + s.prop.lower[i].str() +
                                                                ", " + s.prop.upper[i].str() + "]");
    std::vector<Rational> fx;
    try {
        fx = evaluate(s.net, ExactArith{}, std::span<const Rational>(x));
    } catch (const Error& e) {
        throw Invalid("counterexample.input", std::string("the network cannot be evaluated there: ") + e.what());
    }
    for (std::size_t j = 0; j < y.size(); ++j)
        if (y[j] != fx[j])
            throw Invalid(item("counterexample.output", j), y[j].str() + ", but the network gives " + fx[j].str());
    for (const auto& conj : s.prop.unsafe)
        if (satisfies(conj, x, y)) return;
    throw Invalid("counterexample", "the point satisfies no conjunction of the unsafe set");
}

void check_document(const json& cert, const CertificateSubject& s, const CheckOptions& o, CheckResult& r,
                    std::chrono::steady_clock::time_point start) {
    if (string_field(cert, "certificate", "format") != "rigornet-verify-certificate")
        throw Invalid("certificate.format", "not a rigornet verification certificate");
    const json& version = field(cert, "certificate", "version");
    if (!version.is_number_integer() || version < 1 || version > 6)
        throw Invalid("certificate.version", version.dump() + " is not supported (this checker reads 1 to 6)");
    if (version == 1)
        only_keys(cert, "certificate",
                  {"format", "version", "rigornet_version", "network", "property", "result", "counterexample", "tree"});
    else
        only_keys(cert, "certificate",
                  {"format", "version", "rigornet_version", "network", "property", "result", "counterexample", "merge",
                   "tree"});
    string_field(cert, "certificate", "rigornet_version");
    const json& net = field(cert, "certificate", "network");
    only_keys(net, "network", {"file", "sha256", "semantics"});
    string_field(net, "network", "file");
    if (string_field(net, "network", "sha256") != s.net_sha256)
        throw Invalid("network.sha256", "certificate is for another network (sha256 " + net["sha256"].get<std::string>() +
                                            ", the given file has " + s.net_sha256 + ")");
    if (string_field(net, "network", "semantics") != s.semantics)
        throw Invalid("network.semantics", "certificate is for the reading \"" + net["semantics"].get<std::string>() +
                                               "\", the network was read as \"" + s.semantics + "\"");
    const json& prop = field(cert, "certificate", "property");
    only_keys(prop, "property", {"file", "sha256"});
    string_field(prop, "property", "file");
    if (string_field(prop, "property", "sha256") != s.prop_sha256)
        throw Invalid("property.sha256", "certificate is for another property (sha256 " +
                                             prop["sha256"].get<std::string>() + ", the given file has " +
                                             s.prop_sha256 + ")");
    if (s.prop.lower.size() != s.net.input_dim())
        throw Invalid("property", "the property has " + std::to_string(s.prop.lower.size()) +
                                      " inputs, the network " + std::to_string(s.net.input_dim()));
    for (const auto& conj : s.prop.unsafe)
        for (const LinearConstraint& k : conj)
            if (k.ay.size() != s.net.output_dim())
                throw Invalid("property", "the property has " + std::to_string(k.ay.size()) +
                                              " outputs, the network " + std::to_string(s.net.output_dim()));
    r.result = string_field(cert, "certificate", "result");
    if (r.result == "violated") {
        if (cert.contains("tree")) throw Invalid("certificate.tree", "a violated certificate has no tree");
        if (cert.contains("merge")) throw Invalid("certificate.merge", "a violated certificate has no merge map");
        check_counterexample(field(cert, "certificate", "counterexample"), s);
        r.valid = true;
    } else if (r.result == "holds") {
        if (cert.contains("counterexample"))
            throw Invalid("certificate.counterexample", "a holds certificate has no counterexample");
        const json& tree = field(cert, "certificate", "tree");
        ReluChain c;
        try {
            c = extract_relu_chain(s.net);
        } catch (const Error& e) {
            throw Invalid("network", std::string("not a ReLU chain, so no tree can be checked: ") + e.what());
        }
        if (cert.contains("merge")) c = merged_chain(c, cert["merge"]);  // the tree is about the merged chain
        if (TreeCheck(c, s.prop, o, r, start, version.get<int>()).run(tree)) {
            r.valid = true;
        } else {
            r.interrupted = true;
            r.reason = "interrupted after " + std::to_string(r.leaves) + " leaves: nothing is claimed";
        }
    } else {
        const std::string claim = r.result;
        r.result.clear();
        throw Invalid("certificate.result", "expected \"holds\" or \"violated\", found \"" + claim + "\"");
    }
}

}  // namespace

CheckResult check_certificate(const json& cert, const CertificateSubject& subject, const CheckOptions& options) {
    const auto start = std::chrono::steady_clock::now();
    CheckResult r;
    try {
        check_document(cert, subject, options, r, start);
    } catch (const Error& e) {  // Invalid, and the readers' errors on values inside the certificate
        r.valid = false;
        r.reason = e.what();
    }
    r.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    return r;
}

}  // namespace rigornet
