#include "rigornet/cs/unrolled.hpp"

#include <map>

namespace rigornet {

Solver parse_solver(const std::string& name) {
    if (name == "firenet") return Solver::firenet;
    if (name == "pd") return Solver::primal_dual;
    if (name == "ista") return Solver::ista;
    if (name == "fista") return Solver::fista;
    if (name == "cp-bp") return Solver::cp_bp;
    if (name == "nesta") return Solver::nesta;
    throw ParseError("unknown solver \"" + name + "\": expected firenet, pd, ista, fista, cp-bp or nesta");
}

std::string solver_name(Solver s) {
    switch (s) {
        case Solver::firenet: return "firenet";
        case Solver::primal_dual: return "pd";
        case Solver::ista: return "ista";
        case Solver::fista: return "fista";
        case Solver::cp_bp: return "cp-bp";
        case Solver::nesta: return "nesta";
    }
    return "?";
}

int layers_per_iteration(Solver s, bool complex) {
    // the complex soft threshold is affine, square, affine, gates: two more layers than
    // the real affine + ReLU
    const int extra = complex ? 2 : 0;
    switch (s) {
        case Solver::firenet:
        case Solver::primal_dual: return 6 + extra;  // affine, ReLU, affine, square, affine, gate
        case Solver::cp_bp: return 3 + extra;        // affine, ReLU, affine
        case Solver::nesta: return 7;                // affine, ReLU, affine, square, affine, gate, affine
        default: return 2 + extra;                   // affine, ReLU
    }
}

namespace {

using Term = std::pair<std::size_t, Rational>;

std::shared_ptr<const LinearOperator> blocks(std::size_t rows, std::size_t cols, std::vector<Block> b) {
    return std::make_shared<BlockOperator>(rows, cols, std::move(b));
}

Block ident(std::vector<std::size_t> out, std::vector<Term> in, std::size_t n) { return Block{std::move(out), std::move(in), nullptr, n}; }
Block apply(std::vector<std::size_t> out, std::vector<Term> in, OperatorPtr op) { return Block{std::move(out), std::move(in), std::move(op), 0}; }

// Scales a list of input terms by c.
std::vector<Term> scaled(std::vector<Term> t, const Rational& c) {
    for (auto& x : t) x.second *= c;
    return t;
}

// A value carried alongside a threshold step: a linear combination of the current
// state (empty: zeros) of the given width.
struct Carry {
    std::vector<Term> terms;
    std::size_t width;
};

// Where a threshold step left its results: S_t(u) = Σ soft terms, carried values
// contiguous from carry0 in the order given.
struct Soft {
    std::vector<Term> soft;
    std::size_t carry0;
};

struct Builder {
    const CsProblem& pb;
    const SolverParams& pr;
    std::size_t N, M, Nc;  // real unknowns, measurements, coefficients (complex: N = 2Nc)
    OperatorPtr At, AtA;
    std::vector<Rational> w;  // weights, one per coefficient
    std::vector<BiasRun> w_runs;  // the same weights as runs of equal values over [0, Nc)
    Network net;
    // Built once and shared by every layer that uses them (the network is O(N + depth),
    // not O(N · depth)): the 1×M row of ones (‖v‖² = ones·v²), and the biases of the
    // soft-threshold layers by (rows, threshold scale), and the thresholds t = scale·w of
    // the complex soft-threshold gates by scale.
    OperatorPtr ones_M;
    std::map<std::pair<std::size_t, Rational>, Bias> soft_biases;
    std::map<Rational, Bias> gate_thresholds;
    Bias nesta_bias;

