// Must not compile: an operator type derived from OperatorBase but missing from
// RIGORNET_FOR_EACH_OPERATOR has no OperatorVisitor::visit of its own, so its accept
// (and with it its JSON form and norm bound) cannot be generated. Control
// (-DRIGORNET_CONTROL): the same class declared without OperatorBase's accept, i.e. an
// abstract LinearOperator that is never instantiated.
// expect: OperatorVisitor::visit(const Unlisted&)
#include "rigornet/linalg/operator.hpp"

#ifdef RIGORNET_CONTROL
class Unlisted : public rigornet::LinearOperator {};
#else
class Unlisted final : public rigornet::OperatorBase<Unlisted> {
public:
    std::size_t rows() const override { return 1; }
    std::size_t cols() const override { return 1; }
    std::string kind() const override { return "unlisted"; }
    long max_entry_bits() const override { return 0; }
    std::size_t stored_entries() const override { return 0; }
    RIGORNET_OPERATOR_TEMPLATES
};
const rigornet::LinearOperator& use() {
    static const Unlisted u;
    return u;
}
#endif
