// rigornet — VNN-LIB reader (vnnlib.hpp).
#include "rigornet/verify/vnnlib.hpp"

#include <algorithm>
#include <fstream>
#include <map>
#include <optional>
#include <sstream>

#include "rigornet/core/error.hpp"

namespace rigornet {

namespace {

struct Token {
    std::string text;
    long line;
};

// An s-expression: an atom (token) or a list; `line` and `token` for messages.
struct Sexp {
    Token head;
    bool is_list = false;
    std::vector<Sexp> items;
};

// A linear form Σ cx·X + Σ cy·Y + c.
struct Linear {
    std::map<std::size_t, Rational> x, y;
    Rational c;
};

// The tightest bound on X_i (upper or lower) among the conjunction's constraints that
// mention X_i alone (±a·X_i ≤ d, a > 0, no other input, no output); empty if none. Every
// point of the conjunction satisfies it (exact).
std::optional<Rational> conjunction_bound(const std::vector<LinearConstraint>& conj, std::size_t i, bool upper) {
    std::optional<Rational> own;
    for (const LinearConstraint& c : conj) {
        bool only_i = c.ax[i].sign() == (upper ? 1 : -1);
        for (std::size_t j = 0; j < c.ax.size() && only_i; ++j) only_i = j == i || c.ax[j].is_zero();
        for (const Rational& a : c.ay) only_i = only_i && a.is_zero();
        if (!only_i) continue;
        const Rational b = c.rhs / c.ax[i];  // a·X_i ≤ d: X_i ≤ d/a (a > 0), X_i ≥ d/a (a < 0)
        if (!own || (upper ? b < *own : b > *own)) own = b;
    }
    return own;
}

class Reader {
public:
    Reader(const std::string& text, const std::string& name) : name_(name) { tokenize(text); }

    VnnlibProperty read() {
        std::vector<Sexp> top;
        while (pos_ < toks_.size()) top.push_back(sexp());
        for (const Sexp& s : top) declare(s);
        std::vector<std::optional<Rational>> lo(nx_), hi(nx_);
        std::vector<std::vector<LinearConstraint>> unsafe{{}};
        for (const Sexp& s : top) {
            if (!s.is_list || s.items.empty() || s.items[0].head.text != "assert") continue;
            if (s.items.size() != 2) fail(s.head, "expected (assert FORMULA)");
            std::vector<const Sexp*> conj;
            flatten_and(s.items[1], conj);
            for (const Sexp* f : conj) {
                if (input_bound(*f, lo, hi)) continue;
                unsafe = conjoin(unsafe, dnf(*f));
            }
        }
        VnnlibProperty p;
        for (std::size_t i = 0; i < nx_; ++i) {
            for (bool upper : {false, true}) {
                auto& slot = upper ? hi[i] : lo[i];
                if (!slot) slot = hull_bound(unsafe, i, upper);
            }
            if (!lo[i] || !hi[i])
                throw UnboundedInputError(name_ + ": input X_" + std::to_string(i) + " has no " +
                                          (lo[i] ? "upper" : "lower") +
                                          " bound, neither at the top level nor in every disjunct of the unsafe set "
                                          "(the forward bounds need a bounded input box)");
            p.lower.push_back(*lo[i]);
            p.upper.push_back(*hi[i]);
        }
        p.unsafe = std::move(unsafe);
        return p;
    }

private:
    std::string name_;
    std::vector<Token> toks_;
    std::size_t pos_ = 0, nx_ = 0, ny_ = 0;

    [[noreturn]] void fail(const Token& t, const std::string& what) const {
        throw ParseError(name_ + ":" + std::to_string(t.line) + ": " + what + ", found '" + t.text + "'");
    }

    void tokenize(const std::string& s) {
        long line = 1;
        for (std::size_t i = 0; i < s.size();) {
            char c = s[i];
            if (c == '\n') { ++line; ++i; }
            else if (c == ';') { while (i < s.size() && s[i] != '\n') ++i; }
            else if (std::isspace(static_cast<unsigned char>(c))) ++i;
            else if (c == '(' || c == ')') { toks_.push_back({std::string(1, c), line}); ++i; }
            else {
                std::size_t j = i;
                while (j < s.size() && s[j] != '(' && s[j] != ')' && s[j] != ';' &&
                       !std::isspace(static_cast<unsigned char>(s[j])))
                    ++j;
                toks_.push_back({s.substr(i, j - i), line});
                i = j;
            }
        }
    }

