# Lesson: the paper's simple multicast (Figure 19) in the 2011 dialect, plus a
# StaticMembership module that fills the paper's members table.
#
# MulticastProtocol is an interface only: both interfaces are "??".
# SimpleMulticast joins send_mcast with members and hands one message per
# member to the delivery layer. Analyzed without a delivery implementation,
# pipe_in is written but never read and pipe_sent is read but never written.
# With BestEffortDelivery mixed in (module BestEffortMulticast) the program
# is complete and monotone: no points of order.
require 'rubygems'
require 'bud'
require_relative 'delivery_2011'

module MulticastProtocol
  def state
    table :members, ['peer']
    interface input, :send_mcast, ['ident'], ['payload']   # expect: underspecified send_mcast input
    interface output, :mcast_done, ['ident'], ['payload']  # expect: underspecified mcast_done output
  end
end

module SimpleMulticast
  include MulticastProtocol # expect: underspecified send_mcast input
  include DeliveryProtocol # expect: underspecified pipe_in input; underspecified pipe_sent output

  declare
  def snd_mcast
    pipe_in <= join([send_mcast, members]).map do |s, m|
      [m.peer, @local_addr, s.ident, s.payload]
    end
  end

  declare
  def done_mcast
    mcast_done <= pipe_sent.map { |p| [p.ident, p.payload] }
  end
end

module StaticMembership
  include MulticastProtocol # expect: underspecified send_mcast input; underspecified mcast_done output

  def state
    interface input, :add_member, ['peer']  # expect: underspecified add_member input
  end

  declare
  def join_group
    members <= add_member
  end
end

module BestEffortMulticast
  include SimpleMulticast
  include BestEffortDelivery
  include StaticMembership
end
