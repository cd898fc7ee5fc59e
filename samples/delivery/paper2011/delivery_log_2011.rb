# Helper for the 2011-dialect delivery scenarios (samples/delivery/paper2011/
# *.scenario.json), not a lesson of its own: the 2011 twin of
# ../delivery_log.rb. pipe_chan and pipe_sent are ephemeral, so DeliveryLog
# copies them into tables: delivered keeps every message that arrived at this
# node, acked every message the delivery layer reported as sent.
require 'rubygems'
require 'bud'
require_relative 'delivery_2011'

module DeliveryLog
  include DeliveryProtocol # expect: underspecified pipe_in input; underspecified pipe_sent output

  def state
    table :delivered, ['dst', 'src', 'ident'], ['payload']
    table :acked, ['dst', 'src', 'ident'], ['payload']
  end

  declare
  def log
    delivered <= pipe_chan
    acked <= pipe_sent
  end
end
