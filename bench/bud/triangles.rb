# The 3-way join workload of calm_eval_bench run by the real Bud (../shared/bud): the same
# graph as bench/bud/closure.rb (splitmix64, seed 42) in three tables, the same two rules
# (a 3-way join closed into triangles by the block, and a count per first node), all edges
# given in one timestep after Bud's first, empty one. Times that one timestep.
#
# usage: ruby bench/bud/triangles.rb EDGES   ->  "EDGES TRIANGLES SECONDS"
require 'bud'
require 'set'
require_relative '../ruby/graph'

class BudTriangles
  include Bud
  state do
    table :e1, [:from, :to]
    table :e2, [:from, :to]
    table :e3, [:from, :to]
    table :tri, [:a, :b, :c]
    table :tri_count, [:a] => [:n]
  end
  bloom do
    tri <= (e1 * e2 * e3).combos(e1.to => e2.from, e2.to => e3.from) { |x, y, z| [x.from, y.from, z.from] if z.to == x.from }
    tri_count <= tri.group([:a], count)
  end
end

edges = Integer(ARGV.fetch(0, '10000'))
links = calm_bench_graph(edges)

b = BudTriangles.new
b.send(:tick_internal)
b.e1 <+ links
b.e2 <+ links
b.e3 <+ links
t0 = Process.clock_gettime(Process::CLOCK_MONOTONIC)
b.send(:tick_internal)
seconds = Process.clock_gettime(Process::CLOCK_MONOTONIC) - t0
puts format('%d %d %.3f', edges, b.tri.length, seconds)