    Sexp sexp() {
        const Token& t = toks_[pos_++];
        if (t.text == ")") fail(t, "unexpected ')'");
        if (t.text != "(") return Sexp{t, false, {}};
        Sexp s{t, true, {}};
        while (true) {
            if (pos_ >= toks_.size()) fail(t, "unclosed '(' (end of file)");
            if (toks_[pos_].text == ")") { ++pos_; return s; }
            s.items.push_back(sexp());
        }
    }

    void declare(const Sexp& s) {
        if (!s.is_list || s.items.empty() || s.items[0].is_list) fail(s.head, "expected (declare-const ...) or (assert ...)");
        const std::string& k = s.items[0].head.text;
        if (k == "assert") return;
        if (k != "declare-const") fail(s.items[0].head, "expected declare-const or assert");
        if (s.items.size() != 3 || s.items[1].is_list || s.items[2].is_list || s.items[2].head.text != "Real")
            fail(s.head, "expected (declare-const X_i Real)");
        auto [is_x, idx] = variable(s.items[1].head, false);
        std::size_t& n = is_x ? nx_ : ny_;
        if (idx != n) fail(s.items[1].head, "expected variables declared in order " + std::string(is_x ? "X_" : "Y_") + std::to_string(n));
        ++n;
    }

    // X_i / Y_j → (is_x, index); when `declared`, the index must be declared.
    std::pair<bool, std::size_t> variable(const Token& t, bool declared) const {
        const std::string& s = t.text;
        if (s.size() < 3 || (s[0] != 'X' && s[0] != 'Y') || s[1] != '_' || s.find_first_not_of("0123456789", 2) != std::string::npos ||
            s.size() > 12)
            fail(t, "expected a variable X_i or Y_j");
        std::size_t idx = std::stoul(s.substr(2));
        if (declared && idx >= (s[0] == 'X' ? nx_ : ny_)) fail(t, "undeclared variable");
        return {s[0] == 'X', idx};
    }

    Linear term(const Sexp& s) const {
        Linear r;
        if (!s.is_list) {
            const std::string& t = s.head.text;
            if (!t.empty() && (t[0] == 'X' || t[0] == 'Y')) {
                auto [is_x, i] = variable(s.head, true);
                (is_x ? r.x : r.y)[i] = Rational(1);
                return r;
            }
            try {
                r.c = parse_rational(t);
            } catch (const ParseError&) {
                fail(s.head, "expected a number or a variable");
            }
            return r;
        }
        if (s.items.empty() || s.items[0].is_list) fail(s.head, "expected (+ ...), (- ...) or (* ...)");
        const Token& op = s.items[0].head;
        std::vector<Linear> a;
        for (std::size_t i = 1; i < s.items.size(); ++i) a.push_back(term(s.items[i]));
        if (a.empty()) fail(op, "expected operands after the operator");
        if (op.text == "+" || op.text == "-") {
            r = a[0];
            if (op.text == "-" && a.size() == 1) return scale(r, Rational(-1));
            for (std::size_t i = 1; i < a.size(); ++i) add(r, a[i], Rational(op.text == "+" ? 1 : -1));
            return r;
        }
        if (op.text == "*") {
            r.c = Rational(1);
            for (Linear& f : a) {
                if (f.x.empty() && f.y.empty()) r = scale(r, f.c);
                else if (r.x.empty() && r.y.empty()) r = scale(f, r.c);
                else fail(op, "expected a linear term (at most one non-constant factor)");
            }
            return r;
        }
        fail(op, "expected +, - or *");
    }

    static Linear scale(Linear a, const Rational& k) {
        for (auto& [i, v] : a.x) v *= k;
        for (auto& [i, v] : a.y) v *= k;
        a.c *= k;
        return a;
    }
    static void add(Linear& a, const Linear& b, const Rational& k) {
        for (const auto& [i, v] : b.x) a.x[i] += k * v;
        for (const auto& [i, v] : b.y) a.y[i] += k * v;
        a.c += k * b.c;
    }

