# Lesson: the "disorderly" shopping cart (CIDR 2011, Figures 14, 16, 17 and 20)
# in the current Bud dialect.
#
# Cart actions are only ever added to a set (cart_action). Adding is
# monotone, so actions and their replication via multicast cross no point of
# order and converge without coordination. The cart is summarized only at
# checkout:
#   * cart_action -> action_cnt   counting with group: non-monotonic
#   * deleted -> kept              "added and never deleted" with notin: non-monotonic
#   * status -> response_msg       folding the cart into one message with accum: non-monotonic
# There is no cycle, so no temporal cluster. All the points of order sit at
# the end of the dataflow, so the program needs coordination once per session
# (at checkout, to know that no more actions are on the way), not once per
# action as the destructive cart does.
require 'rubygems'
require 'bud'
require_relative 'cart_protocol'
require_relative '../delivery/delivery'
require_relative '../delivery/multicast'

module DisorderlyCart
  include CartProtocol

  state do
    table :cart_action, [:session, :reqid] => [:item, :action]
    scratch :action_cnt, [:session, :item, :action] => [:cnt]
    scratch :added, [:session, :item] => [:cnt]
    scratch :deleted, [:session, :item] => [:cnt]
    scratch :kept, [:session, :item] => [:cnt]
    scratch :status, [:client, :server, :session, :item] => [:cnt]
  end

  bloom :saved do
    cart_action <= action_msg { |a| [a.session, a.reqid, a.item, a.action] }
    action_cnt <= cart_action.group([:session, :item, :action], count(:reqid)) # expect: point-of-order cart_action -> action_cnt
  end

  bloom :consider do
    added <= action_cnt { |c| [c.session, c.item, c.cnt] if c.action == "A" }
    deleted <= action_cnt { |c| [c.session, c.item, c.cnt] if c.action == "D" }
    kept <= added.notin(deleted, :session => :session, :item => :item) # expect: point-of-order deleted -> kept

    # Items never deleted keep their add count.
    status <= (kept * checkout_msg).pairs(:session => :session) do |k, c|
      [c.client, c.server, k.session, k.item, k.cnt]
    end
    # Items both added and deleted keep the difference, if positive.
    status <= (added * deleted * checkout_msg).combos(added.session => deleted.session,
                                                      added.item => deleted.item,
                                                      deleted.session => checkout_msg.session) do |a, d, c|
      [c.client, c.server, a.session, a.item, a.cnt - d.cnt] if a.cnt > d.cnt
    end

    response_msg <~ status.group([:client, :server, :session], accum_pair(:item, :cnt)) # expect: point-of-order status -> response_msg
  end
end

# Replication (Figure 20): every action a client sends is multicast to the
# other replicas, and an action received from a replica is added to the local
# set. Both rules are monotone.
module ReplicatedDisorderlyCart
  include DisorderlyCart
  include MulticastProtocol # expect: underspecified send_mcast input; underspecified mcast_done output
  include DeliveryProtocol  # expect: underspecified pipe_in input; underspecified pipe_sent output

  bloom :replicate do
    send_mcast <= action_msg { |a| [a.reqid, [a.session, a.reqid, a.item, a.action]] }
    cart_action <= pipe_chan { |c| c.payload }
  end
end

# The complete program of Figure 17: replicated disorderly cart, multicast
# over best-effort delivery, static membership, and a client. It has the same
# three points of order as DisorderlyCart and no temporal cluster.
class DisorderlyCartServer
  include Bud
  include ReplicatedDisorderlyCart
  include SimpleMulticast
  include BestEffortDelivery
  include StaticMembership
  include CartClient
end