    Builder(const CsProblem& p, const SolverParams& q)
        : pb(p), pr(q), N(p.A->cols()), M(p.A->rows()), Nc(p.complex ? N / 2 : N), At(std::make_shared<AdjointView>(p.A)),
          AtA(std::make_shared<Composition>(std::vector<OperatorPtr>{At, p.A})), w(p.weights), net(p.A->rows()) {
        if (p.complex && N % 2) throw ShapeError("a complex problem needs an even number of real unknowns");
        if (w.empty()) w.assign(Nc, Rational(1));
        if (w.size() != Nc) throw ShapeError("weights: " + std::to_string(w.size()) + " given for " + std::to_string(Nc) + " coefficients");
        for (auto& x : w)
            if (x.sign() <= 0) throw DomainError("weights must be positive");
        for (std::size_t i = 0; i < Nc; ++i)
            if (!w_runs.empty() && w_runs.back().value == w[i])
                w_runs.back().end = i + 1;
            else
                w_runs.push_back({i, i + 1, w[i]});
        if (p.synthesis->cols() != N) throw ShapeError("synthesis operator takes " + std::to_string(p.synthesis->cols()) + " values, A has " + std::to_string(N) + " columns");
    }

    std::size_t width() const { return net.widths().back(); }

    // An affine layer with the given blocks; c: its bias (the zero vector when not given).
    void affine(std::size_t rows, std::vector<Block> a, std::vector<Block> b, std::optional<Bias> c = std::nullopt) {
        auto A = blocks(rows, width(), std::move(a));
        auto B = b.empty() ? nullptr : blocks(rows, M, std::move(b));
        net.add_affine(A, B, c ? std::move(*c) : Bias(rows));
    }

    const OperatorPtr& ones() {
        if (!ones_M) ones_M = std::make_shared<DenseMatrix>(1, M, std::vector<Rational>(M, Rational(1)));
        return ones_M;
    }

    // The bias [−t | t | t | 0] of size `rows` of a real soft-threshold layer with
    // t = scale·w, built once per (rows, scale).
    const Bias& soft_bias(std::size_t rows, const Rational& scale) {
        auto [it, fresh] = soft_biases.try_emplace({rows, scale});
        if (fresh) {
            std::vector<BiasRun> runs;
            for (const BiasRun& r : w_runs) {
                const Rational t = scale * r.value;
                runs.push_back({r.begin, r.end, -t});
                runs.push_back({N + r.begin, N + r.end, t});
                runs.push_back({2 * N + r.begin, 2 * N + r.end, t});
            }
            it->second = Bias::from_runs(rows, std::move(runs));
        }
        return it->second;
    }

    const Bias& thresholds(const Rational& scale) {
        auto [it, fresh] = gate_thresholds.try_emplace(scale);
        if (fresh) {
            std::vector<BiasRun> runs;
            for (const BiasRun& r : w_runs) runs.push_back({r.begin, r.end, scale * r.value});
            it->second = Bias::from_runs(Nc, std::move(runs));
        }
        return it->second;
    }

    // Blocks writing u = Σ id_terms + op(Σ op_terms) at each of `at`.
    void write_u(std::vector<Block>& a, const std::vector<std::size_t>& at, const std::vector<Term>& id_terms,
                 const std::vector<Term>& op_terms, const OperatorPtr& op) const {
        if (!id_terms.empty()) a.push_back(ident(at, id_terms, N));
        if (!op_terms.empty()) a.push_back(apply(at, op_terms, op));
    }

    std::size_t place_carries(std::vector<Block>& a, const std::vector<Carry>& carry, std::size_t at) const {
        for (const Carry& c : carry) {
            if (!c.terms.empty()) a.push_back(ident({at}, c.terms, c.width));
            at += c.width;
        }
        return at;
    }

