# Lesson: shortest paths without points of order, using lattices.
#
# Each path's cost is an lmin lattice (it can only go down), and extending a
# path adds the link cost (lmin + n is monotone). best merges every path's cost
# per (from, to) pair in an lmap whose values are lmin lattices, so the map
# only ever shrinks costs and adds keys. No aggregation over a set, no
# negation, no deletion: the program is monotone and a late link can only
# improve an answer, never contradict it. Compare aggregate_shortest_paths.rb.
require 'rubygems'
require 'bud'

module LatticeShortestPaths
  state do
    table :link, [:from, :to] => [:cost]
    table :path, [:from, :to, :next_hop] => [:cost]
    lmap :best
  end

  bloom :paths do
    path <= link { |l| [l.from, l.to, l.to, Bud::MinLattice.new(l.cost)] }
    path <= (link * path).pairs(:to => :from) do |l, p|
      [l.from, p.to, l.to, p.cost + l.cost]
    end
  end

  bloom :summary do
    best <= path { |p| {[p.from, p.to] => p.cost} }
  end
end
