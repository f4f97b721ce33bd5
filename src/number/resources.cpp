#include "rigornet/core/resources.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include <sys/resource.h>
#include <unistd.h>

#include <flint/flint.h>
#include <gmp.h>

#include "rigornet/core/error.hpp"

namespace rigornet {

std::size_t default_memory_limit() {
    static const std::size_t limit = [] {
    const long pages = sysconf(_SC_PHYS_PAGES), page = sysconf(_SC_PAGE_SIZE);
    double total = pages > 0 && page > 0 ? static_cast<double>(pages) * static_cast<double>(page) : 4.0 * (1 << 30);
    rlimit as{};
    if (getrlimit(RLIMIT_AS, &as) == 0 && as.rlim_cur != RLIM_INFINITY) total = std::min(total, static_cast<double>(as.rlim_cur));
    return static_cast<std::size_t>(total / 2);
    }();
    return limit;
}

void require_memory(double estimated_bytes, std::size_t limit_bytes, const std::string& what, const std::string& hint) {
    if (!(estimated_bytes <= static_cast<double>(limit_bytes))) {
        const double mib = 1024.0 * 1024.0;
        throw ResourceError(what + " needs about " + std::to_string(static_cast<long long>(std::ceil(estimated_bytes / mib))) +
                            " MiB, over the limit of " + std::to_string(limit_bytes / (1024 * 1024)) + " MiB (" + hint + ")");
    }
}

double peak_memory_mib() {
    rusage u{};
    getrusage(RUSAGE_SELF, &u);
    return static_cast<double>(u.ru_maxrss) / 1024.0;  // ru_maxrss is in KiB on Linux
}

namespace {

int oom_status = 3;

[[noreturn]] void out_of_memory(std::size_t bytes) {
    // only async-signal-safe calls: the heap is exhausted
    char msg[160];
    const int n = std::snprintf(msg, sizeof msg, "rigornet: error: out of memory (an allocation of %zu bytes failed)\n", bytes);
    if (n > 0) (void)!write(STDERR_FILENO, msg, static_cast<std::size_t>(std::min(n, static_cast<int>(sizeof msg) - 1)));
    _exit(oom_status);
}

void* checked_malloc(std::size_t n) {
    void* p = std::malloc(n);
    if (!p && n) out_of_memory(n);
    return p;
}
void* checked_calloc(std::size_t k, std::size_t n) {
    void* p = std::calloc(k, n);
    if (!p && k && n) out_of_memory(k * n);
    return p;
}
void* checked_realloc(void* q, std::size_t n) {
    void* p = std::realloc(q, n);
    if (!p && n) out_of_memory(n);
    return p;
}
void* gmp_realloc(void* q, std::size_t, std::size_t n) { return checked_realloc(q, n); }
void gmp_free(void* q, std::size_t) { std::free(q); }

}  // namespace

void install_out_of_memory_exit(int status) {
    oom_status = status;
    mp_set_memory_functions(checked_malloc, gmp_realloc, gmp_free);
    __flint_set_memory_functions(checked_malloc, checked_calloc, checked_realloc, std::free);
}

}  // namespace rigornet