    // One soft-threshold step S_t(u), u = Σ id_terms + op(Σ op_terms) + B y, with the
    // carried values copied alongside. Real coefficients: one affine layer
    // [u − t | u + t | u + t | carry] and ReLU on the first 2N, S_t(u) = P − Q + U
    // (S_t(u) = u + t − ReLU(u + t) + ReLU(u − t)). Complex coefficients (re | im):
    // [u | u | carry], squares on the copy, [|u_i|² | u | carry], and one gate per
    // coordinate, u_i ← f_i(|u_i|²)·u_i with f_i(q) = max(0, s − t_i)/max(s, t_i),
    // s = sqrt_θ(q): equal to max(0, 1 − t_i/s), the complex soft threshold with √
    // replaced by sqrt_θ, and defined at 0. The thresholds are t_i = scale·w_i; the gates
    // are one group sharing f, t_i its parameter (f = 1 when scale = 0: t = 0).
    Soft threshold(const std::vector<Term>& id_terms, const std::vector<Term>& op_terms, const OperatorPtr& op,
                   std::vector<Block> by, const std::vector<Carry>& carry, const Rational& scale) {
        std::vector<Block> a;
        if (!pb.complex) {
            write_u(a, {0, N, 2 * N}, id_terms, op_terms, op);
            const std::size_t rows = place_carries(a, carry, 3 * N);
            for (auto& b : by) b.out_rows = {0, N, 2 * N};
            affine(rows, std::move(a), std::move(by), soft_bias(rows, scale));
            net.add_elementwise(Scalar::relu, IndexRanges::range(0, 2 * N));
            return {{{0, Rational(1)}, {N, Rational(-1)}, {2 * N, Rational(1)}}, 3 * N};
        }
        write_u(a, {0, N}, id_terms, op_terms, op);
        const std::size_t rows1 = place_carries(a, carry, 2 * N);
        for (auto& b : by) b.out_rows = {0, N};
        affine(rows1, std::move(a), std::move(by));
        net.add_elementwise(Scalar::square, IndexRanges::range(N, 2 * N));
        // [|u|² (Nc) | u (N) | carry]
        std::vector<Block> b2{ident({0}, {{N, Rational(1)}, {N + Nc, Rational(1)}}, Nc), ident({Nc}, {{0, Rational(1)}}, N)};
        std::size_t from = 2 * N, to = Nc + N;
        for (const Carry& c : carry) {
            b2.push_back(ident({to}, {{from, Rational(1)}}, c.width));
            from += c.width;
            to += c.width;
        }
        affine(to, std::move(b2), {});
        if (scale.is_zero()) {
            net.add_gates({Gate{0, {Nc, Nc + Nc}, Expr::constant(Rational(1)), Nc}});
        } else {
            const Expr root = Expr::sqrt_theta(Expr::variable(), pr.theta), t = Expr::parameter();
            Expr f = Expr::binary(
                Expr::Op::div,
                Expr::binary(Expr::Op::max, Expr::constant(Rational(0)), Expr::binary(Expr::Op::sub, root, t)),
                Expr::binary(Expr::Op::max, root, t));
            net.add_gates({Gate{0, {Nc, Nc + Nc}, std::move(f), Nc, thresholds(scale)}});
        }
        return {{{Nc, Rational(1)}}, Nc + N};
    }

    void output(std::vector<Term> z) {
        affine(pb.synthesis->rows(), {apply({0}, std::move(z), pb.synthesis)}, {});
    }

    // ---- primal–dual blocks (FIRENET and the unrestarted network)
    // state: [g | x | d | s], widths 1, N, M, N
    std::size_t G() const { return 0; }
    std::size_t X() const { return 1; }
    std::size_t D() const { return 1 + N; }
    std::size_t S() const { return 1 + N + M; }
    std::size_t state_width() const { return 1 + 2 * N + M; }

