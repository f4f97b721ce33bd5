// rigornet — locates Arb's headers: FLINT 3 ships them as <flint/arb.h>, Debian 12's
// separate Arb 2.23 (libflint-arb-dev) as <arb.h>.
#pragma once
#if __has_include(<flint/arb.h>)
#include <flint/acb.h>
#include <flint/acb_mat.h>
#include <flint/arb.h>
#include <flint/arb_fmpz_poly.h>
#include <flint/arb_mat.h>
#else
#include <acb.h>
#include <acb_mat.h>
#include <arb.h>
#include <arb_fmpz_poly.h>
#include <arb_mat.h>
#endif
