# Lesson: the delivery layer in the 2011 (CIDR paper) dialect: `def state`,
# `declare` + `def`, `join [a, b], [a.x, b.y]`, schemas as two lists of
# strings. The logic follows the paper's Figures 2 and 18, except that
# pipe_chan is declared in DeliveryProtocol (as in the current-dialect
# sample), and ReliableDelivery sends data on pipe_chan rather than a separate
# data_chan.
#
# BestEffortDelivery is monotone: no points of order.
# ReliableDelivery deletes a buffered message once its ack arrives. The
# deletion (<-) is non-monotonic and temporal, and it closes the cycle
#     send_buf -> pipe_chan ~> ack_chan -> (ack join) -> send_buf
# so the buffer and the channels form one temporal cluster. Messages entering
# from pipe_in or the retransmission timer cross a point of order.
# The local variable got_ack is a node of the graph (as `prev` is in the
# paper's Figure 10), so the cluster is {ack_chan, got_ack, pipe_chan,
# send_buf}.
require 'rubygems'
require 'bud'

module DeliveryProtocol
  def state
    interface input, :pipe_in, ['dst', 'src', 'ident'], ['payload']     # expect: underspecified pipe_in input
    interface output, :pipe_sent, ['dst', 'src', 'ident'], ['payload']  # expect: underspecified pipe_sent output
    channel :pipe_chan, ['@dst', 'src', 'ident'], ['payload']
  end
end

module BestEffortDelivery
  include DeliveryProtocol

  declare
  def snd
    pipe_chan <~ pipe_in
  end

  declare
  def done
    pipe_sent <= pipe_in
  end
end

module ReliableDelivery
  include DeliveryProtocol

  def state # expect: temporal-cluster ack_chan, got_ack, pipe_chan, send_buf
    table :send_buf, ['dst', 'src', 'ident'], ['payload']
    channel :ack_chan, ['@src', 'dst', 'ident']
    periodic :resend_timer, 10
  end

  declare
  def remember
    send_buf <= pipe_in   # expect: point-of-order pipe_in -> send_buf
    pipe_chan <~ pipe_in  # expect: point-of-order pipe_in -> pipe_chan
  end

  declare
  def resend
    pipe_chan <~ join([send_buf, resend_timer]).map { |b, t| b } # expect: point-of-order resend_timer -> pipe_chan
  end

  declare
  def acknowledge
    ack_chan <~ pipe_chan.map { |p| [p.src, p.dst, p.ident] }
  end

  declare
  def finish
    got_ack = join [ack_chan, send_buf], [ack_chan.ident, send_buf.ident]
    pipe_sent <= got_ack.map { |a, b| b }  # expect: point-of-order got_ack -> pipe_sent
    send_buf <- got_ack.map { |a, b| b }   # expect: point-of-order got_ack -> send_buf
  end
end
