# The transitive closure of calm_eval_bench written directly in Ruby: the same graph
# (splitmix64, seed 42), the same semi-naive evaluation with a hash index on link.to,
# and Set membership for paths. Bud runs this program through its own dataflow
# (tuple structs, push elements, per-tuple key checks), which does more work per fact
# than this loop does, so this time is a floor for what Bud can reach in the same Ruby.
#
# usage: ruby bench/ruby/closure.rb EDGES   ->  "EDGES PATHS SECONDS"
require 'set'

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

t0 = Process.clock_gettime(Process::CLOCK_MONOTONIC)
# path <= link; path <= (link * path).pairs(:to => :from) { |l, p| [l.from, p.to] }
by_to = Hash.new { |h, k| h[k] = [] }
links.each { |from, to| by_to[to] << from }
path = Set.new(links)
delta = links
until delta.empty?
  fresh = []
  delta.each do |from, to|
    froms = by_to.fetch(from, nil) or next
    froms.each do |f|
      t = [f, to]
      fresh << t if path.add?(t)
    end
  end
  delta = fresh
end
seconds = Process.clock_gettime(Process::CLOCK_MONOTONIC) - t0
puts format('%d %d %.3f', edges, path.size, seconds)
