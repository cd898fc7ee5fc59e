# Helper for the delivery and multicast scenarios (samples/delivery/*.scenario.json),
# not a lesson of its own: it exists so that a scenario can check, after the fact,
# what a node received and what its delivery layer reported as sent.
#
# pipe_chan and pipe_sent are ephemeral (a channel and an output interface), so
# DeliveryLog copies them into tables: delivered keeps every message that arrived
# at this node, acked every message the delivery layer reported as sent (for
# ReliableDelivery: acknowledged). Mixed with a delivery module it adds no point
# of order: both rules are plain copies.
require 'rubygems'
require 'bud'
require_relative 'delivery'

module DeliveryLog
  include DeliveryProtocol # expect: underspecified pipe_in input; underspecified pipe_sent output

  state do
    table :delivered, [:dst, :src, :ident] => [:payload]
    table :acked, [:dst, :src, :ident] => [:payload]
  end

  bloom :log do
    delivered <= pipe_chan
    acked <= pipe_sent
  end
end
