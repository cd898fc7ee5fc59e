# The replicated key-value store of calm_eval_bench run by the real Bud (../shared/bud): 3
# replicas of samples/kvs/kvs.rb's ReplicatedKVSNode ticked in this process, each member of
# the others, 20 puts per replica per timestep with distinct keys, channel messages
# delivered after 1-3 timesteps (a seeded draw) by bench/bud/network.rb. Times the
# timesteps after the first.
#
# usage: ruby bench/bud/kvs.rb PUTS   ->  "PUTS STEPS FACTS SECONDS"  (FACTS: kvs.kvstate, summed)
root = File.expand_path('../..', __dir__)
require File.join(root, 'tests/differential/bud_side')
require File.join(root, 'samples/kvs/kvs')
require File.join(__dir__, 'network')

puts_n = Integer(ARGV.fetch(0, '1000'))
addrs = %w[r1:7000 r2:7000 r3:7000]
nodes = addrs.map { |a| ReplicatedKVSNode.new(ip: a.split(':')[0], port: 7000) }
net = BenchNetwork.new(addrs)
steps = 1 + puts_n / 60 + 6
steps.times do |t|
  nodes.each_with_index do |b, i|
    net.deliver(b, i, t)
    if t == 0
      b.add_member <+ addrs.each_index.reject { |j| j == i }.map { |j| [addrs[j]] }
    else
      ps = (0...puts_n).select { |p| p % 3 == i && 1 + p / 60 == t }
      b.kvput <+ ps.map { |p| ['client', "k#{p}", p, 'v'] }
    end
    net.tick(b, i, t)
  end
end
facts = nodes.sum { |b| b.tables[:'kvs.kvstate'].length }
puts format('%d %d %d %.3f', puts_n, steps, facts, net.seconds)