    // (<= a b) / (>= a b) → lhs − rhs ≤ 0 as a linear form; nullopt if not a comparison.
    std::optional<Linear> comparison(const Sexp& f) const {
        if (!f.is_list || f.items.empty() || f.items[0].is_list) fail(f.head, "expected a formula (<=, >=, and, or)");
        const std::string& op = f.items[0].head.text;
        if (op != "<=" && op != ">=") return std::nullopt;
        if (f.items.size() != 3) fail(f.items[0].head, "expected two operands");
        Linear d = term(f.items[1]);
        add(d, term(f.items[2]), Rational(-1));
        return op == "<=" ? d : scale(d, Rational(-1));
    }

    void flatten_and(const Sexp& f, std::vector<const Sexp*>& out) const {
        if (f.is_list && !f.items.empty() && !f.items[0].is_list && f.items[0].head.text == "and") {
            for (std::size_t i = 1; i < f.items.size(); ++i) flatten_and(f.items[i], out);
        } else {
            out.push_back(&f);
        }
    }

    // A top-level comparison over X only: must be a bound k·X_i + c ≤ 0 (k ≠ 0), recorded.
    bool input_bound(const Sexp& f, std::vector<std::optional<Rational>>& lo, std::vector<std::optional<Rational>>& hi) const {
        std::optional<Linear> d = comparison(f);
        if (!d) return false;
        std::erase_if(d->x, [](const auto& e) { return e.second.is_zero(); });
        std::erase_if(d->y, [](const auto& e) { return e.second.is_zero(); });
        if (!d->y.empty() || d->x.empty()) return false;
        if (d->x.size() != 1) fail(f.items[0].head, "expected a box bound on one input (non-box input constraints are refused)");
        auto [i, k] = *d->x.begin();
        Rational b = -d->c;
        fmpq_div(b.get(), b.get(), k.get());  // k·X ≤ −c ⇔ X ≤ −c/k (k > 0) or X ≥ −c/k (k < 0)
        auto& slot = k.sign() > 0 ? hi[i] : lo[i];
        if (!slot || (k.sign() > 0 ? b < *slot : b > *slot)) slot = b;
        return true;
    }

    // A bound of X_i implied by the unsafe set when the top level gives none: each
    // conjunction's tightest one-variable bound b_k on X_i (conjunction_bound), and the
    // loosest of them over the conjunctions (min for a lower bound). Every unsafe point
    // satisfies some conjunction k, hence b_k, hence the hull bound; so a box with it keeps
    // every unsafe point, and the constraints stay in U (nothing is lost or added). Empty
    // when some conjunction does not bound X_i on that side.
    static std::optional<Rational> hull_bound(const std::vector<std::vector<LinearConstraint>>& unsafe, std::size_t i,
                                              bool upper) {
        std::optional<Rational> hull;
        for (const auto& conj : unsafe) {
            const std::optional<Rational> own = conjunction_bound(conj, i, upper);
            if (!own) return std::nullopt;
            if (!hull || (upper ? *own > *hull : *own < *hull)) hull = own;
        }
        return hull;
    }

    LinearConstraint constraint(const Linear& d) const {
        LinearConstraint c{std::vector<Rational>(nx_), std::vector<Rational>(ny_), -d.c};
        for (const auto& [i, v] : d.x) c.ax[i] = v;
        for (const auto& [i, v] : d.y) c.ay[i] = v;
        return c;
    }

    using Dnf = std::vector<std::vector<LinearConstraint>>;
    static Dnf conjoin(const Dnf& a, const Dnf& b) {
        Dnf r;
        for (const auto& p : a)
            for (const auto& q : b) {
                r.push_back(p);
                r.back().insert(r.back().end(), q.begin(), q.end());
            }
        return r;
    }

