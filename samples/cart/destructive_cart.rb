# Lesson: the "destructive" shopping cart (CIDR 2011, Figures 13 and 15) in
# the current Bud dialect.
#
# Each cart is a value in a key-value store, rewritten on every add or delete.
# The cart code itself has one syntactic point of order: the test "is there
# already a cart for this session?" (kvget_response.exists?) is a negation.
# Analyzed alone it also shows the abstract store as "??": kvput and kvget
# lead nowhere and nothing writes kvget_response.
#
# Composed with the replicated KVS (DestructiveCartServer), the store's own
# non-monotonic overwrite shows up again. The loop
#     kvget_response -> kvput -> send_mcast -> pipe_in -> ... -> kvs.kvput
#       -> kvs.kvstate -> kvs.getj -> kvs.kvget_response -> kvget_response
# contains negation, deletion and next-tick edges, so the whole store,
# multicast and cart update path becomes one large temporal cluster, entered
# from action_msg and members (Figure 15). Making this consistent needs
# coordination on every cart action: each update must be ordered across all
# replicas.
require 'rubygems'
require 'bud'
require_relative 'cart_protocol'
require_relative '../kvs/kvs'
require_relative '../delivery/delivery'
require_relative '../delivery/multicast'

module DestructiveCart
  include CartProtocol
  include KVSProtocol # expect: underspecified kvput input; underspecified kvget input; underspecified kvget_response output

  bloom :on_action do
    kvget <= action_msg { |a| [a.reqid, a.session] }

    # First action of a session: create the cart.
    kvput <= action_msg do |a| # expect: point-of-order kvget_response -> kvput
      if a.action == "A" and not kvget_response.exists? { |r| r.key == a.session }
        [ip_port, a.session, a.reqid, [a.item]]
      end
    end

    # Later actions: replace the stored cart with an updated copy.
    temp :old_state <= (kvget_response * action_msg).pairs(:key => :session)
    kvput <= old_state do |r, a|
      if a.action == "A"
        [ip_port, a.session, a.reqid, r.value + [a.item]]
      elsif a.action == "D"
        [ip_port, a.session, a.reqid, delete_one(r.value, a.item)]
      end
    end
  end

  bloom :on_checkout do
    kvget <= checkout_msg { |c| [c.reqid, c.session] }
    temp :lookup <= (kvget_response * checkout_msg).pairs(:key => :session)
    response_msg <~ lookup { |r, c| [c.client, c.server, c.session, r.value] }
  end

  # Plain Ruby helper, not Bloom: remove one occurrence of item.
  def delete_one(items, item)
    i = items.index(item)
    i.nil? ? items : items.take(i) + items.drop(i + 1)
  end
end

# The complete destructive-cart program of Figure 15: cart server, replicated
# store, multicast over best-effort delivery, static membership, and a client.
class DestructiveCartServer
  include Bud
  include DestructiveCart # expect: temporal-cluster kvget_response, kvput, kvs.getj, kvs.kvget_response, kvs.kvput, kvs.kvstate, kvs.prev, mcast_done, old_state, pipe_chan, pipe_in, pipe_sent, send_mcast
  include ReplicatedKVS
  include SimpleMulticast
  include BestEffortDelivery
  include StaticMembership
  include CartClient
end
