# The reliable-delivery workload of calm_eval_bench run by the real Bud (../shared/bud): a
# sender and a receiver running samples/delivery/delivery.rb's ReliableDelivery, ticked in
# this process; 50 messages enter the sender's pipe_in per timestep; channel messages are
# lost with probability 0.2 and otherwise delivered after 1-3 timesteps (a seeded draw) by
# bench/bud/network.rb; the periodic resend timer (every 2 s) fires at every second
# timestep, as calm's simulated clock of one second per timestep fires it. Times the
# timesteps after the first.
#
# usage: ruby bench/bud/delivery.rb MESSAGES  ->  "MESSAGES STEPS FACTS SECONDS"
#   (FACTS: the sender's send_buf at the end: 0 once every message was acknowledged)
root = File.expand_path('../..', __dir__)
require File.join(root, 'tests/differential/bud_side')
require File.join(root, 'samples/delivery/delivery')
require File.join(__dir__, 'network')

class BenchReliableDelivery
  include Bud
  include ReliableDelivery
end

messages = Integer(ARGV.fetch(0, '1000'))
addrs = %w[sender:7000 receiver:7000]
nodes = addrs.map { |a| BenchReliableDelivery.new(ip: a.split(':')[0], port: 7000) }
net = BenchNetwork.new(addrs, loss: 0.2)
steps = messages / 50 + 40
firings = 0
steps.times do |t|
  firings += 1 if t.positive? && t.even?
  nodes.each_with_index do |b, i|
    net.deliver(b, i, t)
    if i.zero?
      ms = (0...messages).select { |m| m / 50 == t }
      b.pipe_in <+ ms.map { |m| [addrs[1], addrs[0], m, 'payload'] }
    end
    (b.inbound[:resend_timer] ||= []) << [firings, t] if t.positive? && t.even? # as Bud's timer does
    net.tick(b, i, t)
  end
end
facts = nodes[0].tables[:send_buf].length
puts format('%d %d %d %.3f', messages, steps, facts, net.seconds)
