# Lesson: the key-value store case study (CIDR 2011, Section 4) in the current
# Bud dialect.
#
# KVSProtocol is only an interface. No rule links the inputs to the output, so
# every interface is underspecified (the "??" diamond of Figure 9).
#
# BasicKVS overwrites a key the way the paper does: it inserts the new pair
# next tick (<+) and deletes the old pair found by a join (<-). kvstate and
# the join result prev depend on each other through a deletion, which is both
# non-monotonic and temporal, so they collapse into a temporal cluster
# (Figure 10). Every put enters the cluster across a point of order, and every
# get reads state that came out of it. The final value of a key depends on the
# order the puts arrive in, and only coordination (ordering the puts) makes
# replicas agree.
#
# UpsertKVS does the same with the upsert operator <+-. The graph is smaller
# (no cycle, no cluster), but the upsert edge kvput -> kvstate is still
# non-monotonic, and that is the same point of order.
#
# ReplicatedKVS (Figures 6 and 7) imports a BasicKVS as `kvs` and multicasts
# puts to the other replicas. The imported store keeps its temporal cluster
# (kvs.kvstate, kvs.prev), and the check "is the sender one of the replicas?"
# (members.include?) adds a negation point of order on the way in.
require 'rubygems'
require 'bud'
require_relative '../delivery/delivery'
require_relative '../delivery/multicast'

module KVSProtocol
  state do
    interface input, :kvput, [:client, :key, :reqid] => [:value]      # expect: underspecified kvput input
    interface input, :kvget, [:reqid] => [:key]                       # expect: underspecified kvget input
    interface output, :kvget_response, [:reqid] => [:key, :value]     # expect: underspecified kvget_response output
  end
end

module BasicKVS
  include KVSProtocol

  state do # expect: temporal-cluster kvstate, prev
    table :kvstate, [:key] => [:value]
  end

  bloom :do_put do
    kvstate <+ kvput { |p| [p.key, p.value] }             # expect: point-of-order kvput -> kvstate
    temp :prev <= (kvstate * kvput).lefts(:key => :key)   # expect: point-of-order kvput -> prev
    kvstate <- prev                                       # expect: point-of-order prev -> kvstate
  end

  bloom :do_get do
    temp :getj <= (kvget * kvstate).pairs(:key => :key)   # expect: point-of-order kvstate -> getj
    kvget_response <= getj { |g, t| [g.reqid, t.key, t.value] }
  end
end

module UpsertKVS
  include KVSProtocol

  state do
    table :kvstate, [:key] => [:value]
  end

  bloom :do_put do
    kvstate <+- kvput { |p| [p.key, p.value] }            # expect: point-of-order kvput -> kvstate
  end

  bloom :do_get do
    temp :getj <= (kvget * kvstate).pairs(:key => :key)
    kvget_response <= getj { |g, t| [g.reqid, t.key, t.value] }
  end
end

module ReplicatedKVS
  include KVSProtocol        # expect: underspecified kvput input
  include MulticastProtocol  # expect: underspecified send_mcast input; underspecified mcast_done output
  include MembershipProtocol
  include DeliveryProtocol   # expect: underspecified pipe_in input; underspecified pipe_sent output
  import BasicKVS => :kvs    # expect: temporal-cluster kvs.kvstate, kvs.prev

  bloom :route_gets do
    kvs.kvget <= kvget
    kvget_response <= kvs.kvget_response
  end

  bloom :replicate do
    # A put from a client (not from a replica) is multicast to the replicas.
    send_mcast <= kvput do |k| # expect: point-of-order members -> send_mcast
      unless members.include?([k.client])
        [k.reqid, [ip_port, k.key, k.reqid, k.value]]
      end
    end
  end

  bloom :apply_put do
    # At the origin: apply once the multicast is done.
    kvs.kvput <= mcast_done { |m| m.payload }
    # At a replica: apply what another replica sent.
    kvs.kvput <= pipe_chan do |c|
      c.payload unless c.payload[0] == ip_port
    end
  end
end

# The complete program of Figure 7: replicated store, multicast over
# best-effort delivery, and a static member list. The only temporal cluster is
# the imported store's. The multicast path adds no cycle.
class ReplicatedKVSNode
  include Bud
  include ReplicatedKVS      # expect: temporal-cluster kvs.kvstate, kvs.prev
  include SimpleMulticast
  include BestEffortDelivery
  include StaticMembership
end
