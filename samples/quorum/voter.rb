# Helper for the quorum scenarios (samples/quorum/*.scenario.json), not a lesson
# of its own: the other ends of the quorum's channels.
#
# Voter runs on a voter node: a cast_ballot fact [quorum address, voter name]
# goes out as a ballot on ballot_chan. Analyzed alone its input only reaches a
# channel, never an output interface, so it is underspecified (as CartClient's
# inputs are).
#
# ResultObserver runs on the node at RESULT_ADDR ("127.0.0.1:12346") and keeps
# every announcement it receives on result_chan, with the timestep it arrived
# in, so a scenario can check when the quorum was announced.
require 'rubygems'
require 'bud'

module Voter
  state do
    interface input, :cast_ballot, [:addr, :voter] # expect: underspecified cast_ballot input
    channel :ballot_chan, [:@addr, :voter]
  end

  bloom :cast do
    ballot_chan <~ cast_ballot
  end
end

module ResultObserver
  state do
    channel :result_chan, [:@addr]
    table :announced, [:addr, :at]
  end

  bloom :observe do
    announced <= result_chan { |r| [r.addr, budtime] }
  end
end
