// Shared test helpers: seeded random rationals biased toward corner cases, random
// networks of the whole §4 class, and running the CLI.
#pragma once
#include <cstdio>
#include <cstdlib>
#include <random>
#include <string>

#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "rigornet/network/network.hpp"

namespace rigornet::test {

/// Number of random cases: base × RIGORNET_TEST_MULTIPLIER (default 1).
inline int cases(int base) {
    const char* m = std::getenv("RIGORNET_TEST_MULTIPLIER");
    double f = m ? std::atof(m) : 1.0;
    return std::max(1, static_cast<int>(base * (f > 0 ? f : 1.0)));
}

/// A generator seeded from Catch's --rng-seed (fixed by default) and the test's salt.
inline std::mt19937_64 rng(unsigned salt) { return std::mt19937_64(Catch::rngSeed() * 1000003ULL + salt); }

/// Random rational: often small integers, zero, ±1, dyadics; sometimes huge or tiny.
inline Rational random_rational(std::mt19937_64& g, int max_bits = 20) {
    std::uniform_int_distribution<int> kind(0, 9);
    std::uniform_int_distribution<long> small(-8, 8);
    std::uniform_int_distribution<long> big(-(1L << max_bits), 1L << max_bits);
    std::uniform_int_distribution<long> den(1, 1L << max_bits);
    switch (kind(g)) {
        case 0: return Rational(0);
        case 1: return Rational(small(g));
        case 2: return Rational(small(g), 1L << (g() % 20));
        case 3: return Rational(big(g), den(g)) * Rational(1L << 30) * Rational(1L << 30);  // huge
        case 4: return Rational(big(g), den(g)) / Rational(1L << 40);                       // tiny
        default: return Rational(big(g), den(g));
    }
}

inline std::vector<Rational> random_vector(std::mt19937_64& g, std::size_t n, int max_bits = 20) {
    std::vector<Rational> v;
    for (std::size_t i = 0; i < n; ++i) v.push_back(random_rational(g, max_bits));
    return v;
}

/// A random network over every layer kind: dense and sparse affine maps, input
/// re-injection B·y, ReLU/square/soft-threshold/sqrt_θ on random index subsets, and
/// gates whose functions use sqrt_θ, min, max and division (kept away from division
/// by zero: f = 1/max(1, sqrt_θ(u)) or min(u, c) + max(…)).
inline Network random_network(std::mt19937_64& g, std::size_t input_dim, int depth, bool with_sqrt = true) {
    Network net(input_dim);
    std::uniform_int_distribution<int> width(1, 6), pick(0, 5);
    for (int d = 0; d < depth; ++d) {
        const std::size_t w = net.widths().back();
        const std::size_t out = static_cast<std::size_t>(width(g)) + 1;
        std::shared_ptr<const LinearOperator> A, B;
        if (g() % 2) {
            A = std::make_shared<DenseMatrix>(out, w, random_vector(g, out * w, 8));
        } else {
            std::vector<SparseEntry> e;
            for (std::size_t k = 0; k < out * w / 2 + 1; ++k) e.push_back({g() % out, g() % w, random_rational(g, 8)});
            A = std::make_shared<SparseMatrix>(out, w, std::move(e));
        }
        if (g() % 3 == 0) B = std::make_shared<DenseMatrix>(out, input_dim, random_vector(g, out * input_dim, 8));
        net.add_affine(A, B, random_vector(g, out, 8));
        std::vector<std::size_t> subset;
        for (std::size_t i = 0; i < out; ++i)
            if (g() % 2) subset.push_back(i);
        switch (with_sqrt ? pick(g) : pick(g) % 3) {
            case 0: net.add_elementwise(Scalar::relu); break;
            case 1: net.add_elementwise(Scalar::relu, subset); break;
            case 2: net.add_elementwise(Scalar::soft_threshold, subset, Rational(1, 3)); break;
            case 3:  // sqrt_θ needs non-negative input: square first
                net.add_elementwise(Scalar::square, subset);
                net.add_elementwise(Scalar::sqrt_theta, subset, Rational(1, 1 << (g() % 30)));
                break;
            default: {
                if (out < 2) {
                    net.add_elementwise(Scalar::relu);
                    break;
                }
                net.add_elementwise(Scalar::square, std::vector<std::size_t>{0});
                Rational theta(1, 1 << 20);
                Expr proj = Expr::binary(Expr::Op::div, Expr::constant(Rational(1)),
                                         Expr::binary(Expr::Op::max, Expr::constant(Rational(1)),
                                                      Expr::sqrt_theta(Expr::variable(), theta)));
                Expr other = Expr::binary(Expr::Op::add, Expr::binary(Expr::Op::min, Expr::variable(), Expr::constant(Rational(2))),
                                          Expr::unary(Expr::Op::neg, Expr::constant(Rational(1, 7))));
                std::vector<Gate> gates{Gate{0, {1}, g() % 2 ? proj : other}};
                net.add_gates(std::move(gates));
            }
        }
    }
    return net;
}

/// Runs the CLI (RIGORNET_BIN) with the given arguments; returns the exit code and
/// fills out with standard output (standard error goes to err when given).
inline int run_cli(const std::string& args, std::string& out, std::string* err = nullptr) {
    const char* bin = std::getenv("RIGORNET_BIN");
    char errname[] = "/tmp/rigornet-test-XXXXXX";
    int fd = mkstemp(errname);
    REQUIRE(fd >= 0);
    close(fd);
    std::string errfile = errname;
    std::string cmd = std::string(bin ? bin : "bin/rigornet") + " " + args + " 2>" + errfile;
    FILE* p = popen(cmd.c_str(), "r");
    REQUIRE(p != nullptr);
    out.clear();
    char buf[4096];
    std::size_t n;
    while ((n = fread(buf, 1, sizeof buf, p)) > 0) out.append(buf, n);
    int status = pclose(p);
    if (err) {
        err->clear();
        if (FILE* f = std::fopen(errfile.c_str(), "r")) {
            while ((n = fread(buf, 1, sizeof buf, f)) > 0) err->append(buf, n);
            std::fclose(f);
        }
    }
    std::remove(errfile.c_str());
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

/// Runs the CLI, requires exit code 0, and parses its standard output as JSON.
inline nlohmann::json run_json(const std::string& args) {
    std::string out, err;
    int code = run_cli(args, out, &err);
    INFO("rigornet " << args << "\nstderr: " << err);
    REQUIRE(code == 0);
    return nlohmann::json::parse(out);
}

/// A fresh path in /tmp ending in suffix (the file does not exist).
inline std::string temp_path(const std::string& suffix) {
    char name[] = "/tmp/rigornet-test-XXXXXX";
    int fd = mkstemp(name);
    REQUIRE(fd >= 0);
    close(fd);
    std::remove(name);
    return std::string(name) + suffix;
}

/// Path of a file in the repository (RIGORNET_ROOT, default ".").
inline std::string repo_path(const std::string& rel) {
    const char* r = std::getenv("RIGORNET_ROOT");
    return std::string(r ? r : ".") + "/" + rel;
}

}  // namespace rigornet::test
