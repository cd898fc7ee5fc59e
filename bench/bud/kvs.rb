# The replicated key-value store of calm_eval_bench run by the real Bud (../shared/bud): 3
# replicas of samples/kvs/kvs.rb's ReplicatedKVSNode ticked in this process, each member of
# the others, 20 puts per replica per timestep with distinct keys, channel messages delivered
# after 1-3 timesteps (a seeded draw) by tests/differential/bud_side.rb's replacement of
# BudChannel#flush. Times the timesteps after the first.
#
# usage: ruby bench/bud/kvs.rb PUTS   ->  "PUTS STEPS FACTS SECONDS"  (FACTS: kvs.kvstate, summed)
root = File.expand_path('../..', __dir__)
require File.join(root, 'tests/differential/bud_side')
require File.join(root, 'samples/kvs/kvs')

puts_n = Integer(ARGV.fetch(0, '1000'))
addrs = %w[r1:7000 r2:7000 r3:7000]
nodes = addrs.map { |a| ReplicatedKVSNode.new(ip: a.split(':')[0], port: 7000) }
rng = Random.new(42)
in_flight = Hash.new { |h, k| h[k] = [] }
steps = 1 + puts_n / 60 + 6
seconds = 0.0
steps.times do |t|
  nodes.each_with_index do |b, i|
    in_flight.delete([t, i])&.each do |coll, tuple|
      (b.inbound[coll.to_sym] ||= []) << tuple
    end
    if t == 0
      b.add_member <+ addrs.each_index.reject { |j| j == i }.map { |j| [addrs[j]] }
    else
      ps = (0...puts_n).select { |p| p % 3 == i && 1 + p / 60 == t }
      b.kvput <+ ps.map { |p| ['client', "k#{p}", p, 'v'] }
    end
    Differential.outbox = []
    t0 = Process.clock_gettime(Process::CLOCK_MONOTONIC)
    b.send(:tick_internal)
    seconds += Process.clock_gettime(Process::CLOCK_MONOTONIC) - t0 if t.positive?
    Differential.outbox.each do |_, coll, tuple, loopback|
      to = loopback ? i : addrs.index(tuple[b.tables[coll.to_sym].locspec_idx])
      next unless to

      in_flight[[t + (loopback ? 1 : 1 + rng.rand(3)), to]] << [coll, tuple]
    end
  end
end
facts = nodes.sum { |b| b.tables[:'kvs.kvstate'].length }
puts format('%d %d %d %.3f', puts_n, steps, facts, seconds)
