#include "model/bud_operators.h"

#include <algorithm>
#include <array>
#include <unordered_map>
#include <vector>

namespace calm {

namespace {

using K = OperatorKind;
using H = EvalHandler;
using C = RefContext;

// clang-format off
// One row per operator. Examples run against tests/model/bud_operators_test.cpp's
// program: tables link/edge [:from, :to], node [:id], kv [:k] => [:v]; scratches
// out1..out4 with 1..4 columns.
constexpr std::array kOperators = {
  // ---- Collection methods a collection flows through (monotone) ----------------------
  BudOperator{"map", K::CollectionMethod, 0, 0, C::Scan, true, "", H::Map, KeyArgs::None,
   "a block applied to every tuple: each output depends on one input tuple",
   "out2 <= link.map { |l| [l.to, l.from] }"},
  BudOperator{"pro", K::CollectionMethod, 0, 0, C::Scan, true, "", H::Map, KeyArgs::None,
   "Bud's name for map", "out2 <= link.pro { |l| [l.to, l.from] }"},
  BudOperator{"collect", K::CollectionMethod, 0, 0, C::Scan, true, "", H::Map, KeyArgs::None,
   "Ruby's alias of map", "out2 <= link.collect { |l| [l.to, l.from] }"},
  BudOperator{"flat_map", K::CollectionMethod, 0, 0, C::Scan, true, "", H::Map, KeyArgs::None,
   "map, then the arrays' elements", "out1 <= link.flat_map { |l| [[l.from], [l.to]] }"},
  BudOperator{"filter_map", K::CollectionMethod, 0, 0, C::Scan, true, "", H::Map, KeyArgs::None,
   "map, keeping truthy results", "out1 <= link.filter_map { |l| [l.to] if l.from > 1 }"},
  BudOperator{"select", K::CollectionMethod, 0, 0, C::Scan, true, "", H::Select, KeyArgs::None,
   "a filter: each output is one input tuple", "out2 <= link.select { |l| l.from > 1 }"},
  BudOperator{"filter", K::CollectionMethod, 0, 0, C::Scan, true, "", H::Select, KeyArgs::None,
   "Ruby's alias of select", "out2 <= link.filter { |l| l.from > 1 }"},
  BudOperator{"find_all", K::CollectionMethod, 0, 0, C::Scan, true, "", H::Select, KeyArgs::None,
   "Ruby's alias of select", "out2 <= link.find_all { |l| l.from > 1 }"},
  BudOperator{"reject", K::CollectionMethod, 0, 0, C::Scan, true, "", H::Select, KeyArgs::None,
   "a filter (the block says which tuples to drop)", "out2 <= link.reject { |l| l.from > 1 }"},
  BudOperator{"payloads", K::CollectionMethod, 0, 0, C::Scan, true, "", H::Columns, KeyArgs::None,
   "a projection (the columns but the location)", "out2 <= link.payloads"},
  BudOperator{"keys", K::CollectionMethod, 0, 0, C::Scan, true, "", H::Columns, KeyArgs::None,
   "a projection on the key columns", "out2 <= link.keys"},
  BudOperator{"values", K::CollectionMethod, 0, 0, C::Scan, true, "", H::Columns, KeyArgs::None,
   "a projection on the value columns", "out1 <= kv.values"},
  BudOperator{"rename", K::CollectionMethod, 1, 2, C::Scan, true, "", H::Rename, KeyArgs::None,
   "the same tuples under new column names", "out2 <= link.rename(:r, [:x, :y])"},
  BudOperator{"notin", K::CollectionMethod, 1, -1, C::Scan, true, "", H::NotIn, KeyArgs::HashPairs,
   "monotone in its receiver; the collection it names is negated (RefContext::NotIn)",
   "out2 <= link.notin(edge)"},
  BudOperator{"to_a", K::CollectionMethod, 0, 0, C::Scan, true, "", H::Ruby, KeyArgs::None,
   "the tuples as an array", "out2 <= link.to_a"},
  BudOperator{"uniq", K::CollectionMethod, 0, 0, C::Scan, true, "", H::Ruby, KeyArgs::None,
   "the tuples without duplicates", "out2 <= link.uniq"},
  BudOperator{"compact", K::CollectionMethod, 0, 0, C::Scan, true, "", H::Ruby, KeyArgs::None,
   "the tuples without nils", "out2 <= link.compact"},
  BudOperator{"to_set", K::CollectionMethod, 0, 0, C::Scan, true, "", H::Refused, KeyArgs::None,
   "monotone, but a Ruby Set of tuples is not a value the evaluator keeps in a collection",
   "out2 <= link.to_set"},
  BudOperator{"each", K::CollectionMethod, 0, 0, C::Scan, true, "", H::Refused, KeyArgs::None,
   "monotone (it reads every tuple), but Bud's each returns no collection to merge",
   "out2 <= link.each { |l| l }"},
  BudOperator{"inspected", K::CollectionMethod, 0, 0, C::Scan, true, "", H::Refused,
   KeyArgs::None, "monotone; the tuples' printed forms, which the evaluator does not produce",
   "out1 <= link.inspected"},
  BudOperator{"tabname", K::CollectionMethod, 0, 0, C::Scan, true, "", H::Refused, KeyArgs::None,
   "reads only the collection's name; the evaluator does not run Bud's reflection on "
   "collections", ""},
  BudOperator{"lambda", K::CollectionMethod, 0, 0, C::Scan, true, "", H::Refused, KeyArgs::None,
   "a block passed on (Bud's older DSL), which the evaluator does not run", ""},
  BudOperator{"ip_port", K::CollectionMethod, 0, 0, C::Scan, true, "", H::Refused, KeyArgs::None,
   "the node's address, not the collection's contents (the evaluator answers ip_port, ip "
   "and port only on their own, not on a collection)", ""},
  BudOperator{"port", K::CollectionMethod, 0, 0, C::Scan, true, "", H::Refused, KeyArgs::None,
   "the node's port, not the collection's contents (the evaluator answers ip_port, ip "
   "and port only on their own, not on a collection)", ""},
  BudOperator{"ip", K::CollectionMethod, 0, 0, C::Scan, true, "", H::Refused, KeyArgs::None,
   "the node's host, not the collection's contents (the evaluator answers ip_port, ip "
   "and port only on their own, not on a collection)", ""},
  BudOperator{"[]", K::CollectionMethod, 1, 1, C::Scan, true, "", H::InBlock, KeyArgs::None,
   "a lookup by key inside a block", "out1 <= node { |n| [n.id] if kv[n.id] }"},
  // ---- Collection methods that read the whole collection (not monotone) --------------
  BudOperator{"group", K::CollectionMethod, 1, -1, C::Group, false, "", H::Group, KeyArgs::FirstArray,
   "aggregation: a group's result changes as tuples arrive",
   "out2 <= link.group([:from], count)"},
  BudOperator{"argmin", K::CollectionMethod, 2, 2, C::ArgAgg, false, "", H::ArgAgg, KeyArgs::FirstArray,
   "aggregation: the least tuple of a group can be displaced",
   "out2 <= link.argmin([:from], :to)"},
  BudOperator{"argmax", K::CollectionMethod, 2, 2, C::ArgAgg, false, "", H::ArgAgg, KeyArgs::FirstArray,
   "aggregation: the greatest tuple of a group can be displaced",
   "out2 <= link.argmax([:from], :to)"},
  BudOperator{"argagg", K::CollectionMethod, 3, 3, C::ArgAgg, false, "", H::ArgAgg, KeyArgs::SecondArray,
   "aggregation: the chosen tuple of a group can be displaced",
   "out2 <= link.argagg(:min, [:from], :to)"},
  BudOperator{"reduce", K::CollectionMethod, 1, 1, C::Reduce, false, "", H::Reduce, KeyArgs::None,
   "a fold over the whole collection",
   "out2 <= link.reduce([]) { |memo, l| memo + [[l.from, l.to]] }"},
  BudOperator{"inject", K::CollectionMethod, 1, 1, C::Reduce, false, "", H::Reduce, KeyArgs::None,
   "Ruby's alias of reduce",
   "out2 <= link.inject([]) { |memo, l| memo + [[l.from, l.to]] }"},
  BudOperator{"sort", K::CollectionMethod, 0, 0, C::Group, false, "", H::Sort, KeyArgs::None,
   "an order over the whole collection: positions move as tuples arrive", "out2 <= link.sort"},
  BudOperator{"each_with_index", K::CollectionMethod, 0, 0, C::UnknownMethod, false, "",
   H::EachWithIndex, KeyArgs::None,
   "the index depends on the order tuples arrive in (assumed non-monotone)",
   "out2 <= link.each_with_index"},
  BudOperator{"count", K::CollectionMethod, 0, 1, C::Group, false, "", H::InBlock, KeyArgs::None,
   "aggregation over the whole collection", "out1 <= node { |n| [link.count] }"},
  BudOperator{"size", K::CollectionMethod, 0, 0, C::Group, false, "", H::InBlock, KeyArgs::None,
   "aggregation over the whole collection", "out1 <= node { |n| [link.size] }"},
  BudOperator{"length", K::CollectionMethod, 0, 0, C::Group, false, "", H::InBlock, KeyArgs::None,
   "aggregation over the whole collection", "out1 <= node { |n| [link.length] }"},
  BudOperator{"sum", K::CollectionMethod, 0, 1, C::Group, false, "", H::Refused, KeyArgs::None,
   "aggregation over the whole collection; summing tuples is not defined (use "
   "group([], sum(:col)))", ""},
  BudOperator{"min", K::CollectionMethod, 0, 1, C::Group, false, "", H::InBlock, KeyArgs::None,
   "aggregation over the whole collection", "out2 <= node { |n| link.min }"},
  BudOperator{"max", K::CollectionMethod, 0, 1, C::Group, false, "", H::InBlock, KeyArgs::None,
   "aggregation over the whole collection", "out2 <= node { |n| link.max }"},
  BudOperator{"min_by", K::CollectionMethod, 0, 1, C::Group, false, "", H::Refused, KeyArgs::None,
   "aggregation over the whole collection, which the evaluator runs as argmin, not min_by",
   "out2 <= node { |n| link.min_by { |l| l.to } }"},
  BudOperator{"max_by", K::CollectionMethod, 0, 1, C::Group, false, "", H::Refused, KeyArgs::None,
   "aggregation over the whole collection, which the evaluator runs as argmax, not max_by",
   "out2 <= node { |n| link.max_by { |l| l.to } }"},
  BudOperator{"sort_by", K::CollectionMethod, 0, 0, C::Group, false, "", H::Refused, KeyArgs::None,
   "an order over the whole collection, which the evaluator does not build (use sort "
   "or argmin)", "out2 <= link.sort_by { |l| l.to }"},
  BudOperator{"first", K::CollectionMethod, 0, 1, C::Group, false, "", H::InBlock, KeyArgs::None,
   "depends on the order tuples arrive in", "out2 <= node { |n| link.first }"},
  BudOperator{"last", K::CollectionMethod, 0, 1, C::Group, false, "", H::InBlock, KeyArgs::None,
   "depends on the order tuples arrive in", "out2 <= node { |n| link.last }"},
  BudOperator{"to_h", K::CollectionMethod, 0, 0, C::Group, false, "", H::Refused, KeyArgs::None,
   "a later tuple replaces an earlier one's entry: a Ruby Hash the evaluator does not "
   "keep in a collection", ""},
  BudOperator{"group_by", K::CollectionMethod, 0, 0, C::Group, false, "", H::Refused, KeyArgs::None,
   "aggregation: a group's members change as tuples arrive (the evaluator runs group, "
   "not Ruby's group_by)", ""},
  // ---- Membership tests (negation when the answer can turn from false to true) -------
  BudOperator{"include?", K::CollectionMethod, 1, 1, C::Membership, false, "", H::InBlock,
   KeyArgs::None, "a test whose answer changes as tuples arrive",
   "out1 <= node { |n| [n.id] if link.include?([n.id, 2]) }"},
  BudOperator{"member?", K::CollectionMethod, 1, 1, C::Membership, false, "", H::InBlock,
   KeyArgs::None, "Ruby's alias of include?",
   "out1 <= node { |n| [n.id] if link.member?([n.id, 2]) }"},
  BudOperator{"exists?", K::CollectionMethod, 0, 0, C::Membership, false, "", H::InBlock,
   KeyArgs::None, "a test whose answer changes as tuples arrive",
   "out1 <= node { |n| [n.id] if link.exists? { |l| l.from == n.id } }"},
  BudOperator{"empty?", K::CollectionMethod, 0, 0, C::Membership, false, "", H::InBlock,
   KeyArgs::None, "true until the first tuple arrives",
   "out1 <= node { |n| [n.id] if link.empty? }"},
  BudOperator{"any?", K::CollectionMethod, 0, 0, C::Membership, false, "", H::InBlock,
   KeyArgs::None, "a test whose answer changes as tuples arrive",
   "out1 <= node { |n| [n.id] if link.any? { |l| l.from == n.id } }"},
  BudOperator{"none?", K::CollectionMethod, 0, 0, C::Membership, false, "", H::InBlock,
   KeyArgs::None, "true until a matching tuple arrives",
   "out1 <= node { |n| [n.id] if link.none? { |l| l.from == n.id } }"},
  BudOperator{"all?", K::CollectionMethod, 0, 0, C::Membership, false, "", H::InBlock,
   KeyArgs::None, "true until a tuple that fails arrives",
   "out1 <= node { |n| [n.id] if link.all? { |l| l.from > 0 } }"},
  // ---- Schema (reads no tuple) -------------------------------------------------------
  BudOperator{"schema", K::CollectionMethod, 0, 0, C::Schema, true, "", H::InBlock, KeyArgs::None,
   "reads the declaration, not the tuples", ""},
  BudOperator{"cols", K::CollectionMethod, 0, 0, C::Schema, true, "", H::InBlock, KeyArgs::None,
   "reads the declaration, not the tuples", "out1 <= node { |n| [link.cols.length] }"},
  BudOperator{"key_cols", K::CollectionMethod, 0, 0, C::Schema, true, "", H::InBlock, KeyArgs::None,
   "reads the declaration, not the tuples", "out1 <= node { |n| [kv.key_cols.length] }"},
  BudOperator{"val_cols", K::CollectionMethod, 0, 0, C::Schema, true, "", H::InBlock, KeyArgs::None,
   "reads the declaration, not the tuples", "out1 <= node { |n| [kv.val_cols.length] }"},
  // ---- Joins -------------------------------------------------------------------------
  BudOperator{"pairs", K::JoinMethod, 0, -1, C::Join, true, "", H::Join, KeyArgs::HashPairs,
   "a join: each output pairs input tuples that all persist",
   "out2 <= (link * edge).pairs(:to => :from) { |l, e| [l.from, e.to] }"},
  BudOperator{"matches", K::JoinMethod, 0, 0, C::Join, true, "", H::Join, KeyArgs::HashPairs,
   "a natural join", "out2 <= (link * edge).matches { |l, e| [l.from, e.to] }"},
  BudOperator{"combos", K::JoinMethod, 0, -1, C::Join, true, "", H::Join, KeyArgs::HashPairs,
   "a join", "out2 <= (link * edge).combos(link.to => edge.from) { |l, e| [l.from, e.to] }"},
  BudOperator{"lefts", K::JoinMethod, 0, -1, C::Join, true, "", H::Join, KeyArgs::HashPairs,
   "a semijoin: the left tuples that match", "out2 <= (link * edge).lefts(:to => :from)"},
  BudOperator{"rights", K::JoinMethod, 0, -1, C::Join, true, "", H::Join, KeyArgs::HashPairs,
   "a semijoin: the right tuples that match", "out2 <= (link * edge).rights(:to => :from)"},
  BudOperator{"outer", K::JoinMethod, 0, -1, C::Join, true, "", H::Join, KeyArgs::HashPairs,
   "a left outer join: monotone in its left input; the nil-padded tuple of an unmatched "
   "left tuple is retracted when a match arrives, so it is negation in its right input",
   "out2 <= (link * edge).outer(:to => :from) { |l, e| [l.from, e.to] }"},
  BudOperator{"flatten", K::JoinMethod, 0, 0, C::Join, true, "", H::Flatten, KeyArgs::None,
   "each join row's tuples concatenated", "out4 <= (link * edge).flatten"},
  BudOperator{"join", K::JoinMethod, 1, -1, C::Join, true, "", H::Join2011, KeyArgs::None,
   "the 2011 join", "out2 <= join([link, edge], [link.to, edge.from]).map { |l, e| [l.from, e.to] }"},
  BudOperator{"natjoin", K::JoinMethod, 1, 1, C::Join, true, "", H::Join2011, KeyArgs::None,
   "the 2011 natural join", "out2 <= natjoin([link, edge]).map { |l, e| [l.from, e.to] }"},
  BudOperator{"leftjoin", K::JoinMethod, 1, -1, C::Join, true, "", H::Join2011, KeyArgs::None,
   "the 2011 left outer join",
   "out2 <= leftjoin([link, edge], [link.to, edge.from]).map { |l, e| [l.from, e.to] }"},
  BudOperator{"outerjoin", K::JoinMethod, 1, -1, C::Join, true, "", H::Refused, KeyArgs::None,
   "the 2011 full outer join: Bud 0.9 has leftjoin only",
   "out2 <= outerjoin([link, edge], [link.to, edge.from]).map { |l, e| [l.from, e.to] }"},
  // ---- Aggregates (arguments of group and argagg) ------------------------------------
  BudOperator{"count", K::Aggregate, 0, 1, C::Group, false, "", H::Aggregate, KeyArgs::None,
   "aggregation", "out2 <= link.group([:from], count)"},
  BudOperator{"sum", K::Aggregate, 1, 1, C::Group, false, "", H::Aggregate, KeyArgs::None,
   "aggregation", "out2 <= link.group([:from], sum(:to))"},
  BudOperator{"avg", K::Aggregate, 1, 1, C::Group, false, "", H::Aggregate, KeyArgs::None,
   "aggregation", "out2 <= link.group([:from], avg(:to))"},
  BudOperator{"min", K::Aggregate, 1, 1, C::Group, false, "", H::Aggregate, KeyArgs::None,
   "aggregation", "out2 <= link.group([:from], min(:to))"},
  BudOperator{"max", K::Aggregate, 1, 1, C::Group, false, "", H::Aggregate, KeyArgs::None,
   "aggregation", "out2 <= link.group([:from], max(:to))"},
  BudOperator{"choose", K::Aggregate, 1, 1, C::Group, false, "", H::Aggregate, KeyArgs::None,
   "aggregation (the first value its group sees)", "out2 <= link.group([:from], choose(:to))"},
  BudOperator{"choose_rand", K::Aggregate, 1, 1, C::Group, false, "", H::Aggregate, KeyArgs::None,
   "aggregation (a value drawn by reservoir sampling)",
   "out2 <= link.group([:from], choose_rand(:to))"},
  BudOperator{"bool_and", K::Aggregate, 1, 1, C::Group, false, "", H::Aggregate, KeyArgs::None,
   "aggregation", "out2 <= link.group([:from], bool_and(:to))"},
  BudOperator{"bool_or", K::Aggregate, 1, 1, C::Group, false, "", H::Aggregate, KeyArgs::None,
   "aggregation", "out2 <= link.group([:from], bool_or(:to))"},
  BudOperator{"accum", K::Aggregate, 1, 1, C::Group, false, "", H::Aggregate, KeyArgs::None,
   "aggregation (the set of a group's values)", "out2 <= link.group([:from], accum(:to))"},
  BudOperator{"accum_pair", K::Aggregate, 2, 2, C::Group, false, "", H::Aggregate, KeyArgs::None,
   "aggregation (the set of a group's value pairs)",
   "out2 <= link.group([:from], accum_pair(:from, :to))"},
  // ---- Lattice methods. monotone_on: the types on which calm's analysis calls it monotone:
  // those of Bud 0.9.9's lattice-lib.rb that declare it `morph` or `monotone`, and the
  // 2011 lattice notes' list (docs/analysis-notes.md); plain_on (the last field): the
  // types with a plain `def`. The evaluator runs a method where Bud 0.9.9 has it
  // (eval/lattice_methods.cpp) and refuses it, saying so, where only the analysis does ---
  BudOperator{"merge", K::LatticeMethod, 1, 1, C::LatticeMethod, true, "*", H::Lattice,
   KeyArgs::None, "the lattice's least upper bound", ""},
  BudOperator{"gt", K::LatticeMethod, 1, 1, C::LatticeMethod, true, "lmax", H::Lattice,
   KeyArgs::None, "lmax: morph", ""},
  BudOperator{"gt_eq", K::LatticeMethod, 1, 1, C::LatticeMethod, true, "lmax", H::Lattice,
   KeyArgs::None, "lmax: morph", ""},
  BudOperator{"lt", K::LatticeMethod, 1, 1, C::LatticeMethod, true, "lmin", H::Lattice,
   KeyArgs::None, "lmin: morph", ""},
  BudOperator{"lt_eq", K::LatticeMethod, 1, 1, C::LatticeMethod, true, "lmin", H::Lattice,
   KeyArgs::None, "lmin: monotone in calm's analysis (Bud 0.9.9's lmin has no lt_eq); on lmax "
   "and lmap Bud defines it as a plain method", "", "lmax lmap"},
  BudOperator{"+", K::LatticeMethod, 1, 1, C::LatticeMethod, true, "lmax lmin lbag", H::Lattice,
   KeyArgs::None, "lmax, lmin, lbag: morph", ""},
  BudOperator{"-", K::LatticeMethod, 1, 1, C::LatticeMethod, true, "lmax lmin", H::Refused,
   KeyArgs::None, "monotone in calm's analysis since the 2011 lattice notes; Bud 0.9.9's "
   "lattices have no -, so the evaluator refuses it", ""},
  BudOperator{"min_of", K::LatticeMethod, 1, 1, C::LatticeMethod, true, "lmax", H::Lattice,
   KeyArgs::None, "lmax: morph", ""},
  BudOperator{"max_of", K::LatticeMethod, 1, 1, C::LatticeMethod, false, "", H::Refused,
   KeyArgs::None, "not a method of Bud 0.9.9's lattices: assumed non-monotone, refused by "
   "the evaluator", ""},
  BudOperator{"when_true", K::LatticeMethod, 0, 0, C::LatticeMethod, true, "lbool", H::Lattice,
   KeyArgs::None, "lbool: morph", ""},
  BudOperator{"reveal", K::LatticeMethod, 0, 0, C::LatticeMethod, false, "", H::Lattice,
   KeyArgs::None, "the current value: not monotone", "", "*"},
  BudOperator{"contains?", K::LatticeMethod, 1, 1, C::LatticeMethod, true, "lset lpset lbag",
   H::Lattice, KeyArgs::None, "lset, lbag: morph", ""},
  BudOperator{"size", K::LatticeMethod, 0, 0, C::LatticeMethod, true, "lset lpset lbag lmap",
   H::Lattice, KeyArgs::None, "monotone (into lmax)", ""},
  BudOperator{"intersect", K::LatticeMethod, 1, 1, C::LatticeMethod, true,
   "lset lpset lbag lmap", H::Lattice, KeyArgs::None, "morph", ""},
  BudOperator{"product", K::LatticeMethod, 1, 1, C::LatticeMethod, true, "lset lpset lbag",
   H::Refused, KeyArgs::None, "monotone in calm's analysis; not a method of Bud 0.9.9's "
   "lattices (eqjoin without predicates is the product), so the evaluator refuses it", ""},
  BudOperator{"eqjoin", K::LatticeMethod, 1, -1, C::LatticeMethod, true, "lset lpset lbag",
   H::Lattice, KeyArgs::None, "lset: morph", ""},
  BudOperator{"filter", K::LatticeMethod, 0, 0, C::LatticeMethod, true,
   "lset lpset lbag lmap", H::Lattice, KeyArgs::None, "lmap: morph (the keys whose lbool is "
   "true); on the others monotone in calm's analysis, which Bud 0.9.9 does not define", ""},
  BudOperator{"project", K::LatticeMethod, 0, -1, C::LatticeMethod, true,
   "lset lpset lbag lmap", H::Refused, KeyArgs::None, "monotone in calm's analysis; not a "
   "method of Bud 0.9.9's lattices, so the evaluator refuses it", ""},
  BudOperator{"sum", K::LatticeMethod, 0, 0, C::LatticeMethod, true, "lset lpset lbag",
   H::Refused, KeyArgs::None, "monotone in calm's analysis; not a method of Bud 0.9.9's "
   "lattices (lpset has pos_sum), so the evaluator refuses it", ""},
  BudOperator{"multiplicity", K::LatticeMethod, 1, 1, C::LatticeMethod, true, "lset lpset lbag",
   H::Lattice, KeyArgs::None, "lbag: morph", ""},
  BudOperator{"group_count", K::LatticeMethod, 1, 1, C::LatticeMethod, true, "lset lpset",
   H::Lattice, KeyArgs::None, "lset: monotone", ""},
  BudOperator{"pos_sum", K::LatticeMethod, 0, 0, C::LatticeMethod, true, "lpset", H::Lattice,
   KeyArgs::None, "lpset: monotone", ""},
  BudOperator{"to_collection", K::LatticeMethod, 0, 0, C::LatticeMethod, true,
   "lset lpset lbag lmap", H::Lattice, KeyArgs::None, "lmap: morph", ""},
  BudOperator{"pro", K::LatticeMethod, 0, 0, C::LatticeMethod, false, "", H::Lattice,
   KeyArgs::None,
   "lset: morph in Bud 0.9; calm's analysis has called it non-monotone since the start "
   "(kept: changing it moves the oracle comparison; see docs/differences-from-bud.md)", "",
   "lset lpset"},
  BudOperator{"at", K::LatticeMethod, 1, -1, C::LatticeMethod, true, "lmap", H::Lattice,
   KeyArgs::None, "lmap: morph", ""},
  BudOperator{"key?", K::LatticeMethod, 1, 1, C::LatticeMethod, true, "lmap", H::Lattice,
   KeyArgs::None, "lmap: morph", ""},
  BudOperator{"key_set", K::LatticeMethod, 0, 0, C::LatticeMethod, true, "lmap", H::Lattice,
   KeyArgs::None, "lmap: morph", ""},
  BudOperator{"apply", K::LatticeMethod, 1, -1, C::LatticeMethod, true, "lmap", H::Lattice,
   KeyArgs::None, "lmap: monotone", ""},
  BudOperator{"apply_morph", K::LatticeMethod, 1, -1, C::LatticeMethod, true, "lmap", H::Lattice,
   KeyArgs::None, "lmap: morph", ""},
  BudOperator{"new", K::LatticeMethod, 0, 1, C::LatticeMethod, false, "", H::Lattice,
   KeyArgs::None, "a constructor (Bud::MaxLattice.new(3)), not a method of a lattice value",
   ""},
};
// clang-format on

}  // namespace

std::span<const BudOperator> bud_operators() { return kOperators; }

const BudOperator* find_bud_operator(std::string_view name, OperatorKind kind) {
  // The evaluator asks for every call it evaluates: the rows by name, built once.
  static const auto by_name = [] {
    std::unordered_map<std::string_view, std::vector<const BudOperator*>> m;
    for (const auto& op : kOperators) m[op.name].push_back(&op);
    return m;
  }();
  auto it = by_name.find(name);
  if (it == by_name.end()) return nullptr;
  for (const BudOperator* op : it->second)
    if (op->kind == kind) return op;
  return nullptr;
}

bool lattice_list_names(std::string_view list, std::string_view type) {
  if (list == "*") return lattice_list_names(kBuiltinLattices, type);
  while (!list.empty()) {
    size_t sp = list.find(' ');
    if (list.substr(0, sp) == type) return true;
    if (sp == std::string_view::npos) break;
    list.remove_prefix(sp + 1);
  }
  return false;
}

bool is_monotone_lattice_method(std::string_view lattice, std::string_view method) {
  const BudOperator* op = find_bud_operator(method, OperatorKind::LatticeMethod);
  return op && op->monotone && lattice_list_names(op->monotone_on, lattice);
}

bool lattice_has_method(std::string_view lattice, std::string_view method) {
  const BudOperator* op = find_bud_operator(method, OperatorKind::LatticeMethod);
  return op && (lattice_list_names(op->monotone_on, lattice) ||
                lattice_list_names(op->plain_on, lattice));
}

const char* to_string(EvalHandler h) {
  switch (h) {
    case EvalHandler::Refused:
      return "refused";
    case EvalHandler::Map:
      return "map";
    case EvalHandler::Select:
      return "select";
    case EvalHandler::Columns:
      return "columns";
    case EvalHandler::Rename:
      return "rename";
    case EvalHandler::Sort:
      return "sort";
    case EvalHandler::EachWithIndex:
      return "each_with_index";
    case EvalHandler::Join:
      return "join";
    case EvalHandler::Flatten:
      return "flatten";
    case EvalHandler::Join2011:
      return "join-2011";
    case EvalHandler::NotIn:
      return "notin";
    case EvalHandler::Group:
      return "group";
    case EvalHandler::ArgAgg:
      return "argagg";
    case EvalHandler::Reduce:
      return "reduce";
    case EvalHandler::Aggregate:
      return "aggregate";
    case EvalHandler::InBlock:
      return "in-block";
    case EvalHandler::Ruby:
      return "ruby";
    case EvalHandler::Lattice:
      return "lattice";
  }
  return "refused";
}

}  // namespace calm
