// rigornet command-line interface. Each module registers its subcommands (common.hpp).
// Exit codes: 0 success (or proved), 1 refuted, 2 unknown (could not prove), 3 error.
#include <iostream>
#include <new>

#include "common.hpp"
#include "rigornet/core/resources.hpp"
#include "rigornet/core/version.hpp"

using namespace rigornet::cli;

int main(int argc, char** argv) {
    // an allocation that fails inside GMP or FLINT ends with exit 3 and a message, not an abort
    rigornet::install_out_of_memory_exit(exit_error);
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
