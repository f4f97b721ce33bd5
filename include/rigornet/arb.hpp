// rigornet — locates Arb's headers: FLINT 3 ships them as <flint/arb.h>, Debian 12's
// separate Arb 2.23 (libflint-arb-dev) as <arb.h>.
#pragma once
#if __has_include(<flint/arb.h>)
#include <flint/arb.h>
#else
#include <arb.h>
#endif
