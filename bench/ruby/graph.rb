# The random graph of calm_eval_bench (bench/eval_bench.cpp, random_graph), for the Ruby
# and Bud benchmarks: components of 20 nodes, edges drawn with splitmix64 from seed 42,
# no self-loops or repeats. The same edges in the same order as the C++ generator.
require 'set'

def calm_bench_graph(edges)
  mask = (1 << 64) - 1
  state = 42
  rng = lambda do
    state = (state + 0x9e3779b97f4a7c15) & mask
    z = state
    z = ((z ^ (z >> 30)) * 0xbf58476d1ce4e5b9) & mask
    z = ((z ^ (z >> 27)) * 0x94d049bb133111eb) & mask
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
  links
end
