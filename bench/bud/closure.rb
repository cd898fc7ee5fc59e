# The transitive closure of calm_eval_bench run by the real Bud (../shared/bud): the same
# graph as bench/ruby/closure.rb (splitmix64, seed 42), the same two rules, all links given
# in one timestep (after Bud's first, empty timestep). Times that one timestep.
#
# usage: ruby bench/bud/closure.rb EDGES   ->  "EDGES PATHS SECONDS"
require 'bud'
require 'set'

class BudClosure
  include Bud
  state do
    table :link, [:from, :to]
    table :path, [:from, :to]
  end
  bloom do
    path <= link
    path <= (link * path).pairs(:to => :from) { |l, p| [l.from, p.to] }
  end
end

MASK = (1 << 64) - 1
edges = Integer(ARGV.fetch(0, '1000'))
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

b = BudClosure.new
b.send(:tick_internal)
b.link <+ links
t0 = Process.clock_gettime(Process::CLOCK_MONOTONIC)
b.send(:tick_internal)
seconds = Process.clock_gettime(Process::CLOCK_MONOTONIC) - t0
puts format('%d %d %.3f', edges, b.path.length, seconds)
