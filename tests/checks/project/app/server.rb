# The project's poll server: votes arrive over a channel, a poll's result is sent to
# every member once the poll is closed. Uses the vendored roster and tally library.
require 'rubygems'
require 'bud'
require 'roster/roster'
require_relative 'protocol'

class PollServer
  include Bud
  include PollProtocol
  include Roster
  include Tally

  state do
    table :closed, [:poll]
  end

  bloom do
    ballots <= vote { |v| [v.poll, v.client, v.choice] }
    closed <= close { |c| [c.poll] }
    result <~ (counts * closed * roster).combos(counts.poll => closed.poll) do |c, _, m|
      [m.peer, c.poll, c.choice, c.n]
    end
    ballots <- (ballots * closed).lefts(:poll => :poll)
  end
end
