# Lesson: the paper's "destructive" cart (Figure 13) in the 2011 dialect, run
# on the replicated key-value store (Figure 15).
#
# The cart code has one syntactic point of order, the "no cart yet for this
# session" test (kvget_response ... include?), which is a negation. On its own
# it leaves the abstract store unconnected ("??"). Composed with
# ReplicatedKVS, the store's overwrite (a deletion) and the cart's
# read-modify-write loop through kvget_response form one large temporal
# cluster, so every cart action has to be coordinated across replicas. The
# composed class has no inline expectation because the cluster contains both
# kvput interfaces (ReplicatedKVS's override and the KVSProtocol one it
# overrides), and how the analyzer names the overridden one is not settled.
# The current-dialect cart/destructive_cart.rb pins the cluster down.
require 'rubygems'
require 'bud'
require_relative 'cart_protocol_2011'
require_relative '../../kvs/paper2011/kvs_2011'
require_relative '../../delivery/paper2011/delivery_2011'
require_relative '../../delivery/paper2011/multicast_2011'

module DestructiveCart
  include CartProtocol
  include KVSProtocol # expect: underspecified kvput input; underspecified kvget input; underspecified kvget_response output

  declare
  def do_action
    kvget <= action_msg.map { |a| [a.reqid, a.session] }

    kvput <= action_msg.map do |a| # expect: point-of-order kvget_response -> kvput
      if a.action == 'A'
        unless kvget_response.map { |b| b.key }.include? a.session
          [@local_addr, a.session, a.reqid, [a.item]]
        end
      end
    end

    old_state = join [kvget_response, action_msg], [kvget_response.key, action_msg.session]
    kvput <= old_state.map do |b, a|
      if a.action == 'A'
        [@local_addr, a.session, a.reqid, b.value + [a.item]]
      elsif a.action == 'D'
        [@local_addr, a.session, a.reqid, delete_one(b.value, a.item)]
      end
    end
  end

  declare
  def do_checkout
    kvget <= checkout_msg.map { |c| [c.reqid, c.session] }
    lookup = join [kvget_response, checkout_msg], [kvget_response.key, checkout_msg.session]
    response_msg <~ lookup.map do |r, c|
      [c.client, c.server, c.session, r.value]
    end
  end

  # Not a Bloom method (no `declare`): a plain Ruby helper.
  def delete_one(items, item)
    i = items.index(item)
    i.nil? ? items : items.take(i) + items.drop(i + 1)
  end
end

class DestructiveCartServer < Bud
  include DestructiveCart
  include ReplicatedKVS
  include SimpleMulticast
  include BestEffortDelivery
  include StaticMembership
  include CartClient
end
