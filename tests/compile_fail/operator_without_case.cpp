// Must not compile: a visit_operator without a case for BlockOperator (a new operator
// type added to RIGORNET_FOR_EACH_OPERATOR is in the same position until every visitor —
// its JSON form, its norm bound — handles it). Control (-DRIGORNET_CONTROL): the same
// visit with the block case.
// expect: visit_operator needs a case for every operator type
#include <string>

#include "rigornet/linalg/visit_operator.hpp"

std::string family(const rigornet::LinearOperator& op) {
    using namespace rigornet;
    return visit_operator<std::string>(
        op, [](const DenseMatrix&) { return std::string("matrix"); },
        [](const SparseMatrix&) { return std::string("matrix"); },
        [](const WalshHadamard&) { return std::string("transform"); },
        [](const Haar&) { return std::string("transform"); }, [](const Subsample&) { return std::string("transform"); },
        [](const FourierSampling&) { return std::string("transform"); },
        [](const FourierSamplingRational&) { return std::string("transform"); },
        [](const AdjointView&) { return std::string("built"); }, [](const Composition&) { return std::string("built"); }
#ifdef RIGORNET_CONTROL
        ,
        [](const BlockOperator&) { return std::string("built"); }
#endif
    );
}
