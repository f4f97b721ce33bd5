# rigornet build. Files are discovered by wildcard: nobody maintains file lists.
#   make run    install missing packages, build, run the main job on built-in data
#   make check  install missing packages, build, run every test and example
#   make bench  benchmarks (ratios against a baseline in the same process)
#   make install PREFIX=/usr/local

CXX      ?= g++
PREFIX   ?= /usr/local
MAKEFLAGS += -j$(shell nproc 2>/dev/null || echo 2) --no-print-directory
# -ffp-contract=off: the double evaluator's error bound assumes every operation is
# rounded separately (no fused multiply-add contraction).
CXXFLAGS ?= -O2 -g
override CXXFLAGS += -std=c++20 -Wall -Wextra -ffp-contract=off -Iinclude -MMD -MP
# Debian 12 ships Arb apart from FLINT 2.9 (arb.h, -lflint-arb); FLINT 3 merged it
# (flint/arb.h, -lflint). Decided lazily, after the dependencies are installed.
ARB_LIB   = $(shell printf '\043include <flint/arb.h>\n' | $(CXX) -E -x c++ - >/dev/null 2>&1 || echo -lflint-arb)
# -lfftw3: FFTW for the double-precision DFT; -lstb: Debian's compiled stb_image /
# stb_image_write (PNG reading and writing); -lqsopt_ex: QSopt_ex's exact rational LP;
# Cairo for the plots (PNG and PDF surfaces, src/report/plot.cpp only needs its headers).
CAIRO_CFLAGS = $(shell pkg-config --cflags cairo 2>/dev/null)
CAIRO_LIBS   = $(shell pkg-config --libs cairo 2>/dev/null || echo -lcairo)
# -lnettle: SHA-256 of the files a certificate is about.
LDLIBS    = $(ARB_LIB) -lflint -lfftw3 -lqsopt_ex -lmpfr -lgmp -lstb $(CAIRO_LIBS) -lnettle
# ONNX input: Debian's libonnx-dev (the ONNX protobuf schema, built with ONNX_ML) on
# libprotobuf.
override CXXFLAGS += -DONNX_ML=1 -DONNX_NAMESPACE=onnx
LDLIBS   += -lonnx_proto -lprotobuf

LIB_SRC   := $(wildcard src/*/*.cpp)
LIB_SRC   := $(filter-out src/cli/%,$(LIB_SRC))
CLI_SRC   := $(wildcard src/cli/*.cpp)
TEST_SRC  := $(wildcard tests/*.cpp tests/*/*.cpp)
# tests/compile_fail/*.cpp must not compile: scripts/check-compile-fail.sh runs them.
TEST_SRC  := $(filter-out tests/compile_fail/%,$(TEST_SRC))
BENCH_SRC := $(wildcard bench/*.cpp)
EX_SRC    := $(wildcard examples/*.cpp)
PROOF_SRC := $(wildcard proofs/*.cpp)

obj = $(patsubst %.cpp,build/%.o,$(1))
LIB      := build/librigornet.a
CLI      := bin/rigornet
TESTS    := bin/rigornet-tests
BENCHES  := $(patsubst bench/%.cpp,bin/bench/%,$(BENCH_SRC))
EXAMPLES := $(patsubst examples/%.cpp,bin/examples/%,$(EX_SRC))
PROOFS   := $(patsubst proofs/%.cpp,bin/proofs/%,$(PROOF_SRC))
DEPS     := build/deps.stamp

.PHONY: all deps run check test examples bench proofs proofs-long install clean
.SECONDARY:
all: $(CLI) $(LIB)

deps: $(DEPS)
$(DEPS): scripts/install-deps.sh
	@bash scripts/install-deps.sh
	@mkdir -p $(@D) && touch $@

build/src/report/plot.o: override CXXFLAGS += $(CAIRO_CFLAGS)
# The outward-rounded bounds switch the rounding mode (upward_rounding.hpp): no constant
# folding or reordering across the switch.
build/src/verify/sound_bounds.o build/src/lipschitz/jacobian_bound.o: override CXXFLAGS += -frounding-math

build/%.o: %.cpp | $(DEPS)
	@mkdir -p $(@D)
	$(CXX) $(CXXFLAGS) -c $< -o $@

$(LIB): $(call obj,$(LIB_SRC))
	@mkdir -p $(@D)
	@rm -f $@  # no stale members of moved or deleted sources
	ar rcs $@ $^

$(CLI): $(call obj,$(CLI_SRC)) $(LIB)
	@mkdir -p $(@D)
	$(CXX) $(CXXFLAGS) $^ -o $@ $(LDLIBS)

$(TESTS): $(call obj,$(TEST_SRC)) $(LIB)
	@mkdir -p $(@D)
	$(CXX) $(CXXFLAGS) $^ -o $@ $(LDLIBS)

bin/bench/%: build/bench/%.o $(LIB)
	@mkdir -p $(@D)
	$(CXX) $(CXXFLAGS) $^ -o $@ $(LDLIBS)
bin/examples/%: build/examples/%.o $(LIB)
	@mkdir -p $(@D)
	$(CXX) $(CXXFLAGS) $^ -o $@ $(LDLIBS)
bin/proofs/%: build/proofs/%.o $(LIB)
	@mkdir -p $(@D)
	$(CXX) $(CXXFLAGS) $^ -o $@ $(LDLIBS)

# Every test; the CLI tests run the built binary named by RIGORNET_BIN.
check: $(TESTS) $(CLI) $(EXAMPLES) $(PROOFS)
	RIGORNET_BIN=$(CLI) RIGORNET_ROOT=. ./$(TESTS)
	@bash scripts/check-compile-fail.sh $(CXX) $(filter-out -MMD -MP,$(CXXFLAGS))
	@bash scripts/check-examples.sh $(EXAMPLES)
	@for p in $(PROOFS); do echo "== $$p"; ./$$p || exit 1; done
	@bash scripts/readme-quickstart.sh $(CLI)
	@bash scripts/check-latex.sh $(CLI)
test: check

run: $(CLI)
	@bash scripts/run.sh $(CLI)

bench: $(BENCHES) $(CLI)
	@for b in $(BENCHES); do echo "== $$b"; ./$$b || exit 1; done
	@echo "== scripts/bench-acasxu.sh"; bash scripts/bench-acasxu.sh $(CLI)

proofs: $(PROOFS)
	@for p in $(PROOFS); do echo "== $$p"; ./$$p || exit 1; done

# The proofs at the published settings (slow): PNAS Table 1 with p = 50, 30 restarts.
proofs-long: bin/proofs/inexact_input
	./bin/proofs/inexact_input --full

install: $(CLI) $(LIB)
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/lib $(DESTDIR)$(PREFIX)/include/rigornet
	install -m 755 $(CLI) $(DESTDIR)$(PREFIX)/bin/
	install -m 644 $(LIB) $(DESTDIR)$(PREFIX)/lib/
	install -m 644 include/rigornet/*.hpp $(DESTDIR)$(PREFIX)/include/rigornet/

clean:
	rm -rf build bin

-include $(shell find build -name '*.d' 2>/dev/null)
