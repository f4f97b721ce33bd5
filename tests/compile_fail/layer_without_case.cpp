// Must not compile: a visit_layer over the layer kinds without a case for GateLayer (a
// new layer kind added to Layer is in the same position until every visitor handles it).
// Control (-DRIGORNET_CONTROL): the same visit with the gate case.
// expect: visit_layer needs a case for every layer kind
#include "rigornet/network/network.hpp"

std::size_t affine_layers(const rigornet::Network& net) {
    std::size_t n = 0;
    for (const rigornet::Layer& l : net.layers())
        rigornet::visit_layer(
            l, [&](const rigornet::AffineLayer&) { ++n; }, [](const rigornet::ElementwiseLayer&) {}
#ifdef RIGORNET_CONTROL
            ,
            [](const rigornet::GateLayer&) {}
#endif
        );
    return n;
}
