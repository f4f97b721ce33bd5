// The one adaptive-precision loop: which precisions it tries and when it stops.
#include <vector>

#include "../support.hpp"
#include "rigornet/number/precision_doubling.hpp"

using namespace rigornet;

TEST_CASE("precision doubling: start, 2·start, … up to the first ≥ max, or the first accepted", "[number][precision]") {
    std::vector<long> tried;
    auto attempt = [&](long p) {
        tried.push_back(p);
        return p;
    };
    CHECK(precision_doubling(53, 1000, attempt, [](long) { return false; }) == 1696);
    CHECK(tried == std::vector<long>{53, 106, 212, 424, 848, 1696});
    tried.clear();
    CHECK(precision_doubling(64, 4096, attempt, [](long p) { return p >= 256; }) == 256);
    CHECK(tried == std::vector<long>{64, 128, 256});
    tried.clear();
    CHECK(precision_doubling(512, 128, attempt, [](long) { return false; }) == 512);  // start ≥ max: once
    CHECK(tried == std::vector<long>{512});
    CHECK_THROWS_AS(precision_doubling(1, 100, attempt, [](long) { return true; }), DomainError);
}