    Dnf dnf(const Sexp& f) const {
        if (std::optional<Linear> d = comparison(f)) return {{constraint(*d)}};
        const Token& op = f.items[0].head;
        if (f.items.size() < 2) fail(op, "expected operands");
        if (op.text == "and") {
            Dnf r{{}};
            for (std::size_t i = 1; i < f.items.size(); ++i) r = conjoin(r, dnf(f.items[i]));
            return r;
        }
        if (op.text == "or") {
            Dnf r;
            for (std::size_t i = 1; i < f.items.size(); ++i) {
                Dnf d = dnf(f.items[i]);
                r.insert(r.end(), d.begin(), d.end());
            }
            return r;
        }
        fail(op, "expected <=, >=, and or or");
    }
};

}  // namespace

VnnlibProperty parse_vnnlib(const std::string& text, const std::string& name) { return Reader(text, name).read(); }

VnnlibProperty read_vnnlib(const std::string& path) {
    std::ifstream in(path);
    if (!in) throw ParseError(path + ": cannot open");
    std::ostringstream ss;
    ss << in.rdbuf();
    return parse_vnnlib(ss.str(), path);
}

LinearConstraint combine(const std::vector<LinearConstraint>& conj, const std::vector<Rational>& lambda) {
    if (lambda.size() != conj.size() || conj.empty())
        throw DomainError("combine: " + std::to_string(lambda.size()) + " multipliers for a conjunction of " +
                          std::to_string(conj.size()) + " constraints");
    LinearConstraint out{std::vector<Rational>(conj[0].ax.size()), std::vector<Rational>(conj[0].ay.size()), Rational()};
    bool any = false;
    for (std::size_t m = 0; m < conj.size(); ++m) {
        const Rational& l = lambda[m];
        if (l.sign() < 0) throw DomainError("combine: multiplier " + std::to_string(m) + " is negative (" + l.str() + ")");
        if (l.is_zero()) continue;
        any = true;
        for (std::size_t i = 0; i < out.ax.size(); ++i) out.ax[i] += l * conj[m].ax[i];
        for (std::size_t j = 0; j < out.ay.size(); ++j) out.ay[j] += l * conj[m].ay[j];
        out.rhs += l * conj[m].rhs;
    }
    if (!any) throw DomainError("combine: every multiplier is zero");
    return out;
}

bool satisfies(const std::vector<LinearConstraint>& conj, const std::vector<Rational>& x, const std::vector<Rational>& y) {
    for (const LinearConstraint& c : conj) {
        Rational s;
        for (std::size_t i = 0; i < c.ax.size(); ++i) s += c.ax[i] * x[i];
        for (std::size_t j = 0; j < c.ay.size(); ++j) s += c.ay[j] * y[j];
        if (s > c.rhs) return false;
    }
    return true;
}

std::vector<VnnlibProperty> input_box_cases(const VnnlibProperty& p) {
    std::vector<VnnlibProperty> cases;
    for (const auto& conj : p.unsafe) {
        std::vector<Rational> lo = p.lower, hi = p.upper;
        bool empty = false;
        for (std::size_t i = 0; i < lo.size() && !empty; ++i) {
            if (auto b = conjunction_bound(conj, i, false); b && *b > lo[i]) lo[i] = *b;
            if (auto b = conjunction_bound(conj, i, true); b && *b < hi[i]) hi[i] = *b;
            empty = hi[i] < lo[i];
        }
        if (empty) continue;  // no point satisfies the conjunction
        auto same = std::find_if(cases.begin(), cases.end(), [&](const VnnlibProperty& q) { return q.lower == lo && q.upper == hi; });
        if (same == cases.end()) {
            cases.push_back({std::move(lo), std::move(hi), {}});
            same = cases.end() - 1;
        }
        // constraints on the inputs alone that hold at every point of the case box (its own
        // one-variable bounds among them) say nothing there: dropped, unless none would be left
        std::vector<LinearConstraint> kept;
        for (const LinearConstraint& c : conj) {
            bool inputs_only = true;
            for (const Rational& a : c.ay) inputs_only = inputs_only && a.is_zero();
            Rational top;  // max over the case box of a·x
            for (std::size_t i = 0; i < c.ax.size() && inputs_only; ++i)
                top += c.ax[i] * (c.ax[i].sign() > 0 ? same->upper[i] : same->lower[i]);
            if (!inputs_only || top > c.rhs) kept.push_back(c);
        }
        same->unsafe.push_back(kept.empty() ? conj : std::move(kept));
    }
    return cases;
}

}  // namespace rigornet
