# The simulated network of the Bud benchmarks (bench/bud/kvs.rb, bench/bud/delivery.rb):
# Bud instances ticked in this process, their channel sends collected by
# tests/differential/bud_side.rb's replacement of BudChannel#flush and delivered into the
# receiver's inbound buffer after 1-3 timesteps (a seeded draw), or lost with probability
# `loss`; sends to oneself arrive at the next timestep and are never lost.
class BenchNetwork
  attr_reader :seconds  # time spent in the ticks after the first timestep

  def initialize(addrs, loss: 0.0, seed: 42)
    @addrs = addrs
    @loss = loss
    @rng = Random.new(seed)
    @in_flight = Hash.new { |h, k| h[k] = [] }
    @seconds = 0.0
  end

  # Puts what reaches node `i` at timestep `t` into its inbound buffer.
  def deliver(bud, i, t)
    @in_flight.delete([t, i])&.each do |coll, tuple|
      (bud.inbound[coll.to_sym] ||= []) << tuple
    end
  end

  # Ticks node `i` at timestep `t` (timed after the first) and routes what it sent.
  def tick(bud, i, t)
    Differential.outbox = []
    t0 = Process.clock_gettime(Process::CLOCK_MONOTONIC)
    bud.send(:tick_internal)
    @seconds += Process.clock_gettime(Process::CLOCK_MONOTONIC) - t0 if t.positive?
    Differential.outbox.each do |_, coll, tuple, loopback|
      to = loopback ? i : @addrs.index(tuple[bud.tables[coll.to_sym].locspec_idx])
      next unless to
      next if !loopback && @loss.positive? && @rng.rand < @loss

      @in_flight[[t + (loopback ? 1 : 1 + @rng.rand(3)), to]] << [coll, tuple]
    end
  end
end
