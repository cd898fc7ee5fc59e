# The transitive closure of calm_eval_bench run by the real Bud (../shared/bud): the same
# graph as bench/ruby/closure.rb (splitmix64, seed 42), the same two rules, all links given
# in one timestep (after Bud's first, empty timestep). Times that one timestep.
#
# usage: ruby bench/bud/closure.rb EDGES   ->  "EDGES PATHS SECONDS"
require 'bud'
require 'set'
require_relative '../ruby/graph'

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

edges = Integer(ARGV.fetch(0, '1000'))
links = calm_bench_graph(edges)

b = BudClosure.new
b.send(:tick_internal)
b.link <+ links
t0 = Process.clock_gettime(Process::CLOCK_MONOTONIC)
b.send(:tick_internal)
seconds = Process.clock_gettime(Process::CLOCK_MONOTONIC) - t0
puts format('%d %d %.3f', edges, b.path.length, seconds)
