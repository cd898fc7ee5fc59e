# Helper for the shortest-paths scenario (lattice_shortest_paths.scenario.json),
# not a lesson of its own: a scenario can only compare plain values, so
# LatticeDistances reads the lmin costs out of LatticeShortestPaths' lmap best
# into an ordinary scratch, dist [from, to] => cost, once per timestep.
# reveal leaves the lattice world (it is not a monotone lattice method), so this
# observation is a point of order; the program it observes has none. It reveals
# the whole map on purpose: with best.to_collection (a morphism) dist would sit
# in best's stratum and see the costs before the fixpoint lowered them, and two
# costs of one pair would be a key conflict.
require 'rubygems'
require 'bud'
require_relative 'lattice_shortest_paths'

module LatticeDistances
  include LatticeShortestPaths

  state do
    scratch :dist, [:from, :to] => [:cost]
  end

  bloom :observe do
    dist <= best.reveal.to_a.map { |k, v| [k[0], k[1], v.reveal] }  # expect: point-of-order best -> dist
  end
end
