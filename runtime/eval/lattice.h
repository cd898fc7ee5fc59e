#pragma once

// Bud's built-in lattices (lattice-lib.rb) as values: lmax, lmin, lbool, lset, lpset, lbag
// and lmap. Construction (`Bud::MaxLattice.new(x)`, and the implicit wrapping of a plain
// value merged into a lattice collection), the merge (least upper bound), reveal, and
// Bud's classification of each method as a morphism, a monotone function or neither.
// The methods themselves run in the interpreter (they may take blocks).

#include <string>

#include "eval/value.h"

namespace calm::eval {

/// An illegal lattice input or operation, like Bud's Bud::TypeError ("illegal input to
/// lmax#initialize: nil"). The caller adds the location.
struct LatticeError {
  std::string message;
};

/// "lmax", "lmin", "lbool", "lset", "lpset", "lbag", "lmap".
bool is_lattice_type(const std::string& type);
/// The lattice type of a Bud class name: "MaxLattice" or "Bud::MaxLattice" -> "lmax";
/// "" when it names none.
std::string lattice_type_of_class(const std::string& class_name);

/// The bottom of a lattice type: lmax -Infinity, lmin Infinity, lbool false, empty
/// set/bag/map.
Value lattice_bottom(const std::string& type);
/// `Klass.new(v)`: wraps a plain value (lmax/lmin: a number or string, lbool: true or
/// false, lset: an array or set of non-lattice values, lpset: of non-negative numbers,
/// lbag: a hash of positive multiplicities, lmap: a hash of lattice values). A lattice
/// value of the same type is returned as is. Throws LatticeError.
Value lattice_from(const std::string& type, const Value& v);
/// The least upper bound of two values of one type; `b` is wrapped with lattice_from
/// when it is a plain value. Throws LatticeError.
Value lattice_merge(const Value& a, const Value& b);
/// The plain value inside: lmax/lmin the number, lbool true/false, lset/lpset a Set,
/// lbag a Hash of multiplicities, lmap a Hash of lattice values.
Value lattice_reveal(const Value& v);
/// Size of the payload (elements, keys), for fact limits.
size_t lattice_size(const Value& v);

}  // namespace calm::eval
