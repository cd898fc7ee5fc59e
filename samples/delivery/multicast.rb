# Lesson: multicast built out of unicast delivery plus a membership table
# (current Bud dialect).
#
# MulticastProtocol is an interface only, so both of its interfaces are
# underspecified ("??").
# SimpleMulticast sends one pipe_in message to every member and reports
# mcast_done when the delivery layer reports pipe_sent. Analyzed without a
# delivery implementation, pipe_in is written but nothing reads it, and
# pipe_sent is read but nothing writes it, so both are underspecified.
# BestEffortMulticast adds best-effort delivery and a static membership list.
# That gives a complete, purely monotone program: a join of send_mcast with
# members, then copies. Nothing there needs coordination.
#
# StaticMembership fills the members table from an input interface. Other
# samples (the replicated KVS, the carts) test members with include?, which is
# negation and so a point of order in those programs. This file has none.
require 'rubygems'
require 'bud'
require_relative 'delivery'

module MulticastProtocol
  state do
    interface input, :send_mcast, [:ident] => [:payload]   # expect: underspecified send_mcast input
    interface output, :mcast_done, [:ident] => [:payload]  # expect: underspecified mcast_done output
  end
end

module MembershipProtocol
  state do
    table :members, [:peer]
  end
end

module StaticMembership
  include MembershipProtocol

  state do
    interface input, :add_member, [:peer]  # expect: underspecified add_member input
  end

  bloom :join_group do
    members <= add_member
  end
end

module SimpleMulticast
  include MulticastProtocol # expect: underspecified send_mcast input
  include MembershipProtocol
  include DeliveryProtocol # expect: underspecified pipe_in input; underspecified pipe_sent output

  bloom :fan_out do
    pipe_in <= (send_mcast * members).pairs do |s, m|
      [m.peer, ip_port, s.ident, s.payload]
    end
  end

  bloom :report do
    mcast_done <= pipe_sent { |p| [p.ident, p.payload] }
  end
end

module BestEffortMulticast
  include SimpleMulticast
  include BestEffortDelivery
  include StaticMembership
end
