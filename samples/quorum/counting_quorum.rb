# Lesson: the same quorum vote written with ordinary collections is not
# monotone.
#
# CountingQuorum counts the ballots with group/count, a non-monotonic
# aggregate: the count observed in one tick can be overtaken by a later
# ballot, and "cnt == QUORUM_SIZE" is true only at one exact moment (it is
# skipped if two ballots arrive in the same tick). The aggregate edge is a point
# of order. Only waiting for all ballots, or rewriting it as the lattice
# threshold in lattice_quorum.rb, makes the outcome independent of message
# order.
#
# RevealQuorum reads the lattice's raw value with reveal and compares it with
# ==. reveal leaves the lattice world: it is not a monotone lattice method, so
# the edge ballots -> result_chan is a point of order, as the group count is in
# CountingQuorum.
require 'rubygems'
require 'bud'

module CountingQuorum
  QUORUM_SIZE = 3
  RESULT_ADDR = "127.0.0.1:12346"

  state do
    channel :ballot_chan, [:@addr, :voter]
    channel :result_chan, [:@addr]
    table :ballots, [:voter]
    scratch :tally, [] => [:cnt]
  end

  bloom :vote do
    ballots <= ballot_chan { |b| [b.voter] }
    tally <= ballots.group(nil, count) # expect: point-of-order ballots -> tally
    result_chan <~ tally { |t| [RESULT_ADDR] if t.cnt == QUORUM_SIZE }
  end
end

module RevealQuorum
  QUORUM_SIZE = 3
  RESULT_ADDR = "127.0.0.1:12346"

  state do
    channel :ballot_chan, [:@addr, :voter]
    channel :result_chan, [:@addr]
    lset :ballots
  end

  bloom :vote do
    ballots <= ballot_chan { |b| [b.voter] }
    result_chan <~ ballot_chan { |b| [RESULT_ADDR] if ballots.reveal.size == QUORUM_SIZE } # expect: point-of-order ballots -> result_chan
  end
end
