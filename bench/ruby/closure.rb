# The transitive closure of calm_eval_bench written directly in Ruby: the same graph
# (splitmix64, seed 42), the same semi-naive evaluation with a hash index on link.to,
# and Set membership for paths. Bud runs this program through its own dataflow
# (tuple structs, push elements, per-tuple key checks), which does more work per fact
# than this loop does, so this time is a floor for what Bud can reach in the same Ruby.
#
# usage: ruby bench/ruby/closure.rb EDGES   ->  "EDGES PATHS SECONDS"
require 'set'
require_relative 'graph'

edges = Integer(ARGV.fetch(0, '1000'))
links = calm_bench_graph(edges)

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
