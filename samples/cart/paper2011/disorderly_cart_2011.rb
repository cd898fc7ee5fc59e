# Lesson: the paper's "disorderly" cart (Figures 14, 16, 17, 20) in the 2011
# dialect.
#
# Actions accumulate monotonically in cart_action, locally and at replicas
# via best-effort multicast, so shopping itself needs no coordination. The
# points of order come only at checkout: the group count (cart_action ->
# action_cnt), the "item was deleted" include? test (action_cnt -> status),
# and the accum that folds the cart into one response (status ->
# response_msg). There is no cycle and no temporal cluster, so the program
# needs coordination once per session, not once per action.
require 'rubygems'
require 'bud'
require_relative 'cart_protocol_2011'
require_relative '../../delivery/paper2011/delivery_2011'
require_relative '../../delivery/paper2011/multicast_2011'

module DisorderlyCart
  include CartProtocol

  def state
    table :cart_action, ['session', 'item', 'action', 'reqid']
    scratch :action_cnt, ['session', 'item', 'action'], ['cnt']
    scratch :status, ['client', 'server', 'session', 'item'], ['cnt']
  end

  declare
  def do_action
    cart_action <= action_msg.map do |c|
      [c.session, c.item, c.action, c.reqid]
    end
    action_cnt <= cart_action.group( # expect: point-of-order cart_action -> action_cnt
      [cart_action.session, cart_action.item, cart_action.action],
      count(cart_action.reqid))
  end

  declare
  def do_checkout
    status <= join([action_cnt, checkout_msg], [action_cnt.session, checkout_msg.session]).map do |a, c| # expect: point-of-order action_cnt -> status
      if a.action == 'A' and not action_cnt.map { |d| [d.session, d.item] if d.action == 'D' }.include? [a.session, a.item]
        [c.client, c.server, a.session, a.item, a.cnt]
      end
    end

    status <= join([action_cnt, action_cnt, checkout_msg]).map do |a1, a2, c|
      if a1.session == a2.session and a1.item == a2.item and
         a1.session == c.session and
         a1.action == 'A' and a2.action == 'D' and a1.cnt > a2.cnt
        [c.client, c.server, c.session, a1.item, a1.cnt - a2.cnt]
      end
    end

    response_msg <~ status.group( # expect: point-of-order status -> response_msg
      [status.client, status.server, status.session],
      accum(status.item))
  end
end

# Figure 20, completed with a member list and a client so that every
# interface is connected.
class ReplicatedDisorderlyCart < Bud
  include DisorderlyCart
  include SimpleMulticast
  include BestEffortDelivery
  include StaticMembership
  include CartClient

  declare
  def replicate
    send_mcast <= action_msg.map do |a|
      [a.reqid, [a.session, a.item, a.action, a.reqid]]
    end
    cart_action <= pipe_chan.map { |c| c.payload }
  end
end
