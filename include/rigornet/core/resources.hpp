// rigornet — memory limits: estimate before starting, refuse clearly, and end cleanly
// when an allocation fails anyway.
#pragma once
#include <cstddef>
#include <string>

namespace rigornet {

/// The memory a computation may use unless told otherwise: half of the smaller of the
/// machine's physical memory and the process's address-space limit (RLIMIT_AS), in
/// bytes. Half, because the estimates below count the main vectors only.
std::size_t default_memory_limit();

/// Throws ResourceError "<what> needs about X MiB, over the limit of Y MiB" when the
/// estimate exceeds limit_bytes (the caller names the flag that raises the limit in
/// `hint`). Called before a computation starts, so nothing is allocated in vain.
void require_memory(double estimated_bytes, std::size_t limit_bytes, const std::string& what,
                    const std::string& hint = "--max-memory");

/// The process's peak resident memory so far, in MiB (getrusage's ru_maxrss; a
/// measurement, not a bound).
double peak_memory_mib();

/// For programs (the CLI), not for code embedding the library: makes every allocation
/// by GMP and FLINT that fails end the process with `status` and one line on stderr,
/// instead of GMP's abort (134), FLINT's message on *stdout* followed by abort, or a
/// third party's allocator exiting with status 1 (which the CLI uses for "refuted").
/// Memory functions installed later by another library replace these.
void install_out_of_memory_exit(int status);

}  // namespace rigornet
