# The 3-way join workload of calm_eval_bench run by the real Bud (../shared/bud): the same
# graph as bench/bud/closure.rb (splitmix64, seed 42) in three tables, the same two rules
# (a 3-way join closed into triangles by the block, and a count per first node), all edges
# given in one timestep after Bud's first, empty one. Times that one timestep.
#
# usage: ruby bench/bud/triangles.rb EDGES   ->  "EDGES TRIANGLES SECONDS"
require 'bud'
require 'set'

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

MASK = (1 << 64) - 1
edges = Integer(ARGV.fetch(0, '10000'))
state = 42
rng = lambda do
  state = (state + 0x9e3779b97f4a7c15) & MASK
  z = state
  z = ((z ^ (z >> 30)) * 0xbf58476d1ce4e5b9) & MASK
  z = ((z ^ (z >> 27)) * 0x94d049bb133111eb) & MASK
  z ^ (z >> 31)
end
comp = 20
components = [1, edges / 40].max
seen = Set.new
links = []
while links.size < edges
  c = rng.call % components
  a = c * comp + rng.call % comp
  b = c * comp + rng.call % comp
  next if a == b || !seen.add?([a, b])
  links << [a, b]
end

b = BudTriangles.new
b.send(:tick_internal)
b.e1 <+ links
b.e2 <+ links
b.e3 <+ links
t0 = Process.clock_gettime(Process::CLOCK_MONOTONIC)
b.send(:tick_internal)
seconds = Process.clock_gettime(Process::CLOCK_MONOTONIC) - t0
puts format('%d %d %.3f', edges, b.tri.length, seconds)
