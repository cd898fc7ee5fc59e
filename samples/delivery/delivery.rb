# Lesson: point-to-point delivery, the layer under multicast, the replicated
# KVS and the replicated carts (current Bud dialect).
#
# DeliveryProtocol is an interface only. Analyzed alone nothing connects
# pipe_in to pipe_sent, so the diagram shows the "??" node for both.
#
# BestEffortDelivery copies pipe_in into the channel and straight into
# pipe_sent. Every rule is monotone: no points of order, no coordination.
#
# ReliableDelivery keeps each message in send_buf until its ack arrives and
# then deletes it (<-). That deletion is non-monotonic and temporal, and the
# buffer, the two channels and the ack join form one cycle
#     send_buf -> pipe_chan ~> ack_chan -> got_ack -> send_buf
# so they collapse into a temporal cluster. Every edge into or out of the
# cluster is a point of order. In CALM terms, "has this message been
# acknowledged yet?" asks about the absence of an ack, and answering it means
# waiting (here, a retransmission timer). The reliability comes from that
# coordination.
require 'rubygems'
require 'bud'

module DeliveryProtocol
  state do
    interface input, :pipe_in, [:dst, :src, :ident] => [:payload]     # expect: underspecified pipe_in input
    interface output, :pipe_sent, [:dst, :src, :ident] => [:payload]  # expect: underspecified pipe_sent output
    channel :pipe_chan, [:@dst, :src, :ident] => [:payload]
  end
end

module BestEffortDelivery
  include DeliveryProtocol

  bloom :snd do
    pipe_chan <~ pipe_in
  end

  bloom :done do
    # Best effort: report success as soon as the message is handed to the
    # network.
    pipe_sent <= pipe_in
  end
end

module ReliableDelivery
  include DeliveryProtocol

  state do # expect: temporal-cluster ack_chan, got_ack, pipe_chan, send_buf
    table :send_buf, [:dst, :src, :ident] => [:payload]
    channel :ack_chan, [:@src, :dst, :ident]
    periodic :resend_timer, 2
  end

  bloom :remember do
    send_buf <= pipe_in   # expect: point-of-order pipe_in -> send_buf
    pipe_chan <~ pipe_in  # expect: point-of-order pipe_in -> pipe_chan
  end

  bloom :resend do
    # Until acknowledged, a buffered message goes out again on every tick of
    # the timer.
    pipe_chan <~ (send_buf * resend_timer).lefts # expect: point-of-order resend_timer -> pipe_chan
  end

  bloom :acknowledge do
    # The receiver acks every copy it sees.
    ack_chan <~ pipe_chan { |p| [p.src, p.dst, p.ident] }
  end

  bloom :finish do
    temp :got_ack <= (ack_chan * send_buf).rights(:src => :src, :dst => :dst, :ident => :ident)
    pipe_sent <= got_ack  # expect: point-of-order got_ack -> pipe_sent
    send_buf <- got_ack   # expect: point-of-order got_ack -> send_buf
  end
end