    // Step k (0-based) of a block: s holds the average of the block's first k iterates
    // and becomes that of the first k + 1 (averages, not sums, keep |s| at the iterates'
    // size in floating point; the exact network is the same either way).
    void pd_step(const Rational& alpha, int k) {
        const Rational &tau = pr.tau, &sigma = pr.sigma;
        const Rational keep(k, k + 1), add(1, k + 1);
        // x⁺ = S_{τλw}(x − τAᵀd), carrying x, d, s
        Soft st = threshold({{X(), Rational(1)}}, {{D(), -tau}}, At, {},
                            {{{{X(), Rational(1)}}, N}, {{{D(), Rational(1)}}, M}, {{{S(), Rational(1)}}, N}},
                            tau * pr.lambda);
        const std::size_t X1 = st.carry0, D1 = X1 + N, S1 = D1 + M;
        // v = d + σA(2x⁺ − x) − σαy → [v | v | x⁺ | (k s + x⁺)/(k + 1)]
        const std::size_t V = 0, V2 = M, X2 = 2 * M, S2 = 2 * M + N, R2 = 2 * M + 2 * N;
        std::vector<Term> twice_x = scaled(st.soft, Rational(2) * sigma);
        twice_x.push_back({X1, -sigma});
        affine(R2,
               {ident({V, V2}, {{D1, Rational(1)}}, M), apply({V, V2}, twice_x, pb.A), ident({X2}, st.soft, N),
                ident({S2}, scaled(st.soft, add), N), ident({S2}, {{S1, keep}}, N)},
               {ident({V, V2}, {{0, -sigma * alpha}}, M)});
        net.add_elementwise(Scalar::square, IndexRanges::range(V2, V2 + M));
        // [‖v‖² | x⁺ | v | s⁺], then the gate d⁺ = v / max(1, sqrt_θ(‖v‖²))
        affine(state_width(),
               {apply({G()}, {{V2, Rational(1)}}, ones()), ident({X()}, {{X2, Rational(1)}}, N),
                ident({D()}, {{V, Rational(1)}}, M), ident({S()}, {{S2, Rational(1)}}, N)},
               {});
        const IndexRanges targets = IndexRanges::range(D(), D() + M);
        Expr f = Expr::binary(Expr::Op::div, Expr::constant(Rational(1)),
                              Expr::binary(Expr::Op::max, Expr::constant(Rational(1)),
                                           Expr::sqrt_theta(Expr::variable(), pr.theta)));
        net.add_gates({Gate{G(), targets, f}});
    }

    Network primal_dual(bool restarted) {
        if (pr.tau.sign() <= 0 || pr.sigma.sign() <= 0 || pr.tau * pr.sigma * pb.norm_A * pb.norm_A > Rational(1))
            throw DomainError("primal-dual steps must satisfy tau, sigma > 0 and tau*sigma*L_A^2 <= 1");
        if (restarted && (pr.nu.sign() <= 0 || pr.nu >= Rational(1) || pr.eps0.sign() <= 0 || pr.delta.sign() < 0))
            throw DomainError("FIRENET needs 0 < nu < 1, eps0 > 0, delta >= 0");
        const int n = restarted ? pr.restarts : 1, p = pr.inner;
        Rational eps = pr.eps0, alpha_prev;
        for (int j = 1; j <= n; ++j) {
            Rational alpha(1);
            if (restarted) {
                eps = pr.nu * (pr.delta + eps);
                alpha = Rational(2) * pb.norm_A / (eps * Rational(p));  // α_j = 1/(β_j p), β_j = ε_j/(2L_A)
            }
            if (j == 1) {  // state 0: x_0 = α_1 ψ_0 (ψ_0 = x0, or 0), d_0 = 0, s = 0
                std::vector<Rational> c(state_width());
                for (std::size_t i = 0; i < pr.x0.size(); ++i) c[X() + i] = alpha * pr.x0[i];
                affine(state_width(), {}, {}, Bias(c));
            }
            if (j > 1)  // restart: x_0 = α_j ψ_{j−1} = α_j s/α_{j−1} (s the average); d = 0, s = 0
                affine(state_width(), {ident({X()}, {{S(), alpha / alpha_prev}}, N)}, {});
            for (int k = 0; k < p; ++k) pd_step(alpha, k);
            alpha_prev = alpha;
        }
        output({{S(), Rational(1) / alpha_prev}});
        return std::move(net);
    }

    // ---- proximal gradient (ISTA, FISTA): z_k = S_t(u), FISTA carries z_{k−1}
    Network proximal_gradient(bool momentum) {
        if (pr.tau.sign() <= 0 || pr.tau * pb.norm_A * pb.norm_A > Rational(1))
            throw DomainError("ISTA/FISTA step must satisfy 0 < tau <= 1/L_A^2");
        const Rational& tau = pr.tau;
        const Rational t = tau * pr.lambda;
        auto by = [&] { return std::vector<Block>{apply({}, {{0, tau}}, At)}; };
        // z_1 from z_0 = 0: u = τAᵀy (and z_0 = 0 carried for FISTA)
        std::vector<Carry> zero;
        if (momentum) zero.push_back({{}, N});
        Soft st = threshold({}, {}, nullptr, by(), zero, t);
        for (int k = 1; k < pr.inner; ++k) {
            // w = (1+β) z_k − β z_{k−1}, β = (k−1)/(k+2) (0 for ISTA); u = w − τAᵀA w + τAᵀy
            const Rational beta = momentum ? Rational(k - 1, k + 2) : Rational(0);
            std::vector<Term> wt = scaled(st.soft, Rational(1) + beta);
            if (momentum && !beta.is_zero()) wt.push_back({st.carry0, -beta});
            std::vector<Carry> carry;
            if (momentum) carry.push_back({st.soft, N});
            st = threshold(wt, scaled(wt, -tau), AtA, by(), carry, t);
        }
        output(st.soft);
        return std::move(net);
    }

