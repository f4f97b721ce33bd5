// rigornet command-line interface. Each module registers its subcommands (common.hpp).
// Exit codes: 0 success (or proved), 1 refuted, 2 unknown (could not prove), 3 error.
#include <malloc.h>

#include <iostream>
#include <new>

#include "common.hpp"
#include "rigornet/core/resources.hpp"
#include "rigornet/core/version.hpp"

using namespace rigornet::cli;

int main(int argc, char** argv) {
    // an allocation that fails inside GMP or FLINT ends with exit 3 and a message, not an abort
    rigornet::install_out_of_memory_exit(exit_error);
    // glibc's malloc returns freed blocks of more than its dynamic mmap threshold to the
    // system and trims the heap top above 2x that threshold; a search that allocates and
    // frees its LP and bound buffers node after node then pays a page fault per page again
    // (MNIST 256x2 prop_0 eps=0.05 after prop_0 eps=0.03 in one --instances run: 26.6 s, of
    // which 12 s system time, vs 9.1 s alone). Fixed thresholds (32 MiB, glibc's largest
    // mmap threshold; trim above 256 MiB) keep the pages: 9.1 s in the same run.
    mallopt(M_MMAP_THRESHOLD, 32 << 20);
    mallopt(M_TRIM_THRESHOLD, 256 << 20);
    CLI::App app{"rigornet: exact and certified evaluation of neural networks.\n"
                 "Exit codes: 0 success/proved, 1 refuted, 2 unknown, 3 error."};
    app.require_subcommand(1);
    app.set_version_flag("--version", std::string("rigornet ") + rigornet::version);
    std::vector<Command> commands;
    register_core_commands(app, commands);
    register_cs_commands(app, commands);
    register_lipschitz_commands(app, commands);
    register_euler_commands(app, commands);
    register_verify_commands(app, commands);
    register_check_commands(app, commands);
    try {
        app.parse(argc, argv);
    } catch (const CLI::ParseError& e) {
        return app.exit(e) == 0 ? exit_ok : exit_error;
    }
    try {
        for (const Command& c : commands)
            if (c.app->parsed()) return c.run();
    } catch (const std::bad_alloc&) {
        std::cerr << "rigornet: error: out of memory\n";
    } catch (const std::exception& e) {
        std::cerr << "rigornet: error: " << e.what() << '\n';
    }
    return exit_error;
}
