# A vendored library (not the project's code): who is in the group, and a tally of
# votes per poll. It has points of order of its own, which the project's CI should
# summarize rather than report one by one.
require 'rubygems'
require 'bud'

module RosterProtocol
  state do
    interface input, :join_req, [:peer]
    interface input, :leave_req, [:peer]
    interface output, :members, [:peer]
  end
end

module Roster
  include RosterProtocol

  state do
    table :roster, [:peer]
    scratch :leaving, [:peer]
  end

  bloom do
    roster <= join_req
    leaving <= leave_req
    roster <- leaving
    members <= roster
  end
end

module Tally
  state do
    table :ballots, [:poll, :voter] => [:choice]
    scratch :counts, [:poll, :choice] => [:n]
  end

  bloom do
    counts <= ballots.group([:poll, :choice], count(:voter))
  end
end