    // ---- Chambolle–Pock on basis pursuit: state [x | d]
    Network cp_bp() {
        if (pr.tau.sign() <= 0 || pr.sigma.sign() <= 0 || pr.tau * pr.sigma * pb.norm_A * pb.norm_A > Rational(1))
            throw DomainError("primal-dual steps must satisfy tau, sigma > 0 and tau*sigma*L_A^2 <= 1");
        const Rational &tau = pr.tau, &sigma = pr.sigma;
        affine(N + M, {}, {});
        const Rational& t = tau;
        for (int k = 0; k < pr.inner; ++k) {
            // x⁺ = S_{τw}(x − τAᵀd); d⁺ = d + σ(A(2x⁺ − x) − y)
            Soft st = threshold({{0, Rational(1)}}, {{N, -tau}}, At, {}, {{{{0, Rational(1)}}, N}, {{{N, Rational(1)}}, M}}, t);
            const std::size_t X1 = st.carry0, D1 = X1 + N;
            std::vector<Term> twice_x = scaled(st.soft, Rational(2) * sigma);
            twice_x.push_back({X1, -sigma});
            affine(N + M, {ident({0}, st.soft, N), ident({N}, {{D1, Rational(1)}}, M), apply({N}, twice_x, pb.A)},
                   {ident({N}, {{0, -sigma}}, M)});
        }
        output({{0, Rational(1)}});
        return std::move(net);
    }

