# Lesson: the key-value store case study in the 2011 dialect of the CIDR paper
# (Figures 4-7): `def state`, `declare` + `def`, `join [a, b], [a.x, b.y]`,
# and local variables bound to joins.
#
# KVSProtocol (Figure 4) has no rules, so the analysis shows "??" for all
# three interfaces (Figure 9).
#
# BasicKVS (Figure 5) overwrites a key by inserting the new pair next tick
# (<+) and deleting the old one (<-) found by the join bound to `prev`. The
# deletion makes kvstate and prev a temporal cluster (Figure 10). Each put crosses a point of order on its way in, and the
# value a get returns depends on the order the puts arrived in.
#
# ReplicatedKVS (Figure 6) re-declares the kvput input interface to intercept
# client puts. Rules that read kvput see the local interface, and rules that
# write kvput feed the one in BasicKVS. The members.include? test is a
# negation, and so a point of order.
#
# RealizedReplicatedKVS (Figure 7) is the runnable program.
#
# A local variable bound to a join (prev, getj) is a node of the graph named
# after the variable, as in the paper's Figure 10, so BasicKVS's temporal
# cluster is {kvstate, prev}. No inline expectation names kvput in
# ReplicatedKVS, because the overridden interface and the one it overrides
# share that name.
require 'rubygems'
require 'bud'
require_relative '../../delivery/paper2011/delivery_2011'
require_relative '../../delivery/paper2011/multicast_2011'

module KVSProtocol
  def state
    interface input, :kvput, ['client', 'key', 'reqid'], ['value']      # expect: underspecified kvput input
    interface input, :kvget, ['reqid'], ['key']                         # expect: underspecified kvget input
    interface output, :kvget_response, ['reqid'], ['key', 'value']      # expect: underspecified kvget_response output
  end
end

module BasicKVS
  include KVSProtocol

  def state # expect: temporal-cluster kvstate, prev
    table :kvstate, ['key'], ['value']
  end

  declare
  def do_put
    kvstate <+ kvput.map { |p| [p.key, p.value] } # expect: point-of-order kvput -> kvstate
    prev = join [kvstate, kvput], [kvstate.key, kvput.key] # expect: point-of-order kvput -> prev
    kvstate <- prev.map { |b, p| b }                       # expect: point-of-order prev -> kvstate
  end

  declare
  def do_get
    getj = join [kvget, kvstate], [kvget.key, kvstate.key] # expect: point-of-order kvstate -> getj
    kvget_response <= getj.map do |g, t|
      [g.reqid, t.key, t.value]
    end
  end
end

module ReplicatedKVS
  include BasicKVS           # expect: temporal-cluster kvstate, prev
  include MulticastProtocol  # expect: underspecified send_mcast input; underspecified mcast_done output
  include DeliveryProtocol   # expect: underspecified pipe_in input; underspecified pipe_sent output

  def state
    interface input, :kvput, ['client', 'key', 'reqid'], ['value']
  end

  declare
  def replicate
    send_mcast <= kvput.map do |k| # expect: point-of-order members -> send_mcast
      unless members.include? [k.client]
        [k.reqid, [@local_addr, k.key, k.reqid, k.value]]
      end
    end
  end

  declare
  def apply_put
    kvput <= mcast_done.map { |m| m.payload }

    kvput <= pipe_chan.map do |d|
      if d.payload.fetch(0) != @local_addr
        d.payload
      end
    end
  end
end

class RealizedReplicatedKVS < Bud
  include ReplicatedKVS      # expect: temporal-cluster kvstate, prev
  include SimpleMulticast
  include BestEffortDelivery
  include StaticMembership
end
