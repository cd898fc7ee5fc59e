# Lesson: a quorum vote written with lattices is monotone.
#
# Ballots go into a growing set (lset). Its size is a growing number (lmax),
# and "size >= quorum" is a threshold that can flip from false to true but
# never back (lbool). when_true fires the result message once the threshold is
# crossed. Every step is a monotone lattice function, so the diagram has no
# points of order and the announcement needs no coordination: a late or
# duplicate ballot can never retract it. Compare counting_quorum.rb.
require 'rubygems'
require 'bud'

module LatticeQuorum
  QUORUM_SIZE = 3
  RESULT_ADDR = "127.0.0.1:12346"

  state do
    channel :ballot_chan, [:@addr, :voter]
    channel :result_chan, [:@addr]
    lset :ballots
    lmax :tally
    lbool :quorum_reached
  end

  bloom :vote do
    ballots <= ballot_chan { |b| [b.voter] }
    tally <= ballots.size
    quorum_reached <= tally.gt_eq(QUORUM_SIZE)
    result_chan <~ quorum_reached.when_true { [[RESULT_ADDR]] }
  end
end