    // ---- NESTA: state [x | G | y], G = Σ (i+1)/2 ∇_i, y the last y_k
    Network nesta() {
        if (pb.complex) throw DomainError("NESTA is built for real coefficients only");
        if (!pb.A_orthonormal_rows) throw DomainError("NESTA needs AA^T = I: use Walsh sampling");
        if (pr.mu.sign() <= 0 || pr.noise.sign() <= 0) throw DomainError("NESTA needs mu > 0 and noise epsilon > 0");
        const Rational& mu = pr.mu;
        const std::size_t X = 0, G = N, Y = 2 * N, W = 3 * N;
        affine(W, {}, {apply({X}, {{0, Rational(1)}}, At)});  // x_0 = Aᵀy
        std::vector<BiasRun> nr;  // [−w | −w | 0 …] of the first layer of every iteration
        for (const BiasRun& r : w_runs) {
            nr.push_back({r.begin, r.end, -r.value});
            nr.push_back({N + r.begin, N + r.end, -r.value});
        }
        nesta_bias = Bias::from_runs(5 * N, std::move(nr));
        auto one = Rational(1);
        for (int k = 0; k < pr.inner; ++k) {
            // L1: t = x/μ → [t − w | −t − w | t | x | G]; ReLU on the first 2N
            const std::size_t P = 0, Q = N, T = 2 * N, X1 = 3 * N, G1 = 4 * N;
            affine(5 * N,
                   {ident({P, T}, {{X, one / mu}}, N), ident({Q}, {{X, -one / mu}}, N), ident({X1}, {{X, one}}, N),
                    ident({G1}, {{G, one}}, N)},
                   {}, nesta_bias);
            net.add_elementwise(Scalar::relu, IndexRanges::range(0, 2 * N));
            // ∇ = T − P + Q; q_y = x − μ∇; G' = G + α∇; r_y = A q_y − y; r_z = A(Aᵀy − μG') − y = −μAG'
            const Rational alpha(k + 1, 2);
            const std::vector<Term> grad{{T, one}, {P, -one}, {Q, one}};
            std::vector<Term> qy = scaled(grad, -mu);
            qy.push_back({X1, one});
            std::vector<Term> gnew = scaled(grad, alpha);
            gnew.push_back({G1, one});
            const std::size_t RY = 0, RY2 = M, RZ = 2 * M, RZ2 = 3 * M, QY = 4 * M, GN = 4 * M + N, R2 = 4 * M + 2 * N;
            affine(R2,
                   {apply({RY, RY2}, qy, pb.A), apply({RZ, RZ2}, scaled(gnew, -mu), pb.A), ident({QY}, qy, N),
                    ident({GN}, gnew, N)},
                   {ident({RY, RY2}, {{0, -one}}, M)});
            IndexRanges sq = IndexRanges::range(RY2, RY2 + M);
            sq.append(RZ2, RZ2 + M);
            net.add_elementwise(Scalar::square, sq);
            // L3: [‖r_y‖² | ‖r_z‖² | r_y | r_z | q_y | G'], gates r ← c(‖r‖²)·r
            const std::size_t S0 = 0, S1 = 1, RY3 = 2, RZ3 = 2 + M, QY3 = 2 + 2 * M, GN3 = 2 + 2 * M + N;
            affine(2 + 2 * M + 2 * N,
                   {apply({S0}, {{RY2, one}}, ones()), apply({S1}, {{RZ2, one}}, ones()), ident({RY3}, {{RY, one}}, M),
                    ident({RZ3}, {{RZ, one}}, M), ident({QY3}, {{QY, one}}, N), ident({GN3}, {{GN, one}}, N)},
                   {});
            Expr root = Expr::sqrt_theta(Expr::variable(), pr.theta);
            Expr cfun = Expr::binary(Expr::Op::div,
                                     Expr::binary(Expr::Op::max, Expr::constant(Rational(0)),
                                                  Expr::binary(Expr::Op::sub, root, Expr::constant(pr.noise))),
                                     Expr::binary(Expr::Op::max, root, Expr::constant(pr.noise)));
            net.add_gates(
                {Gate{S0, IndexRanges::range(RY3, RY3 + M), cfun}, Gate{S1, IndexRanges::range(RZ3, RZ3 + M), cfun}});
            // L4: y_k = q_y − Aᵀ(c r_y); z_k = Aᵀy − μG' − Aᵀ(c r_z); x⁺ = τ z_k + (1 − τ) y_k
            const Rational tau(2, k + 3);
            affine(W,
                   {ident({Y}, {{QY3, one}}, N), apply({Y}, {{RY3, -one}}, At), ident({X}, {{QY3, one - tau}}, N),
                    apply({X}, {{RY3, tau - one}, {RZ3, -tau}}, At), ident({X}, {{GN3, -tau * mu}}, N),
                    ident({G}, {{GN3, one}}, N)},
                   {apply({X}, {{0, tau}}, At)});
        }
        output({{Y, Rational(1)}});
        return std::move(net);
    }
};

}  // namespace

Network build_unrolled(const CsProblem& problem, const SolverParams& params) {
    if (params.inner < 1 || params.restarts < 1) throw DomainError("iterations and restarts must be at least 1");
    if (params.lambda.sign() < 0) throw DomainError("lambda must be non-negative");
    if (params.theta.sign() <= 0) throw DomainError("theta must be positive");
    if (!params.x0.empty() && params.solver != Solver::firenet && params.solver != Solver::primal_dual)
        throw DomainError("a warm start x0 is taken by firenet and pd only");
    if (!params.x0.empty() && params.x0.size() != problem.A->cols())
        throw ShapeError("x0 has " + std::to_string(params.x0.size()) + " values, A has " + std::to_string(problem.A->cols()) + " columns");
    Builder b(problem, params);
    switch (params.solver) {
        case Solver::firenet: return b.primal_dual(true);
        case Solver::primal_dual: return b.primal_dual(false);
        case Solver::ista: return b.proximal_gradient(false);
        case Solver::fista: return b.proximal_gradient(true);
        case Solver::cp_bp: return b.cp_bp();
        case Solver::nesta: return b.nesta();
    }
    throw DomainError("unknown solver");
}

}  // namespace rigornet
