# The program under test of nvim_test.sh (the Neovim LSP session): a small
# membership service. Peers announce that they join or leave over channels;
# `live_peers` forwards the current members. Counting the members is a point
# of order (its input arrives over a channel); the `alive` rule is monotone
# until the editing session turns it into `alive <= peers.notin(gone)`.
require 'rubygems'
require 'bud'

module Membership
  state do
    interface input, :join, [:peer]
    interface input, :leave, [:peer]
    interface output, :live_peers, [:peer]
    channel :hello, [:@to, :from]
    channel :bye, [:@to, :from]
    table :peers, [:peer]
    table :gone, [:peer]
    scratch :alive, [:peer]
    scratch :peer_count, [] => [:n]
  end

  bloom :gossip do
    hello <~ join { |j| [j.peer, ip_port] }
    bye <~ leave { |l| [l.peer, ip_port] }
    peers <= hello { |h| [h.from] }
    gone <= bye { |b| [b.from] }
  end

  bloom :track do
    alive <= peers
    live_peers <= alive
    peer_count <= peers.group(nil, count)
  end
end

class MembershipNode
  include Bud
  include Membership
end
