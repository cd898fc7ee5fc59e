# Lesson: two-phase commit is coordination, written in Bloom.
#
# "Waiting requires counting": the coordinator commits only once the number
# of yes votes equals the number of participants, a group/count aggregate and
# an equality test, so it is non-monotonic by construction. Abort is monotone:
# a single "no" vote is enough. The coordinator also announces each decision
# exactly once. It keeps the announced decisions in a table and sends only
# those not announced yet (notin), fed back next tick (<+), which is a small
# temporal cluster.
#
# All of that is the point: this module *is* the coordination other
# programs add at their points of order. As the paper suggests (Section 2), it
# is verified by hand and marked with the `calm:coordinated` annotation so the
# analysis does not try to "coordinate the coordination logic". Without the
# marker, calm would report the aggregate points of order yes_votes ->
# yes_cnt and participants -> member_cnt, the negation announced -> fresh, and
# a temporal cluster {announced, fresh} with the edges decision -> fresh,
# fresh -> decision_chan and fresh -> xact_outcome crossing its border. (Taken
# alone, begin_xact reaches only prepare_chan, so it is also underspecified.)
# With the marker their treatment is up to the tool, so the coordinator carries
# no inline expectations.
#
# The participant votes "yes" unless it has vetoed the transaction. That is a
# negation (unless vetoed.include?), so the participant has a point of order of
# its own, which the coordinator's annotation does not cover.
require 'rubygems'
require 'bud'

module TwoPCProtocol
  state do
    channel :prepare_chan, [:@peer, :coordinator, :xid]
    channel :vote_chan, [:@coordinator, :peer, :xid] => [:vote]
    channel :decision_chan, [:@peer, :coordinator, :xid] => [:decision]
  end
end

# calm:coordinated -- hand-verified 2PC coordination
module TwoPCCoordinator
  include TwoPCProtocol

  state do
    interface input, :add_participant, [:peer]
    interface input, :begin_xact, [:xid]
    interface output, :xact_outcome, [:xid] => [:decision]
    table :participants, [:peer]
    table :votes, [:xid, :peer] => [:vote]
    scratch :yes_votes, [:xid, :peer]
    scratch :yes_cnt, [:xid] => [:cnt]
    scratch :member_cnt, [] => [:cnt]
    scratch :decision, [:xid] => [:decision]
    scratch :fresh, [:xid] => [:decision]
    table :announced, [:xid] => [:decision]
  end

  bloom :phase_one do
    participants <= add_participant
    prepare_chan <~ (begin_xact * participants).pairs { |x, p| [p.peer, ip_port, x.xid] }
    votes <= vote_chan { |v| [v.xid, v.peer, v.vote] }
  end

  bloom :count_votes do
    yes_votes <= votes { |v| [v.xid, v.peer] if v.vote == "yes" }
    yes_cnt <= yes_votes.group([:xid], count)
    member_cnt <= participants.group(nil, count)
    decision <= (yes_cnt * member_cnt).pairs { |y, m| [y.xid, "commit"] if y.cnt == m.cnt }
    decision <= votes { |v| [v.xid, "abort"] if v.vote == "no" }
  end

  bloom :phase_two do
    fresh <= decision.notin(announced, :xid => :xid)
    announced <+ fresh
    decision_chan <~ (fresh * participants).pairs { |d, p| [p.peer, ip_port, d.xid, d.decision] }
    xact_outcome <= fresh
  end
end

module TwoPCParticipant
  include TwoPCProtocol

  state do
    interface input, :veto, [:xid]
    interface output, :vote_cast, [:xid] => [:vote]
    interface output, :xact_applied, [:xid] => [:decision]
    table :vetoed, [:xid]
    scratch :my_vote, [:coordinator, :xid] => [:vote]
  end

  bloom :vote do
    vetoed <= veto
    # Yes unless vetoed: a negation, so the vote can depend on whether the
    # veto arrived before or after the prepare message.
    my_vote <= prepare_chan do |p| # expect: point-of-order vetoed -> my_vote
      [p.coordinator, p.xid, "yes"] unless vetoed.include?([p.xid])
    end
    my_vote <= (prepare_chan * vetoed).pairs(:xid => :xid) { |p, v| [p.coordinator, p.xid, "no"] }
    vote_chan <~ my_vote { |v| [v.coordinator, ip_port, v.xid, v.vote] }
    vote_cast <= my_vote { |v| [v.xid, v.vote] }
  end

  bloom :apply do
    xact_applied <= decision_chan { |d| [d.xid, d.decision] }
  end
end

# One node that can both coordinate and take part.
class TwoPCNode
  include Bud
  include TwoPCCoordinator
  include TwoPCParticipant
end
